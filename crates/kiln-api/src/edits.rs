//! Visual model editing: each edit is computed as a set of file changes the user reviews as a
//! diff (`applyEdit`), then written with `commitEdit`, which refuses if any file changed on disk
//! in between.

use std::path::Path;

use kiln_diagnostics::Code;
use kiln_graph::ResourceType;
use kiln_project::{Project, SqlKind};
use regex::Regex;

use crate::dto::{ApplyEditRequest, CommitEditRequest, CommitEditResponse, EditPreview, FileChangeDto};
use crate::error::{slash_path, ApiError, ApiResult, ErrorKind};
use crate::files::conflict;
use crate::generic_tests::{nests_arguments, test_item, TestArgumentValue};
use crate::paths::{atomic_write, confine, confine_file};
use crate::state::ProjectState;
use crate::{blocking, Studio};

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn bad_name(name: &str) -> ApiError {
    ApiError::bad_request(format!("'{name}' is not a valid model name"))
        .hint("use letters, digits and underscores, e.g. fct_daily_sales")
}

fn loaded_project(state: &ProjectState) -> ApiResult<std::sync::Arc<Project>> {
    state.project().map_err(|d| ApiError::from_diagnostics(&d))
}

fn under_model_paths(state: &ProjectState, relative: &str) -> bool {
    state
        .config
        .model_paths
        .iter()
        .any(|p| relative == p || relative.starts_with(&format!("{p}/")))
}

fn create_model(state: &ProjectState, name: &str, directory: &str, upstream: &[String]) -> ApiResult<EditPreview> {
    if !valid_name(name) {
        return Err(bad_name(name));
    }
    let (_, dir) = confine(&state.root, directory)?;
    let relative = if dir.is_empty() {
        format!("{name}.sql")
    } else {
        format!("{dir}/{name}.sql")
    };
    if !under_model_paths(state, &relative) {
        return Err(ApiError::bad_request(format!("{dir} is not a model folder"))
            .hint(format!("put the model under {}", state.config.model_paths.join(" or "))));
    }
    let (absolute, relative) = confine_file(&state.root, &relative)?;
    if absolute.exists() {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            Code::DuplicateName.as_str(),
            format!("{relative} already exists"),
        )
        .in_file(relative)
        .hint("pick another name"));
    }
    let manifest = state.require_manifest()?;
    if manifest
        .find_by_name(name)
        .is_some_and(|n| n.resource_type == ResourceType::Model)
    {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            Code::DuplicateName.as_str(),
            format!("a model named '{name}' already exists"),
        )
        .hint("model names are unique in a project; pick another name"));
    }
    let mut ctes: Vec<(String, String)> = Vec::new();
    for id in upstream {
        let node = manifest
            .node(id)
            .ok_or_else(|| ApiError::bad_request(format!("there is no node '{id}'")))?;
        let expression = match node.resource_type {
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
                format!("{{{{ ref('{}') }}}}", node.name)
            }
            ResourceType::Source => {
                let source = node.source.as_ref().map(|s| s.source_name.clone()).unwrap_or_default();
                format!("{{{{ source('{source}', '{}') }}}}", node.name)
            }
            other => {
                return Err(
                    ApiError::bad_request(format!("a model cannot select from a {other} ('{}')", node.name))
                        .hint("pick models, seeds, snapshots or sources as upstream nodes"),
                )
            }
        };
        let mut cte = node.name.clone();
        while ctes.iter().any(|(existing, _)| *existing == cte) {
            cte.push('_');
        }
        ctes.push((cte, expression));
    }
    let content = scaffold(&ctes);
    Ok(EditPreview {
        changes: vec![FileChangeDto {
            path: relative,
            before: None,
            after: Some(content),
        }],
    })
}

fn scaffold(ctes: &[(String, String)]) -> String {
    let Some((first, _)) = ctes.first() else {
        return "select\n    1 as id\n".to_string();
    };
    let blocks: Vec<String> = ctes
        .iter()
        .map(|(name, expression)| format!("{name} as (\n\n    select * from {expression}\n\n)"))
        .collect();
    let mut text = format!(
        "with\n\n{}\n\nselect\n    {first}.*\nfrom {first}\n",
        blocks.join(",\n\n")
    );
    for (name, _) in ctes.iter().skip(1) {
        text.push_str(&format!("-- join {name} on …\n"));
    }
    text
}

