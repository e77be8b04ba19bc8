//! The team's existing sheet, read for `ticket import`: CSV with a header line, in UTF-8 (with
//! or without a BOM) or GBK (what Excel writes on a Chinese Windows). Columns are known by
//! their English names or their usual Chinese headings (`报告人`, `受理时间`…), in any order;
//! values by their stored names or their words (`电话`, `处理中`, `高`). The whole sheet is
//! checked before anything is written: every bad line is named with its number and why, and
//! one bad line refuses the sheet.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

use super::words::Words;
use super::{Category, Channel, Level, Status};

/// The sheet's columns: the field, then the headings that name it (compared without case or
/// surrounding spaces).
const COLUMNS: &[(Field, &[&str])] = &[
    (Field::Reference, &["ref", "reference", "number", "id", "编号", "工单号", "序号"]),
    (
        Field::CreatedAt,
        &["created_at", "created", "time", "date", "时间", "来电时间", "受理日期", "创建时间", "日期"],
    ),
    (Field::Channel, &["channel", "渠道", "来源", "方式"]),
    (Field::Caller, &["caller", "name", "报告人", "来电人", "联系人", "姓名"]),
    (Field::Phone, &["phone", "caller_phone", "电话", "联系电话", "手机"]),
    (Field::Unit, &["unit", "单位", "来电单位", "报告单位"]),
    (Field::Category, &["category", "类别", "分类", "服务类别"]),
    (Field::Subcategory, &["subcategory", "子类", "子类别"]),
    (Field::Impact, &["impact", "影响", "影响程度"]),
    (Field::Urgency, &["urgency", "紧急", "紧急程度"]),
    (Field::Summary, &["summary", "title", "摘要", "标题", "问题", "问题摘要"]),
    (Field::Description, &["description", "描述", "详情", "问题描述"]),
    (Field::Hosts, &["hosts", "host", "主机"]),
    (Field::Assignee, &["assignee", "处理人", "负责人"]),
    (Field::Status, &["status", "状态"]),
    (Field::AcknowledgedAt, &["acknowledged_at", "响应时间", "受理时间"]),
    (Field::ResolvedAt, &["resolved_at", "解决时间"]),
    (Field::ClosedAt, &["closed_at", "关闭时间"]),
];

/// A column of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Reference,
    CreatedAt,
    Channel,
    Caller,
    Phone,
    Unit,
    Category,
    Subcategory,
    Impact,
    Urgency,
    Summary,
    Description,
    Hosts,
    Assignee,
    Status,
    AcknowledgedAt,
    ResolvedAt,
    ClosedAt,
}

impl Field {
    /// The name the messages use (the English heading).
    pub fn name(self) -> &'static str {
        COLUMNS.iter().find(|(f, _)| *f == self).map(|(_, names)| names[0]).unwrap_or("?")
    }
}

/// Columns `ticket export` writes that follow from others (the priority from impact and
/// urgency, the SLA figures from the times): read past, so an export imports again.
const DERIVED: &[&str] = &[
    "priority",
    "优先级",
    "escalation_level",
    "response_met",
    "resolution_met",
    "paused_s",
    "row_id",
    "version",
    "tags",
];

/// Every heading a column is known by, for the message that names an unknown one.
pub fn known_headings() -> String {
    COLUMNS.iter().map(|(_, names)| names.join("/")).collect::<Vec<_>>().join(", ")
}

/// The sheet's own heading of each column it has (for messages in the sheet's words).
pub fn sheet_headings(text: &str) -> Vec<(Field, String)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let Some(Ok(header)) = reader.records().next() else { return Vec::new() };
    header
        .iter()
        .filter_map(|h| Some((field_of(h)?, crate::text::escape_unprintable(h.trim()).into_owned())))
        .collect()
}

fn field_of(heading: &str) -> Option<Field> {
    let h = heading.trim().to_lowercase();
    COLUMNS.iter().find(|(_, names)| names.iter().any(|n| n.to_lowercase() == h)).map(|(f, _)| *f)
}

