//! `~/.ssh/config` (and the system's `/etc/ssh/ssh_config`) read as OpenSSH reads them: `Host`
//! blocks matched against the name given (case-sensitive patterns, `!` negation, `*` and `?`),
//! the first value obtained for an option wins (IdentityFile accumulates), `Include` with globs
//! relative to `~/.ssh` (or `/etc/ssh`), `Include` inside a block applying only while the block
//! does, `ProxyJump` and `ProxyCommand` excluding each other in the order they are met, and
//! `%` tokens expanded as `ssh` expands them.
//!
//! `Match` blocks are not evaluated: they are skipped with a warning (in included files too),
//! and the `Host` line after one is read again. One documented difference from OpenSSH: `~` is
//! `$HOME`, not the passwd entry's directory, so tests and users can point yunwei elsewhere.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::i18n::{both, Both};
use crate::ssh::SshMsg;

/// The most files one `Include` reads.
const MAX_INCLUDED_FILES: usize = 256;

/// The largest ssh_config file read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// How deep `Include` may nest (OpenSSH's limit is 16 as well).
const MAX_INCLUDE_DEPTH: usize = 16;

#[derive(Debug, Clone)]
enum Line {
    /// `Host` patterns; a leading `!` negates.
    Host(Vec<String>),
    /// `Match …`: not evaluated; its block never applies.
    Match,
    Opt {
        key: String,
        args: Vec<String>,
        raw: String,
    },
    /// One entry per file the pattern matched, in glob order.
    Include(Vec<Vec<Line>>),
}

/// The parsed files, ready for queries.
#[derive(Debug, Clone, Default)]
pub struct SshConfig {
    user: Vec<Line>,
    system: Vec<Line>,
    /// What could not be read or is not followed, in words, with the file and line.
    pub warnings: Vec<Both>,
}

/// The options in effect for one host name: the first value obtained for each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfig {
    values: HashMap<String, Vec<String>>,
    raw: HashMap<String, String>,
    identity_files: Vec<String>,
}

impl HostConfig {
    /// The arguments of the first `key` obtained (key in lower case).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(key).map(Vec::as_slice)
    }

    /// The first argument of `key`.
    pub fn first(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|a| a.first()).map(String::as_str)
    }

    /// The line as written after the keyword (ProxyCommand keeps its quoting for the shell).
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.raw.get(key).map(String::as_str)
    }

    /// Every IdentityFile, in the order obtained.
    pub fn identity_files(&self) -> &[String] {
        &self.identity_files
    }

    fn apply(&mut self, key: &str, args: &[String], raw: &str) {
        if key == "identityfile" {
            if let Some(first) = args.first() {
                self.identity_files.push(first.clone());
            }
            return;
        }
        // Only the first of ProxyJump and ProxyCommand applies, whichever is met first.
        if (key == "proxyjump" && self.values.contains_key("proxycommand"))
            || (key == "proxycommand" && self.values.contains_key("proxyjump"))
        {
            return;
        }
        if !self.values.contains_key(key) {
            self.values.insert(key.to_string(), args.to_vec());
            self.raw.insert(key.to_string(), raw.to_string());
        }
    }
}

impl SshConfig {
    /// Reads the user's file and, when given, the system's; a missing file is an empty one.
    pub fn load(user: Option<&Path>, system: Option<&Path>, home: &Path) -> SshConfig {
        let mut cfg = SshConfig::default();
        if let Some(path) = user {
            let base = home.join(".ssh");
            cfg.user = read_file(path, &base, home, 0, &mut cfg.warnings).unwrap_or_default();
        }
        if let Some(path) = system {
            cfg.system =
                read_file(path, Path::new("/etc/ssh"), home, 0, &mut cfg.warnings).unwrap_or_default();
        }
        cfg
    }

    /// Parses text as the user's file (for tests and callers holding the text).
    pub fn parse_user(text: &str, file: &Path, home: &Path) -> SshConfig {
        let mut cfg = SshConfig::default();
        cfg.user = parse_text(text, file, &home.join(".ssh"), home, 0, &mut cfg.warnings);
        cfg
    }

