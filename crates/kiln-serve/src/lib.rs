//! `kiln serve`: Kiln Studio's engine API ([`kiln_api::Studio`]) over HTTP on 127.0.0.1, so the
//! studio also runs in a browser.
//!
//! * `POST /api/<operation>` with the request JSON → the response JSON, or
//!   `{ "error": DiagnosticDto }` with a 4xx/5xx status.
//! * `GET /api/events`: Server-Sent Events, each `data:` line one `EngineEvent` as JSON.
//! * Everything else: the built UI — from `--ui-dist` when given, else the copy compiled into the
//!   binary (`build.rs`) — with unknown paths answered by `index.html` so client-side routes
//!   survive a reload.
//!
//! `kiln serve` also announces itself in a per-user discovery file ([`discovery`]), so a
//! `kiln build` in a terminal that finds the warehouse locked by this studio runs there instead.
//!
//! Every request must carry the per-launch token: header `x-kiln-token`, query `?token=`, or the
//! `kiln_token` cookie that the first page load with `?token=` sets (the browser then sends it
//! with the scripts, styles and the event stream, which cannot carry custom headers).

pub mod discovery;
mod embedded;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kiln_api::{ApiError, EngineEvent, OpenProjectRequest, Studio, StudioOptions};
use rand::Rng;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};
use tower_http::services::{ServeDir, ServeFile};

/// Header carrying the token on API calls.
pub const TOKEN_HEADER: &str = "x-kiln-token";
const TOKEN_COOKIE: &str = "kiln_token";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}; pick another --port (0 picks a free one)")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot open the project: {0}")]
    Open(#[from] ApiError),
    #[error("cannot start the server's runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the server stopped: {0}")]
    Stopped(std::io::Error),
}

/// A fresh random token (128 bits, hex).
pub fn new_token() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone)]
struct AppState {
    studio: Studio,
    token: Arc<str>,
    /// `kiln serve`'s discovery entry; `None` for servers that are not announced (tests).
    announce: Option<Arc<Announce>>,
}

/// The discovery entry of the project the studio has open, moved along when it opens another.
struct Announce {
    port: u16,
    token: Arc<str>,
    current: std::sync::Mutex<Option<discovery::Registration>>,
}

impl Announce {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<discovery::Registration>> {
        self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn project_opened(&self, root: &Path) {
        let mut slot = self.slot();
        // The previous project's entry goes first: its warehouse is no longer held here.
        *slot = None;
        match discovery::register(root, self.port, &self.token) {
            Ok(registration) => *slot = Some(registration),
            Err(e) => eprintln!("warning: {e}"),
        }
    }

    fn withdraw(&self) {
        *self.slot() = None;
    }
}

/// Comparison time does not depend on where the strings differ, so the token cannot be guessed
/// byte by byte from response times.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn query_token(request: &Request) -> Option<String> {
    request.uri().query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "token").then(|| value.to_string())
    })
}

fn cookie_token(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|cookies| {
            cookies.split(';').find_map(|cookie| {
                let (key, value) = cookie.trim().split_once('=')?;
                (key == TOKEN_COOKIE).then(|| value.to_string())
            })
        })
}

fn error_body(status: StatusCode, error: &ApiError) -> Response {
    (status, Json(serde_json::json!({ "error": error.diagnostic }))).into_response()
}

async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let header_token = request
        .headers()
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let from_query = query_token(&request);
    let presented = header_token
        .or_else(|| from_query.clone())
        .or_else(|| cookie_token(&request));
    if !presented.as_deref().is_some_and(|t| same_secret(t, &state.token)) {
        let error = ApiError::new(
            kiln_api::ErrorKind::BadRequest,
            kiln_api::codes::UNAUTHORIZED,
            "missing or wrong Kiln Studio token",
        )
        .hint("open the URL that `kiln serve` printed (it ends in ?token=…), or send the x-kiln-token header");
        return error_body(StatusCode::UNAUTHORIZED, &error);
    }
    let mut response = next.run(request).await;
    if from_query.is_some() {
        let cookie = format!("{TOKEN_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", state.token);
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn operation(State(state): State<AppState>, UrlPath(name): UrlPath<String>, body: Bytes) -> Response {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(e) => {
                let error = ApiError::bad_request(format!("the request body is not JSON: {e}"));
                return error_body(StatusCode::BAD_REQUEST, &error);
            }
        }
    };
    match state.studio.dispatch(&name, request).await {
        Ok(value) => {
            if let (Some(announce), "openProject", Some(root)) =
                (&state.announce, name.as_str(), value["root"].as_str())
            {
                announce.project_opened(Path::new(root));
            }
            Json(value).into_response()
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.kind.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_body(status, &error)
        }
    }
}

