//! The `known_hosts` file: which keys are recorded for a host (plain, wildcard, `[host]:port` and
//! hashed `|1|salt|hash` names, `@revoked` lines), the verdict on an offered key, and appending a
//! newly accepted key.
//!
//! Read here rather than with libssh2's `KnownHosts`: libssh2 compares keys without their type (a
//! host known by ed25519 that offers ecdsa would look "changed"), reports no line numbers, and
//! stops reading the file at the first line it cannot parse (a `@cert-authority` line or an
//! `sk-` key), silently dropping every later entry.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// What to do with a host key that `known_hosts` does not confirm (`ssh.host_key_check`):
/// `"strict"` refuses it, `"accept-new"` records a key for a host that has none (a changed key
/// is still refused), `"off"` takes any key.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum HostKeyCheck {
    #[default]
    Strict,
    AcceptNew,
    Off,
}

/// One key recorded for the host being checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownKey {
    /// 1-based line number in the file.
    pub line: usize,
    pub key_type: String,
    pub blob: Vec<u8>,
    pub revoked: bool,
}

/// The outcome of checking an offered host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Known,
    /// No key of the offered type is recorded; `other_types` are the types that are.
    Unknown {
        other_types: Vec<String>,
    },
    /// A different key of the same type is recorded at `line`.
    Changed {
        line: usize,
    },
    /// The offered key is listed as `@revoked` at `line`.
    Revoked {
        line: usize,
    },
}

/// How the host is named in known_hosts: `host` on port 22, `[host]:port` otherwise.
pub(crate) fn host_name(address: &str, port: u16) -> String {
    if port == 22 {
        address.to_string()
    } else {
        format!("[{address}]:{port}")
    }
}

/// The keys recorded for `address:port`. A missing file records nothing.
pub(crate) fn lookup(path: &Path, address: &str, port: u16) -> io::Result<Vec<KnownKey>> {
    let mut text = Vec::new();
    match fs::File::open(path) {
        Ok(mut file) => {
            file.read_to_end(&mut text)?;
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    }
    let text = String::from_utf8_lossy(&text);
    let name = host_name(address, port);
    Ok(parse_for_host(&text, &name))
}

fn parse_for_host(text: &str, name: &str) -> Vec<KnownKey> {
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let mut revoked = false;
        let Some(mut names) = fields.next() else { continue };
        if let Some(marker) = names.strip_prefix('@') {
            match marker {
                "revoked" => revoked = true,
                // @cert-authority: certificates are not supported; not a key of this host.
                _ => continue,
            }
            let Some(next) = fields.next() else { continue };
            names = next;
        }
        let (Some(key_type), Some(key_b64)) = (fields.next(), fields.next()) else { continue };
        if !names_match(names, name) {
            continue;
        }
        let Ok(blob) = STANDARD.decode(key_b64) else { continue };
        keys.push(KnownKey { line: index + 1, key_type: key_type.to_string(), blob, revoked });
    }
    keys
}

/// Whether a known_hosts names field (comma-separated patterns, or one hashed name) names `name`.
fn names_match(names: &str, name: &str) -> bool {
    if let Some(hashed) = names.strip_prefix("|1|") {
        return hashed_name_matches(hashed, name);
    }
    let mut matched = false;
    for pattern in names.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if wildcard_match(negated, name) {
                return false;
            }
        } else if wildcard_match(pattern, name) {
            matched = true;
        }
    }
    matched
}

