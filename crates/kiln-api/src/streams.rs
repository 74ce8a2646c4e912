//! The open project's streams: its hub (the durable log under `.kiln/streams`), the loop that
//! keeps streaming views and Firehose deliveries fresh on the studio's warehouse, the
//! Kinesis/Firehose endpoint producers send to, and the Redshift streaming DDL the query console
//! runs (`CREATE EXTERNAL SCHEMA … FROM KINESIS`, `CREATE | REFRESH | DROP MATERIALIZED VIEW`).
//!
//! All of it lives here, below the transports, so `kiln serve` and the desktop app serve the same
//! endpoint and the same views.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use kiln_diagnostics::Code;
use kiln_sql::{ExternalSource, RedshiftDdl};
use kiln_stream::views::{self, StreamingView, ViewError};
use kiln_stream::{Hub, HubOptions, StreamError, StreamKind};
use kiln_warehouse::Adapter;

use crate::dto::{
    DiagnosticDto, Empty, PeekStreamRequest, Severity, StreamConsumerDto, StreamDto, StreamRecordDto, StreamRecords,
    StreamsStatus,
};
use crate::error::{ApiError, ApiResult};
use crate::state::ProjectState;
use crate::{blocking, lock, Studio};

/// The streams of the open project, with the refresh loop and the endpoint when running.
pub(crate) struct StreamEngine {
    pub hub: Arc<Hub>,
    runner: Mutex<Option<views::Runner>>,
    endpoint: Mutex<Option<Endpoint>>,
    /// Why the endpoint is not served, when it was asked for and could not be.
    endpoint_error: Mutex<Option<String>>,
}

struct Endpoint {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl StreamEngine {
    /// Opens the project's hub (refused while another process has it) and, given the
    /// warehouse, starts the refresh loop on it.
    pub fn open(state: &ProjectState, adapter: Option<Arc<dyn Adapter>>) -> Result<StreamEngine, StreamError> {
        let hub = Arc::new(Hub::open(
            &state.root.join(kiln_stream::PROJECT_STREAMS_DIR),
            HubOptions::default(),
        )?);
        declare(state, &hub, adapter.as_deref());
        let runner = adapter.map(|a| views::Runner::start(hub.clone(), a));
        Ok(StreamEngine {
            hub,
            runner: Mutex::new(runner),
            endpoint: Mutex::new(None),
            endpoint_error: Mutex::new(None),
        })
    }

    /// Serves the Kinesis/Firehose endpoint on 127.0.0.1:`port` (0: a free port) on the current
    /// tokio runtime.
    pub fn serve(&self, host: Option<std::net::IpAddr>, port: u16) -> Result<SocketAddr, String> {
        let host = host.unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]));
        let served = self.start_endpoint(SocketAddr::new(host, port));
        *lock(&self.endpoint_error) = served.as_ref().err().cloned();
        served
    }

    fn start_endpoint(&self, addr: SocketAddr) -> Result<SocketAddr, String> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| "the stream endpoint needs the engine's runtime".to_string())?;
        let listener = std::net::TcpListener::bind(addr)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| {
                format!(
                    "the Kinesis/Firehose endpoint cannot listen on {addr} ({e}); another Kiln \
                     (or kinesalite/LocalStack) may hold the port: producers of this project cannot send \
                     until it is free"
                )
            })?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let hub = self.hub.clone();
        runtime.spawn(async move {
            match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => {
                    let _ = kiln_stream::api::serve(listener, hub, async move {
                        let _ = stopped.await;
                    })
                    .await;
                }
                Err(_) => drop(stopped),
            }
        });
        *lock(&self.endpoint) = Some(Endpoint { addr, stop });
        Ok(addr)
    }

    pub fn endpoint_addr(&self) -> Option<SocketAddr> {
        lock(&self.endpoint).as_ref().map(|e| e.addr)
    }

    pub fn status(&self) -> views::RunnerStatus {
        lock(&self.runner)
            .as_ref()
            .map(views::Runner::status)
            .unwrap_or_default()
    }

    /// Stops the endpoint and the refresh loop; the hub closes when the last user lets go.
    pub fn stop(&self) {
        if let Some(endpoint) = lock(&self.endpoint).take() {
            let _ = endpoint.stop.send(());
        }
        if let Some(runner) = lock(&self.runner).take() {
            runner.stop();
        }
    }
}

