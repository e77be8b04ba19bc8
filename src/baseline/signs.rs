//! Signs of compromise, read from the same script run (its [`crate::baseline_signs`] part):
//! on these servers the usual intruder is a crypto-miner or a back door. Each sign carries its
//! evidence (pid, path, line) and says when it is weak (a port match alone). What this login
//! could not see is said in [`Signs::unseen`], never reported clean.
//!
//! The crontabs, timers, `authorized_keys` files, UID 0 accounts and listeners are compared
//! with the host's recorded baseline ([`Record`], `yunwei baseline record`): what was added or
//! changed since is a sign, and a listener that appeared or vanished is the `listening_ports`
//! finding. A record keeps no crontab text, only a digest of each line (a crontab may hold a
//! password); the line shown is read from the run that found it.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::script::{Output, Read};
use crate::i18n::Both;

/// The kind of a sign. Its name (snake_case) is stable: JSON, the database and alerts use it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    /// A process whose executable was deleted (or lives only in memory).
    DeletedExe,
    /// A process whose executable lives under `/tmp`, `/var/tmp` or `/dev/shm`.
    TmpExe,
    /// A process named like a kernel thread that has an executable.
    FakeKernelThread,
    /// `/etc/ld.so.preload` names libraries.
    LdPreload,
    /// An established connection to a well-known mining-pool port (weak alone).
    MiningPort,
    /// A command line naming a `stratum+tcp` pool.
    StratumCommand,
    /// A PID in `/proc` that `ps` does not list, twice a second apart.
    HiddenPid,
    /// A crontab line or a cron script added or changed since the record.
    CronChanged,
    /// A systemd timer added since the record.
    TimerAdded,
    /// An `authorized_keys` key added since the record.
    KeyAdded,
    /// A UID 0 account added since the record.
    Uid0Added,
}

impl Kind {
    pub const ALL: [Kind; <Kind as strum::VariantArray>::VARIANTS.len()] =
        crate::text::variants(<Kind as strum::VariantArray>::VARIANTS);

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What it is, in a few words.
    pub fn words(self) -> Both {
        let (en, zh) = match self {
            Kind::DeletedExe => ("process running a deleted executable", "进程的可执行文件已被删除"),
            Kind::TmpExe => ("process running from a temporary folder", "进程从临时目录运行"),
            Kind::FakeKernelThread => ("process disguised as a kernel thread", "伪装成内核线程的进程"),
            Kind::LdPreload => (
                "/etc/ld.so.preload loads libraries into every program",
                "/etc/ld.so.preload 向所有程序注入库",
            ),
            Kind::MiningPort => ("connection to a mining-pool port", "连接矿池常用端口"),
            Kind::StratumCommand => {
                ("command line names a mining pool (stratum)", "命令行含矿池地址（stratum）")
            }
            Kind::HiddenPid => ("process hidden from ps", "对 ps 隐藏的进程"),
            Kind::CronChanged => ("scheduled task added or changed", "计划任务被新增或修改"),
            Kind::TimerAdded => ("systemd timer added", "新增 systemd 定时器"),
            Kind::KeyAdded => ("SSH key added to authorized_keys", "authorized_keys 中新增 SSH 公钥"),
            Kind::Uid0Added => ("account with UID 0 added", "新增 UID 为 0 的账户"),
        };
        Both { en: en.into(), zh: zh.into() }
    }
}

/// One sign, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Sign {
    pub kind: Kind,
    /// Weak evidence on its own (to be looked at, not proof).
    pub weak: bool,
    /// The pid, path and line it was seen in (data from the host, as read).
    pub evidence: String,
    pub note: Option<Both>,
}

/// Every sign of one run, and what could not be looked at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signs {
    pub found: Vec<Sign>,
    pub unseen: Vec<Both>,
    /// The kinds this run could look for (an alert of another kind is not cleared by it).
    pub looked: BTreeSet<Kind>,
}

/// The ports of mining pools most miners are configured with.
pub const MINING_PORTS: [u16; 6] = [3333, 4444, 5555, 7777, 14444, 45700];

