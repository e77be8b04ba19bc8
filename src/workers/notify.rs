//! Notifications: every new critical alert (and with `[notify] warnings` every new warning)
//! is handed to `[notify] command`, run with `sh -c`, as JSON on its standard input
//! ([`crate::alerts::json`]). A command that fails is tried again after `backoff`, doubled
//! each time, up to `retries` more times, each try bounded by `timeout` (its whole process
//! group is killed past it); one that still fails opens an alert of its own
//! (`notify/command`, critical), cleared by the next send that works: never a crash or a hang.
//! At most `max_per_hour` sends in any hour, counted in the database (a restart or a new
//! holder of the lease inherits the hour): what the limit holds back goes in one digest
//! (`{"digest": true, "held": N, "alerts": [...]}`) as soon as the hour allows.
//!
//! Of several consoles (and `yunwei watch`) on one database only the holder of the lease
//! `notify` sends; it renews the lease each round and before each try, another takes over
//! within two rounds of it stopping. Each alert is marked handed in the database as soon as
//! it is sent (or held, or found not to need it), so nothing is notified twice. An alert
//! snoozed or silenced when it opens waits, and is sent if it is still open when that ends;
//! one acknowledged or cleared first is not sent.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::{json, Value};

use crate::alerts::{AlertKey, AlertState, Change, Source};
use crate::config::Notify;
use crate::health::Level;
use crate::i18n::{Both, Lang};
use crate::store::{Access, Store, StoreOptions};

/// The lease's name.
pub const LEASE: &str = "notify";
/// How long the sliding window of `max_per_hour` is.
const HOUR: i64 = 3600;

/// What the notification thread starts with.
#[derive(Debug, Clone)]
pub struct NotifySetup {
    pub db_path: PathBuf,
    pub settings: Notify,
    /// Who holds the lease when this process does (`host:pid:start`).
    pub holder: String,
    pub lang: Lang,
    /// How often a round runs; the lease lives two rounds.
    pub every: Duration,
}

/// The key of the notifier's own alert.
pub fn own_key() -> AlertKey {
    AlertKey::Notify { name: "command".into() }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub holder: bool,
    pub sent: usize,
    pub held: usize,
    pub digests: usize,
    pub failed: usize,
}

/// The notifier's state between rounds: what the limit holds back (the sends of the hour are
/// in the database).
#[derive(Debug)]
pub struct Notifier {
    pub settings: Notify,
    pub holder: String,
    pub lang: Lang,
    pub lease_ttl_s: i64,
    /// The alerts the limit holds back, for the digest. They stay unmarked in the database
    /// until the digest goes: a process that stops meanwhile loses none of them (the next
    /// holder finds them still to send).
    held: Vec<i64>,
}

/// How one send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sent {
    Ok,
    Failed(String),
    /// The lease passed to another process: this one stops sending.
    Lost,
}

/// One try of the command: Ok, or why it failed.
fn run_command(command: &str, input: &[u8], timeout: Duration) -> Result<(), String> {
    match super::local::run_sh_input(command, &[], None, Some(input), timeout) {
        Ok((_, _, 0)) => Ok(()),
        Ok((out, err, status)) => {
            let said = String::from_utf8_lossy(if err.is_empty() { &out } else { &err }).trim().to_string();
            let said: String = said.chars().take(300).collect();
            Err(format!(
                "exit status {status}{}",
                if said.is_empty() { String::new() } else { format!(": {said}") }
            ))
        }
        Err(why) => Err(why),
    }
}

impl Notifier {
    pub fn new(settings: Notify, holder: String, lang: Lang, lease_ttl_s: i64) -> Notifier {
        Notifier { settings, holder, lang, lease_ttl_s, held: Vec::new() }
    }

    /// Whether the last hour's sends, by this process or an earlier holder, leave room.
    fn room(&self, store: &Store, now: i64) -> crate::store::Result<bool> {
        Ok(store.notify_sends_after(now - HOUR)? < self.settings.max_per_hour as usize)
    }