    /// The names of the user's `Host` lines that name one host (no pattern, no negation), in
    /// order of appearance, included files at the place of their `Include`.
    pub fn aliases(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_aliases(&self.user, &mut out);
        out
    }

    /// The options in effect for `host` (the name as given to `ssh`).
    pub fn query(&self, host: &str) -> HostConfig {
        let mut found = HostConfig::default();
        walk(&self.user, host, true, false, &mut found);
        walk(&self.system, host, true, false, &mut found);
        found
    }
}

fn collect_aliases(lines: &[Line], out: &mut Vec<String>) {
    for line in lines {
        match line {
            Line::Host(patterns) => {
                for p in patterns {
                    if !p.starts_with('!') && !p.contains(['*', '?']) && !out.contains(p) {
                        out.push(p.clone());
                    }
                }
            }
            Line::Include(files) => files.iter().for_each(|f| collect_aliases(f, out)),
            Line::Match | Line::Opt { .. } => {}
        }
    }
}

/// Walks the lines with OpenSSH's rules. Returns the active state at the end (for Include).
fn walk(lines: &[Line], host: &str, mut active: bool, never_match: bool, found: &mut HostConfig) -> bool {
    for line in lines {
        match line {
            Line::Host(patterns) => active = !never_match && host_matches(patterns, host),
            Line::Match => active = false,
            Line::Opt { key, args, raw } => {
                if active {
                    found.apply(key, args, raw);
                }
            }
            Line::Include(files) => {
                let saved = active;
                for file in files {
                    walk(file, host, saved, never_match || !saved, found);
                }
                active = saved;
            }
        }
    }
    active
}

/// A `Host` line applies when a pattern matches and no negated one does.
fn host_matches(patterns: &[String], host: &str) -> bool {
    let mut matched = false;
    for p in patterns {
        if let Some(negated) = p.strip_prefix('!') {
            if crate::text::wildcard(negated, host) {
                return false;
            }
        } else if crate::text::wildcard(p, host) {
            matched = true;
        }
    }
    matched
}

fn read_file(
    path: &Path,
    base: &Path,
    home: &Path,
    depth: usize,
    warnings: &mut Vec<Both>,
) -> Option<Vec<Line>> {
    let file = path.display().to_string();
    // Only regular files, and not huge ones: `Include /*/*` must not open /dev/zero or a FIFO
    // (which would never end) nor read a whole disk image.
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            warnings.push(both(&SshMsg::CfgNotRegular, &[("file", &file)]));
            return None;
        }
        Ok(meta) if meta.len() > MAX_CONFIG_BYTES => {
            let mib = (MAX_CONFIG_BYTES >> 20).to_string();
            warnings.push(both(&SshMsg::CfgTooLarge, &[("file", &file), ("mib", &mib)]));
            return None;
        }
        _ => {}
    }
    // Non-blocking: a file that would block its reader (/proc/kmsg) is an error, not a hang.
    // A NUL in the first block means a binary file, not a config: skipped unread.
    let read = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
    }
    .and_then(|f| {
        let mut bytes = Vec::new();
        let mut f = std::io::Read::take(f, MAX_CONFIG_BYTES);
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut f, 8192), &mut bytes)?;
        if bytes.contains(&0) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "binary"));
        }
        std::io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
    });
    match read {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            Some(parse_text(&text, path, base, home, depth, warnings))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            warnings.push(both(&SshMsg::CfgBinary, &[("file", &file)]));
            None
        }
        Err(e) => {
            let error = crate::ssh::io_both(&e);
            warnings.push(both(&SshMsg::CfgNotRead, &[("file", &file), ("error", &error)]));
            None
        }
    }
}

