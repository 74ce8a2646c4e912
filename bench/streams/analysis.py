"""The arithmetic of bench/streams, kept apart from the processes so that it can be tested: weighted
percentiles, the producers' per-batch CSV, ingest rates, strace's fsync lines, matching refreshes to
their commits, /proc samples. Standard library only.
"""

from __future__ import annotations

import bisect
import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

# ---------------------------------------------------------------------------------------------------
# Percentiles


def weighted_percentile(pairs: Iterable[tuple[float, int]], q: float) -> float:
    """Nearest-rank percentile of values with integer weights (a batch of 500 records weighs 500).

    The result is the smallest value whose cumulative weight reaches `q` (0–100) percent of the total,
    so p100 is the maximum and p0 the minimum. NaN when there is no weight at all.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    items = sorted((value, weight) for value, weight in pairs if weight > 0)
    total = sum(weight for _, weight in items)
    if total == 0:
        return math.nan
    rank = max(math.ceil(q / 100 * total), 1)
    seen = 0
    for value, weight in items:
        seen += weight
        if seen >= rank:
            return value
    return items[-1][0]


def weighted_mean(pairs: Iterable[tuple[float, int]]) -> float:
    total = 0
    acc = 0.0
    for value, weight in pairs:
        total += weight
        acc += value * weight
    return acc / total if total else math.nan


@dataclass(frozen=True)
class Spread:
    p50: float
    p99: float
    max: float
    mean: float
    weight: int

    @staticmethod
    def of(pairs: Sequence[tuple[float, int]]) -> Spread:
        return Spread(
            p50=weighted_percentile(pairs, 50),
            p99=weighted_percentile(pairs, 99),
            max=weighted_percentile(pairs, 100),
            mean=weighted_mean(pairs),
            weight=sum(w for _, w in pairs if w > 0),
        )


# ---------------------------------------------------------------------------------------------------
# The producers' CSV (one row per PutRecords batch, epoch microseconds)


@dataclass(frozen=True)
class Batch:
    scheduled_us: int
    send_us: int
    ack_us: int
    records: int
    failed: int
    error: bool

    @property
    def acked(self) -> int:
        return self.records - self.failed


def read_batches(path: Path) -> list[Batch]:
    with path.open(newline="") as handle:
        return [
            Batch(
                scheduled_us=int(row["scheduled_us"]),
                send_us=int(row["send_us"]),
                ack_us=int(row["ack_us"]),
                records=int(row["records"]),
                failed=int(row["failed"]),
                error=row["error"].strip() == "1",
            )
            for row in csv.DictReader(handle)
        ]


@dataclass(frozen=True)
class Ingest:
    records_per_second: float
    acked: int
    failed: int
    request_errors: int
    window_seconds: float
    ack_ms: Spread


def ingest_rate(batches: Sequence[Batch], warmup_seconds: float = 2.0) -> Ingest:
    """Acknowledged records per second once the producer is warm.

    The window opens `warmup_seconds` after the first send and closes at the last acknowledgement;
    it counts the records of the batches acknowledged inside it. Failed records never count.
    """
    if not batches:
        return Ingest(0.0, 0, 0, 0, 0.0, Spread.of([]))
    first_send = min(b.send_us for b in batches)
    last_ack = max(b.ack_us for b in batches)
    opens = first_send + int(warmup_seconds * 1e6)
    if opens >= last_ack:
        opens = first_send
    inside = [b for b in batches if b.ack_us >= opens]
    window = (last_ack - opens) / 1e6
    acked = sum(b.acked for b in inside)
    return Ingest(
        records_per_second=acked / window if window > 0 else 0.0,
        acked=sum(b.acked for b in batches),
        failed=sum(b.failed for b in batches),
        request_errors=sum(1 for b in batches if b.error),
        window_seconds=window,
        ack_ms=Spread.of([((b.ack_us - b.send_us) / 1000, b.records) for b in inside]),
    )


def ack_spread(batches: Sequence[Batch]) -> Spread:
    """Created → acknowledged, per record (each batch weighs its records)."""
    return Spread.of([((b.ack_us - b.send_us) / 1000, b.records) for b in batches if not b.error])


def behind_spread(batches: Sequence[Batch]) -> Spread:
    """How late a paced producer sent each batch after it was due (ms)."""
    return Spread.of([((b.send_us - b.scheduled_us) / 1000, b.records) for b in batches])


# ---------------------------------------------------------------------------------------------------
# strace: when the warehouse's commits reached the disk

# `1234 1796648136.975927 fsync(15</p/.kiln/warehouse.duckdb.wal>) = 0 <0.000512>`, or, when another
# thread's call came in between, split in two:
# `1234 1796648136.975927 fsync(15</p/.kiln/warehouse.duckdb.wal> <unfinished ...>`
# `1234 1796648136.976500 <... fsync resumed>) = 0 <0.000512>`
_PREFIX = r"^(?:\[pid\s+)?(?P<pid>\d+)\]?\s+(?P<time>\d+\.\d+)\s+"
_WHOLE = re.compile(
    _PREFIX + r"(?P<call>f(?:data)?sync)\((?P<fd>\d+)<(?P<path>[^>]*)>\)\s*=\s*(?P<ret>-?\d+).*<(?P<took>\d+\.\d+)>\s*$"
)
_UNFINISHED = re.compile(_PREFIX + r"(?P<call>f(?:data)?sync)\((?P<fd>\d+)<(?P<path>[^>]*)>\s*<unfinished \.\.\.>")
_RESUMED = re.compile(
    _PREFIX + r"<\.\.\. (?P<call>f(?:data)?sync) resumed>\)\s*=\s*(?P<ret>-?\d+).*<(?P<took>\d+\.\d+)>\s*$"
)


@dataclass(frozen=True)
class Sync:
    end_ms: float
    took_ms: float
    call: str
    path: str


def parse_strace(lines: Iterable[str]) -> list[Sync]:
    """Successful fsync/fdatasync calls from `strace -f -ttt -T -y`, with when each returned (epoch ms:
    its start plus its duration), sorted by that."""
    syncs = []
    pending: dict[str, tuple[float, str, str]] = {}  # pid -> (start s, call, path) of an unfinished call
    for raw in lines:
        line = raw.strip()
        if m := _WHOLE.match(line):
            start, call, path = float(m["time"]), m["call"], m["path"]
        elif m := _UNFINISHED.match(line):
            pending[m["pid"]] = (float(m["time"]), m["call"], m["path"])
            continue
        elif (m := _RESUMED.match(line)) and m["pid"] in pending:
            start, call, path = pending.pop(m["pid"])
        else:
            continue
        if int(m["ret"]) != 0:
            continue
        took = float(m["took"]) * 1000
        syncs.append(Sync(end_ms=start * 1000 + took, took_ms=took, call=call, path=path))
    syncs.sort(key=lambda s: s.end_ms)
    return syncs


@dataclass(frozen=True)
class Matched:
    """Each refresh's commit (epoch ms) or None, and how many matches broke the refreshes' order."""

    commits: dict[int, float]
    out_of_order: int


def match_commits(refresh_ms: Sequence[int], commit_ms: Sequence[float]) -> Matched:
    """Pairs each refresh (its `refresh_time`, taken before its batch was applied) with its commit.

    Refreshes of one view run one after another on one thread and each commits once, so the k-th
    refresh's commit is the first commit at or after its start that no earlier refresh took. A match
    that lands at or after the next refresh's start would mean a commit was missed or extra; those are
    counted so that the report can say whether the pairing held.
    """
    refreshes = sorted(set(refresh_ms))
    commits = sorted(commit_ms)
    out: dict[int, float] = {}
    broken = 0
    i = 0
    for k, r in enumerate(refreshes):
        i = max(i, bisect.bisect_left(commits, r))
        if i >= len(commits):
            break
        out[r] = commits[i]
        if k + 1 < len(refreshes) and commits[i] >= refreshes[k + 1] + 1:
            broken += 1
        i += 1
    return Matched(out, broken)


def next_refresh(refresh_ms: Sequence[int]) -> dict[int, int]:
    """Each refresh's successor: an upper bound of its commit (the next refresh starts after it)."""
    refreshes = sorted(set(refresh_ms))
    return dict(pairwise(refreshes))


