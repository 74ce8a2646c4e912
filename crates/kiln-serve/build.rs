//! Embeds the built studio UI (`ui/dist`, or `$KILN_UI_DIST`) into the binary, so an installed
//! `kiln serve` shows the studio from any folder. The files are listed here and pulled in with
//! `include_bytes!`, which makes Cargo rebuild when one of them changes; `rerun-if-changed` on the
//! folder catches files added or removed by a new UI build. Without a built UI the table is empty
//! and the server says how to build one (as it does for src-tauri's placeholder page).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, base, out);
        } else if let Ok(relative) = path.strip_prefix(base) {
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, path));
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=KILN_UI_DIST");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = std::env::var_os("KILN_UI_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../../ui/dist"));
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    // src-tauri's build script writes a script-less placeholder index.html where no UI was built;
    // that is not a UI to serve.
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    if index.contains("<script") {
        collect(&dist, &dist, &mut files);
    }
    let mut code = String::from("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("embedded_ui.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