/// Names the kernel gives its threads (a process of that name with an executable is not one).
const KERNEL_THREADS: [&str; 22] = [
    "kworker",
    "ksoftirqd",
    "kthreadd",
    "migration",
    "rcu_",
    "kswapd",
    "watchdog/",
    "khugepaged",
    "kauditd",
    "jbd2",
    "kblockd",
    "kdevtmpfs",
    "cpuhp",
    "kcompactd",
    "oom_reaper",
    "writeback",
    "ksmd",
    "kthrotld",
    "kintegrityd",
    "khungtaskd",
    "irq/",
    "scsi_eh",
];

/// A process's executable as the run saw it.
#[derive(Debug, Clone, Default, PartialEq)]
enum Exe {
    /// Its path, with ` (deleted)` as the kernel writes it.
    Path(String),
    /// None: a kernel thread, a zombie.
    None,
    /// This login may not read it.
    #[default]
    Unseen,
}

/// One process as the run saw it.
#[derive(Debug, Clone, Default)]
struct Proc {
    exe: Exe,
    comm: String,
    args: String,
}

fn processes(out: &Output) -> (BTreeMap<u32, Proc>, usize) {
    let mut procs: BTreeMap<u32, Proc> = BTreeMap::new();
    let mut unseen = 0;
    for (_, l) in out.lines("exe") {
        // `… /proc/123/exe -> /usr/bin/x`, or `ls: cannot read symbolic link '/proc/2/exe': No such file or directory`.
        let Some(at) = l.find("/proc/") else { continue };
        let rest = &l[at + 6..];
        let Some((pid, after)) = rest.split_once("/exe") else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let exe = if let Some(target) = after.strip_prefix(" -> ") {
            Exe::Path(target.to_string())
        } else if after.contains("No such file") {
            Exe::None
        } else {
            unseen += 1;
            Exe::Unseen
        };
        procs.entry(pid).or_default().exe = exe;
    }
    for (_, l) in out.lines("comm") {
        if let Some((pid, comm)) = l.split_once('\t') {
            if let Ok(pid) = pid.trim().parse::<u32>() {
                if let Some(p) = procs.get_mut(&pid) {
                    p.comm = comm.to_string();
                }
            }
        }
    }
    for (_, l) in out.lines("ps") {
        let t = l.trim_start();
        let (pid, args) = t.split_once(' ').unwrap_or((t, ""));
        if let Ok(pid) = pid.parse::<u32>() {
            procs.entry(pid).or_default().args = args.trim_start().to_string();
        }
    }
    (procs, unseen)
}

fn both(en: String, zh: String) -> Both {
    Both { en, zh }
}

fn sign(kind: Kind, weak: bool, evidence: String, note: Option<Both>) -> Sign {
    Sign { kind, weak, evidence, note }
}

/// A process as evidence: pid, executable and command line.
fn shown(pid: u32, p: &Proc) -> String {
    let exe = match &p.exe {
        Exe::Path(x) => x.as_str(),
        Exe::None => "-",
        Exe::Unseen => "?",
    };
    let args: String = mask_secrets(&p.args).chars().take(160).collect();
    format!("pid {pid} {exe}: {args}")
}

/// A command or crontab line with what looks like a password left out (`-pSECRET`,
/// `--password=…`, `pass…=…`, `user:password@`, `IDENTIFIED BY …`): evidence is kept and
/// shown, a secret is not.
pub fn mask_secrets(text: &str) -> String {
    static SECRETS: std::sync::OnceLock<Option<(regex::Regex, regex::Regex)>> = std::sync::OnceLock::new();
    let re = SECRETS.get_or_init(|| {
        let words = regex::Regex::new(
            r#"(?i)((?:--?(?:pass(?:word|wd)?|pwd|secret|token|key)[= ])|(?:\b(?:pass(?:word|wd)?|pwd|secret|token)[A-Z_]*=)|(?:identified by\s+)|(?:\s-p))("[^"]*"|'[^']*'|[^\s@]+)"#,
        )
        .ok()?;
        // `scheme://user:password@host`: a password only before an `@` (a `host:port` is
        // evidence, a pool's port above all).
        let url = regex::Regex::new(r"(://[^/\s:@]+:)[^\s@/]+@").ok()?;
        Some((words, url))
    });
    match re {
        Some((words, url)) => {
            let text = words.replace_all(text, "${1}***");
            url.replace_all(&text, "${1}***@").into_owned()
        }
        None => text.to_string(),
    }
}

