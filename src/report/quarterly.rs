//! The quarterly service report: the same content as Markdown (`report.md`) and as one
//! self-contained HTML page (`report.html`: its style and charts inline, no URL), in the
//! reader's language. Every text from the database (units, summaries, host names) is escaped
//! for the format it goes into.

use chrono::TimeZone;

use super::charts;
use crate::i18n::Lang;
use crate::store::health::HostFigures;
use crate::tickets::quarter::{Figures, Quarter};

/// What the report is about, besides its figures.
pub struct Meta<'a> {
    pub quarter: &'a Quarter,
    pub generated_at: i64,
    pub operator: &'a str,
    pub offset: chrono::FixedOffset,
    pub lang: Lang,
}

fn t(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

/// `secs` as `1 d 2 h`, `3 h 5 min` or `12 min`.
pub fn duration(secs: i64, lang: Lang) -> String {
    let s = secs.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    let (dw, hw, mw) = match lang {
        Lang::En => (" d", " h", " min"),
        Lang::ZhCn => (" 天", " 小时", " 分钟"),
    };
    if d > 0 {
        format!("{d}{dw} {h}{hw}")
    } else if h > 0 {
        format!("{h}{hw} {m}{mw}")
    } else {
        format!("{m}{mw}")
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
}

fn date(at: i64, offset: chrono::FixedOffset, fmt: &str) -> String {
    offset.timestamp_opt(at, 0).single().map(|d| d.format(fmt).to_string()).unwrap_or_default()
}

/// A table: its heading row and rows, all plain text (escaped by the writer).
struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// One section: a title, lines of text, tables and charts (SVG, HTML only).
struct Section {
    title: String,
    lines: Vec<String>,
    tables: Vec<Table>,
    charts: Vec<String>,
}

fn sections(f: &Figures, fleet: &[HostFigures], m: &Meta<'_>) -> Result<Vec<Section>, String> {
    let lang = m.lang;
    let count_rows = |pairs: Vec<(String, usize)>| -> Vec<Vec<String>> {
        let total: usize = pairs.iter().map(|p| p.1).sum();
        pairs
            .into_iter()
            .map(|(name, n)| {
                let share =
                    if total > 0 { format!("{:.1}%", n as f64 * 100.0 / total as f64) } else { "-".into() };
                vec![name, n.to_string(), share]
            })
            .collect()
    };
    let count_head = |what: &'static str, what_zh: &'static str| {
        vec![
            t(lang, what, what_zh).to_string(),
            t(lang, "Tickets", "工单数").to_string(),
            t(lang, "Share", "占比").to_string(),
        ]
    };
    let compliance = |c: &crate::tickets::quarter::Compliance| {
        format!("{} ({} / {})", pct(c.pct()), c.met, c.met + c.missed)
    };
    let mut out = Vec::new();
    // Summary.
    out.push(Section {
        title: t(lang, "Summary", "概况").into(),
        lines: vec![],
        tables: vec![Table {
            head: vec![t(lang, "Figure", "指标").into(), t(lang, "Value", "数值").into()],
            rows: vec![
                vec![t(lang, "Tickets received", "受理工单").into(), f.total.to_string()],
                vec![t(lang, "Resolved", "已解决").into(), f.resolved.to_string()],
                vec![
                    if f.ended {
                        t(lang, "Still open at the end of the quarter", "季度末仍未解决").into()
                    } else {
                        t(lang, "Still open now (the quarter is not over)", "目前仍未解决（本季度尚未结束）")
                            .into()
                    },
                    f.open_at_end.to_string(),
                ],
                vec![t(lang, "Escalated to the second line", "升级至二线").into(), f.escalated.to_string()],
                vec![t(lang, "Response SLA met", "响应时限达标率").into(), compliance(&f.response)],
                vec![t(lang, "Resolution SLA met", "解决时限达标率").into(), compliance(&f.resolution)],
                vec![
                    t(lang, "MTTA (mean time to acknowledge)", "平均响应时间（MTTA）").into(),
                    f.mtta_s.map(|s| duration(s, lang)).unwrap_or_else(|| "-".into()),
                ],
                vec![
                    t(lang, "MTTR (mean time to resolve)", "平均解决时间（MTTR）").into(),
                    f.mttr_s.map(|s| duration(s, lang)).unwrap_or_else(|| "-".into()),
                ],
                vec![
                    t(lang, "Resolution clocks paused (pending), in all", "解决计时暂停（挂起）合计").into(),
                    duration(f.paused_s, lang),
                ],
                vec![t(lang, "SLA breaches", "超时次数").into(), f.breaches.len().to_string()],
            ],
        }],
        charts: vec![charts::bars(
            t(lang, "SLA compliance", "时限达标率"),
            &[
                (t(lang, "response", "响应").into(), f.response.pct().unwrap_or(0.0)),
                (t(lang, "resolution", "解决").into(), f.resolution.pct().unwrap_or(0.0)),
            ],
            420,
            260,
            true,
        )?],
    });
    // Weeks.
    let weeks: Vec<(String, f64)> =
        f.per_week.iter().map(|(d, n)| (d.format("%m-%d").to_string(), *n as f64)).collect();
    out.push(Section {
        title: t(lang, "Tickets per week", "每周工单").into(),
        lines: vec![t(lang, "Each week is named by its Monday.", "每周以其周一的日期表示。").into()],
        tables: vec![Table {
            head: vec![t(lang, "Week of", "周（周一）").into(), t(lang, "Tickets", "工单数").into()],
            rows: f
                .per_week
                .iter()
                .map(|(d, n)| vec![d.format("%Y-%m-%d").to_string(), n.to_string()])
                .collect(),
        }],
        charts: vec![charts::bars(t(lang, "Tickets per week", "每周工单"), &weeks, 760, 300, false)?],
    });
    // Breakdowns.
    let cats: Vec<(String, usize)> = f
        .by_category
        .iter()
        .map(|(c, n)| (crate::ticket_words::category(*c, lang).to_string(), *n))
        .collect();
    let pris: Vec<(String, usize)> =
        f.by_priority.iter().map(|(p, n)| (p.as_str().to_string(), *n)).collect();
    let chans: Vec<(String, usize)> =
        f.by_channel.iter().map(|(c, n)| (crate::ticket_words::channel(*c, lang).to_string(), *n)).collect();
    let as_bars = |v: &[(String, usize)]| v.iter().map(|(a, n)| (a.clone(), *n as f64)).collect::<Vec<_>>();
    out.push(Section {
        title: t(lang, "By service area, priority and channel", "按服务类别、优先级和渠道").into(),
        lines: vec![],
        charts: vec![
            charts::bars(t(lang, "By service area", "按服务类别"), &as_bars(&cats), 460, 260, false)?,
            charts::bars(t(lang, "By priority", "按优先级"), &as_bars(&pris), 360, 260, false)?,
        ],
        tables: vec![
            Table { head: count_head("Service area", "服务类别"), rows: count_rows(cats) },
            Table { head: count_head("Priority", "优先级"), rows: count_rows(pris) },
            Table { head: count_head("Channel", "渠道"), rows: count_rows(chans) },
        ],
    });
    let no_unit = t(lang, "(no unit given)", "（未填写单位）");
    let units: Vec<(String, usize)> = f
        .by_unit
        .iter()
        .map(|(u, n)| (if u.is_empty() { no_unit.to_string() } else { u.clone() }, *n))
        .collect();
    out.push(Section {
        title: t(lang, "By calling unit", "按来电单位").into(),
        lines: if units.is_empty() {
            vec![t(lang, "No ticket named its unit.", "没有工单填写单位。").into()]
        } else {
            vec![]
        },
        tables: vec![Table { head: count_head("Unit", "单位"), rows: count_rows(units) }],
        charts: vec![],
    });
    // Breaches.
    let breach_rows: Vec<Vec<String>> = f
        .breaches
        .iter()
        .map(|b| {
            let clock = if b.clock == "response" {
                t(lang, "response", "响应")
            } else {
                t(lang, "resolution", "解决")
            };
            let state = if b.open {
                t(lang, "still running", "仍在计时")
            } else {
                t(lang, "stopped late", "超时后完成")
            };
            vec![
                b.number.clone(),
                b.priority.as_str().to_string(),
                clock.to_string(),
                duration(b.used_s, lang),
                duration(b.target_s, lang),
                state.to_string(),
                b.summary.clone(),
            ]
        })
        .collect();
    out.push(Section {
        title: t(lang, "Every SLA breach", "全部超时记录").into(),
        lines: if breach_rows.is_empty() {
            vec![t(lang, "No clock ran past its target this quarter.", "本季度没有超时。").into()]
        } else {
            vec![]
        },
        tables: vec![Table {
            head: [
                ("Ticket", "工单号"),
                ("Priority", "优先级"),
                ("Clock", "计时"),
                ("Used", "用时"),
                ("Target", "时限"),
                ("State", "状态"),
                ("Summary", "摘要"),
            ]
            .iter()
            .map(|(en, zh)| t(lang, en, zh).to_string())
            .collect(),
            rows: breach_rows,
        }],
        charts: vec![],
    });
    // The fleet.
    out.push(Section {
        title: t(lang, "The fleet this quarter", "本季度主机情况").into(),
        lines: vec![if fleet.is_empty() {
            t(
                lang,
                "The database holds no health history for this quarter.",
                "数据库中没有本季度的主机健康记录。",
            )
            .into()
        } else {
            t(
                lang,
                "Availability is the share of health samples that reached the host.",
                "可用率为能连通主机的采样所占比例。",
            )
            .into()
        }],
        tables: vec![Table {
            head: [
                ("Host", "主机"),
                ("Samples", "采样数"),
                ("Availability", "可用率"),
                ("Peak memory", "内存峰值"),
                ("Peak disk", "磁盘峰值"),
            ]
            .iter()
            .map(|(en, zh)| t(lang, en, zh).to_string())
            .collect(),
            rows: fleet
                .iter()
                .map(|h| {
                    vec![
                        h.host.clone(),
                        h.samples.to_string(),
                        pct(h.availability_pct()),
                        pct(h.peak_mem_pct),
                        pct(h.peak_disk_pct),
                    ]
                })
                .collect(),
        }],
        charts: vec![],
    });
    Ok(out)
}

fn title(m: &Meta<'_>) -> String {
    format!("{} {}", t(m.lang, "Quarterly service report", "运维服务季度报告"), m.quarter.label())
}

fn period(m: &Meta<'_>) -> String {
    let from = date(m.quarter.start, m.offset, "%Y-%m-%d");
    let to = date(m.quarter.end - 1, m.offset, "%Y-%m-%d");
    let at = date(m.generated_at, m.offset, "%Y-%m-%d %H:%M %:z");
    match m.lang {
        Lang::En => format!("{from} to {to} · written {at} by {}", m.operator),
        Lang::ZhCn => format!("{from} 至 {to} · 由 {} 于 {at} 生成", m.operator),
    }
}

/// Text for Markdown (a table cell): pipes and line breaks would end the cell, and HTML in it
/// would be rendered by a Markdown viewer, so it is written as entities.
pub fn md_cell(s: &str) -> String {
    crate::text::escape_unprintable(&s.replace('\t', " "))
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

pub fn markdown(f: &Figures, fleet: &[HostFigures], m: &Meta<'_>) -> Result<String, String> {
    let mut out = format!("# {}\n\n{}\n", md_cell(&title(m)), md_cell(&period(m)));
    for s in sections(f, fleet, m)? {
        out.push_str(&format!("\n## {}\n\n", s.title));
        for l in &s.lines {
            out.push_str(&format!("{}\n\n", md_cell(l)));
        }
        for tb in &s.tables {
            if tb.rows.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "| {} |\n",
                tb.head.iter().map(|h| md_cell(h)).collect::<Vec<_>>().join(" | ")
            ));
            out.push_str(&format!("|{}\n", " --- |".repeat(tb.head.len())));
            for r in &tb.rows {
                out.push_str(&format!(
                    "| {} |\n",
                    r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                ));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// Text for HTML: the five characters that mean something there, and what could act on a
/// terminal (should the page be printed as text) escaped.
pub fn html_escape(s: &str) -> String {
    crate::text::escape_unprintable(&s.replace('\t', " "))
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "
body { font-family: 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif;
       margin: 2em auto; max-width: 62em; padding: 0 1.5em; color: #1d2733; line-height: 1.5; }
h1 { font-size: 1.6em; border-bottom: 3px solid #2f6fb3; padding-bottom: .3em; margin-bottom: .2em; }
h2 { font-size: 1.2em; margin-top: 2em; color: #2f6fb3; }
p.period { color: #5a6675; margin-top: 0; }
table { border-collapse: collapse; margin: .8em 0 1.2em; min-width: 24em; }
th, td { border: 1px solid #c9d1db; padding: .3em .7em; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.charts svg { border: 1px solid #e3e8ee; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table { break-inside: avoid; } }
";

pub fn html(f: &Figures, fleet: &[HostFigures], m: &Meta<'_>) -> Result<String, String> {
    let lang_attr = match m.lang {
        Lang::En => "en",
        Lang::ZhCn => "zh-CN",
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_attr}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"period\">{}</p>\n",
        html_escape(&title(m)),
        html_escape(&title(m)),
        html_escape(&period(m))
    );
    let numeric = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || ".%()/ ".contains(c));
    for s in sections(f, fleet, m)? {
        out.push_str(&format!("<section>\n<h2>{}</h2>\n", html_escape(&s.title)));
        for l in &s.lines {
            out.push_str(&format!("<p>{}</p>\n", html_escape(l)));
        }
        if !s.charts.is_empty() {
            out.push_str("<div class=\"charts\">\n");
            for c in &s.charts {
                out.push_str(c);
                out.push('\n');
            }
            out.push_str("</div>\n");
        }
        for tb in &s.tables {
            if tb.rows.is_empty() {
                continue;
            }
            out.push_str("<table>\n<thead><tr>");
            for h in &tb.head {
                out.push_str(&format!("<th>{}</th>", html_escape(h)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for r in &tb.rows {
                out.push_str("<tr>");
                for c in r {
                    let class = if numeric(c) { " class=\"n\"" } else { "" };
                    out.push_str(&format!("<td{class}>{}</td>", html_escape(c)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::quarter::{figures, Facts};
    use crate::tickets::sla::{china_standard_time, SlaPolicy};
    use crate::tickets::{Category, Channel, Priority, Status};

    fn seeded() -> (Figures, Vec<HostFigures>, Quarter) {
        let cst = china_standard_time();
        let q = Quarter::parse("2026Q4", cst).unwrap();
        let tickets: Vec<Facts> = (0..40)
            .map(|i| {
                let created = q.start + i * 2 * 86_400 + 9 * 3600;
                Facts {
                    number: format!("YW-{i:03}"),
                    priority: if i % 5 == 0 { Priority::P1 } else { Priority::P3 },
                    category: Category::ALL[i as usize % 5],
                    channel: Channel::Phone,
                    unit: Some(if i % 2 == 0 {
                        "三亚市卫生健康委员会".into()
                    } else {
                        "<b>儋州|民政局</b>".into()
                    }),
                    summary: "推送失败 <script>alert(1)</script>".into(),
                    created_at: created,
                    escalation_level: i64::from(i % 7 == 0),
                    timeline: vec![
                        (created, Status::New),
                        (created + 600 + i * 60, Status::Acknowledged),
                        (created + 7200, Status::Resolved),
                    ],
                }
            })
            .collect();
        let f = figures(&tickets, &q, &SlaPolicy::default(), q.end + 1);
        let fleet = vec![HostFigures {
            host: "db1".into(),
            samples: 1000,
            reachable: 998,
            peak_mem_pct: Some(81.5),
            peak_disk_pct: Some(92.0),
        }];
        (f, fleet, q)
    }

    #[test]
    fn the_report_escapes_what_it_did_not_write_and_names_no_url() {
        let (f, fleet, q) = seeded();
        for lang in [Lang::En, Lang::ZhCn] {
            let m = Meta {
                quarter: &q,
                generated_at: q.end + 3600,
                operator: "王工",
                offset: china_standard_time(),
                lang,
            };
            let h = html(&f, &fleet, &m).unwrap();
            assert!(!h.contains("<script>") && h.contains("&lt;script&gt;"), "summaries are escaped");
            assert!(!h.contains("<b>") && h.contains("&lt;b&gt;儋州|民政局"), "units are escaped");
            assert!(!h.contains("http") && !h.contains("src=") && !h.contains("@import"), "no URL");
            assert_eq!(h.matches("<svg").count(), 4, "four charts");
            let md = markdown(&f, &fleet, &m).unwrap();
            assert!(
                md.contains("&lt;b&gt;儋州\\|民政局&lt;/b&gt;") && !md.contains("<script>"),
                "escaped in cells:\n{md}"
            );
            assert!(md.contains("| db1 | 1000 | 99.8% | 81.5% | 92.0% |"), "{md}");
            let (title, breaches) = match lang {
                Lang::En => ("# Quarterly service report 2026Q4", "## Every SLA breach"),
                Lang::ZhCn => ("# 运维服务季度报告 2026Q4", "## 全部超时记录"),
            };
            assert!(md.starts_with(title) && md.contains(breaches), "{md}");
        }
    }
}
