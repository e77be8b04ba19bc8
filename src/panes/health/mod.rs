//! The fleet health pane: one row per host with thresholds colouring each figure, sorting,
//! filtering, and the host detail with history sparklines, filesystems and top processes.

mod detail;
mod table;

use std::cmp::Ordering;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::TableState;
use ratatui::Frame;

pub use detail::alert_words;
pub use table::Column;

use crate::action::Action;
use crate::alerts::Alert;
use crate::event::{Command, WorkerMsg};
use crate::health::thresholds::Level;
use crate::health::{HistRange, HostSample};
use crate::i18n::Msg;
use crate::keymap::Scope;
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::store::health::HistPoint;
use crate::ui::line::{LineEdit, LineKey};
use crate::ui::Ctx;
use crate::workers::health::{HealthCmd, HealthMsg};
use crate::workers::store::{StoreCmd, StoreMsg};
use detail::render_detail;

/// How a host is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    Local,
    Remote,
    /// Recorded demo data, clearly marked.
    Demo,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostRow {
    pub name: String,
    pub tags: Vec<String>,
    pub kind: HostKind,
    pub sample: Option<HostSample>,
}

impl HostRow {
    pub fn new(name: impl Into<String>, tags: Vec<String>, kind: HostKind) -> HostRow {
        HostRow { name: name.into(), tags, kind, sample: None }
    }
}

/// Which view of the pane is showing.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Table,
    Detail(Detail),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub host: String,
    pub range: HistRange,
    pub history: Option<Vec<HistPoint>>,
    /// The latest baseline inspection: `None` until the store answers, `Some(None)` when the
    /// host was never inspected.
    pub baseline: Option<Option<Box<crate::store::baseline::StoredRun>>>,
    pub scroll: u16,
}

pub struct HealthPane {
    pub hosts: Vec<HostRow>,
    pub sort: Column,
    pub reverse: bool,
    pub filter: String,
    filter_input: Option<LineEdit>,
    /// The selection among the hosts shown (group headers are not selectable).
    pub table: TableState,
    /// What the table widget draws: host rows and group headers, with its scroll offset.
    render_state: TableState,
    pub group_by_tag: bool,
    pub view: View,
    /// Rows of the table's body at the last draw, for page up/down.
    page: usize,
    /// Samples came since the selection was last placed: it stays on this host (None: no
    /// host was selected), found again in the new order when the selection is next used.
    /// With 500 hosts, sorting the fleet twice per sample (to find the selected host, then to
    /// put the selection back) held a key behind a round's samples for up to 190 ms.
    reselect: Option<Option<String>>,
}

impl HealthPane {
    pub fn new(hosts: Vec<HostRow>) -> HealthPane {
        let mut table = TableState::default();
        if !hosts.is_empty() {
            table.select(Some(0));
        }
        HealthPane {
            hosts,
            sort: Column::Host,
            reverse: false,
            filter: String::new(),
            filter_input: None,
            table,
            render_state: TableState::default(),
            group_by_tag: false,
            view: View::Table,
            page: 10,
            reselect: None,
        }
    }

    pub fn is_editing(&self) -> bool {
        self.filter_input.is_some()
    }

    /// Host indices shown, in display order: filtered, then sorted.
    pub fn visible(&self, ctx: &Ctx) -> Vec<usize> {
        let needle = self.filter.trim().to_lowercase();
        let mut idx: Vec<usize> = (0..self.hosts.len())
            .filter(|&i| {
                let h = &self.hosts[i];
                needle.is_empty()
                    || h.name.to_lowercase().contains(&needle)
                    || h.tags.iter().any(|t| t.to_lowercase().contains(&needle))
            })
            .collect();
        idx.sort_by(|&a, &b| {
            let group =
                if self.group_by_tag { group_order(&self.hosts[a], &self.hosts[b]) } else { Ordering::Equal };
            let o = self.compare(&self.hosts[a], &self.hosts[b], ctx);
            let o = if self.reverse { o.reverse() } else { o };
            group.then(o).then_with(|| self.hosts[a].name.cmp(&self.hosts[b].name))
        });
        idx
    }