fn ref_pattern(old: &str) -> ApiResult<Regex> {
    let name = regex::escape(old);
    Regex::new(&format!(
        r#"\bref\(\s*((?:'[^']*'|"[^"]*")\s*,\s*)?(?:'{name}'|"{name}")\s*\)"#
    ))
    .map_err(|e| ApiError::internal(format!("cannot build the ref() pattern: {e}")))
}

fn rewrite_refs(text: &str, pattern: &Regex, new: &str) -> String {
    pattern
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let whole = caps.get(0).map(|m| m.as_str()).unwrap_or_default();
            let quote = if whole.trim_end_matches([')', ' ']).ends_with('"') {
                '"'
            } else {
                '\''
            };
            let package = caps.get(1).map(|m| m.as_str()).unwrap_or_default();
            format!("ref({package}{quote}{new}{quote})")
        })
        .into_owned()
}

/// Renames the `- name: old` entry of a `models:` list, leaving every other line untouched.
fn rename_yaml_entry(text: &str, section: &str, old: &str, new: &str) -> Option<String> {
    let entry = Regex::new(&format!(
        r#"^(\s*-\s*name:\s*)(['"]?){}(['"]?)\s*$"#,
        regex::escape(old)
    ))
    .ok()?;
    let mut in_section = false;
    let mut done = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !line.starts_with([' ', '\t', '-', '#']) && !line.trim().is_empty() {
                in_section = line.trim_end() == format!("{section}:");
            }
            if in_section && !done {
                if let Some(caps) = entry.captures(line) {
                    done = true;
                    return format!("{}{}{new}{}", &caps[1], &caps[2], &caps[3]);
                }
            }
            line.to_string()
        })
        .collect();
    done.then(|| join_lines(&lines, text))
}

fn join_lines(lines: &[String], original: &str) -> String {
    let mut out = lines.join("\n");
    if original.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn read_text(root: &Path, relative: &str) -> ApiResult<String> {
    std::fs::read_to_string(root.join(relative)).map_err(|e| ApiError::io(relative, &e))
}

fn rename_model(
    state: &ProjectState,
    path: &str,
    new_name: &str,
    new_directory: Option<&str>,
) -> ApiResult<EditPreview> {
    if !valid_name(new_name) {
        return Err(bad_name(new_name));
    }
    let (_, relative) = confine_file(&state.root, path)?;
    let project = loaded_project(state)?;
    let file = project
        .sql_files
        .iter()
        .find(|f| f.kind == SqlKind::Model && slash_path(&f.path) == relative)
        .ok_or_else(|| ApiError::bad_request(format!("{relative} is not a model")).in_file(relative.clone()))?;
    let old_name = file.name.clone();
    let directory = match new_directory {
        Some(directory) => confine(&state.root, directory)?.1,
        None => relative
            .rsplit_once('/')
            .map(|(dir, _)| dir.to_string())
            .unwrap_or_default(),
    };
    let new_relative = if directory.is_empty() {
        format!("{new_name}.sql")
    } else {
        format!("{directory}/{new_name}.sql")
    };
    let (new_absolute, new_relative) = confine_file(&state.root, &new_relative)?;
    if !under_model_paths(state, &new_relative) {
        return Err(
            ApiError::bad_request(format!("{directory} is not a model folder")).hint(format!(
                "move the model under {}",
                state.config.model_paths.join(" or ")
            )),
        );
    }
    if new_relative != relative && new_absolute.exists() {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            Code::DuplicateName.as_str(),
            format!("{new_relative} already exists"),
        )
        .in_file(new_relative)
        .hint("pick another name or folder"));
    }
    if new_name != old_name
        && project
            .sql_files
            .iter()
            .any(|f| f.kind == SqlKind::Model && f.name == new_name)
    {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            Code::DuplicateName.as_str(),
            format!("a model named '{new_name}' already exists"),
        )
        .hint("model names are unique in a project; pick another name"));
    }
    let pattern = ref_pattern(&old_name)?;
    let mut changes = Vec::new();
    let own = read_text(&state.root, &relative)?;
    if new_relative != relative {
        changes.push(FileChangeDto {
            path: relative.clone(),
            before: Some(own.clone()),
            after: None,
        });
        changes.push(FileChangeDto {
            path: new_relative.clone(),
            before: None,
            after: Some(own),
        });
    }
    if new_name != old_name {
        let mut candidates: Vec<String> = project.sql_files.iter().map(|f| slash_path(&f.path)).collect();
        candidates.extend(project.macros.iter().map(|m| slash_path(&m.path)));
        candidates.extend(yaml_files(state));
        candidates.sort();
        candidates.dedup();
        let props_file = file.props_file.as_deref().map(slash_path);
        for candidate in candidates.into_iter().filter(|c| *c != relative) {
            let before = read_text(&state.root, &candidate)?;
            let mut after = rewrite_refs(&before, &pattern, new_name);
            if props_file.as_deref() == Some(candidate.as_str()) {
                if let Some(renamed) = rename_yaml_entry(&after, "models", &old_name, new_name) {
                    after = renamed;
                }
            }
            if after != before {
                changes.push(FileChangeDto {
                    path: candidate,
                    before: Some(before),
                    after: Some(after),
                });
            }
        }
    }
    Ok(EditPreview { changes })
}

