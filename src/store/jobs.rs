//! Backup and data-exchange jobs in SQLite: `job_checks` (the last check of each job: its
//! state, the rule in both languages, its newest artefact), `job_artefacts` (every artefact
//! seen, keyed by job, path, mtime and size, with its verification and checksum once
//! verified) and `job_runs` (the on-demand runs: who, when, the command, its status and
//! output). A run's start and end also go to the audit log.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{Result, Store};
use crate::backups::{Artefact, Verification};

/// The most of a run's or a verification's output kept.
pub const MAX_OUTPUT: usize = 64 * 1024;

/// A job's last check as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCheck {
    pub job: String,
    pub host: Option<String>,
    pub kind: String,
    pub state: String,
    pub reason_en: String,
    pub reason_zh: String,
    pub checked_at: i64,
    pub newest: Option<Artefact>,
    pub previous_size: Option<u64>,
    pub age_s: Option<i64>,
    pub expected_at: Option<i64>,
    pub period_s: Option<i64>,
}

/// An artefact as stored, with its verification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArtefactRow {
    pub path: String,
    pub size: u64,
    pub mtime: i64,
    pub first_seen: i64,
    pub last_seen: i64,
    pub checksum: Option<String>,
    pub verified_at: Option<i64>,
    pub verify_status: Option<i32>,
    pub verify_output: Option<String>,
}

/// An on-demand run as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub host: Option<String>,
    pub command: String,
    pub started_at: i64,
    pub started_by: String,
    pub finished_at: Option<i64>,
    pub status: Option<i32>,
    pub output: Option<String>,
}

/// Cuts a text to at most `max` bytes on a character boundary.
pub fn bounded(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: Option<i64>) -> Option<u64> {
    n.map(|n| u64::try_from(n).unwrap_or(0))
}

