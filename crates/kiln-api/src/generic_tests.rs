//! The generic tests the project can use (`genericTests`), for the docs' "+ test" picker, and the
//! YAML of one test with its arguments, as `addColumnTest` writes it into a properties file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::dto::Empty;
use crate::error::{slash_path, ApiError, ApiResult};
use crate::state::ProjectState;
use crate::{blocking, Studio};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TestOriginDto {
    Builtin,
    Project,
    Package,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestArgumentDto {
    pub name: String,
    pub required: bool,
    /// The default as the macro's signature writes it (`true`, `none`, `'x'`).
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GenericTestDto {
    /// As written in YAML: `accepted_values`, `is_positive`, `dbt_utils.expression_is_true`.
    pub name: String,
    pub origin: TestOriginDto,
    /// The package that defines it (origin `package`).
    pub package: Option<String>,
    /// Whether it tests a column (its macro takes `column_name`).
    pub takes_column: bool,
    /// Besides `model` and `column_name`, in the signature's order.
    pub arguments: Vec<TestArgumentDto>,
    pub description: String,
    /// The defining file (none for built-ins).
    pub path: Option<String>,
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GenericTestsResponse {
    pub tests: Vec<GenericTestDto>,
}

/// One argument of a test to add, as its YAML value (`values: ["a", "b"]`, `to: "ref('x')"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestArgumentValue {
    pub name: String,
    #[ts(type = "unknown")]
    pub value: Value,
}

fn to_dto(test: kiln_compile::GenericTest) -> GenericTestDto {
    let (origin, package) = match test.origin {
        kiln_compile::TestOrigin::Builtin => (TestOriginDto::Builtin, None),
        kiln_compile::TestOrigin::Project => (TestOriginDto::Project, None),
        kiln_compile::TestOrigin::Package(name) => (TestOriginDto::Package, Some(name)),
    };
    GenericTestDto {
        name: test.name,
        origin,
        package,
        takes_column: test.takes_column,
        arguments: test
            .arguments
            .into_iter()
            .map(|a| TestArgumentDto {
                required: a.required(),
                name: a.name,
                default: a.default,
            })
            .collect(),
        description: test.description,
        path: test.file.as_deref().map(slash_path),
        line: test.line.and_then(|l| u32::try_from(l).ok()),
    }
}

pub(crate) fn list(state: &ProjectState) -> ApiResult<Vec<kiln_compile::GenericTest>> {
    let project = state.project().map_err(|d| ApiError::from_diagnostics(&d))?;
    Ok(kiln_compile::generic_tests(&project))
}

/// Checks `arguments` against the test's signature: every required one given, none unknown.
pub(crate) fn check_arguments(state: &ProjectState, test: &str, arguments: &[TestArgumentValue]) -> ApiResult<()> {
    let tests = list(state)?;
    let Some(found) = tests.iter().find(|t| t.name == test) else {
        let names: Vec<&str> = tests
            .iter()
            .filter(|t| t.takes_column)
            .map(|t| t.name.as_str())
            .collect();
        return Err(ApiError::bad_request(format!("there is no generic test '{test}'"))
            .hint(format!("column tests this project can use: {}", names.join(", "))));
    };
    let location = |e: ApiError| match &found.file {
        Some(file) => e.in_file(slash_path(file)),
        None => e,
    };
    for argument in arguments {
        if !found.arguments.iter().any(|a| a.name == argument.name) {
            let known: Vec<&str> = found.arguments.iter().map(|a| a.name.as_str()).collect();
            return Err(location(
                ApiError::bad_request(format!("{test} has no argument '{}'", argument.name)).hint(
                    if known.is_empty() {
                        format!("{test} takes no arguments")
                    } else {
                        format!("its arguments are {}", known.join(", "))
                    },
                ),
            ));
        }
    }
    for required in found.arguments.iter().filter(|a| a.required()) {
        let given = arguments
            .iter()
            .find(|a| a.name == required.name)
            .is_some_and(|a| !a.value.is_null() && a.value != Value::String(String::new()));
        if !given {
            return Err(location(
                ApiError::bad_request(format!("{test} needs its argument '{}'", required.name))
                    .hint("fill in every required argument"),
            ));
        }
    }
    Ok(())
}

/// Whether test arguments in `text` go under `arguments:` (dbt 1.10's form, and the default) or
/// beside the test's name (the older form), following what the file already does.
pub(crate) fn nests_arguments(text: &str) -> bool {
    let Ok(parsed) = serde_norway::from_str::<Value>(text) else {
        return true;
    };
    let (mut nested, mut flat) = (0, 0);
    let mut visit = |entry: &Value| {
        let Some(object) = entry.as_object() else { return };
        let Some((_, Value::Object(body))) = object.iter().find(|(k, _)| k.as_str() != "name") else {
            return;
        };
        if body.contains_key("arguments") {
            nested += 1;
        } else if body.keys().any(|k| !is_config_key(k)) {
            flat += 1;
        }
    };
    for section in ["models", "seeds", "snapshots", "sources"] {
        for entry in parsed.get(section).and_then(Value::as_array).into_iter().flatten() {
            let tables = entry.get("tables").and_then(Value::as_array);
            for resource in tables.into_iter().flatten().chain(std::iter::once(entry)) {
                let columns = resource.get("columns").and_then(Value::as_array);
                for holder in columns.into_iter().flatten().chain(std::iter::once(resource)) {
                    for key in ["data_tests", "tests"] {
                        for test in holder.get(key).and_then(Value::as_array).into_iter().flatten() {
                            visit(test);
                        }
                    }
                }
            }
        }
    }
    !(flat > 0 && nested == 0)
}

/// Keys beside a test's arguments that configure it rather than pass it a value: the compiler's
/// own list, plus `config:` and `name:`, which hold no argument either.
fn is_config_key(key: &str) -> bool {
    key == "config" || key == "name" || kiln_compile::TEST_CONFIG_KEYS.contains(&key)
}

/// The test as a YAML list item's lines, without the `- ` (continuation lines are indented
/// relative to the dash plus two), and the value the item parses to.
pub(crate) fn test_item(test: &str, arguments: &[TestArgumentValue], nested: bool) -> (Vec<String>, Value) {
    if arguments.is_empty() {
        return (vec![test.to_string()], Value::String(test.to_string()));
    }
    let mut lines = vec![format!("{test}:")];
    let pad = if nested {
        lines.push("  arguments:".to_string());
        "    "
    } else {
        "  "
    };
    let mut values = Map::new();
    for argument in arguments {
        lines.push(format!(
            "{pad}{}: {}",
            key(&argument.name),
            scalar(&argument.value, false)
        ));
        values.insert(argument.name.clone(), argument.value.clone());
    }
    let body = if nested {
        Value::Object(Map::from_iter([("arguments".to_string(), Value::Object(values))]))
    } else {
        Value::Object(values)
    };
    (lines, Value::Object(Map::from_iter([(test.to_string(), body)])))
}

fn key(name: &str) -> String {
    scalar(&Value::String(name.to_string()), false)
}

/// A value on one line of YAML: plain strings where YAML reads them back unchanged (`ref('x')`,
/// `event_id`), double quotes otherwise and inside lists (`["Sports", "Shows"]`).
fn scalar(value: &Value, in_flow: bool) -> String {
    match value {
        Value::String(text) if !in_flow && plain_safe(text) => text.clone(),
        Value::String(text) => Value::String(text.clone()).to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(|v| scalar(v, true)).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", scalar(&Value::String(k.clone()), true), scalar(v, true)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && text.trim() == text
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && !text.chars().any(char::is_control)
        && serde_norway::from_str::<Value>(text).ok() == Some(Value::String(text.to_string()))
}

impl Studio {
    /// Every generic test the project can use: built-ins, its own, installed packages'.
    pub async fn generic_tests(&self, _request: Empty) -> ApiResult<GenericTestsResponse> {
        let state = self.project()?;
        blocking(move || {
            Ok(GenericTestsResponse {
                tests: list(&state)?.into_iter().map(to_dto).collect(),
            })
        })
        .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn arg(name: &str, value: Value) -> TestArgumentValue {
        TestArgumentValue {
            name: name.into(),
            value,
        }
    }

    #[test]
    fn writes_arguments_in_both_forms() {
        let args = [arg("values", json!(["a", "b c", 3])), arg("quote", json!(false))];
        let (lines, value) = test_item("accepted_values", &args, true);
        assert_eq!(
            lines,
            [
                "accepted_values:",
                "  arguments:",
                "    values: [\"a\", \"b c\", 3]",
                "    quote: false"
            ]
        );
        assert_eq!(
            value,
            json!({"accepted_values": {"arguments": {"values": ["a", "b c", 3], "quote": false}}})
        );
        let (lines, _) = test_item(
            "relationships",
            &[arg("to", json!("ref('dim_events')")), arg("field", json!("event_id"))],
            false,
        );
        assert_eq!(
            lines,
            ["relationships:", "  to: ref('dim_events')", "  field: event_id"]
        );
        assert_eq!(test_item("unique", &[], true).0, ["unique"]);
    }

    #[test]
    fn quotes_strings_yaml_would_misread() {
        for text in ["true", "12", "null", "a: b", "#x", "", " padded", "- x", "'q'", "x #y"] {
            let written = scalar(&json!(text), false);
            let read: Value = serde_norway::from_str(&written).unwrap();
            assert_eq!(read, json!(text), "{written}");
            assert!(written.starts_with('"'), "{written}");
        }
        assert_eq!(scalar(&json!("ref('x')"), false), "ref('x')");
        assert_eq!(scalar(&json!("price > 0"), false), "price > 0");
    }

    #[test]
    fn follows_the_files_argument_form() {
        let flat = "models:\n  - name: m\n    columns:\n      - name: a\n        tests:\n          - accepted_values:\n              values: [1]\n              severity: warn\n";
        assert!(!nests_arguments(flat));
        let nested = "models:\n  - name: m\n    columns:\n      - name: a\n        data_tests:\n          - accepted_values:\n              arguments: {values: [1]}\n";
        assert!(nests_arguments(nested));
        assert!(nests_arguments("models:\n  - name: m\n"));
        let source = "sources:\n  - name: s\n    tables:\n      - name: t\n        columns:\n          - name: a\n            data_tests:\n              - relationships: {to: ref('x'), field: id}\n";
        assert!(!nests_arguments(source));
    }
}
