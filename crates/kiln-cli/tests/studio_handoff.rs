//! `kiln build` beside a running studio: the studio holds the project's DuckDB warehouse, so the
//! CLI finds it through its discovery file and hands the run over — same log lines, same exit
//! code, the run listed in the studio as from the CLI — without the token ever showing. A stale
//! discovery file (its studio gone) is ignored and removed, and the lock error then says who may
//! hold the file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{repo_root, Run, Sandbox, KILN};

const HANDOFF: &str = "The studio has this project open; running there (it shows this run as from the CLI)";

/// A TICKIT copy with its own `$HOME` and discovery folder.
struct Setup {
    sandbox: Sandbox,
    runtime: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let sandbox = Sandbox::new(&repo_root().join("projects").join("tickit"));
        let runtime = sandbox.dir.path().join("run");
        Setup { sandbox, runtime }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(KILN);
        command
            .args(args)
            .current_dir(&self.sandbox.project)
            .env("HOME", &self.sandbox.home)
            .env("KILN_RUNTIME_DIR", &self.runtime)
            .env("NO_COLOR", "1")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("KILN_CONFIG_DIR")
            .env_remove("DBT_PROFILES_DIR")
            .env_remove("DBT_PROJECT_DIR")
            .env_remove("DBT_TARGET");
        command
    }

    fn kiln(&self, args: &[&str]) -> Run {
        let output = self.command(args).arg("--no-progress").output().unwrap();
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn discovery_file(&self) -> PathBuf {
        kiln_serve::discovery::discovery_file(&self.runtime, &self.sandbox.project)
    }
}

