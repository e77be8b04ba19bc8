//! The fleet health pane: one row per host with thresholds colouring each figure, sorting,
//! filtering, and the host detail with history sparklines, filesystems and top processes.

use std::cmp::Ordering;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;
use ratatui_textarea::TextArea;
use yunwei_widgets::width::{pad_left, pad_right, truncate, width};
use yunwei_widgets::{fmt, spark};

use crate::action::Action;
use crate::alerts::{Alert, AlertKey, Metric};
use crate::event::{Command, HistRange};
use crate::health::security::Security;
use crate::health::thresholds::Level;
use crate::health::HostSample;
use crate::i18n::Msg;
use crate::keymap::Scope;
use crate::panes::Handled;
use crate::store::health::HistPoint;
use crate::ui::Ctx;

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

/// Table columns, in display order. Sorting cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Host,
    State,
    Cpu,
    Load,
    Mem,
    Swap,
    Disk,
    Inodes,
    Net,
    Uptime,
    Failed,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Host,
        Column::State,
        Column::Cpu,
        Column::Load,
        Column::Mem,
        Column::Swap,
        Column::Disk,
        Column::Inodes,
        Column::Net,
        Column::Uptime,
        Column::Failed,
    ];

    fn header(self) -> Msg {
        match self {
            Column::Host => Msg::ColHost,
            Column::State => Msg::ColState,
            Column::Cpu => Msg::ColCpu,
            Column::Load => Msg::ColLoad,
            Column::Mem => Msg::ColMem,
            Column::Swap => Msg::ColSwap,
            Column::Disk => Msg::ColDisk,
            Column::Inodes => Msg::ColInodes,
            Column::Net => Msg::ColNet,
            Column::Uptime => Msg::ColUptime,
            Column::Failed => Msg::ColFailed,
        }
    }

    /// Width of the figures (the header may be wider and then sets the width).
    fn data_width(self) -> usize {
        match self {
            Column::Host => 0,
            Column::State => 4,
            Column::Cpu | Column::Mem | Column::Swap | Column::Disk | Column::Inodes => 3,
            Column::Load => 5,
            Column::Net => 11,
            Column::Uptime => 6,
            Column::Failed => 2,
        }
    }

    /// Lower shows first when the terminal is too narrow for every column.
    fn priority(self) -> u8 {
        match self {
            Column::Host => 0,
            Column::State => 1,
            Column::Cpu => 2,
            Column::Mem => 3,
            Column::Disk => 4,
            Column::Load => 5,
            Column::Failed => 6,
            Column::Swap => 7,
            Column::Inodes => 8,
            Column::Net => 9,
            Column::Uptime => 10,
        }
    }

    fn numeric_key(self, s: &HostSample) -> Option<f64> {
        match self {
            Column::Cpu => s.cpu_pct,
            Column::Load => s.load_per_core(),
            Column::Mem => s.mem_used_pct,
            Column::Swap => s.swap_used_pct,
            Column::Disk => s.fullest_disk().map(|d| d.used_pct),
            Column::Inodes => s.max_inodes_pct(),
            Column::Net => {
                let (rx, tx) = s.net_total();
                (!s.net.is_empty()).then_some(rx + tx)
            }
            Column::Uptime => s.uptime_s.map(|u| u as f64),
            Column::Failed => Some(s.failed_units.len() as f64),
            Column::Host | Column::State => None,
        }
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
    pub scroll: u16,
}

