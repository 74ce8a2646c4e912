#!/usr/bin/env bash
# Kiln Studio speed benchmarks in headless chromium against a real `kiln serve`; results go under
# "## Studio" in BENCHMARKS.md. Not part of CI: benchmarks are not tests.
#
# Usage: bench/studio/run.sh [--smoke] [--no-append]
#                            [--cases start,keystroke,lineage,query,dashboard,timeseries,pointmap,regionmap,canvas]
#                            [--keystrokes N] [--lineage-sizes "1000 5000"] [--rows "1000000 10000000"]
#                            [--dashboard-rows N] [--dashboard-minutes M] [--dashboard-inserts N]
#                            [--series-rows N] [--markers N] [--canvas-rows N] [--canvas-runs N]
#                            [--no-dbt] [--no-duckdb] [--profile]
#
#   --smoke        every case tiny and fast (checks the harness in about a minute); combine with
#                  --no-append so that BENCHMARKS.md keeps only real runs
#   --no-append    print the table but leave BENCHMARKS.md alone
#   --cases        a comma-separated subset, e.g. --cases keystroke,query to re-measure after an
#                  engine change (per-phase timings are printed as each case finishes)
#   --dashboard-minutes  how long the six-panel dashboard refreshes every second (default 2; the
#                  target is 10); --dashboard-rows (10M), --dashboard-inserts (1,000 rows a second),
#                  --series-rows (1M) and --markers (100k) size the other chart and map cases
#   --canvas-rows  rows under the 30-step model canvas (default 10M); --canvas-runs how many opens
#                  and clicks per previewed step (default 5)
#   --no-dbt       skip the `dbt parse` peer of the keystroke case (about a minute at 1,000 models)
#   --profile      CPU-profile the page during the lineage and query steps and summarise by source
#                  package (slows the page a little: pair with --no-append)
#
# Environment: KILN (default $HOME/.cache/kiln-target/debug/kiln), DBT_VENV (default
# $HOME/.cache/kiln-dbt-venv, made by bench/run.sh), BENCH_WORK (default $HOME/.cache/kiln-bench;
# projects and results under BENCH_WORK/studio), CHROMIUM_BIN (default /usr/bin/chromium), UI_DIST.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
COMMAND_LINE="bench/studio/run.sh"
if [[ $# -gt 0 ]]; then
    COMMAND_LINE+="$(printf ' %q' "$@")"
fi
for arg in "$@"; do
    if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
        # The comment block at the top of this file is the help text.
        awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
        exit 0
    fi
done

die() { printf 'bench/studio/run.sh: %s\n' "$*" >&2; exit 1; }

KILN="${KILN:-$HOME/.cache/kiln-target/debug/kiln}"
[[ -x "$KILN" ]] || die "no kiln binary at $KILN; build it with 'CARGO_TARGET_DIR=\$HOME/.cache/kiln-target cargo build -p kiln-cli --bin kiln'"
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
[[ -x "$CHROMIUM_BIN" ]] || die "no chromium at $CHROMIUM_BIN (apt-get install chromium, or set CHROMIUM_BIN)"
command -v node >/dev/null || die "node is not installed"
if [[ -z "${UI_DIST:-}" && ! -f "$REPO/ui/dist/index.html" ]]; then
    echo "bench/studio/run.sh: building the UI (ui/dist is missing)" >&2
    (cd "$REPO/ui" && npm ci --no-audit --no-fund --loglevel=error && npm run build)
fi
if [[ ! -d "$HERE/node_modules/playwright-core" ]]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi

export KILN CHROMIUM_BIN
export BENCH_COMMAND_LINE="$COMMAND_LINE"
exec node "$HERE/bench.js" "$@"
