//! Background threads: the prober (local /proc reads and the demo fleet) and the store thread
//! (recording samples, retention, history queries). Each owns its resources and reports to the
//! event loop through the channel; a slow probe never blocks the screen.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};

use crate::health::security::{
    parse_security, Security, SECURITY_INTERVAL, SECURITY_SCRIPT, SECURITY_TIMEOUT,
};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::alerts::{Alert, AlertEngine};
use crate::demo::DemoFleet;
use crate::event::{Event, HistRange, WorkerMsg};
use crate::health::{HostSample, LocalProbe};
use crate::logs::decode::Decoder;
use crate::logs::follow::{FollowEvent, Follower, Start};
use crate::logs::record::RecordBuilder;
use crate::logs::sanitize::sanitize_text;
use crate::logs::sources::{SourceSpec, SourceStatus};
use crate::remote_poll::{remote_loop, RemoteHost};
use crate::ssh::SshPool;
use crate::store::Store;

/// How often the store thread aggregates and prunes health history.
const MAINTENANCE_EVERY: Duration = Duration::from_secs(300);

pub enum ProbeCmd {
    PollNow,
}

pub enum DbCmd {
    Record(Vec<HostSample>),
    History {
        host: String,
        range: HistRange,
    },
    AckHostAlerts {
        host: String,
    },
    /// One audit row: `action` on `target` by the operator.
    Audit {
        action: String,
        target: String,
        detail: String,
    },
}

/// What the store thread needs besides the database: the thresholds alerts are judged by, and
/// who is at the keyboard (for acknowledgements in the audit log).
#[derive(Clone)]
pub struct StoreSetup {
    pub db_path: PathBuf,
    pub thresholds: crate::health::thresholds::Thresholds,
    pub operator: String,
    pub seed_demo: bool,
}

/// What the prober watches.
#[derive(Default)]
pub struct ProbeSet {
    pub local: Vec<LocalProbe>,
    pub demo: Option<DemoFleet>,
    /// Hosts reached over SSH.
    pub remote: Vec<crate::hosts::FleetHost>,
    /// The partial failures last reported per host, so each is said once, not every round.
    reported: std::collections::HashMap<String, Vec<String>>,
    /// This machine's security posture, refreshed by its own thread every 30 minutes.
    local_security: Arc<Mutex<Option<Security>>>,
}

impl ProbeSet {
    pub fn sample_all(&mut self) -> Vec<HostSample> {
        let now = chrono::Utc::now().timestamp();
        let security = self.local_security.lock().ok().and_then(|s| s.clone());
        let mut out: Vec<HostSample> = self
            .local
            .iter_mut()
            .map(|p| {
                let mut s = p.sample();
                s.security = security.clone();
                s
            })
            .collect();
        if let Some(demo) = &self.demo {
            out.extend(demo.samples_at(now));
        }
        out
    }

    /// Sources that newly failed (a `df` that timed out on a hung mount, an unreadable file),
    /// one line per host whose list changed since the last round.
    pub fn new_warnings(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.local {
            let now = p.last_warnings().to_vec();
            let before = self.reported.insert(p.name().to_string(), now.clone()).unwrap_or_default();
            if !now.is_empty() && now != before {
                out.push(format!("{}: {}", p.name(), now.join("; ")));
            }
        }
        out
    }
}

