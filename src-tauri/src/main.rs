//! Kiln Studio's desktop shell: a thin Tauri adapter over [`kiln_api::Studio`]. Every UI
//! operation arrives as one IPC command named in snake_case (`open_project`, `file_tree`, ...)
//! with its request under the `request` argument; one generic handler routes it to
//! [`Studio::dispatch`], so a new operation in kiln-api needs no change here. Engine events are
//! forwarded to the webview on [`EVENT_CHANNEL`].

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

use kiln_api::{ApiError, EngineEvent, OpenProjectRequest, Studio, StudioOptions};
use serde_json::Value;
use tauri::ipc::{Invoke, InvokeBody, InvokeError};
use tauri::{AppHandle, Emitter, Manager, Wry};
use tokio::sync::broadcast::error::RecvError;

/// Must match `EVENT_CHANNEL` in ui/src/backend/tauri.ts.
const EVENT_CHANNEL: &str = "kiln://event";

const USAGE: &str = "usage: kiln-studio [--project-dir <dir>] (default: projects/tickit)";

/// `file_tree` → `fileTree`: the UI's `commandName` in reverse.
fn operation_name(command: &str) -> String {
    let mut name = String::with_capacity(command.len());
    let mut upper = false;
    for c in command.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            name.extend(c.to_uppercase());
            upper = false;
        } else {
            name.push(c);
        }
    }
    name
}

/// The operation's request: the `request` argument, absent meaning "no arguments".
fn request_body(payload: &InvokeBody) -> Result<Value, ApiError> {
    match payload {
        InvokeBody::Json(Value::Object(args)) => Ok(args.get("request").cloned().unwrap_or(Value::Null)),
        InvokeBody::Json(Value::Null) => Ok(Value::Null),
        InvokeBody::Json(_) => Err(ApiError::bad_request(
            "the IPC arguments are not an object; call invoke(command, { request })",
        )),
        InvokeBody::Raw(_) => Err(ApiError::bad_request(
            "the IPC arguments are raw bytes; send the request as JSON under `request`",
        )),
    }
}

/// The UI shows the rejection's [`kiln_api::DiagnosticDto`] as is.
fn reject(error: ApiError) -> InvokeError {
    InvokeError::from(*error.diagnostic)
}

fn handle(invoke: Invoke<Wry>) -> bool {
    let operation = operation_name(invoke.message.command());
    if !kiln_api::OPERATIONS.contains(&operation.as_str()) {
        // Let Tauri report the unknown command in its usual way.
        return false;
    }
    let Some(studio) = invoke
        .message
        .webview()
        .try_state::<Studio>()
        .map(|s| s.inner().clone())
    else {
        invoke
            .resolver
            .reject(reject(ApiError::internal("the studio is not ready yet; reload the window")).0);
        return true;
    };
    let body = request_body(invoke.message.payload());
    invoke.resolver.respond_async(async move {
        let body = body.map_err(reject)?;
        studio.dispatch(&operation, body).await.map_err(reject)
    });
    true
}

/// Forwards engine events to every window until the studio goes away.
async fn forward_events(studio: Studio, app: AppHandle) {
    let mut events = studio.subscribe();
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(missed)) => EngineEvent::Log {
                run_id: None,
                message: format!("the event stream fell behind and skipped {missed} events; reload to catch up"),
            },
            Err(RecvError::Closed) => return,
        };
        if let Err(e) = app.emit(EVENT_CHANNEL, &event) {
            eprintln!("kiln-studio: cannot send an engine event to the window: {e}");
        }
    }
}

fn project_dir(mut args: impl Iterator<Item = String>) -> Result<PathBuf, String> {
    let mut dir = PathBuf::from("projects/tickit");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--project-dir" => match args.next() {
                Some(value) => dir = PathBuf::from(value),
                None => return Err(format!("--project-dir needs a folder\n{USAGE}")),
            },
            other => match other.strip_prefix("--project-dir=") {
                Some(value) => dir = PathBuf::from(value),
                None => return Err(format!("unknown argument '{other}'\n{USAGE}")),
            },
        }
    }
    Ok(dir)
}

fn main() {
    let dir = match project_dir(std::env::args().skip(1)) {
        Ok(dir) => dir,
        Err(message) => {
            eprintln!("kiln-studio: {message}");
            std::process::exit(2);
        }
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let studio = Studio::new(StudioOptions {
        stream_port: Some(kiln_api::STREAM_PORT),
        ..StudioOptions::default()
    });

    // Opened before the window exists so the UI's first projectInfo finds it. A failure is
    // not fatal: the UI shows its open-project screen and the user can pick another folder.
    let request = OpenProjectRequest {
        path: dir.display().to_string(),
    };
    if let Err(e) = tauri::async_runtime::block_on(studio.open_project(request)) {
        eprintln!("kiln-studio: cannot open the project at {}: {e}", dir.display());
    }

    let result = tauri::Builder::default()
        .manage(studio.clone())
        .invoke_handler(handle)
        .setup(move |app| {
            tauri::async_runtime::spawn(forward_events(studio, app.handle().clone()));
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("kiln-studio: the window could not start: {e}; check that a display and WebKitGTK are available");
        std::process::exit(1);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_round_trips_through_its_command_name() {
        for operation in kiln_api::OPERATIONS {
            // The UI's commandName: camelCase → snake_case.
            let mut command = String::new();
            for c in operation.chars() {
                if c.is_ascii_uppercase() {
                    command.push('_');
                    command.push(c.to_ascii_lowercase());
                } else {
                    command.push(c);
                }
            }
            assert_eq!(operation_name(&command), *operation, "command {command}");
        }
    }

    #[test]
    fn request_argument_is_unwrapped() {
        let body = request_body(&InvokeBody::Json(serde_json::json!({"request": {"path": "x"}}))).unwrap();
        assert_eq!(body, serde_json::json!({"path": "x"}));
        assert_eq!(
            request_body(&InvokeBody::Json(serde_json::json!({}))).unwrap(),
            Value::Null
        );
        assert!(request_body(&InvokeBody::Json(serde_json::json!([1]))).is_err());
    }

    #[test]
    fn project_dir_parses_both_forms_and_rejects_junk() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>().into_iter();
        assert_eq!(project_dir(args(&[])).unwrap(), PathBuf::from("projects/tickit"));
        assert_eq!(
            project_dir(args(&["--project-dir", "/a"])).unwrap(),
            PathBuf::from("/a")
        );
        assert_eq!(project_dir(args(&["--project-dir=/b"])).unwrap(), PathBuf::from("/b"));
        assert!(project_dir(args(&["--project-dir"])).is_err());
        assert!(project_dir(args(&["--nope"])).is_err());
    }
}
