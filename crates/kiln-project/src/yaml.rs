//! YAML as dbt reads it: a key given twice in one mapping is not an error — PyYAML keeps the later
//! one — so projects written for dbt (the first seed's sources file repeats a column's `tests:`)
//! open here too, with a warning naming the file and both lines.

use std::path::Path;

use kiln_diagnostics::{Code, Diagnostic, Diagnostics, Location};

/// At most this many duplicate keys are folded away in one file before giving up.
const MAX_DUPLICATES: usize = 64;

/// Parses YAML, turning a syntax or shape error into a diagnostic at the file, line and column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T, Diagnostics> {
    parse_yaml_lenient(text, file).map(|(value, _)| value)
}

/// Like [`parse_yaml`], but a key repeated in one mapping keeps its later value (as dbt does) and
/// comes back as a warning. The earlier entry is blanked out line by line, so every later error
/// still points at the line the user sees.
pub fn parse_yaml_lenient<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &Path,
) -> Result<(T, Vec<Diagnostic>), Diagnostics> {
    let mut warnings = Vec::new();
    let mut current: Option<String> = None;
    loop {
        let source = current.as_deref().unwrap_or(text);
        let error = match serde_norway::from_str::<T>(source) {
            Ok(value) => return Ok((value, warnings)),
            Err(error) => error,
        };
        let folded = (warnings.len() < MAX_DUPLICATES)
            .then(|| duplicate_key(&error.to_string()))
            .flatten()
            .and_then(|key| {
                let location = error.location()?;
                drop_earlier(source, &key, location.line(), location.column()).map(|folded| (key, folded))
            });
        match folded {
            Some((key, (text, first, line))) => {
                warnings.push(
                    Diagnostic::warning(
                        Code::YamlSyntax,
                        format!(
                            "the key `{key}` is given twice in one mapping (lines {first} and {line}); \
                             the later one is used, as dbt does"
                        ),
                    )
                    .at(Location::at(file, line, None))
                    .hint(format!("remove one of the two `{key}:` entries")),
                );
                current = Some(text);
            }
            None => return Err(syntax_error(&error, file)),
        }
    }
}

fn syntax_error(error: &serde_norway::Error, file: &Path) -> Diagnostics {
    let location = match error.location() {
        Some(loc) => Location::at(file, loc.line(), Some(loc.column())),
        None => Location::file(file),
    };
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
    Diagnostics::from(
        Diagnostic::error(Code::YamlSyntax, format!("invalid YAML: {message}"))
            .at(location)
            .hint("check indentation and that lists use '- ' and mappings 'key: value'"),
    )
}

/// The key of serde's "duplicate field `tests`" (typed structs) or serde_norway's
/// "duplicate entry with key \"tests\"" (untyped mappings).
fn duplicate_key(message: &str) -> Option<String> {
    let rest = match message.split_once("duplicate field `") {
        Some((_, rest)) => rest.split('`').next(),
        None => message
            .split_once("duplicate entry with key \"")
            .and_then(|(_, rest)| rest.split('"').next()),
    }?;
    Some(rest.to_string())
}

/// Where a line's content starts and whether the line opens a list item (`- key: …`); `None` for
/// blank and comment lines.
fn content_column(line: &str) -> Option<(usize, bool)> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let indent = line.len() - trimmed.len();
    match trimmed.strip_prefix("- ") {
        Some(after) => Some((indent + 2 + (after.len() - after.trim_start().len()), true)),
        None => Some((indent, false)),
    }
}

/// Whether the line's content is `key:` (possibly quoted, possibly after `- `).
fn holds_key(line: &str, key: &str) -> bool {
    let rest = line.trim_start();
    let rest = rest.strip_prefix("- ").map(str::trim_start).unwrap_or(rest);
    rest.split_once(':')
        .is_some_and(|(name, _)| name.trim().trim_matches(|c| c == '"' || c == '\'') == key)
}