/// `salt|hash`, both base64: the name matches when HMAC-SHA1(salt, name) = hash.
fn hashed_name_matches(hashed: &str, name: &str) -> bool {
    let Some((salt, hash)) = hashed.split_once('|') else { return false };
    let (Ok(salt), Ok(hash)) = (STANDARD.decode(salt), STANDARD.decode(hash)) else { return false };
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else { return false };
    mac.update(name.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

/// OpenSSH host patterns: `*` any run, `?` any one character; host names compare case-insensitively.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let name: Vec<char> = name.to_lowercase().chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            backtrack = Some((p, n));
            p += 1;
        } else if let Some((star, matched)) = backtrack {
            p = star + 1;
            n = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The verdict on an offered key of `key_type` with wire blob `blob`.
pub(crate) fn verify(known: &[KnownKey], key_type: &str, blob: &[u8]) -> Verdict {
    if let Some(revoked) = known.iter().find(|k| k.revoked && k.blob == blob) {
        return Verdict::Revoked { line: revoked.line };
    }
    let same_type: Vec<&KnownKey> = known.iter().filter(|k| !k.revoked && k.key_type == key_type).collect();
    if same_type.iter().any(|k| k.blob == blob) {
        return Verdict::Known;
    }
    if let Some(first) = same_type.first() {
        return Verdict::Changed { line: first.line };
    }
    let mut other_types: Vec<String> =
        known.iter().filter(|k| !k.revoked).map(|k| k.key_type.clone()).collect();
    other_types.dedup();
    Verdict::Unknown { other_types }
}

/// The key's type as the key blob names it (its first SSH string), e.g. `ssh-ed25519`.
pub(crate) fn blob_key_type(blob: &[u8]) -> Option<String> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let name = blob.get(4..4usize.checked_add(len)?)?;
    String::from_utf8(name.to_vec()).ok()
}

/// OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the SHA-256 of the key blob.
pub(crate) fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

/// Host-key algorithms that verify keys of the recorded types, most preferred first.
pub(crate) fn algorithms_for_types(types: &[String]) -> Vec<&'static str> {
    let mut algorithms = Vec::new();
    for key_type in types {
        let for_type: &[&'static str] = match key_type.as_str() {
            "ssh-ed25519" => &["ssh-ed25519"],
            "ecdsa-sha2-nistp256" => &["ecdsa-sha2-nistp256"],
            "ecdsa-sha2-nistp384" => &["ecdsa-sha2-nistp384"],
            "ecdsa-sha2-nistp521" => &["ecdsa-sha2-nistp521"],
            "ssh-rsa" => &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            "ssh-dss" => &["ssh-dss"],
            _ => &[],
        };
        for algorithm in for_type {
            if !algorithms.contains(algorithm) {
                algorithms.push(*algorithm);
            }
        }
    }
    algorithms
}

