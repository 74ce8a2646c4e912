#!/usr/bin/env bash
# Runs every check and test of the repository; `make test` and .ci/run call this.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiln-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The Debian packages the checks below use (WebKitGTK for the desktop crate's clippy, Chromium,
# Xvfb …), installed when missing, so `make test` works on a fresh machine by itself.
bash .ci/system-deps.sh test

# DuckDB's official library, fetched once per machine and linked from .duckdb (see .cargo/config.toml).
bash .cargo/duckdb-lib.sh

# Python's duckdb lets kiln-sql prove its translations on a second, independent DuckDB, at the same
# version the engine links. Those tests skip without it when run alone; here they are required.
PY_DUCKDB=$(bash .cargo/duckdb-lib.sh --print-python-version)
if [ "$(python3 -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null || true)" != "$PY_DUCKDB" ]; then
  echo "== $(date +%T) installing python duckdb $PY_DUCKDB (kiln-sql's DuckDB semantics tests)"
  # Into the active python (venv, pyenv), else for the user; Debian's system python refuses both
  # (PEP 668) unless told to.
  pip_install() { python3 -m pip install --quiet --disable-pip-version-check "$@" "duckdb==$PY_DUCKDB"; }
  if ! pip_install 2>/dev/null && ! pip_install --user 2>/dev/null && ! pip_install --user --break-system-packages; then
    echo "run-all.sh: cannot install python duckdb==$PY_DUCKDB, which kiln-sql's DuckDB semantics tests need;" \
      "install it (python3 -m pip install duckdb==$PY_DUCKDB) and run again" >&2
    exit 1
  fi
  got=$(python3 -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null || true)
  if [ "$got" != "$PY_DUCKDB" ]; then
    echo "run-all.sh: python duckdb is '${got:-missing}' after installing, not $PY_DUCKDB" >&2
    exit 1
  fi
fi
export KILN_REQUIRE_PY_DUCKDB=1

# boto3 drives kiln-stream's Kinesis/Firehose endpoint as producers and consumers written for AWS do
# (crates/kiln-stream/tests/api_boto3.rs); like duckdb above, installed when missing and then required.
if ! python3 -c 'import boto3' 2>/dev/null; then
  echo "== $(date +%T) installing python boto3 (kiln-stream's Kinesis/Firehose client tests)"
  pip_install_boto3() { python3 -m pip install --quiet --disable-pip-version-check "$@" boto3; }
  if ! pip_install_boto3 2>/dev/null && ! pip_install_boto3 --user 2>/dev/null &&
    ! pip_install_boto3 --user --break-system-packages; then
    echo "run-all.sh: cannot install python boto3, which kiln-stream's client tests need;" \
      "install it (python3 -m pip install boto3) and run again" >&2
    exit 1
  fi
  if ! python3 -c 'import boto3' 2>/dev/null; then
    echo "run-all.sh: python3 cannot import boto3 after installing it" >&2
    exit 1
  fi
fi
export KILN_REQUIRE_BOTO3=1

# The UI first: the `kiln` binary embeds ui/dist when it compiles (crates/kiln-serve/build.rs).
if [ -f ui/package.json ]; then
  echo "== $(date +%T) ui: typecheck, unit tests and build"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm test --silent &&
    npm run --silent build >/dev/null)
fi

echo "== $(date +%T) cargo fmt"
cargo fmt --all -- --check
echo "== $(date +%T) cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== $(date +%T) cargo test"
cargo test --workspace --no-fail-fast
echo "== $(date +%T) bench harness unit tests"
python3 -m unittest discover -s bench/tests

# The binaries the browser and desktop tests start (kiln, kiln-studio, both embedding the UI built
# above), with the same selection as `cargo test --workspace` (all targets): Cargo's feature
# resolution is then the same and everything comes from that build, where `-p kiln-cli` alone would
# resolve features anew and recompile a good part of the dependencies on a fresh machine.
cargo build --workspace --all-targets

if [ -f tests/e2e/package.json ] && [ -f ui/package.json ]; then
  echo "== $(date +%T) e2e: Studio in chromium against kiln serve"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)
fi

if [ -f tests/desktop/package.json ]; then
  echo "== $(date +%T) desktop: the kiln-studio window (WebKitGTK) under Xvfb through WebKitWebDriver"
  (cd tests/desktop && npm ci --no-audit --no-fund --loglevel=error && xvfb-run -a -s "-screen 0 1400x900x24" npm test)
fi