    fn compare(&self, a: &HostRow, b: &HostRow, ctx: &Ctx) -> Ordering {
        match self.sort {
            Column::Host => a.name.cmp(&b.name),
            // Worst first: that is what the night-duty engineer wants on top.
            Column::State => state_rank(b, ctx).cmp(&state_rank(a, ctx)),
            col => {
                let ka = a.sample.as_ref().and_then(|s| col.numeric_key(s));
                let kb = b.sample.as_ref().and_then(|s| col.numeric_key(s));
                // Biggest first; missing figures last.
                match (ka, kb) {
                    (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            }
        }
    }

    pub fn selected_host(&self, ctx: &Ctx) -> Option<&HostRow> {
        if let Some(pending) = &self.reselect {
            return pending.as_ref().and_then(|name| self.hosts.iter().find(|h| &h.name == name));
        }
        let vis = self.visible(ctx);
        self.table.selected().and_then(|i| vis.get(i)).map(|&i| &self.hosts[i])
    }

    /// A new sample replaces the host's previous one; the selection stays on the same host.
    pub fn on_sample(&mut self, sample: HostSample, ctx: &Ctx, out: &mut Vec<Command>) {
        if self.reselect.is_none() {
            self.reselect = Some(self.selected_host(ctx).map(|h| h.name.clone()));
        }
        let name = sample.name.clone();
        match self.hosts.iter_mut().find(|h| h.name == sample.name) {
            Some(h) => h.sample = Some(sample),
            None => {
                let mut row = HostRow::new(sample.name.clone(), Vec::new(), HostKind::Local);
                row.sample = Some(sample);
                self.hosts.push(row);
            }
        }
        if let View::Detail(d) = &self.view {
            if d.host == name {
                out.push(Command::Store(StoreCmd::History { host: name, range: d.range }));
            }
        }
    }

    pub fn on_history(&mut self, host: &str, range: HistRange, points: Vec<HistPoint>) {
        if let View::Detail(d) = &mut self.view {
            if d.host == host && d.range == range {
                d.history = Some(points);
            }
        }
    }

    /// Puts the selection back on the host it was on before the latest samples.
    fn settle(&mut self, ctx: &Ctx) {
        if let Some(Some(name)) = self.reselect.take() {
            self.select_name(&name, ctx);
        }
    }

    fn select_name(&mut self, name: &str, ctx: &Ctx) {
        if let Some(pos) = self.visible(ctx).iter().position(|&i| self.hosts[i].name == name) {
            self.table.select(Some(pos));
        }
    }

    fn clamp_selection(&mut self, ctx: &Ctx) {
        let n = self.visible(ctx).len();
        match (n, self.table.selected()) {
            (0, _) => self.table.select(None),
            (_, None) => self.table.select(Some(0)),
            (n, Some(i)) if i >= n => self.table.select(Some(n - 1)),
            _ => {}
        }
    }

    /// Typing into the filter line, which filters as it is typed; `true` while it is open
    /// (every key is the line's then, used or dropped).
    pub fn on_key_editing(&mut self, key: KeyEvent, ctx: &Ctx) -> bool {
        self.settle(ctx);
        let Some(input) = self.filter_input.as_mut() else { return false };
        match input.key(key) {
            LineKey::Submit(_) => self.filter_input = None,
            LineKey::Cancel => {
                self.filter_input = None;
                self.filter.clear();
            }
            LineKey::Edited => self.filter = input.text().to_string(),
            LineKey::Kept => {}
        }
        self.clamp_selection(ctx);
        true
    }
}

impl Pane for HealthPane {
    fn title(&self) -> Msg {
        Msg::PaneFleet
    }

    fn scope(&self) -> Scope {
        match self.view {
            View::Table => Scope::Fleet,
            View::Detail(_) => Scope::Detail,
        }
    }

    fn edit_key(&mut self, key: KeyEvent, ctx: &Ctx, _out: &mut Vec<Command>) -> Edit {
        if self.is_editing() && self.on_key_editing(key, ctx) {
            Edit::Taken
        } else {
            Edit::Ignored
        }
    }

    fn paste(&mut self, text: &str, ctx: &Ctx) -> bool {
        self.settle(ctx);
        let Some(input) = self.filter_input.as_mut() else { return false };
        if input.paste(text) == LineKey::Edited {
            self.filter = input.text().to_string();
            self.clamp_selection(ctx);
        }
        true
    }

    fn on_message(&mut self, msg: WorkerMsg, ctx: &Ctx, out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Health(HealthMsg::Sample(s)) => self.on_sample(*s, ctx, out),
            WorkerMsg::Store(StoreMsg::History { host, range, points }) => {
                self.on_history(&host, range, points)
            }
            WorkerMsg::Store(StoreMsg::Baseline { host, run }) => match &mut self.view {
                View::Detail(d) if d.host == host => d.baseline = Some(run),
                _ => return Taken::IfFocused,
            },
            other => return Taken::Not(other),
        }
        Taken::Redraw
    }

    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        self.settle(ctx);
        match &mut self.view {
            View::Detail(d) => {
                match action {
                    Action::Back => self.view = View::Table,
                    Action::Up => d.scroll = d.scroll.saturating_sub(1),
                    Action::Down => d.scroll = d.scroll.saturating_add(1),
                    Action::PageUp => d.scroll = d.scroll.saturating_sub(10),
                    Action::PageDown => d.scroll = d.scroll.saturating_add(10),
                    Action::Top => d.scroll = 0,
                    Action::Bottom => d.scroll = u16::MAX,
                    Action::RangeNext => {
                        d.range = d.range.next();
                        d.history = None;
                        out.push(Command::Store(StoreCmd::History { host: d.host.clone(), range: d.range }));
                    }
                    Action::Refresh => out.push(Command::Health(HealthCmd::PollNow)),
                    Action::AckAlerts => {
                        out.push(Command::Store(StoreCmd::AckHostAlerts { host: d.host.clone() }))
                    }
                    _ => return Handled::No,
                }
                Handled::Yes
            }
            View::Table => {
                let n = self.visible(ctx).len();
                let sel = self.table.selected().unwrap_or(0);
                let last = n.saturating_sub(1);
                match action {
                    Action::Up => self.table.select(Some(sel.saturating_sub(1))),
                    Action::Down => self.table.select(Some((sel + 1).min(last))),
                    Action::PageUp => self.table.select(Some(sel.saturating_sub(self.page.max(1)))),
                    Action::PageDown => self.table.select(Some((sel + self.page.max(1)).min(last))),
                    Action::Top => self.table.select(Some(0)),
                    Action::Bottom => self.table.select(Some(last)),
                    Action::Open => {
                        if let Some(h) = self.selected_host(ctx) {
                            let host = h.name.clone();
                            out.push(Command::Store(StoreCmd::History {
                                host: host.clone(),
                                range: HistRange::Hour,
                            }));
                            self.view = View::Detail(Detail {
                                host,
                                range: HistRange::Hour,
                                history: None,
                                baseline: None,
                                scroll: 0,
                            });
                        }
                    }
                    Action::Filter => self.filter_input = Some(LineEdit::new(&self.filter)),
                    Action::ClearFilter => {
                        if self.filter.is_empty() {
                            return Handled::No;
                        }
                        self.filter.clear();
                    }
                    Action::SortNext | Action::SortPrev => {
                        let pos = Column::ALL.iter().position(|c| *c == self.sort).unwrap_or(0);
                        let len = Column::ALL.len();
                        let next =
                            if action == Action::SortNext { (pos + 1) % len } else { (pos + len - 1) % len };
                        let keep = self.selected_host(ctx).map(|h| h.name.clone());
                        self.sort = Column::ALL[next];
                        if let Some(k) = keep {
                            self.select_name(&k, ctx);
                        }
                    }
                    Action::SortReverse => {
                        let keep = self.selected_host(ctx).map(|h| h.name.clone());
                        self.reverse = !self.reverse;
                        if let Some(k) = keep {
                            self.select_name(&k, ctx);
                        }
                    }
                    Action::Refresh => out.push(Command::Health(HealthCmd::PollNow)),
                    Action::GroupByTag => {
                        let keep = self.selected_host(ctx).map(|h| h.name.clone());
                        self.group_by_tag = !self.group_by_tag;
                        if let Some(k) = keep {
                            self.select_name(&k, ctx);
                        }
                    }
                    _ => return Handled::No,
                }
                self.clamp_selection(ctx);
                Handled::Yes
            }
        }
    }

