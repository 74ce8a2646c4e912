//! The logistics sample project (projects/logistics) end to end, with the real binary, endpoint
//! and warehouse: it builds from nothing, `kiln stream serve` serves its two Kinesis streams,
//! `kiln demo logistics` puts customers and orders on them, the workshop's streaming materialized
//! views fill, the models over them answer with what was sent, the workshop's PartiQL and route
//! queries run, and every dashboard panel draws.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{interrupt, repo_root, statuses, stream_serve, Sandbox};
use kiln_demo::logistics::{self, LogisticsSimulator, DEFAULT_SEED};
use kiln_warehouse::{Adapter, DuckDbAdapter};

const ORDERS: u64 = 200;
const CUSTOMERS: u32 = 20;

fn logistics_project() -> std::path::PathBuf {
    repo_root().join("projects").join("logistics")
}

fn bless() -> bool {
    std::env::var_os("KILN_BLESS").is_some_and(|v| v == "1")
}

/// The seed files are what kiln-demo generates (`KILN_BLESS=1` writes them again).
#[test]
fn the_seed_files_are_the_generators() {
    let seeds = logistics_project().join("seeds");
    let expected = [
        (
            "customer.csv",
            logistics::customers_csv(DEFAULT_SEED, logistics::DEFAULT_CUSTOMERS),
        ),
        ("fleet.csv", logistics::fleet_csv(DEFAULT_SEED)),
    ];
    for (file, text) in expected {
        let path = seeds.join(file);
        if bless() {
            std::fs::write(&path, &text).unwrap();
        }
        let found = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            found == text,
            "{} is not what kiln-demo generates; run `KILN_BLESS=1 cargo test -p kiln-cli --test logistics` to \
             write it again",
            path.display()
        );
    }
}

#[test]
fn the_streams_are_declared() {
    let project = kiln_project::load_project(&logistics_project()).unwrap();
    assert!(project.warnings.is_empty(), "{}", project.warnings);
    let streams: Vec<(&str, kiln_project::StreamDeclKind, u32, u32)> = project
        .streams
        .iter()
        .map(|s| (s.name.as_str(), s.kind, s.shards, s.retention_hours))
        .collect();
    assert_eq!(
        streams,
        [
            ("customer_stream", kiln_project::StreamDeclKind::Kinesis, 1, 72),
            ("order_stream", kiln_project::StreamDeclKind::Kinesis, 2, 72),
        ]
    );
}

fn warehouse(project: &Path) -> DuckDbAdapter {
    DuckDbAdapter::open(&project.join(".kiln/warehouse.duckdb"), 1).unwrap()
}

fn count(db: &DuckDbAdapter, relation: &str) -> u64 {
    db.query(&format!("SELECT count(*) FROM {relation}"), None)
        .unwrap()
        .rows[0][0]
        .as_u64()
        .unwrap()
}

