//! The quarterly inspection report (例检报告): per host its availability, reboots, resource
//! peaks and trends (each filesystem with the days until it fills at the period's trend),
//! failed services, security baseline and signs of compromise, backups and certificates; every
//! problem found listed by severity with its clause, advice, owner and due date; last period's
//! problems followed up. Written as Markdown, one self-contained HTML page (charts inline as
//! SVG, no URL) and a CSV of the problems, in the reader's language. Pure: the data comes in,
//! text comes out; every text from the hosts or the database is escaped for its format.

use chrono::TimeZone;

use super::charts;
use super::quarterly::{html_escape, md_cell};
use crate::baseline::signs::{Kind, Sign};
use crate::baseline::{Finding, Item, State};
use crate::i18n::{Both, Lang};
use crate::store::baseline::StoredRun;
use crate::store::health::{DayFigures, FailedLogins, FsPoint, HostFigures};

/// One host's data over the period.
#[derive(Debug, Clone, Default)]
pub struct HostData {
    pub host: String,
    /// Whether the config names the host now (a host that left it is still reported).
    pub configured: bool,
    pub figures: Option<HostFigures>,
    pub days: Vec<DayFigures>,
    /// Each filesystem's daily peak.
    pub fs: Vec<FsPoint>,
    pub boots: Vec<i64>,
    /// Failed-service alerts opened in the period: when, and their message.
    pub failed_units: Vec<(i64, Both)>,
    /// The latest baseline run of the period.
    pub baseline: Option<StoredRun>,
    /// Backup jobs of the host: name, state, reason, last verification (time, status).
    pub jobs: Vec<JobFacts>,
    /// Certificates the checks saw: check name, from, end.
    pub certs: Vec<(String, String, i64)>,
    /// Failed SSH logins the security postures of the period counted (`None`: none did).
    pub failed_logins: Option<FailedLogins>,
    /// The 24-hour count that is a problem (`[baseline] failed_logins_24h`; 0: not judged).
    pub logins_limit: u32,
}

#[derive(Debug, Clone, Default)]
pub struct JobFacts {
    pub job: String,
    pub state: String,
    pub reason: Both,
    pub checked_at: i64,
    pub verified: Option<(i64, i32)>,
}

/// What the report is about.
pub struct Meta<'a> {
    /// `2026Q4`, or the dates.
    pub label: String,
    pub from: i64,
    pub to: i64,
    pub generated_at: i64,
    pub operator: &'a str,
    pub offset: chrono::FixedOffset,
    pub lang: Lang,
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn word(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::High, Lang::En) => "high",
            (Severity::Medium, Lang::En) => "medium",
            (Severity::Low, Lang::En) => "low",
            (Severity::High, Lang::ZhCn) => "高",
            (Severity::Medium, Lang::ZhCn) => "中",
            (Severity::Low, Lang::ZhCn) => "低",
        }
    }

    /// Days given to fix it, from the report's date.
    pub fn days_to_fix(self) -> i64 {
        match self {
            Severity::High => 7,
            Severity::Medium => 30,
            Severity::Low => 90,
        }
    }
}

/// The categories of the summary, in the order of GB/T 22239's computing-environment clauses,
/// then the operation of the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Identification,
    AccessControl,
    Audit,
    Intrusion,
    Malware,
    OtherSecurity,
    Operation,
    Backup,
    Certificate,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Identification,
        Category::AccessControl,
        Category::Audit,
        Category::Intrusion,
        Category::Malware,
        Category::OtherSecurity,
        Category::Operation,
        Category::Backup,
        Category::Certificate,
    ];

    pub fn word(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Category::Identification => ("Identification and authentication", "身份鉴别"),
            Category::AccessControl => ("Access control", "访问控制"),
            Category::Audit => ("Security audit", "安全审计"),
            Category::Intrusion => ("Intrusion prevention", "入侵防范"),
            Category::Malware => ("Malicious code prevention", "恶意代码防范"),
            Category::OtherSecurity => ("Other security settings", "其他安全配置"),
            Category::Operation => {
                ("Operation (availability, capacity, services)", "运行状况（可用性、容量、服务）")
            }
            Category::Backup => ("Backups", "数据备份"),
            Category::Certificate => ("Certificates", "证书有效期"),
        };
        if lang == Lang::En {
            en
        } else {
            zh
        }
    }

    /// Whether the ticket it becomes is a security one (else a server one).
    pub fn security(self) -> bool {
        !matches!(self, Category::Operation | Category::Backup | Category::Certificate)
    }

    fn of_item(item: Item) -> Category {
        match item.clause() {
            "L3-CES1-01" | "L3-CES1-02" | "L3-CES1-03" | "L3-CES1-04" => Category::Identification,
            "L3-CES1-06" | "L3-CES1-07" | "L3-CES1-08" => Category::AccessControl,
            "L3-CES1-12" | "L3-CES1-13" | "L3-CES1-14" | "L3-CES1-15" => Category::Audit,
            "L3-CES1-23" => Category::Malware,
            "" => Category::OtherSecurity,
            _ => Category::Intrusion,
        }
    }
}

/// One problem found: what, where, how serious, what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub host: String,
    pub category: Category,
    pub severity: Severity,
    /// Stable within a host across periods: `baseline/pw_history`, `sign/tmp_exe`,
    /// `disk/%2Fu01`, `backup/nightly`, `cert/portal/local`, `availability`, `failed_units`.
    pub key: String,
    pub problem: Both,
    /// What was found (data, with the words around it in each language).
    pub value: Both,
    pub clause: &'static str,
    pub advice: Both,
    /// Something fails (not only a warning): a ticket follows it up.
    pub failing: bool,
    /// A time it must be fixed by whatever its risk gives (a certificate's end).
    pub due_by: Option<i64>,
}

impl Problem {
    /// When it is to be fixed: the risk's days from `now`, or sooner when it must be.
    pub fn due(&self, now: i64) -> i64 {
        let by_risk = now + self.severity.days_to_fix() * 86_400;
        self.due_by.map_or(by_risk, |d| d.min(by_risk))
    }

    /// The tag of the ticket that follows it up.
    pub fn tag(&self) -> String {
        format!("inspection:{}:{}", self.host, self.key)
    }
}

fn b(en: &str, zh: &str) -> Both {
    Both { en: en.into(), zh: zh.into() }
}