fn parse_text(
    text: &str,
    file: &Path,
    base: &Path,
    home: &Path,
    depth: usize,
    warnings: &mut Vec<Both>,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut matches = 0;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_matches([' ', '\t', '\r', '\n']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (keyword, rest) = split_keyword(line);
        let key = keyword.to_ascii_lowercase();
        let args = split_args(rest);
        match key.as_str() {
            "host" => lines.push(Line::Host(args)),
            "match" => {
                matches += 1;
                lines.push(Line::Match);
            }
            "include" => {
                if depth >= MAX_INCLUDE_DEPTH {
                    let (f, l, n) =
                        (file.display().to_string(), (index + 1).to_string(), MAX_INCLUDE_DEPTH.to_string());
                    warnings.push(both(&SshMsg::CfgIncludeDepth, &[("file", &f), ("line", &l), ("n", &n)]));
                    continue;
                }
                let mut files = Vec::new();
                for arg in &args {
                    let expanded = tilde(arg, home);
                    let pattern = if Path::new(&expanded).is_absolute() {
                        expanded
                    } else {
                        base.join(&expanded).to_string_lossy().into_owned()
                    };
                    // glob(3), which ssh uses, has no recursive `**`: it is a `*`. (The glob
                    // crate's `**` would walk the whole tree under it: `Include /**` hung.)
                    let mut pattern = pattern;
                    while pattern.contains("**") {
                        pattern = pattern.replace("**", "*");
                    }
                    // The glob crate yields its matches in order: the first ones past the
                    // bound are all that is needed to know there are too many, and
                    // `Include /*/*/*` stops there instead of listing all of /proc first.
                    let mut paths: Vec<PathBuf> = match glob::glob(&pattern) {
                        Ok(paths) => paths.filter_map(Result::ok).take(MAX_INCLUDED_FILES + 1).collect(),
                        Err(_) => Vec::new(),
                    };
                    paths.sort();
                    if paths.len() > MAX_INCLUDED_FILES {
                        let (f, l, n) = (
                            file.display().to_string(),
                            (index + 1).to_string(),
                            MAX_INCLUDED_FILES.to_string(),
                        );
                        warnings
                            .push(both(&SshMsg::CfgIncludeMany, &[("file", &f), ("line", &l), ("n", &n)]));
                        paths.truncate(MAX_INCLUDED_FILES);
                    }
                    for p in paths {
                        if let Some(included) = read_file(&p, base, home, depth + 1, warnings) {
                            files.push(included);
                        }
                    }
                }
                lines.push(Line::Include(files));
            }
            _ => lines.push(Line::Opt { key, args, raw: rest.to_string() }),
        }
    }
    if matches > 0 {
        let (f, n) = (file.display().to_string(), matches.to_string());
        warnings.push(both(&SshMsg::CfgMatchSkipped, &[("file", &f), ("n", &n)]));
    }
    lines
}

/// `Keyword value`, `Keyword=value` or `Keyword = value`.
fn split_keyword(line: &str) -> (&str, &str) {
    let end = line.find([' ', '\t', '=']).unwrap_or(line.len());
    let (keyword, mut rest) = line.split_at(end);
    rest = rest.trim_start_matches([' ', '\t']);
    if let Some(r) = rest.strip_prefix('=') {
        rest = r.trim_start_matches([' ', '\t']);
    }
    (keyword, rest.trim_end())
}

/// Arguments split on blanks, with double and single quotes grouping and a `#` after a blank
/// starting a comment.
fn split_args(rest: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut in_arg = false;
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => current.push(c),
            None => match c {
                ' ' | '\t' => {
                    if in_arg {
                        args.push(std::mem::take(&mut current));
                        in_arg = false;
                    }
                }
                '"' | '\'' => {
                    quote = Some(c);
                    in_arg = true;
                }
                '#' if !in_arg => break,
                '\\' => {
                    in_arg = true;
                    if let Some(&next) = chars.peek() {
                        if matches!(next, '"' | '\'' | '\\' | ' ') {
                            current.push(next);
                            chars.next();
                            continue;
                        }
                    }
                    current.push(c);
                }
                _ => {
                    in_arg = true;
                    current.push(c);
                }
            },
        }
    }
    if in_arg {
        args.push(current);
    }
    args
}

/// `~` and `~/…` with `$HOME`.
pub fn tilde(path: &str, home: &Path) -> String {
    if path == "~" {
        home.to_string_lossy().into_owned()
    } else if let Some(rest) = path.strip_prefix("~/") {
        home.join(rest).to_string_lossy().into_owned()
    } else {
        path.to_string()
    }
}

