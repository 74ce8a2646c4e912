"""Tests for bench/streams: the arithmetic (percentiles, rates, strace parsing, refresh/commit pairing,
/proc parsing), the boto3 producer's records and where an entry lands in BENCHMARKS.md."""

from __future__ import annotations

import json
import math
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "streams"))

import analysis as an
import bench
import boto3_producer


def batch(
    send_ms: float, ack_ms: float, records: int = 500, failed: int = 0, scheduled_ms: float | None = None
) -> an.Batch:
    return an.Batch(
        scheduled_us=int((send_ms if scheduled_ms is None else scheduled_ms) * 1000),
        send_us=int(send_ms * 1000),
        ack_us=int(ack_ms * 1000),
        records=records,
        failed=failed,
        error=failed == records and records > 0,
    )


class PercentileTests(unittest.TestCase):
    def test_nearest_rank_on_unweighted_values(self) -> None:
        values = [(float(v), 1) for v in range(1, 101)]
        self.assertEqual(an.weighted_percentile(values, 50), 50.0)
        self.assertEqual(an.weighted_percentile(values, 99), 99.0)
        self.assertEqual(an.weighted_percentile(values, 100), 100.0)
        self.assertEqual(an.weighted_percentile(values, 0), 1.0)

    def test_weights_count_as_repeated_values(self) -> None:
        # 98 records at 10 ms and 2 at 500 ms: p99 is in the slow pair, p98 is not.
        pairs = [(10.0, 98), (500.0, 2)]
        self.assertEqual(an.weighted_percentile(pairs, 98), 10.0)
        self.assertEqual(an.weighted_percentile(pairs, 99), 500.0)
        expanded = [(10.0, 1)] * 98 + [(500.0, 1)] * 2
        for q in (1, 50, 98, 99, 100):
            self.assertEqual(an.weighted_percentile(pairs, q), an.weighted_percentile(expanded, q))

    def test_order_of_input_does_not_matter_and_zero_weights_are_ignored(self) -> None:
        pairs = [(3.0, 1), (1.0, 1), (2.0, 1), (1000.0, 0)]
        self.assertEqual(an.weighted_percentile(pairs, 100), 3.0)
        self.assertEqual(an.weighted_percentile(list(reversed(pairs)), 50), 2.0)

    def test_empty_is_nan_and_bad_percentile_is_refused(self) -> None:
        self.assertTrue(math.isnan(an.weighted_percentile([], 50)))
        with self.assertRaises(ValueError):
            an.weighted_percentile([(1.0, 1)], 101)

    def test_spread(self) -> None:
        s = an.Spread.of([(1.0, 3), (5.0, 1)])
        self.assertEqual((s.p50, s.p99, s.max, s.weight), (1.0, 5.0, 5.0, 4))
        self.assertAlmostEqual(s.mean, 2.0)


