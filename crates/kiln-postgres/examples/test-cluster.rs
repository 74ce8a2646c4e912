//! A throw-away PostgreSQL server for tests outside Rust (the studio's browser tests): starts a
//! [`TestCluster`], prints one JSON line `{"host","port","user","password","database"}` on
//! stdout, and stops the server (removing its folder) when stdin closes — so a test that is
//! killed, whose pipe the OS closes, leaves no server behind. With `--available` it only says,
//! by its exit status, whether PostgreSQL's server binaries are installed (for tests that skip
//! without them outside CI, as the Rust ones do).
//!
//!     cargo run -p kiln-postgres --example test-cluster --features testing

use std::io::{Read, Write};

use kiln_postgres::testing::{TestCluster, DATABASE, PASSWORD, USER};

fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--available") {
        return if TestCluster::available() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        };
    }
    let cluster = match TestCluster::start() {
        Ok(cluster) => cluster,
        Err(error) => {
            eprintln!("test-cluster: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let line = serde_json::json!({
        "host": cluster.host(),
        "port": cluster.port(),
        "user": USER,
        "password": PASSWORD,
        "database": DATABASE,
    });
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{line}").and_then(|()| stdout.flush()).is_err() {
        return std::process::ExitCode::FAILURE;
    }
    // Until stdin closes (EOF or an error alike): whatever is written is ignored.
    let mut sink = [0u8; 256];
    let mut stdin = std::io::stdin();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    drop(cluster);
    std::process::ExitCode::SUCCESS
}