fn yaml_files(state: &ProjectState) -> Vec<String> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(&state.root)
        .hidden(true)
        .require_git(false)
        .parents(false)
        .build();
    for entry in walker.flatten() {
        let relative = slash_path(entry.path().strip_prefix(&state.root).unwrap_or(entry.path()));
        if crate::files::is_hidden_dir(&state.config, &relative) {
            continue;
        }
        if entry.file_type().is_some_and(|t| t.is_file()) && (relative.ends_with(".yml") || relative.ends_with(".yaml"))
        {
            out.push(relative);
        }
    }
    out
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// End (exclusive) of the block that starts at `start` and holds lines indented deeper than
/// `indent` (blank lines and comments inside it included).
fn block_end(lines: &[String], start: usize, indent: usize) -> usize {
    let mut end = start + 1;
    let mut last_content = start + 1;
    while end < lines.len() {
        let line = &lines[end];
        if !line.trim().is_empty() {
            let comment = line.trim_start().starts_with('#');
            if indent_of(line) <= indent && !comment {
                break;
            }
            // A comment as shallow as the block's key belongs to what follows, unless the
            // block goes on after it.
            if indent_of(line) > indent || !comment {
                last_content = end + 1;
            }
        }
        end += 1;
    }
    last_content
}

fn find_entry(lines: &[String], from: usize, to: usize, name: &str) -> Option<usize> {
    let entry = Regex::new(&format!(r#"^\s*-\s*name:\s*['"]?{}['"]?\s*$"#, regex::escape(name))).ok()?;
    (from..to).find(|&i| entry.is_match(&lines[i]))
}

fn find_key(lines: &[String], from: usize, to: usize, indent: usize, keys: &[&str]) -> Option<usize> {
    (from..to).find(|&i| {
        let line = &lines[i];
        indent_of(line) == indent && keys.iter().any(|k| line.trim_start().starts_with(&format!("{k}:")))
    })
}

/// The lines of a list item at `indent`: `- ` and the first line, the rest two deeper.
fn list_item(indent: usize, item: &[String]) -> Vec<String> {
    item.iter()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{}- {line}", " ".repeat(indent)),
            _ => format!("{}{line}", " ".repeat(indent + 2)),
        })
        .collect()
}

