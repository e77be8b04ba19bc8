//! The security baseline in SQLite: each inspection of a host (`baseline_runs` with its
//! `baseline_items` and `baseline_signs`), and the baseline recorded per host
//! (`baseline_records`, the JSON of [`Record`]) later runs are compared with. Runs are kept:
//! the inspection report reads last quarter's to say what was fixed.

use std::str::FromStr;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{Result, Store};
use crate::baseline::signs::{Kind, Record, Sign};
use crate::baseline::{Finding, Inspection, Item, State};
use crate::i18n::Both;

/// One stored inspection of a host.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    pub id: i64,
    pub host: String,
    pub at: i64,
    pub complete: bool,
    pub as_root: bool,
    /// Why the host could not be inspected (then there are no items).
    pub error: Option<String>,
    pub findings: Vec<Finding>,
    pub signs: Vec<Sign>,
    pub unseen: Vec<Both>,
}

impl StoredRun {
    pub fn finding(&self, id: Item) -> Option<&Finding> {
        self.findings.iter().find(|f| f.id == id)
    }
}

fn state_of(s: &str) -> State {
    match s {
        "pass" => State::Pass,
        "warn" => State::Warn,
        "fail" => State::Fail,
        "info" => State::Info,
        _ => State::NotReadable,
    }
}

fn note(en: Option<String>, zh: Option<String>) -> Option<Both> {
    match (en, zh) {
        (Some(en), Some(zh)) => Some(Both { en, zh }),
        (Some(en), None) => Some(Both { zh: en.clone(), en }),
        _ => None,
    }
}

impl Store {
    /// Stores one host's inspection (or why there is none) in one transaction; its id.
    pub fn record_baseline_run(
        &mut self,
        host: &str,
        at: i64,
        run: std::result::Result<&Inspection, &str>,
    ) -> Result<i64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT OR IGNORE INTO hosts (name) VALUES (?1)", [host])?;
        let (complete, as_root, error, unseen) = match run {
            Ok(i) => (i.complete, i.as_root, None, i.signs.unseen.clone()),
            Err(e) => (false, false, Some(e.to_string()), Vec::new()),
        };
        let join = |f: fn(&Both) -> &str| unseen.iter().map(f).collect::<Vec<_>>().join("\n");
        tx.execute(
            "INSERT INTO baseline_runs (host_id, at, complete, as_root, error, unseen_en, unseen_zh)
             VALUES ((SELECT id FROM hosts WHERE name = ?1), ?2, ?3, ?4, ?5, ?6, ?7)",
            params![host, at, complete, as_root, error, join(|b| &b.en), join(|b| &b.zh)],
        )?;
        let id = tx.last_insert_rowid();
        if let Ok(i) = run {
            for f in &i.findings {
                tx.execute(
                    "INSERT INTO baseline_items (run_id, item, state, value, expected_en, expected_zh, source, note_en, note_zh)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id,
                        f.id.as_str(),
                        f.state.as_str(),
                        f.value,
                        f.expected.en,
                        f.expected.zh,
                        f.source,
                        f.note.as_ref().map(|n| &n.en),
                        f.note.as_ref().map(|n| &n.zh)
                    ],
                )?;
            }
            for (seq, s) in i.signs.found.iter().enumerate() {
                tx.execute(
                    "INSERT INTO baseline_signs (run_id, seq, kind, weak, evidence, note_en, note_zh)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        id,
                        seq as i64,
                        s.kind.as_str(),
                        s.weak,
                        s.evidence,
                        s.note.as_ref().map(|n| &n.en),
                        s.note.as_ref().map(|n| &n.zh)
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// The baseline recorded for a host, and when.
    pub fn baseline_record(&self, host: &str) -> Result<Option<(i64, Record)>> {
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT r.recorded_at, r.record FROM baseline_records r JOIN hosts h ON h.id = r.host_id
                 WHERE h.name = ?1",
                [host],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(at, text)| serde_json::from_str(&text).ok().map(|r| (at, r))))
    }

