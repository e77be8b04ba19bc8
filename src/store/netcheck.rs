//! Network checks in SQLite: `net_results`, one row per probe of a check from one place (its
//! state, latency, reason in both languages, certificate end). The latest row of a check and
//! place is its state; the rows before it are its latency history and its failures. Rows that
//! were ok are kept [`OK_RETENTION_S`], the others [`FAILURE_RETENTION_S`].

use rusqlite::{params, TransactionBehavior};

use super::{Result, Store};

/// How long an ok result is kept.
pub const OK_RETENTION_S: i64 = 2 * 86_400;
/// How long a result that was not ok is kept.
pub const FAILURE_RETENTION_S: i64 = 90 * 86_400;

/// One probe's result as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetResult {
    #[serde(rename = "name")]
    pub check: String,
    #[serde(rename = "from")]
    pub origin: String,
    pub kind: String,
    pub target: String,
    pub state: String,
    pub latency_ms: Option<f64>,
    #[serde(skip)]
    pub reason_en: String,
    #[serde(skip)]
    pub reason_zh: String,
    /// The first reason as a short code the grid says in a few cells (`netcheck::Reason::code`).
    #[serde(skip)]
    pub brief: String,
    pub cert_expires_at: Option<i64>,
    pub checked_at: i64,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NetResult> {
    Ok(NetResult {
        check: r.get(0)?,
        origin: r.get(1)?,
        kind: r.get(2)?,
        target: r.get(3)?,
        state: r.get(4)?,
        latency_ms: r.get(5)?,
        reason_en: r.get(6)?,
        reason_zh: r.get(7)?,
        brief: r.get(8)?,
        cert_expires_at: r.get(9)?,
        checked_at: r.get(10)?,
    })
}

const COLUMNS: &str =
    "check_name, origin, kind, target, state, latency_ms, reason_en, reason_zh, brief, cert_expires_at, checked_at";

impl Store {
    /// Records one round's results in one transaction, and drops the rows past their keeping.
    pub fn record_net_results(&mut self, results: &[NetResult]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = tx.prepare_cached(&format!(
                "INSERT INTO net_results ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))?;
            for r in results {
                insert.execute(params![
                    r.check,
                    r.origin,
                    r.kind,
                    r.target,
                    r.state,
                    r.latency_ms,
                    r.reason_en,
                    r.reason_zh,
                    r.brief,
                    r.cert_expires_at,
                    r.checked_at
                ])?;
            }
            if let Some(now) = results.iter().map(|r| r.checked_at).max() {
                tx.prepare_cached("DELETE FROM net_results WHERE checked_at < ?1 AND state = 'ok'")?
                    .execute([now - OK_RETENTION_S])?;
                tx.prepare_cached("DELETE FROM net_results WHERE checked_at < ?1")?
                    .execute([now - FAILURE_RETENTION_S])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The latest result of every check and place, by check and place.
    pub fn net_latest(&self) -> Result<Vec<NetResult>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM net_results n
             WHERE id = (SELECT id FROM net_results m WHERE m.check_name = n.check_name AND m.origin = n.origin
                         ORDER BY checked_at DESC, id DESC LIMIT 1)
             ORDER BY check_name, origin"
        ))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest `limit` results of one check from one place, newest first.
    pub fn net_history(&self, check: &str, origin: &str, limit: usize) -> Result<Vec<NetResult>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM net_results WHERE check_name = ?1 AND origin = ?2
             ORDER BY checked_at DESC, id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![check, origin, i64::try_from(limit).unwrap_or(i64::MAX)], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest `limit` results of one check from one place that were not ok, newest first.
    pub fn net_failures(&self, check: &str, origin: &str, limit: usize) -> Result<Vec<NetResult>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM net_results WHERE check_name = ?1 AND origin = ?2 AND state <> 'ok'
             ORDER BY checked_at DESC, id DESC LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![check, origin, i64::try_from(limit).unwrap_or(i64::MAX)], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Access, StoreOptions};

    fn result(check: &str, origin: &str, state: &str, ms: f64, at: i64) -> NetResult {
        NetResult {
            check: check.into(),
            origin: origin.into(),
            kind: "tcp".into(),
            target: "h:1".into(),
            state: state.into(),
            latency_ms: Some(ms),
            reason_en: "r".into(),
            reason_zh: "理由".into(),
            brief: String::new(),
            cert_expires_at: None,
            checked_at: at,
        }
    }

    #[test]
    fn latest_history_failures_and_keeping() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("y.db");
        let mut store = Store::open_with(&path, StoreOptions::new(Access::Write, false)).unwrap();
        let day = 86_400;
        let t0 = 1_800_000_000;
        store
            .record_net_results(&[
                result("a", "local", "crit", 1.0, t0),
                result("a", "local", "ok", 2.0, t0 + 1),
                result("a", "ex1", "ok", 3.0, t0),
                result("b", "local", "warn", 4.0, t0),
            ])
            .unwrap();
        let latest = store.net_latest().unwrap();
        let got: Vec<(&str, &str, &str)> =
            latest.iter().map(|r| (r.check.as_str(), r.origin.as_str(), r.state.as_str())).collect();
        assert_eq!(got, [("a", "ex1", "ok"), ("a", "local", "ok"), ("b", "local", "warn")]);
        let h: Vec<f64> =
            store.net_history("a", "local", 10).unwrap().iter().filter_map(|r| r.latency_ms).collect();
        assert_eq!(h, [2.0, 1.0]);
        assert_eq!(store.net_failures("a", "local", 10).unwrap().len(), 1);
        // Three days on: the ok rows of then are gone, the failures stay.
        store.record_net_results(&[result("a", "local", "ok", 5.0, t0 + 3 * day)]).unwrap();
        let h = store.net_history("a", "local", 10).unwrap();
        assert_eq!(h.iter().map(|r| r.state.as_str()).collect::<Vec<_>>(), ["ok", "crit"]);
        store.record_net_results(&[result("a", "local", "ok", 5.0, t0 + 91 * day)]).unwrap();
        assert_eq!(store.net_failures("a", "local", 10).unwrap().len(), 0);
    }
}
