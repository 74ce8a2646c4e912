"""Tests for bench/gen_project.py: the plan is a deterministic DAG and the files say what it says."""

from __future__ import annotations

import re
import sys
import tempfile
import unittest
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gen_project

REF_PATTERN = re.compile(r"\{\{\s*ref\('([^']+)'\)\s*\}\}")


class PlanTests(unittest.TestCase):
    def test_parents_are_earlier_models_or_seeds_so_the_graph_is_acyclic(self) -> None:
        specs = gen_project.plan_models(2_000)
        position = {spec.name: spec.index for spec in specs}
        for spec in specs:
            self.assertGreaterEqual(len(spec.parents), 1, spec.name)
            self.assertLessEqual(len(spec.parents), 3, spec.name)
            self.assertEqual(len(set(spec.parents)), len(spec.parents), spec.name)
            for parent in spec.parents:
                if parent in gen_project.SEED_TABLES:
                    continue
                self.assertLess(position[parent], spec.index, f"{spec.name} -> {parent}")

    def test_same_seed_gives_the_same_plan_and_another_seed_does_not(self) -> None:
        first = gen_project.plan_models(500, seed=7)
        again = gen_project.plan_models(500, seed=7)
        other = gen_project.plan_models(500, seed=8)
        self.assertEqual(first, again)
        self.assertNotEqual([s.parents for s in first], [s.parents for s in other])

    def test_models_spread_over_twenty_contiguous_folders(self) -> None:
        specs = gen_project.plan_models(1_000)
        sizes = Counter(spec.folder for spec in specs)
        self.assertEqual(len(sizes), 20)
        self.assertEqual(set(sizes.values()), {50})
        folders_in_order = [spec.folder for spec in specs]
        self.assertEqual(folders_in_order, sorted(folders_in_order))

    def test_fan_in_uses_every_count_from_one_to_three(self) -> None:
        counts = Counter(len(spec.parents) for spec in gen_project.plan_models(1_000))
        self.assertEqual(set(counts), {1, 2, 3})

    def test_fewer_models_than_folders_gives_one_folder_per_model(self) -> None:
        specs = gen_project.plan_models(3)
        self.assertEqual([spec.folder for spec in specs], ["layer_00", "layer_01", "layer_02"])

    def test_rejects_an_empty_project(self) -> None:
        with self.assertRaises(gen_project.GenerationError):
            gen_project.plan_models(0)


class GenerateTests(unittest.TestCase):
    def setUp(self) -> None:
        self.temp = tempfile.TemporaryDirectory()
        self.root = Path(self.temp.name) / "project"

    def tearDown(self) -> None:
        self.temp.cleanup()

    def test_sql_refs_match_the_plan_and_use_the_macro_and_var(self) -> None:
        specs = gen_project.generate(120, self.root)
        for spec in specs:
            sql = (self.root / "models" / spec.folder / f"{spec.name}.sql").read_text()
            self.assertEqual(tuple(REF_PATTERN.findall(sql)), spec.parents, spec.name)
            self.assertIn("{{ cents_to_dollars(", sql)
            self.assertIn("{{ var('min_id') }}", sql)
            self.assertEqual("{{ config(" in sql, spec.has_config, spec.name)
        self.assertTrue(any(spec.has_config for spec in specs))
        macro = (self.root / "macros" / "cents_to_dollars.sql").read_text()
        self.assertIn("{% macro cents_to_dollars(", macro)

    def test_every_model_has_one_yaml_entry_with_three_columns_and_two_id_tests(self) -> None:
        specs = gen_project.generate(60, self.root)
        documented: list[str] = []
        for yml in sorted((self.root / "models").glob("*/_*__models.yml")):
            text = yml.read_text()
            names = re.findall(r"^  - name: (\S+)$", text, flags=re.MULTILINE)
            documented.extend(names)
            self.assertEqual(len(re.findall(r"^      - name: ", text, flags=re.MULTILINE)), 3 * len(names))
            self.assertEqual(text.count("          - unique\n"), len(names))
            self.assertEqual(text.count("          - not_null\n"), len(names))
            self.assertEqual(len(re.findall(r"^    description: ", text, flags=re.MULTILINE)), len(names))
        self.assertEqual(sorted(documented), sorted(spec.name for spec in specs))
        self.assertEqual(len(list((self.root / "models").glob("*/_*__models.yml"))), 20)

    def test_project_files_name_the_bench_profile_and_duckdb_path(self) -> None:
        gen_project.generate(30, self.root)
        project = (self.root / "dbt_project.yml").read_text()
        self.assertIn("name: bench\n", project)
        self.assertIn("profile: bench\n", project)
        self.assertIn("vars:\n  min_id: 0\n", project)
        self.assertIn("    layer_04:\n      +tags: ['layer_04']\n      +materialized: table\n", project)
        profiles = (self.root / "profiles.yml").read_text()
        self.assertIn("type: duckdb", profiles)
        self.assertIn("path: bench.duckdb", profiles)
        for table in gen_project.SEED_TABLES:
            rows = (self.root / "seeds" / f"{table}.csv").read_text().splitlines()
            self.assertEqual(rows[0], "id,parent_id,amount")
            self.assertEqual(len(rows), gen_project.SEED_ROWS + 1)

    def test_output_is_byte_identical_across_runs(self) -> None:
        other = Path(self.temp.name) / "again"
        gen_project.generate(80, self.root)
        gen_project.generate(80, other)
        first = {p.relative_to(self.root): p.read_bytes() for p in self.root.rglob("*") if p.is_file()}
        second = {p.relative_to(other): p.read_bytes() for p in other.rglob("*") if p.is_file()}
        self.assertEqual(first, second)

    def test_tests_key_can_be_the_older_spelling(self) -> None:
        gen_project.generate(5, self.root, tests_key="tests")
        text = (self.root / "models" / "layer_00" / "_layer_00__models.yml").read_text()
        self.assertIn("        tests:\n", text)
        self.assertNotIn("data_tests", text)

    def test_refuses_a_non_empty_directory(self) -> None:
        self.root.mkdir()
        (self.root / "keep.txt").write_text("user data")
        with self.assertRaises(gen_project.GenerationError):
            gen_project.generate(5, self.root)
        self.assertEqual((self.root / "keep.txt").read_text(), "user data")

    def test_command_line_reports_errors_without_a_traceback(self) -> None:
        self.assertEqual(gen_project.main(["0", str(self.root)]), 1)
        self.assertEqual(gen_project.main(["4", str(self.root)]), 0)
        self.assertTrue((self.root / "dbt_project.yml").is_file())


if __name__ == "__main__":
    unittest.main()