pub struct HealthPane {
    pub hosts: Vec<HostRow>,
    pub sort: Column,
    pub reverse: bool,
    pub filter: String,
    filter_input: Option<TextArea<'static>>,
    /// The selection among the hosts shown (group headers are not selectable).
    pub table: TableState,
    /// What the table widget draws: host rows and group headers, with its scroll offset.
    render_state: TableState,
    pub group_by_tag: bool,
    pub view: View,
    /// Rows of the table's body at the last draw, for page up/down.
    page: usize,
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
        }
    }

    pub fn scope(&self) -> Scope {
        match self.view {
            View::Table => Scope::Fleet,
            View::Detail(_) => Scope::Detail,
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
        let vis = self.visible(ctx);
        self.table.selected().and_then(|i| vis.get(i)).map(|&i| &self.hosts[i])
    }

    /// A new sample replaces the host's previous one; the selection stays on the same host.
    pub fn on_sample(&mut self, sample: HostSample, ctx: &Ctx, out: &mut Vec<Command>) {
        let keep = self.selected_host(ctx).map(|h| h.name.clone());
        let name = sample.name.clone();
        match self.hosts.iter_mut().find(|h| h.name == sample.name) {
            Some(h) => h.sample = Some(sample),
            None => {
                let mut row = HostRow::new(sample.name.clone(), Vec::new(), HostKind::Local);
                row.sample = Some(sample);
                self.hosts.push(row);
            }
        }
        if let Some(keep) = keep {
            self.select_name(&keep, ctx);
        }
        if let View::Detail(d) = &self.view {
            if d.host == name {
                out.push(Command::LoadHistory { host: name, range: d.range });
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

    /// Typing into the filter line; `true` when the key was used.
    pub fn on_key_editing(&mut self, key: KeyEvent, ctx: &Ctx) -> bool {
        let Some(input) = self.filter_input.as_mut() else { return false };
        match key.code {
            KeyCode::Enter => {
                self.filter_input = None;
            }
            KeyCode::Esc => {
                self.filter_input = None;
                self.filter.clear();
            }
            _ => {
                input.input(key);
                self.filter = input.lines().first().cloned().unwrap_or_default();
            }
        }
        self.clamp_selection(ctx);
        true
    }

    pub fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
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
                        out.push(Command::LoadHistory { host: d.host.clone(), range: d.range });
                    }
                    Action::Refresh => out.push(Command::PollNow),
                    Action::AckAlerts => out.push(Command::AckHostAlerts { host: d.host.clone() }),
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
                            out.push(Command::LoadHistory { host: host.clone(), range: HistRange::Hour });
                            self.view = View::Detail(Detail {
                                host,
                                range: HistRange::Hour,
                                history: None,
                                scroll: 0,
                            });
                        }
                    }
                    Action::Filter => {
                        let mut ta = TextArea::new(vec![self.filter.clone()]);
                        ta.move_cursor(ratatui_textarea::CursorMove::End);
                        ta.set_cursor_line_style(Style::default());
                        self.filter_input = Some(ta);
                    }
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
                    Action::Refresh => out.push(Command::PollNow),
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
    pub fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
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
        actions
            .iter()
            .filter_map(|a| {
                ctx.keymap
                    .hint_key(scope, *a)
                    .map(|k| (k, crate::i18n::action_hint(*a, ctx.lang).to_string()))
            })
            .collect()
    }

    pub fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
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

    fn render_table(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        let vis = self.visible(ctx);
        let sort_name = ctx.t(self.sort.header());
        let arrow = match (self.reverse, ctx.ascii) {
            (false, false) => "↓",
            (true, false) => "↑",
            (false, true) => "v",
            (true, true) => "^",
        };
        let mut title = format!(
            "{} ({}/{}) {} {}{}",
            ctx.t(Msg::PaneFleet),
            vis.len(),
            self.hosts.len(),
            ctx.t(Msg::SortedBy),
            sort_name,
            arrow
        );
        if self.group_by_tag {
            title.push_str(&format!(" · {}", ctx.t(Msg::GroupedByTag)));
        }
        let block = ctx.block(title);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let show_filter = self.filter_input.is_some() || !self.filter.is_empty();
        let [table_area, filter_area] = if show_filter && inner.height >= 2 {
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner)
        } else {
            [inner, Rect::new(inner.x, inner.y + inner.height, inner.width, 0)]
        };

        // Choose the columns that fit, by priority, then show them in display order. The host
        // column keeps two cells for the alert mark.
        let host_w = self
            .hosts
            .iter()
            .map(|h| width(&h.name) + 2)
            .max()
            .unwrap_or(4)
            .clamp(width(ctx.t(Msg::ColHost)).max(6), 24);
        let state_w =
            [Msg::StateUp, Msg::StateDown, Msg::ColState].iter().map(|m| width(ctx.t(*m))).max().unwrap_or(4);
        let col_w = |c: Column| match c {
            Column::Host => host_w,
            Column::State => state_w,
            c => c.data_width().max(width(ctx.t(c.header()))),
        };
        let mut by_prio = Column::ALL.to_vec();
        by_prio.sort_by_key(|c| c.priority());
        let avail = usize::from(table_area.width);
        let mut used = 0usize;
        let mut shown: Vec<Column> = Vec::new();
        for c in by_prio {
            let w = col_w(c) + usize::from(!shown.is_empty());
            if c == Column::Host || used + w <= avail {
                used += w;
                shown.push(c);
            }
        }
        shown.sort_by_key(|c| Column::ALL.iter().position(|x| x == c));
        // The host column takes what is left over when it was squeezed.
        let host_actual = if used > avail { host_w.saturating_sub(used - avail).max(4) } else { host_w };
        let width_of = |c: Column| if c == Column::Host { host_actual } else { col_w(c) };

        let header = Row::new(shown.iter().map(|c| {
            let w = width_of(*c);
            let mut text = ctx.t(c.header()).to_string();
            if *c == self.sort {
                text = truncate(&text, w.saturating_sub(1), "");
                text.push_str(arrow);
            }
            let text =
                if *c == Column::Host { pad_right(&format!("  {text}"), w) } else { pad_left(&text, w) };
            Cell::from(text)
        }))
        .style(ctx.theme.roles.header);

        // Display rows: hosts, with a header before each tag group when grouping.
        let mut display: Vec<Option<usize>> = Vec::with_capacity(vis.len() + 8);
        let mut rows: Vec<Row> = Vec::with_capacity(vis.len() + 8);
        let mut last_group: Option<String> = None;
        for &i in &vis {
            let h = &self.hosts[i];
            if self.group_by_tag {
                let g = group_key(h);
                if last_group.as_deref() != Some(g.as_str()) {
                    let count = vis.iter().filter(|&&j| group_key(&self.hosts[j]) == g).count();
                    let label = if g.is_empty() { ctx.t(Msg::Untagged).to_string() } else { g.clone() };
                    rows.push(Row::new(vec![Cell::from(Span::styled(
                        format!("{} {label} ({count})", if ctx.ascii { ">" } else { "▸" }),
                        ctx.theme.roles.title,
                    ))]));
                    display.push(None);
                    last_group = Some(g);
                }
            }
            rows.push(Row::new(shown.iter().map(|c| cell(h, *c, width_of(*c), ctx))));
            display.push(Some(i));
        }
        let widths: Vec<Constraint> = shown.iter().map(|c| Constraint::Length(width_of(*c) as u16)).collect();
        self.page = usize::from(table_area.height.saturating_sub(1)).max(1);
        if vis.is_empty() {
            let msg = Paragraph::new(vec![
                Line::default(),
                Line::styled(ctx.t(Msg::NoHostsMatch), ctx.theme.roles.muted),
            ]);
            f.render_widget(Table::new(Vec::<Row>::new(), widths.clone()).header(header), table_area);
            f.render_widget(
                msg,
                Rect { y: table_area.y + 1, height: table_area.height.saturating_sub(1), ..table_area },
            );
        } else {
            let selected_host = self.table.selected().and_then(|s| vis.get(s)).copied();
            let pos = selected_host.and_then(|h| display.iter().position(|d| *d == Some(h)));
            self.render_state.select(pos);
            let table = Table::new(rows, widths)
                .header(header)
                .column_spacing(1)
                .row_highlight_style(ctx.theme.roles.selected);
            f.render_stateful_widget(table, table_area, &mut self.render_state);
            // A down host has no figures: say why, in words, across the figure columns.
            let figures_x = table_area.x
                + shown
                    .iter()
                    .take_while(|c| matches!(c, Column::Host | Column::State))
                    .map(|c| width_of(*c) as u16 + 1)
                    .sum::<u16>();
            let offset = self.render_state.offset();
            let body_h = usize::from(table_area.height.saturating_sub(1));
            for (row, d) in display.iter().enumerate().skip(offset).take(body_h) {
                let Some(i) = d else { continue };
                let Some(reason) = down_reason(&self.hosts[*i], ctx) else { continue };
                let y = table_area.y + 1 + (row - offset) as u16;
                let right = table_area.x + table_area.width;
                if figures_x >= right {
                    continue;
                }
                let mut style = ctx.theme.roles.crit;
                if pos == Some(row) {
                    style = style.patch(ctx.theme.roles.selected);
                }
                let room = usize::from(right - figures_x);
                let text = pad_right(&truncate(&reason, room, ctx.ellipsis()), room);
                f.buffer_mut().set_stringn(figures_x, y, text, room, style);
            }
        }

        if filter_area.height > 0 {
            let prompt = ctx.t(Msg::FilterPrompt);
            let pw = (width(prompt) as u16).min(filter_area.width);
            let [p_area, in_area] =
                Layout::horizontal([Constraint::Length(pw), Constraint::Min(0)]).areas(filter_area);
            f.render_widget(Span::styled(prompt, ctx.theme.roles.accent), p_area);
            match &mut self.filter_input {
                Some(ta) => {
                    ta.set_style(ctx.theme.roles.input);
                    f.render_widget(&*ta, in_area);
                }
                None => f.render_widget(Span::styled(self.filter.as_str(), ctx.theme.roles.text), in_area),
            }
        }
    }
}

