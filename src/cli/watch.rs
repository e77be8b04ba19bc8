//! `yunwei watch`: the console's work without the console, for a systemd unit and for nights
//! when nobody keeps one open. The same workers run (health polls and their alerts, the log
//! sources and `[[log_alerts]]`, the ticket clocks, the backup checks, the network checks, and with `[notify]` the
//! notifications, from the holder of the lease like a console), into the same database, so a
//! console opened on it shows what it records. It logs to standard error one line per event
//! in the journal's style (`<N>` priority prefixes that journald reads: 3 error, 4 warning,
//! 5 notice, 6 info), and stops cleanly on SIGTERM, SIGINT or SIGHUP.

use std::collections::HashMap;
use std::time::Duration;

use crate::alerts::Alert;
use crate::cli::errors::say;
use crate::cli::Global;
use crate::event::{Event, WorkerMsg};
use crate::health::Level;
use crate::i18n::{tr, Lang};
use crate::workers::backups::BackupsMsg;
use crate::workers::logs::LogsMsg;
use crate::workers::netcheck::NetMsg;
use crate::workers::store::{StoreCmd, StoreMsg};
use crate::workers::Workers;

/// One line to standard error, with its journal priority; nothing from outside reaches the
/// terminal raw.
fn log(priority: u8, text: &str) {
    use std::io::Write;
    let text = crate::text::escape_unprintable(text);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "<{priority}>{text}");
}

fn level_priority(level: Level) -> u8 {
    if level == Level::Crit {
        3
    } else {
        4
    }
}

/// How the log's words say an alert.
fn said(a: &Alert, lang: Lang) -> String {
    format!("{} #{} {}: {}", crate::alert_words::severity(a.level, lang), a.id, a.key, a.reason(lang))
}

