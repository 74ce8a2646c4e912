"""The arithmetic and parsing of bench/postgres, kept apart from the processes so it can be tested
(bench/tests/test_postgres.py): GNU time's `-v` report, psql's `\\timing` lines, Server-Sent Events,
medians and spreads, number formats, and where an entry lands in BENCHMARKS.md."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SECTION = "## PostgreSQL and Redshift targets"


# ---------------------------------------------------------------------------------------------------
# Parsing


def parse_time_v(text: str) -> dict[str, float | int | None]:
    """GNU `/usr/bin/time -v` output → peak RSS (KiB), user and system CPU seconds, exit status."""

    def number(label: str) -> float | None:
        m = re.search(rf"^\s*{re.escape(label)}:\s*([0-9.]+)\s*$", text, re.MULTILINE)
        return float(m.group(1)) if m else None

    rss = number("Maximum resident set size (kbytes)")
    status = number("Exit status")
    return {
        "max_rss_kib": int(rss) if rss is not None else None,
        "user_s": number("User time (seconds)"),
        "sys_s": number("System time (seconds)"),
        "exit_status": int(status) if status is not None else None,
    }


_PSQL_TIME = re.compile(r"^Time: ([0-9]+(?:\.[0-9]+)?) ms\b", re.MULTILINE)


def parse_psql_timing(stdout: str) -> float | None:
    """The last `Time: 1234.567 ms (00:01.235)` line psql's `\\timing on` printed, in seconds."""
    found = _PSQL_TIME.findall(stdout)
    return float(found[-1]) / 1000.0 if found else None


_COPY_COUNT = re.compile(r"^COPY ([0-9]+)\s*$", re.MULTILINE)


def parse_copy_count(stdout: str) -> int | None:
    """Rows a psql `\\copy … to` reported (`COPY 1000000`)."""
    found = _COPY_COUNT.findall(stdout)
    return int(found[-1]) if found else None


def sse_events(lines: Iterable[str]) -> Iterator[dict]:
    """Server-Sent Events → the JSON objects of their `data:` lines (multi-line data joined with
    newlines, as the spec says); comments, other fields and undecodable data are skipped."""
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line == "":
            if data:
                try:
                    event = json.loads("\n".join(data))
                except ValueError:
                    event = None
                if isinstance(event, dict):
                    yield event
            data = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value.removeprefix(" "))


def vm_value_kib(status: str, key: str) -> int | None:
    """`VmRSS` / `VmHWM` from a /proc/<pid>/status text, in KiB."""
    m = re.search(rf"^{re.escape(key)}:\s+([0-9]+) kB", status, re.MULTILINE)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float
    n: int


def spread(values: Iterable[float | None]) -> Spread | None:
    """Median, minimum and maximum of the values that are there; None when there are none."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return None
    return Spread(statistics.median(present), min(present), max(present), len(present))


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


# ---------------------------------------------------------------------------------------------------
# Formats


def fmt_count(n: float | None) -> str:
    return "—" if n is None else f"{round(n):,}"


def fmt_rate(rows: int, seconds: float | None) -> str:
    """Rows per second to three significant figures, with thousands separators (`512,000`)."""
    if seconds is None or seconds <= 0:
        return "—"
    return f"{float(f'{rows / seconds:.3g}'):,.0f}"


def fmt_seconds(seconds: float | None) -> str:
    """`812 ms` below a second, `1.23 s` above."""
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    return f"{seconds:.1f} s"


def fmt_spread_seconds(s: Spread | None) -> str:
    if s is None:
        return "—"
    if s.n == 1:
        return fmt_seconds(s.median)
    return f"{fmt_seconds(s.median)} ({fmt_seconds(s.low)}–{fmt_seconds(s.high)})"


def fmt_mib(kib: float | None) -> str:
    return "—" if kib is None else f"{kib / 1024:,.0f} MiB"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


# ---------------------------------------------------------------------------------------------------
# BENCHMARKS.md


def insert_entry(document: str, entry: str, intro: list[str] | None = None) -> str:
    """Adds `entry` at the end of the section (SECTION), creating the section before "## Run log"
    (or at the end) if it is missing, with `intro` as its first lines."""
    lines = document.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip() == SECTION]
    if not starts:
        head = [SECTION, "", *(intro or ["Measured by `bench/postgres/run.sh`; newest entry last."]), ""]
        run_log = next((i for i, line in enumerate(lines) if line.strip() == "## Run log"), None)
        if run_log is None:
            body = document if document.endswith("\n") else document + "\n"
            return body + "\n" + "\n".join(head) + "\n" + entry.rstrip("\n") + "\n"
        lines[run_log:run_log] = head
        starts = [run_log]
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    before = lines[:end]
    while before and not before[-1].strip():
        before.pop()
    after = lines[end:]
    entry_lines = entry.rstrip("\n").split("\n")
    return "\n".join([*before, "", *entry_lines, *(["", *after] if after else [""])])


def replace_entry(document: str, entry: str, intro: list[str] | None = None) -> str:
    """Replaces the entry whose heading (its first line) `entry` repeats, up to the next `###` or `##`
    heading; adds it with `insert_entry` when there is none."""
    heading = entry.split("\n", 1)[0]
    lines = document.split("\n")
    if heading not in lines:
        return insert_entry(document, entry, intro)
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("### ", "## "))), len(lines))
    tail = lines[end:]
    return "\n".join([*lines[:start], *entry.rstrip("\n").split("\n"), *(["", *tail] if tail else [""])])
