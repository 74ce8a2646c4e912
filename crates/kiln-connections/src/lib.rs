//! The studio's saved connections (Redshift Query Editor v2's connection list): PostgreSQL and
//! Redshift servers a user saved once to query from any project. Each is stored, without its
//! secret, in the user-level file `connections.yml` of Kiln's configuration folder; its password
//! goes to the OS keyring (the kernel's keyutils on Linux) and never into the file, a log, an
//! error or an API response. [`SavedConnection::target`] turns one into the
//! [`kiln_project::Target`] that `kiln_targets::open` connects to, as if a profile had named it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_project::{Secret, Target, TargetKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod keyring;

pub use keyring::{OsKeyring, SecretStore};

/// The file, in Kiln's configuration folder, that lists the saved connections.
pub const FILE: &str = "connections.yml";

/// The keyring service the passwords are filed under (the account is the connection's name).
pub const SERVICE: &str = "kiln-connections";

const HEADER: &str = "# Kiln's saved connections (the studio's query console writes this file).\n\
# Passwords are kept in the OS keyring, never here.\n";

/// The server type of a saved connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    Postgres,
    Redshift,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::Postgres => "postgres",
            ConnectionKind::Redshift => "redshift",
        }
    }
}

/// One saved connection, as the file holds it: the keys of a dbt-postgres / dbt-redshift
/// profile output, and no password (a `password:` key in the file is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedConnection {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ConnectionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dbname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The schema unqualified names resolve to (`public` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sslmode: Option<String>,
    /// `data_api` for Redshift's Data API; absent for the wire protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The Data API's keys (`cluster_identifier` or `workgroup_name`, `region`, `aws_profile`,
    /// `secret_arn`, `db_user`), as a profile writes them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data_api: BTreeMap<String, String>,
}

/// The Data API keys a saved connection may carry.
pub const DATA_API_KEYS: &[&str] = &[
    "cluster_identifier",
    "workgroup_name",
    "region",
    "aws_profile",
    "secret_arn",
    "db_user",
];

impl SavedConnection {
    /// Whether it connects through Redshift's Data API (AWS credentials, no password).
    pub fn is_data_api(&self) -> bool {
        self.method.as_deref() == Some("data_api")
    }

    /// Checks what can be checked without connecting.
    pub fn validate(&self) -> Result<(), ConnectionError> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(ConnectionError::Invalid(
                "a connection needs a name of 1 to 64 characters".into(),
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        {
            return Err(ConnectionError::Invalid(format!(
                "the connection name '{name}' may only hold letters, digits, spaces, '_', '-' and '.'"
            )));
        }
        match self.method.as_deref() {
            None | Some("database") => {
                if self.host.as_deref().is_none_or(|h| h.trim().is_empty()) {
                    return Err(ConnectionError::Invalid(format!("connection '{name}' has no host")));
                }
                if self.user.as_deref().is_none_or(|u| u.trim().is_empty()) {
                    return Err(ConnectionError::Invalid(format!("connection '{name}' has no user")));
                }
            }
            Some("data_api") if self.kind == ConnectionKind::Redshift => {
                if let Some(key) = self.data_api.keys().find(|k| !DATA_API_KEYS.contains(&k.as_str())) {
                    return Err(ConnectionError::Invalid(format!(
                        "`{key}` is not a Data API setting (use {})",
                        DATA_API_KEYS.join(", ")
                    )));
                }
            }
            Some(other) => {
                return Err(ConnectionError::Invalid(format!(
                "connection '{name}' has method {other}; use the wire protocol (no method) or, on Redshift, data_api"
            )))
            }
        }
        Ok(())
    }

    /// The profile target this connection stands for, with `password` (from the keyring).
    pub fn target(&self, password: Option<String>) -> Target {
        let mut settings = Map::new();
        if let Some(sslmode) = self.sslmode.as_ref().filter(|s| !s.trim().is_empty()) {
            settings.insert("sslmode".into(), Value::from(sslmode.trim()));
        }
        if let Some(method) = &self.method {
            settings.insert("method".into(), Value::from(method.as_str()));
        }
        for (key, value) in &self.data_api {
            if !value.trim().is_empty() {
                settings.insert(key.clone(), Value::from(value.trim()));
            }
        }
        Target {
            profile_name: "saved connections".into(),
            name: self.name.clone(),
            kind: match self.kind {
                ConnectionKind::Postgres => TargetKind::Postgres,
                ConnectionKind::Redshift => TargetKind::Redshift,
            },
            schema: self.schema.clone().unwrap_or_else(|| "public".into()),
            database: self.dbname.clone(),
            threads: 1,
            path: None,
            host: self.host.clone(),
            port: self.port,
            user: self.user.clone(),
            password: password.map(Secret::new),
            settings,
            source_file: None,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionsFile {
    #[serde(default)]
    connections: Vec<SavedConnection>,
}

/// What can go wrong with saved connections. No variant ever holds a password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("cannot write {}: {message}", path.display())]
    Write { path: PathBuf, message: String },
    #[error("{} does not parse: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("there is no saved connection named '{0}'")]
    NotFound(String),
    #[error("the OS keyring failed: {0}")]
    Keyring(String),
    #[error("the password of connection '{0}' is not in the OS keyring")]
    MissingPassword(String),
}

impl ConnectionError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        let diagnostic = Diagnostic::error(Code::SavedConnection, self.to_string());
        match self {
            ConnectionError::Read { path, .. } | ConnectionError::Write { path, .. } => diagnostic
                .at(Location {
                    file: path.clone(),
                    line: None,
                    column: None,
                })
                .hint("check that Kiln's configuration folder (KILN_CONFIG_DIR) is readable and writable"),
            ConnectionError::Parse { path, line, .. } => diagnostic
                .at(Location {
                    file: path.clone(),
                    line: *line,
                    column: None,
                })
                .hint("fix the file, or delete it to start over (the passwords stay in the keyring)"),
            ConnectionError::Invalid(_) => diagnostic.hint("fix the connection's settings and save again"),
            ConnectionError::NotFound(_) => diagnostic.hint("pick one of the listed connections"),
            ConnectionError::Keyring(_) => diagnostic.hint(
                "Kiln keeps connection passwords in the OS keyring (the kernel keyring on Linux); check that it is available",
            ),
            ConnectionError::MissingPassword(_) => diagnostic.hint(
                "the kernel keyring forgets passwords on reboot: edit the connection and enter its password again",
            ),
        }
    }
}

/// The saved connections of one configuration folder, with their passwords in `secrets`.
#[derive(Clone)]
pub struct ConnectionStore {
    file: PathBuf,
    secrets: Arc<dyn SecretStore>,
}

impl ConnectionStore {
    /// The connections of `config_dir`, passwords in the OS keyring under [`SERVICE`].
    pub fn open(config_dir: &Path) -> Result<ConnectionStore, ConnectionError> {
        Ok(ConnectionStore::with_secrets(
            config_dir,
            Arc::new(OsKeyring::new(SERVICE)?),
        ))
    }

