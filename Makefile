# Switchboard — the two commands are `make run` and `make test` (see README.md).
#
#   make run     install what is missing, build the SPA (Trunk, offline) and the server, serve on :3000
#   make test    also install Chromium + chromedriver, start PostgreSQL if needed, then fmt, clippy,
#                and every test (unit, integration, browser e2e) on SQLite and on PostgreSQL
#   make setup / setup-test / spa / fmt / clippy   the pieces
#   make bench   release server under load on PostgreSQL and SQLite (README.md, "Performance")
#   make soak    long schema fuzzing and the reliability tests in soak mode, on SQLite and PostgreSQL

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
# Steps of `make test` must run one after the other, in the order written, even under `make -j`.
.NOTPARALLEL:
.DEFAULT_GOAL := run

export PATH := $(HOME)/.cargo/bin:$(PATH)

TRUNK_VERSION := 0.21.14
# Trunk's own release profile is fat LTO in one codegen unit: most of its install time on two cores, for a tool
# that only runs cargo, wasm-bindgen and wasm-opt and copies files. Without them it installs in 5.7 minutes
# instead of 7.5 here and builds the same dist/, byte for byte. Its update check is left out too (it is
# skipped anyway, TRUNK_SKIP_VERSION_CHECK below).
TRUNK_INSTALL_ENV := CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# The SPA's wasm-opt: binaryen from npm, pinned (Debian's binaryen 108 breaks the wasm: toolchain.md).
BINARYEN_VERSION := 123.0.0
BINARYEN_BIN := $(CURDIR)/.tools/binaryen/node_modules/.bin
# wasm-bindgen-cli must be exactly the wasm-bindgen the SPA links against.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)

# `make run` settings (override on the command line or in the environment).
DATABASE_URL ?= sqlite://data/switchboard.db?mode=rwc
LISTEN_ADDR ?= 127.0.0.1:3000
STATIC_DIR ?= dist
SERVER_BIN := target/server/switchboard

# apt-get and pg_ctlcluster need root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

comma := ,
header = @printf '\n==> %s\n' "$(1)"

.PHONY: setup setup-test spa server run test fmt fmt-check clippy test-build test-sqlite test-postgres

## ---------------------------------------------------------------- tools