fn is_kernel_thread_name(name: &str) -> bool {
    if name.trim_start_matches('[').starts_with("watchdogd") {
        return true;
    }
    let name = name.trim_start_matches('[');
    KERNEL_THREADS.iter().any(|k| name.starts_with(k))
}

/// `a:b:port` → port (IPv4 `1.2.3.4:80`, IPv6 `[::1]:80`, netstat `::1:80`).
fn port_of(addr: &str) -> Option<u16> {
    addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

/// The signs of one run, compared with the host's record when there is one.
pub fn signs(out: &Output, then: Option<&Record>) -> Signs {
    let mut s = Signs::default();
    let (procs, unseen) = processes(out);
    if unseen > 0 && out.as_root() {
        s.unseen.push(both(
            format!("the executables of {unseen} processes could not be read even as root (a container or a security module forbids it)"),
            format!("即使以 root 运行，也有 {unseen} 个进程的可执行文件无法读取（容器或安全模块禁止）"),
        ));
    } else if unseen > 0 {
        s.unseen.push(both(
            format!("the executables of {unseen} processes (other users') could not be read: run as root to see them"),
            format!("其他用户的 {unseen} 个进程的可执行文件无法读取：需以 root 运行才能检查"),
        ));
    }
    if out.first("exe").is_none() {
        s.unseen.push(both("processes were not listed".into(), "未能列出进程".into()));
    } else {
        s.looked.extend([Kind::DeletedExe, Kind::TmpExe, Kind::FakeKernelThread]);
    }
    if out.first("ps").is_some_and(|p| p.ran_ok()) {
        s.looked.insert(Kind::StratumCommand);
    }
    if !out.all("ld-preload").any(|p| p.read == Read::Unreadable) {
        s.looked.insert(Kind::LdPreload);
    }
    for (pid, p) in &procs {
        let lower = p.args.to_ascii_lowercase();
        if ["stratum+tcp", "stratum+ssl", "stratum2+tcp"].iter().any(|x| lower.contains(x)) {
            s.found.push(sign(Kind::StratumCommand, false, shown(*pid, p), None));
        }
        let Exe::Path(exe) = &p.exe else { continue };
        let temp = ["/tmp/", "/var/tmp/", "/dev/shm/"].iter().any(|d| exe.starts_with(d));
        if exe.ends_with(" (deleted)") && temp {
            s.found.push(sign(Kind::DeletedExe, false, shown(*pid, p), None));
        } else if exe.starts_with("/memfd:") {
            s.found.push(sign(
                Kind::DeletedExe,
                true,
                shown(*pid, p),
                Some(both(
                    "runs from memory, as fileless malware does; container runtimes (runc) and some sandboxes do too".into(),
                    "从内存运行（无文件恶意程序的做法）；容器运行时（runc）和部分沙箱也会如此".into(),
                )),
            ));
        } else if exe.ends_with(" (deleted)") {
            s.found.push(sign(
                Kind::DeletedExe,
                true,
                shown(*pid, p),
                Some(both(
                    "also left by an upgrade that did not restart the program: check it is the packaged file"
                        .into(),
                    "升级后未重启的程序也会如此：请核实是否为软件包中的文件".into(),
                )),
            ));
        }
        if temp {
            s.found.push(sign(Kind::TmpExe, false, shown(*pid, p), None));
        }
        let bracketed = p.args.starts_with('[') && p.args.contains(']');
        if bracketed || is_kernel_thread_name(&p.comm) {
            s.found.push(sign(
                Kind::FakeKernelThread,
                false,
                shown(*pid, p),
                Some(both(
                    "kernel threads have no executable; this process has one".into(),
                    "内核线程没有可执行文件，而该进程有".into(),
                )),
            ));
        }
    }
    for sec in out.all("ld-preload") {
        if sec.read == Read::Unreadable {
            s.unseen.push(both(
                format!("{} exists and could not be read", sec.path),
                format!("{} 存在但无法读取", sec.path),
            ));
        } else if !sec.lines.is_empty() {
            for l in &sec.lines {
                s.found.push(sign(Kind::LdPreload, false, format!("{}: {l}", sec.path), None));
            }
        }
    }
    for (_, l) in out.lines("estab") {
        let w: Vec<&str> = l.split_whitespace().collect();
        // ss: Recv-Q Send-Q Local Peer [users]; netstat: tcp Recv-Q Send-Q Local Foreign ESTABLISHED [pid/name].
        let (peer, rest) = if w.first().is_some_and(|x| x.starts_with("tcp")) {
            if w.get(5) != Some(&"ESTABLISHED") {
                continue;
            }
            (w.get(4), w.get(6..))
        } else {
            (w.get(3), w.get(4..))
        };
        let Some(peer) = peer else { continue };
        if port_of(peer).is_some_and(|p| MINING_PORTS.contains(&p)) {
            let who = rest.map(|r| r.join(" ")).unwrap_or_default();
            let local = w.get(if w[0].starts_with("tcp") { 3 } else { 2 }).copied().unwrap_or("");
            s.found.push(sign(
                Kind::MiningPort,
                true,
                format!("{local} -> {peer} {who}").trim_end().to_string(),
                Some(both(
                    "a port match alone is weak evidence: these ports are also used by ordinary services"
                        .into(),
                    "仅端口吻合属于弱证据：普通服务也可能使用这些端口".into(),
                )),
            ));
        }
    }
    match out.first("estab") {
        Some(e) if e.ran_ok() => {
            s.looked.insert(Kind::MiningPort);
        }
        Some(_) => s.unseen.push(both(
            "connections could not be listed (ss or netstat failed)".into(),
            "未能列出网络连接（ss 或 netstat 执行失败）".into(),
        )),
        None => s.unseen.push(both(
            "connections were not listed (neither ss nor netstat)".into(),
            "未能列出网络连接（没有 ss 或 netstat）".into(),
        )),
    }
    match hidden_pids(out) {
        Some(hidden) => {
            s.looked.insert(Kind::HiddenPid);
            for pid in hidden {
                s.found.push(sign(Kind::HiddenPid, false, format!("pid {pid} (/proc/{pid})"), None));
            }
        }
        None => s.unseen.push(both(
            "processes hidden from ps were not looked for (no ps)".into(),
            "未检查对 ps 隐藏的进程（没有 ps）".into(),
        )),
    }
    let now = Record::of(out);
    for path in &now.unseen {
        s.unseen.push(both(
            format!("{path} could not be read: run as root to see it"),
            format!("{path} 无法读取：需以 root 运行才能检查"),
        ));
    }
    if let Some(then) = then {
        s.found.extend(changes(&now, then));
        s.looked.extend([Kind::CronChanged, Kind::KeyAdded]);
        if out.first("timers").is_some_and(|t| t.ran_ok()) {
            s.looked.insert(Kind::TimerAdded);
        }
        if out.first("passwd").is_some() {
            s.looked.insert(Kind::Uid0Added);
        }
    }
    if !now.listeners_seen {
        s.unseen.push(both(
            "listeners could not be listed (ss or netstat failed or is missing)".into(),
            "未能列出监听端口（ss 或 netstat 执行失败或不存在）".into(),
        ));
    }
    s
}

/// PIDs listed in `/proc` and not by `ps`, both times the run looked (a second apart): a
/// process that just started or ended is in only one of them. `None` when it was not looked.
pub fn hidden_pids(out: &Output) -> Option<Vec<u32>> {
    let sec = out.first("pids")?;
    let sets: Vec<(String, BTreeSet<u32>)> = sec
        .lines
        .iter()
        .map(|l| {
            let (name, rest) = l.split_once(' ').unwrap_or((l.as_str(), ""));
            let set = rest.split_whitespace().filter_map(|p| p.parse().ok()).collect();
            (name.to_string(), set)
        })
        .collect();
    if sets.len() != 4
        || sets[0].0 != "proc"
        || sets[1].0 != "ps"
        || sets[1].1.is_empty()
        || sets[3].1.is_empty()
    {
        return None;
    }
    let first: BTreeSet<u32> = sets[0].1.difference(&sets[1].1).copied().collect();
    let second: BTreeSet<u32> = sets[2].1.difference(&sets[3].1).copied().collect();
    Some(first.intersection(&second).copied().collect())
}

/// What a host had when its baseline was recorded, to compare later runs with. Keys, not
/// text: a crontab line is kept as a digest.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// `tcp 0.0.0.0:22` → the process (empty when not seen).
    pub listeners: BTreeMap<String, String>,
    /// `path\tdigest` of each crontab line, and `path` of each cron script.
    pub cron: BTreeSet<String>,
    pub timers: BTreeSet<String>,
    /// `path\tSHA256:fingerprint`.
    pub keys: BTreeSet<String>,
    pub uid0: BTreeSet<String>,
    /// The paths that could not be read then (not compared).
    pub unseen: BTreeSet<String>,
    /// The listeners were listed (`ss` or `netstat` ran); else they are not compared.
    #[serde(default = "listed")]
    pub listeners_seen: bool,
    /// The crontab line of each digest of this run (never stored).
    #[serde(skip)]
    pub lines: BTreeMap<String, String>,
}

