//! The log sources of the Logs pane: what the config names (or the system logs when it names
//! none), glob expansion of their paths, and the status a source's header line shows.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::logs::follow::FollowEvent;
use crate::logs::journal::JournalSpec;

/// The system logs followed when the config has no `[[logs]]` entry (those that exist and are
/// readable). Where neither of the first two is there (Debian 12 without rsyslog, Fedora) the
/// systemd journal takes their place, when `journalctl` is installed.
pub const SYSTEM_LOGS: [&str; 4] =
    ["/var/log/syslog", "/var/log/messages", "/var/log/secure", "/var/log/auth.log"];

/// The name of the default journal source.
pub const JOURNAL_SOURCE: &str = "journal";

/// One source as the pane shows it: a name (its colour tag) and what it follows.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    /// `Some` for a host reached over SSH.
    pub host: Option<String>,
    /// The path as configured (a glob perhaps); empty for a journal source.
    pub pattern: String,
    pub encoding: LogEncoding,
    /// `Some` for the systemd journal (read through `journalctl`) instead of files.
    pub journal: Option<JournalSpec>,
}

/// How a source's bytes are decoded, as its `encoding` is written.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
pub enum LogEncoding {
    #[default]
    #[serde(rename = "auto")]
    #[strum(serialize = "auto")]
    Auto,
    #[serde(rename = "utf-8")]
    #[strum(serialize = "utf-8")]
    Utf8,
    #[serde(rename = "gb18030")]
    #[strum(serialize = "gb18030")]
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

/// What a source's header line says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SourceStatus {
    #[default]
    Starting,
    /// Following this many files.
    Following(usize),
    Rotated,
    Truncated,
    Missing,
    /// The glob matched no file (yet).
    NoFiles,
    /// A remote source waiting for its SSH session.
    Connecting,
    /// A remote source whose host is not one reached over SSH.
    NoSuchHost,
    /// The file exists but cannot be read (permissions).
    Unreadable,
    /// The file (or the last file of the source that said anything) is binary: not shown.
    Binary,
    /// A journal source on a host that has no `journalctl`.
    NoJournal,
    /// A remote path that names a FIFO, a socket or a directory: not read over SSH.
    NotAFile,
    Error(String),
}

impl SourceStatus {
    /// The status after a follower event, or `None` for lines.
    pub fn from_event(ev: &FollowEvent, files: usize) -> Option<SourceStatus> {
        Some(match ev {
            FollowEvent::Lines(_) | FollowEvent::Cut(_) => return None,
            FollowEvent::Binary => SourceStatus::Binary,
            FollowEvent::Rotated => SourceStatus::Rotated,
            FollowEvent::Truncated => SourceStatus::Truncated,
            FollowEvent::Missing => SourceStatus::Missing,
            FollowEvent::Appeared => SourceStatus::Following(files),
            FollowEvent::Error(e) => SourceStatus::Error(e.clone()),
        })
    }

    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            SourceStatus::Missing
                | SourceStatus::NoFiles
                | SourceStatus::NoSuchHost
                | SourceStatus::Unreadable
                | SourceStatus::Binary
                | SourceStatus::NoJournal
                | SourceStatus::NotAFile
                | SourceStatus::Error(_)
        )
    }
}

/// The configured sources, or the system logs when there are none: the readable files of
/// [`SYSTEM_LOGS`], and the journal when neither syslog file is there and `journalctl` is on
/// the `PATH`.
pub fn specs(configured: Vec<SourceSpec>) -> Vec<SourceSpec> {
    if configured.is_empty() {
        let path = std::env::var_os("PATH").unwrap_or_default();
        return system_specs(|p| std::fs::File::open(p).is_ok(), on_path("journalctl", &path));
    }
    configured
}

