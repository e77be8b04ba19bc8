//! The log sources of the Logs pane: what the config names (or the system logs when it names
//! none), glob expansion of their paths, and the status a source's header line shows.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::logs::follow::FollowEvent;

/// The system logs followed when the config has no `[[logs]]` entry (those that exist and are
/// readable).
pub const SYSTEM_LOGS: [&str; 4] =
    ["/var/log/syslog", "/var/log/messages", "/var/log/secure", "/var/log/auth.log"];

/// One source as the pane shows it: a name (its colour tag) and what it follows.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    /// `Some` for a host reached over SSH.
    pub host: Option<String>,
    /// The path as configured (a glob perhaps).
    pub pattern: String,
    pub encoding: LogEncoding,
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
    Error(String),
}

impl SourceStatus {
    /// The status after a follower event, or `None` for lines.
    pub fn from_event(ev: &FollowEvent, files: usize) -> Option<SourceStatus> {
        Some(match ev {
            FollowEvent::Lines(_) => return None,
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
                | SourceStatus::Error(_)
        )
    }
}

/// The configured sources, or the readable system logs when there are none.
pub fn specs(configured: Vec<SourceSpec>) -> Vec<SourceSpec> {
    if configured.is_empty() {
        return SYSTEM_LOGS
            .iter()
            .filter(|p| std::fs::File::open(p).is_ok())
            .map(|p| SourceSpec {
                name: Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                host: None,
                pattern: (*p).to_string(),
                encoding: LogEncoding::Auto,
            })
            .collect();
    }
    configured
}

/// The files a path names: itself when it has no `*`, `?` or `[`, else every match of the
/// glob (component by component, sorted). A `~/` prefix is the home directory.
pub fn expand(pattern: &str) -> Vec<PathBuf> {
    let path = crate::text::expand_tilde(pattern);
    let text = path.to_string_lossy().into_owned();
    if !text.contains(['*', '?', '[']) {
        return vec![path];
    }
    let absolute = text.starts_with('/');
    let mut found = vec![if absolute { PathBuf::from("/") } else { PathBuf::from(".") }];
    for part in text.split('/').filter(|p| !p.is_empty()) {
        let mut next = Vec::new();
        for dir in &found {
            if !part.contains(['*', '?', '[']) {
                next.push(dir.join(part));
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| (!n.starts_with('.') || part.starts_with('.')) && wildcard(part, n))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| dir.join(n)));
        }
        found = next;
    }
    found
        .into_iter()
        .filter(|p| !p.is_dir())
        .map(|p| p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
        .collect()
}

/// Shell wildcard match of one path component: `*`, `?` and `[abc]` / `[a-z]` / `[!x]`.
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches_at(&p, &n)
}

fn matches_at(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|i| matches_at(&p[1..], &n[i..])),
        Some('?') => !n.is_empty() && matches_at(&p[1..], &n[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(2).position(|&c| c == ']').map(|i| i + 2) else {
                return n.first() == Some(&'[') && matches_at(&p[1..], &n[1..]);
            };
            let Some(&c) = n.first() else { return false };
            let mut set = &p[1..close];
            let negate = matches!(set.first(), Some('!' | '^'));
            if negate {
                set = &set[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == '-' {
                    hit |= set[i] <= c && c <= set[i + 2];
                    i += 3;
                } else {
                    hit |= set[i] == c;
                    i += 1;
                }
            }
            hit != negate && matches_at(&p[close + 1..], &n[1..])
        }
        Some(&c) => n.first() == Some(&c) && matches_at(&p[1..], &n[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.log", "app.log"));
        assert!(!wildcard("*.log", "app.log.1"));
        assert!(wildcard("app-?.log", "app-1.log"));
        assert!(wildcard("app-[0-9].log", "app-7.log"));
        assert!(!wildcard("app-[!0-9].log", "app-7.log"));
        assert!(wildcard("应用*", "应用日志"));
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
    fn remote_and_configured_sources() {
        let configured = vec![SourceSpec {
            name: "app".into(),
            host: Some("web1".into()),
            pattern: "/x".into(),
            encoding: LogEncoding::Utf8,
        }];
        let s = specs(configured);
        assert_eq!(s[0].host.as_deref(), Some("web1"));
        assert_eq!(s[0].encoding, LogEncoding::Utf8);
    }
}
