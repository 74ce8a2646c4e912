//! Parsing dbt's `--select` / `--exclude` syntax into a [`SelectionExpr`].
//!
//! One argument is split on whitespace into a union; each word is split on `,` into an
//! intersection; each part is one criterion of the form
//! `[@][N+][method[.arg...]:]value[+N]`, exactly like dbt's `RAW_SELECTOR_PATTERN`.

use std::fmt;
use std::str::FromStr;

use crate::node::ResourceType;

/// Methods Kiln evaluates, in the order shown to users in error messages.
pub const SUPPORTED_METHODS: &[&str] = &[
    "fqn",
    "tag",
    "source",
    "path",
    "file",
    "package",
    "config",
    "resource_type",
    "test_type",
    "exposure",
    "group",
    "access",
];

/// Methods dbt knows but Kiln cannot answer yet (they need state, run results, versions, ...).
const DBT_ONLY_METHODS: &[&str] = &[
    "state",
    "result",
    "source_status",
    "version",
    "metric",
    "semantic_model",
    "saved_query",
    "unit_test",
    "test_name",
    "selector",
    "wildcard",
];

/// Why a `--select`/`--exclude` argument could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    #[error("empty selector: pass a node name, a folder, or a `method:value` such as `tag:nightly`")]
    Empty,

    #[error("invalid selector `{spec}`: {reason}")]
    Syntax { spec: String, reason: String },

    #[error("unknown selector method `{method}` in `{spec}`; valid methods are: {valid}")]
    UnknownMethod {
        method: String,
        spec: String,
        valid: String,
    },

    #[error(
        "selector method `{method}` in `{spec}` is a dbt method Kiln does not support yet; \
         supported methods are: {valid}"
    )]
    UnsupportedMethod {
        method: String,
        spec: String,
        valid: String,
    },

    #[error("invalid value `{value}` for selector method `{method}` in `{spec}`: expected {expected}")]
    InvalidValue {
        method: String,
        value: String,
        spec: String,
        expected: String,
    },
}

/// How tests attached to selected nodes are pulled in (dbt's `--indirect-selection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndirectSelection {
    /// A test is selected when any node it depends on is selected (dbt's default).
    #[default]
    Eager,
    /// A test is selected only when every node it depends on is selected.
    Cautious,
    /// Like cautious, but a test parent may also be an ancestor of the selection.
    Buildable,
    /// Tests are only selected directly, never through the nodes they test.
    Empty,
}

impl IndirectSelection {
    pub fn as_str(self) -> &'static str {
        match self {
            IndirectSelection::Eager => "eager",
            IndirectSelection::Cautious => "cautious",
            IndirectSelection::Buildable => "buildable",
            IndirectSelection::Empty => "empty",
        }
    }
}

impl fmt::Display for IndirectSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IndirectSelection {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "eager" => Ok(IndirectSelection::Eager),
            "cautious" => Ok(IndirectSelection::Cautious),
            "buildable" => Ok(IndirectSelection::Buildable),
            "empty" => Ok(IndirectSelection::Empty),
            other => Err(SelectorError::InvalidValue {
                method: "indirect_selection".into(),
                value: other.into(),
                spec: other.into(),
                expected: "one of eager, cautious, buildable, empty".into(),
            }),
        }
    }
}

/// The method part of a criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectorMethod {
    /// No `method:` was written. Resolved against the graph like dbt: a value with a path
    /// separator, or naming a file/folder that holds project nodes, is a `path`; a value
    /// ending in `.sql`/`.py`/`.csv` is a `file`; anything else is an `fqn`.
    Default,
    Fqn,
    Tag,
    Source,
    Path,
    File,
    Package,
    /// `config.<key>[.<nested>...]:value`; holds the key path.
    Config(Vec<String>),
    ResourceType,
    TestType,
    Exposure,
    Group,
    Access,
}

