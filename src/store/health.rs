//! Health samples: raw rows kept 48 hours, 5-minute aggregates (min, avg, max) kept 400 days,
//! and the history queries behind the host detail's sparklines.

use rusqlite::{params, OptionalExtension};

use super::{Result, Store};
use crate::health::HostSample;

pub const RAW_RETENTION_S: i64 = 48 * 3600;
pub const AGG_RETENTION_S: i64 = 400 * 86400;
pub const BUCKET_S: i64 = 300;
const WATERMARK_KEY: &str = "health_agg_watermark";
/// How often a host's filesystems are recorded (its samples in between leave them out).
pub const FS_EVERY_S: i64 = 60;
/// The length of the daily roll-ups' days (UTC days).
pub const DAY_S: i64 = 86_400;

/// One filesystem's peak use over one step of its history.
#[derive(Debug, Clone, PartialEq)]
pub struct FsPoint {
    pub mount: String,
    /// The step's start (Unix seconds).
    pub at: i64,
    pub used_max: f64,
    pub inodes_max: Option<f64>,
}

/// A host's figures over a period (the quarterly report's fleet table).
#[derive(Debug, Clone, PartialEq)]
pub struct HostFigures {
    pub host: String,
    pub samples: i64,
    pub reachable: i64,
    pub peak_mem_pct: Option<f64>,
    pub peak_disk_pct: Option<f64>,
}

impl HostFigures {
    /// The share of samples that reached the host, in per cent.
    pub fn availability_pct(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.reachable as f64 * 100.0 / self.samples as f64)
    }
}

/// A host's failed SSH logins over a period, from its postures' 24-hour counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FailedLogins {
    /// The highest 24-hour count a posture saw, and when (Unix seconds).
    pub peak: u32,
    pub peak_at: i64,
    /// Days a posture counted them, and of those the days with a failure.
    pub days_counted: u32,
    pub days_with_failures: u32,
}

/// One host's figures over one day of a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DayFigures {
    /// The day's start (Unix seconds).
    pub at: i64,
    pub samples: i64,
    pub reachable: i64,
    pub cpu_avg: Option<f64>,
    pub cpu_max: Option<f64>,
    pub mem_max: Option<f64>,
    pub swap_max: Option<f64>,
    pub load_max: Option<f64>,
}

/// One point of history; values are averages when the point stands for a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HistPoint {
    pub ts: i64,
    pub cpu_pct: Option<f64>,
    pub mem_used_pct: Option<f64>,
    pub load1: Option<f64>,
    pub rx_bps: Option<f64>,
    pub tx_bps: Option<f64>,
}

/// What a maintenance pass did, for the log line and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Maintenance {
    pub buckets_written: usize,
    pub raw_pruned: usize,
    pub agg_pruned: usize,
}

/// Whether `boot` (a sample's clock less its uptime, at `at`) is a boot of `host` not known
/// yet: none known within 10 minutes of it, and, when the host was seen up before, moved from
/// the latest boot by more than the time since then (the uptime went down by 10 s at least).
fn is_new_boot(tx: &rusqlite::Transaction<'_>, host: &str, boot: i64, at: i64) -> Result<bool> {
    // Every sample but a host's first after a boot stops here: the boot is known.
    let near: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM boots b JOIN hosts h ON h.id = b.host_id
                            WHERE h.name = ?1 AND b.boot_at BETWEEN ?2 - 600 AND ?2 + 600)",
        )?
        .query_row(params![host, boot], |r| r.get(0))?;
    if near {
        return Ok(false);
    }
    let (latest, seen): (Option<i64>, Option<i64>) = tx
        .prepare_cached(
            "SELECT (SELECT max(boot_at) FROM boots WHERE host_id = h.id),
                    max(coalesce((SELECT max(ts) FROM health_raw WHERE host_id = h.id AND reachable AND ts < ?2), 0),
                        coalesce((SELECT max(bucket) FROM health_5m
                                  WHERE host_id = h.id AND reachable_samples > 0 AND bucket + ?3 <= ?2), 0))
             FROM hosts h WHERE h.name = ?1",
        )?
        .query_row(params![host, at, BUCKET_S], |r| {
            Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.filter(|t| *t > 0)))
        })?;
    Ok(match (latest, seen) {
        (Some(latest), Some(seen)) => boot - latest > at - seen + 10,
        _ => true,
    })
}

impl Store {
    pub fn host_id(&self, name: &str) -> Result<i64> {
        self.conn().execute("INSERT OR IGNORE INTO hosts (name) VALUES (?1)", [name])?;
        Ok(self.conn().query_row("SELECT id FROM hosts WHERE name = ?1", [name], |r| r.get(0))?)
    }

