//! Which generic tests a project can use in its properties YAML, with their arguments: the
//! built-ins (`unique`, `not_null`, `accepted_values`, `relationships`), the project's own
//! `{% test name(model, column_name, arg, arg2=default) %}` blocks (macro-paths and
//! `tests/generic/`), and those of installed packages (`dbt_packages/<package>/`, written
//! `package.name` in YAML, e.g. `dbt_utils.expression_is_true`). The studio's "+ test" picker lists
//! them and renders a field per argument.

use std::path::{Path, PathBuf};

use kiln_project::{MacroFile, Project};

use crate::{constant_regex, BUILTIN_MACROS};

/// Where `dbt deps` installs packages, relative to the project root.
pub const PACKAGES_DIR: &str = "dbt_packages";

/// Where a generic test is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestOrigin {
    Builtin,
    Project,
    /// An installed package, by the name its `dbt_project.yml` gives (its folder name otherwise).
    Package(String),
}

/// One argument of a generic test's macro, besides `model` and `column_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestArgument {
    pub name: String,
    /// The default as written in the macro's signature (`true`, `none`, `'x'`); `None` when the
    /// argument is required.
    pub default: Option<String>,
}

impl TestArgument {
    pub fn required(&self) -> bool {
        self.default.is_none()
    }
}

/// A generic test a properties file can declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericTest {
    /// The name as written in YAML: `unique`, `is_positive`, `dbt_utils.expression_is_true`.
    pub name: String,
    pub origin: TestOrigin,
    /// Whether the macro takes `column_name`, i.e. the test belongs under a column.
    pub takes_column: bool,
    pub arguments: Vec<TestArgument>,
    /// The `{# … #}` comment just before the definition (a sentence for built-ins).
    pub description: String,
    /// The defining file, relative to the project root (none for built-ins).
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
}

/// Every generic test the project can use, built-ins first, then the project's, then each installed
/// package's; a project test named like a built-in replaces it, as its macro does when compiled.
pub fn generic_tests(project: &Project) -> Vec<GenericTest> {
    let mut tests = Vec::new();
    for found in signatures(BUILTIN_MACROS) {
        tests.push(found.into_test(String::new(), TestOrigin::Builtin, None));
    }
    for test in &mut tests {
        test.description = builtin_description(&test.name).to_string();
    }
    let mut own = Vec::new();
    for file in &project.macros {
        collect(file, TestOrigin::Project, "", &mut own);
    }
    own.sort_by(|a, b| a.name.cmp(&b.name));
    for test in own {
        match tests.iter_mut().find(|t| t.name == test.name) {
            Some(existing) => *existing = test,
            None => tests.push(test),
        }
    }
    for (package, files) in package_macros(&project.root) {
        let mut found = Vec::new();
        let origin = TestOrigin::Package(package.clone());
        for file in &files {
            collect(file, origin.clone(), &format!("{package}."), &mut found);
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        tests.extend(found);
    }
    tests
}

fn builtin_description(name: &str) -> &'static str {
    match name {
        "unique" => "No value appears twice in the column.",
        "not_null" => "The column has no null values.",
        "accepted_values" => "Every value is one of a given list.",
        "relationships" => "Every value exists in a column of another model (referential integrity).",
        _ => "",
    }
}

fn collect(file: &MacroFile, origin: TestOrigin, prefix: &str, out: &mut Vec<GenericTest>) {
    for found in signatures(&file.raw) {
        let test = found.into_test(prefix.to_string(), origin.clone(), Some(file.path.clone()));
        // A later definition of the same name wins, as the later macro does.
        out.retain(|t| t.name != test.name);
        out.push(test);
    }
}

/// The macro files of every package installed under `dbt_packages/`, by package name, sorted.
/// Each package's own `dbt_project.yml` names it and its macro and test folders; a package that
/// has none gets dbt's defaults and its folder name.
pub fn package_macros(root: &Path) -> Vec<(String, Vec<MacroFile>)> {
    let Ok(entries) = std::fs::read_dir(root.join(PACKAGES_DIR)) else {
        return Vec::new();
    };
    let mut folders: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    let mut packages = Vec::new();
    for folder in folders {
        let folder_name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (name, mut dirs) = match kiln_project::load_config(&folder) {
            Ok(config) => {
                let generic = config.test_paths.iter().map(|p| format!("{p}/generic"));
                let dirs: Vec<String> = config.macro_paths.iter().cloned().chain(generic).collect();
                (config.name, dirs)
            }
            Err(_) => (folder_name, vec!["macros".to_string(), "tests/generic".to_string()]),
        };
        dirs.sort();
        dirs.dedup();
        let mut paths = Vec::new();
        for dir in dirs {
            sql_files(&folder.join(dir), &mut paths);
        }
        paths.sort();
        let files = paths
            .into_iter()
            .filter_map(|path| {
                let raw = std::fs::read_to_string(&path).ok()?;
                let relative = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or(path);
                Some(MacroFile { path: relative, raw })
            })
            .collect();
        packages.push((name, files));
    }
    packages
}

