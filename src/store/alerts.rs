//! Alerts in SQLite: the changes of every alert source ([`crate::alerts::Change`]) recorded as
//! rows that open, may be acknowledged, and clear, each with its time. A row is keyed by
//! `source` and `subject` (the two halves of [`AlertKey`]'s slash form); a UNIQUE partial index
//! on them over the rows not yet cleared means two yunwei processes sharing one database cannot
//! open the same alert twice: an open upserts into the row that is already open. `host` is the
//! host the key names (NULL when it names none), for per-host lists.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{Result, Store};
use crate::alerts::{level_str, parse_level, Alert, AlertKey, Change, Silence, SilenceScope};
use crate::health::Level;

const COLUMNS: &str =
    "id, source, subject, level, value, message, opened_at, updated_at, acked_at, acked_by, \
                       cleared_at, host, message_zh, note, snoozed_until, snoozed_by";

fn conversion_error(col: usize, what: &str, found: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        col,
        rusqlite::types::Type::Text,
        format!("unknown alert {what} {found:?} (written by a newer yunwei?)").into(),
    )
}

/// The key from the `source` and `subject` columns at `col` and `col + 1`.
fn key_at(r: &rusqlite::Row<'_>, col: usize) -> rusqlite::Result<AlertKey> {
    let source: String = r.get(col)?;
    let subject: String = r.get(col + 1)?;
    AlertKey::from_parts(&source, &subject).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            col,
            rusqlite::types::Type::Text,
            format!("{e} (written by a newer yunwei?)").into(),
        )
    })
}

fn level_at(r: &rusqlite::Row<'_>, col: usize) -> rusqlite::Result<Level> {
    let s: String = r.get(col)?;
    parse_level(&s).ok_or_else(|| conversion_error(col, "level", s))
}

fn silence_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Silence> {
    let scope: String = r.get(1)?;
    Ok(Silence {
        id: r.get(0)?,
        scope: SilenceScope::parse(&scope).ok_or_else(|| conversion_error(1, "silence scope", scope))?,
        target: r.get(2)?,
        reason: r.get(3)?,
        created_by: r.get(4)?,
        created_at: r.get(5)?,
        until: r.get(6)?,
        ended_at: r.get(7)?,
        ended_by: r.get(8)?,
    })
}

/// A time for the audit's words: RFC 3339 in the console clock's offset.
fn rfc3339(t: i64) -> String {
    let offset = *crate::clock::now().offset();
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.with_timezone(&offset).to_rfc3339())
        .unwrap_or_else(|| t.to_string())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get(0)?,
        key: key_at(r, 1)?,
        level: level_at(r, 3)?,
        value: r.get(4)?,
        message: r.get(5)?,
        opened_at: r.get(6)?,
        updated_at: r.get(7)?,
        acked_at: r.get(8)?,
        acked_by: r.get(9)?,
        cleared_at: r.get(10)?,
        host: r.get(11)?,
        message_zh: r.get(12)?,
        note: r.get(13)?,
        snoozed_until: r.get(14)?,
        snoozed_by: r.get(15)?,
    })
}

