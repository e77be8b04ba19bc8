//! The division-code thread's work: running the impact commands of `[[divcodes.impact]]`
//! (here with `sh -c`, or on a host of the fleet over the same SSH sessions as health, the
//! command quoted as one word), and the pane's own SQLite connection (see [`start`]), so a large
//! import or diff never stalls health recording.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::report::Report;
use crate::divcodes::diff::diff;
use crate::divcodes::impact::{self, Counts, CountsError, Entry};
use crate::divcodes::review::{self, Line, RequestError, Requests};
use crate::divcodes::Code;
use crate::fleet::inventory::{Access as HostAccess, Fleet};
use crate::fleet::{Class, Sessions};
use crate::i18n::{tr, Both, Lang};
use crate::store::divcodes::{DivcodeError, Version};
use crate::store::{Access, Store, StoreOptions};

/// How often the thread asks whether another connection wrote (a review on the command line,
/// an import by a colleague).
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// What the pane asks of the division-code thread.
#[derive(Debug, Clone, PartialEq)]
pub enum DivcodesCmd {
    /// Compare these editions (None: the two imported last), and keep them compared: read
    /// again whenever an edition or a decision changes.
    Compare(Option<(String, String)>),
    /// Decide changes of the pair compared.
    Decide { old: String, new: String, requests: Box<Requests> },
    /// Import a file as an edition named so.
    Import { path: PathBuf, name: String },
}

/// Two editions compared, every change with its decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub old: Version,
    pub new: Version,
    pub lines: Vec<Line>,
    /// The names of the codes the mappings point to (an edit may point outside its change).
    pub names: HashMap<Code, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DivcodesMsg {
    /// The stored editions, oldest import first.
    Versions(Vec<Version>),
    Compared(Box<Comparison>),
    /// Decisions recorded: how many, and by whom.
    Decided {
        count: usize,
        by: String,
    },
    Imported(Box<Version>),
    /// What was asked could not be done, in both languages.
    Failed(Both),
}

#[derive(Clone)]
pub struct DivcodesSetup {
    pub db_path: PathBuf,
    pub operator: String,
}

#[derive(Clone)]
pub struct DivcodesWorker {
    tx: Sender<DivcodesCmd>,
}

impl DivcodesWorker {
    pub fn new(tx: Sender<DivcodesCmd>) -> DivcodesWorker {
        DivcodesWorker { tx }
    }

    pub fn dispatch(&self, cmd: DivcodesCmd) {
        let _ = self.tx.send(cmd);
    }
}

fn both(en: String, zh: String) -> Both {
    Both { en, zh }
}

