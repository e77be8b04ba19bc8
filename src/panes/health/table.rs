//! The fleet table: one row per host, the columns that fit the terminal by priority, threshold
//! colours, alert marks, down hosts explained in words, group headers and the filter line.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;
use yunwei_widgets::fmt;
use yunwei_widgets::width::{pad_left, pad_right, truncate, width};

use super::{down_reason, group_key, level_style, stale_age, HealthPane, HostKind, HostRow};
use crate::health::thresholds::Level;
use crate::health::HostSample;
use crate::i18n::Msg;
use crate::ui::Ctx;

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

    pub(super) fn header(self) -> Msg {
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

    /// Whether the column first sorts ascending: host names A to Z; the state and every
    /// figure worst or biggest first (descending), which is what the night shift wants on top.
    pub(super) fn natural_ascending(self) -> bool {
        self == Column::Host
    }

    pub(super) fn numeric_key(self, s: &HostSample) -> Option<f64> {
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

impl HealthPane {
    pub(super) fn render_table(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        let vis = self.visible(ctx);
        let sort_name = ctx.t(self.sort.header());
        // The arrow says how the values run down the table, the same for every column:
        // ▲ ascending (A to Z, small to big, best to worst), ▼ descending.
        let ascending = self.sort.natural_ascending() != self.reverse;
        let arrow = match (ascending, ctx.ascii) {
            (true, false) => "▲",
            (false, false) => "▼",
            (true, true) => "^",
            (false, true) => "v",
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
        let block = ctx.fitted_block(title, area.width);
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
        // The sorted column has room for its arrow after the whole header.
        let arrow_w = |c: Column| usize::from(c == self.sort);
        let col_w = |c: Column| match c {
            Column::Host => host_w,
            Column::State => state_w.max(width(ctx.t(Msg::ColState)) + arrow_w(c)),
            c => c.data_width().max(width(ctx.t(c.header())) + arrow_w(c)),
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
            // The host column keeps two cells for the alert mark; a header cut short ends in an
            // ellipsis, never in half a wide character.
            let room = if *c == Column::Host { w.saturating_sub(2) } else { w };
            let mut text = ctx.t(c.header()).to_string();
            if *c == self.sort {
                text = truncate(&text, room.saturating_sub(1), ctx.ellipsis());
                text.push_str(arrow);
            } else {
                text = truncate(&text, room, ctx.ellipsis());
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
            match &mut self.filter_input {
                Some(line) => {
                    line.render(f, filter_area, prompt, ctx.theme.roles.accent, ctx.theme.roles.input)
                }
                None => {
                    let pw = (width(prompt) as u16).min(filter_area.width);
                    let [p_area, in_area] =
                        Layout::horizontal([Constraint::Length(pw), Constraint::Min(0)]).areas(filter_area);
                    f.render_widget(Span::styled(prompt, ctx.theme.roles.accent), p_area);
                    f.render_widget(Span::styled(self.filter.as_str(), ctx.theme.roles.text), in_area);
                }
            }
        }
    }
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
                let st = match super::judged_level(s, ctx) {
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
