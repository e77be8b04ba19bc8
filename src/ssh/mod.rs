//! SSH to the fleet: sessions, jump hosts, host-key checks against `known_hosts` and command
//! execution. This is the only module that talks to libssh2 (through the `ssh2` crate).
//!
//! Threads: an [`SshConn`] belongs to one thread (its host's session owner) and blocks only it. Jump hosts are shared:
//! the [`SshPool`] keeps one session per bastion, driven by one pump thread that multiplexes the
//! `direct-tcpip` channels of every target behind it (see `pump`).

mod conn;
mod connect;
mod known_hosts;
mod messages;
mod pool;
mod proxy;
mod pump;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::time::Duration;

pub use crate::text::shell_quote;
pub use conn::{PtyRequest, ShellChannel, ShellRead, SshConn};
pub(crate) use connect::io_both;
pub use known_hosts::HostKeyCheck;
pub use messages::SshMsg;

use crate::i18n::{Both, Lang, Localized};

/// The known_hosts reader on text, for the fuzz targets: how many keys `name` has there.
#[doc(hidden)]
pub fn fuzz_known_hosts(text: &str, name: &str) -> Vec<String> {
    known_hosts::parse_text_for_fuzzing(text, name)
}

/// OpenSSH's system known_hosts files, read after the user's.
pub const GLOBAL_KNOWN_HOSTS: [&str; 2] = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];
pub use pool::SshPool;

/// One SSH server: where it is and whom to log in as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The name shown to the user (the `[[hosts]]` entry's name).
    pub name: String,
    /// Host name or IP address to connect to (and to look up in `known_hosts`).
    pub address: String,
    pub port: u16,
    pub user: String,
    /// Private keys to offer, in order; empty means `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`.
    pub identity_files: Vec<PathBuf>,
    /// What `~/.ssh/config` says of this host beyond where it is.
    pub options: HostOptions,
}

/// The per-host options of `~/.ssh/config` that decide how a host is checked and reached. The
/// defaults are the `[ssh]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct HostOptions {
    /// `HostKeyAlias`: the name the host key is checked and recorded under (no port added).
    pub host_key_alias: Option<String>,
    /// `UserKnownHostsFile`; new keys are recorded in the first.
    pub user_known_hosts: Option<Vec<PathBuf>>,
    /// `GlobalKnownHostsFile`.
    pub global_known_hosts: Option<Vec<PathBuf>>,
    /// `StrictHostKeyChecking`; with `[ssh] host_key_check` also set, the stricter applies.
    pub host_key_check: Option<HostKeyCheck>,
    /// `HashKnownHosts`: record new keys under a hashed name.
    pub hash_known_hosts: bool,
    /// `ProxyCommand`, `%` tokens expanded: its stdin and stdout are the transport.
    pub proxy_command: Option<String>,
    /// Why yunwei cannot reach this host as `ssh` would; it is then not reached at all.
    pub unsupported: Option<Both>,
}

/// A host to reach, through zero or more jump hosts (outermost bastion first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub endpoint: Endpoint,
    pub via: Vec<Endpoint>,
}

/// The `[ssh]` settings the SSH layer needs.
#[derive(Debug, Clone)]
pub struct SshSettings {
    /// The user's known_hosts file (`[ssh] known_hosts`), unless a host names its own.
    pub known_hosts: PathBuf,
    /// The system's known_hosts files (read, never written), unless a host names its own.
    pub global_known_hosts: Vec<PathBuf>,
    pub host_key_check: HostKeyCheck,
    /// Whether the config set `host_key_check` (else a host's StrictHostKeyChecking decides).
    pub host_key_check_set: bool,
    /// Bounds the TCP connect (and the opening of a channel through a jump host).
    pub connect_timeout: Duration,
    /// Bounds every protocol step: the handshake, each authentication attempt, a whole exec.
    pub command_timeout: Duration,
}

/// What a remote command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The command's exit status; -1 when it was killed by a signal or none was reported.
    pub exit_status: i32,
}

/// Why a host could not be reached or a command did not run, in the words the UI shows. The
/// name ([`ErrorKind::as_str`], JSON, the UI) is the variant in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, strum::IntoStaticStr, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorKind {
    AuthFailed,
    HostKeyChanged,
    HostKeyUnknown,
    Timeout,
    Refused,
    NameNotResolved,
    JumpHostDown,
    Disconnected,
    Protocol,
    /// `~/.ssh/config` asks for something yunwei cannot do as `ssh` does; not connected.
    Unsupported,
}

impl ErrorKind {
    /// The serde name, e.g. `"host_key_changed"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An SSH failure: a kind for the UI's "why is it down" column and a message for the user, in
/// both languages (`message` is the English one, shown by `Display` and kept in JSON).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SshError {
    pub kind: ErrorKind,
    pub message: String,
    pub zh: String,
}

impl SshError {
    /// A message of the catalogue with its `{name}`s filled in.
    pub(crate) fn say(kind: ErrorKind, msg: SshMsg, args: &[(&str, &dyn Localized)]) -> Self {
        Self::both(kind, crate::i18n::both(&msg, args))
    }

    pub(crate) fn both(kind: ErrorKind, text: Both) -> Self {
        SshError { kind, message: text.en, zh: text.zh }
    }

    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message,
            Lang::ZhCn => &self.zh,
        }
    }

    /// Both texts, to fill into another message.
    pub fn texts(&self) -> Both {
        Both { en: self.message.clone(), zh: self.zh.clone() }
    }
}

/// Reconnect pacing: capped exponential backoff with ±20 % jitter, so that a fleet that lost its
/// network at once does not reconnect in lockstep.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    rng: u64,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        // RandomState is seeded randomly per process and per instance: enough for jitter.
        let seed = RandomState::new().build_hasher().finish() | 1;
        Backoff { base, cap: cap.max(base), attempt: 0, rng: seed }
    }

    /// The delay before the next attempt: base, 2×base, 4×base … up to cap, each ±20 %.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        let nominal = self.base.checked_mul(factor).unwrap_or(self.cap).min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        // xorshift64: a uniform fraction in [0, 1).
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let unit = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        nominal.mul_f64(0.8 + 0.4 * unit)
    }

    /// After a success: the next failure starts again from base.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_wraps_and_escapes_single_quotes() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("abc"), "'abc'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(rm -rf /)\n"), "'$(rm -rf /)\n'");
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter_and_resets() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let nominal = [1u64, 2, 4, 8, 16, 32, 60, 60, 60];
        for secs in nominal {
            let delay = backoff.next_delay().as_secs_f64();
            let secs = secs as f64;
            assert!(delay >= secs * 0.8 - 1e-9 && delay <= secs * 1.2 + 1e-9, "{delay} vs {secs}");
        }
        for _ in 0..100 {
            assert!(backoff.next_delay() <= Duration::from_secs(72));
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(1200));
    }

    #[test]
    fn error_kind_names_match_serde() {
        use strum::VariantArray;
        for &kind in ErrorKind::VARIANTS {
            assert_eq!(serde_json::to_string(&kind).ok(), Some(format!("\"{}\"", kind.as_str())));
        }
        // `yunwei status --json` and scripts reading it depend on these names.
        let names: Vec<&str> = ErrorKind::VARIANTS.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names.join(" "),
            "auth_failed host_key_changed host_key_unknown timeout refused name_not_resolved \
             jump_host_down disconnected protocol unsupported"
        );
    }
}