/// The security posture of a host, for the detail view.
fn security_lines(sec: &Security, ctx: &Ctx) -> Vec<Line<'static>> {
    let roles = &ctx.theme.roles;
    let unknown = || Span::styled(ctx.t(Msg::Unknown).to_string(), roles.muted);
    let mut lines = vec![Line::styled(
        format!(
            "{} ({})",
            ctx.t(Msg::Security),
            chrono::DateTime::from_timestamp(sec.collected_at, 0)
                .map(|t| t.with_timezone(&ctx.now.timezone()).format("%m-%d %H:%M").to_string())
                .unwrap_or_default()
        ),
        roles.header,
    )];
    let label = |m: Msg| Span::styled(format!("{}: ", ctx.t(m)), roles.muted);
    let firewall = match &sec.firewall {
        Some(fw) if fw.active => Span::styled(
            format!("{} {}", fw.kind, fw.rules.map(|r| format!("({r})")).unwrap_or_default()),
            roles.ok,
        ),
        Some(_) => Span::styled(ctx.t(Msg::FirewallOff).to_string(), roles.warn),
        None => unknown(),
    };
    lines.push(Line::from(vec![label(Msg::Firewall), firewall]));
    let ports = if sec.listening_tcp_ports.is_empty() {
        "-".to_string()
    } else {
        sec.listening_tcp_ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" ")
    };
    lines.push(Line::from(vec![label(Msg::ListeningPorts), Span::styled(ports, roles.text)]));
    let logins = match sec.failed_ssh_logins_24h {
        Some(n) => Span::styled(n.to_string(), if n > 0 { roles.warn } else { roles.ok }),
        None => unknown(),
    };
    lines.push(Line::from(vec![label(Msg::FailedLogins), logins]));
    let selinux = match &sec.selinux {
        Some(m) => Span::styled(m.clone(), if m == "enforcing" { roles.ok } else { roles.warn }),
        None => Span::styled(ctx.t(Msg::NotPresent).to_string(), roles.muted),
    };
    let clock = match sec.clock_synced {
        Some(true) => Span::styled(ctx.t(Msg::Yes).to_string(), roles.ok),
        Some(false) => Span::styled(ctx.t(Msg::No).to_string(), roles.warn),
        None => unknown(),
    };
    let updates = match sec.pending_security_updates {
        Some(n) => Span::styled(n.to_string(), if n > 0 { roles.warn } else { roles.ok }),
        None => unknown(),
    };
    lines.push(Line::from(vec![
        label(Msg::Selinux),
        selinux,
        Span::raw("  "),
        label(Msg::ClockSynced),
        clock,
        Span::raw("  "),
        label(Msg::SecurityUpdates),
        updates,
    ]));
    lines
}

