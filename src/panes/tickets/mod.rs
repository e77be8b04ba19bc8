//! The Tickets pane: the queue sorted by SLA urgency (most urgent first), its filters and
//! search, acting on the selected ticket without leaving the list (acknowledge, move, assign,
//! escalate, note), the detail view (notes, SLA clocks, history) and the new-ticket form made
//! for a call in progress. Every change states the version the pane showed; a change refused
//! because another engineer got there first says who and when, and `r` reads the ticket again
//! with what was typed kept.

mod detail;
mod form;
pub mod messages;
mod queue;
#[cfg(test)]
pub(crate) mod tests;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::widgets::TableState;
use ratatui::Frame;

pub use form::Form;
use messages::TicketMsg;

use crate::action::Action;
use crate::event::{Command, WorkerMsg};
use crate::i18n::{fill, Lang, Msg};
use crate::keymap::Scope;
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::store::tickets::{Caller, Ticket, TicketFilter};
use crate::tickets::draft::Draft;
use crate::tickets::sla::{self, Clocks, SlaPolicy};
use crate::tickets::{Category, Priority, Status};
use crate::ui::line::{LineEdit, LineKey};
use crate::ui::Ctx;
use crate::workers::tickets::{Did, Opened, TicketsCmd, TicketsMsg};

/// A search or "every ticket" shows at most this many of the newest matches.
pub const HISTORY_LIMIT: usize = 500;

/// `m` with its values, in the reader's language.
pub(crate) fn say(m: TicketMsg, lang: Lang, args: &[(&str, &str)]) -> String {
    fill(m.text(lang), args)
}

/// Which statuses the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every ticket not closed or cancelled.
    Open,
    One(Status),
    /// Closed and cancelled too (the newest [`HISTORY_LIMIT`]).
    All,
}

impl StatusFilter {
    /// `s` in the filter menu: open, each status, then every ticket.
    fn next(self) -> StatusFilter {
        const OPEN: [Status; 7] = [
            Status::New,
            Status::Acknowledged,
            Status::InProgress,
            Status::Pending,
            Status::Resolved,
            Status::Closed,
            Status::Cancelled,
        ];
        match self {
            StatusFilter::Open => StatusFilter::One(OPEN[0]),
            StatusFilter::One(s) => match OPEN.iter().position(|o| *o == s) {
                Some(i) if i + 1 < OPEN.len() => StatusFilter::One(OPEN[i + 1]),
                _ => StatusFilter::All,
            },
            StatusFilter::All => StatusFilter::Open,
        }
    }
}

/// The queue's filters as the pane holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: StatusFilter,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub assignee: Option<String>,
    pub overdue: bool,
    pub search: String,
}

impl Default for QueueFilter {
    fn default() -> Self {
        QueueFilter {
            status: StatusFilter::Open,
            category: None,
            priority: None,
            assignee: None,
            overdue: false,
            search: String::new(),
        }
    }
}

impl QueueFilter {
    /// What the store is asked for (overdue is judged by the pane, on the clocks it shows).
    pub fn store_filter(&self) -> TicketFilter {
        let search = Some(self.search.trim().to_string()).filter(|s| !s.is_empty());
        let all = self.status == StatusFilter::All;
        TicketFilter {
            statuses: match self.status {
                StatusFilter::One(s) => vec![s],
                _ => Vec::new(),
            },
            assignee: self.assignee.clone(),
            category: self.category,
            priority: self.priority,
            // A search of the open queue finds every open ticket; of the history, the newest.
            limit: all.then_some(HISTORY_LIMIT),
            search,
            all,
            descriptions: false,
            from: None,
            to: None,
        }
    }

    fn is_default(&self) -> bool {
        *self == QueueFilter::default()
    }
}

/// What an open one-line prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ask {
    Search,
    Assignee,
    Note,
    MoveNote(Status),
    Assign,
    EscalateTo,
    EscalateReason(String),
}

/// A prompt over the status bar, about the ticket it was opened on (number and the version
/// shown then).
struct Prompt {
    ask: Ask,
    line: LineEdit,
    ticket: Option<(String, i64)>,
}

