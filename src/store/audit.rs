//! The append-only audit log: who did what, when. Triggers in the schema refuse updates and
//! deletes, so a row once written stays.

use rusqlite::params;

use super::{Result, Store};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub ts: i64,
    pub operator: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl Store {
    pub fn audit(&self, operator: &str, action: &str, target: &str, detail: &str) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO audit (ts, operator, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![chrono::Utc::now().timestamp(), operator, action, target, detail],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The newest `limit` entries, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, ts, operator, action, target, detail FROM audit ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                ts: r.get(1)?,
                operator: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
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

    #[test]
    fn operator_precedence() {
        assert_eq!(resolve_operator_with(Some("cfg"), Some("env"), Some("login")), "cfg");
        assert_eq!(resolve_operator_with(None, Some("env"), Some("login")), "env");
        assert_eq!(resolve_operator_with(Some(" "), None, Some("login")), "login");
        assert_eq!(resolve_operator_with(None, None, None), "unknown");
        assert!(login_name().is_some());
    }
}