/// How serious a failing item is, and what to do about it.
fn item_advice(item: Item) -> (Severity, Both) {
    use Item::*;
    use Severity::*;
    match item {
        PassMaxDays => (Medium, b("Set a maximum password age of 90 days on every account with a password (chage -M 90).", "为所有设有口令的账户设置最长 90 天的口令有效期（chage -M 90）。")),
        PassWarnAge => (Low, b("Warn 7 days before a password expires (chage -W 7).", "口令到期前 7 天提醒（chage -W 7）。")),
        PwComplexity => (Medium, b("Require at least 8 characters of 3 classes in pam_pwquality (minlen=8 minclass=3).", "在 pam_pwquality 中要求口令至少 8 位、包含 3 类字符（minlen=8 minclass=3）。")),
        PwHistory => (Low, b("Remember the last 5 passwords (pam_pwhistory remember=5).", "记住最近 5 次口令（pam_pwhistory remember=5）。")),
        EmptyPasswords => (High, b("Set a password on or lock every account with an empty password (passwd -l).", "为空口令账户设置口令或将其锁定（passwd -l）。")),
        Uid0Accounts => (High, b("Remove or renumber every UID 0 account other than root.", "删除除 root 外 UID 为 0 的账户或更改其 UID。")),
        LoginLockout => (Medium, b("Lock an account after 5 failed logins for at least 300 s (pam_faillock deny=5 unlock_time=300).", "登录失败 5 次后锁定账户至少 300 秒（pam_faillock deny=5 unlock_time=300）。")),
        Tmout => (Low, b("Log idle shells out after at most 600 s (readonly TMOUT=600 in /etc/profile.d).", "空闲会话 600 秒内自动退出（在 /etc/profile.d 中设置 readonly TMOUT=600）。")),
        PermitRootLogin => (Medium, b("Forbid root logins over SSH (PermitRootLogin no); administrators log in as themselves and use sudo.", "禁止 root 通过 SSH 登录（PermitRootLogin no），管理员以个人账户登录后使用 sudo。")),
        SshCiphers => (Medium, b("Allow only AES-CTR/GCM and ChaCha20 ciphers and SHA-2 MACs in sshd_config.", "在 sshd_config 中仅允许 AES-CTR/GCM、ChaCha20 加密算法和 SHA-2 MAC。")),
        SshProtocol => (High, b("Allow SSH protocol 2 only (Protocol 2), or upgrade OpenSSH.", "仅允许 SSH 协议 2（Protocol 2），或升级 OpenSSH。")),
        MgmtSourceRestricted => (Medium, b("Restrict SSH to the management network (AllowUsers user@10.x, hosts.allow or firewall source rules).", "限制仅管理网段可访问 SSH（AllowUsers user@10.x、hosts.allow 或防火墙源地址规则）。")),
        LegacyServices => (High, b("Stop and remove telnet, rsh, rlogin, tftp and ftp servers; use SSH and SFTP.", "停止并卸载 telnet、rsh、rlogin、tftp、ftp 服务，改用 SSH 和 SFTP。")),
        PasswordAuthentication => (Low, b("Add a second factor to SSH logins (keys with a password, or a token).", "为 SSH 登录增加第二种鉴别因素（密钥加口令或令牌）。")),
        DefaultAccounts => (Medium, b("Lock or remove default accounts that are not used (games, ftp, lp…).", "锁定或删除不使用的默认账户（games、ftp、lp 等）。")),
        SudoAll => (Medium, b("Grant sudo only the commands each role needs, not ALL.", "sudo 仅授予各角色所需命令，不授予 ALL。")),
        Umask => (Low, b("Set umask 027 in /etc/profile and /etc/bashrc.", "在 /etc/profile 和 /etc/bashrc 中设置 umask 027。")),
        Auditd => (Medium, b("Run auditd with rules for logins, privilege use and changes to accounts and configuration.", "启用 auditd，并配置登录、提权、账户和配置变更的审计规则。")),
        Rsyslog => (Medium, b("Run rsyslog (or another syslog daemon).", "启用 rsyslog（或其他 syslog 服务）。")),
        LogRetention => (Medium, b("Keep logs six months: forward them to the central log server or rotate with rotate 26 weekly.", "日志至少保留六个月：转发至集中日志服务器，或按周轮转并保留 26 份。")),
        Firewall => (High, b("Enable the host firewall and allow only the ports the host's role needs.", "启用主机防火墙，仅放行业务所需端口。")),
        ListeningPorts => (High, b("Find what opened the new listener; close it or record it as expected (yunwei baseline record).", "查明新增监听端口的来源，予以关闭或记为预期（yunwei baseline record）。")),
        AntiMalware => (Low, b("Install anti-malware and keep its signatures current.", "安装防恶意代码软件并及时更新特征库。")),
        SecurityUpdates => (High, b("Install the pending security updates in the next maintenance window.", "在下一个维护窗口安装待装的安全更新。")),
        EolDistribution => (High, b("Plan the migration to a supported release (e.g. Kylin V10, UOS, Rocky/Alma).", "制定迁移到受支持版本的计划（如麒麟 V10、统信 UOS、Rocky/Alma）。")),
        Selinux => (Low, b("Run SELinux in enforcing mode (or AppArmor).", "将 SELinux 设为 enforcing（或启用 AppArmor）。")),
        TimeSync => (Medium, b("Synchronise the clock with the site's NTP server (chrony).", "与本单位 NTP 服务器同步时间（chrony）。")),
    }
}

fn sign_advice(kind: Kind) -> Both {
    match kind {
        Kind::DeletedExe | Kind::TmpExe | Kind::StratumCommand | Kind::MiningPort | Kind::FakeKernelThread => b(
            "Isolate the host, keep the process's memory and files as evidence, find how it came in, then remove it and its persistence.",
            "隔离主机，保留进程内存和文件作为证据，查明入侵途径后清除程序及其持久化项。",
        ),
        Kind::LdPreload | Kind::HiddenPid => b(
            "Suspect a rootkit: check the host from trusted media (rkhunter, chkrootkit), and rebuild it if confirmed.",
            "疑似 rootkit：使用可信介质检查（rkhunter、chkrootkit），确认后重装系统。",
        ),
        Kind::CronChanged | Kind::TimerAdded | Kind::KeyAdded | Kind::Uid0Added => b(
            "Confirm the change with its owner; if no one made it, remove it and treat the host as compromised. Then record the baseline again.",
            "与负责人核实该变更；如无人操作，删除并按入侵处置，之后重新记录基线。",
        ),
    }
}

fn clause_of_sign(kind: Kind) -> &'static str {
    match kind {
        Kind::DeletedExe | Kind::TmpExe | Kind::StratumCommand | Kind::MiningPort => "L3-CES1-23",
        _ => "L3-CES1-22",
    }
}

