//! The log workers: one thread follows every local source (tail -F semantics, one follower
//! per file), and each source on a host reached over SSH has a thread of its own, reading its
//! files by inode and byte offset. Lines are decoded, sanitised and grouped into records, and
//! sent to the Logs pane in one batch per source and poll.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::report::Report;
use super::spawn::spawn_guarded;
use crate::fleet::{Class, HostLink, Sessions};
use crate::i18n::Msg;
use crate::logs::decode::Decoder;
use crate::logs::follow::{FollowEvent, Follower, Start};
use crate::logs::record::{Record, RecordBuilder};
use crate::logs::sanitize::sanitize_text;
use crate::logs::sources::{SourceSpec, SourceStatus};
use crate::ssh::Target;

/// What the Logs pane asks of the log workers.
#[derive(Debug, Clone, PartialEq)]
pub enum LogsCmd {
    /// Follow one more local file, opened from the Logs pane (the source's index in the pane).
    Open { index: usize, spec: SourceSpec },
    /// Write text (the visible records) to a new file; the outcome comes back as a notice.
    Export { path: std::path::PathBuf, text: String },
}

/// What the log workers report.
#[derive(Debug, Clone, PartialEq)]
pub enum LogsMsg {
    /// New records of one source (index into the sources the pane was given), one batch per
    /// poll.
    Records { source: usize, records: Vec<Record> },
    /// What a source's header line says now.
    Status { source: usize, status: SourceStatus },
}

/// The running log workers' inboxes.
#[derive(Default)]
pub struct LogWorkers {
    /// Sources opened from the pane go to the local log thread this way.
    open_tx: Option<Sender<(usize, SourceSpec)>>,
    /// Held only so the threads stop when the console does.
    _stop: Vec<Sender<()>>,
    report: Option<Report<LogsMsg>>,
}

impl LogWorkers {
    pub fn dispatch(&self, cmd: LogsCmd) {
        match cmd {
            LogsCmd::Open { index, spec } => {
                if let Some(tx) = &self.open_tx {
                    let _ = tx.send((index, spec));
                }
            }
            LogsCmd::Export { path, text } => {
                let Some(report) = self.report.clone() else { return };
                // Off the UI thread: a full buffer can be many megabytes.
                std::thread::spawn(move || match write_new_file(&path, &text) {
                    Ok(()) => report.done(Msg::LogsWritten, path.display()),
                    Err(e) => report.problem(Msg::WriteFailed, format!("{}: {e}", path.display())),
                });
            }
        }
    }
}