fn listed() -> bool {
    true
}

fn digest(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// OpenSSH's fingerprint of a key line (`[options] type base64 [comment]`).
fn fingerprint(line: &str) -> Option<(String, String)> {
    let w: Vec<&str> = line.split_whitespace().collect();
    let at = w.iter().position(|t| {
        t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-") || t.starts_with("rsa-")
    })?;
    let blob = base64::engine::general_purpose::STANDARD.decode(w.get(at + 1)?).ok()?;
    let fp = base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&blob));
    let comment = w.get(at + 2..).map(|c| c.join(" ")).unwrap_or_default();
    Some((format!("SHA256:{fp}"), format!("{} {comment}", w[at]).trim_end().to_string()))
}

/// The listeners (loopback ones too: a back door may wait there), with their processes.
pub fn listeners(out: &Output) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (_, l) in out.lines("listen") {
        let w: Vec<&str> = l.split_whitespace().collect();
        let proto = w.first().copied().unwrap_or("");
        if !(proto.starts_with("tcp") || proto.starts_with("udp")) {
            continue;
        }
        let proto = if proto.starts_with("tcp") { "tcp" } else { "udp" };
        // ss: Netid State Recv-Q Send-Q Local Peer [users]; netstat: Proto Recv-Q Send-Q Local Foreign [State] [pid/name].
        let ss = w.get(1).is_some_and(|s| !s.chars().all(|c| c.is_ascii_digit()));
        let local = if ss { w.get(4) } else { w.get(3) };
        let Some(local) = local else { continue };
        let who = w.iter().rev().find_map(|t| {
            if let Some(u) = t.strip_prefix("users:((\"") {
                u.split('"').next().map(str::to_string)
            } else {
                t.split_once('/').filter(|(p, _)| p.parse::<u32>().is_ok()).map(|(_, n)| n.to_string())
            }
        });
        let local = local.replace("0.0.0.0:", "*:").replace("[::]:", "*:").replace(":::", "*:");
        // An unconnected UDP socket on an ephemeral port (a syslog forwarder, rpc.statd) takes
        // a new port at each start: known by its process, not its port.
        let ephemeral = proto == "udp" && port_of(&local).is_some_and(|p| p >= 32_768);
        let key = match (&who, ephemeral) {
            (Some(w), true) => format!("udp ephemeral ({w})"),
            _ => format!("{proto} {local}"),
        };
        let slot = map.entry(key).or_insert_with(String::new);
        if slot.is_empty() {
            *slot = who.unwrap_or_default();
        }
    }
    map
}