impl SelectorMethod {
    /// The spelling used before the `:` (without config arguments).
    pub fn name(&self) -> &'static str {
        match self {
            SelectorMethod::Default => "default",
            SelectorMethod::Fqn => "fqn",
            SelectorMethod::Tag => "tag",
            SelectorMethod::Source => "source",
            SelectorMethod::Path => "path",
            SelectorMethod::File => "file",
            SelectorMethod::Package => "package",
            SelectorMethod::Config(_) => "config",
            SelectorMethod::ResourceType => "resource_type",
            SelectorMethod::TestType => "test_type",
            SelectorMethod::Exposure => "exposure",
            SelectorMethod::Group => "group",
            SelectorMethod::Access => "access",
        }
    }
}

/// One `[@][N+][method:]value[+N]` criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SelectionCriteria {
    /// The text as the user wrote it, for messages.
    pub raw: String,
    pub method: SelectorMethod,
    pub value: String,
    /// `@`: the matches, all their descendants, and all ancestors of those.
    pub childrens_parents: bool,
    /// `+` prefix: add ancestors, up to `parents_depth` edges (`None` = all).
    pub parents: bool,
    pub parents_depth: Option<usize>,
    /// `+` suffix: add descendants, up to `children_depth` edges (`None` = all).
    pub children: bool,
    pub children_depth: Option<usize>,
}

/// A parsed `--select`/`--exclude` argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectionExpr {
    /// Space-separated: a node is selected if any member selects it.
    Union(Vec<SelectionExpr>),
    /// Comma-separated: a node is selected if every member selects it.
    Intersection(Vec<SelectionExpr>),
    Criteria(SelectionCriteria),
}

impl fmt::Display for SelectionExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn join(f: &mut fmt::Formatter<'_>, parts: &[SelectionExpr], sep: &str) -> fmt::Result {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{p}")?;
            }
            Ok(())
        }
        match self {
            SelectionExpr::Union(parts) => join(f, parts, " "),
            SelectionExpr::Intersection(parts) => join(f, parts, ","),
            SelectionExpr::Criteria(c) => f.write_str(&c.raw),
        }
    }
}

/// Parses one `--select` (or `--exclude`) argument: words separated by whitespace are a
/// union, comma-joined parts of a word are an intersection.
pub fn parse_selection(spec: &str) -> Result<SelectionExpr, SelectorError> {
    let mut union = Vec::new();
    for word in spec.split_whitespace() {
        union.push(parse_word(word)?);
    }
    if union.is_empty() {
        return Err(SelectorError::Empty);
    }
    Ok(SelectionExpr::Union(union))
}

/// One whitespace-free word: a single criterion or a comma intersection.
pub(crate) fn parse_word(word: &str) -> Result<SelectionExpr, SelectorError> {
    let parts: Vec<&str> = word.split(',').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(SelectorError::Syntax {
            spec: word.to_string(),
            reason: "an intersection has an empty part; write `a,b` with no leading, trailing or doubled commas".into(),
        });
    }
    if let [single] = parts.as_slice() {
        return Ok(SelectionExpr::Criteria(parse_criteria(single)?));
    }
    let mut members = Vec::with_capacity(parts.len());
    for part in parts {
        members.push(SelectionExpr::Criteria(parse_criteria(part)?));
    }
    Ok(SelectionExpr::Intersection(members))
}

