//! The security baseline of a Linux host, as level-3 assessors test it under GB/T 22239-2019
//! and GB/T 28448-2019: a read-only script per host ([`script`]), what it printed read into
//! sections, and each item judged from them ([`rules`]) into a [`Finding`]: its stable id, the
//! clause assessors cite (`L3-CES1-nn`, empty where none clearly matches), a state, the value
//! found, what is expected and where it was read.
//!
//! Pure: no SSH, no database, no terminal. The limits are [`Settings`] (the values most
//! published check scripts use; `[baseline]` in the config changes them).

pub mod rules;
pub mod script;
pub mod signs;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn values_are_put_into_chinese_word_by_word_and_data_is_kept() {
        assert_eq!(value_words("about 28 days", Lang::ZhCn), "约 28 天");
        assert_eq!(value_words("none", Lang::ZhCn), "无");
        assert_eq!(value_words("nonesuch", Lang::ZhCn), "nonesuch");
        assert_eq!(value_words("running, 3 rules", Lang::ZhCn), "运行中，3 条规则");
        assert_eq!(value_words("ufw, 1 iptables rules", Lang::ZhCn), "ufw, 1 条 iptables 规则");
        assert_eq!(value_words("TMOUT is not set", Lang::ZhCn), "未设置 TMOUT");
        assert_eq!(value_words("2 pending", Lang::ZhCn), "2 个待安装");
        assert_eq!(
            value_words("CentOS 7 (support ended 2024-06-30)", Lang::ZhCn),
            "CentOS 7 (支持已结束于 2024-06-30)"
        );
        assert_eq!(value_words("no firewall active", Lang::En), "no firewall active");
    }
}

use crate::i18n::{Both, Lang};

/// A baseline item. Its name (snake_case) is stable: JSON, the database and the report use it.
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
pub enum Item {
    PassMaxDays,
    PassWarnAge,
    PwComplexity,
    PwHistory,
    EmptyPasswords,
    Uid0Accounts,
    LoginLockout,
    Tmout,
    PermitRootLogin,
    SshCiphers,
    SshProtocol,
    MgmtSourceRestricted,
    LegacyServices,
    PasswordAuthentication,
    DefaultAccounts,
    SudoAll,
    Umask,
    Auditd,
    Rsyslog,
    LogRetention,
    Firewall,
    ListeningPorts,
    AntiMalware,
    SecurityUpdates,
    EolDistribution,
    Selinux,
    TimeSync,
}

impl Item {
    pub const ALL: [Item; <Item as strum::VariantArray>::VARIANTS.len()] =
        crate::text::variants(<Item as strum::VariantArray>::VARIANTS);

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The clause of GB/T 28448-2019 (level 3, computing environment, server) assessors test
    /// the item under; empty where none clearly matches.
    pub fn clause(self) -> &'static str {
        use Item::*;
        match self {
            PassMaxDays | PassWarnAge | PwComplexity | PwHistory | EmptyPasswords | Uid0Accounts => {
                "L3-CES1-01"
            }
            LoginLockout | Tmout => "L3-CES1-02",
            SshCiphers | SshProtocol | LegacyServices => "L3-CES1-03",
            PasswordAuthentication => "L3-CES1-04",
            DefaultAccounts | PermitRootLogin => "L3-CES1-06",
            SudoAll | Umask => "L3-CES1-08",
            Auditd | Rsyslog => "L3-CES1-12",
            LogRetention => "L3-CES1-14",
            Firewall | ListeningPorts => "L3-CES1-18",
            MgmtSourceRestricted => "L3-CES1-19",
            SecurityUpdates | EolDistribution => "L3-CES1-21",
            AntiMalware => "L3-CES1-23",
            Selinux | TimeSync => "",
        }
    }
}

/// An item's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pass,
    Warn,
    Fail,
    /// Said for the record; no judgement (a choice the site makes, a list to compare).
    Info,
    /// What it needs could not be read by this login (never a pass).
    NotReadable,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pass => "pass",
            State::Warn => "warn",
            State::Fail => "fail",
            State::Info => "info",
            State::NotReadable => "not_readable",
        }
    }

    pub fn word(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (State::Pass, Lang::En) => "pass",
            (State::Pass, Lang::ZhCn) => "符合",
            (State::Warn, Lang::En) => "warn",
            (State::Warn, Lang::ZhCn) => "部分符合",
            (State::Fail, Lang::En) => "fail",
            (State::Fail, Lang::ZhCn) => "不符合",
            (State::Info, Lang::En) => "info",
            (State::Info, Lang::ZhCn) => "记录",
            (State::NotReadable, Lang::En) => "not readable",
            (State::NotReadable, Lang::ZhCn) => "无法读取",
        }
    }
}