fn sql_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            sql_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

/// One `{% test %}` (or `{% macro test_… %}`) definition found in a macro file.
#[derive(Debug, PartialEq, Eq)]
struct Signature {
    name: String,
    parameters: Vec<TestArgument>,
    description: String,
    line: usize,
}

impl Signature {
    fn into_test(self, prefix: String, origin: TestOrigin, file: Option<PathBuf>) -> GenericTest {
        let takes_column = self.parameters.iter().any(|p| p.name == "column_name");
        GenericTest {
            name: format!("{prefix}{}", self.name),
            origin,
            takes_column,
            arguments: self
                .parameters
                .into_iter()
                .filter(|p| p.name != "model" && p.name != "column_name")
                .collect(),
            description: self.description,
            line: file.is_some().then_some(self.line),
            file,
        }
    }
}

fn signature_regex() -> &'static regex::Regex {
    static CELL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    CELL.get_or_init(|| constant_regex(r"\{%-?\s*(test|macro)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\("))
}

fn signatures(text: &str) -> Vec<Signature> {
    let mut out = Vec::new();
    for caps in signature_regex().captures_iter(text) {
        let (Some(whole), Some(keyword), Some(name)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        let name = match keyword.as_str() {
            "test" => name.as_str(),
            _ => match name.as_str().strip_prefix("test_") {
                Some(rest) if !rest.is_empty() => rest,
                _ => continue,
            },
        };
        let Some(parameters) = parameter_list(&text[whole.end()..]) else {
            continue;
        };
        out.push(Signature {
            name: name.to_string(),
            parameters,
            description: comment_before(&text[..whole.start()]),
            line: text[..whole.start()].matches('\n').count() + 1,
        });
    }
    out
}

/// Reads `a, b=default, c=[1, 2])` (the text after the opening parenthesis) up to its closing
/// parenthesis; `None` when it never closes.
fn parameter_list(text: &str) -> Option<Vec<TestArgument>> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        if let Some(q) = quote {
            current.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                current.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                current.push(c);
            }
            ')' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                return Some(parts.iter().filter_map(|p| parameter(p)).collect());
            }
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    None
}

fn parameter(text: &str) -> Option<TestArgument> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (name, default) = match text.split_once('=') {
        Some((name, default)) => (name.trim(), Some(default.trim().to_string())),
        None => (text, None),
    };
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| TestArgument {
        name: name.to_string(),
        default,
    })
}

