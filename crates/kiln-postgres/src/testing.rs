//! A throw-away PostgreSQL server for tests (feature `testing`), so this crate's tests and
//! other crates' (the CLI's, the studio API's) run against a real server.
//!
//! [`TestCluster::start`] makes a temporary folder, runs `initdb` with a password-protected
//! role (`scram-sha-256`), starts the server on a free port on 127.0.0.1 only (its Unix socket
//! inside the folder, so nothing outside is touched), waits until it accepts connections and
//! stops it when dropped. PostgreSQL refuses to run as root, so when the tests run as root the
//! folder is handed to the `postgres` user and the server binaries run through `runuser`.
//!
//! The binaries are looked up in `$KILN_PG_BINDIR`, then `/usr/lib/postgresql/<newest>/bin`
//! (Debian's layout), then `pg_config --bindir`.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use kiln_project::{Secret, Target, TargetKind};
use serde_json::{Map, Value};

/// The role `initdb` creates; a superuser.
pub const USER: &str = "kiln";
/// Its password.
pub const PASSWORD: &str = "kiln-test-password";
/// The database every cluster has.
pub const DATABASE: &str = "postgres";

/// Why a cluster could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL's server binaries (initdb, pg_ctl) were not found; install the server \
         (Debian: postgresql-15) or set KILN_PG_BINDIR"
    )]
    NotInstalled,
    #[error("{step} failed: {message}")]
    Step { step: String, message: String },
}

fn step(step: &str, message: impl std::fmt::Display) -> ClusterError {
    ClusterError::Step {
        step: step.to_string(),
        message: message.to_string(),
    }
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// Serve TLS (`ssl = on`) with a server certificate for the name `localhost` (only: so
    /// `verify-full` passes by that name and fails by `127.0.0.1`), signed by a CA generated
    /// for this cluster ([`TestCluster::ca_cert`]).
    pub tls: bool,
}

/// A running server; stopped (and its folder removed) on drop.
pub struct TestCluster {
    bin: PathBuf,
    as_postgres: bool,
    port: u16,
    ca_cert: Option<PathBuf>,
    // Last, so it is removed after `drop` has stopped the server.
    dir: tempfile::TempDir,
}

impl TestCluster {
    /// Starts a plain (no TLS) cluster.
    pub fn start() -> Result<TestCluster, ClusterError> {
        TestCluster::start_with(ClusterOptions::default())
    }

    pub fn start_with(options: ClusterOptions) -> Result<TestCluster, ClusterError> {
        let bin = find_bindir().ok_or(ClusterError::NotInstalled)?;
        let as_postgres = is_root();
        let mut builder = tempfile::Builder::new();
        builder.prefix("kiln-pg-");
        // As root, `$TMPDIR` may be a folder the postgres user cannot enter; /tmp it can.
        let dir = if as_postgres {
            builder.tempdir_in("/tmp")
        } else {
            builder.tempdir()
        }
        .map_err(|e| step("creating the cluster folder", e))?;
        let mut cluster = TestCluster {
            bin,
            as_postgres,
            port: 0,
            ca_cert: None,
            dir,
        };
        cluster.init(&options)?;
        cluster.launch()?;
        Ok(cluster)
    }

    /// Whether the server binaries can be found (for tests that would rather skip).
    pub fn available() -> bool {
        find_bindir().is_some()
    }

    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The CA certificate (PEM) that signed the server's, when started with TLS.
    pub fn ca_cert(&self) -> Option<&Path> {
        self.ca_cert.as_deref()
    }

    /// The cluster's folder (data directory in `data/`, server log in `server.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server log, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A `type: postgres` target for this cluster as [`USER`], database [`DATABASE`].
    pub fn target(&self) -> Target {
        Target {
            profile_name: "kiln_test".into(),
            name: "dev".into(),
            kind: TargetKind::Postgres,
            schema: "public".into(),
            database: Some(DATABASE.into()),
            threads: 4,
            path: None,
            host: Some(self.host().into()),
            port: Some(self.port),
            user: Some(USER.into()),
            password: Some(Secret::new(PASSWORD)),
            settings: Map::new(),
            source_file: None,
        }
    }

    /// A wire executor on [`TestCluster::target`].
    pub fn executor(&self) -> Result<crate::WireExecutor, kiln_warehouse::AdapterError> {
        crate::WireExecutor::connect(&self.target(), crate::Flavor::Postgres)
    }

    /// [`TestCluster::target`] with extra profile settings (`sslmode`, …).
    pub fn target_with(&self, settings: &[(&str, &str)]) -> Target {
        let mut target = self.target();
        for (key, value) in settings {
            target
                .settings
                .insert((*key).to_string(), Value::String((*value).to_string()));
        }
        target
    }

