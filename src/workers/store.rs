//! The store thread: the one SQLite connection of the console. It records health samples
//! (gathering those that arrive together into one transaction), judges them into alerts,
//! answers history queries, writes the audit log and keeps the history within its retention.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::report::Report;
use crate::alerts::{Alert, AlertEngine, AlertKey, Silence, SilenceScope};
use crate::demo::DemoFleet;
use crate::health::{HistRange, HostSample};
use crate::i18n::Msg;
use crate::store::health::HistPoint;
use crate::store::{Access, Store, StoreOptions};

/// How often the health history is aggregated and pruned.
const MAINTENANCE_EVERY: Duration = Duration::from_secs(300);
/// Samples that arrive within this long of each other share one transaction.
const LINGER: Duration = Duration::from_millis(100);

/// What the store thread is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreCmd {
    /// Record samples and judge them into alerts.
    Record(Vec<HostSample>),
    /// Read a host's history for the detail view's sparklines.
    History { host: String, range: HistRange },
    /// Acknowledge every open alert of a host, in the operator's name.
    AckHostAlerts { host: String },
    /// One audit row: `action` on `target` by the operator.
    Audit { action: String, target: String, detail: String },
    /// Another thread changed alerts (the ticket thread's SLA alerts): read the list again.
    RefreshAlerts,
    /// Acknowledge one alert with a note.
    AckAlert { id: i64, note: Option<String> },
    /// Put one alert out of sight until a time.
    SnoozeAlert { id: i64, until: i64 },
    /// A maintenance window: keep a host, a job or a key pattern quiet until a time.
    Silence { scope: SilenceScope, target: String, reason: String, until: i64 },
    /// Lift a silence early.
    LiftSilence { id: i64 },
    /// Every episode of an alert's key, for its detail.
    Episodes { key: AlertKey },
    /// The newest alerts, cleared ones too, for the history view.
    AlertHistory,
    /// Changes a source judged elsewhere (the log patterns, judged where the records arrive).
    ApplyAlerts(Vec<crate::alerts::Change>),
    /// The engineer at the keyboard acknowledges a shift handover.
    AckHandover { id: i64 },
    /// The engineer at the keyboard hands the shift over (the duty view's form).
    WriteHandover { since: i64, note: String },
}

/// What the store thread reports.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreMsg {
    History {
        host: String,
        range: HistRange,
        points: Vec<HistPoint>,
    },
    /// A host's latest baseline inspection (none: never inspected), for the detail view.
    Baseline {
        host: String,
        run: Option<Box<crate::store::baseline::StoredRun>>,
    },
    /// Every open alert (of every yunwei process on this database), after a change.
    Alerts(Vec<Alert>),
    /// The silences in force, after a change.
    Silences(Vec<Silence>),
    Episodes {
        key: AlertKey,
        rows: Vec<Alert>,
    },
    AlertHistory(Vec<Alert>),
}

/// How many alerts the history view reads.
pub const HISTORY_ROWS: usize = 500;

/// What the store thread needs besides the database: the thresholds alerts are judged by, and
/// who is at the keyboard (for acknowledgements in the audit log).
#[derive(Clone)]
pub struct StoreSetup {
    pub db_path: PathBuf,
    /// Whether a missing folder of `db_path` may be created (the default data folder only).
    pub create_folder: bool,
    pub thresholds: crate::health::thresholds::Thresholds,
    pub operator: String,
    pub seed_demo: bool,
    /// The tickets' calendar offset (the demo queue's numbers are dated in it).
    pub ticket_offset: chrono::FixedOffset,
    /// The language of the problems the thread reports.
    pub lang: crate::i18n::Lang,
}

/// The running store thread's inbox.
#[derive(Clone)]
pub struct StoreWorker {
    tx: Sender<StoreCmd>,
}

impl StoreWorker {
    pub fn new(tx: Sender<StoreCmd>) -> StoreWorker {
        StoreWorker { tx }
    }

    pub fn dispatch(&self, cmd: StoreCmd) {
        let _ = self.tx.send(cmd);
    }

    /// A sender for other workers (the pollers record their samples through it).
    pub fn sender(&self) -> Sender<StoreCmd> {
        self.tx.clone()
    }
}

