//! Security posture of a host: firewall, listening TCP ports, failed SSH logins in the last
//! 24 hours, SELinux mode, clock synchronisation and pending security updates. Collected with
//! one exec of [`SECURITY_SCRIPT`] every [`SECURITY_INTERVAL`] (not every poll round: some of
//! its queries take seconds), parsed by [`parse_security`].
//!
//! The script follows the rules of the probe script ([`super::remote`]): POSIX `sh` only, the
//! same nonce markers, every command that may hang killed after 5 s (package queries after
//! 10 s) with `timeout` or its POSIX replacement. Nothing needs root; run as root it also sees
//! the iptables/nftables/ufw rules and the protected logs, as a normal user those figures are
//! `None` (unknown) rather than guessed. No `sudo` is tried: a refused `sudo` mails the admins.
//!
//! Where each figure comes from:
//! * firewall: `firewall-cmd` (state and the rules of the active zones), `ufw status` (or
//!   `ENABLED=` in `/etc/ufw/ufw.conf`), `iptables -S`, `nft list ruleset`, `systemctl
//!   is-active`, `/proc/net/ip_tables_names` ([`parse_security`] says how they are weighed);
//! * listening ports: the raw `/proc/net/tcp` and `/proc/net/tcp6` lines in state `0A`, parsed
//!   here (works on every kernel, needs no `ss` or `netstat`);
//! * failed SSH logins: the sshd lines of the last 24 h from the journal when the system journal
//!   is readable, else from `/var/log/secure`, `/var/log/auth.log` or `/var/log/messages` and
//!   its newest uncompressed rotation, timestamps compared with the host's own clock;
//! * SELinux: `getenforce`, else `/sys/fs/selinux/enforce` (`/selinux/enforce` on CentOS 6),
//!   else "disabled" when `/etc/selinux/config` exists;
//! * clock: `timedatectl show`, `timedatectl status`, `chronyc tracking`, `ntpstat`, `ntpq -pn`;
//! * security updates: `dnf -C`, `yum -C`, `zypper --no-refresh` or `apt-get -s upgrade`, from
//!   the local metadata cache only (a refresh over the network would not finish in 10 s).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::remote::{sh_prelude, shell_quote, split_sections, Section, Sections};

/// How often the security posture is collected.
pub const SECURITY_INTERVAL: Duration = Duration::from_secs(30 * 60);
/// A command timeout that lets the script finish in the worst case (every guarded command at
/// its limit is far less; typical runs take one to three seconds).
pub const SECURITY_TIMEOUT: Duration = Duration::from_secs(60);

/// The state of the host firewall.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firewall {
    pub active: bool,
    /// `firewalld`, `iptables`, `nftables`, `ufw` or `none`.
    pub kind: String,
    /// Number of rules (firewalld: services, ports, forward ports, protocols and rich rules of
    /// the active zones); `None` when they could not be read (not root).
    pub rules: Option<u32>,
}

/// The security posture of one host. `None` means unknown, never "no".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Security {
    pub firewall: Option<Firewall>,
    /// Sorted, unique.
    pub listening_tcp_ports: Vec<u16>,
    pub failed_ssh_logins_24h: Option<u32>,
    /// `enforcing`, `permissive` or `disabled`; `None` when SELinux is absent.
    pub selinux: Option<String>,
    pub clock_synced: Option<bool>,
    pub pending_security_updates: Option<u32>,
    /// What the baseline's signs-of-compromise part printed (`baseline::signs` reads it,
    /// against the host's recorded baseline, in the store thread); `None` when it did not run.
    #[serde(skip)]
    pub signs: Option<std::sync::Arc<crate::baseline::script::Output>>,
    /// Unix seconds.
    pub collected_at: i64,
}

/// How a posture's fact reads: as it should be, to look at, not known or not there, or plain
/// data (the ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Unknown,
    Plain,
}

impl Security {
    /// Each fact of the posture in words of `lang`, in the order the host detail and `status`
    /// show them: firewall, listening ports, failed logins, SELinux, clock, pending updates.
    pub fn facts(&self, lang: crate::i18n::Lang) -> Vec<(crate::i18n::Msg, String, Tone)> {
        use crate::i18n::Msg;
        let unknown = || (Msg::Unknown.text(lang).to_string(), Tone::Unknown);
        let count = |v: Option<u32>| {
            v.map_or_else(unknown, |n| (n.to_string(), if n > 0 { Tone::Bad } else { Tone::Good }))
        };
        let firewall = match &self.firewall {
            Some(fw) if fw.active => (
                format!("{}{}", fw.kind, fw.rules.map(|r| format!(" ({r})")).unwrap_or_default()),
                Tone::Good,
            ),
            Some(_) => (Msg::FirewallOff.text(lang).to_string(), Tone::Bad),
            None => unknown(),
        };
        let ports = if self.listening_tcp_ports.is_empty() {
            "-".to_string()
        } else {
            self.listening_tcp_ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" ")
        };
        let selinux = match &self.selinux {
            Some(m) => (m.clone(), if m == "enforcing" { Tone::Good } else { Tone::Bad }),
            None => (Msg::NotPresent.text(lang).to_string(), Tone::Unknown),
        };
        let clock = match self.clock_synced {
            Some(true) => (Msg::Yes.text(lang).to_string(), Tone::Good),
            Some(false) => (Msg::No.text(lang).to_string(), Tone::Bad),
            None => unknown(),
        };
        [
            (Msg::Firewall, firewall),
            (Msg::ListeningPorts, (ports, Tone::Plain)),
            (Msg::FailedLogins, count(self.failed_ssh_logins_24h)),
            (Msg::Selinux, selinux),
            (Msg::ClockSynced, clock),
            (Msg::SecurityUpdates, count(self.pending_security_updates)),
        ]
        .into_iter()
        .map(|(m, (text, tone))| (m, text, tone))
        .collect()
    }
}

/// The security script. Send it with [`security_command`]; its output goes to
/// [`parse_security`].
pub const SECURITY_SCRIPT: &str = concat!(
    sh_prelude!(),
    r#"s now
date '+%Y-%m-%d %H:%M:%S'
s tcp
grep -e local_address -e ' 0A ' /proc/net/tcp 2>/dev/null
s tcp6
grep -e local_address -e ' 0A ' /proc/net/tcp6 2>/dev/null
sd=
if [ -d /run/systemd/system ]; then sd=1; fi
if [ -n "$sd" ]; then
  s active
  t systemctl is-active firewalld ufw nftables iptables 2>/dev/null
fi
if command -v firewall-cmd >/dev/null 2>&1; then
  s firewalld
  fs=$(t firewall-cmd --state 2>&1)
  echo "$fs"
  if [ "$fs" = running ]; then
    zs=$(t firewall-cmd --get-active-zones 2>/dev/null | grep -v '^[[:space:]]')
    [ -n "$zs" ] || zs=$(t firewall-cmd --get-default-zone 2>/dev/null)
    for z in $zs; do
      case $z in "("*) continue ;; esac
      s "zone $z"
      t firewall-cmd --zone="$z" --list-all 2>/dev/null
      s "rc $?"
    done
  fi