/// The `{# … #}` comment that ends right before a definition, as one line of text.
fn comment_before(text: &str) -> String {
    let trimmed = text.trim_end();
    if !trimmed.ends_with("#}") {
        return String::new();
    }
    let Some(start) = trimmed.rfind("{#") else {
        return String::new();
    };
    let inner = &trimmed[start + 2..trimmed.len() - 2];
    let inner = inner.trim_start_matches('-').trim_end_matches('-');
    inner.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn arg(name: &str, default: Option<&str>) -> TestArgument {
        TestArgument {
            name: name.into(),
            default: default.map(str::to_string),
        }
    }

    #[test]
    fn reads_test_blocks_and_test_macros_with_defaults() {
        let text = "{#- Fails when a value is outside [lower, upper]. -#}\n{% test is_between(model, column_name, lower, upper=none, bounds=['(', ')'], label=\"a, b\") %}\nselect 1\n{% endtest %}\n\n{% macro test_old_style(model, column_name) %}select 1{% endmacro %}\n{% macro default__test_x(model) %}{% endmacro %}\n{%- test rowcount(model, compare_model) -%}select 1{% endtest %}";
        let found = signatures(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].name, "is_between");
        assert_eq!(found[0].line, 2);
        assert_eq!(found[0].description, "Fails when a value is outside [lower, upper].");
        assert_eq!(
            found[0].parameters,
            vec![
                arg("model", None),
                arg("column_name", None),
                arg("lower", None),
                arg("upper", Some("none")),
                arg("bounds", Some("['(', ')']")),
                arg("label", Some("\"a, b\"")),
            ]
        );
        assert_eq!(found[1].name, "old_style");
        assert_eq!(found[1].description, "");
        assert_eq!(found[2].name, "rowcount");
        let test = signatures(text)
            .remove(2)
            .into_test("pkg.".into(), TestOrigin::Project, None);
        assert!(!test.takes_column);
        assert_eq!(test.name, "pkg.rowcount");
        assert_eq!(test.arguments, vec![arg("compare_model", None)]);
    }

    #[test]
    fn an_unclosed_signature_is_skipped() {
        assert!(signatures("{% test broken(model, column_name %}").is_empty());
    }

    #[test]
    fn built_ins_have_their_arguments() {
        let tests: Vec<GenericTest> = signatures(BUILTIN_MACROS)
            .into_iter()
            .map(|s| s.into_test(String::new(), TestOrigin::Builtin, None))
            .collect();
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["unique", "not_null", "accepted_values", "relationships"]);
        assert!(tests.iter().all(|t| t.takes_column));
        assert_eq!(
            tests[2].arguments,
            vec![arg("values", None), arg("quote", Some("true"))]
        );
        assert!(tests[2].arguments[0].required() && !tests[2].arguments[1].required());
        assert_eq!(tests[3].arguments, vec![arg("to", None), arg("field", None)]);
    }

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn lists_project_and_package_tests() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "dbt_project.yml", "name: shop\nversion: '1'\nprofile: shop\n");
        write(root, "models/m.sql", "select 1 as id");
        write(
            root,
            "macros/checks.sql",
            "{% test at_most(model, column_name, maximum, inclusive=true) %}select 1{% endtest %}",
        );
        write(
            root,
            "tests/generic/unique.sql",
            "{# Project's own unique. #}\n{% test unique(model, column_name) %}select 1{% endtest %}",
        );
        write(
            root,
            "dbt_packages/dbt_utils/dbt_project.yml",
            "name: dbt_utils\nversion: '1'\nmacro-paths: [macros]\n",
        );
        write(
            root,
            "dbt_packages/dbt_utils/macros/generic_tests/expression_is_true.sql",
            "{% test expression_is_true(model, expression, column_name=None) %}\n  {{ return(adapter.dispatch('test_expression_is_true', 'dbt_utils')(model, expression, column_name)) }}\n{% endtest %}\n{% macro default__test_expression_is_true(model, expression, column_name) %}select 1{% endmacro %}",
        );
        write(
            root,
            "dbt_packages/dbt_utils/macros/generic_tests/equal_rowcount.sql",
            "{% test equal_rowcount(model, compare_model) %}select 1{% endtest %}",
        );
        write(
            root,
            "dbt_packages/no_config/tests/generic/t.sql",
            "{% test positive(model, column_name) %}select 1{% endtest %}",
        );
        let project = kiln_project::load_project(root).unwrap();
        let tests = generic_tests(&project);
        let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "unique",
                "not_null",
                "accepted_values",
                "relationships",
                "at_most",
                "dbt_utils.equal_rowcount",
                "dbt_utils.expression_is_true",
                "no_config.positive",
            ]
        );
        assert_eq!(tests[0].origin, TestOrigin::Project);
        assert_eq!(tests[0].description, "Project's own unique.");
        assert_eq!(tests[0].file.as_deref(), Some(Path::new("tests/generic/unique.sql")));
        assert_eq!(tests[0].line, Some(2));
        assert_eq!(tests[1].origin, TestOrigin::Builtin);
        assert_eq!(
            tests[4].arguments,
            vec![arg("maximum", None), arg("inclusive", Some("true"))]
        );
        assert_eq!(tests[6].origin, TestOrigin::Package("dbt_utils".into()));
        assert!(tests[6].takes_column);
        assert_eq!(tests[6].arguments, vec![arg("expression", None)]);
        assert!(!tests[5].takes_column);
        assert_eq!(
            tests[6].file.as_deref(),
            Some(Path::new(
                "dbt_packages/dbt_utils/macros/generic_tests/expression_is_true.sql"
            ))
        );
        assert_eq!(tests[7].origin, TestOrigin::Package("no_config".into()));
    }
}
