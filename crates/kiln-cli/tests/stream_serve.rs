//! `kiln stream serve`: the binary serves the project's Kinesis/Firehose endpoint on the port it
//! prints, keeps what producers put under `<project>/.kiln/streams`, stops on Ctrl-C (SIGINT),
//! and refuses to listen beyond loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::KILN;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dbt_project.yml"),
        "name: streams\nversion: '1.0'\nprofile: streams\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("models")).unwrap();
    dir
}

fn kiln(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(KILN);
    command
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_PROFILES_DIR");
    command
}

/// One AWS JSON 1.1 call over a plain socket: (status, body).
fn call(addr: &str, target: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let body = serde_json::to_vec(body).unwrap();
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        conn,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    conn.write_all(&body).unwrap();
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_slice(&raw[split + 4..]).unwrap())
}

/// Stops the server like Ctrl-C does (SIGINT to its own process id) and waits for it to exit.
fn interrupt(mut child: Child, mut stdout: impl Read) -> (Option<i32>, String) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut rest = String::new();
            stdout.read_to_string(&mut rest).unwrap();
            return (status.code(), rest);
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("kiln stream serve did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn stream_serve_keeps_records_in_the_project_and_stops_on_ctrl_c() {
    let project = project();
    let inside = project.path().join("models");
    // Started from a folder inside the project, with --project naming that folder: the root is
    // found upwards, as for every other command.
    let mut child = kiln(
        project.path(),
        &["stream", "serve", "--project", inside.to_str().unwrap(), "--port", "0"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let mut hint = String::new();
    stdout.read_line(&mut hint).unwrap();
    if !first.starts_with("Kinesis/Firehose endpoint on http://127.0.0.1:") {
        let _ = child.kill();
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        panic!("unexpected first line {first:?}; stderr:\n{err}");
    }
    let streams = project.path().canonicalize().unwrap().join(".kiln").join("streams");
    assert_eq!(
        first.trim_end(),
        format!(
            "Kinesis/Firehose endpoint on http://{} (streams in {})",
            first["Kinesis/Firehose endpoint on http://".len()..]
                .split(' ')
                .next()
                .unwrap(),
            streams.display()
        )
    );
    let addr = first["Kinesis/Firehose endpoint on http://".len()..]
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(hint.contains(&format!("endpoint_url=\"http://{addr}\"")), "{hint}");

    let (status, body) = call(
        &addr,
        "Kinesis_20131202.CreateStream",
        &serde_json::json!({ "StreamName": "clicks", "ShardCount": 2 }),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &addr,
        "Kinesis_20131202.PutRecord",
        &serde_json::json!({ "StreamName": "clicks", "PartitionKey": "user-1", "Data": "eyJjbGljayI6MX0=" }),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["SequenceNumber"], "1");
    let (status, body) = call(&addr, "Kinesis_20131202.ListStreams", &serde_json::json!({}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["StreamNames"], serde_json::json!(["clicks"]));
    assert!(streams.join("kinesis/clicks/stream.json").is_file());

    let (code, rest) = interrupt(child, stdout);
    assert_eq!(code, Some(0), "{rest}");
    assert!(rest.contains("Stopped."), "{rest}");
}

#[test]
fn stream_serve_refuses_a_non_loopback_host() {
    let project = project();
    let out = kiln(project.path(), &["stream", "serve", "--host", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--host 0.0.0.0 is not a loopback address") && stderr.contains("127.0.0.1 or ::1"),
        "{stderr}"
    );
    assert!(!project.path().join(".kiln").exists());
}