fn level_words(level: Level, ctx: &Ctx) -> &'static str {
    match level {
        Level::Crit => ctx.t(Msg::Critical),
        Level::Warn => ctx.t(Msg::Warning),
        Level::Ok => ctx.t(Msg::StateUp),
    }
}

/// An alert in the user's language, from its structured fields.
pub fn alert_words(a: &Alert, ctx: &Ctx) -> String {
    let AlertKey::Health { metric, mount, .. } = &a.key else {
        return a.message.clone();
    };
    let metric_name = ctx.t(match metric {
        Metric::Unreachable => Msg::Unreachable,
        Metric::Cpu => Msg::Cpu,
        Metric::Load => Msg::ColLoad,
        Metric::Mem => Msg::Memory,
        Metric::Swap => Msg::Swap,
        Metric::Disk => Msg::MetricDisk,
        Metric::Inodes => Msg::MetricInodes,
        Metric::FailedUnits => Msg::FailedUnits,
    });
    match (metric, a.value) {
        (Metric::Unreachable | Metric::FailedUnits, _) | (_, None) => format!("{metric_name}: {}", a.message),
        (Metric::Load, Some(v)) => format!("{metric_name} {v:.2}"),
        (_, Some(v)) if mount.is_empty() => format!("{metric_name} {v:.0}%"),
        (_, Some(v)) => format!("{metric_name} {mount} {v:.0}%"),
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
    let words = error_kind_words(&e.kind, ctx);
    Some(if e.message.is_empty() { words.to_string() } else { format!("{words}: {}", e.message) })
}

/// The kind of a host error in words.
pub fn error_kind_words(kind: &str, ctx: &Ctx) -> &'static str {
    let m = match kind {
        "auth_failed" => Msg::ErrAuthFailed,
        "host_key_changed" => Msg::ErrHostKeyChanged,
        "host_key_unknown" => Msg::ErrHostKeyUnknown,
        "timeout" => Msg::ErrTimeout,
        "refused" => Msg::ErrRefused,
        "name_not_resolved" => Msg::ErrNameNotResolved,
        "jump_host_down" => Msg::ErrJumpHostDown,
        "disconnected" => Msg::ErrDisconnected,
        "protocol" => Msg::ErrProtocol,
        _ => Msg::ErrProbe,
    };
    ctx.t(m)
}

