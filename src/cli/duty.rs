//! `yunwei duty …`: bare, the console on the night-duty view; `handover` writes the shift's
//! handover (printed as Markdown, kept in the database and the audit log, shown to the next
//! engineer when their console opens until they acknowledge it); `log` lists past ones.

use serde_json::json;

use crate::cli::errors::{print_clean, print_json, say};
use crate::cli::Global;
use crate::i18n::{tr, Lang};
use crate::store::{Access, Store};

#[derive(Debug, Clone, clap::Args)]
#[command(disable_help_subcommand = true)]
pub struct DutyArgs {
    #[command(subcommand)]
    pub command: Option<DutyCommand>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum DutyCommand {
    Handover(HandoverArgs),
    Log(LogArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct HandoverArgs {
    #[arg(long, value_name = "DURATION", default_value = "8h")]
    pub since: String,
    #[arg(long, value_name = "NAME")]
    pub to: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    #[arg(long)]
    pub json: bool,
}

impl DutyArgs {
    pub fn name(&self) -> &'static str {
        match self.command {
            None => "duty",
            Some(DutyCommand::Handover(_)) => "duty handover",
            Some(DutyCommand::Log(_)) => "duty log",
        }
    }
}

pub fn run(g: &Global, args: &DutyArgs) -> i32 {
    let Some(command) = &args.command else { return crate::cli::console::run_with(g, false, true) };
    let name = args.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let writes = matches!(command, DutyCommand::Handover(_));
    let (path, options) = crate::cli::db_options(g, if writes { Access::Write } else { Access::Read });
    if !writes && !path.exists() {
        print_clean(&tr(lang, "no handovers yet", "还没有交接记录"));
        return 0;
    }
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let operator = crate::store::audit::resolve_operator(cfg.general.operator.as_deref());
    let result = match command {
        DutyCommand::Handover(a) => handover(&mut store, a, &operator, lang),
        DutyCommand::Log(a) => log(&store, a, lang),
    };
    match result {
        Ok(code) => code,
        Err(text) => {
            say(name, &text);
            2
        }
    }
}

fn handover(store: &mut Store, a: &HandoverArgs, operator: &str, lang: Lang) -> Result<i32, String> {
    let d = crate::config::check::parse_duration(&a.since)
        .map_err(|why| format!("--since {}: {}", crate::text::escape_unprintable(&a.since), why.get(lang)))?;
    let clock = crate::clock::now();
    let (now, offset) = (clock.timestamp(), *clock.offset());
    let since = now.saturating_sub(i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let e = |e: crate::store::StoreError| e.text(lang);
    let note = a.note.clone().unwrap_or_default();
    let to = a.to.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let (id, text) = store.write_handover(operator, to, since, &note, now, lang, offset).map_err(e)?;
    print_clean(&text);
    print_clean(&tr(
        lang,
        format!("\n(handover #{id} recorded; the next engineer sees it when their console opens)"),
        format!("\n（交接 #{id} 已记录；下一班打开控制台时会看到）"),
    ));
    Ok(0)
}

fn log(store: &Store, a: &LogArgs, lang: Lang) -> Result<i32, String> {
    let list = store.handovers(usize::MAX).map_err(|e| e.text(lang))?;
    let offset = *crate::clock::now().offset();
    if a.json {
        let rows: Vec<serde_json::Value> = list
            .iter()
            .map(|h| {
                json!({"id": h.id, "at": crate::cli::rfc3339(h.at, offset), "from": h.from_operator,
                       "to": h.to_operator, "since": crate::cli::rfc3339(h.since, offset), "note": h.note,
                       "markdown": h.markdown,
                       "acknowledged_at": h.acked_at.map(|t| crate::cli::rfc3339(t, offset)),
                       "acknowledged_by": h.acked_by})
            })
            .collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Ok(0);
    }
    if list.is_empty() {
        print_clean(&tr(lang, "no handovers yet", "还没有交接记录"));
        return Ok(0);
    }
    let head = match lang {
        Lang::En => ["ID", "AT", "FROM", "TO", "ACKNOWLEDGED"],
        Lang::ZhCn => ["编号", "时间", "交班人", "接班人", "确认"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let shown = |s: &str| crate::text::escape_unprintable(s).into_owned();
    for h in &list {
        let acked = match (&h.acked_by, h.acked_at) {
            (Some(by), Some(t)) => format!("{} {}", shown(by), crate::cli::rfc3339(t, offset)),
            _ => tr(lang, "not yet", "尚未"),
        };
        rows.push(vec![
            h.id.to_string(),
            crate::cli::rfc3339(h.at, offset),
            shown(&h.from_operator),
            h.to_operator.as_deref().map(shown).unwrap_or_else(|| tr(lang, "(next)", "（下一班）")),
            acked,
        ]);
    }
    print_clean(&crate::cli::columns(&rows));
    Ok(0)
}
