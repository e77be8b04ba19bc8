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
use std::path::{Path, PathBuf};

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
    Hash,
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
    /// The file the key is recorded in.
    pub file: PathBuf,
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
        file: PathBuf,
        line: usize,
    },
    /// The offered key is listed as `@revoked` at `line`.
    Revoked {
        file: PathBuf,
        line: usize,
    },
}

/// How the host is named in known_hosts: `host` on port 22, `[host]:port` otherwise, in lower
/// case as ssh looks names up and records them.
pub(crate) fn host_name(address: &str, port: u16) -> String {
    let address = address.to_lowercase();
    if port == 22 {
        address
    } else {
        format!("[{address}]:{port}")
    }
}

/// The keys recorded for `name` (see [`host_name`]) in `files`, in order. A missing file
/// records nothing.
pub(crate) fn lookup(files: &[PathBuf], name: &str) -> io::Result<Vec<KnownKey>> {
    let mut keys = Vec::new();
    for path in files {
        let mut text = Vec::new();
        match fs::File::open(path) {
            Ok(mut file) => {
                file.read_to_end(&mut text).map_err(|e| with_path(e, path))?;
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(with_path(err, path)),
        }
        let text = String::from_utf8_lossy(&text);
        keys.extend(parse_for_host(&text, name).into_iter().map(|mut k| {
            k.file = path.clone();
            k
        }));
    }
    Ok(keys)
}

fn with_path(err: io::Error, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

/// The key types recorded for `name` in `text` (the fuzz targets' view of [`parse_for_host`]).
pub(crate) fn parse_text_for_fuzzing(text: &str, name: &str) -> Vec<String> {
    let keys = parse_for_host(text, name);
    for k in &keys {
        assert!(well_formed(&k.key_type, &k.blob), "a key that is not well formed was kept");
    }
    keys.into_iter().map(|k| k.key_type).collect()
}

fn parse_for_host(text: &str, name: &str) -> Vec<KnownKey> {
    let name = name.to_lowercase();
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
        if !names_match(names, &name) {
            continue;
        }
        let Ok(blob) = STANDARD.decode(key_b64) else { continue };
        // A line ssh cannot read as a key (truncated, or labelled with another type) is not
        // a recorded key: ssh skips it, and so does yunwei.
        if !well_formed(key_type, &blob) {
            continue;
        }
        keys.push(KnownKey {
            file: PathBuf::new(),
            line: index + 1,
            key_type: key_type.to_string(),
            blob,
            revoked,
        });
    }
    keys
}

/// Whether `blob` is a public key of type `label`, with every field of that type present and
/// nothing after them.
fn well_formed(label: &str, blob: &[u8]) -> bool {
    let mut rest = blob;
    let mut field = || take_string(&mut rest);
    let Some(kind) = field() else { return false };
    if kind != label.as_bytes() {
        return false;
    }
    let ok = match label {
        "ssh-ed25519" => field().is_some_and(|pk| pk.len() == 32),
        "sk-ssh-ed25519@openssh.com" => field().is_some_and(|pk| pk.len() == 32) && field().is_some(),
        "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" => {
            let curve = &label["ecdsa-sha2-".len()..];
            field().is_some_and(|c| c == curve.as_bytes()) && field().is_some_and(|q| !q.is_empty())
        }
        "sk-ecdsa-sha2-nistp256@openssh.com" => {
            field().is_some_and(|c| c == b"nistp256")
                && field().is_some_and(|q| !q.is_empty())
                && field().is_some()
        }
        "ssh-rsa" => field().is_some() && field().is_some_and(|n| !n.is_empty()),
        "ssh-dss" => (0..4).all(|_| field().is_some()),
        _ => false,
    };
    ok && rest.is_empty()
}

/// The next SSH string of `rest`, advancing past it.
fn take_string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let value = rest.get(4..4usize.checked_add(len)?)?;
    *rest = &rest[4 + len..];
    Some(value)
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
    crate::text::wildcard(&pattern.to_lowercase(), &name.to_lowercase())
}

