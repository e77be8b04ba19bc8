//! The Alerts pane: the one stream of every source (health, backups and jobs, ticket SLA
//! clocks), the critical first, then the newest, each with its state, source, subject, how
//! long it has lasted and the reason in words; the silences in force as a banner above; the
//! selected alert in full below, with its episodes once asked for (`enter`). `a`
//! acknowledges with a note, `z` snoozes for a while, `m` silences a host, a job or a key
//! pattern for a maintenance window (who is the operator; why and until when are asked), `U`
//! lifts the silence covering the selected alert, `h` shows the cleared alerts too, `n` opens
//! a ticket prefilled with the alert. Every act goes to the store thread, which audits it.

pub mod duty;
#[cfg(test)]
mod tests;
pub mod view;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::action::Action;
use crate::alerts::{Alert, AlertKey, AlertState, SilenceScope};
use crate::event::{Command, WorkerMsg};
use crate::i18n::{tr, Lang, Msg};
use crate::keymap::Scope;
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::ui::line::{prompt_key, prompt_paste, PromptKey};
use crate::ui::Ctx;
use crate::workers::store::{StoreCmd, StoreMsg};

/// What the one-line prompt asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// The note of an acknowledgement.
    Note { id: i64 },
    /// How long a snooze lasts.
    Snooze { id: i64 },
    /// What a silence covers: `host NAME`, `job NAME` or `pattern KEY-PATTERN`.
    SilenceWhat,
    /// Until when: a duration (`2h`) or a time.
    SilenceUntil { scope: SilenceScope, target: String },
    /// Why.
    SilenceWhy { scope: SilenceScope, target: String, until: i64 },
}

pub type Prompt = crate::ui::line::Prompt<Ask>;

#[derive(Debug, Default)]
pub struct AlertsPane {
    pub selected: usize,
    /// Rows the list showed last (page up and down).
    page: usize,
    /// Showing the cleared alerts too (the store's newest, read when asked).
    pub history: bool,
    pub past: Vec<Alert>,
    /// The episodes of the selected alert's key, once asked for.
    pub episodes: Option<(AlertKey, Vec<Alert>)>,
    pub prompt: Option<Prompt>,
    flash: Option<(String, bool)>,
}

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

impl AlertsPane {
    pub fn new() -> AlertsPane {
        AlertsPane { page: 10, ..Default::default() }
    }

    pub fn take_flash(&mut self) -> Option<(String, bool)> {
        self.flash.take()
    }

