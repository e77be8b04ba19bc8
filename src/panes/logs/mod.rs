//! The Logs pane: the records of every log source merged by time in one bounded buffer, each
//! source with its colour tag and a header line saying how it is doing; severity colours,
//! include/exclude filters, search, error jumps, follow mode, wrapping, masking of personal data
//! (revealed on request, with an audit row) and writing the visible records to a file.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::VecDeque;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use regex::Regex;
use yunwei_widgets::width::{pad_right, truncate, width};

use crate::action::Action;
use crate::event::{Command, WorkerMsg};
use crate::i18n::Msg;
use crate::keymap::Scope;
use crate::logs::filter::{highlight, Filter, Side};
use crate::logs::mask::mask;
use crate::logs::record::{Record, Severity};
use crate::logs::sources::{SourceSpec, SourceStatus};
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::ui::line::{LineEdit, LineKey};
use crate::ui::Ctx;
use crate::workers::logs::{LogsCmd, LogsMsg};
use crate::workers::store::StoreCmd;

/// The colours of the source tags, in order (the `mono` theme uses bold instead).
const TAG_COLOURS: [Color; 6] =
    [Color::Cyan, Color::Magenta, Color::Green, Color::Blue, Color::Yellow, Color::Red];

/// The widest a source tag gets.
const TAG_MAX: usize = 10;

/// One source as the pane knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub spec: SourceSpec,
    pub status: SourceStatus,
    /// The time key of the source's last record, for the records that have no time.
    last_key: Option<i64>,
}

/// A record in the buffer, with its source and the time it is sorted by.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub source: usize,
    /// Milliseconds since the epoch: the record's time, or for a record without one, the key of
    /// the record before it (of its source, else of the buffer), so it keeps its arrival order.
    pub key: i64,
    pub record: Record,
    /// Whether the filters keep the record, and for which filters (see [`LogsPane::view_key`]):
    /// masking and matching a record once per filter change, not on every draw.
    visible: Cell<Option<(u64, bool)>>,
}

/// What the one-line input at the bottom of the pane is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Search,
    Include,
    Exclude,
    WritePath,
    OpenPath,
    ToggleFilter,
}

impl InputKind {
    fn prompt(self) -> Msg {
        match self {
            InputKind::Search => Msg::LogsSearchPrompt,
            InputKind::Include => Msg::LogsIncludePrompt,
            InputKind::Exclude => Msg::LogsExcludePrompt,
            InputKind::WritePath => Msg::LogsWritePrompt,
            InputKind::OpenPath => Msg::LogsOpenPrompt,
            InputKind::ToggleFilter => Msg::LogsTogglePrompt,
        }
    }
}

pub struct LogsPane {
    pub sources: Vec<Source>,
    pub entries: VecDeque<Entry>,
    pub max_records: usize,
    pub filter: Filter,
    /// Filters can be switched off all at once without losing them.
    pub filters_on: bool,
    pub search: Option<Regex>,
    /// New records scroll into view.
    pub follow: bool,
    pub wrap: bool,
    /// Personal data shown unmasked (each reveal is audited).
    pub revealed: bool,
    /// The current record (an index into `entries`) when not following.
    pub cursor: usize,
    /// The first record drawn (an index into `entries`) when not following.
    top: usize,
    input: Option<(InputKind, LineEdit)>,
    /// Records drawn at the last render, for page up/down.
    page: usize,
    /// The base key for records without a time when the buffer is empty.
    last_key: i64,
}

impl LogsPane {
    pub fn new(specs: Vec<SourceSpec>, max_records: usize) -> LogsPane {
        let sources = specs
            .into_iter()
            .map(|spec| {
                let status =
                    if spec.host.is_some() { SourceStatus::Connecting } else { SourceStatus::Starting };
                Source { spec, status, last_key: None }
            })
            .collect();
        LogsPane {
            sources,
            entries: VecDeque::new(),
            max_records: max_records.max(1),
            filter: Filter::none(),
            filters_on: true,
            search: None,
            follow: true,
            wrap: false,
            revealed: false,
            cursor: 0,
            top: 0,
            input: None,
            page: 10,
            last_key: i64::MIN,
        }
    }

    pub fn is_editing(&self) -> bool {
        self.input.is_some()
    }

    pub fn on_status(&mut self, source: usize, status: SourceStatus) {
        if let Some(s) = self.sources.get_mut(source) {
            s.status = status;
        }
    }

