//! sqlx errors → [`AdapterError`]: connect failures by the step that failed, each with a
//! plain-words message and the profile setting to look at; statement failures with the
//! server's message and the line/column of its error position.
//!
//! No message is built from the connect options, and every message passes through
//! [`scrub`] before it leaves the crate, so the password cannot appear even if a lower layer
//! were to echo it.

use std::io;

use kiln_warehouse::{AdapterError, ConnectStage};
use sqlx::postgres::{PgDatabaseError, PgErrorPosition, PgSslMode};

use crate::config::ConnectConfig;

/// Replaces the password, wherever it occurs, by `****`.
pub(crate) fn scrub(text: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() && text.contains(p) => text.replace(p, "****"),
        _ => text.to_string(),
    }
}

fn connect(stage: ConnectStage, message: String, hint: &str, config: &ConnectConfig) -> AdapterError {
    AdapterError::Connect {
        stage,
        message: scrub(&message, config.password.as_deref()),
        hint: hint.to_string(),
    }
}

/// The host name did not resolve.
pub(crate) fn dns(config: &ConnectConfig, err: &io::Error) -> AdapterError {
    connect(
        ConnectStage::Dns,
        format!("cannot resolve host name `{}` ({err})", config.host),
        "check `host` in profiles.yml; a Redshift endpoint looks like \
         <cluster>.<id>.<region>.redshift.amazonaws.com",
        config,
    )
}

/// The host resolved to no address at all.
pub(crate) fn dns_empty(config: &ConnectConfig) -> AdapterError {
    connect(
        ConnectStage::Dns,
        format!("host name `{}` resolves to no address", config.host),
        "check `host` in profiles.yml",
        config,
    )
}

/// The resolver did not answer within `connect_timeout`.
pub(crate) fn dns_timed_out(config: &ConnectConfig, secs: u64) -> AdapterError {
    connect(
        ConnectStage::Dns,
        format!("no answer resolving host name `{}` within {secs} s", config.host),
        "check `host` in profiles.yml and this machine's DNS settings (a VPN may be needed to \
         resolve a private endpoint)",
        config,
    )
}

/// Nothing answered within `connect_timeout`.
pub(crate) fn timed_out(config: &ConnectConfig, secs: u64) -> AdapterError {
    connect(
        ConnectStage::Tcp,
        format!("no answer from {} within {secs} s", config.address()),
        "check `host` and `port` in profiles.yml, that the server is running, and that a \
         firewall or security group lets this machine in; raise `connect_timeout` for a slow \
         network",
        config,
    )
}

const TCP_HINT: &str = "check `host` and `port` in profiles.yml, that the server is running and \
                        accepts TCP connections, and that a firewall or security group lets this \
                        machine in";

fn tls_hint(config: &ConnectConfig) -> &'static str {
    match config.ssl_mode {
        PgSslMode::VerifyCa | PgSslMode::VerifyFull => {
            "set `sslrootcert` to the CA bundle that signed the server's certificate (for \
             Redshift, Amazon's CA bundle) and connect by the host name the certificate names; \
             or set `sslmode: require` to encrypt without verifying"
        }
        _ => {
            "set `sslmode: require` or provide `sslrootcert`; `sslmode: disable` if the server \
              does not offer TLS"
        }
    }
}

/// Whether `err` (or an error it wraps) is rustls's: tokio/sqlx report a failed handshake as
/// an `io::Error` of kind `InvalidData` wrapping the `rustls::Error`.
fn is_tls_io(err: &io::Error) -> bool {
    err.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
}

/// A failure while opening a session.
pub(crate) fn connect_error(config: &ConnectConfig, err: sqlx::Error) -> AdapterError {
    match err {
        sqlx::Error::Io(io) if is_tls_io(&io) => connect(
            ConnectStage::Tls,
            format!("TLS with {} failed: {io}", config.address()),
            tls_hint(config),
            config,
        ),
        sqlx::Error::Io(io) => {
            let what = match io.kind() {
                io::ErrorKind::ConnectionRefused => "connection refused (nothing listens there)".to_string(),
                io::ErrorKind::TimedOut => "timed out".to_string(),
                io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => {
                    format!("the server closed the connection ({io})")
                }
                _ => io.to_string(),
            };
            connect(
                ConnectStage::Tcp,
                format!("cannot connect to {}: {what}", config.address()),
                TCP_HINT,
                config,
            )
        }
        sqlx::Error::Tls(inner) => connect(
            ConnectStage::Tls,
            format!("TLS with {} failed: {inner}", config.address()),
            tls_hint(config),
            config,
        ),
        sqlx::Error::Database(db) => match db.try_downcast_ref::<PgDatabaseError>() {
            Some(pg) => server_connect_error(config, pg),
            None => connect(
                ConnectStage::Authentication,
                db.message().to_string(),
                "check profiles.yml",
                config,
            ),
        },
        sqlx::Error::Configuration(inner) => connect(
            ConnectStage::Settings,
            format!("invalid connection settings: {inner}"),
            "check the target in profiles.yml",
            config,
        ),
        other => connect(
            ConnectStage::Tcp,
            format!("cannot open a session on {}: {other}", config.address()),
            TCP_HINT,
            config,
        ),
    }
}

