//! The subcommands, one file each holding its clap arguments (`#[derive(clap::Args)]`) and its
//! `run()`: the console itself and the demo (`console`), `status`, `logs`, `check-config`,
//! `completions`, `db` (backup, check, stats), and the hidden `man` (the manual page, for the
//! release script). The binary's `main.rs` only names them in its `Subcommand` enum and dispatches.
//! Each `run()` returns the process exit code: 0 fine, 1 something is wrong with the fleet or
//! the data, 2 a usage or configuration error.

pub mod alerts;
pub mod audit;
pub mod backup;
pub mod baseline;
pub mod check_config;
pub mod completions;
pub mod console;
pub mod db;
pub mod divcode;
pub mod duty;
pub mod errors;
pub mod help;
pub mod logs;
pub mod man;
pub mod nagios;
pub mod net;
pub mod report;
pub mod shell;
pub mod status;
pub mod ticket;
pub mod watch;

use std::path::PathBuf;

/// Options every subcommand shares.
#[derive(Debug, Clone, Default)]
pub struct Global {
    pub config: Option<PathBuf>,
    pub db: Option<PathBuf>,
    pub lang: Option<String>,
    pub theme: Option<String>,
    pub keymap: Option<String>,
}

/// `--lang`'s values, so the completions offer them; the aliases `Lang::parse` knows are
/// accepted too.
pub fn lang_values() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("auto"),
        PossibleValue::new("en").aliases(["en-US", "en_US", "english"]),
        PossibleValue::new("zh-CN").aliases(["zh_CN", "zh", "cn", "中文"]),
    ])
}

/// A built-in name or a file: anything is accepted (a file is checked when it is loaded), and
/// the built-in names are the values the completions offer.
#[derive(Clone)]
pub struct NameOrPath(fn() -> Vec<&'static str>);

impl NameOrPath {
    pub fn themes() -> NameOrPath {
        NameOrPath(|| crate::theme::builtin_names().collect())
    }

    pub fn keymaps() -> NameOrPath {
        NameOrPath(|| crate::keymap::BUILTIN.to_vec())
    }
}

impl clap::builder::TypedValueParser for NameOrPath {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter().map(clap::builder::PossibleValue::new)))
    }
}

/// The language of what a command prints before its config is read: `--lang`, else the
/// locale.
pub fn early_lang(g: &Global) -> crate::i18n::Lang {
    use crate::i18n::Lang;
    match g.lang.as_deref() {
        Some(l) if l != "auto" => Lang::parse(l).unwrap_or_else(|| Lang::resolve(None)),
        _ => Lang::resolve(None),
    }
}

/// The language once the config is read: `--lang`, else the config's `lang`, else the locale.
pub fn lang_with(g: &Global, cfg: &crate::config::Config) -> crate::i18n::Lang {
    use crate::i18n::Lang;
    match g.lang.as_deref() {
        Some(l) if l != "auto" => Lang::parse(l).unwrap_or_else(|| Lang::resolve(cfg.general.lang.chosen())),
        _ => Lang::resolve(cfg.general.lang.chosen()),
    }
}

/// The config for a command that needs it read without error (the operator it names goes to
/// the audit log): its errors are printed with what could not be done, and the exit code (2)
/// comes back instead.
pub fn config_or_say(g: &Global, command: &str) -> Result<crate::config::Config, i32> {
    crate::config::load(g.config.as_deref()).map_err(|errors| {
        let lang = early_lang(g);
        for e in &errors.0 {
            errors::eprint_clean(&e.render(lang));
        }
        errors::say(command, crate::i18n::Msg::DbConfigUnread.text(lang));
        2
    })
}

/// The database path: `--db`, else `$YUNWEI_DB`, else the default under the XDG data home.
pub fn db_path(g: &Global) -> PathBuf {
    db_choice(g).0
}

