//! `target/run_results.json` with the fields dbt tooling reads.

use std::path::Path;

use serde_json::{json, Value};

use crate::RunSummary;

const SCHEMA: &str = "https://schemas.getdbt.com/dbt/run-results/v6.json";

pub fn run_results_json(summary: &RunSummary, args: Value) -> Value {
    let results: Vec<Value> = summary
        .results
        .iter()
        .map(|r| {
            json!({
                "unique_id": r.unique_id,
                "status": r.status.as_str(),
                "timing": [
                    {"name": "compile", "started_at": r.started_at, "completed_at": r.started_at},
                    {"name": "execute", "started_at": r.started_at, "completed_at": r.completed_at},
                ],
                "thread_id": r.thread_id,
                "execution_time": r.execution_time,
                "adapter_response": {"_message": r.message, "rows_affected": r.rows_affected},
                "message": r.message,
                "failures": r.failures,
                "compiled": r.compiled_code.is_some(),
                "compiled_code": r.compiled_code,
                "relation_name": r.relation_name,
                "batch_results": null,
            })
        })
        .collect();
    json!({
        "metadata": {
            "dbt_schema_version": SCHEMA,
            "dbt_version": "1.11.0",
            "kiln_version": env!("CARGO_PKG_VERSION"),
            "generated_at": summary.generated_at,
            "invocation_id": summary.invocation_id,
        },
        "results": results,
        "elapsed_time": summary.elapsed,
        "args": args,
    })
}

pub fn write_run_results(path: &Path, value: &Value) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}