    /// Adds a batch of one source's records: merged by time (a record without a time goes
    /// after the one before it), the oldest dropped past `max_records`. The cursor and the first
    /// record drawn stay on the same records.
    pub fn on_records(&mut self, source: usize, records: Vec<Record>) {
        for record in records {
            let key = match record.ts {
                Some(ts) => ts.timestamp_millis(),
                None => self
                    .sources
                    .get(source)
                    .and_then(|s| s.last_key)
                    .unwrap_or_else(|| self.entries.back().map_or(self.last_key, |e| e.key)),
            };
            if let Some(s) = self.sources.get_mut(source) {
                s.last_key = Some(key);
            }
            // After every record with the same or an earlier key: arrival order among equals.
            let at = if self.entries.back().is_none_or(|e| e.key <= key) {
                self.entries.len()
            } else {
                self.entries.partition_point(|e| e.key <= key)
            };
            self.entries.insert(at, Entry { source, key, record, visible: Cell::new(None) });
            if !self.entries.is_empty() && at <= self.cursor && at < self.entries.len() - 1 {
                self.cursor += 1;
            }
            if at <= self.top && at < self.entries.len() - 1 {
                self.top += 1;
            }
            while self.entries.len() > self.max_records {
                if let Some(e) = self.entries.pop_front() {
                    self.last_key = e.key;
                }
                self.cursor = self.cursor.saturating_sub(1);
                self.top = self.top.saturating_sub(1);
            }
        }
    }

