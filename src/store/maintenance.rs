//! The database's own upkeep: a consistent copy taken while a console writes (`VACUUM INTO`),
//! the integrity, foreign-key and schema checks, and the figures of its size. Nothing here
//! migrates, tightens or otherwise changes the database it looks at; only a backup's audit row
//! is written to it.

use std::fs::OpenOptions;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{
    classify, not_a_folder, prepare, shown, uri_path, Access, ReadOnly, Result, Store, StoreError,
    StoreOptions, BUSY_TIMEOUT, SCHEMA_VERSION,
};
use crate::i18n::{Lang, Msg};

/// What goes wrong writing a backup. The database side is a [`StoreError`]; every other
/// variant names the backup's path and says what to do.
#[derive(Debug)]
pub enum BackupError {
    Source(StoreError),
    Exists { path: PathBuf },
    IsSource { path: PathBuf },
    IsADirectory { path: PathBuf },
    NoFolder { path: PathBuf, dir: PathBuf },
    FolderNotDir { path: PathBuf, dir: PathBuf },
    NotPermitted { path: PathBuf, dir: PathBuf },
    DiskFull { path: PathBuf },
    ReadOnlyFs { path: PathBuf, dir: PathBuf },
    Write { path: PathBuf, source: std::io::Error },
    Copy { path: PathBuf, source: rusqlite::Error },
    BadCopy { path: PathBuf, finding: String },
    Audit { path: PathBuf, error: StoreError },
}

impl BackupError {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let p = |path: &Path| shown(path);
        match self {
            BackupError::Source(e) => e.text(lang),
            BackupError::Exists { path } => Msg::DbBackupExists.fill(lang, &[("path", &p(path))]),
            BackupError::IsSource { path } => Msg::DbBackupIsSource.fill(lang, &[("path", &p(path))]),
            BackupError::IsADirectory { path } => Msg::DbBackupIsDirectory.fill(lang, &[("path", &p(path))]),
            BackupError::NoFolder { path, dir } => {
                Msg::DbBackupNoFolder.fill(lang, &[("path", &p(path)), ("dir", &p(dir))])
            }
            BackupError::FolderNotDir { path, dir } => {
                Msg::DbBackupFolderNotDir.fill(lang, &[("path", &p(path)), ("dir", &p(dir))])
            }
            BackupError::NotPermitted { path, dir } => {
                Msg::DbBackupNotPermitted.fill(lang, &[("path", &p(path)), ("dir", &p(dir))])
            }
            BackupError::DiskFull { path } => Msg::DbBackupDiskFull.fill(lang, &[("path", &p(path))]),
            BackupError::ReadOnlyFs { path, dir } => {
                Msg::DbBackupReadOnlyFs.fill(lang, &[("path", &p(path)), ("dir", &p(dir))])
            }
            BackupError::Write { path, source } => Msg::DbBackupWriteFailed
                .fill(lang, &[("path", &p(path)), ("reason", &crate::i18n::io_error(source, lang))]),
            BackupError::Copy { path, source } => Msg::DbBackupCopyFailed.fill(
                lang,
                &[("path", &p(path)), ("error", &crate::text::escape_unprintable(&source.to_string()))],
            ),
            BackupError::BadCopy { path, finding } => Msg::DbBackupBadCopy
                .fill(lang, &[("path", &p(path)), ("error", &crate::text::escape_unprintable(finding))]),
            BackupError::Audit { path, error } => {
                Msg::DbBackupAuditFailed.fill(lang, &[("path", &p(path)), ("error", &error.text(lang))])
            }
        }
    }
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for BackupError {}

/// A backup that was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Where it is, absolute.
    pub path: PathBuf,
    pub bytes: u64,
    /// Set when the database is read-only: the backup was made, but no audit row could be.
    pub not_audited: Option<ReadOnly>,
}

/// Who takes the backup and whether an existing file may be replaced.
#[derive(Debug, Clone)]
pub struct BackupOptions {
    pub operator: String,
    pub force: bool,
}

