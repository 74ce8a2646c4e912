//! The sensors sample project (projects/sensors) end to end: its stream declaration loads, it
//! builds on an empty sensor.message created from its ddl/message.sql (as the stream engine will
//! when it delivers), its views answer over simulated readings, its dashboard draws, and
//! `kiln demo sensors` puts readings into a real Firehose endpoint served in-process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{repo_root, statuses, Sandbox};
use kiln_warehouse::Adapter;

const MODELS: [&str; 5] = [
    "message_latency",
    "sensor_avg_temp",
    "sensor_avg_temp_current",
    "sensor_msg_count",
    "sensor_msg_detail",
];

fn sensors() -> Sandbox {
    Sandbox::new(&repo_root().join("projects").join("sensors"))
}

fn warehouse(project: &Path) -> kiln_warehouse::DuckDbAdapter {
    std::fs::create_dir_all(project.join(".kiln")).unwrap();
    kiln_warehouse::DuckDbAdapter::open(&project.join(".kiln/warehouse.duckdb"), 1).unwrap()
}

/// Runs ddl/message.sql (Redshift DDL) on the project's warehouse, translated as Kiln runs it.
fn create_message_table(project: &Path) {
    let ddl = std::fs::read_to_string(project.join("ddl/message.sql")).unwrap();
    warehouse(project).execute(&kiln_sql::redshift_to_duckdb(&ddl)).unwrap();
}

fn number(value: &serde_json::Value) -> f64 {
    match value {
        serde_json::Value::Number(n) => n.as_f64().unwrap(),
        serde_json::Value::String(s) => s.parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

#[test]
fn the_stream_is_declared_with_its_delivery() {
    let project = kiln_project::load_project(&repo_root().join("projects").join("sensors")).unwrap();
    assert!(project.warnings.is_empty(), "{}", project.warnings);
    let [stream] = &project.streams[..] else {
        panic!("{:?}", project.streams)
    };
    assert_eq!(
        (stream.name.as_str(), stream.kind),
        ("sensors", kiln_project::StreamDeclKind::Firehose)
    );
    let delivery = stream.delivery.as_ref().unwrap();
    assert_eq!(delivery.table, "sensor.message");
    assert_eq!(delivery.columns, ["guid", "ts", "temp"]);
    assert_eq!(delivery.copy_options, "json 'auto'");
    assert_eq!((delivery.interval_seconds, delivery.size_mb), (1, 1));
    assert_eq!(delivery.create_table.as_deref(), Some(Path::new("ddl/message.sql")));
    assert_eq!(stream.file, Path::new("models/streams.yml"));
}

#[test]
fn builds_on_an_empty_message_table_and_answers_over_readings() {
    let sandbox = sensors();
    // The views over sensor.message need the table when they are built. The stream engine runs
    // ddl/message.sql (create_table) when it is missing; the test runs it itself, so the build is
    // checked on an empty table whatever opens the streams.
    create_message_table(&sandbox.project);
    let build = sandbox.kiln_ok(&["build"]);
    let found = statuses(&sandbox.json("target/run_results.json"));
    let bad: Vec<_> = found
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "success" | "pass"))
        .collect();
    assert!(bad.is_empty(), "{bad:?}\n{}", build.all());
    let models: Vec<&str> = found
        .keys()
        .filter_map(|id| id.strip_prefix("model.sensors."))
        .collect();
    assert_eq!(models, MODELS);
    let seeds = found.keys().filter(|id| id.starts_with("seed.sensors.")).count();
    assert_eq!(seeds, 5);
    let tests = found.keys().filter(|id| id.starts_with("test.")).count();
    assert!(tests >= 30, "{tests} tests");

    // Readings as the delivery copies them: guid, ts and temp; id and created from the table.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let adapter = warehouse(&sandbox.project);
    // Two hours of readings, one a second per sensor: the last 30 minutes are "current".
    let sim = kiln_demo::sensors::SensorSimulator::new(now - 7200, 6);
    let rows: Vec<String> = (0..6 * 7200)
        .map(|k| sim.reading(k))
        .map(|r| format!("('{}', {}, {})", r.guid, r.ts, r.temp))
        .collect();
    adapter
        .execute(&format!(
            "insert into sensor.message (guid, ts, temp) values {}",
            rows.join(", ")
        ))
        .unwrap();

    let avg = adapter
        .query(
            "select guid, avg_temp, msg_count from main.sensor_avg_temp order by guid",
            None,
        )
        .unwrap();
    assert_eq!(avg.rows.len(), 6);
    for row in &avg.rows {
        let sensor = kiln_demo::sensors::SENSORS.iter().find(|s| row[0] == s.guid).unwrap();
        let temp = number(&row[1]);
        assert!(temp > 65.0 && temp < sensor.max_temp(), "{row:?}");
        assert_eq!(number(&row[2]), 7200.0);
    }
    let current = adapter
        .query("select sum(msg_count) from main.sensor_avg_temp_current", None)
        .unwrap();
    let recent = number(&current.rows[0][0]);
    // DATEDIFF(minute, …) counts minute boundaries, so the window is 29 to 31 minutes of readings
    // depending on where the clock stands in its minute (and the seconds this test has taken).
    assert!((6.0 * 29.0 * 60.0..=6.0 * 31.0 * 60.0).contains(&recent), "{recent}");
    let detail = adapter
        .query(
            "select installed, location from main.sensor_msg_detail \
             where guid = '03e39872-e105-4be4-83c0-9ade818465dc' limit 1",
            None,
        )
        .unwrap();
    assert_eq!(detail.rows[0][1], "Research Lab #2203");
    assert!(
        detail.rows[0][0].to_string().contains("2018-01-31"),
        "{:?}",
        detail.rows[0]
    );
    let latency = adapter
        .query("select min(diff_seconds), count(*) from main.message_latency", None)
        .unwrap();
    assert_eq!(number(&latency.rows[0][1]), 6.0 * 7200.0);
    drop(adapter);

    // The dashboard draws every panel from these views.
    let out = sandbox.dir.path().join("charts");
    let chart = sandbox.kiln_ok(&["chart", "sensor_readings", "--out", out.to_str().unwrap()]);
    let images = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(images, 8, "{}", chart.all());
}

