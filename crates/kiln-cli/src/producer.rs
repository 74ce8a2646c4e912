//! What the demo producers (`kiln demo sensors`, `kiln demo logistics`) share on the command line.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set by Ctrl-C, so a producer stops between batches and prints its summary.
pub fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // Without the handler Ctrl-C still ends the process, only without the summary.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));
    stop
}

/// When a producer stops: after `count` items (`noun`), after `seconds`, or on Ctrl-C.
pub fn until(count: Option<u64>, seconds: Option<u64>, noun: &str) -> String {
    match (count, seconds) {
        (Some(count), _) => format!("{count} {noun}"),
        (None, Some(seconds)) => format!("{seconds} s"),
        (None, None) => "Ctrl-C".into(),
    }
}
