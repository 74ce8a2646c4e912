//! A profile target → sqlx connect options, with the settings dbt-postgres and dbt-redshift
//! read (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`, `connect_timeout`).

use std::path::PathBuf;
use std::time::Duration;

use kiln_project::{Target, TargetKind};
use kiln_warehouse::{AdapterError, ConnectStage};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::ConnectOptions;

pub use kiln_pgsql::Flavor;

/// The flavor of a `type: postgres` or `type: redshift` target; `None` for any other type.
pub fn flavor_of(kind: &TargetKind) -> Option<Flavor> {
    match kind {
        TargetKind::Postgres => Some(Flavor::Postgres),
        TargetKind::Redshift => Some(Flavor::Redshift),
        _ => None,
    }
}

/// The port a target without `port:` uses: 5432 for PostgreSQL, 5439 for Redshift.
pub fn default_port(flavor: Flavor) -> u16 {
    match flavor {
        Flavor::Postgres => 5432,
        Flavor::Redshift => 5439,
    }
}

/// libpq's default when `connect_timeout` is not set is to wait forever; dbt-postgres uses 10 s,
/// which is also long enough for a paused Redshift Serverless workgroup to answer.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A user name and password obtained when a session opens (temporary IAM credentials) rather
/// than read from the profile. The password is in no `Debug` output.
#[derive(Clone)]
pub struct Login {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("user", &self.user)
            .field("password", &"****")
            .finish()
    }
}

/// What [`LoginSource::login`] returns.
pub type LoginFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Login, AdapterError>> + Send + 'a>>;

/// Where each new session's login comes from when the profile's `user`/`password` are not the
/// login (`method: iam`). Asked once per session the pool opens, on the executor's runtime; the
/// source decides whether to reuse or refresh what it has.
pub trait LoginSource: Send + Sync {
    fn login(&self) -> LoginFuture<'_>;
}

/// Everything needed to open a session, resolved once from the target.
#[derive(Clone)]
pub(crate) struct ConnectConfig {
    pub options: PgConnectOptions,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: Option<String>,
    /// The effective mode (`require` with a CA file is `verify-ca`, as in libpq).
    pub ssl_mode: PgSslMode,
    /// `None` when `connect_timeout: 0` (wait as long as the OS does).
    pub connect_timeout: Option<Duration>,
    /// Kept only to scrub it from error text that might echo it.
    pub password: Option<String>,
    /// When set, each session logs in with what it returns instead of `user`/`password`.
    pub login: Option<std::sync::Arc<dyn LoginSource>>,
}

impl std::fmt::Debug for ConnectConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("database", &self.database)
            .field("ssl_mode", &self.ssl_mode)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

fn settings_error(message: impl Into<String>, hint: impl Into<String>) -> AdapterError {
    AdapterError::Connect {
        stage: ConnectStage::Settings,
        message: message.into(),
        hint: hint.into(),
    }
}

/// A setting's text: YAML may give `connect_timeout: 5` or `"5"`.
fn setting(target: &Target, key: &str) -> Option<String> {
    match target.settings.get(key)? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => match std::env::var_os("HOME") {
            Some(home) => PathBuf::from(home).join(rest),
            None => PathBuf::from(path),
        },
        None => PathBuf::from(path),
    }
}

fn existing_file(target: &Target, key: &str) -> Result<Option<PathBuf>, AdapterError> {
    let Some(raw) = setting(target, key) else {
        return Ok(None);
    };
    let path = expand_home(&raw);
    if !path.is_file() {
        return Err(settings_error(
            format!("`{key}: {raw}` names a file that does not exist"),
            format!("fix `{key}` in profiles.yml (paths are relative to the folder Kiln runs in)"),
        ));
    }
    Ok(Some(path))
}

impl ConnectConfig {
    pub fn from_target(target: &Target, flavor: Flavor) -> Result<ConnectConfig, AdapterError> {
        let host = target
            .host
            .clone()
            .filter(|h| !h.trim().is_empty())
            .ok_or_else(|| settings_error("the target has no `host`", "set `host:` in profiles.yml"))?;
        let user = target
            .user
            .clone()
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| settings_error("the target has no `user`", "set `user:` in profiles.yml"))?;
        if flavor == Flavor::Redshift && target.database.is_none() {
            return Err(settings_error(
                "the target has no `dbname`",
                "set `dbname:` in profiles.yml (a new Redshift cluster has `dev`)",
            ));
        }
        let port = target.port.unwrap_or(default_port(flavor));

