#!/usr/bin/env python3
"""Generate a synthetic dbt project of N models for the parse/compile benchmarks.

The output must be accepted unmodified by both dbt-core (with dbt-duckdb) and Kiln, so it sticks to
features both promise: folder-level `+config` in dbt_project.yml, `vars`, a project macro, seeds as
roots, `{{ ref() }}` joins, `{{ config() }}` in some models, and one properties YAML per folder with
generic tests. Everything is derived from a fixed seed so that two runs produce byte-identical
projects and the benchmark numbers stay comparable over time.

Usage: gen_project.py N OUT_DIR [--seed S] [--folders F] [--tests-key data_tests|tests]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SEED = 20_240_601
DEFAULT_FOLDERS = 20
SEED_TABLES = ("raw_accounts", "raw_orders", "raw_payments", "raw_products")
SEED_ROWS = 12
# Most parents come from a window of recent models, which gives the graph a realistic depth; the rest
# come from anywhere earlier, which gives a few widely shared upstream models as real projects have.
RECENT_WINDOW = 100
RECENT_SHARE = 0.7
# A small share of models also read a seed directly, as staging-like models do.
SEED_PARENT_SHARE = 0.05
# Every Nth model carries an in-file `{{ config() }}` call so that both tools parse one.
CONFIG_EVERY = 10
# Every Nth folder is materialised as tables through dbt_project.yml rather than as views.
TABLE_FOLDER_EVERY = 5


class GenerationError(Exception):
    """The requested project cannot be generated; the message says what to change."""


@dataclass(frozen=True)
class ModelSpec:
    """One generated model: where it lives and what it selects from."""

    index: int
    name: str
    folder: str
    parents: tuple[str, ...]
    has_config: bool


def model_name(index: int, n: int) -> str:
    width = max(5, len(str(n - 1)))
    return f"model_{index:0{width}d}"


def folder_name(folder_index: int) -> str:
    return f"layer_{folder_index:02d}"


def plan_models(n: int, seed: int = DEFAULT_SEED, folders: int = DEFAULT_FOLDERS) -> list[ModelSpec]:
    """Decide every model's folder and parents without touching the disk.

    Parents always have a lower index than their child, so the result is a DAG by construction.
    Folders are contiguous index ranges, so earlier folders hold upstream layers, as in real projects.
    """
    if n < 1:
        raise GenerationError(f"the number of models must be at least 1, got {n}")
    if folders < 1:
        raise GenerationError(f"the number of folders must be at least 1, got {folders}")
    folders = min(folders, n)
    rng = random.Random(seed)
    names = [model_name(i, n) for i in range(n)]
    specs: list[ModelSpec] = []
    for i in range(n):
        wanted = rng.randint(1, 3)
        parents: list[str] = []
        if i == 0:
            parents.append(SEED_TABLES[0])
        else:
            chosen: set[int] = set()
            # The number of distinct earlier models caps how many can be chosen.
            target = min(wanted, i)
            while len(chosen) < target:
                if rng.random() < RECENT_SHARE:
                    candidate = rng.randrange(max(0, i - RECENT_WINDOW), i)
                else:
                    candidate = rng.randrange(0, i)
                chosen.add(candidate)
            parents.extend(names[j] for j in sorted(chosen))
        if i > 0 and len(parents) < 3 and rng.random() < SEED_PARENT_SHARE:
            parents.append(rng.choice(SEED_TABLES))
        specs.append(
            ModelSpec(
                index=i,
                name=names[i],
                folder=folder_name(i * folders // n),
                parents=tuple(parents),
                has_config=(i % CONFIG_EVERY == CONFIG_EVERY - 1),
            )
        )
    return specs


def dbt_project_yml(folder_names: list[str]) -> str:
    lines = [
        "name: bench",
        "version: '1.0.0'",
        "config-version: 2",
        "profile: bench",
        "",
        "model-paths: ['models']",
        "seed-paths: ['seeds']",
        "macro-paths: ['macros']",
        "target-path: target",
        "clean-targets: ['target', 'dbt_packages']",
        "",
        "flags:",
        "  send_anonymous_usage_stats: false",
        "",
        "vars:",
        "  min_id: 0",
        "",
        "seeds:",
        "  bench:",
        "    +tags: ['raw']",
        "",
        "models:",
        "  bench:",
        "    +materialized: view",
    ]
    for position, folder in enumerate(folder_names):
        lines.append(f"    {folder}:")
        lines.append(f"      +tags: ['{folder}']")
        if position % TABLE_FOLDER_EVERY == TABLE_FOLDER_EVERY - 1:
            lines.append("      +materialized: table")
    return "\n".join(lines) + "\n"


PROFILES_YML = """\
bench:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: bench.duckdb
      threads: 4
