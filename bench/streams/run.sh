#!/usr/bin/env bash
# Kiln's local Kinesis endpoint and streaming materialized views, measured; results go under
# "## Streams" in BENCHMARKS.md. Not part of CI: benchmarks are not tests.
#
# Usage: bench/streams/run.sh [--full] [--smoke] [--no-append] [--cases ingest,latency]
#                             [--rates "1000 10000 50000"] [--seconds S] [--ingest-seconds S]
#                             [--producers rust,boto3] [--no-peer] [--no-strace] [--profile]
#
#   (default)      quick: ingest 20 s per server and producer, latency 60 s per rate (about 7 min)
#   --full         ingest 60 s, latency 5 min per rate, as issue 11 asks (about 22 min)
#   --smoke        every case a few seconds (checks the harness; pair with --no-append)
#   --no-append    print the entry but leave BENCHMARKS.md alone
#   --cases        ingest (Kiln vs kinesalite, records/s) and/or latency (produced → visible)
#   --no-peer      skip kinesalite
#   --no-strace    no WAL-fsync probe: visibility is then bracketed by refresh times only
#   --profile      `perf record` Kiln for up to 10 s in the middle of the highest rate (pair with
#                  --no-append: the profiler costs the process some CPU)
#
# Environment: KILN (default $HOME/.cache/kiln-target/debug/kiln; copied with its libduckdb.so
# before the run, so a rebuild meanwhile does not change what is measured), BENCH_WORK (default
# $HOME/.cache/kiln-bench; projects under BENCH_WORK/streams, raw results under
# BENCH_WORK/streams/results), PRODUCER_TARGET_DIR (default $HOME/.cache/kiln-bench-streams-target).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
COMMAND_LINE="bench/streams/run.sh"
if [[ $# -gt 0 ]]; then
    COMMAND_LINE+="$(printf ' %q' "$@")"
fi
for arg in "$@"; do
    if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
        exit 0
    fi
done

die() { printf 'bench/streams/run.sh: %s\n' "$*" >&2; exit 1; }

KILN="${KILN:-$HOME/.cache/kiln-target/debug/kiln}"
BENCH_WORK="${BENCH_WORK:-$HOME/.cache/kiln-bench}"
PRODUCER_TARGET_DIR="${PRODUCER_TARGET_DIR:-$HOME/.cache/kiln-bench-streams-target}"
[[ -x "$KILN" ]] || die "no kiln binary at $KILN; build it with 'CARGO_TARGET_DIR=\$HOME/.cache/kiln-target cargo build -p kiln-cli --bin kiln'"
command -v node >/dev/null || die "node is not installed (kinesalite runs on it)"
python3 -c 'import boto3' 2>/dev/null || die "python3 has no boto3 (pip install boto3)"
want_duckdb="$(bash "$REPO/.cargo/duckdb-lib.sh" --print-python-version)"
have_duckdb="$(python3 -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null || true)"
if [[ "$have_duckdb" != "$want_duckdb" ]]; then
    echo "bench/streams/run.sh: installing python duckdb==$want_duckdb (the engine's version) to read the view" >&2
    python3 -m pip install -q "duckdb==$want_duckdb"
fi

# The Rust producer: a standalone project with its own target directory (release: the producer
# should not be what limits the endpoint).
(cd "$HERE/producer" && CARGO_TARGET_DIR="$PRODUCER_TARGET_DIR" cargo build --release --quiet)
PRODUCER="$PRODUCER_TARGET_DIR/release/kiln-bench-producer"

if [[ ! -f "$HERE/node_modules/kinesalite/cli.js" ]]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Measure a copy, so that a rebuild by someone else during the run cannot swap the binary.
SNAPSHOT="$BENCH_WORK/streams/bin"
rm -rf "$SNAPSHOT"
mkdir -p "$SNAPSHOT"
cp "$KILN" "$SNAPSHOT/kiln"
lib="$(ldd "$KILN" | awk '/libduckdb/ { print $3 }')"
if [[ -n "$lib" && -f "$lib" ]]; then
    cp "$lib" "$SNAPSHOT/"
fi

exec python3 "$HERE/bench.py" \
    --kiln "$SNAPSHOT/kiln" --kiln-built "$(stat -c %Y "$KILN")" \
    --producer "$PRODUCER" --kinesalite-dir "$HERE" \
    --work "$BENCH_WORK/streams" --results "$BENCH_WORK/streams/results" \
    --command-line "$COMMAND_LINE" --benchmarks "$REPO/BENCHMARKS.md" "$@"
