#!/usr/bin/env python3
"""Collect benchmark measurements and render them as the markdown table kept in BENCHMARKS.md.

bench/run.sh calls this once per measured command (`record`, `skip`) and once at the end (`render`).
Measurements live in a tab-separated file so that a run interrupted halfway still leaves every finished
case readable, and so that the rendering can be tested without running dbt or Kiln.

Subcommands:
  record RESULTS CASE TOOL --hyperfine JSON --time-log LOG   one measured command
  fail   RESULTS CASE TOOL REASON                            the command ran and failed
  skip   RESULTS CASE TOOL REASON                            the command was deliberately not run
  render RESULTS [--meta FILE] [--append BENCHMARKS.md]      print the table, optionally append it
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOOLS = ("dbt", "kiln")
STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_SKIPPED = "skipped"
RESULT_FIELDS = ("case", "tool", "status", "seconds", "peak_kib", "runs", "note")
MAX_RSS_PATTERN = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")
EXIT_STATUS_PATTERN = re.compile(r"Exit status:\s*(\d+)")


class ReportError(Exception):
    """A measurement file is missing or malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Measurement:
    case: str
    tool: str
    status: str
    seconds: float | None
    peak_kib: int | None
    runs: int
    note: str


def peak_rss_kib(time_log: str) -> int:
    """Largest "Maximum resident set size" in GNU `time -v` output (one block per run with `-a`)."""
    values = [int(match) for match in MAX_RSS_PATTERN.findall(time_log)]
    if not values:
        raise ReportError(
            "no 'Maximum resident set size' line in the /usr/bin/time -v log; "
            "check that GNU time (Debian package 'time') is installed"
        )
    failing = [int(code) for code in EXIT_STATUS_PATTERN.findall(time_log) if int(code) != 0]
    if failing:
        raise ReportError(f"the measured command exited with status {failing[0]} in at least one run")
    return max(values)


def hyperfine_median(export: dict[str, Any]) -> tuple[float, int]:
    """Median wall time in seconds and the number of timed runs from a `hyperfine --export-json` file."""
    try:
        result = export["results"][0]
        times = [float(value) for value in result["times"]]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise ReportError(f"not a hyperfine JSON export with one result: {error!r}") from error
    if not times:
        raise ReportError("the hyperfine export holds no timed runs")
    return statistics.median(times), len(times)


def clean_field(text: str) -> str:
    # Tabs and newlines would break the one-line-per-measurement file.
    return " ".join(text.split())


def append_measurement(results: Path, measurement: Measurement) -> None:
    if measurement.tool not in TOOLS:
        raise ReportError(f"tool must be one of {TOOLS}, got {measurement.tool!r}")
    new_file = not results.exists()
    with results.open("a", encoding="utf-8") as handle:
        if new_file:
            handle.write("\t".join(RESULT_FIELDS) + "\n")
        row = [
            clean_field(measurement.case),
            measurement.tool,
            measurement.status,
            "" if measurement.seconds is None else f"{measurement.seconds:.6f}",
            "" if measurement.peak_kib is None else str(measurement.peak_kib),
            str(measurement.runs),
            clean_field(measurement.note),
        ]
        handle.write("\t".join(row) + "\n")


def read_measurements(results: Path) -> list[Measurement]:
    try:
        lines = results.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ReportError(f"cannot read results file {results}: {error}") from error
    if not lines or tuple(lines[0].split("\t")) != RESULT_FIELDS:
        raise ReportError(f"{results} does not start with the header {' '.join(RESULT_FIELDS)}")
    measurements = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(RESULT_FIELDS):
            raise ReportError(f"{results}:{number}: expected {len(RESULT_FIELDS)} fields, got {len(fields)}")
        case, tool, status, seconds, peak, runs, note = fields
        try:
            measurements.append(
                Measurement(
                    case=case,
                    tool=tool,
                    status=status,
                    seconds=float(seconds) if seconds else None,
                    peak_kib=int(peak) if peak else None,
                    runs=int(runs),
                    note=note,
                )
            )
        except ValueError as error:
            raise ReportError(f"{results}:{number}: {error}") from error
    return measurements


def format_seconds(value: float) -> str:
    if value < 10:
        return f"{value:.3f}"
    return f"{value:.1f}"


def cell_seconds(measurement: Measurement | None) -> str:
    if measurement is None:
        return "not run"
    if measurement.status == STATUS_OK and measurement.seconds is not None:
        return format_seconds(measurement.seconds)
    return f"{measurement.status} ({measurement.note})" if measurement.note else measurement.status