/// The delivery stream `sensors` served in-process on 127.0.0.1, as `kiln stream serve` serves it.
fn serve_sensors_stream() -> (
    tempfile::TempDir,
    Arc<kiln_stream::Hub>,
    std::net::SocketAddr,
    tokio::runtime::Runtime,
) {
    let dir = tempfile::tempdir().unwrap();
    let hub = Arc::new(kiln_stream::Hub::open(dir.path(), kiln_stream::HubOptions::default()).unwrap());
    hub.create(kiln_stream::StreamMeta::new(
        kiln_stream::StreamKind::Firehose,
        "sensors",
        1,
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    runtime.spawn(kiln_stream::api::serve(listener, hub.clone(), std::future::pending()));
    (dir, hub, addr, runtime)
}

#[test]
fn kiln_demo_sensors_puts_readings_into_the_firehose_stream() {
    let (_dir, hub, addr, _runtime) = serve_sensors_stream();
    let sandbox = sensors();
    let url = format!("http://{addr}");
    let run = sandbox.kiln_ok(&[
        "demo",
        "sensors",
        "--endpoint-url",
        &url,
        "--rate",
        "24",
        "--count",
        "36",
    ]);
    assert!(run.stdout.contains("Sent 36 readings"), "{}", run.all());
    assert!(run.stdout.contains("] sent "), "a line a second:\n{}", run.all());
    let stream = hub.get(kiln_stream::StreamKind::Firehose, "sensors").unwrap();
    let records = stream.log.read_shard(0, 0, 1000, 1 << 20).unwrap();
    assert_eq!(records.len(), 36);
    let guids: Vec<String> = records
        .iter()
        .map(|r| {
            let reading: serde_json::Value = serde_json::from_slice(&r.data).unwrap();
            assert!(reading["ts"].is_i64() && reading["temp"].is_f64(), "{reading}");
            reading["guid"].as_str().unwrap().to_string()
        })
        .collect();
    let expected: Vec<&str> = kiln_demo::sensors::SENSORS
        .iter()
        .map(|s| s.guid)
        .cycle()
        .take(36)
        .collect();
    assert_eq!(guids, expected);
}

#[test]
fn kiln_demo_sensors_without_an_endpoint_says_how_to_start_one() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let sandbox = sensors();
    let run = sandbox.kiln(&[
        "demo",
        "sensors",
        "--endpoint-url",
        &format!("http://{addr}"),
        "--count",
        "6",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("make studio") && run.stderr.contains("kiln stream serve --project projects/sensors"),
        "{}",
        run.all()
    );
}
