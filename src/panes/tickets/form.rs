//! The new-ticket form, made for a call in progress: the caller's phone and unit first (a
//! number that called before fills in the caller and unit; units and callers seen before are
//! offered as completions), impact and urgency with one key each (the priority shows as they
//! are chosen), the summary on one line and the description in a text area. Choosing with one
//! key moves on to the next field, so a phone ticket takes about ten keys beyond its text.
//! Every change is kept as a draft in the database; Esc on a filled form asks first.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use ratatui_textarea::TextArea;

use super::messages::TicketMsg;
use super::say;
use crate::i18n::Lang;
use crate::store::tickets::Caller;
use crate::tickets::draft::Draft;
use crate::tickets::{Category, Channel, Level};
use crate::ui::line::{LineEdit, LineKey};
use crate::ui::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Phone,
    Unit,
    Caller,
    Channel,
    Category,
    Impact,
    Urgency,
    Summary,
    Description,
    Hosts,
}

const ORDER: [Field; 10] = [
    Field::Phone,
    Field::Unit,
    Field::Caller,
    Field::Channel,
    Field::Category,
    Field::Impact,
    Field::Urgency,
    Field::Summary,
    Field::Description,
    Field::Hosts,
];

impl Field {
    fn label(self) -> TicketMsg {
        match self {
            Field::Phone => TicketMsg::FormPhone,
            Field::Unit => TicketMsg::FormUnit,
            Field::Caller => TicketMsg::FormCaller,
            Field::Channel => TicketMsg::FormChannel,
            Field::Category => TicketMsg::FormCategory,
            Field::Impact => TicketMsg::FormImpact,
            Field::Urgency => TicketMsg::FormUrgency,
            Field::Summary => TicketMsg::FormSummary,
            Field::Description => TicketMsg::FormDescription,
            Field::Hosts => TicketMsg::FormHosts,
        }
    }

    fn step(self, by: isize) -> Field {
        let i = ORDER.iter().position(|f| *f == self).unwrap_or(0) as isize;
        ORDER[(i + by).clamp(0, ORDER.len() as isize - 1) as usize]
    }
}

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq)]
pub enum FormKey {
    /// Taken; nothing to keep (a move between fields, a completion shown).
    Taken,
    /// The form changed: the draft is kept.
    Changed,
    /// Ctrl-S on a complete form.
    Save(Box<Draft>),
    /// Why the form cannot be saved yet, or why the key did nothing.
    Failed(String),
    /// Esc, and the discard confirmed (or nothing was typed).
    Discard,
    /// Esc, and the draft kept for later: the form closes.
    KeepDraft(Box<Draft>, i64),
}

pub struct Form {
    phone: LineEdit,
    unit: LineEdit,
    caller: LineEdit,
    summary: LineEdit,
    hosts: LineEdit,
    description: TextArea<'static>,
    channel: Channel,
    category: Option<Category>,
    impact: Option<Level>,
    urgency: Option<Level>,
    alert_id: Option<i64>,
    pub focus: Field,
    /// Esc on a filled form: the question is showing.
    confirm: bool,
    /// Sent to be saved; the answer is awaited.
    pub saving: bool,
    /// When the draft it was opened from was saved.
    kept_at: Option<i64>,
    /// The host the form was opened from.
    origin: Option<String>,
    /// A line under the fields: the known caller filled in.
    note: Option<String>,
    /// Which completion is offered, among those that match.
    pick: usize,
    /// The completion offered, as shown under the fields.
    completion_line: Option<String>,
    /// The tickets' calendar offset, for the draft's time.
    offset: chrono::FixedOffset,
}

fn line(text: &str) -> LineEdit {
    LineEdit::new(text)
}

impl Form {
    pub fn new(d: Draft, kept_at: Option<i64>, origin: Option<String>, offset: chrono::FixedOffset) -> Form {
        let mut description = TextArea::new(if d.description.is_empty() {
            vec![String::new()]
        } else {
            d.description.lines().map(String::from).collect()
        });
        description.set_cursor_line_style(Style::default());
        let focus = if d.phone.is_empty() && d.caller.is_empty() { Field::Phone } else { Field::Summary };
        Form {
            phone: line(&d.phone),
            unit: line(&d.unit),
            caller: line(&d.caller),
            summary: line(&d.summary),
            hosts: line(&d.hosts),
            description,
            channel: d.channel.unwrap_or(Channel::Phone),
            category: d.category,
            impact: d.impact,
            urgency: d.urgency,
            alert_id: d.alert_id,
            focus,
            confirm: false,
            saving: false,
            kept_at,
            origin,
            note: None,
            pick: 0,
            completion_line: None,
            offset,
        }
    }

