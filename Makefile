# Keyward's one entry point. Every target first runs `setup`, which installs only what is missing:
# the wasm32 target, wasm-bindgen-cli at exactly Cargo.lock's version, the npm tools of
# package-lock.json (wasm-opt from npm's binaryen, never Debian's), Debian's Chromium and Firefox ESR,
# and geckodriver from crates.io.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory

WASM_TARGET := wasm32-unknown-unknown
# npm's tools first on PATH: Debian's /usr/bin/wasm-opt produces broken wasm (platform.md).
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)

RUST_SOURCES := $(shell find src -name '*.rs') Cargo.toml Cargo.lock
EXT_SOURCES := $(shell find extension -type f -not -path 'extension/scripts/*') extension/scripts/assemble.mjs
WASM_RAW := target/$(WASM_TARGET)/release/keyward.wasm
PKG := target/pkg
FLAVOURS := chrome chrome-dev firefox firefox-dev
EMULATOR := target/debug/p14e-emulator

.PHONY: setup build test lint test-native test-wasm test-e2e demo package clean icons bench bench-smoke fuzz corpus

## setup: install what is missing, and nothing else
setup: node_modules/.installed tests/corpus/node_modules/.installed
	@rustup target list --installed | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "setup: installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (matches Cargo.lock)"; \
	  cargo install wasm-bindgen-cli --version '$(WASM_BINDGEN_VERSION)' --locked --force \
	  || { echo "setup: the CLI's own lockfile names a crate the registry no longer serves; resolving its dependencies afresh"; \
	       cargo install wasm-bindgen-cli --version '$(WASM_BINDGEN_VERSION)' --force; }; \
	fi
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/firefox-esr ]; then \
	  echo "setup: installing Debian's chromium, chromium-driver and firefox-esr"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver firefox-esr; \
	fi
	@command -v geckodriver >/dev/null || { echo "setup: installing geckodriver (crates.io)"; \
	  cargo install geckodriver --locked || cargo install geckodriver; }

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The UI kits the reader corpus draws pages with (tests only), at the versions of their own lock file.
tests/corpus/node_modules/.installed: tests/corpus/package-lock.json
	cd tests/corpus && npm ci --no-audit --no-fund
	@touch $@

## build: release wasm -> wasm-bindgen -> wasm-opt -> dist/{chrome,chrome-dev,firefox,firefox-dev}, JS and CSS minified
build: $(addsuffix /manifest.json,$(addprefix dist/,$(FLAVOURS)))
	@node tests/bench/bundle.mjs dist/chrome

