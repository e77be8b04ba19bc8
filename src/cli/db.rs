//! `yunwei db backup FILE`, `yunwei db check` and `yunwei db stats`: yunwei's own database, so
//! that its safety and its share of a bastion's disk are visible. The SQL is in
//! `store::maintenance`; this file holds the arguments and what is printed.

use std::path::{Path, PathBuf};

use yunwei_widgets::fmt;
use yunwei_widgets::width::{pad_left, pad_right, width};

use crate::cli::errors::{after_label, print_clean, say};
use crate::cli::Global;
use crate::i18n::{Lang, Msg};
use crate::store::maintenance::{self, BackupOptions, CheckReport, Span, Stats};

/// The arguments of `yunwei db`.
#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum DbCommand {
    /// Copy the database, also while a console records to it (VACUUM INTO), to a new file readable by its owner only; written to the audit log
    Backup(BackupArgs),
    /// Check the database: integrity, foreign keys, schema version, journal, file mode; exit 1 on a problem
    Check(CheckArgs),
    /// Show the database's size: its files, rows and bytes per table, the oldest and newest samples, alerts and audit rows
    Stats(StatsArgs),
}

impl DbCommand {
    /// The command's name as `yunwei db <name>`.
    pub fn name(&self) -> &'static str {
        match self {
            DbCommand::Backup(_) => "db backup",
            DbCommand::Check(_) => "db check",
            DbCommand::Stats(_) => "db stats",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// The backup file to create
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Run quick_check instead of the full integrity_check (faster on a big file)
    #[arg(long)]
    pub quick: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct StatsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(g: &Global, args: &DbArgs) -> i32 {
    let db = crate::cli::db_path(g);
    match &args.command {
        DbCommand::Backup(a) => backup(g, &db, a),
        DbCommand::Check(a) => {
            let lang = lenient_lang(g);
            check(&db, a, lang)
        }
        DbCommand::Stats(a) => {
            let lang = lenient_lang(g);
            stats(&db, a, lang)
        }
    }
}

/// The language for check and stats, which read the config only for it: a config with errors
/// must not keep anyone from checking the database, so its errors are left to check-config.
fn lenient_lang(g: &Global) -> Lang {
    let cfg = crate::config::load(g.config.as_deref()).ok();
    crate::cli::lang_of(g, cfg.as_ref())
}

/// A path as it may be printed: absolute when it can be, control characters escaped later.
fn absolute(path: &Path) -> String {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

fn local_time(ts: i64) -> String {
    use chrono::TimeZone;
    match chrono::Local.timestamp_opt(ts, 0).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => ts.to_string(),
    }
}

fn backup(g: &Global, db: &Path, args: &BackupArgs) -> i32 {
    // The audit row names the operator the config sets: it must be read without error.
    let cfg = match crate::cli::config_or_say(g, "db backup") {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let operator = crate::store::audit::resolve_operator(cfg.general.operator.as_deref());
    let started = chrono::Local::now();
    let options = BackupOptions { operator, force: args.force };
    match maintenance::backup(db, &args.file, &options) {
        Ok(done) => {
            let path = done.path.display().to_string();
            print_clean(&Msg::DbBackupWritten.fill(
                lang,
                &[
                    ("path", &path),
                    ("size", &fmt::bytes(done.bytes as f64)),
                    ("bytes", &done.bytes.to_string()),
                    ("time", &started.format("%Y-%m-%d %H:%M:%S").to_string()),
                ],
            ));
            let db = absolute(db);
            match done.not_audited {
                None => print_clean(&Msg::DbBackupAudited.fill(lang, &[("db", &db)])),
                Some(ro) => say(
                    "db backup",
                    &format!(
                        "{}{}",
                        after_label(Msg::CliWarningPrefix.text(lang)),
                        Msg::DbBackupNotAudited.fill(lang, &[("db", &db), ("why", &ro.text(lang))])
                    ),
                ),
            }
            0
        }
        Err(e) => {
            say("db backup", &e.text(lang));
            1
        }
    }
}

/// How one line of `db check` came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    Warn,
    Fail,
}

impl Verdict {
    fn key(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    fn text(self, lang: Lang) -> &'static str {
        match self {
            Verdict::Ok => Msg::DbCheckOk.text(lang),
            Verdict::Warn => Msg::DbCheckWarn.text(lang),
            Verdict::Fail => Msg::DbCheckFail.text(lang),
        }
    }
}

/// One finding of `db check`: a stable name, its verdict, what it says and its detail lines.
struct Finding {
    name: &'static str,
    verdict: Verdict,
    message: String,
    details: Vec<String>,
}

/// SQLite's own words, quoted: they are its diagnostics, not the catalogue's.
fn quoted(text: &str) -> Vec<String> {
    text.lines().map(|l| format!("\"{l}\"")).collect()
}

fn findings(r: &CheckReport, lang: Lang) -> Vec<Finding> {
    let one = |name, verdict, message: String| Finding { name, verdict, message, details: Vec::new() };
    let mut out = Vec::new();
    let file = r.path.display().to_string();
    if let Some(error) = &r.open_error {
        out.push(one("open", Verdict::Fail, Msg::DbCheckUnreadable.fill(lang, &[("error", error)])));
    } else {
        let pragma = if r.quick { "quick_check" } else { "integrity_check" };
        if r.sound() {
            out.push(one(
                "integrity",
                Verdict::Ok,
                Msg::DbCheckIntegrityOk.fill(lang, &[("pragma", pragma)]),
            ));
        } else {
            let mut details: Vec<String> = r.integrity_errors.iter().flat_map(|e| quoted(e)).collect();
            details.extend(r.integrity_error.clone());
            details.push(Msg::DbCheckIntegrityAdvice.text(lang).to_string());
            out.push(Finding {
                name: "integrity",
                verdict: Verdict::Fail,
                message: Msg::DbCheckIntegrityBad.fill(lang, &[("pragma", pragma)]),
                details,
            });
        }
        if let Some(error) = &r.foreign_key_error {
            out.push(one("foreign_keys", Verdict::Fail, Msg::DbCheckFkError.fill(lang, &[("error", error)])));
        } else if r.foreign_key_violations.is_empty() {
            out.push(one("foreign_keys", Verdict::Ok, Msg::DbCheckFkOk.text(lang).to_string()));
        } else {
            let details = r
                .foreign_key_violations
                .iter()
                .map(|v| {
                    let rowid = v.rowid.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
                    Msg::DbCheckFkRow
                        .fill(lang, &[("table", &v.table), ("rowid", &rowid), ("parent", &v.parent)])
                })
                .collect();
            out.push(Finding {
                name: "foreign_keys",
                verdict: Verdict::Fail,
                message: Msg::DbCheckFkBad.text(lang).to_string(),
                details,
            });
        }
        let known = r.schema_known.to_string();
        let found = r.schema_version.map(|v| v.to_string()).unwrap_or_default();
        let schema = match (r.schema_version, &r.schema_error) {
            (_, Some(error)) => (Verdict::Fail, Msg::DbCheckSchemaError.fill(lang, &[("error", error)])),
            (None, None) => (Verdict::Fail, Msg::DbCheckSchemaMissing.text(lang).to_string()),
            (Some(v), None) => {
                let (verdict, msg) = match v.cmp(&r.schema_known) {
                    std::cmp::Ordering::Equal => (Verdict::Ok, Msg::DbCheckSchemaCurrent),
                    std::cmp::Ordering::Less => (Verdict::Warn, Msg::DbCheckSchemaOlder),
                    std::cmp::Ordering::Greater => (Verdict::Fail, Msg::DbCheckSchemaNewer),
                };
                (verdict, msg.fill(lang, &[("found", &found), ("known", &known)]))
            }
        };
        out.push(one("schema_version", schema.0, schema.1));
        let journal = match r.journal_mode.as_deref() {
            Some("wal") => (Verdict::Ok, Msg::DbCheckJournalWal),
            Some(_) => (Verdict::Warn, Msg::DbCheckJournalDelete),
            None => (Verdict::Warn, Msg::DbCheckJournalUnknown),
        };
        out.push(one("journal_mode", journal.0, journal.1.text(lang).to_string()));
    }
    if let Some(mode) = r.file_mode {
        let shown_mode = format!("{mode:04o}");
        if mode & 0o077 == 0 {
            out.push(one("file_mode", Verdict::Ok, Msg::DbCheckModeOk.fill(lang, &[("mode", &shown_mode)])));
        } else {
            let text = Msg::DbCheckModeLoose.fill(lang, &[("file", &file), ("mode", &shown_mode)]);
            out.push(one("file_mode", Verdict::Warn, text));
        }
    }
    if let Some(wal) = r.wal_mode.filter(|m| m & 0o077 != 0) {
        let wal_file = format!("{file}-wal");
        let text = Msg::DbCheckModeLoose.fill(lang, &[("file", &wal_file), ("mode", &format!("{wal:04o}"))]);
        out.push(one("wal_mode", Verdict::Warn, text));
    }
    out
}

fn check(db: &Path, args: &CheckArgs, lang: Lang) -> i32 {
    let report = maintenance::check(db, args.quick, lang);
    let found = findings(&report, lang);
    let problems = found.iter().filter(|f| f.verdict == Verdict::Fail).count();
    let warnings = found.iter().filter(|f| f.verdict == Verdict::Warn).count();
    let code = if problems == 0 { 0 } else { 1 };
    let summary = match (problems, warnings) {
        (0, 0) => Msg::DbCheckSummaryWell.text(lang).to_string(),
        (0, w) => Msg::DbCheckSummaryWarnings.fill(lang, &[("w", &w.to_string())]),
        (n, w) => Msg::DbCheckSummaryProblems.fill(lang, &[("n", &n.to_string()), ("w", &w.to_string())]),
    };
    if args.json {
        let checks: Vec<serde_json::Value> = found
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name,
                    "status": f.verdict.key(),
                    "message": f.message,
                    "details": f.details,
                })
            })
            .collect();
        let value = serde_json::json!({
            "path": absolute(db),
            "ok": problems == 0,
            "problems": problems,
            "warnings": warnings,
            "check": if args.quick { "quick_check" } else { "integrity_check" },
            "integrity_ok": report.sound(),
            "integrity_errors": report.integrity_errors,
            "integrity_error": report.integrity_error,
            "foreign_key_violations": report.foreign_key_violations,
            "foreign_key_error": report.foreign_key_error,
            "schema_version": report.schema_version,
            "schema_error": report.schema_error,
            "schema_known": report.schema_known,
            "journal_mode": report.journal_mode,
            "file_mode": report.file_mode.map(|m| format!("{m:04o}")),
            "wal_mode": report.wal_mode.map(|m| format!("{m:04o}")),
            "open_error": report.open_error,
            "checks": checks,
        });
        // serde_json escapes control characters itself.
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        return code;
    }
    let label = Msg::DbLabelDatabase.text(lang);
    print_clean(&format!("{}  {}", label, absolute(db)));
    let verdict_w =
        [Verdict::Ok, Verdict::Warn, Verdict::Fail].iter().map(|v| width(v.text(lang))).max().unwrap_or(4);
    for f in &found {
        print_clean(&format!("{}  {}", pad_right(f.verdict.text(lang), verdict_w), f.message));
        for d in &f.details {
            print_clean(&format!("{}    {d}", " ".repeat(verdict_w)));
        }
    }
    print_clean(&summary);
    code
}

