//! How a `kiln` command finds the studio that has its project open. DuckDB lets one process
//! write a warehouse file, so while `kiln serve` holds a project's warehouse a `kiln build` in a
//! terminal hands its run to that studio instead of failing; this is where it looks.
//!
//! `kiln serve` writes one small JSON file per open project — `{pid, port, token, project_root}` —
//! and removes it when it stops. The file holds the per-launch token, a credential, so it lives
//! in a per-user runtime folder (created 0700) rather than in the project (which may be shared
//! or committed), is written 0600, and is named by a hash of the canonical project root so the
//! CLI finds it from the project alone. A file whose process is gone or whose port refuses
//! connections is stale (a studio that was killed) and is removed by whoever reads it.
//!
//! The folder: `$KILN_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/kiln` (per user, 0700, emptied at
//! logout), else `run/` in Kiln's configuration folder (`$KILN_CONFIG_DIR`, else `~/.kiln`).

use std::fmt;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Overrides the discovery folder (tests, or users with an unusual layout).
pub const RUNTIME_DIR_ENV: &str = "KILN_RUNTIME_DIR";

/// How long a liveness probe waits for the studio's port; it is on this machine, so a live
/// server answers at once.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error(
        "Kiln has no per-user runtime folder (set XDG_RUNTIME_DIR, KILN_RUNTIME_DIR or HOME), so \
         `kiln` commands in a terminal cannot find this studio"
    )]
    NoFolder,
    #[error("cannot write {}: {source}; `kiln` commands in a terminal will not find this studio", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// A running studio serving a project, as its discovery file says.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudioAddress {
    pub pid: u32,
    /// On 127.0.0.1: the server binds nothing else.
    pub port: u16,
    pub token: String,
    /// Canonical.
    pub project_root: PathBuf,
}

impl fmt::Debug for StudioAddress {
    /// Never prints the token: debug output ends up in logs and panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StudioAddress")
            .field("pid", &self.pid)
            .field("port", &self.port)
            .field("token", &"<redacted>")
            .field("project_root", &self.project_root)
            .finish()
    }
}

impl StudioAddress {
    /// `http://127.0.0.1:PORT`, without the token.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// The folder discovery files live in (see the module's documentation); `None` without any of
/// its environment variables.
pub fn runtime_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var(RUNTIME_DIR_ENV)
        .or_else(|| var("XDG_RUNTIME_DIR").map(|dir| dir.join("kiln")))
        .or_else(|| var("KILN_CONFIG_DIR").map(|dir| dir.join("run")))
        .or_else(|| var("HOME").map(|home| home.join(".kiln").join("run")))
}

/// The project root as both sides name it: canonical, so `.`, symlinks and `..` agree.
fn canonical(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// FNV-1a (64-bit): stable across Rust versions and builds, unlike std's hasher, so a CLI and a
/// studio of different builds name the file alike.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The discovery file of the project at `root` inside `dir`.
pub fn discovery_file(dir: &Path, root: &Path) -> PathBuf {
    let root = canonical(root);
    dir.join(format!(
        "studio-{:016x}.json",
        fnv1a(root.as_os_str().to_string_lossy().as_bytes())
    ))
}

/// Creates the folder, readable by its owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        // An existing folder (made by an older kiln, or by hand) is tightened too.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Writes `bytes` to a fresh file readable by its owner only (0600 from its creation, so the
/// token is never readable by others, even briefly).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The studio's entry, removed when dropped (as `kiln serve` stops).
#[derive(Debug)]
pub struct Registration {
    path: PathBuf,
}

impl Registration {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // Only our own entry: another studio may have registered the project since.
        if read(&self.path).is_some_and(|entry| entry.pid == std::process::id()) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Registers this process as the studio serving `root` on 127.0.0.1:`port` with `token`.
pub fn register(root: &Path, port: u16, token: &str) -> Result<Registration, DiscoveryError> {
    let dir = runtime_dir().ok_or(DiscoveryError::NoFolder)?;
    register_in(&dir, root, port, token)
}

/// [`register`] into `dir`.
pub fn register_in(dir: &Path, root: &Path, port: u16, token: &str) -> Result<Registration, DiscoveryError> {
    let path = discovery_file(dir, root);
    let fail = |source| DiscoveryError::Write {
        path: path.clone(),
        source,
    };
    create_private_dir(dir).map_err(fail)?;
    let entry = StudioAddress {
        pid: std::process::id(),
        port,
        token: token.to_string(),
        project_root: canonical(root),
    };
    let text = serde_json::to_vec_pretty(&entry).map_err(|e| fail(std::io::Error::other(e)))?;
    // Written beside and renamed over, so a reader never sees half a file.
    let temporary = path.with_extension(format!("json.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    write_private(&temporary, &text)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            fail(e)
        })?;
    Ok(Registration { path })
}

fn read(path: &Path) -> Option<StudioAddress> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Whether process `pid` exists. Only Linux answers cheaply without `unsafe` (`/proc`); elsewhere
/// the port probe alone decides.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

fn port_open(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&address, PROBE_TIMEOUT).is_ok()
}

/// The studio serving the project at `root`, if one is running. A stale entry (its process gone,
/// or its port refusing connections) is removed and `None` returned; an unreadable one is left
/// alone and ignored.
pub fn lookup(root: &Path) -> Option<StudioAddress> {
    lookup_in(&runtime_dir()?, root)
}

/// [`lookup`] in `dir`.
pub fn lookup_in(dir: &Path, root: &Path) -> Option<StudioAddress> {
    let path = discovery_file(dir, root);
    let entry = read(&path)?;
    if entry.project_root != canonical(root) {
        // Another project whose root hashes alike: not ours, and not stale either.
        return None;
    }
    if !process_alive(entry.pid) || !port_open(entry.port) {
        forget_in(dir, &entry);
        return None;
    }
    Some(entry)
}

/// Removes `entry`'s file when it still says the same (a studio that refused its own token is
/// not the one that wrote it).
pub fn forget(entry: &StudioAddress) {
    if let Some(dir) = runtime_dir() {
        forget_in(&dir, entry);
    }
}

fn forget_in(dir: &Path, entry: &StudioAddress) {
    let path = discovery_file(dir, &entry.project_root);
    if read(&path).as_ref() == Some(entry) {
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn registers_privately_and_removes_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("run");
        let project = dir.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let registration = register_in(&runtime, &project, port, "secret-token").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&runtime), 0o700);
            assert_eq!(mode(registration.path()), 0o600);
        }
        // Found from another spelling of the same folder.
        let found = lookup_in(&runtime, &project.join(".")).unwrap();
        assert_eq!(found.port, port);
        assert_eq!(found.token, "secret-token");
        assert!(!format!("{found:?}").contains("secret-token"));
        let path = registration.path().to_path_buf();
        drop(registration);
        assert!(!path.exists());
        assert!(lookup_in(&runtime, &project).is_none());
    }

    #[test]
    fn stale_entries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        // A port nothing listens on any more.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let registration = register_in(dir.path(), &project, port, "t").unwrap();
        let path = registration.path().to_path_buf();
        std::mem::forget(registration);
        assert!(lookup_in(dir.path(), &project).is_none());
        assert!(!path.exists(), "the stale entry is removed");
    }

    #[test]
    fn names_are_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
