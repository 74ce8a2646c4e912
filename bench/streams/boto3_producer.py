"""The boto3 producer of bench/streams: PutRecords batches of ~200-byte JSON records as fast as it can.

`--processes N` independent processes (the GIL keeps one Python process to about one core), each with
its own `boto3.client("kinesis")`, send one batch after another until `--seconds` have passed. Records
carry `t_ms` (the wall-clock millisecond at which their batch was created) like the Rust producer's, and
the CSV written to `--out` has the same columns: `scheduled_us,send_us,ack_us,records,failed,error`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path

HEADER = "scheduled_us,send_us,ack_us,records,failed,error\n"


def record(t_ms: int, seq: int, size: int) -> bytes:
    """One JSON record of exactly `size` bytes (at least the fields' own length), as the Rust producer makes."""
    head = (
        f'{{"t_ms":{t_ms},"seq":{seq},"sensor":"sensor-{seq % 64:02d}","temp":{15.0 + (seq % 2000) / 100.0:.2f},"pad":"'
    )
    pad = max(size - len(head) - 2, 0)
    return (head + "x" * pad + '"}').encode()


def worker(index: int, args: argparse.Namespace, start: float, deadline: float, out: Path) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "kinesis",
        endpoint_url=args.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench",
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )
    seq = index * 1_000_000_000
    rows = []
    time.sleep(max(start - time.time(), 0.0))
    shown = False
    while time.time() < deadline:
        send_us = time.time_ns() // 1000
        t_ms = send_us // 1000
        batch = [
            {"Data": record(t_ms, seq + i, args.record_bytes), "PartitionKey": f"pk-{seq + i}"}
            for i in range(args.batch)
        ]
        seq += args.batch
        try:
            answer = client.put_records(StreamName=args.stream, Records=batch)
            failed, error = int(answer.get("FailedRecordCount", 0)), 0
        except Exception as exc:  # noqa: BLE001  (every failure is counted; the first is shown)
            failed, error = args.batch, 1
            if not shown:
                print(f"boto3_producer: PutRecords failed: {exc}", file=sys.stderr)
                shown = True
        ack_us = time.time_ns() // 1000
        rows.append(f"{send_us},{send_us},{ack_us},{args.batch},{failed},{error}\n")
    out.write_text("".join(rows))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--stream", default="bench")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--record-bytes", type=int, default=200)
    args = parser.parse_args(argv)

    # Every process imports boto3 and builds its client before the clock starts.
    start = time.time() + 3.0
    deadline = start + args.seconds
    parts = [args.out.with_suffix(f".{i}.part") for i in range(args.processes)]
    processes = [
        multiprocessing.Process(target=worker, args=(i, args, start, deadline, parts[i])) for i in range(args.processes)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    rows = []
    for part in parts:
        if part.exists():
            rows.extend(part.read_text().splitlines(keepends=True))
            part.unlink()
    rows.sort(key=lambda line: int(line.split(",", 2)[1]))
    args.out.write_text(HEADER + "".join(rows))
    records = sum(int(line.split(",")[3]) for line in rows)
    failed = sum(int(line.split(",")[4]) for line in rows)
    print(json.dumps({"mode": "ingest", "batches": len(rows), "records": records, "failed": failed}))
    return 0 if all(p.exitcode == 0 for p in processes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
