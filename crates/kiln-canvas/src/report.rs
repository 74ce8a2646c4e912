//! The round-trip check behind `kiln canvas check` and the canvas's promise that opening and
//! saving a model loses nothing.

use crate::{read_model, same_query, write_model, StepBody, StepKind};

/// What happens to one model on the canvas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTrip {
    /// Saved without edits, the file is byte for byte what it was.
    pub identical: bool,
    /// With every step printed from its parts (as after an edit to each), it is still the same
    /// query: only the formatter's layout differs.
    pub printed_same: bool,
    pub steps: usize,
    /// Steps kept as SQL text, by name.
    pub sql_steps: Vec<String>,
    pub parse_error: Option<String>,
}

pub fn round_trip(sql: &str) -> RoundTrip {
    let canvas = read_model(sql);
    let identical = write_model(&canvas).is_ok_and(|w| w.sql == sql);
    let mut edited = canvas.clone();
    for step in &mut edited.steps {
        if let Some(source) = &mut step.source {
            // Unlike any real body, so the step counts as edited and is printed.
            source.body = StepBody::Sql {
                text: String::new(),
                error: Some(String::new()),
            };
        }
    }
    let printed_same = write_model(&edited).is_ok_and(|w| same_query(&w.sql, sql));
    RoundTrip {
        identical,
        printed_same,
        steps: canvas.steps.len(),
        sql_steps: canvas
            .steps
            .iter()
            .filter(|s| s.kind() == StepKind::Sql)
            .map(|s| s.name.clone())
            .collect(),
        parse_error: canvas.parse_error,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_model_of_steps_round_trips_both_ways() {
        let report = round_trip(
            "with a as (select * from {{ ref('x') }}),\nb as (select id from a where id > 1)\nselect * from b\n",
        );
        assert!(report.identical && report.printed_same);
        assert_eq!((report.steps, report.sql_steps.len()), (2, 0));
    }

    #[test]
    fn same_query_tells_a_different_query() {
        assert!(same_query("select a from t", "SELECT a\nFROM t"));
        assert!(!same_query("select a from t", "select b from t"));
        assert!(!same_query("select a from t", "select a from t where x"));
    }

    #[test]
    fn a_broken_model_is_reported_with_its_error() {
        let report = round_trip("select a, from t where\n");
        assert!(report.identical);
        assert_eq!(report.sql_steps, vec!["output".to_string()]);
        assert!(report.parse_error.is_some());
    }
}
