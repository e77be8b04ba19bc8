//! The append-only audit log: who did what, when. Triggers in the schema refuse updates and
//! deletes, so a row once written stays.

use rusqlite::{params, OptionalExtension};

use super::{Result, Store};

/// The link of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Seals the rows written before the chain existed (migration 9), oldest first, in the
/// migration's transaction; the trigger against updates is dropped by the migration for this
/// and made again here.
pub(crate) fn seal_unchained(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(i64, i64, String, String, String, String)> = {
        let mut stmt =
            tx.prepare("SELECT id, ts, operator, action, target, detail FROM audit ORDER BY id")?;
        let mapped =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
        mapped.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut prev = GENESIS.to_string();
    let mut last = None;
    for (id, ts, operator, action, target, detail) in rows {
        let hash = row_hash(&prev, ts, &operator, &action, &target, &detail);
        tx.execute("UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE id = ?3", params![prev, hash, id])?;
        last = Some(format!("{id}:{hash}"));
        prev = hash;
    }
    if let Some(head) = last {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('audit_head', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [head],
        )?;
    }
    tx.execute_batch(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    )
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub ts: i64,
    pub operator: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// The hash of one audit row after `prev` (hex SHA-256): each part with its length, so no two
/// different rows hash the same text.
pub fn row_hash(prev: &str, ts: i64, operator: &str, action: &str, target: &str, detail: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (tag, value) in [
        ("prev", prev),
        ("ts", &ts.to_string()),
        ("operator", operator),
        ("action", action),
        ("target", target),
        ("detail", detail),
    ] {
        h.update(format!("{tag}={}:", value.len()));
        h.update(value.as_bytes());
        h.update(b";");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A row of `SELECT id, ts, operator, action, target, detail`.
fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        ts: r.get(1)?,
        operator: r.get(2)?,
        action: r.get(3)?,
        target: r.get(4)?,
        detail: r.get(5)?,
    })
}

/// Appends one audit row to the chain on `conn`, inside the caller's (immediate) transaction:
/// the one way rows are written (a trigger refuses a row without its links).
pub(crate) fn append(
    conn: &rusqlite::Connection,
    ts: i64,
    operator: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> rusqlite::Result<i64> {
    let prev: String = conn
        .query_row("SELECT hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .unwrap_or_else(|| GENESIS.to_string());
    let hash = row_hash(&prev, ts, operator, action, target, detail);
    conn.execute(
        "INSERT INTO audit (ts, operator, action, target, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![ts, operator, action, target, detail, prev, hash],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{id}:{hash}")],
    )?;
    Ok(id)
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFinding {
    /// Every row fits; how many there are.
    Intact { rows: usize },
    /// Row `id` was changed after it was written (its hash no longer fits what it says).
    Edited { id: i64 },
    /// One or more rows before row `id` (after row `after`, 0 for the start) were removed or
    /// replaced: its link no longer fits the row before it.
    RemovedBefore { id: i64, after: i64 },
    /// The newest rows were cut off: the last row is `last`, the chain's head says `head`.
    RemovedAtEnd { last: i64, head: i64 },
}

impl Store {
    /// One audit row, chained to the one before it: its hash covers the previous row's hash
    /// and every field of its own, and the database's head (`meta.audit_head`) moves to it,
    /// so a row edited, removed or cut off at the end is found by [`Store::verify_audit`].
    /// Inside the caller's transaction when there is one, else in one of its own.
    pub fn audit(&self, operator: &str, action: &str, target: &str, detail: &str) -> Result<i64> {
        let conn = self.conn();
        let own = conn.is_autocommit();
        if own {
            conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        let result = append(conn, chrono::Utc::now().timestamp(), operator, action, target, detail);
        if own {
            match &result {
                Ok(_) => conn.execute_batch("COMMIT")?,
                Err(_) => {
                    let _ = conn.execute_batch("ROLLBACK");
                }
            }
        }
        Ok(result?)
    }

    /// Walks the audit chain from the first row: the first row edited or removed, or that it
    /// is intact.
    pub fn verify_audit(&self) -> Result<ChainFinding> {
        let mut stmt = self.conn().prepare(
            "SELECT id, ts, operator, action, target, detail, prev_hash, hash FROM audit ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let (mut prev, mut prev_id, mut n) = (GENESIS.to_string(), 0i64, 0usize);
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let (ts, operator, action, target, detail): (i64, String, String, String, String) =
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
            let (link, hash): (Option<String>, Option<String>) = (r.get(6)?, r.get(7)?);
            let want = row_hash(link.as_deref().unwrap_or(""), ts, &operator, &action, &target, &detail);
            if hash.as_deref() != Some(want.as_str()) {
                return Ok(ChainFinding::Edited { id });
            }
            if link.as_deref() != Some(prev.as_str()) {
                return Ok(ChainFinding::RemovedBefore { id, after: prev_id });
            }
            prev = want;
            prev_id = id;
            n += 1;
        }
        let head: Option<String> = self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0))
            .optional()?;
        if let Some((id, hash)) = head.as_deref().and_then(|h| h.split_once(':')) {
            let id: i64 = id.parse().unwrap_or(0);
            if id != prev_id || hash != prev {
                return Ok(ChainFinding::RemovedAtEnd { last: prev_id, head: id });
            }
        }
        Ok(ChainFinding::Intact { rows: n })
    }

    /// The rows written in `[from, to)` (Unix seconds), oldest first.
    pub fn audit_between(&self, from: i64, to: i64) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, ts, operator, action, target, detail FROM audit WHERE ts >= ?1 AND ts < ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map([from, to], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every row of the actions named, oldest first.
    pub fn audit_of_actions(&self, actions: &[&str]) -> Result<Vec<AuditEntry>> {
        let marks = vec!["?"; actions.len()].join(", ");
        let sql = format!(
            "SELECT id, ts, operator, action, target, detail FROM audit WHERE action IN ({marks}) ORDER BY id"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(actions.iter()), entry_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The newest `limit` entries, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, ts, operator, action, target, detail FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

/// Who is at the keyboard: `[general] operator`, else `$YUNWEI_OPERATOR`, else the login name.
pub fn resolve_operator(from_config: Option<&str>) -> String {
    resolve_operator_with(
        from_config,
        std::env::var("YUNWEI_OPERATOR").ok().as_deref(),
        login_name().as_deref(),
    )
}

pub fn resolve_operator_with(config: Option<&str>, env: Option<&str>, login: Option<&str>) -> String {
    [config, env, login]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

/// The login name from the password database (not `$USER`, which anyone can set), falling back
/// to `$USER` / `$LOGNAME` when the uid has no entry (containers).
pub fn login_name() -> Option<String> {
    // SAFETY: getpwuid_r writes into the buffers we own; the returned pointer is checked.
    unsafe {
        let uid = libc::getuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
            let name = std::ffi::CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned();
            if !name.is_empty() {
                return Some(name);
            }
        }
    }
    std::env::var("USER").ok().or_else(|| std::env::var("LOGNAME").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_is_append_only() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("a.db")).unwrap();
        let id = store.audit("zhang.san", "config.reload", "app1", "{}").unwrap();
        assert!(id > 0);
        let err = store.conn().execute("UPDATE audit SET operator = 'x'", []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{err}");
        let err = store.conn().execute("DELETE FROM audit", []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{err}");
        let rows = store.audit_recent(10).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].operator, "zhang.san");
    }

    /// The sqlite3 shell, as someone editing the file behind yunwei's back would use it.
    fn tamper(db: &std::path::Path, sql: &str) -> bool {
        let Ok(out) = std::process::Command::new("sqlite3").arg(db).arg(sql).output() else { return false };
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
        true
    }

    #[test]
    fn the_chain_finds_the_first_row_edited_or_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("a.db");
        let store = Store::open(&db).unwrap();
        for i in 1..=5 {
            store.audit("王工", "alert.ack", &format!("health/db{i}/cpu"), &format!("#{i}")).unwrap();
        }
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::Intact { rows: 5 });
        drop(store);
        let unlock = "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;";
        // An edited row is named; so is a removed one (at the row after it), and the end cut off.
        if !tamper(&db, &format!("{unlock} UPDATE audit SET operator = '李四' WHERE id = 3;")) {
            return; // no sqlite3 shell here: the store tests below cover the rest
        }
        let store = Store::open(&db).unwrap();
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::Edited { id: 3 });
        drop(store);
        tamper(&db, "UPDATE audit SET operator = '王工' WHERE id = 3; DELETE FROM audit WHERE id = 2;");
        let store = Store::open(&db).unwrap();
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::RemovedBefore { id: 3, after: 1 });
        drop(store);
        let db2 = tmp.path().join("b.db");
        let store = Store::open(&db2).unwrap();
        for i in 1..=3 {
            store.audit("王工", "alert.ack", "x", &format!("#{i}")).unwrap();
        }
        drop(store);
        tamper(&db2, &format!("{unlock} DELETE FROM audit WHERE id = 3;"));
        let store = Store::open(&db2).unwrap();
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::RemovedAtEnd { last: 2, head: 3 });
    }

    #[test]
    fn every_writer_of_the_audit_log_keeps_the_chain_and_an_unchained_row_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("c.db")).unwrap();
        store.audit("王工", "logs.reveal", "app", "").unwrap();
        let run = store.start_job_run("db1-dump", Some("db1"), "/opt/dump.sh", "王工", 100).unwrap();
        store.finish_job_run(run, Some(0), "done", "王工", 160).unwrap();
        store.record_handover("王工", None, 0, "", "# 交接班", 200).unwrap();
        store.acknowledge_alert(1, "王工", None).unwrap();
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::Intact { rows: 4 });
        let err = store
            .conn()
            .execute("INSERT INTO audit (ts, operator, action) VALUES (1, 'x', 'sneaked.in')", [])
            .unwrap_err()
            .to_string();
        assert!(err.contains("hash-chained"), "{err}");
    }

    #[test]
    fn rows_written_before_the_chain_are_sealed_by_the_migration() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("old.db");
        {
            let conn = rusqlite::Connection::open(&db).unwrap();
            conn.execute_batch("CREATE TABLE schema_version (version INTEGER NOT NULL)").unwrap();
            for sql in &crate::store::MIGRATIONS[..8] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute("INSERT INTO schema_version (version) VALUES (8)", []).unwrap();
            for i in 0..3 {
                conn.execute(
                    "INSERT INTO audit (ts, operator, action, target, detail) VALUES (?1, 'old', 'logs.reveal', 'app', '')",
                    [1_795_000_000 + i],
                )
                .unwrap();
            }
        }
        let store = Store::open(&db).unwrap();
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::Intact { rows: 3 });
        store.audit("新", "alert.ack", "x", "").unwrap();
        assert_eq!(store.verify_audit().unwrap(), ChainFinding::Intact { rows: 4 });
        let err = store.conn().execute("UPDATE audit SET operator = 'x'", []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "the trigger is back: {err}");
    }

    #[test]
    fn operator_precedence() {
        assert_eq!(resolve_operator_with(Some("cfg"), Some("env"), Some("login")), "cfg");
        assert_eq!(resolve_operator_with(None, Some("env"), Some("login")), "env");
        assert_eq!(resolve_operator_with(Some(" "), None, Some("login")), "login");
        assert_eq!(resolve_operator_with(None, None, None), "unknown");
        assert!(login_name().is_some());
    }
}