/// The default sources, given which files are readable and whether there is a journalctl.
fn system_specs(readable: impl Fn(&str) -> bool, journalctl: bool) -> Vec<SourceSpec> {
    let mut specs: Vec<SourceSpec> = SYSTEM_LOGS
        .iter()
        .filter(|p| readable(p))
        .map(|p| SourceSpec {
            name: Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            host: None,
            pattern: (*p).to_string(),
            encoding: LogEncoding::Auto,
            journal: None,
        })
        .collect();
    let syslog = specs.iter().any(|s| s.pattern == SYSTEM_LOGS[0] || s.pattern == SYSTEM_LOGS[1]);
    if !syslog && journalctl {
        specs.insert(0, journal_spec(JOURNAL_SOURCE, None, None));
    }
    specs
}

/// A journal source.
pub fn journal_spec(name: &str, host: Option<String>, unit: Option<String>) -> SourceSpec {
    SourceSpec {
        name: name.to_string(),
        host,
        pattern: String::new(),
        encoding: LogEncoding::Auto,
        journal: Some(JournalSpec { unit }),
    }
}

/// Whether an executable `program` is in one of the directories of `path` (a `PATH` value).
pub fn on_path(program: &str, path: &std::ffi::OsStr) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path).any(|dir| {
        std::fs::metadata(dir.join(program)).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// How local globs match: `*`, `?` and `[…]` stay within one path component and case counts.
/// Hidden names are left out by [`expand`] itself: the glob crate's own option for them (0.3)
/// drops every hidden name, even for a pattern that starts with a dot, and panics on a name
/// that is not UTF-8.
const GLOB_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// The files a path names: itself when it has no `*`, `?` or `[`, else every existing file
/// the glob matches (each directory's names sorted, directories left out). As in the shell, a
/// hidden name matches only a pattern component that starts with a dot. A `~/` prefix is the
/// home directory; `[!x]` and `[^x]` both negate, `**` is `*` (no recursion), and a `[` that
/// closes nothing is literal.
pub fn expand(pattern: &str) -> Vec<PathBuf> {
    let path = crate::text::expand_tilde(pattern);
    let text = path.to_string_lossy().into_owned();
    if !text.contains(['*', '?', '[']) {
        return vec![path];
    }
    let mut text = text.replace("[^", "[!");
    while text.contains("**") {
        text = text.replace("**", "*");
    }
    let matches = match glob::glob_with(&text, GLOB_OPTIONS) {
        Ok(m) => m,
        Err(_) => match glob::glob_with(&text.replace('[', "[[]"), GLOB_OPTIONS) {
            Ok(m) => m,
            Err(_) => return Vec::new(),
        },
    };
    let parts: Vec<&str> = text.split('/').filter(|p| !p.is_empty()).collect();
    // Unreadable directories are skipped, as the shell does.
    matches.filter_map(Result::ok).filter(|p| !p.is_dir() && !hidden_by_wildcard(&parts, p)).collect()
}

/// Whether a name of `found` that starts with a dot was matched by a pattern component that
/// does not (components pair up from the end: a wildcard never spans a `/`).
fn hidden_by_wildcard(parts: &[&str], found: &Path) -> bool {
    let found = found.to_string_lossy();
    let names = found.split('/').filter(|n| !n.is_empty());
    names.rev().zip(parts.iter().rev()).any(|(name, part)| name.starts_with('.') && !part.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shell's wildcards, matched against real files (the glob crate reads directories).
    #[test]
    fn wildcards() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["app.log", "app.log.1", "app-1.log", "app-7.log", "app-x.log", "应用日志", "a[b.log"] {
            std::fs::write(dir.path().join(n), "x\n").unwrap();
        }
        let names = |pattern: &str| -> Vec<String> {
            expand(&format!("{}/{pattern}", dir.path().display()))
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect()
        };
        let has = |pattern: &str, name: &str| names(pattern).iter().any(|n| n == name);
        assert!(has("*.log", "app.log"));
        assert!(!has("*.log", "app.log.1"));
        assert!(has("app-?.log", "app-1.log"));
        assert!(has("app-[0-9].log", "app-7.log"));
        assert!(!has("app-[!0-9].log", "app-7.log"));
        assert!(has("应用*", "应用日志"));
        // The shell's other spelling of negation, and a `[` that closes nothing.
        assert_eq!(names("app-[^0-9].log"), vec!["app-x.log"]);
        assert_eq!(names("a[b.*"), vec!["a[b.log"]);
        // `*` stays within one component.
        assert!(names("*").iter().all(|n| !n.contains('/')));
    }

    #[test]
    fn hidden_files_need_a_dot_and_subdirectories_sort() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["b", "a", ".h"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("x.log"), "x\n").unwrap();
        }
        std::fs::write(dir.path().join(".hidden.log"), "x\n").unwrap();
        let d = dir.path();
        assert_eq!(expand(&format!("{}/*/x.log", d.display())), vec![d.join("a/x.log"), d.join("b/x.log")]);
        assert_eq!(expand(&format!("{}/.*.log", d.display())), vec![d.join(".hidden.log")]);
        // A directory the glob names that has no such file adds nothing.
        assert!(expand(&format!("{}/*/y.log", d.display())).is_empty());
        // `**` is `*`. A name that is not UTF-8 (a GBK name, say) is not matched, and breaks
        // nothing (it was not matched before either: its lossy name named no file).
        assert_eq!(expand(&format!("{}/**/x.log", d.display())), vec![d.join("a/x.log"), d.join("b/x.log")]);
        use std::os::unix::ffi::OsStrExt;
        std::fs::write(d.join(std::ffi::OsStr::from_bytes(b"\xc8\xd5\xd6\xbe.log")), "x\n").unwrap();
        assert_eq!(expand(&format!("{}/.h*/*.log", d.display())), vec![d.join(".h/x.log")]);
        assert!(expand(&format!("{}/*.log", d.display())).is_empty());
    }

    #[test]
    fn globs_expand_sorted_and_plain_paths_stay() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.log", "a.log", "c.txt", ".hidden.log"] {
            std::fs::write(dir.path().join(n), "x\n").unwrap();
        }
        std::fs::create_dir(dir.path().join("d.log")).unwrap();
        let got = expand(&format!("{}/*.log", dir.path().display()));
        assert_eq!(got, vec![dir.path().join("a.log"), dir.path().join("b.log")]);
        let plain = format!("{}/missing.log", dir.path().display());
        assert_eq!(expand(&plain), vec![PathBuf::from(plain)]);
        assert!(expand(&format!("{}/*.gz", dir.path().display())).is_empty());
    }

    #[test]
    fn the_journal_stands_in_for_missing_syslog_files() {
        let names = |specs: Vec<SourceSpec>| -> Vec<String> { specs.into_iter().map(|s| s.name).collect() };
        // Debian 12 without rsyslog: only auth.log (or nothing), and journalctl.
        let debian12 = system_specs(|p| p == "/var/log/auth.log", true);
        assert_eq!(names(debian12.clone()), ["journal", "auth.log"]);
        assert_eq!(debian12[0].journal, Some(JournalSpec { unit: None }));
        assert_eq!(debian12[0].host, None);
        assert_eq!(names(system_specs(|_| false, true)), ["journal"]);
        // With rsyslog writing /var/log/syslog or messages, the files are enough.
        assert_eq!(names(system_specs(|p| p == "/var/log/messages", true)), ["messages"]);
        assert_eq!(names(system_specs(|p| p == "/var/log/syslog", true)), ["syslog"]);
        // No journalctl, no journal.
        assert!(system_specs(|_| false, false).is_empty());
    }

    #[test]
    fn programs_are_found_on_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("journalctl");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        let path = std::ffi::OsString::from(format!("/nonexistent:{}", dir.path().display()));
        assert!(!on_path("journalctl", &path), "not executable yet");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(on_path("journalctl", &path));
        assert!(!on_path("journalctl", std::ffi::OsStr::new("/nonexistent")));
    }

    #[test]
    fn remote_and_configured_sources() {
        let configured = vec![SourceSpec {
            name: "app".into(),
            host: Some("web1".into()),
            pattern: "/x".into(),
            encoding: LogEncoding::Utf8,
            journal: None,
        }];
        let s = specs(configured);
        assert_eq!(s[0].host.as_deref(), Some("web1"));
        assert_eq!(s[0].encoding, LogEncoding::Utf8);
    }
}
