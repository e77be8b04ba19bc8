//! `yunwei audit …`: the audit log for the graded-protection assessment. Bare, it exports the
//! rows (reveals, exports, acknowledgements, silences, runs of jobs, …) in a range of days as
//! a table, JSON or CSV; `verify` walks the hash chain and names the first row that was edited
//! or removed (exit 1), or says it is intact (exit 0).

use chrono::FixedOffset;
use serde_json::json;

use crate::cli::errors::{print_clean, print_json, say};
use crate::cli::Global;
use crate::i18n::{tr, Lang};
use crate::store::audit::ChainFinding;
use crate::store::{Access, Store};

#[derive(Debug, Clone, clap::Args)]
#[command(disable_help_subcommand = true, args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AuditCommand {
    Verify(VerifyArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    #[arg(long)]
    pub json: bool,
}

impl AuditArgs {
    pub fn name(&self) -> &'static str {
        match self.command {
            None => "audit",
            Some(AuditCommand::Verify(_)) => "audit verify",
        }
    }
}

pub fn run(g: &Global, args: &AuditArgs) -> i32 {
    let name = args.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let clock = crate::clock::now();
    let offset = *clock.offset();
    let (path, options) = crate::cli::db_options(g, Access::Read);
    if !path.exists() {
        let file = crate::text::escape_unprintable(&path.display().to_string()).into_owned();
        say(name, &tr(lang, format!("{file}: no database there yet"), format!("{file}：该处还没有数据库")));
        return 2;
    }
    let store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    match &args.command {
        Some(AuditCommand::Verify(v)) => verify(&store, v, name, lang),
        None => export(&store, args, name, offset, lang),
    }
}

fn verify(store: &Store, v: &VerifyArgs, name: &str, lang: Lang) -> i32 {
    let finding = match store.verify_audit() {
        Ok(f) => f,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let (intact, text, first) = match &finding {
        ChainFinding::Intact { rows } => (
            true,
            tr(lang, format!("the audit log is intact: {rows} rows, each chained to the one before"), format!("审计日志完整：共 {rows} 行，逐行链接无误")),
            None,
        ),
        ChainFinding::Edited { id } => (
            false,
            tr(
                lang,
                format!("row {id} of the audit log was changed after it was written"),
                format!("审计日志第 {id} 行在写入后被改动"),
            ),
            Some(*id),
        ),
        ChainFinding::RemovedBefore { id, after } => (
            false,
            tr(
                lang,
                format!("rows of the audit log between row {after} and row {id} were removed or replaced"),
                format!("审计日志第 {after} 行与第 {id} 行之间的记录被删除或替换"),
            ),
            Some(*id),
        ),
        ChainFinding::RemovedAtEnd { last, head } => (
            false,
            tr(
                lang,
                format!("the newest rows of the audit log were removed: it ends at row {last}, but row {head} was written"),
                format!("审计日志最新的记录被删除：现止于第 {last} 行，但曾写入第 {head} 行"),
            ),
            Some(*last + 1),
        ),
    };
    if v.json {
        print_clean(
            &serde_json::to_string_pretty(
                &json!({"intact": intact, "first_bad_row": first, "message": text}),
            )
            .unwrap_or_default(),
        );
    } else {
        print_clean(&text);
    }
    i32::from(!intact)
}

fn export(store: &Store, args: &AuditArgs, name: &str, offset: FixedOffset, lang: Lang) -> i32 {
    let range = (|| -> Result<(i64, i64), String> {
        let from =
            args.from.as_deref().map(|d| crate::cli::day_start(d, "--from", offset, lang)).transpose()?;
        let to = args
            .to
            .as_deref()
            .map(|d| crate::cli::day_start(d, "--to", offset, lang).map(|t| t + 86_400))
            .transpose()?;
        Ok((from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX)))
    })();
    let (from, to) = match range {
        Ok(r) => r,
        Err(text) => {
            say(name, &text);
            return 2;
        }
    };
    let rows = match store.audit_between(from, to) {
        Ok(r) => r,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    if args.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                json!({"id": r.id, "at": crate::cli::rfc3339(r.ts, offset), "operator": r.operator, "action": r.action,
                       "target": r.target, "detail": r.detail})
            })
            .collect();
        print_json(&serde_json::to_string_pretty(&list).unwrap_or_default());
        return 0;
    }
    if args.csv {
        let mut out = String::from("\u{feff}id,at,operator,action,target,detail\r\n");
        for r in &rows {
            let fields = [
                r.id.to_string(),
                crate::cli::rfc3339(r.ts, offset),
                r.operator.clone(),
                r.action.clone(),
                r.target.clone(),
                r.detail.clone(),
            ];
            let fields = fields.map(|f| crate::text::escape_unprintable(&f).into_owned());
            out.push_str(&fields.iter().map(|f| crate::text::csv_field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
            say(name, &crate::i18n::io_error(&e, lang));
            return 2;
        }
        return 0;
    }
    let head = match lang {
        Lang::En => ["ID", "AT", "OPERATOR", "ACTION", "TARGET", "DETAIL"],
        Lang::ZhCn => ["编号", "时间", "操作人", "操作", "对象", "详情"],
    };
    let mut table = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for r in &rows {
        let at = chrono::DateTime::from_timestamp(r.ts, 0)
            .map(|d| d.with_timezone(&offset).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let shown = |s: &str| crate::text::escape_unprintable(s).into_owned();
        table.push(vec![
            r.id.to_string(),
            at,
            shown(&r.operator),
            shown(&r.action),
            shown(&r.target),
            shown(&r.detail),
        ]);
    }
    if rows.is_empty() {
        print_clean(&tr(lang, "no audit rows in that range", "该时间范围内没有审计记录"));
    } else {
        print_clean(&crate::cli::columns(&table));
    }
    0
}
