//! Helpers shared by the end-to-end tests: fixture copies, hermetic `kiln` invocations and
//! readers for what the CLI writes (tables on stdout, JSON artifacts).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const KILN: &str = env!("CARGO_BIN_EXE_kiln");

/// `tests/fixtures/<name>` at the repository root.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures")).join(name)
}

/// The repository root, for `projects/` and `tests/snapshots/`.
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Folders a fixture or sample project may have picked up from someone running it in place;
/// they must never leak into a test's copy.
const GENERATED: &[&str] = &["target", ".kiln", "lake", "logs", "dbt_packages"];

/// Copies `src` into `dst` (created), leaving out generated folders.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap_or_else(|e| panic!("cannot create {}: {e}", dst.display()));
    let entries = std::fs::read_dir(src).unwrap_or_else(|e| panic!("cannot list {}: {e}", src.display()));
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let from = entry.path();
        let to = dst.join(&name);
        if entry.file_type().unwrap().is_dir() {
            if GENERATED.iter().any(|g| name == *g) {
                continue;
            }
            copy_dir(&from, &to);
        } else {
            std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("cannot copy {}: {e}", from.display()));
        }
    }
}

/// A fixture copied to a fresh temporary folder, with its own `$HOME` so no user profile leaks in.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub project: PathBuf,
    pub home: PathBuf,
}

impl Sandbox {
    pub fn new(src: &Path) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        copy_dir(src, &project);
        Sandbox { dir, project, home }
    }

    pub fn fixture(name: &str) -> Sandbox {
        Sandbox::new(&fixture(name))
    }

    pub fn kiln(&self, args: &[&str]) -> Run {
        run_kiln(&self.project, &self.home, args)
    }

    /// Runs kiln and fails the test with the full output unless it exits with `code`.
    pub fn kiln_ok(&self, args: &[&str]) -> Run {
        let run = self.kiln(args);
        assert_eq!(run.code, Some(0), "`kiln {}` failed:\n{}", args.join(" "), run.all());
        run
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.project.join(rel)
    }

    pub fn json(&self, rel: &str) -> serde_json::Value {
        read_json(&self.path(rel))
    }

    /// The first cell of `kiln show --inline <sql>`.
    pub fn scalar(&self, sql: &str) -> String {
        let run = self.kiln_ok(&["show", "--inline", sql]);
        first_cell(&run.stdout)
            .unwrap_or_else(|| panic!("no table in the output of `kiln show --inline {sql}`:\n{}", run.all()))
    }
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout and stderr together, labelled, for assertion messages.
    pub fn all(&self) -> String {
        format!(
            "exit code: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs the built `kiln` in `cwd` with a clean environment: no dbt variables from the caller and a
/// private `$HOME`, so ~/.dbt/profiles.yml on a developer machine cannot change the outcome.
pub fn run_kiln(cwd: &Path, home: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(KILN);
    command
        .args(args)
        .arg("--no-progress")
        .current_dir(cwd)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_TARGET")
        .env_remove("KILN_BLESS");
    let output = command.output().unwrap_or_else(|e| panic!("cannot start {KILN}: {e}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The first data cell of the markdown table `kiln show` prints:
/// `| n |` / `|---|` / `| 30 |`.
pub fn first_cell(stdout: &str) -> Option<String> {
    let mut rows = stdout.lines().map(str::trim).filter(|l| l.starts_with('|'));
    rows.next()?; // header
    let separator = rows.next()?;
    if !separator.contains('-') {
        return None;
    }
    let data = rows.next()?;
    data.trim_matches('|').split('|').next().map(|c| c.trim().to_string())
}

/// `unique_id -> status` from target/run_results.json.
pub fn statuses(run_results: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    run_results["results"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .map(|r| {
                    (
                        r["unique_id"].as_str().unwrap_or("").to_string(),
                        r["status"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Output lines as a sorted list, for comparing `kiln ls` results as sets.
pub fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Starts `kiln stream serve` on a free port in `root`; returns it and its endpoint URL.
pub fn stream_serve(root: &Path, home: &Path) -> (Child, String) {
    let mut child = Command::new(KILN)
        .args(["stream", "serve", "--port", "0"])
        .current_dir(root)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_PROFILES_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no endpoint in {first:?}"))
        .to_string();
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

/// Stops the server like Ctrl-C does and waits for it, so the warehouse can be opened.
pub fn interrupt(mut child: Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("kiln stream serve did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