        let requested = match setting(target, "sslmode").as_deref() {
            None | Some("") | Some("prefer") => PgSslMode::Prefer,
            Some("disable") => PgSslMode::Disable,
            Some("allow") => PgSslMode::Allow,
            Some("require") => PgSslMode::Require,
            Some("verify-ca") => PgSslMode::VerifyCa,
            Some("verify-full") => PgSslMode::VerifyFull,
            Some(other) => {
                return Err(settings_error(
                    format!("`sslmode: {other}` is not an SSL mode"),
                    "use one of disable, allow, prefer, require, verify-ca, verify-full",
                ))
            }
        };
        let root_cert = existing_file(target, "sslrootcert")?;
        let client_cert = existing_file(target, "sslcert")?;
        let client_key = existing_file(target, "sslkey")?;
        if client_cert.is_some() != client_key.is_some() {
            return Err(settings_error(
                "`sslcert` and `sslkey` must be given together",
                "set both in profiles.yml, or neither",
            ));
        }
        // libpq: "require" with a root certificate verifies the chain like "verify-ca". sqlx's
        // own Require never verifies, so the mode is promoted here.
        //
        // Known gap: sqlx 0.8.6's verify-ca skips the name check by matching rustls's
        // `NotValidForName`, but rustls ≥ 0.23.24 reports `NotValidForNameContext`, so verify-ca
        // checks the host name as verify-full does (launchbadge/sqlx#3793, fixed in sqlx 0.9).
        // It fails closed: connect by the name in the certificate.
        let ssl_mode = match (requested, &root_cert) {
            (PgSslMode::Require, Some(_)) => PgSslMode::VerifyCa,
            (mode, _) => mode,
        };

        let connect_timeout = match setting(target, "connect_timeout") {
            None => Some(DEFAULT_CONNECT_TIMEOUT),
            Some(raw) => match raw.parse::<f64>() {
                Ok(0.0) => None,
                Ok(secs) if secs > 0.0 && secs.is_finite() => Some(Duration::from_secs_f64(secs.max(1.0))),
                _ => {
                    return Err(settings_error(
                        format!("`connect_timeout: {raw}` is not a number of seconds"),
                        "set `connect_timeout:` to whole seconds, e.g. 10 (0 waits indefinitely)",
                    ))
                }
            },
        };

        let password = target.password.as_ref().map(|p| p.expose().to_string());
        // `new_without_pgpass`: the profile is the source of credentials; a ~/.pgpass entry for
        // libpq's default host must not be picked up for another host.
        let mut options = PgConnectOptions::new_without_pgpass()
            .host(&host)
            .port(port)
            .username(&user)
            .ssl_mode(ssl_mode)
            // Redshift refuses a session that asks for `extra_float_digits` 3; 2 still makes
            // PostgreSQL ≥ 12 print the shortest exact float, and older servers (Redshift among
            // them) print 17 significant digits, which round-trips an f64.
            .extra_float_digits(2)
            .application_name(setting(target, "application_name").as_deref().unwrap_or("kiln"))
            // The statement cache serves prepared statements, which this crate never uses.
            .statement_cache_capacity(0)
            .disable_statement_logging();
        if let Some(password) = &password {
            options = options.password(password);
        }
        if let Some(database) = &target.database {
            options = options.database(database);
        }
        if let Some(path) = &root_cert {
            options = options.ssl_root_cert(path);
        }
        if let (Some(cert), Some(key)) = (&client_cert, &client_key) {
            options = options.ssl_client_cert(cert).ssl_client_key(key);
        }
        Ok(ConnectConfig {
            options,
            host,
            port,
            user,
            database: target.database.clone(),
            ssl_mode,
            connect_timeout,
            password,
            login: None,
        })
    }

    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Unix-domain socket directory (a host starting with `/`): no DNS, no TCP, no TLS.
    pub fn is_socket(&self) -> bool {
        self.host.starts_with('/')
    }
}