# Panic locations name source files: remapped to crate-relative paths, the bundle neither carries
# nor depends on this machine's home folder or toolchain hash (shorter, and reproducible).
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
REMAP := $(foreach d,$(wildcard $(CARGO_HOME_DIR)/registry/src/*),--remap-path-prefix=$(d)/=) --remap-path-prefix=$(CURDIR)/=

$(WASM_RAW): $(RUST_SOURCES) | setup
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(REMAP)" cargo build --release --target $(WASM_TARGET) -p keyward --lib
	@touch $@

$(PKG)/keyward_bg.wasm: $(WASM_RAW)
	wasm-bindgen --target web --no-typescript --out-dir $(PKG) $<
	@# Functions ordered by name sit beside their module's others, which gzip compresses better (1 KB);
	@# -Os compresses smaller than -Oz here (0.8 KB gzipped); --converge repeats it until nothing
	@# shrinks, and the producers and features sections go (0.7 KB).
	@# --low-memory-unused lets a pointer's added constant fold into the load's offset (1.3 KB): it
	@# assumes no pointer arithmetic wraps past 4 GB into the first KB, which Rust's few-MB heap and
	@# stack (the stack's deepest KB being one step from overflow) never do. LLVM has inlined what
	@# pays already; binaryen's own inlining makes the bundle larger and less compressible (20 KB).
	wasm-opt -Os --converge --low-memory-unused --ignore-implicit-traps --skip-pass=inlining-optimizing --strip-producers --strip-target-features --reorder-functions-by-name --enable-bulk-memory --enable-nontrapping-float-to-int \
	  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue $@ -o $@
	@# Imports and exports get short names, the glue rewritten to match (5 KB of hashed names).
	node extension/scripts/short-names.mjs $(PKG)

dist/%/manifest.json: $(PKG)/keyward_bg.wasm $(EXT_SOURCES)
	node extension/scripts/assemble.mjs $* dist/$* $(PKG)

## test: every check and test suite (and one small iteration of the bench, so it cannot rot)
test: lint test-native test-wasm test-e2e bench-smoke

## lint: formatting, clippy for the host and for wasm32, and web-ext lint of the Firefox build
lint: build
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p keyward --all-targets --target $(WASM_TARGET) -- -D warnings
	web-ext lint --source-dir dist/firefox --warnings-as-errors

test-native: | setup
	cargo test --workspace

# Browser tests of the edge in headless Chromium, as README says (with geckodriver on PATH the runner
# would pick Firefox unless told); the client tests talk to a real emulator on loopback.
test-wasm: $(EMULATOR) | setup
	EMULATOR_ARGS="--users 57 --groups 5 --rate 1000 --burst 1000" WASM_BINDGEN_TEST_TIMEOUT=90 CHROMEDRIVER=/usr/bin/chromedriver \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  tests/with-emulator.sh cargo test -p keyward --target $(WASM_TARGET) --test web --test client

$(EMULATOR): $(shell find tests/emulator -name '*.rs' -o -name Cargo.toml) Cargo.lock | setup
	cargo build -p p14e-emulator
	@touch $@

# E2E picks the files (default: all), ONLY a test-name pattern, REPEAT how many runs in a row; every
# run goes to the end and the failed ones are counted, e.g. to prove a test is not flaky:
#   make test-e2e E2E=tests/e2e/a11y.test.mjs ONLY=keyboard REPEAT=20
E2E ?= tests/e2e/*.test.mjs
ONLY ?=
REPEAT ?= 1
test-e2e: build $(EMULATOR)
	@failed=0; for run in $$(seq 1 $(REPEAT)); do \
	  [ $(REPEAT) = 1 ] || echo "test-e2e: run $$run of $(REPEAT)"; \
	  node --test --test-concurrency=1 $(if $(ONLY),--test-name-pattern='$(ONLY)') $(E2E) || failed=$$((failed + 1)); \
	done; \
	[ $(REPEAT) = 1 ] || echo "test-e2e: $$failed of $(REPEAT) runs failed"; \
	[ $$failed = 0 ]

## bench: speed, size and API efficiency against baselines (BENCHMARKS.md, target/bench/results.json)
bench: build | setup
	cargo build --release -p p14e-emulator
	KEYWARD_EMULATOR_BIN=target/release/p14e-emulator node tests/bench/bench.mjs

bench-smoke: build $(EMULATOR)
	BENCH_SMOKE=1 node tests/bench/bench.mjs

## corpus: the whole reader corpus (every kit's pages and the generated layouts) through the built
## extension, with a table per kit in target/corpus/report.md; CORPUS_ARGS passes options
## (--per-kit, --layouts, --seed, --kits, --only <page> to see one page's read item by item)
CORPUS_ARGS ?=
corpus: build $(EMULATOR)
	node tests/corpus/corpus.mjs $(CORPUS_ARGS)

## fuzz: every cargo fuzz target for FUZZ_SECONDS each (default 60), from the committed seed corpus
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := retry_after scim_answer page_snapshot stored_records messages filter_roundtrip
fuzz: | setup
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p target/fuzz/corpus/$$t target/fuzz/artifacts/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  (cd tests/fuzz && cargo +nightly fuzz run --fuzz-dir . $$t ../../target/fuzz/corpus/$$t seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=../../target/fuzz/artifacts/$$t/ -print_final_stats=1 2>&1 \
	    | grep -E '^(Done|stat::number_of_executed_units|SUMMARY|==[0-9]+== ERROR)|panicked' ) \
	  || { echo "fuzz: $$t found a failing input in target/fuzz/artifacts/$$t: add it to tests/fuzz/regressions/$$t/ as a regression test"; exit 1; }; \
	done

## demo: the emulator and sandbox console on loopback, and Chromium with the dev build
demo: build $(EMULATOR)
	node tests/e2e/demo.mjs

## package: store zips for Chrome and Firefox
package: build
	@mkdir -p target/package
	web-ext build --source-dir dist/chrome --artifacts-dir target/package --filename keyward-chrome.zip --overwrite-dest
	web-ext build --source-dir dist/firefox --artifacts-dir target/package --filename keyward-firefox.zip --overwrite-dest
	@ls -l target/package/*.zip

## icons: redraw the icons (the output is byte-identical; a test checks it)
icons:
	node extension/scripts/icons.mjs

clean:
	rm -rf dist target/pkg target/e2e target/demo target/package
	cargo clean
