//! The division-code review's words in both languages: kinds of change, review states,
//! confidences and the evidence for a mapping, as the pane and the command line's text output
//! show them. The names stored and printed in JSON (`recoded`, `accepted`) stay English.

use crate::divcodes::diff::{Change, Confidence, Evidence, Kind};
use crate::divcodes::review::State;
use crate::divcodes::Code;
use crate::i18n::{tr, Lang};

/// The evidence in words.
pub fn evidence(c: &Change, lang: Lang) -> String {
    let parents = |p: &Option<(Code, Code)>| match p {
        Some((a, b)) => tr(lang, format!("; parent {a} → {b}"), format!("；上级 {a} → {b}")),
        None => String::new(),
    };
    let mut text = match &c.evidence {
        Evidence::SameCode => tr(lang, "same code", "代码相同"),
        Evidence::SameName { parents: p } => tr(lang, "same name", "名称相同") + &parents(p),
        Evidence::SameStem { stem, parents: p } => {
            tr(lang, format!("same stem “{stem}”"), format!("名称主干相同（“{stem}”）")) + &parents(p)
        }
        Evidence::MergedInto { stem } => tr(
            lang,
            format!("merged into the one whose stem “{stem}” the new name keeps"),
            format!("并入新名称沿用其主干“{stem}”的一方"),
        ),
        Evidence::SplitFrom { stem } => tr(
            lang,
            format!("split; the new unit named “{stem}” keeps the stem"),
            format!("拆分；名为“{stem}”的新单位沿用原主干"),
        ),
        Evidence::None => match c.kind {
            Kind::Added => tr(lang, "new; nothing old matches it", "新增；无旧代码对应"),
            _ => tr(
                lang,
                "nothing new matches it: decide where its records go",
                "无新代码对应：须决定其记录归属",
            ),
        },
    };
    if c.form_only {
        text.push_str(&tr(lang, "; the form of the name only", "；仅名称形式变化"));
    }
    text
}

pub fn kind(k: Kind, lang: Lang) -> &'static str {
    match (k, lang) {
        (k, Lang::En) => k.as_str(),
        (Kind::Renamed, _) => "更名",
        (Kind::Recoded, _) => "改码",
        (Kind::Moved, _) => "迁移",
        (Kind::Merged, _) => "合并",
        (Kind::Split, _) => "拆分",
        (Kind::Added, _) => "新增",
        (Kind::Removed, _) => "撤销",
    }
}

pub fn state(s: State, lang: Lang) -> &'static str {
    match (s, lang) {
        (s, Lang::En) => s.as_str(),
        (State::Proposed, _) => "待审",
        (State::Accepted, _) => "已接受",
        (State::Rejected, _) => "已拒绝",
        (State::Edited, _) => "已修改",
    }
}

pub fn confidence(c: Confidence, lang: Lang) -> &'static str {
    match (c, lang) {
        (c, Lang::En) => c.as_str(),
        (Confidence::High, _) => "高",
        (Confidence::Medium, _) => "中",
        (Confidence::Low, _) => "低",
    }
}