pub struct Workers {
    /// The local prober and every remote host's poller.
    probe_txs: Vec<Sender<ProbeCmd>>,
    /// Sources opened from the Logs pane go to the local log worker this way.
    log_add_tx: Option<Sender<(usize, SourceSpec)>>,
    pub db_tx: Sender<DbCmd>,
    handles: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts the prober and the store thread. `poll` is the interval between rounds.
    /// Starts the local prober, one poller thread per host reached over SSH (sharing `pool`,
    /// so many targets behind one bastion share its session), and the store thread.
    pub fn start(
        mut probes: ProbeSet,
        poll: Duration,
        pool: Option<Arc<SshPool>>,
        setup: StoreSetup,
        ui: UnboundedSender<Event>,
    ) -> Workers {
        let (probe_tx, probe_rx) = mpsc::channel::<ProbeCmd>();
        let (db_tx, db_rx) = mpsc::channel::<DbCmd>();
        let mut handles = Vec::new();
        let mut probe_txs = vec![probe_tx];

        let ui_db = ui.clone();
        handles.push(spawn_guarded("yunwei-store", ui.clone(), move || db_loop(setup, db_rx, ui_db)));

        let remote = std::mem::take(&mut probes.remote);
        if let Some(pool) = pool {
            for host in remote {
                let Some(target) = crate::remote_poll::target_of(&host) else { continue };
                let (tx, rx) = mpsc::channel::<ProbeCmd>();
                probe_txs.push(tx);
                let poller = RemoteHost::new(host.name.clone(), target, pool.clone());
                let (ui_r, db_r) = (ui.clone(), db_tx.clone());
                let name = format!("yunwei-ssh-{}", host.name);
                handles.push(spawn_guarded(&name, ui.clone(), move || {
                    remote_loop(poller, poll, rx, ui_r, db_r)
                }));
            }
        }

        if !probes.local.is_empty() {
            let slot = probes.local_security.clone();
            let (stop_tx, stop_rx) = mpsc::channel::<ProbeCmd>();
            probe_txs.push(stop_tx);
            handles.push(spawn_guarded("yunwei-security", ui.clone(), move || {
                local_security_loop(slot, stop_rx)
            }));
        }

        let db_from_probe = db_tx.clone();
        let ui_probe = ui.clone();
        handles.push(spawn_guarded("yunwei-probe", ui, move || {
            probe_loop(&mut probes, poll, probe_rx, ui_probe, db_from_probe)
        }));
        Workers { probe_txs, log_add_tx: None, db_tx, handles }
    }

    /// Starts the log workers: one thread follows every local source; each source on a host
    /// reached over SSH has a thread of its own (through `pool`, to the target `remote` gives
    /// for its host), so a slow host holds up nothing else. Records go to the pane.
    pub fn start_logs(
        &mut self,
        specs: Vec<SourceSpec>,
        remote: impl Fn(&str) -> Option<crate::ssh::Target>,
        pool: Option<Arc<SshPool>>,
        ui: UnboundedSender<Event>,
    ) {
        for (index, spec) in specs.iter().enumerate() {
            let Some(host) = &spec.host else { continue };
            let target = remote(host);
            let (tx, rx) = mpsc::channel::<ProbeCmd>();
            self.probe_txs.push(tx);
            let (ui_r, spec, pool) = (ui.clone(), spec.clone(), pool.clone());
            let name = format!("yunwei-log-{}", spec.name);
            self.handles.push(spawn_guarded(&name, ui.clone(), move || match (target, pool) {
                (Some(target), Some(pool)) => remote_log_loop(index, spec, target, pool, rx, ui_r),
                _ => {
                    let status = SourceStatus::Error("no such host reached over SSH".into());
                    let _ = ui_r.send(Event::Worker(WorkerMsg::LogStatus { source: index, status }));
                }
            }));
        }
        let (tx, rx) = mpsc::channel::<ProbeCmd>();
        self.probe_txs.push(tx);
        let (add_tx, add_rx) = mpsc::channel::<(usize, SourceSpec)>();
        self.log_add_tx = Some(add_tx);
        let ui_logs = ui.clone();
        self.handles.push(spawn_guarded("yunwei-logs", ui, move || log_loop(specs, rx, add_rx, ui_logs)));
    }

    /// Follows one more local file, opened from the Logs pane.
    pub fn open_log_file(&self, index: usize, spec: SourceSpec) {
        if let Some(tx) = &self.log_add_tx {
            let _ = tx.send((index, spec));
        }
    }

    /// Every poller takes a round now.
    pub fn poll_now(&self) {
        for tx in &self.probe_txs {
            let _ = tx.send(ProbeCmd::PollNow);
        }
    }

