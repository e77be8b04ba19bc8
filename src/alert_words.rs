//! The alert stream's words in both languages: states, silence scopes, durations. Shared by
//! the Alerts pane, the duty view and `yunwei alerts`.

use crate::alerts::{AlertState, SilenceScope};
use crate::i18n::Lang;

pub fn state(s: AlertState, lang: Lang) -> &'static str {
    match (s, lang) {
        (AlertState::Open, Lang::En) => "open",
        (AlertState::Open, Lang::ZhCn) => "未处理",
        (AlertState::Acknowledged, Lang::En) => "acknowledged",
        (AlertState::Acknowledged, Lang::ZhCn) => "已确认",
        (AlertState::Snoozed, Lang::En) => "snoozed",
        (AlertState::Snoozed, Lang::ZhCn) => "已暂缓",
        (AlertState::Silenced, Lang::En) => "silenced",
        (AlertState::Silenced, Lang::ZhCn) => "已静默",
        (AlertState::Cleared, Lang::En) => "cleared",
        (AlertState::Cleared, Lang::ZhCn) => "已恢复",
    }
}

pub fn scope(scope: SilenceScope, lang: Lang) -> &'static str {
    match (scope, lang) {
        (SilenceScope::Host, Lang::En) => "host",
        (SilenceScope::Host, Lang::ZhCn) => "主机",
        (SilenceScope::Job, Lang::En) => "job",
        (SilenceScope::Job, Lang::ZhCn) => "作业",
        (SilenceScope::Pattern, Lang::En) => "pattern",
        (SilenceScope::Pattern, Lang::ZhCn) => "匹配",
    }
}

/// A severity in words (`CRIT`, `严重`).
pub fn severity(level: crate::health::Level, lang: Lang) -> &'static str {
    use crate::health::Level;
    match (level, lang) {
        (Level::Crit, Lang::En) => "CRIT",
        (Level::Crit, Lang::ZhCn) => "严重",
        (_, Lang::En) => "WARN",
        (_, Lang::ZhCn) => "警告",
    }
}

/// How long, from `from` to `to`, in short words.
pub fn lasted(from: i64, to: i64, lang: Lang) -> String {
    crate::backup_words::span(to.saturating_sub(from).max(0), lang)
}