/// An export prepared with `download: true`, streamed once as an attachment and then deleted.
async fn download(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let (file, name) = match state.studio.take_download(&id) {
        Ok(found) => found,
        Err(error) => {
            let status = StatusCode::from_u16(error.kind.http_status()).unwrap_or(StatusCode::NOT_FOUND);
            return error_body(status, &error);
        }
    };
    let opened = tokio::fs::File::open(&file).await;
    // Open first, then delete: the open file streams on without its name (Unix semantics), and
    // nothing is left behind in the scratch folder.
    state.studio.finish_download(&file);
    let file = match opened {
        Ok(file) => file,
        Err(e) => {
            let error = ApiError::internal(format!("the download {id} could not be read: {e}"));
            return error_body(StatusCode::INTERNAL_SERVER_ERROR, &error);
        }
    };
    let length = file.metadata().await.map(|m| m.len()).ok();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    let kind = mime_guess::from_path(&name).first_or_octet_stream();
    if let Ok(value) = HeaderValue::from_str(kind.essence_str()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Some(length) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback plus the exact
/// name percent-encoded for browsers that read it.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

fn event_stream(studio: &Studio) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
    BroadcastStream::new(studio.subscribe()).map(|item| {
        let event = match item {
            Ok(event) => event,
            Err(BroadcastStreamRecvError::Lagged(missed)) => EngineEvent::Log {
                run_id: None,
                message: format!("the event stream fell behind and skipped {missed} events; reload to catch up"),
            },
        };
        Ok(Event::default()
            .json_data(&event)
            .unwrap_or_else(|_| Event::default().comment("unencodable event")))
    })
}

async fn events(State(state): State<AppState>) -> impl IntoResponse {
    Sse::new(event_stream(&state.studio)).keep_alive(KeepAlive::default())
}

async fn no_ui() -> Html<&'static str> {
    Html(
        "<!doctype html><meta charset=utf-8><title>Kiln Studio</title>\
         <p>The Kiln Studio API is running, but this <code>kiln</code> was built without its UI. Build the UI \
         with <code>make ui</code> (or <code>npm run build</code> in <code>ui/</code>) and rebuild <code>kiln</code>, \
         or start <code>kiln serve --ui-dist ui/dist</code>.</p>",
    )
}

/// Serves the UI compiled into the binary: the file itself, or `index.html` for the app's own
/// routes (a reload on a deep link). Hashed `assets/` are cached for good, `index.html` never, so
/// a new build is picked up on the next load.
async fn embedded_ui(uri: Uri) -> Response {
    match embedded::lookup(embedded::FILES, uri.path()) {
        Some((name, bytes)) => {
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let cache = if name.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, mime.essence_str().to_string()),
                    (header::CACHE_CONTROL, cache.to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The router: API, event stream and UI (from `ui_dist`, else the embedded one), all behind the
/// token check.
pub fn router(studio: Studio, token: &str, ui_dist: Option<&Path>) -> Router {
    router_with(studio, token, ui_dist, None)
}

fn router_with(studio: Studio, token: &str, ui_dist: Option<&Path>, announce: Option<Arc<Announce>>) -> Router {
    let state = AppState {
        studio,
        token: Arc::from(token),
        announce,
    };
    let api = Router::new()
        .route("/api/events", get(events))
        .route("/api/download/{id}", get(download))
        .route("/api/{operation}", post(operation));
    // `--ui-dist` (UI development) wins over the UI compiled into the binary.
    let app = match ui_dist {
        Some(dir) if dir.join("index.html").is_file() => {
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))))
        }
        _ if embedded::has_ui() => api.fallback(embedded_ui),
        _ => api.fallback(no_ui),
    };
    app.layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub token: String,
    /// `http://127.0.0.1:PORT/?token=…`
    pub url: String,
    task: JoinHandle<std::io::Result<()>>,
    announce: Option<Arc<Announce>>,
}

impl Server {
    /// Waits until the server fails (it runs until stopped otherwise).
    pub async fn wait(self) -> Result<(), ServeError> {
        match self.task.await {
            Ok(result) => result.map_err(ServeError::Stopped),
            Err(e) => Err(ServeError::Stopped(std::io::Error::other(e))),
        }
    }

