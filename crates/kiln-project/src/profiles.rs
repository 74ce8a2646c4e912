//! `profiles.yml`: where a project's warehouse is. Looked up in `--profiles-dir`, `$DBT_PROFILES_DIR`,
//! the project folder, `~/.kiln/`, then `~/.dbt/`. A project whose profile is found nowhere runs
//! against an embedded DuckDB file inside the project, so the sample projects need no set-up.

use std::fmt;
use std::path::{Path, PathBuf};

use kiln_diagnostics::{Code, Diagnostic, Location};
use serde_json::{Map, Value};

/// Where the embedded warehouse lives, relative to the project root. Outside `target/` so
/// `kiln clean` never deletes data.
pub const EMBEDDED_WAREHOUSE: &str = ".kiln/warehouse.duckdb";

/// A credential. Its `Debug` and `Display` never show the value, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    DuckDb,
    Redshift,
    Postgres,
    Other(String),
}

impl TargetKind {
    pub fn as_str(&self) -> &str {
        match self {
            TargetKind::DuckDb => "duckdb",
            TargetKind::Redshift => "redshift",
            TargetKind::Postgres => "postgres",
            TargetKind::Other(other) => other,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Target {
    pub profile_name: String,
    pub name: String,
    pub kind: TargetKind,
    pub schema: String,
    pub database: Option<String>,
    pub threads: usize,
    /// DuckDB file, absolute.
    pub path: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// Remaining non-secret settings (sslmode, cluster_id …).
    pub settings: Map<String, Value>,
    /// The profiles.yml it came from; `None` for the embedded default.
    pub source_file: Option<PathBuf>,
}

impl Target {
    pub fn embedded(project_root: &Path, profile_name: &str) -> Target {
        Target {
            profile_name: profile_name.to_string(),
            name: "dev".into(),
            kind: TargetKind::DuckDb,
            schema: "main".into(),
            database: None,
            threads: 4,
            path: Some(project_root.join(EMBEDDED_WAREHOUSE)),
            host: None,
            port: None,
            user: None,
            password: None,
            settings: Map::new(),
            source_file: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProfileOptions {
    pub profiles_dir: Option<PathBuf>,
    pub target: Option<String>,
    /// Overrides `$HOME` (tests).
    pub home: Option<PathBuf>,
}

const SECRET_KEYS: &[&str] = &[
    "password",
    "pass",
    "secret",
    "token",
    "aws_secret_access_key",
    "session_token",
];

/// The names of the targets (`outputs:`) the profile declares, in file order, with their
/// `type:`; empty when no profiles.yml has the profile (the embedded warehouse only). For pickers:
/// [`load_target`] is what opens one and reports what is wrong with it.
pub fn profile_targets(
    project_root: &Path,
    profile_name: Option<&str>,
    options: &ProfileOptions,
) -> Vec<(String, String)> {
    let profile_name = profile_name.unwrap_or("default");
    for file in candidate_files(project_root, options) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(rendered) = render_env_vars(&text) else { continue };
        let Ok(all) = crate::parse_yaml::<Value>(&rendered, &file) else {
            continue;
        };
        let Some(outputs) = all
            .get(profile_name)
            .and_then(|p| p.get("outputs"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        return outputs
            .iter()
            .map(|(name, output)| {
                let kind = output.get("type").and_then(Value::as_str).unwrap_or("duckdb");
                (name.clone(), kind.to_string())
            })
            .collect();
    }
    Vec::new()
}

fn candidate_files(project_root: &Path, options: &ProfileOptions) -> Vec<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(dir) = &options.profiles_dir {
        candidates.push(dir.join("profiles.yml"));
    }
    if let Ok(dir) = std::env::var("DBT_PROFILES_DIR") {
        candidates.push(PathBuf::from(dir).join("profiles.yml"));
    }
    candidates.push(project_root.join("profiles.yml"));
    let home = options
        .home
        .clone()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from));
    if let Some(home) = home {
        candidates.push(home.join(".kiln").join("profiles.yml"));
        candidates.push(home.join(".dbt").join("profiles.yml"));
    }
    candidates.into_iter().filter(|f| f.is_file()).collect()
}

pub fn load_target(
    project_root: &Path,
    profile_name: Option<&str>,
    options: &ProfileOptions,
) -> Result<Target, Diagnostic> {
    let profile_name = profile_name.unwrap_or("default");
    for file in candidate_files(project_root, options) {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Diagnostic::error(Code::Profile, format!("cannot read profiles: {e}")).in_file(&file))?;
        let rendered = render_env_vars(&text).map_err(|message| {
            Diagnostic::error(Code::Profile, message)
                .in_file(&file)
                .hint("set the environment variable or give env_var() a default")
        })?;
        let all: Value = crate::parse_yaml(&rendered, &file).map_err(|errors| {
            errors
                .0
                .into_iter()
                .next()
                .unwrap_or_else(|| Diagnostic::error(Code::Profile, "invalid profiles.yml"))
        })?;
        let Some(profile) = all.get(profile_name) else { continue };
        return target_from(project_root, profile_name, profile, &file, options.target.as_deref());
    }
    if let Some(wanted) = &options.target {
        if wanted != "dev" {
            return Err(Diagnostic::error(
                Code::Profile,
                format!("--target {wanted} was given but no profiles.yml defines profile '{profile_name}'"),
            )
            .hint("add the profile to profiles.yml in the project, ~/.kiln/ or ~/.dbt/"));
        }
    }
    Ok(Target::embedded(project_root, profile_name))
}

fn target_from(
    project_root: &Path,
    profile_name: &str,
    profile: &Value,
    file: &Path,
    wanted: Option<&str>,
) -> Result<Target, Diagnostic> {
    let at = || Location::at(file, crate::find_profile_line(file, profile_name).unwrap_or(1), None);
    let outputs = profile.get("outputs").and_then(Value::as_object).ok_or_else(|| {
        Diagnostic::error(Code::Profile, format!("profile '{profile_name}' has no `outputs:`")).at(at())
    })?;
    let name = wanted
        .map(str::to_string)
        .or_else(|| profile.get("target").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| "dev".into());
    let output = outputs.get(&name).and_then(Value::as_object).ok_or_else(|| {
        let known: Vec<&str> = outputs.keys().map(String::as_str).collect();
        Diagnostic::error(
            Code::Profile,
            format!("profile '{profile_name}' has no target '{name}'"),
        )
        .at(at())
        .hint(format!("use one of: {}", known.join(", ")))
    })?;
    let kind = match output.get("type").and_then(Value::as_str).unwrap_or("duckdb") {
        "duckdb" => TargetKind::DuckDb,
        "redshift" => TargetKind::Redshift,
        "postgres" => TargetKind::Postgres,
        other => TargetKind::Other(other.to_string()),
    };
    let text = |key: &str| {
        output.get(key).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| Some(v.to_string()).filter(|_| v.is_number()))
        })
    };
    let path = match kind {
        TargetKind::DuckDb => {
            let raw = text("path").unwrap_or_else(|| crate::profiles::EMBEDDED_WAREHOUSE.to_string());
            if raw == ":memory:" {
                None
            } else {
                let p = PathBuf::from(raw);
                Some(if p.is_absolute() { p } else { project_root.join(p) })
            }
        }
        _ => None,
    };
    let mut settings = Map::new();
    let mut password = None;
    for (key, value) in output {
        if SECRET_KEYS.contains(&key.as_str()) {
            if let Some(s) = value.as_str() {
                password = Some(Secret::new(s));
            }
        } else if ![
            "type", "path", "schema", "database", "dbname", "threads", "host", "port", "user",
        ]
        .contains(&key.as_str())
        {
            settings.insert(key.clone(), value.clone());
        }
    }
    let default_schema = if kind == TargetKind::DuckDb { "main" } else { "public" };
    Ok(Target {
        profile_name: profile_name.to_string(),
        name,
        kind,
        schema: text("schema").unwrap_or_else(|| default_schema.into()),
        database: text("database").or_else(|| text("dbname")),
        threads: output
            .get("threads")
            .and_then(Value::as_u64)
            .map(|t| t.max(1) as usize)
            .unwrap_or(4),
        path,
        host: text("host"),
        port: output
            .get("port")
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .and_then(|p| u16::try_from(p).ok()),
        user: text("user"),
        password,
        settings,
        source_file: Some(file.to_path_buf()),
    })
}

