//! A run handed to the studio that holds the warehouse. DuckDB lets one process write a warehouse
//! file, and a studio open on the project keeps it; so when `kiln build` (or stage, seed, run,
//! test) meets K4004 and a studio serving this project is found (kiln-serve's `discovery`), the
//! run is started there — through `startRun`, the operation the studio's own Build button uses,
//! marked as the CLI's — and followed over the studio's event stream: its log lines are printed
//! as they arrive, as this process would have printed them, and the exit code is the run's.
//!
//! The token read from the discovery file only ever goes into the `x-kiln-token` header: never
//! into a URL (ureq's errors quote URLs), a message or the output.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiln_api::{
    DiagnosticDto, EngineEvent, ProjectInfo, RunCommand, RunHistory, RunIdRequest, RunResults, RunStatus,
    StartRunRequest, StartRunResponse,
};
use kiln_compile::Manifest;
use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_serve::discovery::{self, StudioAddress};
use kiln_serve::TOKEN_HEADER;

use crate::{Global, RunArgs};

/// The first line of a handed-off run.
pub const HANDOFF_LINE: &str = "The studio has this project open; running there (it shows this run as from the CLI)";

/// How long a call to the studio may take; `startRun` answers once the run is planned, before it
/// runs.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// Without any event for this long, the run's status is asked for, in case the stream missed the
/// end (it lagged, or the connection dropped).
const QUIET_CHECK: Duration = Duration::from_secs(5);

/// K4004 as the CLI reports it when no studio can take the run: the hint names who may hold it.
pub fn locked(diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.hint(
        "a Kiln Studio (`kiln serve` or the desktop app) or another `kiln` process holds this DuckDB \
         warehouse; close it and run again, or start the run in that studio (a `kiln serve` open on \
         this project would have taken this run itself)",
    )
}

/// A refusal to hand the run over, coded as the lock it works around (K4004).
fn refuse(message: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic::error(Code::WarehouseLocked, message).hint(hint)
}

/// The studio stopped answering, or answered something that is not the API.
fn lost(what: &str, reason: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        Code::WarehouseLocked,
        format!("the studio that holds this project's warehouse {what}: {reason}"),
    )
    .hint("look at the studio's Runs panel (the run may still be going there), or close the studio and run again")
}

fn from_dto(dto: DiagnosticDto) -> Diagnostic {
    let code = Code::from_text(&dto.code).unwrap_or(Code::Internal);
    let mut diagnostic = Diagnostic::error(code, dto.message);
    diagnostic.hint = dto.hint;
    diagnostic.location = dto.file.map(|file| match dto.line {
        Some(line) => Location::at(file, line as usize, dto.column.map(|c| c as usize)),
        None => Location::file(file),
    });
    diagnostic
}

enum CallError {
    /// The server refused the token: not the studio that wrote the discovery file.
    Unauthorized,
    /// The studio's own diagnostic (a busy warehouse, a run in progress …).
    Api(Diagnostic),
    Transport(String),
}

impl CallError {
    fn into_diagnostic(self, what: &str) -> Diagnostic {
        match self {
            CallError::Api(diagnostic) => diagnostic,
            CallError::Unauthorized => lost(what, "it refused the token its discovery file holds"),
            CallError::Transport(reason) => lost(what, reason),
        }
    }
}

/// The studio's HTTP API on 127.0.0.1.
struct Client {
    base: String,
    token: String,
    calls: ureq::Agent,
}

