//! The SQLite store: opening the file safely (modes 0600/0700, WAL, busy timeout), versioned
//! migrations, and one module per table family. The only place in yunwei that speaks SQL.

pub mod alerts;
pub mod audit;
pub mod baseline;
pub mod divcodes;
pub mod duty;
pub mod health;
pub mod jobs;
pub mod maintenance;
pub mod netcheck;
pub mod notify;
pub mod tickets;

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::i18n::{Lang, Msg};

/// How long a writer waits for another yunwei process to finish its write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// The page cache of a connection, in KiB (`PRAGMA cache_size` takes it negative).
pub(crate) const CACHE_KIB: i64 = 1024;
/// How much of the file reads may map (`PRAGMA mmap_size`).
const MMAP_BYTES: i64 = 1 << 30;

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Why a database is opened for reading only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnlyWhy {
    /// Its owner has no write permission. Judged by the mode bits, also when yunwei runs as
    /// root (who could write it anyway): whoever took the permission away meant it.
    Mode,
    /// This user may not open it for writing (another owner, an ACL).
    NoAccess,
    /// Its folder is not writable, and SQLite keeps the journal (-wal, -shm) beside it.
    Folder,
    /// It lies on a file system mounted read-only.
    FileSystem,
}

/// A database yunwei will not write to, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOnly {
    /// The permission bits, as `ls -l` and `chmod` know them (0o444).
    pub mode: u32,
    pub why: ReadOnlyWhy,
}

impl ReadOnly {
    /// The reason in words, with the mode: "mode 0444: not writable by its owner".
    pub fn text(&self, lang: Lang) -> String {
        let msg = match self.why {
            ReadOnlyWhy::Mode => Msg::DbWhyMode,
            ReadOnlyWhy::NoAccess => Msg::DbWhyNoAccess,
            ReadOnlyWhy::Folder => Msg::DbWhyFolder,
            ReadOnlyWhy::FileSystem => Msg::DbWhyFileSystem,
        };
        msg.fill(lang, &[("mode", &format!("{:04o}", self.mode))])
    }
}

/// What a command needs of the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create it when missing, migrate it, write to it; a read-only database is refused.
    Write,
    /// As [`Access::Write`], but a read-only database opens for viewing (the console).
    WriteOrView,
    /// Read an existing database; nothing is created, migrated or changed (`yunwei status`).
    Read,
}

/// How to open the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    pub access: Access,
    /// Create the database's folder (0700) when it is missing: for the default data folder,
    /// not for a path the user named, where a missing folder is more likely a typo.
    pub create_folder: bool,
}

impl StoreOptions {
    pub fn new(access: Access, create_folder: bool) -> StoreOptions {
        StoreOptions { access, create_folder }
    }
}

/// What went wrong opening or using the database. Every variant names the path and says
/// what to do; [`StoreError::text`] gives it in the user's language (`Display` in English).
#[derive(Debug)]
pub enum StoreError {
    NotADatabase {
        path: PathBuf,
    },
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// An older schema that cannot be upgraded now: the database is read-only, or only read.
    Old {
        path: PathBuf,
        found: i64,
        read_only: Option<ReadOnly>,
    },
    IsADirectory {
        path: PathBuf,
    },
    NoFolder {
        path: PathBuf,
        dir: PathBuf,
    },
    FolderNotDir {
        path: PathBuf,
        dir: PathBuf,
    },
    NotPermitted {
        path: PathBuf,
    },
    /// The command must write, and the database is read-only.
    ReadOnly {
        path: PathBuf,
        read_only: ReadOnly,
    },
    CreateFolder {
        dir: PathBuf,
        source: std::io::Error,
    },
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    CannotOpen {
        path: PathBuf,
    },
    DiskFull {
        path: PathBuf,
    },
    /// SQLite found the file damaged past its header.
    Corrupt {
        path: PathBuf,
    },
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    Query(rusqlite::Error),
}

/// A path as it may be shown: control and bidirectional characters escaped.
fn shown(path: &Path) -> String {
    crate::text::escape_unprintable(&path.display().to_string()).into_owned()
}

/// An I/O error in words, without the `(os error N)` tail.
fn io_reason(e: &std::io::Error, lang: Lang) -> String {
    crate::i18n::io_error(e, lang)
}