/// `kiln serve` on free ports: the child, its base URL and its token (from the URL it prints).
fn serve(setup: &Setup) -> (Child, String, String) {
    let mut child = setup
        .command(&["serve", "--port", "0", "--stream-port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("kiln serve printed nothing").unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_string();
    let (base, token) = url.split_once("/?token=").unwrap();
    let (base, token) = (base.to_string(), token.to_string());
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    // The warehouse is open once the stream endpoint is (it is printed after the URL), but wait
    // for the API too: `projectInfo` answers once the project is open.
    let start = Instant::now();
    while post(&base, &token, "projectInfo").is_none() {
        assert!(start.elapsed() < Duration::from_secs(60), "kiln serve did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, base, token)
}

fn post(base: &str, token: &str, operation: &str) -> Option<serde_json::Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
    let mut response = agent
        .post(format!("{base}/api/{operation}"))
        .header("x-kiln-token", token)
        .header("content-type", "application/json")
        .send("{}")
        .ok()?;
    serde_json::from_str(&response.body_mut().read_to_string().ok()?).ok()
}

/// Stops a server like Ctrl-C does and waits for it.
fn interrupt(mut child: Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("the server did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn assert_secret_kept(run: &Run, token: &str) {
    assert!(
        !run.stdout.contains(token) && !run.stderr.contains(token),
        "the token leaked into the CLI's output:\n{}",
        run.all()
    );
}

#[test]
fn a_run_is_handed_to_the_studio_holding_the_warehouse() {
    let setup = Setup::new();
    let lake = setup.kiln(&["demo", "tickit", "--scale", "0.01"]);
    assert_eq!(lake.code, Some(0), "{}", lake.all());
    let (studio, base, token) = serve(&setup);

    let file = setup.discovery_file();
    assert!(file.is_file(), "kiln serve announces itself in {}", file.display());
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600, "the discovery file holds the token");
        assert_eq!(mode(&setup.runtime), 0o700);
    }
    assert!(
        !std::fs::read_dir(&setup.sandbox.project)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains("studio")),
        "nothing is written into the project"
    );

    // Nothing staged yet: the staging model fails, and so does the command (exit code 1), as it
    // would have locally.
    let failing = setup.kiln(&["build", "-s", "stg_tickit__sales"]);
    assert_eq!(failing.code, Some(1), "{}", failing.all());
    assert!(failing.stdout.starts_with(HANDOFF), "{}", failing.all());
    assert!(failing.stdout.contains("ERROR=1"), "{}", failing.all());
    assert_secret_kept(&failing, &token);

    let everything = setup.kiln(&["build"]);
    assert_eq!(everything.code, Some(0), "{}", everything.all());
    assert_secret_kept(&everything, &token);

    let run = setup.kiln(&["build", "-s", "stg_tickit__sales"]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.first(), Some(&HANDOFF), "{}", run.all());
    assert!(
        lines.iter().any(|l| l.contains("Running with kiln=")),
        "the run's header, as a local run prints it:\n{}",
        run.all()
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("OK created sql view model main.stg_tickit__sales")),
        "{}",
        run.all()
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Done. PASS=") && l.contains("ERROR=0")),
        "{}",
        run.all()
    );
    assert_secret_kept(&run, &token);

    // The studio lists the run as the CLI's, with the selection it was given.
    let history = post(&base, &token, "runHistory").expect("runHistory");
    let newest = &history["runs"][0];
    assert_eq!(newest["origin"]["kind"], "cli", "{newest}");
    assert!(newest["origin"]["pid"].as_u64().is_some_and(|pid| pid > 0), "{newest}");
    assert_eq!(newest["status"], "success", "{newest}");
    assert_eq!(newest["command"], "build");
    assert_eq!(newest["select"], serde_json::json!(["stg_tickit__sales"]));
    let origins: Vec<&str> = history["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["origin"]["kind"].as_str())
        .collect();
    assert_eq!(origins, ["cli", "cli", "cli"], "three CLI runs, each recorded once");

    // A flag the studio's run cannot take is refused by name, not dropped.
    let refused = setup.kiln(&["build", "-s", "stg_tickit__sales", "--fail-fast"]);
    assert_eq!(refused.code, Some(2), "{}", refused.all());
    assert!(
        refused.stderr.contains("K4004") && refused.stderr.contains("--fail-fast"),
        "{}",
        refused.all()
    );

    interrupt(studio);
    assert!(!file.exists(), "kiln serve removes its discovery file when it stops");
}

#[test]
fn a_stale_discovery_file_is_ignored_and_removed() {
    let setup = Setup::new();
    // `kiln stream serve` holds the warehouse but is no studio: it takes no runs.
    let (holder, _) = common::stream_serve(&setup.sandbox.project, &setup.sandbox.home);
    let file = setup.discovery_file();

    // A studio that was killed: its process is gone (though something listens on its port).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    std::fs::create_dir_all(&setup.runtime).unwrap();
    let entry = serde_json::json!({
        "pid": gone.id(),
        "port": listener.local_addr().unwrap().port(),
        "token": "stale-token-of-a-dead-studio",
        "projectRoot": setup.sandbox.project.canonicalize().unwrap(),
    });
    std::fs::write(&file, entry.to_string()).unwrap();
    let run = setup.kiln(&["build", "-s", "stg_tickit__sales"]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(!run.stdout.contains(HANDOFF), "{}", run.all());
    assert!(run.stderr.contains("error[K4004]"), "{}", run.all());
    assert!(
        run.stderr
            .contains("another `kiln` process holds this DuckDB warehouse"),
        "the hint says who may hold the file:\n{}",
        run.all()
    );
    assert_secret_kept(&run, "stale-token-of-a-dead-studio");
    assert!(!file.exists(), "the stale entry is removed");

    // A studio whose process lives on (this test's) but no longer serves: its port refuses.
    let port = {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        closed.local_addr().unwrap().port()
    };
    let registration =
        kiln_serve::discovery::register_in(&setup.runtime, &setup.sandbox.project, port, "stale-token").unwrap();
    std::mem::forget(registration);
    assert!(file.exists());
    let run = setup.kiln(&["build", "-s", "stg_tickit__sales"]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains("error[K4004]"), "{}", run.all());
    assert!(!run.stdout.contains(HANDOFF), "{}", run.all());
    assert!(!file.exists(), "the stale entry is removed");

    common::interrupt(holder);
}