impl Client {
    fn new(studio: &StudioAddress) -> Self {
        // No proxy: the studio is on this machine, and a proxy would be sent the token.
        let calls = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(CALL_TIMEOUT))
            .build()
            .into();
        Client {
            base: studio.base_url(),
            token: studio.token.clone(),
            calls,
        }
    }

    fn call<Req: serde::Serialize, Res: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        request: &Req,
    ) -> Result<Res, CallError> {
        let body = serde_json::to_vec(request).map_err(|e| CallError::Transport(e.to_string()))?;
        let response = self
            .calls
            .post(format!("{}/api/{operation}", self.base))
            .header(TOKEN_HEADER, &self.token)
            .header("content-type", "application/json")
            .send(&body[..])
            .map_err(|e| CallError::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .read_to_string()
            .map_err(|e| CallError::Transport(e.to_string()))?;
        if status == 401 {
            return Err(CallError::Unauthorized);
        }
        if !(200..300).contains(&status) {
            #[derive(serde::Deserialize)]
            struct ErrorBody {
                error: DiagnosticDto,
            }
            return Err(match serde_json::from_str::<ErrorBody>(&text) {
                Ok(body) => CallError::Api(from_dto(body.error)),
                Err(_) => CallError::Transport(format!("{operation} answered HTTP {status}")),
            });
        }
        serde_json::from_str(&text).map_err(|e| CallError::Transport(format!("{operation} answered: {e}")))
    }

    /// The studio's events, read on a thread of their own into a channel that closes when the
    /// stream ends. Subscribed before the run starts, so no line of it is missed.
    fn events(&self) -> Result<mpsc::Receiver<EngineEvent>, CallError> {
        // No overall time-out: the stream lasts as long as the run.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_connect(Some(Duration::from_secs(5)))
            .build()
            .into();
        let response = agent
            .get(format!("{}/api/events", self.base))
            .header(TOKEN_HEADER, &self.token)
            .header("accept", "text/event-stream")
            .call()
            .map_err(|e| CallError::Transport(e.to_string()))?;
        match response.status().as_u16() {
            200 => {}
            401 => return Err(CallError::Unauthorized),
            status => return Err(CallError::Transport(format!("the event stream answered HTTP {status}"))),
        }
        let reader = BufReader::new(response.into_body().into_reader());
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            // Server-Sent Events: each event's JSON on `data:` lines, ended by a blank line;
            // keep-alive comments start with `:`.
            let mut data = String::new();
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("data:") {
                    data.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                } else if line.is_empty() && !data.is_empty() {
                    if let Ok(event) = serde_json::from_str::<EngineEvent>(&data) {
                        if sender.send(event).is_err() {
                            break;
                        }
                    }
                    data.clear();
                }
            }
        });
        Ok(receiver)
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The studio's name of a command it can run (`compile` needs no warehouse, so never comes here).
fn run_command(command: kiln_exec::Command) -> Option<RunCommand> {
    match command {
        kiln_exec::Command::Stage => Some(RunCommand::Stage),
        kiln_exec::Command::Seed => Some(RunCommand::Seed),
        kiln_exec::Command::Run => Some(RunCommand::Run),
        kiln_exec::Command::Test => Some(RunCommand::Test),
        kiln_exec::Command::Build => Some(RunCommand::Build),
        kiln_exec::Command::Compile => None,
    }
}

/// Flags a studio run cannot take: refused by name rather than silently dropped, since the run
/// would then not be the one asked for.
fn unsupported_flags(global: &Global, args: &RunArgs) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if global.vars.is_some() {
        // The studio's manifest was parsed with its own (no) variables.
        flags.push("--vars");
    }
    if args.fail_fast {
        flags.push("--fail-fast");
    }
    if args.selection.indirect_selection != "eager" {
        flags.push("--indirect-selection");
    }
    flags
}