    /// Stops serving at once; open event streams are cut.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Binds 127.0.0.1:`port` (0 = a free port) and serves in the background.
pub async fn start(studio: Studio, port: u16, token: String, ui_dist: Option<PathBuf>) -> Result<Server, ServeError> {
    start_with(studio, port, token, ui_dist, None).await
}

/// [`start`], announced in the discovery file of the project at `announce_root` (and of each
/// project the studio opens later) until the server is stopped.
async fn start_with(
    studio: Studio,
    port: u16,
    token: String,
    ui_dist: Option<PathBuf>,
    announce_root: Option<&Path>,
) -> Result<Server, ServeError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| ServeError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { port, source })?;
    let announce = announce_root.map(|root| {
        let announce = Arc::new(Announce {
            port: addr.port(),
            token: Arc::from(token.as_str()),
            current: std::sync::Mutex::new(None),
        });
        announce.project_opened(root);
        announce
    });
    let app = router_with(studio, &token, ui_dist.as_deref(), announce.clone());
    let task = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/?token={token}");
    Ok(Server {
        addr,
        token,
        url,
        task,
        announce,
    })
}

/// Resolves when the process is asked to stop: Ctrl-C, or (on Unix) SIGTERM, as a service
/// manager or `kill` sends — either way the discovery entry is removed and the warehouse let go.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// What `kiln serve` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ServeConfig {
    pub project_dir: Option<PathBuf>,
    pub port: u16,
    pub ui_dist: Option<PathBuf>,
    pub open: bool,
    pub profiles_dir: Option<PathBuf>,
    pub target: Option<String>,
    /// The project's Kinesis/Firehose endpoint port (`None`: not served).
    pub stream_port: Option<u16>,
}

fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

/// `kiln serve`: opens the project, serves until Ctrl-C, then lets go of the warehouse.
pub fn serve_forever(config: ServeConfig) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let studio = Studio::new(StudioOptions {
            profiles_dir: config.profiles_dir.clone(),
            target: config.target.clone(),
            stream_port: config.stream_port,
            ..StudioOptions::default()
        });
        let project_dir = config.project_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let info = studio
            .open_project(OpenProjectRequest {
                path: project_dir.to_string_lossy().into_owned(),
            })
            .await?;
        let ui_dist = config.ui_dist.clone();
        match &ui_dist {
            Some(dir) if !dir.join("index.html").is_file() => eprintln!(
                "warning: {} has no index.html; {}",
                dir.display(),
                if embedded::has_ui() {
                    "serving the UI built into kiln instead"
                } else {
                    "build the UI with `npm run build` in ui/"
                }
            ),
            None if !embedded::has_ui() => eprintln!(
                "warning: this kiln was built without the studio UI; build it with `make ui` and rebuild kiln"
            ),
            _ => {}
        }
        let server = start_with(
            studio.clone(),
            config.port,
            new_token(),
            ui_dist,
            Some(Path::new(&info.root)),
        )
        .await?;
        println!("Kiln Studio: {}", server.url);
        println!("Project {} ({}); press Ctrl-C to stop.", info.name, info.root);
        if config.stream_port.is_some() {
            match studio.streams(kiln_api::Empty {}).await.map(|s| s.endpoint) {
                Ok(Some(endpoint)) => println!(
                    "Kinesis/Firehose endpoint: {endpoint} (point producers at it: AWS_ENDPOINT_URL={endpoint})"
                ),
                Ok(None) => eprintln!("warning: the Kinesis/Firehose endpoint is not served (see the studio's log)"),
                Err(e) => eprintln!("warning: the project's streams cannot open: {e}"),
            }
        }
        if config.open {
            if let Err(e) = open_browser(&server.url) {
                eprintln!("could not open a browser ({e}); open the URL above yourself");
            }
        }
        let announced = server.announce.clone();
        let outcome = tokio::select! {
            result = server.wait() => result,
            _ = stop_requested() => Ok(()),
        };
        if let Some(announce) = announced {
            announce.withdraw();
        }
        studio.close_project();
        outcome?;
        Ok(())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_as_attachments() {
        assert_eq!(
            content_disposition("sales 2024.csv"),
            "attachment; filename=\"sales 2024.csv\"; filename*=UTF-8''sales%202024.csv"
        );
        assert_eq!(
            content_disposition("ventes_été\".csv"),
            "attachment; filename=\"ventes__t__.csv\"; filename*=UTF-8''ventes_%C3%A9t%C3%A9%22.csv"
        );
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = new_token();
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, new_token());
    }

    #[test]
    fn compares_secrets() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