impl StoreError {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            StoreError::NotADatabase { path } => Msg::DbNotADatabase.fill(lang, &[("path", &shown(path))]),
            StoreError::TooNew { path, found, known } => Msg::DbTooNew.fill(
                lang,
                &[("path", &shown(path)), ("found", &found.to_string()), ("known", &known.to_string())],
            ),
            StoreError::Old { path, found, read_only: Some(ro) } => Msg::DbNeedsUpgrade.fill(
                lang,
                &[("path", &shown(path)), ("found", &found.to_string()), ("why", &ro.text(lang))],
            ),
            StoreError::Old { path, found, read_only: None } => {
                Msg::DbOlderSchema.fill(lang, &[("path", &shown(path)), ("found", &found.to_string())])
            }
            StoreError::IsADirectory { path } => Msg::DbIsDirectory.fill(lang, &[("path", &shown(path))]),
            StoreError::NoFolder { path, dir } => {
                Msg::DbNoFolder.fill(lang, &[("path", &shown(path)), ("dir", &shown(dir))])
            }
            StoreError::FolderNotDir { path, dir } => {
                Msg::DbFolderNotDir.fill(lang, &[("path", &shown(path)), ("dir", &shown(dir))])
            }
            StoreError::NotPermitted { path } => Msg::DbNotPermitted.fill(lang, &[("path", &shown(path))]),
            StoreError::ReadOnly { path, read_only } => {
                Msg::DbReadOnlyRefused.fill(lang, &[("path", &shown(path)), ("why", &read_only.text(lang))])
            }
            StoreError::CreateFolder { dir, source } => Msg::DbCannotCreateFolder
                .fill(lang, &[("dir", &shown(dir)), ("reason", &io_reason(source, lang))]),
            StoreError::Create { path, source } => Msg::DbCannotCreate
                .fill(lang, &[("path", &shown(path)), ("reason", &io_reason(source, lang))]),
            StoreError::Read { path, source } => {
                Msg::DbCannotRead.fill(lang, &[("path", &shown(path)), ("reason", &io_reason(source, lang))])
            }
            StoreError::CannotOpen { path } => Msg::DbCannotOpen.fill(lang, &[("path", &shown(path))]),
            StoreError::DiskFull { path } => Msg::DbDiskFull.fill(lang, &[("path", &shown(path))]),
            StoreError::Corrupt { path } => Msg::DbCorrupt.fill(lang, &[("path", &shown(path))]),
            StoreError::Sqlite { path, source } => Msg::DbSqlite.fill(
                lang,
                &[("path", &shown(path)), ("error", &crate::text::escape_unprintable(&source.to_string()))],
            ),
            StoreError::Query(e) => {
                Msg::DbQuery.fill(lang, &[("error", &crate::text::escape_unprintable(&e.to_string()))])
            }
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::CreateFolder { source, .. }
            | StoreError::Create { source, .. }
            | StoreError::Read { source, .. } => Some(source),
            StoreError::Sqlite { source, .. } | StoreError::Query(source) => Some(source),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Query(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Each migration brings the schema from version `i` to `i + 1`. Never edit one that shipped:
/// add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: hosts, health samples (raw and 5-minute aggregates), the append-only audit log.
    r#"
    CREATE TABLE hosts (
        id    INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE
    );
    CREATE TABLE health_raw (
        host_id        INTEGER NOT NULL REFERENCES hosts(id),
        ts             INTEGER NOT NULL,
        reachable      INTEGER NOT NULL,
        cpu_pct        REAL,
        load1          REAL,
        mem_used_pct   REAL,
        swap_used_pct  REAL,
        disk_max_pct   REAL,
        inodes_max_pct REAL,
        rx_bps         REAL,
        tx_bps         REAL,
        PRIMARY KEY (host_id, ts)
    ) WITHOUT ROWID;
    CREATE TABLE health_5m (
        host_id   INTEGER NOT NULL REFERENCES hosts(id),
        bucket    INTEGER NOT NULL,
        samples   INTEGER NOT NULL,
        reachable_samples INTEGER NOT NULL,
        cpu_min REAL, cpu_avg REAL, cpu_max REAL,
        load1_min REAL, load1_avg REAL, load1_max REAL,
        mem_min REAL, mem_avg REAL, mem_max REAL,
        swap_min REAL, swap_avg REAL, swap_max REAL,
        disk_min REAL, disk_avg REAL, disk_max REAL,
        inodes_min REAL, inodes_avg REAL, inodes_max REAL,
        rx_min REAL, rx_avg REAL, rx_max REAL,
        tx_min REAL, tx_avg REAL, tx_max REAL,
        PRIMARY KEY (host_id, bucket)
    ) WITHOUT ROWID;
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE audit (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        ts       INTEGER NOT NULL,
        operator TEXT NOT NULL,
        action   TEXT NOT NULL,
        target   TEXT NOT NULL DEFAULT '',
        detail   TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 2: alerts; at most one open (not cleared) row per host, metric and subject.
    r#"
    CREATE TABLE alerts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        host        TEXT NOT NULL,
        metric      TEXT NOT NULL,
        subject     TEXT NOT NULL DEFAULT '',
        level       TEXT NOT NULL,
        value       REAL,
        message     TEXT NOT NULL,
        opened_at   INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        acked_at    INTEGER,
        acked_by    TEXT,
        cleared_at  INTEGER
    );
    CREATE UNIQUE INDEX alerts_open_key ON alerts (host, metric, subject) WHERE cleared_at IS NULL;
    CREATE INDEX alerts_opened ON alerts (opened_at);
    CREATE INDEX alerts_host_opened ON alerts (host, opened_at);
    "#,
    // 3: alerts keyed by source and subject (`crate::alerts::AlertKey`), so that every domain's
    // alerts share one table. Every row is kept, with its id, under its new key:
    // source 'health', subject '<host>/<metric>' or '<host>/<metric>/<mount>', each part with
    // '%' written '%25' and '/' written '%2F' (the '%' first, as `key::escape` does). `host`
    // stays as a plain column (NULL when a key names no host) for per-host lists and
    // acknowledgements. The table is rebuilt, SQLite's way of changing a UNIQUE index's
    // columns; the AUTOINCREMENT counter is carried over so no id is ever handed out twice.
    r#"
    CREATE TABLE alerts_v3 (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        source      TEXT NOT NULL,
        subject     TEXT NOT NULL,
        host        TEXT,
        level       TEXT NOT NULL,
        value       REAL,
        message     TEXT NOT NULL,
        opened_at   INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        acked_at    INTEGER,
        acked_by    TEXT,
        cleared_at  INTEGER
    );
    INSERT INTO alerts_v3 (id, source, subject, host, level, value, message,
                           opened_at, updated_at, acked_at, acked_by, cleared_at)
        SELECT id, 'health',
               replace(replace(host, '%', '%25'), '/', '%2F') || '/' || metric
                   || CASE WHEN subject = '' THEN ''
                           ELSE '/' || replace(replace(subject, '%', '%25'), '/', '%2F') END,
               host, level, value, message, opened_at, updated_at, acked_at, acked_by, cleared_at
        FROM alerts ORDER BY id;
    DELETE FROM sqlite_sequence WHERE name = 'alerts_v3';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'alerts_v3', seq FROM sqlite_sequence WHERE name = 'alerts';
    DROP TABLE alerts;
    ALTER TABLE alerts_v3 RENAME TO alerts;
    CREATE UNIQUE INDEX alerts_open_key ON alerts (source, subject) WHERE cleared_at IS NULL;
    CREATE INDEX alerts_opened ON alerts (opened_at);
    CREATE INDEX alerts_host_opened ON alerts (host, opened_at);
    "#,
    // 4: the ticket queue (`store::tickets`): tickets with a per-day counter for their numbers,
    // notes, tags, the append-only history chained by hash, and the full-text index (Chinese
    // written as pairs of characters, see `tickets::search`), keyed by the ticket's id.
    r#"
    CREATE TABLE tickets (
        id               INTEGER PRIMARY KEY,
        number           TEXT NOT NULL UNIQUE,
        channel          TEXT NOT NULL,
        caller           TEXT NOT NULL,
        caller_phone     TEXT,
        unit             TEXT,
        category         TEXT NOT NULL,
        subcategory      TEXT,
        impact           TEXT NOT NULL,
        urgency          TEXT NOT NULL,
        priority         TEXT NOT NULL,
        summary          TEXT NOT NULL,
        description      TEXT NOT NULL DEFAULT '',
        hosts            TEXT NOT NULL DEFAULT '[]',
        alert_id         INTEGER,
        assignee         TEXT,
        escalation_level INTEGER NOT NULL DEFAULT 0,
        status           TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        acknowledged_at  INTEGER,
        resolved_at      INTEGER,
        closed_at        INTEGER,
        updated_at       INTEGER NOT NULL,
        updated_by       TEXT NOT NULL,
        version          INTEGER NOT NULL,
        status_log       TEXT NOT NULL,
        head_hash        TEXT NOT NULL
    );
    CREATE INDEX tickets_status_created ON tickets (status, created_at);
    CREATE INDEX tickets_created ON tickets (created_at);
    CREATE INDEX tickets_assignee ON tickets (assignee, status);
    CREATE INDEX tickets_unit ON tickets (unit);
    CREATE TABLE ticket_counters (
        day  TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    );
    CREATE TABLE ticket_notes (
        id         INTEGER PRIMARY KEY,
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
        author     TEXT NOT NULL,
        text       TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX ticket_notes_ticket ON ticket_notes (ticket_id, id);
    CREATE TABLE ticket_tags (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        tag       TEXT NOT NULL,
        PRIMARY KEY (ticket_id, tag)
    ) WITHOUT ROWID;
    CREATE TABLE ticket_events (
        id         INTEGER PRIMARY KEY,
        ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
        seq        INTEGER NOT NULL,
        at         INTEGER NOT NULL,
        actor      TEXT NOT NULL,
        field      TEXT NOT NULL,
        from_value TEXT,
        to_value   TEXT,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL,
        UNIQUE (ticket_id, seq)
    );
    CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'the ticket history is append-only'); END;
    CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'the ticket history is append-only'); END;
    CREATE TABLE ticket_drafts (
        owner    TEXT PRIMARY KEY,
        body     TEXT NOT NULL,
        saved_at INTEGER NOT NULL
    );
    CREATE VIRTUAL TABLE ticket_search USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');
    "#,
    // 5: the open queue (every ticket not closed or cancelled) read from one small index and
    // nothing else: partial (its condition is the list's own, word for word) and covering (every
    // column of a list row, which is all but the description).
    r#"
    CREATE INDEX tickets_open ON tickets (created_at, id, number, channel, caller, caller_phone, unit,
        category, subcategory, impact, urgency, priority, summary, hosts, alert_id, assignee,
        escalation_level, status, acknowledged_at, resolved_at, closed_at, updated_at, updated_by, version,
        status_log)
        WHERE status NOT IN ('closed', 'cancelled');
    "#,
    // 6: division-code editions (`store::divcodes`): one row an edition, its rows keyed by
    // edition and code (codes and parents as numbers, their length the edition's `digits`:
    // half the bytes of text and compared without memcmp), and the reviewer's decision on each
    // change between two editions.
    r#"
    CREATE TABLE divcode_versions (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        source      TEXT NOT NULL,
        format      TEXT NOT NULL,
        encoding    TEXT NOT NULL,
        digits      INTEGER NOT NULL,
        rows        INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        imported_at INTEGER NOT NULL,
        imported_by TEXT NOT NULL
    );
    CREATE TABLE divcodes (
        version_id INTEGER NOT NULL REFERENCES divcode_versions(id),
        code       INTEGER NOT NULL,
        name       TEXT NOT NULL,
        level      INTEGER NOT NULL,
        parent     INTEGER,
        PRIMARY KEY (version_id, code)
    ) WITHOUT ROWID;
    CREATE TABLE divcode_reviews (
        old_version INTEGER NOT NULL REFERENCES divcode_versions(id),
        new_version INTEGER NOT NULL REFERENCES divcode_versions(id),
        change_id   TEXT NOT NULL,
        change_key  TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('accepted', 'rejected', 'edited')),
        mapping     TEXT NOT NULL,
        reviewer    TEXT NOT NULL,
        reviewed_at INTEGER NOT NULL,
        PRIMARY KEY (old_version, new_version, change_id)
    ) WITHOUT ROWID;
    CREATE INDEX divcode_reviews_new ON divcode_reviews (new_version);
    "#,
    // 7: backup and data-exchange jobs (`store::jobs`): the last check of each job, every
    // artefact seen with its verification, and the on-demand runs.
    r#"
    CREATE TABLE job_checks (
        job           TEXT PRIMARY KEY,
        host          TEXT,
        kind          TEXT NOT NULL,
        state         TEXT NOT NULL,
        reason_en     TEXT NOT NULL,
        reason_zh     TEXT NOT NULL,
        checked_at    INTEGER NOT NULL,
        newest_path   TEXT,
        newest_size   INTEGER,
        newest_mtime  INTEGER,
        previous_size INTEGER,
        age_s         INTEGER,
        expected_at   INTEGER,
        period_s      INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE job_artefacts (
        job           TEXT NOT NULL,
        path          TEXT NOT NULL,
        mtime         INTEGER NOT NULL,
        size          INTEGER NOT NULL,
        first_seen    INTEGER NOT NULL,
        last_seen     INTEGER NOT NULL,
        checksum      TEXT,
        verified_at   INTEGER,
        verify_status INTEGER,
        verify_output TEXT,
        PRIMARY KEY (job, path, mtime, size)
    ) WITHOUT ROWID;
    CREATE INDEX job_artefacts_by_time ON job_artefacts (job, mtime);
    CREATE TABLE job_runs (
        id          INTEGER PRIMARY KEY,
        job         TEXT NOT NULL,
        host        TEXT,
        command     TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        started_by  TEXT NOT NULL,
        finished_at INTEGER,
        status      INTEGER,
        output      TEXT
    );
    CREATE INDEX job_runs_by_job ON job_runs (job, started_at);
    "#,
    // 8: the alert stream's acts (issue 13): the reason in Chinese beside the English one, the
    // note of an acknowledgement, snoozes, and silences for maintenance windows.
    r#"
    ALTER TABLE alerts ADD COLUMN message_zh TEXT;
    ALTER TABLE alerts ADD COLUMN note TEXT;
    ALTER TABLE alerts ADD COLUMN snoozed_until INTEGER;
    ALTER TABLE alerts ADD COLUMN snoozed_by TEXT;
    CREATE INDEX alerts_by_key ON alerts (source, subject, opened_at);
    CREATE TABLE silences (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        scope       TEXT NOT NULL CHECK (scope IN ('host', 'job', 'pattern')),
        target      TEXT NOT NULL,
        reason      TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        until       INTEGER NOT NULL,
        ended_at    INTEGER,
        ended_by    TEXT
    );
    CREATE INDEX silences_by_until ON silences (until);
    "#,
    // 9: the audit log hash-chained (issue 13): each row links to the one before it; the rows
    // already there are sealed in order by `audit::seal_unchained`, which makes the trigger
    // against updates again.
    r#"
    ALTER TABLE audit ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit ADD COLUMN hash TEXT;
    DROP TRIGGER audit_no_update;
    CREATE TRIGGER audit_chained BEFORE INSERT ON audit WHEN NEW.prev_hash IS NULL OR NEW.hash IS NULL
        BEGIN SELECT RAISE(ABORT, 'audit rows are hash-chained: write them through yunwei'); END;
    "#,
    // 10: notifications (issue 13): when each alert was handed to `[notify] command` (the
    // alerts already there count as handed, so none is sent late), and the leases that let one
    // of several consoles on a database do what must be done once.
    r#"
    ALTER TABLE alerts ADD COLUMN notified_at INTEGER;
    UPDATE alerts SET notified_at = updated_at;
    CREATE INDEX alerts_to_notify ON alerts (notified_at) WHERE notified_at IS NULL;
    CREATE TABLE leases (
        name        TEXT PRIMARY KEY,
        holder      TEXT NOT NULL,
        renewed_at  INTEGER NOT NULL
    );
    "#,
    // 11: shift handovers (issue 13): what one engineer hands the next, kept as written (its
    // audit row holds the same text); only who acknowledged it, and when, is set later.
    r#"
    CREATE TABLE handovers (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        at            INTEGER NOT NULL,
        from_operator TEXT NOT NULL,
        to_operator   TEXT,
        since         INTEGER NOT NULL,
        note          TEXT NOT NULL DEFAULT '',
        markdown      TEXT NOT NULL,
        audit_id      INTEGER NOT NULL,
        acked_at      INTEGER,
        acked_by      TEXT
    );
    CREATE TRIGGER handovers_no_delete BEFORE DELETE ON handovers
        BEGIN SELECT RAISE(ABORT, 'handovers are kept as written'); END;
    CREATE TRIGGER handovers_no_edit BEFORE UPDATE OF at, from_operator, to_operator, since, note, markdown, audit_id
        ON handovers BEGIN SELECT RAISE(ABORT, 'handovers are kept as written'); END;
    "#,
    // 12: network checks (issue 14): one row per probe of a check from one place, its state,
    // latency, reason in both languages and its short code; the ok rows are kept two days, the others 90.
    r#"
    CREATE TABLE net_results (
        id              INTEGER PRIMARY KEY,
        check_name      TEXT NOT NULL,
        origin          TEXT NOT NULL,
        kind            TEXT NOT NULL,
        target          TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('ok', 'warn', 'crit', 'unknown')),
        latency_ms      REAL,
        reason_en       TEXT NOT NULL,
        reason_zh       TEXT NOT NULL,
        brief           TEXT NOT NULL DEFAULT '',
        cert_expires_at INTEGER,
        checked_at      INTEGER NOT NULL
    );
    CREATE INDEX net_results_by_check ON net_results (check_name, origin, checked_at);
    CREATE INDEX net_results_by_time ON net_results (checked_at);
    "#,
    // 13: each filesystem's use over time (issue 15), beside the fullest disk that health_raw
    // and health_5m keep (kept as they are): a row per host, mount and minute at most, and
    // their 5-minute aggregates. A mount absent for a while has no rows then: a gap, not a zero.
    r#"
    CREATE TABLE fs_raw (
        host_id    INTEGER NOT NULL REFERENCES hosts(id),
        ts         INTEGER NOT NULL,
        mount      TEXT NOT NULL,
        used_pct   REAL NOT NULL,
        inodes_pct REAL,
        PRIMARY KEY (host_id, mount, ts)
    ) WITHOUT ROWID;
    CREATE INDEX fs_raw_by_time ON fs_raw (ts);
    CREATE TABLE fs_5m (
        host_id    INTEGER NOT NULL REFERENCES hosts(id),
        mount      TEXT NOT NULL,
        bucket     INTEGER NOT NULL,
        samples    INTEGER NOT NULL,
        used_min REAL, used_avg REAL, used_max REAL,
        inodes_min REAL, inodes_avg REAL, inodes_max REAL,
        PRIMARY KEY (host_id, mount, bucket)
    ) WITHOUT ROWID;
    CREATE INDEX fs_5m_by_time ON fs_5m (bucket);
    "#,
    // 14: the security baseline (issue 15): each inspection of a host (its items, its signs
    // of compromise, what it could not see), and the baseline recorded per host to compare
    // later runs with (JSON: listeners, crontab digests, timers, key fingerprints, UID 0
    // accounts; no crontab text, no secret).
    r#"
    CREATE TABLE baseline_runs (
        id        INTEGER PRIMARY KEY,
        host_id   INTEGER NOT NULL REFERENCES hosts(id),
        at        INTEGER NOT NULL,
        complete  INTEGER NOT NULL,
        as_root   INTEGER NOT NULL,
        error     TEXT,
        unseen_en TEXT NOT NULL DEFAULT '',
        unseen_zh TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX baseline_runs_by_host ON baseline_runs (host_id, at);
    CREATE TABLE baseline_items (
        run_id      INTEGER NOT NULL REFERENCES baseline_runs(id) ON DELETE CASCADE,
        item        TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pass', 'warn', 'fail', 'info', 'not_readable')),
        value       TEXT NOT NULL,
        expected_en TEXT NOT NULL,
        expected_zh TEXT NOT NULL,
        source      TEXT NOT NULL,
        note_en     TEXT,
        note_zh     TEXT,
        PRIMARY KEY (run_id, item)
    ) WITHOUT ROWID;
    CREATE TABLE baseline_signs (
        run_id   INTEGER NOT NULL REFERENCES baseline_runs(id) ON DELETE CASCADE,
        seq      INTEGER NOT NULL,
        kind     TEXT NOT NULL,
        weak     INTEGER NOT NULL,
        evidence TEXT NOT NULL,
        note_en  TEXT,
        note_zh  TEXT,
        PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE baseline_records (
        host_id     INTEGER PRIMARY KEY REFERENCES hosts(id),
        recorded_at INTEGER NOT NULL,
        record      TEXT NOT NULL
    );
    -- Each boot of a host seen by the health poller (sample time less uptime), once: the
    -- inspection report counts the reboots of a period.
    CREATE TABLE boots (
        host_id INTEGER NOT NULL REFERENCES hosts(id),
        boot_at INTEGER NOT NULL,
        PRIMARY KEY (host_id, boot_at)
    ) WITHOUT ROWID;
    "#,
    // 15: daily peaks (UTC days) of each host and filesystem, rolled up from the 5-minute
    // aggregates as they are written, so a quarter's report reads 92 rows a host, not 26 000;
    // filled here from what the aggregates already hold.
    r#"
    CREATE TABLE health_1d (
        host_id   INTEGER NOT NULL REFERENCES hosts(id),
        day       INTEGER NOT NULL,
        samples   INTEGER NOT NULL,
        reachable INTEGER NOT NULL,
        cpu_sum   REAL,
        cpu_n     INTEGER NOT NULL,
        cpu_max REAL, mem_max REAL, swap_max REAL, load_max REAL, disk_max REAL,
        PRIMARY KEY (host_id, day)
    ) WITHOUT ROWID;
    CREATE TABLE fs_1d (
        host_id    INTEGER NOT NULL REFERENCES hosts(id),
        mount      TEXT NOT NULL,
        day        INTEGER NOT NULL,
        used_max   REAL,
        inodes_max REAL,
        PRIMARY KEY (host_id, mount, day)
    ) WITHOUT ROWID;
    INSERT INTO health_1d
        SELECT host_id, (bucket / 86400) * 86400 AS day, sum(samples), sum(reachable_samples),
               sum(cpu_avg * samples), sum(CASE WHEN cpu_avg IS NULL THEN 0 ELSE samples END),
               max(cpu_max), max(mem_max), max(swap_max), max(load1_max), max(disk_max)
        FROM health_5m GROUP BY host_id, day;
    INSERT INTO fs_1d
        SELECT host_id, mount, (bucket / 86400) * 86400 AS day, max(used_max), max(inodes_max)
        FROM fs_5m GROUP BY host_id, mount, day;
    "#,
    // 16: the security posture per host and calendar day (`day`: the day's start in the
    // tickets' calendar offset, as the reports' periods are; a posture is taken every 30
    // minutes and its failed logins count the 24 hours before it): the day's highest count
    // and when it was seen, for the inspection report; a day with no count read keeps NULL.
    r#"
    CREATE TABLE posture_1d (
        host_id      INTEGER NOT NULL REFERENCES hosts(id),
        day          INTEGER NOT NULL,
        postures     INTEGER NOT NULL,
        logins_max   INTEGER,
        logins_at    INTEGER,
        PRIMARY KEY (host_id, day)
    ) WITHOUT ROWID;
    -- The notification command's sends of the last hour, whoever held the lease: the
    -- max_per_hour window outlives a restart and passes with the lease.
    CREATE TABLE notify_sends (
        seq INTEGER PRIMARY KEY,
        at  INTEGER NOT NULL
    );
    "#,
];

/// The migration after which the audit rows already written are sealed into the chain.
const AUDIT_CHAIN_MIGRATION: usize = 9;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The default database path: `$XDG_DATA_HOME/yunwei/yunwei.db`, else
/// `~/.local/share/yunwei/yunwei.db`.
pub fn default_path() -> PathBuf {
    default_path_with(
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

pub fn default_path_with(xdg_data_home: Option<PathBuf>, home: Option<PathBuf>) -> PathBuf {
    let base = match (xdg_data_home, home) {
        (Some(x), _) if x.is_absolute() => x,
        (_, Some(h)) => h.join(".local/share"),
        _ => PathBuf::from("."),
    };
    base.join("yunwei").join("yunwei.db")
}

/// One open database connection, owned by one thread.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Set when the database is read-only and was opened for viewing.
    read_only: Option<ReadOnly>,
    /// False when nothing may be written: read-only, or opened with [`Access::Read`].
    writes: bool,
    /// The mode a writable database had before it was tightened to 0600.
    tightened_from: Option<u32>,
}

/// What [`prepare`] found out about the file before SQLite touches it.
#[derive(Debug, Default)]
struct Prepared {
    read_only: Option<ReadOnly>,
    tightened_from: Option<u32>,
}

impl Store {
    /// Opens (creating when missing, folder included) the database at `path` for writing,
    /// sets the pragmas and migrates. A read-only database is refused.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, StoreOptions::new(Access::Write, true))
    }

    /// Opens the database as `options` say. Nothing is changed before the file is known to be
    /// a database (or missing): a file that is not one is left exactly as it was.
    pub fn open_with(path: &Path, options: StoreOptions) -> Result<Store> {
        let prepared = prepare(path, options)?;
        // Another process may hold the file exclusively for a moment (switching to WAL, or the
        // checkpoint of a closing connection), and SQLite reports some of those as BUSY without
        // calling the busy handler: retry the whole open within the busy timeout.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let writes = prepared.read_only.is_none() && options.access != Access::Read;
        let result = loop {
            let attempt = if writes { Store::connect(path) } else { Store::connect_reading(path) };
            match attempt {
                Err(StoreError::Sqlite { source, .. })
                    if matches!(
                        source.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(25));
                }
                other => break other,
            }
        };
        match result {
            Ok(conn) => {
                let store = Store {
                    conn,
                    path: path.to_path_buf(),
                    read_only: prepared.read_only,
                    writes,
                    tightened_from: prepared.tightened_from,
                };
                if !writes {
                    store.check_schema_for_reading()?;
                }
                Ok(store)
            }
            Err(e) => {
                // Not a database after all (damaged past its header): put the mode back.
                if let (StoreError::NotADatabase { .. }, Some(mode)) = (&e, prepared.tightened_from) {
                    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
                }
                Err(e)
            }
        }
    }

    fn connect(path: &Path) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        let mut store =
            Store { conn, path: path.to_path_buf(), read_only: None, writes: true, tightened_from: None };
        store.configure()?;
        store.migrate()?;
        Ok(store.conn)
    }

    /// A connection that cannot write. Without a `-wal` file nobody has the database open for
    /// writing, and it is opened immutable: SQLite then creates no `-wal` or `-shm` beside it
    /// (it would, even read-only, and leave them behind). With one, it reads through the WAL
    /// like any other reader.
    fn connect_reading(path: &Path) -> Result<Connection> {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let immutable = !Path::new(&wal).exists();
        let uri = format!("file:{}?mode=ro{}", uri_path(path), if immutable { "&immutable=1" } else { "" });
        let conn = Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| classify(path, e))?;
        // The first real read: a file that is not a database fails here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(|e| classify(path, e))?;
        Ok(conn)
    }

    /// A database that is only read must have this build's schema: it cannot be migrated.
    fn check_schema_for_reading(&self) -> Result<()> {
        let wrap = |e| classify(&self.path, e);
        let has_table: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .map_err(wrap)?;
        let found: i64 = if has_table == 0 {
            0
        } else {
            let v: Option<i64> = self
                .conn
                .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
                .map_err(wrap)?;
            v.unwrap_or(0)
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: self.path.clone(), found, known: SCHEMA_VERSION });
        }
        if found < SCHEMA_VERSION {
            return Err(StoreError::Old { path: self.path.clone(), found, read_only: self.read_only });
        }
        Ok(())
    }

    /// Set when the database is read-only and was opened for viewing: nothing is recorded.
    pub fn read_only(&self) -> Option<ReadOnly> {
        self.read_only
    }

    /// Whether this connection may write (false when read-only or opened to read).
    pub fn writes(&self) -> bool {
        self.writes
    }

    /// The mode the database had when it was found looser than 0600 and tightened.
    pub fn tightened_from(&self) -> Option<u32> {
        self.tightened_from
    }

    /// The one sentence that says the database was tightened, when it was.
    pub fn tightened_notice(&self, lang: Lang) -> Option<String> {
        self.tightened_from.map(|mode| {
            Msg::DbTightened.fill(lang, &[("path", &shown(&self.path)), ("mode", &format!("{mode:04o}"))])
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn configure(&mut self) -> Result<()> {
        let path = self.path.clone();
        let wrap = |e| classify(&path, e);
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(wrap)?;
        // Reading the journal mode is the first real read: a file that is not a database fails here.
        let current: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(wrap)?;
        let mode = if current.eq_ignore_ascii_case("wal") { current } else { self.switch_to_wal()? };
        if !mode.eq_ignore_ascii_case("wal") {
            // WAL is impossible on some network filesystems; keep going in the rollback journal.
            self.conn.pragma_update(None, "journal_mode", "DELETE").map_err(wrap)?;
        }
        self.conn.pragma_update(None, "foreign_keys", "ON").map_err(wrap)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(wrap)?;
        // SQLite's page cache grows with the file up to its bound (2 MiB by default), which a
        // console recording 50 hosts every 10 s reaches only after about 80 minutes: a resident
        // set that rises for an hour and more. Samples are appended at the right edge of
        // their tables and indexes, so a smaller cache costs the writes nothing, and it is
        // full within the first half hour.
        self.conn.pragma_update(None, "cache_size", -CACHE_KIB).map_err(wrap)?;
        // Reads go through a memory map of the file instead of read() into that small cache:
        // a queue of thousands of tickets is read without copying each page (page-cache memory
        // the kernel may take back, not the process's heap).
        self.conn.pragma_update(None, "mmap_size", MMAP_BYTES).map_err(wrap)?;
        Ok(())
    }

    /// Switching a new file to WAL needs a moment of exclusive access, and SQLite answers BUSY
    /// at once (no busy handler) when another process is opening the same new file: retry
    /// within the busy timeout.
    fn switch_to_wal(&mut self) -> Result<String> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
                Ok(mode) => return Ok(mode),
                Err(e)
                    if matches!(
                        e.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(classify(&self.path, e)),
            }
        }
    }

    /// Applies pending migrations in one immediate transaction, so two processes starting at
    /// once migrate exactly once.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let wrap = |e| classify(&path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .map_err(wrap)?;
        let found: Option<i64> =
            tx.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0)).map_err(wrap)?;
        let found = found.unwrap_or(0);
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: path.clone(), found, known: SCHEMA_VERSION });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql).map_err(wrap)?;
            if i + 1 == AUDIT_CHAIN_MIGRATION {
                audit::seal_unchained(&tx).map_err(wrap)?;
            }
            tx.execute("DELETE FROM schema_version", []).map_err(wrap)?;
            tx.execute("INSERT INTO schema_version (version) VALUES (?1)", [i as i64 + 1]).map_err(wrap)?;
        }
        tx.commit().map_err(wrap)?;
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?)
    }
}