/// A one-key menu over the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Menu {
    Filter,
    /// The moves the ticket may make (number and version).
    Move {
        number: String,
        version: i64,
        moves: Vec<Status>,
    },
}

/// A change refused because the ticket changed: what was asked, kept for `r`.
#[derive(Debug, Clone, PartialEq)]
struct Stale {
    why: String,
    ask: Ask,
    text: String,
    number: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Queue,
    Detail { number: String, opened: Option<Box<Opened>>, scroll: u16 },
}

pub struct TicketsPane {
    /// The queue as last read, most urgent first.
    pub rows: Vec<Ticket>,
    /// The open P1 tickets, whatever the filter shows.
    pub p1: Vec<Ticket>,
    /// Whether the queue was read at least once.
    loaded: bool,
    pub filter: QueueFilter,
    /// How many tickets the last search found in the whole history.
    matches: Option<usize>,
    pub table: TableState,
    /// The first row on screen.
    offset: usize,
    page: usize,
    pub view: View,
    pub form: Option<Form>,
    prompt: Option<Prompt>,
    menu: Option<Menu>,
    stale: Option<Stale>,
    /// The draft kept from before, until the form takes it.
    draft: Option<(Draft, i64)>,
    units: Vec<String>,
    callers: Vec<Caller>,
    policy: SlaPolicy,
    /// The selection stays on this ticket when the queue is read again.
    keep: Option<String>,
    /// A change sent, with what was typed for it, until its answer comes.
    pending: Option<Stale>,
    /// For the status bar: what a change did or why a key did nothing (true: a failure).
    flash: Option<(String, bool)>,
}

impl TicketsPane {
    pub fn new(policy: SlaPolicy) -> TicketsPane {
        TicketsPane {
            rows: Vec::new(),
            p1: Vec::new(),
            loaded: false,
            filter: QueueFilter::default(),
            matches: None,
            table: TableState::default(),
            offset: 0,
            page: 10,
            view: View::Queue,
            form: None,
            prompt: None,
            menu: None,
            stale: None,
            draft: None,
            units: Vec::new(),
            callers: Vec::new(),
            policy,
            keep: None,
            pending: None,
            flash: None,
        }
    }

    pub fn clocks(&self, t: &Ticket, now: i64) -> Clocks {
        sla::clocks(&self.policy, t.priority, &t.timeline, now)
    }

