//! The division-code review's words in both languages: kinds of change, review states,
//! confidences and the evidence for a mapping, as the pane and the command line's text output
//! show them. The names stored and printed in JSON (`recoded`, `accepted`) stay English.

use crate::divcodes::diff::{Change, Confidence, Evidence, Kind};
use crate::divcodes::import::Problem;
use crate::divcodes::review::{RequestError, State};
use crate::divcodes::Code;
use crate::divcodes::CodeError;
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
        Evidence::SimilarName => tr(
            lang,
            "names that begin alike, under the same parent: a guess to check",
            "同一上级下名称开头相近：仅为推测，须核对",
        ),
        Evidence::CodeReused { new_name_was, old_name_now } => {
            let mut t = tr(lang, "same code, but", "代码相同，但");
            if let Some(c) = new_name_was {
                t.push_str(&tr(lang, format!(" its new name was {c}'s"), format!("新名称原属 {c}")));
            }
            if let (Some(_), Some(_)) = (new_name_was, old_name_now) {
                t.push_str(&tr(lang, " and", "，且"));
            }
            if let Some(c) = old_name_now {
                t.push_str(&tr(lang, format!(" its old name is now {c}'s"), format!("原名称现属 {c}")));
            }
            t.push_str(&tr(
                lang,
                ": the code may have been given to another place",
                "：此代码可能已给了另一地方",
            ));
            t
        }
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

fn shown(text: &str) -> String {
    crate::text::escape_unprintable(text).into_owned()
}

/// What is wrong with a line of an edition's file.
pub fn problem(p: &Problem, lang: Lang) -> String {
    match p {
        Problem::Encoding => tr(
            lang,
            "neither UTF-8 nor GB18030; save the list as UTF-8",
            "既不是 UTF-8 也不是 GB18030 编码；请另存为 UTF-8",
        ),
        Problem::Empty => tr(lang, "the file holds no codes", "文件中没有任何代码"),
        Problem::Header { missing } => tr(
            lang,
            format!("the header has no “{missing}” column (a CSV needs code,name and may add level,parent)"),
            format!("标题行缺少“{missing}”列（CSV 须有 code,name，可加 level,parent）"),
        ),
        Problem::Csv { reason } => tr(
            lang,
            format!("not read as CSV: {}", shown(reason)),
            format!("无法按 CSV 读取：{}", shown(reason)),
        ),
        Problem::Code { text, error } => {
            let extra = match error {
                CodeError::Length(n) => tr(lang, format!(" (it has {n})"), format!("（实为 {n} 位）")),
                CodeError::NotDigits => String::new(),
            };
            tr(
                lang,
                format!("code \"{text}\" is not 6 or 12 digits{extra}"),
                format!("代码 \"{text}\" 不是 6 位或 12 位数字{extra}"),
            )
        }
        Problem::Length { code, expected } => tr(
            lang,
            format!("code {code} has {} digits, but the file's first code has {expected}", code.len()),
            format!("代码 {code} 为 {} 位，而文件中第一个代码为 {expected} 位", code.len()),
        ),
        Problem::EmptyName { code } => {
            tr(lang, format!("code {code} has no name"), format!("代码 {code} 没有名称"))
        }
        Problem::Twice { code, first, name, again } => tr(
            lang,
            format!("code {code} is on line {first} already, named “{name}”; here it is “{}”", shown(again)),
            format!("代码 {code} 已在第 {first} 行出现，名称为“{name}”；此处为“{}”", shown(again)),
        ),
        Problem::Cells { found, header } => tr(
            lang,
            format!("{found} cells, but the header has {header} headings (a comma in a name not in quotes?)"),
            format!("有 {found} 个单元格，但标题行只有 {header} 列（名称中的逗号没有加引号？）"),
        ),
        Problem::Unprintable { code, name } => tr(
            lang,
            format!("the name of {code} holds a control or direction character: {name}"),
            format!("{code} 的名称含有控制字符或方向控制字符：{name}"),
        ),
        Problem::Level { code, given, derived } => tr(
            lang,
            format!("level \"{}\" does not match code {code}, which is level {derived}", shown(given)),
            format!("级别 \"{}\" 与代码 {code} 不符，该代码为第 {derived} 级", shown(given)),
        ),
        Problem::ParentAbsent { code, parent } => tr(
            lang,
            format!("the parent {parent} of {code} is not in the file"),
            format!("{code} 的上级 {parent} 不在文件中"),
        ),
    }
}

/// Why a reviewer's request cannot be done.
pub fn request(e: &RequestError, lang: Lang) -> String {
    match e {
        RequestError::UnknownId(id) => tr(
            lang,
            format!("no change has the id “{}” (yunwei divcode diff lists them)", shown(id)),
            format!("没有编号为“{}”的变更（yunwei divcode diff 可列出）", shown(id)),
        ),
        RequestError::NotChanged(code) => tr(
            lang,
            format!("{code} is in no change: it is kept in the new edition, or not in the old one"),
            format!("{code} 不在任何变更中：它在新版本中保留，或不在旧版本中"),
        ),
        RequestError::MappedTwice(code) => tr(
            lang,
            format!("{code} is given two --map: say where it goes once"),
            format!("{code} 有两个 --map：请只指定一次去向"),
        ),
        RequestError::NotInNew(code) => {
            tr(lang, format!("{code} is not in the new edition"), format!("{code} 不在新版本中"))
        }
    }
}