    /// Stores samples in one transaction. A second sample for the same host and second
    /// replaces the first (two yunwei processes polling the same host).
    pub fn record_samples(&mut self, samples: &[HostSample]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for s in samples {
            tx.execute("INSERT OR IGNORE INTO hosts (name) VALUES (?1)", [&s.name])?;
            let (rx, tx_rate) = s.net_total();
            let has_net = !s.net.is_empty();
            tx.execute(
                "INSERT OR REPLACE INTO health_raw
                 (host_id, ts, reachable, cpu_pct, load1, mem_used_pct, swap_used_pct,
                  disk_max_pct, inodes_max_pct, rx_bps, tx_bps)
                 VALUES ((SELECT id FROM hosts WHERE name = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    s.name,
                    s.sampled_at,
                    s.reachable,
                    s.cpu_pct,
                    s.load1,
                    s.mem_used_pct,
                    s.swap_used_pct,
                    s.fullest_disk().map(|d| d.used_pct),
                    s.max_inodes_pct(),
                    has_net.then_some(rx),
                    has_net.then_some(tx_rate),
                ],
            )?;
            // The boot the sample belongs to, once (uptime and the clock disagree by a second
            // or two from one sample to the next). A boot moved further than the time since
            // the host was last seen up is a restart (the uptime went down); one moved less is
            // a virtual machine paused meanwhile, or its clock stepped: its clock ran on, its
            // uptime did not, and it never restarted.
            let boot = s
                .uptime_s
                .filter(|_| s.reachable)
                .and_then(|up| s.sampled_at.checked_sub(i64::try_from(up).ok()?));
            if let Some(boot) = boot {
                if is_new_boot(&tx, &s.name, boot, s.sampled_at)? {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO boots (host_id, boot_at) SELECT id, ?2 FROM hosts WHERE name = ?1",
                    )?
                    .execute(params![s.name, boot])?;
                }
            }
            // Each filesystem, once a minute at most (disks fill slowly; a row per poll would
            // multiply the raw table by the mounts).
            if s.reachable && !s.disks.is_empty() {
                let recent: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM fs_raw WHERE host_id = (SELECT id FROM hosts WHERE name = ?1)
                     AND mount = ?2 AND ts > ?3 - ?4 AND ts <= ?3)",
                    params![s.name, s.disks[0].mount, s.sampled_at, FS_EVERY_S],
                    |r| r.get(0),
                )?;
                if !recent {
                    let mut insert = tx.prepare_cached(
                        "INSERT OR REPLACE INTO fs_raw (host_id, ts, mount, used_pct, inodes_pct)
                         VALUES ((SELECT id FROM hosts WHERE name = ?1), ?2, ?3, ?4, ?5)",
                    )?;
                    for d in s.disks.iter().filter(|d| d.used_pct.is_finite()) {
                        insert.execute(params![
                            s.name,
                            s.sampled_at,
                            d.mount,
                            d.used_pct,
                            d.inodes_used_pct
                        ])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Aggregates every finished 5-minute bucket since the last pass, then prunes raw rows
    /// older than 48 hours and aggregates older than 400 days. Idempotent; safe to run from two
    /// processes at once (the second finds nothing left to do).
    pub fn maintain_health(&mut self, now: i64) -> Result<Maintenance> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let watermark: Option<i64> = tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [WATERMARK_KEY], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok());
        let oldest_raw: Option<i64> = tx.query_row("SELECT min(ts) FROM health_raw", [], |r| r.get(0))?;
        let current_bucket = now.div_euclid(BUCKET_S) * BUCKET_S;
        let from = match (watermark, oldest_raw) {
            (Some(w), _) => w,
            (None, Some(o)) => o.div_euclid(BUCKET_S) * BUCKET_S,
            (None, None) => current_bucket,
        };
        let mut m = Maintenance::default();
        if from < current_bucket {
            m.buckets_written = tx.execute(
                "INSERT OR REPLACE INTO health_5m
                 SELECT host_id, (ts / ?3) * ?3 AS bucket, count(*), sum(reachable),
                        min(cpu_pct), avg(cpu_pct), max(cpu_pct),
                        min(load1), avg(load1), max(load1),
                        min(mem_used_pct), avg(mem_used_pct), max(mem_used_pct),
                        min(swap_used_pct), avg(swap_used_pct), max(swap_used_pct),
                        min(disk_max_pct), avg(disk_max_pct), max(disk_max_pct),
                        min(inodes_max_pct), avg(inodes_max_pct), max(inodes_max_pct),
                        min(rx_bps), avg(rx_bps), max(rx_bps),
                        min(tx_bps), avg(tx_bps), max(tx_bps)
                 FROM health_raw WHERE ts >= ?1 AND ts < ?2
                 GROUP BY host_id, bucket",
                params![from, current_bucket, BUCKET_S],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO fs_5m
                 SELECT host_id, mount, (ts / ?3) * ?3 AS bucket, count(*),
                        min(used_pct), avg(used_pct), max(used_pct),
                        min(inodes_pct), avg(inodes_pct), max(inodes_pct)
                 FROM fs_raw WHERE ts >= ?1 AND ts < ?2
                 GROUP BY host_id, mount, bucket",
                params![from, current_bucket, BUCKET_S],
            )?;
            // The days these buckets fall in, rolled up again whole.
            let day = from.div_euclid(DAY_S) * DAY_S;
            tx.execute(
                "INSERT OR REPLACE INTO health_1d
                 SELECT f.host_id, (f.bucket / ?2) * ?2 AS day, sum(samples), sum(reachable_samples),
                        sum(cpu_avg * samples), sum(CASE WHEN cpu_avg IS NULL THEN 0 ELSE samples END),
                        max(cpu_max), max(mem_max), max(swap_max), max(load1_max), max(disk_max)
                 FROM hosts x CROSS JOIN health_5m f ON f.host_id = x.id AND f.bucket >= ?1
                 GROUP BY f.host_id, day",
                params![day, DAY_S],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO fs_1d
                 SELECT host_id, mount, (bucket / ?2) * ?2 AS day, max(used_max), max(inodes_max)
                 FROM fs_5m WHERE bucket >= ?1 GROUP BY host_id, mount, day",
                params![day, DAY_S],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![WATERMARK_KEY, current_bucket.to_string()],
            )?;
        }
        m.raw_pruned = tx.execute("DELETE FROM health_raw WHERE ts < ?1", [now - RAW_RETENTION_S])?;
        m.agg_pruned = tx.execute("DELETE FROM health_5m WHERE bucket < ?1", [now - AGG_RETENTION_S])?;
        tx.execute("DELETE FROM fs_raw WHERE ts < ?1", [now - RAW_RETENTION_S])?;
        tx.execute("DELETE FROM fs_5m WHERE bucket < ?1", [now - AGG_RETENTION_S])?;
        tx.execute("DELETE FROM boots WHERE boot_at < ?1", [now - AGG_RETENTION_S])?;
        tx.execute("DELETE FROM health_1d WHERE day < ?1", [now - AGG_RETENTION_S])?;
        tx.execute("DELETE FROM fs_1d WHERE day < ?1", [now - AGG_RETENTION_S])?;
        tx.execute("DELETE FROM posture_1d WHERE day < ?1", [now - AGG_RETENTION_S])?;
        tx.commit()?;
        Ok(m)
    }

    /// Each host's figures between `from` and `to` (Unix seconds): its samples, how many found
    /// it reachable, and its peak memory and disk use; from the 5-minute history below the
    /// aggregation watermark and the raw samples above it, so nothing is counted twice.
    pub fn fleet_figures(&self, from: i64, to: i64) -> Result<Vec<HostFigures>> {
        // Nothing aggregated yet reads as a watermark at the epoch (so the days' arithmetic
        // cannot overflow).
        let watermark = self.watermark()?.max(0);
        // Whole days inside the period come from the daily roll-ups, its ragged ends from the
        // aggregates, what is newer than the watermark from the raw samples.
        let cap = to.min(watermark);
        let lo = (from + DAY_S - 1).div_euclid(DAY_S) * DAY_S;
        let hi = cap.div_euclid(DAY_S) * DAY_S;
        let (head_end, tail_start) = if hi > lo { (lo, hi) } else { (cap, cap) };
        let mut stmt = self.conn().prepare_cached(
            "SELECT h.name, sum(s), sum(r), max(mem), max(disk) FROM hosts h JOIN (
                 SELECT host_id, samples AS s, reachable AS r, mem_max AS mem, disk_max AS disk
                 FROM health_1d WHERE day >= ?4 AND day < ?5
                 UNION ALL
                 SELECT f.host_id, samples, reachable_samples, mem_max, disk_max
                 FROM hosts x CROSS JOIN health_5m f ON f.host_id = x.id AND f.bucket >= ?1 AND f.bucket < ?4
                 UNION ALL
                 SELECT f.host_id, samples, reachable_samples, mem_max, disk_max
                 FROM hosts x CROSS JOIN health_5m f ON f.host_id = x.id AND f.bucket >= ?5 AND f.bucket < ?6
                 UNION ALL
                 SELECT f.host_id, 1, reachable, mem_used_pct, disk_max_pct
                 FROM hosts x CROSS JOIN health_raw f ON f.host_id = x.id AND f.ts >= max(?1, ?3) AND f.ts < ?2
             ) ON h.id = host_id
             GROUP BY h.name ORDER BY h.name",
        )?;
        let rows = stmt.query_map(params![from, to, watermark, head_end, tail_start, cap], |r| {
            Ok(HostFigures {
                host: r.get(0)?,
                samples: r.get(1)?,
                reachable: r.get(2)?,
                peak_mem_pct: r.get(3)?,
                peak_disk_pct: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Keeps a security posture of `host` taken at `at` (Unix seconds) in the row of its day in
    /// `offset` (the reports' calendar): the highest count of failed SSH logins over the 24
    /// hours before a posture, and when it was seen (`None`: the posture could not count them).
    pub fn record_posture(
        &self,
        host: &str,
        at: i64,
        offset: chrono::FixedOffset,
        failed_logins_24h: Option<u32>,
    ) -> Result<()> {
        let id = self.host_id(host)?;
        let day = at - (at + i64::from(offset.local_minus_utc())).rem_euclid(DAY_S);
        self.conn().execute(
            "INSERT INTO posture_1d (host_id, day, postures, logins_max, logins_at)
             VALUES (?1, ?2, 1, ?3, CASE WHEN ?3 IS NULL THEN NULL ELSE ?4 END)
             ON CONFLICT (host_id, day) DO UPDATE SET
                 postures = postures + 1,
                 logins_at = CASE WHEN excluded.logins_max > coalesce(logins_max, -1)
                                  THEN excluded.logins_at ELSE logins_at END,
                 logins_max = max(coalesce(logins_max, excluded.logins_max), coalesce(excluded.logins_max, logins_max))",
            params![id, day, failed_logins_24h, at],
        )?;
        Ok(())
    }

    /// The failed SSH logins of a host's postures in the calendar days that begin in
    /// `[from, to)` (a period of whole days in the offset the postures were kept in): `None`
    /// when no posture of the period counted them.
    pub fn failed_logins(&self, host: &str, from: i64, to: i64) -> Result<Option<FailedLogins>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT p.logins_max, p.logins_at, p.day FROM posture_1d p JOIN hosts h ON h.id = p.host_id
             WHERE h.name = ?1 AND p.day >= ?2 AND p.day < ?3 AND p.logins_max IS NOT NULL
             ORDER BY p.day",
        )?;
        let rows = stmt.query_map(params![host, from, to], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut out: Option<FailedLogins> = None;
        for row in rows {
            let (n, at, day) = row?;
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            let f =
                out.get_or_insert(FailedLogins { peak: n, peak_at: at.unwrap_or(day), ..Default::default() });
            f.days_counted += 1;
            if n > 0 {
                f.days_with_failures += 1;
            }
            if n > f.peak {
                f.peak = n;
                f.peak_at = at.unwrap_or(day);
            }
        }
        Ok(out)
    }

    /// The boots of a host seen in `[from, to)`.
    pub fn boots_between(&self, host: &str, from: i64, to: i64) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT b.boot_at FROM boots b JOIN hosts h ON h.id = b.host_id
             WHERE h.name = ?1 AND b.boot_at >= ?2 AND b.boot_at < ?3 ORDER BY b.boot_at",
        )?;
        let rows = stmt.query_map(params![host, from, to], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One host's health per UTC day of those that overlap `[from, to)` (whole days: the
    /// report's charts are of days): samples, reachable samples, CPU average
    /// and peak, memory, swap and load peaks. Days with no sample are left out. From the daily
    /// roll-ups for the days before the aggregation watermark's, and for the rest from the
    /// aggregates and raw samples.
    pub fn daily_health(&self, host: &str, from: i64, to: i64) -> Result<Vec<DayFigures>> {
        let watermark = self.watermark()?.max(0);
        let wm_day = watermark.div_euclid(DAY_S) * DAY_S;
        let mut stmt = self.conn().prepare_cached(
            "SELECT d, sum(n), sum(r), sum(cs) / nullif(sum(cn), 0), max(cpu), max(mem), max(swap), max(load)
             FROM (
                 SELECT day AS d, samples AS n, reachable AS r, cpu_sum AS cs, cpu_n AS cn,
                        cpu_max AS cpu, mem_max AS mem, swap_max AS swap, load_max AS load
                 FROM health_1d
                 WHERE host_id = (SELECT id FROM hosts WHERE name = ?1) AND day > ?2 - ?6 AND day < min(?3, ?5)
                 UNION ALL
                 SELECT (bucket / ?6) * ?6, samples, reachable_samples, cpu_avg * samples,
                        CASE WHEN cpu_avg IS NULL THEN 0 ELSE samples END, cpu_max, mem_max, swap_max, load1_max
                 FROM health_5m
                 WHERE host_id = (SELECT id FROM hosts WHERE name = ?1)
                   AND bucket >= max(?2, ?5) AND bucket < min(?3, ?4)
                 UNION ALL
                 SELECT (ts / ?6) * ?6, 1, reachable, cpu_pct, CASE WHEN cpu_pct IS NULL THEN 0 ELSE 1 END,
                        cpu_pct, mem_used_pct, swap_used_pct, load1
                 FROM health_raw
                 WHERE host_id = (SELECT id FROM hosts WHERE name = ?1) AND ts >= max(?2, ?4) AND ts < ?3
             ) GROUP BY d ORDER BY d",
        )?;
        let rows = stmt.query_map(params![host, from, to, watermark, wm_day, DAY_S], |r| {
            Ok(DayFigures {
                at: r.get(0)?,
                samples: r.get(1)?,
                reachable: r.get(2)?,
                cpu_avg: r.get(3)?,
                cpu_max: r.get(4)?,
                mem_max: r.get(5)?,
                swap_max: r.get(6)?,
                load_max: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One host's filesystems per UTC day of those that overlap `[from, to)`, each day's peak use (days with no
    /// record left out: a gap, not a zero); by mount, then day. From the daily roll-ups before
    /// the watermark's day, the aggregates and raw rows after.
    pub fn fs_daily(&self, host: &str, from: i64, to: i64) -> Result<Vec<FsPoint>> {
        let watermark = self.watermark()?.max(0);
        let wm_day = watermark.div_euclid(DAY_S) * DAY_S;
        let mut stmt = self.conn().prepare_cached(
            "SELECT mount, d, max(u), max(i) FROM (
                 SELECT mount, day AS d, used_max AS u, inodes_max AS i FROM fs_1d
                 WHERE host_id = (SELECT id FROM hosts WHERE name = ?1) AND day > ?2 - ?6 AND day < min(?3, ?5)
                 UNION ALL
                 SELECT mount, (bucket / ?6) * ?6, used_max, inodes_max FROM fs_5m
                 WHERE host_id = (SELECT id FROM hosts WHERE name = ?1)
                   AND mount IN (SELECT DISTINCT mount FROM fs_1d WHERE host_id = (SELECT id FROM hosts WHERE name = ?1))
                   AND bucket >= max(?2, ?5) AND bucket < min(?3, ?4)
                 UNION ALL
                 SELECT mount, (ts / ?6) * ?6, used_pct, inodes_pct FROM fs_raw
                 WHERE host_id = (SELECT id FROM hosts WHERE name = ?1) AND ts >= max(?2, ?4) AND ts < ?3
             ) GROUP BY mount, d ORDER BY mount, d",
        )?;
        let rows = stmt.query_map(params![host, from, to, watermark, wm_day, DAY_S], |r| {
            Ok(FsPoint { mount: r.get(0)?, at: r.get(1)?, used_max: r.get(2)?, inodes_max: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Where the 5-minute aggregates end and the raw samples take over (the earliest time
    /// when nothing is aggregated yet).
    fn watermark(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [WATERMARK_KEY], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(i64::MIN))
    }

    /// History of one host since `since`: raw points when `bucketed` is false, else 5-minute
    /// averages (the stored aggregates plus the buckets not yet aggregated).
    pub fn health_history(&self, host: &str, since: i64, bucketed: bool) -> Result<Vec<HistPoint>> {
        let Some(host_id) = self
            .conn()
            .query_row("SELECT id FROM hosts WHERE name = ?1", [host], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            return Ok(Vec::new());
        };
        let map = |r: &rusqlite::Row<'_>| {
            Ok(HistPoint {
                ts: r.get(0)?,
                cpu_pct: r.get(1)?,
                mem_used_pct: r.get(2)?,
                load1: r.get(3)?,
                rx_bps: r.get(4)?,
                tx_bps: r.get(5)?,
            })
        };
        if !bucketed {
            let mut stmt = self.conn().prepare_cached(
                "SELECT ts, cpu_pct, mem_used_pct, load1, rx_bps, tx_bps FROM health_raw
                 WHERE host_id = ?1 AND ts >= ?2 ORDER BY ts",
            )?;
            let rows = stmt.query_map(params![host_id, since], map)?;
            return Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        let watermark = self.watermark()?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT bucket, cpu_avg, mem_avg, load1_avg, rx_avg, tx_avg FROM health_5m
             WHERE host_id = ?1 AND bucket >= ?2 AND bucket < ?3
             UNION ALL
             SELECT (ts / ?4) * ?4 AS b, avg(cpu_pct), avg(mem_used_pct), avg(load1), avg(rx_bps), avg(tx_bps)
             FROM health_raw WHERE host_id = ?1 AND ts >= max(?2, ?3)
             GROUP BY b
             ORDER BY 1",
        )?;
        let rows = stmt.query_map(params![host_id, since, watermark, BUCKET_S], map)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The raw CPU readings of one host since `since`, oldest first: `(ts, reachable,
    /// cpu_pct)`. Empty for a host never recorded.
    pub fn cpu_history(&self, host: &str, since: i64) -> Result<Vec<(i64, bool, Option<f64>)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT r.ts, r.reachable, r.cpu_pct FROM health_raw r JOIN hosts h ON h.id = r.host_id
             WHERE h.name = ?1 AND r.ts >= ?2 ORDER BY r.ts",
        )?;
        let rows = stmt.query_map(params![host, since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Row counts, for `status` of the store and the tests.
    pub fn health_counts(&self) -> Result<(i64, i64)> {
        let raw = self.conn().query_row("SELECT count(*) FROM health_raw", [], |r| r.get(0))?;
        let agg = self.conn().query_row("SELECT count(*) FROM health_5m", [], |r| r.get(0))?;
        Ok((raw, agg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The period's figures are the same whichever store they come from: the daily roll-ups,
    /// the aggregates at the period's ragged ends, or the raw samples above the watermark.
    #[test]
    fn figures_over_any_period_count_each_sample_once_from_the_roll_ups() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("y.db")).unwrap();
        let t0 = 1_790_700_000; // not on a day
        let mut batch = Vec::new();
        for i in 0..(4 * 1440) {
            let ts = t0 + i * 60;
            let mut s = sample("db1", ts, (i % 97) as f64);
            s.reachable = i % 10 != 0;
            s.mem_used_pct = Some(40.0 + (i % 500) as f64 / 10.0);
            batch.push(s);
        }
        store.record_samples(&batch).unwrap();
        // Aggregate up to the third day, then more samples stay raw.
        store.maintain_health(t0 + 3 * 86_400 + 3_000).unwrap();
        let n = store.conn().query_row("SELECT count(*) FROM health_1d", [], |r| r.get::<_, i64>(0)).unwrap();
        assert!(n >= 3, "{n} days rolled up");
        for (from, to) in [
            (t0, t0 + 4 * 86_400),
            (t0 + 4_321, t0 + 2 * 86_400 + 77),
            (t0 + 86_400 + 10, t0 + 86_400 + 7_200),
            (t0 + 3 * 86_400 + 100, t0 + 4 * 86_400),
        ] {
            let got = store.fleet_figures(from, to).unwrap();
            let inside: Vec<&HostSample> =
                batch.iter().filter(|s| s.sampled_at >= from && s.sampled_at < to).collect();
            let reach = inside.iter().filter(|s| s.reachable).count() as i64;
            // Aggregated buckets count from their start: a bucket cut by the period's edge is
            // counted whole or not at all, as before the roll-ups.
            let (samples, reachable) = (got[0].samples, got[0].reachable);
            assert!(
                (samples - inside.len() as i64).abs() <= 10,
                "{from}..{to}: {samples} vs {}",
                inside.len()
            );
            assert!((reachable - reach).abs() <= 10, "{from}..{to}: {reachable} vs {reach}");
            let peak = inside.iter().filter_map(|s| s.mem_used_pct).fold(0.0, f64::max);
            assert!((got[0].peak_mem_pct.unwrap() - peak).abs() < 5.0, "{from}..{to}");
        }
        let days = store.daily_health("db1", t0, t0 + 4 * 86_400).unwrap();
        let total: i64 = days.iter().map(|d| d.samples).sum();
        assert_eq!(total, batch.len() as i64, "every sample in one day once");
        assert!(days.windows(2).all(|w| w[1].at - w[0].at == DAY_S), "{days:?}");
    }

    fn sample(name: &str, ts: i64, cpu: f64) -> HostSample {
        HostSample {
            name: name.into(),
            reachable: true,
            cpu_pct: Some(cpu),
            load1: Some(cpu / 10.0),
            mem_used_pct: Some(50.0),
            sampled_at: ts,
            ..Default::default()
        }
    }

    /// A reboot is counted once; a pause of the virtual machine (its clock runs on, its
    /// uptime does not) is none, whether the samples before it are raw or aggregated.
    #[test]
    fn a_reboot_counts_once_and_a_paused_machine_never() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("b.db")).unwrap();
        let t0 = 1_800_000_000_i64;
        let up =
            |at: i64, uptime: i64| HostSample { uptime_s: Some(uptime as u64), ..sample("vm1", at, 10.0) };
        let boots = |store: &Store| store.boots_between("vm1", 0, i64::MAX).unwrap();
        // Up 10 days at t0, sampled every minute for an hour.
        for i in 0..60 {
            store.record_samples(&[up(t0 + i * 60, 864_000 + i * 60)]).unwrap();
        }
        assert_eq!(boots(&store), [t0 - 864_000]);
        // Paused two hours: the clock jumped, the uptime did not.
        store.record_samples(&[up(t0 + 59 * 60 + 7_260, 864_000 + 60 * 60)]).unwrap();
        assert_eq!(boots(&store), [t0 - 864_000], "no boot from a pause");
        // Restarted: up 90 s when it answers again, every sample after it agreeing, for 3 h.
        let back = t0 + 4 * 3600;
        for i in 0..=18 {
            store.record_samples(&[up(back + i * 600, 90 + i * 600)]).unwrap();
        }
        assert_eq!(boots(&store), [t0 - 864_000, back - 90]);
        // Those samples only in the aggregates now; paused 50 hours: still no boot.
        store.maintain_health(back + 3 * 3600 + 49 * 3600 + 600).unwrap();
        let raw: i64 = store.conn().query_row("SELECT count(*) FROM health_raw", [], |r| r.get(0)).unwrap();
        assert_eq!(raw, 0, "pruned: the aggregates decide");
        store.record_samples(&[up(back + 3 * 3600 + 50 * 3600, 90 + 3 * 3600 + 60)]).unwrap();
        assert_eq!(boots(&store), [t0 - 864_000, back - 90], "the aggregates saw it up after that boot");
        // And a real restart after that is one.
        let again = back + 3 * 3600 + 51 * 3600;
        store.record_samples(&[up(again, 45)]).unwrap();
        assert_eq!(boots(&store), [t0 - 864_000, back - 90, again - 45]);
    }

    /// A day keeps its highest 24-hour count and when it was seen; a posture that could not
    /// count keeps nothing; the period reads its peak and its days, checked with sqlite3.
    #[test]
    fn postures_keep_each_days_most_failed_logins() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        let store = Store::open(&db).unwrap();
        // Days in +08:00: each begins at 16:00 UTC the day before.
        let zone = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let day = 20_000 * DAY_S - 8 * 3600;
        store.record_posture("h", day + 100, zone, Some(3)).unwrap();
        store.record_posture("h", day + 200, zone, Some(40)).unwrap();
        store.record_posture("h", day + 300, zone, Some(40)).unwrap();
        store.record_posture("h", day + 400, zone, None).unwrap();
        store.record_posture("h", day + 500, zone, Some(7)).unwrap();
        store.record_posture("h", day + DAY_S + 10, zone, Some(0)).unwrap();
        store.record_posture("h", day + 2 * DAY_S + 10, zone, None).unwrap();
        store.record_posture("other", day + 10, zone, Some(900)).unwrap();
        let out = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT p.day, p.postures, p.logins_max, p.logins_at FROM posture_1d p JOIN hosts h ON h.id = p.host_id WHERE h.name = 'h' ORDER BY p.day")
            .output()
            .unwrap();
        let rows = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(
            rows,
            format!(
                "{day}|5|40|{}\n{}|1|0|{}\n{}|1||\n",
                day + 200,
                day + DAY_S,
                day + DAY_S + 10,
                day + 2 * DAY_S
            ),
            "the first time of the day's most is kept"
        );
        let f = store.failed_logins("h", day, day + 3 * DAY_S).unwrap().unwrap();
        assert_eq!(f, FailedLogins { peak: 40, peak_at: day + 200, days_counted: 2, days_with_failures: 1 });
        assert_eq!(store.failed_logins("h", day + 2 * DAY_S, day + 3 * DAY_S).unwrap(), None, "not counted");
        assert_eq!(store.failed_logins("nobody", day, day + 3 * DAY_S).unwrap(), None);
    }

    #[test]
    fn aggregates_then_prunes_with_retention() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("h.db")).unwrap();
        let now = 1_800_000_000 + 120; // 1_800_000_000 is a multiple of 300
                                       // Three days of one sample a minute for one host.
        let start = now - 3 * 86400;
        let samples: Vec<_> =
            (0..(3 * 1440)).map(|i| sample("app1", start + i * 60, (i % 100) as f64)).collect();
        store.record_samples(&samples).unwrap();
        let m = store.maintain_health(now).unwrap();
        assert!(m.buckets_written >= 3 * 288 - 1, "{m:?}");
        // Raw rows older than 48 h are gone, the rest kept.
        let (raw, agg) = store.health_counts().unwrap();
        assert_eq!(raw, samples.iter().filter(|s| s.sampled_at >= now - RAW_RETENTION_S).count() as i64);
        assert_eq!(agg as usize, m.buckets_written);
        // A bucket's min/avg/max are right: samples i..i+5 have cpu i%100.
        let (mn, avg, mx): (f64, f64, f64) = store
            .conn()
            .query_row(
                "SELECT cpu_min, cpu_avg, cpu_max FROM health_5m ORDER BY bucket LIMIT 1 OFFSET 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert!(mn <= avg && avg <= mx && mx - mn == 4.0, "{mn} {avg} {mx}");
        // A second pass has nothing to do.
        let again = store.maintain_health(now).unwrap();
        assert_eq!(again, Maintenance::default());
        // 400 days later the aggregates are pruned too.
        let later = store.maintain_health(now + AGG_RETENTION_S + 4 * 86400).unwrap();
        assert!(later.agg_pruned > 0);
        assert_eq!(store.health_counts().unwrap(), (0, 0));
    }

    fn disk(mount: &str, used: f64, inodes: Option<f64>) -> crate::health::DiskUsage {
        crate::health::DiskUsage {
            mount: mount.into(),
            fs_type: "xfs".into(),
            size_kib: 100,
            used_kib: 50,
            avail_kib: 50,
            used_pct: used,
            inodes_used_pct: inodes,
        }
    }

    /// Each filesystem's use: once a minute at most, aggregated by 5 minutes with the rest,
    /// read back by day across the watermark (roll-ups, aggregates and raw rows) the same
    /// way, a mount that went away a gap.
    #[test]
    fn every_filesystem_is_kept_once_a_minute_and_read_back_by_day() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("h.db");
        let mut store = Store::open(&db).unwrap();
        let day = 86_400;
        // Two days of a sample every 10 s from a midnight (UTC); /data only on the first day.
        let start = 20_830 * day;
        let samples: Vec<_> = (0..(2 * day / 10))
            .map(|i| {
                let ts = start + i * 10;
                let mut s = sample("db1", ts, 10.0);
                let grow = (ts - start) as f64 / (2 * day) as f64 * 10.0;
                s.disks = vec![disk("/", 40.0 + grow, Some(5.0))];
                if ts < start + day {
                    s.disks.push(disk("/data", 70.0, None));
                }
                s
            })
            .collect();
        store.record_samples(&samples).unwrap();
        let rows =
            |store: &Store, sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        // Once a minute: 2 days of / and 1 day of /data.
        assert_eq!(rows(&store, "SELECT count(*) FROM fs_raw"), 2 * 1440 + 1440);
        let by_day = store.fs_daily("db1", start, start + 2 * day).unwrap();
        let shape: Vec<(&str, i64)> =
            by_day.iter().map(|p| (p.mount.as_str(), (p.at - start) / day)).collect();
        assert_eq!(shape, [("/", 0), ("/", 1), ("/data", 0)], "the day /data was away is no point");
        assert!((by_day[1].used_max - 49.99).abs() < 0.01, "{by_day:?}");
        assert_eq!((by_day[0].inodes_max, by_day[2].inodes_max), (Some(5.0), None));
        // Aggregated up to the end of the first day: the same answer from both halves.
        store.maintain_health(start + day).unwrap();
        assert_eq!(store.fs_daily("db1", start, start + 2 * day).unwrap(), by_day);
        assert_eq!(rows(&store, "SELECT count(*) FROM fs_5m WHERE mount = '/data'"), 288);
        assert!(store.fs_daily("nobody", start, start + day).unwrap().is_empty());
        // A down host's sample records no filesystem.
        let down = HostSample {
            name: "db1".into(),
            reachable: false,
            sampled_at: start + 3 * day,
            ..Default::default()
        };
        store.record_samples(&[down]).unwrap();
        assert_eq!(rows(&store, &format!("SELECT count(*) FROM fs_raw WHERE ts >= {}", start + 3 * day)), 0);
    }

    #[test]
    fn history_raw_and_bucketed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("h.db")).unwrap();
        let now = 1_800_000_000;
        let samples: Vec<_> = (0..120).map(|i| sample("db1", now - 7200 + i * 60, 10.0)).collect();
        store.record_samples(&samples).unwrap();
        let raw = store.health_history("db1", now - 3600, false).unwrap();
        assert_eq!(raw.len(), 60);
        // Before maintenance the buckets come from raw rows; after, from the aggregates: same answer.
        let before = store.health_history("db1", now - 7200, true).unwrap();
        store.maintain_health(now + 1).unwrap();
        let after = store.health_history("db1", now - 7200, true).unwrap();
        assert_eq!(before.len(), 24);
        assert_eq!(before, after);
        assert!(store.health_history("nobody", 0, true).unwrap().is_empty());
    }

    #[test]
    fn same_second_twice_is_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("h.db")).unwrap();
        store.record_samples(&[sample("a", 100, 1.0)]).unwrap();
        store.record_samples(&[sample("a", 100, 2.0)]).unwrap();
        assert_eq!(store.health_counts().unwrap().0, 1);
    }
}