impl Drop for StreamEngine {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Creates the streams the project's YAML declares (and their delivery tables); what fails is
/// logged for the studio's Log tab, the rest goes on.
pub(crate) fn declare(state: &ProjectState, hub: &Hub, adapter: Option<&dyn Adapter>) {
    let Ok(project) = state.project() else {
        return;
    };
    for error in kiln_stream::declare::apply(hub, adapter, &state.root, &project.streams) {
        state.emit(crate::dto::EngineEvent::Log {
            run_id: None,
            message: format!("{}: {error}", Code::Stream.as_str()),
        });
    }
}

fn diagnostic(message: impl Into<String>, hint: Option<&str>) -> DiagnosticDto {
    DiagnosticDto {
        code: Code::StreamDdl.as_str().to_string(),
        severity: Severity::Error,
        message: message.into(),
        file: None,
        line: None,
        column: None,
        hint: hint.map(str::to_string),
    }
}

fn view_error(e: ViewError) -> DiagnosticDto {
    match e {
        ViewError::Warehouse(w) => *crate::ApiError::from_adapter(&w).diagnostic,
        ViewError::Stream(s) => {
            let mut d = diagnostic(s.to_string(), None);
            d.code = Code::Stream.as_str().to_string();
            d
        }
        ViewError::Definition(message) => diagnostic(message, None),
    }
}

/// Runs a Redshift statement the warehouse cannot run itself; returns the line the console
/// shows as its result.
pub(crate) fn run_ddl(state: &ProjectState, adapter: &dyn Adapter, ddl: RedshiftDdl) -> Result<String, DiagnosticDto> {
    let engine = state.streams().map_err(|e| *e.diagnostic)?;
    let hub = engine.hub.as_ref();
    match ddl {
        RedshiftDdl::CreateExternalSchema {
            schema,
            source,
            iam_role,
            ..
        } => {
            if source != ExternalSource::Kinesis {
                return Err(diagnostic(
                    format!("external schema {schema}: only FROM KINESIS maps to local streams"),
                    Some("read lake files through sources with `external` locations instead"),
                ));
            }
            views::register_external_schema(adapter, &schema, iam_role.as_deref()).map_err(view_error)?;
            let streams = hub.list(StreamKind::Kinesis).len();
            Ok(format!(
                "external schema {schema} reads this project's Kinesis streams ({streams} now)"
            ))
        }
        RedshiftDdl::CreateMaterializedView {
            schema,
            name,
            auto_refresh,
            select_sql,
            ..
        } => {
            let externals = views::external_schemas(adapter).map_err(view_error)?;
            let streams = views::relations_in(&select_sql, &externals);
            if streams.len() > 1 {
                return Err(diagnostic(
                    format!(
                        "materialized view {name} reads {} streams; a streaming view reads one",
                        streams.len()
                    ),
                    Some("create one view per stream and join the views"),
                ));
            }
            let (external_schema, stream) = streams.into_iter().next().unwrap_or_default();
            let view = StreamingView {
                schema: schema.unwrap_or_else(|| state.target.schema.clone()),
                name,
                external_schema,
                stream,
                definition: select_sql,
                auto_refresh: auto_refresh.unwrap_or(false),
            };
            views::create_view(hub, adapter, &view, false).map_err(view_error)?;
            Ok(if view.is_plain() {
                format!("materialized view {} created", view.key())
            } else {
                format!(
                    "materialized view {} reads stream {}{}",
                    view.key(),
                    view.stream,
                    if view.auto_refresh {
                        " and refreshes as records arrive"
                    } else {
                        "; REFRESH MATERIALIZED VIEW takes what has arrived"
                    }
                )
            })
        }
        RedshiftDdl::RefreshMaterializedView { schema, name } => {
            let schema = schema.unwrap_or_else(|| state.target.schema.clone());
            let key = format!("{schema}.{name}");
            let view = views::list_views(adapter)
                .map_err(view_error)?
                .into_iter()
                .find(|v| v.key() == key)
                .ok_or_else(|| {
                    diagnostic(
                        format!("materialized view {key} does not exist"),
                        Some("create it with CREATE MATERIALIZED VIEW"),
                    )
                })?;
            let mut total = views::RefreshReport::default();
            loop {
                let r = views::refresh(hub, adapter, &view, 8).map_err(view_error)?;
                total.records += r.records;
                total.rejected += r.rejected;
                if view.is_plain() || r.batches < 8 {
                    break;
                }
            }
            Ok(if view.is_plain() {
                format!("materialized view {key} recomputed")
            } else {
                format!(
                    "materialized view {key}: {} new records, {} set aside in kiln_stream.scan_errors",
                    total.records - total.rejected,
                    total.rejected
                )
            })
        }
        RedshiftDdl::DropMaterializedView {
            schema,
            name,
            if_exists,
            ..
        } => {
            let schema = schema.unwrap_or_else(|| state.target.schema.clone());
            if views::drop_view(adapter, &schema, &name).map_err(view_error)? || if_exists {
                Ok(format!("materialized view {schema}.{name} dropped"))
            } else {
                Err(diagnostic(
                    format!("materialized view {schema}.{name} does not exist"),
                    Some("DROP MATERIALIZED VIEW IF EXISTS skips a missing view"),
                ))
            }
        }
        RedshiftDdl::Copy {
            schema,
            table,
            columns,
            from,
            format,
            gzip,
            ..
        } => copy(state, adapter, schema, &table, &columns, &from, &format, gzip),
    }
}

/// Where Redshift's COPY source is on this machine: `s3://<bucket>/<key>` is `<project>/lake/<key>`
/// (the bucket dropped, as the project's sources map their S3 locations), anything else a path
/// relative to the project. Like an S3 prefix, it names every file that starts with it.
fn lake_glob(root: &std::path::Path, from: &str) -> (String, std::path::PathBuf) {
    let relative = match from.strip_prefix("s3://") {
        Some(rest) => format!("lake/{}", rest.split_once('/').map_or("", |(_, key)| key)),
        None => from.to_string(),
    };
    let path = root.join(&relative);
    let glob = if path.is_dir() {
        format!("{}/**/*", path.display())
    } else {
        format!("{}*", path.display())
    };
    (glob, path)
}

/// Redshift's `COPY t [(cols)] FROM '…' CSV | DELIMITER '|' [IGNOREHEADER n] [GZIP]` on the local
/// warehouse: the files read as text and cast by the table's column types, in one statement.
#[allow(clippy::too_many_arguments)]
fn copy(
    state: &ProjectState,
    adapter: &dyn Adapter,
    schema: Option<String>,
    table: &str,
    columns: &[String],
    from: &str,
    format: &kiln_sql::CopyFormat,
    gzip: bool,
) -> Result<String, DiagnosticDto> {
    use kiln_warehouse::{quote_ident, quote_literal};
    let (delimiter, quote, skip) = match format {
        kiln_sql::CopyFormat::Csv {
            ignore_header,
            delimiter,
            quote,
        } => (delimiter.unwrap_or(','), quote.unwrap_or('"'), *ignore_header),
        kiln_sql::CopyFormat::Delimited {
            delimiter,
            ignore_header,
        } => (*delimiter, '\0', *ignore_header),
        other => {
            return Err(diagnostic(
                format!("COPY {table}: the {other:?} format is not loaded on the local warehouse yet"),
                Some("use CSV or DELIMITER here; JSON records arrive through a Firehose delivery stream"),
            ))
        }
    };
    let (glob, path) = lake_glob(&state.root, from);
    let relation = match &schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(table)),
        None => quote_ident(table),
    };
    let column_list = if columns.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
        )
    };
    let quote_option = if quote == '\0' {
        "quote = ''".to_string()
    } else {
        format!("quote = {}", quote_literal(&quote.to_string()))
    };
    let sql = format!(
        "INSERT INTO {relation}{column_list} SELECT * FROM read_csv({}, header = false, skip = {skip}, \
         delim = {}, {quote_option}, all_varchar = true, auto_detect = true, compression = {})",
        quote_literal(&glob),
        quote_literal(&delimiter.to_string()),
        if gzip { "'gzip'" } else { "'auto'" },
    );
    let rows = adapter.execute(&sql).map_err(|e| {
        let mut d = *crate::ApiError::from_adapter(&e).diagnostic;
        d.line = None;
        d.hint = Some(format!(
            "'{from}' is read from {} on this machine (an s3:// path maps to the project's lake/ folder, \
             without its bucket)",
            crate::error::slash_path(path.strip_prefix(&state.root).unwrap_or(&path))
        ));
        d
    })?;
    Ok(format!("COPY {rows} rows into {table}"))
}