    /// Records (or replaces) a host's baseline.
    pub fn set_baseline_record(&mut self, host: &str, at: i64, record: &Record) -> Result<()> {
        let text = serde_json::to_string(record).unwrap_or_default();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT OR IGNORE INTO hosts (name) VALUES (?1)", [host])?;
        tx.execute(
            "INSERT OR REPLACE INTO baseline_records (host_id, recorded_at, record)
             VALUES ((SELECT id FROM hosts WHERE name = ?1), ?2, ?3)",
            params![host, at, text],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn baseline_run_rows(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<StoredRun>> {
        let mut st = self.conn().prepare(sql)?;
        let heads: Vec<StoredRun> = st
            .query_map(args, |r| {
                let (en, zh): (String, String) = (r.get(6)?, r.get(7)?);
                let unseen = en
                    .lines()
                    .zip(zh.lines())
                    .map(|(en, zh)| Both { en: en.to_string(), zh: zh.to_string() })
                    .collect();
                Ok(StoredRun {
                    id: r.get(0)?,
                    host: r.get(1)?,
                    at: r.get(2)?,
                    complete: r.get(3)?,
                    as_root: r.get(4)?,
                    error: r.get(5)?,
                    findings: Vec::new(),
                    signs: Vec::new(),
                    unseen,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut items = self.conn().prepare_cached(
            "SELECT item, state, value, expected_en, expected_zh, source, note_en, note_zh
             FROM baseline_items WHERE run_id = ?1",
        )?;
        let mut signs = self.conn().prepare_cached(
            "SELECT kind, weak, evidence, note_en, note_zh FROM baseline_signs WHERE run_id = ?1 ORDER BY seq",
        )?;
        let mut out = Vec::with_capacity(heads.len());
        for mut run in heads {
            let mut found: Vec<Finding> = items
                .query_map([run.id], |r| {
                    let item: String = r.get(0)?;
                    let state: String = r.get(1)?;
                    Ok((
                        item,
                        state,
                        r.get::<_, String>(2)?,
                        Both { en: r.get(3)?, zh: r.get(4)? },
                        r.get::<_, String>(5)?,
                        note(r.get(6)?, r.get(7)?),
                    ))
                })?
                .filter_map(|row| row.ok())
                .filter_map(|(item, state, value, expected, source, note)| {
                    Some(Finding {
                        id: Item::from_str(&item).ok()?,
                        state: state_of(&state),
                        value,
                        expected,
                        source,
                        note,
                    })
                })
                .collect();
            found.sort_by_key(|f| f.id);
            run.findings = found;
            run.signs = signs
                .query_map([run.id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, String>(2)?,
                        note(r.get(3)?, r.get(4)?),
                    ))
                })?
                .filter_map(|row| row.ok())
                .filter_map(|(kind, weak, evidence, note)| {
                    Some(Sign { kind: Kind::from_str(&kind).ok()?, weak, evidence, note })
                })
                .collect();
            out.push(run);
        }
        Ok(out)
    }

    /// A host's latest inspection.
    pub fn latest_baseline_run(&self, host: &str) -> Result<Option<StoredRun>> {
        let runs = self.baseline_run_rows(
            "SELECT r.id, h.name, r.at, r.complete, r.as_root, r.error, r.unseen_en, r.unseen_zh
             FROM baseline_runs r JOIN hosts h ON h.id = r.host_id
             WHERE h.name = ?1 ORDER BY r.at DESC, r.id DESC LIMIT 1",
            &[&host],
        )?;
        Ok(runs.into_iter().next())
    }

    /// Each host's latest inspection in `[from, to)` that reached it (else its latest one),
    /// by host name.
    pub fn baseline_runs_between(&self, from: i64, to: i64) -> Result<Vec<StoredRun>> {
        self.baseline_run_rows(
            "SELECT r.id, h.name, r.at, r.complete, r.as_root, r.error, r.unseen_en, r.unseen_zh
             FROM hosts h CROSS JOIN baseline_runs r
               ON r.id = (SELECT r2.id FROM baseline_runs r2 WHERE r2.host_id = h.id
                          AND r2.at >= ?1 AND r2.at < ?2
                          ORDER BY (r2.error IS NULL) DESC, r2.at DESC, r2.id DESC LIMIT 1)
             ORDER BY h.name",
            &[&from, &to],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::signs::Signs;

    fn inspection() -> Inspection {
        Inspection {
            findings: vec![Finding {
                id: Item::Tmout,
                state: State::Fail,
                value: "TMOUT=900".into(),
                expected: Both::new("at most 600", "不超过 600"),
                source: "/etc/profile".into(),
                note: None,
            }],
            signs: Signs {
                found: vec![Sign {
                    kind: Kind::TmpExe,
                    weak: false,
                    evidence: "pid 42 /tmp/x: x".into(),
                    note: Some(Both::new("n", "注")),
                }],
                unseen: vec![Both::new("/root/.ssh could not be read", "/root/.ssh 无法读取")],
                looked: Default::default(),
            },
            record: Record::default(),
            complete: true,
            as_root: false,
        }
    }

    #[test]
    fn a_run_and_a_record_are_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("y.db")).unwrap();
        let i = inspection();
        s.record_baseline_run("db1", 1_000, Ok(&i)).unwrap();
        s.record_baseline_run("db1", 2_000, Err("connection refused")).unwrap();
        s.record_baseline_run("web1", 1_500, Ok(&i)).unwrap();
        let latest = s.latest_baseline_run("db1").unwrap().unwrap();
        assert_eq!((latest.at, latest.error.as_deref()), (2_000, Some("connection refused")));
        // In a period, the run that reached the host wins over a later failed one.
        let runs = s.baseline_runs_between(0, 3_000).unwrap();
        assert_eq!(
            runs.iter().map(|r| (r.host.as_str(), r.at)).collect::<Vec<_>>(),
            [("db1", 1_000), ("web1", 1_500)]
        );
        assert_eq!(runs[0].findings, i.findings);
        assert_eq!(runs[0].signs, i.signs.found);
        assert_eq!(runs[0].unseen, i.signs.unseen);
        assert!(s.baseline_runs_between(3_000, 4_000).unwrap().is_empty());
        assert!(s.baseline_record("db1").unwrap().is_none());
        let mut r = Record::default();
        r.listeners.insert("tcp *:22".into(), "sshd".into());
        r.cron.insert("/etc/crontab\tabc".into());
        r.lines.insert("never".into(), "stored".into());
        s.set_baseline_record("db1", 5, &r).unwrap();
        let (at, back) = s.baseline_record("db1").unwrap().unwrap();
        assert_eq!(at, 5);
        assert_eq!(back.listeners, r.listeners);
        assert!(back.lines.is_empty(), "the crontab text of a run is never stored");
    }
}