/// Looks at the file before SQLite does. A missing file is created (0600, its folder 0700
/// when `create_folder`); an existing one must be a regular file that starts like an SQLite
/// database, else it is refused untouched. Then it is judged read-only or writable, and a
/// writable one looser than 0600 is tightened (SQLite gives the -wal and -shm files the mode
/// of the database file).
fn prepare(path: &Path, options: StoreOptions) -> Result<Prepared> {
    match std::fs::metadata(path) {
        Ok(meta) => prepare_existing(path, &meta, options),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && options.access != Access::Read => {
            create_new(path, options)
        }
        Err(e) => Err(stat_error(path, e)),
    }
}

fn stat_error(path: &Path, e: std::io::Error) -> StoreError {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => StoreError::NotPermitted { path: path.to_path_buf() },
        std::io::ErrorKind::NotADirectory => {
            StoreError::FolderNotDir { path: path.to_path_buf(), dir: not_a_folder(path) }
        }
        _ => StoreError::Read { path: path.to_path_buf(), source: e },
    }
}

/// The first part of `path` that exists and is not a folder.
fn not_a_folder(path: &Path) -> PathBuf {
    path.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find(|a| a.exists() && !a.is_dir())
        .unwrap_or_else(|| path.parent().unwrap_or(path))
        .to_path_buf()
}

