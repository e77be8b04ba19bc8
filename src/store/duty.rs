//! Shift handovers in SQLite: each as its outgoing engineer wrote it (the Markdown, with the
//! same text in its audit row, `duty.handover`), and who acknowledged it (`duty.handover.ack`).

use rusqlite::{params, OptionalExtension};

use super::{Result, Store};

/// One handover as recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handover {
    pub id: i64,
    pub at: i64,
    pub from_operator: String,
    pub to_operator: Option<String>,
    pub since: i64,
    pub note: String,
    pub markdown: String,
    pub acked_at: Option<i64>,
    pub acked_by: Option<String>,
}

const COLUMNS: &str = "id, at, from_operator, to_operator, since, note, markdown, acked_at, acked_by";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Handover> {
    Ok(Handover {
        id: r.get(0)?,
        at: r.get(1)?,
        from_operator: r.get(2)?,
        to_operator: r.get(3)?,
        since: r.get(4)?,
        note: r.get(5)?,
        markdown: r.get(6)?,
        acked_at: r.get(7)?,
        acked_by: r.get(8)?,
    })
}

impl Store {
    /// Writes the handover of the shift from `since` to `now` by `from`: made from what the
    /// database holds (alerts, tickets, jobs, silences) with the notes, recorded, audited. Its
    /// id and its Markdown.
    #[allow(clippy::too_many_arguments)]
    pub fn write_handover(
        &mut self,
        from: &str,
        to: Option<&str>,
        since: i64,
        note: &str,
        now: i64,
        lang: crate::i18n::Lang,
        offset: chrono::FixedOffset,
    ) -> Result<(i64, String)> {
        let alerts: Vec<_> = self
            .alert_history(None, usize::MAX)?
            .into_iter()
            .filter(|x| {
                x.opened_at >= since
                    || x.cleared_at.is_none_or(|c| c >= since)
                    || x.acked_at.is_some_and(|t| t >= since)
            })
            .collect();
        let filter = super::tickets::TicketFilter { all: true, ..Default::default() };
        let tickets: Vec<_> = self
            .tickets(&filter)?
            .into_iter()
            .filter(|t| t.updated_at >= since || t.created_at >= since)
            .collect();
        let jobs = self.job_checks()?;
        let silences = self.active_silences(now)?;
        let shift = crate::handover::Shift {
            from,
            to,
            since,
            now,
            note,
            alerts: &alerts,
            tickets: &tickets,
            jobs: &jobs,
            silences: &silences,
        };
        let text = crate::handover::markdown(&shift, lang, offset);
        let id = self.record_handover(from, to, since, note, &text, now)?;
        Ok((id, text))
    }

    /// Records a handover and its audit row in one transaction: its id.
    pub fn record_handover(
        &mut self,
        from: &str,
        to: Option<&str>,
        since: i64,
        note: &str,
        markdown: &str,
        at: i64,
    ) -> Result<i64> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), rusqlite::TransactionBehavior::Immediate)?;
        let audit_id = self.audit(from, "duty.handover", to.unwrap_or(""), markdown)?;
        tx.execute(
            "INSERT INTO handovers (at, from_operator, to_operator, since, note, markdown, audit_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![at, from, to, since, note, markdown, audit_id],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// The newest `limit` handovers, newest first.
    pub fn handovers(&self, limit: usize) -> Result<Vec<Handover>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt =
            self.conn().prepare(&format!("SELECT {COLUMNS} FROM handovers ORDER BY id DESC LIMIT ?1"))?;
        let rows = stmt.query_map([limit], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The newest handover `operator` has yet to acknowledge: made to them (or to whoever comes
    /// next) by someone else, and not acknowledged by anyone.
    pub fn pending_handover(&self, operator: &str) -> Result<Option<Handover>> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM handovers
             WHERE acked_at IS NULL AND from_operator <> ?1 AND (to_operator IS NULL OR to_operator = ?1)
             ORDER BY id DESC LIMIT 1"
        ))?;
        Ok(stmt.query_row([operator], row).optional()?)
    }

    /// Acknowledges a handover for `operator`, audited; false when it already was.
    pub fn ack_handover(&mut self, id: i64, operator: &str, at: i64) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), rusqlite::TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE handovers SET acked_at = ?2, acked_by = ?3 WHERE id = ?1 AND acked_at IS NULL",
            params![id, at, operator],
        )?;
        if n == 0 {
            return Ok(false);
        }
        self.audit(operator, "duty.handover.ack", &format!("#{id}"), "")?;
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handover_waits_for_the_next_engineer_and_is_kept_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("d.db")).unwrap();
        let id = store.record_handover("王工", Some("李四"), 100, "注意 db1", "# 交接班", 200).unwrap();
        assert_eq!(store.pending_handover("王工").unwrap(), None, "not to the one who wrote it");
        assert_eq!(store.pending_handover("赵六").unwrap(), None, "not to another named");
        assert_eq!(store.pending_handover("李四").unwrap().map(|h| h.id), Some(id));
        let open = store.record_handover("李四", None, 200, "", "# 下一班", 300).unwrap();
        assert_eq!(store.pending_handover("赵六").unwrap().map(|h| h.id), Some(open), "to whoever comes");
        assert!(store.ack_handover(id, "李四", 210).unwrap());
        assert!(!store.ack_handover(id, "李四", 220).unwrap(), "once");
        assert_eq!(store.pending_handover("李四").unwrap(), None);
        let all = store.handovers(10).unwrap();
        assert_eq!(all.iter().map(|h| h.id).collect::<Vec<_>>(), [open, id]);
        assert_eq!((all[1].acked_by.as_deref(), all[1].acked_at), (Some("李四"), Some(210)));
        let actions: Vec<String> =
            store.audit_recent(10).unwrap().into_iter().rev().map(|e| e.action).collect();
        assert_eq!(actions, ["duty.handover", "duty.handover", "duty.handover.ack"]);
        assert_eq!(store.audit_recent(10).unwrap()[2].detail, "# 交接班", "the text is in the audit row");
        let err = store.conn().execute("UPDATE handovers SET markdown = 'x'", []).unwrap_err().to_string();
        assert!(err.contains("kept as written"), "{err}");
        assert!(store.conn().execute("DELETE FROM handovers", []).is_err());
    }
}
