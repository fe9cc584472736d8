#!/usr/bin/env bash
# Prints the Python interpreter `make e2e` uses, or explains on stderr why
# there is none and exits 1.
#
# PyAirbyte 0.71 supports CPython 3.10 to 3.12. $PYTHON wins when set;
# otherwise the newest supported python3.X on PATH, then python3. Each is
# run, not just looked up: a pyenv shim exists for versions not installed.
set -euo pipefail
supported() {
	"$1" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))' >/dev/null 2>&1
}
if [ -n "${PYTHON:-}" ]; then
	candidates=("$PYTHON")
else
	candidates=(python3.12 python3.11 python3.10 python3)
fi
tried=()
for c in "${candidates[@]}"; do
	if ! command -v "$c" >/dev/null 2>&1; then
		tried+=("$c: not found")
	elif supported "$c"; then
		echo "$c"
		exit 0
	else
		tried+=("$c: $({ "$c" --version 2>&1 || true; } | sed -n 1p)")
	fi
done
echo "e2e: cannot run: PyAirbyte 0.71 needs CPython 3.10, 3.11 or 3.12, and none was found:" >&2
printf '  %s\n' "${tried[@]}" >&2
echo "Install one (for example with pyenv or your package manager) or set PYTHON=/path/to/python3.12." >&2
exit 1