    /// The rows shown: the queue as read, less those not overdue when that filter is on.
    pub fn visible(&self, now: i64) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&i| !self.filter.overdue || is_overdue(&self.clocks(&self.rows[i], now)))
            .collect()
    }

    /// The selected ticket's first host (None when it names none) and its number.
    pub fn selected_host(&self, now: i64) -> Option<(Option<String>, String)> {
        self.selected(now).map(|t| (t.hosts.first().cloned(), t.number.clone()))
    }

    fn selected(&self, now: i64) -> Option<&Ticket> {
        if let View::Detail { opened: Some(o), .. } = &self.view {
            return Some(&o.ticket);
        }
        let vis = self.visible(now);
        self.table.selected().and_then(|i| vis.get(i)).map(|&i| &self.rows[i])
    }

    /// Opens the new-ticket form: the draft kept from before if there is one (the prefill is
    /// then only added where the draft is blank), else a fresh form with `prefill`.
    pub fn open_form(&mut self, prefill: Draft, origin: Option<String>, lang: Lang, out: &mut Vec<Command>) {
        if self.form.is_some() {
            return;
        }
        // An alert that has its ticket already: said, so the second one is made knowingly.
        if let Some(id) = prefill.alert_id {
            if let Some(t) = self.rows.iter().find(|t| t.alert_id == Some(id)) {
                let text =
                    say(TicketMsg::AlertHasTicket, lang, &[("id", &id.to_string()), ("number", &t.number)]);
                self.flash = Some((text, false));
            }
        }
        let (mut draft, at) = match self.draft.take() {
            Some((d, at)) => (d, Some(at)),
            None => (Draft::default(), None),
        };
        if draft.hosts.trim().is_empty() {
            draft.hosts = prefill.hosts;
        }
        if draft.alert_id.is_none() {
            draft.alert_id = prefill.alert_id;
        }
        if draft.summary.trim().is_empty() {
            draft.summary = prefill.summary;
        }
        if draft.category.is_none() {
            draft.category = prefill.category;
        }
        if draft.channel.is_none() {
            draft.channel = prefill.channel;
        }
        let form = Form::new(draft, at, origin, self.policy.calendar.offset);
        out.push(TicketsCmd::SaveDraft(Box::new(form.draft())).into());
        self.form = Some(form);
    }

    fn query(&mut self, out: &mut Vec<Command>) {
        out.push(TicketsCmd::Query(self.filter.store_filter()).into());
    }

    fn move_selection(&mut self, delta: isize, now: i64) {
        let n = self.visible(now).len();
        if n == 0 {
            self.table.select(None);
            return;
        }
        let cur = self.table.selected().unwrap_or(0) as isize;
        let next = (cur + delta).clamp(0, n as isize - 1) as usize;
        self.table.select(Some(next));
    }

    /// Puts the selection back on the kept ticket after the rows changed.
    fn reselect(&mut self, now: i64) {
        let vis = self.visible(now);
        let at = self.keep.as_ref().and_then(|k| vis.iter().position(|&i| self.rows[i].number == *k));
        match (at, vis.is_empty()) {
            (_, true) => self.table.select(None),
            (Some(i), _) => self.table.select(Some(i)),
            (None, _) => {
                let i = self.table.selected().unwrap_or(0).min(vis.len() - 1);
                self.table.select(Some(i));
            }
        }
        self.keep = self.table.selected().and_then(|i| vis.get(i)).map(|&i| self.rows[i].number.clone());
    }

    fn remember_selection(&mut self, now: i64) {
        let vis = self.visible(now);
        self.keep = self.table.selected().and_then(|i| vis.get(i)).map(|&i| self.rows[i].number.clone());
    }

    fn ask(&mut self, ask: Ask, text: &str, ticket: Option<(String, i64)>) {
        self.menu = None;
        self.prompt = Some(Prompt { ask, line: LineEdit::new(text), ticket });
    }

    /// An action on the selected ticket; a flash text when it cannot be done.
    fn act(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Option<String> {
        let now = ctx.now.timestamp();
        let lang = ctx.lang;
        let Some(t) = self.selected(now) else { return Some(TicketMsg::NoTicket.text(lang).to_string()) };
        let (number, version, status) = (t.number.clone(), t.version, t.status);
        let this = Some((number.clone(), version));
        match action {
            Action::Acknowledge => {
                if status != Status::New {
                    let st = crate::ticket_words::status(status, lang);
                    return Some(say(TicketMsg::AckOnlyNew, lang, &[("number", &number), ("status", st)]));
                }
                out.push(
                    TicketsCmd::Move { key: number, to: Status::Acknowledged, note: None, expect: version }
                        .into(),
                );
            }
            Action::MoveTicket => {
                let moves = status.moves().to_vec();
                if moves.is_empty() {
                    let st = crate::ticket_words::status(status, lang);
                    return Some(say(TicketMsg::MenuMoveNone, lang, &[("number", &number), ("status", st)]));
                }
                self.prompt = None;
                self.menu = Some(Menu::Move { number, version, moves });
            }
            Action::AssignTicket => self.ask(Ask::Assign, "", this),
            Action::EscalateTicket => self.ask(Ask::EscalateTo, "", this),
            Action::NoteTicket => self.ask(Ask::Note, "", this),
            _ => {}
        }
        None
    }

    /// A submitted prompt.
    fn submit(&mut self, p: Prompt, text: String, lang: Lang, out: &mut Vec<Command>) {
        let text = text.trim().to_string();
        let (number, version) = p.ticket.clone().unwrap_or_default();
        match p.ask {
            Ask::Search => {
                self.filter.search = text;
                self.query(out);
            }
            Ask::Assignee => {
                self.filter.assignee = Some(text).filter(|s| !s.is_empty());
                self.query(out);
            }
            Ask::Note if !text.is_empty() => out.push(TicketsCmd::Note { key: number, text }.into()),
            // A cancelled ticket cannot come back: it is not cancelled without a reason.
            Ask::MoveNote(Status::Cancelled) if text.is_empty() => {
                self.flash = Some((TicketMsg::CancelNeedsReason.text(lang).to_string(), true));
            }
            Ask::MoveNote(to) => {
                let note = Some(text).filter(|s| !s.is_empty());
                out.push(TicketsCmd::Move { key: number, to, note, expect: version }.into());
            }
            Ask::Assign if !text.is_empty() => {
                out.push(TicketsCmd::Assign { key: number, to: text, expect: version }.into())
            }
            Ask::EscalateTo if !text.is_empty() => self.ask(Ask::EscalateReason(text), "", p.ticket),
            Ask::EscalateReason(to) if !text.is_empty() => {
                out.push(TicketsCmd::Escalate { key: number, to, reason: text, expect: version }.into())
            }
            // An empty name, note or reason: nothing is sent.
            _ => {}
        }
    }

    fn on_tickets(&mut self, msg: TicketsMsg, ctx: &Ctx, out: &mut Vec<Command>) -> Option<(String, bool)> {
        let lang = ctx.lang;
        let now = ctx.now.timestamp();
        match msg {
            TicketsMsg::Queue { filter, rows, matches, p1 } => {
                // An answer to a filter since replaced is dropped: the newer one is coming.
                if filter != self.filter.store_filter() {
                    return None;
                }
                self.remember_selection(now);
                self.rows = rows;
                self.p1 = p1;
                self.matches = matches;
                self.loaded = true;
                self.reselect(now);
            }
            TicketsMsg::Opened(o) => {
                if let View::Detail { number, opened, .. } = &mut self.view {
                    if o.ticket.number == *number {
                        *opened = Some(o);
                    }
                }
            }
            TicketsMsg::Done { did, ticket } => {
                self.stale = None;
                self.pending = None;
                if did == Did::Created {
                    self.form = None;
                    self.keep = Some(ticket.number.clone());
                }
                return Some((done_text(did, &ticket, lang), false));
            }
            TicketsMsg::Refused { why, stale, .. } => {
                let why = why.get(lang).to_string();
                if let Some(f) = &mut self.form {
                    f.saving = false;
                }
                let pending = self.pending.take();
                if let Some((by, at)) = stale {
                    let by = crate::text::escape_unprintable(&by).into_owned();
                    let at = queue::local(at, self.policy.calendar.offset);
                    self.stale = pending.map(|p| {
                        let why = say(
                            TicketMsg::StaleWho,
                            lang,
                            &[("number", &p.number), ("by", &by), ("at", &at)],
                        );
                        Stale { why, ..p }
                    });
                    // The queue is read again so that `r` finds the version now stored.
                    self.query(out);
                }
                return Some((say(TicketMsg::Refused, lang, &[("why", &why)]), true));
            }
            TicketsMsg::Draft(d) => {
                if self.form.is_none() {
                    self.draft = d.map(|(d, at)| (*d, at)).filter(|(d, _)| !d.is_blank());
                }
            }
            TicketsMsg::Completions { units, callers } => {
                self.units = units;
                self.callers = callers;
            }
        }
        None
    }

    /// Keeps what a prompt sent, for `r` should it come back stale.
    fn keep_pending(&mut self, p: &Prompt, text: &str) {
        self.pending = p.ticket.as_ref().map(|(number, _)| Stale {
            why: String::new(),
            ask: p.ask.clone(),
            text: text.to_string(),
            number: number.clone(),
        });
    }

    /// `r` after a stale refusal: the prompt again, on the version now stored, with the text.
    fn retry_stale(&mut self, now: i64) -> bool {
        let Some(s) = self.stale.take() else { return false };
        let version =
            self.rows.iter().find(|t| t.number == s.number).map(|t| t.version).or_else(|| match &self.view {
                View::Detail { opened: Some(o), .. } if o.ticket.number == s.number => Some(o.ticket.version),
                _ => None,
            });
        let _ = now;
        if let Some(version) = version {
            self.ask(s.ask, &s.text, Some((s.number, version)));
        }
        true
    }
}