/// Removes a temporary file unless it was put in place.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The name of the SQLite file beside `db` ending in `suffix` (`-wal`, `-shm`, `-journal`).
fn beside(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Writes a consistent copy of the database at `db` to `target`, also while a console is
/// writing to it. The copy is made in a temporary file of mode 0600 in `target`'s folder (so it
/// is never readable by others, not even for a moment), checked, recorded in the audit log,
/// and only then given its name. A read-only database is copied all the same, without an
/// audit row (it cannot be written); [`Backup::not_audited`] says so.
pub fn backup(db: &Path, target: &Path, options: &BackupOptions) -> std::result::Result<Backup, BackupError> {
    let prepared = prepare(db, StoreOptions::new(Access::Read, false)).map_err(BackupError::Source)?;
    let (dir, absolute) = check_target(db, target, options.force)?;

    let temp = create_temp(&dir, target)?;
    let conn = copy_into(db, prepared.read_only, &temp.path, target)?;
    let file = std::fs::File::open(&temp.path).map_err(|e| write_error(target, &dir, e))?;
    file.sync_all().map_err(|e| write_error(target, &dir, e))?;
    drop(file);
    verify_copy(&temp.path, target)?;
    let bytes = std::fs::metadata(&temp.path).map_err(|e| write_error(target, &dir, e))?.len();

    // The copy holds personal data: it gets its name only once the audit log says where it went.
    if prepared.read_only.is_none() {
        let store =
            Store { conn, path: db.to_path_buf(), read_only: None, writes: true, tightened_from: None };
        let detail = format!("VACUUM INTO, {bytes} bytes");
        store
            .audit(&options.operator, "db.backup", &absolute.display().to_string(), &detail)
            .map_err(|error| BackupError::Audit { path: target.to_path_buf(), error })?;
    } else {
        drop(conn);
    }
    let mut temp = temp;
    place(&temp.path, target, &dir, options.force)?;
    temp.keep = true;
    // The new name is durable once the folder is.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(Backup { path: absolute, bytes, not_audited: prepared.read_only })
}

/// Refuses a target that is the database (or its journal), a folder, in a missing folder, or
/// that exists without `force`. Returns the target's folder and its absolute path.
fn check_target(
    db: &Path,
    target: &Path,
    force: bool,
) -> std::result::Result<(PathBuf, PathBuf), BackupError> {
    let path = || target.to_path_buf();
    let Some(name) = target.file_name() else {
        return Err(BackupError::IsADirectory { path: path() });
    };
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(BackupError::FolderNotDir { path: path(), dir: not_a_folder(target) }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::NoFolder { path: path(), dir: dir.to_path_buf() })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(BackupError::FolderNotDir { path: path(), dir: not_a_folder(target) })
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(BackupError::NotPermitted { path: path(), dir: dir.to_path_buf() })
        }
        Err(source) => return Err(BackupError::Write { path: path(), source }),
    }
    let dir = std::fs::canonicalize(dir).map_err(|source| BackupError::Write { path: path(), source })?;
    let absolute = dir.join(name);
    // The database itself, or a file SQLite keeps beside it, by name (also when it does not
    // exist yet) and by identity (a hard link or a symbolic link to it).
    let db_abs = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let sqlite_files: Vec<PathBuf> =
        ["", "-wal", "-shm", "-journal"].iter().map(|s| beside(&db_abs, s)).collect();
    if sqlite_files.contains(&absolute) {
        return Err(BackupError::IsSource { path: path() });
    }
    if let Ok(meta) = std::fs::metadata(target) {
        let same =
            |p: &PathBuf| std::fs::metadata(p).is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino());
        if sqlite_files.iter().any(same) {
            return Err(BackupError::IsSource { path: path() });
        }
        if meta.is_dir() {
            return Err(BackupError::IsADirectory { path: path() });
        }
    }
    if !force && std::fs::symlink_metadata(target).is_ok() {
        return Err(BackupError::Exists { path: path() });
    }
    Ok((dir, absolute))
}

fn write_error(target: &Path, dir: &Path, e: std::io::Error) -> BackupError {
    let path = target.to_path_buf();
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => BackupError::NotPermitted { path, dir: dir.to_path_buf() },
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => BackupError::DiskFull { path },
        std::io::ErrorKind::ReadOnlyFilesystem => BackupError::ReadOnlyFs { path, dir: dir.to_path_buf() },
        _ => BackupError::Write { path, source: e },
    }
}

/// A new, empty file of mode 0600 beside `target` (whatever the umask), for SQLite to write
/// the copy into.
fn create_temp(dir: &Path, target: &Path) -> std::result::Result<TempFile, BackupError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.{}-{n}.yunwei-backup", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(file) => {
                let temp = TempFile { path, keep: false };
                file.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| write_error(target, dir, e))?;
                return Ok(temp);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_error(target, dir, e)),
        }
    }
}