    /// Closes the channels; the threads end at their next wake-up. Not joined: a probe stuck in
    /// a hung filesystem must not hold up quitting.
    pub fn stop(self) {
        drop(self.probe_txs);
        drop(self.db_tx);
        drop(self.handles);
    }
}

/// Runs `f` on a named thread; a panic there becomes a message in the status bar instead of
/// taking the console down.
fn spawn_guarded(
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
                .unwrap_or_else(|| "unknown panic".into());
            let _ = ui.send(Event::Worker(WorkerMsg::Problem(format!("internal error in {label}: {what}"))));
        }
    });
    match spawned {
        Ok(h) => h,
        // Only fails when the system is out of threads: say so, and hand back a finished thread.
        Err(e) => {
            let _ = ui_err.send(Event::Worker(WorkerMsg::Problem(format!("cannot start {name}: {e}"))));
            std::thread::spawn(|| {})
        }
    }
}

/// Runs the security script on this machine every 30 minutes, on its own thread: some of its
/// queries take seconds, which must not delay the health figures.
fn local_security_loop(slot: Arc<Mutex<Option<Security>>>, rx: Receiver<ProbeCmd>) {
    loop {
        if let Ok(out) = crate::health::local::run_command("sh", &["-c", SECURITY_SCRIPT], SECURITY_TIMEOUT) {
            let sec = parse_security(&out, chrono::Utc::now().timestamp());
            if let Ok(mut s) = slot.lock() {
                *s = Some(sec);
            }
        }
        // Wakes early only to stop; a poll-now does not re-run the posture.
        let deadline = Instant::now() + SECURITY_INTERVAL;
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(ProbeCmd::PollNow) => continue,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

fn probe_loop(
    probes: &mut ProbeSet,
    poll: Duration,
    rx: Receiver<ProbeCmd>,
    ui: UnboundedSender<Event>,
    db: Sender<DbCmd>,
) {
    // The first reading has no CPU figure (it needs two): take the second after one second so
    // the table fills in at once, then settle into the poll interval.
    let mut wait = Duration::from_secs(1);
    loop {
        let started = Instant::now();
        let samples = probes.sample_all();
        for s in &samples {
            if ui.send(Event::Worker(WorkerMsg::Sample(Box::new(s.clone())))).is_err() {
                return;
            }
        }
        for w in probes.new_warnings() {
            let _ = ui.send(Event::Worker(WorkerMsg::Problem(w)));
        }
        if db.send(DbCmd::Record(samples)).is_err() {
            return;
        }
        let deadline = started + wait;
        wait = poll;
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(ProbeCmd::PollNow) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn db_loop(setup: StoreSetup, rx: Receiver<DbCmd>, ui: UnboundedSender<Event>) {
    let problem = |text: String| {
        let _ = ui.send(Event::Worker(WorkerMsg::Problem(text)));
    };
    let mut store = match Store::open(&setup.db_path) {
        Ok(s) => s,
        Err(e) => {
            problem(e.to_string());
            return;
        }
    };
    if setup.seed_demo {
        if let Err(e) = DemoFleet.seed_history(&mut store, chrono::Utc::now().timestamp()) {
            problem(format!("writing the demo history: {e}"));
        }
    }
    // Alerts already open (from an earlier run, or another process) are not opened again.
    let mut engine = AlertEngine::new();
    match store.open_alert_keys() {
        Ok(keys) => engine.restore(keys),
        Err(e) => problem(format!("reading open alerts: {e}")),
    }
    let mut last_sent: Option<Vec<Alert>> = None;
    let send_alerts = |store: &Store, last_sent: &mut Option<Vec<Alert>>| match store.open_alerts() {
        Ok(rows) => {
            if last_sent.as_ref() != Some(&rows) {
                let _ = ui.send(Event::Worker(WorkerMsg::Alerts(rows.clone())));
                *last_sent = Some(rows);
            }
        }
        Err(e) => problem(format!("reading open alerts: {e}")),
    };
    send_alerts(&store, &mut last_sent);
    let mut queue: std::collections::VecDeque<DbCmd> = std::collections::VecDeque::new();
    let mut next_maintenance = Instant::now();
    loop {
        if Instant::now() >= next_maintenance {
            if let Err(e) = store.maintain_health(chrono::Utc::now().timestamp()) {
                problem(format!("health history maintenance: {e}"));
            }
            next_maintenance = Instant::now() + MAINTENANCE_EVERY;
        }
        let cmd = match queue.pop_front() {
            Some(c) => c,
            None => match rx.recv_timeout(next_maintenance.saturating_duration_since(Instant::now())) {
                Ok(c) => c,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            },
        };
        match cmd {
            DbCmd::Record(mut samples) => {
                // Samples of many hosts arrive one by one: gather what comes within a moment
                // into one transaction and one read-back of the alerts.
                let linger = Instant::now() + Duration::from_millis(100);
                while let Ok(next) = rx.recv_timeout(linger.saturating_duration_since(Instant::now())) {
                    match next {
                        DbCmd::Record(more) => samples.extend(more),
                        other => {
                            queue.push_back(other);
                            break;
                        }
                    }
                }
                if let Err(e) = store.record_samples(&samples) {
                    problem(format!("recording health samples: {e}"));
                }
                let now = chrono::Utc::now().timestamp();
                let changes: Vec<_> =
                    samples.iter().flat_map(|s| engine.evaluate(s, &setup.thresholds, now)).collect();
                if !changes.is_empty() {
                    if let Err(e) = store.apply_alert_changes(&changes) {
                        problem(format!("recording alerts: {e}"));
                    }
                }
                // Another process may have changed alerts too: the list is read back every time.
                send_alerts(&store, &mut last_sent);
            }
            DbCmd::History { host, range } => {
                let since = chrono::Utc::now().timestamp() - range.seconds();
                match store.health_history(&host, since, range.bucketed()) {
                    Ok(points) => {
                        let _ = ui.send(Event::Worker(WorkerMsg::History { host, range, points }));
                    }
                    Err(e) => problem(format!("reading history of {host}: {e}")),
                }
            }
            DbCmd::Audit { action, target, detail } => {
                if let Err(e) = store.audit(&setup.operator, &action, &target, &detail) {
                    problem(format!("writing the audit log: {e}"));
                }
            }
            DbCmd::AckHostAlerts { host } => {
                let open = store.open_alerts().unwrap_or_default();
                for row in open.iter().filter(|r| r.key.host() == Some(&*host) && !r.is_acked()) {
                    if let Err(e) = store.ack_alert(row.id, &setup.operator) {
                        problem(format!("acknowledging alert #{}: {e}", row.id));
                    }
                }
                send_alerts(&store, &mut last_sent);
            }
        }
    }
}

/// How often followed log files are checked for new lines.
const LOG_POLL: Duration = Duration::from_millis(100);
/// How many lines the pane starts with from each file.
const LOG_START_LINES: usize = 1000;
/// How often a source's glob is expanded again, for files that appear later.
const LOG_RESCAN: Duration = Duration::from_secs(10);

/// One followed file of a source.
struct LogFile {
    follower: Follower,
    decoder: Decoder,
    records: RecordBuilder,
}

/// One source: its files, and the status last sent.
struct LogSourceState {
    spec: SourceSpec,
    files: Vec<LogFile>,
    status: Option<SourceStatus>,
    /// Every file (device, inode) read so far: a rotated file that the glob also matches under
    /// its new name (`app.log` renamed to `app-20261127.log`) is not read a second time.
    seen: std::collections::HashSet<(u64, u64)>,
}

impl LogSourceState {
    fn add_files(&mut self, start: Start) {
        use std::os::unix::fs::MetadataExt;
        let now = chrono::Local::now().fixed_offset();
        for path in crate::logs::sources::expand(&self.spec.pattern) {
            if self.files.iter().any(|f| f.follower.path() == path) {
                continue;
            }
            let known = std::fs::metadata(&path).is_ok_and(|m| self.seen.contains(&(m.dev(), m.ino())));
            self.files.push(LogFile {
                follower: Follower::open(&path, if known { Start::End } else { start }),
                decoder: Decoder::new(self.spec.encoding.decoding()),
                records: RecordBuilder::new(now),
            });
        }
    }
}

/// Follows every local source (one [`Follower`] per file), decodes, sanitises and groups the
/// lines into records, and sends them in one batch per source and poll, so the channel carries
/// at most a few messages every 100 ms whatever the files write. A failing source says so in its
/// status; the others go on.
fn log_loop(
    specs: Vec<SourceSpec>,
    rx: Receiver<ProbeCmd>,
    add_rx: Receiver<(usize, SourceSpec)>,
    ui: UnboundedSender<Event>,
) {
    let mut sources: Vec<LogSourceState> = specs
        .into_iter()
        .map(|spec| LogSourceState { spec, files: Vec::new(), status: None, seen: Default::default() })
        .collect();
    for s in &mut sources {
        if s.spec.host.is_none() {
            s.add_files(Start::LastLines(LOG_START_LINES));
        }
    }
    let mut next_rescan = Instant::now() + LOG_RESCAN;
    loop {
        // Files opened from the pane: placed at the index the pane gave them.
        while let Ok((index, spec)) = add_rx.try_recv() {
            let mut state =
                LogSourceState { spec, files: Vec::new(), status: None, seen: Default::default() };
            state.add_files(Start::LastLines(LOG_START_LINES));
            while sources.len() < index {
                // A remote source of the config holds this index; its thread serves it.
                let spec = SourceSpec {
                    name: String::new(),
                    host: Some(String::new()),
                    pattern: String::new(),
                    encoding: Default::default(),
                };
                sources.push(LogSourceState {
                    spec,
                    files: Vec::new(),
                    status: None,
                    seen: Default::default(),
                });
            }
            sources.insert(index.min(sources.len()), state);
        }
        let rescan = Instant::now() >= next_rescan;
        if rescan {
            next_rescan = Instant::now() + LOG_RESCAN;
        }
        for (index, source) in sources.iter_mut().enumerate() {
            let mut status = None;
            // Remote sources have threads of their own.
            if source.spec.host.is_none() {
                if rescan {
                    source.add_files(Start::Beginning);
                }
                let mut batch = Vec::new();
                let n = source.files.len();
                let now = chrono::Local::now().fixed_offset();
                for file in &mut source.files {
                    file.records.set_now(now);
                    let mut got_lines = false;
                    for ev in file.follower.poll() {
                        if let Some(s) = SourceStatus::from_event(&ev, n) {
                            status = Some(s);
                            continue;
                        }
                        if let FollowEvent::Lines(lines) = ev {
                            got_lines |= !lines.is_empty();
                            for raw in lines {
                                let text = file.decoder.decode_line(&raw);
                                let clean = sanitize_text(&text).into_owned();
                                batch.extend(file.records.push(clean));
                            }
                        }
                    }
                    // A quiet poll ends the record being built: nothing more is coming for now.
                    if !got_lines {
                        batch.extend(file.records.flush());
                    }
                    if let Some(p) = file.follower.position() {
                        source.seen.insert((p.dev, p.inode));
                    }
                }
                let recovered =
                    !batch.is_empty() && source.status.as_ref().is_some_and(SourceStatus::is_problem);
                if source.files.is_empty() {
                    status = Some(SourceStatus::NoFiles);
                } else if status.is_none() && (source.status.is_none() || recovered) {
                    // Lines again after an error: the header stops saying it.
                    status = Some(SourceStatus::Following(n));
                }
                if !batch.is_empty() {
                    let msg = WorkerMsg::LogRecords { source: index, records: batch };
                    if ui.send(Event::Worker(msg)).is_err() {
                        return;
                    }
                }
            }
            if let Some(status) = status {
                if source.status.as_ref() != Some(&status) {
                    source.status = Some(status.clone());
                    let _ = ui.send(Event::Worker(WorkerMsg::LogStatus { source: index, status }));
                }
            }
        }
        match rx.recv_timeout(LOG_POLL) {
            Ok(ProbeCmd::PollNow) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// How often a remote source is asked for new lines (one exec per file).
const REMOTE_LOG_POLL: Duration = Duration::from_millis(500);

/// The command listing the files a remote source's path names: the path itself, or the matches
/// of a glob in its last component (matched by the remote shell's `case`, with nothing evaluated).
fn remote_list_command(pattern: &str) -> String {
    let (dir, base) = match pattern.rsplit_once('/') {
        Some((d, b)) => (if d.is_empty() { "/" } else { d }, b),
        None => (".", pattern),
    };
    // Hidden files match only a pattern that starts with a dot, as in the shell.
    let script = r#"d=$1; p=$2
case "$p" in
  .*) set -- "$d"/.* ;;
  *) set -- "$d"/* ;;
esac
for f do
  case "${f##*/}" in
    $p) [ -f "$f" ] && printf '%s\n' "$f" ;;
  esac
done
exit 0"#;
    format!(
        "sh -c {} yunwei-list {} {}",
        crate::ssh::shell_quote(script),
        crate::ssh::shell_quote(dir),
        crate::ssh::shell_quote(base)
    )
}

/// Follows one source on a host reached over SSH: the files its path names (rescanned every
/// few seconds), each read by inode and byte offset, so a reconnect resumes exactly; records
/// go to the pane in one batch per round, and the source's header says what goes wrong.
fn remote_log_loop(
    index: usize,
    spec: SourceSpec,
    target: crate::ssh::Target,
    pool: Arc<SshPool>,
    rx: Receiver<ProbeCmd>,
    ui: UnboundedSender<Event>,
) {
    use crate::logs::remote::{apply, command, complete_lines, Begin, Chunk, RemoteCursor};
    struct RemoteFile {
        path: String,
        cursor: RemoteCursor,
        begin: Begin,
        partial: Vec<u8>,
        decoder: Decoder,
        records: RecordBuilder,
    }
    let mut files: Vec<RemoteFile> = Vec::new();
    let mut conn: Option<crate::ssh::SshConn> = None;
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut last_status: Option<SourceStatus> = None;
    let mut next_rescan = Instant::now();
    let mut first_scan = true;
    let send_status = |status: SourceStatus, last: &mut Option<SourceStatus>| {
        if last.as_ref() != Some(&status) {
            *last = Some(status.clone());
            let _ = ui.send(Event::Worker(WorkerMsg::LogStatus { source: index, status }));
        }
    };
    loop {
        let mut wait = REMOTE_LOG_POLL;
        let mut status: Option<SourceStatus> = None;
        if conn.is_none() {
            match pool.connect(&target) {
                Ok(c) => {
                    conn = Some(c);
                    backoff.reset();
                }
                Err(e) => {
                    send_status(SourceStatus::Error(e.to_string()), &mut last_status);
                    wait = backoff.next_delay();
                }
            }
        }
        if let Some(c) = conn.as_mut() {
            let mut failed: Option<String> = None;
            if Instant::now() >= next_rescan {
                next_rescan = Instant::now() + LOG_RESCAN;
                match c.exec(&remote_list_command(&spec.pattern)) {
                    Ok(out) => {
                        for path in String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()) {
                            if files.iter().any(|f| f.path == path) {
                                continue;
                            }
                            let now = chrono::Local::now().fixed_offset();
                            files.push(RemoteFile {
                                path: path.to_string(),
                                cursor: RemoteCursor::default(),
                                begin: if first_scan {
                                    Begin::LastLines(LOG_START_LINES)
                                } else {
                                    Begin::Start
                                },
                                partial: Vec::new(),
                                decoder: Decoder::new(spec.encoding.decoding()),
                                records: RecordBuilder::new(now),
                            });
                        }
                        first_scan = false;
                    }
                    Err(e) => failed = Some(e.to_string()),
                }
            }
            let mut batch = Vec::new();
            let now = chrono::Local::now().fixed_offset();
            for f in files.iter_mut().filter(|_| failed.is_none()) {
                f.records.set_now(now);
                let out = match c.exec(&command(&f.path, &f.cursor, f.begin)) {
                    Ok(o) => o.stdout,
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                };
                match apply(&mut f.cursor, &out) {
                    Ok(Chunk::Data { bytes, more }) => {
                        if more {
                            wait = Duration::ZERO;
                        }
                        let lines = complete_lines(&mut f.partial, &bytes);
                        let quiet = lines.is_empty();
                        for raw in lines {
                            let text = f.decoder.decode_line(&raw);
                            batch.extend(f.records.push(sanitize_text(&text).into_owned()));
                        }
                        if quiet {
                            batch.extend(f.records.flush());
                        }
                    }
                    Ok(Chunk::Rotated) => {
                        f.partial.clear();
                        status = Some(SourceStatus::Rotated);
                        wait = Duration::ZERO;
                    }
                    Ok(Chunk::Truncated) => {
                        f.partial.clear();
                        status = Some(SourceStatus::Truncated);
                        wait = Duration::ZERO;
                    }
                    Ok(Chunk::Missing) => status = Some(SourceStatus::Missing),
                    Ok(Chunk::Unreadable) => status = Some(SourceStatus::Error("not readable".into())),
                    Err(e) => status = Some(SourceStatus::Error(e)),
                }
            }
            if let Some(e) = failed {
                // The cursors stay: the next session resumes where this one stopped.
                conn = None;
                send_status(SourceStatus::Error(e), &mut last_status);
                wait = backoff.next_delay();
            } else {
                let status = match status {
                    Some(s) => s,
                    None if files.is_empty() => SourceStatus::NoFiles,
                    None => SourceStatus::Following(files.len()),
                };
                send_status(status, &mut last_status);
            }
            if !batch.is_empty()
                && ui.send(Event::Worker(WorkerMsg::LogRecords { source: index, records: batch })).is_err()
            {
                return;
            }
        }
        match rx.recv_timeout(wait) {
            Ok(ProbeCmd::PollNow) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_listing_matches_the_glob_and_evaluates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["app.log", "app-2.log", "other.txt", "$(touch pwned).log", ".hidden.log"] {
            std::fs::write(dir.path().join(name), "x\n").unwrap();
        }
        let list = |pattern: &str| {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(remote_list_command(pattern))
                .output()
                .unwrap();
            let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.rsplit('/').next().unwrap_or("").to_string())
                .collect();
            names.sort();
            names
        };
        let d = dir.path().display();
        assert_eq!(list(&format!("{d}/app*.log")), vec!["app-2.log", "app.log"]);
        assert_eq!(list(&format!("{d}/*.log")), vec!["$(touch pwned).log", "app-2.log", "app.log"]);
        assert_eq!(list(&format!("{d}/other.txt")), vec!["other.txt"]);
        assert_eq!(list(&format!("{d}/.*.log")), vec![".hidden.log"]);
        assert!(!std::path::Path::new("pwned").exists() && !dir.path().join("pwned").exists());
    }

    #[test]
    fn partial_failures_are_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        // stat and meminfo readable, the rest missing: reachable, with warnings.
        std::fs::write(dir.path().join("stat"), "cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n")
            .unwrap();
        std::fs::write(dir.path().join("meminfo"), "MemTotal: 1000 kB\nMemAvailable: 500 kB\n").unwrap();
        let probe = LocalProbe::with_root("h".into(), dir.path().to_path_buf()).with_commands(false);
        let mut set = ProbeSet { local: vec![probe], ..Default::default() };
        let s = set.sample_all();
        assert!(s[0].reachable);
        let first = set.new_warnings();
        assert_eq!(first.len(), 1, "{first:?}");
        assert!(first[0].starts_with("h: "), "{first:?}");
        set.sample_all();
        assert!(set.new_warnings().is_empty(), "the same failure is not repeated every round");
    }

    #[test]
    fn log_worker_batches_records_and_reports_each_source() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "2026-11-27 03:00:01 INFO a\n2026-11-27 03:00:02 ERROR b\n\tat X(Y.java:1)\n")
            .unwrap();
        let spec = |name: &str, host: Option<&str>, pattern: String| SourceSpec {
            name: name.into(),
            host: host.map(str::to_string),
            pattern,
            encoding: crate::config::LogEncoding::Auto,
        };
        let specs = vec![
            spec("app", None, format!("{}/*.log", dir.path().display())),
            spec("none", None, format!("{}/*.gz", dir.path().display())),
            spec("web", Some("web1"), "/var/log/x".into()),
        ];
        let (ui, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = mpsc::channel::<ProbeCmd>();
        let (add_tx, add_rx) = mpsc::channel::<(usize, SourceSpec)>();
        // A file opened from the pane while the worker runs, as the fourth source.
        let opened = dir.path().join("opened.txt");
        std::fs::write(&opened, "2026-11-27 03:00:03 WARN opened\n").unwrap();
        add_tx.send((3, spec("opened", None, opened.display().to_string()))).unwrap();
        let handle = std::thread::spawn(move || log_loop(specs, stop_rx, add_rx, ui));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut records = Vec::new();
        let mut opened_records = Vec::new();
        let mut statuses = std::collections::HashMap::new();
        let mut messages = 0;
        while Instant::now() < deadline
            && (records.len() < 2 || statuses.len() < 3 || opened_records.is_empty())
        {
            match rx.try_recv() {
                Ok(Event::Worker(WorkerMsg::LogRecords { source: 3, records: batch })) => {
                    opened_records.extend(batch);
                }
                Ok(Event::Worker(WorkerMsg::LogRecords { source, records: batch })) => {
                    assert_eq!(source, 0);
                    messages += 1;
                    records.extend(batch);
                }
                Ok(Event::Worker(WorkerMsg::LogStatus { source, status })) => {
                    statuses.insert(source, status);
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        drop(stop_tx);
        handle.join().unwrap();
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[1].lines, vec!["2026-11-27 03:00:02 ERROR b", "\tat X(Y.java:1)"]);
        assert!(messages <= 2, "batched per poll, not per line: {messages}");
        assert_eq!(statuses.get(&0), Some(&SourceStatus::Following(1)));
        assert_eq!(statuses.get(&1), Some(&SourceStatus::NoFiles));
        assert_eq!(statuses.get(&2), None, "remote sources have threads of their own");
        assert_eq!(statuses.get(&3), Some(&SourceStatus::Following(1)));
        assert_eq!(opened_records.len(), 1, "{opened_records:?}");
    }

    #[test]
    fn a_rotated_file_the_glob_also_matches_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "2026-11-27 03:00:01 INFO a\n").unwrap();
        let mut source = LogSourceState {
            spec: SourceSpec {
                name: "app".into(),
                host: None,
                pattern: format!("{}/*.log", dir.path().display()),
                encoding: crate::config::LogEncoding::Auto,
            },
            files: Vec::new(),
            status: None,
            seen: Default::default(),
        };
        source.add_files(Start::Beginning);
        let lines = |source: &mut LogSourceState| -> usize {
            let mut n = 0;
            for f in &mut source.files {
                for ev in f.follower.poll() {
                    if let FollowEvent::Lines(l) = ev {
                        n += l.len();
                    }
                }
                if let Some(p) = f.follower.position() {
                    source.seen.insert((p.dev, p.inode));
                }
            }
            n
        };
        assert_eq!(lines(&mut source), 1);
        std::fs::rename(&log, dir.path().join("app-20261127.log")).unwrap();
        std::fs::write(&log, "2026-11-27 03:00:02 INFO b\n").unwrap();
        assert_eq!(lines(&mut source), 1, "the new app.log");
        source.add_files(Start::Beginning);
        assert_eq!(source.files.len(), 2);
        assert_eq!(lines(&mut source), 0, "the renamed file was read already");
    }
}