fn is_overdue(c: &Clocks) -> bool {
    (c.response.running && c.response.breached()) || (c.resolution.running && c.resolution.breached())
}

fn done_text(did: Did, t: &Ticket, lang: Lang) -> String {
    let status = crate::ticket_words::status(t.status, lang);
    let name = crate::text::escape_unprintable(t.assignee.as_deref().unwrap_or("")).into_owned();
    let level = t.escalation_level.to_string();
    let number = t.number.as_str();
    match did {
        Did::Created => {
            say(TicketMsg::DidCreated, lang, &[("number", number), ("priority", t.priority.as_str())])
        }
        Did::Moved => say(TicketMsg::DidMoved, lang, &[("number", number), ("status", status)]),
        Did::Assigned => say(TicketMsg::DidAssigned, lang, &[("number", number), ("name", &name)]),
        Did::Escalated => {
            say(TicketMsg::DidEscalated, lang, &[("number", number), ("level", &level), ("name", &name)])
        }
        Did::Noted => say(TicketMsg::DidNoted, lang, &[("number", number)]),
    }
}

impl Pane for TicketsPane {
    fn title(&self) -> Msg {
        Msg::PaneTickets
    }

    fn scope(&self) -> Scope {
        match self.view {
            View::Queue => Scope::Tickets,
            View::Detail { .. } => Scope::Ticket,
        }
    }