/// Inserts the test `item` (lines of a list item, see `generic_tests::test_item`) under `column`
/// of `resource` in a properties file, creating the column or the `columns:` list when missing.
/// Returns `None` when the file's shape is beyond this simple editor (flow style, anchors …).
fn add_test_to_yaml(text: &str, section: &str, resource: &str, column: &str, item: &[String]) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let section_line = lines.iter().position(|l| l.trim_end() == format!("{section}:"))?;
    let section_end = block_end(&lines, section_line, 0);
    let entry = find_entry(&lines, section_line + 1, section_end, resource)?;
    let dash = indent_of(&lines[entry]);
    let key_indent = dash + 2;
    let entry_end = block_end(&lines, entry, dash);
    let pad = |n: usize| " ".repeat(n);
    let Some(columns_line) = find_key(&lines, entry + 1, entry_end, key_indent, &["columns"]) else {
        let mut block = vec![
            format!("{}columns:", pad(key_indent)),
            format!("{}- name: {column}", pad(key_indent + 2)),
            format!("{}data_tests:", pad(key_indent + 4)),
        ];
        block.extend(list_item(key_indent + 6, item));
        lines.splice(entry_end..entry_end, block);
        return Some(join_lines(&lines, text));
    };
    if !lines[columns_line].trim_end().ends_with("columns:") {
        return None;
    }
    let columns_end = block_end(&lines, columns_line, key_indent);
    let Some(column_line) = find_entry(&lines, columns_line + 1, columns_end, column) else {
        let item_indent = (columns_line + 1..columns_end)
            .map(|i| &lines[i])
            .find(|l| l.trim_start().starts_with('-'))
            .map(|l| indent_of(l))
            .unwrap_or(key_indent + 2);
        let mut block = vec![
            format!("{}- name: {column}", pad(item_indent)),
            format!("{}data_tests:", pad(item_indent + 2)),
        ];
        block.extend(list_item(item_indent + 4, item));
        lines.splice(columns_end..columns_end, block);
        return Some(join_lines(&lines, text));
    };
    let column_dash = indent_of(&lines[column_line]);
    let column_key = column_dash + 2;
    let column_end = block_end(&lines, column_line, column_dash);
    match find_key(
        &lines,
        column_line + 1,
        column_end,
        column_key,
        &["data_tests", "tests"],
    ) {
        Some(tests_line) => {
            let line = lines[tests_line].trim_end().to_string();
            let one_line = match item {
                [only] => Some(only),
                _ => None,
            };
            if line.ends_with(':') {
                let item_indent = lines
                    .get(tests_line + 1)
                    .filter(|l| l.trim_start().starts_with('-'))
                    .map(|l| indent_of(l))
                    .unwrap_or(column_key + 2);
                // After the existing tests, so the list reads in the order tests were added.
                let tests_end = block_end(&lines, tests_line, column_key);
                lines.splice(tests_end..tests_end, list_item(item_indent, item));
            } else if let (true, Some(test)) = (line.ends_with("[]"), one_line) {
                lines[tests_line] = format!("{}[{test}]", line.trim_end_matches("[]"));
            } else if let (true, Some(test)) = (line.ends_with(']'), one_line) {
                lines[tests_line] = format!("{}, {test}]", line.trim_end_matches(']'));
            } else {
                return None;
            }
        }
        None => {
            let mut block = vec![format!("{}data_tests:", pad(column_key))];
            block.extend(list_item(column_key + 2, item));
            // After the column's other keys (description …), as dbt's docs write it.
            lines.splice(column_end..column_end, block);
        }
    }
    Some(join_lines(&lines, text))
}

/// Whether the edited text declares `expected` among `column`'s tests of `resource`: the check
/// that the line-based insertion produced the YAML it meant to.
fn has_test(text: &str, section: &str, resource: &str, column: &str, expected: &serde_json::Value) -> bool {
    let Ok(parsed) = serde_norway::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let named = |value: &serde_json::Value, name: &str| value.get("name").and_then(|n| n.as_str()) == Some(name);
    let entries = parsed.get(section).and_then(|s| s.as_array()).into_iter().flatten();
    let found = entries
        .filter(|e| named(e, resource))
        .flat_map(|e| e.get("columns").and_then(|c| c.as_array()).into_iter().flatten())
        .filter(|c| named(c, column))
        .flat_map(|c| ["data_tests", "tests"].map(|k| c.get(k).and_then(|t| t.as_array())))
        .flatten()
        .flatten()
        .any(|t| t == expected);
    found
}