impl Store {
    /// Records the changes in one immediate transaction.
    ///
    /// Two yunwei processes may poll the same hosts into one database, each with its own
    /// engine, so every write is guarded by the change's time and never moves a row back:
    /// * an open upserts: when the alert is already open (another process opened it), that
    ///   row takes the new level, value and message, unless it was updated later than this
    ///   change, and keeps its `opened_at`; an open at a time when the same alert has
    ///   already been recorded as cleared (at or after it) is skipped, so a lagging process
    ///   does not record an episode twice;
    /// * a level change updates the open row unless it was updated later; with no open row
    ///   (another process cleared it) it does nothing rather than bring the alert back;
    /// * a clear closes the open row unless that row was opened after the clear's time;
    ///   clearing twice is harmless.
    ///
    /// A move up to Crit withdraws an earlier acknowledgement and snooze (the alert needs a
    /// look again) and makes it due for notification again; a move down keeps them.
    pub fn apply_alert_changes(&mut self, changes: &[Change]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        // ?1 source, ?2 subject, ?3 host, ?4 the new level, ?5 value, ?6 message, ?7 the
        // change's time, ?8 the message in Chinese; the ack columns are set before the level.
        const REACK: &str = "CASE WHEN ?4 = 'crit' AND alerts.level <> 'crit'";
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut open = tx.prepare_cached(&format!(
                "INSERT INTO alerts (source, subject, host, level, value, message, opened_at, updated_at,
                                     message_zh)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8
                 WHERE NOT EXISTS (SELECT 1 FROM alerts
                                   WHERE source = ?1 AND subject = ?2 AND cleared_at >= ?7)
                 ON CONFLICT (source, subject) WHERE cleared_at IS NULL DO UPDATE SET
                     acked_at = {REACK} THEN NULL ELSE alerts.acked_at END,
                     acked_by = {REACK} THEN NULL ELSE alerts.acked_by END,
                     snoozed_until = {REACK} THEN NULL ELSE alerts.snoozed_until END,
                     notified_at = {REACK} THEN NULL ELSE alerts.notified_at END,
                     level = ?4, value = ?5, message = ?6, updated_at = ?7, message_zh = ?8
                 WHERE alerts.updated_at <= ?7"
            ))?;
            let mut escalate = tx.prepare_cached(&format!(
                "UPDATE alerts SET
                     acked_at = {REACK} THEN NULL ELSE alerts.acked_at END,
                     acked_by = {REACK} THEN NULL ELSE alerts.acked_by END,
                     snoozed_until = {REACK} THEN NULL ELSE alerts.snoozed_until END,
                     notified_at = {REACK} THEN NULL ELSE alerts.notified_at END,
                     level = ?4, value = ?5, message = ?6, updated_at = ?7, message_zh = ?8
                 WHERE source = ?1 AND subject = ?2 AND cleared_at IS NULL
                   AND updated_at <= ?7"
            ))?;
            let mut clear = tx.prepare_cached(
                "UPDATE alerts SET cleared_at = ?3, updated_at = ?3
                 WHERE source = ?1 AND subject = ?2 AND cleared_at IS NULL
                   AND opened_at <= ?3",
            )?;
            for change in changes {
                let key = change.key();
                let (source, subject) = (key.source().as_str(), key.subject());
                match change {
                    Change::Open { level, value, message, at, .. }
                    | Change::Escalate { level, value, message, at, .. } => {
                        // The same parameters; only the statement differs.
                        let (stmt, host) = match change {
                            Change::Open { host, .. } => (&mut open, host.as_deref().or(key.host())),
                            _ => (&mut escalate, key.host()),
                        };
                        stmt.execute(params![
                            source,
                            subject,
                            host,
                            level_str(*level),
                            value,
                            message.en,
                            at,
                            message.zh
                        ])?;
                    }
                    Change::Clear { at, .. } => {
                        clear.execute(params![source, subject, at])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every open alert, newest first.
    pub fn open_alerts(&self) -> Result<Vec<Alert>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM alerts WHERE cleared_at IS NULL ORDER BY opened_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The newest `limit` alerts, open and cleared, about one host or of all, newest first.
    pub fn alert_history(&self, host: Option<&str>, limit: usize) -> Result<Vec<Alert>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM alerts WHERE ?1 IS NULL OR host = ?1
             ORDER BY opened_at DESC, id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![host, limit], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every alert opened in `[from, to)`, oldest first (by the index on its opening time:
    /// a report reads the period's, not the whole history's).
    pub fn alerts_opened_between(&self, from: i64, to: i64) -> Result<Vec<Alert>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM alerts WHERE opened_at >= ?1 AND opened_at < ?2 ORDER BY opened_at, id"
        ))?;
        let rows = stmt.query_map(params![from, to], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Acknowledges the open alert `id` for `operator` and writes an audit row
    /// (`alert.ack`, target the alert's key, `health/db1/disk/%2Fu01`). False when there is no
    /// such open alert or it is already acknowledged (the first acknowledgement stands).
    pub fn ack_alert(&mut self, id: i64, operator: &str) -> Result<bool> {
        self.acknowledge_alert(id, operator, None)
    }

    /// [`Store::ack_alert`] with a note, kept on the alert and in the audit row.
    pub fn acknowledge_alert(&mut self, id: i64, operator: &str, note: Option<&str>) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), TransactionBehavior::Immediate)?;
        let now = crate::clock::now_s();
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let changed = tx.execute(
            "UPDATE alerts SET acked_at = ?2, acked_by = ?3, note = ?4
             WHERE id = ?1 AND cleared_at IS NULL AND acked_at IS NULL",
            params![id, now, operator, note],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        let (target, message): (String, String) =
            tx.query_row("SELECT source || '/' || subject, message FROM alerts WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let detail = match note {
            Some(n) => format!("#{id} {message}; note: {n}"),
            None => format!("#{id} {message}"),
        };
        self.audit(operator, "alert.ack", &target, &detail)?;
        tx.commit()?;
        Ok(true)
    }

    /// Snoozes the open alert `id` until `until` (Unix seconds): out of the duty view and of
    /// notifications until then, back by itself after. Audited (`alert.snooze`). False when
    /// there is no such open alert.
    pub fn snooze_alert(&mut self, id: i64, until: i64, operator: &str) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE alerts SET snoozed_until = ?2, snoozed_by = ?3 WHERE id = ?1 AND cleared_at IS NULL",
            params![id, until, operator],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        let target: String =
            tx.query_row("SELECT source || '/' || subject FROM alerts WHERE id = ?1", [id], |r| r.get(0))?;
        let until_text = rfc3339(until);
        self.audit(operator, "alert.snooze", &target, &format!("#{id} until {until_text}"))?;
        tx.commit()?;
        Ok(true)
    }

    /// One alert by its id, open or cleared.
    pub fn alert_by_id(&self, id: i64) -> Result<Option<Alert>> {
        let mut stmt = self.conn().prepare_cached(&format!("SELECT {COLUMNS} FROM alerts WHERE id = ?1"))?;
        Ok(stmt.query_row([id], row).optional()?)
    }

