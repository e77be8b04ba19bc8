//! The backup jobs' words in both languages: states, kinds and the rule behind each state, as
//! the pane, the command line and the alerts say them. The names stored and printed in JSON
//! (`ok`, `missing`, `backup`) stay English.

use crate::backups::due::ScheduleError;
use crate::backups::{Kind, Reason, State, Zone};
use crate::i18n::{tr, Lang};

pub fn state(s: State, lang: Lang) -> &'static str {
    match (s, lang) {
        (State::Unknown, Lang::En) => "unknown",
        (State::Unknown, Lang::ZhCn) => "未知",
        (State::Failed, Lang::En) => "failed",
        (State::Failed, Lang::ZhCn) => "校验失败",
        (State::Missing, Lang::En) => "missing",
        (State::Missing, Lang::ZhCn) => "缺失",
        (State::Shrunk, Lang::En) => "shrunk",
        (State::Shrunk, Lang::ZhCn) => "变小",
        (State::Late, Lang::En) => "late",
        (State::Late, Lang::ZhCn) => "迟到",
        (State::Running, Lang::En) => "running",
        (State::Running, Lang::ZhCn) => "运行中",
        (State::Ok, Lang::En) => "ok",
        (State::Ok, Lang::ZhCn) => "正常",
    }
}

pub fn kind(k: Kind, lang: Lang) -> &'static str {
    match (k, lang) {
        (Kind::Backup, Lang::En) => "backup",
        (Kind::Backup, Lang::ZhCn) => "备份",
        (Kind::Push, Lang::En) => "push",
        (Kind::Push, Lang::ZhCn) => "推送",
        (Kind::Receive, Lang::En) => "receive",
        (Kind::Receive, Lang::ZhCn) => "接收",
        (Kind::Report, Lang::En) => "report",
        (Kind::Report, Lang::ZhCn) => "报送",
    }
}

/// Why a cron schedule was refused.
pub fn schedule_error(e: &ScheduleError, lang: Lang) -> String {
    match e {
        ScheduleError::Fields(n) => tr(
            lang,
            format!("{n} fields, where cron has 5 (minute hour day month weekday)"),
            format!("有 {n} 个字段，而 cron 为 5 个（分 时 日 月 周）"),
        ),
        ScheduleError::Never => {
            tr(lang, "it never comes round (no such date)", "永远不会到来（没有这样的日期）")
        }
        ScheduleError::Pattern(why) => tr(lang, why.clone(), format!("格式有误：{why}")),
    }
}

/// A size in bytes as people read it: `1.5 GB` (powers of 1000, as the config's `MB`).
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// A span of seconds in the largest whole units: `3d 4h`, `25m`, `40s`.
pub fn span(secs: i64, lang: Lang) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m) = (s / 86400, s % 86400 / 3600, s % 3600 / 60);
    let (ud, uh, um, us) = match lang {
        Lang::En => ("d", "h", "m", "s"),
        Lang::ZhCn => ("天", "小时", "分", "秒"),
    };
    if d > 0 {
        if h > 0 {
            format!("{d}{ud} {h}{uh}")
        } else {
            format!("{d}{ud}")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h}{uh} {m}{um}")
        } else {
            format!("{h}{uh}")
        }
    } else if m > 0 {
        format!("{m}{um}")
    } else {
        format!("{s}{us}")
    }
}

/// The rule that decided a state, in words; times in `zone`'s local time.
pub fn reason(r: &Reason, zone: Zone, lang: Lang) -> String {
    let at = |t: i64| zone.local(t);
    let esc = |s: &str| crate::text::escape_unprintable(s).into_owned();
    match r {
        Reason::Unreachable(why) => {
            tr(lang, format!("not checked: {}", esc(why)), format!("未能检查：{}", esc(why)))
        }
        Reason::Unreadable { folder } => {
            let f = esc(folder);
            tr(lang, format!("the folder {f} cannot be read"), format!("目录 {f} 无法读取"))
        }
        Reason::VerifyFailed { status, first_line } => {
            let l = esc(first_line);
            tr(
                lang,
                format!("verification exited with status {status}: {l}"),
                format!("校验命令退出码为 {status}：{l}"),
            )
        }
        Reason::NoFolder { folder } => {
            let f = esc(folder);
            tr(lang, format!("the folder {f} does not exist"), format!("目录 {f} 不存在"))
        }
        Reason::NoMatch { pattern } => {
            let p = esc(pattern);
            tr(lang, format!("no file matches {p}"), format!("没有与 {p} 匹配的文件"))
        }
        Reason::PastGrace { expected_at, grace_s, runs } => {
            let g = span(i64::try_from(*grace_s).unwrap_or(i64::MAX), lang);
            let missed = if *runs > 1 {
                tr(lang, format!(" ({runs} runs missed)"), format!("（已错过 {runs} 次）"))
            } else {
                String::new()
            };
            tr(
                lang,
                format!("nothing new since the run due {}, past its {g} grace{missed}", at(*expected_at)),
                format!("应于 {} 产生的文件没有出现，已超过 {g} 宽限期{missed}", at(*expected_at)),
            )
        }
        Reason::TooSmall { size: s, min_size } => tr(
            lang,
            format!("{} is below the minimum {}", size(*s), size(*min_size)),
            format!("{} 小于下限 {}", size(*s), size(*min_size)),
        ),
        Reason::ShrankBy { size: s, previous, pct, limit } => tr(
            lang,
            format!("{} is {pct}% smaller than the previous {} (limit {limit}%)", size(*s), size(*previous)),
            format!("{} 比上一个 {} 小 {pct}%（上限 {limit}%）", size(*s), size(*previous)),
        ),
        Reason::WithinGrace { expected_at, grace_s } => {
            let g = span(i64::try_from(*grace_s).unwrap_or(i64::MAX), lang);
            tr(
                lang,
                format!("the run due {} has not delivered yet (grace {g})", at(*expected_at)),
                format!("应于 {} 产生的文件尚未出现（宽限期 {g}）", at(*expected_at)),
            )
        }
        Reason::RunningSince(t) => tr(
            lang,
            format!("a run started {} is in progress", at(*t)),
            format!("{} 开始的运行尚未结束", at(*t)),
        ),
        Reason::Fresh { mtime, expected_at } => match expected_at {
            Some(next) => tr(
                lang,
                format!("made {}; the next is due {}", at(*mtime), at(*next)),
                format!("产生于 {}；下一个应于 {} 前产生", at(*mtime), at(*next)),
            ),
            None => tr(lang, format!("made {}", at(*mtime)), format!("产生于 {}", at(*mtime))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_spans() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1_500_000_000), "1.5 GB");
        assert_eq!(size(250_000_000), "250 MB");
        assert_eq!(span(93_600, Lang::En), "1d 2h");
        assert_eq!(span(1500, Lang::ZhCn), "25分");
        assert_eq!(span(40, Lang::En), "40s");
    }

    #[test]
    fn words_in_both_languages_escape_what_came_from_outside() {
        let z = Zone::of_host("Asia/Shanghai", "+0800");
        let r = Reason::NoMatch { pattern: "/b/\u{1b}[31m*.gz".into() };
        assert_eq!(reason(&r, z, Lang::En), "no file matches /b/\\u{1b}[31m*.gz");
        assert!(reason(&r, z, Lang::ZhCn).starts_with("没有与 /b/\\u{1b}"));
        for s in <State as strum::VariantArray>::VARIANTS {
            assert_ne!(state(*s, Lang::En), state(*s, Lang::ZhCn));
        }
    }
}
