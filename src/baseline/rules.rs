//! Each baseline item judged from the sections a host's run printed ([`super::script`]).
//! Where the file an item needs exists and could not be read the item is `not_readable`;
//! where a setting is absent its program's default is what counts (pam_faillock's deny = 3,
//! OpenSSH's PermitRootLogin by version), said in the value.

use super::script::{Output, Read};
use super::{Finding, Item, Settings, State};
use crate::i18n::Both;

fn finding(id: Item, state: State, value: impl Into<String>, expected: Both, source: &str) -> Finding {
    Finding { id, state, value: value.into(), expected, source: source.to_string(), note: None }
}

fn not_readable(id: Item, expected: Both, paths: &[&str]) -> Finding {
    let source = paths.join(" ");
    Finding {
        note: Some(Both::new(
            format!("{source} could not be read by this login (root is needed)"),
            format!("当前登录用户无法读取 {source}（需要 root）"),
        )),
        ..finding(id, State::NotReadable, "", expected, &source)
    }
}

/// `key=value` and bare words of a PAM module line's arguments.
fn pam_args(line: &str) -> Vec<(&str, &str)> {
    line.split_whitespace().map(|w| w.split_once('=').unwrap_or((w, ""))).collect()
}

/// `key = value` of a pwquality.conf / faillock.conf style file (the last one wins).
fn conf_value<'a>(out: &'a Output, section: &'a str, key: &str) -> Option<&'a str> {
    out.lines(section)
        .filter_map(|(_, l)| {
            let (k, v) = l.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((l.trim(), ""));
            (k == key).then_some(v)
        })
        .last()
}

/// The PAM lines that use `module` (any of the files read), with the file.
fn pam_lines<'a>(out: &'a Output, module: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    out.lines("pam").filter(move |(_, l)| l.split_whitespace().any(|w| w.ends_with(module)))
}

/// An sshd setting: from `sshd -T` when it ran (effective, lower-case keys), else the first
/// occurrence in sshd_config before any Match block (as sshd reads it). None: not set.
fn sshd_value(out: &Output, key: &str) -> Option<(String, &'static str)> {
    let key = key.to_ascii_lowercase();
    if let Some(t) = out.first("sshd-t").filter(|s| s.ran_ok()) {
        return t
            .lines
            .iter()
            .find_map(|l| {
                l.split_once(' ')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(&key))
                    .map(|(_, v)| v.trim().to_string())
            })
            .map(|v| (v, "sshd -T"));
    }
    for (_, l) in out.lines("sshd-config") {
        let mut w = l.split_whitespace();
        let k = w.next().unwrap_or("").to_ascii_lowercase();
        if k == "match" {
            break;
        }
        if k == key {
            return Some((w.collect::<Vec<_>>().join(" "), "/etc/ssh/sshd_config"));
        }
    }
    None
}

/// Whether sshd's settings can be known: `sshd -T` ran or sshd_config could be read.
fn sshd_readable(out: &Output) -> bool {
    out.first("sshd-t").is_some_and(|s| s.ran_ok())
        || out.all("sshd-config").any(|s| s.read == Read::Text && s.path == "/etc/ssh/sshd_config")
}

/// OpenSSH's version from `ssh -V` (`OpenSSH_7.4p1`): (major, minor).
fn openssh_version(out: &Output) -> Option<(u32, u32)> {
    let s = out.first("ssh-version")?;
    let text = s.lines.join(" ");
    let at = text.find("OpenSSH_")? + "OpenSSH_".len();
    let v: String = text[at..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next().unwrap_or("0").parse().unwrap_or(0)))
}

/// The unit states of `systemctl is-active A B …`, in the order the script asks them.
const UNITS: &[&str] = &[
    "telnet.socket",
    "rsh.socket",
    "rlogin.socket",
    "rexec.socket",
    "vsftpd",
    "xinetd",
    "tftp.socket",
    "auditd",
    "rsyslog",
    "syslog-ng",
    "firewalld",
    "ufw",
    "nftables",
    "iptables",
    "chronyd",
    "chrony",
    "ntpd",
    "ntp",
    "systemd-timesyncd",
    "clamd@scan",
    "clamav-daemon",
];

fn unit_active(out: &Output, unit: &str) -> Option<bool> {
    let s = out.first("units")?;
    let i = UNITS.iter().position(|u| *u == unit)?;
    s.lines.get(i).map(|l| l.trim() == "active")
}

/// Whether a service runs, by systemd or (older systems) by `service NAME status`.
fn running(out: &Output, unit: &str, service: &str) -> Option<bool> {
    unit_active(out, unit).or_else(|| out.first(&format!("service-{service}")).map(|s| s.ran_ok()))
}

/// The TCP and UDP ports listened on (not on loopback only), from `ss -lntu` / `netstat -lntu`.
pub fn listening(out: &Output) -> Vec<(String, u16)> {
    let mut ports = Vec::new();
    for (_, l) in out.lines("listen") {
        let w: Vec<&str> = l.split_whitespace().collect();
        let proto = w.first().copied().unwrap_or("");
        if !(proto.starts_with("tcp") || proto.starts_with("udp")) {
            continue;
        }
        // ss: Netid State Recv-Q Send-Q Local Peer; netstat: Proto Recv-Q Send-Q Local Foreign State.
        let local =
            if w.get(1).is_some_and(|s| s.chars().all(|c| c.is_ascii_digit())) { w.get(3) } else { w.get(4) };
        let Some(local) = local else { continue };
        let Some((addr, port)) = local.rsplit_once(':') else { continue };
        if addr.starts_with("127.") || addr == "[::1]" || addr == "::1" {
            continue;
        }
        if let Ok(p) = port.parse::<u16>() {
            let proto = if proto.starts_with("tcp") { "tcp" } else { "udp" };
            if !ports.contains(&(proto.to_string(), p)) {
                ports.push((proto.to_string(), p));
            }
        }
    }
    ports.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    ports
}

