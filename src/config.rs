//! yunwei's TOML configuration: the model, where the file is found, and loading with
//! validation that reports every mistake with its file, line and column.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use crate::health::thresholds::{Limits, Thresholds};

// ---------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------

/// The whole configuration. `Config::default()` is what runs when there is no file.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Config {
    pub general: General,
    pub ssh: Ssh,
    pub hosts: Vec<HostEntry>,
    pub thresholds: Thresholds,
    /// `[[logs]]`: the log sources of the Logs pane (none: the system logs that exist).
    pub logs: Vec<LogEntry>,
    /// `[log_pane]`: settings of the Logs pane.
    pub log_pane: LogPane,
    /// The file this was loaded from; `None` for built-in defaults.
    pub source: Option<PathBuf>,
}

/// `[general]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct General {
    pub lang: LangSetting,
    /// A built-in theme name or a path.
    pub theme: String,
    /// A built-in keymap name or a path.
    pub keymap: String,
    /// Who is recorded in the audit log; `None` means the login name.
    pub operator: Option<String>,
    pub borders: Borders,
}

impl Default for General {
    fn default() -> Self {
        General {
            lang: LangSetting::Auto,
            theme: "default".to_string(),
            keymap: "default".to_string(),
            operator: None,
            borders: Borders::Unicode,
        }
    }
}

/// `general.lang`: `"auto"`, `"en"` or `"zh-CN"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum LangSetting {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

const LANG_CHOICES: &[(&str, LangSetting)] =
    &[("auto", LangSetting::Auto), ("en", LangSetting::En), ("zh-CN", LangSetting::ZhCn)];

/// `general.borders`: `"unicode"` or `"ascii"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Borders {
    #[default]
    Unicode,
    Ascii,
}

const BORDER_CHOICES: &[(&str, Borders)] = &[("unicode", Borders::Unicode), ("ascii", Borders::Ascii)];

/// `[ssh]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ssh {
    pub known_hosts: String,
    pub host_key_check: HostKeyCheck,
    pub connect_timeout_s: u64,
    pub command_timeout_s: u64,
    pub poll_interval_s: u64,
    pub import_ssh_config: bool,
}

impl Default for Ssh {
    fn default() -> Self {
        Ssh {
            known_hosts: "~/.ssh/known_hosts".to_string(),
            host_key_check: HostKeyCheck::Strict,
            connect_timeout_s: 5,
            command_timeout_s: 10,
            poll_interval_s: 10,
            import_ssh_config: true,
        }
    }
}

/// `ssh.host_key_check`: `"strict"`, `"accept-new"` or `"off"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyCheck {
    #[default]
    Strict,
    AcceptNew,
    Off,
}

const HOST_KEY_CHOICES: &[(&str, HostKeyCheck)] =
    &[("strict", HostKeyCheck::Strict), ("accept-new", HostKeyCheck::AcceptNew), ("off", HostKeyCheck::Off)];

/// One `[[hosts]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostEntry {
    pub name: String,
    pub address: Option<String>,
    pub port: u16,
    pub user: Option<String>,
    pub identity_file: Option<String>,
    /// Name of another host entry to jump through.
    pub jump: Option<String>,
    pub tags: Vec<String>,
    /// Read /proc directly instead of connecting over SSH.
    pub local: bool,
}

/// One `[[logs]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub name: String,
    /// A host of `[[hosts]]`; `None` for this machine.
    pub host: Option<String>,
    /// A path, `*` and `?` allowed (expanded when the console starts).
    pub path: String,
    pub encoding: LogEncoding,
}

/// `encoding` of a `[[logs]]` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum LogEncoding {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "gb18030")]
    Gb18030,
}

impl LogEncoding {
    pub fn decoding(self) -> crate::logs::decode::Encoding {
        use crate::logs::decode::Encoding;
        match self {
            LogEncoding::Auto => Encoding::Auto,
            LogEncoding::Utf8 => Encoding::Utf8,
            LogEncoding::Gb18030 => Encoding::Gb18030,
        }
    }
}

const ENCODING_CHOICES: &[(&str, LogEncoding)] =
    &[("auto", LogEncoding::Auto), ("utf-8", LogEncoding::Utf8), ("gb18030", LogEncoding::Gb18030)];

/// `[log_pane]`. (`[[logs]]` is an array of tables, so TOML cannot also have a `[logs]` table:
/// the pane's own settings live here.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogPane {
    /// The most records kept in the pane; the oldest are dropped.
    pub max_records: usize,
}

impl Default for LogPane {
    fn default() -> Self {
        LogPane { max_records: 200_000 }
    }
}

fn choice_name<T: Copy + PartialEq>(choices: &[(&'static str, T)], value: T) -> &'static str {
    choices.iter().find(|(_, v)| *v == value).map_or("?", |(name, _)| *name)
}

impl fmt::Display for LangSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(choice_name(LANG_CHOICES, *self))
    }
}

impl fmt::Display for Borders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(choice_name(BORDER_CHOICES, *self))
    }
}

impl fmt::Display for HostKeyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(choice_name(HOST_KEY_CHOICES, *self))
    }
}