/// Renders `{{ env_var('X') }}` / `{{ env_var('X', 'default') }}` in profiles.yml.
fn render_env_vars(text: &str) -> Result<String, String> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    let mut env = minijinja::Environment::new();
    env.add_function("env_var", env_var);
    env.render_str(text, minijinja::context! {})
        .map_err(|e| format!("cannot render profiles.yml: {e}"))
}

/// dbt's `env_var(name, default)`: a missing variable without a default is an error naming it.
pub fn env_var(name: String, default: Option<minijinja::Value>) -> Result<minijinja::Value, minijinja::Error> {
    match std::env::var(&name) {
        Ok(value) => Ok(minijinja::Value::from(value)),
        Err(_) => default.ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("environment variable '{name}' is not set and env_var() has no default"),
            )
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_embedded_duckdb() {
        let dir = tempfile::tempdir().unwrap();
        let options = ProfileOptions {
            home: Some(dir.path().join("nohome")),
            ..Default::default()
        };
        let target = load_target(dir.path(), Some("tickit"), &options).unwrap();
        assert_eq!(target.kind, TargetKind::DuckDb);
        assert_eq!(target.path, Some(dir.path().join(EMBEDDED_WAREHOUSE)));
        assert!(target.source_file.is_none());
    }

    #[test]
    fn reads_profile_with_env_vars_and_hides_password() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("profiles.yml"),
            "p:\n  target: prod\n  outputs:\n    prod:\n      type: redshift\n      host: h\n      port: 5439\n      user: u\n      password: \"{{ env_var('KILN_TEST_NOPE', 'hunter2') }}\"\n      schema: s\n      threads: 8\n",
        )
        .unwrap();
        let options = ProfileOptions {
            home: Some(dir.path().join("nohome")),
            ..Default::default()
        };
        let target = load_target(dir.path(), Some("p"), &options).unwrap();
        assert_eq!(target.kind, TargetKind::Redshift);
        assert_eq!(target.port, Some(5439));
        assert_eq!(target.threads, 8);
        assert_eq!(target.password.as_ref().map(Secret::expose), Some("hunter2"));
        assert!(!format!("{target:?}").contains("hunter2"));
    }

    #[test]
    fn unknown_target_lists_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("profiles.yml"),
            "p:\n  outputs:\n    dev:\n      type: duckdb\n",
        )
        .unwrap();
        let options = ProfileOptions {
            target: Some("prod".into()),
            home: Some(dir.path().join("x")),
            ..Default::default()
        };
        let err = load_target(dir.path(), Some("p"), &options).unwrap_err();
        assert!(err.to_string().contains("use one of: dev"), "{err}");
    }
}
