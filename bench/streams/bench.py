"""Kiln's Kinesis endpoint and streaming materialized views, measured (driven by bench/streams/run.sh).

Two parts, each against fresh servers on this machine:

* ingest: the Rust producer (aws-sdk-kinesis) and the boto3 producer send PutRecords batches of 500
  ~200-byte JSON records as fast as they can for `--ingest-seconds`, against `kiln stream serve` (fsync
  on, as shipped) and against kinesalite (in memory) in the same run; acknowledged records per second.
* latency: the Rust producer offers 1k, 10k and 50k records/s (open loop) for `--seconds` each to a
  `kiln stream serve` whose project has an auto-refresh materialized view over the stream; afterwards
  the view says, for every record, when it was produced (`t_ms` in the record), when it arrived and
  which refresh took it (`refresh_time`, set before that refresh's batch is applied). The refresh's
  commit is taken from the warehouse WAL's fsync as `strace` saw it return. Kiln's RSS is sampled
  every second, and its CPU per thread.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analysis as an

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")

VIEW_SQL = """{{ config(materialized='materialized_view', auto_refresh=true) }}
select approximate_arrival_timestamp, refresh_time,
       cast(json_extract_path_text(from_varbyte(kinesis_data, 'utf-8'), 't_ms') as bigint) as produced_ms
from kinesis_schema.bench
"""
STREAMS_YML = """version: 2
streams:
  - name: bench
    shards: 4
