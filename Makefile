# quire's build.
#   make        installs the Fennel toolchain if missing and builds bin/quire
#   make test   runs every test (installs lua5.1 for the differential tests)
#   make bench  measures quire against its baselines; writes bench/RESULTS.md
SHELL := bash
GO ?= go
TOOLCHAIN := $(CURDIR)/.toolchain
MODULE := github.com/quire-ci/quire
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: all build toolchain lua51 test vet fmt-check fuzz bench clean

all: build

# The toolchain script is quick when everything is in place (it checks
# checksums), so it runs every time rather than trusting a stamp file.
toolchain:
	@mkdir -p $(TOOLCHAIN)
	@scripts/toolchain.sh fennel > $(TOOLCHAIN)/fennel.path.tmp && mv $(TOOLCHAIN)/fennel.path.tmp $(TOOLCHAIN)/fennel.path

lua51:
	@mkdir -p $(TOOLCHAIN)
	@scripts/toolchain.sh lua51 > $(TOOLCHAIN)/lua51.path.tmp && mv $(TOOLCHAIN)/lua51.path.tmp $(TOOLCHAIN)/lua51.path

build: toolchain
	$(GO) build -ldflags "-X main.version=$(VERSION) -X $(MODULE)/compiler/fennel.defaultPath=$$(cat $(TOOLCHAIN)/fennel.path)" -o bin/quire ./cmd/quire

test: build lua51 vet fmt-check
	QUIRE_FENNEL="$$(cat $(TOOLCHAIN)/fennel.path)" QUIRE_LUA51="$$(cat $(TOOLCHAIN)/lua51.path)" \
		$(GO) test -count=1 ./...
	QUIRE_FENNEL="$$(cat $(TOOLCHAIN)/fennel.path)" $(GO) test -count=1 -race ./runtime/...
	$(GO) test -count=1 -race -run 'Sandbox' ./internal/luavm

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Each fuzz target runs for FUZZTIME (default 30s); seed corpora and any
# failures found are kept under each package's testdata/fuzz.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./compiler:FuzzLoad ./compiler/diag:FuzzRender ./runtime:FuzzConfig ./runtime:FuzzParseUpdates
fuzz: build
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
		QUIRE_FENNEL="$$(cat $(TOOLCHAIN)/fennel.path)" $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

# The figures of bench/RESULTS.md (takes about ten minutes; see bench/README.md).
bench: build
	QUIRE_FENNEL="$$(cat $(TOOLCHAIN)/fennel.path)" bench/bench.sh

clean:
	rm -rf bin
