//! Paths that arrive in requests, confined to the project, and atomic writes.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{codes, slash_path, ApiError, ErrorKind};

/// Marker in the names of the scratch files `atomic_write` renames into place; the file watcher
/// ignores them.
pub(crate) const TMP_MARKER: &str = ".kiln-tmp-";

/// Resolves a request path (relative to the project, or absolute inside it) to an absolute path
/// and its normalised relative form. `..`, other roots and symlinks leading out are refused, so a
/// request can never touch a file outside the project.
pub(crate) fn confine(root: &Path, requested: &str) -> Result<(PathBuf, String), ApiError> {
    let outside = || {
        ApiError::new(
            ErrorKind::BadRequest,
            codes::OUTSIDE_PROJECT,
            format!("the path '{requested}' is outside the project"),
        )
        .hint("use a path relative to the project folder, without '..'")
    };
    let normalised = requested.replace('\\', "/");
    let candidate = Path::new(&normalised);
    let relative = if candidate.is_absolute() {
        candidate.strip_prefix(root).map_err(|_| outside())?.to_path_buf()
    } else {
        candidate.to_path_buf()
    };
    let mut clean = PathBuf::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return Err(outside()),
        }
    }
    let absolute = root.join(&clean);
    // A symlink inside the project may point anywhere; judge by where the deepest existing
    // ancestor really is.
    let mut existing = absolute.as_path();
    loop {
        if existing.exists() {
            let real = existing.canonicalize().map_err(|e| ApiError::io(&normalised, &e))?;
            if !real.starts_with(root) {
                return Err(outside());
            }
            break;
        }
        match existing.parent() {
            Some(parent) => existing = parent,
            None => break,
        }
    }
    Ok((absolute, slash_path(&clean)))
}

/// Like [`confine`], but the path must name a file (not the project folder itself).
pub(crate) fn confine_file(root: &Path, requested: &str) -> Result<(PathBuf, String), ApiError> {
    let (absolute, relative) = confine(root, requested)?;
    if relative.is_empty() {
        return Err(ApiError::bad_request("a file path is required, not the project folder")
            .hint("pass a path such as models/my_model.sql"));
    }
    Ok((absolute, relative))
}

/// An opaque version of a file's content: FNV-1a 64 plus the length. Stable across processes
/// and Rust versions, so an editor may keep it while the studio restarts.
pub(crate) fn version_of(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}-{}", bytes.len())
}

/// Writes through a scratch file in the same folder and renames it over the target, so a crash
/// or a concurrent reader never sees half a file.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let parent = path
        .parent()
        .ok_or_else(|| std::io::Error::other("the path has no parent folder"))?;
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(
        ".{name}{TMP_MARKER}{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn confines_paths_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("models")).unwrap();
        let (abs, rel) = confine(&root, "models/./a.sql").unwrap();
        assert_eq!(rel, "models/a.sql");
        assert_eq!(abs, root.join("models/a.sql"));
        let (_, rel) = confine(&root, &root.join("models/b.sql").to_string_lossy()).unwrap();
        assert_eq!(rel, "models/b.sql");
        for bad in ["../x.sql", "models/../../x", "/etc/passwd", "models\\..\\..\\x"] {
            let err = confine(&root, bad).unwrap_err();
            assert_eq!(err.diagnostic.code, codes::OUTSIDE_PROJECT, "{bad}");
        }
        assert!(confine_file(&root, "").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_leading_out() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("escape")).unwrap();
        assert!(confine(&root, "escape/secret.txt").is_err());
    }

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_scratch_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/a.txt");
        atomic_write(&path, b"one").unwrap();
        atomic_write(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn versions_follow_content() {
        assert_eq!(version_of(b"abc"), version_of(b"abc"));
        assert_ne!(version_of(b"abc"), version_of(b"abd"));
        assert_eq!(version_of(b""), "cbf29ce484222325-0");
    }
}