fi
if [ -f /etc/ufw/ufw.conf ]; then
  s ufw.conf
  grep '^ENABLED' /etc/ufw/ufw.conf 2>/dev/null
fi
if command -v ufw >/dev/null 2>&1; then
  s ufw
  t ufw status 2>/dev/null
  s "rc $?"
fi
if command -v iptables >/dev/null 2>&1; then
  s iptables
  t iptables -S 2>/dev/null
  s "rc $?"
fi
if command -v nft >/dev/null 2>&1; then
  s nft
  t nft list ruleset 2>/dev/null
  s "rc $?"
fi
s ip_tables_names
cat /proc/net/ip_tables_names 2>/dev/null
s "rc $?"
if command -v getenforce >/dev/null 2>&1; then
  s getenforce
  getenforce 2>/dev/null
  s "rc $?"
fi
for f in /sys/fs/selinux/enforce /selinux/enforce; do
  if [ -r "$f" ]; then
    s enforce
    cat "$f"
    break
  fi
done
if [ -f /etc/selinux/config ]; then
  s selinux.config
  grep '^SELINUX=' /etc/selinux/config 2>/dev/null
fi
if [ -n "$sd" ] && command -v timedatectl >/dev/null 2>&1; then
  s ntp.show
  t timedatectl show -p NTPSynchronized --value 2>/dev/null
  s "rc $?"
  s timedatectl
  t timedatectl status 2>/dev/null
  s "rc $?"
fi
if command -v chronyc >/dev/null 2>&1; then
  s chronyc
  t chronyc -n tracking 2>/dev/null
  s "rc $?"
fi
if command -v ntpstat >/dev/null 2>&1; then
  s ntpstat
  t ntpstat >/dev/null 2>&1
  s "rc $?"
fi
if command -v ntpq >/dev/null 2>&1; then
  s ntpq
  t ntpq -pn 2>/dev/null
  s "rc $?"
fi
W=10
g='sshd.*([Ff]ailed (password|keyboard)|[Ii]nvalid user|[Aa]uthentication failure|maximum authentication)'
j=
if [ -n "$sd" ] && command -v journalctl >/dev/null 2>&1; then
  if [ -n "$(t journalctl -q -n 1 -o cat _PID=1 2>/dev/null)" ]; then j=1; fi
fi
if [ -n "$j" ]; then
  s auth.journal
  t journalctl -q --no-pager -o short -u sshd -u ssh --since=-24h 2>/dev/null | grep -E "$g" | tail -n 20000 | cut -c1-300
  s "rc 0"
else
  for f in /var/log/secure /var/log/auth.log /var/log/messages; do
    [ -e "$f" ] || continue
    if [ -r "$f" ]; then
      rot=
      for c in "$f"-[0-9]*[0-9] "$f".1; do
        if [ -f "$c" ] && [ -r "$c" ]; then rot=$c; fi
      done
      s "auth.log $f"
      cat $rot "$f" 2>/dev/null | grep -E "$g" | tail -n 20000 | cut -c1-300
      s "rc 0"
    else
      s "auth.unreadable $f"
    fi
    break
  done
fi
if command -v dnf >/dev/null 2>&1; then
  s updates.dnf
  t dnf -q -C updateinfo list --security 2>/dev/null
  s "rc $?"
elif command -v yum >/dev/null 2>&1; then
  s updates.yum
  t yum -q -C updateinfo list security 2>/dev/null
  s "rc $?"
elif command -v zypper >/dev/null 2>&1; then
  s updates.zypper
  t zypper -q -n --no-refresh list-patches --category security 2>/dev/null
  s "rc $?"
elif command -v apt-get >/dev/null 2>&1; then
  s updates.apt
  o=$(t apt-get -s -o Debug::NoLocking=1 upgrade 2>/dev/null)
  r=$?
  printf '%s\n' "$o" | grep '^Inst '
  s "rc $r"
fi
s signs
(
"#,
    crate::baseline_prelude!(),
    crate::baseline_signs!(),
    "printf '@@ end $\\n'\n)\ns end\n"
);

/// The first line of a script that runs at the lowest I/O priority (idle class) where
/// `ionice` exists; its children (the package query) inherit it. The lowest CPU priority
/// comes from `nice -n 19` on the command line ([`lowest_priority`]).
pub const IDLE_IO: &str = "if command -v ionice >/dev/null 2>&1; then ionice -c3 -p $$ >/dev/null 2>&1; fi\n";

/// How many health rounds come before the first security posture: the console's first
/// figures are never delayed by the package queries.
pub const SECURITY_AFTER_ROUNDS: u32 = 3;

/// The program and arguments that run `script` as `name` at the lowest CPU and I/O priority:
/// `nice -n 19 sh -c '<IDLE_IO><script>' <name>`. `name` becomes `$0`, so `ps` shows whose
/// shell it is.
pub fn lowest_priority(script: &str, name: &str) -> Vec<String> {
    ["nice", "-n", "19", "sh", "-c"]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("{IDLE_IO}{script}"), name.to_string()])
        .collect()
}

