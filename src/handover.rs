//! The shift handover: what happened during a shift, as the outgoing engineer hands it to the
//! next, written as Markdown: the alerts that opened (and where each stands now), those
//! acknowledged or cleared, the tickets created and those touched, the jobs not ok, the
//! silences in force, and the outgoing engineer's notes. Made from what the database holds;
//! nothing here reads it.

use chrono::{FixedOffset, TimeZone};

use crate::alerts::{Alert, Silence};
use crate::i18n::{tr, Lang};
use crate::store::jobs::JobCheck;
use crate::store::tickets::Ticket;

/// What a handover is made from.
pub struct Shift<'a> {
    pub from: &'a str,
    pub to: Option<&'a str>,
    pub since: i64,
    pub now: i64,
    pub note: &'a str,
    /// Every alert open or cleared that touches the window (the newest store rows).
    pub alerts: &'a [Alert],
    /// Every ticket (closed ones too) changed since `since`.
    pub tickets: &'a [Ticket],
    pub jobs: &'a [JobCheck],
    pub silences: &'a [Silence],
}

fn md(s: &str) -> String {
    // Plain text in Markdown: the characters that would start markup are escaped, and what
    // came from outside is made printable.
    let s = crate::text::escape_unprintable(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn at(t: i64, offset: FixedOffset) -> String {
    offset.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// The handover as Markdown, in `lang`, times in `offset`.
pub fn markdown(s: &Shift<'_>, lang: Lang, offset: FixedOffset) -> String {
    let within = |t: Option<i64>| t.is_some_and(|t| t >= s.since && t <= s.now);
    let mut out = String::new();
    let to = s.to.map(md).unwrap_or_else(|| tr(lang, "the next engineer", "下一班"));
    out.push_str(&tr(
        lang,
        format!("# Shift handover: {} to {to}\n\n", md(s.from)),
        format!("# 交接班：{} → {to}\n\n", md(s.from)),
    ));
    out.push_str(&tr(
        lang,
        format!("{} to {}\n", at(s.since, offset), at(s.now, offset)),
        format!("{} 至 {}\n", at(s.since, offset), at(s.now, offset)),
    ));
    let section = |out: &mut String, en: &str, zh: &str, lines: Vec<String>| {
        out.push_str(&tr(
            lang,
            format!("\n## {en} ({})\n\n", lines.len()),
            format!("\n## {zh}（{}）\n\n", lines.len()),
        ));
        if lines.is_empty() {
            out.push_str(&tr(lang, "- none\n", "- 无\n"));
        }
        for l in lines {
            out.push_str(&format!("- {l}\n"));
        }
    };
    let state = |a: &Alert| match a.cleared_at {
        Some(c) => tr(lang, format!("cleared {}", at(c, offset)), format!("已于 {} 恢复", at(c, offset))),
        None if a.acked_by.is_some() => tr(lang, "open, acknowledged", "未恢复，已确认"),
        None => tr(lang, "still open", "仍未恢复"),
    };
    let opened: Vec<String> = s
        .alerts
        .iter()
        .filter(|a| within(Some(a.opened_at)))
        .map(|a| {
            let (key, reason, st) = (md(&a.key.to_string()).replace('`', ""), md(a.reason(lang)), state(a));
            let sev = crate::alert_words::severity(a.level, lang);
            tr(
                lang,
                format!("{} {sev} `{key}`: {reason} ({st})", at(a.opened_at, offset)),
                format!("{} {sev} `{key}`：{reason}（{st}）", at(a.opened_at, offset)),
            )
        })
        .collect();
    section(&mut out, "Alerts opened", "新出现的告警", opened);
    let acted: Vec<String> = s
        .alerts
        .iter()
        .filter(|a| within(a.acked_at) || within(a.cleared_at))
        .map(|a| {
            let mut parts = Vec::new();
            if let (Some(t), Some(by)) = (a.acked_at.filter(|t| within(Some(*t))), &a.acked_by) {
                let note = a
                    .note
                    .as_deref()
                    .map(|n| tr(lang, format!(": {}", md(n)), format!("：{}", md(n))))
                    .unwrap_or_default();
                parts.push(tr(
                    lang,
                    format!("acknowledged by {} {}{note}", md(by), at(t, offset)),
                    format!("{} 于 {} 确认{note}", md(by), at(t, offset)),
                ));
            }
            if let Some(t) = a.cleared_at.filter(|t| within(Some(*t))) {
                parts.push(tr(lang, format!("cleared {}", at(t, offset)), format!("{} 恢复", at(t, offset))));
            }
            let key = md(&a.key.to_string()).replace('`', "");
            tr(lang, format!("`{key}`: {}", parts.join("; ")), format!("`{key}`：{}", parts.join("；")))
        })
        .collect();
    section(&mut out, "Alerts acknowledged or cleared", "已确认或已恢复的告警", acted);
    let created: Vec<String> = s
        .tickets
        .iter()
        .filter(|t| within(Some(t.created_at)))
        .map(|t| {
            let (st, when) = (crate::ticket_words::status(t.status, lang), at(t.created_at, offset));
            tr(
                lang,
                format!("{} {} {when}: {} ({st})", t.number, t.priority, md(&t.summary)),
                format!("{} {} {when}：{}（{st}）", t.number, t.priority, md(&t.summary)),
            )
        })
        .collect();
    section(&mut out, "Tickets created", "新建工单", created);
    let touched: Vec<String> = s
        .tickets
        .iter()
        .filter(|t| !within(Some(t.created_at)) && within(Some(t.updated_at)))
        .map(|t| {
            let st = crate::ticket_words::status(t.status, lang);
            tr(
                lang,
                format!("{} {}: {} ({st}, {})", t.number, t.priority, md(&t.summary), md(&t.updated_by)),
                format!("{} {}：{}（{st}，{}）", t.number, t.priority, md(&t.summary), md(&t.updated_by)),
            )
        })
        .collect();
    section(&mut out, "Tickets touched", "处理过的工单", touched);
    let jobs: Vec<String> = s
        .jobs
        .iter()
        .filter(|j| j.state != "ok")
        .map(|j| {
            let reason = match lang {
                Lang::En => &j.reason_en,
                Lang::ZhCn => &j.reason_zh,
            };
            let state = crate::backups::State::parse(&j.state)
                .map(|st| crate::backup_words::state(st, lang).to_string())
                .unwrap_or_else(|| md(&j.state));
            tr(
                lang,
                format!("{} ({state}): {}", md(&j.job), md(reason)),
                format!("{}（{state}）：{}", md(&j.job), md(reason)),
            )
        })
        .collect();
    section(&mut out, "Jobs not ok", "不正常的作业", jobs);
    let silences: Vec<String> = s
        .silences
        .iter()
        .filter(|x| x.active(s.now))
        .map(|x| {
            let (scope, target, until) =
                (crate::alert_words::scope(x.scope, lang), md(&x.target), at(x.until, offset));
            let (by, why) = (md(&x.created_by), md(&x.reason));
            tr(
                lang,
                format!("{scope} {target} until {until} ({by}: {why})"),
                format!("{scope} {target}，至 {until}（{by}：{why}）"),
            )
        })
        .collect();
    section(&mut out, "Silences in force", "生效中的静默", silences);
    out.push_str(&format!("\n## {}\n\n", tr(lang, "Notes", "交接说明")));
    if s.note.trim().is_empty() {
        out.push_str(&tr(lang, "(none)\n", "（无）\n"));
    } else {
        for line in s.note.lines() {
            out.push_str(&format!("{}\n", md(line)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{AlertKey, Metric, SilenceScope};
    use crate::health::Level;

    const T0: i64 = 1_795_712_400; // 2026-11-27 01:00 +08:00

    fn utc8() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    #[test]
    fn a_seeded_shift_reads_as_its_handover() {
        let mut before = Alert::for_test(1, AlertKey::health("old", Metric::Cpu, ""), Level::Warn);
        before.opened_at = T0 - 86_400;
        before.cleared_at = Some(T0 - 80_000);
        let mut disk = Alert::for_test(2, AlertKey::health("db1", Metric::Disk, "/u01"), Level::Crit);
        disk.opened_at = T0 + 600;
        disk.message = "disk /u01 at 93 % (crit 90 %)".into();
        disk.message_zh = Some("磁盘 /u01 已用 93%（严重阈值 90%）".into());
        disk.acked_at = Some(T0 + 900);
        disk.acked_by = Some("王工".into());
        disk.note = Some("清理归档 *日志*".into());
        let mut down = Alert::for_test(3, AlertKey::health("web2", Metric::Unreachable, ""), Level::Crit);
        down.opened_at = T0 + 3600;
        down.cleared_at = Some(T0 + 4200);
        down.message = "host unreachable (timeout)".into();
        let silence = Silence {
            id: 1,
            scope: SilenceScope::Host,
            target: "app1".into(),
            reason: "内核升级".into(),
            created_by: "王工".into(),
            created_at: T0,
            until: T0 + 30_000,
            ended_at: None,
            ended_by: None,
        };
        let alerts = [before, disk, down];
        let shift = Shift {
            from: "王工",
            to: Some("李四"),
            since: T0,
            now: T0 + 8 * 3600,
            note: "db1 扩容待审批\n明早 9 点回电民政局",
            alerts: &alerts,
            tickets: &[],
            jobs: &[],
            silences: &[silence],
        };
        let en = markdown(&shift, Lang::En, utc8());
        for want in [
            "# Shift handover: 王工 to 李四",
            "2026-11-27 01:00 to 2026-11-27 09:00",
            "## Alerts opened (2)",
            "- 2026-11-27 01:10 CRIT `health/db1/disk/%2Fu01`: disk /u01 at 93 % (crit 90 %) (open, acknowledged)",
            "- 2026-11-27 02:00 CRIT `health/web2/unreachable`: host unreachable (timeout) (cleared 2026-11-27 02:10)",
            "## Alerts acknowledged or cleared (2)",
            "acknowledged by 王工 2026-11-27 01:15: 清理归档 \\*日志\\*",
            "## Tickets created (0)\n\n- none",
            "## Silences in force (1)\n\n- host app1 until 2026-11-27 09:20 (王工: 内核升级)",
            "## Notes\n\ndb1 扩容待审批\n明早 9 点回电民政局\n",
        ] {
            assert!(en.contains(want), "{want}\n---\n{en}");
        }
        assert!(!en.contains("health/old/cpu"), "an alert of another day is left out:\n{en}");
        let zh = markdown(&shift, Lang::ZhCn, utc8());
        assert!(zh.contains("# 交接班：王工 → 李四") && zh.contains("## 新出现的告警（2）"), "{zh}");
        assert!(zh.contains("磁盘 /u01 已用 93%（严重阈值 90%）（未恢复，已确认）"), "{zh}");
    }
}