/// The store thread's body; returns when every sender is gone.
pub fn run(setup: StoreSetup, rx: Receiver<StoreCmd>, report: Report<StoreMsg>) {
    let options = StoreOptions::new(Access::WriteOrView, setup.create_folder);
    let mut store = match Store::open_with(&setup.db_path, options) {
        Ok(s) => s,
        Err(e) => {
            report.problem(Msg::StoreOpenFailed, e.text(setup.lang));
            return;
        }
    };
    // A read-only database is viewed: health is shown live, history and alerts are read, and
    // nothing is written (the app explains that to the user before it asks for a write).
    let writes = store.writes();
    if setup.seed_demo && writes {
        // The demo's queue first (the smaller): the ticket thread shows it when it is written
        // (by data_version); then the fleet's thirty days.
        let offset = setup.ticket_offset;
        if let Err(e) = crate::demo::tickets::seed(&mut store, crate::clock::now_s(), offset) {
            report.problem(Msg::StoreDemoFailed, e.said(offset).get(setup.lang));
        }
        // Four editions of Hainan's codes (a few hundred rows): the division-code thread
        // compares the last two when they land.
        if let Err(e) = crate::demo::divcodes::seed(&mut store, crate::clock::now_s()) {
            let said = match e {
                crate::store::divcodes::DivcodeError::Store(e) => e.text(setup.lang),
                other => format!("{other:?}"),
            };
            report.problem(Msg::StoreDemoFailed, said);
        }
        if let Err(e) = DemoFleet.seed_history(&mut store, chrono::Utc::now().timestamp()) {
            report.problem(Msg::StoreDemoFailed, e);
        }
        if let Err(e) = crate::demo::alerts::seed(&mut store, crate::clock::now_s()) {
            report.problem(Msg::StoreDemoFailed, e.text(setup.lang));
        }
        if let Err(e) = crate::demo::baseline::seed(&mut store, crate::clock::now_s(), setup.ticket_offset) {
            report.problem(Msg::StoreDemoFailed, e.text(setup.lang));
        }
    }
    // Alerts already open (from an earlier run, or another process) are not opened again.
    let mut engine = AlertEngine::new();
    match store.open_alert_keys() {
        Ok(keys) => engine.restore(keys),
        Err(e) => report.problem(Msg::StoreAlertsReadFailed, e),
    }
    // The posture last taken in per host (its collection time): its failed logins kept, its
    // signs judged, once.
    let mut judged_postures: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let mut alerts = AlertsSent::default();
    alerts.refresh(&store, &report);
    let mut queue: VecDeque<StoreCmd> = VecDeque::new();
    let mut next_maintenance = Instant::now();
    loop {
        if writes && Instant::now() >= next_maintenance {
            if let Err(e) = store.maintain_health(chrono::Utc::now().timestamp()) {
                report.problem(Msg::StoreMaintenanceFailed, e);
            }
            next_maintenance = Instant::now() + MAINTENANCE_EVERY;
        }
        let cmd = match queue.pop_front() {
            Some(c) => c,
            None => match rx.recv_timeout(next_maintenance.saturating_duration_since(Instant::now())) {
                Ok(c) => c,
                Err(RecvTimeoutError::Timeout) => {
                    if !writes {
                        next_maintenance = Instant::now() + MAINTENANCE_EVERY;
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        match cmd {
            StoreCmd::Record(mut samples) => {
                // Samples of many hosts arrive one by one: gather what comes within a moment
                // into one transaction and one read-back of the alerts.
                let linger = Instant::now() + LINGER;
                while let Ok(next) = rx.recv_timeout(linger.saturating_duration_since(Instant::now())) {
                    match next {
                        StoreCmd::Record(more) => samples.extend(more),
                        other => {
                            queue.push_back(other);
                            break;
                        }
                    }
                }
                if !writes {
                    // Shown live by the panes, not recorded; other processes' alerts still show.
                    alerts.refresh(&store, &report);
                    continue;
                }
                if let Err(e) = store.record_samples(&samples) {
                    report.problem(Msg::StoreRecordFailed, e);
                }
                let now = chrono::Utc::now().timestamp();
                let mut changes: Vec<_> =
                    samples.iter().flat_map(|s| engine.evaluate(s, &setup.thresholds, now)).collect();
                // A new security posture: its signs of compromise, and its listeners against
                // the recorded baseline, between inspections.
                for s in &samples {
                    let Some(sec) = &s.security else { continue };
                    if judged_postures.get(&s.name) == Some(&sec.collected_at) {
                        continue;
                    }
                    judged_postures.insert(s.name.clone(), sec.collected_at);
                    // Its failed logins, kept per day for the inspection report.
                    if let Err(e) = store.record_posture(
                        &s.name,
                        sec.collected_at,
                        setup.ticket_offset,
                        sec.failed_ssh_logins_24h,
                    ) {
                        report.problem(Msg::StoreRecordFailed, e);
                    }
                    let Some(out) = &sec.signs else { continue };
                    changes.extend(baseline_changes(&store, &s.name, out, now));
                }
                if !changes.is_empty() {
                    if let Err(e) = store.apply_alert_changes(&changes) {
                        report.problem(Msg::StoreAlertsWriteFailed, e);
                    }
                }
                // Another process may have changed alerts too: the list is read back every time.
                alerts.refresh(&store, &report);
            }
            StoreCmd::History { host, range } => {
                let since = chrono::Utc::now().timestamp() - range.seconds();
                match store.health_history(&host, since, range.bucketed()) {
                    Ok(points) => {
                        report.send(StoreMsg::History { host: host.clone(), range, points });
                    }
                    Err(e) => report.problem(Msg::StoreHistoryFailed, format!("{host}: {e}")),
                }
                match store.latest_baseline_run(&host) {
                    Ok(run) => {
                        report.send(StoreMsg::Baseline { host, run: run.map(Box::new) });
                    }
                    Err(e) => report.problem(Msg::StoreHistoryFailed, e),
                }
            }
            StoreCmd::Audit { action, target, .. } if !writes => {
                report.problem(Msg::StoreAuditFailed, format!("{action} {target}: {}", not_written(&setup)));
            }
            StoreCmd::Episodes { key } => match store.alert_episodes(&key, HISTORY_ROWS) {
                Ok(rows) => {
                    report.send(StoreMsg::Episodes { key, rows });
                }
                Err(e) => report.problem(Msg::StoreAlertsReadFailed, e),
            },
            StoreCmd::AlertHistory => match store.alert_history(None, HISTORY_ROWS) {
                Ok(rows) => {
                    report.send(StoreMsg::AlertHistory(rows));
                }
                Err(e) => report.problem(Msg::StoreAlertsReadFailed, e),
            },
            StoreCmd::ApplyAlerts(_) | StoreCmd::AckHandover { .. } if !writes => {}
            StoreCmd::WriteHandover { .. } if !writes => {
                report.problem(Msg::AlertActFailed, not_written(&setup));
            }
            StoreCmd::WriteHandover { since, note } => {
                let clock = crate::clock::now();
                match store.write_handover(
                    &setup.operator,
                    None,
                    since,
                    &note,
                    clock.timestamp(),
                    setup.lang,
                    *clock.offset(),
                ) {
                    Ok((id, _)) => report.done(Msg::HandoverWritten, format!("#{id}")),
                    Err(e) => report.problem(Msg::AlertActFailed, e),
                }
            }
            StoreCmd::AckHandover { id } => {
                match store.ack_handover(id, &setup.operator, crate::clock::now_s()) {
                    Ok(_) => report.done(Msg::HandoverAcked, format!("#{id}")),
                    Err(e) => report.problem(Msg::AlertActFailed, e),
                }
            }
            StoreCmd::ApplyAlerts(changes) => {
                if let Err(e) = store.apply_alert_changes(&changes) {
                    report.problem(Msg::StoreAlertsWriteFailed, e);
                }
                alerts.refresh(&store, &report);
            }
            StoreCmd::AckAlert { .. }
            | StoreCmd::SnoozeAlert { .. }
            | StoreCmd::Silence { .. }
            | StoreCmd::LiftSilence { .. }
                if !writes =>
            {
                report.problem(Msg::AlertActFailed, not_written(&setup));
            }
            StoreCmd::AckAlert { id, note } => {
                match store.acknowledge_alert(id, &setup.operator, note.as_deref()) {
                    Ok(true) => report.done(Msg::AlertAcked, format!("#{id}")),
                    Ok(false) => report.problem(Msg::AlertNotOpen, format!("#{id}")),
                    Err(e) => report.problem(Msg::StoreAckFailed, format!("#{id}: {e}")),
                }
                alerts.refresh(&store, &report);
            }
            StoreCmd::SnoozeAlert { id, until } => {
                match store.snooze_alert(id, until, &setup.operator) {
                    Ok(true) => report.done(Msg::AlertSnoozed, format!("#{id}")),
                    Ok(false) => report.problem(Msg::AlertNotOpen, format!("#{id}")),
                    Err(e) => report.problem(Msg::AlertActFailed, format!("#{id}: {e}")),
                }
                alerts.refresh(&store, &report);
            }
            StoreCmd::Silence { scope, target, reason, until } => {
                let now = crate::clock::now_s();
                match store.add_silence(scope, &target, &reason, until, &setup.operator, now) {
                    Ok(id) => report.done(
                        Msg::AlertSilenced,
                        format!("#{id} {}", crate::text::escape_unprintable(&target)),
                    ),
                    Err(e) => report.problem(Msg::AlertActFailed, e),
                }
                alerts.refresh(&store, &report);
            }
            StoreCmd::LiftSilence { id } => {
                match store.lift_silence(id, &setup.operator, crate::clock::now_s()) {
                    Ok(true) => report.done(Msg::AlertUnsilenced, format!("#{id}")),
                    Ok(false) => report.problem(Msg::AlertNoSilence, format!("#{id}")),
                    Err(e) => report.problem(Msg::AlertActFailed, e),
                }
                alerts.refresh(&store, &report);
            }
            StoreCmd::AckHostAlerts { host } if !writes => {
                report.problem(Msg::StoreAckFailed, format!("{host}: {}", not_written(&setup)));
            }
            StoreCmd::Audit { action, target, detail } => {
                match store.audit(&setup.operator, &action, &target, &detail) {
                    Err(e) => report.problem(Msg::StoreAuditFailed, e),
                    // The engineer sees that the reveal was recorded, and under which name.
                    Ok(_) if action == "logs.reveal" => {
                        report.done(Msg::LogsRevealAudited, crate::text::escape_unprintable(&setup.operator))
                    }
                    Ok(_) => {}
                }
            }
            StoreCmd::RefreshAlerts => alerts.refresh(&store, &report),
            StoreCmd::AckHostAlerts { host } => {
                let open = store.open_alerts().unwrap_or_default();
                for row in open.iter().filter(|r| r.key.host() == Some(&*host) && !r.is_acked()) {
                    if let Err(e) = store.ack_alert(row.id, &setup.operator) {
                        report.problem(Msg::StoreAckFailed, format!("#{}: {e}", row.id));
                    }
                }
                alerts.refresh(&store, &report);
            }
        }
    }
}

/// Why a write was dropped, in the user's language.
fn not_written(setup: &StoreSetup) -> &'static str {
    Msg::DbReadOnlyNotWritten.text(setup.lang)
}

/// The alert list and the silences last sent, so an unchanged list is not sent again.
#[derive(Default)]
struct AlertsSent(Option<Vec<Alert>>, Option<Vec<Silence>>);

impl AlertsSent {
    fn refresh(&mut self, store: &Store, report: &Report<StoreMsg>) {
        match store.open_alerts() {
            Ok(rows) => {
                if self.0.as_ref() != Some(&rows) {
                    report.send(StoreMsg::Alerts(rows.clone()));
                    self.0 = Some(rows);
                }
            }
            Err(e) => report.problem(Msg::StoreAlertsReadFailed, e),
        }
        match store.active_silences(crate::clock::now_s()) {
            Ok(list) => {
                if self.1.as_ref() != Some(&list) {
                    report.send(StoreMsg::Silences(list.clone()));
                    self.1 = Some(list);
                }
            }
            Err(e) => report.problem(Msg::StoreAlertsReadFailed, e),
        }
    }
}

/// The baseline alerts of one posture's signs-of-compromise part: the signs (against the
/// host's recorded baseline, when there is one) and the listeners that appeared or vanished.
fn baseline_changes(
    store: &Store,
    host: &str,
    out: &crate::baseline::script::Output,
    now: i64,
) -> Vec<crate::alerts::Change> {
    // A record that cannot be read is not "no record": nothing is judged this time.
    let Ok(then) = store.baseline_record(host).map(|r| r.map(|(_, r)| r)) else {
        return Vec::new();
    };
    let signs = crate::baseline::signs::signs(out, then.as_ref());
    let record = crate::baseline::signs::Record::of(out);
    let diff = then.as_ref().map(|t| crate::baseline::signs::listener_changes(&record, t));
    let listeners = diff.as_ref().map(|(n, g)| (n.as_slice(), g.as_slice()));
    crate::alerts::baseline::changes(host, &signs.found, &signs.looked, listeners, out.complete, now)
}
