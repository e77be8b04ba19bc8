//! The lease of the scheduled backup checks, with the demo's jobs on one database: one
//! console checks, the others show its record, one takes over when it stops.

use std::sync::mpsc::Sender;
use std::time::Duration;

use super::backups::*;
use crate::config::Backups;
use crate::event::{Event, WorkerMsg};
use crate::i18n::Lang;
use crate::store::{Access, Store, StoreOptions};
use crate::workers::report::Report;

fn start(
    dir: &std::path::Path,
    holder: &str,
) -> (Sender<BackupsCmd>, tokio::sync::mpsc::UnboundedReceiver<Event>) {
    let (jobs, places) = crate::demo::backups::jobs(&dir.join("backups"), Lang::En);
    let setup = BackupsSetup {
        db_path: dir.join("y.db"),
        operator: "t".into(),
        holder: holder.into(),
        jobs,
        places,
        settings: Backups { check_interval: Duration::from_secs(1), ..Backups::default() },
        lang: Lang::En,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (etx, erx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || run(setup, rx, Report::new(etx, WorkerMsg::Backups)));
    (tx, erx)
}

/// Whether each report of the checks since the last call was a check of its own (the
/// verdict's rules are known) or the holder's record.
fn reports(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Vec<bool> {
    let mut out = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        if let Event::Worker(WorkerMsg::Backups(BackupsMsg::Checked(s))) = ev {
            out.push(s.iter().any(|j| !j.verdict.reasons.is_empty()));
        }
    }
    out
}

#[test]
fn one_console_checks_the_others_show_its_record_and_one_takes_over_when_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_with(&dir.path().join("y.db"), StoreOptions::new(Access::Write, true)).unwrap());
    let (a_tx, mut a_rx) = start(dir.path(), "console-a");
    std::thread::sleep(Duration::from_millis(300));
    let (b_tx, mut b_rx) = start(dir.path(), "console-b");
    std::thread::sleep(Duration::from_millis(2500));
    let (a, b) = (reports(&mut a_rx), reports(&mut b_rx));
    assert!(a.len() >= 2 && a.iter().all(|own| *own), "a checks: {a:?}");
    assert!(b.len() >= 2 && b.iter().all(|own| !own), "b shows a's record: {b:?}");
    let store = Store::open_with(&dir.path().join("y.db"), StoreOptions::new(Access::Read, false)).unwrap();
    assert_eq!(store.lease(CHECKS_LEASE).unwrap().map(|l| l.0).as_deref(), Some("console-a"));
    // A stops (its console quits): b takes over within two intervals.
    drop(a_tx);
    std::thread::sleep(Duration::from_millis(2000));
    let b = reports(&mut b_rx);
    assert!(b.last() == Some(&true), "b checks now: {b:?}");
    assert_eq!(store.lease(CHECKS_LEASE).unwrap().map(|l| l.0).as_deref(), Some("console-b"));
    // A check asked for in the tab runs whoever holds the lease.
    let (c_tx, mut c_rx) = start(dir.path(), "console-c");
    std::thread::sleep(Duration::from_millis(400));
    reports(&mut c_rx);
    c_tx.send(BackupsCmd::CheckNow).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(reports(&mut c_rx).contains(&true));
    drop((b_tx, c_tx));
}