fn add_column_test(
    state: &ProjectState,
    id: &str,
    column: &str,
    test: &str,
    arguments: &[TestArgumentValue],
) -> ApiResult<EditPreview> {
    if test.is_empty() || !test.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
        return Err(ApiError::bad_request(format!("'{test}' is not a test name"))
            .hint("use a generic test's name, e.g. unique, accepted_values or dbt_utils.expression_is_true"));
    }
    if column.trim().is_empty() || column.contains(['\n', ':', '#']) {
        return Err(ApiError::bad_request(format!("'{column}' is not a column name")));
    }
    crate::generic_tests::check_arguments(state, test, arguments)?;
    let manifest = state.require_manifest()?;
    let node = manifest
        .node(id)
        .ok_or_else(|| ApiError::bad_request(format!("there is no node '{id}'")))?;
    let project = loaded_project(state)?;
    let (section, props_file) = match node.resource_type {
        ResourceType::Model | ResourceType::Snapshot => {
            let file = project.sql_files.iter().find(|f| f.path == node.path);
            (
                if node.resource_type == ResourceType::Model {
                    "models"
                } else {
                    "snapshots"
                },
                file.and_then(|f| f.props_file.clone()),
            )
        }
        ResourceType::Seed => (
            "seeds",
            project
                .seeds
                .iter()
                .find(|s| s.path == node.path)
                .and_then(|s| s.props_file.clone()),
        ),
        other => {
            return Err(ApiError::bad_request(format!(
                "column tests attach to models, seeds and snapshots, not to a {other}"
            ))
            .hint("declare source column tests in the sources YAML"))
        }
    };
    let change = match props_file {
        Some(props) => {
            let relative = slash_path(&props);
            let before = read_text(&state.root, &relative)?;
            let (item, expected) = test_item(test, arguments, nests_arguments(&before));
            let after = add_test_to_yaml(&before, section, &node.name, column, &item)
                .filter(|after| has_test(after, section, &node.name, column, &expected))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorKind::Unprocessable,
                        Code::YamlSyntax.as_str(),
                        format!("cannot place the test in {relative} automatically"),
                    )
                    .in_file(relative.clone())
                    .hint(format!(
                        "add this under the column's data_tests: by hand:\n{}",
                        list_item(0, &item).join("\n")
                    ))
                })?;
            FileChangeDto {
                path: relative,
                before: Some(before),
                after: Some(after),
            }
        }
        None => {
            let folder = slash_path(node.path.parent().unwrap_or(Path::new("")));
            let mut relative = if folder.is_empty() {
                format!("_{}.yml", node.name)
            } else {
                format!("{folder}/_{}.yml", node.name)
            };
            while state.root.join(&relative).exists() {
                relative = relative.replace(".yml", "_properties.yml");
            }
            let (item, _) = test_item(test, arguments, true);
            let after = format!(
                "version: 2\n\n{section}:\n  - name: {}\n    columns:\n      - name: {column}\n        data_tests:\n{}\n",
                node.name,
                list_item(10, &item).join("\n")
            );
            FileChangeDto {
                path: relative,
                before: None,
                after: Some(after),
            }
        }
    };
    if let Some(after) = &change.after {
        kiln_project::parse_yaml::<serde_json::Value>(after, Path::new(&change.path))
            .map_err(|d| ApiError::from_diagnostics(&d))?;
    }
    Ok(EditPreview { changes: vec![change] })
}

fn commit(state: &ProjectState, changes: &[FileChangeDto]) -> ApiResult<CommitEditResponse> {
    // Everything is checked before anything is written, so a stale preview writes nothing.
    let mut resolved = Vec::with_capacity(changes.len());
    for change in changes {
        let (absolute, relative) = confine_file(&state.root, &change.path)?;
        let current = match std::fs::read_to_string(&absolute) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(ApiError::io(&relative, &e)),
        };
        if current != change.before {
            return Err(conflict(&relative));
        }
        resolved.push((absolute, relative, change.after.clone()));
    }
    // Invalidated even when a later write fails, so the files already written are parsed.
    state.change_files(|| {
        let mut paths = Vec::new();
        for (absolute, relative, after) in resolved {
            match after {
                Some(text) => atomic_write(&absolute, text.as_bytes()).map_err(|e| ApiError::io(&relative, &e))?,
                None => std::fs::remove_file(&absolute).map_err(|e| ApiError::io(&relative, &e))?,
            }
            paths.push(relative);
        }
        Ok(CommitEditResponse { paths })
    })
}

impl Studio {
    /// Computes the file changes of an edit without writing them.
    pub async fn apply_edit(&self, request: ApplyEditRequest) -> ApiResult<EditPreview> {
        let state = self.project()?;
        blocking(move || match &request {
            ApplyEditRequest::CreateModel {
                name,
                directory,
                upstream,
            } => create_model(&state, name, directory, upstream),
            ApplyEditRequest::RenameModel {
                path,
                new_name,
                new_directory,
            } => rename_model(&state, path, new_name, new_directory.as_deref()),
            ApplyEditRequest::AddColumnTest {
                id,
                column,
                test,
                arguments,
            } => add_column_test(&state, id, column, test, arguments.as_deref().unwrap_or_default()),
            ApplyEditRequest::EditDashboard { path, edits } => crate::dashboards::edit(&state, path, edits),
            ApplyEditRequest::SaveCanvas { path, canvas } => crate::canvas::save(&state, path, canvas),
        })
        .await
    }