setup:
	$(call header,setup: wasm32 target$(comma) trunk $(TRUNK_VERSION)$(comma) wasm-bindgen-cli $(WASM_BINDGEN_VERSION))
	@if [ -z "$(WASM_BINDGEN_VERSION)" ]; then echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; fi
	@if rustup target list --installed | grep -qx wasm32-unknown-unknown; then \
	  echo "wasm32-unknown-unknown target: present"; \
	else \
	  echo "+ rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; \
	fi
	@if [ "$$(trunk --version 2>/dev/null | awk '{print $$2}')" = "$(TRUNK_VERSION)" ]; then \
	  echo "trunk $(TRUNK_VERSION): present"; \
	else \
	  echo "+ cargo install trunk --locked --version $(TRUNK_VERSION) --no-default-features --features rustls   (about 6 minutes, once)"; \
	  $(TRUNK_INSTALL_ENV) cargo install trunk --locked --version $(TRUNK_VERSION) --no-default-features --features rustls; \
	fi
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" = "$(WASM_BINDGEN_VERSION)" ]; then \
	  echo "wasm-bindgen-cli $(WASM_BINDGEN_VERSION): present"; \
	else \
	  echo "+ cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)   (about 4 minutes, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi
	@if [ "$$(node -p 'require("./.tools/binaryen/node_modules/binaryen/package.json").version' 2>/dev/null)" = "$(BINARYEN_VERSION)" ]; then \
	  echo "binaryen $(BINARYEN_VERSION) (wasm-opt): present"; \
	else \
	  echo "+ npm install --prefix .tools/binaryen binaryen@$(BINARYEN_VERSION)"; \
	  npm install --prefix .tools/binaryen --no-audit --no-fund --loglevel=error binaryen@$(BINARYEN_VERSION); \
	fi

setup-test: setup
	$(call header,setup-test: Chromium$(comma) chromedriver$(comma) PostgreSQL)
	@if [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/chromium ]; then \
	  echo "chromium and chromium-driver: present"; \
	else \
	  echo "+ apt-get update && apt-get install -y chromium chromium-driver"; \
	  $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi
	@if pg_isready -q -h 127.0.0.1; then \
	  echo "PostgreSQL at 127.0.0.1: answering"; \
	else \
	  if [ ! -d /etc/postgresql ]; then \
	    echo "PostgreSQL is not installed (no /etc/postgresql); the tests expect it at 127.0.0.1:5432 (user postgres, trust, database test)" >&2; \
	    exit 1; \
	  fi; \
	  version=$$(ls /etc/postgresql | sort -V | tail -n 1); \
	  echo "+ pg_ctlcluster --skip-systemctl-redirect $$version main start"; \
	  $(SUDO) pg_ctlcluster --skip-systemctl-redirect "$$version" main start; \
	  for _ in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done; \
	  pg_isready -h 127.0.0.1; \
	fi

## ---------------------------------------------------------------- build

# The SPA, into dist/. Trunk is offline (Trunk.toml: tools from PATH, `cargo build --offline`), so fetch the
# crates first; TRUNK_SKIP_VERSION_CHECK keeps it from asking GitHub for a newer release.
spa: setup
	$(call header,spa: cargo fetch --locked && trunk build --release  ->  dist/)
	cargo fetch --locked
	PATH='$(BINARYEN_BIN)':"$$PATH" TRUNK_TOOLS_WASM_OPT=version_123 TRUNK_SKIP_VERSION_CHECK=true \
	  trunk build --release

server:
	$(call header,server: cargo build --profile server -p backend  ->  $(SERVER_BIN))
	cargo build --profile server -p backend

## ---------------------------------------------------------------- run

run: setup spa server
	$(call header,run: $(SERVER_BIN) serve on http://$(LISTEN_ADDR))
	@mkdir -p data
	@echo "Database:   $(DATABASE_URL)"
	@echo "SPA:        $(STATIC_DIR)/"
	@echo "Open:       http://$(LISTEN_ADDR)/app   (API docs: http://$(LISTEN_ADDR)/api/docs/)"
	@echo
	@echo "Create the first administrator from another terminal in this directory:"
	@echo
	@echo "  DATABASE_URL='$(DATABASE_URL)' STATIC_DIR='$(STATIC_DIR)' \\"
	@echo "    $(SERVER_BIN) create-admin --email you@example.com --password '…' --name 'You' --account-name 'Acme' --super-admin"
	@echo
	DATABASE_URL='$(DATABASE_URL)' LISTEN_ADDR='$(LISTEN_ADDR)' STATIC_DIR='$(STATIC_DIR)' \
	  exec $(SERVER_BIN) serve

## ---------------------------------------------------------------- checks and tests

fmt:
	$(call header,fmt: cargo fmt --all)
	cargo fmt --all

fmt-check:
	$(call header,fmt-check: cargo fmt --all --check)
	cargo fmt --all --check

clippy:
	$(call header,clippy: host crates and the bench harness (all targets))
	cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
	$(call header,clippy: frontend for wasm32-unknown-unknown)
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The e2e suite serves dist/ and spawns target/debug/switchboard, which `cargo test` builds anyway for the
# backend's own CLI tests (with the same features, so nothing is compiled twice).
test-build: spa

# The workspace's default members (everything but the wasm SPA), the same selection in both passes, so the
# second pass rebuilds nothing.
# The bench harness is not a default member (its load phases are `make bench`); its unit tests need no
# database and run once, here.
test-sqlite:
	$(call header,tests on SQLite: TEST_DATABASE=sqlite cargo test; the bench harness's unit tests)
	TEST_DATABASE=sqlite cargo test
	cargo test -p bench

test-postgres:
	$(call header,tests on PostgreSQL: TEST_DATABASE=postgres cargo test)
	TEST_DATABASE=postgres cargo test

## ---------------------------------------------------------------- schema fuzzing

# schemathesis from PyPI, pinned, in a venv under target/ (gitignored). scripts/schemathesis.sh starts the debug
# server on a fresh database with an API token and checks every operation of /api/openapi.json: no 5xx, and
# every status code, content type and body as documented.
SCHEMATHESIS_VERSION := 4.32.5
VENV := target/venv
FUZZ_EXAMPLES ?= 20
SOAK_EXAMPLES ?= 500

.PHONY: schemathesis-setup test-fuzz soak
schemathesis-setup:
	$(call header,schemathesis-setup: schemathesis $(SCHEMATHESIS_VERSION) in $(VENV))
	@if [ "$$($(VENV)/bin/schemathesis --version 2>/dev/null | awk '{print $$3}')" = "$(SCHEMATHESIS_VERSION)" ]; then \
	  echo "schemathesis $(SCHEMATHESIS_VERSION): present"; \
	else \
	  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then \
	    echo "+ apt-get install -y python3-venv"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; \
	  fi; \
	  echo "+ python3 -m venv $(VENV) && pip install schemathesis==$(SCHEMATHESIS_VERSION)"; \
	  python3 -m venv $(VENV); \
	  $(VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION); \
	fi

# Runs after the test passes, which built target/debug/switchboard (a separate `cargo build -p backend` would
# resolve other features and rebuild).
test-fuzz: schemathesis-setup
	$(call header,schema fuzzing: schemathesis$(comma) $(FUZZ_EXAMPLES) examples per operation$(comma) SQLite and PostgreSQL)
	scripts/schemathesis.sh sqlite $(FUZZ_EXAMPLES)
	scripts/schemathesis.sh postgres $(FUZZ_EXAMPLES)

test: setup-test fmt-check clippy test-build test-sqlite test-postgres test-fuzz
	$(call header,make test: all green)

# Long runs: the reliability tests (backend/tests/reliability) with SOAK=1 on both databases (which also builds
# target/debug/switchboard), then schema fuzzing with many more examples per operation.
soak: setup-test schemathesis-setup
	$(call header,soak: SOAK=1 cargo test -p backend --test reliability)
	SOAK=1 TEST_DATABASE=sqlite cargo test -p backend --test reliability
	SOAK=1 TEST_DATABASE=postgres cargo test -p backend --test reliability
	$(call header,soak: schemathesis$(comma) $(SOAK_EXAMPLES) examples per operation)
	scripts/schemathesis.sh sqlite $(SOAK_EXAMPLES)
	scripts/schemathesis.sh postgres $(SOAK_EXAMPLES)

## ---------------------------------------------------------------- performance

# Release server + load harness (bench/, not a default member). Needs PostgreSQL (setup-test starts it); the SPA
# is rebuilt when Trunk can, else the existing dist/ is measured. Knobs: BENCH_EVENTS, BENCH_CONTACTS,
# BENCH_DATABASES=postgres,sqlite … (bench/src/main.rs). Writes target/bench/results.json and results.txt.
.PHONY: bench
bench:
	$(call header,bench: SPA (release)$(comma) server + harness (--profile server))
	@$(MAKE) --no-print-directory spa || echo "warning: the SPA did not build; measuring the existing dist/" >&2
	@pg_isready -q -h 127.0.0.1 || $(MAKE) --no-print-directory setup-test
	cargo build --profile server -p backend -p bench
	$(call header,bench: load on PostgreSQL and SQLite  ->  target/bench/results.json)
	target/server/bench
