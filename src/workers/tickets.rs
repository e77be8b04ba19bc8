//! The ticket thread: the Tickets pane's own SQLite connection. It reads the queue the pane
//! asks for, opens a ticket with its notes and history, makes the changes the pane asks for
//! (each stating the version the pane showed), keeps the new-ticket form's draft, and watches
//! the database: every second it asks SQLite whether another connection committed
//! (`PRAGMA data_version`, no read), and only then whether a ticket changed (the last event's
//! id), so a second console's change shows within two seconds without reading the queue again.
//! It also judges the SLA clocks of the open queue into alerts (source `ticket`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::report::Report;
use super::store::StoreCmd;
use crate::alerts::Source;
use crate::health::thresholds::Level as AlertLevel;
use crate::i18n::{Both, Msg};
use crate::store::tickets::{Caller, NewTicket, Note, Ticket, TicketError, TicketEvent, TicketFilter};
use crate::store::{Access, Store, StoreOptions};
use crate::tickets::alerts::{self as sla_alerts, Watched};
use crate::tickets::draft::Draft;
use crate::tickets::sla::{self, SlaPolicy};
use crate::tickets::Status;

/// How often the thread asks whether another connection wrote.
const WATCH_EVERY: Duration = Duration::from_secs(1);
/// Every this many watches the last event is looked at even when `data_version` stood still.
const MARK_EVERY: u64 = 5;
/// How often the open queue's clocks are judged into alerts.
const JUDGE_EVERY: Duration = Duration::from_secs(15);
/// Completions offered by the form.
const COMPLETIONS: usize = 500;

/// What the pane asks of the ticket thread.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketsCmd {
    /// Read the queue with this filter (the thread reads it again whenever a ticket changes).
    Query(TicketFilter),
    /// Read this ticket with its notes and history (kept open: read again on changes).
    Open(String),
    /// The detail view closed.
    Close,
    Create(Box<Draft>),
    Move {
        key: String,
        to: Status,
        note: Option<String>,
        expect: i64,
    },
    Assign {
        key: String,
        to: String,
        expect: i64,
    },
    Escalate {
        key: String,
        to: String,
        reason: String,
        expect: i64,
    },
    Note {
        key: String,
        text: String,
    },
    /// Keep the form as it stands (only the last of several waiting is written).
    SaveDraft(Box<Draft>),
    DropDraft,
}

/// A ticket opened in the detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub ticket: Ticket,
    pub notes: Vec<Note>,
    pub history: Vec<TicketEvent>,
}

/// What a change asked for was, in words for the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Did {
    Created,
    Moved,
    Assigned,
    Escalated,
    Noted,
}

/// What the ticket thread reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TicketsMsg {
    /// The queue for the filter last asked for; `matches` is how many tickets the search finds
    /// in the whole history (None without a search).
    Queue {
        filter: TicketFilter,
        rows: Vec<Ticket>,
        matches: Option<usize>,
        /// The open P1 tickets whatever the filter (the night-duty view counts them).
        p1: Vec<Ticket>,
    },
    Opened(Box<Opened>),
    /// A change was made.
    Done {
        did: Did,
        ticket: Box<Ticket>,
    },
    /// A change was refused; `stale` (who changed it and when) when the ticket changed since
    /// the pane read it.
    Refused {
        key: String,
        why: Both,
        stale: Option<(String, i64)>,
    },
    /// The draft kept from before (at start), with when it was saved.
    Draft(Option<(Box<Draft>, i64)>),
    /// Units and callers for the form's completion.
    Completions {
        units: Vec<String>,
        callers: Vec<Caller>,
    },
}

/// What the thread needs: the database, the operator, the SLA policy and the local offset.
#[derive(Clone)]
pub struct TicketsSetup {
    pub db_path: PathBuf,
    pub operator: String,
    pub policy: SlaPolicy,
    pub lang: crate::i18n::Lang,
}

#[derive(Clone)]
pub struct TicketsWorker {
    tx: Sender<TicketsCmd>,
}

impl TicketsWorker {
    pub fn new(tx: Sender<TicketsCmd>) -> TicketsWorker {
        TicketsWorker { tx }
    }

    pub fn dispatch(&self, cmd: TicketsCmd) {
        let _ = self.tx.send(cmd);
    }
}