class IngestTests(unittest.TestCase):
    def test_rate_counts_records_acknowledged_after_the_warmup(self) -> None:
        # One batch of 500 every 10 ms for 10 s, each acknowledged 5 ms after it was sent.
        batches = [batch(t * 10, t * 10 + 5) for t in range(1000)]
        result = an.ingest_rate(batches, warmup_seconds=2.0)
        self.assertAlmostEqual(result.records_per_second, 50_000, delta=500)
        self.assertEqual(result.acked, 500_000)
        self.assertEqual(result.ack_ms.p50, 5.0)

    def test_failed_records_do_not_count(self) -> None:
        batches = [batch(t * 10, t * 10 + 5, failed=100) for t in range(1000)]
        result = an.ingest_rate(batches, warmup_seconds=0.0)
        self.assertAlmostEqual(result.records_per_second, 40_000, delta=400)
        self.assertEqual(result.failed, 100_000)
        self.assertEqual(result.request_errors, 0)

    def test_a_run_shorter_than_the_warmup_uses_all_of_it(self) -> None:
        result = an.ingest_rate([batch(0, 100), batch(100, 1000)], warmup_seconds=5.0)
        self.assertAlmostEqual(result.records_per_second, 1000.0)

    def test_no_batches(self) -> None:
        self.assertEqual(an.ingest_rate([]).records_per_second, 0.0)

    def test_csv_round_trip(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b.csv"
            path.write_text("scheduled_us,send_us,ack_us,records,failed,error\n10,20,35,500,0,0\n40,40,90,500,500,1\n")
            rows = an.read_batches(path)
        self.assertEqual(rows[0], an.Batch(10, 20, 35, 500, 0, False))
        self.assertTrue(rows[1].error)
        self.assertEqual(an.behind_spread(rows).max, 0.01)
        self.assertEqual(an.ack_spread(rows).weight, 500)  # the failed request is not a latency


WAL = "/p/.kiln/warehouse.duckdb.wal"
SEG = "/p/.kiln/streams/kinesis/bench/log/00000000000000000004.seg"


class StraceTests(unittest.TestCase):
    def test_whole_and_split_calls(self) -> None:
        lines = [
            f"4814  1000.000100 fsync(19<{WAL}>) = 0 <0.000400>",
            f"4815  1000.001000 fdatasync(13<{SEG}> <unfinished ...>",
            f"4814  1000.002000 fsync(19<{WAL}> <unfinished ...>",
            "4815  1000.004000 <... fdatasync resumed>) = 0 <0.003000>",
            "4814  1000.009000 <... fsync resumed>) = 0 <0.007000>",
            "4483  1000.010000 --- SIGINT {si_signo=SIGINT, si_code=SI_USER, si_pid=3956, si_uid=0} ---",
            f"4814  1000.020000 fsync(19<{WAL}>) = -1 EIO (Input/output error) <0.000100>",
            "4814  1000.030000 +++ exited with 0 +++",
        ]
        syncs = an.parse_strace(lines)
        self.assertEqual([(s.call, s.path) for s in syncs], [("fsync", WAL), ("fdatasync", SEG), ("fsync", WAL)])
        self.assertAlmostEqual(syncs[0].end_ms, 1_000_000.5, places=3)
        self.assertAlmostEqual(syncs[1].end_ms, 1_000_004.0, places=3)
        self.assertAlmostEqual(syncs[2].end_ms, 1_000_009.0, places=3)
        self.assertAlmostEqual(syncs[2].took_ms, 7.0)

    def test_pid_prefix_form(self) -> None:
        syncs = an.parse_strace([f"[pid  4814] 1000.000100 fsync(19<{WAL}>) = 0 <0.000400>"])
        self.assertEqual(len(syncs), 1)


class MatchTests(unittest.TestCase):
    def test_each_refresh_takes_the_next_commit(self) -> None:
        # A commit from opening the project comes before any refresh and is skipped.
        matched = an.match_commits([100, 100, 150, 200], [50.0, 120.5, 170.2, 230.0])
        self.assertEqual(matched.commits, {100: 120.5, 150: 170.2, 200: 230.0})
        self.assertEqual(matched.out_of_order, 0)

    def test_a_commit_in_the_same_millisecond_as_the_next_refresh_goes_to_the_earlier_one(self) -> None:
        # refresh_time is truncated to the ms: refresh 2 starts at 150.7 after commit 1 at 150.3.
        matched = an.match_commits([100, 150], [150.3, 180.0])
        self.assertEqual(matched.commits, {100: 150.3, 150: 180.0})
        self.assertEqual(matched.out_of_order, 0)

    def test_a_missing_commit_shows_as_out_of_order(self) -> None:
        matched = an.match_commits([100, 150, 200], [170.0, 230.0])
        self.assertEqual(matched.commits, {100: 170.0, 150: 230.0})
        self.assertEqual(matched.out_of_order, 2)

    def test_next_refresh_is_an_upper_bound(self) -> None:
        self.assertEqual(an.next_refresh([300, 100, 200, 100]), {100: 200, 200: 300})


class ProcTests(unittest.TestCase):
    def test_rss(self) -> None:
        self.assertEqual(an.rss_kib("Name:\tkiln\nVmHWM:\t  90000 kB\nVmRSS:\t   53384 kB\n"), 53384)
        self.assertIsNone(an.rss_kib("Name:\tzombie\n"))

    def test_cpu_ticks_with_a_comm_holding_spaces_and_parentheses(self) -> None:
        stat = "17559 (tokio (rt) 1) S 17558 17559 17559 0 -1 4194560 12028 3911009 0 573 40 6 17757 1519 20 0 1 0"
        self.assertEqual(an.cpu_ticks(stat), ("tokio (rt) 1", 46))

    def test_threads_group_by_name_without_their_number(self) -> None:
        self.assertEqual(an.thread_group("tokio-runtime-w"), "tokio-runtime-w")
        self.assertEqual(an.thread_group("duckdb-worker-3"), "duckdb-worker")
        before = {1: ("kiln", 10), 2: ("worker-1", 5)}
        after = {1: ("kiln", 15), 2: ("worker-1", 9), 3: ("worker-2", 3)}
        self.assertEqual(an.per_group_cpu(before, after), {"kiln": 5, "worker": 7})


class ProducerTests(unittest.TestCase):
    def test_records_are_json_of_the_requested_size(self) -> None:
        for seq in (0, 7, 123_456_789):
            data = boto3_producer.record(1_796_648_136_911, seq, 200)
            self.assertEqual(len(data), 200)
            parsed = json.loads(data)
            self.assertEqual(parsed["t_ms"], 1_796_648_136_911)
            self.assertEqual(parsed["seq"], seq)

    def test_a_size_below_the_fields_gives_the_fields(self) -> None:
        parsed = json.loads(boto3_producer.record(1, 2, 10))
        self.assertEqual(parsed["pad"], "")


class EntryTests(unittest.TestCase):
    def test_entry_goes_at_the_end_of_the_streams_section(self) -> None:
        doc = "# B\n\n## Studio\n\nx\n\n## Streams\n\nintro\n\n### old\n\nold entry\n\n## Run log\n\n### r\n"
        out = bench.insert_entry(doc, "### new\n\nnew entry\n")
        self.assertIn("old entry\n\n### new\n\nnew entry\n\n## Run log", out)
        self.assertTrue(out.endswith("### r\n"))

    def test_section_is_created_before_the_run_log(self) -> None:
        out = bench.insert_entry("# B\n\n## Run log\n\n### r\n", "### new\n")
        self.assertLess(out.index("## Streams"), out.index("### new"))
        self.assertLess(out.index("### new"), out.index("## Run log"))

    def test_without_a_run_log_the_section_goes_last(self) -> None:
        out = bench.insert_entry("# B\n", "### new\n")
        self.assertTrue(
            out.endswith(
                "## Streams\n\nMeasured by `bench/streams/run.sh`; each run appends a dated entry "
                "here, newest last.\n\n### new\n"
            )
        )


if __name__ == "__main__":
    unittest.main()