    /// Sends one payload with its retries; renews the lease before each try (at the time it
    /// is then: the round's start and what has passed since) and stops when it is lost.
    fn send(&mut self, store: &mut Store, payload: &Value, clock: &Clock) -> crate::store::Result<Sent> {
        let Some(command) = self.settings.command.clone() else { return Ok(Sent::Ok) };
        let input = format!("{payload}\n");
        let mut wait = self.settings.backoff;
        let mut last = String::new();
        for attempt in 0..=self.settings.retries {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            if !store.take_lease(LEASE, &self.holder, clock.now(), self.lease_ttl_s)? {
                return Ok(Sent::Lost);
            }
            match run_command(&command, input.as_bytes(), self.settings.timeout) {
                Ok(()) => return Ok(Sent::Ok),
                Err(why) => last = why,
            }
        }
        Ok(Sent::Failed(last))
    }

    /// After a send: the notifier's own alert opened (it failed) or cleared (it worked),
    /// judged from the database, so a new holder clears what an old one opened.
    fn judge(&mut self, store: &mut Store, result: &Sent, now: i64) -> crate::store::Result<()> {
        let open = store.open_alert(&own_key())?.is_some();
        match result {
            Sent::Ok if open => store.apply_alert_changes(&[Change::Clear { key: own_key(), at: now }])?,
            Sent::Failed(why) if !open => {
                let tries = self.settings.retries + 1;
                let message = Both::new(
                    format!("the notification command failed ({tries} tries): {why}"),
                    format!("通知命令失败（已尝试 {tries} 次）：{why}"),
                );
                store.apply_alert_changes(&[Change::Open {
                    key: own_key(),
                    level: Level::Crit,
                    value: None,
                    message,
                    host: None,
                    at: now,
                }])?;
            }
            _ => {}
        }
        Ok(())
    }

    /// One round at `now`: when this process holds the lease, first the digest of what the
    /// limit held, when the hour allows; then every alert to hand on is claimed (marked in the
    /// database) and sent, held for the digest (unmarked), or marked as not needing it; one
    /// whose send failed, or that was left when the lease passed, goes back to the queue for
    /// the next round.
    pub fn round(
        &mut self,
        store: &mut Store,
        now: i64,
        offset: chrono::FixedOffset,
    ) -> crate::store::Result<Round> {
        let clock = Clock { start: now, since: std::time::Instant::now() };
        let mut out = Round::default();
        if self.settings.command.is_none() || !store.take_lease(LEASE, &self.holder, now, self.lease_ttl_s)? {
            return Ok(out);
        }
        out.holder = true;
        let silences = store.active_silences(now)?;
        let warnings = self.settings.warnings;
        let wanted = move |a: &crate::alerts::Alert| {
            a.key.source() != Source::Notify
                && (a.level == Level::Crit || (warnings && a.level == Level::Warn))
        };
        if !self.held.is_empty() && self.room(store, clock.now())? {
            // The held alerts still open and not snoozed or silenced meanwhile, claimed first.
            let pending = store.alerts_to_notify()?;
            let due: Vec<&crate::alerts::Alert> = pending
                .iter()
                .filter(|a| {
                    self.held.contains(&a.id) && wanted(a) && a.state(now, &silences) == AlertState::Open
                })
                .collect();
            let ids: Vec<i64> = due.iter().map(|a| a.id).collect();
            if !ids.is_empty() {
                store.mark_notified(&ids, clock.now())?;
                let alerts: Vec<Value> = due
                    .iter()
                    .map(|a| crate::alerts::json::alert_json(a, AlertState::Open, self.lang, offset))
                    .collect();
                let digest = json!({"digest": true, "held": alerts.len(), "alerts": alerts});
                let result = self.send(store, &digest, &clock)?;
                match &result {
                    Sent::Ok => {
                        store.record_notify_send(clock.now())?;
                        out.digests += 1;
                    }
                    Sent::Failed(_) | Sent::Lost => {
                        for id in &ids {
                            store.unmark_notified(*id)?;
                        }
                    }
                }
                if result == Sent::Lost {
                    return Ok(out);
                }
                if let Sent::Failed(_) = result {
                    out.failed += 1;
                }
                self.judge(store, &result, clock.now())?;
                if result == Sent::Ok {
                    self.held.clear();
                }
            } else {
                self.held.clear();
            }
        }
        for a in store.alerts_to_notify()? {
            let wanted = wanted(&a);
            let state = a.state(now, &silences);
            if wanted && matches!(state, AlertState::Snoozed | AlertState::Silenced) {
                continue;
            }
            if self.held.contains(&a.id) {
                continue;
            }
            if wanted && state == AlertState::Open && !self.room(store, clock.now())? {
                // Left unmarked: held for the digest.
                self.held.push(a.id);
                out.held += 1;
                continue;
            }
            // Claimed before it is sent: another holder cannot send it too.
            store.mark_notified(&[a.id], clock.now())?;
            if !wanted || state != AlertState::Open {
                continue;
            }
            let payload = crate::alerts::json::alert_json(&a, state, self.lang, offset);
            let result = self.send(store, &payload, &clock)?;
            match &result {
                Sent::Ok => {
                    store.record_notify_send(clock.now())?;
                    out.sent += 1;
                }
                Sent::Failed(_) => {
                    out.failed += 1;
                    store.unmark_notified(a.id)?;
                }
                Sent::Lost => {
                    store.unmark_notified(a.id)?;
                    return Ok(out);
                }
            }
            self.judge(store, &result, clock.now())?;
        }
        Ok(out)
    }
}