    fn edit_key(&mut self, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        if let Some(form) = &mut self.form {
            let lang = ctx.lang;
            return match form.key(key, &self.units, &self.callers, lang) {
                form::FormKey::Taken => Edit::Taken,
                form::FormKey::Changed => {
                    out.push(TicketsCmd::SaveDraft(Box::new(form.draft())).into());
                    Edit::Taken
                }
                form::FormKey::Save(draft) => {
                    out.push(TicketsCmd::Create(draft).into());
                    Edit::Taken
                }
                form::FormKey::Failed(why) => Edit::Failed(why),
                form::FormKey::Discard => {
                    self.form = None;
                    out.push(TicketsCmd::DropDraft.into());
                    Edit::Failed(TicketMsg::FormDiscarded.text(lang).to_string())
                }
                form::FormKey::KeepDraft(draft, at) => {
                    self.form = None;
                    self.draft = Some((*draft, at));
                    Edit::Failed(TicketMsg::FormKeptDraft.text(lang).to_string())
                }
            };
        }
        if let Some(menu) = self.menu.clone() {
            return self.menu_key(menu, key, ctx, out);
        }
        let Some(p) = self.prompt.as_mut() else { return Edit::Ignored };
        match p.line.key(key) {
            LineKey::Submit(text) => {
                if let Some(p) = self.prompt.take() {
                    self.keep_pending(&p, &text);
                    self.submit(p, text, ctx.lang, out);
                }
            }
            LineKey::Cancel => self.prompt = None,
            LineKey::Edited | LineKey::Kept => {}
        }
        Edit::Taken
    }