"""
PROJECT_YML = """name: streams_bench
version: "1.0.0"
config-version: 2
profile: streams_bench
model-paths: ["models"]
"""
KINESALITE_FLAGS = ["--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "100"]
SECTION = "## Streams"


def log(message: str) -> None:
    print(f"\n==> {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------
# Sampling a process: RSS every second, CPU per thread


class Sampler:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int | None, int]] = []  # (epoch s, rss KiB, process ticks)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def _one(self) -> None:
        try:
            rss = an.rss_kib(Path(f"/proc/{self.pid}/status").read_text())
            _, ticks = an.cpu_ticks(Path(f"/proc/{self.pid}/stat").read_text())
        except (OSError, ValueError):
            return
        self.samples.append((time.time(), rss, ticks))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._one()
            self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def threads(self) -> dict[int, tuple[str, int]]:
        out = {}
        for task in Path(f"/proc/{self.pid}/task").glob("*"):
            try:
                out[int(task.name)] = an.cpu_ticks((task / "stat").read_text())
            except (OSError, ValueError):
                continue
        return out

    def cpu_cores(self, since: float, until: float) -> float:
        """Average cores busy between two times (from the samples nearest inside them)."""
        inside = [s for s in self.samples if since <= s[0] <= until]
        if len(inside) < 2:
            return float("nan")
        (t0, _, c0), (t1, _, c1) = inside[0], inside[-1]
        return (c1 - c0) / CLK_TCK / (t1 - t0) if t1 > t0 else float("nan")

    def rss(self, since: float, until: float) -> dict[str, int | None]:
        inside = [s[1] for s in self.samples if since <= s[0] <= until and s[1] is not None]
        if not inside:
            return {"start": None, "end": None, "peak": None}
        return {"start": inside[0], "end": inside[-1], "peak": max(inside)}

    def idle_for(self, seconds: int, below_cores: float, since: float) -> bool:
        """Whether the last `seconds` one-second intervals, all after `since`, used less than `below_cores` each."""
        last = [s for s in self.samples if s[0] >= since][-(seconds + 1) :]
        if len(last) < seconds + 1:
            return False
        return all((b[2] - a[2]) / CLK_TCK / max(b[0] - a[0], 1e-3) < below_cores for a, b in pairwise(last))


# ---------------------------------------------------------------------------------------------------
# Servers


LIVE: list[Server] = []  # servers started and not yet stopped: killed at exit whatever happens


def kill_leftovers() -> None:
    for server in list(LIVE):
        print(f"bench: stopping {server.name} (pid {server.pid}) left running", file=sys.stderr)
        for pid in (server.pid, server.popen.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        server.popen.wait()
        LIVE.remove(server)


def exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@dataclass
class Server:
    name: str
    endpoint: str
    pid: int  # the process that serves (sampled)
    popen: subprocess.Popen
    workdir: Path

    def __post_init__(self) -> None:
        LIVE.append(self)

    def stop(self, sig: int, timeout: float = 120.0) -> int | None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"bench: {self.name} did not stop within {timeout:.0f} s; killing it", file=sys.stderr)
            os.kill(self.pid, signal.SIGKILL)
            code = self.popen.wait()
        if self in LIVE:
            LIVE.remove(self)
        return code


def write_project(root: Path, with_view: bool) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(PROJECT_YML)
    (root / "models" / "streams.yml").write_text(STREAMS_YML)
    if with_view:
        (root / "models" / "bench_visible.sql").write_text(VIEW_SQL)


def child_pid(parent: int, timeout: float = 10.0) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.02)
    raise RuntimeError(f"process {parent} started no child")


def start_kiln(args: argparse.Namespace, project: Path, strace_log: Path | None) -> Server:
    out = project / "serve.out"
    command = [str(args.kiln), "stream", "serve", "--project", str(project), "--port", "0"]
    if strace_log is not None:
        # Only fsync/fdatasync stop the process (seccomp filter), so the probe costs a few µs per commit.
        command = [
            "strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=fsync,fdatasync",
            "-y", "-ttt", "-T", "-o", str(strace_log), *command,
        ]  # fmt: skip
    with out.open("w") as handle:
        popen = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=project)
    pid = child_pid(popen.pid) if strace_log is not None else popen.pid
    deadline = time.time() + 60
    while time.time() < deadline:
        m = re.search(r"endpoint on (http://127\.0\.0\.1:\d+)", out.read_text())
        if m:
            return Server("kiln", m.group(1), pid, popen, project)
        if popen.poll() is not None:
            break
        time.sleep(0.05)
    popen.kill()
    raise RuntimeError(f"kiln stream serve did not start:\n{out.read_text()}")


def kinesis_client(endpoint: str):
    import boto3

    return boto3.client(
        "kinesis",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench",
    )


def start_kinesalite(args: argparse.Namespace, workdir: Path) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    out = workdir / "kinesalite.out"
    cli = args.kinesalite_dir / "node_modules" / "kinesalite" / "cli.js"
    with out.open("w") as handle:
        popen = subprocess.Popen(
            ["node", str(cli), "--port", str(port), *KINESALITE_FLAGS], stdout=handle, stderr=subprocess.STDOUT
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while "Listening" not in out.read_text():
        if popen.poll() is not None or time.time() > deadline:
            popen.kill()
            raise RuntimeError(f"kinesalite did not start:\n{out.read_text()}")
        time.sleep(0.05)
    client = kinesis_client(endpoint)
    client.create_stream(StreamName="bench", ShardCount=4)
    while client.describe_stream_summary(StreamName="bench")["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
        time.sleep(0.05)
    return Server("kinesalite", endpoint, popen.pid, popen, workdir)


# ---------------------------------------------------------------------------------------------------
# Producers


def run_producer(args: argparse.Namespace, producer: str, endpoint: str, out: Path, extra: list[str]) -> dict:
    if producer == "rust":
        command = [str(args.producer), "--endpoint", endpoint, "--out", str(out), *extra]
    else:
        command = [sys.executable, str(HERE / "boto3_producer.py"), "--endpoint", endpoint, "--out", str(out), *extra]
    popen = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(popen.pid, 0)
    popen.returncode = os.waitstatus_to_exitcode(status)
    stdout = popen.stdout.read() if popen.stdout else ""
    if popen.returncode != 0:
        raise RuntimeError(f"{producer} producer exited with {popen.returncode}: {stdout}")
    summary = json.loads(stdout.strip().splitlines()[-1])
    summary["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return summary


# ---------------------------------------------------------------------------------------------------
# Ingest


@dataclass
class IngestResult:
    server: str
    producer: str
    label: str
    records_per_second: float
    acked: int
    failed: int
    request_errors: int
    window_seconds: float
    ack_p50_ms: float
    ack_p99_ms: float
    server_cores: float
    producer_cores: float
    rss_kib: dict


def ingest_case(
    args: argparse.Namespace, server_name: str, producer: str, with_view: bool, run_dir: Path
) -> IngestResult:
    label = f"{server_name}-{producer}{'-view' if with_view else ''}"
    log(
        f"ingest: {producer} producer → {server_name}{' (view refreshing)' if with_view else ''}, {args.ingest_seconds:g} s"
    )
    work = args.work / f"ingest-{label}"
    if server_name == "kiln":
        write_project(work, with_view)
        subprocess.run([str(args.kiln), "build", "--project-dir", str(work)], check=True, capture_output=True)
        server = start_kiln(args, work, None)
    else:
        server = start_kinesalite(args, work)
    sampler = Sampler(server.pid).start()
    out = run_dir / f"ingest-{label}.csv"
    extra = ["--seconds", str(args.ingest_seconds)]
    if producer == "rust":
        extra += ["--mode", "ingest", "--concurrency", str(args.rust_concurrency)]
    else:
        extra += ["--processes", str(args.boto3_processes)]
    try:
        summary = run_producer(args, producer, server.endpoint, out, extra)
    finally:
        sampler.stop()
        server.stop(signal.SIGINT if server_name == "kiln" else signal.SIGTERM)
    batches = an.read_batches(out)
    result = an.ingest_rate(batches, args.warmup)
    first = min(b.send_us for b in batches) / 1e6 + args.warmup
    last = max(b.ack_us for b in batches) / 1e6
    if server_name == "kiln":
        shutil.rmtree(work / ".kiln" / "streams", ignore_errors=True)
    r = IngestResult(
        server=server_name,
        producer=producer,
        label=label,
        records_per_second=result.records_per_second,
        acked=result.acked,
        failed=result.failed,
        request_errors=result.request_errors,
        window_seconds=result.window_seconds,
        ack_p50_ms=result.ack_ms.p50,
        ack_p99_ms=result.ack_ms.p99,
        server_cores=sampler.cpu_cores(first, last + 1),
        producer_cores=summary["cpu_seconds"] / max(last - first + args.warmup, 1e-3),
        rss_kib=sampler.rss(first, last + 1),
    )
    print(
        f"    {r.records_per_second:,.0f} records/s acknowledged ({r.acked:,} acked, {r.failed:,} failed), "
        f"ack p50 {an.fmt_ms(r.ack_p50_ms)} p99 {an.fmt_ms(r.ack_p99_ms)}, server {r.server_cores:.2f} cores, "
        f"producer {r.producer_cores:.2f} cores",
        file=sys.stderr,
    )
    return r


# ---------------------------------------------------------------------------------------------------
# Latency


@dataclass
class LatencyResult:
    rate: int
    seconds: float
    acked: int
    failed: int
    request_errors: int
    achieved_per_second: float
    view_rows: int
    caught_up_ms: float  # last commit (or refresh start) after the last acknowledgement
    refreshes: int
    spreads: dict = field(default_factory=dict)  # stage -> Spread as a dict
    behind_max_ms: float = 0.0
    commits_matched: int = 0
    commits_out_of_order: int = 0
    server_cores: float = float("nan")
    rss_kib: dict = field(default_factory=dict)
    rss_series: list = field(default_factory=list)
    threads: dict = field(default_factory=dict)  # group -> cores
    profile: str | None = None


def read_view(warehouse: Path) -> list[tuple[int, int, int, int]]:
    """(produced_ms, arrival_ms, refresh_ms, records) of every record in the view, grouped."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(
            "select produced_ms, epoch_ms(approximate_arrival_timestamp), epoch_ms(refresh_time), count(*) "
            "from main.bench_visible group by all"
        ).fetchall()
    finally:
        con.close()