/// `VACUUM INTO` the file at `into`: one read transaction, so the copy is the database as it
/// was at one moment, whatever a console writes meanwhile. A writable database is opened for
/// writing (without creating or migrating anything), which the audit row needs; a read-only
/// one is attached read-only to a connection of its own.
fn copy_into(
    db: &Path,
    read_only: Option<ReadOnly>,
    into: &Path,
    target: &Path,
) -> std::result::Result<Connection, BackupError> {
    let flags =
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let source = |e| BackupError::Source(classify(db, e));
    let (conn, schema) = if read_only.is_none() {
        let conn = Connection::open_with_flags(format!("file:{}", uri_path(db)), flags).map_err(source)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(source)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).map_err(source)?;
        (conn, "main")
    } else {
        let conn =
            Connection::open_with_flags(":memory:", flags | OpenFlags::SQLITE_OPEN_CREATE).map_err(source)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(source)?;
        conn.execute("ATTACH DATABASE ?1 AS src", [reading_uri(db)]).map_err(source)?;
        conn.query_row("SELECT count(*) FROM src.sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(source)?;
        (conn, "src")
    };
    let into_uri = format!("file:{}", uri_path(into));
    match conn.execute(&format!("VACUUM {schema} INTO ?1"), [&into_uri]) {
        Ok(_) => Ok(conn),
        Err(e) => Err(match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => BackupError::DiskFull { path: target.to_path_buf() },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => source(e),
            _ => BackupError::Copy { path: target.to_path_buf(), source: e },
        }),
    }
}

/// The URI that reads `db` without writing beside it: immutable when no `-wal` says that a
/// writer has it open.
fn reading_uri(db: &Path) -> String {
    let immutable = !beside(db, "-wal").exists();
    format!("file:{}?mode=ro{}", uri_path(db), if immutable { "&immutable=1" } else { "" })
}

/// The copy must read back as a sound database before it is given its name.
fn verify_copy(copy: &Path, target: &Path) -> std::result::Result<(), BackupError> {
    let bad = |finding: String| BackupError::BadCopy { path: target.to_path_buf(), finding };
    let conn = Connection::open_with_flags(
        format!("file:{}?mode=ro&immutable=1", uri_path(copy)),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(e.to_string()))?;
    let verdict: String =
        conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(|e| bad(e.to_string()))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(bad(verdict))
    }
}

/// Gives the finished copy its name: never over an existing file unless `force`.
fn place(temp: &Path, target: &Path, dir: &Path, force: bool) -> std::result::Result<(), BackupError> {
    if force {
        return std::fs::rename(temp, target).map_err(|e| write_error(target, dir, e));
    }
    // A hard link fails when the name is taken, so a file that appeared meanwhile is kept.
    match std::fs::hard_link(temp, target) {
        Ok(()) => {
            let _ = std::fs::remove_file(temp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(BackupError::Exists { path: target.to_path_buf() })
        }
        // A file system without hard links: look, then rename.
        Err(_) if std::fs::symlink_metadata(target).is_ok() => {
            Err(BackupError::Exists { path: target.to_path_buf() })
        }
        Err(_) => std::fs::rename(temp, target).map_err(|e| write_error(target, dir, e)),
    }
}

/// How sound the database is.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub path: PathBuf,
    /// `quick_check` rather than `integrity_check`.
    pub quick: bool,
    /// Why the database could not be read at all (then nothing else was checked).
    pub open_error: Option<String>,
    /// What SQLite's check found, in its own words: empty when the database is sound.
    pub integrity_errors: Vec<String>,
    /// Why the check could not finish, in the user's language.
    pub integrity_error: Option<String>,
    pub foreign_key_violations: Vec<FkViolation>,
    pub foreign_key_error: Option<String>,
    /// `None` when the database has no schema_version table.
    pub schema_version: Option<i64>,
    pub schema_error: Option<String>,
    pub schema_known: i64,
    /// `wal` or `delete` (a rollback journal), from the file's header.
    pub journal_mode: Option<String>,
    /// The permission bits of the database file (when it exists) and of its `-wal` (when
    /// there is one).
    pub file_mode: Option<u32>,
    pub wal_mode: Option<u32>,
}

impl CheckReport {
    /// Whether SQLite's integrity (or quick) check found the database sound.
    pub fn sound(&self) -> bool {
        self.open_error.is_none() && self.integrity_errors.is_empty() && self.integrity_error.is_none()
    }
}

