//! The Network pane: every `[[checks]]` entry as a row and every place that probes it as a
//! column, each cell with its state and latency; under the grid the selected cell in full (its
//! reason, target, latency sparkline, certificate, the last failures and the tools its host
//! lacks). `r` probes the selected cell now, `t` traces the path from its host to the target
//! and shows the tool's output, sanitised. The work is the network thread's
//! (`workers::netcheck`).

#[cfg(test)]
mod tests;
mod view;

use std::collections::BTreeMap;

use ratatui::layout::Rect;
use ratatui::Frame;

use crate::action::Action;
use crate::event::{Command, WorkerMsg};
use crate::i18n::{tr, Msg};
use crate::keymap::Scope;
use crate::netcheck::LOCAL;
use crate::panes::{Handled, Pane, Taken};
use crate::ui::Ctx;
use crate::workers::netcheck::{Cell, NetCmd, NetMsg, Trace};

/// A trace asked for and not yet answered, or its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceView {
    Running { check: String, origin: String },
    Done(Trace),
}

impl TraceView {
    fn is_for(&self, check: &str, origin: &str) -> bool {
        match self {
            TraceView::Running { check: c, origin: o } => c == check && o == origin,
            TraceView::Done(t) => t.check == check && t.origin == origin,
        }
    }
}

#[derive(Debug, Default)]
pub struct NetworkPane {
    /// Every check from every place, in the config's order.
    pub cells: Vec<Cell>,
    /// The grid's rows (checks) and columns (places), in order of first appearance.
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// Each cell's place in `cells` by its row and column, so a draw finds each in one step.
    at: std::collections::HashMap<(usize, usize), usize>,
    pub row: usize,
    pub col: usize,
    /// The tools each probing host has, from its last round.
    pub tools: BTreeMap<String, Vec<String>>,
    /// Cells asked to be probed now, with when (seconds since the epoch): shown as probing
    /// until a result at least as new arrives.
    pub probing: Vec<(String, String, i64)>,
    pub trace: Option<TraceView>,
    /// How far the trace's text is scrolled.
    pub trace_scroll: usize,
    /// A first report has come.
    pub checked: bool,
    /// Rows of the grid shown last (for page up and down).
    page: usize,
    flash: Option<(String, bool)>,
}

impl NetworkPane {
    pub fn new() -> NetworkPane {
        NetworkPane { page: 5, ..Default::default() }
    }

    pub fn take_flash(&mut self) -> Option<(String, bool)> {
        self.flash.take()
    }

    /// The cell of a check from a place, when that place probes it.
    pub fn cell(&self, row: usize, col: usize) -> Option<&Cell> {
        self.at.get(&(row, col)).and_then(|i| self.cells.get(*i))
    }

    pub fn selected(&self) -> Option<&Cell> {
        self.cell(self.row, self.col)
    }

    /// The host of the selected cell, when it is probed from a host (for `S`).
    pub fn selected_host(&self) -> Option<String> {
        self.selected().map(|c| c.result.origin.clone()).filter(|o| o != LOCAL)
    }

    pub fn is_probing(&self, check: &str, origin: &str) -> bool {
        self.probing.iter().any(|(c, o, _)| c == check && o == origin)
    }

    fn adopt(&mut self, cells: Vec<Cell>) {
        let keep = (self.rows.get(self.row).cloned(), self.cols.get(self.col).cloned());
        let mut rows: Vec<String> = Vec::new();
        let mut cols: Vec<String> = Vec::new();
        let mut at = std::collections::HashMap::with_capacity(cells.len());
        for (i, c) in cells.iter().enumerate() {
            let row = rows.iter().position(|r| *r == c.result.check).unwrap_or_else(|| {
                rows.push(c.result.check.clone());
                rows.len() - 1
            });
            let col = cols.iter().position(|o| *o == c.result.origin).unwrap_or_else(|| {
                cols.push(c.result.origin.clone());
                cols.len() - 1
            });
            // The first of a check from a place, as the list's order had it.
            at.entry((row, col)).or_insert(i);
        }
        // A probe asked for long ago whose result never came (its round failed) is let go.
        let now = crate::clock::now_s();
        self.probing.retain(|(check, origin, asked)| {
            now - *asked < 120
                && !cells.iter().any(|c| {
                    &c.result.check == check && &c.result.origin == origin && c.result.checked_at >= *asked
                })
        });
        self.cells = cells;
        self.at = at;
        self.rows = rows;
        self.cols = cols;
        self.row = keep.0.and_then(|k| self.rows.iter().position(|r| *r == k)).unwrap_or(0);
        self.col = keep.1.and_then(|k| self.cols.iter().position(|c| *c == k)).unwrap_or(0);
        self.row = self.row.min(self.rows.len().saturating_sub(1));
        self.col = self.col.min(self.cols.len().saturating_sub(1));
        self.checked = true;
    }