/// The server refused the session (an ErrorResponse during start-up).
fn server_connect_error(config: &ConnectConfig, pg: &PgDatabaseError) -> AdapterError {
    let message = pg.message().to_string();
    let database = config.database.as_deref().unwrap_or(&config.user);
    match pg.code() {
        "53300" | "57P03" | "53000" => AdapterError::Busy {
            message: scrub(
                &format!("the server refused a new session: {message}"),
                config.password.as_deref(),
            ),
            hint: "too many sessions are open or the server is starting up; lower `threads` in \
                   profiles.yml, close other clients, or retry in a moment"
                .into(),
        },
        "28P01" => connect(
            ConnectStage::Authentication,
            message,
            "check `user` and `password` in profiles.yml (or the environment variable its \
             env_var() reads)",
            config,
        ),
        "28000" if message.contains("no encryption") => connect(
            ConnectStage::Authentication,
            message,
            "the server only accepts encrypted connections from here: set `sslmode: require`",
            config,
        ),
        "28000" => connect(
            ConnectStage::Authentication,
            message,
            "check `user` in profiles.yml and that the server's pg_hba.conf (or the cluster's \
             settings) admits it from this machine",
            config,
        ),
        "3D000" => connect(
            ConnectStage::Database,
            message,
            "check `dbname` in profiles.yml against the databases the server has",
            config,
        ),
        "42501" => connect(
            ConnectStage::Permission,
            message,
            &format!(
                "ask an administrator to `GRANT CONNECT ON DATABASE {database} TO {}`, or use \
                 another user",
                config.user
            ),
            config,
        ),
        _ if message.contains("permission denied for database") => connect(
            ConnectStage::Permission,
            message,
            "ask an administrator for CONNECT on the database, or use another user",
            config,
        ),
        "42704" | "22023" | "0A000" => connect(
            ConnectStage::Settings,
            message,
            "the server rejected a session setting; check the target's settings in profiles.yml",
            config,
        ),
        code => connect(
            ConnectStage::Authentication,
            format!("{message} (SQLSTATE {code})"),
            "check the target in profiles.yml",
            config,
        ),
    }
}

/// A failure while a statement ran. `statement` is the exact text sent, which the server's
/// error position points into.
pub(crate) fn statement_error(err: sqlx::Error, statement: &str, password: Option<&str>) -> AdapterError {
    match err {
        sqlx::Error::Database(db) => match db.try_downcast_ref::<PgDatabaseError>() {
            Some(pg) => server_error(pg, statement, password),
            None => AdapterError::Sql {
                message: scrub(db.message(), password),
                line: None,
                column: None,
            },
        },
        sqlx::Error::Io(io) => AdapterError::Connect {
            stage: ConnectStage::Tcp,
            message: scrub(&format!("the connection to the server was lost: {io}"), password),
            hint: "the server closed the session or the network dropped it; run the statement \
                   again"
                .into(),
        },
        other => AdapterError::Sql {
            message: scrub(&other.to_string(), password),
            line: None,
            column: None,
        },
    }
}

fn server_error(pg: &PgDatabaseError, statement: &str, password: Option<&str>) -> AdapterError {
    match pg.code() {
        "57014" => return AdapterError::Interrupted,
        "53300" | "57P03" => {
            return AdapterError::Busy {
                message: scrub(pg.message(), password),
                hint: "the server is overloaded or restarting; retry in a moment".into(),
            }
        }
        _ => {}
    }
    let mut message = pg.message().to_string();
    if let Some(detail) = pg.detail() {
        message.push_str("\nDETAIL: ");
        message.push_str(detail);
    }
    if let Some(hint) = pg.hint() {
        message.push_str("\nHINT: ");
        message.push_str(hint);
    }
    let (line, column) = match pg.position() {
        Some(PgErrorPosition::Original(position)) => line_and_column(statement, position),
        _ => (None, None),
    };
    AdapterError::Sql {
        message: scrub(&message, password),
        line,
        column,
    }
}

/// The server's `position` is a 1-based count of characters into the statement text.
pub(crate) fn line_and_column(statement: &str, position: usize) -> (Option<usize>, Option<usize>) {
    if position == 0 {
        return (None, None);
    }
    let mut line = 1;
    let mut column = 1;
    for (i, c) in statement.chars().enumerate() {
        if i + 1 == position {
            return (Some(line), Some(column));
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    // Just past the end (e.g. "syntax error at end of input").
    (Some(line), Some(column))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn positions_become_line_and_column() {
        let sql = "select 1,\n  2 from t\nwhere x = = 1";
        // "where x = = 1": the second '=' is character 10 of line 3.
        let pos = sql.find("= 1").unwrap() + 1;
        assert_eq!(line_and_column(sql, pos), (Some(3), Some(11)));
        assert_eq!(line_and_column("selec", 1), (Some(1), Some(1)));
        assert_eq!(line_and_column("é\nx", 3), (Some(2), Some(1)));
        assert_eq!(line_and_column("abc", 4), (Some(1), Some(4)));
    }

    #[test]
    fn scrub_hides_the_password() {
        assert_eq!(scrub("a hunter2 b", Some("hunter2")), "a **** b");
        assert_eq!(scrub("nothing", Some("")), "nothing");
        assert_eq!(scrub("nothing", None), "nothing");
    }
}