    /// Every episode of the alert with this key, newest first.
    pub fn alert_episodes(&self, key: &AlertKey, limit: usize) -> Result<Vec<Alert>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM alerts WHERE source = ?1 AND subject = ?2
             ORDER BY opened_at DESC, id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![key.source().as_str(), key.subject(), limit], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records a silence from `now` to `until` and audits it (`alert.silence`): its id.
    pub fn add_silence(
        &mut self,
        scope: SilenceScope,
        target: &str,
        reason: &str,
        until: i64,
        operator: &str,
        now: i64,
    ) -> Result<i64> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO silences (scope, target, reason, created_by, created_at, until)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![scope.as_str(), target, reason, operator, now, until],
        )?;
        let id = tx.last_insert_rowid();
        let detail = format!("#{id} {} {target} until {}; reason: {reason}", scope.as_str(), rfc3339(until));
        self.audit(operator, "alert.silence", &format!("{}/{target}", scope.as_str()), &detail)?;
        tx.commit()?;
        Ok(id)
    }

    /// Lifts a silence in force before its time, audited (`alert.unsilence`). False when there
    /// is no such silence in force.
    pub fn lift_silence(&mut self, id: i64, operator: &str, now: i64) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE silences SET ended_at = ?2, ended_by = ?3
             WHERE id = ?1 AND ended_at IS NULL AND until > ?2",
            params![id, now, operator],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        let (scope, target): (String, String) =
            tx.query_row("SELECT scope, target FROM silences WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        self.audit(operator, "alert.unsilence", &format!("{scope}/{target}"), &format!("#{id}"))?;
        tx.commit()?;
        Ok(true)
    }

    /// The silences in force at `now`, the soonest to end first.
    pub fn active_silences(&self, now: i64) -> Result<Vec<Silence>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, scope, target, reason, created_by, created_at, until, ended_at, ended_by
             FROM silences WHERE until > ?1 AND ended_at IS NULL AND created_at <= ?1
             ORDER BY until, id",
        )?;
        let rows = stmt.query_map([now], silence_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every silence that was in force at some time in `[from, to)`, oldest first.
    pub fn silences_between(&self, from: i64, to: i64) -> Result<Vec<Silence>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, scope, target, reason, created_by, created_at, until, ended_at, ended_by
             FROM silences WHERE created_at < ?2 AND min(until, coalesce(ended_at, until)) > ?1
             ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([from, to], silence_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn count_open_alerts(&self) -> Result<usize> {
        let n: i64 =
            self.conn()
                .query_row("SELECT count(*) FROM alerts WHERE cleared_at IS NULL", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The keys and levels of the open alerts, for [`crate::alerts::AlertEngine::restore`].
    pub fn open_alert_keys(&self) -> Result<Vec<(AlertKey, Level)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT source, subject, level FROM alerts WHERE cleared_at IS NULL")?;
        let rows = stmt.query_map([], |r| Ok((key_at(r, 0)?, level_at(r, 2)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The open alert with this key, if any.
    pub fn open_alert(&self, key: &AlertKey) -> Result<Option<Alert>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM alerts WHERE source = ?1 AND subject = ?2 AND cleared_at IS NULL"
        ))?;
        Ok(stmt.query_row(params![key.source().as_str(), key.subject()], row).optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{AlertEngine, Metric};
    use crate::health::{DiskUsage, HostSample, Thresholds};
    use crate::i18n::{Both, Lang};

    const T0: i64 = 1_800_000_000;

    fn open_store(dir: &tempfile::TempDir) -> Store {
        Store::open(&dir.path().join("alerts.db")).unwrap()
    }

    fn disk_key(host: &str) -> AlertKey {
        AlertKey::health(host, Metric::Disk, "/u01")
    }

    fn open_change(host: &str, level: Level, at: i64) -> Change {
        Change::Open {
            key: disk_key(host),
            level,
            value: Some(92.0),
            message: "disk /u01 at 92 %".into(),
            host: None,
            at,
        }
    }

    fn sample(host: &str, disk_pct: f64, at: i64) -> HostSample {
        HostSample {
            name: host.into(),
            reachable: true,
            disks: vec![DiskUsage {
                mount: "/u01".into(),
                fs_type: "xfs".into(),
                size_kib: 100,
                used_kib: 90,
                avail_kib: 10,
                used_pct: disk_pct,
                inodes_used_pct: None,
            }],
            sampled_at: at,
            ..Default::default()
        }
    }

    #[test]
    fn open_ack_clear_with_audit() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(&tmp);
        store.apply_alert_changes(&[open_change("db1", Level::Crit, T0)]).unwrap();
        let open = store.open_alerts().unwrap();
        assert_eq!(open.len(), 1);
        let a = &open[0];
        assert_eq!(
            (a.key.host(), a.key.metric(), a.key.to_string().as_str(), a.level),
            (Some("db1"), Some(Metric::Disk), "health/db1/disk/%2Fu01", Level::Crit)
        );
        assert_eq!(
            (a.value, a.opened_at, a.updated_at, a.acked_at, a.cleared_at),
            (Some(92.0), T0, T0, None, None)
        );
        assert_eq!(store.count_open_alerts().unwrap(), 1);

        assert!(store.ack_alert(a.id, "zhang.san").unwrap());
        let acked = store.open_alert(&disk_key("db1")).unwrap().unwrap();
        assert_eq!(acked.acked_by.as_deref(), Some("zhang.san"));
        assert!(acked.acked_at.is_some());
        let audit = store.audit_recent(10).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].operator.as_str(), audit[0].action.as_str(), audit[0].target.as_str()),
            ("zhang.san", "alert.ack", "health/db1/disk/%2Fu01")
        );
        assert!(audit[0].detail.contains("disk /u01 at 92 %"), "{}", audit[0].detail);
        // The first acknowledgement stands; no audit row for a second one.
        assert!(!store.ack_alert(a.id, "li.si").unwrap());
        assert!(!store.ack_alert(a.id + 100, "li.si").unwrap());
        assert_eq!(store.audit_recent(10).unwrap().len(), 1);

        store.apply_alert_changes(&[Change::Clear { key: disk_key("db1"), at: T0 + 600 }]).unwrap();
        assert_eq!(store.count_open_alerts().unwrap(), 0);
        assert!(store.open_alerts().unwrap().is_empty());
        assert!(store.open_alert_keys().unwrap().is_empty());
        // A cleared alert cannot be acknowledged.
        assert!(!store.ack_alert(a.id, "li.si").unwrap());
        let hist = store.alert_history(None, 10).unwrap();
        assert_eq!(hist.len(), 1);
        assert_eq!((hist[0].cleared_at, hist[0].updated_at), (Some(T0 + 600), T0 + 600));
        assert_eq!(hist[0].acked_by.as_deref(), Some("zhang.san"));
        // Clearing again is harmless.
        store.apply_alert_changes(&[Change::Clear { key: disk_key("db1"), at: T0 + 900 }]).unwrap();
        assert_eq!(store.alert_history(None, 10).unwrap()[0].cleared_at, Some(T0 + 600));
    }

    #[test]
    fn notes_snoozes_silences_and_episodes_are_kept_and_audited() {
        use crate::alerts::{AlertState, SilenceScope};
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(&tmp);
        let job = AlertKey::Backup { job: "db1-expdp".into() };
        let open_job = |at| Change::Open {
            key: job.clone(),
            level: Level::Crit,
            value: None,
            message: Both::new("missing: nothing new", "缺失：没有新文件"),
            host: Some("db1".into()),
            at,
        };
        store.apply_alert_changes(&[open_job(T0)]).unwrap();
        let a = store.open_alert(&job).unwrap().unwrap();
        assert_eq!(a.host.as_deref(), Some("db1"), "the job's host, for silencing the host");
        assert_eq!((a.reason(Lang::En), a.reason(Lang::ZhCn)), ("missing: nothing new", "缺失：没有新文件"));
        // An acknowledgement with its note.
        assert!(store.acknowledge_alert(a.id, "王五", Some("  rerun by hand  ")).unwrap());
        let a = store.alert_by_id(a.id).unwrap().unwrap();
        assert_eq!((a.note.as_deref(), a.acked_by.as_deref()), (Some("rerun by hand"), Some("王五")));
        // A snooze until a time.
        assert!(store.snooze_alert(a.id, T0 + 1800, "王五").unwrap());
        let a = store.alert_by_id(a.id).unwrap().unwrap();
        assert_eq!(a.snoozed_until, Some(T0 + 1800));
        assert_eq!(a.state(T0 + 60, &[]), AlertState::Snoozed);
        assert_eq!(a.state(T0 + 1800, &[]), AlertState::Acknowledged);
        // A silence of the host covers the job; lifted early, it no longer does.
        let id =
            store.add_silence(SilenceScope::Host, "db1", "内核升级", T0 + 3600, "王五", T0 + 10).unwrap();
        let active = store.active_silences(T0 + 20).unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(a.state(T0 + 20, &active), AlertState::Silenced);
        assert!(store.active_silences(T0 + 3600).unwrap().is_empty(), "it ends by itself");
        assert!(store.lift_silence(id, "李四", T0 + 100).unwrap());
        assert!(!store.lift_silence(id, "李四", T0 + 200).unwrap(), "only once");
        assert!(store.active_silences(T0 + 120).unwrap().is_empty());
        let past = store.silences_between(T0, T0 + 7200).unwrap();
        assert_eq!((past.len(), past[0].ended_by.as_deref(), past[0].ends_at()), (1, Some("李四"), T0 + 100));
        assert!(store.silences_between(T0 + 100, T0 + 7200).unwrap().is_empty());
        // Episodes: cleared and opened again, both kept under the one key.
        store.apply_alert_changes(&[Change::Clear { key: job.clone(), at: T0 + 300 }]).unwrap();
        store.apply_alert_changes(&[open_job(T0 + 900)]).unwrap();
        let episodes = store.alert_episodes(&job, 10).unwrap();
        assert_eq!(episodes.iter().map(|e| e.opened_at).collect::<Vec<_>>(), [T0 + 900, T0]);
        assert_eq!(episodes[1].cleared_at, Some(T0 + 300));
        assert!(!store.snooze_alert(episodes[1].id, T0 + 9999, "王五").unwrap(), "a cleared one");
        let actions: Vec<String> =
            store.audit_recent(10).unwrap().into_iter().rev().map(|e| e.action).collect();
        assert_eq!(actions, ["alert.ack", "alert.snooze", "alert.silence", "alert.unsilence"]);
        let audit = store.audit_recent(10).unwrap();
        assert!(audit[3].detail.contains("note: rerun by hand"), "{:?}", audit[3]);
        assert!(
            audit[1].detail.contains("reason: 内核升级") && audit[1].target == "host/db1",
            "{:?}",
            audit[1]
        );
    }

    #[test]
    fn escalation_to_crit_withdraws_the_ack_and_de_escalation_keeps_it() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(&tmp);
        store.apply_alert_changes(&[open_change("db1", Level::Warn, T0)]).unwrap();
        let id = store.open_alerts().unwrap()[0].id;
        assert!(store.ack_alert(id, "op").unwrap());
        let up = Change::Escalate {
            key: disk_key("db1"),
            level: Level::Crit,
            value: Some(95.0),
            message: "disk /u01 at 95 % (crit 90 %)".into(),
            at: T0 + 60,
        };
        store.apply_alert_changes(&[up]).unwrap();
        let row = store.open_alert(&disk_key("db1")).unwrap().unwrap();
        assert_eq!(
            (row.id, row.level, row.value, row.opened_at, row.updated_at),
            (id, Level::Crit, Some(95.0), T0, T0 + 60)
        );
        assert_eq!((row.acked_at, row.acked_by), (None, None));
        assert_eq!(row.message, "disk /u01 at 95 % (crit 90 %)");
        assert!(store.ack_alert(id, "op").unwrap());
        let down = Change::Escalate {
            key: disk_key("db1"),
            level: Level::Warn,
            value: Some(85.0),
            message: "disk /u01 at 85 % (warn 80 %)".into(),
            at: T0 + 120,
        };
        store.apply_alert_changes(&[down]).unwrap();
        let row = store.open_alert(&disk_key("db1")).unwrap().unwrap();
        assert_eq!(row.level, Level::Warn);
        assert_eq!(row.acked_by.as_deref(), Some("op"));
    }

    #[test]
    fn unique_index_stops_a_duplicate_from_a_second_connection() {
        let tmp = tempfile::tempdir().unwrap();
        let mut a = open_store(&tmp);
        let mut b = open_store(&tmp);
        a.apply_alert_changes(&[open_change("db1", Level::Warn, T0)]).unwrap();
        // A plain second insert of the same open alert is refused by the index…
        let err = b
            .conn()
            .execute(
                "INSERT INTO alerts (source, subject, host, level, message, opened_at, updated_at)
                 VALUES ('health', 'db1/disk/%2Fu01', 'db1', 'warn', 'x', 1, 1)",
                [],
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("UNIQUE"), "{err}");
        // …and the store's own open lands in the existing row.
        b.apply_alert_changes(&[open_change("db1", Level::Crit, T0 + 5)]).unwrap();
        let open = a.open_alerts().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].level, open[0].opened_at, open[0].updated_at), (Level::Crit, T0, T0 + 5));
        // Once cleared, the same key may open again as a new row.
        a.apply_alert_changes(&[Change::Clear { key: disk_key("db1"), at: T0 + 60 }]).unwrap();
        b.apply_alert_changes(&[open_change("db1", Level::Warn, T0 + 120)]).unwrap();
        assert_eq!(a.count_open_alerts().unwrap(), 1);
        assert_eq!(a.alert_history(Some("db1"), 10).unwrap().len(), 2);
    }

    #[test]
    fn stale_changes_from_a_lagging_process_do_not_move_rows_back() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(&tmp);
        store.apply_alert_changes(&[open_change("db1", Level::Crit, T0 + 100)]).unwrap();
        // An older open, an older level change and a clear from before it opened: no effect.
        let stale = [
            open_change("db1", Level::Warn, T0 + 50),
            Change::Escalate {
                key: disk_key("db1"),
                level: Level::Warn,
                value: Some(85.0),
                message: "old".into(),
                at: T0 + 60,
            },
            Change::Clear { key: disk_key("db1"), at: T0 + 70 },
        ];
        store.apply_alert_changes(&stale).unwrap();
        let row = store.open_alert(&disk_key("db1")).unwrap().unwrap();
        assert_eq!((row.level, row.opened_at, row.updated_at), (Level::Crit, T0 + 100, T0 + 100));
        // A level change for an alert another process has cleared does not bring it back.
        store.apply_alert_changes(&[Change::Clear { key: disk_key("db1"), at: T0 + 200 }]).unwrap();
        let late = Change::Escalate {
            key: disk_key("db1"),
            level: Level::Crit,
            value: Some(95.0),
            message: "late".into(),
            at: T0 + 300,
        };
        store.apply_alert_changes(&[late]).unwrap();
        assert_eq!(store.count_open_alerts().unwrap(), 0);
        assert_eq!(store.alert_history(None, 10).unwrap().len(), 1);
    }

    #[test]
    fn two_connections_evaluating_the_same_samples_end_with_one_alert() {
        let tmp = tempfile::tempdir().unwrap();
        let th = Thresholds::default();
        let series: Vec<HostSample> = [50.0, 85.0, 93.0, 89.5, 90.5, 85.0, 60.0, 95.0]
            .iter()
            .enumerate()
            .map(|(i, &v)| sample("db1", v, T0 + i as i64 * 60))
            .collect();
        // Two processes at once, each with its own engine restored from the database.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let path = tmp.path().join("alerts.db");
                let series = series.clone();
                let th = th.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    let mut engine = AlertEngine::new();
                    engine.restore(store.open_alert_keys().unwrap());
                    barrier.wait();
                    for s in &series {
                        let changes = engine.evaluate(s, &th, s.sampled_at);
                        store.apply_alert_changes(&changes).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let store = open_store(&tmp);
        let open = store.open_alerts().unwrap();
        assert_eq!(open.len(), 1, "{open:?}");
        assert_eq!((open[0].level, open[0].opened_at), (Level::Crit, T0 + 7 * 60));
        // 85 opened (T0+60), 60 cleared (T0+360), 95 opened again: two rows, one cleared.
        let hist = store.alert_history(None, 10).unwrap();
        assert_eq!(hist.len(), 2, "{hist:?}");
        assert_eq!((hist[1].opened_at, hist[1].cleared_at), (T0 + 60, Some(T0 + 360)));

        // A process that lags a whole series behind (restored before or after the first one
        // ran) records nothing twice.
        for restore_first in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let mut a = open_store(&dir);
            let mut b = open_store(&dir);
            let (mut ea, mut eb) = (AlertEngine::new(), AlertEngine::new());
            if restore_first {
                eb.restore(b.open_alert_keys().unwrap());
            }
            for s in &series {
                a.apply_alert_changes(&ea.evaluate(s, &th, s.sampled_at)).unwrap();
            }
            if !restore_first {
                eb.restore(b.open_alert_keys().unwrap());
            }
            for s in &series {
                b.apply_alert_changes(&eb.evaluate(s, &th, s.sampled_at)).unwrap();
            }
            let hist = a.alert_history(None, 10).unwrap();
            let times: Vec<_> = hist.iter().map(|r| (r.opened_at, r.cleared_at, r.level)).collect();
            assert_eq!(
                times,
                [(T0 + 420, None, Level::Crit), (T0 + 60, Some(T0 + 360), Level::Warn)],
                "restore_first: {restore_first}"
            );
        }

        // A third engine started now restores the open alert and opens nothing.
        let mut engine = AlertEngine::new();
        engine.restore(store.open_alert_keys().unwrap());
        assert!(engine.evaluate(&sample("db1", 96.0, T0 + 600), &th, T0 + 600).is_empty());
    }

    #[test]
    fn history_keeps_cleared_alerts_with_their_times() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(&tmp);
        let down = |host: &str| AlertKey::health(host, Metric::Unreachable, "");
        let open_down = |host: &str, at| Change::Open {
            key: down(host),
            level: Level::Crit,
            value: None,
            message: "host unreachable (timeout)".into(),
            host: None,
            at,
        };
        store.apply_alert_changes(&[open_down("a", T0), open_down("b", T0 + 10)]).unwrap();
        store.apply_alert_changes(&[Change::Clear { key: down("a"), at: T0 + 100 }]).unwrap();
        store.apply_alert_changes(&[open_down("a", T0 + 200)]).unwrap();

        let all = store.alert_history(None, 10).unwrap();
        let summary: Vec<_> =
            all.iter().map(|r| (r.key.host().unwrap_or_default(), r.opened_at, r.cleared_at)).collect();
        assert_eq!(summary, [("a", T0 + 200, None), ("b", T0 + 10, None), ("a", T0, Some(T0 + 100))]);
        assert_eq!(all[2].value, None);
        assert_eq!(store.alert_history(Some("a"), 10).unwrap().len(), 2);
        assert_eq!(store.alert_history(Some("a"), 1).unwrap()[0].opened_at, T0 + 200);
        assert!(store.alert_history(Some("nobody"), 10).unwrap().is_empty());
        // Open alerts, newest first.
        let open: Vec<_> = store.open_alerts().unwrap().into_iter().map(|r| r.key.to_string()).collect();
        assert_eq!(open, ["health/a/unreachable", "health/b/unreachable"]);
        let mut keys = store.open_alert_keys().unwrap();
        keys.sort();
        assert_eq!(keys, [(down("a"), Level::Crit), (down("b"), Level::Crit)]);
        // Rows serialize with structured metric and level.
        let json = serde_json::to_value(&all[2]).unwrap();
        assert_eq!(json["key"], "health/a/unreachable");
        assert_eq!((&json["source"], &json["host"]), (&"health".into(), &"a".into()));
        assert_eq!(json["metric"], "unreachable");
        assert_eq!(json["level"], "crit");
        assert_eq!(json["cleared_at"], T0 + 100);
    }

    #[test]
    fn an_unknown_metric_or_source_is_an_error_not_a_panic() {
        let tmp = tempfile::tempdir().unwrap();
        let store = open_store(&tmp);
        let insert = |source: &str, subject: &str| {
            store
                .conn()
                .execute(
                    "INSERT INTO alerts (source, subject, host, level, message, opened_at, updated_at)
                     VALUES (?1, ?2, 'x', 'warn', 'hot', 1, 1)",
                    [source, subject],
                )
                .unwrap();
        };
        insert("health", "x/temperature");
        let err = store.open_alerts().unwrap_err().to_string();
        assert!(err.contains("temperature"), "{err}");
        store.conn().execute("DELETE FROM alerts", []).unwrap();
        insert("weather", "haikou/typhoon");
        let err = store.open_alert_keys().unwrap_err().to_string();
        assert!(err.contains("weather/haikou/typhoon") && err.contains("unknown source"), "{err}");
    }

    #[test]
    fn alerts_of_other_sources_share_the_table() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = open_store(&tmp);
        let backup = AlertKey::Backup { job: "nightly/db".into() };
        let rule = AlertKey::Log { source: "syslog".into(), rule: "oom-killer".into() };
        let open = |key: &AlertKey, at| Change::Open {
            key: key.clone(),
            level: Level::Crit,
            value: None,
            message: "failed".into(),
            host: None,
            at,
        };
        store
            .apply_alert_changes(&[
                open(&backup, T0),
                open(&rule, T0 + 1),
                open_change("db1", Level::Warn, T0 + 2),
            ])
            .unwrap();
        let keys: Vec<String> = store.open_alerts().unwrap().iter().map(|a| a.key.to_string()).collect();
        assert_eq!(keys, ["health/db1/disk/%2Fu01", "log/syslog/oom-killer", "backup/nightly%2Fdb"]);
        // Keys that name no host have no host: they are in no host's history.
        let host: Option<String> = store
            .conn()
            .query_row("SELECT host FROM alerts WHERE source = 'backup'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(host, None);
        assert_eq!(store.alert_history(Some("db1"), 10).unwrap().len(), 1);
        let id = store.open_alert(&backup).unwrap().unwrap().id;
        assert!(store.ack_alert(id, "zhang.san").unwrap());
        assert_eq!(store.audit_recent(1).unwrap()[0].target, "backup/nightly%2Fdb");
        store.apply_alert_changes(&[Change::Clear { key: backup.clone(), at: T0 + 60 }]).unwrap();
        assert_eq!(store.open_alert(&backup).unwrap(), None);
        assert_eq!(store.count_open_alerts().unwrap(), 2);
    }

    /// Runs the `sqlite3` command-line shell on the file; `None` (with the reason printed)
    /// when it is not installed.
    fn sqlite3(path: &std::path::Path, sql: &str) -> Option<std::process::Output> {
        match std::process::Command::new("sqlite3").arg("-batch").arg(path).arg(sql).output() {
            Ok(out) => Some(out),
            Err(e) => {
                eprintln!("skipping the sqlite3 oracle: cannot run sqlite3 ({e})");
                None
            }
        }
    }

    fn stdout(out: &std::process::Output) -> String {
        assert!(out.status.success(), "sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn migration_3_keeps_every_alert_under_its_new_key() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("v2.db");
        // A database as yunwei wrote it at schema version 2, with open, acknowledged and
        // cleared alerts, names with '/' and '%' in them, and ids given out up to 40.
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL)").unwrap();
            for sql in &crate::store::MIGRATIONS[..2] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute("INSERT INTO schema_version (version) VALUES (2)", []).unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO alerts (id, host, metric, subject, level, value, message, opened_at, updated_at,
                                     acked_at, acked_by, cleared_at) VALUES
                 (1, 'db1', 'disk', '/u01', 'crit', 92.0, 'disk /u01 at 92 % (crit 90 %)', {t0}, {t60}, {t30}, 'zhang.san', NULL),
                 (2, 'db1', 'unreachable', '', 'crit', NULL, 'host unreachable (timeout)', {t0}, {t100}, NULL, NULL, {t100}),
                 (3, 'db1', 'unreachable', '', 'crit', NULL, 'host unreachable (refused)', {t200}, {t200}, NULL, NULL, NULL),
                 (4, 'rack/7%', 'mem', '', 'warn', 88.5, 'memory at 88.5 % (warn 85 %)', {t30}, {t30}, NULL, NULL, NULL),
                 (5, '海口-应用1', 'inodes', '/', 'warn', 81.0, 'inodes on / at 81 % (warn 80 %)', {t0}, {t100}, {t60}, '李四', {t100}),
                 (6, 'db2', 'failed_units', '', 'warn', 2.0, '2 failed units: a.service, b.service', {t60}, {t60}, NULL, NULL, NULL);
                 UPDATE sqlite_sequence SET seq = 40 WHERE name = 'alerts';",
                t0 = T0,
                t30 = T0 + 30,
                t60 = T0 + 60,
                t100 = T0 + 100,
                t200 = T0 + 200,
            ))
            .unwrap();
        }
        let before: Vec<(i64, String, String, String)> = {
            let conn = rusqlite::Connection::open(&path).unwrap();
            let mut stmt = conn.prepare("SELECT id, host, metric, subject FROM alerts ORDER BY id").unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        };

        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), crate::store::SCHEMA_VERSION);
        let mut all = store.alert_history(None, 100).unwrap();
        all.sort_by_key(|a| a.id);
        assert_eq!(all.len(), 6);
        // Each row is the key the domain makes of its old host, metric and subject.
        for (a, (id, host, metric, subject)) in all.iter().zip(&before) {
            let metric = Metric::parse(metric).unwrap();
            assert_eq!((a.id, &a.key), (*id, &AlertKey::health(host.as_str(), metric, subject.as_str())));
        }
        let by_id = |id: i64| all.iter().find(|a| a.id == id).unwrap();
        let a = by_id(1);
        assert_eq!(
            (a.level, a.value, a.message.as_str(), a.opened_at, a.updated_at),
            (Level::Crit, Some(92.0), "disk /u01 at 92 % (crit 90 %)", T0, T0 + 60)
        );
        assert_eq!(
            (a.acked_at, a.acked_by.as_deref(), a.cleared_at),
            (Some(T0 + 30), Some("zhang.san"), None)
        );
        let a = by_id(5);
        assert_eq!(a.key.to_string(), "health/海口-应用1/inodes/%2F");
        assert_eq!(
            (a.acked_by.as_deref(), a.cleared_at, a.value),
            (Some("李四"), Some(T0 + 100), Some(81.0))
        );
        assert_eq!(by_id(2).cleared_at, Some(T0 + 100));
        assert_eq!(by_id(4).key.to_string(), "health/rack%2F7%25/mem");
        assert_eq!(store.count_open_alerts().unwrap(), 4);
        assert_eq!(store.alert_history(Some("db1"), 10).unwrap().len(), 3);
        assert_eq!(store.alert_history(Some("rack/7%"), 10).unwrap()[0].id, 4);
        let mut keys = store.open_alert_keys().unwrap();
        keys.sort();
        let keys: Vec<(String, Level)> = keys.into_iter().map(|(k, l)| (k.to_string(), l)).collect();
        assert_eq!(
            keys,
            [
                ("health/db1/unreachable".to_string(), Level::Crit),
                ("health/db1/disk/%2Fu01".to_string(), Level::Crit),
                ("health/db2/failed_units".to_string(), Level::Warn),
                ("health/rack%2F7%25/mem".to_string(), Level::Warn),
            ]
        );
        drop(store);

        if let Some(out) = sqlite3(&path, "PRAGMA integrity_check; PRAGMA foreign_key_check;") {
            assert_eq!(stdout(&out), "ok\n");
            let columns = stdout(
                &sqlite3(&path, "SELECT group_concat(name, ',') FROM pragma_table_info('alerts')").unwrap(),
            );
            assert_eq!(
                columns,
                "id,source,subject,host,level,value,message,opened_at,updated_at,acked_at,acked_by,cleared_at,\
                 message_zh,note,snoozed_until,snoozed_by,notified_at\n"
            );
            let schema = stdout(&sqlite3(&path, ".schema alerts").unwrap());
            assert!(
                schema.contains(
                    "CREATE UNIQUE INDEX alerts_open_key ON alerts (source, subject) WHERE cleared_at IS NULL;"
                ),
                "{schema}"
            );
            assert!(
                schema.contains("CREATE INDEX alerts_host_opened ON alerts (host, opened_at);"),
                "{schema}"
            );
            assert!(!schema.contains("alerts_v3") && !schema.contains("metric"), "{schema}");
            let rows = stdout(
                &sqlite3(
                    &path,
                    "SELECT id, source, subject, host, level, quote(value), message, opened_at - 1800000000,
                            updated_at - 1800000000, quote(acked_at - 1800000000), quote(acked_by),
                            quote(cleared_at - 1800000000)
                     FROM alerts ORDER BY id",
                )
                .unwrap(),
            );
            assert_eq!(
                rows,
                "1|health|db1/disk/%2Fu01|db1|crit|92.0|disk /u01 at 92 % (crit 90 %)|0|60|30|'zhang.san'|NULL\n\
                 2|health|db1/unreachable|db1|crit|NULL|host unreachable (timeout)|0|100|NULL|NULL|100\n\
                 3|health|db1/unreachable|db1|crit|NULL|host unreachable (refused)|200|200|NULL|NULL|NULL\n\
                 4|health|rack%2F7%25/mem|rack/7%|warn|88.5|memory at 88.5 % (warn 85 %)|30|30|NULL|NULL|NULL\n\
                 5|health|海口-应用1/inodes/%2F|海口-应用1|warn|81.0|inodes on / at 81 % (warn 80 %)|0|100|60|'李四'|100\n\
                 6|health|db2/failed_units|db2|warn|2.0|2 failed units: a.service, b.service|60|60|NULL|NULL|NULL\n"
            );
            let seq =
                stdout(&sqlite3(&path, "SELECT seq FROM sqlite_sequence WHERE name = 'alerts'").unwrap());
            assert_eq!(seq, "40\n", "the id counter is carried over");
            let dup = sqlite3(
                &path,
                "INSERT INTO alerts (source, subject, host, level, message, opened_at, updated_at)
                 VALUES ('health', 'db1/unreachable', 'db1', 'crit', 'x', 1, 1)",
            )
            .unwrap();
            assert!(!dup.status.success());
            let err = String::from_utf8_lossy(&dup.stderr);
            assert!(err.contains("UNIQUE constraint failed: alerts.source, alerts.subject"), "{err}");
        }

        // Life goes on under the new keys: an engine restored from the database opens nothing
        // twice, a new alert gets an id never used before, reopening migrates nothing more.
        let mut store = Store::open(&path).unwrap();
        let mut engine = AlertEngine::new();
        engine.restore(store.open_alert_keys().unwrap());
        let changes = engine.evaluate(&sample("db1", 95.0, T0 + 300), &Thresholds::default(), T0 + 300);
        let text: Vec<String> = changes.iter().map(|c| c.key().to_string()).collect();
        assert_eq!(text, ["health/db1/unreachable"], "only the outage clears: {changes:?}");
        store.apply_alert_changes(&changes).unwrap();
        store.apply_alert_changes(&[open_change("db3", Level::Warn, T0 + 300)]).unwrap();
        assert_eq!(store.open_alert(&disk_key("db3")).unwrap().unwrap().id, 41);
        assert_eq!(
            store.open_alert(&disk_key("db1")).unwrap().unwrap().acked_by.as_deref(),
            Some("zhang.san")
        );
        assert_eq!(store.alert_history(None, 100).unwrap().len(), 7);
        drop(store);
        assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), crate::store::SCHEMA_VERSION);
    }
}