/// The round's time: where it started (Unix seconds, as given) and what has passed since.
struct Clock {
    start: i64,
    since: std::time::Instant,
}

impl Clock {
    fn now(&self) -> i64 {
        self.start + i64::try_from(self.since.elapsed().as_secs()).unwrap_or(0)
    }
}

/// The thread: a round every `every` until the channel closes; then the lease is given up.
pub fn run(setup: NotifySetup, stop: Receiver<()>) {
    let options = StoreOptions::new(Access::Write, false);
    let Ok(mut store) = Store::open_with(&setup.db_path, options) else { return };
    // Two rounds, and never less than a try of the command with room to spare.
    let ttl = i64::try_from((setup.every.as_secs().max(1) * 2).max(setup.settings.timeout.as_secs() * 2 + 5))
        .unwrap_or(30);
    let mut n = Notifier::new(setup.settings, setup.holder.clone(), setup.lang, ttl);
    loop {
        let clock = crate::clock::now();
        // A failing round (a busy or full database) is tried again next time.
        let _ = n.round(&mut store, clock.timestamp(), *clock.offset());
        match stop.recv_timeout(setup.every) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = store.release_lease(LEASE, &setup.holder);
}

/// This process's name as a lease holder: host, pid and start time.
pub fn holder_name() -> String {
    let host = gethostname::gethostname().to_string_lossy().trim().to_string();
    format!("{host}:{}:{}", std::process::id(), chrono::Utc::now().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Metric;

    const T0: i64 = 1_795_712_400;

    fn utc8() -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn open(host: &str, level: Level, at: i64) -> Change {
        Change::Open {
            key: AlertKey::health(host, Metric::Unreachable, ""),
            level,
            value: None,
            message: Both::new(format!("{host} down"), format!("{host} 宕机")),
            host: None,
            at,
        }
    }

    fn open_own(at: i64) -> Change {
        Change::Open {
            key: own_key(),
            level: Level::Crit,
            value: None,
            message: "failed".into(),
            host: None,
            at,
        }
    }

    /// A script that appends what it reads to a file, one JSON document a line.
    fn script(dir: &std::path::Path, body: &str) -> String {
        let path = dir.join("notify.sh");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    fn settings(command: String) -> Notify {
        Notify {
            command: Some(command),
            retries: 1,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
            ..Notify::default()
        }
    }

    fn got(dir: &std::path::Path) -> Vec<Value> {
        std::fs::read_to_string(dir.join("got.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn a_real_script_gets_each_new_critical_alert_once_and_one_console_sends() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("n.db");
        let out = dir.path().join("got.jsonl");
        let cmd = script(dir.path(), &format!("cat >> '{}'", out.display()));
        let mut store = Store::open(&db).unwrap();
        let mut other = Store::open(&db).unwrap();
        store.apply_alert_changes(&[open("db1", Level::Crit, T0), open("web1", Level::Warn, T0)]).unwrap();
        let mut a = Notifier::new(settings(cmd.clone()), "a".into(), Lang::ZhCn, 20);
        let mut b = Notifier::new(settings(cmd), "b".into(), Lang::ZhCn, 20);
        let r = a.round(&mut store, T0 + 1, utc8()).unwrap();
        assert_eq!((r.holder, r.sent), (true, 1));
        assert_eq!(b.round(&mut other, T0 + 2, utc8()).unwrap(), Round::default(), "not the holder");
        assert_eq!(a.round(&mut store, T0 + 5, utc8()).unwrap().sent, 0, "nothing twice");
        let seen = got(dir.path());
        assert_eq!(seen.len(), 1, "the warning is not sent without `warnings`");
        assert_eq!(
            (seen[0]["severity"].as_str(), seen[0]["reason"].as_str()),
            (Some("crit"), Some("db1 宕机"))
        );
        assert_eq!(seen[0]["subject"], "db1/unreachable");
        assert_eq!(seen[0]["opened_at"], "2026-11-27T01:00:00+08:00");
        // The holder stops: the other takes over after two rounds (the lease's 20 s) and sends
        // what opens then, once.
        store.apply_alert_changes(&[open("db2", Level::Crit, T0 + 10)]).unwrap();
        assert!(!b.round(&mut other, T0 + 20, utc8()).unwrap().holder);
        assert_eq!(b.round(&mut other, T0 + 26, utc8()).unwrap().sent, 1);
        assert_eq!(got(dir.path()).len(), 2);
        // Snoozed at opening: sent when the snooze is over, if still open; acknowledged first:
        // never.
        store
            .apply_alert_changes(&[open("db3", Level::Crit, T0 + 30), open("db4", Level::Crit, T0 + 30)])
            .unwrap();
        let open_now = store.open_alerts().unwrap();
        let id = |h: &str| open_now.iter().find(|x| x.key.host() == Some(h)).unwrap().id;
        store.snooze_alert(id("db3"), T0 + 100, "王").unwrap();
        store.ack_alert(id("db4"), "王").unwrap();
        assert_eq!(b.round(&mut other, T0 + 31, utc8()).unwrap().sent, 0);
        assert_eq!(b.round(&mut other, T0 + 101, utc8()).unwrap().sent, 1);
        let hosts: Vec<String> =
            got(dir.path()).iter().map(|v| v["host"].as_str().unwrap().to_string()).collect();
        assert_eq!(hosts, ["db1", "db2", "db3"]);
    }

    #[test]
    fn a_failing_or_hanging_command_is_an_alert_of_its_own_and_a_flood_becomes_a_digest() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("n.db");
        let mut store = Store::open(&db).unwrap();
        // Failing: tried twice (one retry after a second), then the notifier's own alert.
        let tries = dir.path().join("tries");
        let failing =
            script(dir.path(), &format!("echo x >> '{}'; echo 'smtp refused' >&2; exit 7", tries.display()));
        let mut n = Notifier::new(settings(failing), "a".into(), Lang::En, 60);
        store.apply_alert_changes(&[open("db1", Level::Crit, T0)]).unwrap();
        let r = n.round(&mut store, T0, utc8()).unwrap();
        assert_eq!(r.failed, 1);
        assert_eq!(std::fs::read_to_string(&tries).unwrap().lines().count(), 2);
        let own = store.open_alert(&own_key()).unwrap().expect("its own alert");
        assert_eq!(own.level, Level::Crit);
        assert!(own.message.contains("exit status 7: smtp refused"), "{}", own.message);
        // Hanging: killed at its timeout, no hang; the alert stays open, once. The alert whose
        // send failed is tried again (never lost), with the new one.
        n.settings.command = Some(script(dir.path(), "sleep 60"));
        n.settings.retries = 0;
        store.apply_alert_changes(&[open("db2", Level::Crit, T0 + 10)]).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(n.round(&mut store, T0 + 10, utc8()).unwrap().failed, 2);
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        assert_eq!(store.open_alerts().unwrap().iter().filter(|a| a.key == own_key()).count(), 1);
        // Working again: its own alert clears.
        let out = dir.path().join("got.jsonl");
        n.settings.command = Some(script(dir.path(), &format!("cat >> '{}'", out.display())));
        n.settings.max_per_hour = 3;
        store.apply_alert_changes(&[open("db3", Level::Crit, T0 + 20)]).unwrap();
        assert_eq!(
            n.round(&mut store, T0 + 20, utc8()).unwrap().sent,
            3,
            "the two that failed, and the new one"
        );
        assert!(store.open_alert(&own_key()).unwrap().is_none(), "cleared by a send that worked");
        // A new holder clears what an old one opened.
        store.apply_alert_changes(&[open_own(T0 + 21)]).unwrap();
        // (With room of its own in the hour: the window is the database's, whoever sends.)
        let mut m =
            Notifier::new(Notify { max_per_hour: 10, ..n.settings.clone() }, "b".into(), Lang::En, 60);
        store.release_lease(LEASE, "a").unwrap();
        store.apply_alert_changes(&[open("db9", Level::Crit, T0 + 22)]).unwrap();
        m.round(&mut store, T0 + 22, utc8()).unwrap();
        assert!(store.open_alert(&own_key()).unwrap().is_none());
        store.release_lease(LEASE, "b").unwrap();
        // A flood: the hour already holds three sends; the rest wait for one digest.
        let flood: Vec<Change> = (0..8).map(|i| open(&format!("app{i}"), Level::Crit, T0 + 30)).collect();
        store.apply_alert_changes(&flood).unwrap();
        let r = n.round(&mut store, T0 + 30, utc8()).unwrap();
        assert_eq!((r.sent, r.held, r.digests), (0, 8, 0));
        assert_eq!(n.round(&mut store, T0 + 40, utc8()).unwrap(), Round { holder: true, ..Round::default() });
        // A restarted console (a new holder, nothing in memory) inherits the hour: it holds
        // the same eight back rather than send them one by one.
        store.release_lease(LEASE, "a").unwrap();
        let mut restarted = Notifier::new(n.settings.clone(), "a2".into(), Lang::En, 60);
        let r = restarted.round(&mut store, T0 + 41, utc8()).unwrap();
        assert_eq!((r.holder, r.sent, r.held), (true, 0, 8), "{r:?}");
        store.release_lease(LEASE, "a2").unwrap();
        // What the limit holds stays to send in the database: a holder that stopped now (its
        // digest in memory gone) would leave all eight to the next one.
        let waiting = store.alerts_to_notify().unwrap();
        assert_eq!(waiting.iter().filter(|a| a.key.to_string().contains("/app")).count(), 8);
        // An hour after the first sends, the digest goes, with every alert it held.
        let r = n.round(&mut store, T0 + 3621, utc8()).unwrap();
        assert_eq!(r.digests, 1);
        let seen = got(dir.path());
        let digest = seen.last().unwrap();
        assert_eq!((digest["digest"].as_bool(), digest["held"].as_u64()), (Some(true), Some(8)));
        assert_eq!(digest["alerts"].as_array().unwrap().len(), 8);
        assert_eq!(n.round(&mut store, T0 + 3700, utc8()).unwrap().digests, 0, "once");
        // A warning that turns critical is due again: notified when it does.
        store.apply_alert_changes(&[open("web7", Level::Warn, T0 + 3710)]).unwrap();
        assert_eq!(n.round(&mut store, T0 + 3711, utc8()).unwrap().sent, 0, "a warning is not sent");
        let key = AlertKey::health("web7", Metric::Unreachable, "");
        store
            .apply_alert_changes(&[Change::Escalate {
                key,
                level: Level::Crit,
                value: None,
                message: "now critical".into(),
                at: T0 + 3720,
            }])
            .unwrap();
        assert_eq!(n.round(&mut store, T0 + 3721, utc8()).unwrap().sent, 1);
    }
}
