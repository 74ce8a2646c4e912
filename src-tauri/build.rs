use std::path::PathBuf;

const PLACEHOLDER: &str = "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Kiln Studio</title>\n\
<p>The studio's UI is not built. Run <code>(cd ui &amp;&amp; npm ci &amp;&amp; npm run build)</code>, \
then rebuild kiln-studio.</p>\n";

fn main() {
    // `generate_context!` embeds ui/dist into the binary when this crate compiles, and panics when
    // the folder is missing. A fresh clone has no ui/dist until the UI is built, yet
    // `cargo clippy --workspace` must still work there, so a placeholder page stands in.
    let dist = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../ui/dist");
    if !dist.join("index.html").exists() {
        let written =
            std::fs::create_dir_all(&dist).and_then(|()| std::fs::write(dist.join("index.html"), PLACEHOLDER));
        if let Err(e) = written {
            println!("cargo:warning=cannot write a placeholder {}: {e}", dist.display());
        }
    }
    // Without this the embedded UI would only change when the Rust code does: a new `npm run build`
    // must reach the next kiln-studio build.
    println!("cargo:rerun-if-changed={}", dist.display());
    tauri_build::build();
}