const REQUIRED: [Field; 7] = [
    Field::CreatedAt,
    Field::Channel,
    Field::Caller,
    Field::Category,
    Field::Impact,
    Field::Urgency,
    Field::Summary,
];

/// The longest sheet read (a quarter's sheet is a few thousand lines).
pub const MAX_ROWS: usize = 100_000;
/// The longest text of one cell.
const MAX_CELL: usize = 20_000;

/// A line of the sheet, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line it starts on (the header is line 1).
    pub line: u64,
    /// The sheet's own number for it, if it has one (kept as a tag, so it is not imported twice).
    pub reference: Option<String>,
    pub channel: Channel,
    pub caller: String,
    pub phone: Option<String>,
    pub unit: Option<String>,
    pub category: Category,
    pub subcategory: Option<String>,
    pub impact: Level,
    pub urgency: Level,
    pub summary: String,
    pub description: String,
    pub hosts: Vec<String>,
    pub assignee: Option<String>,
    /// The status moves from creation (`new`) on, each at its time, along the workflow.
    pub moves: Vec<(i64, Status)>,
}

/// Why the sheet, or one of its lines, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Neither UTF-8 nor GBK: the first byte that is neither.
    Encoding {
        byte: usize,
    },
    Empty,
    /// A heading no column is known by.
    UnknownColumn {
        heading: String,
    },
    TwiceColumn {
        field: Field,
    },
    MissingColumn {
        field: Field,
    },
    /// The CSV itself is broken (an unclosed quote, a line with more cells than headings).
    Csv {
        reason: String,
    },
    Missing {
        field: Field,
    },
    /// A value that is none of those accepted (listed).
    Bad {
        field: Field,
        value: String,
        accepted: String,
    },
    /// A time that is not `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM` or RFC 3339.
    BadTime {
        field: Field,
        value: String,
    },
    /// A time after now.
    Future {
        field: Field,
        value: String,
    },
    /// A time before the one it follows (acknowledged before created, …).
    Order {
        field: Field,
        before: Field,
    },
    /// The status needs a time this line has not got (closed without `closed_at`).
    NeedsTime {
        status: Status,
        field: Field,
    },
    TooLong {
        field: Field,
    },
    TooManyRows,
    /// More cells on a line than the header has headings.
    Cells {
        found: usize,
        header: usize,
    },
    /// Two lines with the same reference.
    Repeated {
        reference: String,
        first: u64,
    },
}

/// A problem and the line it is on (0 for the sheet as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u64,
    pub problem: Problem,
}

/// The sheet's text: UTF-8 (a BOM dropped), else GBK; which one it was.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), Problem> {
    crate::text::decode_file(bytes, encoding_rs::GBK, "GBK").map_err(|byte| Problem::Encoding { byte })
}

/// A value by its stored name or either of its words.
fn named<T: Words + std::str::FromStr>(all: &[T], value: &str) -> Option<T> {
    let v = value.trim();
    if let Ok(x) = v.parse::<T>() {
        return Some(x);
    }
    let low = v.to_lowercase();
    all.iter().copied().find(|x| {
        let (en, zh) = x.words();
        en.eq_ignore_ascii_case(&low) || zh == v || en.replace(' ', "_") == low || en.replace('-', "") == low
    })
}

fn accepted<T: Words + Copy>(all: &[T], stored: fn(T) -> &'static str) -> String {
    all.iter().map(|x| format!("{} ({})", stored(*x), x.words().1)).collect::<Vec<_>>().join(", ")
}

/// A time in the sheet, in `offset` unless it says its own.
pub fn parse_time(value: &str, offset: FixedOffset) -> Option<i64> {
    let v = value.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Some(t.timestamp());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return offset.from_local_datetime(&t).single().map(|t| t.timestamp());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(v, fmt) {
            return offset.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single().map(|t| t.timestamp());
        }
    }
    None
}

/// Reads and checks the whole sheet: every row, or every problem.
pub fn parse(bytes: &[u8], offset: FixedOffset, now: i64) -> Result<Vec<Row>, Vec<LineProblem>> {
    let (text, _) = decode(bytes).map_err(|problem| vec![LineProblem { line: 0, problem }])?;
    parse_text(&text, offset, now)
}

