//! The studio UI compiled into the binary by `build.rs`: a table of (path, bytes).

include!(concat!(env!("OUT_DIR"), "/embedded_ui.rs"));

const INDEX: &str = "index.html";

/// Whether this binary was built with a UI.
pub(crate) fn has_ui() -> bool {
    lookup(FILES, "/").is_some()
}

/// The file a request path names, or `index.html` for the app's own routes. A missing file under
/// `assets/` is a 404: answering a script request with HTML only hides the real error.
pub(crate) fn lookup<'a>(files: &'a [(&'a str, &'a [u8])], path: &str) -> Option<(&'a str, &'a [u8])> {
    let wanted = path.trim_start_matches('/');
    let find = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(n, b)| (*n, *b));
    if wanted.is_empty() {
        return find(INDEX);
    }
    find(wanted).or_else(|| {
        if wanted.starts_with("assets/") {
            None
        } else {
            find(INDEX)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: &[(&str, &[u8])] = &[("index.html", b"<div id=root>"), ("assets/app-1a2b.js", b"js")];

    #[test]
    fn serves_files_and_falls_back_to_the_app() {
        assert_eq!(lookup(FILES, "/"), Some(("index.html", &b"<div id=root>"[..])));
        assert_eq!(
            lookup(FILES, "/assets/app-1a2b.js"),
            Some(("assets/app-1a2b.js", &b"js"[..]))
        );
        assert_eq!(lookup(FILES, "/models/fct_sales").map(|f| f.0), Some("index.html"));
        assert_eq!(lookup(FILES, "/assets/gone.js"), None);
        assert_eq!(lookup(&[], "/"), None);
    }
}