impl Config {
    /// A short multi-line description for `check-config`.
    pub fn summary(&self) -> String {
        let file = match &self.source {
            Some(path) => path.display().to_string(),
            None => "(none; built-in defaults)".to_string(),
        };
        let local = self.hosts.iter().filter(|h| h.local).count();
        let remote = self.hosts.len() - local;
        let jumping = self.hosts.iter().filter(|h| h.jump.is_some()).count();
        let operator = self.general.operator.as_deref().unwrap_or("(login name)");
        let mut out = String::new();
        out.push_str(&format!("config file:    {file}\n"));
        out.push_str(&format!(
            "hosts:          {} ({local} local, {remote} remote, {jumping} via jump host)\n",
            self.hosts.len()
        ));
        out.push_str(&format!("lang:           {}\n", self.general.lang));
        out.push_str(&format!("theme:          {}\n", self.general.theme));
        out.push_str(&format!("keymap:         {}\n", self.general.keymap));
        out.push_str(&format!("borders:        {}\n", self.general.borders));
        out.push_str(&format!("operator:       {operator}\n"));
        out.push_str(&format!("poll interval:  {} s\n", self.ssh.poll_interval_s));
        let logs = if self.logs.is_empty() {
            "none (the system logs)".to_string()
        } else {
            self.logs.len().to_string()
        };
        out.push_str(&format!("log sources:    {logs}\n"));
        out.push_str(&format!("host key check: {}", self.ssh.host_key_check));
        out
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// One problem in a config file. `line` and `col` are 1-based (`col` counts characters);
/// both are 0 when the file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.file.display(), self.line, self.col, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in a config file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

// ---------------------------------------------------------------------------
// Locating and loading
// ---------------------------------------------------------------------------

/// Where the config file is expected, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigLocation {
    /// Given with `--config`: must exist.
    Flag(PathBuf),
    /// Given with `$YUNWEI_CONFIG`: must exist.
    Env(PathBuf),
    /// The XDG default: may be missing.
    Default(PathBuf),
}

impl ConfigLocation {
    pub fn path(&self) -> &Path {
        match self {
            ConfigLocation::Flag(p) | ConfigLocation::Env(p) | ConfigLocation::Default(p) => p,
        }
    }
}

/// `--config`, else `$YUNWEI_CONFIG`, else `$XDG_CONFIG_HOME/yunwei/config.toml`,
/// else `~/.config/yunwei/config.toml`.
pub fn locate(flag: Option<&Path>) -> ConfigLocation {
    locate_with(
        flag,
        std::env::var_os("YUNWEI_CONFIG"),
        std::env::var_os("XDG_CONFIG_HOME"),
        std::env::var_os("HOME"),
    )
}

/// [`locate`] with the environment passed in. Empty variables count as unset, and a
/// relative `XDG_CONFIG_HOME` is ignored, as the XDG spec asks.
pub fn locate_with(
    flag: Option<&Path>,
    env_config: Option<OsString>,
    xdg_config_home: Option<OsString>,
    home: Option<OsString>,
) -> ConfigLocation {
    let home = home.filter(|h| !h.is_empty()).map(PathBuf::from);
    let expand = |p: &Path| match p.to_str() {
        Some(s) => expand_tilde_with(s, home.as_deref()),
        None => p.to_path_buf(),
    };
    if let Some(flag) = flag {
        return ConfigLocation::Flag(expand(flag));
    }
    if let Some(env) = env_config.filter(|v| !v.is_empty()) {
        return ConfigLocation::Env(expand(Path::new(&env)));
    }
    let base = match xdg_config_home.map(PathBuf::from) {
        Some(xdg) if xdg.is_absolute() => xdg,
        _ => match &home {
            Some(home) => home.join(".config"),
            None => PathBuf::from(".config"),
        },
    };
    ConfigLocation::Default(base.join("yunwei").join("config.toml"))
}

/// Expands a leading `~` or `~/` to `$HOME`; anything else (including `~user`) is kept.
pub fn expand_tilde(s: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    expand_tilde_with(s, home.as_deref())
}

/// [`expand_tilde`] with the home directory passed in.
pub fn expand_tilde_with(s: &str, home: Option<&Path>) -> PathBuf {
    match home {
        Some(home) if s == "~" => home.to_path_buf(),
        Some(home) => match s.strip_prefix("~/") {
            Some(rest) => home.join(rest.trim_start_matches('/')),
            None => PathBuf::from(s),
        },
        None => PathBuf::from(s),
    }
}

/// Finds the config file (see [`locate`]) and loads it. A missing file is an error when
/// it was named by `--config` or `$YUNWEI_CONFIG`, and means defaults otherwise.
pub fn load(flag: Option<&Path>) -> Result<Config, ConfigErrors> {
    load_location(&locate(flag))
}

/// [`load`] for an already located file.
pub fn load_location(location: &ConfigLocation) -> Result<Config, ConfigErrors> {
    let path = location.path();
    if let ConfigLocation::Default(_) = location {
        if let Err(e) = std::fs::metadata(path) {
            if e.kind() == std::io::ErrorKind::NotFound {
                return Ok(Config::default());
            }
        }
    }
    load_file(path)
}

/// Reads and checks one file. A read failure is a single error at line 0, column 0.
pub fn load_file(path: &Path) -> Result<Config, ConfigErrors> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_str(&text, path),
        Err(e) => Err(ConfigErrors(vec![ConfigError {
            file: path.to_path_buf(),
            line: 0,
            col: 0,
            message: format!("cannot read config file: {e}"),
        }])),
    }
}

/// Parses and checks config text; `origin` names the file in errors and in `Config::source`.
pub fn parse_str(text: &str, origin: &Path) -> Result<Config, ConfigErrors> {
    let mut checker = Checker { text, found: Vec::new() };
    let config = match DeTable::parse(text) {
        Ok(doc) => Some(checker.document(doc.get_ref())),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let mut message = e.message().trim().to_string();
            if message == "duplicate key" {
                if let Some(key) = text.get(span.clone()).filter(|k| !k.trim().is_empty()) {
                    message = format!("duplicate key `{}`", key.trim());
                }
            }
            checker.report(span, format!("TOML syntax error: {message}"));
            None
        }
    };
    match config {
        Some(mut config) if checker.found.is_empty() => {
            config.source = Some(origin.to_path_buf());
            Ok(config)
        }
        _ => Err(checker.into_errors(origin)),
    }
}

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------

const TOP_KEYS: &[&str] = &["general", "ssh", "hosts", "thresholds", "logs", "log_pane"];
const LOG_KEYS: &[&str] = &["name", "host", "path", "encoding", "format"];
/// Record formats a log source may name; `auto` recognises every known timestamp form.
const FORMAT_CHOICES: &[(&str, ())] = &[("auto", ())];
const LOG_PANE_KEYS: &[&str] = &["max_records"];
const GENERAL_KEYS: &[&str] = &["lang", "theme", "keymap", "operator", "borders"];
const SSH_KEYS: &[&str] = &[
    "known_hosts",
    "host_key_check",
    "connect_timeout_s",
    "command_timeout_s",
    "poll_interval_s",
    "import_ssh_config",
];
const HOST_KEYS: &[&str] = &["name", "address", "port", "user", "identity_file", "jump", "tags", "local"];
const THRESHOLD_KEYS: &[&str] =
    &["disk_pct", "inodes_pct", "mem_pct", "swap_pct", "load_per_core", "cpu_pct"];
const LIMIT_KEYS: &[&str] = &["warn", "crit"];

/// Longest timeout or interval accepted, in seconds.
const MAX_SECONDS: i128 = 3600;

type Value<'i> = Spanned<DeValue<'i>>;
type Key<'i> = Spanned<DeString<'i>>;

/// How a table is named in messages.
struct Section {
    /// `[general]`, `[[hosts]] #2 (app1)`.
    label: String,
    /// `general` for dotted key paths (`general.lang`); `None` for host entries.
    prefix: Option<String>,
}

impl Section {
    fn named(name: &str) -> Self {
        Section { label: format!("[{name}]"), prefix: Some(name.to_string()) }
    }