/// `/etc/shadow` as the script gives it: name, kind (empty, locked, hash), max, warn.
fn shadow(out: &Output) -> Result<Vec<(&str, &str, &str, &str)>, ()> {
    match out.first("shadow") {
        Some(s) if s.read == Read::Text => Ok(s
            .lines
            .iter()
            .map(|l| {
                let mut f = l.split('\t');
                (
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                    f.next().unwrap_or(""),
                )
            })
            .collect()),
        _ => Err(()),
    }
}

/// The end of standard support of a distribution, as (year, month, day); None: not known.
fn end_of_life(id: &str, version: &str) -> Option<(&'static str, i32, u32, u32)> {
    let major = version.split('.').next().unwrap_or("");
    let table: &[(&str, &str, &str, i32, u32, u32)] = &[
        ("centos", "6", "CentOS 6", 2020, 11, 30),
        ("centos", "7", "CentOS 7", 2024, 6, 30),
        ("centos", "8", "CentOS 8", 2021, 12, 31),
        ("rhel", "6", "RHEL 6", 2020, 11, 30),
        ("rhel", "7", "RHEL 7", 2024, 6, 30),
        ("rhel", "8", "RHEL 8", 2029, 5, 31),
        ("rhel", "9", "RHEL 9", 2032, 5, 31),
        ("debian", "8", "Debian 8", 2020, 6, 30),
        ("debian", "9", "Debian 9", 2022, 6, 30),
        ("debian", "10", "Debian 10", 2024, 6, 30),
        ("debian", "11", "Debian 11", 2026, 8, 31),
        ("debian", "12", "Debian 12", 2028, 6, 30),
        ("ubuntu", "14", "Ubuntu 14.04", 2019, 4, 30),
        ("ubuntu", "16", "Ubuntu 16.04", 2021, 4, 30),
        ("ubuntu", "18", "Ubuntu 18.04", 2023, 5, 31),
        ("ubuntu", "20", "Ubuntu 20.04", 2025, 5, 31),
        ("ubuntu", "22", "Ubuntu 22.04", 2027, 6, 1),
        ("ubuntu", "24", "Ubuntu 24.04", 2029, 5, 31),
    ];
    table.iter().find(|(i, v, ..)| *i == id && *v == major).map(|(_, _, n, y, m, d)| (*n, *y, *m, *d))
}

