//! yunwei's TOML configuration: the model, where the file is found, and loading with
//! validation that reports every mistake with its file, line and column.
//!
//! Each top-level section lives in a file of its own, named after its key, that owns the
//! section's struct, defaults, key list and checks; `check` holds what the sections share
//! (positions, types, durations, sizes, paths, host references). A new section is a new file
//! implementing [`Section`] plus one line in the `sections!` list below (and its `mod` line).

mod baseline;
pub mod check;
mod checks;
mod divcodes;
mod duty;
mod general;
mod hosts;
mod jobs;
mod logs;
pub mod messages;
mod notify;
mod shell;
mod ssh;
mod thresholds;
mod tickets;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::de::DeTable;

use check::{key_str, Checker, Key, Value};
pub use check::{parse_duration, parse_path, parse_size};
pub use checks::Checks;
pub use divcodes::Divcodes;
pub use duty::Duty;
pub use general::{Borders, General, LangSetting};
pub use hosts::HostEntry;
pub use jobs::Backups;
pub use logs::{LogAlertRules, LogEntry, LogPane};
pub use notify::Notify;
pub use shell::Shell;
pub use ssh::Ssh;
pub use tickets::Tickets;
// These live in their domains now; re-exported so `config::…` paths keep working.
pub use crate::logs::sources::LogEncoding;
pub use crate::ssh::HostKeyCheck;
pub use crate::text::{expand_tilde, expand_tilde_with};

use crate::health::thresholds::Thresholds;

/// What a section file provides: how the section's value becomes its part of [`Config`].
trait Section: Default {
    /// Reads the value of the section's top-level `key`, reporting every problem to `ck`;
    /// what could not be read keeps its default.
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self;
}