    /// Key hints for the status bar, from the live keymap.
    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let scope = self.scope();
        let actions: &[Action] = match self.view {
            View::Table => &[
                Action::Help,
                Action::Open,
                Action::Filter,
                Action::SortNext,
                Action::SortReverse,
                Action::Refresh,
                Action::CommandLine,
                Action::Quit,
            ],
            View::Detail(_) => &[
                Action::Help,
                Action::Back,
                Action::AckAlerts,
                Action::RangeNext,
                Action::Down,
                Action::Refresh,
                Action::Quit,
            ],
        };
        ctx.hints_for(scope, actions)
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        self.settle(ctx);
        match &self.view {
            View::Table => self.render_table(f, area, ctx),
            View::Detail(d) => {
                let d = d.clone();
                let row = self.hosts.iter().find(|h| h.name == d.host).cloned();
                let alerts: Vec<&Alert> = ctx.alerts.of_host(&d.host).collect();
                render_detail(f, area, ctx, &d, row.as_ref(), &alerts);
                if let View::Detail(live) = &mut self.view {
                    live.scroll = d.scroll.min(live.scroll);
                }
            }
        }
    }
}

/// The group of a host when grouping by tag: its first tag ("" for none).
fn group_key(h: &HostRow) -> String {
    h.tags.first().cloned().unwrap_or_default()
}