fn indentation(line: &str) -> Option<usize> {
    let trimmed = line.trim_start();
    (!trimmed.is_empty() && !trimmed.starts_with('#')).then(|| line.len() - trimmed.len())
}

/// Blanks the earlier of two `key:` entries in the mapping that starts at `line`:`column` (1-based,
/// where serde_norway reports the duplicate), returning the new text and the lines of both
/// entries. `None` when the layout is not the plain block style this understands.
fn drop_earlier(text: &str, key: &str, line: usize, column: usize) -> Option<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let start = line.checked_sub(1)?;
    let column = column.checked_sub(1)?;
    let mut found = Vec::new();
    for (i, text_line) in lines.iter().enumerate().skip(start) {
        let Some((at, item)) = content_column(text_line) else {
            continue;
        };
        if i > start && (at < column || (item && at == column)) {
            break; // the parent, or the next item of the list this mapping is in
        }
        if at == column && holds_key(text_line, key) {
            found.push(i);
            if found.len() == 2 {
                break;
            }
        }
    }
    let [earlier, later] = found[..] else { return None };
    if content_column(lines[earlier]).is_some_and(|(_, item)| item) {
        return None; // `- key:` also opens the list item; blanking it would change the shape
    }
    // The entry runs until the next line at the key's column or shallower.
    let mut end = earlier + 1;
    while end < lines.len() {
        match indentation(lines[end]) {
            Some(indent) if indent <= column => break,
            _ => end += 1,
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, text_line) in lines.iter().enumerate() {
        if !(earlier..end).contains(&i) {
            out.push_str(text_line);
        }
        out.push('\n');
    }
    Some((out, earlier + 1, later + 1))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::PropertiesFile;

    const SEED_SOURCES: &str = "\
version: 2
sources:
  - name: tickit
    tables:
      - name: venue
        columns:
          - name: venueid
            tests:
              - unique
            tests:
              - not_null
          - name: venuename
";

    #[test]
    fn a_repeated_key_keeps_the_later_value_with_a_warning() {
        let (file, warnings): (PropertiesFile, _) =
            parse_yaml_lenient(SEED_SOURCES, Path::new("models/sources.yml")).unwrap();
        let tests = serde_json::to_string(&file.sources[0].tables[0].columns[0].tests).unwrap();
        assert!(tests.contains("not_null") && !tests.contains("unique"), "{tests}");
        assert_eq!(file.sources[0].tables[0].columns.len(), 2);
        assert_eq!(warnings.len(), 1);
        let warning = &warnings[0];
        assert!(
            warning.message.contains("`tests`") && warning.message.contains("lines 8 and 10"),
            "{}",
            warning.message
        );
        assert_eq!(warning.location.as_ref().and_then(|l| l.line), Some(10));
    }

    #[test]
    fn untyped_mappings_and_real_errors() {
        let (value, warnings): (serde_json::Value, _) =
            parse_yaml_lenient("a: 1\nb: 2\na: 3\n", Path::new("x.yml")).unwrap();
        assert_eq!(value["a"], 3);
        assert!(warnings.is_empty(), "serde_json keeps the later key without telling");
        // An untyped serde_norway mapping tells, so the editor can warn about any YAML file.
        let (_, warnings): (serde_norway::Value, _) =
            parse_yaml_lenient("a: 1\nb: 2\na: 3\n", Path::new("x.yml")).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("lines 1 and 3"), "{}", warnings[0].message);
        // A real syntax error after a duplicate is still reported at its own line.
        let text = SEED_SOURCES.replace("          - name: venuename", "          - name: [venuename");
        let errors = parse_yaml::<PropertiesFile>(&text, Path::new("s.yml")).unwrap_err();
        let first = errors.errors().next().unwrap();
        assert_eq!(first.code, Code::YamlSyntax);
        assert!(first.location.as_ref().and_then(|l| l.line).unwrap_or(0) >= 11);
    }
}
