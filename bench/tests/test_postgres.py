"""Tests for bench/postgres: GNU time's and psql's output, Server-Sent Events, /proc values, spreads,
number formats, the commands each client runs and where an entry lands in BENCHMARKS.md."""

from __future__ import annotations

import argparse
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "postgres"))

import pg_analysis as an
import pg_bench

TIME_V = """\tCommand being timed: "psql -X -c select 1"
\tUser time (seconds): 0.81
\tSystem time (seconds): 0.12
\tPercent of CPU this job got: 55%
\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:01.70
\tMaximum resident set size (kbytes): 407612
\tExit status: 0
"""


class ParsingTests(unittest.TestCase):
    def test_time_v(self) -> None:
        parsed = an.parse_time_v(TIME_V)
        self.assertEqual(parsed["max_rss_kib"], 407612)
        self.assertAlmostEqual(parsed["user_s"], 0.81)
        self.assertAlmostEqual(parsed["sys_s"], 0.12)
        self.assertEqual(parsed["exit_status"], 0)

    def test_time_v_missing_fields(self) -> None:
        parsed = an.parse_time_v("Command exited with non-zero status 2\n")
        self.assertIsNone(parsed["max_rss_kib"])
        self.assertIsNone(parsed["user_s"])

    def test_psql_timing_takes_the_last_line(self) -> None:
        out = "Timing is on.\nTime: 0.412 ms\nTime: 1234.567 ms (00:01.235)\n"
        self.assertAlmostEqual(an.parse_psql_timing(out), 1.234567)
        self.assertIsNone(an.parse_psql_timing("Timing is on.\n"))

    def test_copy_count(self) -> None:
        self.assertEqual(an.parse_copy_count("Timing is on.\nCOPY 1000000\nTime: 900.1 ms\n"), 1_000_000)
        self.assertIsNone(an.parse_copy_count("Time: 1 ms\n"))

    def test_sse_events(self) -> None:
        lines = [
            ": keep-alive\n",
            "\n",
            'data: {"type":"queryProgress","queryId":"q1","totalRows":null,"done":false}\n',
            "\n",
            "event: message\r\n",
            'data: {"type":"queryProgress",\n',
            'data: "queryId":"q1","totalRows":1000000,"done":true}\n',
            "\n",
            "data: not json\n",
            "\n",
            "data: [1, 2]\n",
            "\n",
        ]
        events = list(an.sse_events(lines))
        self.assertEqual(len(events), 2)
        self.assertFalse(events[0]["done"])
        self.assertEqual(events[1]["totalRows"], 1_000_000)

    def test_vm_values(self) -> None:
        status = "Name:\tkiln\nVmHWM:\t  223456 kB\nVmRSS:\t  201000 kB\n"
        self.assertEqual(an.vm_value_kib(status, "VmHWM"), 223456)
        self.assertEqual(an.vm_value_kib(status, "VmRSS"), 201000)
        self.assertIsNone(an.vm_value_kib(status, "VmSwap"))


class StatisticsAndFormatTests(unittest.TestCase):
    def test_spread_skips_missing_values(self) -> None:
        s = an.spread([3.0, None, 1.0, 2.0])
        self.assertEqual((s.median, s.low, s.high, s.n), (2.0, 1.0, 3.0, 3))
        self.assertIsNone(an.spread([None]))

    def test_ratio(self) -> None:
        self.assertAlmostEqual(an.ratio(3.0, 1.5), 2.0)
        self.assertIsNone(an.ratio(None, 1.0))
        self.assertIsNone(an.ratio(1.0, 0.0))

    def test_formats(self) -> None:
        self.assertEqual(an.fmt_rate(1_000_000, 2.345), "426,000")
        self.assertEqual(an.fmt_rate(1_000_000, 0.7), "1,430,000")
        self.assertEqual(an.fmt_rate(1_000_000, None), "—")
        self.assertEqual(an.fmt_seconds(0.0123), "12 ms")
        self.assertEqual(an.fmt_seconds(1.234), "1.23 s")
        self.assertEqual(an.fmt_seconds(14.56), "14.6 s")
        self.assertEqual(an.fmt_spread_seconds(an.spread([1.0, 1.5, 2.0])), "1.50 s (1.00 s–2.00 s)")
        self.assertEqual(an.fmt_spread_seconds(an.spread([0.02])), "20 ms")
        self.assertEqual(an.fmt_mib(407612), "398 MiB")
        self.assertEqual(an.fmt_ratio(1.234), "1.23×")
        self.assertEqual(an.fmt_count(1e6), "1,000,000")