    fn host(number: usize, name: Option<&str>) -> Self {
        let label = match name {
            Some(name) => format!("[[hosts]] #{number} ({name})"),
            None => format!("[[hosts]] #{number}"),
        };
        Section { label, prefix: None }
    }

    /// `general.lang`, or `` `port` in [[hosts]] #2 (app1) ``.
    fn path(&self, key: &str) -> String {
        match &self.prefix {
            Some(prefix) => format!("{prefix}.{key}"),
            None => format!("`{key}` in {}", self.label),
        }
    }
}

/// Where a host entry's parts are in the file, for the checks across hosts.
struct HostSpans {
    header: Range<usize>,
    name: Option<Range<usize>>,
    jump: Option<Range<usize>>,
}

struct Checker<'t> {
    text: &'t str,
    /// (byte offset, message)
    found: Vec<(usize, String)>,
}

fn a_type(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn key_str<'a>(key: &'a Key<'_>) -> &'a str {
    key.get_ref().as_ref()
}

fn find<'a, 'i>(table: &'a DeTable<'i>, name: &str) -> Option<&'a Value<'i>> {
    table.iter().find(|(k, _)| key_str(k) == name).map(|(_, v)| v)
}

impl Checker<'_> {
    fn report(&mut self, span: Range<usize>, message: String) {
        self.found.push((span.start, message));
    }

    /// 1-based line and character column of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let mut col = before[line_start..].chars().count() + 1;
        if line == 1 && before.starts_with('\u{feff}') {
            col -= 1;
        }
        (line, col)
    }

    fn into_errors(mut self, origin: &Path) -> ConfigErrors {
        self.found.sort_by_key(|(offset, _)| *offset);
        let errors = self
            .found
            .iter()
            .map(|(offset, message)| {
                let (line, col) = self.line_col(*offset);
                ConfigError { file: origin.to_path_buf(), line, col, message: message.clone() }
            })
            .collect();
        ConfigErrors(errors)
    }

    fn wrong_type(&mut self, value: &Value<'_>, expected: &str, path: &str) {
        let message = format!("expected {expected} for {path}, found {}", a_type(value.get_ref()));
        self.report(value.span(), message);
    }

    /// Reports an unknown key and returns the valid key it was probably meant to be.
    fn unknown_key(&mut self, key: &Key<'_>, label: &str, valid: &[&'static str]) -> Option<&'static str> {
        let name = key_str(key);
        let place = if label.is_empty() {
            format!("unknown top-level key `{name}`")
        } else {
            format!("unknown key `{name}` in {label}")
        };
        let near = suggest(name, valid.iter().copied());
        let hint = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("valid keys are: {}", valid.join(", ")),
        };
        self.report(key.span(), format!("{place}; {hint}"));
        near
    }

    fn table<'a, 'i>(&mut self, value: &'a Value<'i>, path: &str) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.wrong_type(value, "a table", path);
                None
            }
        }
    }

    fn string(&mut self, sec: &Section, key: &str, value: &Value<'_>) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(value, "a string", &sec.path(key));
                None
            }
        }
    }

    fn nonempty_string(&mut self, sec: &Section, key: &str, value: &Value<'_>) -> Option<String> {
        let s = self.string(sec, key, value)?;
        if s.trim().is_empty() {
            self.report(value.span(), format!("{} must not be empty", sec.path(key)));
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, sec: &Section, key: &str, value: &Value<'_>) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, "a boolean (true or false)", &sec.path(key));
                None
            }
        }
    }

    /// An integer within `lo..=hi`.
    fn ranged(
        &mut self,
        sec: &Section,
        key: &str,
        value: &Value<'_>,
        lo: i128,
        hi: i128,
        unit: &str,
    ) -> Option<i128> {
        let DeValue::Integer(int) = value.get_ref() else {
            self.wrong_type(value, "an integer", &sec.path(key));
            return None;
        };
        let parsed = i128::from_str_radix(int.as_str(), int.radix()).ok();
        match parsed {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                let shown = parsed.map_or_else(|| int.to_string(), |n| n.to_string());
                self.report(
                    value.span(),
                    format!("{} must be between {lo} and {hi}{unit}, found {shown}", sec.path(key)),
                );
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        sec: &Section,
        key: &str,
        value: &Value<'_>,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let allowed = choices.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ");
        let DeValue::String(s) = value.get_ref() else {
            let path = format!("{} (one of {allowed})", sec.path(key));
            self.wrong_type(value, "a string", &path);
            return None;
        };
        if let Some((_, v)) = choices.iter().find(|(name, _)| *name == s.as_ref()) {
            return Some(*v);
        }
        let mut message = format!("invalid value \"{s}\" for {}; expected one of {allowed}", sec.path(key));
        if let Some(near) = suggest(s, choices.iter().map(|(name, _)| *name)) {
            message.push_str(&format!(" (did you mean \"{near}\"?)"));
        }
        self.report(value.span(), message);
        None
    }

    fn document(&mut self, root: &DeTable<'_>) -> Config {
        let mut config = Config::default();
        let mut host_spans = Vec::new();
        for (key, value) in root.iter() {
            match key_str(key) {
                "general" => {
                    if let Some(table) = self.table(value, "general") {
                        config.general = self.general(table);
                    }
                }
                "ssh" => {
                    if let Some(table) = self.table(value, "ssh") {
                        config.ssh = self.ssh(table);
                    }
                }
                "hosts" => {
                    let (hosts, spans) = self.hosts(value);
                    config.hosts = hosts;
                    host_spans = spans;
                }
                "thresholds" => config.thresholds = self.thresholds(key, value),
                "logs" => config.logs = self.logs(value),
                "log_pane" => {
                    if let Some(table) = self.table(value, "log_pane") {
                        config.log_pane = self.log_pane(table);
                    }
                }
                _ => {
                    self.unknown_key(key, "", TOP_KEYS);
                }
            }
        }
        self.cross_check_hosts(&config.hosts, &host_spans);
        self.cross_check_logs(root, &config);
        config
    }

    fn log_pane(&mut self, table: &DeTable<'_>) -> LogPane {
        let sec = Section::named("log_pane");
        let mut pane = LogPane::default();
        for (key, value) in table.iter() {
            match key_str(key) {
                "max_records" => {
                    let n = self.ranged(&sec, "max_records", value, 100, 10_000_000, " records");
                    if let Some(n) = n.and_then(|n| usize::try_from(n).ok()) {
                        pane.max_records = n;
                    }
                }
                _ => {
                    self.unknown_key(key, &sec.label, LOG_PANE_KEYS);
                }
            }
        }
        pane
    }

    fn logs(&mut self, value: &Value<'_>) -> Vec<LogEntry> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(
                value,
                "an array of tables (write each log source as [[logs]]; max_records goes in [log_pane])",
                "logs",
            );
            return Vec::new();
        };
        let mut logs = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let number = i + 1;
            let Some(table) = self.table(item, &format!("[[logs]] #{number}")) else {
                continue;
            };
            let label_name =
                find(table, "name").and_then(|v| v.get_ref().as_str()).filter(|s| !s.trim().is_empty());
            let label = match label_name {
                Some(name) => format!("[[logs]] #{number} ({name})"),
                None => format!("[[logs]] #{number}"),
            };
            let sec = Section { label, prefix: None };
            let mut entry = LogEntry {
                name: String::new(),
                host: None,
                path: String::new(),
                encoding: LogEncoding::Auto,
            };
            let (mut has_name, mut has_path) = (false, false);
            let mut misspelt = Vec::new();
            for (key, value) in table.iter() {
                let name = key_str(key);
                match name {
                    "name" => {
                        has_name = true;
                        entry.name = self.nonempty_string(&sec, name, value).unwrap_or_default();
                    }
                    "host" => entry.host = self.nonempty_string(&sec, name, value),
                    "path" => {
                        has_path = true;
                        entry.path = self.nonempty_string(&sec, name, value).unwrap_or_default();
                    }
                    "encoding" => {
                        if let Some(e) = self.choice(&sec, name, value, ENCODING_CHOICES) {
                            entry.encoding = e;
                        }
                    }
                    "format" => {
                        let _ = self.choice(&sec, name, value, FORMAT_CHOICES);
                    }
                    _ => misspelt.extend(self.unknown_key(key, &sec.label, LOG_KEYS)),
                }
            }
            if !has_name && !misspelt.contains(&"name") {
                self.report(item.span(), format!("{} has no `name`; every log source needs one", sec.label));
            }
            if !has_path && !misspelt.contains(&"path") {
                self.report(
                    item.span(),
                    format!("{} has no `path`; name the file (globs allowed)", sec.label),
                );
            }
            logs.push(entry);
        }
        logs
    }

    /// A `[[logs]]` entry's `host` must be one of the `[[hosts]]`.
    fn cross_check_logs(&mut self, root: &DeTable<'_>, config: &Config) {
        let Some(DeValue::Array(items)) = find(root, "logs").map(|v| v.get_ref()) else { return };
        for (i, item) in items.iter().enumerate() {
            let DeValue::Table(table) = item.get_ref() else { continue };
            let Some(value) = find(table, "host") else { continue };
            let Some(host) = value.get_ref().as_str() else { continue };
            if host.trim().is_empty() || config.hosts.iter().any(|h| h.name == host) {
                continue;
            }
            let near = suggest(host, config.hosts.iter().map(|h| h.name.as_str()));
            let hint = match near {
                Some(near) => format!("; did you mean \"{near}\"?"),
                None => String::new(),
            };
            self.report(value.span(), format!("[[logs]] #{} names unknown host \"{host}\"{hint}", i + 1));
        }
    }

    fn general(&mut self, table: &DeTable<'_>) -> General {
        let sec = Section::named("general");
        let mut general = General::default();
        for (key, value) in table.iter() {
            let name = key_str(key);
            match name {
                "lang" => {
                    if let Some(v) = self.choice(&sec, name, value, LANG_CHOICES) {
                        general.lang = v;
                    }
                }
                "theme" => {
                    if let Some(v) = self.nonempty_string(&sec, name, value) {
                        general.theme = v;
                    }
                }
                "keymap" => {
                    if let Some(v) = self.nonempty_string(&sec, name, value) {
                        general.keymap = v;
                    }
                }
                "operator" => general.operator = self.nonempty_string(&sec, name, value),
                "borders" => {
                    if let Some(v) = self.choice(&sec, name, value, BORDER_CHOICES) {
                        general.borders = v;
                    }
                }
                _ => {
                    self.unknown_key(key, &sec.label, GENERAL_KEYS);
                }
            }
        }
        general
    }

    fn ssh(&mut self, table: &DeTable<'_>) -> Ssh {
        let sec = Section::named("ssh");
        let mut ssh = Ssh::default();
        for (key, value) in table.iter() {
            let name = key_str(key);
            let seconds = |this: &mut Self| {
                this.ranged(&sec, name, value, 1, MAX_SECONDS, " seconds").and_then(|n| u64::try_from(n).ok())
            };
            match name {
                "known_hosts" => {
                    if let Some(v) = self.nonempty_string(&sec, name, value) {
                        ssh.known_hosts = v;
                    }
                }
                "host_key_check" => {
                    if let Some(v) = self.choice(&sec, name, value, HOST_KEY_CHOICES) {
                        ssh.host_key_check = v;
                    }
                }
                "connect_timeout_s" => {
                    if let Some(v) = seconds(self) {
                        ssh.connect_timeout_s = v;
                    }
                }
                "command_timeout_s" => {
                    if let Some(v) = seconds(self) {
                        ssh.command_timeout_s = v;
                    }
                }
                "poll_interval_s" => {
                    if let Some(v) = seconds(self) {
                        ssh.poll_interval_s = v;
                    }
                }
                "import_ssh_config" => {
                    if let Some(v) = self.boolean(&sec, name, value) {
                        ssh.import_ssh_config = v;
                    }
                }
                _ => {
                    self.unknown_key(key, &sec.label, SSH_KEYS);
                }
            }
        }
        ssh
    }

    fn hosts(&mut self, value: &Value<'_>) -> (Vec<HostEntry>, Vec<HostSpans>) {
        let mut hosts = Vec::new();
        let mut spans = Vec::new();
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, "an array of tables (write each host as [[hosts]])", "hosts");
            return (hosts, spans);
        };
        for (i, item) in items.iter().enumerate() {
            let number = i + 1;
            let Some(table) = self.table(item, &format!("[[hosts]] #{number}")) else {
                continue;
            };
            let (host, span) = self.host(number, item.span(), table);
            hosts.push(host);
            spans.push(span);
        }
        (hosts, spans)
    }

    fn host(&mut self, number: usize, header: Range<usize>, table: &DeTable<'_>) -> (HostEntry, HostSpans) {
        let label_name =
            find(table, "name").and_then(|v| v.get_ref().as_str()).filter(|s| !s.trim().is_empty());
        let sec = Section::host(number, label_name);
        let mut host = HostEntry {
            name: String::new(),
            address: None,
            port: 22,
            user: None,
            identity_file: None,
            jump: None,
            tags: Vec::new(),
            local: false,
        };
        let mut spans = HostSpans { header: header.clone(), name: None, jump: None };
        let mut address_span = None;
        let mut has_name = false;
        let mut misspelt = Vec::new();
        for (key, value) in table.iter() {
            let name = key_str(key);
            match name {
                "name" => {
                    has_name = true;
                    if let Some(v) = self.nonempty_string(&sec, name, value) {
                        host.name = v;
                        spans.name = Some(value.span());
                    }
                }
                "address" => {
                    address_span = Some(value.span());
                    host.address = self.nonempty_string(&sec, name, value);
                }
                "port" => {
                    let port = self.ranged(&sec, name, value, 1, 65535, "");
                    if let Some(port) = port.and_then(|p| u16::try_from(p).ok()) {
                        host.port = port;
                    }
                }
                "user" => host.user = self.nonempty_string(&sec, name, value),
                "identity_file" => host.identity_file = self.nonempty_string(&sec, name, value),
                "jump" => {
                    host.jump = self.nonempty_string(&sec, name, value);
                    if host.jump.is_some() {
                        spans.jump = Some(value.span());
                    }
                }
                "tags" => host.tags = self.tags(&sec, value),
                "local" => host.local = self.boolean(&sec, name, value).unwrap_or(false),
                _ => {
                    // A misspelt `name` or `address` is reported once, as the misspelling.
                    misspelt.extend(self.unknown_key(key, &sec.label, HOST_KEYS));
                }
            }
        }
        if !has_name && !misspelt.contains(&"name") {
            self.report(header.clone(), format!("{} has no `name`; every host needs one", sec.label));
        }
        // A mistyped `local` was reported already; don't pile a second error on it.
        let local_typed = find(table, "local").is_none_or(|v| v.get_ref().is_bool());
        if host.local {
            if let Some(span) = address_span {
                self.report(
                    span,
                    format!(
                        "{} has both `local = true` and `address`; a local host is read from /proc, remove one of them",
                        sec.label
                    ),
                );
            }
            if let Some(span) = spans.jump.clone() {
                self.report(
                    span,
                    format!(
                        "{} has both `local = true` and `jump`; a local host is not reached over SSH",
                        sec.label
                    ),
                );
            }
        } else if address_span.is_none()
            && local_typed
            && !misspelt.iter().any(|k| *k == "address" || *k == "local")
        {
            self.report(
                header,
                format!(
                    "{} has no `address`; set `address = \"...\"` for an SSH host or `local = true` for this machine",
                    sec.label
                ),
            );
        }
        (host, spans)
    }

    fn tags(&mut self, sec: &Section, value: &Value<'_>) -> Vec<String> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, "an array of strings", &sec.path("tags"));
            return Vec::new();
        };
        let mut tags = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::String(s) => tags.push(s.to_string()),
                other => self.report(
                    item.span(),
                    format!(
                        "expected a string for tag #{} of {}, found {}",
                        i + 1,
                        sec.path("tags"),
                        a_type(other)
                    ),
                ),
            }
        }
        tags
    }

    /// Checks between host entries: duplicate names and jump targets.
    fn cross_check_hosts(&mut self, hosts: &[HostEntry], spans: &[HostSpans]) {
        // First entry carrying each name.
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, (host, span)) in hosts.iter().zip(spans).enumerate() {
            let Some(name_span) = span.name.clone() else {
                continue;
            };
            match first.get(host.name.as_str()) {
                Some(&earlier) => {
                    let (line, _) = self.line_col(spans[earlier].header.start);
                    self.report(
                        name_span,
                        format!(
                            "duplicate host name \"{}\" in [[hosts]] #{}; [[hosts]] #{} at line {line} already uses it",
                            host.name,
                            i + 1,
                            earlier + 1
                        ),
                    );
                }
                None => {
                    first.insert(host.name.as_str(), i);
                }
            }
        }

        // next[i] = the entry host i jumps through, when that is a valid, different entry.
        let mut next: Vec<Option<usize>> = vec![None; hosts.len()];
        for (i, (host, span)) in hosts.iter().zip(spans).enumerate() {
            let (Some(target), Some(jump_span)) = (host.jump.as_deref(), span.jump.clone()) else {
                continue;
            };
            let label = Section::host(i + 1, Some(host.name.as_str()).filter(|n| !n.is_empty()));
            if target == host.name {
                self.report(jump_span, format!("{} jumps through itself (jump = \"{target}\")", label.label));
                continue;
            }
            match first.get(target) {
                Some(&j) if hosts[j].local => self.report(
                    jump_span,
                    format!(
                        "{} jumps through \"{target}\", which is a local host (local = true) and cannot be an SSH jump host",
                        label.label
                    ),
                ),
                Some(&j) => next[i] = Some(j),
                None => {
                    let others = hosts
                        .iter()
                        .map(|h| h.name.as_str())
                        .filter(|n| !n.is_empty() && *n != host.name);
                    let hint = match suggest(target, others.clone()) {
                        Some(near) => format!("did you mean \"{near}\"?"),
                        None => {
                            let mut names: Vec<&str> = others.collect();
                            if names.is_empty() {
                                "no other hosts are defined".to_string()
                            } else {
                                names.truncate(10);
                                format!("defined hosts: {}", names.join(", "))
                            }
                        }
                    };
                    self.report(
                        jump_span,
                        format!(
                            "{} jumps through unknown host \"{target}\"; {hint}",
                            label.label
                        ),
                    );
                }
            }
        }

        // Each host has at most one jump, so every loop is a simple cycle.
        // state: 0 = unvisited, otherwise the walk number that visited it.
        let mut state = vec![0usize; hosts.len()];
        for start in 0..hosts.len() {
            if state[start] != 0 {
                continue;
            }
            let walk = start + 1;
            let mut path = Vec::new();
            let mut at = start;
            loop {
                if state[at] != 0 {
                    if state[at] == walk {
                        if let Some(pos) = path.iter().position(|&p| p == at) {
                            self.report_cycle(hosts, spans, &path[pos..]);
                        }
                    }
                    break;
                }
                state[at] = walk;
                path.push(at);
                match next[at] {
                    Some(n) => at = n,
                    None => break,
                }
            }
        }
    }

    fn report_cycle(&mut self, hosts: &[HostEntry], spans: &[HostSpans], cycle: &[usize]) {
        let Some(first_pos) = (0..cycle.len()).min_by_key(|&p| cycle[p]) else {
            return;
        };
        let mut names: Vec<&str> =
            (0..cycle.len()).map(|k| hosts[cycle[(first_pos + k) % cycle.len()]].name.as_str()).collect();
        names.push(hosts[cycle[first_pos]].name.as_str());
        if let Some(span) = spans[cycle[first_pos]].jump.clone() {
            self.report(span, format!("jump loop: {}", names.join(" -> ")));
        }
    }

    fn thresholds(&mut self, key: &Key<'_>, value: &Value<'_>) -> Thresholds {
        let mut thresholds = Thresholds::default();
        let Some(table) = self.table(value, "thresholds") else {
            return thresholds;
        };
        let mut given: Vec<(&str, Range<usize>)> = Vec::new();
        for (k, v) in table.iter() {
            let name = key_str(k);
            let slot = match name {
                "disk_pct" => &mut thresholds.disk_pct,
                "inodes_pct" => &mut thresholds.inodes_pct,
                "mem_pct" => &mut thresholds.mem_pct,
                "swap_pct" => &mut thresholds.swap_pct,
                "load_per_core" => &mut thresholds.load_per_core,
                "cpu_pct" => &mut thresholds.cpu_pct,
                _ => {
                    self.unknown_key(k, "[thresholds]", THRESHOLD_KEYS);
                    continue;
                }
            };
            if let Some(limits) = self.limits(name, v) {
                *slot = limits;
                given.push((name, k.span()));
            }
        }
        for message in thresholds.validate() {
            let span = given
                .iter()
                .find(|(name, _)| message.strip_prefix(name).is_some_and(|rest| rest.starts_with(':')))
                .map_or_else(|| key.span(), |(_, span)| span.clone());
            self.report(span, format!("thresholds.{message}"));
        }
        thresholds
    }

    fn limits(&mut self, name: &str, value: &Value<'_>) -> Option<Limits> {
        let path = format!("thresholds.{name}");
        let table = self.table(value, &format!("{path} (e.g. {{ warn = 80, crit = 90 }})"))?;
        let sec = Section::named(&path);
        let mut warn = None;
        let mut crit = None;
        let mut ok = true;
        for (k, v) in table.iter() {
            let which = key_str(k);
            let slot = match which {
                "warn" => &mut warn,
                "crit" => &mut crit,
                _ => {
                    self.unknown_key(k, &sec.label, LIMIT_KEYS);
                    ok = false;
                    continue;
                }
            };
            let number = match v.get_ref() {
                DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
                DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
                _ => {
                    self.wrong_type(v, "a number", &sec.path(which));
                    ok = false;
                    continue;
                }
            };
            match number.filter(|n| n.is_finite()) {
                Some(n) => *slot = Some(n),
                None => {
                    self.report(v.span(), format!("{} must be a finite number", sec.path(which)));
                    ok = false;
                }
            }
        }
        for (which, found) in [("warn", warn.is_some()), ("crit", crit.is_some())] {
            if !found && ok {
                self.report(value.span(), format!("{path} is missing `{which}`"));
            }
        }
        match (warn, crit) {
            (Some(warn), Some(crit)) if ok => Some(Limits { warn, crit }),
            _ => None,
        }
    }
}