fn status(engine: &StreamEngine) -> StreamsStatus {
    let mut streams = Vec::new();
    for kind in [StreamKind::Kinesis, StreamKind::Firehose] {
        for stream in engine.hub.list(kind) {
            let stats = stream.log.shard_stats();
            let totals = stream.log.totals();
            streams.push(StreamDto {
                name: stream.name().to_string(),
                kind: match kind {
                    StreamKind::Kinesis => "kinesis",
                    StreamKind::Firehose => "firehose",
                }
                .to_string(),
                shards: stream.meta.shards,
                retention_hours: stream.meta.retention_hours,
                records_in: totals.records,
                bytes_in: totals.bytes,
                records_held: stats.iter().map(|s| s.next_sequence - s.first_sequence).sum(),
                newest_arrival_ms: stats.iter().map(|s| s.last_arrival_ms).max().unwrap_or(0),
                delivery_table: stream.meta.delivery.as_ref().map(|d| d.table.clone()),
            });
        }
    }
    let consumers = engine
        .status()
        .views
        .into_iter()
        .map(|v| StreamConsumerDto {
            name: v.name,
            stream: v.stream,
            auto_refresh: v.auto_refresh,
            newest_taken_ms: v.newest_taken_ms,
            newest_arrival_ms: v.newest_arrival_ms,
            last_refresh_ms: v.last_refresh_ms,
            records: v.records,
            rejected: v.rejected,
            last_error: v.last_error,
        })
        .collect();
    StreamsStatus {
        endpoint: engine.endpoint_addr().map(|a| format!("http://{a}")),
        endpoint_error: lock(&engine.endpoint_error).clone(),
        streams,
        consumers,
    }
}

