"""Kiln's PostgreSQL wire adapter, measured against psql and psycopg (issue 10, "Speed"); driven by
bench/postgres/run.sh.

One throw-away PostgreSQL server for the whole run (initdb in a temporary folder, 127.0.0.1 on a free
port, its socket in that folder), holding `bench.mixed`: 1,000,000 rows of int, bigint, numeric(12,2),
text of 0–79 characters, timestamp, timestamptz, boolean, date, double precision and a text column that
is NULL in 9 rows of 10. Then:

* fetch: `select * from bench.mixed` fetched whole by Kiln (the `pg-fetch` example: the wire executor's
  `Executor::stream`, and `kiln_targets::open(…)`'s `Adapter::stream`), psql (`-At`, output to
  /dev/null; and `\\copy (…) to '/dev/null'`) and psycopg 3 (`cursor.stream`, a server-side cursor's
  `fetchmany`); one process per run under GNU time, tools interleaved round by round; rows/s, first
  rows, client CPU and peak RSS.
* console: `kiln serve` on the same server (`type: postgres`, and `type: redshift`, which is the same
  wire protocol and code path) and on a DuckDB warehouse holding the same rows; `runQuery` of the same
  `select *` timed from request to the answer with the first page, then to the `queryProgress` event
  that says the whole result is stored, with the server's RSS sampled every 10 ms.
"""

from __future__ import annotations

import argparse
import ast
import atexit
import http.client
import json
import os
import platform
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pg_analysis as an

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
USER = "kiln"
PASSWORD = "kiln-bench-password"
DATABASE = "postgres"
QUERY = "select * from bench.mixed"
DUCK_QUERY = "select * from main.bench_mixed"
FIRST_PAGE = 200  # the console's page (ui/src/features/query/QueryConsole.tsx PAGE_SIZE)
# The console's store, column by column: `numeric` comes over the wire without its (12,2), so the
# result table declares DECIMAL(38,10); the other nine columns together for comparison.
BREAKDOWN = [
    ("numeric", "select amount from bench.mixed"),
    ("9 others", "select id, big, label, created_at, updated_at, flag, day, ratio, note from bench.mixed"),
]

# The same rows in both warehouses: md5, the arithmetic and the intervals agree between PostgreSQL and
# DuckDB (`i` is int in one and bigint in the other; every expression casts where it matters).
PG_TABLE_SQL = """
create schema if not exists bench;
drop table if exists bench.mixed;
create table bench.mixed as
select g.i::int                                                    as id,
       (g.i::bigint * 2654435761) % 1000000007                     as big,
       round((g.i % 100000) * 1.37 + 0.01, 2)::numeric(12,2)       as amount,
       left(repeat(md5(g.i::text), 3), (g.i * 7) % 80)              as label,
       timestamp '2020-01-01' + g.i * interval '37 seconds'        as created_at,
       timestamptz '2020-01-01 00:00:00+00' + g.i * interval '61 seconds' as updated_at,
       g.i % 3 = 0                                                 as flag,
       date '2000-01-01' + (g.i % 9000)                            as day,
       sqrt(g.i::double precision)                                 as ratio,
       case when g.i % 10 = 0 then 'note ' || g.i::text end        as note
from generate_series(1, {rows}) as g(i);
"""
DUCK_TABLE_SQL = """
create or replace table main.bench_mixed as
select i::integer                                                  as id,
       (i * 2654435761) % 1000000007                               as big,
       round((i % 100000) * 1.37 + 0.01, 2)::decimal(12,2)         as amount,
       left(repeat(md5(i::varchar), 3), ((i * 7) % 80)::integer)    as label,
       timestamp '2020-01-01' + to_seconds(i * 37)                 as created_at,
       timestamptz '2020-01-01 00:00:00+00' + to_seconds(i * 61)   as updated_at,
       i % 3 = 0                                                   as flag,
       date '2000-01-01' + (i % 9000)::integer                     as day,
       sqrt(i::double)                                             as ratio,
       case when i % 10 = 0 then 'note ' || i::varchar end         as note
from range(1, {rows} + 1) t(i);
checkpoint;
"""
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    # The 1M-row table (~170 MB) stays in shared buffers, so every run reads it from memory.
    "shared_buffers": "'512MB'",
    # Loading only: nothing here needs to survive a crash.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
}


