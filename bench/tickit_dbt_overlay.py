#!/usr/bin/env python3
"""Prepare a copy of projects/tickit that dbt-core + dbt-duckdb can build.

Kiln reads the sources' `external: location:` (a lake folder of pipe-delimited files) directly.
dbt-duckdb cannot, so this script copies the project to DEST and gives every source table a
dbt-duckdb `external_location` that reads the same files with DuckDB's read_csv, typed from the
columns' declared Redshift types. It also writes DEST/profiles.yml for dbt-duckdb. The project in
the repository is never modified.

Usage (with the dbt venv's python, which has PyYAML):

    cargo run --release -p kiln-demo --example gen -- projects/tickit/lake 0.1
    python bench/tickit_dbt_overlay.py /tmp/tickit-dbt --lake projects/tickit/lake [--build]
    dbt build --project-dir /tmp/tickit-dbt --profiles-dir /tmp/tickit-dbt
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the interpreter
    sys.exit(
        "PyYAML is missing: run this script with the dbt venv's python "
        "(e.g. $HOME/.cache/kiln-dbt-venv/bin/python), which has it"
    )

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROJECT = REPO / "projects" / "tickit"
SOURCES_GLOB = "models/**/_*sources.yml"
# Build output and generated data never belong in the copy.
IGNORED = shutil.ignore_patterns("lake", "target", ".kiln", "logs", "dbt_packages", "*.duckdb*")

# Redshift type (lower-case, without length) -> DuckDB type. Lengths are dropped for text types
# because DuckDB's VARCHAR is unbounded; decimals keep precision and scale.
SIMPLE_TYPES = {
    "smallint": "SMALLINT",
    "int2": "SMALLINT",
    "integer": "INTEGER",
    "int": "INTEGER",
    "int4": "INTEGER",
    "bigint": "BIGINT",
    "int8": "BIGINT",
    "real": "REAL",
    "float4": "REAL",
    "double precision": "DOUBLE",
    "float8": "DOUBLE",
    "float": "DOUBLE",
    "boolean": "BOOLEAN",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp without time zone": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "timestamp with time zone": "TIMESTAMPTZ",
    "varchar": "VARCHAR",
    "character varying": "VARCHAR",
    "char": "VARCHAR",
    "character": "VARCHAR",
    "nchar": "VARCHAR",
    "bpchar": "VARCHAR",
    "text": "VARCHAR",
}
DECIMAL = re.compile(r"^(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$")
SIZED = re.compile(r"^([a-z ]+?)\s*\(\s*\d+\s*\)$")


def duckdb_type(redshift_type: str) -> str:
    """Maps a declared Redshift column type to the DuckDB type read_csv should parse it as."""
    t = " ".join(redshift_type.strip().lower().split())
    if m := DECIMAL.match(t):
        return f"DECIMAL({m.group(1)},{m.group(2) or 0})"
    if t in ("decimal", "numeric"):
        return "DECIMAL(18,0)"
    if m := SIZED.match(t):
        t = m.group(1)
    if t in SIMPLE_TYPES:
        return SIMPLE_TYPES[t]
    raise ValueError(
        f"no DuckDB mapping for column type {redshift_type!r}; "
        "add it to SIMPLE_TYPES in bench/tickit_dbt_overlay.py"
    )


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def external_location(lake: Path, table: dict) -> str:
    """The read_csv call that stands in for one external table."""
    columns = table.get("columns") or []
    missing = [c.get("name") for c in columns if not c.get("data_type")]
    if not columns or missing:
        raise ValueError(
            f"source table {table.get('name')!r} needs every column declared with a data_type "
            f"(missing on: {missing or 'all'})"
        )
    struct = ", ".join(f"{sql_string(c['name'])}: {sql_string(duckdb_type(c['data_type']))}" for c in columns)
    # The folder comes from the project's own `external: location:` (lake/<table>/), re-rooted
    # at the lake the caller generated.
    location = (table.get("external") or {}).get("location") or f"lake/{table['name']}/"
    folder = lake / Path(location.rstrip("/")).name
    pattern = sql_string(str(folder / "*.txt"))
    return f"read_csv({pattern}, delim='|', header=true, columns={{{struct}}})"


def rewrite_sources(path: Path, lake: Path) -> int:
    doc = yaml.safe_load(path.read_text())
    count = 0
    for source in doc.get("sources") or []:
        for table in source.get("tables") or []:
            config = table.setdefault("config", {})
            config["external_location"] = external_location(lake, table)
            # The default "newstyle" formatter would treat the struct's braces as fields.
            config["formatter"] = "template"
            count += 1
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1_000_000))
    return count


def write_profile(dest: Path, threads: int) -> Path:
    profile = {
        "tickit": {
            "target": "dev",
            "outputs": {
                "dev": {
                    "type": "duckdb",
                    "path": str(dest / "dbt.duckdb"),
                    "threads": threads,
                }
            },
        }
    }
    path = dest / "profiles.yml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", type=Path, help="folder to create the dbt-ready copy in")
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT, help="the Kiln project to copy")
    parser.add_argument("--lake", type=Path, help="generated lake folder (default: <project>/lake)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--force", action="store_true", help="replace DEST if it exists")
    parser.add_argument("--build", action="store_true", help="run `dbt build` on the copy and time it")
    parser.add_argument("--dbt", default="dbt", help="dbt executable for --build")
    args = parser.parse_args()

    project = args.project.resolve()
    dest = args.dest.resolve()
    lake = (args.lake or project / "lake").resolve()
    if not (project / "dbt_project.yml").is_file():
        print(f"error: {project} has no dbt_project.yml; pass --project", file=sys.stderr)
        return 2
    if not (lake / "sale").is_dir():
        print(
            f"error: no lake at {lake}; generate one first, e.g.\n"
            f"  cargo run --release -p kiln-demo --example gen -- {lake} 0.1",
            file=sys.stderr,
        )
        return 2
    if dest.exists():
        if not args.force:
            print(f"error: {dest} exists; pass --force to replace it", file=sys.stderr)
            return 2
        shutil.rmtree(dest)

    shutil.copytree(project, dest, ignore=IGNORED)
    sources = sorted(dest.glob(SOURCES_GLOB))
    if not sources:
        print(f"error: no sources YAML matching {SOURCES_GLOB} in {project}", file=sys.stderr)
        return 2
    try:
        tables = sum(rewrite_sources(p, lake) for p in sources)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    profile = write_profile(dest, args.threads)
    print(f"overlay ready: {dest} ({tables} source tables reading {lake}; profile {profile})")

    if not args.build:
        return 0
    cmd = [args.dbt, "build", "--project-dir", str(dest), "--profiles-dir", str(dest)]
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=dest)
    print(f"dbt build exited {result.returncode} in {time.perf_counter() - started:.2f}s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