    /// A record's text as shown: masked unless revealed.
    pub fn shown<'a>(&self, line: &'a str) -> Cow<'a, str> {
        if self.revealed {
            Cow::Borrowed(line)
        } else {
            mask(line)
        }
    }

    fn shown_text(&self, e: &Entry) -> String {
        self.shown(&e.record.text()).into_owned()
    }

    /// Whether the filters keep the record (the whole record, all its lines, as one unit).
    pub fn is_visible(&self, i: usize) -> bool {
        let Some(e) = self.entries.get(i) else { return false };
        if !self.filters_on || !self.filter.is_active() {
            return true;
        }
        let key = self.view_key();
        if let Some((k, v)) = e.visible.get() {
            if k == key {
                return v;
            }
        }
        let v = self.filter.matches(&self.shown_text(e));
        e.visible.set(Some((key, v)));
        v
    }

    /// A fingerprint of what decides visibility: the enabled patterns and the mask state.
    fn view_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.revealed.hash(&mut h);
        for side in [Side::Include, Side::Exclude] {
            for (p, on) in self.filter.patterns(side) {
                (side == Side::Include, p, on).hash(&mut h);
            }
            0xffu8.hash(&mut h);
        }
        h.finish()
    }

    /// The indices of the records the filters keep, in order.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.entries.len()).filter(|&i| self.is_visible(i)).collect()
    }

    fn next_visible(&self, from: usize, pred: impl Fn(&Entry) -> bool) -> Option<usize> {
        (from..self.entries.len()).find(|&i| self.is_visible(i) && pred(&self.entries[i]))
    }

    fn prev_visible(&self, before: usize, pred: impl Fn(&Entry) -> bool) -> Option<usize> {
        (0..before.min(self.entries.len())).rev().find(|&i| self.is_visible(i) && pred(&self.entries[i]))
    }

    fn last_visible(&self) -> Option<usize> {
        self.prev_visible(self.entries.len(), |_| true)
    }

    /// The current record: the last visible one when following.
    pub fn current(&self) -> Option<usize> {
        if self.follow {
            return self.last_visible();
        }
        if self.is_visible(self.cursor) {
            return Some(self.cursor);
        }
        self.next_visible(self.cursor, |_| true).or_else(|| self.prev_visible(self.cursor, |_| true))
    }

    /// Moves to a record and stops following (unless it is the last one).
    fn go(&mut self, to: Option<usize>) -> bool {
        match to {
            Some(i) => {
                self.cursor = i;
                self.follow = false;
                true
            }
            None => false,
        }
    }

    fn step(&mut self, n: usize, down: bool) {
        let Some(mut at) = self.current() else { return };
        for _ in 0..n {
            let next =
                if down { self.next_visible(at + 1, |_| true) } else { self.prev_visible(at, |_| true) };
            match next {
                Some(i) => at = i,
                None => break,
            }
        }
        self.cursor = at;
        // Scrolling up pauses; moving down onto the last record does not resume (End does).
        self.follow = false;
    }

    fn is_error(e: &Entry) -> bool {
        e.record.severity.is_some_and(|s| s >= Severity::Error)
    }

    /// The next (or previous) record the search matches; `false` when there is none.
    pub fn search_step(&mut self, forward: bool) -> bool {
        let Some(re) = self.search.clone() else { return false };
        let at = self.current().unwrap_or(0);
        let hit = |e: &Entry| re.is_match(&self.shown(&e.record.text()));
        let found = if forward { self.next_visible(at + 1, hit) } else { self.prev_visible(at, hit) };
        self.go(found)
    }

    /// The next (or previous) error or fatal record; `false` when there is none.
    pub fn error_step(&mut self, forward: bool) -> bool {
        let at = self.current().unwrap_or(0);
        // While following nothing comes after the newest record: the next error is the newest
        // one, as a search while following looks back from the newest record.
        let found = if forward && self.follow {
            self.prev_visible(self.entries.len(), LogsPane::is_error)
        } else if forward {
            self.next_visible(at + 1, LogsPane::is_error)
        } else {
            self.prev_visible(at, LogsPane::is_error)
        };
        self.go(found)
    }

    /// The visible records as text for a file: `[source] line`, masked unless revealed; a line
    /// cut at the length limit ends with `cut_mark`.
    pub fn export(&self, cut_mark: &str) -> String {
        let mut out = String::new();
        for i in self.visible() {
            let e = &self.entries[i];
            let name = self.sources.get(e.source).map_or("?", |s| s.spec.name.as_str());
            for (n, line) in e.record.lines.iter().enumerate() {
                let mark = if e.record.is_cut(n) { cut_mark } else { "" };
                out.push_str(&format!("[{name}] {}{mark}\n", self.shown(line)));
            }
        }
        out
    }

    /// What an export holds, for the audit log: how many records of which sources.
    fn export_summary(&self) -> String {
        let visible = self.visible();
        let mut names: Vec<&str> = Vec::new();
        for &i in &visible {
            if let Some(s) = self.sources.get(self.entries[i].source) {
                if !names.contains(&s.spec.name.as_str()) {
                    names.push(&s.spec.name);
                }
            }
        }
        format!("{} records, unmasked, of {}", visible.len(), names.join(", "))
    }

    fn open_input(&mut self, kind: InputKind, text: String) {
        self.input = Some((kind, LineEdit::new(&text)));
    }

    /// Typing into the one-line input. Returns a message for the status bar (a bad pattern,
    /// nothing found), if any.
    pub fn on_key_editing(&mut self, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Option<String> {
        let (kind, line) = self.input.as_mut()?;
        let kind = *kind;
        match line.key(key) {
            LineKey::Cancel => {
                self.input = None;
                None
            }
            LineKey::Submit(text) => {
                self.input = None;
                self.submit(kind, text.trim(), ctx, out)
            }
            LineKey::Edited | LineKey::Kept => None,
        }
    }

    fn submit(&mut self, kind: InputKind, text: &str, ctx: &Ctx, out: &mut Vec<Command>) -> Option<String> {
        match kind {
            InputKind::Search if text.is_empty() => {
                self.search = None;
                None
            }
            InputKind::Search => match Regex::new(text) {
                Ok(re) => {
                    self.search = Some(re);
                    let from_end = self.follow;
                    if from_end {
                        // Searching while following looks back from the newest record.
                        self.follow = false;
                        self.cursor = self.entries.len();
                        let re = self.search.clone()?;
                        let found = self
                            .prev_visible(self.entries.len(), |e| re.is_match(&self.shown(&e.record.text())));
                        if self.go(found) {
                            return None;
                        }
                        self.follow = true;
                        return Some(ctx.t(Msg::LogsNotFound).to_string());
                    }
                    (!self.search_step(true)).then(|| ctx.t(Msg::LogsNotFound).to_string())
                }
                Err(e) => Some(format!("{}: {e}", ctx.t(Msg::LogsBadPattern))),
            },
            InputKind::Include | InputKind::Exclude if text.is_empty() => None,
            InputKind::Include | InputKind::Exclude => {
                let side = if kind == InputKind::Include { Side::Include } else { Side::Exclude };
                match self.filter.add(side, text) {
                    Ok(()) => {
                        self.filters_on = true;
                        None
                    }
                    Err(e) => Some(format!("{}: {e}", ctx.t(Msg::LogsBadPattern))),
                }
            }
            InputKind::ToggleFilter => {
                // Filters are numbered from 1, the include ones first, as the header shows them.
                let includes = self.filter.patterns(Side::Include).count();
                let toggled = match text.parse::<usize>() {
                    Ok(n) if n >= 1 && n <= includes => self.filter.toggle(Side::Include, n - 1),
                    Ok(n) if n > includes => self.filter.toggle(Side::Exclude, n - 1 - includes),
                    _ => None,
                };
                match toggled {
                    Some(_) => {
                        self.filters_on = true;
                        None
                    }
                    None => Some(format!("{}: {text}", ctx.t(Msg::LogsNoSuchFilter))),
                }
            }
            InputKind::OpenPath if text.is_empty() => None,
            InputKind::OpenPath => {
                let spec = crate::logs::sources::SourceSpec {
                    name: std::path::Path::new(text)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| text.to_string()),
                    host: None,
                    pattern: text.to_string(),
                    encoding: Default::default(),
                    journal: None,
                };
                let index = self.sources.len();
                self.sources.push(Source {
                    spec: spec.clone(),
                    status: SourceStatus::Starting,
                    last_key: None,
                });
                out.push(Command::Logs(LogsCmd::Open { index, spec }));
                None
            }
            InputKind::WritePath if text.is_empty() => None,
            InputKind::WritePath => {
                let path = crate::config::expand_tilde(text);
                if self.revealed {
                    // Personal data leaves unmasked only on record: who, which file, what.
                    out.push(Command::Store(StoreCmd::Audit {
                        action: "logs.export_unmasked".into(),
                        target: path.display().to_string(),
                        detail: self.export_summary(),
                    }));
                }
                let text = self.export(&format!(" {}", ctx.t(Msg::LogsLineCut)));
                out.push(Command::Logs(LogsCmd::Export { path, text }));
                None
            }
        }
    }

    /// Applies an action; the app handles what the pane does not.
    fn handle_action(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        match action {
            Action::Up => self.step(1, false),
            Action::Down => self.step(1, true),
            Action::PageUp => self.step(self.page.max(1), false),
            Action::PageDown => self.step(self.page.max(1), true),
            Action::Top => {
                let first = self.next_visible(0, |_| true);
                self.go(first);
            }
            Action::Bottom => self.follow = true,
            Action::Follow => {
                if self.follow {
                    self.cursor = self.last_visible().unwrap_or(0);
                    self.follow = false;
                } else {
                    self.follow = true;
                }
            }
            Action::Wrap => self.wrap = !self.wrap,
            Action::Search => {
                let text = self.search.as_ref().map(|r| r.as_str().to_string()).unwrap_or_default();
                self.open_input(InputKind::Search, text);
            }
            Action::SearchNext | Action::SearchPrev => {
                self.search_step(action == Action::SearchNext);
            }
            Action::NextError | Action::PrevError => {
                self.error_step(action == Action::NextError);
            }
            Action::IncludeFilter => self.open_input(InputKind::Include, String::new()),
            Action::ExcludeFilter => self.open_input(InputKind::Exclude, String::new()),
            Action::ToggleFilters => self.filters_on = !self.filters_on,
            Action::ClearFilter => {
                if !self.filter.is_active() && self.search.is_none() {
                    return Handled::No;
                }
                self.filter = Filter::none();
                self.search = None;
                self.filters_on = true;
            }
            Action::Reveal => {
                self.revealed = !self.revealed;
                if self.revealed {
                    let mut names: Vec<String> = Vec::new();
                    for e in &self.entries {
                        if let Some(s) = self.sources.get(e.source) {
                            if !names.contains(&s.spec.name) {
                                names.push(s.spec.name.clone());
                            }
                        }
                    }
                    if names.is_empty() {
                        names = self.sources.iter().map(|s| s.spec.name.clone()).collect();
                    }
                    for source in names {
                        out.push(Command::Store(StoreCmd::Audit {
                            action: "logs.reveal".into(),
                            target: source,
                            detail: "unmasked personal data in the Logs pane".into(),
                        }));
                    }
                }
            }
            Action::WriteFile => {
                let name = format!("yunwei-logs-{}.txt", ctx.now.format("%Y%m%d-%H%M%S"));
                self.open_input(InputKind::WritePath, ctx.export_dir.join(name).display().to_string());
            }
            Action::OpenFile => self.open_input(InputKind::OpenPath, String::new()),
            Action::ToggleFilter => self.open_input(InputKind::ToggleFilter, String::new()),
            _ => return Handled::No,
        }
        Handled::Yes
    }

    /// Key hints for the status bar, from the live keymap.
    fn key_hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let actions = [
            Action::Help,
            Action::Search,
            Action::NextError,
            Action::Follow,
            Action::IncludeFilter,
            Action::ExcludeFilter,
            Action::Wrap,
            Action::Reveal,
            Action::WriteFile,
            Action::Quit,
        ];
        ctx.hints_for(Scope::Logs, &actions)
    }

    fn tag_style(&self, ctx: &Ctx, source: usize) -> Style {
        if ctx.theme.name == "mono" {
            return Style::default().add_modifier(Modifier::BOLD);
        }
        Style::default().fg(TAG_COLOURS[source % TAG_COLOURS.len()])
    }

    fn status_text(ctx: &Ctx, status: &SourceStatus) -> String {
        match status {
            SourceStatus::Starting => ctx.t(Msg::LogsStarting).to_string(),
            SourceStatus::Following(n) => format!("{} ({n})", ctx.t(Msg::LogsFollowingFiles)),
            SourceStatus::Rotated => ctx.t(Msg::LogsRotated).to_string(),
            SourceStatus::Truncated => ctx.t(Msg::LogsTruncated).to_string(),
            SourceStatus::Missing => ctx.t(Msg::LogsMissing).to_string(),
            SourceStatus::NoFiles => ctx.t(Msg::LogsNoFiles).to_string(),
            SourceStatus::Connecting => ctx.t(Msg::LogsConnecting).to_string(),
            SourceStatus::NoSuchHost => ctx.t(Msg::LogsNoSuchHost).to_string(),
            SourceStatus::Unreadable => ctx.t(Msg::LogsUnreadable).to_string(),
            SourceStatus::Binary => ctx.t(Msg::LogsBinary).to_string(),
            SourceStatus::NoJournal => ctx.t(Msg::LogsNoJournal).to_string(),
            SourceStatus::NotAFile => ctx.t(Msg::LogsNotAFile).to_string(),
            SourceStatus::Error(e) => format!("{}: {}", ctx.t(Msg::LogsError), crate::health::printable(e)),
        }
    }

    fn severity_style(ctx: &Ctx, sev: Option<Severity>) -> Style {
        let r = &ctx.theme.roles;
        match sev {
            Some(Severity::Error | Severity::Fatal) => r.crit,
            Some(Severity::Warn) => r.warn,
            Some(Severity::Debug | Severity::Trace) => r.muted,
            _ => r.text,
        }
    }

    fn draw(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        let roles = &ctx.theme.roles;
        let mode = if self.follow { ctx.t(Msg::LogsFollowing) } else { ctx.t(Msg::LogsPaused) };
        let records =
            crate::i18n::count(self.entries.len(), Msg::CountRecordsOne, Msg::CountRecordsMany, ctx.lang);
        // The mask state, always said: the engineer must know whether they see personal data.
        // When the title is too wide the record count goes first, then the wrap mark, then the
        // pane's name (its tab says it too); the mode and the mask state stay.
        let mask_text = if self.revealed { ctx.t(Msg::LogsRevealed) } else { ctx.t(Msg::LogsMasked) };
        let wrap = if self.wrap { Some(ctx.t(Msg::LogsWrap)) } else { None };
        let mut parts: Vec<(u8, &str)> = vec![(3, ctx.t(Msg::PaneLogs)), (1, &records), (0, mode)];
        parts.extend(wrap.map(|w| (2, w)));
        parts.push((0, mask_text));
        let joined = |parts: &[(u8, &str)]| parts.iter().map(|(_, p)| *p).collect::<Vec<_>>().join(" · ");
        for drop in 1..=3 {
            if ctx.title_fits(&joined(&parts), area.width) {
                break;
            }
            parts.retain(|(rank, _)| *rank != drop);
        }
        let block = ctx.fitted_block(joined(&parts), area.width);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let w = usize::from(inner.width);
        let mut y = inner.y;
        let bottom = inner.y + inner.height;
        let line_at = |f: &mut Frame<'_>, y: u16, line: Line<'_>| {
            f.render_widget(line, Rect { x: inner.x, y, width: inner.width, height: 1 });
        };

        // Source header lines: at most a third of the pane.
        let max_headers = (usize::from(inner.height) / 3).max(1);
        let tag_w = self.sources.iter().map(|s| width(&s.spec.name)).max().unwrap_or(0).min(TAG_MAX);
        if self.sources.is_empty() {
            line_at(f, y, Line::styled(truncate(ctx.t(Msg::LogsNoSources), w, ctx.ellipsis()), roles.muted));
            y += 1;
        }
        for (i, s) in self.sources.iter().enumerate().take(max_headers) {
            if y >= bottom {
                break;
            }
            let status = LogsPane::status_text(ctx, &s.status);
            let status_style = if s.status.is_problem() || s.status == SourceStatus::Connecting {
                roles.error
            } else {
                roles.muted
            };
            let mut spans = vec![
                Span::styled(
                    format!("■ {} ", pad_right(&truncate(&s.spec.name, tag_w, ctx.ellipsis()), tag_w)),
                    self.tag_style(ctx, i),
                ),
                Span::styled(format!("{status} "), status_style),
            ];
            let place = match &s.spec.host {
                Some(h) => format!("{h}:{}", s.spec.pattern),
                None => s.spec.pattern.clone(),
            };
            spans.push(Span::styled(crate::health::printable(&place), roles.muted));
            line_at(f, y, fit(spans, w, ctx));
            y += 1;
        }
        if self.sources.len() > max_headers && y < bottom {
            let n = self.sources.len() - max_headers;
            let more = crate::i18n::count(n, Msg::CountMoreSourcesOne, Msg::CountMoreSourcesMany, ctx.lang);
            line_at(f, y, Line::styled(more, roles.muted));
            y += 1;
        }
        // Filters and search, when any.
        let include: Vec<(String, bool)> =
            self.filter.patterns(Side::Include).map(|(p, on)| (p.to_string(), on)).collect();
        let exclude: Vec<(String, bool)> =
            self.filter.patterns(Side::Exclude).map(|(p, on)| (p.to_string(), on)).collect();
        if (!include.is_empty() || !exclude.is_empty() || self.search.is_some()) && y < bottom {
            let mut spans = Vec::new();
            // Numbered as `t` (toggle one filter) takes them; a filter that is off says so in
            // words (struck out and dimmed too, but those alone are lost on some terminals).
            let style_of = |on: bool| {
                if self.filters_on && on {
                    roles.accent
                } else {
                    roles.muted.add_modifier(Modifier::CROSSED_OUT)
                }
            };
            let numbered = include
                .iter()
                .map(|(p, on)| ('+', p, *on))
                .chain(exclude.iter().map(|(p, on)| ('-', p, *on)));
            for (n, (sign, p, on)) in numbered.enumerate() {
                spans.push(Span::styled(format!("{}:{sign}{p}", n + 1), style_of(on)));
                if !on {
                    spans.push(Span::styled(ctx.t(Msg::LogsFilterOff), roles.warn));
                }
                spans.push(Span::raw(" "));
            }
            if !self.filters_on && (!include.is_empty() || !exclude.is_empty()) {
                spans.push(Span::styled(format!("({}) ", ctx.t(Msg::LogsFiltersOff)), roles.muted));
            }
            if let Some(re) = &self.search {
                spans.push(Span::styled(format!("/{}", re.as_str()), roles.hint_key));
            }
            line_at(f, y, fit(spans, w, ctx));
            y += 1;
        }
        let input_h = u16::from(self.input.is_some());
        let body_h = bottom.saturating_sub(y).saturating_sub(input_h);
        let body = Rect { x: inner.x, y, width: inner.width, height: body_h };
        self.render_records(f, body, ctx, tag_w);
        if let Some((kind, line)) = &mut self.input {
            let prompt = ctx.t(kind.prompt());
            let at = Rect { x: inner.x, y: bottom - 1, width: inner.width, height: 1 };
            line.render(f, at, prompt, roles.accent, roles.input);
        }
    }

    /// The screen rows of one record at width `w` (after the tag). A line cut at the length
    /// limit ends with `cut_mark`, kept on screen when the line is not wrapped.
    fn rows_of(&self, e: &Entry, w: usize, cut_mark: &str, ellipsis: &str) -> Vec<String> {
        let mut rows = Vec::new();
        for (n, line) in e.record.lines.iter().enumerate() {
            let mut text = self.shown(line).replace('\t', "    ");
            let cut = e.record.is_cut(n);
            if self.wrap && w > 0 {
                if cut {
                    text.push_str(cut_mark);
                }
                rows.extend(wrap_width(&text, w));
            } else if cut {
                let room = w.saturating_sub(width(cut_mark));
                let mut row = if width(&text) > room { truncate(&text, room, ellipsis) } else { text };
                row.push_str(cut_mark);
                rows.push(row);
            } else {
                rows.push(text);
            }
        }
        rows
    }

    fn render_records(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx, tag_w: usize) {
        let roles = &ctx.theme.roles;
        if area.height == 0 {
            return;
        }
        let h = usize::from(area.height);
        if self.entries.is_empty() {
            f.render_widget(Line::styled(ctx.t(Msg::LogsEmpty), roles.muted), Rect { height: 1, ..area });
            return;
        }
        // Gutter (the current-record mark), tag, space.
        let prefix_w = 1 + tag_w + 1;
        let text_w = usize::from(area.width).saturating_sub(prefix_w).max(1);
        let Some(current) = self.current() else {
            f.render_widget(Line::styled(ctx.t(Msg::LogsNoneMatch), roles.muted), Rect { height: 1, ..area });
            return;
        };
        // Choose the first record drawn so that the current one is on screen (at the bottom when
        // following or when it moved below the screen).
        let cut_mark = format!(" {}", ctx.t(Msg::LogsLineCut));
        let height_of =
            |i: usize| self.rows_of(&self.entries[i], text_w, &cut_mark, ctx.ellipsis()).len().max(1);
        let mut top = if self.follow { current } else { self.top.min(current) };
        // Rows of the first record drawn that are above the screen.
        let mut skip = 0;
        if !self.follow && self.is_visible(top) {
            let mut used = 0;
            let mut i = top;
            let mut fits = false;
            while i <= current {
                if self.is_visible(i) {
                    used += height_of(i);
                }
                if used > h {
                    break;
                }
                if i == current {
                    fits = true;
                }
                i += 1;
            }
            if !fits {
                top = current;
            }
        } else {
            top = current;
        }
        if top == current {
            // Walk back from the current record while the screen has room.
            let mut used = height_of(current);
            let mut i = current;
            while let Some(prev) = self.prev_visible(i, |_| true) {
                let ph = height_of(prev);
                if used + ph > h {
                    // The screen ends inside this record: its last rows fill the top.
                    if used < h {
                        skip = ph - (h - used);
                        i = prev;
                    }
                    break;
                }
                used += ph;
                i = prev;
            }
            top = i;
        }
        self.top = top;
        let terms: Vec<Regex> = {
            let mut t: Vec<Regex> = self.search.iter().cloned().collect();
            if self.filters_on {
                t.extend(
                    self.filter
                        .patterns(Side::Include)
                        .filter(|(_, on)| *on)
                        .filter_map(|(p, _)| Regex::new(p).ok()),
                );
            }
            t
        };
        let mut y = area.y;
        let mut drawn = 0;
        let mut i = top;
        while y < area.y + area.height && i < self.entries.len() {
            if !self.is_visible(i) {
                i += 1;
                continue;
            }
            let e = &self.entries[i];
            let name = self.sources.get(e.source).map_or("?", |s| s.spec.name.as_str());
            let tag = pad_right(&truncate(name, tag_w, ctx.ellipsis()), tag_w);
            let sev = LogsPane::severity_style(ctx, e.record.severity);
            let mark = if i == current && !self.follow {
                if ctx.ascii {
                    ">"
                } else {
                    "▶"
                }
            } else {
                " "
            };
            let first_row = if i == top { skip } else { 0 };
            let rows = self.rows_of(e, text_w, &cut_mark, ctx.ellipsis());
            for (row_n, row) in rows.into_iter().enumerate().skip(first_row) {
                if y >= area.y + area.height {
                    break;
                }
                let mut spans = Vec::new();
                if row_n == 0 {
                    spans.push(Span::styled(mark, roles.accent));
                    spans.push(Span::styled(tag.clone(), self.tag_style(ctx, e.source)));
                    spans.push(Span::raw(" "));
                } else {
                    spans.push(Span::raw(" ".repeat(prefix_w)));
                }
                let row = if self.wrap { row } else { truncate(&row, text_w, ctx.ellipsis()) };
                let hl = highlight(&row, &terms);
                let mut at = 0;
                for r in hl {
                    if r.start > at {
                        spans.push(Span::styled(row[at..r.start].to_string(), sev));
                    }
                    spans
                        .push(Span::styled(row[r.clone()].to_string(), sev.add_modifier(Modifier::REVERSED)));
                    at = r.end;
                }
                if at < row.len() {
                    spans.push(Span::styled(row[at..].to_string(), sev));
                }
                f.render_widget(Line::from(spans), Rect { x: area.x, y, width: area.width, height: 1 });
                y += 1;
            }
            drawn += 1;
            i += 1;
        }
        self.page = drawn.max(1);
    }
}