def profile_kiln(pid: int, seconds: int, out_dir: Path) -> str | None:
    """`perf record` of the serving process for a few seconds, summarised by thread and symbol."""
    if shutil.which("perf") is None:
        return None
    data = out_dir / "perf.data"
    try:
        record = subprocess.run(
            ["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", str(data), "--", "sleep", str(seconds)],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 30,
        )
    except subprocess.TimeoutExpired:
        return "perf record did not finish"
    if record.returncode != 0:
        return f"perf record failed: {record.stderr.strip()[-300:]}"
    summary = []
    for sort, keep in (("comm,dso", 12), ("comm,sym", 15)):
        try:
            report = subprocess.run(
                ["perf", "report", "-i", str(data), "--stdio", "--no-children", "--sort", sort, "--percent-limit", "1"],
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
        except subprocess.TimeoutExpired:
            return "perf report did not finish"
        (out_dir / f"perf-report-{sort.replace(',', '-')}.txt").write_text(report.stdout)
        summary += [line.rstrip() for line in report.stdout.splitlines() if re.match(r"^\s+\d+\.\d+%", line)][:keep]
        summary.append("")
    return "\n".join(summary).rstrip()


def latency_case(args: argparse.Namespace, rate: int, run_dir: Path) -> LatencyResult:
    log(f"latency: {rate:,} records/s offered for {args.seconds:g} s (Rust producer, batches of 500)")
    work = args.work / f"latency-{rate}"
    write_project(work, with_view=True)
    subprocess.run([str(args.kiln), "build", "--project-dir", str(work)], check=True, capture_output=True)
    strace_log = run_dir / f"latency-{rate}.strace" if args.strace else None
    server = start_kiln(args, work, strace_log)
    sampler = Sampler(server.pid).start()
    time.sleep(2.0)  # two idle samples before the producer starts
    threads_before = sampler.threads()
    out = run_dir / f"latency-{rate}.csv"
    profile_text: list[str | None] = [None]
    profiler = None
    if args.profile and rate == max(args.rates):
        seconds = int(min(10, args.seconds / 2))

        def later() -> None:
            time.sleep(max(args.seconds / 2 - seconds / 2, 1))
            profile_text[0] = profile_kiln(server.pid, seconds, run_dir)

        profiler = threading.Thread(target=later, daemon=True)
        profiler.start()
    started = time.time()
    try:
        summary = run_producer(
            args,
            "rust",
            server.endpoint,
            out,
            ["--mode", "paced", "--rate", str(rate), "--seconds", str(args.seconds), "--max-inflight", "64"],
        )
        finished = time.time()
        threads_after = sampler.threads()
        # Let the view take what is left: Kiln idle for 2 s after the last acknowledgement (at most 120 s).
        # A refresh takes new records within 25 ms, so an idle process has nothing left to take.
        while not sampler.idle_for(2, 0.05, finished) and time.time() - finished < 120:
            time.sleep(0.5)
        if profiler is not None:
            profiler.join()
    finally:
        sampler.stop()
        server.stop(signal.SIGINT)
    print(f"    producer: {json.dumps(summary)}", file=sys.stderr)

    batches = an.read_batches(out)
    groups = read_view(work / ".kiln" / "warehouse.duckdb")
    refresh_times = [g[2] for g in groups]
    upper = an.next_refresh(refresh_times)
    matched = an.Matched({}, 0)
    if strace_log is not None:
        syncs = an.parse_strace(strace_log.read_text().splitlines())
        wal = [s.end_ms for s in syncs if s.path.endswith(".duckdb.wal")]
        matched = an.match_commits(refresh_times, wal)
    stages = {
        "ack": [((b.ack_us - b.send_us) / 1000, b.records) for b in batches if not b.error],
        "arrival": [(a - p, n) for p, a, _, n in groups],
        "refresh_start": [(r - p, n) for p, _, r, n in groups],
        "commit": [(matched.commits[r] - p, n) for p, _, r, n in groups if r in matched.commits],
        "next_refresh": [(upper[r] - p, n) for p, _, r, n in groups if r in upper],
        "refresh_to_commit": [(c - r, 1) for r, c in matched.commits.items()],
    }
    ingest = an.ingest_rate(batches, 0.0)
    last_ack_ms = max((b.ack_us for b in batches), default=0) / 1000
    view_rows = sum(g[3] for g in groups)
    threads = {
        group: ticks / CLK_TCK / max(finished - started, 1e-3)
        for group, ticks in sorted(an.per_group_cpu(threads_before, threads_after).items(), key=lambda kv: -kv[1])
    }
    result = LatencyResult(
        rate=rate,
        seconds=args.seconds,
        acked=ingest.acked,
        failed=ingest.failed,
        request_errors=ingest.request_errors,
        achieved_per_second=ingest.records_per_second,
        view_rows=view_rows,
        caught_up_ms=max(matched.commits.values(), default=max(refresh_times, default=0)) - last_ack_ms,
        refreshes=len(set(refresh_times)),
        spreads={name: asdict(an.Spread.of(pairs)) for name, pairs in stages.items()},
        behind_max_ms=an.behind_spread(batches).max,
        commits_matched=len(matched.commits),
        commits_out_of_order=matched.out_of_order,
        server_cores=sampler.cpu_cores(started, finished + 1),
        rss_kib=sampler.rss(started, finished + 1),
        rss_series=[(round(t - started, 1), rss) for t, rss, _ in sampler.samples],
        threads=threads,
        profile=profile_text[0],
    )
    s = result.spreads
    print(
        f"    {result.achieved_per_second:,.0f} records/s acked, {result.view_rows:,} of {result.acked:,} in the view; "
        f"visible (commit) p50 {an.fmt_ms(s['commit']['p50'])} p99 {an.fmt_ms(s['commit']['p99'])}; "
        f"refresh start p50 {an.fmt_ms(s['refresh_start']['p50'])} p99 {an.fmt_ms(s['refresh_start']['p99'])}; "
        f"RSS {an.fmt_mib(result.rss_kib['start'])} → {an.fmt_mib(result.rss_kib['end'])} MiB",
        file=sys.stderr,
    )
    shutil.rmtree(work / ".kiln" / "streams", ignore_errors=True)
    return result


# ---------------------------------------------------------------------------------------------------
# Report


def versions(args: argparse.Namespace) -> dict[str, str]:
    def run(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "unknown"

    lock = (HERE / "producer" / "Cargo.lock").read_text() if (HERE / "producer" / "Cargo.lock").exists() else ""
    m = re.search(r'name = "aws-sdk-kinesis"\nversion = "([^"]+)"', lock)
    kinesalite_pkg = args.kinesalite_dir / "node_modules" / "kinesalite" / "package.json"
    try:
        import boto3

        boto3_version = boto3.__version__
    except ImportError:
        boto3_version = "not installed"
    commit = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) or "no commit"
    if run(["git", "-C", str(REPO), "status", "--porcelain"]):
        commit += " (with uncommitted changes)"
    built = datetime.fromtimestamp(args.kiln_built, UTC).strftime("%Y-%m-%dT%H:%MZ")
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    return {
        "kiln": f"{run([str(args.kiln), '--version']) or 'kiln'}, dev-profile binary built {built}; repository at {commit}",
        "kinesalite": json.loads(kinesalite_pkg.read_text())["version"] if kinesalite_pkg.exists() else "not installed",
        "node": run(["node", "--version"]),
        "aws_sdk_kinesis": m.group(1) if m else "unknown",
        "boto3": boto3_version,
        "python": platform.python_version(),
        "strace": run(["strace", "-V"]).splitlines()[0] if shutil.which("strace") else "not installed",
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu.group(1) if cpu else "unknown",
    }


def rss_series(r: LatencyResult) -> tuple[float, str]:
    """About ten evenly spaced RSS samples over the producing window, as "a, b, c"."""
    step = max(round(r.seconds / 10), 1)
    picked, next_at = [], 0.0
    for t, rss in r.rss_series:
        if t >= next_at - 0.5 and t <= r.seconds + 1 and rss is not None:
            picked.append(an.fmt_mib(rss))
            next_at += step
    return step, ", ".join(picked)


def cell_ratio(kiln: IngestResult | None, peer: IngestResult | None) -> str:
    if not kiln or not peer or peer.records_per_second <= 0:
        return "—"
    return f"{kiln.records_per_second / peer.records_per_second:.1f}×"


def rate_cell(r: IngestResult | None) -> str:
    return "not run" if r is None else an.fmt_count(r.records_per_second)


def render(args: argparse.Namespace, ingest: list[IngestResult], latency: list[LatencyResult], meta: dict) -> str:
    lines = [f"### {meta['date']} UTC — `{args.command_line}`", ""]
    v = meta["versions"]
    lines += [
        (
            f"- machine: {meta['nproc']} cores ({v['cpu']}), memory {meta['memory']}; load average {meta['load_start']} "
            f"at start, {meta['load_end']} at end — other work on this machine shares the 2 cores; ratios come from the same run"
        ),
        f"- kiln: {v['kiln']}; `kiln stream serve`, fsync on (the default)",
        (
            f"- peer: kinesalite {v['kinesalite']} on node {v['node']}, in memory (no `--path`), "
            f"`{' '.join(KINESALITE_FLAGS)}` (it never throttles PutRecords; these make CreateStream immediate)"
        ),
        (
            f"- producers: Rust aws-sdk-kinesis {v['aws_sdk_kinesis']} (release build, {args.rust_concurrency} requests in "
            f"flight for ingest; open loop, ≤ 64 in flight, when paced), boto3 {v['boto3']} on Python {v['python']} "
            f"({args.boto3_processes} processes, one request in flight each); batches of 500 records of 200 bytes; "
            f"{v['os']}; {v['strace']}"
        ),
        f"- raw results: `{meta['run_dir']}`",
        "",
    ]
    if ingest:
        by = {(r.server, r.producer, r.label.endswith("-view")): r for r in ingest}
        lines += [
            (
                f"Sustained ingest, acknowledged records/s over {args.ingest_seconds:g} s (the first {args.warmup:g} s not "
                "counted); both servers on the same 2 cores as the producer."
            ),
            "",
            (
                "| producer | Kiln records/s | kinesalite records/s | Kiln/kinesalite | ack p50 / p99, Kiln | ack p50 / p99, "
                "kinesalite | server CPU, Kiln / kinesalite (cores) | producer CPU with Kiln (cores) | RSS MiB start → end, "
                "Kiln / kinesalite | failed |"
            ),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for producer, name in (("rust", "Rust aws-sdk-kinesis"), ("boto3", "boto3")):
            k, p = by.get(("kiln", producer, False)), by.get(("kinesalite", producer, False))
            if not k and not p:
                continue

            def ack(r: IngestResult | None) -> str:
                return "—" if r is None else f"{an.fmt_ms(r.ack_p50_ms)} / {an.fmt_ms(r.ack_p99_ms)}"

            def rss(r: IngestResult | None) -> str:
                return "—" if r is None else f"{an.fmt_mib(r.rss_kib['start'])} → {an.fmt_mib(r.rss_kib['end'])}"

            cores = " / ".join("—" if r is None else f"{r.server_cores:.2f}" for r in (k, p))
            failed = " / ".join("—" if r is None else f"{r.failed + r.request_errors}" for r in (k, p))
            lines.append(
                f"| {name} | {rate_cell(k)} | {rate_cell(p)} | {cell_ratio(k, p)} | {ack(k)} | {ack(p)} | {cores} | "
                f"{'—' if k is None else f'{k.producer_cores:.2f}'} | {rss(k)} / {rss(p)} | {failed} |"
            )
        kv = by.get(("kiln", "rust", True))
        if kv:
            lines.append(
                f"| Rust, Kiln with the auto-refresh view taking every record | {rate_cell(kv)} | — | — | "
                f"{an.fmt_ms(kv.ack_p50_ms)} / {an.fmt_ms(kv.ack_p99_ms)} | — | {kv.server_cores:.2f} / — | "
                f"{kv.producer_cores:.2f} | {an.fmt_mib(kv.rss_kib['start'])} → {an.fmt_mib(kv.rss_kib['end'])} / — | "
                f"{kv.failed + kv.request_errors} |"
            )
        lines.append("")
    if latency:
        lines += [
            (
                f"Produced → acknowledged → visible in the auto-refresh materialized view, Rust producer paced at each "
                f"rate for {args.seconds:g} s; per record, ms. *Visible* is the commit of the refresh that took the record "
                "(the warehouse WAL's fsync returning, seen by strace); *refresh start* is the view's `refresh_time`, a "
                "lower bound; *next refresh* (the following refresh's `refresh_time`) an upper bound."
            ),
            "",
            (
                "| offered records/s | acked records/s | in view / acked | produced → ack p50 / p99 | → arrival p50 / p99 | "
                "→ refresh start p50 / p99 | **→ visible p50 / p99** | → next refresh p99 | refreshes (records each) | "
                "refresh → commit p50 / p99 | Kiln CPU (cores) | Kiln RSS MiB start → end (peak) | p99 ≤ 1 s? |"
            ),
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in latency:
            s = r.spreads

            def pp(stage: str, spreads: dict = s) -> str:
                return f"{an.fmt_ms(spreads[stage]['p50'])} / {an.fmt_ms(spreads[stage]['p99'])}"

            visible = s["commit"] if s["commit"]["weight"] else s["next_refresh"]
            met = "—" if not visible["weight"] else ("yes" if visible["p99"] <= 1000 else "no")
            if r.view_rows < r.acked:
                met = f"no ({r.acked - r.view_rows:,} acked records not in the view)"
            per_refresh = r.view_rows / r.refreshes if r.refreshes else 0
            lines.append(
                f"| {r.rate:,} | {an.fmt_count(r.achieved_per_second)} | {r.view_rows:,} / {r.acked:,} | {pp('ack')} | "
                f"{pp('arrival')} | {pp('refresh_start')} | **{pp('commit')}** | {an.fmt_ms(s['next_refresh']['p99'])} | "
                f"{r.refreshes:,} ({per_refresh:,.0f}) | {pp('refresh_to_commit')} | {r.server_cores:.2f} | "
                f"{an.fmt_mib(r.rss_kib['start'])} → {an.fmt_mib(r.rss_kib['end'])} ({an.fmt_mib(r.rss_kib['peak'])}) | {met} |"
            )
        lines.append("")
        notes = []
        for r in latency:
            step, series = rss_series(r)
            threads = ", ".join(f"{name} {cores:.2f}" for name, cores in list(r.threads.items())[:6])
            notes.append(
                f"- {r.rate:,}/s: Kiln's CPU by thread (cores): {threads}; producer at most "
                f"{an.fmt_ms(r.behind_max_ms)} behind its schedule; {r.commits_matched:,} of {r.refreshes:,} refreshes "
                f"paired with a WAL fsync ({r.commits_out_of_order} out of order); the last refresh committed "
                f"{an.fmt_ms(r.caught_up_ms)} after the last acknowledgement; {r.failed + r.request_errors} failed; "
                f"RSS MiB every {step:g} s from the producer's start: {series}."
            )
        lines += notes
        lines.append("")
        lines.append(
            "Anchors (not measured here): the first seed's Firehose → Redshift path buffers 1 MB or 60 s, and its own "
            "latency view measured 1–64 s, about 30 s on average; the second seed refreshes its streaming views every "
            "10–20 s."
        )
        lines.append("")
        for r in latency:
            if r.profile:
                lines += [
                    f"`perf` at {r.rate:,}/s (share of Kiln's samples by thread, library, symbol):",
                    "",
                    "```",
                    r.profile,
                    "```",
                    "",
                ]
    return "\n".join(lines).rstrip() + "\n"


def insert_entry(document: str, entry: str) -> str:
    """Adds `entry` at the end of the "## Streams" section, creating it before "## Run log" if missing."""
    lines = document.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip() == SECTION]
    if not starts:
        intro = [
            SECTION,
            "",
            "Measured by `bench/streams/run.sh`; each run appends a dated entry here, newest last.",
            "",
        ]
        run_log = next((i for i, line in enumerate(lines) if line.strip() == "## Run log"), None)
        if run_log is None:
            body = document if document.endswith("\n") else document + "\n"
            return body + "\n" + "\n".join(intro) + "\n" + entry
        lines[run_log:run_log] = intro
        starts = [run_log]
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    before = lines[:end]
    while before and not before[-1].strip():
        before.pop()
    after = lines[end:]
    entry_lines = entry.rstrip("\n").split("\n")
    return "\n".join([*before, "", *entry_lines, *(["", *after] if after else [""])])


# ---------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kiln", type=Path, required=True)
    p.add_argument("--kiln-built", type=float, default=0.0, help="mtime of the kiln binary that was copied")
    p.add_argument("--producer", type=Path, required=True)
    p.add_argument("--kinesalite-dir", type=Path, default=HERE)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--results", type=Path, required=True)
    p.add_argument("--command-line", default="bench/streams/run.sh")
    p.add_argument("--benchmarks", type=Path, default=REPO / "BENCHMARKS.md")
    p.add_argument("--full", action="store_true")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--seconds", type=float)
    p.add_argument("--ingest-seconds", type=float)
    p.add_argument("--warmup", type=float, default=2.0)
    p.add_argument("--rates", default="1000 10000 50000")
    p.add_argument("--cases", default="ingest,latency")
    p.add_argument("--producers", default="rust,boto3")
    p.add_argument("--no-peer", action="store_true")
    p.add_argument("--no-strace", dest="strace", action="store_false")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--no-append", dest="append", action="store_false")
    p.add_argument("--rust-concurrency", type=int, default=4)
    p.add_argument("--boto3-processes", type=int, default=4)
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.seconds is None:
        args.seconds = 10.0 if args.smoke else 300.0 if args.full else 60.0
    if args.ingest_seconds is None:
        args.ingest_seconds = 5.0 if args.smoke else 60.0 if args.full else 20.0
    args.rates = [int(float(x)) for x in args.rates.replace(",", " ").split()]
    cases = set(args.cases.split(","))
    producers = [p for p in args.producers.split(",") if p]
    if args.strace and shutil.which("strace") is None:
        print("bench: strace not found; commits are bracketed by refresh times only", file=sys.stderr)
        args.strace = False

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = args.results / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    # Projects of this run only (a stream's log at 50k records/s grows by ~12 MB a second; the logs are
    # deleted after each case and the projects at the end).
    args.work = args.work / f"run-{run_id}"
    args.work.mkdir(parents=True, exist_ok=True)
    atexit.register(kill_leftovers)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, exit_on_signal)
    load_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")

    ingest: list[IngestResult] = []
    latency: list[LatencyResult] = []
    if "ingest" in cases:
        for producer in producers:
            ingest.append(ingest_case(args, "kiln", producer, False, run_dir))
            if not args.no_peer:
                ingest.append(ingest_case(args, "kinesalite", producer, False, run_dir))
        if "rust" in producers:
            ingest.append(ingest_case(args, "kiln", "rust", True, run_dir))
    if "latency" in cases:
        for rate in args.rates:
            latency.append(latency_case(args, rate, run_dir))

    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, _, value = line.partition(":")
        mem[key] = int(value.split()[0])
    meta = {
        "date": date,
        "nproc": os.cpu_count(),
        "memory": f"{mem['MemTotal'] / 2**20:.0f} GiB total, {mem['MemAvailable'] / 2**20:.0f} GiB available",
        "load_start": load_start,
        "load_end": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "run_dir": str(run_dir),
        "versions": versions(args),
    }
    (run_dir / "results.json").write_text(
        json.dumps(
            {"meta": meta, "args": {k: str(v) for k, v in vars(args).items()}, "ingest": [asdict(r) for r in ingest],
             "latency": [asdict(r) for r in latency]},
            indent=1,
        )
    )  # fmt: skip
    entry = render(args, ingest, latency, meta)
    (run_dir / "entry.md").write_text(entry)
    print("\n" + entry)
    shutil.rmtree(args.work, ignore_errors=True)
    if args.append:
        args.benchmarks.write_text(insert_entry(args.benchmarks.read_text(), entry))
        print(f"appended to {args.benchmarks}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
