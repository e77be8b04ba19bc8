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