/// [`parse`] of a sheet already decoded.
pub fn parse_text(text: &str, offset: FixedOffset, now: i64) -> Result<Vec<Row>, Vec<LineProblem>> {
    let whole = |problem| vec![LineProblem { line: 0, problem }];
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(whole(Problem::Empty)),
        Some(Err(e)) => {
            return Err(vec![LineProblem { line: 1, problem: Problem::Csv { reason: e.to_string() } }])
        }
        Some(Ok(h)) => h,
    };
    // Each position's field; None for a derived column read past.
    let mut columns: Vec<Option<Field>> = Vec::new();
    let mut problems = Vec::new();
    for heading in header.iter() {
        match field_of(heading) {
            Some(f) if columns.contains(&Some(f)) => {
                problems.push(LineProblem { line: 1, problem: Problem::TwiceColumn { field: f } });
                columns.push(None);
            }
            Some(f) => columns.push(Some(f)),
            None if DERIVED.iter().any(|d| d.eq_ignore_ascii_case(heading.trim())) => columns.push(None),
            None => {
                columns.push(None);
                problems.push(LineProblem {
                    line: 1,
                    problem: Problem::UnknownColumn {
                        heading: crate::text::escape_unprintable(heading.trim()).into_owned(),
                    },
                })
            }
        }
    }
    for f in REQUIRED {
        if !columns.contains(&Some(f)) {
            problems.push(LineProblem { line: 1, problem: Problem::MissingColumn { field: f } });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for record in records {
        if rows.len() + problems.len() >= MAX_ROWS {
            problems.push(LineProblem { line: 0, problem: Problem::TooManyRows });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(LineProblem { line, problem: Problem::Csv { reason: e.to_string() } });
                // A broken quote swallows the rest: nothing after it can be trusted.
                if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    continue;
                }
                break;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        // Fewer cells than headings: the last ones are empty (some tools drop them). More:
        // the line does not fit the header.
        if record.len() > columns.len() {
            problems.push(LineProblem {
                line,
                problem: Problem::Cells { found: record.len(), header: columns.len() },
            });
            continue;
        }
        // Blank lines (Excel leaves some at the end).
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match row(&columns, &record, line, offset, now) {
            Ok(r) => {
                if let Some(reference) = &r.reference {
                    if let Some(first) = seen.get(reference) {
                        problems.push(LineProblem {
                            line,
                            problem: Problem::Repeated { reference: reference.clone(), first: *first },
                        });
                        continue;
                    }
                    seen.insert(reference.clone(), line);
                }
                rows.push(r)
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn row(
    columns: &[Option<Field>],
    record: &csv::StringRecord,
    line: u64,
    offset: FixedOffset,
    now: i64,
) -> Result<Row, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let mut bad = |problem| problems.push(LineProblem { line, problem });
    // A cell's text, each of its lines escaped: a description keeps its line breaks, every
    // other cell is one line (its breaks become spaces).
    let cell = |f: Field| -> Option<String> {
        let i = columns.iter().position(|c| *c == Some(f))?;
        let v = record.get(i)?.trim();
        let lines: Vec<String> = v
            .lines()
            .map(|l| crate::text::escape_unprintable(l.trim_end_matches('\r')).into_owned())
            .collect();
        let joint = if f == Field::Description { "\n" } else { " " };
        (!v.is_empty()).then(|| lines.join(joint))
    };
    for f in columns.iter().flatten() {
        if cell(*f).is_some_and(|v| v.chars().count() > MAX_CELL) {
            bad(Problem::TooLong { field: *f });
        }
    }
    let text = |f: Field, bad: &mut dyn FnMut(Problem)| -> String {
        cell(f).unwrap_or_else(|| {
            bad(Problem::Missing { field: f });
            String::new()
        })
    };
    let caller = text(Field::Caller, &mut bad);
    let summary = text(Field::Summary, &mut bad);
    fn choice<T: Words + std::str::FromStr + Copy>(
        f: Field,
        v: Option<String>,
        all: &[T],
        stored: fn(T) -> &'static str,
        bad: &mut dyn FnMut(Problem),
    ) -> Option<T> {
        let Some(v) = v else {
            bad(Problem::Missing { field: f });
            return None;
        };
        let found = named(all, &v);
        if found.is_none() {
            bad(Problem::Bad { field: f, value: v, accepted: accepted(all, stored) });
        }
        found
    }
    let channel = choice(Field::Channel, cell(Field::Channel), Channel::ALL, Channel::as_str, &mut bad);
    let category = choice(Field::Category, cell(Field::Category), Category::ALL, Category::as_str, &mut bad);
    let impact = choice(Field::Impact, cell(Field::Impact), Level::ALL, Level::as_str, &mut bad);
    let urgency = choice(Field::Urgency, cell(Field::Urgency), Level::ALL, Level::as_str, &mut bad);
    // Without a status, the latest time the line has says where the ticket got to.
    let inferred = if cell(Field::ClosedAt).is_some() {
        Status::Closed
    } else if cell(Field::ResolvedAt).is_some() {
        Status::Resolved
    } else if cell(Field::AcknowledgedAt).is_some() {
        Status::InProgress
    } else {
        Status::New
    };
    let status = match cell(Field::Status) {
        None => Some(inferred),
        Some(v) => choice(Field::Status, Some(v), Status::ALL, Status::as_str, &mut bad),
    };
    let time = |f: Field, bad: &mut dyn FnMut(Problem)| -> Option<i64> {
        let v = cell(f)?;
        let t = parse_time(&v, offset);
        match t {
            None => bad(Problem::BadTime { field: f, value: v }),
            // A little slack for clocks that differ; a time in the future is a typing error.
            Some(t) if t > now + 3600 => bad(Problem::Future { field: f, value: v }),
            Some(_) => {}
        }
        t
    };
    let created = time(Field::CreatedAt, &mut bad);
    if created.is_none() && cell(Field::CreatedAt).is_none() {
        bad(Problem::Missing { field: Field::CreatedAt });
    }
    let acked = time(Field::AcknowledgedAt, &mut bad);
    let resolved = time(Field::ResolvedAt, &mut bad);
    let closed = time(Field::ClosedAt, &mut bad);
    let mut moves = Vec::new();
    if let (Some(created), Some(status)) = (created, status) {
        // Each time follows the one before it.
        let mut last = (created, Field::CreatedAt);
        for (t, f) in
            [(acked, Field::AcknowledgedAt), (resolved, Field::ResolvedAt), (closed, Field::ClosedAt)]
        {
            if let Some(t) = t {
                if t < last.0 {
                    bad(Problem::Order { field: f, before: last.1 });
                }
                last = (t, f);
            }
        }
        let need = |t: Option<i64>, f: Field, bad: &mut dyn FnMut(Problem)| -> i64 {
            t.unwrap_or_else(|| {
                bad(Problem::NeedsTime { status, field: f });
                created
            })
        };
        moves.push((created, Status::New));
        match status {
            Status::New => {}
            Status::Cancelled => moves.push((need(closed, Field::ClosedAt, &mut bad), Status::Cancelled)),
            _ => {
                let ack = need(acked, Field::AcknowledgedAt, &mut bad);
                moves.push((ack, Status::Acknowledged));
                if status != Status::Acknowledged {
                    moves.push((ack, Status::InProgress));
                }
                match status {
                    Status::Pending => moves.push((ack, Status::Pending)),
                    Status::Resolved | Status::Closed => {
                        let r = need(resolved, Field::ResolvedAt, &mut bad);
                        moves.push((r, Status::Resolved));
                        if status == Status::Closed {
                            moves.push((need(closed, Field::ClosedAt, &mut bad), Status::Closed));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let hosts = cell(Field::Hosts)
        .map(|h| h.split([',', '，', ' ', ';', '；']).filter(|s| !s.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    match (channel, category, impact, urgency, problems.is_empty()) {
        (Some(channel), Some(category), Some(impact), Some(urgency), true) => Ok(Row {
            line,
            reference: cell(Field::Reference),
            channel,
            caller,
            phone: cell(Field::Phone),
            unit: cell(Field::Unit),
            category,
            subcategory: cell(Field::Subcategory),
            impact,
            urgency,
            summary,
            description: cell(Field::Description).unwrap_or_default(),
            hosts,
            assignee: cell(Field::Assignee),
            moves,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tickets::sla::china_standard_time;

    /// 2026-12-01 00:00 +08:00.
    const NOW: i64 = 1_796_054_400;

    const SHEET: &str = "编号,来电时间,渠道,报告人,联系电话,单位,类别,影响,紧急,摘要,状态,受理时间,解决时间,关闭时间\n\
        E-001,2026-10-08 09:12,电话,李敏,13812345678,三亚市卫生健康委员会,数据,高,中,人口数据推送失败,已关闭,2026-10-08 09:20,2026-10-08 11:00,2026-10-08 12:00\n\
        E-002,2026/10/09 14:00,email,王海燕,,儋州市民政局,software,low,low,\"报表导出慢, 偶发\",new,,,\n";

    #[test]
    fn a_chinese_sheet_reads_in_utf8_with_a_bom_and_in_gbk() {
        let cst = china_standard_time();
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SHEET.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(SHEET);
        for bytes in [SHEET.as_bytes().to_vec(), bom, gbk.into_owned()] {
            let rows = parse(&bytes, cst, NOW).unwrap();
            assert_eq!(rows.len(), 2);
            let a = &rows[0];
            assert_eq!(
                (a.line, a.reference.as_deref(), a.channel, a.category),
                (2, Some("E-001"), Channel::Phone, Category::Data)
            );
            assert_eq!(
                a.moves.iter().map(|m| m.1).collect::<Vec<_>>(),
                [Status::New, Status::Acknowledged, Status::InProgress, Status::Resolved, Status::Closed]
            );
            assert_eq!(a.moves[0].0, parse_time("2026-10-08T09:12:00+08:00", cst).unwrap());
            assert_eq!(rows[1].summary, "报表导出慢, 偶发");
            assert_eq!(rows[1].moves.len(), 1);
        }
        assert_eq!(decode(SHEET.as_bytes()).unwrap().1, "UTF-8");
        assert_eq!(decode(&encoding_rs::GBK.encode(SHEET).0).unwrap().1, "GBK");
    }

    #[test]
    fn every_bad_line_is_named_with_its_number_and_why() {
        let sheet = "时间,渠道,报告人,类别,影响,紧急,摘要,状态,关闭时间\n\
            2026-10-08 09:12,电话,李敏,数据,高,中,推送失败,new,\n\
            昨天,传真,,数据,特高,中,推送失败,new,\n\
            2026-10-08 09:12,电话,李敏,数据,高,中,推送失败,已关闭,\n\
            2026-10-08 09:12,电话,李敏,数据,高,中,推送失败,cancelled,2026-10-07 09:00\n";
        let problems = parse(sheet.as_bytes(), china_standard_time(), NOW).unwrap_err();
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 3, 3, 3, 4, 4, 4, 5]);
        assert!(matches!(&problems[0].problem, Problem::Missing { field: Field::Caller }), "{problems:?}");
        assert!(problems.iter().any(
            |p| matches!(&p.problem, Problem::Bad { field: Field::Channel, value, .. } if value == "传真")
        ));
        assert!(problems
            .iter()
            .any(|p| matches!(&p.problem, Problem::BadTime { field: Field::CreatedAt, .. })));
        assert!(problems.iter().any(|p| p.line == 4
            && matches!(
                p.problem,
                Problem::NeedsTime { status: Status::Closed, field: Field::AcknowledgedAt }
            )));
        assert!(matches!(
            problems[7].problem,
            Problem::Order { field: Field::ClosedAt, before: Field::CreatedAt }
        ));
        // The header: an unknown heading and a missing column, before any line is read.
        let problems =
            parse("时间,渠道,报告人,类别,影响,摘要,备注栏\n".as_bytes(), china_standard_time(), NOW)
                .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(matches!(&problems[0].problem, Problem::UnknownColumn { heading } if heading == "备注栏"));
        assert!(matches!(problems[1].problem, Problem::MissingColumn { field: Field::Urgency }));
        // Bytes that are neither UTF-8 nor GBK, and a broken quote.
        assert!(matches!(
            parse(b"a,b\n\x81\x20\n", china_standard_time(), NOW).unwrap_err()[0].problem,
            Problem::Encoding { byte: 4 }
        ));
        let long =
            "时间,渠道,报告人,类别,影响,紧急,摘要\n2026-10-08,电话,李敏,数据,高,中,推送失败,多出来的\n";
        let p = parse(long.as_bytes(), china_standard_time(), NOW).unwrap_err();
        assert!(
            matches!(p[0], LineProblem { line: 2, problem: Problem::Cells { found: 8, header: 7 } }),
            "{p:?}"
        );
        let short = "时间,渠道,报告人,类别,影响,紧急,摘要\n2026-10-08,电话,李敏,数据,高,中\n";
        let p = parse(short.as_bytes(), china_standard_time(), NOW).unwrap_err();
        assert!(
            matches!(p[0], LineProblem { line: 2, problem: Problem::Missing { field: Field::Summary } }),
            "{p:?}"
        );
        // The same reference twice.
        let twice = "编号,时间,渠道,报告人,类别,影响,紧急,摘要\nA,2026-10-08,电话,李敏,数据,高,中,x\nA,2026-10-08,电话,李敏,数据,高,中,y\n";
        assert!(matches!(
            &parse(twice.as_bytes(), china_standard_time(), NOW).unwrap_err()[0].problem,
            Problem::Repeated { first: 2, .. }
        ));
    }

    #[test]
    fn an_export_reads_back_the_status_follows_the_times_and_the_future_is_refused() {
        let cst = china_standard_time();
        // `ticket export`'s own header: its derived columns are read past.
        let export = "id,created_at,channel,caller,caller_phone,unit,category,subcategory,impact,urgency,priority,status,assignee,escalation_level,summary,description,hosts,acknowledged_at,resolved_at,closed_at,response_met,resolution_met,paused_s\n\
            YW-20261008-001,2026-10-08T09:12:00+08:00,phone,李敏,138****5678,三亚市卫生健康委员会,data,,high,medium,P2,closed,王工,0,推送失败,\"第一行\n第二行\",db1;app2,2026-10-08T09:20:00+08:00,2026-10-08T11:00:00+08:00,2026-10-08T12:00:00+08:00,true,true,0\n";
        let rows = parse(export.as_bytes(), cst, NOW).unwrap();
        assert_eq!(rows[0].reference.as_deref(), Some("YW-20261008-001"));
        assert_eq!(rows[0].description, "第一行\n第二行", "line breaks are kept");
        assert_eq!(rows[0].hosts, ["db1", "app2"]);
        assert_eq!(rows[0].moves.last().map(|m| m.1), Some(Status::Closed));
        // No status column: the latest time says where it got to.
        let sheet = "时间,渠道,报告人,类别,影响,紧急,摘要,受理时间,解决时间\n\
            2026-10-08 09:00,电话,李敏,数据,高,中,甲,2026-10-08 09:10,2026-10-08 10:00\n\
            2026-10-08 09:00,电话,李敏,数据,高,中,乙,2026-10-08 09:10,\n\
            2026-10-08 09:00,电话,李敏,数据,高,中,丙,,\n";
        let last: Vec<Status> = parse(sheet.as_bytes(), cst, NOW)
            .unwrap()
            .iter()
            .map(|r| r.moves.last().map(|m| m.1).unwrap_or(Status::New))
            .collect();
        assert_eq!(last, [Status::Resolved, Status::InProgress, Status::New]);
        let future = "时间,渠道,报告人,类别,影响,紧急,摘要\n2027-03-01 09:00,电话,李敏,数据,高,中,甲\n";
        let p = parse(future.as_bytes(), cst, NOW).unwrap_err();
        assert!(matches!(&p[0].problem, Problem::Future { field: Field::CreatedAt, .. }), "{p:?}");
    }
}
