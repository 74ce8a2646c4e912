//! Firehose delivery into a table, as Redshift's `COPY <table> (<columns>) FROM … JSON 'auto'`
//! loads what Firehose staged: every JSON object in a record becomes a row, object keys name
//! the columns (exactly, or ignoring case with `'auto ignorecase'`), columns a record lacks
//! take their default (an IDENTITY, `created DEFAULT now`) or NULL. A record that does not
//! load is kept with its reason in `kiln_stream.load_errors`, like `STL_LOAD_ERRORS`.

use kiln_warehouse::{quote_ident, quote_literal, Adapter, BatchType, BatchValue, RejectedRow, RowBatch};

use super::refresh::{bookkeeping, excerpt, scan_states, Rejection, BATCH_RECORDS};
use super::{ViewError, BATCH_TABLE};
use crate::log::Record;
use crate::{Delivery, Hub, StreamKind};

/// What one delivery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub records: usize,
    /// Rows inserted (a record may hold several JSON objects).
    pub rows: usize,
    pub rejected: usize,
    pub newest_arrival_ms: i64,
}

/// The consumer name of a delivery stream in `scan_states`.
pub fn consumer(stream: &str) -> String {
    format!("firehose:{stream}")
}

enum KeyCase {
    Exact,
    Ignore,
}

fn json_mode(options: &str) -> Result<KeyCase, ViewError> {
    let lower = options.to_ascii_lowercase();
    if lower.contains("'auto ignorecase'") {
        Ok(KeyCase::Ignore)
    } else if lower.contains("json") && lower.contains("'auto'") || lower.trim().is_empty() {
        Ok(KeyCase::Exact)
    } else {
        Err(ViewError::Definition(format!(
            "delivery COPY options `{options}` are not supported locally yet: use JSON 'auto' or JSON 'auto ignorecase'"
        )))
    }
}

/// Splits a record into its JSON objects (Firehose concatenates records; a producer may put
/// several objects, newline-separated or not, in one).
fn objects(data: &[u8], case: &KeyCase) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(data).map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to()))?;
    let mut out = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
        let value = value.map_err(|e| format!("not valid JSON: {e}"))?;
        let serde_json::Value::Object(map) = value else {
            return Err("a JSON value that is not an object cannot be mapped to columns".into());
        };
        let map: serde_json::Map<String, serde_json::Value> = match case {
            KeyCase::Exact => map,
            KeyCase::Ignore => map.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect(),
        };
        out.push(serde_json::Value::Object(map).to_string());
    }
    if out.is_empty() {
        return Err("the record holds no JSON object".into());
    }
    Ok(out)
}

/// Delivers a Firehose stream's waiting records into its table (at most `max_batches`
/// transactions). The caller decides when, from the buffering hints.
pub fn deliver(
    hub: &Hub,
    adapter: &dyn Adapter,
    stream_name: &str,
    max_batches: usize,
) -> Result<DeliveryReport, ViewError> {
    let stream = hub.get(StreamKind::Firehose, stream_name)?;
    let Some(delivery) = stream.meta.delivery.clone() else {
        return Ok(DeliveryReport::default());
    };
    if !super::has_bookkeeping(adapter)? {
        super::ensure_bookkeeping(adapter)?;
    }
    let case = json_mode(&delivery.copy_options)?;
    let insert = insert_sql(adapter, &delivery)?;
    let consumer = consumer(stream_name);
    let mut consumed = scan_states(adapter, &consumer, 1)?;
    let mut pos = stream.log.position_after(&consumed);
    let mut report = DeliveryReport::default();
    for _ in 0..max_batches.max(1) {
        let read = stream.log.read_from(&mut pos, BATCH_RECORDS, 32 << 20)?;
        let records: Vec<&Record> = read.iter().filter(|r| r.sequence > consumed[0]).collect();
        if records.is_empty() {
            if read.is_empty() {
                break;
            }
            continue;
        }
        let mut rows = Vec::new();
        // Which record each batch row came from.
        let mut origin: Vec<&Record> = Vec::new();
        let mut rejections = Vec::new();
        for r in &records {
            match objects(&r.data, &case) {
                Ok(objs) => {
                    for o in objs {
                        rows.push(vec![BatchValue::Text(Some(o))]);
                        origin.push(r);
                    }
                }
                Err(reason) => rejections.push(Rejection { record: r, reason }),
            }
        }
        let batch = RowBatch {
            table: BATCH_TABLE.into(),
            columns: vec![("data".into(), BatchType::Varchar)],
            rows,
        };
        let table = delivery.table.clone();
        let finish = |rejected: &[RejectedRow]| {
            let mut sql = bookkeeping(&consumer, stream_name, &records, &[]);
            let mut errors: Vec<(&Record, String)> = rejections.iter().map(|r| (r.record, r.reason.clone())).collect();
            errors.extend(
                rejected
                    .iter()
                    .filter_map(|x| origin.get(x.row).map(|r| (*r, x.message.clone()))),
            );
            if !errors.is_empty() {
                let values: Vec<String> = errors
                    .iter()
                    .map(|(r, reason)| {
                        format!(
                            "({}, {}, '{}', {}, {}, {}, CAST(now() AS TIMESTAMP))",
                            quote_literal(stream_name),
                            quote_literal(&table),
                            r.sequence,
                            quote_literal(&column_of(reason)),
                            quote_literal(&excerpt(&r.data)),
                            quote_literal(reason),
                        )
                    })
                    .collect();
                sql.push_str(&format!(
                    "INSERT INTO kiln_stream.load_errors VALUES {};\n",
                    values.join(",\n")
                ));
            }
            sql
        };
        let outcome = adapter.apply_batch(&batch, &insert, &finish)?;
        for r in &records {
            consumed[0] = consumed[0].max(r.sequence);
            report.newest_arrival_ms = report.newest_arrival_ms.max(r.arrival_ms);
        }
        report.records += records.len();
        report.rows += outcome.kept;
        report.rejected += rejections.len() + outcome.rejected.len();
    }
    Ok(report)
}