    pub fn with_secrets(config_dir: &Path, secrets: Arc<dyn SecretStore>) -> ConnectionStore {
        ConnectionStore {
            file: config_dir.join(FILE),
            secrets,
        }
    }

    /// The file the connections are kept in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn read(&self) -> Result<ConnectionsFile, ConnectionError> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConnectionsFile::default()),
            Err(e) => {
                return Err(ConnectionError::Read {
                    path: self.file.clone(),
                    message: e.to_string(),
                })
            }
        };
        if text.trim().is_empty()
            || text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Ok(ConnectionsFile::default());
        }
        serde_norway::from_str(&text).map_err(|e| ConnectionError::Parse {
            path: self.file.clone(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })
    }

    fn write(&self, file: &ConnectionsFile) -> Result<(), ConnectionError> {
        let error = |e: &dyn std::fmt::Display| ConnectionError::Write {
            path: self.file.clone(),
            message: e.to_string(),
        };
        let body = serde_norway::to_string(file).map_err(|e| error(&e))?;
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| error(&e))?;
        }
        let scratch = self.file.with_extension("yml.kiln-tmp");
        std::fs::write(&scratch, format!("{HEADER}{body}")).map_err(|e| error(&e))?;
        restrict(&scratch);
        std::fs::rename(&scratch, &self.file).map_err(|e| {
            let _ = std::fs::remove_file(&scratch);
            error(&e)
        })
    }

    /// Every saved connection, in the file's order.
    pub fn list(&self) -> Result<Vec<SavedConnection>, ConnectionError> {
        Ok(self.read()?.connections)
    }

    pub fn get(&self, name: &str) -> Result<SavedConnection, ConnectionError> {
        self.list()?
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ConnectionError::NotFound(name.to_string()))
    }

    /// Whether the keyring holds a password for `name`.
    pub fn has_password(&self, name: &str) -> Result<bool, ConnectionError> {
        Ok(self.secrets.get(name)?.is_some())
    }

    /// Adds or replaces the connection named `connection.name`. A `password` goes to the
    /// keyring; `None` keeps the one saved before (editing a connection without retyping it).
    pub fn save(&self, connection: &SavedConnection, password: Option<&str>) -> Result<(), ConnectionError> {
        connection.validate()?;
        let mut connection = connection.clone();
        connection.name = connection.name.trim().to_string();
        if let Some(password) = password.filter(|p| !p.is_empty()) {
            self.secrets.set(&connection.name, password)?;
        }
        let mut file = self.read()?;
        match file.connections.iter_mut().find(|c| c.name == connection.name) {
            Some(existing) => *existing = connection,
            None => file.connections.push(connection),
        }
        self.write(&file)
    }

    /// Removes the connection and its keyring entry.
    pub fn delete(&self, name: &str) -> Result<(), ConnectionError> {
        let mut file = self.read()?;
        let before = file.connections.len();
        file.connections.retain(|c| c.name != name);
        if file.connections.len() == before {
            return Err(ConnectionError::NotFound(name.to_string()));
        }
        self.secrets.delete(name)?;
        self.write(&file)
    }

    /// The target for `name`, with its password from the keyring. A wire connection whose
    /// password the keyring no longer has is an error that says how to recover.
    pub fn target(&self, name: &str) -> Result<Target, ConnectionError> {
        let connection = self.get(name)?;
        if connection.is_data_api() {
            return Ok(connection.target(None));
        }
        match self.secrets.get(name)? {
            Some(password) => Ok(connection.target(Some(password))),
            None => Err(ConnectionError::MissingPassword(name.to_string())),
        }
    }
}

/// The file holds no secret, but other users have no business reading it either.
fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
