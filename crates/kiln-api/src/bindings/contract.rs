//! The generated TypeScript that is not a type declaration: the operation table, the list of
//! event types and the error-code registry. ts-rs covers the types; these three were copied by
//! hand into the UI before, and drifted.

use std::collections::BTreeSet;

use kiln_diagnostics::{Code, Origin};
use ts_rs::{Config, TS};

use super::{BindingsError, HEADER};
use crate::dispatch::operation_signatures;
use crate::dto::EngineEvent;

/// A TypeScript string literal (JSON's escaping is valid TypeScript).
fn literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.escape_default()))
}

/// `operations.ts`: `OperationMap`, every operation of kiln-api's dispatch list with its request
/// and response type. `types` are the names ts-rs generates a file for.
pub(super) fn operations(cfg: &Config, types: &BTreeSet<String>) -> Result<String, BindingsError> {
    let signatures = operation_signatures(cfg);
    let mut imports = BTreeSet::new();
    for signature in &signatures {
        for ty in [&signature.request, &signature.response] {
            if !types.contains(ty) {
                return Err(BindingsError::NotGenerated {
                    operation: signature.name,
                    type_name: ty.clone(),
                });
            }
            imports.insert(ty.clone());
        }
    }
    let mut out = String::from(HEADER);
    for ty in &imports {
        out.push_str(&format!("import type {{ {ty} }} from \"./{ty}\";\n"));
    }
    out.push_str(
        "\n/**\n * Every engine operation with its request and response type, from kiln-api's dispatch list.\n \
         * Both transports derive their behaviour from this one table.\n */\nexport interface OperationMap {\n",
    );
    for signature in &signatures {
        out.push_str(&format!(
            "  {}: [{}, {}];\n",
            signature.name, signature.request, signature.response
        ));
    }
    out.push_str("}\n");
    Ok(out)
}

/// The `type` tags of the EngineEvent union, read off the declaration ts-rs generates from the
/// enum (serde's tag and renames included), so they are exactly what the engine sends.
pub(super) fn event_types(cfg: &Config) -> Result<Vec<String>, BindingsError> {
    let decl = EngineEvent::decl(cfg);
    let tags: Vec<String> = decl
        .split("{ \"type\": \"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(tag, _)| tag.to_string()))
        .collect();
    if tags.is_empty() {
        return Err(BindingsError::NoEventTypes(decl));
    }
    Ok(tags)
}

/// `events.ts`: `EVENT_TYPES`, every `type` an EngineEvent can have.
pub(super) fn events(cfg: &Config) -> Result<String, BindingsError> {
    let tags = event_types(cfg)?;
    let mut out = String::from(HEADER);
    out.push_str("import type { EngineEvent } from \"./EngineEvent\";\n\n");
    out.push_str("/** Every `type` an EngineEvent can have, from kiln-api's EngineEvent enum. */\n");
    out.push_str("export const EVENT_TYPES: readonly EngineEvent[\"type\"][] = [\n");
    for tag in &tags {
        out.push_str(&format!("  {},\n", literal(tag)));
    }
    out.push_str("];\n");
    Ok(out)
}

fn origin(origin: Origin) -> &'static str {
    match origin {
        Origin::Engine => "engine",
        Origin::Api => "api",
        Origin::Ui => "ui",
    }
}

/// `codes.ts`: `ErrorCode` (registry name → code) and `ERROR_CODES` (each code's origin and
/// meaning), from kiln-diagnostics' registry.
pub(super) fn codes() -> String {
    let mut out = String::from(HEADER);
    out.push_str("/** Every error code Kiln can show, by its name in kiln-diagnostics' registry (`Code`). */\n");
    out.push_str("export const ErrorCode = {\n");
    for code in Code::ALL {
        out.push_str(&format!("  {}: {},\n", code.name(), literal(code.as_str())));
    }
    out.push_str("} as const;\n\nexport type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];\n\n");
    out.push_str(
        "export interface ErrorCodeInfo {\n  code: ErrorCode;\n  name: keyof typeof ErrorCode;\n  \
         /** Who produces it: the engine crates, the studio API, or the studio front end. */\n  \
         origin: \"engine\" | \"api\" | \"ui\";\n  meaning: string;\n}\n\n",
    );
    out.push_str(
        "/** What each code means, in registry order. */\nexport const ERROR_CODES: readonly ErrorCodeInfo[] = [\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "  {{ code: {}, name: {}, origin: {}, meaning: {} }},\n",
            literal(code.as_str()),
            literal(code.name()),
            literal(origin(code.origin())),
            literal(code.meaning()),
        ));
    }
    out.push_str("];\n");
    out
}