/// A row whose foreign key names a row that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FkViolation {
    pub table: String,
    pub rowid: Option<i64>,
    pub parent: String,
}

/// Opens an existing database to read it, changing nothing: a writable one read-write (so it
/// takes SQLite's locks, and a console writing meanwhile is seen consistently) but with
/// `query_only`; a read-only one as [`Store::open_with`] reads it.
fn open_to_read(path: &Path) -> Result<(Connection, Option<ReadOnly>)> {
    let prepared = prepare(path, StoreOptions::new(Access::Read, false))?;
    let conn = if prepared.read_only.is_some() {
        Store::connect_reading(path)?
    } else {
        let conn = Connection::open_with_flags(
            format!("file:{}", uri_path(path)),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "query_only", "ON").map_err(|e| classify(path, e))?;
        conn
    };
    Ok((conn, prepared.read_only))
}

fn mode_of(path: &Path) -> Option<u32> {
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
}

/// `wal` or `delete`, from bytes 18 and 19 of the header (2 for WAL, 1 for a rollback journal).
fn journal_from_header(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    match (head[18], head[19]) {
        (2, 2) => Some("wal".into()),
        (1, 1) => Some("delete".into()),
        _ => None,
    }
}

/// Checks the database at `path`: SQLite's integrity (or quick) check, the foreign keys, the
/// schema version against this build's, the journal mode and the file's mode. A database that
/// cannot be read at all is a report with [`CheckReport::open_error`] set, not an error.
pub fn check(path: &Path, quick: bool, lang: Lang) -> CheckReport {
    let mut report = CheckReport {
        path: path.to_path_buf(),
        quick,
        open_error: None,
        integrity_errors: Vec::new(),
        integrity_error: None,
        foreign_key_violations: Vec::new(),
        foreign_key_error: None,
        schema_version: None,
        schema_error: None,
        schema_known: SCHEMA_VERSION,
        journal_mode: journal_from_header(path),
        file_mode: mode_of(path),
        wal_mode: mode_of(&beside(path, "-wal")),
    };
    let conn = match open_to_read(path) {
        Ok((conn, _)) => conn,
        Err(e) => {
            report.open_error = Some(e.text(lang));
            return report;
        }
    };
    let pragma = if quick { "quick_check" } else { "integrity_check" };
    let findings = conn.prepare(&format!("PRAGMA {pragma}(100)")).and_then(|mut stmt| {
        stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()
    });
    // A check that stops on the damage it meets is a finding too.
    let said = |e: rusqlite::Error| match classify(path, e) {
        StoreError::Corrupt { .. } => Msg::DbCheckStopped.text(lang).to_string(),
        other => other.text(lang),
    };
    match findings {
        Ok(rows) => report.integrity_errors = rows.into_iter().filter(|r| r != "ok").collect(),
        Err(e) => report.integrity_error = Some(said(e)),
    }
    let violations = conn.prepare("PRAGMA foreign_key_check").and_then(|mut stmt| {
        stmt.query_map([], |r| Ok(FkViolation { table: r.get(0)?, rowid: r.get(1)?, parent: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()
    });
    match violations {
        Ok(v) => report.foreign_key_violations = v,
        Err(e) => report.foreign_key_error = Some(said(e)),
    }
    match schema_version(&conn) {
        Ok(v) => report.schema_version = v,
        Err(e) => report.schema_error = Some(said(e)),
    }
    report
}

fn schema_version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    if !has_table(conn, "schema_version")? {
        return Ok(None);
    }
    conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
}

fn has_table(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n > 0)
}

/// The figures of the database: its files, each table's rows and bytes, the time span of what
/// it holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    pub path: PathBuf,
    pub file_bytes: u64,
    pub wal_bytes: u64,
    pub shm_bytes: u64,
    pub page_size: i64,
    pub page_count: i64,
    pub free_pages: i64,
    /// `dbstat` when each table's bytes come from SQLite's dbstat table; `none` when this
    /// SQLite has none (then `bytes` is null).
    pub bytes_source: &'static str,
    pub tables: Vec<TableStats>,
    pub health: Span,
    /// The five-minute aggregates, kept longer than the raw samples.
    pub health_5m: Span,
    pub alerts: Span,
    pub open_alerts: Option<i64>,
    pub audit: Span,
}

/// One table: its rows, and the bytes of its pages and of its indexes' pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableStats {
    pub name: String,
    pub rows: i64,
    pub bytes: Option<i64>,
}

