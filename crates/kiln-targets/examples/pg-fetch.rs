//! Fetches one query's whole result from a PostgreSQL-protocol server the way Kiln does, and
//! prints one JSON line of timings, for `bench/postgres` (issue 10, fetch throughput):
//!
//!     cargo build -p kiln-targets --example pg-fetch
//!     PGPASSWORD=… pg-fetch --via wire|targets --host 127.0.0.1 --port 5432 --user kiln \
//!         --dbname postgres [--type postgres|redshift] [--first-rows 200] --sql 'select …'
//!
//! `--via wire` streams through `kiln_postgres::WireExecutor` (`Executor::stream`); `--via targets`
//! opens the target through `kiln_targets::open` (a `SqlAdapter` over the same executor, which
//! also splits the script into statements) and streams through `Adapter::stream`. The sink counts
//! rows and values and drops them, as `psql … > /dev/null` drops its output. Output fields, all
//! seconds: `connect_s` (pool opened and one session logged in), `first_rows_s` (query sent →
//! `--first-rows` rows handed over), `query_s` (query sent → the last batch handed over), and
//! `rows`, `nulls`, `batches`, `vm_hwm_kib` (the process's peak RSS from /proc).

use std::cell::Cell;
use std::process::ExitCode;
use std::time::Instant;

use kiln_pgsql::{Executor, Flow};
use kiln_postgres::WireExecutor;
use kiln_project::{Secret, Target, TargetKind};
use kiln_warehouse::ColumnInfo;
use serde_json::{Map, Value};

struct Args {
    via: String,
    kind: TargetKind,
    host: String,
    port: u16,
    user: String,
    dbname: String,
    sql: String,
    first_rows: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        via: "wire".into(),
        kind: TargetKind::Postgres,
        host: "127.0.0.1".into(),
        port: 5432,
        user: "postgres".into(),
        dbname: "postgres".into(),
        sql: String::new(),
        first_rows: 200,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--via" => args.via = value()?,
            "--type" => {
                args.kind = match value()?.as_str() {
                    "postgres" => TargetKind::Postgres,
                    "redshift" => TargetKind::Redshift,
                    other => return Err(format!("--type {other}: use postgres or redshift")),
                }
            }
            "--host" => args.host = value()?,
            "--port" => args.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--user" => args.user = value()?,
            "--dbname" => args.dbname = value()?,
            "--sql" => args.sql = value()?,
            "--first-rows" => args.first_rows = value()?.parse().map_err(|e| format!("--first-rows: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.sql.is_empty() {
        return Err("--sql is required".into());
    }
    if args.via != "wire" && args.via != "targets" {
        return Err(format!("--via {}: use wire or targets", args.via));
    }
    Ok(args)
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("pg-fetch: {message}");
            return ExitCode::from(2);
        }
    };
    let target = Target {
        profile_name: "bench".into(),
        name: "bench".into(),
        kind: args.kind.clone(),
        schema: "public".into(),
        database: Some(args.dbname.clone()),
        // One session: the pool holds threads + 1.
        threads: 1,
        path: None,
        host: Some(args.host.clone()),
        port: Some(args.port),
        user: Some(args.user.clone()),
        password: std::env::var("PGPASSWORD").ok().map(Secret::new),
        settings: Map::new(),
        source_file: None,
    };

    let mut rows = 0usize;
    let mut nulls = 0usize;
    let mut batches = 0usize;
    let mut columns = 0usize;
    let mut first_rows_s: Option<f64> = None;
    let first_rows = args.first_rows;
    let started = Instant::now();
    let outcome: Result<(f64, f64), String> = (|| {
        let sent = Cell::new(Instant::now());
        let mut sink = |cols: &[ColumnInfo], batch: Vec<Vec<Value>>| {
            columns = cols.len();
            batches += 1;
            rows += batch.len();
            nulls += batch.iter().flatten().filter(|v| v.is_null()).count();
            if first_rows_s.is_none() && rows >= first_rows {
                first_rows_s = Some(sent.get().elapsed().as_secs_f64());
            }
            Flow::More
        };
        match args.via.as_str() {
            "wire" => {
                let executor = WireExecutor::for_target(&target).map_err(|e| e.to_string())?;
                let connect_s = started.elapsed().as_secs_f64();
                sent.set(Instant::now());
                executor.stream(&args.sql, &mut sink).map_err(|e| e.to_string())?;
                Ok((connect_s, sent.get().elapsed().as_secs_f64()))
            }
            _ => {
                let adapter = kiln_targets::open(&target, 1).map_err(|d| d.message.clone())?;
                let connect_s = started.elapsed().as_secs_f64();
                sent.set(Instant::now());
                adapter.stream(&args.sql, &mut sink).map_err(|e| e.to_string())?;
                Ok((connect_s, sent.get().elapsed().as_secs_f64()))
            }
        }
    })();
    match outcome {
        Ok((connect_s, query_s)) => {
            let line = serde_json::json!({
                "tool": format!("kiln-{}", args.via),
                "connect_s": connect_s,
                "first_rows_s": first_rows_s,
                "query_s": query_s,
                "rows": rows,
                "columns": columns,
                "nulls": nulls,
                "batches": batches,
                "vm_hwm_kib": vm_hwm_kib(),
            });
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("pg-fetch: {message}");
            ExitCode::FAILURE
        }
    }
}