class InsertEntryTests(unittest.TestCase):
    def test_creates_the_section_before_the_run_log(self) -> None:
        doc = "# Benchmarks\n\n## Streams\n\nold\n\n## Run log\n\n### run\n"
        out = an.insert_entry(doc, "### entry\n", ["intro"])
        self.assertLess(out.index("## Streams"), out.index(an.SECTION))
        self.assertLess(out.index(an.SECTION), out.index("intro"))
        self.assertLess(out.index("### entry"), out.index("## Run log"))
        self.assertTrue(out.rstrip().endswith("### run"))

    def test_appends_at_the_end_of_an_existing_section(self) -> None:
        doc = f"# B\n\n{an.SECTION}\n\nintro\n\n### first\n\n## Run log\n\n### run\n"
        out = an.insert_entry(doc, "### second\n")
        self.assertLess(out.index("### first"), out.index("### second"))
        self.assertLess(out.index("### second"), out.index("## Run log"))
        self.assertEqual(out.count(an.SECTION), 1)

    def test_without_a_run_log_the_section_goes_last(self) -> None:
        out = an.insert_entry("# B\n", "### entry\n")
        self.assertTrue(out.endswith("### entry\n"))
        self.assertIn(an.SECTION, out)


class ReplaceEntryTests(unittest.TestCase):
    def test_replaces_the_entry_with_the_same_heading(self) -> None:
        doc = f"# B\n\n{an.SECTION}\n\n### 1 — `a`\n\nold\n\n### 2 — `b`\n\nkeep\n\n## Run log\n"
        out = an.replace_entry(doc, "### 1 — `a`\n\nnew\n")
        self.assertIn("new", out)
        self.assertNotIn("old", out)
        self.assertLess(out.index("new"), out.index("### 2"))
        self.assertIn("keep", out)

    def test_the_last_entry_is_replaced_up_to_the_next_section(self) -> None:
        doc = f"{an.SECTION}\n\n### 1 — `a`\n\nold\n\n## Run log\n\n### r\n"
        out = an.replace_entry(doc, "### 1 — `a`\n\nnew\n")
        self.assertEqual(out, f"{an.SECTION}\n\n### 1 — `a`\n\nnew\n\n## Run log\n\n### r\n")

    def test_adds_an_entry_that_is_not_there(self) -> None:
        out = an.replace_entry(f"{an.SECTION}\n\nintro\n", "### 3 — `c`\n")
        self.assertTrue(out.rstrip().endswith("### 3 — `c`"))


class CommandTests(unittest.TestCase):
    def setUp(self) -> None:
        self.args = argparse.Namespace(pg_fetch=Path("/x/pg-fetch"), query="select * from bench.mixed")
        self.cluster = argparse.Namespace(port=5555)

    def test_psql_sends_rows_to_the_sink_and_times_on_stdout(self) -> None:
        cmd = pg_bench.fetch_command(self.args, self.cluster, "psql", None)
        self.assertEqual(cmd[cmd.index("-o") + 1], "/dev/null")
        self.assertIn("-A", cmd)
        self.assertIn("-t", cmd)
        self.assertEqual(cmd[-3:], ["\\timing on", "-c", "select * from bench.mixed"])

    def test_psql_copy(self) -> None:
        cmd = pg_bench.fetch_command(self.args, self.cluster, "psql-copy", Path("/tmp/out"))
        self.assertEqual(cmd[-1], "\\copy (select * from bench.mixed) to '/tmp/out'")

    def test_kiln_and_psycopg(self) -> None:
        kiln = pg_bench.fetch_command(self.args, self.cluster, "kiln-targets", None)
        self.assertEqual(kiln[:3], ["/x/pg-fetch", "--via", "targets"])
        self.assertIn("5555", kiln)
        py = pg_bench.fetch_command(self.args, self.cluster, "psycopg-stream", None)
        self.assertEqual(py[py.index("--mode") + 1], "stream")
        with self.assertRaises(ValueError):
            pg_bench.fetch_command(self.args, self.cluster, "jdbc", None)

    def test_every_tool_has_a_label(self) -> None:
        for tool in pg_bench.build_parser().get_default("tools").split(","):
            self.assertIn(tool, pg_bench.TOOLS)


if __name__ == "__main__":
    unittest.main()