# ---------------------------------------------------------------------------------------------------
# /proc


def rss_kib(status_text: str) -> int | None:
    """VmRSS of a /proc/<pid>/status text, in KiB."""
    m = re.search(r"^VmRSS:\s+(\d+)\s+kB", status_text, re.MULTILINE)
    return int(m.group(1)) if m else None


def cpu_ticks(stat_text: str) -> tuple[str, int]:
    """(comm, utime + stime in clock ticks) of a /proc/<pid>[/task/<tid>]/stat text."""
    close = stat_text.rindex(")")
    comm = stat_text[stat_text.index("(") + 1 : close]
    fields = stat_text[close + 2 :].split()
    # Fields after the comm start at 3 (state); utime and stime are fields 14 and 15.
    return comm, int(fields[11]) + int(fields[12])


def thread_group(comm: str) -> str:
    """Threads named alike count together: `tokio-runtime-w` workers, DuckDB's numbered workers."""
    return re.sub(r"[-_ ]?\d+$", "", comm) or comm


def per_group_cpu(before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]) -> dict[str, int]:
    """CPU ticks each thread group spent between two snapshots of {tid: (comm, ticks)}."""
    out: dict[str, int] = {}
    for tid, (comm, ticks) in after.items():
        spent = ticks - before.get(tid, (comm, 0))[1]
        if spent > 0:
            group = thread_group(comm)
            out[group] = out.get(group, 0) + spent
    return out


# ---------------------------------------------------------------------------------------------------
# Formatting


def fmt_ms(value: float) -> str:
    if value is None or math.isnan(value):
        return "—"
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value >= 100:
        return f"{value:.0f} ms"
    return f"{value:.1f} ms"


def fmt_count(value: float) -> str:
    return f"{value:,.0f}"


def fmt_mib(kib: float | None) -> str:
    return "—" if kib is None else f"{kib / 1024:.0f}"