/// Appends `name type base64` for a newly accepted key, creating the file (0600, directory 0700)
/// when missing.
pub(crate) fn append(path: &Path, address: &str, port: u16, blob: &[u8]) -> io::Result<()> {
    let key_type = blob_key_type(blob)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "the host key blob names no key type"))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
    }
    let needs_newline = match fs::read(path) {
        Ok(existing) => !existing.is_empty() && !existing.ends_with(b"\n"),
        Err(err) if err.kind() == io::ErrorKind::NotFound => false,
        Err(err) => return Err(err),
    };
    let mut file = OpenOptions::new().append(true).create(true).mode(0o600).open(path)?;
    let line = format!(
        "{}{} {} {}\n",
        if needs_newline { "\n" } else { "" },
        host_name(address, port),
        key_type,
        STANDARD.encode(blob)
    );
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(key_type: &str, body: &[u8]) -> Vec<u8> {
        let mut blob = (key_type.len() as u32).to_be_bytes().to_vec();
        blob.extend_from_slice(key_type.as_bytes());
        blob.extend_from_slice(body);
        blob
    }

    fn hashed(name: &str, salt: &[u8]) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(salt).unwrap();
        mac.update(name.as_bytes());
        format!("|1|{}|{}", STANDARD.encode(salt), STANDARD.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn finds_plain_port_wildcard_and_hashed_entries_with_line_numbers() {
        let ed = blob("ssh-ed25519", b"one");
        let ec = blob("ecdsa-sha2-nistp256", b"two");
        let text = format!(
            "# comment\n\
             other.example ssh-ed25519 {ed}\n\
             [10.0.0.5]:2222,web1 ssh-ed25519 {ed}\n\
             {h} ecdsa-sha2-nistp256 {ec}\n\
             10.0.0.* ssh-rsa {ec}\n\
             @cert-authority *.example ssh-ed25519 {ed}\n\
             not-a-valid-line\n\
             10.0.0.5 ssh-ed25519 {ed} plain port 22 entry\n",
            ed = STANDARD.encode(&ed),
            ec = STANDARD.encode(&ec),
            h = hashed("[10.0.0.5]:2222", b"0123456789abcdefghij"),
        );
        let keys = parse_for_host(&text, &host_name("10.0.0.5", 2222));
        let lines: Vec<(usize, &str)> = keys.iter().map(|k| (k.line, k.key_type.as_str())).collect();
        assert_eq!(lines, vec![(3, "ssh-ed25519"), (4, "ecdsa-sha2-nistp256")]);
        let keys = parse_for_host(&text, &host_name("10.0.0.5", 22));
        let lines: Vec<usize> = keys.iter().map(|k| k.line).collect();
        assert_eq!(lines, vec![5, 8]);
        assert!(parse_for_host(&text, "[10.0.0.6]:2222").is_empty());
    }

    #[test]
    fn negated_patterns_exclude() {
        assert!(names_match("*.example,!db.example", "web.example"));
        assert!(!names_match("*.example,!db.example", "db.example"));
        assert!(names_match("WEB?.Example", "web1.example"));
        assert!(!names_match("web?.example", "web12.example"));
    }

    #[test]
    fn verdicts_are_type_aware() {
        let ed = blob("ssh-ed25519", b"one");
        let ed2 = blob("ssh-ed25519", b"two");
        let ec = blob("ecdsa-sha2-nistp256", b"three");
        let known =
            vec![KnownKey { line: 7, key_type: "ssh-ed25519".into(), blob: ed.clone(), revoked: false }];
        assert_eq!(verify(&known, "ssh-ed25519", &ed), Verdict::Known);
        assert_eq!(verify(&known, "ssh-ed25519", &ed2), Verdict::Changed { line: 7 });
        assert_eq!(
            verify(&known, "ecdsa-sha2-nistp256", &ec),
            Verdict::Unknown { other_types: vec!["ssh-ed25519".into()] }
        );
        let revoked =
            vec![KnownKey { line: 2, key_type: "ssh-ed25519".into(), blob: ed.clone(), revoked: true }];
        assert_eq!(verify(&revoked, "ssh-ed25519", &ed), Verdict::Revoked { line: 2 });
    }

    #[test]
    fn fingerprint_matches_openssh_format() {
        // ssh-keygen -lf of this key prints SHA256:...; the value is the unpadded base64 digest.
        let b = blob("ssh-ed25519", b"x");
        let fp = fingerprint(&b);
        assert!(fp.starts_with("SHA256:") && !fp.ends_with('='), "{fp}");
        assert_eq!(fp.len(), "SHA256:".len() + 43);
        assert_eq!(blob_key_type(&b).as_deref(), Some("ssh-ed25519"));
        assert_eq!(blob_key_type(&[0, 0, 0, 9, b'a']), None);
    }

    #[test]
    fn append_creates_a_private_file_and_keeps_lines_separate() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/known_hosts");
        let b = blob("ssh-ed25519", b"k");
        append(&path, "10.1.1.1", 2200, &b).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        fs::write(&path, format!("{}x ssh-rsa AAAA", fs::read_to_string(&path).unwrap())).unwrap();
        append(&path, "10.1.1.2", 22, &b).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert_eq!(lookup(&path, "10.1.1.2", 22).unwrap()[0].line, 3);
        assert_eq!(lookup(&path, "10.1.1.1", 2200).unwrap()[0].blob, b);
    }
}
