"""Tests for bench/report.py: measurements in, markdown table out."""

from __future__ import annotations

import json
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import report

TIME_V_RUN = """\
\tCommand being timed: "kiln parse --project-dir /tmp/p"
\tUser time (seconds): 0.21
\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:00.31
\tMaximum resident set size (kbytes): {rss}
\tExit status: {status}
"""


def time_log(*runs: tuple[int, int]) -> str:
    return "".join(TIME_V_RUN.format(rss=rss, status=status) for rss, status in runs)


def hyperfine_export(times: list[float]) -> dict[str, Any]:
    return {"results": [{"command": "x", "mean": sum(times) / len(times), "times": times}]}


class ParsingTests(unittest.TestCase):
    def test_peak_is_the_largest_run(self) -> None:
        self.assertEqual(report.peak_rss_kib(time_log((1000, 0), (5120, 0), (2048, 0))), 5120)

    def test_a_failed_run_is_an_error_not_a_measurement(self) -> None:
        with self.assertRaises(report.ReportError):
            report.peak_rss_kib(time_log((1000, 0), (900, 2)))

    def test_output_without_time_v_lines_is_an_error(self) -> None:
        with self.assertRaises(report.ReportError):
            report.peak_rss_kib("0.31 1000\n")

    def test_hyperfine_median_and_run_count(self) -> None:
        self.assertEqual(report.hyperfine_median(hyperfine_export([3.0, 1.0, 2.0, 100.0])), (2.5, 4))
        with self.assertRaises(report.ReportError):
            report.hyperfine_median({"results": []})


class RenderTests(unittest.TestCase):
    def setUp(self) -> None:
        self.temp = tempfile.TemporaryDirectory()
        self.dir = Path(self.temp.name)
        self.results = self.dir / "results.tsv"

    def tearDown(self) -> None:
        self.temp.cleanup()

    def record(self, case: str, tool: str, times: list[float], rss: int) -> None:
        export = self.dir / "h.json"
        export.write_text(json.dumps(hyperfine_export(times)))
        log = self.dir / "t.log"
        log.write_text(time_log((rss, 0)))
        code = report.main(
            ["record", str(self.results), case, tool, "--hyperfine", str(export), "--time-log", str(log)]
        )
        self.assertEqual(code, 0)

    def test_table_pairs_tools_per_case_with_ratio_and_mebibytes(self) -> None:
        self.record("parse, 1,000 models", "dbt", [30.0], 220 * 1024)
        self.record("parse, 1,000 models", "kiln", [0.1, 0.2, 0.3], 40 * 1024)
        table = report.render_table(report.read_measurements(self.results))
        lines = table.splitlines()
        self.assertEqual(lines[0], "| case | dbt s | kiln s | dbt/kiln | dbt peak MiB | kiln peak MiB |")
        self.assertEqual(lines[2], "| parse, 1,000 models | 30.0 | 0.200 | 150.0× | 220 | 40 |")

    def test_skipped_and_failed_cells_say_why_and_have_no_ratio(self) -> None:
        self.record("compile, 10,000 models", "kiln", [0.5], 1024)
        self.assertEqual(report.main(["skip", "--", str(self.results), "compile, 10,000 models", "dbt", "--quick"]), 0)
        self.assertEqual(report.main(["fail", str(self.results), "TICKIT build, scale 1", "kiln", "see x.out"]), 0)
        rows = report.render_table(report.read_measurements(self.results)).splitlines()[2:]
        self.assertEqual(rows[0], "| compile, 10,000 models | skipped (--quick) | 0.500 | — | — | 1 |")
        self.assertEqual(rows[1], "| TICKIT build, scale 1 | not run | failed (see x.out) | — | — | — |")

    def test_render_appends_a_dated_section_after_existing_text(self) -> None:
        self.record("parse, 10 models", "dbt", [4.0], 2048)
        self.record("parse, 10 models", "kiln", [0.004], 1024)
        target = self.dir / "BENCHMARKS.md"
        target.write_text("# Benchmarks\n")
        meta = self.dir / "meta.md"
        meta.write_text("### 2026-01-01 — `bench/run.sh --quick`\n")
        self.assertEqual(report.main(["render", str(self.results), "--meta", str(meta), "--append", str(target)]), 0)
        text = target.read_text()
        self.assertTrue(text.startswith("# Benchmarks\n\n### 2026-01-01 — `bench/run.sh --quick`\n\n| case |"))
        self.assertIn("| parse, 10 models | 4.000 | 0.004 | 1000.0× | 2 | 1 |", text)
        self.assertIn("Timed runs per case, median reported: dbt 1, kiln 1.", text)

    def test_runs_note_gives_each_tools_range(self) -> None:
        self.record("parse, 10 models", "dbt", [4.0], 2048)
        self.record("parse, 10 models", "kiln", [0.1, 0.2, 0.3], 1024)
        self.record("TICKIT build, scale 1", "kiln", [2.0], 1024)
        note = report.render_runs_note(report.read_measurements(self.results))
        self.assertEqual(note, "Timed runs per case, median reported: dbt 1, kiln 1–3.\n")

    def test_malformed_results_file_is_reported(self) -> None:
        self.results.write_text("not a header\n")
        self.assertEqual(report.main(["render", str(self.results)]), 1)


if __name__ == "__main__":
    unittest.main()
