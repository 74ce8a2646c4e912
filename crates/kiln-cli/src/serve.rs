//! `kiln serve`: Kiln Studio in a browser, over the same engine API as the desktop app.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::Global;

pub fn serve(
    global: &Global,
    port: u16,
    ui_dist: Option<PathBuf>,
    open: bool,
    stream_port: u16,
) -> anyhow::Result<ExitCode> {
    kiln_serve::serve_forever(kiln_serve::ServeConfig {
        project_dir: global.project_dir.clone(),
        port,
        ui_dist,
        open,
        profiles_dir: global.profiles_dir.clone(),
        target: global.target.clone(),
        stream_port: Some(stream_port),
    })?;
    Ok(ExitCode::SUCCESS)
}
