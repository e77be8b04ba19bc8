//! `yunwei alerts …`: the one alert stream from the command line, for scripts and for a shell
//! on the bastion. Bare, it lists the alerts not cleared (`--all`: every episode on record),
//! by severity and age, and exits 0 when no critical alert asks for attention (open or
//! acknowledged; snoozed and silenced ones are out of the way), 1 otherwise, 2 on a usage or
//! database error. `ack`, `snooze`, `silence` and `unsilence` act on the stream, each act
//! audited under the operator's name; `silences` lists the silences in force; `history` an
//! alert's episodes.

use chrono::FixedOffset;
use serde_json::{json, Value};

use crate::alert_words;
use crate::alerts::{Alert, AlertState, Silence, SilenceScope};
use crate::cli::errors::{print_clean, print_json, say, shown};
use crate::cli::Global;
use crate::health::Level;
use crate::i18n::{tr, Lang};
use crate::store::{Access, Store};

#[derive(Debug, Clone, clap::Args)]
#[command(disable_help_subcommand = true, args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AlertsCommand {
    Ack(AckArgs),
    Snooze(SnoozeArgs),
    Silence(SilenceArgs),
    Unsilence(UnsilenceArgs),
    Silences(SilencesArgs),
    History(HistoryArgs),
}

impl AlertsArgs {
    pub fn name(&self) -> &'static str {
        match &self.command {
            None => "alerts",
            Some(AlertsCommand::Ack(_)) => "alerts ack",
            Some(AlertsCommand::Snooze(_)) => "alerts snooze",
            Some(AlertsCommand::Silence(_)) => "alerts silence",
            Some(AlertsCommand::Unsilence(_)) => "alerts unsilence",
            Some(AlertsCommand::Silences(_)) => "alerts silences",
            Some(AlertsCommand::History(_)) => "alerts history",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct AckArgs {
    #[arg(value_name = "ID")]
    pub id: i64,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SnoozeArgs {
    #[arg(value_name = "ID")]
    pub id: i64,
    #[arg(long = "for", value_name = "DURATION")]
    pub for_: String,
}

#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["host", "job", "pattern"])))]
#[command(group(clap::ArgGroup::new("end").required(true).args(["for_", "until"])))]
pub struct SilenceArgs {
    #[arg(long, value_name = "HOST")]
    pub host: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    #[arg(long, value_name = "PATTERN")]
    pub pattern: Option<String>,
    #[arg(long = "for", value_name = "DURATION")]
    pub for_: Option<String>,
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UnsilenceArgs {
    #[arg(value_name = "ID")]
    pub id: i64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SilencesArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    #[arg(value_name = "ID")]
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

/// A moment as RFC 3339 in the clock's offset; null for none.
pub fn rfc3339(t: Option<i64>, offset: FixedOffset) -> Value {
    t.map_or(Value::Null, |t| Value::String(crate::cli::rfc3339(t, offset)))
}

pub use crate::alerts::json::alert_json;

pub fn run(g: &Global, args: &AlertsArgs) -> i32 {
    let name = args.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let operator = crate::store::audit::resolve_operator(cfg.general.operator.as_deref());
    let writes = matches!(
        args.command,
        Some(
            AlertsCommand::Ack(_)
                | AlertsCommand::Snooze(_)
                | AlertsCommand::Silence(_)
                | AlertsCommand::Unsilence(_)
        )
    );
    let (path, options) = crate::cli::db_options(g, if writes { Access::Write } else { Access::Read });
    if !writes && !path.exists() {
        // Nothing recorded yet: no alert, and nothing made by looking.
        return match &args.command {
            None => list_empty(args, lang),
            Some(AlertsCommand::Silences(a)) => {
                print_clean(if a.json { "[]" } else { empty_silences(lang) });
                0
            }
            Some(AlertsCommand::History(a)) => no_such(name, a.id, lang),
            Some(_) => 2,
        };
    }
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let clock = crate::clock::now();
    let (now, offset) = (clock.timestamp(), *clock.offset());
    let result = match &args.command {
        None => list(&store, args, now, offset, lang),
        Some(AlertsCommand::Ack(a)) => ack(&mut store, a, &operator, lang),
        Some(AlertsCommand::Snooze(a)) => snooze(&mut store, a, &operator, now, offset, lang),
        Some(AlertsCommand::Silence(a)) => silence(&mut store, a, &operator, now, offset, lang),
        Some(AlertsCommand::Unsilence(a)) => unsilence(&mut store, a, &operator, now, lang),
        Some(AlertsCommand::Silences(a)) => silences(&store, a, now, offset, lang),
        Some(AlertsCommand::History(a)) => history(&store, a, now, offset, lang),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Usage(text)) => {
            say(name, &text);
            2
        }
        Err(Failure::Store(e)) => {
            say(name, &e.text(lang));
            2
        }
    }
}

enum Failure {
    Usage(String),
    Store(crate::store::StoreError),
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Failure {
        Failure::Store(e)
    }
}

type Outcome = Result<i32, Failure>;

fn list_empty(args: &AlertsArgs, lang: Lang) -> i32 {
    if args.json {
        print_clean("[]");
    } else {
        print_clean(&tr(lang, "no alerts", "没有告警"));
    }
    0
}

fn empty_silences(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "no silence in force",
        Lang::ZhCn => "当前没有静默",
    }
}

fn no_such(name: &str, id: i64, lang: Lang) -> i32 {
    say(name, &tr(lang, format!("there is no alert #{id}"), format!("没有编号为 #{id} 的告警")));
    2
}

fn list(store: &Store, args: &AlertsArgs, now: i64, offset: FixedOffset, lang: Lang) -> Outcome {
    let silences = store.active_silences(now)?;
    let mut alerts = if args.all { store.alert_history(None, usize::MAX)? } else { store.open_alerts()? };
    alerts.sort_by(crate::alerts::by_severity_and_age);
    let states: Vec<AlertState> = alerts.iter().map(|a| a.state(now, &silences)).collect();
    if args.json {
        let rows: Vec<Value> =
            alerts.iter().zip(&states).map(|(a, s)| alert_json(a, *s, lang, offset)).collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
    } else if alerts.is_empty() {
        print_clean(&tr(lang, "no alerts", "没有告警"));
    } else {
        print_clean(&table(&alerts, &states, now, lang));
    }
    if !args.json {
        for s in &silences {
            print_clean(&silence_line(s, offset, lang));
        }
    }
    let critical = alerts.iter().zip(&states).any(|(a, s)| a.level == Level::Crit && s.wants_attention());
    Ok(i32::from(critical))
}

fn table(alerts: &[Alert], states: &[AlertState], now: i64, lang: Lang) -> String {
    let head = match lang {
        Lang::En => ["ID", "SEVERITY", "STATE", "SOURCE", "SUBJECT", "FOR", "REASON"],
        Lang::ZhCn => ["编号", "级别", "状态", "来源", "对象", "持续", "原因"],
    };
    let mut rows = vec![head.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for (a, s) in alerts.iter().zip(states) {
        let mut reason = shown(a.reason(lang));
        if let (Some(by), Some(note)) = (&a.acked_by, &a.note) {
            reason.push_str(&tr(
                lang,
                format!(" [{}: {}]", shown(by), shown(note)),
                format!("［{}：{}］", shown(by), shown(note)),
            ));
        }
        rows.push(vec![
            a.id.to_string(),
            alert_words::severity(a.level, lang).to_string(),
            alert_words::state(*s, lang).to_string(),
            a.key.source().as_str().to_string(),
            shown(&a.key.subject()),
            alert_words::lasted(a.opened_at, a.cleared_at.unwrap_or(now), lang),
            reason,
        ]);
    }
    crate::cli::columns(&rows)
}

fn silence_line(s: &Silence, offset: FixedOffset, lang: Lang) -> String {
    let until = rfc3339(Some(s.until), offset);
    let until = until.as_str().unwrap_or("");
    tr(
        lang,
        format!(
            "silenced #{}: {} {} until {until} by {}: {}",
            s.id,
            s.scope.as_str(),
            shown(&s.target),
            shown(&s.created_by),
            shown(&s.reason)
        ),
        format!(
            "静默 #{}：{} {}，至 {until}，由 {} 设置：{}",
            s.id,
            alert_words::scope(s.scope, Lang::ZhCn),
            shown(&s.target),
            shown(&s.created_by),
            shown(&s.reason)
        ),
    )
}

fn ack(store: &mut Store, a: &AckArgs, operator: &str, lang: Lang) -> Outcome {
    let Some(alert) = store.alert_by_id(a.id)? else {
        return Err(Failure::Usage(tr(
            lang,
            format!("there is no alert #{}", a.id),
            format!("没有编号为 #{} 的告警", a.id),
        )));
    };
    if alert.cleared_at.is_some() {
        return Err(Failure::Usage(tr(
            lang,
            format!("alert #{} has cleared; there is nothing to acknowledge", a.id),
            format!("告警 #{} 已恢复，无需确认", a.id),
        )));
    }
    if let Some(by) = &alert.acked_by {
        print_clean(&tr(
            lang,
            format!("alert #{} was already acknowledged by {}", a.id, shown(by)),
            format!("告警 #{} 已由 {} 确认", a.id, shown(by)),
        ));
        return Ok(0);
    }
    store.acknowledge_alert(a.id, operator, a.note.as_deref())?;
    print_clean(&tr(
        lang,
        format!("acknowledged #{} ({}) as {}", a.id, shown(alert.reason(lang)), shown(operator)),
        format!("已确认 #{}（{}），确认人 {}", a.id, shown(alert.reason(lang)), shown(operator)),
    ));
    Ok(0)
}

/// A duration from the command line: `30m`, `2h`, `1d`.
fn duration(text: &str, flag: &str, lang: Lang) -> Result<i64, Failure> {
    let d = crate::config::check::parse_duration(text).map_err(|why| {
        Failure::Usage(tr(
            lang,
            format!("{flag} {}: {}", shown(text), why.en),
            format!("{flag} {}：{}", shown(text), why.zh),
        ))
    })?;
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    if secs == 0 {
        return Err(Failure::Usage(tr(
            lang,
            format!("{flag} {}: a duration longer than zero, such as 30m or 2h", shown(text)),
            format!("{flag} {}：需要大于零的时长，例如 30m 或 2h", shown(text)),
        )));
    }
    Ok(secs)
}

fn snooze(
    store: &mut Store,
    a: &SnoozeArgs,
    operator: &str,
    now: i64,
    offset: FixedOffset,
    lang: Lang,
) -> Outcome {
    let until = now.saturating_add(duration(&a.for_, "--for", lang)?);
    if !store.snooze_alert(a.id, until, operator)? {
        return Err(Failure::Usage(tr(
            lang,
            format!("there is no open alert #{}", a.id),
            format!("没有编号为 #{} 的未恢复告警", a.id),
        )));
    }
    let when = rfc3339(Some(until), offset);
    let when = when.as_str().unwrap_or("");
    print_clean(&tr(lang, format!("snoozed #{} until {when}", a.id), format!("已暂缓 #{}，至 {when}", a.id)));
    Ok(0)
}

fn silence(
    store: &mut Store,
    a: &SilenceArgs,
    operator: &str,
    now: i64,
    offset: FixedOffset,
    lang: Lang,
) -> Outcome {
    let (scope, target) = match (&a.host, &a.job, &a.pattern) {
        (Some(h), _, _) => (SilenceScope::Host, h.clone()),
        (_, Some(j), _) => (SilenceScope::Job, j.clone()),
        (_, _, Some(p)) => (SilenceScope::Pattern, p.clone()),
        _ => unreachable_group(lang)?,
    };
    if target.trim().is_empty() {
        return Err(Failure::Usage(tr(lang, "the silence names nothing", "静默对象为空")));
    }
    if a.reason.trim().is_empty() {
        return Err(Failure::Usage(tr(
            lang,
            "--reason: say why (the maintenance window's purpose); it is audited",
            "--reason：请说明原因（维护窗口的用途），会记入审计日志",
        )));
    }
    let until = match (&a.for_, &a.until) {
        (Some(d), _) => now.saturating_add(duration(d, "--for", lang)?),
        (_, Some(t)) => crate::tickets::import::parse_time(t, offset).ok_or_else(|| {
            Failure::Usage(tr(
                lang,
                format!("--until {}: a time such as 2026-12-02 06:00 or RFC 3339", shown(t)),
                format!("--until {}：需要时间，例如 2026-12-02 06:00 或 RFC 3339 格式", shown(t)),
            ))
        })?,
        _ => unreachable_group(lang)?,
    };
    if until <= now {
        return Err(Failure::Usage(tr(
            lang,
            "--until: that time has passed; a silence ends in the future",
            "--until：该时间已过；静默的结束时间须在将来",
        )));
    }
    let id = store.add_silence(scope, target.trim(), a.reason.trim(), until, operator, now)?;
    let covered =
        store.open_alerts()?.iter().filter(|x| silence_of(scope, &target, until, now).covers(x)).count();
    let when = rfc3339(Some(until), offset);
    let when = when.as_str().unwrap_or("");
    print_clean(&tr(
        lang,
        format!(
            "silence #{id}: {} {} until {when}; {covered} open alert(s) covered now",
            scope.as_str(),
            shown(target.trim())
        ),
        format!(
            "静默 #{id}：{} {}，至 {when}；当前覆盖 {covered} 条未恢复告警",
            alert_words::scope(scope, Lang::ZhCn),
            shown(target.trim())
        ),
    ));
    Ok(0)
}

fn silence_of(scope: SilenceScope, target: &str, until: i64, now: i64) -> Silence {
    Silence {
        id: 0,
        scope,
        target: target.trim().to_string(),
        reason: String::new(),
        created_by: String::new(),
        created_at: now,
        until,
        ended_at: None,
        ended_by: None,
    }
}

/// clap's groups make one of each required; this is what is said should one be missing.
fn unreachable_group<T>(lang: Lang) -> Result<T, Failure> {
    Err(Failure::Usage(tr(
        lang,
        "name what to silence (--host, --job or --pattern) and its end (--for or --until)",
        "请指明静默对象（--host、--job 或 --pattern）及结束时间（--for 或 --until）",
    )))
}

fn unsilence(store: &mut Store, a: &UnsilenceArgs, operator: &str, now: i64, lang: Lang) -> Outcome {
    if !store.lift_silence(a.id, operator, now)? {
        return Err(Failure::Usage(tr(
            lang,
            format!("there is no silence #{} in force", a.id),
            format!("没有编号为 #{} 的生效中静默", a.id),
        )));
    }
    print_clean(&tr(lang, format!("silence #{} lifted", a.id), format!("静默 #{} 已解除", a.id)));
    Ok(0)
}

fn silences(store: &Store, a: &SilencesArgs, now: i64, offset: FixedOffset, lang: Lang) -> Outcome {
    let list = store.active_silences(now)?;
    if a.json {
        let rows: Vec<Value> = list
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "scope": s.scope.as_str(),
                    "target": s.target,
                    "reason": s.reason,
                    "created_by": s.created_by,
                    "created_at": rfc3339(Some(s.created_at), offset),
                    "until": rfc3339(Some(s.until), offset),
                })
            })
            .collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
    } else if list.is_empty() {
        print_clean(empty_silences(lang));
    } else {
        for s in &list {
            print_clean(&silence_line(s, offset, lang));
        }
    }
    Ok(0)
}

fn history(store: &Store, a: &HistoryArgs, now: i64, offset: FixedOffset, lang: Lang) -> Outcome {
    let Some(alert) = store.alert_by_id(a.id)? else {
        return Err(Failure::Usage(tr(
            lang,
            format!("there is no alert #{}", a.id),
            format!("没有编号为 #{} 的告警", a.id),
        )));
    };
    let episodes = store.alert_episodes(&alert.key, usize::MAX)?;
    let silences = store.active_silences(now)?;
    if a.json {
        let rows: Vec<Value> =
            episodes.iter().map(|e| alert_json(e, e.state(now, &silences), lang, offset)).collect();
        print_json(&serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Ok(0);
    }
    print_clean(&tr(
        lang,
        format!("{} episode(s) of {}", episodes.len(), shown(&alert.key.to_string())),
        format!("{} 共 {} 次", shown(&alert.key.to_string()), episodes.len()),
    ));
    let states: Vec<AlertState> = episodes.iter().map(|e| e.state(now, &silences)).collect();
    print_clean(&table(&episodes, &states, now, lang));
    Ok(0)
}