/// The days until a filesystem fills at the trend of its daily peaks (least squares over the
/// period), when it grows; `None` when it does not grow or has under a week of days.
pub fn days_until_full(points: &[(i64, f64)]) -> Option<f64> {
    if points.len() < 7 {
        return None;
    }
    let n = points.len() as f64;
    let xs: Vec<f64> = points.iter().map(|(t, _)| *t as f64 / 86_400.0).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let sxy: f64 = xs.iter().zip(points).map(|(x, p)| (x - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    if slope <= 0.001 {
        return None;
    }
    let last = points.last().map(|p| p.1)?;
    Some(((100.0 - last) / slope).max(0.0))
}

/// Points of a series: Unix seconds and value.
type Points = Vec<(i64, f64)>;

/// The filesystems of a host: mount → its daily peaks (use, inodes).
fn mounts(h: &HostData) -> Vec<(String, Points, Points)> {
    let mut out: Vec<(String, Points, Points)> = Vec::new();
    for p in &h.fs {
        if out.last().is_none_or(|m| m.0 != p.mount) {
            out.push((p.mount.clone(), Vec::new(), Vec::new()));
        }
        if let Some(m) = out.last_mut() {
            m.1.push((p.at, p.used_max));
            if let Some(i) = p.inodes_max {
                m.2.push((p.at, i));
            }
        }
    }
    out
}

fn peak(v: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    v.flatten().fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
}

/// Every problem of the period's data, by severity, then host.
pub fn problems(hosts: &[HostData], now: i64, offset: chrono::FixedOffset) -> Vec<Problem> {
    let mut out = Vec::new();
    for h in hosts {
        let p = |category, severity, key: String, problem: Both, value: Both, clause, advice: Both| Problem {
            host: h.host.clone(),
            category,
            severity,
            key,
            problem,
            value,
            clause,
            advice,
            failing: true,
            due_by: None,
        };
        if let Some(avail) = h.figures.as_ref().and_then(|f| f.availability_pct()) {
            if avail < 99.0 {
                let sev = if avail < 95.0 { Severity::High } else { Severity::Medium };
                out.push(p(
                    Category::Operation,
                    sev,
                    "availability".into(),
                    b("availability under 99%", "可用率低于 99%"),
                    b(&format!("{avail:.2}%"), &format!("{avail:.2}%")),
                    "",
                    b(
                        "Find the causes of the outages (host detail, alerts) and remove them.",
                        "查明不可达的原因（主机详情、告警）并消除。",
                    ),
                ));
            }
        }
        for (mount, used, inodes) in mounts(h) {
            let last = used.last().map(|x| x.1).unwrap_or(0.0);
            let top = used.iter().map(|x| x.1).fold(0.0_f64, f64::max);
            let days = days_until_full(&used);
            let itop = inodes.iter().map(|x| x.1).fold(0.0_f64, f64::max);
            let sev = if last >= 95.0 || days.is_some_and(|d| d < 30.0) {
                Some(Severity::High)
            } else if top >= 90.0 || days.is_some_and(|d| d < 90.0) || itop >= 90.0 {
                Some(Severity::Medium)
            } else {
                None
            };
            if let Some(sev) = sev {
                let until = days.map(|d| format!(", full in about {d:.0} days")).unwrap_or_default();
                let until_zh = days.map(|d| format!("，按趋势约 {d:.0} 天后写满")).unwrap_or_default();
                out.push(p(
                    Category::Operation,
                    sev,
                    format!("disk/{}", crate::alerts::key::escape(&mount)),
                    Both { en: format!("{mount} filling up"), zh: format!("{mount} 空间不足") },
                    Both {
                        en: format!("peak {top:.1}%, now {last:.1}%, inodes {itop:.1}%{until}"),
                        zh: format!("峰值 {top:.1}%，期末 {last:.1}%，inode {itop:.1}%{until_zh}"),
                    },
                    "",
                    Both {
                        en: format!("Free or grow {mount} before it fills{until}."),
                        zh: format!("在写满前清理或扩容 {mount}{until_zh}。"),
                    },
                ));
            }
        }
        if let Some(f) = h.failed_logins.as_ref().filter(|f| h.logins_limit > 0 && f.peak >= h.logins_limit) {
            let when = date(f.peak_at, offset, "%Y-%m-%d");
            out.push(p(
                Category::Intrusion,
                if f.peak >= h.logins_limit.saturating_mul(10) { Severity::High } else { Severity::Medium },
                "failed_logins".into(),
                b("many failed SSH logins", "SSH 登录失败次数过多"),
                Both {
                    en: format!(
                        "up to {} in 24 hours ({when}); failures on {} of {} days",
                        f.peak, f.days_with_failures, f.days_counted
                    ),
                    zh: format!(
                        "24 小时内最多 {} 次（{when}）；{} 天中有 {} 天出现失败",
                        f.peak, f.days_counted, f.days_with_failures
                    ),
                },
                "L3-CES1-22",
                b(
                    "Find the source addresses (lastb, journalctl -u sshd): block an attacker, fix a script's password; keep login lockout and source restriction on.",
                    "查明来源地址（lastb、journalctl -u sshd）：封禁攻击来源，修正脚本中的旧口令；保持登录失败锁定与来源地址限制。",
                ),
            ));
        }
        if !h.failed_units.is_empty() {
            let units = |lang| h.failed_units.iter().map(|u| u.1.get(lang)).collect::<Vec<_>>();
            out.push(p(
                Category::Operation,
                Severity::Medium,
                "failed_units".into(),
                b("services failed during the period", "期间有服务运行失败"),
                b(&units(Lang::En).join("; "), &units(Lang::ZhCn).join("；")),
                "",
                b(
                    "Find why each service failed (journalctl -u) and fix or disable it.",
                    "逐一查明失败原因（journalctl -u），修复或停用。",
                ),
            ));
        }
        if let Some(run) = &h.baseline {
            for f in run.findings.iter().filter(|f| matches!(f.state, State::Fail | State::Warn)) {
                let (sev, advice) = item_advice(f.id);
                let sev = if f.state == State::Warn { Severity::Low } else { sev };
                let mut problem = p(
                    Category::of_item(f.id),
                    sev,
                    format!("baseline/{}", f.id.as_str()),
                    // The requirement, then how it stands, as a checklist reads.
                    Both {
                        en: format!(
                            "{}: {}",
                            f.expected.en,
                            if f.state == State::Warn { "partly met" } else { "not met" }
                        ),
                        zh: format!(
                            "{}：{}",
                            f.expected.zh,
                            if f.state == State::Warn { "部分符合" } else { "不符合" }
                        ),
                    },
                    Both {
                        en: f.value.clone(),
                        zh: crate::baseline::value_words(&f.value, Lang::ZhCn).into_owned(),
                    },
                    f.id.clause(),
                    advice,
                );
                problem.failing = f.state == State::Fail;
                out.push(problem);
            }
            let mut kinds: Vec<Kind> = run.signs.iter().map(|s| s.kind).collect();
            kinds.sort();
            kinds.dedup();
            for kind in kinds {
                let of: Vec<&Sign> = run.signs.iter().filter(|s| s.kind == kind).collect();
                let weak = of.iter().all(|s| s.weak);
                let evidence: Vec<&str> = of.iter().map(|s| s.evidence.as_str()).take(5).collect();
                out.push(p(
                    if clause_of_sign(kind) == "L3-CES1-23" {
                        Category::Malware
                    } else {
                        Category::Intrusion
                    },
                    if weak { Severity::Medium } else { Severity::High },
                    format!("sign/{}", kind.as_str()),
                    kind.words(),
                    b(&evidence.join("; "), &evidence.join("；")),
                    clause_of_sign(kind),
                    sign_advice(kind),
                ));
            }
        }
        for j in &h.jobs {
            if j.state != "ok" && j.state != "running" {
                out.push(p(
                    Category::Backup,
                    if matches!(j.state.as_str(), "missing" | "failed" | "shrunk") {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    format!("backup/{}", j.job),
                    Both {
                        en: format!("backup {} not ok", j.job),
                        zh: format!("备份作业 {} 状态异常", j.job),
                    },
                    Both {
                        en: format!("{}: {}", j.state, j.reason.en),
                        zh: format!(
                            "{}：{}",
                            crate::backups::State::parse(&j.state)
                                .map_or(j.state.as_str(), |st| crate::backup_words::state(st, Lang::ZhCn)),
                            j.reason.zh
                        ),
                    },
                    "",
                    b(
                        "Look at the job (yunwei backup check), fix it and verify a restore.",
                        "检查作业（yunwei backup check），修复后做一次恢复验证。",
                    ),
                ));
            }
        }
        for (check, from, end) in &h.certs {
            let days = (end - now) as f64 / 86_400.0;
            if days < 30.0 {
                out.push(p(
                    Category::Certificate,
                    if days < 7.0 { Severity::High } else { Severity::Medium },
                    format!(
                        "cert/{}/{}",
                        crate::alerts::key::escape(check),
                        crate::alerts::key::escape(from)
                    ),
                    Both {
                        en: format!("certificate of {check} ends soon"),
                        zh: format!("{check} 的证书即将到期"),
                    },
                    Both { en: format!("{days:.0} d"), zh: format!("{days:.0} 天") },
                    "",
                    b("Renew the certificate and install it before it ends.", "在到期前续签并部署证书。"),
                ));
                if let Some(last) = out.last_mut() {
                    last.due_by = Some(*end);
                }
            }
        }
    }
    out.sort_by(|a, b| (a.severity, &a.host, &a.key).cmp(&(b.severity, &b.host, &b.key)));
    out
}

/// A problem of the last period and whether it is fixed now.
#[derive(Debug, Clone, PartialEq)]
pub enum Followed {
    Fixed,
    Open,
    /// The host has no data this period.
    NotRechecked,
}

pub fn follow_up<'a>(
    previous: &'a [Problem],
    now: &[Problem],
    hosts: &[HostData],
) -> Vec<(&'a Problem, Followed)> {
    previous
        .iter()
        .map(|p| {
            let still = now.iter().any(|n| n.host == p.host && n.key == p.key);
            // Fixed only when this period looked again: a run that reached the host and ran
            // through, and for an item, a judgement of it now (not "not readable").
            let seen = hosts.iter().any(|h| {
                if h.host != p.host {
                    return false;
                }
                let run = h.baseline.as_ref().filter(|r| r.error.is_none() && r.complete);
                if let Some(item) = p.key.strip_prefix("baseline/") {
                    run.and_then(|r| r.findings.iter().find(|f| f.id.as_str() == item))
                        .is_some_and(|f| matches!(f.state, State::Pass | State::Info))
                } else if p.key.starts_with("sign/") {
                    run.is_some()
                } else if p.key.starts_with("backup/") {
                    !h.jobs.is_empty()
                } else if p.key.starts_with("cert/") {
                    !h.certs.is_empty()
                } else if p.key == "failed_logins" {
                    h.failed_logins.is_some()
                } else {
                    h.figures.is_some()
                }
            });
            let state = if still {
                Followed::Open
            } else if seen {
                Followed::Fixed
            } else {
                Followed::NotRechecked
            };
            (p, state)
        })
        .collect()
}

fn t(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    if lang == Lang::En {
        en
    } else {
        zh
    }
}

/// `at` (Unix seconds) in `offset`, as `fmt` writes it.
pub fn date(at: i64, offset: chrono::FixedOffset, fmt: &str) -> String {
    offset.timestamp_opt(at, 0).single().map(|d| d.format(fmt).to_string()).unwrap_or_default()
}

/// The first and last day of health history in the period, when they leave out more than a
/// day at either end of it.
fn coverage(hosts: &[HostData], m: &Meta<'_>) -> Option<(String, String)> {
    let first = hosts.iter().filter_map(|h| h.days.first().map(|d| d.at)).min()?;
    let last = hosts.iter().filter_map(|h| h.days.last().map(|d| d.at)).max()?;
    (first > m.from + 86_400 || last + 2 * 86_400 < m.to)
        .then(|| (date(first, m.offset, "%Y-%m-%d"), date(last, m.offset, "%Y-%m-%d")))
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
}

/// A block of the document.
enum Block {
    Para(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// SVG (HTML only).
    Chart(String),
}

struct Section {
    title: String,
    level: u8,
    blocks: Vec<Block>,
}

fn head(lang: Lang, cols: &[(&'static str, &'static str)]) -> Vec<String> {
    cols.iter().map(|(en, zh)| t(lang, en, zh).to_string()).collect()
}

/// The whole document, shared by the three writers.
struct Doc {
    title: String,
    subtitle: String,
    sections: Vec<Section>,
}

fn document(
    hosts: &[HostData],
    problems: &[Problem],
    previous: &[Problem],
    m: &Meta<'_>,
    charts_on: bool,
) -> Result<Doc, String> {
    let lang = m.lang;
    let from = date(m.from, m.offset, "%Y-%m-%d");
    let to = date(m.to - 1, m.offset, "%Y-%m-%d");
    let at = date(m.generated_at, m.offset, "%Y-%m-%d %H:%M %:z");
    let title = format!("{} {}", t(lang, "Inspection report", "例行巡检报告"), m.label);
    let subtitle = match lang {
        Lang::En => format!("{from} to {to} · written {at} by {}", m.operator),
        Lang::ZhCn => format!("{from} 至 {to} · 由 {} 于 {at} 生成", m.operator),
    };
    let mut s = Vec::new();
    let count = |sev: Severity| problems.iter().filter(|p| p.severity == sev).count();
    let inspected = hosts.iter().filter(|h| h.baseline.as_ref().is_some_and(|r| r.error.is_none())).count();
    // 1. Overview and basis.
    s.push(Section {
        title: t(lang, "1. Overview and basis", "一、巡检概述与依据").into(),
        level: 2,
        blocks: [
            Some(Block::Para(match lang {
                Lang::En => format!(
                    "This routine inspection covers {} hosts from {from} to {to}: their operation over the period from the health history, and on {inspected} of them the security baseline and signs of compromise. {} problems were found: {} high, {} medium, {} low.",
                    hosts.len(), problems.len(), count(Severity::High), count(Severity::Medium), count(Severity::Low)
                ),
                Lang::ZhCn if inspected == 0 => format!(
                    "本次例行巡检覆盖 {} 台主机，时段为 {from} 至 {to}：依据健康监测历史评估运行状况；本期未进行安全基线核查。共发现问题 {} 项，其中高风险 {} 项、中风险 {} 项、低风险 {} 项。",
                    hosts.len(), problems.len(), count(Severity::High), count(Severity::Medium), count(Severity::Low)
                ),
                Lang::ZhCn => format!(
                    "本次例行巡检覆盖 {} 台主机，时段为 {from} 至 {to}：依据健康监测历史评估运行状况，并对其中 {inspected} 台进行了安全基线核查与入侵迹象检查。共发现问题 {} 项，其中高风险 {} 项、中风险 {} 项、低风险 {} 项。",
                    hosts.len(), problems.len(), count(Severity::High), count(Severity::Medium), count(Severity::Low)
                ),
            })),
            // What the history covers, when it is less than the period (a period not over
            // yet, or monitoring begun within it): figures are of those days only.
            coverage(hosts, m).map(|(first, last)| {
                Block::Para(match lang {
                    Lang::En => format!(
                        "The health history of the period runs from {first} to {last}; its figures (availability included) are of those days."
                    ),
                    Lang::ZhCn => format!(
                        "本时段的健康监测数据自 {first} 至 {last}，各项运行指标（含可用率）均按这些天统计。"
                    ),
                })
            }),
            Some(Block::Para(t(
                lang,
                "Basis: GB/T 22239-2019 Information security technology — Baseline for classified protection of cybersecurity (level 3, computing environment); GB/T 28448-2019 Evaluation requirement for classified protection of cybersecurity (L3-CES1 test items); the Cybersecurity Law of the PRC, article 21 (logs kept at least six months); the operation and maintenance contract (quarterly routine inspection).",
                "依据：GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》（第三级 安全计算环境）；GB/T 28448-2019《信息安全技术 网络安全等级保护测评要求》（L3-CES1 测评项）；《中华人民共和国网络安全法》第二十一条（网络日志留存不少于六个月）；运维服务合同（每季度例行巡检）。",
            ).into())),
        ]
        .into_iter()
        .flatten()
        .collect(),
    });
    // 2. Scope.
    s.push(Section {
        title: t(lang, "2. Scope", "二、巡检范围").into(),
        level: 2,
        blocks: vec![Block::Table {
            head: head(
                lang,
                &[
                    ("Host", "主机"),
                    ("In the config", "在配置中"),
                    ("Samples", "采样数"),
                    ("Baseline checked", "基线核查时间"),
                ],
            ),
            rows: hosts
                .iter()
                .map(|h| {
                    vec![
                        h.host.clone(),
                        if h.configured {
                            t(lang, "yes", "是")
                        } else {
                            t(lang, "no (not in the config now)", "否（不在当前配置中）")
                        }
                        .into(),
                        h.figures.as_ref().map(|f| f.samples.to_string()).unwrap_or_else(|| "0".into()),
                        h.baseline
                            .as_ref()
                            .map(|r| {
                                let d = date(r.at, m.offset, "%Y-%m-%d %H:%M");
                                match &r.error {
                                    None => d,
                                    Some(_) => format!("{d} {}", t(lang, "(not reached)", "（未连通）")),
                                }
                            })
                            .unwrap_or_else(|| t(lang, "not checked", "未核查").into()),
                    ]
                })
                .collect(),
        }],
    });
    // 3. Method.
    s.push(Section {
        title: t(lang, "3. Method", "三、巡检方法").into(),
        level: 2,
        blocks: vec![
            Block::Para(t(lang,
                "Operation: yunwei samples each host over SSH without an agent (CPU, memory, swap, load, each filesystem and its inodes, failed services, boots) and keeps 5-minute aggregates; availability is the share of samples that reached the host, trends are least-squares fits of the daily peaks.",
                "运行状况：yunwei 通过 SSH 无代理方式采集各主机的 CPU、内存、交换分区、负载、各文件系统及 inode 使用率、失败服务和启动时间，并保存 5 分钟聚合数据；可用率为能连通主机的采样所占比例，趋势按每日峰值的最小二乘拟合计算。").into()),
            Block::Para(t(lang,
                "Security baseline: one read-only POSIX sh script per host over its SSH session reads the settings level-3 assessors test (accounts and passwords, login failure handling, remote management, access control, audit, intrusion and malware prevention, time), changes nothing, and says what its login could not read. No password hash leaves the host.",
                "安全基线：通过 SSH 在每台主机上运行一个只读 POSIX sh 脚本，读取等保三级测评所查的配置项（账户与口令、登录失败处理、远程管理、访问控制、安全审计、入侵与恶意代码防范、时间同步），不做任何修改；当前登录用户无法读取的内容如实注明。口令散列不离开主机。").into()),
            Block::Para(t(lang,
                "Signs of compromise: processes running deleted or temporary executables or disguised as kernel threads, /etc/ld.so.preload, mining-pool connections and command lines, processes hidden from ps, and crontabs, timers, authorized_keys and UID 0 accounts changed since the recorded baseline.",
                "入侵迹象：检查运行已删除或临时目录中程序的进程、伪装成内核线程的进程、/etc/ld.so.preload、矿池连接与命令行、对 ps 隐藏的进程，以及与记录的基线相比被改动的计划任务、定时器、authorized_keys 和 UID 0 账户。").into()),
            Block::Para(t(lang,
                "Backups and certificates are given as they stand when the report is written, so only in the report of a period that ends then or within the week before.",
                "备份作业与证书为报告生成时的状态，因此仅在截至报告生成时（或其前一周内）结束的时段报告中列出。").into()),
        ],
    });
    // 4. Summary per category.
    let mut rows = Vec::new();
    for cat in Category::ALL {
        let (mut pass, mut fail, mut part, mut unread, mut info) = (0, 0, 0, 0, 0);
        for h in hosts {
            match cat {
                Category::Operation | Category::Backup | Category::Certificate => {
                    let relevant = match cat {
                        Category::Operation => h.figures.is_some(),
                        Category::Backup => !h.jobs.is_empty(),
                        _ => !h.certs.is_empty(),
                    };
                    if !relevant {
                        continue;
                    }
                    let bad = problems.iter().any(|p| p.host == h.host && p.category == cat);
                    if bad {
                        fail += 1
                    } else {
                        pass += 1
                    }
                }
                _ => {
                    // Password guessing the postures saw: a failed check of its own, with or
                    // without a baseline run.
                    if cat == Category::Intrusion {
                        fail +=
                            problems.iter().filter(|p| p.host == h.host && p.key == "failed_logins").count();
                    }
                    let Some(run) = &h.baseline else { continue };
                    for f in run.findings.iter().filter(|f| Category::of_item(f.id) == cat) {
                        match f.state {
                            State::Pass => pass += 1,
                            State::Info => info += 1,
                            State::Fail => fail += 1,
                            State::Warn => part += 1,
                            State::NotReadable => unread += 1,
                        }
                    }
                    let signs = run.signs.iter().filter(|x| {
                        (if clause_of_sign(x.kind) == "L3-CES1-23" {
                            Category::Malware
                        } else {
                            Category::Intrusion
                        }) == cat
                    });
                    fail += signs.count();
                }
            }
        }
        if pass + fail + part + unread + info > 0 {
            rows.push(vec![
                cat.word(lang).to_string(),
                pass.to_string(),
                fail.to_string(),
                part.to_string(),
                unread.to_string(),
                info.to_string(),
            ]);
        }
    }
    let mut summary = vec![Block::Para(t(lang,
        "Security categories count baseline items and signs (a sign, and many failed SSH logins, count as non-compliant); operation, backups and certificates count hosts. Items recorded only are said for the record (a choice of the site, such as password logins or anti-malware) and judged neither way.",
        "安全类按检查项和入侵迹象计数（入侵迹象和 SSH 登录失败次数过多计为不符合）；运行状况、备份和证书按主机计数。「仅记录」项只作记录（如口令登录、防恶意代码软件等由单位自行决定的事项），不作符合与否的判定。").into()),
        Block::Table {
            head: head(lang, &[("Category", "类别"), ("Compliant", "符合"), ("Non-compliant", "不符合"), ("Partly", "部分符合"), ("Not readable", "无法读取"), ("Recorded only", "仅记录")]),
            rows,
        }];
    if charts_on && !hosts.is_empty() {
        let bars: Vec<(String, f64)> = hosts
            .iter()
            .filter_map(|h| {
                h.figures.as_ref().and_then(|f| f.availability_pct()).map(|a| (h.host.clone(), a))
            })
            .collect();
        if !bars.is_empty() {
            summary.push(Block::Chart(charts::hbars(
                t(lang, "Availability per host", "各主机可用率"),
                &bars,
                720,
                true,
            )?));
        }
    }
    s.push(Section { title: t(lang, "4. Results", "四、结果汇总").into(), level: 2, blocks: summary });
    // 5. Problems, by severity.
    let due = |p: &Problem| date(p.due(m.generated_at), m.offset, "%Y-%m-%d");
    let owner = m.operator.to_string();
    s.push(Section {
        title: t(lang, "5. Problems", "五、问题清单").into(),
        level: 2,
        blocks: if problems.is_empty() {
            vec![Block::Para(t(lang, "No problem was found.", "未发现问题。").into())]
        } else {
            vec![Block::Table {
                head: head(
                    lang,
                    &[
                        ("Risk", "风险"),
                        ("Host", "主机"),
                        ("Problem", "问题"),
                        ("Found", "实际情况"),
                        ("Clause", "条款"),
                        ("Advice", "整改建议"),
                        ("Owner", "责任人"),
                        ("Due", "整改期限"),
                    ],
                ),
                rows: problems
                    .iter()
                    .map(|p| {
                        vec![
                            p.severity.word(lang).into(),
                            p.host.clone(),
                            p.problem.get(lang).to_string(),
                            p.value.get(lang).chars().take(160).collect(),
                            p.clause.into(),
                            p.advice.get(lang).to_string(),
                            owner.clone(),
                            due(p),
                        ]
                    })
                    .collect(),
            }]
        },
    });
    // 6. Follow-up of the last period.
    let followed = follow_up(previous, problems, hosts);
    s.push(Section {
        title: t(lang, "6. Follow-up of the last period", "六、上期整改跟踪").into(),
        level: 2,
        blocks: if followed.is_empty() {
            vec![Block::Para(
                t(lang, "The last period has no problem on record.", "上期没有记录的问题。").into(),
            )]
        } else {
            vec![Block::Table {
                head: head(
                    lang,
                    &[("Host", "主机"), ("Problem", "问题"), ("Risk", "风险"), ("Now", "当前状态")],
                ),
                rows: followed
                    .iter()
                    .map(|(p, f)| {
                        vec![
                            p.host.clone(),
                            p.problem.get(lang).to_string(),
                            p.severity.word(lang).into(),
                            match f {
                                Followed::Fixed => t(lang, "fixed", "已整改"),
                                Followed::Open => t(lang, "not fixed", "未整改"),
                                Followed::NotRechecked => t(lang, "not rechecked", "未复查"),
                            }
                            .into(),
                        ]
                    })
                    .collect(),
            }]
        },
    });
    // 7. Each host.
    s.push(Section {
        title: t(lang, "7. Hosts", "七、各主机巡检情况").into(), level: 2, blocks: vec![]
    });
    for h in hosts {
        s.push(host_section(h, problems, m, charts_on)?);
    }
    // 8. Conclusion.
    let fixed = followed.iter().filter(|(_, f)| *f == Followed::Fixed).count();
    let open = followed.iter().filter(|(_, f)| *f == Followed::Open).count();
    let signs = problems.iter().filter(|p| p.key.starts_with("sign/")).count();
    let mut conclusion = vec![Block::Para(match lang {
        Lang::En if followed.is_empty() => format!(
            "{} hosts were inspected; {} problems were found ({} high). Last period left no problem to follow up.",
            hosts.len(), problems.len(), count(Severity::High)
        ),
        Lang::ZhCn if followed.is_empty() => format!(
            "本期共巡检主机 {} 台，发现问题 {} 项（高风险 {} 项）。上期无遗留问题。",
            hosts.len(), problems.len(), count(Severity::High)
        ),
        Lang::En => format!(
            "{} hosts were inspected; {} problems were found ({} high). Of last period's {} problems, {fixed} are fixed and {open} remain.",
            hosts.len(), problems.len(), count(Severity::High), followed.len()
        ),
        Lang::ZhCn => format!(
            "本期共巡检主机 {} 台，发现问题 {} 项（高风险 {} 项）。上期 {} 项问题中，已整改 {fixed} 项，仍未整改 {open} 项。",
            hosts.len(), problems.len(), count(Severity::High), followed.len()
        ),
    })];
    if signs > 0 {
        let mut on: Vec<&str> =
            problems.iter().filter(|p| p.key.starts_with("sign/")).map(|p| p.host.as_str()).collect();
        on.dedup();
        on.sort_unstable();
        on.dedup();
        conclusion.push(Block::Para(match lang {
            Lang::En => format!(
                "Signs of compromise were found on {}: handle those hosts first, as security incidents (isolate, keep evidence, find the way in), before the other problems.",
                on.join(", ")
            ),
            Lang::ZhCn => format!(
                "在 {} 上发现入侵迹象：应优先按安全事件处置（隔离、保全证据、查明入侵途径），再处理其他问题。",
                on.join("、")
            ),
        }));
    }
    conclusion.push(Block::Para(t(lang,
        "Fix the high-risk problems within 7 days, the medium ones within 30 and the low ones within 90; each is followed up at the next inspection.",
        "建议高风险问题 7 天内、中风险问题 30 天内、低风险问题 90 天内完成整改；各项整改情况将在下次巡检中跟踪复查。").into()));
    conclusion.push(Block::Para(
        t(
            lang,
            "Inspected by: ____________    Confirmed by (client): ____________    Date: ____________",
            "巡检人：____________    用户确认：____________    日期：____________",
        )
        .into(),
    ));
    s.push(Section {
        title: t(lang, "8. Conclusion and advice", "八、巡检结论与处理建议").into(),
        level: 2,
        blocks: conclusion,
    });
    Ok(Doc { title, subtitle, sections: s })
}

fn host_section(
    h: &HostData,
    problems: &[Problem],
    m: &Meta<'_>,
    charts_on: bool,
) -> Result<Section, String> {
    let lang = m.lang;
    let mut blocks = Vec::new();
    let f = h.figures.as_ref();
    let days = &h.days;
    let avg_cpu = {
        let v: Vec<f64> = days.iter().filter_map(|d| d.cpu_avg).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let trend = |pick: fn(&DayFigures) -> Option<f64>| -> String {
        let pts: Vec<(i64, f64)> = days.iter().filter_map(|d| pick(d).map(|v| (d.at, v))).collect();
        if pts.len() < 7 {
            return "-".into();
        }
        let half = pts.len() / 2;
        let a = pts[..half].iter().map(|p| p.1).sum::<f64>() / half as f64;
        let z = pts[half..].iter().map(|p| p.1).sum::<f64>() / (pts.len() - half) as f64;
        let d = z - a;
        if d.abs() < 2.0 {
            t(lang, "steady", "平稳").into()
        } else if d > 0.0 {
            format!("{} {d:+.1}", t(lang, "rising", "上升"))
        } else {
            format!("{} {d:+.1}", t(lang, "falling", "下降"))
        }
    };
    blocks.push(Block::Table {
        head: head(
            lang,
            &[
                ("Figure", "指标"),
                ("Value", "数值"),
                ("Trend (second half vs first) or detail", "趋势（后半期对比前半期）或说明"),
            ],
        ),
        rows: vec![
            vec![
                t(lang, "Availability", "可用率").into(),
                pct(f.and_then(|f| f.availability_pct())),
                String::new(),
            ],
            vec![
                t(lang, "Reboots", "重启次数").into(),
                h.boots.len().to_string(),
                h.boots.iter().map(|b| date(*b, m.offset, "%m-%d %H:%M")).collect::<Vec<_>>().join(", "),
            ],
            match &h.failed_logins {
                Some(l) => vec![
                    t(lang, "Failed SSH logins (most in 24 h)", "SSH 登录失败（24 小时内最多）").into(),
                    l.peak.to_string(),
                    match lang {
                        Lang::En => format!(
                            "{}; failures on {} of {} days",
                            date(l.peak_at, m.offset, "%m-%d %H:%M"),
                            l.days_with_failures,
                            l.days_counted
                        ),
                        Lang::ZhCn => format!(
                            "{}；{} 天中有 {} 天出现失败",
                            date(l.peak_at, m.offset, "%m-%d %H:%M"),
                            l.days_counted,
                            l.days_with_failures
                        ),
                    },
                ],
                None => vec![
                    t(lang, "Failed SSH logins (most in 24 h)", "SSH 登录失败（24 小时内最多）").into(),
                    "-".into(),
                    t(lang, "not counted this period", "本期未统计").into(),
                ],
            },
            vec![
                t(lang, "CPU average / peak", "CPU 平均 / 峰值").into(),
                format!("{} / {}", pct(avg_cpu), pct(peak(days.iter().map(|d| d.cpu_max)))),
                trend(|d| d.cpu_avg),
            ],
            vec![
                t(lang, "Memory peak", "内存峰值").into(),
                pct(peak(days.iter().map(|d| d.mem_max))),
                trend(|d| d.mem_max),
            ],
            vec![
                t(lang, "Swap peak", "交换分区峰值").into(),
                pct(peak(days.iter().map(|d| d.swap_max))),
                trend(|d| d.swap_max),
            ],
            vec![
                t(lang, "Load peak", "负载峰值").into(),
                peak(days.iter().map(|d| d.load_max))
                    .map(|l| format!("{l:.2}"))
                    .unwrap_or_else(|| "-".into()),
                trend(|d| d.load_max),
            ],
        ],
    });
    let fs = mounts(h);
    if !fs.is_empty() {
        blocks.push(Block::Table {
            head: head(
                lang,
                &[
                    ("Filesystem", "文件系统"),
                    ("Peak", "峰值"),
                    ("At the end", "期末"),
                    ("Inodes peak", "inode 峰值"),
                    ("Days until full", "预计写满天数"),
                ],
            ),
            rows: fs
                .iter()
                .map(|(mount, used, inodes)| {
                    vec![
                        mount.clone(),
                        pct(used.iter().map(|x| x.1).reduce(f64::max)),
                        pct(used.last().map(|x| x.1)),
                        pct(inodes.iter().map(|x| x.1).reduce(f64::max)),
                        days_until_full(used)
                            .map(|d| format!("{d:.0}"))
                            .unwrap_or_else(|| t(lang, "not growing", "未增长").into()),
                    ]
                })
                .collect(),
        });
    }
    if charts_on && !fs.is_empty() {
        let series: Vec<(String, Vec<(i64, f64)>)> =
            fs.iter().map(|(m, u, _)| (m.clone(), u.clone())).collect();
        blocks.push(Block::Chart(charts::lines(
            &format!(
                "{} {}",
                h.host,
                t(lang, "disk use per filesystem (daily peak)", "各文件系统使用率（每日峰值）")
            ),
            &series,
            86_400,
            m.offset,
            760,
            280,
            Some(100.0),
        )?));
    }
    if charts_on && !days.is_empty() {
        let mem: Vec<(i64, f64)> = days.iter().filter_map(|d| d.mem_max.map(|v| (d.at, v))).collect();
        let swap: Vec<(i64, f64)> = days.iter().filter_map(|d| d.swap_max.map(|v| (d.at, v))).collect();
        blocks.push(Block::Chart(charts::lines(
            &format!("{} {}", h.host, t(lang, "memory and swap peaks", "内存与交换分区峰值")),
            &[(t(lang, "memory", "内存").into(), mem), (t(lang, "swap", "交换").into(), swap)],
            86_400,
            m.offset,
            370,
            240,
            Some(100.0),
        )?));
        let load: Vec<(i64, f64)> = days.iter().filter_map(|d| d.load_max.map(|v| (d.at, v))).collect();
        blocks.push(Block::Chart(charts::lines(
            &format!("{} {}", h.host, t(lang, "load peak", "负载峰值")),
            &[(t(lang, "load", "负载").into(), load)],
            86_400,
            m.offset,
            370,
            240,
            None,
        )?));
    }
    if !h.failed_units.is_empty() {
        blocks.push(Block::Table {
            head: head(lang, &[("Failed services", "失败服务"), ("Since", "时间")]),
            rows: h
                .failed_units
                .iter()
                .map(|(at, msg)| vec![msg.get(lang).to_string(), date(*at, m.offset, "%Y-%m-%d %H:%M")])
                .collect(),
        });
    }
    match &h.baseline {
        Some(run) if run.error.is_none() => {
            let mut note = format!(
                "{} {}",
                t(lang, "Security baseline checked", "安全基线核查于"),
                date(run.at, m.offset, "%Y-%m-%d %H:%M")
            );
            if !run.as_root {
                note.push_str(t(
                    lang,
                    " as an ordinary login: what needs root is not readable.",
                    "，以普通用户登录：需要 root 的项无法读取。",
                ));
            }
            blocks.push(Block::Para(note));
            blocks.push(Block::Table {
                head: head(
                    lang,
                    &[
                        ("Item", "检查项"),
                        ("Clause", "条款"),
                        ("Result", "结果"),
                        ("Found", "实际值"),
                        ("Expected", "要求"),
                    ],
                ),
                rows: run
                    .findings
                    .iter()
                    .map(|f: &Finding| {
                        vec![
                            f.id.as_str().into(),
                            f.clause().into(),
                            f.state.word(lang).into(),
                            crate::baseline::value_words(&f.value, lang).chars().take(120).collect(),
                            f.expected.get(lang).to_string(),
                        ]
                    })
                    .collect(),
            });
            if run.signs.is_empty() {
                blocks.push(Block::Para(
                    t(lang, "No sign of compromise was found.", "未发现入侵迹象。").into(),
                ));
            } else {
                blocks.push(Block::Table {
                    head: head(lang, &[("Sign of compromise", "入侵迹象"), ("Evidence", "证据")]),
                    rows: run
                        .signs
                        .iter()
                        .map(|s| {
                            let mut w = s.kind.words().get(lang).to_string();
                            if s.weak {
                                w.push_str(t(lang, " (weak alone)", "（弱证据）"));
                            }
                            vec![w, s.evidence.chars().take(160).collect()]
                        })
                        .collect(),
                });
            }
            for u in &run.unseen {
                blocks.push(Block::Para(format!(
                    "{}{}",
                    t(lang, "Not looked at: ", "未能检查："),
                    u.get(lang)
                )));
            }
        }
        Some(run) => {
            let at = date(run.at, m.offset, "%Y-%m-%d %H:%M");
            let why = run.error.as_deref().unwrap_or("");
            blocks.push(Block::Para(match lang {
                Lang::En => format!("The security baseline could not be checked at {at}: {why}"),
                Lang::ZhCn => format!("{at} 安全基线核查未能完成：{why}"),
            }))
        }
        None => blocks.push(Block::Para(
            t(lang, "The security baseline was not checked this period.", "本期未进行安全基线核查。").into(),
        )),
    }
    if !h.jobs.is_empty() {
        blocks.push(Block::Table {
            head: head(
                lang,
                &[
                    ("Backup job", "备份作业"),
                    ("State", "状态"),
                    ("Reason", "说明"),
                    ("Last verification", "最近验证"),
                ],
            ),
            rows: h
                .jobs
                .iter()
                .map(|j| {
                    vec![
                        j.job.clone(),
                        crate::backups::State::parse(&j.state)
                            .map_or(j.state.as_str(), |st| crate::backup_words::state(st, lang))
                            .to_string(),
                        j.reason.get(lang).to_string(),
                        j.verified
                            .map(|(at, st)| {
                                format!(
                                    "{} ({})",
                                    date(at, m.offset, "%Y-%m-%d"),
                                    if st == 0 {
                                        t(lang, "passed", "通过")
                                    } else {
                                        t(lang, "failed", "失败")
                                    }
                                )
                            })
                            .unwrap_or_else(|| t(lang, "never", "从未").into()),
                    ]
                })
                .collect(),
        });
    }
    if !h.certs.is_empty() {
        blocks.push(Block::Table {
            head: head(
                lang,
                &[("Certificate (check)", "证书（检查）"), ("From", "探测位置"), ("Ends", "到期日")],
            ),
            rows: h
                .certs
                .iter()
                .map(|(c, from, end)| vec![c.clone(), from.clone(), date(*end, m.offset, "%Y-%m-%d")])
                .collect(),
        });
    }
    let mine = problems.iter().filter(|p| p.host == h.host).count();
    blocks.push(Block::Para(match lang {
        Lang::En => format!("Problems on this host: {mine} (see section 5)."),
        Lang::ZhCn => format!("该主机问题数：{mine}（见第五节）。"),
    }));
    Ok(Section { title: h.host.clone(), level: 3, blocks })
}

/// The report as Markdown.
/// The report as Markdown; `problems` are [`listed`]'s of the same hosts.
pub fn markdown(
    hosts: &[HostData],
    problems: &[Problem],
    previous: &[Problem],
    m: &Meta<'_>,
) -> Result<String, String> {
    let d = document(hosts, problems, previous, m, false)?;
    let mut out = format!("# {}\n\n{}\n", md_cell(&d.title), md_cell(&d.subtitle));
    for s in &d.sections {
        out.push_str(&format!("\n{} {}\n\n", "#".repeat(s.level as usize), md_cell(&s.title)));
        for bl in &s.blocks {
            match bl {
                Block::Para(p) => out.push_str(&format!("{}\n\n", md_cell(p))),
                Block::Table { head, rows } => {
                    if rows.is_empty() {
                        continue;
                    }
                    out.push_str(&format!(
                        "| {} |\n",
                        head.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")
                    ));
                    out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
                    for r in rows {
                        out.push_str(&format!(
                            "| {} |\n",
                            r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                        ));
                    }
                    out.push('\n');
                }
                Block::Chart(_) => {}
            }
        }
    }
    Ok(out)
}

const STYLE: &str = "
body { font-family: 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif;
       margin: 2em auto; max-width: 66em; padding: 0 1.5em; color: #1d2733; line-height: 1.5; }
h1 { font-size: 1.7em; border-bottom: 3px solid #2f6fb3; padding-bottom: .3em; margin-bottom: .2em; text-align: center; }
h2 { font-size: 1.25em; margin-top: 2em; color: #2f6fb3; }
h3 { font-size: 1.05em; margin-top: 1.6em; border-left: 4px solid #2f6fb3; padding-left: .5em; }
p.period { color: #5a6675; margin-top: 0; text-align: center; }
table { border-collapse: collapse; margin: .8em 0 1.2em; min-width: 24em; font-size: .92em; }
th, td { border: 1px solid #c9d1db; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #eef3f8; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nw { white-space: nowrap; }
td.sev-high { color: #fff; background: #c0392b; font-weight: bold; text-align: center; white-space: nowrap; }
td.sev-medium { background: #f5c542; text-align: center; white-space: nowrap; }
td.sev-low { background: #dfe8f1; text-align: center; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; margin: .6em 0; }
.charts svg { border: 1px solid #e3e8ee; max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h2, h3 { break-after: avoid; } tr { break-inside: avoid; } }
";

/// The report as one self-contained HTML page.
pub fn html(
    hosts: &[HostData],
    problems: &[Problem],
    previous: &[Problem],
    m: &Meta<'_>,
) -> Result<String, String> {
    let d = document(hosts, problems, previous, m, true)?;
    let lang_attr = if m.lang == Lang::En { "en" } else { "zh-CN" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{0}</h1>\n<p class=\"period\">{1}</p>\n",
        html_escape(&d.title),
        html_escape(&d.subtitle)
    );
    let numeric = |s: &str| {
        s.chars().any(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || ".%()/ -".contains(c))
    };
    // Clauses, dates, states: kept on one line.
    let short = |s: &str| !s.contains(' ') && s.chars().count() <= 12;
    let sev_class = |s: &str| -> Option<&'static str> {
        [Severity::High, Severity::Medium, Severity::Low].into_iter().find(|x| x.word(m.lang) == s).map(|x| {
            match x {
                Severity::High => "sev-high",
                Severity::Medium => "sev-medium",
                Severity::Low => "sev-low",
            }
        })
    };
    for s in &d.sections {
        out.push_str(&format!("<section>\n<h{0}>{1}</h{0}>\n", s.level, html_escape(&s.title)));
        let mut charts_open = false;
        for bl in &s.blocks {
            let is_chart = matches!(bl, Block::Chart(_));
            if is_chart && !charts_open {
                out.push_str("<div class=\"charts\">\n");
                charts_open = true;
            } else if !is_chart && charts_open {
                out.push_str("</div>\n");
                charts_open = false;
            }
            match bl {
                Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", html_escape(p))),
                Block::Chart(svg) => {
                    out.push_str(svg);
                    out.push('\n');
                }
                Block::Table { head, rows } => {
                    if rows.is_empty() {
                        continue;
                    }
                    out.push_str("<table>\n<thead><tr>");
                    for h in head {
                        out.push_str(&format!("<th>{}</th>", html_escape(h)));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    let risk_col = head.first().is_some_and(|h| h == t(m.lang, "Risk", "风险"));
                    for r in rows {
                        out.push_str("<tr>");
                        for (i, c) in r.iter().enumerate() {
                            let class = match (risk_col && i == 0).then(|| sev_class(c)).flatten() {
                                Some(cl) => format!(" class=\"{cl}\""),
                                None if numeric(c) => " class=\"n\"".into(),
                                None if short(c) => " class=\"nw\"".into(),
                                None => String::new(),
                            };
                            out.push_str(&format!("<td{class}>{}</td>", html_escape(c)));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
            }
        }
        if charts_open {
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

/// A CSV cell that a spreadsheet will not run: a leading `=`, `+`, `-`, `@`, tab or CR is
/// quoted with `'`.
fn csv_cell(s: &str) -> String {
    // A tab in a value (a sudoers line) is a space to its reader, as in the other formats.
    let clean = crate::text::escape_unprintable(&s.replace('\t', " ")).into_owned();
    if clean.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{clean}")
    } else {
        clean
    }
}

/// The problems as CSV (UTF-8 with a byte order mark, so spreadsheets read the Chinese).
pub fn csv(problems: &[Problem], m: &Meta<'_>) -> Result<String, String> {
    let lang = m.lang;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = head(
        lang,
        &[
            ("risk", "风险"),
            ("host", "主机"),
            ("category", "类别"),
            ("problem", "问题"),
            ("found", "实际情况"),
            ("clause", "条款"),
            ("advice", "整改建议"),
            ("owner", "责任人"),
            ("due", "整改期限"),
            ("key", "标识"),
        ],
    );
    w.write_record(&header).map_err(|e| e.to_string())?;
    for p in problems {
        let due = date(p.due(m.generated_at), m.offset, "%Y-%m-%d");
        w.write_record([
            p.severity.word(lang).to_string(),
            csv_cell(&p.host),
            p.category.word(lang).to_string(),
            csv_cell(p.problem.get(lang)),
            csv_cell(p.value.get(lang)),
            p.clause.to_string(),
            csv_cell(p.advice.get(lang)),
            csv_cell(m.operator),
            due,
            csv_cell(&p.key),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// The problems the report lists (for `--tickets` and the closing line).
pub fn listed(hosts: &[HostData], m: &Meta<'_>) -> Vec<Problem> {
    problems(hosts, m.to.min(m.generated_at), m.offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_until_full_follow_the_trend_of_daily_peaks() {
        let day = 86_400;
        let growing: Vec<(i64, f64)> = (0..30).map(|d| (d * day, 50.0 + d as f64)).collect();
        let d = days_until_full(&growing).unwrap();
        assert!((d - 21.0).abs() < 0.01, "{d}");
        let steady: Vec<(i64, f64)> = (0..30).map(|d| (d * day, 60.0)).collect();
        assert_eq!(days_until_full(&steady), None);
        assert_eq!(days_until_full(&growing[..5]), None, "under a week says nothing");
    }

    #[test]
    fn a_csv_cell_never_runs_in_a_spreadsheet() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("-1+2"), "'-1+2");
        assert_eq!(csv_cell("db1"), "db1");
        assert!(!csv_cell("a\u{1b}[2Jb").contains('\u{1b}'));
    }

    #[test]
    fn problems_are_ordered_by_severity_and_a_warning_is_not_failing() {
        let run = StoredRun {
            id: 1,
            host: "h".into(),
            at: 0,
            complete: true,
            as_root: true,
            error: None,
            findings: vec![
                Finding {
                    id: Item::Tmout,
                    state: State::Warn,
                    value: "TMOUT=700".into(),
                    expected: Both::new("≤ 600", "≤ 600"),
                    source: String::new(),
                    note: None,
                },
                Finding {
                    id: Item::Firewall,
                    state: State::Fail,
                    value: "none".into(),
                    expected: Both::new("on", "启用"),
                    source: String::new(),
                    note: None,
                },
            ],
            signs: vec![Sign {
                kind: Kind::MiningPort,
                weak: true,
                evidence: "a -> b:3333".into(),
                note: None,
            }],
            unseen: vec![],
        };
        let h = HostData { host: "h".into(), baseline: Some(run), ..Default::default() };
        let p = problems(&[h], 0, chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        let got: Vec<(&str, Severity, bool)> =
            p.iter().map(|p| (p.key.as_str(), p.severity, p.failing)).collect();
        assert_eq!(
            got,
            [
                ("baseline/firewall", Severity::High, true),
                ("sign/mining_port", Severity::Medium, true),
                ("baseline/tmout", Severity::Low, false),
            ]
        );
        assert_eq!(p[0].tag(), "inspection:h:baseline/firewall");
    }

    /// Failed SSH logins are a problem from the limit on, a high one from ten times it; under
    /// it, or with no limit, or never counted, none.
    #[test]
    fn failed_logins_from_the_limit_on_are_a_problem() {
        let zone = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        // 2026-11-03 23:30 +08:00.
        let at = 1_793_719_800;
        let host = |peak: u32, limit: u32| HostData {
            host: "h".into(),
            failed_logins: Some(FailedLogins { peak, peak_at: at, days_counted: 90, days_with_failures: 12 }),
            logins_limit: limit,
            ..Default::default()
        };
        let found = |h: HostData| problems(&[h], 0, zone).into_iter().find(|p| p.key == "failed_logins");
        assert!(found(host(49, 50)).is_none());
        assert!(found(host(5000, 0)).is_none(), "no limit, not judged");
        assert!(found(HostData { host: "h".into(), logins_limit: 50, ..Default::default() }).is_none());
        let p = found(host(50, 50)).unwrap();
        assert_eq!((p.severity, p.category, p.failing), (Severity::Medium, Category::Intrusion, true));
        assert_eq!(p.value.en, "up to 50 in 24 hours (2026-11-03); failures on 12 of 90 days");
        assert_eq!(p.value.zh, "24 小时内最多 50 次（2026-11-03）；90 天中有 12 天出现失败");
        assert_eq!(found(host(500, 50)).unwrap().severity, Severity::High);
    }
}