    /// The form as it stands.
    pub fn draft(&self) -> Draft {
        Draft {
            phone: self.phone.text().trim().to_string(),
            unit: self.unit.text().to_string(),
            caller: self.caller.text().to_string(),
            channel: Some(self.channel),
            category: self.category,
            impact: self.impact,
            urgency: self.urgency,
            summary: self.summary.text().to_string(),
            description: self.description.lines().join("\n"),
            hosts: self.hosts.text().to_string(),
            alert_id: self.alert_id,
        }
    }

    fn line_mut(&mut self, f: Field) -> Option<&mut LineEdit> {
        match f {
            Field::Phone => Some(&mut self.phone),
            Field::Unit => Some(&mut self.unit),
            Field::Caller => Some(&mut self.caller),
            Field::Summary => Some(&mut self.summary),
            Field::Hosts => Some(&mut self.hosts),
            _ => None,
        }
    }

    /// The completions of the focused field that match what is typed, best first: those that
    /// start with it, then those that contain it.
    fn candidates(&self, units: &[String], callers: &[Caller]) -> Vec<String> {
        let (typed, pool): (&str, Vec<&str>) = match self.focus {
            Field::Phone => (self.phone.text(), callers.iter().map(|c| c.phone.as_str()).collect()),
            Field::Unit => (self.unit.text(), units.iter().map(String::as_str).collect()),
            Field::Caller => (self.caller.text(), callers.iter().map(|c| c.name.as_str()).collect()),
            _ => return Vec::new(),
        };
        let typed = typed.trim();
        if typed.is_empty() || (self.focus == Field::Phone && typed.chars().count() < 3) {
            return Vec::new();
        }
        let low = typed.to_lowercase();
        let mut starts: Vec<String> = Vec::new();
        let mut contains: Vec<String> = Vec::new();
        for c in pool {
            let cl = c.to_lowercase();
            if cl == low || starts.iter().chain(&contains).any(|x| x == c) {
                continue;
            }
            if cl.starts_with(&low) {
                starts.push(c.to_string());
            } else if cl.contains(&low) {
                contains.push(c.to_string());
            }
        }
        starts.extend(contains);
        starts
    }

    /// Leaving the phone field on a number that called before: its caller and unit, where
    /// those are still empty.
    fn known_caller(&mut self, callers: &[Caller], lang: Lang) {
        let phone = self.phone.text().trim().to_string();
        let Some(c) = callers.iter().find(|c| c.phone == phone) else { return };
        let mut filled = false;
        if self.caller.text().trim().is_empty() {
            self.caller = line(&c.name);
            filled = true;
        }
        if self.unit.text().trim().is_empty() {
            if let Some(u) = &c.unit {
                self.unit = line(u);
                filled = true;
            }
        }
        if filled {
            let clean = |s: &str| crate::text::escape_unprintable(s).into_owned();
            self.note = Some(say(
                TicketMsg::FormKnownCaller,
                lang,
                &[("name", &clean(&c.name)), ("unit", &clean(c.unit.as_deref().unwrap_or("-")))],
            ));
        }
    }

    fn go(&mut self, by: isize, callers: &[Caller], lang: Lang) -> FormKey {
        let was = self.focus;
        self.focus = self.focus.step(by);
        self.pick = 0;
        if was == Field::Phone && self.focus != Field::Phone {
            let before = self.draft();
            self.known_caller(callers, lang);
            // Fields already filled in: straight on to what the call is about.
            if self.draft() != before {
                self.focus = Field::Channel;
                return FormKey::Changed;
            }
        }
        FormKey::Taken
    }

    /// What is still needed before the ticket can be saved, in the form's order.
    fn missing(&self) -> Vec<Field> {
        let mut out = Vec::new();
        if self.caller.text().trim().is_empty() {
            out.push(Field::Caller);
        }
        if self.category.is_none() {
            out.push(Field::Category);
        }
        if self.impact.is_none() {
            out.push(Field::Impact);
        }
        if self.urgency.is_none() {
            out.push(Field::Urgency);
        }
        if self.summary.text().trim().is_empty() {
            out.push(Field::Summary);
        }
        out
    }