    /// Writes the changes of a preview; refuses (K1006) if any file differs from its `before`.
    pub async fn commit_edit(&self, request: CommitEditRequest) -> ApiResult<CommitEditResponse> {
        let state = self.project()?;
        blocking(move || commit(&state, &request.changes)).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_every_spelling_of_a_ref() {
        let pattern = ref_pattern("stg_sales").unwrap();
        let text = "select * from {{ ref('stg_sales') }} join {{ ref( \"stg_sales\" ) }} join {{ ref('tickit', 'stg_sales') }} join {{ ref('stg_sales_2') }}";
        assert_eq!(
            rewrite_refs(text, &pattern, "stg_orders"),
            "select * from {{ ref('stg_orders') }} join {{ ref(\"stg_orders\") }} join {{ ref('tickit', 'stg_orders') }} join {{ ref('stg_sales_2') }}"
        );
    }

    #[test]
    fn renames_only_the_model_entry() {
        let yaml = "version: 2\nsources:\n  - name: a\nmodels:\n  - name: a\n    columns:\n      - name: a\n";
        assert_eq!(
            rename_yaml_entry(yaml, "models", "a", "b").unwrap(),
            "version: 2\nsources:\n  - name: a\nmodels:\n  - name: b\n    columns:\n      - name: a\n"
        );
    }

    fn item(test: &str) -> Vec<String> {
        vec![test.to_string()]
    }

    #[test]
    fn adds_a_test_with_arguments_after_the_existing_ones_keeping_comments() {
        let yaml = "version: 2\n\nmodels:\n  # the sales fact\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n          - unique  # keys\n      # prices\n      - name: price\n        tests: [not_null]\n";
        let (lines, expected) = test_item(
            "accepted_values",
            &[TestArgumentValue {
                name: "values".into(),
                value: serde_json::json!(["a", "b"]),
            }],
            true,
        );
        let after = add_test_to_yaml(yaml, "models", "m", "id", &lines).unwrap();
        assert_eq!(
            after,
            "version: 2\n\nmodels:\n  # the sales fact\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n          - unique  # keys\n          - accepted_values:\n              arguments:\n                values: [\"a\", \"b\"]\n      # prices\n      - name: price\n        tests: [not_null]\n"
        );
        assert!(has_test(&after, "models", "m", "id", &expected));
        assert!(!has_test(&after, "models", "m", "price", &expected));
        // A flow-style list takes a one-line test, not one with arguments.
        assert!(add_test_to_yaml(yaml, "models", "m", "price", &lines).is_none());
        let flow = add_test_to_yaml(yaml, "models", "m", "price", &item("unique")).unwrap();
        assert!(flow.ends_with("        tests: [not_null, unique]\n"));
    }

    #[test]
    fn adds_tests_to_existing_and_new_columns() {
        let yaml = "version: 2\n\nmodels:\n  - name: m\n    description: x\n    columns:\n      - name: id\n        data_tests:\n          - unique\n      - name: other\n  - name: n\n";
        let with_not_null = add_test_to_yaml(yaml, "models", "m", "id", &item("not_null")).unwrap();
        let parsed: serde_json::Value = serde_norway::from_str(&with_not_null).unwrap();
        assert_eq!(
            parsed["models"][0]["columns"][0]["data_tests"],
            serde_json::json!(["unique", "not_null"])
        );
        let with_new = add_test_to_yaml(yaml, "models", "m", "price", &item("not_null")).unwrap();
        let parsed: serde_json::Value = serde_norway::from_str(&with_new).unwrap();
        assert_eq!(parsed["models"][0]["columns"][2]["name"], "price");
        assert_eq!(
            parsed["models"][0]["columns"][2]["data_tests"],
            serde_json::json!(["not_null"])
        );
        assert_eq!(parsed["models"][1]["name"], "n");
        let on_bare = add_test_to_yaml(yaml, "models", "n", "id", &item("unique")).unwrap();
        let parsed: serde_json::Value = serde_norway::from_str(&on_bare).unwrap();
        assert_eq!(
            parsed["models"][1]["columns"][0]["data_tests"],
            serde_json::json!(["unique"])
        );
        let on_other = add_test_to_yaml(yaml, "models", "m", "other", &item("unique")).unwrap();
        let parsed: serde_json::Value = serde_norway::from_str(&on_other).unwrap();
        assert_eq!(
            parsed["models"][0]["columns"][1]["data_tests"],
            serde_json::json!(["unique"])
        );
    }

    #[test]
    fn scaffolds_a_select_over_upstream_nodes() {
        let text = scaffold(&[
            ("a".into(), "{{ ref('a') }}".into()),
            ("b".into(), "{{ source('s', 'b') }}".into()),
        ]);
        assert!(text.contains("a as (\n\n    select * from {{ ref('a') }}"));
        assert!(text.contains("from a\n-- join b on"));
    }
}