/// The complete command line to exec on the host: [`lowest_priority`] of the
/// [`SECURITY_SCRIPT`], every word quoted for the remote shell.
pub fn security_command() -> String {
    lowest_priority(SECURITY_SCRIPT, "yunwei-security")
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collects this machine's posture the same way, as a child of yunwei: its package query
/// is then one of yunwei's own processes in the top-processes list.
pub fn local_security(timeout: Duration) -> Result<String, String> {
    let argv = lowest_priority(SECURITY_SCRIPT, "yunwei-security");
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    super::local::run_command(&argv[0], &args, timeout).map_err(|e| e.en)
}

/// Parses the output of [`SECURITY_SCRIPT`]. `collected_at` (Unix seconds) is stored, and is
/// the reference time for the 24-hour log window when the host did not print its own clock.
/// Never fails: what is missing or unreadable is `None` (an empty port list).
pub fn parse_security(output: &str, collected_at: i64) -> Security {
    let sections = split_sections(output);
    let mut ports = BTreeSet::new();
    for name in ["tcp", "tcp6"] {
        if let Some(sec) = sections.get(name) {
            ports.extend(listening_ports(&sec.lines));
        }
    }
    let now = sections
        .get("now")
        .and_then(|s| s.lines.first())
        .and_then(|l| NaiveDateTime::parse_from_str(l.trim(), "%Y-%m-%d %H:%M:%S").ok())
        .or_else(|| DateTime::from_timestamp(collected_at, 0).map(|d| d.naive_utc()));
    // Every string in the result is one of a fixed set (the signs part is data, escaped where
    // it is shown): nothing else from the host needs sanitising.
    Security {
        firewall: firewall(&sections),
        listening_tcp_ports: ports.into_iter().collect(),
        failed_ssh_logins_24h: failed_logins(&sections, now),
        selinux: selinux(&sections),
        clock_synced: clock_synced(&sections),
        pending_security_updates: security_updates(&sections),
        signs: sections
            .get("signs")
            .map(|s| std::sync::Arc::new(crate::baseline::script::read(&s.lines.join("\n")))),
        collected_at,
    }
}

fn ok<'s, 'a>(sections: &'s Sections<'a>, name: &str) -> Option<&'s Section<'a>> {
    sections.get(name).filter(|s| s.status() == Some(0))
}

// ---------------------------------------------------------------------------------------------
// Listening ports

/// Local ports of the `/proc/net/tcp{,6}` lines in state `0A` (LISTEN).
fn listening_ports(lines: &[&str]) -> Vec<u16> {
    lines
        .iter()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _slot = fields.next()?;
            let local = fields.next()?;
            let _remote = fields.next()?;
            if fields.next()? != "0A" {
                return None;
            }
            let (_, port) = local.rsplit_once(':')?;
            u16::from_str_radix(port, 16).ok()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Firewall

/// Which firewall, in this order: firewalld when it runs; ufw when it is active; iptables when
/// `iptables -S` shows rules or a policy other than ACCEPT; nftables when its ruleset holds
/// rules or a chain with a drop policy; then a firewall service systemd reports active whose
/// rules could not be read; `none` when the rules were readable (root) and empty; else unknown.
fn firewall(sections: &Sections<'_>) -> Option<Firewall> {
    let active_units: HashMap<&str, &str> = sections
        .get("active")
        .map(|sec| {
            ["firewalld", "ufw", "nftables", "iptables"]
                .into_iter()
                .zip(sec.lines.iter().map(|l| l.trim()))
                .collect()
        })
        .unwrap_or_default();
    let unit_active = |u: &str| active_units.get(u) == Some(&"active");
    let fw =
        |kind: &str, active: bool, rules: Option<u32>| Some(Firewall { active, kind: kind.into(), rules });

    let firewalld_running =
        sections.get("firewalld").and_then(|s| s.lines.first()).map(|l| l.trim() == "running");
    if firewalld_running == Some(true) || (firewalld_running.is_none() && unit_active("firewalld")) {
        let zones: Vec<&Section<'_>> = sections.list.iter().filter(|s| s.name.starts_with("zone ")).collect();
        let rules = (!zones.is_empty() && zones.iter().all(|z| z.status() == Some(0)))
            .then(|| zones.iter().map(|z| firewalld_zone_rules(&z.lines)).sum());
        return fw("firewalld", true, rules);
    }

    let ufw = ok(sections, "ufw").and_then(|s| ufw_status(&s.lines));
    let ufw_enabled = sections.get("ufw.conf").and_then(|s| s.lines.first()).map(|l| {
        let v = l.trim().trim_start_matches("ENABLED=").trim_matches(|c| c == '"' || c == '\'');
        v.eq_ignore_ascii_case("yes")
    });
    match ufw {
        Some((true, rules)) => return fw("ufw", true, Some(rules)),
        None if ufw_enabled == Some(true) || (unit_active("ufw") && ufw_enabled.is_none()) => {
            return fw("ufw", true, None);
        }
        _ => {}
    }

    let iptables = ok(sections, "iptables").map(|s| iptables_rules(&s.lines));
    if let Some((rules, restrictive)) = iptables {
        if rules > 0 || restrictive {
            return fw("iptables", true, Some(rules));
        }
    }
    let nft = ok(sections, "nft").map(|s| nft_rules(&s.lines));
    if let Some((rules, restrictive)) = nft {
        if rules > 0 || restrictive {
            return fw("nftables", true, Some(rules));
        }
    }
    if unit_active("nftables") && nft.is_none() {
        return fw("nftables", true, None);
    }
    if unit_active("iptables") && iptables.is_none() {
        return fw("iptables", true, None);
    }
    // Readable and empty: no firewall. Without iptables and nft, an empty list of loaded
    // iptables tables (readable by root only) says the same.
    let no_tables =
        ok(sections, "ip_tables_names").is_some_and(|s| s.lines.iter().all(|l| l.trim().is_empty()));
    let no_tools = sections.get("iptables").is_none() && sections.get("nft").is_none();
    if iptables.is_some() || nft.is_some() || ufw.is_some() || (no_tools && no_tables) {
        return fw("none", false, Some(0));
    }
    None
}

/// Services, ports, source ports, protocols, forward ports and rich rules of one
/// `firewall-cmd --list-all` zone (forward ports and rich rules inline or one per line).
fn firewalld_zone_rules(lines: &[&str]) -> u32 {
    let mut n = 0u32;
    for line in lines {
        let t = line.trim();
        if t.starts_with("rule ") || t.starts_with("port=") {
            n = n.saturating_add(1);
        } else if let Some((key, value)) = t.split_once(':') {
            if matches!(key.trim(), "services" | "ports" | "source-ports" | "protocols" | "forward-ports") {
                let count = value.split_whitespace().count();
                n = n.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
            }
        }
    }
    n
}

/// `ufw status` (as root): whether active, and the rule rows below the `--` line.
fn ufw_status(lines: &[&str]) -> Option<(bool, u32)> {
    let status = lines.iter().find_map(|l| l.trim().strip_prefix("Status:"))?.trim();
    let mut rules = 0u32;
    let mut in_table = false;
    for line in lines {
        if in_table && !line.trim().is_empty() {
            rules = rules.saturating_add(1);
        } else if line.trim_start().starts_with("--") {
            in_table = true;
        }
    }
    Some((status == "active", rules))
}

/// `iptables -S`: the number of `-A` rules, and whether a chain policy is not ACCEPT.
fn iptables_rules(lines: &[&str]) -> (u32, bool) {
    let mut rules = 0u32;
    let mut restrictive = false;
    for line in lines {
        let mut f = line.split_whitespace();
        match f.next() {
            Some("-A") => rules = rules.saturating_add(1),
            Some("-P") => restrictive |= f.nth(1).is_some_and(|p| p != "ACCEPT"),
            _ => {}
        }
    }
    (rules, restrictive)
}

/// `nft list ruleset`: the number of rule lines inside chains, and whether a base chain has a
/// drop policy. Sets, maps, flowtables and their elements are not rules.
fn nft_rules(lines: &[&str]) -> (u32, bool) {
    let mut rules = 0u32;
    let mut restrictive = false;
    let mut depth = 0usize;
    let mut chain_depth: Option<usize> = None;
    for line in lines {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let opens = t.ends_with('{');
        let closes = t == "}" || t.starts_with('}');
        if closes {
            depth = depth.saturating_sub(1);
            if chain_depth.is_some_and(|d| depth < d) {
                chain_depth = None;
            }
            continue;
        }
        if let Some(d) = chain_depth {
            if depth == d {
                if t.starts_with("type ") {
                    restrictive |= t.contains("policy drop");
                } else if !t.starts_with("policy ") && !t.starts_with("comment ") {
                    rules = rules.saturating_add(1);
                } else {
                    restrictive |= t.starts_with("policy drop");
                }
            }
        }
        if opens {
            depth += 1;
            if t.starts_with("chain ") {
                chain_depth = Some(depth);
            }
        }
    }
    (rules, restrictive)
}

// ---------------------------------------------------------------------------------------------
// Failed SSH logins

/// Failed SSH login attempts in the 24 hours before `now` (the host's local clock).
///
/// Counted are attempts, not lines: one attempt logs up to three lines (`Invalid user`, the PAM
/// `authentication failure`, `Failed password`), and a key-only server logs none of the
/// `Failed` kind. So, per sshd process (connection): each `Failed password` /
/// `Failed keyboard-interactive` line is one attempt and absorbs the invalid-user and PAM lines
/// of that process before it; invalid-user, PAM and "too many authentication failures" lines
/// not absorbed by one count once per connection (a client that gave up, or offered keys
/// only). `message repeated N times: [...]` counts N. A pid reused by sshd within the window
/// may merge two unabsorbed connections into one: the count errs low, never high.
///
/// Journal lines are already limited to 24 h by `journalctl --since`; log file lines are dated
/// by their syslog timestamp, which has no year: a date later than `now` (plus a day of slack
/// for clock skew) is from the previous year, so December lines read in January count right;
/// the window is the 24 hours before the host's clock reading (plus 5 minutes for lines logged
/// while the script ran).
fn failed_logins(sections: &Sections<'_>, now: Option<NaiveDateTime>) -> Option<u32> {
    if let Some(sec) = sections.get("auth.journal") {
        return Some(count_failed_logins(&sec.lines, None));
    }
    let sec = sections.with_prefix("auth.log ").next()?;
    let now = now?;
    Some(count_failed_logins(&sec.lines, Some(now)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// `Failed password` / `Failed keyboard-interactive`: one attempt.
    Failed,
    /// `Invalid user`, PAM `authentication failure`: part of an attempt.
    Part,
    /// `Too many authentication failures`, `maximum authentication attempts exceeded`: the end
    /// of a connection whose attempts are counted already if they logged `Failed` lines.
    Summary,
}

fn classify(line: &str) -> Option<Failure> {
    if !line.contains("sshd") {
        return None;
    }
    if line.contains("Failed password") || line.contains("Failed keyboard-interactive") {
        return Some(Failure::Failed);
    }
    // Not "Connection closed by invalid user": that is the end of the connection.
    if line.contains("Invalid user ") || line.contains("input_userauth_request: invalid user") {
        return Some(Failure::Part);
    }
    let lower = line.to_ascii_lowercase();
    if lower.contains("authentication failures") || lower.contains("maximum authentication attempts") {
        return Some(Failure::Summary);
    }
    lower.contains("authentication failure").then_some(Failure::Part)
}

/// The `sshd[1234]` / `sshd-session[1234]` token that ties the lines of one connection together.
fn sshd_pid(line: &str) -> Option<&str> {
    let start = line.find("sshd[").or_else(|| line.find("sshd-session["))?;
    let rest = &line[start..];
    let end = rest.find(']')?;
    Some(&rest[..=end])
}

fn repeat_count(line: &str) -> u32 {
    line.split_once("message repeated ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[derive(Default)]
struct Connection {
    failed_seen: bool,
    /// A failure line not (yet) absorbed by a `Failed` line.
    pending: bool,
}

/// Counts failed attempts (see [`failed_logins`]) in `lines`; with `window_end`, only lines
/// dated in the 24 hours before it.
fn count_failed_logins(lines: &[&str], window_end: Option<NaiveDateTime>) -> u32 {
    // Up to 5 minutes after the host's clock reading: lines logged while the script ran.
    let window = window_end.map(|end| (end - TimeDelta::hours(24), end + TimeDelta::minutes(5)));
    let mut total = 0u32;
    let mut connections: HashMap<&str, Connection> = HashMap::new();
    for line in lines {
        let Some(kind) = classify(line) else { continue };
        if let Some((start, end)) = window {
            match log_time(line, end) {
                Some(ts) if ts > start && ts <= end => {}
                _ => continue,
            }
        }
        let weight = repeat_count(line);
        let Some(pid) = sshd_pid(line) else {
            if kind != Failure::Summary {
                total = total.saturating_add(weight);
            }
            continue;
        };
        let conn = connections.entry(pid).or_default();
        match kind {
            Failure::Failed => {
                total = total.saturating_add(weight);
                conn.failed_seen = true;
                conn.pending = false;
            }
            Failure::Part => conn.pending = true,
            Failure::Summary => conn.pending |= !conn.failed_seen,
        }
    }
    let unabsorbed = connections.values().filter(|c| c.pending).count();
    total.saturating_add(u32::try_from(unabsorbed).unwrap_or(u32::MAX))
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The local time of a syslog line: `Mar 27 13:06:56 host ...` (year from `now`, see
/// [`failed_logins`]) or an RFC 3339 stamp `2015-04-16T18:02:50.321974+00:00 host ...` (its
/// wall-clock part).
fn log_time(line: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let mut fields = line.split_whitespace();
    let first = fields.next()?;
    if first.len() > 10 && first.starts_with(|c: char| c.is_ascii_digit()) {
        return DateTime::parse_from_rfc3339(first).ok().map(|d| d.naive_local());
    }
    let month = MONTHS.iter().position(|m| *m == first)? + 1;
    let day: u32 = fields.next()?.parse().ok()?;
    let time = NaiveTime::parse_from_str(fields.next()?, "%H:%M:%S").ok()?;
    let month = u32::try_from(month).ok()?;
    let at_year = |y: i32| NaiveDate::from_ymd_opt(y, month, day).map(|d| d.and_time(time));
    match at_year(now.year()) {
        Some(ts) if ts <= now + TimeDelta::days(1) => Some(ts),
        _ => at_year(now.year() - 1),
    }
}

// ---------------------------------------------------------------------------------------------
// SELinux, clock, updates

fn selinux(sections: &Sections<'_>) -> Option<String> {
    let first =
        |name: &str| sections.get(name).and_then(|s| s.lines.first()).map(|l| l.trim().to_ascii_lowercase());
    if let Some(mode) = ok(sections, "getenforce").and_then(|s| s.lines.first()) {
        let mode = mode.trim().to_ascii_lowercase();
        if matches!(mode.as_str(), "enforcing" | "permissive" | "disabled") {
            return Some(mode);
        }
    }
    match first("enforce").as_deref() {
        Some("1") => return Some("enforcing".into()),
        Some("0") => return Some("permissive".into()),
        _ => {}
    }
    // Installed but selinuxfs not mounted: disabled, whatever the config asks for next boot.
    sections.get("selinux.config").map(|_| "disabled".into())
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn clock_synced(sections: &Sections<'_>) -> Option<bool> {
    if let Some(v) = ok(sections, "ntp.show").and_then(|s| s.lines.first()).and_then(|l| yes_no(l)) {
        return Some(v);
    }
    if let Some(sec) = ok(sections, "timedatectl") {
        let v = sec.lines.iter().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            matches!(key.trim(), "NTP synchronized" | "System clock synchronized")
                .then(|| yes_no(value))
                .flatten()
        });
        if v.is_some() {
            return v;
        }
    }
    if let Some(sec) = ok(sections, "chronyc") {
        let leap = sec.lines.iter().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key.trim() == "Leap status").then(|| value.trim())
        });
        match leap {
            Some("Not synchronised") => return Some(false),
            Some(_) => return Some(true),
            None => {}
        }
    }
    match sections.get("ntpstat").and_then(Section::status) {
        Some(0) => return Some(true),
        Some(1) => return Some(false),
        _ => {}
    }
    if let Some(sec) = ok(sections, "ntpq") {
        let peers: Vec<&str> = sec
            .lines
            .iter()
            .skip_while(|l| !l.starts_with("=="))
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .copied()
            .collect();
        if !peers.is_empty() {
            return Some(peers.iter().any(|l| l.starts_with('*')));
        }
    }
    None
}

fn security_updates(sections: &Sections<'_>) -> Option<u32> {
    let count = |n: usize| u32::try_from(n).ok();
    if let Some(sec) = ok(sections, "updates.dnf").or_else(|| ok(sections, "updates.yum")) {
        // dnf 4 / yum: `RHSA-2023:1234 Important/Sec. openssl-1:3.0.7-17.el9.x86_64`;
        // dnf 5: `RHSA-2023:1234 security Important openssl-... 2023-05-16 ...`.
        let n = sec
            .lines
            .iter()
            .filter(|l| l.split_whitespace().nth(1).is_some_and(|t| t.ends_with("/Sec.") || t == "security"))
            .count();
        return count(n);
    }
    if let Some(sec) = ok(sections, "updates.zypper") {
        let n =
            sec.lines.iter().filter(|l| l.split('|').nth(2).is_some_and(|c| c.trim() == "security")).count();
        return count(n);
    }
    if let Some(sec) = ok(sections, "updates.apt") {
        let n = sec.lines.iter().filter(|l| l.starts_with("Inst ") && l.contains("-security")).count();
        return count(n);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{read_fixture, shared_data};
    use std::process::Command;

    const NONCE: &str = "0b5c7f1e-2d3a-4e6f-8a9b-c0d1e2f3a4b5";

    fn output(sections: &[(&str, &str)]) -> String {
        let mut out = format!("@@yunwei:begin:{NONCE}\n");
        for (name, body) in sections {
            out.push_str(&format!("@@yunwei:{NONCE}:{name}\n{body}"));
        }
        out.push_str(&format!("@@yunwei:{NONCE}:end\n"));
        out
    }

    fn run(shell: &[&str], script: &str) -> String {
        let out = Command::new(shell[0]).args(&shell[1..]).arg("-c").arg(script).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn live_run_lists_a_listener_of_this_test() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let listener6 = std::net::TcpListener::bind("[::1]:0").ok();
        let mut shells: Vec<Vec<&str>> = vec![vec!["sh"], vec!["bash", "--posix"]];
        if std::path::Path::new("/usr/bin/busybox").exists() {
            shells.push(vec!["busybox", "sh"]);
        }
        for shell in &shells {
            let out = run(shell, SECURITY_SCRIPT);
            assert!(out.contains(":end\n"), "{shell:?}: {out}");
            let sec = parse_security(&out, 1_800_000_000);
            assert_eq!(sec.collected_at, 1_800_000_000);
            assert!(
                sec.listening_tcp_ports.contains(&port),
                "{shell:?}: {port} not in {:?}",
                sec.listening_tcp_ports
            );
            if let Some(l6) = &listener6 {
                let p6 = l6.local_addr().unwrap().port();
                assert!(sec.listening_tcp_ports.contains(&p6), "{shell:?}: [::1]:{p6}");
            }
            assert!(sec.listening_tcp_ports.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
            if let Some(mode) = &sec.selinux {
                assert!(["enforcing", "permissive", "disabled"].contains(&mode.as_str()), "{mode}");
            }
            if let Some(fw) = &sec.firewall {
                assert!(
                    ["firewalld", "iptables", "nftables", "ufw", "none"].contains(&fw.kind.as_str()),
                    "{fw:?}"
                );
            }
        }
        // The complete command line works too.
        let sec = parse_security(&run(&["sh"], &security_command()), 0);
        assert!(sec.listening_tcp_ports.contains(&port));
    }

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 15292 1 ffff8800b9a5e000 100 0 0 10 0
   1: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 16181 1 ffff8800b9a5e700 100 0 0 10 0
   2: 0F02000A:0016 0202000A:C35A 01 00000000:00000000 02:0008A4C1 00000000     0        0 26342 4 ffff8800b9a5f500 20 4 29 10 -1
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 15294 1 ffff8800bab30000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 17530 1 ffff8800bab30800 100 0 0 10 0
";

    #[test]
    fn ports_from_proc_net_tcp() {
        let sec = parse_security(&output(&[("tcp", TCP), ("tcp6", TCP6)]), 5);
        // 22 on both families, 25 on loopback, 8080 on v6; the established connection is not listed.
        assert_eq!(sec.listening_tcp_ports, [22, 25, 8080]);
        assert_eq!(sec.firewall, None);
        assert_eq!(sec.failed_ssh_logins_24h, None);
        assert_eq!(sec.selinux, None);
        assert_eq!(sec.clock_synced, None);
        assert_eq!(sec.pending_security_updates, None);
    }

    const FIREWALLD_PUBLIC: &str = "public (active)
  target: default
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: dhcpv6-client ssh http
  ports: 8080/tcp 9090/tcp
  protocols: 
  masquerade: no
  forward-ports: port=80:proto=tcp:toport=8080:toaddr=
  source-ports: 
  icmp-blocks: echo-request
  rich rules: 
\trule family=\"ipv4\" source address=\"10.0.0.0/8\" port port=\"22\" protocol=\"tcp\" accept
";
    // firewalld 1.x prints forward ports and rich rules one per line.
    const FIREWALLD_INTERNAL: &str = "internal (active)
  target: default
  interfaces: eth1
  services: ssh mdns
  ports: 
  forward-ports: 
\tport=2222:proto=tcp:toport=22:toaddr=10.0.0.5
  rich rules: 
\trule family=\"ipv4\" source address=\"192.168.1.0/24\" service name=\"nfs\" accept
\trule family=\"ipv4\" source address=\"192.168.9.9\" reject
";

    fn fw(kind: &str, active: bool, rules: Option<u32>) -> Option<Firewall> {
        Some(Firewall { active, kind: kind.into(), rules })
    }

    #[test]
    fn firewalld_rules_of_active_zones() {
        let out = output(&[
            ("active", "active\ninactive\ninactive\ninactive\n"),
            ("firewalld", "running\n"),
            ("zone public", FIREWALLD_PUBLIC),
            ("rc 0", ""),
            ("zone internal", FIREWALLD_INTERNAL),
            ("rc 0", ""),
            ("iptables", "-P INPUT ACCEPT\n-A INPUT -j INPUT_direct\n"),
            ("rc 0", ""),
        ]);
        // public: 3 services + 2 ports + 1 forward port + 1 rich rule; internal: 2 + 1 + 2.
        assert_eq!(parse_security(&out, 0).firewall, fw("firewalld", true, Some(12)));
        // Not root: firewall-cmd refuses the zone listing; running, rule count unknown.
        let out =
            output(&[("firewalld", "running\n"), ("zone public", "Authorization failed.\n"), ("rc 11", "")]);
        assert_eq!(parse_security(&out, 0).firewall, fw("firewalld", true, None));
        // firewalld installed but stopped, iptables readable and empty: no firewall.
        let out = output(&[
            ("active", "inactive\ninactive\ninactive\ninactive\n"),
            ("firewalld", "not running\n"),
            ("iptables", "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"),
            ("rc 0", ""),
            ("nft", ""),
            ("rc 0", ""),
        ]);
        assert_eq!(parse_security(&out, 0).firewall, fw("none", false, Some(0)));
    }

    #[test]
    fn iptables_rules_and_policies() {
        // CentOS 6 default rule set.
        let rules = "-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -j REJECT --reject-with icmp-host-prohibited
";
        let out = output(&[("iptables", rules), ("rc 0", ""), ("ip_tables_names", "filter\n"), ("rc 0", "")]);
        assert_eq!(parse_security(&out, 0).firewall, fw("iptables", true, Some(6)));
        // A DROP policy with no rules is an active firewall.
        let out = output(&[("iptables", "-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n"), ("rc 0", "")]);
        assert_eq!(parse_security(&out, 0).firewall, fw("iptables", true, Some(0)));
        // Not root: iptables refuses; systemd says the iptables service runs.
        let out = output(&[
            ("active", "inactive\ninactive\ninactive\nactive\n"),
            ("iptables", ""),
            ("rc 4", ""),
            ("ip_tables_names", ""),
            ("rc 1", ""),
        ]);
        assert_eq!(parse_security(&out, 0).firewall, fw("iptables", true, None));
        // Not root and nothing else known: unknown, not "none".
        let out = output(&[("iptables", ""), ("rc 4", ""), ("nft", ""), ("rc 1", "")]);
        assert_eq!(parse_security(&out, 0).firewall, None);
    }

    const NFT: &str = "table inet filter {
\tset blocked {
\t\ttype ipv4_addr
\t\telements = { 192.0.2.1, 192.0.2.7 }
\t}

\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\tiif \"lo\" accept
\t\tip saddr @blocked drop
\t\ttcp dport { 22, 80, 443 } accept
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t}

\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t}
}
table ip nat {
\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\toifname \"eth0\" masquerade
\t}
}
";

    #[test]
    fn nftables_ruleset() {
        let out = output(&[
            ("active", "inactive\ninactive\nactive\ninactive\n"),
            ("iptables", "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"),
            ("rc 0", ""),
            ("nft", NFT),
            ("rc 0", ""),
        ]);
        assert_eq!(parse_security(&out, 0).firewall, fw("nftables", true, Some(5)));
        assert_eq!(nft_rules(&["table inet filter {", "}"]), (0, false));
        let lines: Vec<&str> = NFT.lines().collect();
        assert_eq!(nft_rules(&lines), (5, true));
    }

    #[test]
    fn ufw_and_no_firewall() {
        let status = "Status: active

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW       Anywhere
80,443/tcp                 ALLOW       Anywhere
22/tcp (v6)                ALLOW       Anywhere (v6)
";
        let out = output(&[("ufw.conf", "ENABLED=yes\n"), ("ufw", status), ("rc 0", "")]);
        assert_eq!(parse_security(&out, 0).firewall, fw("ufw", true, Some(3)));
        // Not root: `ufw status` refuses, the config says enabled.
        let out = output(&[("ufw.conf", "ENABLED=yes\n"), ("ufw", ""), ("rc 1", "")]);
        assert_eq!(parse_security(&out, 0).firewall, fw("ufw", true, None));
        // Root on a host without iptables and nft binaries and without loaded tables.
        let out = output(&[("ufw.conf", "ENABLED=no\n"), ("ip_tables_names", ""), ("rc 0", "")]);
        assert_eq!(parse_security(&out, 0).firewall, fw("none", false, Some(0)));
        let out = output(&[("ip_tables_names", ""), ("rc 1", "")]);
        assert_eq!(parse_security(&out, 0).firewall, None);
    }

    #[test]
    fn selinux_modes() {
        let mode = |sections: &[(&str, &str)]| parse_security(&output(sections), 0).selinux;
        assert_eq!(
            mode(&[("getenforce", "Enforcing\n"), ("rc 0", ""), ("enforce", "1")]).as_deref(),
            Some("enforcing")
        );
        assert_eq!(
            mode(&[("getenforce", "Disabled\n"), ("rc 0", ""), ("selinux.config", "SELINUX=disabled\n")])
                .as_deref(),
            Some("disabled")
        );
        // No getenforce (libselinux-utils not installed): selinuxfs.
        assert_eq!(mode(&[("enforce", "0\n")]).as_deref(), Some("permissive"));
        assert_eq!(mode(&[("enforce", "1\n")]).as_deref(), Some("enforcing"));
        // Configured but selinuxfs not mounted.
        assert_eq!(mode(&[("selinux.config", "SELINUX=enforcing\n")]).as_deref(), Some("disabled"));
        // Debian/Ubuntu: no SELinux at all.
        assert_eq!(mode(&[]), None);
    }

    #[test]
    fn clock_sources() {
        let synced = |sections: &[(&str, &str)]| parse_security(&output(sections), 0).clock_synced;
        assert_eq!(synced(&[("ntp.show", "yes\n"), ("rc 0", "")]), Some(true));
        assert_eq!(synced(&[("ntp.show", "no\n"), ("rc 0", "")]), Some(false));
        // systemd 219 (CentOS 7): no `show`, the status text says it.
        let c7 = "      Local time: Mon 2024-01-01 10:00:00 CST
  Universal time: Mon 2024-01-01 02:00:00 UTC
        RTC time: Mon 2024-01-01 02:00:00
       Time zone: Asia/Shanghai (CST, +0800)
     NTP enabled: yes
NTP synchronized: no
 RTC in local TZ: no
      DST active: n/a
";
        assert_eq!(synced(&[("ntp.show", ""), ("rc 1", ""), ("timedatectl", c7), ("rc 0", "")]), Some(false));
        let new = "System clock synchronized: yes\n              NTP service: active\n";
        assert_eq!(synced(&[("timedatectl", new), ("rc 0", "")]), Some(true));
        // CentOS 6: chrony or ntpd only.
        let chrony =
            "Reference ID    : C0A80101 (192.168.1.1)\nStratum         : 3\nLeap status     : Normal\n";
        assert_eq!(synced(&[("chronyc", chrony), ("rc 0", "")]), Some(true));
        let chrony =
            "Reference ID    : 00000000 ()\nStratum         : 0\nLeap status     : Not synchronised\n";
        assert_eq!(synced(&[("chronyc", chrony), ("rc 0", "")]), Some(false));
        assert_eq!(
            synced(&[
                ("chronyc", "506 Cannot talk to daemon\n"),
                ("rc 1", ""),
                ("ntpstat", ""),
                ("rc 1", "")
            ]),
            Some(false)
        );
        let ntpq = "     remote           refid      st t when poll reach   delay   offset  jitter
==============================================================================
*192.168.1.1     202.112.10.36    2 u  193 1024  377    0.412   -0.101   0.046
+192.168.1.2     202.112.10.36    2 u  705 1024  377    0.398    0.044   0.040
";
        assert_eq!(synced(&[("ntpq", ntpq), ("rc 0", "")]), Some(true));
        assert_eq!(synced(&[("ntpq", &ntpq.replace('*', " ")), ("rc 0", "")]), Some(false));
        assert_eq!(synced(&[("ntpstat", ""), ("rc 2", "")]), None);
        assert_eq!(synced(&[]), None);
    }

    #[test]
    fn security_updates_per_package_manager() {
        let updates =
            |sections: &[(&str, &str)]| parse_security(&output(sections), 0).pending_security_updates;
        let dnf = "RHSA-2023:3722 Important/Sec. openssl-1:3.0.7-16.el9_2.x86_64
RHSA-2023:3722 Important/Sec. openssl-libs-1:3.0.7-16.el9_2.x86_64
RHSA-2023:4102 Moderate/Sec.  python3-3.9.16-1.el9_2.1.x86_64
";
        assert_eq!(updates(&[("updates.dnf", dnf), ("rc 0", "")]), Some(3));
        assert_eq!(updates(&[("updates.dnf", ""), ("rc 0", "")]), Some(0));
        // No cache yet, or killed after 10 s: unknown.
        assert_eq!(updates(&[("updates.dnf", ""), ("rc 1", "")]), None);
        assert_eq!(updates(&[("updates.yum", ""), ("rc 137", "")]), None);
        let yum = "RHSA-2019:1873 Important/Sec. kernel-3.10.0-957.27.2.el7.x86_64\nupdateinfo list done\n";
        assert_eq!(updates(&[("updates.yum", yum), ("rc 0", "")]), Some(1));
        let apt = "Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])
Inst openssl [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])
";
        assert_eq!(updates(&[("updates.apt", apt), ("rc 0", "")]), Some(2));
        let zypper = "Repository                          | Name                                        | Category    | Severity  | Interactive | Status | Summary
------------------------------------+---------------------------------------------+-------------+-----------+-------------+--------+--------
SLE-Module-Basesystem15-SP5-Updates | SUSE-SLE-Module-Basesystem-15-SP5-2024-1234 | security    | important | ---         | needed | Security update for openssl-3
SLE-Module-Basesystem15-SP5-Updates | SUSE-SLE-Module-Basesystem-15-SP5-2024-1300 | recommended | moderate  | ---         | needed | Recommended update for zypper
";
        assert_eq!(updates(&[("updates.zypper", zypper), ("rc 0", "")]), Some(1));
    }

    const AUTH_NEW_YEAR: &str = "\
Dec 31 09:59:59 h sshd[100]: Failed password for root from 192.0.2.4 port 1022 ssh2
Dec 31 10:00:01 h sshd[101]: Invalid user admin from 192.0.2.5 port 2044
Dec 31 10:00:03 h sshd[101]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.5
Dec 31 10:00:05 h sshd[101]: Failed password for invalid user admin from 192.0.2.5 port 2044 ssh2
Dec 31 10:00:09 h sshd[101]: Failed password for invalid user admin from 192.0.2.5 port 2044 ssh2
Dec 31 10:00:10 h sshd[101]: Disconnecting: Too many authentication failures [preauth]
Dec 31 23:59:59 h sshd[102]: Invalid user test from 192.0.2.6 port 3033
Dec 31 23:59:59 h sshd[102]: Connection closed by invalid user test 192.0.2.6 port 3033 [preauth]
Jan  1 00:00:01 h sshd[103]: error: PAM: Authentication failure for root from 192.0.2.7
Jan  1 09:00:00 h su[104]: pam_unix(su:auth): authentication failure; logname=ops uid=1000 euid=0 tty=pts/0 ruser=ops rhost=  user=root
Jan  1 09:30:00 h sshd[105]: message repeated 3 times: [ Failed password for root from 192.0.2.8 port 4044 ssh2]
Jan  1 09:40:00 h sshd[106]: Disconnecting: Too many authentication failures [preauth]
";

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn failed_logins_across_the_new_year() {
        let lines: Vec<&str> = AUTH_NEW_YEAR.lines().collect();
        // 24 h before 2024-01-01 10:00: sshd[100] is just outside; sshd[101] two attempts (its
        // invalid-user and PAM lines belong to the first, the summary to both); sshd[102] one
        // that never got to a password; sshd[103] one; su is not sshd; sshd[105] three; sshd[106]
        // one (keys only).
        assert_eq!(count_failed_logins(&lines, Some(at("2024-01-01 10:00:00"))), 2 + 1 + 1 + 3 + 1);
        // A day later all of it is older than 24 h (December is 2023, not 2024).
        assert_eq!(count_failed_logins(&lines, Some(at("2024-01-02 10:00:01"))), 0);
        // Without a window (the journal already limited it): everything.
        assert_eq!(count_failed_logins(&lines, None), 1 + 2 + 1 + 1 + 3 + 1);
        // Through the script output, with the host's clock.
        let out = output(&[
            ("now", "2024-01-01 10:00:00\n"),
            ("auth.log /var/log/secure", AUTH_NEW_YEAR),
            ("rc 0", ""),
        ]);
        assert_eq!(parse_security(&out, 0).failed_ssh_logins_24h, Some(8));
        let out = output(&[("auth.journal", AUTH_NEW_YEAR), ("rc 0", "")]);
        assert_eq!(parse_security(&out, 0).failed_ssh_logins_24h, Some(9));
        let out = output(&[("auth.unreadable /var/log/secure", "")]);
        assert_eq!(parse_security(&out, 0).failed_ssh_logins_24h, None);
        // No clock line: the collection time (UTC) is the window end.
        let out = output(&[("auth.log /var/log/secure", AUTH_NEW_YEAR), ("rc 0", "")]);
        let collected_at = at("2024-01-01 10:00:00").and_utc().timestamp();
        assert_eq!(parse_security(&out, collected_at).failed_ssh_logins_24h, Some(8));
    }

    #[test]
    fn failed_logins_in_a_real_auth_log() {
        if !shared_data("failed_logins_in_a_real_auth_log") {
            return;
        }
        // Ubuntu on EC2, March 2017, key-only sshd: no `Failed password` at all, but invalid
        // users and clients that exhausted their keys. Connections counted with
        // `grep '^Mar 27' | grep -E <the script's pattern> | grep -o 'sshd\[[0-9]*\]' | sort -u`.
        let log = read_fixture("logs/openssh-auth-ubuntu-ec2-2017.log");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(count_failed_logins(&lines, Some(at("2017-03-28 00:00:00"))), 17);
        assert_eq!(count_failed_logins(&lines, Some(at("2017-03-29 00:00:00"))), 100);
        // Read in January 2018, the lines are from March 2017: nothing in the window.
        assert_eq!(count_failed_logins(&lines, Some(at("2018-01-02 00:00:00"))), 0);
        // Read on 28 March 2018: March 27 is taken as 2018 (not in the future), counted again.
        assert_eq!(count_failed_logins(&lines, Some(at("2018-03-28 00:00:00"))), 17);

        // fail2ban's collection: BSD and RFC 3339 timestamps, `sshd-session`, annotations.
        let log = read_fixture("logs/openssh-auth-fail2ban-annotated.log");
        let lines: Vec<&str> = log.lines().collect();
        // 53 lines match the script's pattern, from 32 sshd processes: at least one attempt per
        // process, at most one per line.
        let all = count_failed_logins(&lines, None);
        assert!((32..=53).contains(&all), "{all}");
        // The RFC 3339 lines of 2015-04-16 fall in a window that ends the next day.
        let rfc: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("2015-04-16T")).collect();
        assert!(!rfc.is_empty());
        assert_eq!(count_failed_logins(&rfc, Some(at("2015-04-17 00:00:00"))), 1);
        assert_eq!(count_failed_logins(&rfc, Some(at("2015-04-18 00:00:00"))), 0);
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        let full = output(&[
            ("now", "2024-01-01 10:00:00\n"),
            ("tcp", TCP),
            ("firewalld", "running\n"),
            ("zone public", FIREWALLD_PUBLIC),
            ("rc 0", ""),
            ("nft", NFT),
            ("rc 0", ""),
            ("auth.log /var/log/auth.log", AUTH_NEW_YEAR),
            ("rc 0", ""),
        ]);
        for (cut, _) in full.char_indices() {
            let _ = parse_security(&full[..cut], 0);
        }
        assert_eq!(parse_security("", 3), Security { collected_at: 3, ..Default::default() });
        assert_eq!(parse_security("Permission denied\n", 3).listening_tcp_ports, Vec::<u16>::new());
        let json = serde_json::to_value(parse_security(&full, 9)).unwrap();
        assert_eq!(json["firewall"]["kind"], "firewalld");
        assert_eq!(json["listening_tcp_ports"], serde_json::json!([22, 25]));
        assert_eq!(json["failed_ssh_logins_24h"], 8);
        assert!(json["selinux"].is_null());
    }

    #[test]
    fn the_posture_runs_at_the_lowest_cpu_and_io_priority_locally_and_as_quoted_for_a_remote_shell() {
        let probe = "ps -o ni= -p $$; ionice -p $$ 2>/dev/null || echo no-ionice; echo \"$0\"; echo 'it'\"'\"'s quoted'";
        // As a remote login shell gets it: one string, every word quoted.
        let words = lowest_priority(probe, "yunwei-security");
        let line = words.iter().map(|w| shell_quote(w)).collect::<Vec<_>>().join(" ");
        let remote = std::process::Command::new("sh").arg("-c").arg(&line).output().unwrap();
        // As a child of yunwei: the argument vector itself.
        let local = std::process::Command::new(&words[0]).args(&words[1..]).output().unwrap();
        for out in [remote, local] {
            let text = String::from_utf8_lossy(&out.stdout);
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            let io = if std::path::Path::new("/usr/bin/ionice").exists() { "idle" } else { "no-ionice" };
            assert_eq!(lines, ["19", io, "yunwei-security", "it's quoted"], "{text}");
        }
        assert!(security_command().starts_with("'nice' '-n' '19' 'sh' '-c' 'if command -v ionice"));
        assert!(security_command().ends_with(" 'yunwei-security'"));
    }

    /// The posture carries the baseline's signs part, run here whole; a listener opened after
    /// the record is said by the baseline alerts between inspections.
    #[test]
    fn the_posture_looks_for_signs_of_compromise_between_inspections() {
        let text = local_security(SECURITY_TIMEOUT).unwrap();
        let sec = parse_security(&text, 0);
        let out = sec.signs.as_ref().expect("the signs part ran");
        assert!(out.complete, "{text}");
        assert!(out.first("exe").is_some() && out.first("pids").is_some(), "{out:?}");
        let then = crate::baseline::signs::Record::of(out);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let later = parse_security(&local_security(SECURITY_TIMEOUT).unwrap(), 0);
        let now = crate::baseline::signs::Record::of(later.signs.as_ref().unwrap());
        let (new, _) = crate::baseline::signs::listener_changes(&now, &then);
        assert!(new.iter().any(|l| l.starts_with(&format!("tcp 127.0.0.1:{port}"))), "{new:?}");
        let changes =
            crate::alerts::baseline::changes("here", &[], &Default::default(), Some((&new, &[])), true, 0);
        assert!(changes
            .iter()
            .any(|c| matches!(c, crate::alerts::Change::Open { level: crate::health::Level::Crit, .. })));
    }
}

#[cfg(test)]
mod own_fixtures;