/// The database path, and whether the user named it (`--db` or `$YUNWEI_DB`). Only the
/// default data folder is created when missing: a missing folder the user named is more
/// likely a typo, and is an error that says so.
pub fn db_choice(g: &Global) -> (PathBuf, bool) {
    match g.db.clone().or_else(|| std::env::var_os("YUNWEI_DB").filter(|v| !v.is_empty()).map(PathBuf::from))
    {
        Some(p) => (crate::config::expand_tilde(&p.to_string_lossy()), true),
        None => (crate::store::default_path(), false),
    }
}

/// The options for opening the database at `db_choice(g)` with `access`.
pub fn db_options(g: &Global, access: crate::store::Access) -> (PathBuf, crate::store::StoreOptions) {
    let (path, named) = db_choice(g);
    (path, crate::store::StoreOptions::new(access, !named))
}

/// The language of messages: `--lang`, else the config's, else the locale.
pub fn lang_of(g: &Global, cfg: Option<&crate::config::Config>) -> crate::i18n::Lang {
    use crate::i18n::Lang;
    match g.lang.as_deref().and_then(Lang::parse) {
        Some(l) => l,
        None => Lang::resolve(cfg.and_then(|c| c.general.lang.chosen())),
    }
}

/// The fleet of `cfg` as the user running yunwei sees it: their login name as the default SSH
/// user, their `~/.ssh/config` (when the config imports it), this machine's host name for the
/// local row.
pub fn resolve_fleet(cfg: &crate::config::Config) -> crate::fleet::Fleet {
    resolve_fleet_named(cfg, &hostname())
}

/// As [`resolve_fleet`], with `local_name` for this machine's row.
pub fn resolve_fleet_named(cfg: &crate::config::Config, local_name: &str) -> crate::fleet::Fleet {
    let login = crate::store::audit::login_name().unwrap_or_else(|| "root".into());
    crate::fleet::inventory::resolve(
        cfg,
        &crate::fleet::inventory::SshConfigPaths::of(cfg),
        &login,
        local_name,
    )
}

/// The machine's host name, for the local host's row when no config names it; `localhost`
/// when the system has none.
pub fn hostname() -> String {
    let name = gethostname::gethostname();
    let name = name.to_string_lossy();
    let name = name.trim();
    if name.is_empty() {
        "localhost".into()
    } else {
        name.to_string()
    }
}

/// Writes `bytes` to `path` whole: a temporary file beside it (mode 0600, for its owner only),
/// synced, then renamed over `path`; nothing is left behind when that fails.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    let part = path.with_file_name(name);
    let result = (|| {
        let mut f =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&part)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&part, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// Cells padded to their column's width (Chinese counted two columns), a line each row, the
/// last cell of a row unpadded; the command line's aligned tables.
pub fn columns(rows: &[Vec<String>]) -> String {
    use yunwei_widgets::width::{pad_right, width};
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..n).map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| width(c)).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| if i + 1 == r.len() { c.clone() } else { pad_right(c, widths[i]) })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A moment as RFC 3339 in `offset` (the number itself when out of range).
pub fn rfc3339(t: i64, offset: chrono::FixedOffset) -> String {
    use chrono::TimeZone;
    match offset.timestamp_opt(t, 0).single() {
        Some(d) => d.to_rfc3339(),
        None => t.to_string(),
    }
}

/// The start of a day written `2026-10-01`, in `offset`; what is wrong with it, in `lang`,
/// naming the `option` it was given to.
pub fn day_start(
    text: &str,
    option: &str,
    offset: chrono::FixedOffset,
    lang: crate::i18n::Lang,
) -> Result<i64, String> {
    use chrono::TimeZone;
    let bad = || {
        crate::i18n::tr(
            lang,
            format!("{option} {text:?} is not a date such as 2026-10-01"),
            format!("{option} {text:?} 不是日期，应写成 2026-10-01 这样"),
        )
    };
    let date = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| bad())?;
    let start = date.and_hms_opt(0, 0, 0).ok_or_else(bad)?;
    offset.from_local_datetime(&start).single().map(|t| t.timestamp()).ok_or_else(bad)
}
