# Everything a developer or CI runs. `make test` is the one command CI
# runs (.ci/run); keep it and the README's Quick start in step.

GO  ?= go
BIN := bin/source-botmaker
IMAGE ?= airbyte/source-botmaker:dev
# The binary reports metadata.yaml's dockerImageTag, embedded by main.go:
# nothing here stamps a version.

.PHONY: build test lint demo docker-build golden

build:
	$(GO) build -o $(BIN) .

test: lint
	$(GO) test -count=1 ./...

lint:
	$(GO) vet ./...
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -l found unformatted files:"; echo "$$unformatted"; exit 1; fi

# A real read against the bundled fake Botmaker API (no network, no Docker).
# The demo runs the connector in process (internal/cmd/demo says why).
demo:
	$(GO) run ./internal/cmd/demo

docker-build:
	docker build -t $(IMAGE) .

# Rewrites spec.json, streams/testdata/schemas/*.json and
# streams/testdata/catalog.json from the code.
golden:
	$(GO) test -count=1 ./connector ./streams -run Golden -update

# ---------------------------------------------------------------------------
# Targets owned by later work (bench, e2e) go below this line.
# ---------------------------------------------------------------------------

# Syncs bin/source-botmaker with PyAirbyte and parses its output with
# airbyte-protocol-models, against the fake API, offline (integration_tests/e2e).
.PHONY: e2e
e2e: build
	bash integration_tests/e2e/run.sh

# Runs every fuzz target of every package for FUZZTIME each (go test fuzzes
# one target at a time). The seed corpora in */testdata/fuzz also run as
# plain tests in `make test`; a crash found here is saved there to replay.
FUZZTIME ?= 10s

#
# Go 1.26's fuzz coordinator can fail a target with a bare "context deadline
# exceeded" when FUZZTIME runs out on a busy machine (go.dev/issue/75804,
# fixed in Go 1.27). A failure counts only if it says something else or
# saved a failing input under testdata/fuzz.
.PHONY: fuzz
fuzz:
	@set -e; out=$$(mktemp); trap 'rm -f "$$out"' EXIT; \
	for pkg in $$($(GO) list ./...); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
		list=$$($(GO) test -list '^Fuzz' $$pkg); \
		for name in $$(echo "$$list" | grep '^Fuzz'); do \
			echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
			before=$$(ls "$$dir/testdata/fuzz/$$name" 2>/dev/null | wc -l); \
			if $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) >"$$out" 2>&1; then \
				cat "$$out"; continue; \
			fi; \
			cat "$$out"; \
			after=$$(ls "$$dir/testdata/fuzz/$$name" 2>/dev/null | wc -l); \
			if [ "$$after" = "$$before" ] && grep -q '^    context deadline exceeded$$' "$$out" \
				&& [ "$$(grep -c '^--- FAIL' "$$out")" = 1 ]; then \
				echo "fuzz $$name: Go's own end-of-FUZZTIME race (go.dev/issue/75804), no failing input; not counted"; \
			else \
				exit 1; \
			fi; \
		done; \
	done

# Measures the connector against the fake API, prints the tables
# (CPU-bound against a raw-copy floor, peak memory, API-bound against the
# rate limits' lower bound, requests per record) and writes that output into
# docs/performance.md between its bench markers. Takes minutes (the doc says
# how long); run it on a quiet machine. Not part of `make test`, which runs
# its smoke mode (internal/cmd/bench).
.PHONY: bench
bench:
	$(GO) run ./internal/cmd/bench -docs docs/performance.md
