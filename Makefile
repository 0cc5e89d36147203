# pacer — `make demo` runs the whole job on the synthetic company; `make test` runs every test.
# cgo is required (DuckDB is a C++ library linked into the binary).

GO      ?= go
TAGS    := duckdb_arrow
BIN     := bin/pacer
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
export CGO_ENABLED := 1

.PHONY: all build demo demo-large test bench assets tools vet fmt clean

all: build

## build: compile bin/pacer (fetches the chart library first)
build: assets
	$(GO) build -tags $(TAGS) -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/pacer

## assets: echarts.min.js (+ LICENSE, NOTICE) from the npm package, for offline reports
assets:
	@./scripts/fetch-assets.sh

## demo: the whole nightly job on the embedded synthetic company, into out/demo
demo: build
	./$(BIN) demo --out out/demo

## demo-large: 10 M ad rows, 1 M journeys and orders (for benchmarks)
demo-large: build
	./$(BIN) demo --out out/demo-large --scale large

## tools: test services from Debian's registry (headless chromium for the report pages)
tools:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (Debian) for the report browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "warning: chromium could not be installed; browser tests will skip"; \
	  else echo "note: chromium not installed and not root; browser tests will skip"; fi; }

## test: vet and every test (real DuckDB files, real processes)
test: assets tools
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -count=1 -timeout 25m ./...

## bench: benchmarks reporting rows/s (long; not part of test)
bench: assets
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x -timeout 60m ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out