    /// A profiles.yml body for this cluster (`profile` name, target `dev`), for CLI tests.
    pub fn profiles_yml(&self, profile: &str) -> String {
        format!(
            "{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: {}\n      \
             port: {}\n      user: {USER}\n      password: {PASSWORD}\n      dbname: {DATABASE}\n      \
             schema: public\n      threads: 4\n",
            self.host(),
            self.port
        )
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        // The server's user may not be allowed into the test's working directory.
        command.current_dir(self.dir.path());
        command
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn give_to_postgres(&self) -> Result<(), ClusterError> {
        if self.as_postgres {
            run(
                "handing the cluster folder to the postgres user",
                Command::new("chown").arg("-R").arg("postgres:").arg(self.dir.path()),
            )?;
        }
        Ok(())
    }

    fn init(&mut self, options: &ClusterOptions) -> Result<(), ClusterError> {
        let pwfile = self.dir.path().join("pwfile");
        std::fs::write(&pwfile, format!("{PASSWORD}\n")).map_err(|e| step("writing the password file", e))?;
        self.give_to_postgres()?;
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(self.data())
            .args([
                "-U",
                USER,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()));
        run("initdb", &mut initdb)?;

        let socket_dir = self.dir.path().display().to_string();
        let mut conf = format!(
            "\n# kiln test cluster\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socket_dir}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 60\n"
        );
        if options.tls {
            let (ca, server_cert, server_key) = certificates()?;
            let data = self.data();
            write_file(&data.join("server.crt"), &server_cert)?;
            write_file(&data.join("server.key"), &server_key)?;
            set_mode(&data.join("server.key"), 0o600)?;
            let ca_path = self.dir.path().join("ca.crt");
            write_file(&ca_path, &ca)?;
            self.ca_cert = Some(ca_path);
            conf.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        }
        let conf_path = self.data().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf_path).map_err(|e| step("reading postgresql.conf", e))?;
        text.push_str(&conf);
        write_file(&conf_path, &text)?;
        self.give_to_postgres()
    }

    /// Starts the server on a free port, retrying with another if the port was taken meanwhile.
    fn launch(&mut self) -> Result<(), ClusterError> {
        let mut last = None;
        for _ in 0..5 {
            self.port = free_port()?;
            let mut pg_ctl = self.command("pg_ctl");
            pg_ctl
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.dir.path().join("server.log"))
                .args(["-w", "-t", "60", "-o"])
                .arg(format!("-p {}", self.port))
                .arg("start");
            match run("pg_ctl start", &mut pg_ctl) {
                Ok(_) => return self.wait_until_listening(),
                Err(err) => {
                    let log = self.log();
                    if !log.contains("could not bind") && !log.contains("Address already in use") {
                        return Err(step("pg_ctl start", format!("{err}\n{log}")));
                    }
                    last = Some(err);
                }
            }
        }
        Err(last.unwrap_or_else(|| step("pg_ctl start", "no free port")))
    }

    fn wait_until_listening(&self) -> Result<(), ClusterError> {
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(step(
            "waiting for the server",
            format!("nothing listens on port {}\n{}", self.port, self.log()),
        ))
    }

    /// Stops the server now (dropping does the same).
    pub fn stop(self) {}
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        if self.port == 0 {
            return;
        }
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = pg_ctl.output();
    }
}

impl std::fmt::Debug for TestCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCluster")
            .field("dir", &self.dir.path())
            .field("port", &self.port)
            .field("tls", &self.ca_cert.is_some())
            .finish()
    }
}

fn run(what: &str, command: &mut Command) -> Result<Output, ClusterError> {
    let output = command.output().map_err(|e| step(what, e))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(step(
            what,
            format!(
                "{}\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        ))
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), ClusterError> {
    std::fs::write(path, text).map_err(|e| step(&format!("writing {}", path.display()), e))
}

fn set_mode(path: &Path, mode: u32) -> Result<(), ClusterError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| step(&format!("chmod {}", path.display()), e))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> Result<u16, ClusterError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| step("finding a free port", e))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| step("finding a free port", e))
}

fn find_bindir() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("KILN_PG_BINDIR").map(PathBuf::from) {
        return has_server(&dir).then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    has_server(&dir).then_some(dir)
}

/// A CA that signed nothing this cluster serves: for "wrong CA" tests. PEM.
pub fn unrelated_ca() -> Result<String, ClusterError> {
    Ok(certificate_authority("Kiln unrelated test CA")?.0.pem())
}

fn certificate_authority(name: &str) -> Result<(rcgen::Certificate, rcgen::KeyPair), ClusterError> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let cert_error = |e: rcgen::Error| step("generating certificates", e);
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(cert_error)?;
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().map_err(cert_error)?;
    let cert = params.self_signed(&key).map_err(cert_error)?;
    Ok((cert, key))
}

/// (CA certificate, server certificate, server key), PEM. The server's one name is
/// `localhost`.
fn certificates() -> Result<(String, String, String), ClusterError> {
    use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, KeyPair};
    let cert_error = |e: rcgen::Error| step("generating certificates", e);
    let (ca, ca_key) = certificate_authority("Kiln test CA")?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(cert_error)?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(cert_error)?;
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(cert_error)?;
    Ok((ca.pem(), cert.pem(), key.serialize_pem()))
}
