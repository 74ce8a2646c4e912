//! Dashboard variables, as Grafana's SQL data sources have them: a drop-down of choices (from a
//! query's first column, or a fixed list), single or multi-select, with an optional "All".
//! Panel queries name a variable as `$name`, `${name}` or `[[name]]`; the selection is written
//! into the SQL exactly as Grafana's PostgreSQL/Redshift sources write it, so an imported
//! dashboard's queries keep working: a single-select variable without "All" is written raw
//! (`where state = '$state'`), a multi-select or "All" variable as a list of quoted literals
//! (`where state in ($states)`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The selection that means "every choice" (Grafana's own marker).
pub const ALL: &str = "$__all";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// What panel queries write after `$`: letters, digits and `_`.
    pub name: String,
    /// The drop-down's caption (the name when empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// SQL whose first column lists the choices (Jinja allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub query: Option<String>,
    /// Fixed choices, when there is no query.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi: bool,
    /// Offer "All" first. (YAML may spell it `include_all`, as dbt-style files do, or
    /// `includeAll`, as Grafana does.)
    #[serde(default, alias = "include_all", skip_serializing_if = "std::ops::Not::not")]
    pub include_all: bool,
    /// What "All" writes into SQL, raw (e.g. `%` for a LIKE); every choice when absent.
    #[serde(default, alias = "all_value", skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub all_value: Option<String>,
    /// Selected when the dashboard opens: values, or `$__all`; the first choice when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default: Vec<String>,
}

impl Variable {
    pub fn caption(&self) -> &str {
        if self.label.is_empty() {
            &self.name
        } else {
            &self.label
        }
    }
}

/// What the user picked, per variable name.
pub type Selection = BTreeMap<String, Vec<String>>;

/// Whether `name` can be a variable's name.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with("__") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The SQL text one variable stands for, given what is selected and (for "All" without an
/// `all_value`) every choice.
fn written(variable: &Variable, selected: &[String], choices: &[String]) -> String {
    let all = selected.iter().any(|v| v == ALL);
    if all {
        if let Some(raw) = &variable.all_value {
            return raw.clone();
        }
    }
    let values: &[String] = if all { choices } else { selected };
    if !(variable.multi || variable.include_all) {
        return values.first().cloned().unwrap_or_default();
    }
    if values.is_empty() {
        // `in ()` does not parse; `in (NULL)` matches nothing, which is what an empty pick means.
        return "NULL".into();
    }
    values.iter().map(|v| quoted(v)).collect::<Vec<_>>().join(",")
}

/// The selection a variable starts with: its default, else its first choice.
pub fn initial(variable: &Variable, choices: &[String]) -> Vec<String> {
    if !variable.default.is_empty() {
        return variable.default.clone();
    }
    if variable.include_all {
        return vec![ALL.into()];
    }
    choices.first().cloned().into_iter().collect()
}

/// Choices a variable's drop-down offers at most.
pub const MAX_CHOICES: usize = 1_000;