/// The words the rules write into values (the rest of a value is data: names, numbers,
/// settings as written), in Chinese; longest first, so a phrase is not cut by a shorter one.
const VALUE_WORDS: &[(&str, &str)] = &[
    (
        "no pam_pwquality or pam_cracklib in the password stack",
        "密码策略中没有 pam_pwquality 或 pam_cracklib",
    ),
    ("no pam_faillock or pam_tally2 in the auth stack", "认证策略中没有 pam_faillock 或 pam_tally2"),
    ("not set: this OpenSSH's defaults include CBC ciphers", "未设置：此版本 OpenSSH 的默认算法含 CBC"),
    ("neither sshd nor /etc/ssh/sshd_config is on this host", "主机上没有 sshd 和 /etc/ssh/sshd_config"),
    ("neither SELinux nor AppArmor enabled", "SELinux 和 AppArmor 均未启用"),
    ("running; its rules could not be read", "运行中；无法读取其审计规则"),
    ("every account with a password", "所有设有口令的账户"),
    ("sshd accepts every source address", "sshd 接受任意来源地址"),
    ("not set: OpenSSH's defaults", "未设置：使用 OpenSSH 默认值"),
    ("not set (the default 022)", "未设置（默认 022）"),
    ("no time synchronisation", "未进行时间同步"),
    ("no rotation setting found", "未找到日志轮转设置"),
    ("not yet synchronised", "尚未同步"),
    ("no SSH server installed", "未安装 SSH 服务"),
    ("no firewall active", "未启用防火墙"),
    ("no remember setting", "未设置 remember"),
    ("protocol 1 is gone", "已不支持协议 1"),
    ("running, no rules", "运行中，无审计规则"),
    ("negative credits", "负值 credit 参数"),
    ("TMOUT is not set", "未设置 TMOUT"),
    (" iptables rules", " 条 iptables 规则"),
    ("running, ", "运行中，"),
    ("(daemon running)", "（守护进程运行中）"),
    ("AppArmor enabled", "已启用 AppArmor"),
    ("locked or absent", "已锁定或不存在"),
    ("supported until", "支持至"),
    ("support ended", "支持已结束于"),
    ("(the default)", "（默认值）"),
    ("synchronised", "已同步"),
    ("no yum or apt", "没有 yum 或 apt"),
    ("not installed", "未安装"),
    ("not running", "未运行"),
    ("none found", "未发现"),
    ("not listed", "未列出"),
    ("not known", "未知"),
    ("forwarded:", "已转发："),
    (" pending", " 个待安装"),
    (" running", " 运行中"),
    (" rules", " 条规则"),
    ("about ", "约 "),
    (" days", " 天"),
    ("new: ", "新增 "),
    ("gone: ", "消失 "),
];

/// A finding's value in the reader's language: the rules' own words put into Chinese, the
/// data in it as it is.
pub fn value_words(value: &str, lang: Lang) -> std::borrow::Cow<'_, str> {
    if lang == Lang::En {
        return std::borrow::Cow::Borrowed(value);
    }
    // Single words only as the whole value (a name may hold them).
    match value {
        "none" => return std::borrow::Cow::Borrowed("无"),
        "running" => return std::borrow::Cow::Borrowed("运行中"),
        _ => {}
    }
    if !VALUE_WORDS.iter().any(|(en, _)| value.contains(en)) {
        return std::borrow::Cow::Borrowed(value);
    }
    // One pass over the text: at each place the longest phrase that starts there.
    let mut out = String::with_capacity(value.len() + 16);
    let mut rest = value;
    'outer: while !rest.is_empty() {
        for (en, zh) in VALUE_WORDS {
            if let Some(after) = rest.strip_prefix(en) {
                out.push_str(zh);
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    std::borrow::Cow::Owned(out)
}

/// One item judged on one host.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: Item,
    pub state: State,
    /// What was found, as data (account names, numbers, settings as written).
    pub value: String,
    /// What is expected, in words.
    pub expected: Both,
    /// Where it was read (files, commands).
    pub source: String,
    /// Why, when the state needs more than value and expected (both languages).
    pub note: Option<Both>,
}

impl Finding {
    pub fn clause(&self) -> &'static str {
        self.id.clause()
    }
}