impl Store {
    /// Records one round: each job's check and the artefacts it saw, in one transaction.
    pub fn record_job_checks(&mut self, checks: &[(JobCheck, Vec<Artefact>)]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut check = tx.prepare_cached(
                "INSERT INTO job_checks (job, host, kind, state, reason_en, reason_zh, checked_at,
                     newest_path, newest_size, newest_mtime, previous_size, age_s, expected_at, period_s)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (job) DO UPDATE SET host = ?2, kind = ?3, state = ?4, reason_en = ?5,
                     reason_zh = ?6, checked_at = ?7, newest_path = ?8, newest_size = ?9,
                     newest_mtime = ?10, previous_size = ?11, age_s = ?12, expected_at = ?13,
                     period_s = ?14
                 WHERE job_checks.checked_at <= ?7",
            )?;
            let mut seen = tx.prepare_cached(
                "INSERT INTO job_artefacts (job, path, mtime, size, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (job, path, mtime, size) DO UPDATE SET last_seen = max(last_seen, ?5)",
            )?;
            for (c, artefacts) in checks {
                let newest = c.newest.as_ref();
                check.execute(params![
                    c.job,
                    c.host,
                    c.kind,
                    c.state,
                    c.reason_en,
                    c.reason_zh,
                    c.checked_at,
                    newest.map(|a| &a.path),
                    newest.map(|a| to_i64(a.size)),
                    newest.map(|a| a.mtime),
                    c.previous_size.map(to_i64),
                    c.age_s,
                    c.expected_at,
                    c.period_s,
                ])?;
                for a in artefacts {
                    seen.execute(params![c.job, a.path, a.mtime, to_i64(a.size), c.checked_at])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every job's last check, by name.
    pub fn job_checks(&self) -> Result<Vec<JobCheck>> {
        let mut stmt = self.conn().prepare(
            "SELECT job, host, kind, state, reason_en, reason_zh, checked_at, newest_path, newest_size,
                    newest_mtime, previous_size, age_s, expected_at, period_s
             FROM job_checks ORDER BY job",
        )?;
        let rows = stmt.query_map([], |r| {
            let path: Option<String> = r.get(7)?;
            let size: Option<i64> = r.get(8)?;
            let mtime: Option<i64> = r.get(9)?;
            let newest = match (path, size, mtime) {
                (Some(path), Some(size), Some(mtime)) => {
                    Some(Artefact { path, size: u64::try_from(size).unwrap_or(0), mtime })
                }
                _ => None,
            };
            Ok(JobCheck {
                job: r.get(0)?,
                host: r.get(1)?,
                kind: r.get(2)?,
                state: r.get(3)?,
                reason_en: r.get(4)?,
                reason_zh: r.get(5)?,
                checked_at: r.get(6)?,
                newest,
                previous_size: to_u64(r.get(10)?),
                age_s: r.get(11)?,
                expected_at: r.get(12)?,
                period_s: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The artefacts of a job seen so far, newest first, at most `limit`.
    pub fn job_artefacts(&self, job: &str, limit: usize) -> Result<Vec<ArtefactRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT path, size, mtime, first_seen, last_seen, checksum, verified_at, verify_status, verify_output
             FROM job_artefacts WHERE job = ?1 ORDER BY mtime DESC, path DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![job, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(ArtefactRow {
                path: r.get(0)?,
                size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                mtime: r.get(2)?,
                first_seen: r.get(3)?,
                last_seen: r.get(4)?,
                checksum: r.get(5)?,
                verified_at: r.get(6)?,
                verify_status: r.get(7)?,
                verify_output: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The last verification of one artefact of a job, if it was verified.
    pub fn job_verification(&self, job: &str, a: &Artefact) -> Result<Option<Verification>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT verified_at, verify_status, verify_output, checksum FROM job_artefacts
             WHERE job = ?1 AND path = ?2 AND mtime = ?3 AND size = ?4 AND verified_at IS NOT NULL",
        )?;
        let found = stmt
            .query_row(params![job, a.path, a.mtime, to_i64(a.size)], |r| {
                Ok(Verification {
                    path: a.path.clone(),
                    mtime: a.mtime,
                    size: a.size,
                    at: r.get(0)?,
                    status: r.get(1)?,
                    output: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    checksum: r.get(3)?,
                })
            })
            .optional()?;
        Ok(found)
    }

    /// Records a verification of one artefact (seen now if it was not before).
    pub fn record_job_verification(&mut self, job: &str, v: &Verification) -> Result<()> {
        self.conn().execute(
            "INSERT INTO job_artefacts (job, path, mtime, size, first_seen, last_seen, checksum, verified_at,
                 verify_status, verify_output)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?5, ?7, ?8)
             ON CONFLICT (job, path, mtime, size) DO UPDATE SET checksum = ?6, verified_at = ?5,
                 verify_status = ?7, verify_output = ?8",
            params![
                job,
                v.path,
                v.mtime,
                to_i64(v.size),
                v.at,
                v.checksum,
                v.status,
                bounded(&v.output, MAX_OUTPUT)
            ],
        )?;
        Ok(())
    }

    /// Records the start of an on-demand run, and audits it; gives the run's id.
    pub fn start_job_run(
        &mut self,
        job: &str,
        host: Option<&str>,
        command: &str,
        operator: &str,
        at: i64,
    ) -> Result<i64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO job_runs (job, host, command, started_at, started_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![job, host, command, at, operator],
        )?;
        let id = tx.last_insert_rowid();
        let detail = serde_json::json!({ "run": id, "host": host, "command": command }).to_string();
        super::audit::append(&tx, at, operator, "backup.run", job, &detail)?;
        tx.commit()?;
        Ok(id)
    }

    /// Records the end of a run (its status; None when it could not be told) and its output,
    /// and audits it.
    pub fn finish_job_run(
        &mut self,
        id: i64,
        status: Option<i32>,
        output: &str,
        operator: &str,
        at: i64,
    ) -> Result<()> {
        let output = bounded(output, MAX_OUTPUT);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let job: Option<(String, Option<String>, String)> = tx
            .query_row("SELECT job, host, command FROM job_runs WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        tx.execute(
            "UPDATE job_runs SET finished_at = ?2, status = ?3, output = ?4 WHERE id = ?1",
            params![id, at, status, output],
        )?;
        if let Some((job, host, command)) = job {
            let detail = serde_json::json!({
                "run": id, "host": host, "command": command, "status": status, "output": output
            })
            .to_string();
            super::audit::append(&tx, at, operator, "backup.run.end", &job, &detail)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The runs of a job, newest first.
    pub fn job_runs(&self, job: &str, limit: usize) -> Result<Vec<JobRun>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, job, host, command, started_at, started_by, finished_at, status, output
             FROM job_runs WHERE job = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![job, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(JobRun {
                id: r.get(0)?,
                job: r.get(1)?,
                host: r.get(2)?,
                command: r.get(3)?,
                started_at: r.get(4)?,
                started_by: r.get(5)?,
                finished_at: r.get(6)?,
                status: r.get(7)?,
                output: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(job: &str, at: i64, newest: Option<Artefact>) -> JobCheck {
        JobCheck {
            job: job.into(),
            host: Some("db1".into()),
            kind: "backup".into(),
            state: "ok".into(),
            reason_en: "made".into(),
            reason_zh: "产生".into(),
            checked_at: at,
            newest,
            previous_size: Some(10),
            age_s: Some(5),
            expected_at: Some(at + 100),
            period_s: Some(86400),
        }
    }

    #[test]
    fn checks_artefacts_verifications_and_runs_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let a = Artefact { path: "/b/x 1.gz".into(), size: 20, mtime: 1000 };
        let b = Artefact { path: "/b/x 0.gz".into(), size: 10, mtime: 900 };
        store.record_job_checks(&[(check("j", 2000, Some(a.clone())), vec![a.clone(), b.clone()])]).unwrap();
        // An older check arriving late does not move the row back.
        store.record_job_checks(&[(check("j", 1500, None), vec![])]).unwrap();
        let checks = store.job_checks().unwrap();
        assert_eq!(checks, vec![check("j", 2000, Some(a.clone()))]);
        store.record_job_checks(&[(check("j", 3000, Some(a.clone())), vec![a.clone()])]).unwrap();
        let seen = store.job_artefacts("j", 10).unwrap();
        assert_eq!(
            seen.iter().map(|r| (r.path.as_str(), r.last_seen)).collect::<Vec<_>>(),
            [("/b/x 1.gz", 3000), ("/b/x 0.gz", 2000)]
        );
        assert_eq!(store.job_verification("j", &a).unwrap(), None);
        let v = Verification {
            path: a.path.clone(),
            mtime: a.mtime,
            size: a.size,
            at: 3100,
            status: 1,
            output: "gzip: unexpected end of file".into(),
            checksum: None,
        };
        store.record_job_verification("j", &v).unwrap();
        assert_eq!(store.job_verification("j", &a).unwrap(), Some(v));
        let id = store.start_job_run("j", Some("db1"), "/opt/b.sh", "ops", 4000).unwrap();
        store.finish_job_run(id, Some(3), &"x".repeat(MAX_OUTPUT + 10), "ops", 4100).unwrap();
        let runs = store.job_runs("j", 5).unwrap();
        assert_eq!((runs[0].status, runs[0].output.as_ref().map(String::len)), (Some(3), Some(MAX_OUTPUT)));
        let audit = store.audit_recent(5).unwrap();
        assert_eq!(audit[0].action, "backup.run.end");
        assert!(audit[0].detail.contains("\"status\":3"), "{}", audit[0].detail);
        assert_eq!((audit[1].action.as_str(), audit[1].target.as_str()), ("backup.run", "j"));
        assert_eq!(bounded("中文", 4), "中");
    }
}
