//! The SQLite store: opening the file safely (modes 0600/0700, WAL, busy timeout), versioned
//! migrations, and one module per table family. The only place in yunwei that speaks SQL.

pub mod alerts;
pub mod audit;
pub mod health;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

/// How long a writer waits for another yunwei process to finish its write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: is not a yunwei database (not an SQLite file, or damaged); move it aside or pass another --db")]
    NotADatabase { path: PathBuf },
    #[error(
        "{path}: was written by a newer yunwei (schema version {found}; this yunwei knows up to {known}); \
         upgrade yunwei or use another --db"
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("{path}: cannot create {what}: {source}")]
    Create { path: PathBuf, what: &'static str, source: std::io::Error },
    #[error("{path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("database: {0}")]
    Query(#[from] rusqlite::Error),
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
];

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
}

impl Store {
    /// Opens (creating when missing) the database at `path`, sets the pragmas and migrates.
    pub fn open(path: &Path) -> Result<Store> {
        // Another process may hold the file exclusively for a moment (switching to WAL, or the
        // checkpoint of a closing connection), and SQLite reports some of those as BUSY without
        // calling the busy handler: retry the whole open within the busy timeout.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match Store::open_once(path) {
                Err(StoreError::Sqlite { source, .. })
                    if matches!(
                        source.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(25));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store> {
        prepare_file(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        let mut store = Store { conn, path: path.to_path_buf() };
        store.configure()?;
        store.migrate()?;
        Ok(store)
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

/// Creates the directory (0700) and the file (0600) before SQLite touches them, and tightens a
/// file that exists with looser permissions. SQLite gives the -wal and -shm files the mode of
/// the database file.
fn prepare_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|source| {
                StoreError::Create { path: dir.to_path_buf(), what: "the directory", source }
            })?;
        }
    }
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = std::fs::metadata(path).map_err(|source| StoreError::Create {
                path: path.to_path_buf(),
                what: "the database",
                source,
            })?;
            if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
                    StoreError::Create { path: path.to_path_buf(), what: "the database (chmod 0600)", source }
                })?;
            }
            Ok(())
        }
        Err(source) => Err(StoreError::Create { path: path.to_path_buf(), what: "the database", source }),
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path: path.to_path_buf() },
        _ => StoreError::Sqlite { path: path.to_path_buf(), source: e },
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