impl Record {
    /// The record of one run.
    pub fn of(out: &Output) -> Record {
        let mut r = Record {
            listeners: listeners(out),
            listeners_seen: out.first("listen").is_some_and(|l| l.ran_ok()),
            ..Default::default()
        };
        for sec in out.all("cron") {
            if sec.read == Read::Unreadable {
                r.unseen.insert(sec.path.clone());
                continue;
            }
            for l in &sec.lines {
                let key = format!("{}\t{}", sec.path, digest(&format!("{}\t{l}", sec.path)));
                r.lines.insert(key.clone(), format!("{}: {}", sec.path, mask_secrets(l)));
                r.cron.insert(key);
            }
        }
        // `checksum path`: a script changed in place is a new key.
        for (_, l) in out.lines("cron-scripts") {
            let key = l.trim().to_string();
            let (sum, path) = key.split_once(' ').unwrap_or(("", key.as_str()));
            r.lines.insert(key.clone(), format!("{path} (cron script, cksum {sum})"));
            r.cron.insert(key);
        }
        if let Some(t) = out.first("timers").filter(|s| s.ran_ok()) {
            for l in &t.lines {
                if let Some(name) = l.split_whitespace().next().filter(|n| n.ends_with(".timer")) {
                    r.timers.insert(name.to_string());
                }
            }
        }
        for sec in out.all("keys") {
            if sec.read == Read::Unreadable {
                r.unseen.insert(sec.path.clone());
                continue;
            }
            for l in &sec.lines {
                let (key, shown) = match fingerprint(l) {
                    Some((fp, what)) => (format!("{}\t{fp}", sec.path), format!("{}: {what} {fp}", sec.path)),
                    // A line this reading does not understand is still a line sshd may: kept
                    // by its digest.
                    None => {
                        let d = digest(l);
                        (
                            format!("{}\tline:{d}", sec.path),
                            format!("{}: a line not read as a key (digest {d})", sec.path),
                        )
                    }
                };
                r.lines.insert(key.clone(), shown);
                r.keys.insert(key);
            }
        }
        for (_, l) in out.lines("passwd") {
            let w: Vec<&str> = l.split('\t').collect();
            if w.get(1) == Some(&"0") {
                r.uid0.insert(w[0].to_string());
            }
        }
        r
    }