struct State {
    filter: TicketFilter,
    open: Option<String>,
    mark: i64,
    version: i64,
    /// Watches so far.
    ticks: u64,
    alerts: HashMap<String, AlertLevel>,
}

/// The thread's body; returns when the pane's sender is gone. `store_tx` is the store
/// thread's inbox: after the ticket alerts change it reads the alert list again.
pub fn run(
    setup: TicketsSetup,
    rx: Receiver<TicketsCmd>,
    report: Report<TicketsMsg>,
    store_tx: Sender<StoreCmd>,
) {
    // The console opened the database once already; a failure here is reported by the store
    // thread too, so it is said once, there.
    let Ok(mut store) = Store::open_with(&setup.db_path, StoreOptions::new(Access::WriteOrView, false))
    else {
        return;
    };
    let writes = store.writes();
    let mut st = State {
        filter: TicketFilter::default(),
        open: None,
        mark: store.tickets_mark().unwrap_or(0),
        version: store.data_version().unwrap_or(0),
        ticks: 0,
        alerts: HashMap::new(),
    };
    match store.open_alerts() {
        Ok(rows) => {
            st.alerts = rows
                .into_iter()
                .filter(|a| a.key.source() == Source::Ticket)
                .map(|a| (a.key.subject(), a.level))
                .collect()
        }
        Err(e) => report.problem(Msg::StoreAlertsReadFailed, e),
    }
    let draft = store
        .ticket_draft(&setup.operator)
        .ok()
        .flatten()
        .and_then(|(body, at)| serde_json::from_str::<Draft>(&body).ok().map(|d| (Box::new(d), at)));
    report.send(TicketsMsg::Draft(draft));
    send_queue(&store, &setup, &st, &report);
    completions(&store, &report);
    let mut next_judge = Instant::now();
    let mut next_watch = Instant::now() + WATCH_EVERY;
    let mut waiting: std::collections::VecDeque<TicketsCmd> = Default::default();
    loop {
        if writes && Instant::now() >= next_judge {
            judge(&mut store, &setup, &mut st, &report, &store_tx);
            next_judge = Instant::now() + JUDGE_EVERY;
        }
        if Instant::now() >= next_watch {
            watch(&store, &setup, &mut st, &report);
            next_watch = Instant::now() + WATCH_EVERY;
        }
        let wake = next_watch.min(if writes { next_judge } else { next_watch });
        let cmd = match waiting.pop_front() {
            Some(c) => c,
            None => match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
                Ok(c) => c,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        let now = crate::clock::now_s();
        let op = setup.operator.as_str();
        let refused = |key: &str, why: Both| {
            report.send(TicketsMsg::Refused { key: key.to_string(), why, stale: None });
        };
        let read_only = || Both {
            en: Msg::DbReadOnlyNotWritten.text(crate::i18n::Lang::En).to_string(),
            zh: Msg::DbReadOnlyNotWritten.text(crate::i18n::Lang::ZhCn).to_string(),
        };
        match cmd {
            TicketsCmd::Query(filter) => {
                st.filter = filter;
                send_queue(&store, &setup, &st, &report);
            }
            TicketsCmd::Open(key) => {
                st.open = Some(key);
                send_opened(&store, &st, &report);
            }
            TicketsCmd::Close => st.open = None,
            TicketsCmd::SaveDraft(mut draft) => {
                // Typing sends one per key: only the last one waiting is written.
                while let Ok(next) = rx.try_recv() {
                    match next {
                        TicketsCmd::SaveDraft(d) => draft = d,
                        other => {
                            waiting.push_back(other);
                            break;
                        }
                    }
                }
                if writes {
                    let body = serde_json::to_string(&*draft).unwrap_or_default();
                    if let Err(e) = store.save_ticket_draft(op, &body, now) {
                        report.problem(Msg::TicketDraftFailed, e);
                    }
                }
            }
            TicketsCmd::DropDraft => {
                if writes {
                    if let Err(e) = store.drop_ticket_draft(op) {
                        report.problem(Msg::TicketDraftFailed, e);
                    }
                }
            }
            TicketsCmd::Create(_)
            | TicketsCmd::Move { .. }
            | TicketsCmd::Assign { .. }
            | TicketsCmd::Escalate { .. }
            | TicketsCmd::Note { .. }
                if !writes =>
            {
                refused("", read_only());
            }
            TicketsCmd::Create(draft) => {
                let new = new_ticket(&draft);
                match store.create_ticket(&new, op, now, setup.policy.calendar.offset) {
                    Ok(t) => {
                        let _ = store.drop_ticket_draft(op);
                        changed(&store, &setup, &mut st, &report, Did::Created, t);
                        completions(&store, &report);
                    }
                    Err(e) => say_refused(&report, &setup, "", e),
                }
            }
            TicketsCmd::Move { key, to, note, expect } => {
                let r = store.move_ticket(&key, to, note.as_deref(), Some(expect), op, now);
                outcome(&store, &setup, &mut st, &report, Did::Moved, &key, r);
            }
            TicketsCmd::Assign { key, to, expect } => {
                let r = store.assign_ticket(&key, &to, Some(expect), op, now);
                outcome(&store, &setup, &mut st, &report, Did::Assigned, &key, r);
            }
            TicketsCmd::Escalate { key, to, reason, expect } => {
                let r = store.escalate_ticket(&key, &to, &reason, Some(expect), op, now);
                outcome(&store, &setup, &mut st, &report, Did::Escalated, &key, r);
            }
            TicketsCmd::Note { key, text } => {
                let r = store
                    .note_ticket(&key, &text, op, now)
                    .and_then(|_| store.ticket(&key)?.ok_or_else(|| TicketError::NotFound(key.clone())));
                outcome(&store, &setup, &mut st, &report, Did::Noted, &key, r);
            }
        }
    }
}

fn new_ticket(d: &Draft) -> NewTicket {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    NewTicket {
        channel: d.channel,
        caller: d.caller.trim().to_string(),
        caller_phone: opt(&d.phone),
        unit: opt(&d.unit),
        category: d.category,
        subcategory: None,
        impact: d.impact,
        urgency: d.urgency,
        summary: d.summary.trim().to_string(),
        description: d.description.trim_end().to_string(),
        hosts: d.host_list(),
        alert_id: d.alert_id,
        assignee: None,
        tags: Vec::new(),
    }
}

fn say_refused(report: &Report<TicketsMsg>, setup: &TicketsSetup, key: &str, e: TicketError) {
    let stale = match &e {
        TicketError::Stale { by, at, .. } => Some((by.clone(), *at)),
        _ => None,
    };
    report.send(TicketsMsg::Refused {
        key: key.to_string(),
        why: e.said(setup.policy.calendar.offset),
        stale,
    });
}

fn outcome(
    store: &Store,
    setup: &TicketsSetup,
    st: &mut State,
    report: &Report<TicketsMsg>,
    did: Did,
    key: &str,
    r: Result<Ticket, TicketError>,
) {
    match r {
        Ok(t) => changed(store, setup, st, report, did, t),
        Err(e) => {
            say_refused(report, setup, key, e);
            // The pane shows what is there now.
            send_opened(store, st, report);
        }
    }
}

/// After a change of this console's: said, and the queue and the open ticket read again.
fn changed(
    store: &Store,
    setup: &TicketsSetup,
    st: &mut State,
    report: &Report<TicketsMsg>,
    did: Did,
    t: Ticket,
) {
    st.mark = store.tickets_mark().unwrap_or(st.mark);
    report.send(TicketsMsg::Done { did, ticket: Box::new(t) });
    send_queue(store, setup, st, report);
    send_opened(store, st, report);
}

fn send_queue(store: &Store, setup: &TicketsSetup, st: &State, report: &Report<TicketsMsg>) {
    let filter = st.filter.clone();
    match store.tickets(&filter) {
        Ok(mut rows) => {
            let now = crate::clock::now_s();
            rows.sort_by_cached_key(|t| {
                sla::urgency_key(
                    &sla::clocks(&setup.policy, t.priority, &t.timeline, now),
                    t.priority,
                    t.created_at,
                    now,
                )
            });
            let matches = filter
                .search
                .as_deref()
                .filter(|q| !q.trim().is_empty())
                .and_then(|q| store.count_matches(q).ok());
            let every_p1 =
                TicketFilter { priority: Some(crate::tickets::Priority::P1), ..TicketFilter::default() };
            let p1 = store
                .tickets(&every_p1)
                .map(|t| t.into_iter().filter(|t| t.status.is_open()).collect())
                .unwrap_or_default();
            report.send(TicketsMsg::Queue { filter, rows, matches, p1 });
        }
        Err(e) => report.problem(Msg::TicketQueueFailed, e),
    }
}

fn send_opened(store: &Store, st: &State, report: &Report<TicketsMsg>) {
    let Some(key) = &st.open else { return };
    let read = || -> crate::store::Result<Option<Opened>> {
        let Some(ticket) = store.ticket(key)? else { return Ok(None) };
        let notes = store.ticket_notes(ticket.id)?;
        let history = store.ticket_history(ticket.id)?;
        Ok(Some(Opened { ticket, notes, history }))
    };
    match read() {
        Ok(Some(o)) => {
            report.send(TicketsMsg::Opened(Box::new(o)));
        }
        Ok(None) => {}
        Err(e) => report.problem(Msg::TicketQueueFailed, e),
    }
}

fn completions(store: &Store, report: &Report<TicketsMsg>) {
    let units = store.ticket_units(COMPLETIONS).unwrap_or_default();
    let callers = store.ticket_callers(COMPLETIONS).unwrap_or_default();
    report.send(TicketsMsg::Completions { units, callers });
}

/// Another connection committed: when a ticket changed, the queue and the open ticket are read
/// again. Every `MARK_EVERY` the last event is looked at anyway (one step down an index), so a
/// change is never missed for long whatever `data_version` says.
fn watch(store: &Store, setup: &TicketsSetup, st: &mut State, report: &Report<TicketsMsg>) {
    let Ok(version) = store.data_version() else { return };
    st.ticks += 1;
    if version == st.version && !st.ticks.is_multiple_of(MARK_EVERY) {
        return;
    }
    let Ok(mark) = store.tickets_mark() else { return };
    // Taken as seen only once the mark was read.
    st.version = version;
    if mark != st.mark {
        st.mark = mark;
        send_queue(store, setup, st, report);
        send_opened(store, st, report);
    }
}

/// The open queue's clocks, judged into alerts; the store thread is told to read the list again
/// when they changed.
fn judge(
    store: &mut Store,
    setup: &TicketsSetup,
    st: &mut State,
    report: &Report<TicketsMsg>,
    store_tx: &Sender<StoreCmd>,
) {
    let now = crate::clock::now_s();
    let open = match store.tickets(&TicketFilter::default()) {
        Ok(rows) => rows,
        Err(e) => {
            report.problem(Msg::TicketQueueFailed, e);
            return;
        }
    };
    let queue: Vec<Watched> = open
        .iter()
        .map(|t| Watched {
            number: t.number.clone(),
            priority: t.priority,
            clocks: sla::clocks(&setup.policy, t.priority, &t.timeline, now),
        })
        .collect();
    // Another console may have opened or cleared some: the stream is the truth.
    if let Ok(rows) = store.open_alerts() {
        st.alerts = rows
            .into_iter()
            .filter(|a| a.key.source() == Source::Ticket)
            .map(|a| (a.key.subject(), a.level))
            .collect();
    }
    let changes = sla_alerts::changes(&queue, &st.alerts, now, *crate::clock::now().offset());
    if changes.is_empty() {
        return;
    }
    match store.apply_alert_changes(&changes) {
        Ok(()) => {
            for c in &changes {
                let number = c.key().subject();
                match c {
                    crate::alerts::Change::Open { level, .. }
                    | crate::alerts::Change::Escalate { level, .. } => {
                        st.alerts.insert(number, *level);
                    }
                    crate::alerts::Change::Clear { .. } => {
                        st.alerts.remove(&number);
                    }
                }
            }
            let _ = store_tx.send(StoreCmd::RefreshAlerts);
        }
        Err(e) => report.problem(Msg::StoreAlertsWriteFailed, e),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::event::{Event, WorkerMsg};
    use crate::store::tickets::NewTicket;
    use crate::tickets::sla::china_standard_time;
    use crate::tickets::{Category, Channel, Level};

    fn call(summary: &str) -> NewTicket {
        NewTicket {
            channel: Some(Channel::Phone),
            caller: "李敏".into(),
            category: Some(Category::Data),
            impact: Some(Level::High),
            urgency: Some(Level::High),
            summary: summary.into(),
            ..Default::default()
        }
    }

    /// The next ticket message within `limit` that `want` accepts.
    fn next(
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
        limit: Duration,
        want: impl Fn(&TicketsMsg) -> bool,
    ) -> TicketsMsg {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            match rx.try_recv() {
                Ok(Event::Worker(WorkerMsg::Tickets(m))) if want(&m) => return m,
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        panic!("no such ticket message within {limit:?}");
    }

    /// The thread as the console runs it: an overdue P1 raises its alert (and the store thread
    /// is told to read the alerts again), another process's new ticket shows within two
    /// seconds, a ticket made from the form is created and its draft dropped.
    #[test]
    fn the_thread_judges_clocks_follows_other_writers_and_makes_tickets() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let now = chrono::Utc::now().timestamp();
        let mut other = Store::open(&db).unwrap();
        other.create_ticket(&call("人口数据推送失败"), "王工", now - 1200, china_standard_time()).unwrap();
        other.save_ticket_draft("赵工", r#"{"phone":"13900001111"}"#, now).unwrap();
        let (ui, mut events) = crate::tui::channel();
        let (tx, rx) = std::sync::mpsc::channel();
        let (store_tx, store_rx) = std::sync::mpsc::channel();
        let setup = TicketsSetup {
            db_path: db.clone(),
            operator: "赵工".into(),
            policy: SlaPolicy::default(),
            lang: crate::i18n::Lang::En,
        };
        let report = Report::new(ui, WorkerMsg::Tickets);
        let thread = std::thread::spawn(move || run(setup, rx, report, store_tx));
        let draft = next(&mut events, Duration::from_secs(5), |m| matches!(m, TicketsMsg::Draft(_)));
        assert!(matches!(draft, TicketsMsg::Draft(Some((d, _))) if d.phone == "13900001111"));
        let TicketsMsg::Queue { rows, .. } =
            next(&mut events, Duration::from_secs(5), |m| matches!(m, TicketsMsg::Queue { .. }))
        else {
            unreachable!()
        };
        assert_eq!(rows.len(), 1);
        // 20 minutes of a P1's 15: the response clock is past its target.
        assert_eq!(store_rx.recv_timeout(Duration::from_secs(5)).unwrap(), StoreCmd::RefreshAlerts);
        let alerts = other.open_alerts().unwrap();
        assert_eq!(alerts.len(), 1);
        assert_eq!(
            (alerts[0].key.to_string(), alerts[0].level),
            (format!("ticket/{}", rows[0].number), AlertLevel::Crit)
        );
        // Another process writes: the thread shows it without being asked.
        let started = Instant::now();
        other.create_ticket(&call("专网链路中断"), "王工", now, china_standard_time()).unwrap();
        next(
            &mut events,
            Duration::from_secs(3),
            |m| matches!(m, TicketsMsg::Queue { rows, .. } if rows.len() == 2),
        );
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        // The form's ticket: created in the operator's name, the draft gone.
        let d = Draft {
            caller: "李敏".into(),
            category: Some(Category::Server),
            impact: Some(Level::Low),
            urgency: Some(Level::Low),
            summary: "打印服务异常".into(),
            channel: Some(Channel::Phone),
            ..Default::default()
        };
        tx.send(TicketsCmd::Create(Box::new(d))).unwrap();
        let TicketsMsg::Done { did, ticket } =
            next(&mut events, Duration::from_secs(5), |m| matches!(m, TicketsMsg::Done { .. }))
        else {
            unreachable!()
        };
        assert_eq!((did, ticket.updated_by.as_str()), (Did::Created, "赵工"));
        assert_eq!(other.ticket_draft("赵工").unwrap(), None);
        // A stale change: refused with who and when.
        tx.send(TicketsCmd::Assign { key: ticket.number.clone(), to: "陈工".into(), expect: 7 }).unwrap();
        let refused = next(&mut events, Duration::from_secs(5), |m| matches!(m, TicketsMsg::Refused { .. }));
        assert!(
            matches!(refused, TicketsMsg::Refused { stale: Some((ref by, _)), .. } if by == "赵工"),
            "{refused:?}"
        );
        drop(tx);
        thread.join().unwrap();
    }
}