/// The values `%` tokens stand for.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// %h: the remote host name (HostName after expansion, lower case).
    pub host: String,
    /// %n: the name as given.
    pub original: String,
    /// %p
    pub port: u16,
    /// %r
    pub remote_user: String,
    /// %u
    pub local_user: String,
    /// %d
    pub home: String,
    /// %l: this machine's name; %L its first label.
    pub local_host: String,
    /// %i
    pub uid: u32,
    /// %k: HostKeyAlias, else the name as given.
    pub key_alias: String,
    /// %j: the ProxyJump value, or empty.
    pub jump: String,
}

impl Tokens {
    /// %C: SHA-1 of %l%h%p%r%j, in hex, as ssh computes it.
    fn connection_hash(&self) -> String {
        let mut hasher = Sha1::new();
        hasher.update(format!(
            "{}{}{}{}{}",
            self.local_host, self.host, self.port, self.remote_user, self.jump
        ));
        let mut out = String::new();
        for b in hasher.finalize() {
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

/// Which tokens an option accepts (ssh_config(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSet {
    /// HostName: %h (the name as given) and %%.
    HostName,
    /// ProxyCommand: %h %n %p %r %%.
    ProxyCommand,
    /// IdentityFile, UserKnownHostsFile: %% %C %d %h %i %j %k %L %l %n %p %r %u.
    Files,
}

/// Why a value's `%` tokens could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// `%x` with an `x` this option does not know.
    Unknown(char),
    /// A lone `%` at the end.
    Trailing,
}

impl TokenError {
    /// In words, for `option value`.
    pub fn words(&self, option: &str, value: &str) -> Both {
        match self {
            TokenError::Unknown(k) => {
                let token = k.to_string();
                both(&SshMsg::CfgBadToken, &[("option", &option), ("value", &value), ("token", &token)])
            }
            TokenError::Trailing => {
                both(&SshMsg::CfgTrailingPercent, &[("option", &option), ("value", &value)])
            }
        }
    }
}

/// Expands `%` tokens; an unknown one is an error naming it, as `ssh` refuses it.
pub fn expand(text: &str, set: TokenSet, t: &Tokens) -> Result<String, TokenError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(k) = chars.next() else {
            return Err(TokenError::Trailing);
        };
        let value = match (set, k) {
            (_, '%') => "%".to_string(),
            (TokenSet::HostName, 'h') => t.original.clone(),
            (TokenSet::HostName, _) => return Err(TokenError::Unknown(k)),
            (_, 'h') => t.host.clone(),
            (_, 'n') => t.original.clone(),
            (_, 'p') => t.port.to_string(),
            (_, 'r') => t.remote_user.clone(),
            (TokenSet::ProxyCommand, _) => return Err(TokenError::Unknown(k)),
            (_, 'u') => t.local_user.clone(),
            (_, 'd') => t.home.clone(),
            (_, 'l') => t.local_host.clone(),
            (_, 'L') => t.local_host.split('.').next().unwrap_or_default().to_string(),
            (_, 'i') => t.uid.to_string(),
            (_, 'k') => t.key_alias.clone(),
            (_, 'j') => t.jump.clone(),
            (_, 'C') => t.connection_hash(),
            _ => return Err(TokenError::Unknown(k)),
        };
        out.push_str(&value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SshConfig {
        SshConfig::parse_user(text, Path::new("/h/.ssh/config"), Path::new("/h"))
    }

    #[test]
    fn first_value_wins_and_identity_files_accumulate() {
        let c = parse(
            "Host web*\n  User first\n  IdentityFile ~/a\nHost *\n  User second\n  Port 2222\n  IdentityFile ~/b\n",
        );
        let q = c.query("web1");
        assert_eq!(q.first("user"), Some("first"));
        assert_eq!(q.first("port"), Some("2222"));
        assert_eq!(q.identity_files(), ["~/a", "~/b"]);
        assert_eq!(c.query("db").first("user"), Some("second"));
        assert_eq!(c.aliases(), Vec::<String>::new());
    }

    #[test]
    fn patterns_are_case_sensitive_with_negation_and_quotes() {
        let c = parse("Host Web1 \"two words\" !bad *g*\n  User u\nHost=eq\n  User=v # comment\n");
        assert_eq!(c.query("Web1").first("user"), Some("u"));
        assert_eq!(c.query("web1").first("user"), None);
        assert_eq!(c.query("two words").first("user"), Some("u"));
        assert_eq!(c.query("dog").first("user"), Some("u"));
        assert_eq!(c.query("bad").first("user"), None);
        assert_eq!(c.query("eq").first("user"), Some("v"));
        assert_eq!(c.aliases(), ["Web1", "two words", "eq"]);
    }

    #[test]
    fn proxy_jump_and_proxy_command_exclude_each_other_in_order() {
        let c =
            parse("Host a\n  ProxyCommand none\nHost *\n  ProxyJump gw\nHost b\n  ProxyCommand nc %h %p\n");
        assert_eq!(c.query("a").raw("proxycommand"), Some("none"));
        assert_eq!(c.query("a").get("proxyjump"), None);
        assert_eq!(c.query("b").first("proxyjump"), Some("gw"));
        assert_eq!(c.query("b").get("proxycommand"), None);
    }

    #[test]
    fn match_blocks_are_skipped_and_the_next_host_is_read() {
        let c = parse("Match host x\n  User m\nHost x\n  User h\n");
        assert_eq!(c.query("x").first("user"), Some("h"));
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    }

    #[test]
    fn include_reads_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        let fifo = ssh.join("fifo.conf");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let c = SshConfig::parse_user(
            "Include /dev/zero fifo.conf\nHost after\n",
            &ssh.join("config"),
            dir.path(),
        );
        assert_eq!(c.aliases(), ["after"]);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings.iter().all(|w| w.en.contains("not a regular file")), "{:?}", c.warnings);
    }

    #[test]
    fn include_double_star_is_one_level_as_in_glob3() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(ssh.join("a/b")).unwrap();
        std::fs::write(ssh.join("a/one.conf"), "Host one\n").unwrap();
        std::fs::write(ssh.join("a/b/deep.conf"), "Host deep\n").unwrap();
        let c = SshConfig::parse_user("Include a/**.conf\n", &ssh.join("config"), dir.path());
        assert_eq!(c.aliases(), ["one"]);
    }

    #[test]
    fn include_inside_an_inactive_block_never_matches() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        std::fs::write(
            ssh.join("inc"),
            "User inc\nHost other\n  Port 7\nMatch all\n  User m\nHost y\n  Port 8\n",
        )
        .unwrap();
        let text = "Host x\n  Include inc\nHost y\n  User y\n";
        let c = SshConfig::parse_user(text, &ssh.join("config"), dir.path());
        assert_eq!(c.query("x").first("user"), Some("inc"));
        // Included from an inactive block, its Host lines never match.
        assert_eq!(c.query("other").first("port"), None);
        assert_eq!(c.query("y").first("port"), None);
        assert_eq!(c.query("y").first("user"), Some("y"));
        assert!(
            c.warnings.iter().any(|w| w.en.contains("inc") && w.en.contains("Match")),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn tokens_expand_per_option() {
        let t = Tokens {
            host: "web.example".into(),
            original: "web".into(),
            port: 2222,
            remote_user: "ops".into(),
            local_user: "me".into(),
            home: "/h".into(),
            local_host: "vm1.lan".into(),
            uid: 0,
            key_alias: "web".into(),
            jump: String::new(),
        };
        assert_eq!(expand("%h.example%%", TokenSet::HostName, &t).unwrap(), "web.example%");
        assert!(expand("%p", TokenSet::HostName, &t).is_err());
        assert_eq!(expand("nc %h %p %r", TokenSet::ProxyCommand, &t).unwrap(), "nc web.example 2222 ops");
        assert!(expand("%u", TokenSet::ProxyCommand, &t).is_err());
        assert_eq!(expand("%d/.ssh/%u-%L-%i", TokenSet::Files, &t).unwrap(), "/h/.ssh/me-vm1-0");
        assert_eq!(expand("%C", TokenSet::Files, &t).unwrap().len(), 40);
        assert!(expand("50%", TokenSet::Files, &t).is_err());
    }
}