/// Declares the sections: each line is a top-level key, which is also the [`Config`] field, and
/// the type (implementing [`Section`]) it is read into. From it come the struct, the list of
/// valid top-level keys and the routing of each key to its section's check.
macro_rules! sections {
    ($($(#[$attr:meta])* $key:ident: $ty:ty,)+) => {
        /// The whole configuration. `Config::default()` is what runs when there is no file.
        #[derive(Debug, Clone, PartialEq, Default, Serialize)]
        pub struct Config {
            $($(#[$attr])* pub $key: $ty,)+
            /// The file this was loaded from; `None` for built-in defaults.
            pub source: Option<PathBuf>,
        }

        /// The top-level keys, in the order of [`Config`]'s fields.
        const TOP_KEYS: &[&str] = &[$(stringify!($key)),+];

        /// Reads one top-level key into its field; `false` when it names no section.
        fn check_section(ck: &mut Checker<'_>, config: &mut Config, key: &Key<'_>, value: &Value<'_>) -> bool {
            match key_str(key) {
                $(stringify!($key) => config.$key = <$ty as Section>::check(ck, key, value),)+
                _ => return false,
            }
            true
        }
    };
}

sections! {
    /// `[general]`
    general: General,
    /// `[ssh]`
    ssh: Ssh,
    /// `[[hosts]]`
    hosts: Vec<HostEntry>,
    /// `[thresholds]`
    thresholds: Thresholds,
    /// `[[logs]]`: the log sources of the Logs pane (none: the system logs that exist).
    logs: Vec<LogEntry>,
    /// `[log_pane]`: settings of the Logs pane.
    log_pane: LogPane,
    /// `[[log_alerts]]`: log patterns raised as alerts.
    log_alerts: LogAlertRules,
    /// `[tickets]`: SLA targets and calendars of the ticket queue.
    tickets: Tickets,
    /// `[divcodes]`: the division-code review (`[[divcodes.impact]]`).
    divcodes: Divcodes,
    /// `[[jobs]]`: the backups and data-exchange jobs.
    jobs: Vec<crate::backups::Spec>,
    /// `[backups]`: how often the jobs are checked.
    backups: Backups,
    /// `[duty]`: the night-duty view's bell and flash.
    duty: Duty,
    /// `[notify]`: the command new alerts are handed to.
    notify: Notify,
    /// `[shell]`: the recorded shell on a host.
    shell: Shell,
    /// `[[checks]]`: the network checks.
    checks: Checks,
    /// `[baseline]`: the limits of the security baseline.
    baseline: crate::baseline::Settings,
}

impl Config {
    /// A short multi-line description for `check-config`, in `lang`, its values aligned.
    pub fn summary(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{fill, Msg};
        let file = match &self.source {
            Some(path) => path.display().to_string(),
            None => Msg::SumNoFile.text(lang).to_string(),
        };
        let local = self.hosts.iter().filter(|h| h.local).count();
        let remote = self.hosts.len() - local;
        let jumping = self.hosts.iter().filter(|h| h.jump.is_some()).count();
        let operator = self.general.operator.clone().unwrap_or_else(|| Msg::SumLoginName.text(lang).into());
        let hosts = fill(
            Msg::SumHostCounts.text(lang),
            &[
                ("n", &self.hosts.len().to_string()),
                ("local", &local.to_string()),
                ("remote", &remote.to_string()),
                ("jumping", &jumping.to_string()),
            ],
        );
        let logs = if self.logs.is_empty() {
            Msg::SumSystemLogs.text(lang).to_string()
        } else {
            self.logs.len().to_string()
        };
        let on_hosts = self.jobs.iter().filter(|j| j.host.is_some()).count();
        let jobs = if self.jobs.is_empty() {
            Msg::SumNoJobs.text(lang).to_string()
        } else {
            fill(
                Msg::SumJobCounts.text(lang),
                &[
                    ("n", &self.jobs.len().to_string()),
                    ("remote", &on_hosts.to_string()),
                    ("local", &(self.jobs.len() - on_hosts).to_string()),
                    ("every", &crate::backup_words::span(self.backups.check_interval.as_secs() as i64, lang)),
                ],
            )
        };
        let checks = &self.checks.0;
        let probes: usize = checks.iter().map(|c| c.from.len()).sum();
        let places: std::collections::BTreeSet<&str> =
            checks.iter().flat_map(|c| c.from.iter().map(|o| o.name())).collect();
        let checks = if checks.is_empty() {
            Msg::SumNoJobs.text(lang).to_string()
        } else {
            fill(
                Msg::SumCheckCounts.text(lang),
                &[
                    ("n", &checks.len().to_string()),
                    ("probes", &probes.to_string()),
                    ("places", &places.len().to_string()),
                ],
            )
        };
        let rows = [
            (Msg::SumConfigFile, file),
            (Msg::SumHosts, hosts),
            (Msg::SumLang, self.general.lang.to_string()),
            (Msg::SumTheme, self.general.theme.clone()),
            (Msg::SumKeymap, self.general.keymap.clone()),
            (Msg::SumBorders, self.general.borders.to_string()),
            (Msg::SumOperator, operator),
            (
                Msg::SumPollInterval,
                fill(Msg::SumSeconds.text(lang), &[("n", &self.ssh.poll_interval_s.to_string())]),
            ),
            (Msg::SumLogSources, logs),
            (Msg::SumHostKeyCheck, self.ssh.host_key_check.to_string()),
            (Msg::SumJobs, jobs),
            (Msg::SumChecks, checks),
        ];
        let label_w = rows.iter().map(|(m, _)| yunwei_widgets::width::width(m.text(lang))).max().unwrap_or(0);
        let lines: Vec<String> = rows
            .iter()
            .map(|(m, value)| {
                let colon = if lang == crate::i18n::Lang::ZhCn { "：" } else { ":" };
                let label = format!("{}{colon}", m.text(lang));
                format!(
                    "{} {value}",
                    yunwei_widgets::width::pad_right(&label, label_w + yunwei_widgets::width::width(colon))
                )
            })
            .collect();
        lines.join("\n")
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
    /// What is wrong, in both languages.
    pub message: crate::i18n::Both,
}

impl ConfigError {
    /// `file:line:col: message` in `lang`. Messages quote what the file says; whatever could
    /// act on the terminal is shown escaped, in the file name too.
    pub fn render(&self, lang: crate::i18n::Lang) -> String {
        let file = crate::text::escape_unprintable(&self.file.to_string_lossy()).into_owned();
        let message = crate::text::escape_unprintable(self.message.get(lang));
        let sep = if lang == crate::i18n::Lang::ZhCn { "：" } else { ": " };
        if self.line == 0 {
            format!("{file}{sep}{message}")
        } else {
            format!("{file}:{}:{}{sep}{message}", self.line, self.col)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(crate::i18n::Lang::En))
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
            message: crate::i18n::both(&messages::CfgMsg::CannotRead, &[("why", &crate::i18n::io_both(&e))]),
        }])),
    }
}

/// Parses and checks config text; `origin` names the file in errors and in `Config::source`.
pub fn parse_str(text: &str, origin: &Path) -> Result<Config, ConfigErrors> {
    let mut checker = Checker::new(text);
    let config = match DeTable::parse(text) {
        Ok(doc) => Some(document(&mut checker, doc.get_ref())),
        Err(e) => {
            checker.syntax_error(&e);
            None
        }
    };
    match config {
        Some(mut config) if checker.is_clean() => {
            config.source = Some(origin.to_path_buf());
            Ok(config)
        }
        _ => Err(checker.into_errors(origin)),
    }
}

/// Every section in file order, then the checks that need the whole file (host references).
fn document(ck: &mut Checker<'_>, root: &DeTable<'_>) -> Config {
    let mut config = Config::default();
    for (key, value) in root.iter() {
        if !check_section(ck, &mut config, key, value) {
            ck.unknown_key(key, "", TOP_KEYS);
        }
    }
    ck.resolve_host_refs(config.hosts.iter().map(|h| h.name.as_str()));
    ck.resolve_source_refs(config.logs.iter().map(|l| l.name.as_str()));
    config
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::health::thresholds::Limits;
    use std::fs;

    pub(crate) fn parse(text: &str) -> Result<Config, ConfigErrors> {
        parse_str(text, Path::new("config.toml"))
    }

    pub(crate) fn error_lines(text: &str) -> Vec<String> {
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
net_drops_per_s = { warn = 5, crit = 50 }
"#;

    #[test]
    fn full_file_gives_expected_model() {
        let config = parse_str(FULL, Path::new("/etc/yunwei/config.toml")).unwrap();
        let thresholds = Thresholds {
            disk_pct: Limits { warn: 70.0, crit: 85.5 },
            load_per_core: Limits { warn: 2.0, crit: 4.0 },
            net_drops_per_s: Limits { warn: 5.0, crit: 50.0 },
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
                ssh_config: None,
                host_key_check_set: true,
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
            log_alerts: Default::default(),
            duty: Default::default(),
            notify: Default::default(),
            shell: Default::default(),
            tickets: Tickets::default(),
            divcodes: Divcodes::default(),
            jobs: Vec::new(),
            backups: Backups::default(),
            checks: Checks::default(),
            baseline: crate::baseline::Settings::default(),
            source: Some(PathBuf::from("/etc/yunwei/config.toml")),
        };
        assert_eq!(config, expected);
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
    fn loading_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.toml");

        let err = load_file(&missing).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!((err.0[0].line, err.0[0].col), (0, 0));
        assert_eq!(err.0[0].file, missing);
        let os_message = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
        assert!(err.0[0].message.en.contains("No such file") || err.0[0].message.en.contains(&os_message));

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
        let summary = config.summary(crate::i18n::Lang::En);
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
        assert!(Config::default().summary(crate::i18n::Lang::En).contains("built-in defaults"));
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