/// The verdict on an offered key of `key_type` with wire blob `blob`.
pub(crate) fn verify(known: &[KnownKey], key_type: &str, blob: &[u8]) -> Verdict {
    if let Some(revoked) = known.iter().find(|k| k.revoked && k.blob == blob) {
        return Verdict::Revoked { file: revoked.file.clone(), line: revoked.line };
    }
    let same_type: Vec<&KnownKey> = known.iter().filter(|k| !k.revoked && k.key_type == key_type).collect();
    if same_type.iter().any(|k| k.blob == blob) {
        return Verdict::Known;
    }
    if let Some(first) = same_type.first() {
        return Verdict::Changed { file: first.file.clone(), line: first.line };
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

/// The host-key algorithms libssh2 can verify, in OpenSSH 9's default order (`ssh -Q
/// HostKeyAlgorithms` less certificates and security keys), then SHA-1 `ssh-rsa` for servers
/// that offer nothing else (CentOS 6), which OpenSSH 8.8+ accepts only with `HostKeyAlgorithms
/// +ssh-rsa`.
pub(crate) const OPENSSH_ORDER: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
];

/// The key type an algorithm verifies.
fn key_type_of(algorithm: &str) -> &str {
    match algorithm {
        "rsa-sha2-512" | "rsa-sha2-256" => "ssh-rsa",
        other => other,
    }
}

/// The algorithms to offer, as ssh orders them: those whose key type is recorded for the host
/// first, each group in the default order (OpenSSH's `order_hostkeyalgs`).
pub(crate) fn algorithm_order(recorded_types: &[String]) -> Vec<&'static str> {
    let recorded = |a: &&str| recorded_types.iter().any(|t| t == key_type_of(a));
    let mut order: Vec<&'static str> = OPENSSH_ORDER.iter().copied().filter(recorded).collect();
    order.extend(OPENSSH_ORDER.iter().copied().filter(|a| !recorded(a)));
    order
}

/// `|1|salt|hash` for `name`, with a fresh 20-byte salt, as `HashKnownHosts yes` records names.
fn hash_name(name: &str) -> io::Result<String> {
    let mut salt = [0u8; 20];
    fs::File::open("/dev/urandom")?.read_exact(&mut salt)?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&salt)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    mac.update(name.as_bytes());
    Ok(format!("|1|{}|{}", STANDARD.encode(salt), STANDARD.encode(mac.finalize().into_bytes())))
}