fn shown(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

/// What the watch compares: the editions and the decisions as they stand.
fn mark(store: &Store) -> Option<i64> {
    store.divcode_mark().ok()
}

/// The thread's body; returns when the pane's sender is gone.
pub fn run(setup: DivcodesSetup, rx: Receiver<DivcodesCmd>, report: Report<DivcodesMsg>) {
    // The console opened the database once already; its failure is said there.
    let Ok(mut store) = Store::open_with(&setup.db_path, StoreOptions::new(Access::WriteOrView, false))
    else {
        return;
    };
    let mut seen = mark(&store);
    let mut version = store.data_version().unwrap_or(0);
    send_versions(&store, &report);
    // The two imported last, until the pane asks for others.
    let mut pair: Option<(String, String)> = newest_pair(&store);
    if let Some((o, n)) = &pair {
        compare(&store, o, n, &report);
    }
    let mut next_watch = Instant::now() + WATCH_EVERY;
    loop {
        let wait = next_watch.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(cmd) => match cmd {
                DivcodesCmd::Compare(p) => {
                    pair = p.or_else(|| newest_pair(&store));
                    if let Some((o, n)) = &pair {
                        compare(&store, o, n, &report);
                    }
                }
                DivcodesCmd::Decide { old, new, requests } => {
                    decide(&mut store, &setup, &old, &new, &requests, &report);
                    seen = mark(&store);
                    if pair.as_ref() == Some(&(old.clone(), new.clone())) {
                        compare(&store, &old, &new, &report);
                    }
                }
                DivcodesCmd::Import { path, name } => {
                    import(&mut store, &setup, &path, &name, &report);
                    seen = mark(&store);
                    send_versions(&store, &report);
                    if pair.is_none() {
                        pair = newest_pair(&store);
                        if let Some((o, n)) = &pair {
                            compare(&store, o, n, &report);
                        }
                    }
                }
            },
            Err(RecvTimeoutError::Timeout) => {
                next_watch = Instant::now() + WATCH_EVERY;
                let now = store.data_version().unwrap_or(version);
                if now != version {
                    version = now;
                    let m = mark(&store);
                    if m != seen {
                        seen = m;
                        send_versions(&store, &report);
                        if pair.is_none() {
                            pair = newest_pair(&store);
                        }
                        if let Some((o, n)) = &pair {
                            compare(&store, o, n, &report);
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// The two editions imported last, older first.
fn newest_pair(store: &Store) -> Option<(String, String)> {
    let vs = store.divcode_versions().ok()?;
    match vs.as_slice() {
        [.., a, b] => Some((a.name.clone(), b.name.clone())),
        _ => None,
    }
}

fn send_versions(store: &Store, report: &Report<DivcodesMsg>) {
    match store.divcode_versions() {
        Ok(vs) => {
            report.send(DivcodesMsg::Versions(vs));
        }
        Err(e) => {
            report.send(DivcodesMsg::Failed(both(e.text(Lang::En), e.text(Lang::ZhCn))));
        }
    }
}

/// The comparison of `old` and `new` as stored now.
pub fn comparison(store: &Store, old: &str, new: &str) -> Result<Comparison, Both> {
    let db = |e: crate::store::StoreError| both(e.text(Lang::En), e.text(Lang::ZhCn));
    let find = |name: &str| -> Result<Version, Both> {
        store.divcode_version(name).map_err(db)?.ok_or_else(|| {
            both(format!("no edition is named “{}”", shown(name)), format!("没有名为“{}”的版本", shown(name)))
        })
    };
    let (o, n) = (find(old)?, find(new)?);
    let d = store.divcode_differences(o.id, n.id, "").map_err(db)?;
    let reviews = store.divcode_reviews(o.id, n.id).map_err(db)?;
    let lines = review::join(diff(&d.old, &d.new), reviews);
    let mut wanted: Vec<&Code> = lines.iter().flat_map(|l| l.mapping().iter().map(|(_, t)| t)).collect();
    wanted.sort();
    wanted.dedup();
    let names = store.divcode_names(n.id, &wanted).map_err(db)?;
    Ok(Comparison { old: o, new: n, lines, names })
}

fn compare(store: &Store, old: &str, new: &str, report: &Report<DivcodesMsg>) {
    match comparison(store, old, new) {
        Ok(c) => report.send(DivcodesMsg::Compared(Box::new(c))),
        Err(why) => report.send(DivcodesMsg::Failed(why)),
    };
}

fn decide(
    store: &mut Store,
    setup: &DivcodesSetup,
    old: &str,
    new: &str,
    requests: &Requests,
    report: &Report<DivcodesMsg>,
) {
    let cmp = match comparison(store, old, new) {
        Ok(c) => c,
        Err(why) => {
            report.send(DivcodesMsg::Failed(why));
            return;
        }
    };
    let wanted: Vec<&Code> = requests.map.iter().map(|(_, to)| to).collect();
    let present = match store.divcode_names(cmp.new.id, &wanted) {
        Ok(p) => p,
        Err(e) => {
            report.send(DivcodesMsg::Failed(both(e.text(Lang::En), e.text(Lang::ZhCn))));
            return;
        }
    };
    let decisions = match review::decide(&cmp.lines, requests, |c| present.contains_key(c)) {
        Ok(d) => d,
        Err(errors) => {
            let said: Vec<Both> = errors.iter().map(request_error).collect();
            let en: Vec<String> = said.iter().map(|b| b.en.clone()).collect();
            let zh: Vec<String> = said.iter().map(|b| b.zh.clone()).collect();
            report.send(DivcodesMsg::Failed(both(en.join("; "), zh.join("；"))));
            return;
        }
    };
    let now = crate::clock::now_s();
    match store.record_divcode_reviews(&cmp.old, &cmp.new, &decisions, &setup.operator, now) {
        Ok(()) => report.send(DivcodesMsg::Decided { count: decisions.len(), by: setup.operator.clone() }),
        Err(e) => report.send(DivcodesMsg::Failed(both(e.text(Lang::En), e.text(Lang::ZhCn)))),
    };
}

fn request_error(e: &RequestError) -> Both {
    both(crate::divcode_words::request(e, Lang::En), crate::divcode_words::request(e, Lang::ZhCn))
}

fn import(
    store: &mut Store,
    setup: &DivcodesSetup,
    path: &std::path::Path,
    name: &str,
    report: &Report<DivcodesMsg>,
) {
    let file = shown(&path.display().to_string());
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let (en, zh) = (crate::i18n::io_error(&e, Lang::En), crate::i18n::io_error(&e, Lang::ZhCn));
            report.send(DivcodesMsg::Failed(both(
                format!("{file}: cannot be read: {en}"),
                format!("{file}：无法读取：{zh}"),
            )));
            return;
        }
    };
    let edition = match crate::divcodes::import::parse(&bytes, crate::divcodes::import::Format::Auto) {
        Ok(e) => e,
        Err(problems) => {
            // The first problem in words, and how many more the command line would name.
            let said = |lang: Lang| {
                let first = problems
                    .first()
                    .map(|p| {
                        format!("{file}:{}: {}", p.line, crate::divcode_words::problem(&p.problem, lang))
                    })
                    .unwrap_or_default();
                let more = problems.len().saturating_sub(1);
                match (lang, more) {
                    (_, 0) => first,
                    (Lang::En, n) => format!("{first} (and {n} more: yunwei divcode import names each)"),
                    (Lang::ZhCn, n) => format!("{first}（另有 {n} 处：yunwei divcode import 会逐一列出）"),
                }
            };
            report.send(DivcodesMsg::Failed(both(said(Lang::En), said(Lang::ZhCn))));
            return;
        }
    };
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let now = crate::clock::now_s();
    match store.import_divcodes(name, &path.display().to_string(), &edition, &sha, &setup.operator, now) {
        Ok(v) => report.send(DivcodesMsg::Imported(Box::new(v))),
        Err(DivcodeError::Exists(n)) => report.send(DivcodesMsg::Failed(both(
            format!("an edition named “{}” is stored already", shown(&n)),
            format!("已存有名为“{}”的版本", shown(&n)),
        ))),
        Err(DivcodeError::Store(e)) => {
            report.send(DivcodesMsg::Failed(both(e.text(Lang::En), e.text(Lang::ZhCn))))
        }
        Err(_) => false,
    };
}

/// The last lines of what a command said on its standard error, escaped.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    crate::text::escape_unprintable(&lines[start..].join(" / ")).into_owned()
}

/// Runs an impact entry and reads its counts; the error in the reader's language, naming the
/// entry and where it ran.
pub fn count(e: &Entry, fleet: &Fleet, sessions: &Sessions, lang: Lang) -> Result<Counts, String> {
    let name = crate::text::escape_unprintable(&e.name).into_owned();
    let timeout = Duration::from_secs(e.timeout_s);
    let host = e.host.as_ref().map(|h| fleet.hosts.iter().find(|f| &f.name == h).ok_or(h));
    let ran = match host {
        None => super::local::run_sh(&e.command, &[], None, timeout)
            .map_err(|why| (String::from("localhost"), why)),
        Some(Err(h)) => {
            let h = crate::text::escape_unprintable(h).into_owned();
            return Err(tr(
                lang,
                format!("{name}: the host {h} is not in the fleet"),
                format!("{name}：主机 {h} 不在主机清单中"),
            ));
        }
        Some(Ok(fh)) => {
            let shown = crate::text::escape_unprintable(&fh.name).into_owned();
            match (&fh.access, fh.target()) {
                (HostAccess::Local, _) | (_, None) => {
                    super::local::run_sh(&e.command, &[], None, timeout).map_err(|why| (shown, why))
                }
                (_, Some(target)) => {
                    let remote = format!("sh -c {}", crate::text::shell_quote(&e.command));
                    match sessions.link(&target).exec(&remote, timeout, Class::Probe) {
                        Ok(out) => Ok((out.stdout, out.stderr, out.exit_status)),
                        Err(err) => Err((shown, err.text(lang).to_string())),
                    }
                }
            }
        }
    };
    let (stdout, stderr, status) = ran.map_err(|(at, why)| {
        tr(
            lang,
            format!("{name} ({at}): the command did not run: {why}"),
            format!("{name}（{at}）：命令未能运行：{why}"),
        )
    })?;
    if status != 0 {
        let said = tail(&stderr);
        return Err(tr(
            lang,
            format!("{name}: the command exited with status {status}: {said}"),
            format!("{name}：命令以状态 {status} 退出：{said}"),
        ));
    }
    let text = String::from_utf8_lossy(&stdout);
    impact::parse_counts(&text).map_err(|CountsError::NoCounts { first, lines }| {
        tr(
            lang,
            format!(
                "{name}: the command printed {lines} lines and no code<TAB>count line; the first: {first}"
            ),
            format!("{name}：命令输出了 {lines} 行，但没有“代码<TAB>数量”行；第一行：{first}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::divcodes::review::State;
    use crate::event::{Event, WorkerMsg};

    fn next(
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
        limit: Duration,
        want: impl Fn(&DivcodesMsg) -> bool,
    ) -> DivcodesMsg {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            match rx.try_recv() {
                Ok(Event::Worker(WorkerMsg::Divcodes(m))) if want(&m) => return m,
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        panic!("no such division-code message within {limit:?}");
    }

    fn edition(csv: &str) -> crate::divcodes::import::Edition {
        crate::divcodes::import::parse(
            format!("code,name\n{csv}").as_bytes(),
            crate::divcodes::import::Format::Csv,
        )
        .unwrap()
    }

    /// The thread as the console runs it: the newest pair compared at start, a decision made
    /// and the pair compared again, another process's import and review shown without asking,
    /// a file imported, a bad one refused.
    #[test]
    fn the_thread_compares_decides_and_follows_other_writers() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.db");
        let mut other = Store::open(&db).unwrap();
        other.import_divcodes("2014", "a", &edition("460000,海南省\n469003,儋州市"), "x", "王工", 1).unwrap();
        other.import_divcodes("2015", "b", &edition("460000,海南省\n460400,儋州市"), "y", "王工", 2).unwrap();
        let (ui, mut events) = crate::tui::channel();
        let (tx, rx) = std::sync::mpsc::channel();
        let setup = DivcodesSetup { db_path: db.clone(), operator: "赵工".into() };
        let report = Report::new(ui, WorkerMsg::Divcodes);
        let thread = std::thread::spawn(move || run(setup, rx, report));
        let DivcodesMsg::Compared(c) =
            next(&mut events, Duration::from_secs(5), |m| matches!(m, DivcodesMsg::Compared(_)))
        else {
            unreachable!()
        };
        assert_eq!((c.old.name.as_str(), c.new.name.as_str(), c.lines.len()), ("2014", "2015", 1));
        tx.send(DivcodesCmd::Decide {
            old: "2014".into(),
            new: "2015".into(),
            requests: Box::new(Requests { accept: vec!["469003".into()], ..Requests::none() }),
        })
        .unwrap();
        let decided = next(&mut events, Duration::from_secs(5), |m| matches!(m, DivcodesMsg::Decided { .. }));
        assert_eq!(decided, DivcodesMsg::Decided { count: 1, by: "赵工".into() });
        let DivcodesMsg::Compared(c) =
            next(&mut events, Duration::from_secs(5), |m| matches!(m, DivcodesMsg::Compared(_)))
        else {
            unreachable!()
        };
        assert_eq!(c.lines[0].state(), State::Accepted);
        // Another process undoes it: shown within the watch.
        let started = Instant::now();
        let lines = c.lines.clone();
        let undo =
            review::decide(&lines, &Requests { reset: vec!["469003".into()], ..Requests::none() }, |_| true)
                .unwrap();
        other.record_divcode_reviews(&c.old, &c.new, &undo, "王工", 3).unwrap();
        next(
            &mut events,
            Duration::from_secs(5),
            |m| matches!(m, DivcodesMsg::Compared(c) if c.lines[0].state() == State::Proposed),
        );
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        // A file imported from the pane; a bad one refused with its first bad line.
        let good = dir.path().join("good.csv");
        std::fs::write(&good, "code,name\n460000,海南省\n460400,儋州市\n460300,三沙市\n").unwrap();
        tx.send(DivcodesCmd::Import { path: good, name: "2016".into() }).unwrap();
        let imported = next(&mut events, Duration::from_secs(5), |m| matches!(m, DivcodesMsg::Imported(_)));
        assert!(matches!(imported, DivcodesMsg::Imported(v) if v.rows == 3 && v.imported_by == "赵工"));
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "code,name\n460000,海南省\n46040X,儋州市\n").unwrap();
        tx.send(DivcodesCmd::Import { path: bad, name: "bad".into() }).unwrap();
        let failed = next(&mut events, Duration::from_secs(5), |m| matches!(m, DivcodesMsg::Failed(_)));
        assert!(
            matches!(&failed, DivcodesMsg::Failed(b) if b.en.contains("bad.csv:3: code \"46040X\" is not 6 or 12 digits")),
            "{failed:?}"
        );
        tx.send(DivcodesCmd::Compare(Some(("2015".into(), "2016".into())))).unwrap();
        let DivcodesMsg::Compared(c) =
            next(&mut events, Duration::from_secs(5), |m| matches!(m, DivcodesMsg::Compared(_)))
        else {
            unreachable!()
        };
        assert_eq!(c.lines[0].change.kind, crate::divcodes::diff::Kind::Added);
        drop(tx);
        thread.join().unwrap();
    }
}
