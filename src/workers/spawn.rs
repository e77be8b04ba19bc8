//! Named worker threads whose panics become a notice in the status bar instead of taking the
//! console down.

use std::thread::JoinHandle;

use tokio::sync::mpsc::UnboundedSender;

use crate::event::{Event, Notice, WorkerMsg};
use crate::i18n::Msg;

/// Runs `f` on a thread called `name`.
pub fn spawn_guarded(
    name: &str,
    ui: UnboundedSender<Event>,
    f: impl FnOnce() + Send + 'static,
) -> JoinHandle<()> {
    let label = name.to_string();
    let ui_err = ui.clone();
    let spawned = std::thread::Builder::new().name(label.clone()).spawn(move || {
        if let Err(payload) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let notice = Notice::problem(Msg::WorkerPanicked, format!("{label}: {what}"));
            let _ = ui.send(Event::Worker(WorkerMsg::Notice(notice)));
        }
    });
    match spawned {
        Ok(h) => h,
        // Only fails when the system is out of threads: say so, and hand back a finished thread.
        Err(e) => {
            let notice = Notice::problem(Msg::WorkerNotStarted, format!("{name}: {e}"));
            let _ = ui_err.send(Event::Worker(WorkerMsg::Notice(notice)));
            std::thread::spawn(|| {})
        }
    }
}