/// The limits the items are judged by (`[baseline]` in the config).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Password ageing: days at most between changes (`/etc/shadow` field 5).
    pub pass_max_days: u32,
    /// Days of warning before a password expires, at least (field 6).
    pub pass_warn_age: u32,
    /// pam_pwquality / pam_cracklib `minlen`, at least.
    pub pw_min_len: u32,
    /// Character classes, at least (`minclass`, or as many negative credits).
    pub pw_min_class: u32,
    /// Passwords remembered, at least (`remember`).
    pub pw_remember: u32,
    /// Failed logins before a lockout, at most (`deny`).
    pub lockout_deny: u32,
    /// Seconds a locked account stays locked, at least (`unlock_time`; 0, never unlocked by
    /// itself, is stricter still).
    pub lockout_unlock_s: u32,
    /// Shell idle timeout, seconds at most (`TMOUT`).
    pub tmout_s: u32,
    /// The umask, at least as strict (every bit of it set).
    pub umask: u32,
    /// Days logs are kept, at least (the Cybersecurity Law, art. 21: six months).
    pub log_retention_days: u32,
    /// Failed SSH logins in 24 hours that the inspection report calls a problem (a guessing
    /// attack, or a script with an old password), at least.
    pub failed_logins_24h: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            pass_max_days: 90,
            pass_warn_age: 7,
            pw_min_len: 8,
            pw_min_class: 3,
            pw_remember: 5,
            lockout_deny: 5,
            lockout_unlock_s: 300,
            tmout_s: 600,
            umask: 0o027,
            log_retention_days: 180,
            failed_logins_24h: 50,
        }
    }
}

/// Every item of one host's run, in the order of [`Item::ALL`]. `today` is the date the
/// end-of-life table is read against (days since the epoch). With the host's recorded baseline
/// (`then`), the listeners are compared with it: one that appeared fails the
/// `listening_ports` item, one that vanished warns.
pub fn judge(out: &script::Output, settings: &Settings, today: i64) -> Vec<Finding> {
    Item::ALL.iter().map(|item| rules::judge(*item, out, settings, today)).collect()
}

/// One host's run, judged: the items, the signs of compromise and what it had (to record as
/// its baseline, or to compare with the one recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub findings: Vec<Finding>,
    pub signs: signs::Signs,
    pub record: signs::Record,
    pub complete: bool,
    pub as_root: bool,
}

impl Inspection {
    /// Whether anything fails: an item, a sign (weak ones included), or the run cut short.
    pub fn failed(&self) -> bool {
        !self.complete || self.findings.iter().any(|f| f.state == State::Fail) || !self.signs.found.is_empty()
    }
}

/// A run judged against the host's recorded baseline, when there is one.
pub fn inspect(
    out: &script::Output,
    settings: &Settings,
    today: i64,
    then: Option<&signs::Record>,
) -> Inspection {
    let mut findings = judge(out, settings, today);
    let record = signs::Record::of(out);
    if let Some(then) = then {
        if let Some(f) = findings.iter_mut().find(|f| f.id == Item::ListeningPorts) {
            let (new, gone) = signs::listener_changes(&record, then);
            let mut parts = Vec::new();
            if !new.is_empty() {
                parts.push(format!("new: {}", new.join(", ")));
            }
            if !gone.is_empty() {
                parts.push(format!("gone: {}", gone.join(", ")));
            }
            f.state = if !new.is_empty() {
                State::Fail
            } else if !gone.is_empty() {
                State::Warn
            } else {
                State::Pass
            };
            if parts.is_empty() {
                f.note = Some(Both {
                    en: format!("as recorded ({} listeners)", record.listeners.len()),
                    zh: format!("与记录的基线一致（{} 个监听）", record.listeners.len()),
                });
            } else {
                f.note = Some(Both {
                    en: format!("against the recorded baseline: {}", parts.join("; ")),
                    zh: format!(
                        "与记录的基线相比：{}",
                        parts.join("；").replace("new: ", "新增 ").replace("gone: ", "消失 ")
                    ),
                });
                f.value = parts.join("; ");
            }
            f.source = format!("{}, the recorded baseline", f.source);
        }
    } else if let Some(f) = findings.iter_mut().find(|f| f.id == Item::ListeningPorts) {
        f.note = Some(Both {
            en: "no baseline recorded yet: `yunwei baseline record` keeps these as expected".into(),
            zh: "尚未记录基线：用 `yunwei baseline record` 将当前端口记为预期".into(),
        });
    }
    let signs = signs::signs(out, then);
    Inspection { findings, signs, record, complete: out.complete, as_root: out.as_root() }
}