/// The column a conversion error names, when it names one (for `load_errors.colname`).
fn column_of(reason: &str) -> String {
    reason
        .split("column \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// `INSERT INTO t (cols) SELECT CAST(json_extract_string(data, '$."col"') AS <type>), … FROM
/// the batch`, the types read from the table.
fn insert_sql(adapter: &dyn Adapter, delivery: &Delivery) -> Result<String, ViewError> {
    let (schema, name) = match delivery.table.split_once('.') {
        Some((s, n)) => (s.to_string(), n.to_string()),
        None => ("main".to_string(), delivery.table.clone()),
    };
    let rel = kiln_warehouse::Relation::new(schema.clone(), name.clone());
    let columns = adapter.columns(&rel)?;
    if columns.is_empty() {
        return Err(ViewError::Definition(format!(
            "the delivery table {} does not exist: create it first (a model, a seed's DDL or CREATE TABLE)",
            delivery.table
        )));
    }
    let wanted: Vec<String> = if delivery.columns.is_empty() {
        columns.iter().map(|c| c.name.clone()).collect()
    } else {
        delivery.columns.iter().map(|c| c.trim().to_lowercase()).collect()
    };
    let mut names = Vec::new();
    let mut exprs = Vec::new();
    for col in &wanted {
        let info = columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(col))
            .ok_or_else(|| {
                ViewError::Definition(format!(
                    "the delivery's column '{col}' is not in table {} (columns: {})",
                    delivery.table,
                    columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
        names.push(quote_ident(&info.name));
        let path = quote_literal(&format!("$.\"{}\"", col.replace('"', "\\\"")));
        exprs.push(format!(
            "CAST(json_extract_string(data, {path}) AS {ty}) AS {alias}",
            ty = info.data_type,
            alias = quote_ident(&info.name)
        ));
    }
    Ok(format!(
        "INSERT INTO {}.{} ({}) SELECT {} FROM temp.main.{BATCH_TABLE}",
        quote_ident(&schema),
        quote_ident(&name),
        names.join(", "),
        exprs.join(", ")
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn records_split_into_objects_and_bad_ones_say_why() {
        let got = objects(br#"{"guid":"a","ts":1} {"guid":"b","ts":2}"#, &KeyCase::Exact).unwrap();
        assert_eq!(got.len(), 2);
        let got = objects(br#"{"GUID":"a"}"#, &KeyCase::Ignore).unwrap();
        assert_eq!(got, [r#"{"guid":"a"}"#]);
        assert!(objects(b"\xff\xfe", &KeyCase::Exact).unwrap_err().contains("UTF-8"));
        assert!(objects(b"{\"a\":", &KeyCase::Exact).unwrap_err().contains("JSON"));
        assert!(objects(b"[1,2]", &KeyCase::Exact).unwrap_err().contains("object"));
        assert!(json_mode("csv").is_err());
        assert!(matches!(json_mode("json 'auto'"), Ok(KeyCase::Exact)));
    }
}