    fn on_net(&mut self, m: NetMsg) {
        match m {
            NetMsg::Checked { cells, tools } => {
                self.adopt(cells);
                self.tools = tools;
            }
            NetMsg::Traced(t) => {
                // Kept only while the user still waits for it (Esc drops the wait).
                if self.trace.as_ref().is_some_and(|v| v.is_for(&t.check, &t.origin)) {
                    self.trace = Some(TraceView::Done(t));
                    self.trace_scroll = 0;
                }
            }
            NetMsg::Failed(why) => {
                self.flash = Some((crate::text::escape_unprintable(&why).into_owned(), true));
            }
        }
    }

    fn move_row(&mut self, by: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() as isize - 1;
        self.row = (self.row as isize).saturating_add(by).clamp(0, last) as usize;
    }

    fn move_col(&mut self, by: isize) {
        if self.cols.is_empty() {
            return;
        }
        let last = self.cols.len() as isize - 1;
        self.col = (self.col as isize).saturating_add(by).clamp(0, last) as usize;
    }

    /// The selected cell's check and place, or a flash saying there is none.
    fn chosen(&mut self, ctx: &Ctx) -> Option<(String, String)> {
        match self.selected() {
            Some(c) => Some((c.result.check.clone(), c.result.origin.clone())),
            None => {
                let text = match (self.rows.get(self.row), self.cols.get(self.col)) {
                    (Some(check), Some(origin)) => {
                        let (check, origin) = (clean(check), clean(origin));
                        tr(
                            ctx.lang,
                            format!("{origin} does not probe {check} (its `from` does not name it)"),
                            format!("{origin} 不探测 {check}（该检查的 `from` 中没有它）"),
                        )
                    }
                    _ => tr(ctx.lang, "no check is selected", "没有选中的检查"),
                };
                self.flash = Some((text, true));
                None
            }
        }
    }
}

fn clean(s: &str) -> String {
    crate::text::escape_unprintable(s).into_owned()
}

impl Pane for NetworkPane {
    fn title(&self) -> Msg {
        Msg::PaneNetwork
    }

    fn scope(&self) -> Scope {
        Scope::Network
    }

    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        let lang = ctx.lang;
        let trace_open = self.trace.is_some();
        match action {
            Action::Up => self.move_row(-1),
            Action::Down => self.move_row(1),
            Action::Left => self.move_col(-1),
            Action::Right => self.move_col(1),
            Action::PageUp if trace_open => self.trace_scroll = self.trace_scroll.saturating_sub(self.page),
            Action::PageDown if trace_open => self.trace_scroll = self.trace_scroll.saturating_add(self.page),
            Action::PageUp => self.move_row(-(self.page.max(1) as isize)),
            Action::PageDown => self.move_row(self.page.max(1) as isize),
            Action::Top => self.move_row(isize::MIN / 2),
            Action::Bottom => self.move_row(isize::MAX / 2),
            Action::Back if trace_open => self.trace = None,
            Action::Back => return Handled::No,
            Action::Refresh => {
                let Some((check, origin)) = self.chosen(ctx) else { return Handled::Yes };
                if !self.is_probing(&check, &origin) {
                    self.probing.push((check.clone(), origin.clone(), crate::clock::now_s()));
                    out.push(NetCmd::ProbeNow(Some((check.clone(), origin.clone()))).into());
                }
                let (c, o) = (clean(&check), clean(&origin));
                self.flash = Some((
                    tr(lang, format!("probing {c} from {o}…"), format!("正在从 {o} 探测 {c}…")),
                    false,
                ));
            }
            Action::Trace => {
                let Some((check, origin)) = self.chosen(ctx) else { return Handled::Yes };
                // The same trace already running: wait for it.
                if let Some(t @ TraceView::Running { .. }) = &self.trace {
                    if t.is_for(&check, &origin) {
                        return Handled::Yes;
                    }
                }
                out.push(NetCmd::Trace { check: check.clone(), origin: origin.clone() }.into());
                self.trace = Some(TraceView::Running { check, origin });
                self.trace_scroll = 0;
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn on_message(&mut self, msg: WorkerMsg, _ctx: &Ctx, _out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Net(m) => {
                let shown = !matches!(m, NetMsg::Failed(_));
                self.on_net(m);
                if shown {
                    Taken::IfFocused
                } else {
                    Taken::Redraw
                }
            }
            other => Taken::Not(other),
        }
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        self.page = view::render(self, f, area, ctx);
    }

    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let mut actions = vec![Action::Refresh, Action::Trace, Action::Right];
        if self.trace.is_some() {
            actions.push(Action::Back);
        }
        actions.push(Action::Help);
        let mut hints = ctx.hints_for(self.scope(), &actions);
        // `r` here probes rather than polls.
        if let Some(key) = ctx.keymap.hint_key(self.scope(), Action::Refresh) {
            if let Some(h) = hints.iter_mut().find(|(k, _)| *k == key) {
                h.1 = Msg::HintProbe.text(ctx.lang).to_string();
            }
        }
        hints
    }
}