def cell_peak(measurement: Measurement | None) -> str:
    if measurement is None or measurement.status != STATUS_OK or measurement.peak_kib is None:
        return "—"
    return f"{measurement.peak_kib / 1024:.0f}"


def cell_ratio(dbt: Measurement | None, kiln: Measurement | None) -> str:
    if dbt is None or kiln is None or dbt.seconds is None or kiln.seconds is None:
        return "—"
    if dbt.status != STATUS_OK or kiln.status != STATUS_OK or kiln.seconds <= 0:
        return "—"
    return f"{dbt.seconds / kiln.seconds:.1f}×"


TABLE_COLUMNS = ("case", "dbt s", "kiln s", "dbt/kiln", "dbt peak MiB", "kiln peak MiB")
TABLE_HEADER = "| " + " | ".join(TABLE_COLUMNS) + " |\n|---|" + "---:|" * (len(TABLE_COLUMNS) - 1) + "\n"


def render_table(measurements: list[Measurement]) -> str:
    """One row per case in first-seen order; the last measurement of a (case, tool) pair wins."""
    cases: list[str] = []
    latest: dict[tuple[str, str], Measurement] = {}
    for measurement in measurements:
        if measurement.case not in cases:
            cases.append(measurement.case)
        latest[(measurement.case, measurement.tool)] = measurement
    rows = []
    for case in cases:
        dbt = latest.get((case, "dbt"))
        kiln = latest.get((case, "kiln"))
        cells = [
            case,
            cell_seconds(dbt),
            cell_seconds(kiln),
            cell_ratio(dbt, kiln),
            cell_peak(dbt),
            cell_peak(kiln),
        ]
        rows.append("| " + " | ".join(cells) + " |\n")
    return TABLE_HEADER + "".join(rows)


def render_runs_note(measurements: list[Measurement]) -> str:
    parts = []
    for tool in TOOLS:
        runs = [m.runs for m in measurements if m.tool == tool and m.status == STATUS_OK]
        if runs:
            low, high = min(runs), max(runs)
            parts.append(f"{tool} {low}" if low == high else f"{tool} {low}–{high}")
    if not parts:
        return ""
    return "Timed runs per case, median reported: " + ", ".join(parts) + ".\n"


def command_record(args: argparse.Namespace) -> None:
    try:
        export = json.loads(Path(args.hyperfine).read_text(encoding="utf-8"))
        time_log = Path(args.time_log).read_text(encoding="utf-8")
    except (OSError, json.JSONDecodeError) as error:
        raise ReportError(f"cannot read measurement files: {error}") from error
    seconds, runs = hyperfine_median(export)
    peak = peak_rss_kib(time_log)
    append_measurement(Path(args.results), Measurement(args.case, args.tool, STATUS_OK, seconds, peak, runs, ""))


def command_fail_or_skip(args: argparse.Namespace, status: str) -> None:
    append_measurement(Path(args.results), Measurement(args.case, args.tool, status, None, None, 0, args.reason))


def command_render(args: argparse.Namespace) -> None:
    measurements = read_measurements(Path(args.results))
    table = render_table(measurements)
    print(table, end="")
    if args.append is None:
        return
    meta = ""
    if args.meta is not None:
        try:
            meta = Path(args.meta).read_text(encoding="utf-8")
        except OSError as error:
            raise ReportError(f"cannot read run metadata {args.meta}: {error}") from error
    section = "\n" + meta.rstrip("\n") + "\n\n" + table + "\n" + render_runs_note(measurements)
    try:
        with Path(args.append).open("a", encoding="utf-8") as handle:
            handle.write(section)
    except OSError as error:
        raise ReportError(f"cannot append to {args.append}: {error}") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    record = commands.add_parser("record", help="store one measured command")
    record.add_argument("results")
    record.add_argument("case")
    record.add_argument("tool", choices=TOOLS)
    record.add_argument("--hyperfine", required=True, help="hyperfine --export-json file")
    record.add_argument("--time-log", required=True, help="/usr/bin/time -v -a output")

    for name, text in (("fail", "store a command that failed"), ("skip", "store a command not run")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("results")
        sub.add_argument("case")
        sub.add_argument("tool", choices=TOOLS)
        sub.add_argument("reason")

    render = commands.add_parser("render", help="print the markdown table")
    render.add_argument("results")
    render.add_argument("--meta", help="markdown written above the table when appending")
    render.add_argument("--append", help="file to append the dated section to (BENCHMARKS.md)")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "record":
            command_record(args)
        elif args.command == "fail":
            command_fail_or_skip(args, STATUS_FAILED)
        elif args.command == "skip":
            command_fail_or_skip(args, STATUS_SKIPPED)
        else:
            command_render(args)
    except ReportError as error:
        print(f"report.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