/// Bytes of a record's payload shown when peeking.
const PEEK_BYTES: usize = 4096;

fn peek(engine: &StreamEngine, request: &PeekStreamRequest) -> ApiResult<StreamRecords> {
    let kind = match request.kind.as_str() {
        "kinesis" => StreamKind::Kinesis,
        "firehose" => StreamKind::Firehose,
        other => {
            return Err(ApiError::bad_request(format!("unknown stream kind '{other}'")).hint("kinesis or firehose"))
        }
    };
    let stream = engine
        .hub
        .get(kind, &request.name)
        .map_err(|e| ApiError::new(crate::ErrorKind::NotFound, Code::Stream.as_str(), e.to_string()))?;
    let limit = request.limit.unwrap_or(20).clamp(1, 500) as usize;
    let mut records = Vec::new();
    for (shard, stats) in stream.log.shard_stats().iter().enumerate() {
        let from = stats
            .next_sequence
            .saturating_sub(limit as u64)
            .max(stats.first_sequence);
        let read = stream
            .log
            .read_shard(shard as u32, from, limit, usize::MAX)
            .map_err(|e| ApiError::new(crate::ErrorKind::Internal, Code::Stream.as_str(), e.to_string()))?;
        records.extend(read);
    }
    records.sort_by_key(|r| std::cmp::Reverse((r.arrival_ms, r.sequence)));
    records.truncate(limit);
    Ok(StreamRecords {
        records: records
            .into_iter()
            .map(|r| StreamRecordDto {
                shard_id: kiln_stream::shard::shard_id(r.shard),
                sequence_number: r.sequence.to_string(),
                partition_key: r.partition_key,
                arrival_ms: r.arrival_ms,
                data: String::from_utf8_lossy(&r.data[..r.data.len().min(PEEK_BYTES)]).into_owned(),
                bytes: u32::try_from(r.data.len()).unwrap_or(u32::MAX),
            })
            .collect(),
    })
}

impl Studio {
    /// The newest records of a stream, to see what producers send.
    pub async fn peek_stream(&self, request: PeekStreamRequest) -> ApiResult<StreamRecords> {
        let state = self.project()?;
        blocking(move || peek(&*state.streams()?, &request)).await
    }

    /// The project's streams, the endpoint producers send to, and each view's lag.
    pub async fn streams(&self, _request: Empty) -> ApiResult<StreamsStatus> {
        let state = self.project()?;
        blocking(move || Ok(status(&*state.streams()?))).await
    }
}