    /// Whether `key` (`path\t…` or a path) is under a path that could not be read.
    fn unseen_then(&self, key: &str) -> bool {
        let path = key.split('\t').next().unwrap_or(key);
        self.unseen.iter().any(|u| path == u || path.starts_with(&format!("{u}/")))
    }
}

/// What was added or changed since `then`, as signs (what was not readable then is not
/// compared).
pub fn changes(now: &Record, then: &Record) -> Vec<Sign> {
    let mut found = Vec::new();
    for key in now.cron.difference(&then.cron).filter(|k| !then.unseen_then(k)) {
        let shown = now.lines.get(key).cloned().unwrap_or_else(|| key.clone());
        found.push(sign(Kind::CronChanged, false, shown, None));
    }
    for t in now.timers.difference(&then.timers) {
        found.push(sign(Kind::TimerAdded, false, t.clone(), None));
    }
    for key in now.keys.difference(&then.keys).filter(|k| !then.unseen_then(k)) {
        let shown = now.lines.get(key).cloned().unwrap_or_else(|| key.replace('\t', ": "));
        found.push(sign(Kind::KeyAdded, false, shown, None));
    }
    for a in now.uid0.difference(&then.uid0) {
        found.push(sign(Kind::Uid0Added, false, a.clone(), None));
    }
    found
}

/// Listeners that appeared and vanished since `then`, each as `tcp *:22 (sshd)`.
pub fn listener_changes(now: &Record, then: &Record) -> (Vec<String>, Vec<String>) {
    if !now.listeners_seen || !then.listeners_seen {
        return (Vec::new(), Vec::new());
    }
    let show = |(k, p): (&String, &String)| if p.is_empty() { k.clone() } else { format!("{k} ({p})") };
    let new = now.listeners.iter().filter(|(k, _)| !then.listeners.contains_key(*k)).map(show).collect();
    let gone = then.listeners.iter().filter(|(k, _)| !now.listeners.contains_key(*k)).map(show).collect();
    (new, gone)
}