    fn paste(&mut self, text: &str, _ctx: &Ctx) -> bool {
        if let Some(form) = &mut self.form {
            form.paste(text);
            return true;
        }
        match &mut self.prompt {
            Some(p) => {
                p.line.paste(text);
                true
            }
            None => false,
        }
    }

    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        let now = ctx.now.timestamp();
        let detail = matches!(self.view, View::Detail { .. });
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom
                if detail =>
            {
                if let View::Detail { scroll, .. } = &mut self.view {
                    *scroll = match action {
                        Action::Up => scroll.saturating_sub(1),
                        Action::Down => scroll.saturating_add(1),
                        Action::PageUp => scroll.saturating_sub(10),
                        Action::PageDown => scroll.saturating_add(10),
                        Action::Top => 0,
                        _ => u16::MAX,
                    };
                }
            }
            Action::Up => self.move_selection(-1, now),
            Action::Down => self.move_selection(1, now),
            Action::PageUp => self.move_selection(-(self.page as isize), now),
            Action::PageDown => self.move_selection(self.page as isize, now),
            Action::Top => self.move_selection(isize::MIN / 2, now),
            Action::Bottom => self.move_selection(isize::MAX / 2, now),
            Action::Open if !detail => {
                if let Some(t) = self.selected(now) {
                    let number = t.number.clone();
                    out.push(TicketsCmd::Open(number.clone()).into());
                    self.view = View::Detail { number, opened: None, scroll: 0 };
                }
            }
            Action::Back if detail => {
                self.view = View::Queue;
                out.push(TicketsCmd::Close.into());
            }
            Action::NewTicket => self.open_form(Draft::default(), None, ctx.lang, out),
            Action::Acknowledge
            | Action::MoveTicket
            | Action::AssignTicket
            | Action::EscalateTicket
            | Action::NoteTicket => {
                if let Some(text) = self.act(action, ctx, out) {
                    self.stale = None;
                    self.prompt = None;
                    // Shown through the status bar by the app.
                    self.flash = Some((text, true));
                }
            }
            Action::Filter if !detail => {
                self.prompt = None;
                self.menu = Some(Menu::Filter);
            }
            Action::Search if !detail => {
                let text = self.filter.search.clone();
                self.ask(Ask::Search, &text, None);
            }
            Action::ClearFilter if !detail => {
                if !self.filter.is_default() {
                    self.filter = QueueFilter::default();
                    self.query(out);
                }
            }
            Action::Refresh => {
                if !self.retry_stale(now) {
                    self.query(out);
                    if let View::Detail { number, .. } = &self.view {
                        out.push(TicketsCmd::Open(number.clone()).into());
                    }
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn on_message(&mut self, msg: WorkerMsg, ctx: &Ctx, out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Tickets(m) => {
                if let Some(flash) = self.on_tickets(m, ctx, out) {
                    self.flash = Some(flash);
                }
                Taken::IfFocused
            }
            other => Taken::Not(other),
        }
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        if let Some(form) = &mut self.form {
            form.render(f, area, ctx);
            return;
        }
        let (body, bar) = if self.prompt.is_some() || self.menu.is_some() || self.stale.is_some() {
            let [body, bar] = ratatui::layout::Layout::vertical([
                ratatui::layout::Constraint::Min(1),
                ratatui::layout::Constraint::Length(1),
            ])
            .areas(area);
            (body, Some(bar))
        } else {
            (area, None)
        };
        match &self.view {
            View::Queue => {
                self.page = usize::from(body.height.saturating_sub(4)).max(1);
                queue::render(self, f, body, ctx);
            }
            View::Detail { .. } => detail::render(self, f, body, ctx),
        }
        if let Some(bar) = bar {
            self.render_bar(f, bar, ctx);
        }
    }

    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        // The form says its own keys on its last line.
        if self.form.is_some() {
            return Vec::new();
        }
        let actions: &[Action] = match self.view {
            View::Queue => &[
                Action::NewTicket,
                Action::Open,
                Action::Acknowledge,
                Action::MoveTicket,
                Action::AssignTicket,
                Action::EscalateTicket,
                Action::NoteTicket,
                Action::Filter,
                Action::Search,
                Action::Help,
            ],
            View::Detail { .. } => &[
                Action::Back,
                Action::Acknowledge,
                Action::MoveTicket,
                Action::AssignTicket,
                Action::EscalateTicket,
                Action::NoteTicket,
                Action::Help,
            ],
        };
        ctx.hints_for(self.scope(), actions)
    }
}

