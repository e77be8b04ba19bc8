//! `yunwei report quarterly --quarter 2026Q4 [--out DIR]`: the quarter's service report,
//! `report.md` and `report.html`, in the language of `--lang` (else the config's, else the
//! locale), from the tickets and the health history in the database. The files are written
//! whole or not at all (each to a temporary name, then renamed), mode 0600, in a folder of
//! mode 0700; without `--out`, under the data folder: `reports/2026Q4/`.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::cli::errors::{print_clean, say};
use crate::cli::Global;
use crate::i18n::tr;
use crate::report::quarterly::{self, Meta};
use crate::store::tickets::TicketFilter;
use crate::store::{Access, Store};
use crate::tickets::quarter::{figures, Facts, Quarter};

#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ReportCommand {
    /// The quarterly service report: report.md and a self-contained report.html
    Quarterly(QuarterlyArgs),
}

impl ReportCommand {
    pub fn name(&self) -> &'static str {
        match self {
            ReportCommand::Quarterly(_) => "report quarterly",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct QuarterlyArgs {
    /// The quarter, as 2026Q4 (default: the one now)
    #[arg(long, value_name = "QUARTER")]
    pub quarter: Option<String>,
    /// The folder to write report.md and report.html into (default: the data folder's
    /// reports/QUARTER)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(g: &Global, args: &ReportArgs) -> i32 {
    let ReportCommand::Quarterly(a) = &args.command;
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let policy = cfg.tickets.sla.clone();
    let offset = policy.calendar.offset;
    let now = match crate::cli::ticket::now(lang) {
        Ok(now) => now,
        Err(e) => {
            say(name, &e);
            return 2;
        }
    };
    let quarter = match &a.quarter {
        Some(text) => Quarter::parse(text, offset),
        None => Quarter::containing(now, offset),
    };
    let Some(quarter) = quarter else {
        let given = crate::text::escape_unprintable(a.quarter.as_deref().unwrap_or("")).into_owned();
        say(
            name,
            &tr(
                lang,
                format!(
                    "--quarter {given:?} is not a quarter: write it as 2026Q4 (the year, Q, then 1 to 4)"
                ),
                format!("--quarter {given:?} 不是季度：请写成 2026Q4（年份、Q、再加 1 到 4）"),
            ),
        );
        return 2;
    };
    if quarter.start > now {
        say(
            name,
            &tr(
                lang,
                format!("{} has not begun: there is nothing to report yet", quarter.label()),
                format!("{} 尚未开始：还没有可报告的内容", quarter.label()),
            ),
        );
        return 2;
    }
    let (path, options) = crate::cli::db_options(g, Access::Read);
    let store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let filter =
        TicketFilter { all: true, from: Some(quarter.start), to: Some(quarter.end), ..Default::default() };
    let read = store.tickets(&filter).and_then(|t| Ok((t, store.fleet_figures(quarter.start, quarter.end)?)));
    let (tickets, fleet) = match read {
        Ok(x) => x,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let facts: Vec<Facts> = tickets
        .into_iter()
        .map(|t| Facts {
            number: t.number,
            priority: t.priority,
            category: t.category,
            channel: t.channel,
            unit: t.unit,
            summary: t.summary,
            created_at: t.created_at,
            escalation_level: t.escalation_level,
            timeline: t.timeline,
        })
        .collect();
    let f = figures(&facts, &quarter, &policy, now);
    let operator = crate::store::audit::resolve_operator(cfg.general.operator.as_deref());
    let meta = Meta { quarter: &quarter, generated_at: now, operator: &operator, offset, lang };
    let (md, html) = match (quarterly::markdown(&f, &fleet, &meta), quarterly::html(&f, &fleet, &meta)) {
        (Ok(md), Ok(html)) => (md, html),
        (Err(e), _) | (_, Err(e)) => {
            say(name, &tr(lang, format!("the charts could not be drawn: {e}"), format!("无法绘制图表：{e}")));
            return 1;
        }
    };
    let out = a.out.clone().unwrap_or_else(|| {
        path.parent().map(Path::to_path_buf).unwrap_or_default().join("reports").join(quarter.label())
    });
    let shown = |p: &Path| crate::text::escape_unprintable(&p.display().to_string()).into_owned();
    // What could not be written, and why, in the reader's language.
    let refused = |p: &Path, e: std::io::Error, en: &str, zh: &str| {
        let why = crate::i18n::io_error(&e, lang);
        say(name, &tr(lang, format!("{}: {en}: {why}", shown(p)), format!("{}：{zh}：{why}", shown(p))));
        2
    };
    if let Err(e) = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&out) {
        return refused(&out, e, "cannot be made", "无法创建");
    }
    for (file, text) in [("report.md", &md), ("report.html", &html)] {
        let p = out.join(file);
        if let Err(e) = crate::cli::write_private(&p, text.as_bytes()) {
            return refused(
                &p,
                e,
                "not written (nothing is left half-written)",
                "未写入（不会留下写了一半的文件）",
            );
        }
        print_clean(&shown(&p));
    }
    let pct = |c: &crate::tickets::quarter::Compliance| {
        c.pct().map(|p| format!("{p:.1}%")).unwrap_or_else(|| "-".into())
    };
    let (q, n, resp, res, b, hosts) =
        (quarter.label(), f.total, pct(&f.response), pct(&f.resolution), f.breaches.len(), fleet.len());
    print_clean(&tr(
        lang,
        format!("{q}: {n} tickets, response SLA {resp}, resolution SLA {res}, {b} breaches, {hosts} hosts"),
        format!("{q}：工单 {n} 张，响应达标率 {resp}，解决达标率 {res}，超时 {b} 次，主机 {hosts} 台"),
    ));
    0
}