fn stats(db: &Path, args: &StatsArgs, lang: Lang) -> i32 {
    let s = match maintenance::stats(db) {
        Ok(s) => s,
        Err(e) => {
            say("db stats", &e.text(lang));
            return 1;
        }
    };
    if args.json {
        let mut value = serde_json::to_value(&s).unwrap_or_default();
        value["path"] = serde_json::Value::String(absolute(db));
        value["total_bytes"] = serde_json::json!(s.file_bytes + s.wal_bytes + s.shm_bytes);
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        return 0;
    }
    print_clean(&stats_text(&s, &absolute(db), lang));
    0
}

/// The text of `db stats`: a block of labelled lines, the table of tables, the time spans.
pub fn stats_text(s: &Stats, path: &str, lang: Lang) -> String {
    let size = |n: u64| fmt::bytes(n as f64);
    let t = |m: Msg| m.text(lang).to_string();
    let mut out = String::new();
    let labelled = |rows: Vec<(String, String)>, out: &mut String| {
        let w = rows.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
        for (l, v) in rows {
            out.push_str(&format!("{}  {v}\n", pad_right(&l, w)));
        }
    };
    let free_bytes = u64::try_from(s.free_pages.saturating_mul(s.page_size)).unwrap_or(0);
    labelled(
        vec![
            (t(Msg::DbLabelDatabase), path.to_string()),
            (
                t(Msg::DbStatsFile),
                Msg::DbStatsFileLine.fill(
                    lang,
                    &[
                        ("total", &size(s.file_bytes + s.wal_bytes + s.shm_bytes)),
                        ("db", &size(s.file_bytes)),
                        ("wal", &size(s.wal_bytes)),
                        ("shm", &size(s.shm_bytes)),
                    ],
                ),
            ),
            (
                t(Msg::DbStatsPages),
                Msg::DbStatsPagesLine.fill(
                    lang,
                    &[
                        ("count", &s.page_count.to_string()),
                        ("size", &s.page_size.to_string()),
                        ("free", &s.free_pages.to_string()),
                        ("free_size", &size(free_bytes)),
                    ],
                ),
            ),
            (
                t(Msg::DbStatsSizes),
                t(if s.bytes_source == "dbstat" { Msg::DbStatsSizesDbstat } else { Msg::DbStatsSizesNone }),
            ),
        ],
        &mut out,
    );
    out.push('\n');
    let all_pages = s.page_count.saturating_mul(s.page_size);
    let share = |b: i64| {
        if all_pages > 0 {
            format!("{:.1}%", b as f64 * 100.0 / all_pages as f64)
        } else {
            "-".into()
        }
    };
    let mut rows: Vec<[String; 4]> =
        vec![[t(Msg::DbColTable), t(Msg::DbColRows), t(Msg::DbColSize), t(Msg::DbColShare)]];
    for table in &s.tables {
        let bytes = table.bytes.map(|b| size(u64::try_from(b).unwrap_or(0))).unwrap_or_else(|| "-".into());
        rows.push([
            crate::text::escape_unprintable(&table.name).into_owned(),
            table.rows.to_string(),
            bytes,
            table.bytes.map(share).unwrap_or_else(|| "-".into()),
        ]);
    }
    rows.push([
        t(Msg::DbStatsTotal),
        String::new(),
        size(u64::try_from(all_pages).unwrap_or(0)),
        share(all_pages),
    ]);
    let mut widths = [0usize; 4];
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    for r in &rows {
        let line = format!(
            "{}  {}  {}  {}",
            pad_right(&r[0], widths[0]),
            pad_left(&r[1], widths[1]),
            pad_left(&r[2], widths[2]),
            pad_left(&r[3], widths[3])
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push('\n');
    let span = |sp: &Span| match sp.rows {
        None => t(Msg::DbStatsNoTable),
        Some(0) => t(Msg::DbStatsSpanEmpty),
        Some(n) => (if n == 1 { Msg::DbStatsSpanOne } else { Msg::DbStatsSpan }).fill(
            lang,
            &[
                ("n", &n.to_string()),
                ("oldest", &sp.oldest.map(local_time).unwrap_or_else(|| "-".into())),
                ("newest", &sp.newest.map(local_time).unwrap_or_else(|| "-".into())),
            ],
        ),
    };
    let mut alerts = span(&s.alerts);
    if let (Some(open), Some(n)) = (s.open_alerts, s.alerts.rows) {
        if n > 0 {
            let sep = if lang == Lang::ZhCn { "；" } else { "; " };
            alerts =
                format!("{alerts}{sep}{}", Msg::DbStatsOpenAlerts.fill(lang, &[("n", &open.to_string())]));
        }
    }
    labelled(
        vec![
            (t(Msg::DbStatsHealth), span(&s.health)),
            (t(Msg::DbStatsHealth5m), span(&s.health_5m)),
            (t(Msg::DbStatsAlerts), alerts),
            (t(Msg::DbStatsAudit), span(&s.audit)),
        ],
        &mut out,
    );
    out
}
