//! Dashboards kept in the project (`dashboards/*.yml`, a Kiln addition dbt ignores). Each one is an
//! exposure: it enters the lineage depending on what its panels' queries `ref()` and `source()`,
//! so `kiln build -s +exposure:<name>` builds what it shows. Only what the graph needs is read here
//! (title, owner, the queries); `kiln-dash` reads the whole file for the studio.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::properties::ExposureDef;
use crate::yaml::parse_yaml;
use crate::Exposure;
use kiln_diagnostics::Diagnostics;

/// A dashboard file of the project.
#[derive(Debug, Clone)]
pub struct DashboardFile {
    /// The exposure's name: the file name without its extension.
    pub name: String,
    /// Relative to the project root.
    pub path: PathBuf,
    pub text: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Head {
    title: Option<String>,
    description: String,
    maturity: Option<String>,
    owner: Map<String, Value>,
    tags: Vec<String>,
    /// The exposure this dashboard is, when it is declared in properties YAML under another name.
    exposure: Option<String>,
    panels: Vec<PanelHead>,
    variables: Vec<PanelHead>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PanelHead {
    query: String,
}

/// ref('m'), ref("m"), ref('package', 'm'), source('s', 't'): what the Jinja will call. `None`
/// only if the constant pattern failed to compile, which its unit test rules out.
fn references() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"\b(ref|source)\s*\(\s*(['"][^'"]+['"](?:\s*,\s*['"][^'"]+['"])?)\s*\)"#).ok())
        .as_ref()
}

/// `ref('fct_sales')`-style strings for every model or source the queries use, in first-use order.
fn depends_on(queries: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let Some(pattern) = references() else {
        return found;
    };
    for query in queries {
        for capture in pattern.captures_iter(query) {
            let call = format!("{}({})", &capture[1], capture[2].replace('"', "'"));
            if !found.contains(&call) {
                found.push(call);
            }
        }
    }
    found
}

/// Reads the dashboards and adds them to `exposures`: a dashboard named like an exposure already
/// declared in YAML (or naming it in `exposure:`) adds its queries' dependencies to that one.
pub(crate) fn load(
    root: &Path,
    files: &[PathBuf],
    project_name: &str,
    exposures: &mut Vec<Exposure>,
    diagnostics: &mut Diagnostics,
) -> Vec<DashboardFile> {
    let mut dashboards = Vec::new();
    for path in files {
        let rel = kiln_diagnostics::relative_to(root, path);
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let head: Head = match parse_yaml::<Option<Head>>(&text, &rel) {
            Ok(head) => head.unwrap_or_default(),
            Err(errors) => {
                diagnostics.extend(errors);
                continue;
            }
        };
        let name = crate::file_stem(path);
        let queries: Vec<&str> = head
            .panels
            .iter()
            .chain(&head.variables)
            .map(|p| p.query.as_str())
            .collect();
        let depends = depends_on(&queries);
        let target = head.exposure.clone().unwrap_or_else(|| name.clone());
        match exposures.iter_mut().find(|e| e.def.name == target) {
            Some(existing) => {
                for dep in depends {
                    if !existing.def.depends_on.contains(&dep) {
                        existing.def.depends_on.push(dep);
                    }
                }
            }
            None => exposures.push(Exposure {
                def: ExposureDef {
                    name: target.clone(),
                    kind: "dashboard".into(),
                    label: head.title.clone(),
                    maturity: head.maturity.clone(),
                    url: None,
                    description: head.description.clone(),
                    depends_on: depends,
                    owner: head.owner.clone(),
                    tags: head.tags.clone(),
                    meta: Map::new(),
                },
                file: rel.clone(),
                fqn: vec![project_name.to_string(), target],
            }),
        }
        dashboards.push(DashboardFile { name, path: rel, text });
    }
    dashboards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_refs_and_sources_in_queries() {
        let got = depends_on(&[
            "select * from {{ ref('fct_sales') }} join {{ ref(\"dim_events\") }} using (eventid)",
            "select * from {{ source('tickit', 'sales') }}, {{ ref('fct_sales') }}",
        ]);
        assert_eq!(
            got,
            ["ref('fct_sales')", "ref('dim_events')", "source('tickit', 'sales')"]
        );
    }
}