impl TicketsPane {
    fn menu_key(&mut self, menu: Menu, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        use crossterm::event::KeyCode;
        let KeyCode::Char(c) = key.code else {
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter) {
                self.menu = None;
            }
            return Edit::Taken;
        };
        match menu {
            Menu::Filter => {
                match c {
                    's' => self.filter.status = self.filter.status.next(),
                    'c' => {
                        self.filter.category = match self.filter.category {
                            None => Some(Category::ALL[0]),
                            Some(cat) => Category::ALL
                                .iter()
                                .position(|x| *x == cat)
                                .and_then(|i| Category::ALL.get(i + 1))
                                .copied(),
                        }
                    }
                    'p' => {
                        self.filter.priority = match self.filter.priority {
                            None => Some(Priority::P1),
                            Some(p) => Priority::ALL
                                .iter()
                                .position(|x| *x == p)
                                .and_then(|i| Priority::ALL.get(i + 1))
                                .copied(),
                        }
                    }
                    'o' => self.filter.overdue = !self.filter.overdue,
                    'a' => {
                        let text = self.filter.assignee.clone().unwrap_or_default();
                        self.ask(Ask::Assignee, &text, None);
                        return Edit::Taken;
                    }
                    'x' => self.filter = QueueFilter::default(),
                    'f' | 'q' => {
                        self.menu = None;
                        return Edit::Taken;
                    }
                    _ => return Edit::Taken,
                }
                if c == 'o' {
                    self.remember_selection(ctx.now.timestamp());
                    self.reselect(ctx.now.timestamp());
                } else {
                    self.query(out);
                }
            }
            Menu::Move { number, version, moves } => {
                let chosen = c.to_digit(10).and_then(|d| moves.get((d as usize).wrapping_sub(1))).copied();
                if let Some(to) = chosen {
                    self.ask(Ask::MoveNote(to), "", Some((number, version)));
                }
            }
        }
        Edit::Taken
    }

    /// The line over the status bar: a prompt, a menu, or the stale notice.
    fn render_bar(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        use ratatui::text::{Line, Span};
        let lang = ctx.lang;
        let roles = &ctx.theme.roles;
        f.render_widget(ratatui::widgets::Block::default().style(roles.status_bar), area);
        if let Some(p) = &mut self.prompt {
            let number = p.ticket.as_ref().map(|t| t.0.clone()).unwrap_or_default();
            let label = match &p.ask {
                Ask::Search => TicketMsg::PromptSearch.text(lang).to_string(),
                Ask::Assignee => TicketMsg::PromptAssignee.text(lang).to_string(),
                Ask::Note => say(TicketMsg::PromptNote, lang, &[("number", &number)]),
                Ask::MoveNote(Status::Cancelled) => {
                    say(TicketMsg::PromptCancel, lang, &[("number", &number)])
                }
                Ask::MoveNote(s) => say(
                    TicketMsg::PromptMoveNote,
                    lang,
                    &[("number", &number), ("status", crate::ticket_words::status(*s, lang))],
                ),
                Ask::Assign => say(TicketMsg::PromptAssign, lang, &[("number", &number)]),
                Ask::EscalateTo => say(TicketMsg::PromptEscalateTo, lang, &[("number", &number)]),
                Ask::EscalateReason(to) => {
                    let to = crate::text::escape_unprintable(to).into_owned();
                    say(TicketMsg::PromptEscalateReason, lang, &[("name", &to)])
                }
            };
            p.line.render(f, area, &label, roles.accent, roles.input);
            return;
        }
        let line = match &self.menu {
            Some(Menu::Filter) => Line::from(Span::styled(TicketMsg::MenuFilter.text(lang), roles.accent)),
            Some(Menu::Move { number, moves, .. }) => {
                let mut spans =
                    vec![Span::styled(say(TicketMsg::MenuMove, lang, &[("number", number)]), roles.accent)];
                for (i, m) in moves.iter().enumerate() {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(format!("{}", i + 1), roles.hint_key));
                    spans.push(Span::styled(
                        format!(" {}", crate::ticket_words::status(*m, lang)),
                        roles.hint_label,
                    ));
                }
                spans.push(Span::styled("  Esc", roles.hint_key));
                Line::from(spans)
            }
            None => match &self.stale {
                Some(s) => Line::from(Span::styled(
                    say(TicketMsg::StaleBanner, lang, &[("why", &s.why)]),
                    roles.warn,
                )),
                None => Line::default(),
            },
        };
        let line = yunwei_widgets::width::truncate_line(line, usize::from(area.width), ctx.ellipsis());
        f.render_widget(ratatui::widgets::Paragraph::new(line), area);
    }

    /// Takes the text the pane wants in the status bar (after a change, or why a key did
    /// nothing); the app shows it.
    pub fn take_flash(&mut self) -> Option<(String, bool)> {
        self.flash.take()
    }
}
