//! `yunwei ticket …`: the ticket queue from the command line, for scripts and for a call taken
//! away from the console. Every subcommand prints the ticket(s) it touched (`--json` for
//! scripts); exit 0 when done, 1 when `verify` finds a broken history, 2 for invalid input (a
//! refused move names the allowed ones), 3 when the ticket changed since the version given with
//! `--expect-version`. The SQL is in `store::tickets`, the rules in `tickets`.

use chrono::{FixedOffset, TimeZone};
use serde_json::{json, Value};

use crate::cli::errors::{print_clean, say};
use crate::cli::Global;
use crate::i18n::{tr, Lang};
use crate::store::tickets::{Imported, NewTicket, Note, Ticket, TicketError, TicketEvent, TicketFilter};
use crate::store::{Access, Store};
use crate::tickets::import;
use crate::tickets::sla::{self, Clock, Clocks, SlaPolicy};
use crate::tickets::{Category, Channel, Level, Priority, Status, UnknownName};

/// The arguments of `yunwei ticket`.
#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct TicketArgs {
    #[command(subcommand)]
    pub command: TicketCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TicketCommand {
    /// Record a new ticket and print it with its number
    Add(AddArgs),
    /// List tickets, most urgent first (open ones unless --all or --status)
    List(ListArgs),
    /// Show a ticket with its notes, SLA clocks and history
    Show(ShowArgs),
    /// Move a ticket along its workflow
    Move(MoveArgs),
    /// Assign a ticket to an engineer
    Assign(AssignArgs),
    /// Escalate a ticket: raise its level and reassign it, with the reason
    Escalate(EscalateArgs),
    /// Add a note to a ticket
    Note(NoteArgs),
    /// Check every ticket's hash-chained history; exit 1 at the first broken chain
    Verify(VerifyArgs),
    /// Write tickets as CSV (UTF-8 with a byte-order mark, for spreadsheets) to standard output
    Export(ExportArgs),
    /// Import the team's existing sheet (CSV with a header, UTF-8 or GBK): all of it or nothing
    Import(ImportArgs),
}