def log(message: str) -> None:
    print(f"\n==> {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


CLEANUPS: list = []  # called at exit, last registered first


def cleanup() -> None:
    while CLEANUPS:
        try:
            CLEANUPS.pop()()
        except Exception as error:  # noqa: BLE001 (best effort at exit)
            print(f"bench: cleanup failed: {error}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------
# The PostgreSQL server


class Cluster:
    """initdb + pg_ctl in a temporary folder under /tmp; as root the server runs as `postgres`."""

    def __init__(self, bindir: Path, work: Path) -> None:
        self.bin = bindir
        self.as_postgres = os.geteuid() == 0
        # As root, the postgres user must be able to enter the folder: /tmp, not a home directory.
        self.dir = Path(tempfile.mkdtemp(prefix="kiln-pgbench-", dir="/tmp" if self.as_postgres else work))
        self.data = self.dir / "data"
        self.port = 0
        self.started = False

    def command(self, program: str, *args: str) -> list[str]:
        binary = str(self.bin / program)
        return ["runuser", "-u", "postgres", "--", binary, *args] if self.as_postgres else [binary, *args]

    def run(self, what: str, command: list[str]) -> str:
        done = subprocess.run(command, cwd=self.dir, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{what} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{self.server_log()}")
        return done.stdout

    def server_log(self) -> str:
        try:
            return (self.dir / "server.log").read_text()[-4000:]
        except OSError:
            return ""

    def start(self) -> None:
        (self.dir / "pwfile").write_text(PASSWORD + "\n")
        if self.as_postgres:
            subprocess.run(["chown", "-R", "postgres:", str(self.dir)], check=True)
        self.run(
            "initdb",
            self.command(
                "initdb", "-D", str(self.data), "-U", USER, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C",
                "--no-sync", f"--pwfile={self.dir / 'pwfile'}",
            ),
        )  # fmt: skip
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.dir}'"}
        conf = self.data / "postgresql.conf"
        conf.write_text(conf.read_text() + "\n# kiln bench\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
        if self.as_postgres:
            subprocess.run(["chown", "-R", "postgres:", str(self.dir)], check=True)
        for _ in range(5):
            self.port = free_port()
            try:
                self.run(
                    "pg_ctl start",
                    self.command(
                        "pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60",
                        "-o", f"-p {self.port}", "start",
                    ),
                )  # fmt: skip
                self.started = True
                CLEANUPS.append(self.stop)
                return
            except RuntimeError as error:
                if "could not bind" not in str(error) and "already in use" not in str(error):
                    raise
        raise RuntimeError("no free port for PostgreSQL")

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                self.command("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"),
                cwd=self.dir, capture_output=True, check=False,
            )  # fmt: skip
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> dict[str, str]:
        return {**os.environ, "PGPASSWORD": PASSWORD, "PGCONNECT_TIMEOUT": "10"}

    def psql(self, sql: str) -> str:
        done = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER,
             "-d", DATABASE, "-At", "-c", sql],
            env=self.env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")
        return done.stdout

    def version(self) -> str:
        return self.psql("show server_version").strip()


def find_bindir() -> Path | None:
    if os.environ.get("KILN_PG_BINDIR"):
        return Path(os.environ["KILN_PG_BINDIR"])
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if debian:
        return debian[-1].parent
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        return Path(out) if out else None
    return None


# ---------------------------------------------------------------------------------------------------
# Fetch throughput


@dataclass
class FetchRun:
    tool: str
    round: int
    warmup: bool
    wall_s: float
    query_s: float | None  # query sent → last row handled, measured inside the client
    first_rows_s: float | None
    connect_s: float | None
    rows: int | None
    max_rss_kib: int | None
    cpu_s: float | None  # user + system of the client process
    ok: bool
    note: str = ""


TOOLS = {
    "kiln-wire": "Kiln, `WireExecutor` → `Executor::stream`",
    "kiln-targets": "Kiln, `kiln_targets::open` → `Adapter::stream`",
    "psql": "psql `-At`, output to /dev/null",
    "psql-copy": "psql `\\copy (…) to '/dev/null'`",
    "psycopg-stream": "psycopg `cursor.stream(size=1000)`",
    "psycopg-server": "psycopg server-side cursor, `fetchmany(1000)`",
    "psycopg-fetchall": "psycopg `execute` + `fetchall()`",
}


def fetch_command(args: argparse.Namespace, cluster: Cluster, tool: str, out_path: Path | None) -> list[str]:
    conn = ["--host", "127.0.0.1", "--port", str(cluster.port), "--user", USER, "--dbname", DATABASE]
    if tool.startswith("kiln-"):
        return [str(args.pg_fetch), "--via", tool.removeprefix("kiln-"), *conn, "--first-rows", str(FIRST_PAGE),
                "--sql", args.query]  # fmt: skip
    if tool.startswith("psycopg-"):
        return [sys.executable, str(HERE / "psycopg_fetch.py"), "--mode", tool.removeprefix("psycopg-"), *conn,
                "--size", "1000", "--first-rows", str(FIRST_PAGE), "--sql", args.query]  # fmt: skip
    base = [
        "psql",
        "-X",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        str(cluster.port),
        "-U",
        USER,
        "-d",
        DATABASE,
    ]
    sink = str(out_path) if out_path else "/dev/null"
    if tool == "psql":
        # Rows go to -o's file (/dev/null); `\timing`'s line goes to stdout, where it is read.
        return [*base, "-A", "-t", "-o", sink, "-c", "\\timing on", "-c", args.query]
    if tool == "psql-copy":
        return [*base, "-c", "\\timing on", "-c", f"\\copy ({args.query}) to '{sink}'"]
    raise ValueError(tool)


def fetch_once(
    args: argparse.Namespace, cluster: Cluster, tool: str, rnd: int, warmup: bool, run_dir: Path
) -> FetchRun:
    time_log = run_dir / f"fetch-{tool}-{rnd}.time"
    # The warm-up round writes psql's rows to a file, so the row count is checked once.
    out_path = run_dir / f"fetch-{tool}.out" if warmup and tool.startswith("psql") else None
    command = ["/usr/bin/time", "-v", "-o", str(time_log), *fetch_command(args, cluster, tool, out_path)]
    started = time.perf_counter()
    done = subprocess.run(command, env=cluster.env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    timed = an.parse_time_v(time_log.read_text() if time_log.exists() else "")
    cpu = None if timed["user_s"] is None or timed["sys_s"] is None else timed["user_s"] + timed["sys_s"]
    run = FetchRun(tool, rnd, warmup, wall, None, None, None, None, timed["max_rss_kib"], cpu, done.returncode == 0)
    if done.returncode != 0:
        run.note = (done.stderr or done.stdout).strip()[-500:]
        return run
    if tool.startswith("psql"):
        run.query_s = an.parse_psql_timing(done.stdout)
        if tool == "psql-copy":
            run.rows = an.parse_copy_count(done.stdout)
        if out_path is not None:
            with out_path.open("rb") as f:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
            run.rows = lines
            out_path.unlink()
    else:
        line = json.loads(done.stdout.strip().splitlines()[-1])
        run.query_s = line.get("query_s")
        run.first_rows_s = line.get("first_rows_s")
        run.connect_s = line.get("connect_s")
        run.rows = line.get("rows")
    return run


def fetch_case(args: argparse.Namespace, cluster: Cluster, run_dir: Path) -> list[FetchRun]:
    tools = args.tools
    runs: list[FetchRun] = []
    for rnd in range(args.warmup_runs + args.runs):
        warmup = rnd < args.warmup_runs
        # Rotate the order each round, so drift in the machine's load spreads over every tool.
        order = tools[rnd % len(tools) :] + tools[: rnd % len(tools)]
        for tool in order:
            run = fetch_once(args, cluster, tool, rnd, warmup, run_dir)
            runs.append(run)
            what = "warm-up" if warmup else f"run {rnd - args.warmup_runs + 1}/{args.runs}"
            status = (
                f"{an.fmt_seconds(run.wall_s)} wall, in client {an.fmt_seconds(run.query_s)}, rows {an.fmt_count(run.rows)}, "
                f"RSS {an.fmt_mib(run.max_rss_kib)}"
                if run.ok
                else f"FAILED: {run.note}"
            )
            print(f"  {tool:17} {what}: {status}", file=sys.stderr, flush=True)
    return runs


# ---------------------------------------------------------------------------------------------------
# Console: `kiln serve`


class RssSampler:
    """VmRSS of a process every 10 ms, so a short peak during a query is seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        path = Path(f"/proc/{self.pid}/status")
        while not self._stop.is_set():
            try:
                rss = an.vm_value_kib(path.read_text(), "VmRSS")
            except OSError:
                return
            if rss is not None:
                self.samples.append((time.perf_counter(), rss))
            self._stop.wait(0.01)

    def peak(self, since: float, until: float) -> int | None:
        inside = [rss for t, rss in self.samples if since <= t <= until]
        return max(inside) if inside else None

    def at(self, moment: float) -> int | None:
        before = [rss for t, rss in self.samples if t <= moment]
        return before[-1] if before else None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class KilnServe:
    def __init__(self, kiln: Path, project: Path, target: str) -> None:
        self.proc = subprocess.Popen(
            [str(kiln), "serve", "--port", "0", "--stream-port", "0", "--project-dir", str(project), "--target", target],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        CLEANUPS.append(self.stop)
        self.stderr: list[str] = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()
        url = self._await_url(120.0)
        m = re.match(r"http://127\.0\.0\.1:(\d+)/\?token=([0-9a-zA-Z]+)", url)
        if not m:
            raise RuntimeError(f"unexpected URL {url!r}")
        self.port, self.token = int(m.group(1)), m.group(2)
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.stored: dict[str, tuple[float, int]] = {}
        self._sse_ready = threading.Event()
        threading.Thread(target=self._listen, daemon=True).start()
        if not self._sse_ready.wait(10):
            raise RuntimeError("the event stream did not open")
        self.rss = RssSampler(self.proc.pid)

    def _await_url(self, timeout: float) -> str:
        found: queue.Queue[str] = queue.Queue()

        def read() -> None:
            for line in self.proc.stdout:
                m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[0-9a-zA-Z]+)", line)
                if m:
                    found.put(m.group(1))
            found.put("")

        threading.Thread(target=read, daemon=True).start()
        try:
            url = found.get(timeout=timeout)
        except queue.Empty:
            url = ""
        if not url:
            raise RuntimeError("kiln serve printed no URL:\n" + "".join(self.stderr)[-3000:])
        return url

    def _listen(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("GET", "/api/events", headers={"x-kiln-token": self.token, "accept": "text/event-stream"})
        response = conn.getresponse()
        self._sse_ready.set()

        def lines():
            while True:
                raw = response.fp.readline()
                if not raw:
                    return
                yield raw.decode("utf-8", "replace")

        for event in an.sse_events(lines()):
            self.events.put((time.perf_counter(), event))

    def api(self, operation: str, body: dict, timeout: float = 600.0) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        payload = json.dumps(body)
        conn.request(
            "POST", f"/api/{operation}", body=payload,
            headers={"content-type": "application/json", "x-kiln-token": self.token},
        )  # fmt: skip
        response = conn.getresponse()
        data = json.loads(response.read() or b"null")
        conn.close()
        if response.status >= 400:
            raise RuntimeError(f"{operation} failed ({response.status}): {json.dumps(data)[:1000]}")
        return data

    def wait_stored(self, query_id: str, timeout: float) -> tuple[float | None, int | None, str]:
        """The moment the `queryProgress` event with the stored row count arrived (events for other
        queries seen meanwhile are kept for their own wait)."""
        deadline = time.perf_counter() + timeout
        while query_id not in self.stored:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None, None, "no queryProgress with a row count"
            try:
                at, event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event.get("type") == "queryProgress" and event.get("done") and event.get("totalRows") is not None:
                self.stored[str(event.get("queryId"))] = (at, int(event["totalRows"]))
        at, total = self.stored.pop(query_id)
        return at, total, ""

    def drain(self) -> None:
        self.stored.clear()
        while not self.events.empty():
            self.events.get_nowait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if hasattr(self, "rss"):
            self.rss.stop()


@dataclass
class ConsoleRun:
    target: str
    index: int
    warmup: bool
    answer_s: float | None  # request → response with the first page (HTTP included)
    engine_s: float | None  # the statement's `elapsed` in that response
    first_page_rows: int | None
    total_in_answer: int | None  # set when the answer waited for the whole result
    stored_s: float | None  # request → `queryProgress` with the row count
    total_rows: int | None
    rss_before_kib: int | None
    rss_peak_kib: int | None
    last_page_rows: int | None = None
    ok: bool = True
    note: str = ""


@dataclass
class ConsoleCase:
    target: str
    kind: str
    query: str
    runs: list[ConsoleRun] = field(default_factory=list)
    rss_start_kib: int | None = None
    rss_end_kib: int | None = None
    vm_hwm_kib: int | None = None
    error: str = ""
    label: str = "all"


PROJECT_YML = """name: pg_bench
version: "1.0.0"
config-version: 2
profile: pg_bench
model-paths: ["models"]
"""


def write_project(root: Path, cluster: Cluster | None) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(PROJECT_YML)
    outputs = "    duck:\n      type: duckdb\n      path: warehouse.duckdb\n      threads: 4\n"
    if cluster is not None:
        for name, kind in (("pg", "postgres"), ("rs", "redshift")):
            outputs += (
                f"    {name}:\n      type: {kind}\n      host: 127.0.0.1\n      port: {cluster.port}\n      user: {USER}\n"
                f"      password: {PASSWORD}\n      dbname: {DATABASE}\n      schema: public\n      threads: 4\n"
            )
    (root / "profiles.yml").write_text(f"pg_bench:\n  target: duck\n  outputs:\n{outputs}")


def console_target(
    args: argparse.Namespace, project: Path, target: str, kind: str, queries: list[tuple[str, str, int]]
) -> list[ConsoleCase]:
    """One `kiln serve` on `target`; each (label, sql, timed runs) after the warm-up runs."""
    cases = [ConsoleCase(target, kind, sql, label=label) for label, sql, _ in queries]
    try:
        serve = KilnServe(args.kiln, project, target)
    except RuntimeError as error:
        for case in cases:
            case.error = str(error)
        return cases
    try:
        time.sleep(0.5)
        for case, (_, sql, timed_runs) in zip(cases, queries, strict=True):
            case.rss_start_kib = serve.rss.at(time.perf_counter())
            for index in range(args.warmup_runs + timed_runs):
                run = console_run(args, serve, case, sql, index, index < args.warmup_runs)
                case.runs.append(run)
                what = "warm-up" if run.warmup else f"run {index - args.warmup_runs + 1}/{timed_runs}"
                status = (
                    f"first page {an.fmt_seconds(run.answer_s)} (engine {an.fmt_seconds(run.engine_s)}), stored "
                    f"{an.fmt_seconds(run.stored_s)}, {an.fmt_count(run.total_rows)} rows, RSS "
                    f"{an.fmt_mib(run.rss_before_kib)} → peak {an.fmt_mib(run.rss_peak_kib)}"
                    if run.ok
                    else f"FAILED: {run.note}"
                )
                print(f"  console {target:4} {case.label:9} {what}: {status}", file=sys.stderr, flush=True)
            case.rss_end_kib = serve.rss.at(time.perf_counter())
            try:
                case.vm_hwm_kib = an.vm_value_kib(Path(f"/proc/{serve.proc.pid}/status").read_text(), "VmHWM")
            except OSError:
                pass
    finally:
        serve.stop()
        if serve.stop in CLEANUPS:
            CLEANUPS.remove(serve.stop)
    return cases


def console_run(
    args: argparse.Namespace, serve: KilnServe, case: ConsoleCase, sql: str, index: int, warmup: bool
) -> ConsoleRun:
    # One console tab re-running its query: the same id, so the previous result is dropped when the
    # next run starts (the UI makes a new id per run and keeps up to 24 results).
    query_id = f"bench-{case.target}"
    serve.drain()
    before = serve.rss.at(time.perf_counter())
    started = time.perf_counter()
    run = ConsoleRun(case.target, index, warmup, None, None, None, None, None, None, before, None)
    try:
        answer = serve.api("runQuery", {"sql": sql, "pageSize": FIRST_PAGE, "queryId": query_id})
        answered = time.perf_counter()
        statement = answer["statements"][0]
        if statement.get("error"):
            raise RuntimeError(json.dumps(statement["error"])[:800])
        run.answer_s = answered - started
        run.engine_s = statement.get("elapsed")
        run.first_page_rows = len(statement.get("firstPage") or [])
        run.total_in_answer = statement.get("totalRows")
        if run.total_in_answer is not None:
            stored_at, total = answered, int(run.total_in_answer)
        else:
            stored_at, total, why = serve.wait_stored(answer["queryId"], args.store_timeout)
            if stored_at is None or total is None:
                raise RuntimeError(why)
        run.stored_s = stored_at - started
        run.total_rows = total
        time.sleep(0.05)
        run.rss_peak_kib = serve.rss.peak(started, time.perf_counter())
        last = serve.api(
            "fetchRows",
            {"queryId": answer["queryId"], "statement": 0, "offset": max(total - FIRST_PAGE, 0), "limit": FIRST_PAGE},
        )  # fmt: skip
        run.last_page_rows = len(last.get("rows") or [])
    except (RuntimeError, OSError, KeyError, ValueError) as error:
        run.ok = False
        run.note = str(error)[:800]
    return run


def load_duckdb(project: Path, rows: int) -> None:
    import duckdb

    con = duckdb.connect(str(project / "warehouse.duckdb"))
    con.execute("set timezone = 'UTC'")
    con.execute(DUCK_TABLE_SQL.format(rows=rows))
    con.close()


# ---------------------------------------------------------------------------------------------------
# Report


def versions(args: argparse.Namespace, cluster: Cluster | None) -> dict[str, str]:
    def run(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "unknown"

    try:
        import psycopg

        psycopg_version = f"{psycopg.__version__} ({psycopg.pq.__impl__} implementation, libpq {psycopg.pq.version()})"
    except ImportError:
        psycopg_version = "not installed"
    try:
        import duckdb

        duckdb_version = duckdb.__version__
    except ImportError:
        duckdb_version = "not installed"
    commit = run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]) or "no commit"
    if run(["git", "-C", str(REPO), "status", "--porcelain"]):
        commit += " (with uncommitted changes)"
    built = datetime.fromtimestamp(args.kiln_built, UTC).strftime("%Y-%m-%dT%H:%MZ")
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    return {
        "kiln": f"{run([str(args.kiln), '--version']) or 'kiln'}, dev-profile binaries built {built}; repository at {commit}",
        "server": f"PostgreSQL {cluster.version()}" if cluster else "not started",
        "psql": run(["psql", "--version"]),
        "psycopg": psycopg_version,
        "python": platform.python_version(),
        "duckdb_python": duckdb_version,
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu.group(1) if cpu else "unknown",
    }


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def tool_stats(runs: list[FetchRun], tool: str) -> dict:
    timed = [r for r in runs if r.tool == tool and not r.warmup and r.ok]
    failed = [r for r in runs if r.tool == tool and not r.ok]
    return {
        "n": len(timed),
        "failed": len(failed),
        "note": failed[0].note if failed else "",
        "wall": an.spread(r.wall_s for r in timed),
        "query": an.spread(r.query_s for r in timed),
        "first": an.spread(r.first_rows_s for r in timed),
        "connect": an.spread(r.connect_s for r in timed),
        "cpu": an.spread(r.cpu_s for r in timed),
        "rss_max": max((r.max_rss_kib for r in timed if r.max_rss_kib is not None), default=None),
        "rows": sorted({r.rows for r in runs if r.tool == tool and r.ok and r.rows is not None}),
    }


def render(args: argparse.Namespace, meta: dict, fetch: list[FetchRun], console: list[ConsoleCase]) -> str:
    v = meta["versions"]
    lines = [
        f"### {meta['date']} UTC — `{args.command_line}`",
        "",
        (
            f"- machine: {meta['nproc']} cores ({v['cpu']}), memory {meta['memory']}; load average "
            f"{meta['load_start']} at start, {meta['load_end']} at end — server, clients and any other work on "
            "this machine share the 2 cores (another agent's cargo build may have been running); ratios come "
            "from the same run, tools interleaved round by round"
        ),
        f"- kiln: {v['kiln']}",
        (
            f"- server: {v['server']}, started by the harness on 127.0.0.1 (TCP, scram-sha-256 login, no TLS), "
            f"`shared_buffers` 512MB; peers: {v['psql']}; psycopg {v['psycopg']} on Python {v['python']}; "
            f"python duckdb {v['duckdb_python']}; {v['os']}"
        ),
        f"- query: `{args.query}` — {an.fmt_count(args.rows)} rows × 10 columns; raw results: `{meta['run_dir']}`",
        "",
    ]
    if fetch:
        stats = {tool: tool_stats(fetch, tool) for tool in args.tools}
        base = stats.get("kiln-wire")
        lines += [
            (
                f"Fetch, one process per run, {plural(args.runs, 'timed run')} per tool after {args.warmup_runs} warm-up "
                "(median, min–max). *In client*: query sent → last row handled, timed inside the client (psql: its "
                "`\\timing`, which stops once the result is in memory, before printing). *Process*: start → exit "
                "(start-up, login, query, output). Kiln/peer = the peer's time ÷ Kiln's (> 1: Kiln faster)."
            ),
            "",
            (
                "| client | rows/s in client | in client | process | rows/s by process | Kiln/peer in client | "
                "Kiln/peer by process | first 200 rows | client CPU | peak RSS |"
            ),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for tool in args.tools:
            s = stats[tool]
            if s["n"] == 0:
                lines.append(f"| {TOOLS[tool]} | failed: {s['note'][:200]} | | | | | | | | |")
                continue
            rows = s["rows"][-1] if s["rows"] else args.rows
            q, w = s["query"], s["wall"]
            kq = an.ratio(q.median if q else None, base["query"].median if base and base["query"] else None)
            kw = an.ratio(w.median if w else None, base["wall"].median if base and base["wall"] else None)
            lines.append(
                f"| {TOOLS[tool]} | {an.fmt_rate(rows, q.median if q else None)} | {an.fmt_spread_seconds(q)} | "
                f"{an.fmt_spread_seconds(w)} | {an.fmt_rate(rows, w.median if w else None)} | "
                f"{'—' if tool == 'kiln-wire' else an.fmt_ratio(kq)} | {'—' if tool == 'kiln-wire' else an.fmt_ratio(kw)} | "
                f"{an.fmt_seconds(s['first'].median) if s['first'] else '— (whole result first)' if tool == 'psql' else '—'} | "
                f"{an.fmt_seconds(s['cpu'].median) if s['cpu'] else '—'} | {an.fmt_mib(s['rss_max'])} |"
            )
        counts = {tool: stats[tool]["rows"] for tool in args.tools}
        wrong = {t: c for t, c in counts.items() if c and c != [args.rows]}
        lines += [
            "",
            (
                "Rows checked: every client reported "
                + (f"{an.fmt_count(args.rows)} rows" if not wrong else f"… not always {args.rows}: {wrong}")
                + " (psql's from its warm-up run's output file, lines counted; `\\copy` from its `COPY n`)."
                + (
                    f" Kiln's connect (pool + login) {an.fmt_seconds(base['connect'].median)}, not in *in client*."
                    if base and base["connect"]
                    else ""
                )
            ),
            "",
        ]
    if console:
        lines += [
            (
                f"Console (`kiln serve`, `runQuery` over HTTP as the studio calls it, pageSize {FIRST_PAGE}), "
                f"{plural(args.console_runs, 'timed run')} per target after {args.warmup_runs} warm-up (median, min–max; the "
                f"two column subsets on `type: postgres`: {plural(args.breakdown_runs, 'run')} each, to show where storing goes). "
                "*First page*: request → the answer carrying the first page (HTTP included; the grid's render, "
                "~20–50 ms in bench/studio, is not). *Stored*: request → the `queryProgress` event with the row count "
                "(the whole result paged/sortable in the studio). RSS of `kiln serve`, sampled every 10 ms."
            ),
            "",
            (
                "| target | query | first page | engine (statement `elapsed`) | target < 300 ms | whole result stored | "
                "stored rows/s | `kiln serve` RSS, before these runs → peak | after them (VmHWM) |"
            ),
            "|---|---|---:|---:|---|---:|---:|---:|---:|",
        ]
        for case in console:
            timed = [r for r in case.runs if not r.warmup and r.ok]
            label = {"duck": "DuckDB (embedded)", "pg": "`type: postgres`", "rs": "`type: redshift` (same server)"}
            name = label.get(case.target, case.target)
            if case.error or not timed:
                why = case.error or next((r.note for r in case.runs if not r.ok), "no runs")
                lines.append(f"| {name} | `{case.query}` | failed: {why[:300]} | | | | | | |")
                continue
            first = an.spread(r.answer_s for r in timed)
            engine = an.spread(r.engine_s for r in timed)
            stored = an.spread(r.stored_s for r in timed)
            total = timed[0].total_rows or args.rows
            met = (
                "yes"
                if first and first.median < 0.3
                else f"no (+{an.fmt_seconds(first.median - 0.3)})"
                if first
                else "—"
            )
            if case.label != "all":
                name, met = f"{name}, {case.label}", "—"
            rss_peak = max((r.rss_peak_kib for r in case.runs if r.rss_peak_kib is not None), default=None)
            lines.append(
                f"| {name} | `{case.query}` | {an.fmt_spread_seconds(first)} | {an.fmt_spread_seconds(engine)} | {met} | "
                f"{an.fmt_spread_seconds(stored)} | {an.fmt_rate(total, stored.median if stored else None)} | "
                f"{an.fmt_mib(case.rss_start_kib)} → {an.fmt_mib(rss_peak)} | "
                f"{an.fmt_mib(case.rss_end_kib)} ({an.fmt_mib(case.vm_hwm_kib)}) |"
            )
        checks = []
        for case in console:
            for r in case.runs:
                if r.ok and (r.first_page_rows != FIRST_PAGE or r.last_page_rows != FIRST_PAGE):
                    checks.append(
                        f"{case.target} run {r.index}: first page {r.first_page_rows}, last {r.last_page_rows}"
                    )
        lines += [
            "",
            "Pages checked: every run's first page and its last page (`fetchRows` at row total − 200) held 200 rows"
            if not checks
            else "Page checks failed: " + "; ".join(checks),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


INTRO = [
    "Issue 10's speed targets for server targets: rows/s fetched through Kiln's wire adapter against `psql` and",
    "python `psycopg` on the same query and server (1M rows of mixed types), and the console's first rows for",
    "a 1M-row Redshift-protocol result in < 300 ms, as for DuckDB. Harness and method: `bench/postgres/`",
    "(its README); each run of `bench/postgres/run.sh` appends a dated entry at the end of this section.",
]


# ---------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kiln", type=Path, required=True)
    p.add_argument("--pg-fetch", type=Path, required=True)
    p.add_argument("--kiln-built", type=float, default=0.0)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--results", type=Path, required=True)
    p.add_argument("--command-line", default="bench/postgres/run.sh")
    p.add_argument("--benchmarks", type=Path, default=REPO / "BENCHMARKS.md")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5, help="timed fetch runs per tool")
    p.add_argument("--console-runs", type=int, default=5, help="timed console runs per target")
    p.add_argument("--breakdown-runs", type=int, default=3, help="timed runs of each BREAKDOWN query (pg); 0: none")
    p.add_argument("--warmup-runs", type=int, default=1)
    p.add_argument("--cases", default="fetch,console")
    p.add_argument("--tools", default="kiln-wire,kiln-targets,psql,psql-copy,psycopg-stream,psycopg-server")
    p.add_argument("--targets", default="pg,rs,duck")
    p.add_argument("--store-timeout", type=float, default=600.0)
    p.add_argument("--smoke", action="store_true", help="10,000 rows, one run each")
    p.add_argument("--no-append", dest="append", action="store_false")
    return p


def rerender(path: Path, benchmarks: Path, append: bool) -> int:
    """Renders a past run's entry again from its results.json (after a change to `render`); with
    append, the entry with the same heading in BENCHMARKS.md is replaced (or the entry added)."""
    saved = json.loads(path.read_text())
    raw = saved["args"]
    args = argparse.Namespace(
        command_line=raw["command_line"],
        tools=ast.literal_eval(raw["tools"]),
        query=raw.get("query", QUERY),
        **{k: int(raw[k]) for k in ("rows", "runs", "console_runs", "breakdown_runs", "warmup_runs")},
    )
    fetch = [FetchRun(**r) for r in saved["fetch"]]
    console = []
    for c in saved["console"]:
        runs = [ConsoleRun(**r) for r in c.pop("runs")]
        console.append(ConsoleCase(**c, runs=runs))
    entry = render(args, saved["meta"], fetch, console)
    (path.parent / "entry.md").write_text(entry)
    print(entry)
    if append:
        benchmarks.write_text(an.replace_entry(benchmarks.read_text(), entry, INTRO))
        print(f"replaced the entry in {benchmarks}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--render"]:
        rest = build_parser().parse_args(["--kiln", "-", "--pg-fetch", "-", "--work", "-", "--results", "-", *argv[2:]])
        return rerender(Path(argv[1]), rest.benchmarks, rest.append)
    args = build_parser().parse_args(argv)
    if args.smoke:
        args.rows, args.runs, args.console_runs, args.breakdown_runs = 10_000, 1, 1, 1
    args.tools = [t for t in args.tools.split(",") if t]
    unknown = [t for t in args.tools if t not in TOOLS]
    if unknown:
        print(f"bench: unknown tools {unknown}; choose from {list(TOOLS)}", file=sys.stderr)
        return 2
    if "kiln-wire" in args.tools:
        args.tools.remove("kiln-wire")
        args.tools.insert(0, "kiln-wire")
    args.query = QUERY
    cases = set(args.cases.split(","))
    targets = [t for t in args.targets.split(",") if t]

    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = args.results / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    work = args.work / f"run-{run_id}"
    work.mkdir(parents=True, exist_ok=True)
    atexit.register(cleanup)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, exit_on_signal)
    load_start = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")

    bindir = find_bindir()
    if bindir is None:
        print("bench: PostgreSQL's server binaries were not found (Debian: postgresql-15)", file=sys.stderr)
        return 1
    cluster = Cluster(bindir, work)
    log(f"starting PostgreSQL from {bindir}")
    cluster.start()
    log(f"PostgreSQL {cluster.version()} on 127.0.0.1:{cluster.port}; loading {args.rows:,} rows into bench.mixed")
    loaded = time.perf_counter()
    cluster.psql(PG_TABLE_SQL.format(rows=args.rows))
    cluster.psql("vacuum analyze bench.mixed")  # outside the load's transaction
    size = cluster.psql("select pg_size_pretty(pg_total_relation_size('bench.mixed'))").strip()
    print(f"  loaded in {time.perf_counter() - loaded:.1f} s, {size}", file=sys.stderr)

    fetch: list[FetchRun] = []
    console: list[ConsoleCase] = []
    if "fetch" in cases:
        log(f"fetch: {', '.join(args.tools)}; {args.warmup_runs} warm-up + {args.runs} timed rounds")
        fetch = fetch_case(args, cluster, run_dir)
    if "console" in cases:
        project = work / "project"
        write_project(project, cluster)
        if "duck" in targets:
            log(f"loading the same rows into the DuckDB warehouse ({project / 'warehouse.duckdb'})")
            load_duckdb(project, args.rows)
        for target in targets:
            kind = {"pg": "postgres", "rs": "redshift", "duck": "duckdb"}[target]
            queries = [("all", DUCK_QUERY if target == "duck" else QUERY, args.console_runs)]
            if target == "pg" and args.breakdown_runs > 0:
                # Where storing the result goes: the numeric column alone, and every other column.
                queries += [(label, sql, args.breakdown_runs) for label, sql in BREAKDOWN]
            log(f"console on target {target} ({kind}): {', '.join(sql for _, sql, _ in queries)}")
            console += console_target(args, project, target, kind, queries)

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
        "table_size": size,
        "versions": versions(args, cluster),
    }
    (run_dir / "results.json").write_text(
        json.dumps(
            {"meta": meta, "args": {k: str(v) for k, v in vars(args).items()}, "fetch": [asdict(r) for r in fetch],
             "console": [asdict(c) for c in console]},
            indent=1,
        )
    )  # fmt: skip
    entry = render(args, meta, fetch, console)
    (run_dir / "entry.md").write_text(entry)
    print("\n" + entry)
    cleanup()
    shutil.rmtree(work, ignore_errors=True)
    if args.append:
        args.benchmarks.write_text(an.insert_entry(args.benchmarks.read_text(), entry, INTRO))
        print(f"appended to {args.benchmarks}", file=sys.stderr)
    failed = [r for r in fetch if not r.ok] + [r for c in console for r in c.runs if not r.ok]
    return 1 if failed or any(c.error for c in console) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