/// A variable query's choices: the first column of `sql` (compiled for the warehouse, one
/// statement), NULLs left out. The studio and `kiln chart` both list choices this way.
pub fn query_choices(adapter: &dyn kiln_warehouse::Adapter, sql: &str) -> Result<Vec<String>, String> {
    let result = adapter
        .query(sql.trim().trim_end_matches(';'), Some(MAX_CHOICES))
        .map_err(|e| e.to_string())?;
    Ok(result
        .rows
        .iter()
        .filter_map(|row| match row.first()? {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
        .collect())
}

/// `sql` with every `$name`, `${name}` and `[[name]]` of a declared variable replaced.
/// `choices(variable)` lists a variable's choices (run only when "All" needs them). Names that are
/// not variables (`$__timeFilter`, `$1`, text in quotes that merely looks alike) stay as written.
pub fn interpolate(
    sql: &str,
    variables: &[Variable],
    selection: &Selection,
    choices: &mut dyn FnMut(&Variable) -> Result<Vec<String>, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(['$', '[']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (name, used) = reference(tail);
        match name.and_then(|n| variables.iter().find(|v| v.name == n)) {
            Some(variable) => {
                let picked = selection.get(&variable.name).cloned().unwrap_or_default();
                let needs_choices =
                    picked.is_empty() || picked.iter().any(|v| v == ALL) && variable.all_value.is_none();
                let list = if needs_choices { choices(variable)? } else { Vec::new() };
                let picked = if picked.is_empty() {
                    initial(variable, &list)
                } else {
                    picked
                };
                out.push_str(&written(variable, &picked, &list));
                rest = &tail[used..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A variable's choices: its fixed values, or its query's answer with the variables declared
/// before it written in, so that one drop-down can depend on another (chained variables, as in
/// Grafana: `select city from cities where state in ($state)`). `run` compiles and runs a query
/// (SQL with Jinja) and lists its first column. An earlier variable without a pick takes its
/// first choice, listed the same way.
pub fn variable_choices(
    variables: &[Variable],
    variable: &Variable,
    selection: &Selection,
    run: &mut dyn FnMut(&str) -> Result<Vec<String>, String>,
) -> Result<Vec<String>, String> {
    let Some(query) = &variable.query else {
        return Ok(variable.values.clone());
    };
    let index = variables
        .iter()
        .position(|v| v.name == variable.name)
        .unwrap_or(variables.len());
    let earlier = &variables[..index];
    let sql = interpolate(query, earlier, selection, &mut |before| {
        variable_choices(earlier, before, selection, &mut *run)
    })?;
    run(&sql)
}

/// The variable name a `$…`/`[[…]]` at the start of `text` refers to, and how many bytes it spans.
fn reference(text: &str) -> (Option<&str>, usize) {
    let word = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    if let Some(inner) = text.strip_prefix("${") {
        if let Some(end) = inner.find('}') {
            // `${name:format}`: the format is Grafana's; Kiln writes the SQL default for each.
            let name = inner[..end].split(':').next().unwrap_or_default();
            return (Some(name), end + 3);
        }
    } else if let Some(inner) = text.strip_prefix("[[") {
        if let Some(end) = inner.find("]]") {
            return (Some(&inner[..end]), end + 4);
        }
    } else if let Some(inner) = text.strip_prefix('$') {
        let end = word(inner);
        return (Some(&inner[..end]), end + 1);
    }
    (None, 1)
}

/// Every variable name a text refers to (declared or not), for checking panels.
pub fn references(sql: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find(['$', '[']) {
        let (name, used) = reference(&rest[at..]);
        if let Some(name) = name.filter(|n| valid_name(n) && !n.chars().all(|c| c.is_ascii_digit())) {
            if !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
        }
        rest = &rest[at + used.max(1)..];
    }
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn chained_variables_see_the_picks_declared_before_them() {
        let state = Variable {
            name: "state".into(),
            query: Some("select state from venues".into()),
            ..Variable::default()
        };
        let city = Variable {
            name: "city".into(),
            query: Some("select city from venues where state = '$state'".into()),
            ..Variable::default()
        };
        let variables = vec![state, city.clone()];
        let mut asked = Vec::new();
        let mut run = |sql: &str| -> Result<Vec<String>, String> {
            asked.push(sql.to_string());
            Ok(if sql.starts_with("select state") {
                vec!["CA".into(), "NY".into()]
            } else {
                vec!["x".into()]
            })
        };
        let mut picked = Selection::new();
        picked.insert("state".into(), vec!["NY".into()]);
        variable_choices(&variables, &city, &picked, &mut run).unwrap();
        variable_choices(&variables, &city, &Selection::new(), &mut run).unwrap();
        variable_choices(&variables[..1], &variables[0], &Selection::new(), &mut run).unwrap();
        assert_eq!(
            asked,
            vec![
                "select city from venues where state = 'NY'",
                // No pick: the first of state's choices, listed first.
                "select state from venues",
                "select city from venues where state = 'CA'",
                "select state from venues",
            ]
        );
    }

    use super::*;

    fn variable(name: &str, multi: bool, include_all: bool) -> Variable {
        Variable {
            name: name.into(),
            label: String::new(),
            query: None,
            values: vec!["CA".into(), "NY".into(), "O'Hare".into()],
            multi,
            include_all,
            all_value: None,
            default: Vec::new(),
        }
    }

    fn run(sql: &str, variables: &[Variable], selection: &[(&str, &[&str])]) -> String {
        let selection: Selection = selection
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.iter().map(|s| (*s).to_string()).collect()))
            .collect();
        interpolate(sql, variables, &selection, &mut |v| Ok(v.values.clone())).unwrap()
    }

    #[test]
    fn single_values_are_raw_and_lists_are_quoted_as_grafana_writes_them() {
        let vars = [variable("state", false, false), variable("states", true, false)];
        assert_eq!(
            run(
                "where s = '$state' and t in (${states}) and u in ([[states]])",
                &vars,
                &[("state", &["CA"]), ("states", &["NY", "O'Hare"])]
            ),
            "where s = 'CA' and t in ('NY','O''Hare') and u in ('NY','O''Hare')"
        );
    }

    #[test]
    fn all_is_every_choice_or_the_all_value() {
        let mut vars = [variable("states", false, true)];
        assert_eq!(
            run("in ($states)", &vars, &[("states", &[ALL])]),
            "in ('CA','NY','O''Hare')"
        );
        vars[0].all_value = Some("%".into());
        assert_eq!(run("like '$states'", &vars, &[("states", &[ALL])]), "like '%'");
    }

    #[test]
    fn nothing_selected_takes_the_default_or_first_choice() {
        let vars = [variable("state", false, false), variable("states", true, false)];
        assert_eq!(run("$state", &vars, &[]), "CA");
        assert_eq!(run("($states)", &vars, &[("states", &[])]), "('CA')");
    }

    #[test]
    fn macros_positional_parameters_and_unknown_names_stay() {
        let vars = [variable("state", false, false)];
        let sql = "where $__timeFilter(t) and a = $1 and b = $other and c[1] = 2 and $state_x";
        assert_eq!(run(sql, &vars, &[("state", &["CA"])]), sql);
        assert_eq!(references(sql), vec!["other", "state_x"]);
    }
}