/// How many rows a table holds and the oldest and newest of their times (Unix seconds);
/// `rows` is null when the table does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Span {
    pub rows: Option<i64>,
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
}

/// Reads the figures of the database at `path`, changing nothing.
pub fn stats(path: &Path) -> Result<Stats> {
    // The files as they are, before this connection adds a -wal and -shm of its own.
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let (file_bytes, wal_bytes, shm_bytes) =
        (size(path), size(&beside(path, "-wal")), size(&beside(path, "-shm")));
    let (conn, _) = open_to_read(path)?;
    let wrap = |e| classify(path, e);
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let page_size = pragma("page_size").map_err(wrap)?;
    let page_count = pragma("page_count").map_err(wrap)?;
    let free_pages = pragma("freelist_count").map_err(wrap)?;

    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(wrap)?;
    // A full-text table keeps its data in shadow tables (`ticket_search_data`, …): they are
    // counted as the table they serve, not listed.
    let virtual_tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(wrap)?;
    let served_by = |table: &str| -> Option<String> {
        virtual_tables
            .iter()
            .find(|v| {
                table
                    .strip_prefix(v.as_str())
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|suffix| FTS_SHADOWS.contains(&suffix))
            })
            .cloned()
    };
    let names: Vec<String> = names.into_iter().filter(|n| served_by(n).is_none()).collect();
    let bytes = table_bytes(&conn)
        .map_err(wrap)?
        .map(|rows| rows.into_iter().map(|(t, n)| (served_by(&t).unwrap_or(t), n)).collect::<Vec<_>>());
    let mut tables = Vec::new();
    for name in names {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let rows: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get(0)).map_err(wrap)?;
        let bytes = bytes.as_ref().map(|b| b.iter().filter(|(t, _)| *t == name).map(|(_, n)| n).sum());
        tables.push(TableStats { name, rows, bytes });
    }
    let span = |table: &str, column: &str| -> Result<Span> {
        if !has_table(&conn, table).map_err(wrap)? {
            return Ok(Span::default());
        }
        conn.query_row(&format!("SELECT count(*), min({column}), max({column}) FROM {table}"), [], |r| {
            Ok(Span { rows: Some(r.get(0)?), oldest: r.get(1)?, newest: r.get(2)? })
        })
        .map_err(wrap)
    };
    let open_alerts = if has_table(&conn, "alerts").map_err(wrap)? {
        Some(
            conn.query_row("SELECT count(*) FROM alerts WHERE cleared_at IS NULL", [], |r| r.get(0))
                .map_err(wrap)?,
        )
    } else {
        None
    };
    Ok(Stats {
        path: path.to_path_buf(),
        file_bytes,
        wal_bytes,
        shm_bytes,
        page_size,
        page_count,
        free_pages,
        bytes_source: if bytes.is_some() { "dbstat" } else { "none" },
        health: span("health_raw", "ts")?,
        health_5m: span("health_5m", "bucket")?,
        alerts: span("alerts", "opened_at")?,
        open_alerts,
        audit: span("audit", "ts")?,
        tables,
    })
}

/// The shadow tables of an FTS5 table, by the suffix after its name.
const FTS_SHADOWS: &[&str] = &["data", "idx", "content", "docsize", "config"];