/// Appends `name type base64` for a newly accepted key (the name hashed when `hash`), creating
/// the file (0600, directory 0700) when missing.
pub(crate) fn append(path: &Path, name: &str, hash: bool, blob: &[u8]) -> io::Result<()> {
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
    let name = name.to_lowercase();
    let shown = if hash { hash_name(&name)? } else { name };
    let line = format!(
        "{}{} {} {}\n",
        if needs_newline { "\n" } else { "" },
        shown,
        key_type,
        STANDARD.encode(blob)
    );
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }

    /// A well-formed public key blob of `key_type`, its key material derived from `body`.
    fn blob(key_type: &str, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, key_type.as_bytes());
        match key_type {
            "ssh-ed25519" => {
                let pk: Vec<u8> = body.iter().copied().cycle().take(32).collect();
                string(&mut out, &pk);
            }
            t if t.starts_with("ecdsa-sha2-") => {
                string(&mut out, &t.as_bytes()["ecdsa-sha2-".len()..]);
                string(&mut out, body);
            }
            "ssh-rsa" => {
                string(&mut out, &[1, 0, 1]);
                string(&mut out, body);
            }
            _ => string(&mut out, body),
        }
        out
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
        let rsa = blob("ssh-rsa", b"three");
        let text = format!(
            "# comment\n\
             other.example ssh-ed25519 {ed}\n\
             [10.0.0.5]:2222,web1 ssh-ed25519 {ed}\n\
             {h} ecdsa-sha2-nistp256 {ec}\n\
             10.0.0.* ssh-rsa {rsa}\n\
             @cert-authority *.example ssh-ed25519 {ed}\n\
             not-a-valid-line\n\
             10.0.0.5 ssh-ed25519 {ed} plain port 22 entry\n",
            ed = STANDARD.encode(&ed),
            ec = STANDARD.encode(&ec),
            rsa = STANDARD.encode(&rsa),
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
    fn names_are_looked_up_in_lower_case() {
        let ed = STANDARD.encode(blob("ssh-ed25519", b"one"));
        let text =
            format!("{} ssh-ed25519 {ed}\nWEB2.example ssh-ed25519 {ed}\n", hashed("web1.example", b"salt"));
        assert_eq!(host_name("Web1.Example", 22), "web1.example");
        assert_eq!(parse_for_host(&text, &host_name("Web1.Example", 22)).len(), 1);
        assert_eq!(parse_for_host(&text, &host_name("web2.EXAMPLE", 22)).len(), 1);
    }

    #[test]
    fn lines_ssh_cannot_read_are_not_keys() {
        let ed = blob("ssh-ed25519", b"one");
        let ec = blob("ecdsa-sha2-nistp256", b"two");
        let truncated = &ed[..ed.len() - 5];
        let text = format!(
            "h ssh-ed25519 {t}\nh ssh-ed25519 {ec}\nh ecdsa-sha2-nistp384 {ec}\nh ssh-foo {ed}\nh ssh-ed25519 {ed}\n",
            t = STANDARD.encode(truncated),
            ec = STANDARD.encode(&ec),
            ed = STANDARD.encode(&ed),
        );
        let lines: Vec<usize> = parse_for_host(&text, "h").iter().map(|k| k.line).collect();
        assert_eq!(lines, vec![5]);
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
        let key = |line, blob: &Vec<u8>, revoked| KnownKey {
            file: PathBuf::from("kh"),
            line,
            key_type: "ssh-ed25519".into(),
            blob: blob.clone(),
            revoked,
        };
        let known = vec![key(7, &ed, false)];
        assert_eq!(verify(&known, "ssh-ed25519", &ed), Verdict::Known);
        assert_eq!(verify(&known, "ssh-ed25519", &ed2), Verdict::Changed { file: "kh".into(), line: 7 });
        assert_eq!(
            verify(&known, "ecdsa-sha2-nistp256", &ec),
            Verdict::Unknown { other_types: vec!["ssh-ed25519".into()] }
        );
        let revoked = vec![key(2, &ed, true)];
        assert_eq!(verify(&revoked, "ssh-ed25519", &ed), Verdict::Revoked { file: "kh".into(), line: 2 });
    }

    #[test]
    fn recorded_types_come_first_in_openssh_order() {
        assert_eq!(algorithm_order(&[])[0], "ssh-ed25519");
        let order = algorithm_order(&["ssh-rsa".into(), "ecdsa-sha2-nistp256".into()]);
        assert_eq!(order[..3], ["ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"]);
        assert_eq!(order.len(), OPENSSH_ORDER.len());
    }

    #[test]
    fn fingerprint_matches_openssh_format() {
        let b = blob("ssh-ed25519", b"x");
        let fp = fingerprint(&b);
        assert!(fp.starts_with("SHA256:") && !fp.ends_with('='), "{fp}");
        assert_eq!(fp.len(), "SHA256:".len() + 43);
        assert_eq!(blob_key_type(&b).as_deref(), Some("ssh-ed25519"));
        assert_eq!(blob_key_type(&[0, 0, 0, 9, b'a']), None);
    }

    #[test]
    fn append_creates_a_private_file_keeps_lines_separate_and_hashes_when_asked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/known_hosts");
        let files = vec![path.clone()];
        let b = blob("ssh-ed25519", b"k");
        append(&path, &host_name("10.1.1.1", 2200), false, &b).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        fs::write(&path, format!("{}x ssh-rsa AAAA", fs::read_to_string(&path).unwrap())).unwrap();
        append(&path, "10.1.1.2", false, &b).unwrap();
        append(&path, "Web.Example", true, &b).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.lines().nth(3).unwrap().starts_with("|1|"), "{text}");
        assert!(!text.contains("eb.example"), "{text}");
        assert_eq!(lookup(&files, "10.1.1.2").unwrap()[0].line, 3);
        assert_eq!(lookup(&files, "[10.1.1.1]:2200").unwrap()[0].blob, b);
        assert_eq!(lookup(&files, "web.example").unwrap()[0].line, 4);
    }
}
