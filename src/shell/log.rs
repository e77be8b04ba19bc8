//! The sessions as the audit log tells them: each `shell.start` row with its `shell.end` (none
//! for a session still open, or cut off by a killed process), and whether the recording on
//! disk is still the one audited.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::store::{Result, Store};

/// One session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub session: String,
    /// The audit row that opened it.
    pub audit_id: i64,
    pub operator: String,
    pub host: String,
    pub via: Vec<String>,
    pub ticket: Option<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub exit_status: Option<i32>,
    pub recording: Option<PathBuf>,
    pub sha256: Option<String>,
    /// `intact`, `changed`, `missing`, `unsealed` (no end row to compare with) or `none`.
    pub file: &'static str,
    /// What stopped it, as recorded (English).
    pub error: Option<String>,
}

fn text(v: &serde_json::Value, key: &str) -> Option<String> {
    v[key].as_str().map(str::to_string)
}

/// Every session, oldest first; `check` compares the files with their audited SHA-256.
pub fn sessions(store: &Store, check: bool) -> Result<Vec<Session>> {
    let rows = store.audit_of_actions(&[super::START, super::END])?;
    let mut out: Vec<Session> = Vec::new();
    for row in rows {
        let v: serde_json::Value = serde_json::from_str(&row.detail).unwrap_or_default();
        let Some(id) = text(&v, "session") else { continue };
        if row.action == super::START {
            out.push(Session {
                session: id,
                audit_id: row.id,
                operator: row.operator.clone(),
                host: row.target.clone(),
                via: v["via"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
                ticket: text(&v, "ticket"),
                started_at: text(&v, "started_at").unwrap_or_default(),
                ended_at: None,
                exit_status: None,
                recording: text(&v, "recording").map(PathBuf::from),
                sha256: None,
                file: "none",
                error: None,
            });
        } else if let Some(s) = out.iter_mut().rev().find(|s| s.session == id && s.host == row.target) {
            s.ended_at = text(&v, "ended_at");
            s.exit_status = v["exit_status"].as_i64().and_then(|n| i32::try_from(n).ok());
            s.sha256 = text(&v, "sha256");
            s.error = text(&v, "error").or_else(|| text(&v, "recording_error"));
        }
    }
    if check {
        for s in &mut out {
            s.file = file_state(s.recording.as_deref(), s.sha256.as_deref());
        }
    }
    Ok(out)
}

fn file_state(path: Option<&Path>, sha: Option<&str>) -> &'static str {
    let Some(path) = path else { return "none" };
    if !path.exists() {
        return "missing";
    }
    match (sha, super::record::file_sha256(path)) {
        (None, _) => "unsealed",
        (Some(want), Ok(got)) if want == got => "intact",
        _ => "changed",
    }
}

/// The session whose recording is `path` (the same file, however named).
pub fn by_recording<'a>(sessions: &'a [Session], path: &Path) -> Option<&'a Session> {
    let want = std::fs::canonicalize(path).ok()?;
    sessions.iter().rev().find(|s| {
        s.recording.as_deref().and_then(|p| std::fs::canonicalize(p).ok()).as_deref() == Some(want.as_path())
    })
}
