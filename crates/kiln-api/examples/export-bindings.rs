//! Regenerates `ui/src/api/generated/` from the Rust side of the contract: the wire types, the
//! operation table, the event types and the error codes. `make bindings` runs it; the test
//! `generated_bindings_are_fresh` fails until its output is committed.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(kiln_api::BINDINGS_DIR);
    match kiln_api::write_bindings(&dir) {
        Ok(changed) if changed.is_empty() => {
            println!("{} is up to date", kiln_api::BINDINGS_DIR);
            ExitCode::SUCCESS
        }
        Ok(changed) => {
            println!("updated {}: {}", kiln_api::BINDINGS_DIR, changed.join(", "));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export-bindings: {e}");
            ExitCode::FAILURE
        }
    }
}
