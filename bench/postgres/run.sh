#!/usr/bin/env bash
# Kiln's PostgreSQL wire adapter against psql and psycopg, and the console's first page on a server
# target against DuckDB (issue 10, "Speed"); results go under "## PostgreSQL and Redshift targets"
# in BENCHMARKS.md. Not part of CI: benchmarks are not tests.
#
# Usage: bench/postgres/run.sh [--smoke] [--no-append] [--no-build] [--cases fetch,console]
#                              [--runs N] [--console-runs N] [--warmup-runs N] [--rows N]
#                              [--tools kiln-wire,kiln-targets,psql,psql-copy,psycopg-stream,psycopg-server]
#                              [--targets pg,rs,duck]
#
#   (default)      1,000,000 rows; 5 timed runs per fetch client and per console target after 1 warm-up
#                  (about 7 minutes on 2 cores)
#   --smoke        10,000 rows, one timed run each: checks the harness (pair with --no-append)
#   --no-append    print the entry but leave BENCHMARKS.md alone
#   --no-build     measure the binaries already built instead of running cargo first
#   --cases        fetch (rows/s, RSS: Kiln vs psql vs psycopg) and/or console (`kiln serve` first page)
#   --tools        fetch clients; psycopg-fetchall (the whole result in memory) is also available
#   --targets      console targets: pg (type: postgres), rs (type: redshift on the same server), duck
#
# Environment: BENCH_WORK (default $HOME/.cache/kiln-bench; raw results under
# BENCH_WORK/postgres/results), CARGO_TARGET_DIR (default $HOME/.cache/kiln-target; the dev profile,
# as the other benchmarks), KILN_PG_BINDIR (PostgreSQL's server binaries, else the newest
# /usr/lib/postgresql/*/bin). Needs PostgreSQL's server and psql (Debian: postgresql-15), GNU time,
# python3; installs psycopg[binary] (PyPI) and python duckdb at the engine's version if missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
COMMAND_LINE="bench/postgres/run.sh"
if [[ $# -gt 0 ]]; then
    COMMAND_LINE+="$(printf ' %q' "$@")"
fi
build=1
passed=()
for arg in "$@"; do
    case "$arg" in
        -h|--help)
            awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
            exit 0 ;;
        --no-build) build=0 ;;
        *) passed+=("$arg") ;;
    esac
done

die() { printf 'bench/postgres/run.sh: %s\n' "$*" >&2; exit 1; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiln-target}"
BENCH_WORK="${BENCH_WORK:-$HOME/.cache/kiln-bench}"

command -v psql >/dev/null || die "psql is not installed (Debian: apt-get install postgresql-15)"
[[ -x /usr/bin/time ]] || die "GNU time is not installed (Debian: apt-get install time)"
if ! python3 -c 'import psycopg' 2>/dev/null; then
    echo "bench/postgres/run.sh: installing psycopg[binary] from PyPI (the python peer)" >&2
    python3 -m pip install -q "psycopg[binary]>=3.2"
fi
want_duckdb="$(bash "$REPO/.cargo/duckdb-lib.sh" --print-python-version)"
have_duckdb="$(python3 -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null || true)"
if [[ "$have_duckdb" != "$want_duckdb" ]]; then
    echo "bench/postgres/run.sh: installing python duckdb==$want_duckdb (loads the DuckDB target's table)" >&2
    python3 -m pip install -q "duckdb==$want_duckdb"
fi

if [[ $build -eq 1 ]]; then
    # The workspace's dev profile (dependencies at opt-level 3, Kiln's crates at 2), as every
    # benchmark here measures; another build holding the cargo lock makes this wait.
    (cd "$REPO" && cargo build -p kiln-cli --bin kiln && cargo build -p kiln-targets --example pg-fetch)
fi
KILN="$CARGO_TARGET_DIR/debug/kiln"
PG_FETCH="$CARGO_TARGET_DIR/debug/examples/pg-fetch"
[[ -x "$KILN" ]] || die "no kiln binary at $KILN"
[[ -x "$PG_FETCH" ]] || die "no pg-fetch example at $PG_FETCH (cargo build -p kiln-targets --example pg-fetch)"

# Measure copies, so that a rebuild by someone else during the run cannot swap the binaries.
SNAPSHOT="$BENCH_WORK/postgres/bin"
rm -rf "$SNAPSHOT"
mkdir -p "$SNAPSHOT"
cp "$KILN" "$PG_FETCH" "$SNAPSHOT/"
for binary in "$KILN" "$PG_FETCH"; do
    lib="$(ldd "$binary" | awk '/libduckdb/ { print $3 }')"
    if [[ -n "$lib" && -f "$lib" && ! -f "$SNAPSHOT/$(basename "$lib")" ]]; then
        cp "$lib" "$SNAPSHOT/"
    fi
done
built="$(stat -c %Y "$KILN")"
fetch_built="$(stat -c %Y "$PG_FETCH")"
if [[ $fetch_built -gt $built ]]; then built="$fetch_built"; fi

exec python3 "$HERE/pg_bench.py" \
    --kiln "$SNAPSHOT/kiln" --pg-fetch "$SNAPSHOT/pg-fetch" --kiln-built "$built" \
    --work "$BENCH_WORK/postgres" --results "$BENCH_WORK/postgres/results" \
    --command-line "$COMMAND_LINE" --benchmarks "$REPO/BENCHMARKS.md" "${passed[@]}"