fn state_rank(h: &HostRow, ctx: &Ctx) -> (u8, u8) {
    match &h.sample {
        None => (0, 0),
        Some(s) if !s.reachable => (3, 0),
        Some(s) => (1, ctx.thresholds.host_level(s) as u8),
    }
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

fn cell<'a>(h: &HostRow, c: Column, w: usize, ctx: &Ctx) -> Cell<'a> {
    let roles = &ctx.theme.roles;
    let th = &ctx.thresholds;
    if c == Column::Host {
        let style = if h.kind == HostKind::Demo { roles.accent } else { roles.text };
        let (mark, mark_style) = match ctx.alerts.host_level(&h.name) {
            Some(Level::Crit) => ("!", roles.crit),
            Some(Level::Warn) => ("!", roles.warn),
            _ => (" ", roles.text),
        };
        let name = pad_right(&truncate(&h.name, w.saturating_sub(2), ctx.ellipsis()), w.saturating_sub(2));
        return Cell::from(Line::from(vec![
            Span::styled(mark, mark_style),
            Span::raw(" "),
            Span::styled(name, style),
        ]));
    }
    let Some(s) = &h.sample else {
        // Waiting for the first sample.
        let waiting = if ctx.ascii { "..." } else { ctx.t(Msg::StateWaiting) };
        let (text, style) = if c == Column::State { (waiting, roles.muted) } else { ("", roles.muted) };
        return Cell::from(Span::styled(pad_left(text, w), style));
    };
    if !s.reachable {
        // The figure columns are overdrawn with the reason by the table.
        return match c {
            Column::State => Cell::from(Span::styled(pad_left(ctx.t(Msg::StateDown), w), roles.crit)),
            _ => Cell::from(Span::styled(pad_left("", w), roles.muted)),
        };
    }
    // Figures older than two poll intervals are dimmed, and the state says how old they are.
    let stale = stale_age(s, ctx);
    let (text, style) = match c {
        Column::State => match stale {
            Some(age) => (fmt::duration(age.max(0) as u64), roles.stale),
            None => {
                let st = match th.host_level(s) {
                    Level::Ok => roles.ok,
                    other => level_style(other, ctx),
                };
                (ctx.t(Msg::StateUp).to_string(), st)
            }
        },
        Column::Cpu => {
            (fmt::pct(s.cpu_pct), s.cpu_pct.map(|v| level_style(th.cpu_level(v), ctx)).unwrap_or(roles.muted))
        }
        Column::Load => {
            let l = s.load_per_core();
            (fmt::ratio(l), l.map(|v| level_style(th.load_level(v), ctx)).unwrap_or(roles.muted))
        }
        Column::Mem => (
            fmt::pct(s.mem_used_pct),
            s.mem_used_pct.map(|v| level_style(th.mem_level(v), ctx)).unwrap_or(roles.muted),
        ),
        Column::Swap => (
            fmt::pct(s.swap_used_pct),
            s.swap_used_pct.map(|v| level_style(th.swap_level(v), ctx)).unwrap_or(roles.muted),
        ),
        Column::Disk => {
            let d = s.fullest_disk().map(|d| d.used_pct);
            (fmt::pct(d), d.map(|v| level_style(th.disk_level(v), ctx)).unwrap_or(roles.muted))
        }
        Column::Inodes => {
            let d = s.max_inodes_pct();
            (fmt::pct(d), d.map(|v| level_style(th.inodes_level(v), ctx)).unwrap_or(roles.muted))
        }
        Column::Net => {
            if s.net.is_empty() {
                ("-".to_string(), roles.muted)
            } else {
                let (rx, tx) = s.net_total();
                (format!("{}/{}", fmt::rate(rx), fmt::rate(tx)), roles.text)
            }
        }
        Column::Uptime => (s.uptime_s.map(fmt::duration).unwrap_or_else(|| "-".into()), roles.text),
        Column::Failed => {
            let n = s.failed_units.len();
            (n.to_string(), if n > 0 { roles.warn } else { roles.muted })
        }
        Column::Host => (String::new(), Style::default()),
    };
    let style = if stale.is_some() { roles.stale } else { style };
    Cell::from(Span::styled(pad_left(&text, w), style))
}

/// One sparkline of the detail view: label, how to read the value, full-scale value, formatting.
type Series = (Msg, fn(&HistPoint) -> Option<f64>, Option<f64>, fn(f64) -> String);

fn render_detail(
    f: &mut Frame<'_>,
    area: Rect,
    ctx: &Ctx,
    d: &Detail,
    row: Option<&HostRow>,
    alerts: &[&Alert],
) {
    let roles = &ctx.theme.roles;
    let title =
        format!("{}: {} [{} {}]", ctx.t(Msg::DetailTitle), d.host, ctx.t(Msg::Range), d.range.label());
    let block = ctx.block(title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    let sample = row.and_then(|r| r.sample.as_ref());

    // Summary line.
    match sample {
        None => lines.push(Line::styled(ctx.t(Msg::StateWaiting), roles.muted)),
        Some(s) if !s.reachable => {
            let why = s.error.as_ref().map(|e| format!("{}: {}", e.kind, e.message)).unwrap_or_default();
            lines.push(Line::from(vec![
                Span::styled(ctx.t(Msg::StateDown).to_string(), roles.crit),
                Span::raw(" "),
                Span::styled(why, roles.text),
            ]));
        }
        Some(s) => {
            let mem = match (s.mem_total_kib, s.mem_available_kib) {
                (Some(t), Some(a)) => format!("{}/{}", fmt::kib(t.saturating_sub(a)), fmt::kib(t)),
                _ => "-".into(),
            };
            let swap = match s.swap_total_kib {
                Some(0) | None => "-".to_string(),
                Some(t) => format!("{}% {}", fmt::pct(s.swap_used_pct), fmt::kib(t)),
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {}", ctx.t(Msg::Uptime), s.uptime_s.map(fmt::duration).unwrap_or_default()),
                    roles.text,
                ),
                Span::raw("  "),
                Span::styled(
                    format!("{} {}", s.cores.map(|c| c.to_string()).unwrap_or_default(), ctx.t(Msg::Cores)),
                    roles.text,
                ),
                Span::raw("  "),
                Span::styled(
                    format!(
                        "{} {} {} {}",
                        ctx.t(Msg::Load),
                        fmt::ratio(s.load1),
                        fmt::ratio(s.load5),
                        fmt::ratio(s.load15)
                    ),
                    roles.text,
                ),
            ]));
            lines.push(Line::from(vec![
                Span::styled(format!("{} {mem}", ctx.t(Msg::Memory)), roles.text),
                Span::raw("  "),
                Span::styled(format!("{} {swap}", ctx.t(Msg::Swap)), roles.text),
            ]));
        }
    }
    lines.push(Line::default());

    // Sparklines.
    lines.push(Line::styled(format!("{} ({})", ctx.t(Msg::History), d.range.label()), roles.header));
    let label_w = [Msg::Cpu, Msg::Memory, Msg::Load, Msg::NetIn, Msg::NetOut]
        .iter()
        .map(|m| width(ctx.t(*m)))
        .max()
        .unwrap_or(6);
    let value_w = 8;
    let spark_w = w.saturating_sub(label_w + value_w + 2);
    match &d.history {
        None => lines.push(Line::styled(ctx.t(Msg::HistoryLoading), roles.muted)),
        Some(points) if points.is_empty() => lines.push(Line::styled(ctx.t(Msg::HistoryEmpty), roles.muted)),
        Some(points) => {
            let series: [Series; 5] = [
                (Msg::Cpu, |p| p.cpu_pct, Some(100.0), |v| format!("{v:.0}%")),
                (Msg::Memory, |p| p.mem_used_pct, Some(100.0), |v| format!("{v:.0}%")),
                (Msg::Load, |p| p.load1, None, |v| format!("{v:.2}")),
                (Msg::NetIn, |p| p.rx_bps, None, |v| format!("{}/s", fmt::rate(v))),
                (Msg::NetOut, |p| p.tx_bps, None, |v| format!("{}/s", fmt::rate(v))),
            ];
            for (label, get, max, show) in series {
                let values: Vec<Option<f64>> = points.iter().map(get).collect();
                let last = values.iter().rev().flatten().next().copied();
                let bars = spark::render_string(&values, spark_w, max, ctx.ascii);
                lines.push(Line::from(vec![
                    Span::styled(pad_right(ctx.t(label), label_w), roles.text),
                    Span::raw(" "),
                    Span::styled(bars, roles.accent),
                    Span::raw(" "),
                    Span::styled(
                        pad_left(&last.map(show).unwrap_or_else(|| "-".into()), value_w),
                        roles.text,
                    ),
                ]));
            }
        }
    }
    lines.push(Line::default());

    // Open alerts of this host, worst first.
    lines.push(Line::styled(ctx.t(Msg::OpenAlerts), roles.header));
    if alerts.is_empty() {
        lines.push(Line::styled(ctx.t(Msg::NoOpenAlerts), roles.ok));
    }
    let mut alerts = alerts.to_vec();
    alerts.sort_by(|a, b| b.level.cmp(&a.level).then(a.opened_at.cmp(&b.opened_at)));
    for a in alerts {
        let since = chrono::DateTime::from_timestamp(a.opened_at, 0)
            .map(|t| t.with_timezone(&ctx.now.timezone()).format("%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let what = alert_words(a, ctx);
        let mut spans = vec![
            Span::styled(format!("{} ", level_words(a.level, ctx)), level_style(a.level, ctx)),
            Span::styled(what, roles.text),
            Span::styled(format!("  {} {since}", ctx.t(Msg::Since)), roles.muted),
        ];
        if let (Some(by), Some(_)) = (&a.acked_by, a.acked_at) {
            spans.push(Span::styled(format!("  {} {by}", ctx.t(Msg::AckedBy)), roles.muted));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());

    if let Some(s) = sample.filter(|s| s.reachable) {
        // Filesystems.
        lines.push(Line::styled(ctx.t(Msg::Filesystems), roles.header));
        let num_w = 6;
        let type_w = 8;
        let pct_w = 6;
        let mount_w = w.saturating_sub(type_w + 3 * num_w + 2 * pct_w + 6).max(8);
        lines.push(Line::styled(
            format!(
                "{} {} {} {} {} {} {}",
                pad_right(ctx.t(Msg::ColMount), mount_w),
                pad_right(ctx.t(Msg::ColFsType), type_w),
                pad_left(ctx.t(Msg::ColSize), num_w),
                pad_left(ctx.t(Msg::ColUsed), num_w),
                pad_left(ctx.t(Msg::ColAvail), num_w),
                pad_left(ctx.t(Msg::ColDisk), pct_w),
                pad_left(ctx.t(Msg::ColInodes), pct_w),
            ),
            roles.muted,
        ));
        for disk in &s.disks {
            let th = &ctx.thresholds;
            lines.push(Line::from(vec![
                Span::styled(pad_right(&truncate(&disk.mount, mount_w, ctx.ellipsis()), mount_w), roles.text),
                Span::raw(" "),
                Span::styled(pad_right(&disk.fs_type, type_w), roles.muted),
                Span::raw(" "),
                Span::styled(pad_left(&fmt::kib(disk.size_kib), num_w), roles.text),
                Span::raw(" "),
                Span::styled(pad_left(&fmt::kib(disk.used_kib), num_w), roles.text),
                Span::raw(" "),
                Span::styled(pad_left(&fmt::kib(disk.avail_kib), num_w), roles.text),
                Span::raw(" "),
                Span::styled(
                    pad_left(&fmt::pct(Some(disk.used_pct)), pct_w),
                    level_style(th.disk_level(disk.used_pct), ctx),
                ),
                Span::raw(" "),
                Span::styled(
                    pad_left(&fmt::pct(disk.inodes_used_pct), pct_w),
                    disk.inodes_used_pct.map(|v| level_style(th.inodes_level(v), ctx)).unwrap_or(roles.muted),
                ),
            ]));
        }
        lines.push(Line::default());

        // Top processes.
        lines.push(Line::styled(ctx.t(Msg::TopProcesses), roles.header));
        let name_w = w.saturating_sub(8 + 8 + 2).max(8);
        lines.push(Line::styled(
            format!(
                "{} {} {}",
                pad_left(ctx.t(Msg::ColPid), 8),
                pad_right(ctx.t(Msg::ColProcess), name_w),
                pad_left(ctx.t(Msg::ColRss), 8)
            ),
            roles.muted,
        ));
        for p in &s.top_processes {
            lines.push(Line::styled(
                format!(
                    "{} {} {}",
                    pad_left(&p.pid.to_string(), 8),
                    pad_right(&truncate(&p.name, name_w, ctx.ellipsis()), name_w),
                    pad_left(&fmt::kib(p.rss_kib), 8)
                ),
                roles.text,
            ));
        }
        lines.push(Line::default());

        if let Some(sec) = &s.security {
            lines.extend(security_lines(sec, ctx));
            lines.push(Line::default());
        }
        // Failed units.
        let failed = if s.failed_units.is_empty() {
            Span::styled(ctx.t(Msg::NoFailedUnits).to_string(), roles.ok)
        } else {
            Span::styled(s.failed_units.join(", "), roles.warn)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", ctx.t(Msg::FailedUnits)), roles.header),
            failed,
        ]));
    }

    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = d.scroll.min(max_scroll);
    f.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}
