//! `--format nagios` for `status`, `backup check` and `net check`: the one line a monitoring
//! plugin prints, `STATE - summary | perfdata`, with the plugin exit codes (0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN), so that a site's Nagios, Icinga or Zabbix runs yunwei as a check
//! command. Perfdata follows the plugin guidelines: `'label'=value[UOM];[warn];[crit];[min];[max]`,
//! the label quoted (a quote in it doubled), the unit one of the guidelines' (`ms`, `s`, `%`,
//! `B`), the thresholds left empty where there are none.

/// The output format of the commands that have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The aligned table.
    Table,
    Json,
    /// A monitoring plugin's line and exit code.
    Nagios,
}

impl Format {
    /// `--format`, or `--json` for JSON, or the table.
    pub fn chosen(format: Option<Format>, json: bool) -> Format {
        match (format, json) {
            (Some(f), _) => f,
            (None, true) => Format::Json,
            (None, false) => Format::Table,
        }
    }
}

/// A plugin state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PluginState {
    Ok,
    Warning,
    Unknown,
    Critical,
}

impl PluginState {
    pub fn word(self) -> &'static str {
        match self {
            PluginState::Ok => "OK",
            PluginState::Warning => "WARNING",
            PluginState::Critical => "CRITICAL",
            PluginState::Unknown => "UNKNOWN",
        }
    }

    pub fn code(self) -> i32 {
        match self {
            PluginState::Ok => 0,
            PluginState::Warning => 1,
            PluginState::Critical => 2,
            PluginState::Unknown => 3,
        }
    }

    /// The worst of several (critical over unknown over warning over ok).
    pub fn worst(states: impl IntoIterator<Item = PluginState>) -> PluginState {
        states.into_iter().max().unwrap_or(PluginState::Ok)
    }
}

impl From<crate::netcheck::State> for PluginState {
    fn from(s: crate::netcheck::State) -> PluginState {
        use crate::netcheck::State;
        match s {
            State::Ok => PluginState::Ok,
            State::Warn => PluginState::Warning,
            State::Crit => PluginState::Critical,
            State::Unknown => PluginState::Unknown,
        }
    }
}

/// One perfdata item.
#[derive(Debug, Clone, PartialEq)]
pub struct Perf {
    pub label: String,
    pub value: f64,
    pub unit: &'static str,
    /// A threshold range as the guidelines write it (`500`: above 500 alerts; `30:`: below 30).
    pub warn: Option<String>,
    pub crit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Perf {
    pub fn new(label: impl Into<String>, value: f64, unit: &'static str) -> Perf {
        Perf { label: label.into(), value, unit, warn: None, crit: None, min: None, max: None }
    }

    /// Thresholds the value alerts above.
    pub fn limits(mut self, warn: Option<f64>, crit: Option<f64>) -> Perf {
        self.warn = warn.map(number);
        self.crit = crit.map(number);
        self
    }

    /// Thresholds the value alerts below (days left on a certificate).
    pub fn limits_below(mut self, warn: Option<f64>, crit: Option<f64>) -> Perf {
        self.warn = warn.map(|w| format!("{}:", number(w)));
        self.crit = crit.map(|c| format!("{}:", number(c)));
        self
    }

    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Perf {
        self.min = min;
        self.max = max;
        self
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A label as the guidelines write it: quoted, a quote doubled; `=` and control characters,
/// which no parser reads back, become `_`.
fn label(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c == '=' || c.is_control() || crate::text::is_unprintable(c) { '_' } else { c })
        .collect();
    format!("'{}'", clean.replace('\'', "''"))
}

impl std::fmt::Display for Perf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let opt = |v: Option<f64>| v.map(number).unwrap_or_default();
        let mut text = format!(
            "{}={}{};{};{};{};{}",
            label(&self.label),
            number(self.value),
            self.unit,
            self.warn.as_deref().unwrap_or(""),
            self.crit.as_deref().unwrap_or(""),
            opt(self.min),
            opt(self.max)
        );
        while text.ends_with(';') {
            text.pop();
        }
        f.write_str(&text)
    }
}

/// The plugin line: `STATE - summary | perf perf…` (no `|` part without perfdata). The summary
/// is one line: its line breaks and `|` (which would start the perfdata) are replaced.
pub fn line(state: PluginState, summary: &str, perf: &[Perf]) -> String {
    let flat: String = summary
        .chars()
        .map(|c| match c {
            '|' => '/',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect();
    let summary = crate::text::escape_unprintable(&flat);
    let mut out = format!("{} - {}", state.word(), summary.trim());
    if !perf.is_empty() {
        out.push_str(" |");
        for p in perf {
            out.push(' ');
            out.push_str(&p.to_string());
        }
    }
    out
}

static PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prints the plugin line (its exit code is then the plugin's, never a usage error's).
pub fn print(text: &str) {
    PRINTED.store(true, std::sync::atomic::Ordering::SeqCst);
    crate::cli::errors::print_clean(text);
}

/// Whether a plugin line was printed.
pub fn printed() -> bool {
    PRINTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Whether the command line asks for the plugin format (`--format nagios`, `--format=nagios`),
/// so that a usage or config error is UNKNOWN (3) too.
pub fn asked(args: &[std::ffi::OsString]) -> bool {
    args.windows(2).any(|w| w[0] == "--format" && w[1].eq_ignore_ascii_case("nagios"))
        || args.iter().any(|a| a.to_str().is_some_and(|s| s.eq_ignore_ascii_case("--format=nagios")))
}

/// The plugin line of a usage or config error (its words are on standard error).
pub fn usage_error(lang: crate::i18n::Lang) -> String {
    let text = crate::i18n::tr(
        lang,
        "yunwei could not run the check: the command line or the config is wrong (see standard error)",
        "yunwei 无法执行检查：命令行或配置有误（见标准错误输出）",
    );
    line(PluginState::Unknown, &text, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfdata_as_the_guidelines_write_it() {
        let p = Perf::new("police-api@exchange1", 12.345, "ms")
            .limits(Some(500.0), Some(2000.0))
            .range(Some(0.0), None);
        assert_eq!(p.to_string(), "'police-api@exchange1'=12.345ms;500;2000;0");
        assert_eq!(Perf::new("it's = odd", 5.0, "").to_string(), "'it''s _ odd'=5");
        let l = line(PluginState::Critical, "2 of 3 checks critical | x\nmore", &[p]);
        assert_eq!(
            l,
            "CRITICAL - 2 of 3 checks critical / x more | 'police-api@exchange1'=12.345ms;500;2000;0"
        );
        assert_eq!(line(PluginState::Ok, "fine", &[]), "OK - fine");
        let worst = PluginState::worst([PluginState::Warning, PluginState::Unknown, PluginState::Ok]);
        assert_eq!((worst.word(), worst.code()), ("UNKNOWN", 3));
        assert_eq!(PluginState::worst([PluginState::Unknown, PluginState::Critical]).code(), 2);
    }

    #[test]
    fn the_format_is_found_on_the_command_line() {
        let os = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert!(asked(&os(&["yunwei", "net", "check", "--format", "nagios"])));
        assert!(asked(&os(&["yunwei", "status", "--format=nagios"])));
        assert!(!asked(&os(&["yunwei", "status", "--json"])));
    }
}