    /// The alerts listed, in order: the open ones of the context (critical first, then the
    /// newest), or with `history` the store's newest, cleared ones too, the newest first.
    pub fn rows<'a>(&'a self, ctx: &'a Ctx) -> Vec<&'a Alert> {
        if self.history {
            let mut rows: Vec<&Alert> = self.past.iter().collect();
            rows.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then(b.id.cmp(&a.id)));
            return rows;
        }
        let mut rows: Vec<&Alert> = ctx.alerts.iter().collect();
        rows.sort_by(|a, b| crate::alerts::by_severity_and_age(a, b));
        rows
    }

    pub fn selected_alert<'a>(&'a self, ctx: &'a Ctx) -> Option<&'a Alert> {
        let rows = self.rows(ctx);
        rows.get(self.selected.min(rows.len().saturating_sub(1))).copied()
    }

    fn state_of(a: &Alert, ctx: &Ctx) -> AlertState {
        a.state(ctx.now.timestamp(), &ctx.silences)
    }

    fn move_selection(&mut self, by: isize, ctx: &Ctx) {
        let n = self.rows(ctx).len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        let before = self.selected;
        self.selected =
            (self.selected.min(n - 1) as isize).saturating_add(by).clamp(0, n as isize - 1) as usize;
        if self.selected != before {
            self.episodes = None;
        }
    }

    fn open_prompt(&mut self, ask: Ask, text: &str) {
        self.prompt = Some(Prompt::new(ask, text));
    }

    fn say(&mut self, text: String, error: bool) {
        self.flash = Some((text, error));
    }

    /// What a silence of the selected alert would cover, as the prompt proposes it: its host,
    /// else its job, else its key.
    fn proposed_silence(a: &Alert) -> String {
        if let Some(host) = a.host.as_deref().or(a.key.host()) {
            return format!("host {host}");
        }
        match &a.key {
            AlertKey::Backup { job } => format!("job {job}"),
            other => format!("pattern {other}"),
        }
    }

    fn submit(&mut self, ask: Ask, text: String, ctx: &Ctx, out: &mut Vec<Command>) {
        let lang = ctx.lang;
        let now = ctx.now.timestamp();
        let text = text.trim().to_string();
        match ask {
            Ask::Note { id } => {
                let note = (!text.is_empty()).then_some(text);
                out.push(Command::Store(StoreCmd::AckAlert { id, note }));
            }
            Ask::Snooze { id } => match span_of(&text, lang) {
                Ok(secs) => {
                    out.push(Command::Store(StoreCmd::SnoozeAlert { id, until: now.saturating_add(secs) }))
                }
                Err(why) => {
                    self.say(why, true);
                    self.open_prompt(Ask::Snooze { id }, &text);
                }
            },
            Ask::SilenceWhat => {
                let (word, target) = text.split_once(char::is_whitespace).unwrap_or((text.as_str(), ""));
                let scope = match word {
                    "host" | "主机" => Some(SilenceScope::Host),
                    "job" | "作业" => Some(SilenceScope::Job),
                    "pattern" | "匹配" => Some(SilenceScope::Pattern),
                    _ => None,
                };
                match (scope, target.trim()) {
                    (Some(scope), target) if !target.is_empty() => {
                        self.open_prompt(Ask::SilenceUntil { scope, target: target.to_string() }, "2h")
                    }
                    _ => {
                        self.say(
                            tr(
                                lang,
                                "say what to silence: host NAME, job NAME or pattern KEY (with * and ?)",
                                "请写明静默对象：host 主机名、job 作业名 或 pattern 告警键（可用 * 和 ?）",
                            ),
                            true,
                        );
                        self.open_prompt(Ask::SilenceWhat, &text);
                    }
                }
            }
            Ask::SilenceUntil { scope, target } => {
                let until = match span_of(&text, lang) {
                    Ok(secs) => Ok(now.saturating_add(secs)),
                    Err(why) => crate::tickets::import::parse_time(&text, *ctx.now.offset()).ok_or(why),
                };
                match until {
                    Ok(until) if until > now => {
                        self.open_prompt(Ask::SilenceWhy { scope, target, until }, "");
                    }
                    Ok(_) => {
                        self.say(tr(lang, "that time has passed", "该时间已过"), true);
                        self.open_prompt(Ask::SilenceUntil { scope, target }, &text);
                    }
                    Err(why) => {
                        self.say(why, true);
                        self.open_prompt(Ask::SilenceUntil { scope, target }, &text);
                    }
                }
            }
            Ask::SilenceWhy { scope, target, until } => {
                if text.is_empty() {
                    self.say(
                        tr(
                            lang,
                            "say why: it is shown on the banner and audited",
                            "请说明原因：会显示在横幅上并记入审计日志",
                        ),
                        true,
                    );
                    self.open_prompt(Ask::SilenceWhy { scope, target, until }, "");
                } else {
                    out.push(Command::Store(StoreCmd::Silence { scope, target, reason: text, until }));
                }
            }
        }
    }

    /// The read-only database refuses every act here before it is asked.
    fn refused(&mut self, ctx: &Ctx) -> bool {
        match &ctx.db_read_only {
            Some(ro) => {
                let text = ro.say(Msg::DbReadOnlyAck, ctx.lang);
                self.say(text, true);
                true
            }
            None => false,
        }
    }
}