fn create_new(path: &Path, options: StoreOptions) -> Result<Prepared> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(StoreError::FolderNotDir { path: path.to_path_buf(), dir: dir.to_path_buf() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !options.create_folder {
                return Err(StoreError::NoFolder { path: path.to_path_buf(), dir: dir.to_path_buf() });
            }
            DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|source| {
                match source.kind() {
                    std::io::ErrorKind::NotADirectory => {
                        StoreError::FolderNotDir { path: path.to_path_buf(), dir: not_a_folder(path) }
                    }
                    _ => StoreError::CreateFolder { dir: dir.to_path_buf(), source },
                }
            })?;
        }
        Err(e) => return Err(stat_error(path, e)),
    }
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(Prepared::default()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Another process created it a moment ago.
            let meta = std::fs::metadata(path).map_err(|e| stat_error(path, e))?;
            prepare_existing(path, &meta, options)
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(StoreError::NotPermitted { path: path.to_path_buf() })
        }
        Err(source) => Err(StoreError::Create { path: path.to_path_buf(), source }),
    }
}

fn prepare_existing(path: &Path, meta: &std::fs::Metadata, options: StoreOptions) -> Result<Prepared> {
    if meta.is_dir() {
        return Err(StoreError::IsADirectory { path: path.to_path_buf() });
    }
    if !meta.is_file() {
        return Err(StoreError::NotADatabase { path: path.to_path_buf() });
    }
    // Is it a database? Reading the header changes nothing.
    let mut file = File::open(path).map_err(|e| stat_error(path, e))?;
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => return Err(StoreError::Read { path: path.to_path_buf(), source }),
        }
    }
    // An empty file is a database not yet written (SQLite's own view).
    if got > 0 && (got < head.len() || &head != SQLITE_HEADER) {
        return Err(StoreError::NotADatabase { path: path.to_path_buf() });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if let Some(read_only) = read_only_why(path, mode) {
        if options.access == Access::Write {
            return Err(StoreError::ReadOnly { path: path.to_path_buf(), read_only });
        }
        return Ok(Prepared { read_only: Some(read_only), tightened_from: None });
    }
    if options.access == Access::Read || mode & 0o077 == 0 {
        return Ok(Prepared::default());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077))
        .map_err(|source| StoreError::Create { path: path.to_path_buf(), source })?;
    Ok(Prepared { read_only: None, tightened_from: Some(mode) })
}

