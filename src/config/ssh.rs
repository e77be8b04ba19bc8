//! `[ssh]`: how the fleet is reached (known_hosts, host-key policy, timeouts, poll interval).

use serde::Serialize;

use super::check::{key_str, Checker, Key, Place, Value};
use super::Section;
use crate::ssh::HostKeyCheck;

/// `[ssh]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ssh {
    pub known_hosts: String,
    pub host_key_check: HostKeyCheck,
    pub connect_timeout_s: u64,
    pub command_timeout_s: u64,
    pub poll_interval_s: u64,
    pub import_ssh_config: bool,
    /// The ssh_config file to import instead of `~/.ssh/config`; as with `ssh -F`, the system's
    /// `/etc/ssh/ssh_config` is then not read.
    pub ssh_config: Option<String>,
    /// Whether `host_key_check` was written in the file (then the stricter of it and a host's
    /// StrictHostKeyChecking applies; else the host's own decides).
    #[serde(skip)]
    pub host_key_check_set: bool,
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
            ssh_config: None,
            host_key_check_set: false,
        }
    }
}

pub(super) const KEYS: &[&str] = &[
    "known_hosts",
    "host_key_check",
    "connect_timeout_s",
    "command_timeout_s",
    "poll_interval_s",
    "import_ssh_config",
    "ssh_config",
];

/// Longest timeout or interval accepted, in seconds.
const MAX_SECONDS: i128 = 3600;

impl Section for Ssh {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut ssh = Ssh::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else {
            return ssh;
        };
        let place = Place::named("ssh");
        for (key, value) in table.iter() {
            let name = key_str(key);
            let seconds = |ck: &mut Checker<'_>| {
                ck.ranged(&place, name, value, 1, MAX_SECONDS, super::messages::CfgMsg::UnitSeconds)
                    .and_then(|n| u64::try_from(n).ok())
            };
            match name {
                "known_hosts" => {
                    if let Some(v) = ck.nonempty_string(&place, name, value) {
                        ssh.known_hosts = v;
                    }
                }
                "host_key_check" => {
                    if let Some(v) = ck.choice(&place, name, value) {
                        ssh.host_key_check = v;
                        ssh.host_key_check_set = true;
                    }
                }
                "connect_timeout_s" => {
                    if let Some(v) = seconds(ck) {
                        ssh.connect_timeout_s = v;
                    }
                }
                "command_timeout_s" => {
                    if let Some(v) = seconds(ck) {
                        ssh.command_timeout_s = v;
                    }
                }
                "poll_interval_s" => {
                    if let Some(v) = seconds(ck) {
                        ssh.poll_interval_s = v;
                    }
                }
                "ssh_config" => {
                    if let Some(v) = ck.nonempty_string(&place, name, value) {
                        ssh.ssh_config = Some(v);
                    }
                }
                "import_ssh_config" => {
                    if let Some(v) = ck.boolean(&place, name, value) {
                        ssh.import_ssh_config = v;
                    }
                }
                _ => {
                    ck.unknown_key(key, &place.label, KEYS);
                }
            }
        }
        ssh
    }
}