impl Pane for LogsPane {
    fn title(&self) -> Msg {
        Msg::PaneLogs
    }

    fn scope(&self) -> Scope {
        Scope::Logs
    }

    fn edit_key(&mut self, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        if !self.is_editing() {
            return Edit::Ignored;
        }
        match self.on_key_editing(key, ctx, out) {
            Some(text) => Edit::Failed(text),
            None => Edit::Taken,
        }
    }

    fn paste(&mut self, text: &str, _ctx: &Ctx) -> bool {
        match &mut self.input {
            Some((_, line)) => {
                line.paste(text);
                true
            }
            None => false,
        }
    }

    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        self.handle_action(action, ctx, out)
    }

    fn on_message(&mut self, msg: WorkerMsg, _ctx: &Ctx, _out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Logs(LogsMsg::Records { source, records }) => {
                self.on_records(source, records);
                Taken::IfFocused
            }
            WorkerMsg::Logs(LogsMsg::Status { source, status }) => {
                self.on_status(source, status);
                Taken::Redraw
            }
            other => Taken::Not(other),
        }
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        self.draw(f, area, ctx);
    }

    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        self.key_hints(ctx)
    }
}

/// Cuts a line of spans to `w` columns.
fn fit<'a>(spans: Vec<Span<'a>>, w: usize, ctx: &Ctx) -> Line<'a> {
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let sw = width(&s.content);
        if used + sw <= w {
            used += sw;
            out.push(s);
        } else {
            let rest = w.saturating_sub(used);
            if rest > 0 {
                out.push(Span::styled(truncate(&s.content, rest, ctx.ellipsis()), s.style));
            }
            break;
        }
    }
    Line::from(out)
}

