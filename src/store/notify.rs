//! What the notifications need of the database: the alerts not yet handed to the command,
//! marking them handed, and leases, so that of several consoles (and `yunwei watch`) on one
//! database exactly one notifies (and runs the scheduled checks): the holder renews its row
//! every round; another takes the lease over once the row is older than its time to live.

use rusqlite::params;

use super::{Result, Store};
use crate::alerts::Alert;

impl Store {
    /// Takes or renews the lease `name` for `holder` at `now`: true when `holder` holds it
    /// (it did, or the last renewal is `ttl_s` or more old).
    pub fn take_lease(&mut self, name: &str, holder: &str, now: i64, ttl_s: i64) -> Result<bool> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO leases (name, holder, renewed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, renewed_at = excluded.renewed_at
             WHERE leases.holder = excluded.holder OR leases.renewed_at <= ?3 - ?4",
            params![name, holder, now, ttl_s],
        )?;
        let held: String = tx.query_row("SELECT holder FROM leases WHERE name = ?1", [name], |r| r.get(0))?;
        tx.commit()?;
        Ok(held == holder)
    }

    /// Keeps a send of the notification command made at `at`, and forgets those an hour
    /// older than it (the window of `max_per_hour` is an hour).
    pub fn record_notify_send(&mut self, at: i64) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("INSERT INTO notify_sends (at) VALUES (?1)", [at])?;
        tx.execute("DELETE FROM notify_sends WHERE at <= ?1 - 3600", [at])?;
        tx.commit()?;
        Ok(())
    }

    /// How many sends of the notification command the database holds in the hour after
    /// `since` (one stamped later, by a clock since stepped back, does not hold the window).
    pub fn notify_sends_after(&self, since: i64) -> Result<usize> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM notify_sends WHERE at > ?1 AND at <= ?1 + 3600",
            [since],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Gives the lease up (a clean stop), so another takes it at once.
    pub fn release_lease(&mut self, name: &str, holder: &str) -> Result<()> {
        self.conn().execute("DELETE FROM leases WHERE name = ?1 AND holder = ?2", params![name, holder])?;
        Ok(())
    }

    /// Who holds the lease, and when it was last renewed.
    pub fn lease(&self, name: &str) -> Result<Option<(String, i64)>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row("SELECT holder, renewed_at FROM leases WHERE name = ?1", [name], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// The open alerts not yet handed to the command, oldest first.
    pub fn alerts_to_notify(&self) -> Result<Vec<Alert>> {
        let open = self.open_alerts()?;
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT id FROM alerts WHERE notified_at IS NULL AND cleared_at IS NULL")?;
        let ids: std::collections::HashSet<i64> =
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut out: Vec<Alert> = open.into_iter().filter(|a| ids.contains(&a.id)).collect();
        out.sort_by_key(|a| (a.opened_at, a.id));
        Ok(out)
    }

    /// Gives an alert back to the queue (its send failed, or the lease passed mid-way).
    pub fn unmark_notified(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute("UPDATE alerts SET notified_at = NULL WHERE id = ?1 AND cleared_at IS NULL", [id])?;
        Ok(())
    }

    /// Marks the alerts handed (sent, held back for a digest, or not to be sent).
    pub fn mark_notified(&mut self, ids: &[i64], now: i64) -> Result<()> {
        let tx = rusqlite::Transaction::new_unchecked(self.conn(), rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE alerts SET notified_at = ?2 WHERE id = ?1 AND notified_at IS NULL")?;
            for id in ids {
                stmt.execute(params![id, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_another_takes_over_a_stale_lease() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l.db");
        let mut a = Store::open(&path).unwrap();
        let mut b = Store::open(&path).unwrap();
        assert!(a.take_lease("notify", "a", 100, 20).unwrap());
        assert!(!b.take_lease("notify", "b", 105, 20).unwrap(), "held and fresh");
        assert!(a.take_lease("notify", "a", 110, 20).unwrap(), "renewed");
        assert!(!b.take_lease("notify", "b", 129, 20).unwrap());
        assert!(b.take_lease("notify", "b", 130, 20).unwrap(), "stale: taken over");
        assert!(!a.take_lease("notify", "a", 131, 20).unwrap(), "the old holder no longer holds it");
        b.release_lease("notify", "b").unwrap();
        assert!(a.take_lease("notify", "a", 132, 20).unwrap(), "released: taken at once");
        assert_eq!(a.lease("notify").unwrap(), Some(("a".into(), 132)));
    }
}