/// The bytes of each table's pages and its indexes' (by the table they belong to), from
/// SQLite's dbstat table; `None` when this SQLite was built without it.
fn table_bytes(conn: &Connection) -> rusqlite::Result<Option<Vec<(String, i64)>>> {
    let has_dbstat: i64 = conn.query_row(
        "SELECT count(*) FROM pragma_compile_options WHERE compile_options = 'ENABLE_DBSTAT_VTAB'",
        [],
        |r| r.get(0),
    )?;
    if has_dbstat == 0 {
        return Ok(None);
    }
    let mut stmt = conn.prepare(
        "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize)
         FROM dbstat AS d LEFT JOIN sqlite_master AS m ON m.name = d.name
         GROUP BY 1",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::HostSample;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).map(|m| m.permissions().mode() & 0o7777).unwrap_or(0)
    }

    fn sample(host: &str, ts: i64) -> HostSample {
        HostSample {
            name: host.into(),
            reachable: true,
            cpu_pct: Some(12.5),
            sampled_at: ts,
            ..Default::default()
        }
    }

    /// A database with `n` samples of one host, closed cleanly.
    fn db_with_samples(dir: &Path, n: i64) -> PathBuf {
        let path = dir.join("y.db");
        let mut store = Store::open(&path).unwrap();
        let samples: Vec<_> = (0..n).map(|i| sample("app1", 1_000 + i)).collect();
        store.record_samples(&samples).unwrap();
        drop(store);
        path
    }

    fn options(force: bool) -> BackupOptions {
        BackupOptions { operator: "zhang.san".into(), force }
    }

    /// What the sqlite3 command-line shell says of `db` for `sql`.
    fn sqlite3(db: &Path, sql: &str) -> String {
        let out =
            std::process::Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3 is installed");
        assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Files in `dir` other than `keep`: no temporary file may be left behind.
    fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !keep.contains(&n.as_str()))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_backup_is_a_private_sound_copy_recorded_in_the_audit_log() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 500);
        let target = tmp.path().join("copy.db");
        let done = backup(&db, &target, &options(false)).unwrap();
        assert_eq!(done.path, std::fs::canonicalize(&target).unwrap());
        assert_eq!(done.bytes, std::fs::metadata(&target).unwrap().len());
        assert_eq!(done.not_audited, None);
        assert_eq!(mode(&target), 0o600);
        assert_eq!(sqlite3(&target, "PRAGMA integrity_check"), "ok");
        assert_eq!(sqlite3(&target, "SELECT count(*) FROM health_raw"), "500");
        assert_eq!(
            sqlite3(&db, "SELECT operator, action, target, detail FROM audit"),
            format!("zhang.san|db.backup|{}|VACUUM INTO, {} bytes", done.path.display(), done.bytes)
        );
        // The copy is the database from before its own audit row.
        assert_eq!(sqlite3(&target, "SELECT count(*) FROM audit"), "0");
        assert_eq!(others(tmp.path(), &["y.db", "copy.db"]), Vec::<String>::new());
    }

    #[test]
    fn a_backup_taken_while_a_writer_records_is_one_moment_of_the_database() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 0);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (db, stop) = (db.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut store = Store::open(&db).unwrap();
                let mut batches = 0i64;
                // Batches of 10 in one transaction: a consistent copy holds whole batches only.
                while !stop.load(Ordering::Relaxed) || batches < 20 {
                    let batch: Vec<_> = (0..10).map(|i| sample("app1", batches * 10 + i)).collect();
                    store.record_samples(&batch).unwrap();
                    batches += 1;
                }
                batches
            })
        };
        let mut counts = Vec::new();
        for round in 0..8 {
            let target = tmp.path().join(format!("copy{round}.db"));
            backup(&db, &target, &options(false)).unwrap();
            assert_eq!(mode(&target), 0o600);
            assert_eq!(sqlite3(&target, "PRAGMA integrity_check"), "ok");
            let n: i64 = sqlite3(&target, "SELECT count(*) FROM health_raw").parse().unwrap();
            assert_eq!(n % 10, 0, "copy {round} holds part of a transaction: {n} rows");
            let max: String = sqlite3(&target, "SELECT coalesce(max(ts) + 1, 0) FROM health_raw");
            assert_eq!(max, n.to_string(), "copy {round} lacks rows older than its newest");
            counts.push(n);
        }
        stop.store(true, Ordering::Relaxed);
        let batches = writer.join().unwrap();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
        assert!(counts.last().copied().unwrap_or(0) <= batches * 10);
        assert_eq!(sqlite3(&db, "SELECT count(*) FROM audit WHERE action = 'db.backup'"), "8");
        assert_eq!(sqlite3(&db, "SELECT count(*) FROM health_raw"), (batches * 10).to_string());
    }

    #[test]
    fn a_backup_refuses_what_it_must_not_write_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 3);
        let err = |target: &Path, force: bool| backup(&db, target, &options(force)).err().unwrap();

        let taken = tmp.path().join("taken.db");
        std::fs::write(&taken, "keep me").unwrap();
        let e = err(&taken, false);
        assert!(matches!(e, BackupError::Exists { .. }), "{e:?}");
        assert_eq!(
            e.text(Lang::En),
            format!(
                "{}: already exists; yunwei does not overwrite it: name another file, or pass --force to replace it",
                taken.display()
            )
        );
        assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
        // With --force it is replaced, and private whatever it was before.
        std::fs::set_permissions(&taken, std::fs::Permissions::from_mode(0o644)).unwrap();
        backup(&db, &taken, &options(true)).unwrap();
        assert_eq!((mode(&taken), sqlite3(&taken, "SELECT count(*) FROM health_raw")), (0o600, "3".into()));

        // The database itself, by any name, even with --force.
        let link = tmp.path().join("hard.db");
        std::fs::hard_link(&db, &link).unwrap();
        let sym = tmp.path().join("sym.db");
        std::os::unix::fs::symlink(&db, &sym).unwrap();
        let dotted = tmp.path().join(".").join("y.db");
        for target in
            [db.clone(), dotted, link.clone(), sym.clone(), beside(&db, "-wal"), beside(&db, "-shm")]
        {
            let e = err(&target, true);
            assert!(matches!(e, BackupError::IsSource { .. }), "{}: {e:?}", target.display());
        }
        assert_eq!(sqlite3(&db, "SELECT count(*) FROM health_raw"), "3");

        let e = err(tmp.path(), false);
        assert!(matches!(e, BackupError::IsADirectory { .. }), "{e:?}");
        let e = err(&tmp.path().join("no/such/b.db"), false);
        assert_eq!(
            e.text(Lang::ZhCn),
            format!(
                "{0}/no/such/b.db：所在目录 {0}/no/such 不存在；请先创建（mkdir -p {0}/no/such），或另选文件",
                tmp.path().display()
            )
        );
        let e = err(&taken.join("b.db"), false);
        assert!(matches!(e, BackupError::FolderNotDir { .. }), "{e:?}");
        // A missing database is not created by backing it up.
        let missing = tmp.path().join("none.db");
        let e = backup(&missing, &tmp.path().join("b.db"), &options(false)).err().unwrap();
        assert_eq!(
            e.text(Lang::En),
            format!("{}: cannot read the database: no such file or directory", missing.display())
        );
        assert!(!missing.exists());
        // One audit row: the --force backup.
        assert_eq!(sqlite3(&db, "SELECT count(*) FROM audit"), "1");
        assert_eq!(others(tmp.path(), &["y.db", "taken.db", "hard.db", "sym.db"]), Vec::<String>::new());
    }

    #[test]
    fn io_errors_name_the_backup_and_say_what_to_do() {
        let target = Path::new("/srv/b.db");
        let dir = Path::new("/srv");
        let e = |kind| write_error(target, dir, std::io::Error::from(kind));
        assert_eq!(
            e(std::io::ErrorKind::PermissionDenied).text(Lang::En),
            "/srv/b.db: permission denied: this user may not create files in /srv; choose a folder of your own"
        );
        assert_eq!(
            e(std::io::ErrorKind::StorageFull).text(Lang::ZhCn),
            "/srv/b.db：磁盘已满；没有留下备份，也没有留下残缺文件：请释放空间，或换一块磁盘"
        );
        assert_eq!(
            e(std::io::ErrorKind::ReadOnlyFilesystem).text(Lang::En),
            "/srv/b.db: /srv is on a read-only file system; choose another folder"
        );
    }

    #[test]
    fn a_read_only_database_is_backed_up_without_an_audit_row_and_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 7);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&db).unwrap();
        let target = tmp.path().join("copy.db");
        let done = backup(&db, &target, &options(false)).unwrap();
        assert_eq!(done.not_audited.map(|r| r.why), Some(super::super::ReadOnlyWhy::Mode));
        assert_eq!((mode(&target), sqlite3(&target, "SELECT count(*) FROM health_raw")), (0o600, "7".into()));
        assert_eq!((mode(&db), std::fs::read(&db).unwrap() == before), (0o444, true));
        assert_eq!(others(tmp.path(), &["y.db", "copy.db"]), Vec::<String>::new());
    }

    #[test]
    fn check_finds_a_sound_database_sound() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 10);
        let r = check(&db, false, Lang::En);
        assert!(r.sound(), "{r:?}");
        assert_eq!(r.foreign_key_violations, vec![]);
        assert_eq!(
            (r.schema_version, r.journal_mode.as_deref(), r.file_mode),
            (Some(SCHEMA_VERSION), Some("wal"), Some(0o600))
        );
        // Checking changes nothing: no -wal or -shm left, the bytes as they were.
        let before = std::fs::read(&db).unwrap();
        assert!(check(&db, true, Lang::En).sound());
        assert_eq!(std::fs::read(&db).unwrap(), before);
        assert_eq!(others(tmp.path(), &["y.db"]), Vec::<String>::new());
    }

    #[test]
    fn check_finds_damage_broken_references_and_a_newer_schema() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 3000);
        // A row naming a host that does not exist (written with foreign keys off).
        let conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute("INSERT INTO health_raw (host_id, ts, reachable) VALUES (42, 1, 1)", []).unwrap();
        conn.execute("UPDATE schema_version SET version = 99", []).unwrap();
        drop(conn);
        let r = check(&db, false, Lang::En);
        assert!(r.sound(), "{r:?}");
        assert_eq!(
            r.foreign_key_violations,
            vec![FkViolation { table: "health_raw".into(), rowid: None, parent: "hosts".into() }]
        );
        assert_eq!(r.schema_version, Some(99));

        // Bytes flipped in the middle of a leaf page of health_raw, as the sqlite3 shell finds it.
        let page: u64 = sqlite3(
            &db,
            "SELECT pageno FROM dbstat WHERE name = 'health_raw' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 2",
        )
        .parse()
        .unwrap();
        let mut bytes = std::fs::read(&db).unwrap();
        let at = usize::try_from((page - 1) * 4096 + 8).unwrap();
        for b in &mut bytes[at..at + 400] {
            *b ^= 0x5a;
        }
        std::fs::write(&db, &bytes).unwrap();
        assert_ne!(sqlite3(&db, "PRAGMA integrity_check"), "ok", "the oracle sees the damage");
        for quick in [false, true] {
            let r = check(&db, quick, Lang::En);
            assert!(!r.sound(), "{r:?}");
        }
    }

    #[test]
    fn check_reports_what_it_cannot_read() {
        let tmp = tempfile::tempdir().unwrap();
        let junk = tmp.path().join("junk.db");
        std::fs::write(&junk, "not a database at all ".repeat(100)).unwrap();
        let r = check(&junk, false, Lang::ZhCn);
        assert!(r.open_error.as_deref().is_some_and(|e| e.contains("不是运维台数据库")), "{r:?}");
        let r = check(&tmp.path().join("none.db"), false, Lang::En);
        assert_eq!((r.file_mode, r.sound()), (None, false));
        assert!(!tmp.path().join("none.db").exists());
    }

    #[test]
    fn stats_count_what_the_sqlite3_shell_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let db = db_with_samples(tmp.path(), 1234);
        let store = Store::open(&db).unwrap();
        store.audit("ops", "test", "", "").unwrap();
        drop(store);
        let s = stats(&db).unwrap();
        assert_eq!(s.bytes_source, "dbstat");
        for t in &s.tables {
            assert_eq!(
                t.rows.to_string(),
                sqlite3(&db, &format!("SELECT count(*) FROM \"{}\"", t.name)),
                "{}",
                t.name
            );
            let want = sqlite3(
                &db,
                &format!(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = '{0}'
                     OR tbl_name IN ('{0}_data', '{0}_idx', '{0}_content', '{0}_docsize', '{0}_config'))",
                    t.name
                ),
            );
            assert_eq!(t.bytes.map(|b| b.to_string()), Some(want), "{}", t.name);
        }
        let names: Vec<&str> = s.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "alerts",
                "audit",
                "baseline_items",
                "baseline_records",
                "baseline_runs",
                "baseline_signs",
                "boots",
                "divcode_reviews",
                "divcode_versions",
                "divcodes",
                "fs_1d",
                "fs_5m",
                "fs_raw",
                "handovers",
                "health_1d",
                "health_5m",
                "health_raw",
                "hosts",
                "job_artefacts",
                "job_checks",
                "job_runs",
                "leases",
                "meta",
                "net_results",
                "notify_sends",
                "posture_1d",
                "schema_version",
                "silences",
                "ticket_counters",
                "ticket_drafts",
                "ticket_events",
                "ticket_notes",
                "ticket_search",
                "ticket_tags",
                "tickets"
            ]
        );
        assert_eq!(s.health, Span { rows: Some(1234), oldest: Some(1_000), newest: Some(2_233) });
        assert_eq!(s.audit.rows, Some(1));
        assert_eq!((s.alerts.rows, s.open_alerts), (Some(0), Some(0)));
        assert_eq!(s.file_bytes, std::fs::metadata(&db).unwrap().len());
        assert_eq!(s.page_count * s.page_size, i64::try_from(s.file_bytes).unwrap());
        assert_eq!(others(tmp.path(), &["y.db"]), Vec::<String>::new());
    }
}
