#!/usr/bin/env bash
# Runs every check and test of the repository; `make test` and .ci/run call this.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiln-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Python's duckdb lets kiln-sql prove its translations on a second, independent DuckDB.
if ! python3 -c 'import duckdb' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "duckdb==1.5.6" || echo "warning: python duckdb unavailable; kiln-sql semantic tests will skip"
fi

echo "== cargo fmt"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace --no-fail-fast
echo "== bench harness unit tests"
python3 -m unittest discover -s bench/tests