/// The candidate closest to `word`: edit distance ≤ 2 (≤ 1 for very short words), or else
/// one containing the other.
fn suggest<'c>(word: &str, candidates: impl Iterator<Item = &'c str> + Clone) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let limit = if lower.chars().count() <= 2 { 1 } else { 2 };
    let best = candidates
        .clone()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d);
    if let Some((_, c)) = best {
        return Some(c);
    }
    if lower.chars().count() < 3 {
        return None;
    }
    candidates.into_iter().find(|c| {
        let c = c.to_lowercase();
        c.contains(&lower) || (c.chars().count() >= 3 && lower.contains(&c))
    })
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn parse(text: &str) -> Result<Config, ConfigErrors> {
        parse_str(text, Path::new("config.toml"))
    }

    fn error_lines(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
        }
    }

    const FULL: &str = r#"
[general]
lang = "zh-CN"
theme = "solarized"
keymap = "/etc/yunwei/keys.toml"
operator = "zhang.san"
borders = "ascii"

[ssh]
known_hosts = "/etc/ssh/ssh_known_hosts"
host_key_check = "accept-new"
connect_timeout_s = 3
command_timeout_s = 0x1e
poll_interval_s = 1_5
import_ssh_config = false

[[hosts]]
name = "bastion"
address = "203.0.113.7"
port = 2222
user = "jump"