/// Runs `command` in the studio holding the warehouse, or returns `locked_error` (with a better
/// hint) when no studio serves this project. `unmatched` are the selectors the local plan found
/// no node for, warned about after the run as a local run does.
pub fn run_in_studio(
    global: &Global,
    command: kiln_exec::Command,
    args: &RunArgs,
    manifest: &Manifest,
    unmatched: &[String],
    locked_error: Diagnostic,
) -> anyhow::Result<ExitCode> {
    let Some(studio) = discovery::lookup(&manifest.root) else {
        return Err(locked(locked_error).into());
    };
    let client = Client::new(&studio);
    let info: ProjectInfo = match client.call("projectInfo", &kiln_api::Empty {}) {
        Ok(info) => info,
        Err(CallError::Unauthorized) => {
            // Not the server that wrote the entry (its port was taken over): the entry is stale.
            discovery::forget(&studio);
            return Err(locked(locked_error).into());
        }
        Err(_) => return Err(locked(locked_error).into()),
    };
    // The studio may have moved on to another project or target: then it is not the holder.
    let holds_it = same_file(Path::new(&info.root), &manifest.root)
        && match (&info.warehouse_path, &manifest.target.path) {
            (Some(theirs), Some(ours)) => same_file(Path::new(theirs), ours),
            _ => false,
        };
    if !holds_it {
        return Err(locked(locked_error).into());
    }
    let flags = unsupported_flags(global, args);
    if !flags.is_empty() {
        return Err(refuse(
            format!(
                "the studio has this project open and holds its warehouse, and a run handed to it cannot take {}",
                flags.join(", ")
            ),
            "run without them (the studio runs with its own settings), or close the studio and run again",
        )
        .into());
    }

    let Some(run_command) = run_command(command) else {
        return Err(locked(locked_error).into());
    };

    let events = client.events().map_err(|e| e.into_diagnostic("cannot be followed"))?;
    println!("{HANDOFF_LINE}");
    let request = StartRunRequest {
        command: run_command,
        select: args.selection.select.clone(),
        exclude: args.selection.exclude.clone(),
        threads: args.threads.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
        full_refresh: args.full_refresh.then_some(true),
        client: None,
        cli_pid: Some(std::process::id()),
    };

    // Ctrl-C cancels the run in the studio; pressed before the run has an id, it is cancelled as
    // soon as it has one.
    let run_id: Arc<Mutex<Option<String>>> = Arc::default();
    let cancel_asked = Arc::new(AtomicBool::new(false));
    let cancel = {
        let client = Client::new(&studio);
        let run_id = run_id.clone();
        let cancel_asked = cancel_asked.clone();
        Arc::new(move || {
            cancel_asked.store(true, Ordering::SeqCst);
            let id = run_id.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if let Some(id) = id {
                eprintln!("\ncancelling: asking the studio to stop the run…");
                if let Err(e) = client.call::<_, serde_json::Value>("cancelRun", &RunIdRequest { run_id: id }) {
                    eprintln!("{}", e.into_diagnostic("did not take the cancel"));
                }
            }
        })
    };
    {
        // A second Ctrl-C falls through to the default handler only if this one fails to install.
        let cancel = cancel.clone();
        let _ = ctrlc::set_handler(move || cancel());
    }

    let started: StartRunResponse = client
        .call("startRun", &request)
        .map_err(|e| e.into_diagnostic("did not start the run"))?;
    *run_id.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(started.run_id.clone());
    if cancel_asked.load(Ordering::SeqCst) {
        cancel();
    }

    let status = follow(&client, &started.run_id, &events)?;
    for word in unmatched {
        eprintln!("warning: the selector '{word}' matched no nodes");
    }
    Ok(match status {
        RunStatus::Success => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// Prints the run's log lines as they arrive and returns its final status.
fn follow(client: &Client, run_id: &str, events: &mpsc::Receiver<EngineEvent>) -> Result<RunStatus, Diagnostic> {
    let mut printed = 0usize;
    let mut header_done = false;
    loop {
        match events.recv_timeout(QUIET_CHECK) {
            Ok(EngineEvent::Log {
                run_id: Some(id),
                message,
            }) if id == run_id => {
                println!("{message}");
                printed += 1;
            }
            Ok(EngineEvent::NodeStarted { run_id: id, .. } | EngineEvent::NodeFinished { run_id: id, .. })
                if id == run_id && !header_done =>
            {
                // A local run prints a blank line between its header and the first node.
                println!();
                header_done = true;
            }
            Ok(EngineEvent::RunFinished { run_id: id, status, .. }) if id == run_id => return Ok(status),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => {
                if let Some(status) = finished_status(client, run_id)? {
                    print_rest(client, run_id, printed)?;
                    return Ok(status);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                // The stream ended (the studio stopped, or dropped us): ask until the run is over.
                loop {
                    if let Some(status) = finished_status(client, run_id)? {
                        print_rest(client, run_id, printed)?;
                        return Ok(status);
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        }
    }
}

/// The run's status once it is over, from `runHistory`.
fn finished_status(client: &Client, run_id: &str) -> Result<Option<RunStatus>, Diagnostic> {
    let history: RunHistory = client
        .call("runHistory", &kiln_api::Empty {})
        .map_err(|e| e.into_diagnostic("stopped answering during the run"))?;
    let record = history
        .runs
        .into_iter()
        .find(|run| run.run_id == run_id)
        .ok_or_else(|| lost("lost the run", format!("its history has no run {run_id}")))?;
    Ok((record.status != RunStatus::Running).then_some(record.status))
}

/// The log lines the event stream did not deliver (the studio keeps the whole log, in order).
fn print_rest(client: &Client, run_id: &str, printed: usize) -> Result<(), Diagnostic> {
    let results: RunResults = client
        .call(
            "runResults",
            &RunIdRequest {
                run_id: run_id.to_string(),
            },
        )
        .map_err(|e| e.into_diagnostic("stopped answering during the run"))?;
    for line in results.log.iter().skip(printed) {
        println!("{line}");
    }
    Ok(())
}
