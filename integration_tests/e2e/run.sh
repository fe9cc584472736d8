#!/usr/bin/env bash
# `make e2e`: the connector binary driven by Airbyte's own Python packages
# (PyAirbyte, airbyte-protocol-models) against the fake Botmaker API.
# Needs bin/source-botmaker (make build). Creates two virtualenvs under
# .venv/ from the exactly pinned requirements files, reusing them while
# those files are unchanged; only pip talks to the package registry, the
# check itself runs offline.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/integration_tests/e2e"
venvs="$root/.venv"

py="$(bash "$here/pick_python.sh")"
echo "e2e: using $py: $("$py" --version 2>&1) at $(command -v "$py")"

# make_venv NAME REQUIREMENTS: (re)create .venv/NAME when the requirements
# file changed since it was installed.
make_venv() {
	local dir="$venvs/$1" req="$2" want
	# A different interpreter needs a new virtualenv too.
	want="$({ cat "$req"; "$py" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
	if [ -f "$dir/.requirements.sha256" ] && [ "$(cat "$dir/.requirements.sha256")" = "$want" ]; then
		return
	fi
	echo "e2e: installing $(basename "$req") into .venv/$1"
	rm -rf "$dir"
	"$py" -m venv "$dir"
	"$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
	echo "$want" >"$dir/.requirements.sha256"
}
make_venv e2e-pyairbyte "$here/requirements.txt"
make_venv e2e-protocol "$here/requirements-protocol.txt"

(cd "$root" && go build -o bin/fakebotmaker ./internal/cmd/fakebotmaker)
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
cmd=("$venvs/e2e-pyairbyte/bin/python" "$here/e2e.py"
	--connector "$root/bin/source-botmaker" --fake "$root/bin/fakebotmaker"
	--protocol-python "$venvs/e2e-protocol/bin/python" --workdir "$workdir")

# With a network namespace of its own the check has loopback and nothing
# else, so a registry or telemetry call would fail rather than go out.
if command -v unshare >/dev/null && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	echo "e2e: running in a network namespace with loopback only"
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh "${cmd[@]}"
else
	echo "e2e: no network namespace available; offline by AIRBYTE_OFFLINE_MODE, DO_NOT_TRACK and the proxy guard only"
	"${cmd[@]}"
fi