/// A duration typed in a prompt (`30m`, `2h`, `1d`): its seconds, or why not, in `lang`.
fn span_of(text: &str, lang: Lang) -> Result<i64, String> {
    match crate::config::check::parse_duration(text) {
        Ok(d) if d.as_secs() > 0 => Ok(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        Ok(_) => Err(tr(
            lang,
            "a duration longer than zero, such as 30m or 2h",
            "需要大于零的时长，例如 30m 或 2h",
        )),
        Err(why) => Err(format!("{}: {}", clean(text), why.get(lang))),
    }
}

impl Pane for AlertsPane {
    fn title(&self) -> Msg {
        Msg::PaneAlerts
    }

    fn scope(&self) -> Scope {
        Scope::Alerts
    }

    fn edit_key(&mut self, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        match prompt_key(&mut self.prompt, key) {
            PromptKey::NotOpen => Edit::Ignored,
            PromptKey::Taken => Edit::Taken,
            PromptKey::Answered(ask, text) => {
                self.submit(ask, text, ctx, out);
                Edit::Taken
            }
        }
    }

    fn paste(&mut self, text: &str, _ctx: &Ctx) -> bool {
        prompt_paste(&mut self.prompt, text)
    }

    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        let lang = ctx.lang;
        match action {
            Action::Up => self.move_selection(-1, ctx),
            Action::Down => self.move_selection(1, ctx),
            Action::PageUp => self.move_selection(-(self.page.max(1) as isize), ctx),
            Action::PageDown => self.move_selection(self.page.max(1) as isize, ctx),
            Action::Top => self.move_selection(isize::MIN / 2, ctx),
            Action::Bottom => self.move_selection(isize::MAX / 2, ctx),
            Action::Open => {
                if let Some(a) = self.selected_alert(ctx) {
                    out.push(Command::Store(StoreCmd::Episodes { key: a.key.clone() }));
                }
            }
            Action::Back => self.episodes = None,
            Action::ToggleHistory => {
                self.history = !self.history;
                self.selected = 0;
                self.episodes = None;
                if self.history {
                    out.push(Command::Store(StoreCmd::AlertHistory));
                }
            }
            Action::AckAlert => {
                let Some(a) = self.selected_alert(ctx) else { return Handled::Yes };
                let (id, state, by) = (a.id, Self::state_of(a, ctx), a.acked_by.clone());
                if self.refused(ctx) {
                } else if state == AlertState::Cleared {
                    self.say(tr(lang, format!("#{id} has cleared"), format!("#{id} 已恢复")), true);
                } else if let Some(by) = by {
                    self.say(
                        tr(
                            lang,
                            format!("#{id} was acknowledged by {}", clean(&by)),
                            format!("#{id} 已由 {} 确认", clean(&by)),
                        ),
                        false,
                    );
                } else {
                    self.open_prompt(Ask::Note { id }, "");
                }
            }
            Action::Snooze => {
                let Some(a) = self.selected_alert(ctx) else { return Handled::Yes };
                let (id, cleared) = (a.id, a.cleared_at.is_some());
                if self.refused(ctx) {
                } else if cleared {
                    self.say(tr(lang, format!("#{id} has cleared"), format!("#{id} 已恢复")), true);
                } else {
                    self.open_prompt(Ask::Snooze { id }, "1h");
                }
            }
            Action::Silence => {
                if !self.refused(ctx) {
                    let text = self
                        .selected_alert(ctx)
                        .map(Self::proposed_silence)
                        .unwrap_or_else(|| "host ".into());
                    self.open_prompt(Ask::SilenceWhat, &text);
                }
            }
            Action::Unsilence => {
                let now = ctx.now.timestamp();
                let covering = self
                    .selected_alert(ctx)
                    .and_then(|a| ctx.silences.iter().find(|s| s.active(now) && s.covers(a)))
                    .map(|s| s.id);
                match covering {
                    _ if self.refused(ctx) => {}
                    Some(id) => out.push(Command::Store(StoreCmd::LiftSilence { id })),
                    None => self.say(
                        tr(
                            lang,
                            "no silence covers the selected alert (yunwei alerts unsilence ID lifts another)",
                            "没有覆盖所选告警的静默（其他静默可用 yunwei alerts unsilence 编号 解除）",
                        ),
                        false,
                    ),
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn on_message(&mut self, msg: WorkerMsg, _ctx: &Ctx, _out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Store(StoreMsg::Episodes { key, rows }) => {
                self.episodes = Some((key, rows));
                Taken::IfFocused
            }
            WorkerMsg::Store(StoreMsg::AlertHistory(rows)) => {
                self.past = rows;
                Taken::IfFocused
            }
            other => Taken::Not(other),
        }
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        self.page = view::render(self, f, area, ctx);
    }

    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let actions = [
            Action::AckAlert,
            Action::Snooze,
            Action::Silence,
            Action::NewTicket,
            Action::ToggleHistory,
            Action::Help,
        ];
        ctx.hints_for(self.scope(), &actions)
    }
}
