"""The python peer of bench/postgres: fetches one query's whole result with psycopg 3 and prints one
JSON line of timings, like Kiln's `pg-fetch` example.

    PGPASSWORD=… python3 psycopg_fetch.py --mode stream|server|fetchall --host 127.0.0.1 --port 5432 \\
        --user kiln --dbname postgres [--size 1000] [--first-rows 200] --sql 'select …'

Modes:
* stream: `cursor.stream(sql, size=N)` — libpq's chunked-rows mode (libpq ≥ 17; row by row before),
  rows handed over in chunks as they arrive, never the whole result in memory;
* server: a named (server-side) cursor, `fetchmany(N)` until empty — DECLARE … CURSOR and FETCH
  FORWARD N round trips inside a transaction;
* fetchall: a client-side cursor's `execute` + `fetchall()` — the whole result in memory, as most
  scripts do.

Every value is looked at (NULLs counted), as Kiln's sink does, and dropped. Text-format results,
psycopg's default, so each value is parsed into its Python type (int, Decimal, datetime, …).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def vm_hwm_kib() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=["stream", "server", "fetchall"], default="stream")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5432)
    p.add_argument("--user", default="postgres")
    p.add_argument("--dbname", default="postgres")
    p.add_argument("--size", type=int, default=1000, help="rows per chunk (stream) or per fetchmany (server)")
    p.add_argument("--first-rows", type=int, default=200)
    p.add_argument("--sql", required=True)
    args = p.parse_args(argv)

    started = time.perf_counter()
    import psycopg

    imported = time.perf_counter()
    rows = nulls = 0
    first_rows_s = None
    with psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname=args.dbname, password=os.environ.get("PGPASSWORD")
    ) as conn:
        connected = time.perf_counter()
        sent = time.perf_counter()

        def take(batch: list[tuple]) -> None:
            nonlocal rows, nulls, first_rows_s
            for row in batch:
                rows += 1
                for value in row:
                    if value is None:
                        nulls += 1
            if first_rows_s is None and rows >= args.first_rows:
                first_rows_s = time.perf_counter() - sent

        if args.mode == "stream":
            with conn.cursor() as cur:
                chunk: list[tuple] = []
                for row in cur.stream(args.sql, size=args.size):
                    chunk.append(row)
                    if len(chunk) >= args.size:
                        take(chunk)
                        chunk = []
                take(chunk)
        elif args.mode == "server":
            with conn.cursor(name="kiln_bench") as cur:
                cur.itersize = args.size
                cur.execute(args.sql)
                while batch := cur.fetchmany(args.size):
                    take(batch)
        else:
            with conn.cursor() as cur:
                cur.execute(args.sql)
                take(cur.fetchall())
        query_s = time.perf_counter() - sent
    print(
        json.dumps(
            {
                "tool": f"psycopg-{args.mode}",
                "import_s": imported - started,
                "connect_s": connected - imported,
                "first_rows_s": first_rows_s,
                "query_s": query_s,
                "rows": rows,
                "nulls": nulls,
                "vm_hwm_kib": vm_hwm_kib(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