/// The distribution: os-release's ID and VERSION_ID, else the release file's first line.
fn distribution(out: &Output) -> (String, String, String) {
    let field = |k: &str| {
        out.lines("os")
            .find_map(|(_, l)| l.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
            .map(|v| v.trim_matches('"').to_string())
    };
    if let (Some(id), Some(v)) = (field("ID"), field("VERSION_ID")) {
        let name = field("PRETTY_NAME").unwrap_or_else(|| format!("{id} {v}"));
        return (id, v, name);
    }
    let line = out.lines("release").map(|(_, l)| l.to_string()).next().unwrap_or_default();
    let version: String = line
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap_or("")
        .to_string();
    let id = if line.starts_with("CentOS") {
        "centos"
    } else if line.starts_with("Red Hat") {
        "rhel"
    } else if line.starts_with("Kylin") || line.contains("Kylin") {
        "kylin"
    } else {
        ""
    };
    (id.to_string(), version, line)
}

/// A umask as written (`027`, `0027`, `u=rwx,g=rx,o=`): its octal bits.
fn umask_bits(v: &str) -> Option<u32> {
    u32::from_str_radix(v.trim(), 8).ok().filter(|b| *b <= 0o777)
}

/// Whole days a logrotate setup keeps: `rotate N` times the period.
fn rotate_days(lines: &[&str]) -> Option<u32> {
    let mut period = 7;
    let mut count = None;
    for l in lines {
        let w: Vec<&str> = l.split_whitespace().collect();
        match w.as_slice() {
            ["daily"] => period = 1,
            ["weekly"] => period = 7,
            ["monthly"] => period = 30,
            ["yearly"] => period = 365,
            ["rotate", n] => count = n.parse::<u32>().ok(),
            ["maxage", n] => return n.parse().ok(),
            _ => {}
        }
    }
    count.map(|c| c * period)
}

pub fn judge(item: Item, out: &Output, s: &Settings, today: i64) -> Finding {
    let f = judge_one(item, out, s, today);
    // No SSH server at all: its settings are not unreadable, there are none.
    let ssh = [Item::PermitRootLogin, Item::SshCiphers, Item::SshProtocol, Item::PasswordAuthentication];
    if ssh.contains(&item) && f.state == State::NotReadable && no_sshd(out) {
        let mut f = finding(item, State::Info, "no SSH server installed", f.expected, "/etc/ssh/sshd_config");
        f.note = Some(Both::new(
            "neither sshd nor /etc/ssh/sshd_config is on this host",
            "该主机上既没有 sshd 也没有 /etc/ssh/sshd_config",
        ));
        return f;
    }
    f
}

/// No sshd on the host: `sshd -T` did not run and no sshd_config exists, readable or not.
fn no_sshd(out: &Output) -> bool {
    out.first("sshd-t").is_none() && out.all("sshd-config").next().is_none()
}

fn judge_one(item: Item, out: &Output, s: &Settings, today: i64) -> Finding {
    use Item::*;
    let both = |en: String, zh: String| Both::new(en, zh);
    match item {
        PassMaxDays | PassWarnAge => {
            let (limit, field_name) =
                if item == PassMaxDays { (s.pass_max_days, 5) } else { (s.pass_warn_age, 6) };
            let expected = if item == PassMaxDays {
                both(
                    format!("every account with a password must change it within {limit} days"),
                    format!("有口令的账户均须在 {limit} 天内更换口令"),
                )
            } else {
                both(
                    format!("a warning at least {limit} days before a password expires"),
                    format!("口令到期前至少提前 {limit} 天提醒"),
                )
            };
            let Ok(rows) = shadow(out) else { return not_readable(item, expected, &["/etc/shadow"]) };
            let bad: Vec<String> = rows
                .iter()
                .filter(|r| r.1 == "hash")
                .filter_map(|(name, _, max, warn)| {
                    let v = if field_name == 5 { max } else { warn };
                    let n: Option<u32> = v.parse().ok();
                    let ok = match (item, n) {
                        (PassMaxDays, Some(n)) => n <= limit,
                        (_, Some(n)) => n >= limit,
                        _ => false,
                    };
                    (!ok).then(|| format!("{name} {}", if v.is_empty() { "-" } else { v }))
                })
                .collect();
            let state = match (bad.is_empty(), item) {
                (true, _) => State::Pass,
                (false, PassMaxDays) => State::Fail,
                (false, _) => State::Warn,
            };
            let value =
                if bad.is_empty() { "every account with a password".to_string() } else { bad.join(", ") };
            finding(item, state, value, expected, "/etc/shadow")
        }
        PwComplexity => {
            let expected = both(
                format!("pam_pwquality or pam_cracklib with minlen ≥ {} and {} character classes (minclass, or negative credits)", s.pw_min_len, s.pw_min_class),
                format!("使用 pam_pwquality 或 pam_cracklib，minlen ≥ {}，至少 {} 类字符（minclass 或负的 credit）", s.pw_min_len, s.pw_min_class),
            );
            let unreadable = out.unreadable("pam");
            let module = pam_lines(out, "pam_pwquality.so")
                .chain(pam_lines(out, "pam_cracklib.so"))
                .find(|(_, l)| l.trim_start().starts_with("password"));
            let Some((file, line)) = module else {
                if !unreadable.is_empty() {
                    return not_readable(item, expected, &unreadable);
                }
                return finding(
                    item,
                    State::Fail,
                    "no pam_pwquality or pam_cracklib in the password stack",
                    expected,
                    "/etc/pam.d",
                );
            };
            let cracklib = line.contains("pam_cracklib");
            let args = pam_args(line);
            let get = |k: &str| -> Option<i64> {
                args.iter().rev().find(|(a, _)| *a == k).and_then(|(_, v)| v.parse().ok()).or_else(|| {
                    if cracklib {
                        None
                    } else {
                        conf_value(out, "pwquality", k).and_then(|v| v.parse().ok())
                    }
                })
            };
            let minlen = get("minlen").unwrap_or(if cracklib { 9 } else { 8 });
            let minclass = get("minclass").unwrap_or(0);
            let negative = ["dcredit", "ucredit", "lcredit", "ocredit"]
                .iter()
                .filter(|k| get(k).is_some_and(|v| v < 0))
                .count() as i64;
            let classes = minclass.max(negative);
            let ok = minlen >= i64::from(s.pw_min_len) && classes >= i64::from(s.pw_min_class);
            let value = format!("minlen {minlen}, minclass {minclass}, negative credits {negative}");
            let source =
                if cracklib { file.to_string() } else { format!("{file} /etc/security/pwquality.conf") };
            finding(item, if ok { State::Pass } else { State::Fail }, value, expected, &source)
        }
        PwHistory => {
            let expected = both(
                format!("the last {} passwords may not be used again (remember)", s.pw_remember),
                format!("不得重复使用最近 {} 次的口令（remember）", s.pw_remember),
            );
            let found = pam_lines(out, "pam_pwhistory.so")
                .chain(pam_lines(out, "pam_unix.so"))
                .filter(|(_, l)| l.trim_start().starts_with("password"))
                .filter_map(|(f, l)| {
                    pam_args(l)
                        .iter()
                        .find(|(k, _)| *k == "remember")
                        .and_then(|(_, v)| v.parse::<u32>().ok())
                        .map(|n| (f, n))
                })
                .max_by_key(|(_, n)| *n);
            let from_conf = conf_value(out, "pwhistory", "remember").and_then(|v| v.parse::<u32>().ok());
            match (found.map(|(_, n)| n).or(from_conf), out.unreadable("pam")) {
                (Some(n), _) => {
                    let state = if n >= s.pw_remember { State::Pass } else { State::Fail };
                    finding(
                        item,
                        state,
                        format!("remember {n}"),
                        expected,
                        found.map(|(f, _)| f).unwrap_or("/etc/pam.d"),
                    )
                }
                (None, u) if !u.is_empty() => not_readable(item, expected, &u),
                (None, _) => finding(item, State::Fail, "no remember setting", expected, "/etc/pam.d"),
            }
        }
        EmptyPasswords => {
            let expected = both("no account has an empty password".into(), "不存在空口令账户".into());
            let Ok(rows) = shadow(out) else { return not_readable(item, expected, &["/etc/shadow"]) };
            let empty: Vec<&str> = rows.iter().filter(|r| r.1 == "empty").map(|r| r.0).collect();
            let state = if empty.is_empty() { State::Pass } else { State::Fail };
            finding(
                item,
                state,
                if empty.is_empty() { "none".into() } else { empty.join(", ") },
                expected,
                "/etc/shadow",
            )
        }
        Uid0Accounts => {
            let expected =
                both("root is the only account with UID 0".into(), "仅 root 账户的 UID 为 0".into());
            let others: Vec<&str> = out
                .lines("passwd")
                .filter_map(|(_, l)| {
                    let mut f = l.split('\t');
                    let (name, uid) = (f.next()?, f.next()?);
                    (uid == "0" && name != "root").then_some(name)
                })
                .collect();
            let state = if others.is_empty() { State::Pass } else { State::Fail };
            finding(
                item,
                state,
                if others.is_empty() { "root".into() } else { format!("root, {}", others.join(", ")) },
                expected,
                "/etc/passwd",
            )
        }
        LoginLockout => {
            let expected = both(
                format!("an account locks after at most {} failed logins, for at least {} s (pam_faillock, or pam_tally2 on older PAM)", s.lockout_deny, s.lockout_unlock_s),
                format!("连续登录失败不超过 {} 次即锁定账户，锁定至少 {} 秒（pam_faillock，旧版 PAM 用 pam_tally2）", s.lockout_deny, s.lockout_unlock_s),
            );
            let auth = |module: &'static str| {
                pam_lines(out, module)
                    .find(|(_, l)| l.trim_start().starts_with("auth"))
                    .map(|(f, l)| (f, l, module))
            };
            let Some((file, line, module)) =
                auth("pam_faillock.so").or_else(|| auth("pam_tally2.so")).or_else(|| auth("pam_tally.so"))
            else {
                let u = out.unreadable("pam");
                if !u.is_empty() {
                    return not_readable(item, expected, &u);
                }
                return finding(
                    item,
                    State::Fail,
                    "no pam_faillock or pam_tally2 in the auth stack",
                    expected,
                    "/etc/pam.d",
                );
            };
            let args = pam_args(line);
            let arg = |k: &str| args.iter().find(|(a, _)| *a == k).and_then(|(_, v)| v.parse::<u32>().ok());
            let faillock = module == "pam_faillock.so";
            let deny = arg("deny")
                .or_else(|| {
                    faillock
                        .then(|| conf_value(out, "faillock", "deny").and_then(|v| v.parse().ok()))
                        .flatten()
                })
                .or(faillock.then_some(3));
            let unlock = arg("unlock_time")
                .or_else(|| {
                    faillock
                        .then(|| conf_value(out, "faillock", "unlock_time").and_then(|v| v.parse().ok()))
                        .flatten()
                })
                .or(faillock.then_some(600));
            let value = format!(
                "{} deny {} unlock_time {}",
                module.trim_end_matches(".so"),
                deny.map_or("-".into(), |d| d.to_string()),
                unlock.map_or("-".into(), |u| u.to_string())
            );
            let ok = deny.is_some_and(|d| d > 0 && d <= s.lockout_deny)
                && unlock.is_some_and(|u| u == 0 || u >= s.lockout_unlock_s);
            let source =
                if faillock { format!("{file} /etc/security/faillock.conf") } else { file.to_string() };
            finding(item, if ok { State::Pass } else { State::Fail }, value, expected, &source)
        }
        Tmout => {
            let expected = both(
                format!("idle shells end after at most {} s (TMOUT)", s.tmout_s),
                format!("空闲 shell 在 {} 秒内自动退出（TMOUT）", s.tmout_s),
            );
            let found: Vec<(&str, u32)> = out
                .lines("profile")
                .filter_map(|(f, l)| {
                    let at = l.find("TMOUT=")?;
                    let v: String = l[at + 6..].chars().take_while(|c| c.is_ascii_digit()).collect();
                    v.parse().ok().map(|n| (f, n))
                })
                .collect();
            match found.iter().min_by_key(|(_, n)| *n) {
                Some((f, n)) if *n > 0 && *n <= s.tmout_s => {
                    finding(item, State::Pass, format!("TMOUT={n}"), expected, f)
                }
                Some((f, n)) => finding(item, State::Fail, format!("TMOUT={n}"), expected, f),
                None => {
                    finding(item, State::Fail, "TMOUT is not set", expected, "/etc/profile /etc/profile.d")
                }
            }
        }
        PermitRootLogin => {
            let expected = both(
                "root may not log in over SSH (PermitRootLogin no)".into(),
                "禁止 root 通过 SSH 远程登录（PermitRootLogin no）".into(),
            );
            if !sshd_readable(out) {
                return not_readable(item, expected, &["/etc/ssh/sshd_config"]);
            }
            let (value, source) = match sshd_value(out, "PermitRootLogin") {
                Some((v, src)) => (v, src),
                None => {
                    // OpenSSH 7.0 made prohibit-password the default.
                    let default = if openssh_version(out).is_some_and(|v| v >= (7, 0)) {
                        "prohibit-password"
                    } else {
                        "yes"
                    };
                    (format!("{default} (the default)"), "/etc/ssh/sshd_config")
                }
            };
            let word = value.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
            let state = match word.as_str() {
                "no" => State::Pass,
                "prohibit-password" | "without-password" | "forced-commands-only" => State::Warn,
                _ => State::Fail,
            };
            finding(item, state, value, expected, source)
        }
        SshCiphers => {
            let expected = both(
                "no CBC, RC4, 3DES, Blowfish or CAST ciphers and no MD5 or 96-bit MACs".into(),
                "不使用 CBC、RC4、3DES、Blowfish、CAST 加密算法及 MD5、96 位 MAC 算法".into(),
            );
            if !sshd_readable(out) {
                return not_readable(item, expected, &["/etc/ssh/sshd_config"]);
            }
            let weak_cipher = |c: &str| {
                c.contains("cbc")
                    || c.contains("arcfour")
                    || c.contains("3des")
                    || c.contains("blowfish")
                    || c.contains("cast128")
            };
            let weak_mac = |m: &str| m.contains("md5") || m.contains("-96");
            let ciphers = sshd_value(out, "Ciphers");
            let macs = sshd_value(out, "MACs");
            let mut weak: Vec<String> = Vec::new();
            for (list, is_weak) in [(&ciphers, &weak_cipher as &dyn Fn(&str) -> bool), (&macs, &weak_mac)] {
                if let Some((v, _)) = list {
                    weak.extend(
                        v.split(',')
                            .map(str::trim)
                            .filter(|c| !c.starts_with('-') && is_weak(c))
                            .map(str::to_string),
                    );
                }
            }
            let old_defaults = ciphers.is_none() && openssh_version(out).is_some_and(|v| v < (6, 7));
            let source =
                ciphers.as_ref().or(macs.as_ref()).map(|(_, s)| *s).unwrap_or("/etc/ssh/sshd_config");
            if !weak.is_empty() {
                finding(item, State::Fail, weak.join(","), expected, source)
            } else if old_defaults {
                finding(
                    item,
                    State::Fail,
                    "not set: this OpenSSH's defaults include CBC ciphers",
                    expected,
                    source,
                )
            } else {
                let value = match (&ciphers, &macs) {
                    (None, None) => "not set: OpenSSH's defaults".to_string(),
                    _ => format!(
                        "{} | {}",
                        ciphers.as_ref().map_or("-", |c| c.0.as_str()),
                        macs.as_ref().map_or("-", |m| m.0.as_str())
                    ),
                };
                finding(item, State::Pass, value, expected, source)
            }
        }
        SshProtocol => {
            let expected = both("SSH protocol 2 only".into(), "仅使用 SSH 协议第 2 版".into());
            match openssh_version(out) {
                Some(v) if v >= (7, 4) => finding(
                    item,
                    State::Pass,
                    format!("OpenSSH {}.{}: protocol 1 is gone", v.0, v.1),
                    expected,
                    "ssh -V",
                ),
                version => {
                    if !sshd_readable(out) {
                        return not_readable(item, expected, &["/etc/ssh/sshd_config"]);
                    }
                    match sshd_value(out, "Protocol") {
                        Some((p, src)) if p.trim() == "2" => {
                            finding(item, State::Pass, format!("Protocol {p}"), expected, src)
                        }
                        Some((p, src)) => finding(item, State::Fail, format!("Protocol {p}"), expected, src),
                        None if version.is_some() => finding(
                            item,
                            State::Warn,
                            "Protocol is not set",
                            expected,
                            "/etc/ssh/sshd_config",
                        ),
                        None => finding(
                            item,
                            State::Warn,
                            "Protocol is not set and the OpenSSH version is not known",
                            expected,
                            "/etc/ssh/sshd_config",
                        ),
                    }
                }
            }
        }
        MgmtSourceRestricted => {
            let expected = both("SSH accepts management from given source addresses only (AllowUsers user@host, hosts.allow, firewall source rules)".into(), "仅允许指定地址远程管理（AllowUsers 用户@地址、hosts.allow 或防火墙源地址规则）".into());
            let allow_users =
                sshd_value(out, "AllowUsers").filter(|(v, _)| v.split_whitespace().all(|u| u.contains('@')));
            if let Some((v, src)) = allow_users {
                return finding(item, State::Pass, format!("AllowUsers {v}"), expected, src);
            }
            let denies_all = out.lines("hosts-deny").any(|(_, l)| {
                let l = l.replace(' ', "");
                l.starts_with("ALL:ALL") || l.starts_with("sshd:ALL")
            });
            let allows: Vec<&str> = out
                .lines("hosts-allow")
                .filter(|(_, l)| l.trim_start().starts_with("sshd"))
                .map(|(_, l)| l)
                .collect();
            if denies_all && !allows.is_empty() {
                return finding(
                    item,
                    State::Pass,
                    allows.join("; "),
                    expected,
                    "/etc/hosts.allow /etc/hosts.deny",
                );
            }
            let rules: Vec<&str> = out
                .first("iptables")
                .filter(|s| s.ran_ok())
                .map(|s| {
                    s.lines
                        .iter()
                        .map(String::as_str)
                        .filter(|l| l.contains("--dport 22") && l.contains(" -s ") && l.contains("ACCEPT"))
                        .collect()
                })
                .unwrap_or_default();
            if !rules.is_empty() {
                return finding(item, State::Pass, rules.join("; "), expected, "iptables -S");
            }
            if out.first("iptables").is_some_and(|s| !s.ran_ok() && s.read != Read::Ran(Some(127)))
                && !out.as_root()
            {
                return not_readable(item, expected, &["iptables -S"]);
            }
            finding(
                item,
                State::Fail,
                "sshd accepts every source address",
                expected,
                "sshd, /etc/hosts.allow, iptables",
            )
        }
        LegacyServices => {
            let expected = both(
                "no telnet, rsh, rlogin, rexec, FTP or TFTP server running".into(),
                "未运行 telnet、rsh、rlogin、rexec、FTP、TFTP 服务".into(),
            );
            let mut on: Vec<String> =
                ["telnet.socket", "rsh.socket", "rlogin.socket", "rexec.socket", "vsftpd", "tftp.socket"]
                    .iter()
                    .filter(|u| unit_active(out, u) == Some(true))
                    .map(|u| u.to_string())
                    .collect();
            if running(out, "xinetd", "xinetd") == Some(true) {
                for (f, l) in out.lines("xinetd") {
                    let l = l.replace([' ', '\t'], "");
                    if l == "disable=no" {
                        on.push(format!("xinetd {}", f.rsplit('/').next().unwrap_or(f)));
                    }
                }
            }
            for (proto, port) in listening(out) {
                if proto == "tcp" && matches!(port, 21 | 23 | 512 | 513 | 514) {
                    on.push(format!("tcp/{port}"));
                }
            }
            on.dedup();
            let state = if on.is_empty() { State::Pass } else { State::Fail };
            finding(
                item,
                state,
                if on.is_empty() { "none".into() } else { on.join(", ") },
                expected,
                "systemctl, ss",
            )
        }
        PasswordAuthentication => {
            let expected = both(
                "level 3 asks for two or more factors (a password and a key, token or certificate)".into(),
                "三级要求采用两种或两种以上组合的鉴别技术（如口令与密钥、令牌或证书组合）".into(),
            );
            if !sshd_readable(out) {
                return not_readable(item, expected, &["/etc/ssh/sshd_config"]);
            }
            let (v, src) = sshd_value(out, "PasswordAuthentication")
                .unwrap_or(("yes (the default)".into(), "/etc/ssh/sshd_config"));
            let methods = sshd_value(out, "AuthenticationMethods")
                .map(|(m, _)| format!("; AuthenticationMethods {m}"))
                .unwrap_or_default();
            finding(item, State::Info, format!("PasswordAuthentication {v}{methods}"), expected, src)
        }
        DefaultAccounts => {
            let expected = both("default accounts (lp, sync, shutdown, halt, news, uucp, operator, games, gopher, ftp) removed or locked".into(), "默认账户（lp、sync、shutdown、halt、news、uucp、operator、games、gopher、ftp）已删除或锁定".into());
            const DEFAULTS: &[&str] =
                &["lp", "sync", "shutdown", "halt", "news", "uucp", "operator", "games", "gopher", "ftp"];
            let Ok(rows) = shadow(out) else { return not_readable(item, expected, &["/etc/shadow"]) };
            let open: Vec<&str> =
                rows.iter().filter(|r| DEFAULTS.contains(&r.0) && r.1 != "locked").map(|r| r.0).collect();
            let state = if open.is_empty() { State::Pass } else { State::Fail };
            finding(
                item,
                state,
                if open.is_empty() { "locked or absent".into() } else { open.join(", ") },
                expected,
                "/etc/shadow",
            )
        }
        SudoAll => {
            let expected = both(
                "sudo grants ALL to the administrators' group only (root, %wheel, %sudo, %admin)".into(),
                "仅管理员组（root、%wheel、%sudo、%admin）可经 sudo 执行全部命令".into(),
            );
            let u = out.unreadable("sudoers");
            let admins = ["root", "%wheel", "%sudo", "%admin"];
            let grants: Vec<&str> = out
                .lines("sudoers")
                .filter(|(_, l)| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    let who = w.first().copied().unwrap_or("");
                    !who.starts_with("Defaults")
                        && !who.contains("_Alias")
                        && !admins.contains(&who)
                        && l.contains('=')
                        && l.trim_end().ends_with("ALL")
                })
                .map(|(_, l)| l)
                .collect();
            let state = if grants.is_empty() { State::Pass } else { State::Fail };
            if !u.is_empty() && grants.is_empty() {
                return not_readable(item, expected, &u);
            }
            finding(
                item,
                state,
                if grants.is_empty() { "none".into() } else { grants.join("; ") },
                expected,
                "/etc/sudoers /etc/sudoers.d",
            )
        }
        Umask => {
            let want = s.umask;
            let expected =
                both(format!("a umask of {want:03o} or stricter"), format!("umask 为 {want:03o} 或更严格"));
            let mut found: Vec<(&str, String)> = out
                .lines("profile")
                .filter_map(|(f, l)| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    let at = w.iter().position(|x| *x == "umask")?;
                    w.get(at + 1).map(|v| (f, v.to_string()))
                })
                .collect();
            if found.is_empty() {
                if let Some(v) = conf_value(out, "login.defs", "UMASK").or_else(|| {
                    out.lines("login.defs").find_map(|(_, l)| l.strip_prefix("UMASK")).map(str::trim)
                }) {
                    found.push(("/etc/login.defs", v.to_string()));
                }
            }
            let weak: Vec<String> = found
                .iter()
                .filter(|(_, v)| umask_bits(v).is_none_or(|b| b & want != want))
                .map(|(f, v)| format!("{v} ({f})"))
                .collect();
            match (found.is_empty(), weak.is_empty()) {
                (true, _) => finding(
                    item,
                    State::Fail,
                    "not set (the default 022)",
                    expected,
                    "/etc/profile /etc/login.defs",
                ),
                (false, true) => finding(
                    item,
                    State::Pass,
                    found.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", "),
                    expected,
                    found[0].0,
                ),
                (false, false) => finding(
                    item,
                    State::Fail,
                    weak.join(", "),
                    expected,
                    "/etc/profile /etc/bashrc /etc/login.defs",
                ),
            }
        }
        Auditd => {
            let expected =
                both("auditd running with audit rules".into(), "auditd 已运行且配置了审计规则".into());
            let rules = match out.first("auditctl") {
                Some(a) if a.ran_ok() => Some(a.lines.iter().filter(|l| !l.contains("No rules")).count()),
                _ => None,
            }
            .or_else(|| {
                let n = out
                    .lines("audit-rules")
                    .filter(|(_, l)| {
                        l.trim_start().starts_with('-')
                            && !l.trim_start().starts_with("-D")
                            && !l.trim_start().starts_with("-b")
                    })
                    .count();
                (out.all("audit-rules").any(|s| s.read == Read::Text)).then_some(n)
            });
            match (running(out, "auditd", "auditd"), rules) {
                (Some(true), Some(n)) if n > 0 => finding(
                    item,
                    State::Pass,
                    format!("running, {n} rules"),
                    expected,
                    "systemctl, auditctl -l",
                ),
                (Some(true), Some(_)) => {
                    finding(item, State::Warn, "running, no rules", expected, "auditctl -l")
                }
                // Running, and what it records not known: said so, not a half-failure.
                (Some(true), None) => finding(
                    item,
                    State::NotReadable,
                    "running; its rules could not be read",
                    expected,
                    "/etc/audit",
                ),
                (Some(false), _) => finding(item, State::Fail, "not running", expected, "systemctl"),
                (None, _) => finding(item, State::Fail, "not installed", expected, "systemctl"),
            }
        }
        Rsyslog => {
            let expected = both(
                "a system logger (rsyslog or syslog-ng) running".into(),
                "系统日志服务（rsyslog 或 syslog-ng）已运行".into(),
            );
            let on = running(out, "rsyslog", "rsyslog").unwrap_or(false)
                || unit_active(out, "syslog-ng") == Some(true);
            let value = if on { "running" } else { "not running" };
            finding(item, if on { State::Pass } else { State::Fail }, value, expected, "systemctl")
        }
        LogRetention => {
            let days = s.log_retention_days;
            let expected = both(
                format!("logs kept {days} days or more, or sent to a central log server"),
                format!("日志留存不少于 {days} 天，或转发至集中日志服务器"),
            );
            let forward: Vec<&str> = out
                .lines("rsyslog")
                .filter(|(_, l)| {
                    let w: Vec<&str> = l.split_whitespace().collect();
                    w.get(1).is_some_and(|a| a.starts_with('@')) || l.contains("omfwd")
                })
                .map(|(_, l)| l)
                .collect();
            if !forward.is_empty() {
                return finding(
                    item,
                    State::Pass,
                    format!("forwarded: {}", forward.join("; ")),
                    expected,
                    "/etc/rsyslog.conf",
                );
            }
            let own: Vec<&str> = out
                .all("logrotate")
                .filter(|s| s.path != "/etc/logrotate.conf")
                .flat_map(|s| s.lines.iter().map(String::as_str))
                .collect();
            let main: Vec<&str> = out
                .all("logrotate")
                .filter(|s| s.path == "/etc/logrotate.conf")
                .flat_map(|s| s.lines.iter().map(String::as_str))
                .collect();
            let mut lines = main.clone();
            lines.extend(own.iter());
            match rotate_days(&lines) {
                Some(d) if d >= days => {
                    finding(item, State::Pass, format!("about {d} days"), expected, "/etc/logrotate.conf")
                }
                Some(d) => {
                    finding(item, State::Fail, format!("about {d} days"), expected, "/etc/logrotate.conf")
                }
                None => {
                    finding(item, State::Fail, "no rotation setting found", expected, "/etc/logrotate.conf")
                }
            }
        }
        Firewall => {
            let expected = both(
                "a host firewall active (firewalld, ufw, nftables or iptables rules)".into(),
                "主机防火墙已启用（firewalld、ufw、nftables 或 iptables 规则）".into(),
            );
            let units: Vec<&str> = ["firewalld", "ufw", "nftables", "iptables"]
                .into_iter()
                .filter(|u| unit_active(out, u) == Some(true))
                .collect();
            let ufw_on =
                out.first("ufw").is_some_and(|s| s.lines.iter().any(|l| l.contains("Status: active")));
            let rules = out
                .first("iptables")
                .filter(|s| s.ran_ok())
                .map(|s| s.lines.iter().filter(|l| l.starts_with("-A ")).count())
                .unwrap_or(0);
            if ufw_on || (!units.is_empty() && units != ["ufw"]) || rules > 0 {
                let mut v: Vec<String> = units.iter().map(|u| u.to_string()).collect();
                if rules > 0 {
                    v.push(format!("{rules} iptables rules"));
                }
                finding(item, State::Pass, v.join(", "), expected, "systemctl, iptables -S")
            } else if !out.as_root()
                && out.first("iptables").is_some_and(|s| !s.ran_ok() && s.read != Read::Ran(Some(127)))
            {
                not_readable(item, expected, &["iptables -S"])
            } else {
                finding(item, State::Fail, "no firewall active", expected, "systemctl, iptables -S")
            }
        }
        ListeningPorts => {
            let expected = both(
                "only the ports the host's role needs (compared with its recorded baseline)".into(),
                "仅开放业务所需端口（与记录的基线比对）".into(),
            );
            let ports = listening(out);
            let value = ports.iter().map(|(p, n)| format!("{p}/{n}")).collect::<Vec<_>>().join(" ");
            finding(
                item,
                State::Info,
                if value.is_empty() { "none".into() } else { value },
                expected,
                "ss -lntu",
            )
        }
        AntiMalware => {
            let expected = both(
                "anti-malware installed and kept up to date".into(),
                "安装防恶意代码软件并及时更新".into(),
            );
            let tools: Vec<String> =
                out.all("malware-tool").flat_map(|s| s.lines.iter().map(|l| l.trim().to_string())).collect();
            let daemons = ["clamd@scan", "clamav-daemon"]
                .into_iter()
                .filter(|u| unit_active(out, u) == Some(true))
                .count();
            let value = match (tools.is_empty(), daemons) {
                (true, _) => "none found".to_string(),
                (false, 0) => tools.join(", "),
                (false, _) => format!("{} (daemon running)", tools.join(", ")),
            };
            finding(item, State::Info, value, expected, "PATH, systemctl")
        }
        SecurityUpdates => {
            let expected = both("no pending security updates".into(), "无待安装的安全更新".into());
            if let Some(y) = out.first("updates-yum") {
                if !y.ran_ok() {
                    return Finding {
                        note: Some(both(
                            "yum could not list the security updates (no cache or repository)".into(),
                            "yum 无法列出安全更新（无缓存或软件源）".into(),
                        )),
                        ..finding(item, State::Info, "not listed", expected, "yum updateinfo")
                    };
                }
                let n = y.lines.iter().filter(|l| l.contains("/Sec")).count();
                return finding(
                    item,
                    if n == 0 { State::Pass } else { State::Fail },
                    format!("{n} pending"),
                    expected,
                    "yum updateinfo list security",
                );
            }
            if let Some(a) = out.first("updates-apt") {
                if !a.ran_ok() {
                    return finding(item, State::Info, "not listed", expected, "apt-get -s upgrade");
                }
                let n = a.lines.iter().filter(|l| l.starts_with("Inst ") && l.contains("-security")).count();
                return finding(
                    item,
                    if n == 0 { State::Pass } else { State::Fail },
                    format!("{n} pending"),
                    expected,
                    "apt-get -s upgrade",
                );
            }
            finding(item, State::Info, "no yum or apt", expected, "")
        }
        EolDistribution => {
            let expected = both(
                "a distribution still supported (security updates published)".into(),
                "操作系统版本仍在支持周期内（仍发布安全更新）".into(),
            );
            let (id, version, name) = distribution(out);
            match end_of_life(&id, &version) {
                Some((label, y, m, d)) => {
                    let end = chrono::NaiveDate::from_ymd_opt(y, m, d)
                        .map(|e| (e - chrono::NaiveDate::default()).num_days())
                        .unwrap_or(0);
                    let date = format!("{y}-{m:02}-{d:02}");
                    if today > end {
                        Finding {
                            note: Some(both(
                                format!("{label} left support on {date}: \"no pending updates\" there means no mirrors, not a patched host"),
                                format!("{label} 已于 {date} 停止支持：“无待装更新”只说明没有更新源，并不代表系统已修补"),
                            )),
                            ..finding(item, State::Fail, format!("{name} (support ended {date})"), expected, "/etc/os-release")
                        }
                    } else {
                        finding(
                            item,
                            State::Pass,
                            format!("{name} (supported until {date})"),
                            expected,
                            "/etc/os-release",
                        )
                    }
                }
                None => finding(
                    item,
                    State::Info,
                    if name.is_empty() { "not known".into() } else { name },
                    expected,
                    "/etc/os-release",
                ),
            }
        }
        Selinux => {
            let expected = both(
                "SELinux enforcing (or AppArmor enabled)".into(),
                "SELinux 处于 enforcing 状态（或已启用 AppArmor）".into(),
            );
            if let Some(g) = out.first("getenforce").filter(|s| s.ran_ok()) {
                let v = g.lines.first().map(|l| l.trim().to_string()).unwrap_or_default();
                let state = match v.as_str() {
                    "Enforcing" => State::Pass,
                    "Permissive" => State::Warn,
                    _ => State::Fail,
                };
                return finding(item, state, v, expected, "getenforce");
            }
            if out.first("aa-enabled").is_some_and(|s| s.ran_ok()) {
                return finding(item, State::Pass, "AppArmor enabled", expected, "aa-enabled");
            }
            finding(
                item,
                State::Fail,
                "neither SELinux nor AppArmor enabled",
                expected,
                "getenforce, aa-enabled",
            )
        }
        TimeSync => {
            let expected = both(
                "the clock synchronised (chrony, ntpd or systemd-timesyncd)".into(),
                "系统时间已同步（chrony、ntpd 或 systemd-timesyncd）".into(),
            );
            if let Some(t) = out.first("timedatectl").filter(|s| s.ran_ok()) {
                if t.lines.iter().any(|l| l.trim() == "NTPSynchronized=yes") {
                    return finding(item, State::Pass, "synchronised", expected, "timedatectl");
                }
            }
            let daemons: Vec<&str> = ["chronyd", "chrony", "ntpd", "ntp", "systemd-timesyncd"]
                .into_iter()
                .filter(|u| unit_active(out, u) == Some(true))
                .collect();
            let ntpd_old = running(out, "ntpd", "ntpd") == Some(true);
            if !daemons.is_empty() || ntpd_old {
                let v = if daemons.is_empty() { "ntpd".to_string() } else { daemons.join(", ") };
                return finding(
                    item,
                    State::Warn,
                    format!("{v} running, not yet synchronised"),
                    expected,
                    "systemctl",
                );
            }
            finding(item, State::Fail, "no time synchronisation", expected, "systemctl, timedatectl")
        }
    }
}