/// Why yunwei must not write the existing database at `path` (mode `mode`), if it must not.
fn read_only_why(path: &Path, mode: u32) -> Option<ReadOnly> {
    let ro = |why| Some(ReadOnly { mode, why });
    if mode & 0o200 == 0 {
        return ro(ReadOnlyWhy::Mode);
    }
    // Opening for writing without writing changes nothing, not even the modification time.
    if let Err(e) = OpenOptions::new().write(true).open(path) {
        return match e.kind() {
            std::io::ErrorKind::ReadOnlyFilesystem => ro(ReadOnlyWhy::FileSystem),
            _ => ro(ReadOnlyWhy::NoAccess),
        };
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match folder_writable(dir) {
        Ok(()) => None,
        Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => ro(ReadOnlyWhy::FileSystem),
        Err(_) => ro(ReadOnlyWhy::Folder),
    }
}

/// access(2) with W_OK: whether this user may create files in `dir`.
fn folder_writable(dir: &Path) -> std::io::Result<()> {
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    let rc = unsafe { libc::access(c.as_ptr(), libc::W_OK) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `path` for an SQLite `file:` URI: every byte but letters, digits, `-._~/` percent-encoded.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path },
        Some(ErrorCode::CannotOpen) => StoreError::CannotOpen { path },
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path },
        _ => StoreError::Sqlite { path, source: e },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
    }

    #[test]
    fn creates_private_dir_and_file_and_migrates() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("deep/er/yunwei.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        store.conn().execute("INSERT INTO hosts(name) VALUES ('x')", []).unwrap();
        let wal = path.with_extension("db-wal");
        assert!(wal.exists(), "WAL mode expected");
        assert_eq!(mode(&wal), 0o600, "the WAL file must be private too");
        let jm: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(jm, "wal");
        let fk: i64 = store.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        drop(store);
        // Reopening is idempotent.
        assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn many_connections_opening_a_new_file_at_once() {
        for round in 0..5 {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join(format!("race{round}.db"));
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let path = path.clone();
                    std::thread::spawn(move || {
                        let mut s = Store::open(&path).map_err(|e| e.to_string())?;
                        for k in 0..20 {
                            let sample = crate::health::HostSample {
                                name: format!("h{i}"),
                                reachable: true,
                                sampled_at: k,
                                ..Default::default()
                            };
                            s.record_samples(&[sample]).map_err(|e| e.to_string())?;
                            s.maintain_health(1_000_000).map_err(|e| e.to_string())?;
                        }
                        Ok::<(), String>(())
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap().unwrap();
            }
            assert_eq!(Store::open(&path).unwrap().schema_version().unwrap(), SCHEMA_VERSION);
        }
    }

    /// Run as a child process by the test below (does nothing when run directly).
    #[test]
    #[ignore = "a child process of many_processes_opening_a_new_file_at_once, which runs it"]
    fn child_opens_and_writes() {
        let Some(path) = std::env::var_os("YUNWEI_TEST_CHILD_DB") else { return };
        // As the console does: open to check, close, open again in the worker and write.
        for round in 0..3 {
            drop(Store::open(Path::new(&path)).unwrap_or_else(|e| panic!("child open: {e}")));
            let mut s = Store::open(Path::new(&path)).unwrap_or_else(|e| panic!("child reopen: {e}"));
            for k in 0..10 {
                let sample = crate::health::HostSample {
                    name: "h".into(),
                    reachable: true,
                    sampled_at: round * 100 + k,
                    ..Default::default()
                };
                s.record_samples(&[sample]).unwrap_or_else(|e| panic!("child write: {e}"));
                s.maintain_health(1_000_000).unwrap_or_else(|e| panic!("child maintain: {e}"));
            }
        }
    }

    #[test]
    fn many_processes_opening_a_new_file_at_once() {
        let exe = std::env::current_exe().unwrap();
        for round in 0..30 {
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join(format!("procs{round}.db"));
            let children: Vec<_> = (0..8)
                .map(|_| {
                    std::process::Command::new(&exe)
                        .args([
                            "--exact",
                            "store::tests::child_opens_and_writes",
                            "--ignored",
                            "--test-threads",
                            "1",
                        ])
                        .env("YUNWEI_TEST_CHILD_DB", &path)
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            for c in children {
                let out = c.wait_with_output().unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout);
                assert!(out.status.success(), "a second process on the same database failed:\n{stdout}");
                assert!(stdout.contains("1 passed"), "the child test did not run:\n{stdout}");
            }
        }
    }

    #[test]
    fn loose_permissions_are_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("y.db");
        std::fs::write(&path, b"").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Store::open(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn refuses_a_file_that_is_not_a_database() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("notes.db");
        std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
        let err = Store::open(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("is not a yunwei database"), "{err}");
        // The file is left as it was.
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("these are my notes"));
    }

    /// The bytes of a file, to show it was not written.
    fn bytes(p: &Path) -> Vec<u8> {
        std::fs::read(p).unwrap()
    }

    fn sidecars(p: &Path) -> (bool, bool) {
        let side = |ext: &str| {
            let mut s = p.as_os_str().to_owned();
            s.push(ext);
            PathBuf::from(s).exists()
        };
        (side("-wal"), side("-shm"))
    }

    /// A database with a recorded sample, closed cleanly (no -wal left), then set to `mode`.
    fn db_with_mode(dir: &Path, mode: u32) -> PathBuf {
        let path = dir.join("y.db");
        let mut store = Store::open(&path).unwrap();
        let sample = crate::health::HostSample {
            name: "db1".into(),
            reachable: true,
            cpu_pct: Some(42.0),
            sampled_at: 1_000,
            ..Default::default()
        };
        store.record_samples(&[sample]).unwrap();
        drop(store);
        assert_eq!(sidecars(&path), (false, false), "a clean close removes the WAL");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn a_database_without_owner_write_permission_is_never_made_writable_nor_written() {
        // The tests run as root, who could write it anyway: the mode bits decide.
        let tmp = tempfile::tempdir().unwrap();
        let path = db_with_mode(tmp.path(), 0o444);
        let before = bytes(&path);
        let shown = path.display().to_string();

        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
        assert_eq!(
            err.text(Lang::En),
            format!(
                "{shown}: the database is read-only (mode 0444: not writable by its owner) and this \
                 command must write to it; yunwei never makes it writable itself: make it writable \
                 (chmod u+w {shown}) or pass another --db"
            )
        );
        assert_eq!(
            err.text(Lang::ZhCn),
            format!(
                "{shown}：数据库只读（权限 0444：属主不可写），而此命令必须写入；运维台不会自行改为可写：\
                 请使其可写（chmod u+w {shown}），或用 --db 指定其他文件"
            )
        );
        assert_eq!((mode(&path), bytes(&path) == before, sidecars(&path)), (0o444, true, (false, false)));

        // Viewing: it opens, reads, and writes nothing.
        let store = Store::open_with(&path, StoreOptions::new(Access::WriteOrView, false)).unwrap();
        assert_eq!(store.read_only(), Some(ReadOnly { mode: 0o444, why: ReadOnlyWhy::Mode }));
        assert!(!store.writes());
        assert_eq!(store.read_only().map(|r| r.text(Lang::ZhCn)).unwrap(), "权限 0444：属主不可写");
        let history = store.cpu_history("db1", 0).unwrap();
        assert_eq!(history, vec![(1_000, true, Some(42.0))]);
        assert!(store.open_alerts().unwrap().is_empty());
        assert!(store.audit("ops", "x", "y", "z").is_err(), "the connection itself cannot write");
        drop(store);
        assert_eq!((mode(&path), bytes(&path) == before, sidecars(&path)), (0o444, true, (false, false)));
    }

    #[test]
    fn a_read_only_database_of_an_older_schema_is_refused_not_upgraded() {
        let tmp = tempfile::tempdir().unwrap();
        let path = db_with_mode(tmp.path(), 0o600);
        Connection::open(&path).unwrap().execute("UPDATE schema_version SET version = 2", []).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        let before = bytes(&path);
        let err = Store::open_with(&path, StoreOptions::new(Access::WriteOrView, false)).err().unwrap();
        let shown = path.display();
        assert_eq!(
            err.text(Lang::En),
            format!(
                "{shown}: is read-only (mode 0400: not writable by its owner) and was written by an \
                 older yunwei (schema version 2); upgrading it needs write permission: make it writable \
                 (chmod u+w) or pass another --db"
            )
        );
        assert_eq!((mode(&path), bytes(&path) == before), (0o400, true));
    }

    #[test]
    fn a_loose_writable_database_is_tightened_and_says_so_once() {
        let tmp = tempfile::tempdir().unwrap();
        let path = db_with_mode(tmp.path(), 0o644);
        let store = Store::open_with(&path, StoreOptions::new(Access::WriteOrView, false)).unwrap();
        assert_eq!(store.read_only(), None);
        assert!(store.writes());
        assert_eq!(mode(&path), 0o600);
        let shown = path.display();
        assert_eq!(
            store.tightened_notice(Lang::En).unwrap(),
            format!("{shown} was readable by others (mode 0644); it is now 0600, for its owner only")
        );
        assert_eq!(
            store.tightened_notice(Lang::ZhCn).unwrap(),
            format!("{shown} 原先其他用户也可访问（权限 0644）；现已改为 0600，仅属主可读写")
        );
        drop(store);
        assert_eq!(Store::open(&path).unwrap().tightened_notice(Lang::En), None, "said once");
    }

    #[test]
    fn reading_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let path = db_with_mode(tmp.path(), 0o644);
        let before = bytes(&path);
        let store = Store::open_with(&path, StoreOptions::new(Access::Read, false)).unwrap();
        assert!(!store.writes());
        assert_eq!(store.cpu_history("db1", 0).unwrap().len(), 1);
        drop(store);
        // Not even tightened: a read is not the moment to change the file.
        assert_eq!((mode(&path), bytes(&path) == before, sidecars(&path)), (0o644, true, (false, false)));
        // A missing file is not created.
        let missing = tmp.path().join("none.db");
        let err = Store::open_with(&missing, StoreOptions::new(Access::Read, true)).err().unwrap();
        assert_eq!(
            err.text(Lang::En),
            format!("{}: cannot read the database: no such file or directory", missing.display())
        );
        assert!(!missing.exists());
    }

    #[test]
    fn a_refused_file_keeps_its_mode_and_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("notes.db");
        std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let before = bytes(&path);
        for access in [Access::Write, Access::WriteOrView, Access::Read] {
            let err = Store::open_with(&path, StoreOptions::new(access, true)).err().unwrap();
            assert_eq!(
                err.text(Lang::En),
                format!(
                    "{}: is not a yunwei database (not an SQLite file, or damaged); it was left as it is: \
                     move it aside or pass another --db",
                    path.display()
                )
            );
            assert_eq!(
                err.text(Lang::ZhCn),
                format!(
                    "{}：不是运维台数据库（不是 SQLite 文件，或已损坏）；文件未作任何改动：请把它移开，或用 --db 指定其他文件",
                    path.display()
                )
            );
            assert_eq!((mode(&path), bytes(&path) == before, sidecars(&path)), (0o644, true, (false, false)));
        }
        // Damaged past a good header: SQLite refuses it, and the mode is put back.
        let mut damaged = SQLITE_HEADER.to_vec();
        damaged.extend(std::iter::repeat_n(0xa5u8, 8192));
        std::fs::write(&path, &damaged).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        assert_eq!((mode(&path), bytes(&path) == damaged), (0o644, true));
    }

    #[test]
    fn bad_paths_are_named_with_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().display().to_string();
        let named =
            |p: &Path| Store::open_with(p, StoreOptions::new(Access::WriteOrView, false)).err().unwrap();

        let err = named(tmp.path());
        assert_eq!(
            err.text(Lang::En),
            format!("{dir}: is a directory; --db names the database file itself, e.g. --db {dir}/yunwei.db")
        );
        assert_eq!(
            err.text(Lang::ZhCn),
            format!("{dir}：是目录；--db 应指定数据库文件本身，例如 --db {dir}/yunwei.db")
        );

        let missing = tmp.path().join("typo/y.db");
        let err = named(&missing);
        assert_eq!(
            err.text(Lang::En),
            format!("{dir}/typo/y.db: its folder {dir}/typo does not exist; create it (mkdir -p {dir}/typo) or pass another --db")
        );
        assert_eq!(
            err.text(Lang::ZhCn),
            format!("{dir}/typo/y.db：所在目录 {dir}/typo 不存在；请先创建（mkdir -p {dir}/typo），或用 --db 指定其他文件")
        );
        assert!(!tmp.path().join("typo").exists(), "a folder the user named is not created");

        std::fs::write(tmp.path().join("file"), "x").unwrap();
        let err = named(&tmp.path().join("file/y.db"));
        assert_eq!(
            err.text(Lang::En),
            format!("{dir}/file/y.db: {dir}/file is not a folder; pass another --db")
        );
        let err = Store::open(&tmp.path().join("file/deeper/y.db")).err().unwrap();
        assert_eq!(
            err.text(Lang::En),
            format!("{dir}/file/deeper/y.db: {dir}/file is not a folder; pass another --db")
        );
        for e in [named(tmp.path()), named(&missing)] {
            assert!(!e.text(Lang::En).contains("os error") && !e.text(Lang::En).contains("unable to open"));
        }
    }

    #[test]
    fn a_path_with_odd_characters_is_opened_and_shown_escaped() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a?b#c%d \u{1b}e.db");
        let store = Store::open(&path).unwrap();
        drop(store);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let store = Store::open_with(&path, StoreOptions::new(Access::Read, false)).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let err = Store::open(&path).err().unwrap();
        assert!(err.text(Lang::En).contains("a?b#c%d \\u{1b}e.db"), "{}", err.text(Lang::En));
        assert!(!err.text(Lang::En).contains('\u{1b}'));
    }

    #[test]
    fn refuses_a_newer_schema() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("y.db");
        let store = Store::open(&path).unwrap();
        store.conn().execute("UPDATE schema_version SET version = 99", []).unwrap();
        drop(store);
        let err = Store::open(&path).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("newer yunwei (schema version 99"), "{err}");
    }

    #[test]
    fn default_path_honours_xdg() {
        assert_eq!(
            default_path_with(Some("/x/data".into()), Some("/home/u".into())),
            PathBuf::from("/x/data/yunwei/yunwei.db")
        );
        assert_eq!(
            default_path_with(None, Some("/home/u".into())),
            PathBuf::from("/home/u/.local/share/yunwei/yunwei.db")
        );
        // A relative XDG_DATA_HOME is invalid by the spec and ignored.
        assert_eq!(
            default_path_with(Some("rel".into()), Some("/home/u".into())),
            PathBuf::from("/home/u/.local/share/yunwei/yunwei.db")
        );
    }
}