"""

MACRO_SQL = """\
{% macro cents_to_dollars(column_name, scale=2) -%}
    round(({{ column_name }}) / 100.0, {{ scale }})
{%- endmacro %}
"""


def seed_csv(table_index: int) -> str:
    rows = ["id,parent_id,amount"]
    for row in range(1, SEED_ROWS + 1):
        parent = row - 1 if row > 1 else ""
        rows.append(f"{row},{parent},{(row * 137 + table_index * 31) % 10_000}")
    return "\n".join(rows) + "\n"


def seeds_yml(tests_key: str) -> str:
    lines = ["version: 2", "", "seeds:"]
    for table in SEED_TABLES:
        lines += [
            f"  - name: {table}",
            f"    description: Raw {table.removeprefix('raw_')} rows loaded from CSV.",
            "    columns:",
            "      - name: id",
            f"        {tests_key}:",
            "          - unique",
            "          - not_null",
        ]
    return "\n".join(lines) + "\n"


def model_sql(spec: ModelSpec) -> str:
    aliases = [f"p{k}" for k in range(len(spec.parents))]
    out: list[str] = []
    if spec.has_config:
        out.append(f"{{{{ config(tags=['configured'], alias='{spec.name}') }}}}")
        out.append("")
    ctes = [
        f"{alias} as (\n    select * from {{{{ ref('{parent}') }}}}\n)" for alias, parent in zip(aliases, spec.parents)
    ]
    out.append("with " + ",\n\n".join(ctes))
    out.append("")
    parent_expr = f"coalesce({aliases[1]}.id, p0.parent_id)" if len(aliases) > 1 else "p0.parent_id"
    amount_terms = " + ".join(f"coalesce({alias}.amount, 0)" for alias in aliases)
    out.append("select")
    out.append("    p0.id,")
    out.append(f"    {parent_expr} as parent_id,")
    out.append(f"    {{{{ cents_to_dollars('{amount_terms}') }}}} as amount")
    out.append("from p0")
    for alias in aliases[1:]:
        out.append(f"left join {alias} on {alias}.id = p0.parent_id")
    out.append("where p0.id >= {{ var('min_id') }}")
    return "\n".join(out) + "\n"


def folder_yml(folder_specs: list[ModelSpec], tests_key: str) -> str:
    lines = ["version: 2", "", "models:"]
    for spec in folder_specs:
        upstream = ", ".join(spec.parents)
        lines += [
            f"  - name: {spec.name}",
            f"    description: Synthetic model {spec.index} in {spec.folder}, joining {upstream}.",
            "    columns:",
            "      - name: id",
            "        description: Row identifier carried from the first parent.",
            f"        {tests_key}:",
            "          - unique",
            "          - not_null",
            "      - name: parent_id",
            "        description: Identifier of the joined upstream row.",
            "      - name: amount",
            "        description: Sum of the parents' amounts, converted from cents to dollars.",
        ]
    return "\n".join(lines) + "\n"


def generate(
    n: int,
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    folders: int = DEFAULT_FOLDERS,
    tests_key: str = "data_tests",
) -> list[ModelSpec]:
    """Write the project to `out_dir`, which must be absent or empty, and return the model plan."""
    if tests_key not in ("data_tests", "tests"):
        raise GenerationError(f"tests key must be 'data_tests' or 'tests', got {tests_key!r}")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise GenerationError(
            f"{out_dir} already exists and is not an empty directory; delete it or choose another path"
        )
    specs = plan_models(n, seed, folders)
    folder_names = sorted({spec.folder for spec in specs})

    (out_dir / "models").mkdir(parents=True, exist_ok=True)
    (out_dir / "macros").mkdir()
    (out_dir / "seeds").mkdir()
    (out_dir / "dbt_project.yml").write_text(dbt_project_yml(folder_names))
    (out_dir / "profiles.yml").write_text(PROFILES_YML)
    (out_dir / "macros" / "cents_to_dollars.sql").write_text(MACRO_SQL)
    for table_index, table in enumerate(SEED_TABLES):
        (out_dir / "seeds" / f"{table}.csv").write_text(seed_csv(table_index))
    (out_dir / "seeds" / "_seeds.yml").write_text(seeds_yml(tests_key))

    by_folder: dict[str, list[ModelSpec]] = {name: [] for name in folder_names}
    for spec in specs:
        by_folder[spec.folder].append(spec)
    for folder, folder_specs in by_folder.items():
        folder_dir = out_dir / "models" / folder
        folder_dir.mkdir()
        for spec in folder_specs:
            (folder_dir / f"{spec.name}.sql").write_text(model_sql(spec))
        (folder_dir / f"_{folder}__models.yml").write_text(folder_yml(folder_specs, tests_key))
    return specs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of models")
    parser.add_argument("out_dir", type=Path, help="absent or empty directory to write into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="pseudo-random seed")
    parser.add_argument("--folders", type=int, default=DEFAULT_FOLDERS, help="model folders")
    parser.add_argument(
        "--tests-key",
        choices=("data_tests", "tests"),
        default="data_tests",
        help="properties key for generic tests (dbt >= 1.8 prefers data_tests)",
    )
    args = parser.parse_args(argv)
    try:
        specs = generate(args.n, args.out_dir, args.seed, args.folders, args.tests_key)
    except (GenerationError, OSError) as error:
        print(f"gen_project.py: {error}", file=sys.stderr)
        return 1
    edges = sum(len(spec.parents) for spec in specs)
    folder_count = len({spec.folder for spec in specs})
    print(f"wrote {len(specs)} models in {folder_count} folders ({edges} ref edges) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