/// Splits text into rows of at most `w` columns (a wide character never split).
fn wrap_width(text: &str, w: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > w && !row.is_empty() {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        row.push(c);
        used += cw;
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::record::RecordBuilder;
    use crate::logs::sources::LogEncoding;

    fn spec(name: &str) -> SourceSpec {
        SourceSpec {
            name: name.into(),
            host: None,
            pattern: format!("/var/log/{name}.log"),
            encoding: LogEncoding::Auto,
            journal: None,
        }
    }

    fn records(lines: &[&str]) -> Vec<Record> {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00+08:00").unwrap();
        let mut b = RecordBuilder::new(now);
        let mut out: Vec<Record> = lines.iter().filter_map(|l| b.push(l.to_string())).collect();
        out.extend(b.flush());
        out
    }

    fn first_lines(p: &LogsPane) -> Vec<String> {
        p.visible().iter().map(|&i| p.entries[i].record.lines[0].clone()).collect()
    }

    fn pane() -> LogsPane {
        LogsPane::new(vec![spec("app"), spec("db")], 100)
    }

    #[test]
    fn sources_merge_by_time_and_untimed_records_keep_arrival_order() {
        let mut p = pane();
        p.on_records(0, records(&["2026-11-27 03:00:01 INFO a1", "2026-11-27 03:00:05 INFO a2"]));
        p.on_records(
            1,
            records(&["2026-11-27 03:00:03 INFO d1", "no time d2", "2026-11-27 03:00:09 INFO d3"]),
        );
        // A record without a time of a source that had none yet goes after the newest.
        p.on_records(0, records(&["2026-11-27 03:00:04 WARN a3"]));
        assert_eq!(
            first_lines(&p),
            vec![
                "2026-11-27 03:00:01 INFO a1",
                "2026-11-27 03:00:03 INFO d1",
                "2026-11-27 03:00:04 WARN a3",
                "2026-11-27 03:00:05 INFO a2",
                "2026-11-27 03:00:09 INFO d3",
            ]
        );
        // "no time d2" joined d1 as one multi-line record.
        let d1 = p.entries.iter().find(|e| e.record.lines[0].ends_with("d1")).unwrap();
        assert_eq!(d1.record.lines.len(), 2);
        // A first record without a time goes after the last one in the buffer.
        p.on_records(1, records(&["untimed later"]));
        assert_eq!(p.entries.back().unwrap().record.lines[0], "untimed later");
    }

    #[test]
    fn the_buffer_is_bounded_and_drops_the_oldest() {
        let mut p = LogsPane::new(vec![spec("app")], 3);
        let lines: Vec<String> = (0..10).map(|i| format!("2026-11-27 03:00:{i:02} INFO n{i}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        p.on_records(0, records(&refs));
        assert_eq!(p.entries.len(), 3);
        assert!(first_lines(&p)[0].ends_with("n7"));
    }

    #[test]
    fn filters_keep_and_drop_whole_records() {
        let mut p = pane();
        p.on_records(
            0,
            records(&[
                "2026-11-27 03:00:01 ERROR boom",
                "\tat com.x.Y(Y.java:3)",
                "2026-11-27 03:00:02 INFO healthcheck ok",
                "2026-11-27 03:00:03 INFO ok",
            ]),
        );
        p.filter.add(Side::Include, r"Y\.java").unwrap();
        assert_eq!(first_lines(&p), vec!["2026-11-27 03:00:01 ERROR boom"], "matched on a continuation line");
        p.filters_on = false;
        assert_eq!(p.visible().len(), 3);
        p.filters_on = true;
        p.filter = Filter::none();
        p.filter.add(Side::Exclude, "healthcheck").unwrap();
        assert_eq!(p.visible().len(), 2);
    }

    #[test]
    fn search_and_error_jumps_move_by_record_and_pause_following() {
        let mut p = pane();
        p.on_records(
            0,
            records(&[
                "2026-11-27 03:00:01 INFO start",
                "2026-11-27 03:00:02 ERROR first",
                "2026-11-27 03:00:03 INFO user 13812345678 logged in",
                "2026-11-27 03:00:04 FATAL second",
                "2026-11-27 03:00:05 INFO end",
            ]),
        );
        assert!(p.follow);
        let mut next = pane();
        next.entries = p.entries.clone();
        assert!(next.error_step(true), "while following, the next error is the newest");
        assert!(!next.follow);
        assert!(next.entries[next.cursor].record.lines[0].ends_with("second"));
        assert!(p.error_step(false));
        assert!(!p.follow);
        assert!(p.entries[p.cursor].record.lines[0].ends_with("second"));
        assert!(p.error_step(false));
        assert!(p.entries[p.cursor].record.lines[0].ends_with("first"));
        assert!(!p.error_step(false));
        assert!(p.error_step(true));
        assert!(p.entries[p.cursor].record.lines[0].ends_with("second"));
        // Search sees the masked text: the hidden number cannot be searched for.
        p.search = Some(Regex::new("13812345678").unwrap());
        assert!(!p.search_step(false));
        p.search = Some(Regex::new(r"138\*\*\*\*5678").unwrap());
        assert!(p.search_step(false));
        assert!(p.entries[p.cursor].record.lines[0].contains("user"));
        p.revealed = true;
        p.search = Some(Regex::new("start").unwrap());
        assert!(p.search_step(false));
        assert_eq!(p.cursor, 0);
        assert!(!p.search_step(false));
    }

    #[test]
    fn cursor_stays_on_its_record_when_older_ones_arrive_or_drop() {
        let mut p = LogsPane::new(vec![spec("app"), spec("db")], 4);
        p.on_records(0, records(&["2026-11-27 03:00:05 INFO x", "2026-11-27 03:00:06 INFO y"]));
        p.follow = false;
        p.cursor = 1;
        p.on_records(1, records(&["2026-11-27 03:00:01 INFO early"]));
        assert!(p.entries[p.cursor].record.lines[0].ends_with(" y"));
        p.on_records(1, records(&["2026-11-27 03:00:07 INFO z", "2026-11-27 03:00:08 INFO w"]));
        assert_eq!(p.entries.len(), 4);
        assert!(p.entries[p.cursor].record.lines[0].ends_with(" y"));
    }

    #[test]
    fn export_is_masked_unless_revealed() {
        let mut p = pane();
        p.on_records(0, records(&["2026-11-27 03:00:01 INFO id 11010519491231002X"]));
        assert_eq!(p.export(" [cut]"), "[app] 2026-11-27 03:00:01 INFO id 110105********002X\n");
        p.revealed = true;
        assert!(p.export(" [cut]").contains("11010519491231002X"));
    }

    #[test]
    fn visibility_is_cached_and_the_cache_follows_filter_and_mask_changes() {
        let mut p = LogsPane::new(vec![spec("app")], 200_000);
        let lines: Vec<String> = (0..50_000)
            .map(|i| format!("2026-11-27 03:{:02}:{:02} INFO n{i} 13812345678", i / 3600 % 60, i % 60))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        p.on_records(0, records(&refs));
        p.filter.add(Side::Include, "n49999 ").unwrap();
        assert_eq!(p.visible().len(), 1);
        // The second look at every record uses the cached answer.
        assert!(p.entries.iter().all(|e| e.visible.get().is_some()));
        assert!(p.current().is_some());
        p.filter = Filter::none();
        p.filter.add(Side::Include, "13812345678").unwrap();
        assert_eq!(p.visible().len(), 0, "masked text is matched");
        p.revealed = true;
        assert_eq!(p.visible().len(), 50_000);
    }

    #[test]
    fn wrapping_keeps_wide_characters_whole() {
        assert_eq!(wrap_width("ab中文cd", 3), vec!["ab", "中", "文c", "d"]);
        assert_eq!(wrap_width("", 3), vec![""]);
    }
}

#[cfg(test)]
mod view_tests;