impl TicketCommand {
    pub fn name(&self) -> &'static str {
        match self {
            TicketCommand::Add(_) => "ticket add",
            TicketCommand::List(_) => "ticket list",
            TicketCommand::Show(_) => "ticket show",
            TicketCommand::Move(_) => "ticket move",
            TicketCommand::Assign(_) => "ticket assign",
            TicketCommand::Escalate(_) => "ticket escalate",
            TicketCommand::Note(_) => "ticket note",
            TicketCommand::Verify(_) => "ticket verify",
            TicketCommand::Export(_) => "ticket export",
            TicketCommand::Import(_) => "ticket import",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct AddArgs {
    /// How the request came: phone, email, onsite, remote, monitoring
    #[arg(long, value_name = "CHANNEL")]
    pub channel: String,
    /// Who called
    #[arg(long, value_name = "NAME")]
    pub caller: String,
    /// The caller's phone number
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// The calling office
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// network, security, software, data, server
    #[arg(long, value_name = "CATEGORY")]
    pub category: String,
    /// A finer category, free text
    #[arg(long, value_name = "TEXT")]
    pub subcategory: Option<String>,
    /// high, medium, low
    #[arg(long, value_name = "LEVEL")]
    pub impact: String,
    /// high, medium, low
    #[arg(long, value_name = "LEVEL")]
    pub urgency: String,
    /// One line saying what is wrong
    #[arg(long, value_name = "TEXT")]
    pub summary: String,
    /// The whole story
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub description: String,
    /// A host concerned (repeatable)
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// The engineer it goes to
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// A tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The alert it comes from
    #[arg(long = "alert", value_name = "ID")]
    pub alert_id: Option<i64>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Only this status (repeatable)
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// Only tickets past a running SLA clock
    #[arg(long)]
    pub overdue: bool,
    /// Only this engineer's tickets
    #[arg(long, value_name = "NAME")]
    pub assignee: Option<String>,
    /// Only this category
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// Only this priority (P1 to P4)
    #[arg(long, value_name = "PRIORITY")]
    pub priority: Option<String>,
    /// Tickets whose summary, description or notes hold every word (Chinese included)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Closed and cancelled tickets too
    #[arg(long)]
    pub all: bool,
    /// At most N tickets
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Show phone numbers unmasked (written to the audit log)
    #[arg(long)]
    pub no_mask: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// The ticket's number (YW-20261127-003) or id
    #[arg(value_name = "ID")]
    pub id: String,
    /// Show phone numbers unmasked (written to the audit log)
    #[arg(long)]
    pub no_mask: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct MoveArgs {
    /// The ticket's number or id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The new status: acknowledged, in_progress, pending, resolved, closed, cancelled
    #[arg(long, value_name = "STATUS")]
    pub to: String,
    /// A note recorded with the move
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Refuse (exit 3) if the ticket is no longer at this version
    #[arg(long, value_name = "N")]
    pub expect_version: Option<i64>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AssignArgs {
    /// The ticket's number or id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The engineer it goes to
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// Refuse (exit 3) if the ticket is no longer at this version
    #[arg(long, value_name = "N")]
    pub expect_version: Option<i64>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct EscalateArgs {
    /// The ticket's number or id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The second-line engineer it goes to
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// Why it is escalated
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Refuse (exit 3) if the ticket is no longer at this version
    #[arg(long, value_name = "N")]
    pub expect_version: Option<i64>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct NoteArgs {
    /// The ticket's number or id
    #[arg(value_name = "ID")]
    pub id: String,
    /// The note
    #[arg(long, value_name = "TEXT")]
    pub text: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The format: csv
    #[arg(long, value_name = "FORMAT", default_value = "csv")]
    pub format: String,
    /// Tickets created on or after this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Tickets created on or before this day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Show phone numbers unmasked (written to the audit log)
    #[arg(long)]
    pub no_mask: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The sheet: CSV with a header line, in UTF-8 or GBK
    #[arg(value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// Check the sheet and say what would be imported, writing nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// What a command works with: the language, the operator, the clock and the SLA policy.
struct Ctx {
    lang: Lang,
    operator: String,
    now: i64,
    policy: SlaPolicy,
    offset: FixedOffset,
}

/// The clock: `$YUNWEI_NOW` (RFC 3339) for drills and tests, else the system's.
pub(crate) fn now(lang: Lang) -> Result<i64, String> {
    match std::env::var("YUNWEI_NOW") {
        Ok(v) if !v.trim().is_empty() => {
            chrono::DateTime::parse_from_rfc3339(v.trim()).map(|t| t.timestamp()).map_err(|e| {
                tr(
                    lang,
                    format!(
                        "YUNWEI_NOW={v:?} is not an RFC 3339 time such as 2026-11-27T01:00:00+08:00 ({e})"
                    ),
                    format!("YUNWEI_NOW={v:?} 不是 RFC 3339 时间（例如 2026-11-27T01:00:00+08:00）：{e}"),
                )
            })
        }
        _ => Ok(chrono::Utc::now().timestamp()),
    }
}

use crate::cli::rfc3339;

fn short_time(ts: i64, offset: FixedOffset) -> String {
    match offset.timestamp_opt(ts, 0).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => ts.to_string(),
    }
}

pub fn run(g: &Global, args: &TicketArgs) -> i32 {
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let now = match now(lang) {
        Ok(now) => now,
        Err(e) => {
            say(name, &e);
            return 2;
        }
    };
    let policy = cfg.tickets.sla.clone();
    let ctx = Ctx {
        lang,
        operator: crate::store::audit::resolve_operator(cfg.general.operator.as_deref()),
        now,
        offset: policy.calendar.offset,
        policy,
    };
    let (path, options) = crate::cli::db_options(g, Access::Write);
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    match dispatch(&mut store, &ctx, &args.command) {
        Ok(code) => code,
        Err(Failure { code, message }) => {
            say(name, &message);
            code
        }
    }
}

fn dispatch(store: &mut Store, ctx: &Ctx, command: &TicketCommand) -> Outcome {
    match command {
        TicketCommand::Add(a) => add(store, ctx, a),
        TicketCommand::List(a) => list(store, ctx, a),
        TicketCommand::Show(a) => show(store, ctx, a),
        TicketCommand::Move(a) => {
            let to = parse::<Status>(ctx.lang, "--to", &a.to)?;
            let r = store.move_ticket(&a.id, to, a.note.as_deref(), a.expect_version, &ctx.operator, ctx.now);
            changed(store, ctx, a.json, r)
        }
        TicketCommand::Assign(a) => {
            let r = store.assign_ticket(&a.id, &a.to, a.expect_version, &ctx.operator, ctx.now);
            changed(store, ctx, a.json, r)
        }
        TicketCommand::Escalate(a) => {
            let r = store.escalate_ticket(&a.id, &a.to, &a.reason, a.expect_version, &ctx.operator, ctx.now);
            changed(store, ctx, a.json, r)
        }
        TicketCommand::Note(a) => note(store, ctx, a),
        TicketCommand::Verify(a) => verify(store, ctx, a),
        TicketCommand::Export(a) => export(store, ctx, a),
        TicketCommand::Import(a) => import(store, ctx, a),
    }
}

/// What is wrong with a line of an imported sheet, in the reader's language.
fn problem_text(p: &import::Problem, headings: &[(import::Field, String)], lang: Lang) -> String {
    use import::Problem as P;
    // A column by the sheet's own heading for it (else its English name).
    let f = |field: &import::Field| {
        headings
            .iter()
            .find(|(x, _)| x == field)
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| field.name().to_string())
    };
    match p {
        P::Encoding { byte } => tr(
            lang,
            format!("neither UTF-8 nor GBK (the first byte that is neither is at offset {byte}); save the sheet as CSV UTF-8"),
            format!("既不是 UTF-8 也不是 GBK 编码（第一个无法识别的字节在偏移 {byte} 处）；请另存为 CSV UTF-8"),
        ),
        P::Empty => tr(lang, "the file is empty: a sheet needs its header line", "文件为空：表格须有标题行"),
        P::UnknownColumn { heading } => tr(
            lang,
            format!("no column is called “{heading}”; the columns are: {}", import::known_headings()),
            format!("没有名为“{heading}”的列；可用的列名：{}", import::known_headings()),
        ),
        P::Future { field, value } => tr(
            lang,
            format!("{} “{value}” is in the future", f(field)),
            format!("{} “{value}” 晚于当前时间", f(field)),
        ),
        P::TwiceColumn { field } => {
            tr(lang, format!("the column {} is there twice", f(field)), format!("列 {} 出现了两次", f(field)))
        }
        P::MissingColumn { field } => {
            tr(lang, format!("the sheet has no {} column", f(field)), format!("表格缺少 {} 列", f(field)))
        }
        P::Cells { found, header } => tr(
            lang,
            format!("{found} cells, but the header has {header} headings (a comma in a text not in quotes?)"),
            format!("有 {found} 个单元格，但标题行只有 {header} 列（文字中的逗号没有加引号？）"),
        ),
        P::Csv { reason } => tr(lang, format!("not read as CSV: {reason}"), format!("无法按 CSV 读取：{reason}")),
        P::Missing { field } => tr(lang, format!("{} is empty", f(field)), format!("{} 为空", f(field))),
        P::Bad { field, value, accepted } => tr(
            lang,
            format!("{} “{value}” is none of: {accepted}", f(field)),
            format!("{} “{value}” 不在可用值之内：{accepted}", f(field)),
        ),
        P::BadTime { field, value } => tr(
            lang,
            format!("{} “{value}” is not a time (YYYY-MM-DD HH:MM, YYYY/MM/DD HH:MM or RFC 3339)", f(field)),
            format!("{} “{value}” 不是时间（应为 YYYY-MM-DD HH:MM、YYYY/MM/DD HH:MM 或 RFC 3339）", f(field)),
        ),
        P::Order { field, before } => tr(
            lang,
            format!("{} is before {}", f(field), f(before)),
            format!("{} 早于 {}", f(field), f(before)),
        ),
        P::NeedsTime { status, field } => tr(
            lang,
            format!("a ticket that is {status} needs its {}", f(field)),
            format!("状态为 {status} 的工单须填写 {}", f(field)),
        ),
        P::TooLong { field } => tr(
            lang,
            format!("{} is longer than 20,000 characters", f(field)),
            format!("{} 超过 20,000 个字符", f(field)),
        ),
        P::TooManyRows => tr(
            lang,
            format!("more than {} lines: split the sheet", import::MAX_ROWS),
            format!("超过 {} 行：请拆分表格", import::MAX_ROWS),
        ),
        P::Repeated { reference, first } => tr(
            lang,
            format!("{reference} is on line {first} already"),
            format!("{reference} 已在第 {first} 行出现"),
        ),
    }
}

fn import(store: &mut Store, ctx: &Ctx, a: &ImportArgs) -> Outcome {
    let lang = ctx.lang;
    let shown = crate::text::escape_unprintable(&a.file.display().to_string()).into_owned();
    let bytes = std::fs::read(&a.file).map_err(|e| Failure {
        code: 2,
        message: tr(
            lang,
            format!("{shown}: cannot be read: {}", crate::i18n::io_error(&e, lang)),
            format!("{shown}：无法读取：{}", crate::i18n::io_error(&e, lang)),
        ),
    })?;
    // Decoded once: the rows, the encoding said, and the headings the messages use.
    let decoded = import::decode(&bytes).map_err(|problem| vec![import::LineProblem { line: 0, problem }]);
    let (encoding, headings) = match &decoded {
        Ok((text, encoding)) => (*encoding, import::sheet_headings(text)),
        Err(_) => ("-", Vec::new()),
    };
    let rows = match decoded.and_then(|(text, _)| import::parse_text(&text, ctx.offset, ctx.now)) {
        Ok(rows) => rows,
        Err(problems) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|p| match p.line {
                    0 => format!("{shown}: {}", problem_text(&p.problem, &headings, lang)),
                    n => format!("{shown}:{n}: {}", problem_text(&p.problem, &headings, lang)),
                })
                .collect();
            let bad_lines: std::collections::BTreeSet<u64> =
                problems.iter().map(|p| p.line).filter(|l| *l > 0).collect();
            let tail = tr(
                lang,
                format!(
                    "{shown}: {} problems on {} lines; nothing was imported",
                    problems.len(),
                    bad_lines.len()
                ),
                format!("{shown}：{} 行共 {} 处问题；未导入任何工单", bad_lines.len(), problems.len()),
            );
            return Err(Failure { code: 2, message: format!("{}\n{tail}", lines.join("\n")) });
        }
    };
    let imported: Vec<Imported> = rows
        .into_iter()
        .map(|r| Imported {
            line: r.line,
            new: NewTicket {
                channel: Some(r.channel),
                caller: r.caller,
                caller_phone: r.phone,
                unit: r.unit,
                category: Some(r.category),
                subcategory: r.subcategory,
                impact: Some(r.impact),
                urgency: Some(r.urgency),
                summary: r.summary,
                description: r.description,
                hosts: r.hosts,
                alert_id: None,
                assignee: r.assignee,
                tags: Vec::new(),
            },
            moves: r.moves,
            reference: r.reference,
        })
        .collect();
    if a.dry_run {
        // The check the import itself makes: a line imported before refuses the sheet.
        for r in &imported {
            let Some(reference) = &r.reference else { continue };
            if let Some(number) = store.imported_before(reference).map_err(|e| store_failure(ctx, e))? {
                return Err(Failure {
                    code: 2,
                    message: tr(
                        lang,
                        format!("line {}: {reference} was imported before, as {number}; nothing would be imported", r.line),
                        format!("第 {} 行：{reference} 已导入过（工单 {number}）；不会导入任何工单", r.line),
                    ),
                });
            }
        }
        let text = tr(
            lang,
            format!(
                "{shown} ({encoding}): {} tickets would be imported; nothing was written",
                imported.len()
            ),
            format!("{shown}（{encoding}）：可导入 {} 张工单；未写入任何内容", imported.len()),
        );
        if a.json {
            println!(
                "{}",
                json!({"file": a.file, "encoding": encoding, "tickets": imported.len(), "written": false})
            );
        } else {
            print_clean(&text);
        }
        return Ok(0);
    }
    let numbers = store.import_tickets(&imported, &ctx.operator, ctx.offset).map_err(|e| failure(ctx, e))?;
    if a.json {
        println!(
            "{}",
            json!({"file": a.file, "encoding": encoding, "tickets": numbers.len(), "numbers": numbers, "written": true})
        );
    } else {
        let range = match (numbers.first(), numbers.last()) {
            (Some(a), Some(b)) if a != b => tr(lang, format!(" ({a} … {b})"), format!("（{a} … {b}）")),
            (Some(a), _) => tr(lang, format!(" ({a})"), format!("（{a}）")),
            _ => String::new(),
        };
        print_clean(&tr(
            lang,
            format!(
                "{shown} ({encoding}): {} imported{range}",
                if numbers.len() == 1 {
                    "1 ticket".to_string()
                } else {
                    format!("{} tickets", numbers.len())
                }
            ),
            format!("{shown}（{encoding}）：已导入 {} 张工单{range}", numbers.len()),
        ));
    }
    Ok(0)
}

/// The start of a local day (in the calendar's offset) as Unix seconds.
fn day_start(ctx: &Ctx, option: &str, text: &str) -> Result<i64, Failure> {
    crate::cli::day_start(text, option, ctx.offset, ctx.lang).map_err(|message| Failure { code: 2, message })
}

const EXPORT_COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "channel",
    "caller",
    "caller_phone",
    "unit",
    "category",
    "subcategory",
    "impact",
    "urgency",
    "priority",
    "status",
    "assignee",
    "escalation_level",
    "summary",
    "description",
    "hosts",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "response_met",
    "resolution_met",
    "paused_s",
];

fn export(store: &Store, ctx: &Ctx, a: &ExportArgs) -> Outcome {
    if !a.format.eq_ignore_ascii_case("csv") {
        return Err(Failure {
            code: 2,
            message: tr(
                ctx.lang,
                format!("--format {:?} is not one of: csv", a.format),
                format!("--format {:?} 无效，可选：csv", a.format),
            ),
        });
    }
    let from = a.from.as_deref().map(|d| day_start(ctx, "--from", d)).transpose()?;
    let to = a.to.as_deref().map(|d| day_start(ctx, "--to", d).map(|t| t + 86_400)).transpose()?;
    let filter = TicketFilter { all: true, from, to, descriptions: true, ..Default::default() };
    let mut tickets = store.tickets(&filter).map_err(|e| store_failure(ctx, e))?;
    tickets.sort_by_key(|t| (t.created_at, t.id));
    if a.no_mask {
        audit_unmasked(store, ctx, "ticket export", &format!("{} tickets", tickets.len()));
    }
    let o = ctx.offset;
    let time = |t: Option<i64>| t.map(|t| rfc3339(t, o)).unwrap_or_default();
    let met = |m: Option<bool>| m.map(|m| m.to_string()).unwrap_or_default();
    let mut out = String::from("\u{feff}");
    out.push_str(&EXPORT_COLUMNS.join(","));
    out.push_str("\r\n");
    for t in &tickets {
        let c = clocks_of(ctx, t);
        let row = [
            t.number.clone(),
            rfc3339(t.created_at, o),
            t.channel.to_string(),
            t.caller.clone(),
            phone(t, a.no_mask).unwrap_or_default(),
            t.unit.clone().unwrap_or_default(),
            t.category.to_string(),
            t.subcategory.clone().unwrap_or_default(),
            t.impact.to_string(),
            t.urgency.to_string(),
            t.priority.to_string(),
            t.status.to_string(),
            t.assignee.clone().unwrap_or_default(),
            t.escalation_level.to_string(),
            t.summary.clone(),
            t.description.clone(),
            t.hosts.join(";"),
            time(t.acknowledged_at),
            time(t.resolved_at),
            time(t.closed_at),
            met(c.response.met),
            met(c.resolution.met),
            c.paused_s.to_string(),
        ];
        out.push_str(&row.iter().map(|f| crate::text::csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure { code: 2, message: crate::i18n::io_error(&e, ctx.lang) })?;
    Ok(0)
}

/// A command that did not do its work: what to say and the exit code.
struct Failure {
    code: i32,
    message: String,
}

type Outcome = Result<i32, Failure>;

fn parse<T: std::str::FromStr<Err = UnknownName>>(
    lang: Lang,
    option: &str,
    value: &str,
) -> Result<T, Failure> {
    value.parse().map_err(|e: UnknownName| Failure {
        code: 2,
        message: tr(
            lang,
            format!("{option} {:?} is not one of: {}", e.given, e.allowed),
            format!("{option} {:?} 无效，可选：{}", e.given, e.allowed),
        ),
    })
}

fn failure(ctx: &Ctx, e: TicketError) -> Failure {
    Failure { code: e.exit_code(), message: e.said(ctx.offset).get(ctx.lang).to_string() }
}

fn store_failure(ctx: &Ctx, e: crate::store::StoreError) -> Failure {
    Failure { code: 2, message: e.text(ctx.lang) }
}

fn add(store: &mut Store, ctx: &Ctx, a: &AddArgs) -> Outcome {
    let lang = ctx.lang;
    let new = NewTicket {
        channel: Some(parse::<Channel>(lang, "--channel", &a.channel)?),
        caller: a.caller.clone(),
        caller_phone: a.phone.clone(),
        unit: a.unit.clone(),
        category: Some(parse::<Category>(lang, "--category", &a.category)?),
        subcategory: a.subcategory.clone(),
        impact: Some(parse::<Level>(lang, "--impact", &a.impact)?),
        urgency: Some(parse::<Level>(lang, "--urgency", &a.urgency)?),
        summary: a.summary.clone(),
        description: a.description.clone(),
        hosts: a.hosts.clone(),
        alert_id: a.alert_id,
        assignee: a.assignee.clone(),
        tags: a.tags.clone(),
    };
    let t = store.create_ticket(&new, &ctx.operator, ctx.now, ctx.offset).map_err(|e| failure(ctx, e))?;
    print_ticket(store, ctx, &t, a.json, false, false)
}

fn changed(store: &Store, ctx: &Ctx, json: bool, r: Result<Ticket, TicketError>) -> Outcome {
    let t = r.map_err(|e| failure(ctx, e))?;
    print_ticket(store, ctx, &t, json, false, false)
}

fn note(store: &mut Store, ctx: &Ctx, a: &NoteArgs) -> Outcome {
    let n = store.note_ticket(&a.id, &a.text, &ctx.operator, ctx.now).map_err(|e| failure(ctx, e))?;
    if a.json {
        println!("{}", note_json(&n, ctx.offset));
    } else {
        print_clean(&format!("{} {} {}", short_time(n.created_at, ctx.offset), n.author, n.text));
    }
    Ok(0)
}

fn clocks_of(ctx: &Ctx, t: &Ticket) -> Clocks {
    sla::clocks(&ctx.policy, t.priority, &t.timeline, ctx.now)
}

fn urgency_key(ctx: &Ctx, t: &Ticket) -> (i64, i64, usize, i64) {
    sla::urgency_key(&clocks_of(ctx, t), t.priority, t.created_at, ctx.now)
}

fn list(store: &Store, ctx: &Ctx, a: &ListArgs) -> Outcome {
    let lang = ctx.lang;
    let mut statuses = Vec::new();
    for s in &a.statuses {
        statuses.push(parse::<Status>(lang, "--status", s)?);
    }
    let filter = TicketFilter {
        statuses,
        assignee: a.assignee.clone(),
        category: a.category.as_deref().map(|c| parse::<Category>(lang, "--category", c)).transpose()?,
        priority: a.priority.as_deref().map(|p| parse::<Priority>(lang, "--priority", p)).transpose()?,
        search: a.search.clone(),
        all: a.all,
        limit: None,
        descriptions: a.json,
        from: None,
        to: None,
    };
    let mut tickets = store.tickets(&filter).map_err(|e| store_failure(ctx, e))?;
    if a.overdue {
        tickets.retain(|t| {
            let c = clocks_of(ctx, t);
            (c.response.running && c.response.breached()) || (c.resolution.running && c.resolution.breached())
        });
    }
    tickets.sort_by_cached_key(|t| urgency_key(ctx, t));
    if let Some(limit) = a.limit {
        tickets.truncate(limit);
    }
    if a.no_mask {
        audit_unmasked(store, ctx, "ticket list", &format!("{} tickets", tickets.len()));
    }
    if a.json {
        let rows: Vec<Value> = tickets.iter().map(|t| ticket_json(ctx, t, a.no_mask)).collect();
        println!("{}", Value::Array(rows));
        return Ok(0);
    }
    if tickets.is_empty() {
        print_clean(&tr(lang, "no tickets", "没有工单"));
        return Ok(0);
    }
    for t in &tickets {
        let c = clocks_of(ctx, t);
        // A P1 stands out in the list too (without colour), in a column of its own width.
        let priority =
            if t.priority == Priority::P1 { "‼P1".to_string() } else { format!(" {}", t.priority) };
        // English lists the name `--status` and `--to` take; Chinese, the word.
        let status = match lang {
            Lang::En => t.status.as_str(),
            Lang::ZhCn => crate::ticket_words::status(t.status, lang),
        };
        print_clean(&format!(
            "{}  {}  {}  {}  {}",
            t.number,
            priority,
            yunwei_widgets::width::pad_right(status, 12),
            clock_word(ctx, &c),
            t.summary
        ));
    }
    Ok(0)
}

/// The clock that matters now, in words: the response while unacknowledged, else the resolution.
fn clock_word(ctx: &Ctx, c: &Clocks) -> String {
    let lang = ctx.lang;
    let k = if c.response.running { &c.response } else { &c.resolution };
    let (label_en, label_zh) =
        if c.response.running { ("response", "响应") } else { ("resolution", "解决") };
    clock_text(ctx, k, label_en, label_zh, lang)
}

fn clock_text(ctx: &Ctx, k: &Clock, label_en: &str, label_zh: &str, lang: Lang) -> String {
    match (k.met, k.running, k.paused, k.due) {
        (Some(true), ..) => tr(lang, format!("{label_en} met"), format!("{label_zh}达标")),
        (Some(false), ..) => tr(lang, format!("{label_en} breached"), format!("{label_zh}超时")),
        (None, _, true, _) => tr(lang, format!("{label_en} paused"), format!("{label_zh}暂停")),
        (None, true, _, Some(due)) if due >= ctx.now => {
            let left = yunwei_widgets::fmt::duration((due - ctx.now).max(0) as u64);
            tr(lang, format!("{label_en} {left} left"), format!("{label_zh}剩余 {left}"))
        }
        (None, true, _, Some(due)) => {
            let over = yunwei_widgets::fmt::duration((ctx.now - due).max(0) as u64);
            tr(lang, format!("{label_en} overdue {over}"), format!("{label_zh}已超时 {over}"))
        }
        _ => tr(lang, format!("{label_en} -"), format!("{label_zh} -")),
    }
}

fn show(store: &Store, ctx: &Ctx, a: &ShowArgs) -> Outcome {
    let t = store
        .ticket(&a.id)
        .map_err(|e| store_failure(ctx, e))?
        .ok_or_else(|| failure(ctx, TicketError::NotFound(a.id.clone())))?;
    if a.no_mask {
        audit_unmasked(store, ctx, "ticket show", &t.number);
    }
    print_ticket(store, ctx, &t, a.json, true, a.no_mask)
}

/// An unmasked view of personal data is written to the audit log.
fn audit_unmasked(store: &Store, ctx: &Ctx, action: &str, target: &str) {
    if let Err(e) = store.audit(&ctx.operator, &format!("{action} --no-mask"), target, "") {
        say(action, &e.text(ctx.lang));
    }
}

fn phone(t: &Ticket, unmasked: bool) -> Option<String> {
    t.caller_phone.as_deref().map(|p| {
        if unmasked {
            p.to_string()
        } else {
            crate::logs::mask::mask(p).into_owned()
        }
    })
}

fn clock_json(k: &Clock, offset: FixedOffset) -> Value {
    json!({
        "due": k.due.map(|d| rfc3339(d, offset)),
        "used_s": k.used_s,
        "target_s": k.target_s,
        "met": k.met,
        "running": k.running,
        "paused": k.paused,
    })
}

fn note_json(n: &Note, offset: FixedOffset) -> Value {
    json!({"id": n.id, "author": n.author, "text": n.text, "created_at": rfc3339(n.created_at, offset)})
}

fn event_json(e: &TicketEvent, offset: FixedOffset) -> Value {
    json!({"seq": e.seq, "at": rfc3339(e.at, offset), "actor": e.actor, "field": e.field, "from": e.from, "to": e.to})
}

fn ticket_json(ctx: &Ctx, t: &Ticket, unmasked: bool) -> Value {
    let o = ctx.offset;
    let c = clocks_of(ctx, t);
    json!({
        "id": t.number,
        "number": t.number,
        "row_id": t.id,
        "channel": t.channel,
        "caller": t.caller,
        "caller_phone": phone(t, unmasked),
        "unit": t.unit,
        "category": t.category,
        "subcategory": t.subcategory,
        "impact": t.impact,
        "urgency": t.urgency,
        "priority": t.priority,
        "summary": t.summary,
        "description": t.description,
        "hosts": t.hosts,
        "alert_id": t.alert_id,
        "assignee": t.assignee,
        "escalation_level": t.escalation_level,
        "status": t.status,
        "created_at": rfc3339(t.created_at, o),
        "acknowledged_at": t.acknowledged_at.map(|x| rfc3339(x, o)),
        "resolved_at": t.resolved_at.map(|x| rfc3339(x, o)),
        "closed_at": t.closed_at.map(|x| rfc3339(x, o)),
        "updated_at": rfc3339(t.updated_at, o),
        "updated_by": t.updated_by,
        "version": t.version,
        "tags": t.tags,
        "sla": {
            "response_due": c.response.due.map(|d| rfc3339(d, o)),
            "resolution_due": c.resolution.due.map(|d| rfc3339(d, o)),
            "response_met": c.response.met,
            "resolution_met": c.resolution.met,
            "paused_s": c.paused_s,
            "response": clock_json(&c.response, o),
            "resolution": clock_json(&c.resolution, o),
        },
    })
}

/// A history event's value: a status by its word in Chinese, "-" for none.
fn history_value(field: &str, value: Option<&str>, lang: Lang) -> String {
    match (value, lang) {
        (None, _) => "-".to_string(),
        (Some(v), Lang::ZhCn) if field == "status" => match v.parse::<Status>() {
            Ok(s) => crate::ticket_words::status(s, lang).to_string(),
            Err(_) => v.to_string(),
        },
        (Some(v), _) => v.to_string(),
    }
}

/// A name in English (what is typed), its word in Chinese.
fn word<'a>(lang: Lang, name: &'a str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => name,
        Lang::ZhCn => zh,
    }
}

fn print_ticket(store: &Store, ctx: &Ctx, t: &Ticket, json: bool, full: bool, unmasked: bool) -> Outcome {
    let lang = ctx.lang;
    let o = ctx.offset;
    let (notes, history) = if full {
        (
            store.ticket_notes(t.id).map_err(|e| store_failure(ctx, e))?,
            store.ticket_history(t.id).map_err(|e| store_failure(ctx, e))?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    if json {
        let mut v = ticket_json(ctx, t, unmasked);
        if full {
            v["notes"] = Value::Array(notes.iter().map(|n| note_json(n, o)).collect());
            v["history"] = Value::Array(history.iter().map(|e| event_json(e, o)).collect());
        }
        println!("{v}");
        return Ok(0);
    }
    let c = clocks_of(ctx, t);
    let dash = || "-".to_string();
    let mut lines = vec![
        format!(
            "{}  {}{}  {}  {}",
            t.number,
            if t.priority == Priority::P1 { "‼" } else { "" },
            t.priority,
            crate::ticket_words::status_named(t.status, lang),
            tr(lang, format!("(version {})", t.version), format!("（版本 {}）", t.version))
        ),
        format!("{}{}", tr(lang, "summary: ", "摘要："), t.summary),
        format!(
            "{}{} {} · {}",
            tr(lang, "caller: ", "报告人："),
            t.caller,
            phone(t, unmasked).unwrap_or_else(dash),
            t.unit.clone().unwrap_or_else(dash)
        ),
        format!(
            "{} {} · {} {} · {} {} · {} {}",
            tr(lang, "channel", "渠道"),
            word(lang, t.channel.as_str(), crate::ticket_words::channel(t.channel, lang)),
            tr(lang, "category", "类别"),
            word(lang, t.category.as_str(), crate::ticket_words::category(t.category, lang)),
            tr(lang, "impact", "影响"),
            word(lang, t.impact.as_str(), crate::ticket_words::level(t.impact, lang)),
            tr(lang, "urgency", "紧急"),
            word(lang, t.urgency.as_str(), crate::ticket_words::level(t.urgency, lang))
        ),
        format!(
            "{}{} · {} {} · {}{}",
            tr(lang, "assignee: ", "处理人："),
            t.assignee.clone().unwrap_or_else(dash),
            tr(lang, "escalation level", "升级级别"),
            t.escalation_level,
            tr(lang, "hosts: ", "主机："),
            if t.hosts.is_empty() { dash() } else { t.hosts.join(", ") }
        ),
        format!("{}{}", tr(lang, "created: ", "创建："), short_time(t.created_at, o)),
        format!(
            "{}  ({} {})",
            clock_text(ctx, &c.response, "response", "响应", lang),
            tr(lang, "due", "期限"),
            c.response.due.map(|d| short_time(d, o)).unwrap_or_else(dash)
        ),
        format!(
            "{}  ({} {}, {} {})",
            clock_text(ctx, &c.resolution, "resolution", "解决", lang),
            tr(lang, "due", "期限"),
            c.resolution.due.map(|d| short_time(d, o)).unwrap_or_else(dash),
            tr(lang, "paused", "暂停"),
            yunwei_widgets::fmt::duration(c.paused_s.max(0) as u64)
        ),
    ];
    if !t.description.is_empty() {
        lines.push(format!("{}{}", tr(lang, "description: ", "描述："), t.description));
    }
    if full {
        lines.push(tr(lang, "notes:", "备注："));
        for n in &notes {
            lines.push(format!("  {} {}: {}", short_time(n.created_at, o), n.author, n.text));
        }
        lines.push(tr(lang, "history:", "历史："));
        for e in &history {
            lines.push(format!(
                "  {} {} {}{} {} → {}",
                short_time(e.at, o),
                e.actor,
                crate::ticket_words::history_field(&e.field, lang),
                tr(lang, ":", "："),
                history_value(&e.field, e.from.as_deref(), lang),
                history_value(&e.field, e.to.as_deref(), lang)
            ));
        }
    }
    for line in lines {
        print_clean(&line);
    }
    Ok(0)
}

fn verify(store: &Store, ctx: &Ctx, a: &VerifyArgs) -> Outcome {
    let lang = ctx.lang;
    let report = store.verify_tickets().map_err(|e| store_failure(ctx, e))?;
    let first = report.broken.first();
    if a.json {
        let broken: Vec<Value> = report
            .broken
            .iter()
            .map(|(number, b)| json!({"ticket": number, "break": format!("{b:?}")}))
            .collect();
        println!(
            "{}",
            json!({"ok": first.is_none(), "tickets": report.tickets, "events": report.events, "broken": broken})
        );
        return Ok(if first.is_none() { 0 } else { 1 });
    }
    match first {
        None => {
            print_clean(&tr(
                lang,
                format!("every chain holds: {} tickets, {} events", report.tickets, report.events),
                format!("所有历史链完好：{} 个工单，{} 条事件", report.tickets, report.events),
            ));
            Ok(0)
        }
        Some((number, b)) => {
            use crate::tickets::chain::Break;
            let what = match b {
                Break::Edited { id, seq } => tr(
                    lang,
                    format!("event {seq} (row {id}) was changed after it was written"),
                    format!("第 {seq} 条事件（行 {id}）在写入后被修改"),
                ),
                Break::Unlinked { id, seq } => tr(
                    lang,
                    format!("event {seq} (row {id}) does not follow the one before it: an event was deleted, inserted or moved"),
                    format!("第 {seq} 条事件（行 {id}）与前一条接不上：有事件被删除、插入或挪动"),
                ),
                Break::Head { .. } => tr(
                    lang,
                    "the last events were removed, or the ticket row was edited",
                    "最新的事件被删除，或工单记录被修改",
                ),
            };
            print_clean(&tr(
                lang,
                format!(
                    "{number}: history broken: {what} ({} of {} tickets broken)",
                    report.broken.len(),
                    report.tickets
                ),
                format!(
                    "{number}：历史链断裂：{what}（{} 个工单中 {} 个断裂）",
                    report.tickets,
                    report.broken.len()
                ),
            ));
            Ok(1)
        }
    }
}