pub fn run(g: &Global) -> i32 {
    let prepared = match crate::cli::console::prepare(g, false) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lang = prepared.ctx.lang;
    if let Err(e) = crate::cli::ticket::now(lang) {
        say("watch", &e);
        return 2;
    }
    let built = match crate::cli::console::build(g, &prepared, false) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if let Some(ro) = &built.read_only {
        say(
            "watch",
            &tr(
                lang,
                format!(
                    "{}: the database is read-only ({}); watch records, so it needs one it can write",
                    ro.path,
                    ro.read_only.text(lang)
                ),
                format!(
                    "{}：数据库只读（{}）；watch 需要写入记录，须使用可写的数据库",
                    ro.path,
                    ro.read_only.text(lang)
                ),
            ),
        );
        return 2;
    }
    for n in &built.notices {
        log(4, n);
    }
    let names: Vec<String> = built.log_specs.iter().map(|s| s.name.clone()).collect();
    let mut rules = crate::logs::alerts::LogAlerts::new(prepared.config.log_alerts.0.clone())
        .with_hosts(&built.log_specs);
    let hosts = built.rows.len();
    let db = built.setup.store.db_path.display().to_string();
    let notify = built.setup.notify.is_some();
    log(
        6,
        &tr(
            lang,
            format!(
                "yunwei watch started: {hosts} host(s), {} job(s), {} log source(s), database {db}, notifications {}",
                prepared.config.jobs.len(),
                names.len(),
                if notify { "on" } else { "off" }
            ),
            format!(
                "yunwei watch 已启动：{hosts} 台主机，{} 个作业，{} 个日志源，数据库 {db}，通知{}",
                prepared.config.jobs.len(),
                names.len(),
                if notify { "开启" } else { "关闭" }
            ),
        ),
    );
    let rt = match tokio::runtime::Builder::new_current_thread().enable_time().enable_io().build() {
        Ok(rt) => rt,
        Err(e) => {
            say("watch", &e.to_string());
            return 1;
        }
    };
    let (tx, mut rx) = crate::tui::channel();
    let workers = Workers::start(built.setup, tx.clone());
    let stopped = rt.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        for kind in [SignalKind::terminate(), SignalKind::hangup(), SignalKind::interrupt()] {
            let tx = tx.clone();
            if let Ok(mut s) = signal(kind) {
                tokio::spawn(async move {
                    if s.recv().await.is_some() {
                        let _ = tx.send(Event::Terminate);
                    }
                });
            }
        }
        // Each alert as last seen: its level and state, so the log says what changed.
        let mut known: HashMap<i64, Level> = HashMap::new();
        let mut primed = false;
        let mut last_net_bad: Option<usize> = None;
        // The log rules' windows pass on a clock of their own, whatever else arrives.
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        loop {
            let ev = tokio::select! {
                ev = rx.recv() => ev,
                _ = tick.tick() => Some(Event::Tick),
            };
            let now = crate::clock::now_s();
            match ev {
                None | Some(Event::Terminate) => return true,
                Some(Event::Tick) => {
                    let changes = rules.tick(now);
                    if !changes.is_empty() {
                        workers.dispatch(StoreCmd::ApplyAlerts(changes).into());
                    }
                }
                Some(Event::Worker(WorkerMsg::Store(StoreMsg::Alerts(rows)))) => {
                    rules.adopt(&rows, now);
                    let mut seen = HashMap::new();
                    for a in &rows {
                        let line = match known.get(&a.id) {
                            None if primed => Some(("alert opened", "告警出现")),
                            None => Some(("alert open", "告警未恢复")),
                            Some(level) if *level != a.level => Some(("alert changed", "告警变化")),
                            Some(_) => None,
                        };
                        if let Some((en, zh)) = line {
                            let what = said(a, lang);
                            log(
                                level_priority(a.level),
                                &tr(lang, format!("{en}: {what}"), format!("{zh}：{what}")),
                            );
                        }
                        seen.insert(a.id, a.level);
                    }
                    for id in known.keys().filter(|id| !seen.contains_key(id)) {
                        log(5, &tr(lang, format!("alert cleared: #{id}"), format!("告警已恢复：#{id}")));
                    }
                    known = seen;
                    primed = true;
                }
                Some(Event::Worker(WorkerMsg::Notice(n))) => log(if n.error { 3 } else { 6 }, &n.text(lang)),
                Some(Event::Worker(WorkerMsg::Logs(LogsMsg::Records { source, records }))) => {
                    if let Some(name) = names.get(source) {
                        let mut changes = rules.feed(name, &records, now);
                        changes.extend(rules.tick(now));
                        if !changes.is_empty() {
                            workers.dispatch(StoreCmd::ApplyAlerts(changes).into());
                        }
                    }
                }
                Some(Event::Worker(WorkerMsg::Backups(BackupsMsg::Checked(jobs)))) => {
                    let bad = jobs.iter().filter(|j| j.verdict.state != crate::backups::State::Ok).count();
                    log(
                        if bad > 0 { 4 } else { 6 },
                        &tr(
                            lang,
                            format!("backups checked: {} job(s), {bad} not ok", jobs.len()),
                            format!("备份已检查：{} 个作业，{bad} 个不正常", jobs.len()),
                        ),
                    );
                }
                Some(Event::Worker(WorkerMsg::Backups(BackupsMsg::Failed(why)))) => log(3, &why),
                // The network checks: said when how many are not ok changes (they report every
                // round, each minute or so).
                Some(Event::Worker(WorkerMsg::Net(NetMsg::Checked { cells, .. }))) => {
                    let bad = cells.iter().filter(|c| c.state() != crate::netcheck::State::Ok).count();
                    if last_net_bad != Some(bad) {
                        last_net_bad = Some(bad);
                        log(
                            if bad > 0 { 4 } else { 6 },
                            &tr(
                                lang,
                                format!("network checks: {} probe(s), {bad} not ok", cells.len()),
                                format!("网络检查：{} 个探测，{bad} 个不正常", cells.len()),
                            ),
                        );
                    }
                }
                Some(Event::Worker(WorkerMsg::Net(NetMsg::Failed(why)))) => log(3, &why),
                Some(_) => {}
            }
        }
    });
    workers.stop();
    rt.shutdown_timeout(Duration::from_millis(200));
    if stopped {
        log(6, &tr(lang, "yunwei watch stopped", "yunwei watch 已停止"));
    }
    0
}