/// Writes a new file, never over one that exists, readable by its owner only (log records are
/// personal data).
fn write_new_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Starts the log workers: one thread follows every local source; each source on a host
/// reached over SSH has a thread of its own, running its commands on the host's one shared
/// session from `sessions` (to the target `remote` gives for its host), so a slow host holds up
/// nothing else, and a host's health poll goes before its log reads.
pub fn start(
    specs: Vec<SourceSpec>,
    remote: impl Fn(&str) -> Option<Target>,
    sessions: Option<Arc<Sessions>>,
    report: Report<LogsMsg>,
    handles: &mut Vec<JoinHandle<()>>,
) -> LogWorkers {
    let ui = report.raw();
    let mut stop = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let Some(host) = &spec.host else { continue };
        let target = remote(host);
        let (tx, rx) = mpsc::channel::<()>();
        stop.push(tx);
        let link =
            target.and_then(|t| sessions.as_ref().map(|s| (s.link(&t), s.pool().settings().command_timeout)));
        let (report, spec) = (report.clone(), spec.clone());
        let name = format!("yunwei-log-{}", spec.name);
        handles.push(spawn_guarded(&name, ui.clone(), move || match link {
            Some((link, timeout)) => remote_log_loop(index, spec, link, timeout, rx, report),
            _ => {
                report.send(LogsMsg::Status { source: index, status: SourceStatus::NoSuchHost });
            }
        }));
    }
    let (tx, rx) = mpsc::channel::<()>();
    stop.push(tx);
    let (open_tx, open_rx) = mpsc::channel::<(usize, SourceSpec)>();
    let local_report = report.clone();
    handles.push(spawn_guarded("yunwei-logs", ui, move || log_loop(specs, rx, open_rx, local_report)));
    LogWorkers { open_tx: Some(open_tx), _stop: stop, report: Some(report) }
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
    rx: Receiver<()>,
    add_rx: Receiver<(usize, SourceSpec)>,
    report: Report<LogsMsg>,
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
                if !batch.is_empty() && !report.send(LogsMsg::Records { source: index, records: batch }) {
                    return;
                }
            }
            if let Some(status) = status {
                if source.status.as_ref() != Some(&status) {
                    source.status = Some(status.clone());
                    report.send(LogsMsg::Status { source: index, status });
                }
            }
        }
        match rx.recv_timeout(LOG_POLL) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
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
/// go to the pane in one batch per round, and the source's header says what goes wrong. Every
/// command runs on the host's shared session as a log read: one bounded chunk per exec, after
/// the host's health poll.
fn remote_log_loop(
    index: usize,
    spec: SourceSpec,
    link: HostLink,
    timeout: Duration,
    rx: Receiver<()>,
    report: Report<LogsMsg>,
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
    let exec = |command: &str| link.exec(command, timeout, Class::Logs);
    let mut backoff = crate::ssh::Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut last_status: Option<SourceStatus> = None;
    let mut next_rescan = Instant::now();
    let mut first_scan = true;
    let send_status = |status: SourceStatus, last: &mut Option<SourceStatus>| {
        if last.as_ref() != Some(&status) {
            *last = Some(status.clone());
            report.send(LogsMsg::Status { source: index, status });
        }
    };
    loop {
        let mut wait = REMOTE_LOG_POLL;
        let mut status: Option<SourceStatus> = None;
        {
            let mut failed: Option<String> = None;
            if Instant::now() >= next_rescan {
                next_rescan = Instant::now() + LOG_RESCAN;
                match exec(&remote_list_command(&spec.pattern)) {
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
                let out = match exec(&command(&f.path, &f.cursor, f.begin)) {
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
                    Ok(Chunk::Unreadable) => status = Some(SourceStatus::Unreadable),
                    Err(e) => status = Some(SourceStatus::Error(e)),
                }
            }
            if let Some(e) = failed {
                // The cursors stay: the next session resumes where this one stopped.
                send_status(SourceStatus::Error(e), &mut last_status);
                wait = backoff.next_delay();
            } else {
                backoff.reset();
                let status = match status {
                    Some(s) => s,
                    None if files.is_empty() => SourceStatus::NoFiles,
                    None => SourceStatus::Following(files.len()),
                };
                send_status(status, &mut last_status);
            }
            if !batch.is_empty() && !report.send(LogsMsg::Records { source: index, records: batch }) {
                return;
            }
        }
        match rx.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, WorkerMsg};

    #[test]
    fn exports_are_new_files_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.txt");
        write_new_file(&path, "a\n").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\n");
        let again = write_new_file(&path, "b\n").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a\n", "never over an existing file");
    }

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
    fn log_worker_batches_records_and_reports_each_source() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "2026-11-27 03:00:01 INFO a\n2026-11-27 03:00:02 ERROR b\n\tat X(Y.java:1)\n")
            .unwrap();
        let spec = |name: &str, host: Option<&str>, pattern: String| SourceSpec {
            name: name.into(),
            host: host.map(str::to_string),
            pattern,
            encoding: crate::logs::sources::LogEncoding::Auto,
        };
        let specs = vec![
            spec("app", None, format!("{}/*.log", dir.path().display())),
            spec("none", None, format!("{}/*.gz", dir.path().display())),
            spec("web", Some("web1"), "/var/log/x".into()),
        ];
        let (ui, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (add_tx, add_rx) = mpsc::channel::<(usize, SourceSpec)>();
        // A file opened from the pane while the worker runs, as the fourth source.
        let opened = dir.path().join("opened.txt");
        std::fs::write(&opened, "2026-11-27 03:00:03 WARN opened\n").unwrap();
        add_tx.send((3, spec("opened", None, opened.display().to_string()))).unwrap();
        let report = Report::new(ui, WorkerMsg::Logs);
        let handle = std::thread::spawn(move || log_loop(specs, stop_rx, add_rx, report));
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut records = Vec::new();
        let mut opened_records = Vec::new();
        let mut statuses = std::collections::HashMap::new();
        let mut messages = 0;
        while Instant::now() < deadline
            && (records.len() < 2 || statuses.len() < 3 || opened_records.is_empty())
        {
            match rx.try_recv() {
                Ok(Event::Worker(WorkerMsg::Logs(LogsMsg::Records { source: 3, records: batch }))) => {
                    opened_records.extend(batch);
                }
                Ok(Event::Worker(WorkerMsg::Logs(LogsMsg::Records { source, records: batch }))) => {
                    assert_eq!(source, 0);
                    messages += 1;
                    records.extend(batch);
                }
                Ok(Event::Worker(WorkerMsg::Logs(LogsMsg::Status { source, status }))) => {
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
                encoding: crate::logs::sources::LogEncoding::Auto,
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
