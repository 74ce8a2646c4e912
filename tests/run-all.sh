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

# Python's duckdb lets kiln-sql prove its translations on a second, independent DuckDB.
if ! python3 -c 'import duckdb' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "duckdb==1.5.6" || echo "warning: python duckdb unavailable; kiln-sql semantic tests will skip"
fi

# The UI first: the `kiln` binary embeds ui/dist when it compiles (crates/kiln-serve/build.rs).
if [ -f ui/package.json ]; then
  echo "== ui: typecheck, unit tests and build"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm test --silent &&
    npm run --silent build >/dev/null)
fi

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace --no-fail-fast
echo "== bench harness unit tests"
python3 -m unittest discover -s bench/tests

if [ -f tests/e2e/package.json ] && [ -f ui/package.json ]; then
  echo "== e2e: Studio in chromium against kiln serve"
  cargo build -p kiln-cli
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)
fi

if [ -f tests/desktop/package.json ]; then
  echo "== desktop: the kiln-studio window (WebKitGTK) under Xvfb through WebKitWebDriver"
  # After the UI build above: kiln-studio embeds ui/dist when it compiles, as kiln does.
  cargo build -p kiln-cli -p kiln-studio
  (cd tests/desktop && npm ci --no-audit --no-fund --loglevel=error && xvfb-run -a -s "-screen 0 1400x900x24" npm test)
fi