    pub fn paste(&mut self, text: &str) {
        if self.focus == Field::Description {
            self.description.insert_str(text);
        } else if let Some(l) = self.line_mut(self.focus) {
            l.paste(text);
        }
    }

    pub fn key(&mut self, key: KeyEvent, units: &[String], callers: &[Caller], lang: Lang) -> FormKey {
        let done = self.key_inner(key, units, callers, lang);
        let offered = self.candidates(units, callers);
        self.completion_line = (!offered.is_empty()).then(|| {
            let i = self.pick % offered.len();
            let text = crate::text::escape_unprintable(&offered[i]).into_owned();
            say(
                TicketMsg::FormCompletion,
                lang,
                &[("text", &text), ("i", &(i + 1).to_string()), ("n", &offered.len().to_string())],
            )
        });
        done
    }

    fn key_inner(&mut self, key: KeyEvent, units: &[String], callers: &[Caller], lang: Lang) -> FormKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.confirm {
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => FormKey::Discard,
                KeyCode::Char('k') | KeyCode::Char('K') => FormKey::KeepDraft(
                    Box::new(self.draft()),
                    self.kept_at.unwrap_or_else(crate::clock::now_s),
                ),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    self.confirm = false;
                    FormKey::Taken
                }
                _ => FormKey::Taken,
            };
        }
        if self.saving {
            return FormKey::Taken;
        }
        match key.code {
            KeyCode::Esc => {
                if self.draft().is_blank() {
                    return FormKey::Discard;
                }
                self.confirm = true;
                return FormKey::Taken;
            }
            KeyCode::Char('s') if ctrl => {
                let missing = self.missing();
                if let Some(first) = missing.first() {
                    self.focus = *first;
                    let names: Vec<&str> = missing.iter().map(|f| f.label().text(lang)).collect();
                    return FormKey::Failed(say(
                        TicketMsg::FormMissing,
                        lang,
                        &[("fields", &names.join(", "))],
                    ));
                }
                self.saving = true;
                return FormKey::Save(Box::new(self.draft()));
            }
            KeyCode::Tab => return self.go(1, callers, lang),
            KeyCode::BackTab => return self.go(-1, callers, lang),
            _ => {}
        }
        let before = self.draft();
        match self.focus {
            Field::Description => {
                self.description.input(key);
            }
            Field::Channel | Field::Category | Field::Impact | Field::Urgency => {
                if let Some(k) = self.choose(key) {
                    return k;
                }
                match key.code {
                    KeyCode::Enter | KeyCode::Down => return self.go(1, callers, lang),
                    KeyCode::Up => return self.go(-1, callers, lang),
                    _ => {}
                }
            }
            f => {
                let offered = self.candidates(units, callers);
                match key.code {
                    KeyCode::Char('e') if ctrl && !offered.is_empty() => {
                        let chosen = offered[self.pick % offered.len()].clone();
                        if let Some(l) = self.line_mut(f) {
                            *l = line(&chosen);
                        }
                        self.pick = 0;
                    }
                    KeyCode::Char('n') if ctrl && !offered.is_empty() => {
                        self.pick = (self.pick + 1) % offered.len();
                        return FormKey::Taken;
                    }
                    KeyCode::Char('p') if ctrl && !offered.is_empty() => {
                        self.pick = (self.pick + offered.len() - 1) % offered.len();
                        return FormKey::Taken;
                    }
                    KeyCode::Down => return self.go(1, callers, lang),
                    KeyCode::Up => return self.go(-1, callers, lang),
                    _ => {
                        if let Some(l) = self.line_mut(f) {
                            if let LineKey::Submit(_) = l.key(key) {
                                return self.go(1, callers, lang);
                            }
                        }
                        self.pick = 0;
                    }
                }
            }
        }
        if self.draft() != before {
            FormKey::Changed
        } else {
            FormKey::Taken
        }
    }

    /// A one-key choice in the focused choice field: chosen, and on to the next field.
    fn choose(&mut self, key: KeyEvent) -> Option<FormKey> {
        let KeyCode::Char(c) = key.code else {
            let by: isize = match key.code {
                KeyCode::Left => -1,
                KeyCode::Right => 1,
                _ => return None,
            };
            let cycle = |i: usize, n: usize| ((i as isize + by).rem_euclid(n as isize)) as usize;
            match self.focus {
                Field::Channel => {
                    let i = Channel::ALL.iter().position(|x| *x == self.channel).unwrap_or(0);
                    self.channel = Channel::ALL[cycle(i, Channel::ALL.len())];
                }
                Field::Category => {
                    let i = self.category.and_then(|c| Category::ALL.iter().position(|x| *x == c));
                    let i = i.map_or(if by > 0 { 0 } else { Category::ALL.len() - 1 }, |i| {
                        cycle(i, Category::ALL.len())
                    });
                    self.category = Some(Category::ALL[i]);
                }
                Field::Impact | Field::Urgency => {
                    const L: [Level; 3] = [Level::High, Level::Medium, Level::Low];
                    let cur = if self.focus == Field::Impact { self.impact } else { self.urgency };
                    let i = cur.and_then(|c| L.iter().position(|x| *x == c));
                    let i = i.map_or(if by > 0 { 0 } else { 2 }, |i| cycle(i, 3));
                    if self.focus == Field::Impact {
                        self.impact = Some(L[i]);
                    } else {
                        self.urgency = Some(L[i]);
                    }
                }
                _ => return None,
            }
            return Some(FormKey::Changed);
        };
        let digit = c.to_digit(10).map(|d| d as usize);
        match self.focus {
            Field::Channel => {
                let by_letter = match c {
                    'p' => Some(Channel::Phone),
                    'e' => Some(Channel::Email),
                    'o' => Some(Channel::Onsite),
                    'r' => Some(Channel::Remote),
                    'm' => Some(Channel::Monitoring),
                    _ => None,
                };
                let chosen =
                    by_letter.or_else(|| digit.and_then(|d| Channel::ALL.get(d.wrapping_sub(1)).copied()))?;
                self.channel = chosen;
            }
            Field::Category => {
                self.category = Some(*Category::ALL.get(digit?.wrapping_sub(1))?);
            }
            Field::Impact | Field::Urgency => {
                let level = match c {
                    'h' | '1' => Level::High,
                    'm' | '2' => Level::Medium,
                    'l' | '3' => Level::Low,
                    _ => return None,
                };
                if self.focus == Field::Impact {
                    self.impact = Some(level);
                } else {
                    self.urgency = Some(level);
                }
            }
            _ => return None,
        }
        self.focus = self.focus.step(1);
        Some(FormKey::Changed)
    }

    pub fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        let lang = ctx.lang;
        let roles = ctx.theme.roles;
        let title = match self.kept_at {
            Some(at) => {
                say(TicketMsg::FormTitleDraft, lang, &[("at", &super::queue::local(at, self.offset))])
            }
            None => TicketMsg::FormTitle.text(lang).to_string(),
        };
        let block = ctx.block(title);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let label_w =
            ORDER.iter().map(|f| yunwei_widgets::width::width(f.label().text(lang))).max().unwrap_or(8)
                as u16
                + 3;
        // Every field when there is room (the description taking what is left); on a small
        // terminal, as many one-line fields as fit, around the one being filled in.
        let room = usize::from(inner.height.saturating_sub(2));
        let full = room >= ORDER.len() + 2;
        let at = ORDER.iter().position(|f| *f == self.focus).unwrap_or(0);
        let count = if full { ORDER.len() } else { room.clamp(1, ORDER.len()) };
        let first = at.saturating_sub(count / 2).min(ORDER.len() - count);
        let shown = &ORDER[first..first + count];
        let mut constraints: Vec<Constraint> = shown
            .iter()
            .map(
                |f| if full && *f == Field::Description { Constraint::Min(3) } else { Constraint::Length(1) },
            )
            .collect();
        constraints.extend([Constraint::Length(1), Constraint::Length(1)]);
        let rows = Layout::vertical(constraints).split(inner);
        let rect_of = |f: Field| shown.iter().position(|x| *x == f).map(|i| rows[i]);
        let (info_row, keys_row) = (rows[count], rows[count + 1]);
        let focus_style = roles.accent;
        let put_label = |f: &mut Frame<'_>, r: Rect, field: Field, focus: Field| {
            let style = if field == focus { focus_style } else { roles.muted };
            let mark = if field == focus { "›" } else { " " };
            let text = format!("{mark}{}", field.label().text(lang));
            f.render_widget(
                Span::styled(yunwei_widgets::width::pad_right(&text, label_w as usize), style),
                r,
            );
        };
        let value_rect = |r: Rect| Rect { x: r.x + label_w, width: r.width.saturating_sub(label_w), ..r };
        let focus = self.focus;
        for field in [Field::Phone, Field::Unit, Field::Caller, Field::Summary, Field::Hosts] {
            let Some(r) = rect_of(field) else { continue };
            put_label(f, r, field, focus);
            let style = if field == focus { roles.input } else { roles.text };
            if let Some(l) = self.line_mut(field) {
                l.render(f, value_rect(r), "", style, style);
            }
        }
        // Choice rows: every option with its key, the chosen one in the selection's style.
        let choice = |chosen: bool, key: String, word: &str| -> Vec<Span<'static>> {
            let style = if chosen { roles.selected } else { roles.text };
            vec![Span::styled(key, roles.hint_key), Span::styled(format!(" {word}"), style), Span::raw("  ")]
        };
        let channels: Vec<Span<'static>> = Channel::ALL
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                choice(*c == self.channel, (i + 1).to_string(), crate::ticket_words::channel(*c, lang))
            })
            .collect();
        let categories: Vec<Span<'static>> = Category::ALL
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                choice(
                    Some(*c) == self.category,
                    (i + 1).to_string(),
                    crate::ticket_words::category(*c, lang),
                )
            })
            .collect();
        let levels = |cur: Option<Level>| -> Vec<Span<'static>> {
            [(Level::High, "h"), (Level::Medium, "m"), (Level::Low, "l")]
                .iter()
                .flat_map(|(l, k)| {
                    choice(Some(*l) == cur, k.to_string(), crate::ticket_words::level(*l, lang))
                })
                .collect()
        };
        let mut urgency = levels(self.urgency);
        match self.draft().priority() {
            Some(p) => {
                let (text, style) = super::queue::priority_cell(p, ctx);
                urgency.push(Span::styled(say(TicketMsg::FormPriority, lang, &[("p", text.trim())]), style));
            }
            None => urgency.push(Span::styled(TicketMsg::FormPriorityNone.text(lang), roles.muted)),
        }
        for (field, spans) in [
            (Field::Channel, channels),
            (Field::Category, categories),
            (Field::Impact, levels(self.impact)),
            (Field::Urgency, urgency),
        ] {
            let Some(r) = rect_of(field) else { continue };
            put_label(f, r, field, focus);
            f.render_widget(Paragraph::new(Line::from(spans)), value_rect(r));
        }
        let description_row = rect_of(Field::Description);
        if let Some(r) = description_row {
            put_label(f, r, Field::Description, focus);
        }
        let style = if focus == Field::Description { roles.input } else { roles.text };
        self.description.set_style(style);
        if focus == Field::Description {
            self.description.set_cursor_style(roles.selected);
        } else {
            self.description.set_cursor_style(style);
        }
        if let Some(r) = description_row {
            f.render_widget(&self.description, value_rect(r));
        }
        // Under the fields: the completion offered, or the known caller, or where it came from.
        let info = self.note.clone().or_else(|| {
            let mut bits = Vec::new();
            if let Some(id) = self.alert_id {
                bits.push(say(TicketMsg::FormAlert, lang, &[("id", &id.to_string())]));
            }
            if let Some(h) = &self.origin {
                bits.push(say(
                    TicketMsg::FormFromHost,
                    lang,
                    &[("host", &crate::text::escape_unprintable(h))],
                ));
            }
            (!bits.is_empty()).then(|| bits.join(" · "))
        });
        if let Some(text) = &self.completion_line {
            f.render_widget(Span::styled(text.clone(), roles.accent), info_row);
        } else if let Some(info) = info {
            f.render_widget(Span::styled(info, roles.muted), info_row);
        }
        let bottom = if self.confirm {
            Span::styled(TicketMsg::FormConfirm.text(lang), roles.warn)
        } else if self.saving {
            Span::styled(TicketMsg::FormSaving.text(lang), roles.muted)
        } else {
            Span::styled(TicketMsg::FormKeys.text(lang), roles.muted)
        };
        let bottom = yunwei_widgets::width::truncate_line(
            Line::from(bottom),
            usize::from(keys_row.width),
            ctx.ellipsis(),
        );
        f.render_widget(Paragraph::new(bottom), keys_row);
    }
}