/// Groups in name order, the untagged hosts last.
fn group_order(a: &HostRow, b: &HostRow) -> Ordering {
    let (ka, kb) = (group_key(a), group_key(b));
    (ka.is_empty(), ka).cmp(&(kb.is_empty(), kb))
}

/// Why a host is down, in the user's language: "timed out: …".
pub fn down_reason(h: &HostRow, ctx: &Ctx) -> Option<String> {
    let s = h.sample.as_ref().filter(|s| !s.reachable)?;
    let e = s.error.as_ref()?;
    let words = crate::health::HostError::kind_text(&e.kind, ctx.lang);
    let text = e.text(ctx.lang == crate::i18n::Lang::ZhCn);
    Some(if text.is_empty() { words.to_string() } else { format!("{words}: {text}") })
}

fn state_rank(h: &HostRow, ctx: &Ctx) -> (u8, u8) {
    match &h.sample {
        None => (0, 0),
        Some(s) if !s.reachable => (3, 0),
        Some(s) => (1, judged_level(s, ctx) as u8),
    }
}

/// A host's level as the console judges it: every figure of the sample, but CPU only by its
/// alert, which opens when CPU stayed high for five minutes (one busy reading is no problem).
pub(crate) fn judged_level(s: &HostSample, ctx: &Ctx) -> crate::health::Level {
    let cpu = ctx
        .alerts
        .of_host(&s.name)
        .filter(|a| a.key.metric() == Some(crate::alerts::health::Metric::Cpu))
        .map(|a| a.level)
        .max()
        .unwrap_or(crate::health::Level::Ok);
    ctx.thresholds.host_level_but_cpu(s).max(cpu)
}

fn level_style(level: Level, ctx: &Ctx) -> Style {
    match level {
        Level::Ok => ctx.theme.roles.text,
        Level::Warn => ctx.theme.roles.warn,
        Level::Crit => ctx.theme.roles.crit,
    }
}

/// Seconds since the sample when it is older than two poll intervals.
fn stale_age(s: &HostSample, ctx: &Ctx) -> Option<i64> {
    let age = ctx.now.timestamp() - s.sampled_at;
    (age > 2 * ctx.poll_interval_s as i64).then_some(age)
}

#[cfg(test)]
mod tests;