fn parse_depth(digits: &str, raw: &str) -> Result<Option<usize>, SelectorError> {
    if digits.is_empty() {
        return Ok(None);
    }
    digits.parse::<usize>().map(Some).map_err(|_| SelectorError::Syntax {
        spec: raw.to_string(),
        reason: format!("graph depth `{digits}` is too large"),
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parses `[@][N+][method[.args]:]value[+N]`.
pub(crate) fn parse_criteria(raw: &str) -> Result<SelectionCriteria, SelectorError> {
    let mut rest = raw;

    let childrens_parents = rest.starts_with('@');
    if childrens_parents {
        rest = &rest[1..];
    }

    let digits_len = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let (parents, parents_depth) = if rest[digits_len..].starts_with('+') {
        let depth = parse_depth(&rest[..digits_len], raw)?;
        rest = &rest[digits_len + 1..];
        (true, depth)
    } else {
        (false, None)
    };

    // Like the regex `[\w.]+:`: a method only exists if everything before the first `:` is
    // word characters or dots, so Windows paths like `C:\x` or `a/b:c` stay values.
    let mut method_text = None;
    if let Some(colon) = rest.find(':') {
        let head = &rest[..colon];
        if !head.is_empty() && head.chars().all(|c| is_word_char(c) || c == '.') {
            method_text = Some(head);
            rest = &rest[colon + 1..];
        }
    }

    // The value is lazy, so a trailing `+digits` always belongs to the children operator.
    let without_digits = rest.trim_end_matches(|c: char| c.is_ascii_digit());
    let (value, children, children_depth) = match without_digits.strip_suffix('+') {
        Some(v) => {
            let depth = parse_depth(&rest[without_digits.len()..], raw)?;
            (v, true, depth)
        }
        None => (rest, false, None),
    };

    if childrens_parents && children {
        return Err(SelectorError::Syntax {
            spec: raw.to_string(),
            reason: "the `@` prefix and a `+` suffix cannot be combined (`@` already includes all descendants)".into(),
        });
    }
    if value.is_empty() {
        return Err(SelectorError::Syntax {
            spec: raw.to_string(),
            reason: "nothing to select: the value after the graph operators and method is empty".into(),
        });
    }

    let method = match method_text {
        None => SelectorMethod::Default,
        Some(text) => resolve_method(text, raw)?,
    };
    validate_value(&method, value, raw)?;

    Ok(SelectionCriteria {
        raw: raw.to_string(),
        method,
        value: value.to_string(),
        childrens_parents,
        parents,
        parents_depth,
        children,
        children_depth,
    })
}

fn resolve_method(text: &str, raw: &str) -> Result<SelectorMethod, SelectorError> {
    let mut parts = text.split('.');
    let name = parts.next().unwrap_or_default();
    let args: Vec<String> = parts.map(str::to_string).collect();
    let method = match name {
        "fqn" => SelectorMethod::Fqn,
        "tag" => SelectorMethod::Tag,
        "source" => SelectorMethod::Source,
        "path" => SelectorMethod::Path,
        "file" => SelectorMethod::File,
        "package" => SelectorMethod::Package,
        "config" => {
            if args.is_empty() || args.iter().any(String::is_empty) {
                return Err(SelectorError::Syntax {
                    spec: raw.to_string(),
                    reason: "the config method needs a key, e.g. `config.materialized:table`".into(),
                });
            }
            return Ok(SelectorMethod::Config(args));
        }
        "resource_type" => SelectorMethod::ResourceType,
        "test_type" => SelectorMethod::TestType,
        "exposure" => SelectorMethod::Exposure,
        "group" => SelectorMethod::Group,
        "access" => SelectorMethod::Access,
        other if DBT_ONLY_METHODS.contains(&other) => {
            return Err(SelectorError::UnsupportedMethod {
                method: other.to_string(),
                spec: raw.to_string(),
                valid: SUPPORTED_METHODS.join(", "),
            })
        }
        other => {
            return Err(SelectorError::UnknownMethod {
                method: other.to_string(),
                spec: raw.to_string(),
                valid: SUPPORTED_METHODS.join(", "),
            })
        }
    };
    if !args.is_empty() {
        return Err(SelectorError::Syntax {
            spec: raw.to_string(),
            reason: format!(
                "the `{name}` method takes no `.{}` argument; only `config.<key>` does",
                args.join(".")
            ),
        });
    }
    Ok(method)
}

/// Values that can be checked without the graph are checked at parse time, so a typo is
/// reported even when the selection would otherwise be empty.
fn validate_value(method: &SelectorMethod, value: &str, raw: &str) -> Result<(), SelectorError> {
    let dotted_parts = |max: usize| value.split('.').count() <= max && !value.split('.').any(str::is_empty);
    let expected = match method {
        SelectorMethod::ResourceType if ResourceType::from_str(value).is_err() => {
            "one of model, source, seed, test, analysis, exposure, snapshot, operation"
        }
        SelectorMethod::TestType if !matches!(value, "generic" | "singular" | "data" | "unit" | "schema") => {
            "`generic`, `singular`, `data` or `unit`"
        }
        SelectorMethod::Source if !dotted_parts(3) => {
            "`source_name`, `source_name.table_name` or `package.source_name.table_name`"
        }
        SelectorMethod::Exposure if !dotted_parts(2) => "`exposure_name` or `package.exposure_name`",
        _ => return Ok(()),
    };
    Err(SelectorError::InvalidValue {
        method: method.name().to_string(),
        value: value.to_string(),
        spec: raw.to_string(),
        expected: expected.to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn crit(raw: &str) -> SelectionCriteria {
        parse_criteria(raw).unwrap()
    }

    #[test]
    fn graph_operators_parse_like_dbts_regex() {
        let c = crit("2+fct_sales+3");
        assert_eq!(c.method, SelectorMethod::Default);
        assert_eq!(c.value, "fct_sales");
        assert!(c.parents && c.children && !c.childrens_parents);
        assert_eq!((c.parents_depth, c.children_depth), (Some(2), Some(3)));

        let c = crit("+tag:nightly");
        assert_eq!(c.method, SelectorMethod::Tag);
        assert_eq!(c.value, "nightly");
        assert!(c.parents && !c.children);
        assert_eq!(c.parents_depth, None);

        let c = crit("@source:tickit_external.sale");
        assert!(c.childrens_parents);
        assert_eq!(c.method, SelectorMethod::Source);
        assert_eq!(c.value, "tickit_external.sale");

        // digits without a `+` are part of the value
        let c = crit("model2");
        assert_eq!(c.value, "model2");
        assert!(!c.children);
        let c = crit("2model");
        assert_eq!(c.value, "2model");
        assert!(!c.parents);

        let c = crit("config.meta.owner:finance+");
        assert_eq!(c.method, SelectorMethod::Config(vec!["meta".into(), "owner".into()]));
        assert_eq!(c.value, "finance");
        assert!(c.children);

        // a colon after a non-word char is part of the value
        let c = crit("models/a:b");
        assert_eq!(c.method, SelectorMethod::Default);
        assert_eq!(c.value, "models/a:b");
    }

    #[test]
    fn spaces_are_unions_and_commas_are_intersections() {
        let e = parse_selection("  a   tag:x,b ").unwrap();
        let SelectionExpr::Union(parts) = &e else {
            panic!("expected a union, got {e:?}")
        };
        assert_eq!(parts.len(), 2);
        assert!(matches!(parts[0], SelectionExpr::Criteria(_)));
        assert!(matches!(&parts[1], SelectionExpr::Intersection(m) if m.len() == 2));
        assert_eq!(e.to_string(), "a tag:x,b");
    }

    #[test]
    fn bad_specs_are_rejected_with_reasons() {
        assert_eq!(parse_selection("   "), Err(SelectorError::Empty));
        assert!(matches!(parse_selection("@a+"), Err(SelectorError::Syntax { .. })));
        assert!(matches!(parse_selection("a,,b"), Err(SelectorError::Syntax { .. })));
        assert!(matches!(parse_selection("tag:"), Err(SelectorError::Syntax { .. })));
        assert!(matches!(
            parse_selection("config:table"),
            Err(SelectorError::Syntax { .. })
        ));
        assert!(matches!(
            parse_selection("state:modified"),
            Err(SelectorError::UnsupportedMethod { .. })
        ));
        let err = parse_selection("tags:nightly").unwrap_err();
        assert!(matches!(&err, SelectorError::UnknownMethod { method, .. } if method == "tags"));
        assert!(err.to_string().contains("tag, source"), "{err}");
        assert!(matches!(
            parse_selection("resource_type:table"),
            Err(SelectorError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse_selection("source:a.b.c.d"),
            Err(SelectorError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse_selection("99999999999999999999999+a"),
            Err(SelectorError::Syntax { .. })
        ));
    }
}