fn number(value: &serde_json::Value) -> f64 {
    match value {
        serde_json::Value::Number(n) => n.as_f64().unwrap(),
        serde_json::Value::String(s) => s.parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

/// Rows of a Redshift query, run as Kiln runs the console's SQL on the local warehouse.
fn redshift(db: &DuckDbAdapter, sql: &str) -> Vec<Vec<serde_json::Value>> {
    let translated = kiln_sql::redshift_to_duckdb(sql);
    db.query(&translated, None)
        .unwrap_or_else(|e| panic!("{sql}\n-- on DuckDB --\n{translated}\nfailed: {e}"))
        .rows
}

#[test]
fn kiln_demo_logistics_fills_the_workshops_views_and_dashboard() {
    let sandbox = Sandbox::new(&logistics_project());
    let root = sandbox.project.clone();

    // From nothing: the build creates the streams, the seeds, the (empty) streaming views and
    // the models over them, and its tests pass on no data.
    let build = sandbox.kiln_ok(&["build"]);
    let found = statuses(&sandbox.json("target/run_results.json"));
    let bad: Vec<_> = found
        .iter()
        .filter(|(_, s)| !matches!(s.as_str(), "success" | "pass"))
        .collect();
    assert!(bad.is_empty(), "{bad:?}\n{}", build.all());
    let models: Vec<&str> = found
        .keys()
        .filter_map(|id| id.strip_prefix("model.logistics."))
        .collect();
    assert_eq!(
        models,
        [
            "consignment_predictions",
            "consignment_routes",
            "customer_stream",
            "fleet_summary",
            "order_stream"
        ]
    );

    // The endpoint, and the simulator against it.
    let (server, url) = stream_serve(&root, &sandbox.home);
    let demo = sandbox.kiln(&[
        "demo",
        "logistics",
        "--endpoint-url",
        &url,
        "--count",
        &ORDERS.to_string(),
        "--customers",
        &CUSTOMERS.to_string(),
        "--rate",
        "400",
    ]);
    if demo.code != Some(0) {
        interrupt(server);
        panic!("kiln demo logistics failed:\n{}", demo.all());
    }
    assert!(
        demo.stdout
            .contains(&format!("Put {CUSTOMERS} customers on 'customer_stream'")),
        "{}",
        demo.all()
    );
    assert!(demo.stdout.contains(&format!("Put {ORDERS} orders")), "{}", demo.all());

    // AUTO REFRESH takes the records within tens of milliseconds; one process owns the
    // warehouse at a time, so stop the server to read it (and serve again if it was not enough).
    let mut server = Some(server);
    let start = Instant::now();
    let db = loop {
        std::thread::sleep(Duration::from_millis(1500));
        interrupt(server.take().unwrap());
        let db = warehouse(&root);
        let (orders, customers) = (count(&db, "main.order_stream"), count(&db, "main.customer_stream"));
        if (orders, customers) == (ORDERS, u64::from(CUSTOMERS)) || start.elapsed() > Duration::from_secs(30) {
            break db;
        }
        drop(db);
        server = Some(stream_serve(&root, &sandbox.home).0);
    };
    if let Some(server) = server {
        interrupt(server);
    }

    let sim = LogisticsSimulator::new(DEFAULT_SEED, CUSTOMERS, 0, 400);
    let sent: Vec<logistics::Order> = (0..ORDERS).map(|k| sim.order(k)).collect();

    // order_stream: the workshop's columns, one row per order, the values sent.
    let columns = db
        .query("SELECT * FROM main.order_stream LIMIT 0", None)
        .unwrap()
        .columns
        .into_iter()
        .map(|c| c.name.to_ascii_lowercase())
        .collect::<Vec<_>>();
    assert_eq!(
        columns,
        [
            "approximatearrivaltimestamp",
            "consignmentid",
            "order_timestamp",
            "delivery_address",
            "delivery_state",
            "origin_address",
            "origin_state",
            "delay_probability",
            "days_to_deliver",
            "delivery_distance",
            "userid",
            "revenue",
            "cost"
        ]
    );
    let rows = db
        .query(
            "SELECT consignmentid, delivery_state, origin_state, delay_probability, days_to_deliver, \
                    delivery_distance, userid, revenue, cost, delivery_address, order_timestamp, \
                    ApproximateArrivalTimestamp IS NOT NULL \
             FROM main.order_stream ORDER BY consignmentid",
            None,
        )
        .unwrap()
        .rows;
    assert_eq!(rows.len() as u64, ORDERS);
    for (row, order) in rows.iter().zip(&sent) {
        assert_eq!(row[0].as_u64(), Some(order.consignmentid), "{row:?}");
        assert_eq!(row[1], order.delivery_state.as_str(), "{row:?}");
        assert_eq!(row[2], order.origin_state.as_str(), "{row:?}");
        assert!(["LOW", "MEDIUM", "HIGH"].contains(&row[3].as_str().unwrap()), "{row:?}");
        assert_eq!(row[4].as_u64(), Some(u64::from(order.days_to_deliver)), "{row:?}");
        assert!((number(&row[5]) - order.delivery_distance).abs() < 1e-9, "{row:?}");
        assert_eq!(row[6].as_u64(), Some(order.userid), "{row:?}");
        assert!((number(&row[7]) - order.revenue).abs() < 1e-9, "{row:?}");
        assert!((number(&row[8]) - order.cost).abs() < 1e-9, "{row:?}");
        assert_eq!(row[9], order.delivery_address.as_str(), "{row:?}");
        assert!(row[10].as_str().unwrap().starts_with("20"), "{row:?}");
        assert_eq!(row[11], true, "{row:?}");
    }
    let revenue: f64 = sent.iter().map(|o| o.revenue).sum();
    let cost: f64 = sent.iter().map(|o| o.cost).sum();

    // customer_stream: one SUPER payload per customer, navigable.
    let customers = redshift(
        &db,
        "SELECT customer_data.userid::INT, customer_data.name::VARCHAR FROM customer_stream ORDER BY 1",
    );
    assert_eq!(customers.len(), CUSTOMERS as usize);
    for (row, userid) in customers.iter().zip(0u64..) {
        assert_eq!(row[0].as_u64(), Some(userid), "{row:?}");
        assert_eq!(row[1], sim.customer(userid).name.as_str(), "{row:?}");
    }

    // The workshop's PartiQL query: customers per state.
    let mut by_state: BTreeMap<String, u64> = BTreeMap::new();
    for userid in 0..u64::from(CUSTOMERS) {
        *by_state.entry(sim.customer(userid).state).or_default() += 1;
    }
    let partiql = |sql: &str| -> BTreeMap<String, u64> {
        redshift(&db, sql)
            .into_iter()
            .map(|r| (r[1].as_str().unwrap_or("<null>").to_string(), r[0].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(
        partiql("SELECT count(1), customer_data.state::VARCHAR FROM customer_stream GROUP BY customer_data.state"),
        by_state
    );

    // The workshop's route query (the consignment_routes model) over both streams.
    let mut routes: BTreeMap<(String, String), u64> = BTreeMap::new();
    for o in &sent {
        *routes
            .entry((o.delivery_state.clone(), sim.customer(o.userid).state))
            .or_default() += 1;
    }
    let found: BTreeMap<(String, String), u64> = db
        .query(
            "SELECT delivery_state, origin_state, consignments FROM main.consignment_routes",
            None,
        )
        .unwrap()
        .rows
        .into_iter()
        .map(|r| {
            (
                (r[0].as_str().unwrap().to_string(), r[1].as_str().unwrap().to_string()),
                r[2].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, routes);

    // consignment_predictions: every order, trimmed states, dates, the company of the customer.
    let p = db
        .query(
            "SELECT count(*), sum(revenue), sum(cost), sum(profit), sum(high_delay), \
                    count(DISTINCT destination_state), min(length(destination_state)), \
                    count(company), min(expected_delivery_date - consignment_date), \
                    max(expected_delivery_date - consignment_date), count(consignment_date) \
             FROM main.consignment_predictions",
            None,
        )
        .unwrap()
        .rows;
    let p = &p[0];
    assert_eq!(p[0].as_u64(), Some(ORDERS), "{p:?}");
    assert!((number(&p[1]) - revenue).abs() < 1e-6, "{p:?} vs {revenue}");
    assert!((number(&p[2]) - cost).abs() < 1e-6, "{p:?} vs {cost}");
    assert!((number(&p[3]) - (revenue - cost)).abs() < 1e-6, "{p:?}");
    let high = rows.iter().filter(|r| r[3] == "HIGH").count() as f64;
    assert_eq!(number(&p[4]), high, "{p:?}");
    assert!(number(&p[6]) >= 2.0, "states are trimmed: {p:?}");
    assert_eq!(p[7].as_u64(), Some(ORDERS), "every customer is in the seed: {p:?}");
    assert_eq!((number(&p[8]), number(&p[9])), (2.0, 6.0), "{p:?}");
    assert_eq!(p[10].as_u64(), Some(ORDERS), "{p:?}");

    // fleet_summary: the 222 vehicles, every order leaving from and arriving in some state.
    let f = db
        .query(
            "SELECT count(*), sum(vehicles), sum(consignments_out), sum(consignments_in), sum(revenue), \
                    sum(high_delay_in), sum(vehicles_on_the_move + vehicles_in_maintenance) \
             FROM main.fleet_summary",
            None,
        )
        .unwrap()
        .rows;
    let f = &f[0];
    assert_eq!(
        (number(&f[0]), number(&f[1]), number(&f[2]), number(&f[3])),
        (8.0, 222.0, ORDERS as f64, ORDERS as f64),
        "{f:?}"
    );
    assert!((number(&f[4]) - revenue).abs() < 1e-6, "{f:?}");
    assert_eq!(number(&f[5]), high, "{f:?}");
    assert_eq!(number(&f[6]), 222.0, "{f:?}");
    drop(db);

    // Built again over the data: the views are kept (nothing read twice) and every test passes.
    let build = sandbox.kiln_ok(&["build"]);
    let bad: Vec<_> = statuses(&sandbox.json("target/run_results.json"))
        .into_iter()
        .filter(|(_, s)| !matches!(s.as_str(), "success" | "pass"))
        .collect();
    assert!(bad.is_empty(), "{bad:?}\n{}", build.all());
    assert_eq!(
        count(&warehouse(&root), "main.order_stream"),
        ORDERS,
        "a rebuild takes no record twice"
    );

    // The dashboard draws every panel from these models.
    let file = root.join("dashboards/logistics.yml");
    let panels = kiln_dash::parse_dashboard(&std::fs::read_to_string(&file).unwrap(), &file)
        .map(|d| d.panels.len())
        .unwrap();
    let out = sandbox.dir.path().join("charts");
    let chart = sandbox.kiln_ok(&["chart", "logistics", "--out", out.to_str().unwrap()]);
    let images = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(images, panels, "{}", chart.all());
}

/// `kiln build` of a fresh clone on four threads: the two streaming views build at once, and
/// both need kiln_stream's bookkeeping tables (once a catalog write-write conflict in DuckDB).
#[test]
fn a_fresh_build_with_threads_passes() {
    let sandbox = Sandbox::new(&logistics_project());
    let build = sandbox.kiln(&["build", "--threads", "4"]);
    assert_eq!(build.code, Some(0), "{}", build.all());
}

/// The workshop's PartiQL query exactly as it prints it, `customer_data.STATE` in capitals.
/// Redshift folds the unquoted path to lower case (enable_case_sensitive_identifier is off by
/// default) and finds `state`; Kiln's navigation is case-sensitive (a documented difference), so
/// today the query answers one row: every customer under a NULL state.
#[test]
#[ignore = "engine difference: PartiQL navigation is case-sensitive, so customer_data.STATE finds nothing"]
fn the_workshops_partiql_query_as_printed() {
    let sandbox = Sandbox::new(&logistics_project());
    let run = sandbox.kiln_ok(&[
        "show",
        "--inline",
        "SELECT count(1), customer_data.STATE::VARCHAR FROM \
         (SELECT JSON_PARSE('{\"userid\": 0, \"state\": \" VIC\"}') AS customer_data) customer_stream \
         GROUP BY customer_data.STATE",
    ]);
    assert!(run.stdout.contains(" VIC"), "{}", run.all());
}

/// The data of every record of a Kinesis stream, all shards.
fn stream_records(hub: &kiln_stream::Hub, name: &str) -> Vec<String> {
    let stream = hub.get(kiln_stream::StreamKind::Kinesis, name).unwrap();
    let mut records: Vec<String> = (0..stream.meta.shards)
        .flat_map(|shard| stream.log.read_shard(shard, 0, 100_000, 1 << 30).unwrap())
        .map(|r| String::from_utf8(r.data).unwrap())
        .collect();
    records.sort();
    records
}

/// Against an endpoint that throttles (ten records a second per shard), the simulator's
/// PutRecords sends the records Kinesis refuses — and only those — again: every customer and
/// order lands exactly once.
#[test]
fn refused_records_and_only_those_are_sent_again() {
    let dir = tempfile::tempdir().unwrap();
    let hub = std::sync::Arc::new(
        kiln_stream::Hub::open(
            dir.path(),
            kiln_stream::HubOptions {
                shard_limit: Some(kiln_stream::ShardLimit {
                    records_per_second: 10,
                    bytes_per_second: 1 << 20,
                }),
                ..kiln_stream::HubOptions::default()
            },
        )
        .unwrap(),
    );
    for (name, shards) in [("customer_stream", 1), ("order_stream", 2)] {
        hub.create(kiln_stream::StreamMeta::new(
            kiln_stream::StreamKind::Kinesis,
            name,
            shards,
        ))
        .unwrap();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(kiln_stream::api::serve(listener, hub.clone(), std::future::pending()));

    let run = logistics::LogisticsRun {
        endpoint_url: url,
        seed: DEFAULT_SEED,
        customers: 15,
        rate: 10_000,
        duration: None,
        count: Some(45),
        start_ms: 1_653_900_000_000,
    };
    let mut customers = None;
    let total = logistics::run_logistics(
        &run,
        &std::sync::atomic::AtomicBool::new(false),
        |r| customers = Some(*r),
        |_| {},
    )
    .unwrap();
    let customers = customers.unwrap();
    assert_eq!((customers.customers_before, customers.first_order), (0, 0));
    assert_eq!(customers.put.sent, 15);
    assert!(customers.put.failed >= 5, "{customers:?}");
    assert_eq!(total.sent, 45);
    assert!(total.failed > 0, "{total:?}");

    let sim = LogisticsSimulator::new(DEFAULT_SEED, 15, run.start_ms, run.rate);
    let mut expected: Vec<String> = (0..15)
        .map(|u| String::from_utf8(sim.customer_record(u).data).unwrap())
        .collect();
    expected.sort();
    assert_eq!(stream_records(&hub, "customer_stream"), expected);
    let mut expected: Vec<String> = (0..45)
        .map(|k| String::from_utf8(sim.order_record(k).data).unwrap())
        .collect();
    expected.sort();
    assert_eq!(stream_records(&hub, "order_stream"), expected);

    // A second run goes on from there, as the workshop's producers do with their DynamoDB key:
    // the 5 customers not there yet, consignments 45 to 54.
    let again = logistics::LogisticsRun {
        customers: 20,
        count: Some(10),
        ..run
    };
    let mut resumed = None;
    logistics::run_logistics(
        &again,
        &std::sync::atomic::AtomicBool::new(false),
        |r| resumed = Some(*r),
        |_| {},
    )
    .unwrap();
    let resumed = resumed.unwrap();
    assert_eq!(
        (resumed.customers_before, resumed.first_order, resumed.put.sent),
        (15, 45, 5)
    );
    let ids = |stream: &str, key: &str| -> Vec<u64> {
        let mut ids: Vec<u64> = stream_records(&hub, stream)
            .iter()
            .map(|r| {
                serde_json::from_str::<serde_json::Value>(r).unwrap()[key]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids("customer_stream", "userid"), (0..20).collect::<Vec<_>>());
    assert_eq!(ids("order_stream", "consignmentid"), (0..55).collect::<Vec<_>>());
}

#[test]
fn kiln_demo_logistics_without_an_endpoint_says_how_to_start_one() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let sandbox = Sandbox::new(&logistics_project());
    let run = sandbox.kiln(&[
        "demo",
        "logistics",
        "--endpoint-url",
        &format!("http://{addr}"),
        "--count",
        "5",
    ]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("kiln stream serve --project projects/logistics"),
        "{}",
        run.all()
    );
}
