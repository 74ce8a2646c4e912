//! The Python `duckdb` runner shared by the tests that execute translated SQL. Locally the
//! tests are skipped, with the reason printed, when python3 or the module is unavailable; in CI
//! (`CI` set) and under `make test` (`KILN_REQUIRE_PY_DUCKDB=1`) a missing module fails them.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Executes each block (one or more statements) on one connection, in order, and prints one line
/// per block: `OK <rows>` with rows as `v|v;v|v`, or `ERR <message>`.
const RUNNER: &str = r#"
import sys, duckdb
con = duckdb.connect()
for block in sys.stdin.read().split('\x1e'):
    try:
        rows = con.execute(block).fetchall()
        out = ';'.join('|'.join(str(v) for v in row) for row in rows)
        print('OK ' + out.replace('\n', ' '))
    except Exception as e:
        print('ERR ' + str(e).replace('\n', ' '))
"#;

pub fn duckdb_available() -> Result<(), String> {
    let probe = Command::new("python3")
        .args(["-c", "import duckdb; print(duckdb.__version__)"])
        .output()
        .map_err(|e| format!("python3 not runnable: {e}"))?;
    if probe.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python module duckdb missing (pip install duckdb==$(bash .cargo/duckdb-lib.sh --print-python-version)): {}",
            String::from_utf8_lossy(&probe.stderr).trim()
        ))
    }
}

/// Runs the blocks on one DuckDB connection and returns one `OK …`/`ERR …` line per block.
pub fn run(blocks: &[String]) -> Vec<String> {
    let mut child = Command::new("python3")
        .args(["-c", RUNNER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(blocks.join("\x1e").as_bytes())
        .expect("write blocks");
    let output = child.wait_with_output().expect("python3 finished");
    assert!(
        output.status.success(),
        "runner failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), blocks.len(), "one result per block: {lines:?}");
    lines
}

/// Whether a missing python duckdb must fail the tests rather than skip them.
pub fn duckdb_required() -> bool {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    set("CI") || set("KILN_REQUIRE_PY_DUCKDB")
}

macro_rules! skip_without_duckdb {
    () => {
        if let Err(reason) = common::duckdb_available() {
            assert!(
                !common::duckdb_required(),
                "DuckDB semantics tests cannot run: {reason}; they are required when CI or \
                 KILN_REQUIRE_PY_DUCKDB is set (tests/run-all.sh installs the module)"
            );
            eprintln!("skipping DuckDB semantics test: {reason}");
            return;
        }
    };
}
