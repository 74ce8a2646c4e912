//! Checks a dashboard needs no warehouse for (`kiln parse`, and the studio as a dashboard opens):
//! every column a chart names must be one its query returns, when the query's columns can be
//! read from its text. Queries whose columns cannot be known (`select *`, unaliased expressions)
//! are left to the warehouse, which names the missing column when the panel runs.

use std::path::Path;

use kiln_diagnostics::{Code, Diagnostic, Location};

use crate::spec::ChartKind;
use crate::variables::{interpolate, Selection, Variable};
use crate::{expand_macros, panel_line, Dashboard, Panel, TimeRange};

/// Stands for a variable whose choices come from a query (not run here).
const VARIABLE_STAND_IN: &str = "kiln_variable";

/// The columns a panel's chart names, each with what the chart uses it for.
fn named_columns(panel: &Panel) -> Vec<(&'static str, &str)> {
    let spec = &panel.chart;
    let mut named: Vec<(&'static str, &str)> = Vec::new();
    let single = [
        ("x", &spec.x),
        ("series", &spec.series),
        ("latitude", &spec.latitude),
        ("longitude", &spec.longitude),
        ("label", &spec.label),
        ("region", &spec.region),
    ];
    for (role, column) in single {
        if let Some(column) = column {
            named.push((role, column));
        }
    }
    for measure in &spec.y {
        if let Some(column) = &measure.column {
            named.push(("y", column));
        }
    }
    for (role, measure) in [("size", &spec.size), ("colour", &spec.color)] {
        if let Some(column) = measure.as_ref().and_then(|m| m.column.as_ref()) {
            named.push((role, column));
        }
    }
    named
}

/// A panel's query as the warehouse would get it, with stand-ins for what only a run knows
/// (variable choices from queries, the time range): enough to read its select list.
fn query_text(dashboard: &Dashboard, panel: &Panel) -> Option<String> {
    let mut choices = |variable: &Variable| -> Result<Vec<String>, String> {
        Ok(match variable.values.first() {
            Some(first) => vec![first.clone()],
            None => vec![VARIABLE_STAND_IN.to_string()],
        })
    };
    let sql = interpolate(&panel.query, &dashboard.variables, &Selection::new(), &mut choices).ok()?;
    expand_macros(&sql, &TimeRange { from: 0.0, to: 3_600.0 }).ok()
}

/// A coded error (K7001) for each column a chart names that its query certainly does not return,
/// at the panel's line in `text` (the dashboard file at `file`).
pub fn check_columns(dashboard: &Dashboard, text: &str, file: &Path) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (index, panel) in dashboard.panels.iter().enumerate() {
        if panel.chart.kind == ChartKind::Table {
            continue;
        }
        let Some(returned) = query_text(dashboard, panel).and_then(|sql| kiln_sql::output_columns(&sql)) else {
            continue;
        };
        for (role, column) in named_columns(panel) {
            if returned.iter().any(|r| r == column) {
                continue;
            }
            let hint = match kiln_diagnostics::closest(column, &returned) {
                Some(near) => format!("did you mean '{near}'? (names are matched exactly)"),
                None => format!("the query returns: {}", returned.join(", ")),
            };
            problems.push(
                Diagnostic::error(
                    Code::ChartSpec,
                    format!(
                        "panel '{}': the chart's {role} is the column '{column}', which its query does not return",
                        panel.title
                    ),
                )
                .hint(hint)
                .at(Location::at(file, panel_line(text, index).unwrap_or(1), None)),
            );
        }
    }
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::parse_dashboard;

    const FILE: &str = "dashboards/sales.yml";

    fn problems(text: &str) -> Vec<Diagnostic> {
        let dashboard = parse_dashboard(text, Path::new(FILE)).unwrap();
        check_columns(&dashboard, text, Path::new(FILE))
    }

    #[test]
    fn flags_a_column_the_query_does_not_return_at_its_panel() {
        let text = "title: Sales
variables:
  - name: state
    values: [CA, NY]
panels:
  - title: Fine
    grid: { x: 0, y: 0, w: 12, h: 6 }
    query: select catname, sum(pricepaid) as sales from {{ ref('fct_sales') }} where venuestate = '$state' group by 1
    chart: { kind: bar, x: catname, y: [{ column: sales, aggregation: sum }] }
  - title: Typo
    grid: { x: 12, y: 0, w: 12, h: 6 }
    query: |
      select $__timeGroupAlias(saletime, '1h'), sum(pricepaid) as sales from {{ ref('fct_sales') }}
      group by 1
    chart: { kind: line, x: time, y: [{ column: sale, aggregation: sum }] }
";
        // Grafana's macros are expanded first: `$__timeGroupAlias` returns a column "time".
        let found = problems(text);
        assert_eq!(found.len(), 1, "{found:?}");
        let rendered = found[0].to_string();
        assert!(rendered.contains("K7001"), "{rendered}");
        assert!(
            rendered.contains("panel 'Typo': the chart's y is the column 'sale'"),
            "{rendered}"
        );
        assert!(rendered.contains("did you mean 'sales'?"), "{rendered}");
        assert!(rendered.contains("dashboards/sales.yml:10"), "{rendered}");
    }

    #[test]
    fn leaves_unknowable_queries_and_tables_alone() {
        let text = "title: T
panels:
  - title: Star
    grid: { x: 0, y: 0, w: 12, h: 6 }
    query: select * from {{ ref('m') }}
    chart: { kind: bar, x: anything, y: [{ aggregation: count }] }
  - title: Table
    grid: { x: 12, y: 0, w: 12, h: 6 }
    query: select a from t
    chart: { kind: table, x: b }
  - title: Map
    grid: { x: 0, y: 6, w: 12, h: 6 }
    query: select lat, lon, reading from t
    chart: { kind: pointMap, latitude: lat, longitude: lng, color: { column: reading, aggregation: avg } }
";
        let found = problems(text);
        assert_eq!(found.len(), 1, "{found:?}");
        let rendered = found[0].to_string();
        assert!(rendered.contains("longitude is the column 'lng'"), "{rendered}");
        assert!(rendered.contains("dashboards/sales.yml:11"), "{rendered}");
    }
}