[[hosts]]
name = "app1"
address = "10.10.1.21"
port = 22
user = "ops"
identity_file = "~/.ssh/id_ed25519"
jump = "bastion"
tags = ["app", "haikou"]

[[hosts]]
name = "this-server"
local = true

[thresholds]
disk_pct = { warn = 70, crit = 85.5 }
load_per_core = { warn = 2, crit = 4 }
"#;

    #[test]
    fn full_file_gives_expected_model() {
        let config = parse_str(FULL, Path::new("/etc/yunwei/config.toml")).unwrap();
        let thresholds = Thresholds {
            disk_pct: Limits { warn: 70.0, crit: 85.5 },
            load_per_core: Limits { warn: 2.0, crit: 4.0 },
            ..Thresholds::default()
        };
        let host = |name: &str| HostEntry {
            name: name.to_string(),
            address: None,
            port: 22,
            user: None,
            identity_file: None,
            jump: None,
            tags: Vec::new(),
            local: false,
        };
        let expected = Config {
            general: General {
                lang: LangSetting::ZhCn,
                theme: "solarized".into(),
                keymap: "/etc/yunwei/keys.toml".into(),
                operator: Some("zhang.san".into()),
                borders: Borders::Ascii,
            },
            ssh: Ssh {
                known_hosts: "/etc/ssh/ssh_known_hosts".into(),
                host_key_check: HostKeyCheck::AcceptNew,
                connect_timeout_s: 3,
                command_timeout_s: 30,
                poll_interval_s: 15,
                import_ssh_config: false,
            },
            hosts: vec![
                HostEntry {
                    address: Some("203.0.113.7".into()),
                    port: 2222,
                    user: Some("jump".into()),
                    ..host("bastion")
                },
                HostEntry {
                    address: Some("10.10.1.21".into()),
                    user: Some("ops".into()),
                    identity_file: Some("~/.ssh/id_ed25519".into()),
                    jump: Some("bastion".into()),
                    tags: vec!["app".into(), "haikou".into()],
                    ..host("app1")
                },
                HostEntry { local: true, ..host("this-server") },
            ],
            thresholds,
            logs: Vec::new(),
            log_pane: LogPane::default(),
            source: Some(PathBuf::from("/etc/yunwei/config.toml")),
        };
        assert_eq!(config, expected);
    }

    #[test]
    fn log_sources_and_pane_settings() {
        let c = parse(
            "[[logs]]\nname = \"应用\"\npath = \"/var/log/app/*.log\"\nencoding = \"gb18030\"\n\
             [[logs]]\nname = \"sys\"\npath = \"/var/log/messages\"\n[log_pane]\nmax_records = 5000\n",
        )
        .unwrap();
        assert_eq!(c.logs.len(), 2);
        assert_eq!(c.logs[0].name, "应用");
        assert_eq!(c.logs[0].encoding, LogEncoding::Gb18030);
        assert_eq!(c.logs[1].encoding, LogEncoding::Auto);
        assert_eq!(c.logs[1].host, None);
        assert_eq!(c.log_pane.max_records, 5000);
        assert_eq!(Config::default().log_pane.max_records, 200_000);
    }

    #[test]
    fn missing_sections_give_defaults() {
        let empty = parse("").unwrap();
        assert_eq!(empty, Config { source: Some(PathBuf::from("config.toml")), ..Config::default() });
        let config = parse("# nothing but comments\n[general]\n[ssh]\n[thresholds]\n").unwrap();
        assert_eq!(config.general, General::default());
        assert_eq!(config.ssh, Ssh::default());
        assert_eq!(config.thresholds, Thresholds::default());
        assert!(config.hosts.is_empty());

        let defaults = Config::default();
        assert_eq!(defaults.general.lang, LangSetting::Auto);
        assert_eq!(defaults.general.theme, "default");
        assert_eq!(defaults.general.keymap, "default");
        assert_eq!(defaults.general.operator, None);
        assert_eq!(defaults.general.borders, Borders::Unicode);
        assert_eq!(defaults.ssh.known_hosts, "~/.ssh/known_hosts");
        assert_eq!(defaults.ssh.host_key_check, HostKeyCheck::Strict);
        assert_eq!(
            (defaults.ssh.connect_timeout_s, defaults.ssh.command_timeout_s, defaults.ssh.poll_interval_s),
            (5, 10, 10)
        );
        assert!(defaults.ssh.import_ssh_config);
        assert_eq!(defaults.source, None);
    }

    #[test]
    fn partial_sections_keep_other_defaults() {
        let config =
            parse("[ssh]\npoll_interval_s = 30\n[[hosts]]\nname = \"x\"\naddress = \"h\"\n").unwrap();
        assert_eq!(config.ssh.poll_interval_s, 30);
        assert_eq!(config.ssh.connect_timeout_s, 5);
        assert_eq!(config.hosts[0].port, 22);
        assert!(!config.hosts[0].local);
    }

    #[test]
    fn inline_hosts_and_jump_chains_are_fine() {
        let text = r#"hosts = [
  { name = "a", address = "10.0.0.1" },
  { name = "b", address = "10.0.0.2", jump = "a" },
  { name = "c", address = "10.0.0.3", jump = "b" },
]"#;
        let config = parse(text).unwrap();
        assert_eq!(config.hosts.len(), 3);
        assert_eq!(config.hosts[2].jump.as_deref(), Some("b"));
    }

    #[test]
    fn thresholds_accept_integers_and_floats() {
        let config = parse("[thresholds]\ncpu_pct = { warn = 75, crit = 92.5 }\n[thresholds.mem_pct]\nwarn = 1e1\ncrit = 20\n").unwrap();
        assert_eq!(config.thresholds.cpu_pct, Limits { warn: 75.0, crit: 92.5 });
        assert_eq!(config.thresholds.mem_pct, Limits { warn: 10.0, crit: 20.0 });
        assert_eq!(config.thresholds.disk_pct, Thresholds::default().disk_pct);
    }

    #[test]
    fn threshold_values_must_be_finite_numbers() {
        assert_eq!(
            error_lines("[thresholds]\ncpu_pct = { warn = nan, crit = \"90\" }\n"),
            vec![
                "config.toml:2:20: thresholds.cpu_pct.warn must be a finite number",
                "config.toml:2:32: expected a number for thresholds.cpu_pct.crit, found a string",
            ]
        );
    }

    #[test]
    fn column_counts_characters_not_bytes() {
        let lines = error_lines("general = { operator = \"张三\", lang = 1 }\n");
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("config.toml:1:37: "), "{}", lines[0]);
    }

    #[test]
    fn byte_order_mark_is_not_a_column() {
        let lines = error_lines("\u{feff}bogus = 1\n");
        assert!(lines[0].starts_with("config.toml:1:1: "), "{}", lines[0]);
    }

    #[test]
    fn duplicate_keys_name_the_key() {
        assert_eq!(
            error_lines("[general]\nlang = \"en\"\nlang = \"auto\"\n"),
            vec!["config.toml:3:1: TOML syntax error: duplicate key `lang`"]
        );
    }

    #[test]
    fn local_host_with_jump_and_jump_to_local_host() {
        let text = r#"
[[hosts]]
name = "here"
local = true
jump = "gw"

[[hosts]]
name = "gw"
address = "10.0.0.1"
jump = "here"
"#;
        assert_eq!(
            error_lines(text),
            vec![
                "config.toml:5:8: [[hosts]] #1 (here) has both `local = true` and `jump`; a local host is not reached over SSH",
                "config.toml:10:8: [[hosts]] #2 (gw) jumps through \"here\", which is a local host (local = true) and cannot be an SSH jump host",
            ]
        );
    }

    #[test]
    fn missing_name_and_misspelt_name() {
        assert_eq!(
            error_lines("[[hosts]]\naddress = \"h\"\n"),
            vec!["config.toml:1:1: [[hosts]] #1 has no `name`; every host needs one"]
        );
        assert_eq!(
            error_lines("[[hosts]]\nnmae = \"x\"\naddress = \"h\"\n"),
            vec!["config.toml:2:1: unknown key `nmae` in [[hosts]] #1; did you mean `name`?"]
        );
    }

    #[test]
    fn unknown_jump_lists_hosts_when_nothing_is_close() {
        let text = "[[hosts]]\nname = \"a\"\naddress = \"h\"\njump = \"zzzz\"\n[[hosts]]\nname = \"b\"\nlocal = true\n";
        assert_eq!(
            error_lines(text),
            vec!["config.toml:4:8: [[hosts]] #1 (a) jumps through unknown host \"zzzz\"; defined hosts: b"]
        );
    }

    #[test]
    fn two_separate_loops_are_both_named() {
        let text = r#"hosts = [
  { name = "a", address = "1", jump = "b" },
  { name = "b", address = "2", jump = "a" },
  { name = "c", address = "3", jump = "d" },
  { name = "d", address = "4", jump = "c" },
  { name = "e", address = "5", jump = "c" },
]"#;
        let lines = error_lines(text);
        assert_eq!(
            lines,
            vec!["config.toml:2:39: jump loop: a -> b -> a", "config.toml:4:39: jump loop: c -> d -> c",]
        );
    }

    #[test]
    fn suggestions() {
        let keys = HOST_KEYS.iter().copied();
        assert_eq!(suggest("adress", keys.clone()), Some("address"));
        assert_eq!(suggest("Name", keys.clone()), Some("name"));
        assert_eq!(suggest("identity", keys.clone()), Some("identity_file"));
        assert_eq!(suggest("xyzzy", keys.clone()), None);
        assert_eq!(suggest("q", keys), None);
        assert_eq!(suggest("poll_interval", SSH_KEYS.iter().copied()), Some("poll_interval_s"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("海口", "海囗"), 1);
    }

    #[test]
    fn locate_precedence() {
        let os = |s: &str| Some(OsString::from(s));
        let flag = Path::new("/tmp/flag.toml");
        assert_eq!(
            locate_with(Some(flag), os("/env.toml"), os("/xdg"), os("/home/u")),
            ConfigLocation::Flag(flag.to_path_buf())
        );
        assert_eq!(
            locate_with(None, os("/env.toml"), os("/xdg"), os("/home/u")),
            ConfigLocation::Env(PathBuf::from("/env.toml"))
        );
        assert_eq!(
            locate_with(None, os(""), os("/xdg"), os("/home/u")),
            ConfigLocation::Default(PathBuf::from("/xdg/yunwei/config.toml"))
        );
        assert_eq!(
            locate_with(None, None, None, os("/home/u")),
            ConfigLocation::Default(PathBuf::from("/home/u/.config/yunwei/config.toml"))
        );
        // A relative XDG_CONFIG_HOME is ignored.
        assert_eq!(
            locate_with(None, None, os("rel"), os("/home/u")),
            ConfigLocation::Default(PathBuf::from("/home/u/.config/yunwei/config.toml"))
        );
        assert_eq!(
            locate_with(Some(Path::new("~/y.toml")), None, None, os("/home/u")),
            ConfigLocation::Flag(PathBuf::from("/home/u/y.toml"))
        );
        assert_eq!(
            locate_with(None, os("~/e.toml"), None, os("/home/u")).path(),
            Path::new("/home/u/e.toml")
        );
    }

    #[test]
    fn tilde_expansion() {
        let home = Some(Path::new("/home/ops"));
        assert_eq!(expand_tilde_with("~", home), PathBuf::from("/home/ops"));
        assert_eq!(expand_tilde_with("~/.ssh/id_ed25519", home), PathBuf::from("/home/ops/.ssh/id_ed25519"));
        assert_eq!(expand_tilde_with("/etc/x", home), PathBuf::from("/etc/x"));
        assert_eq!(expand_tilde_with("rel/~", home), PathBuf::from("rel/~"));
        assert_eq!(expand_tilde_with("~other/x", home), PathBuf::from("~other/x"));
        assert_eq!(expand_tilde_with("~/x", None), PathBuf::from("~/x"));
        // The real one uses $HOME, whatever it is here.
        if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            assert_eq!(expand_tilde("~/a"), PathBuf::from(home).join("a"));
        }
    }

    #[test]
    fn loading_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.toml");

        let err = load_file(&missing).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!((err.0[0].line, err.0[0].col), (0, 0));
        assert_eq!(err.0[0].file, missing);
        let os_message = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
        assert!(err.0[0].message.contains("No such file") || err.0[0].message.contains(&os_message));

        assert!(load_location(&ConfigLocation::Flag(missing.clone())).is_err());
        assert!(load_location(&ConfigLocation::Env(missing.clone())).is_err());
        assert_eq!(load_location(&ConfigLocation::Default(missing)).unwrap(), Config::default());

        let present = dir.path().join("config.toml");
        fs::write(&present, "[general]\nlang = \"en\"\n").unwrap();
        let config = load_location(&ConfigLocation::Default(present.clone())).unwrap();
        assert_eq!(config.general.lang, LangSetting::En);
        assert_eq!(config.source, Some(present.clone()));
        assert_eq!(load(Some(&present)).unwrap(), config);
    }

    #[test]
    fn errors_display_one_per_line() {
        let errors = parse("[general]\nlang = 1\nborders = \"round\"\n").unwrap_err();
        let text = errors.to_string();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("config.toml:2:8: expected a string for general.lang"));
        assert!(text.contains("\nconfig.toml:3:11: invalid value \"round\" for general.borders"));
        let boxed: Box<dyn std::error::Error> = Box::new(errors);
        assert!(!boxed.to_string().is_empty());
    }

    #[test]
    fn summary_mentions_the_essentials() {
        let config = parse(FULL).unwrap();
        let summary = config.summary();
        for needle in [
            "config.toml",
            "3 (1 local, 2 remote, 1 via jump host)",
            "zh-CN",
            "solarized",
            "/etc/yunwei/keys.toml",
            "15 s",
            "accept-new",
        ] {
            assert!(summary.contains(needle), "{needle:?} missing from:\n{summary}");
        }
        assert!(Config::default().summary().contains("built-in defaults"));
    }

    /// Every file in tests/fixtures/bad-config starts with `# expect:` lines; the errors
    /// reported for it (named by base name) must begin with exactly those lines, in order.
    #[test]
    fn bad_config_fixtures() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad-config"));
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 14, "only {} fixtures in {dir:?}", paths.len());
        let mut failures = Vec::new();
        for path in &paths {
            let base = PathBuf::from(path.file_name().unwrap());
            let text = fs::read_to_string(path).unwrap();
            let expected: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("# expect: ")).collect();
            assert!(!expected.is_empty(), "{base:?} has no `# expect:` line");
            let actual: Vec<String> = match load_file(path) {
                Ok(_) => Vec::new(),
                Err(errors) => errors
                    .0
                    .into_iter()
                    .map(|mut e| {
                        e.file = base.clone();
                        e.to_string()
                    })
                    .collect(),
            };
            let head: Vec<&str> = actual.iter().take(expected.len()).map(String::as_str).collect();
            if head != expected {
                failures
                    .push(format!("{}:\n  expected: {expected:#?}\n  actual:   {actual:#?}", base.display()));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
