//! The application state and its update function: keys go through the keymap to actions,
//! worker messages update the panes, and the screen is marked dirty only when something changed.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::action::Action;
use crate::event::{Command, Event, WorkerMsg};
use crate::i18n::{both, Lang, Localized, Msg};
use crate::keymap::{KeyChord, Scope};
use crate::panes::alerts::AlertsPane;
use crate::panes::backups::BackupsPane;
use crate::panes::divcodes::DivcodesPane;
use crate::panes::health::{HealthPane, HostRow};
use crate::panes::logs::LogsPane;
use crate::panes::network::NetworkPane;
use crate::panes::tickets::TicketsPane;
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::theme::Theme;
use crate::ui::bars::{render_status_bar, render_tab_bar, Flash};
use crate::ui::help::render_help;
use crate::ui::line::{LineEdit, LineKey};
use crate::ui::messages::UiMsg;
use crate::ui::Ctx;
use crate::workers::store::StoreMsg;

/// The one list of panes: each line names the focus, the app's field, the pane's type and the
/// action that switches to it. It makes [`Focus`] (in tab order), [`Panes`] and
/// [`Panes::pane_mut`], the one place that maps the focus to a pane.
macro_rules! panes {
    ($($focus:ident: $field:ident: $pane:ty => $action:ident,)*) => {
        /// The panes that exist. Only working panes are listed; the tab bar shows exactly these.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Focus { $($focus),* }

        impl Focus {
            pub const ALL: &'static [Focus] = &[$(Focus::$focus),*];

            /// The pane an action switches to (`pane_fleet`, `pane_logs`, …).
            pub fn for_action(action: Action) -> Option<Focus> {
                match action {
                    $(Action::$action => Some(Focus::$focus),)*
                    _ => None,
                }
            }
        }

        /// Every pane, by name.
        pub struct Panes { $(pub $field: $pane),* }

        impl Panes {
            pub fn pane_mut(&mut self, focus: Focus) -> &mut dyn Pane {
                match focus { $(Focus::$focus => &mut self.$field),* }
            }

            pub fn pane(&self, focus: Focus) -> &dyn Pane {
                match focus { $(Focus::$focus => &self.$field),* }
            }
        }
    };
}

panes! {
    Fleet: fleet: HealthPane => PaneFleet,
    Logs: logs: LogsPane => PaneLogs,
    Tickets: tickets: TicketsPane => PaneTickets,
    Divcodes: divcodes: DivcodesPane => PaneDivcodes,
    Backups: backups: BackupsPane => PaneBackups,
    Alerts: alerts: AlertsPane => PaneAlerts,
    Network: network: NetworkPane => PaneNetwork,
}

enum Overlay {
    None,
    Help { scroll: u16, max: u16 },
    Command(Box<LineEdit>),
}

/// Smallest size the full layout needs; below it a short notice is drawn instead.
const MIN_W: u16 = 20;
const MIN_H: u16 = 5;

pub struct App {
    pub ctx: Ctx,
    pub focus: Focus,
    pub panes: Panes,
    overlay: Overlay,
    pub flash: Option<Flash>,
    pub dirty: bool,
    pub quit: bool,
    /// The terminal should be cleared and fully repainted (ctrl-l).
    pub force_clear: bool,
    /// Ctrl-Z: the loop hands the terminal back and stops the process until `fg`.
    pub suspend: bool,
    /// The last frame was too small for the layout: only the notice showed, and keys other
    /// than quit do nothing until the terminal grows.
    too_small: bool,
    /// Commands for the workers, drained by the event loop after each update.
    pub outbox: Vec<Command>,
    /// Set when the user changed the language with `:lang`.
    pub lang_changed: bool,
    /// `[[log_alerts]]`: the rules the Logs pane's records are matched against.
    pub log_alerts: crate::logs::alerts::LogAlerts,
    /// The night-duty view (`D`): shown over the whole screen while `on`.
    pub duty: crate::panes::alerts::duty::Duty,
    /// A shift handover not yet acknowledged by this engineer, shown over the console when it
    /// opens: its id and its text, and how far it is scrolled.
    pub handover: Option<(i64, String, u16)>,
    /// `S`: the shell to open; the event loop gives it the terminal.
    pub shell: Option<crate::shell::Request>,
}

impl App {
    pub fn new(ctx: Ctx, hosts: Vec<HostRow>) -> App {
        App {
            ctx,
            focus: Focus::Fleet,
            panes: Panes {
                fleet: HealthPane::new(hosts),
                logs: LogsPane::new(Vec::new(), crate::config::LogPane::default().max_records),
                tickets: TicketsPane::new(Default::default()),
                divcodes: DivcodesPane::new(),
                backups: BackupsPane::new(),
                alerts: AlertsPane::new(),
                network: NetworkPane::new(),
            },
            overlay: Overlay::None,
            flash: None,
            dirty: true,
            quit: false,
            force_clear: false,
            suspend: false,
            too_small: false,
            outbox: Vec::new(),
            lang_changed: false,
            log_alerts: Default::default(),
            duty: crate::panes::alerts::duty::Duty::new(true, true),
            shell: None,
            handover: None,
        }
    }

    /// Open alerts not yet acknowledged (the status bar's count).
    pub fn open_alerts(&self) -> usize {
        self.ctx.alerts.unacknowledged()
    }

    pub fn help_open(&self) -> bool {
        matches!(self.overlay, Overlay::Help { .. })
    }

    pub fn on_event(&mut self, ev: Event) {
        self.on_event_inner(ev);
        // What the ticket queue did (a change made or refused) goes to the status bar.
        if let Some((text, error)) = self
            .panes
            .tickets
            .take_flash()
            .or_else(|| self.panes.divcodes.take_flash())
            .or_else(|| self.panes.backups.take_flash())
            .or_else(|| self.panes.alerts.take_flash())
            .or_else(|| self.panes.network.take_flash())
        {
            self.flash = Some(Flash { text, error });
            self.dirty = true;
        }
    }

    fn on_event_inner(&mut self, ev: Event) {
        match ev {
            Event::Terminal(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => self.on_key(key),
            Event::Terminal(TermEvent::Resize(..)) => self.dirty = true,
            Event::Terminal(TermEvent::Paste(text)) => self.on_paste(&text),
            Event::Terminal(_) => {}
            Event::Worker(msg) => self.on_worker(msg),
            Event::Tick => {
                self.judge_logs(None);
                self.dirty = true;
            }
            Event::Terminate => self.quit = true,
        }
    }

    /// A worker message: notices and the alert list are the app's; the rest goes to the pane
    /// that takes it.
    fn on_worker(&mut self, msg: WorkerMsg) {
        let msg = match msg {
            WorkerMsg::Notice(n) => {
                self.flash = Some(Flash { text: n.text(self.ctx.lang), error: n.error });
                self.dirty = true;
                return;
            }
            // The one list of open alerts lives in the context every pane is lent.
            WorkerMsg::Store(StoreMsg::Alerts(rows)) => {
                if !self.log_alerts.is_empty() {
                    self.log_alerts.adopt(&rows, crate::clock::now_s());
                }
                self.ctx.alerts = crate::alerts::OpenAlerts::new(rows);
                self.duty.on_alerts(&self.ctx);
                self.dirty = true;
                return;
            }
            WorkerMsg::Store(StoreMsg::Silences(list)) => {
                self.ctx.silences = list;
                self.dirty = true;
                return;
            }
            WorkerMsg::Logs(crate::workers::logs::LogsMsg::Records { source, records }) => {
                let name = self.panes.logs.sources.get(source).map(|s| s.spec.name.clone());
                if let Some(name) = name {
                    self.judge_logs(Some((&name, &records)));
                }
                WorkerMsg::Logs(crate::workers::logs::LogsMsg::Records { source, records })
            }
            other => other,
        };
        let mut msg = msg;
        for &focus in Focus::ALL {
            match self.panes.pane_mut(focus).on_message(msg, &self.ctx, &mut self.outbox) {
                Taken::Redraw => {
                    self.dirty = true;
                    return;
                }
                Taken::IfFocused => {
                    self.dirty |= focus == self.focus;
                    return;
                }
                Taken::Not(back) => msg = back,
            }
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) {
        self.dirty = true;
        // Ctrl-C always quits, whatever the keymap says.
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        // Ctrl-Z suspends, as in every terminal program, whatever is open.
        if key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.suspend = true;
            return;
        }
        if self.too_small {
            // Nothing the keys would change can be seen: only quitting works.
            let quits = KeyChord::from_event(&key)
                .and_then(|chord| self.ctx.keymap.lookup(Scope::Global, &chord))
                .is_some_and(|a| a == Action::Quit);
            self.quit |= quits;
            return;
        }
        self.flash = None;
        if let Some((id, _, scroll)) = &mut self.handover {
            // The handover is read first: a acknowledges it, Esc puts it away until next time.
            let id = *id;
            match key.code {
                KeyCode::Char('a') | KeyCode::Enter => {
                    self.outbox.push(Command::Store(crate::workers::store::StoreCmd::AckHandover { id }));
                    self.handover = None;
                }
                KeyCode::Esc => self.handover = None,
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::Char('q') => self.quit = true,
                _ => {}
            }
            return;
        }
        if let (true, Some(line)) = (self.duty.on, self.duty.form.as_mut()) {
            match line.key(key) {
                LineKey::Submit(note) => {
                    self.duty.form = None;
                    let since = self.ctx.now.timestamp() - 8 * 3600;
                    self.outbox
                        .push(Command::Store(crate::workers::store::StoreCmd::WriteHandover { since, note }));
                }
                LineKey::Cancel => self.duty.form = None,
                LineKey::Edited | LineKey::Kept => {}
            }
            return;
        }
        if self.duty.on {
            // The duty view takes only its own keys: back, quit, the handover form.
            if key.code == KeyCode::Char('H') {
                if let Some(ro) = &self.ctx.db_read_only {
                    self.flash = Some(Flash { text: ro.say(Msg::DbReadOnlyAck, self.ctx.lang), error: true });
                } else {
                    self.duty.form = Some(crate::ui::line::LineEdit::new(""));
                }
                return;
            }
            let action =
                KeyChord::from_event(&key).and_then(|chord| self.ctx.keymap.lookup(Scope::Global, &chord));
            match (key.code, action) {
                (KeyCode::Esc, _) | (_, Some(Action::DutyView)) => self.duty.on = false,
                (_, Some(Action::Quit)) => self.quit = true,
                (_, Some(Action::Redraw)) => self.force_clear = true,
                _ => {}
            }
            return;
        }
        if let Overlay::Command(line) = &mut self.overlay {
            match line.key(key) {
                LineKey::Submit(text) => {
                    self.overlay = Overlay::None;
                    self.run_command(&text);
                }
                LineKey::Cancel => self.overlay = Overlay::None,
                LineKey::Edited | LineKey::Kept => {}
            }
            return;
        }
        match self.panes.pane_mut(self.focus).edit_key(key, &self.ctx, &mut self.outbox) {
            Edit::Ignored => {}
            Edit::Taken => return,
            Edit::Failed(text) => {
                self.flash = Some(Flash { text, error: true });
                return;
            }
        }
        let scope = if self.help_open() { Scope::Help } else { self.panes.pane(self.focus).scope() };
        let Some(chord) = KeyChord::from_event(&key) else { return };
        if let Some(action) = self.ctx.keymap.lookup(scope, &chord) {
            self.update(action);
        }
    }

    /// Pasted text goes to the open prompt, if any; with none it is dropped, never read as keys.
    pub fn on_paste(&mut self, text: &str) {
        if let (true, Some(line)) = (self.duty.on, self.duty.form.as_mut()) {
            line.paste(text);
            self.dirty = true;
        } else if let Overlay::Command(line) = &mut self.overlay {
            line.paste(text);
            self.dirty = true;
        } else if self.panes.pane_mut(self.focus).paste(text, &self.ctx) {
            self.dirty = true;
        }
    }

    /// Applies one action: overlays first, then the focused pane, then the app-wide ones.
    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        if let Overlay::Help { scroll, max } = &mut self.overlay {
            match action {
                Action::Back | Action::Help => self.overlay = Overlay::None,
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = (*scroll + 1).min(*max),
                Action::PageUp => *scroll = scroll.saturating_sub(10),
                Action::PageDown => *scroll = (*scroll + 10).min(*max),
                Action::Top => *scroll = 0,
                Action::Bottom => *scroll = *max,
                Action::Quit => self.quit = true,
                Action::Redraw => self.force_clear = true,
                _ => {}
            }
            return;
        }
        if let Some(text) = self.refused_read_only(action) {
            self.flash = Some(Flash { text, error: true });
            return;
        }
        let handled = self.panes.pane_mut(self.focus).handle(action, &self.ctx, &mut self.outbox);
        if handled == Handled::Yes {
            if action == Action::Refresh {
                self.flash = Some(Flash { text: self.ctx.t(Msg::Refreshing).to_string(), error: false });
            }
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Overlay::Help { scroll: 0, max: u16::MAX },
            Action::CommandLine => self.overlay = Overlay::Command(Box::new(LineEdit::new(""))),
            Action::NextPane | Action::PrevPane => {
                let pos = Focus::ALL.iter().position(|f| *f == self.focus).unwrap_or(0);
                let n = Focus::ALL.len();
                let next = if action == Action::NextPane { (pos + 1) % n } else { (pos + n - 1) % n };
                self.focus = Focus::ALL[next];
            }
            Action::Redraw => self.force_clear = true,
            Action::DutyView => {
                self.duty.on = true;
                self.duty.on_alerts(&self.ctx);
            }
            // From the fleet or a host's detail: the form, with the host and its worst alert.
            Action::NewTicket if self.focus == Focus::Alerts => self.ticket_from_alert(),
            Action::NewTicket => self.ticket_from_fleet(),
            Action::Shell => self.shell_here(),
            other => {
                if let Some(focus) = Focus::for_action(other) {
                    self.focus = focus;
                }
            }
        }
    }

    /// The duty view's figures: the stream's, and the open P1 tickets of the queue with the
    /// nearest due time of their running clocks.
    pub fn duty_figures(&self) -> crate::panes::alerts::duty::Figures {
        let mut f = crate::panes::alerts::duty::figures(&self.ctx);
        let now = self.ctx.now.timestamp();
        let tickets = &self.panes.tickets;
        // Every open P1, not only those the Tickets tab's filter shows.
        for t in &tickets.p1 {
            f.p1_open += 1;
            let c = tickets.clocks(t, now);
            for clock in [&c.response, &c.resolution] {
                if let (true, Some(due)) = (clock.running, clock.due) {
                    if f.p1_next_due.as_ref().is_none_or(|(d, _)| due < *d) {
                        f.p1_next_due = Some((due, t.number.clone()));
                    }
                }
            }
        }
        f
    }

    /// When the loop must wake with no event: the end of the duty view's flash.
    pub fn next_wake(&self) -> Option<std::time::Instant> {
        self.duty.flash_until.filter(|_| self.duty.on)
    }

    /// The loop woke at [`App::next_wake`]: the flash is over.
    pub fn on_wake(&mut self) {
        if self.duty.flash_until.is_some_and(|t| std::time::Instant::now() >= t) {
            self.duty.flash_until = None;
            self.dirty = true;
        }
    }

    /// Matches new records against the `[[log_alerts]]` rules (and lets the windows pass): the
    /// alerts they open or clear go to the store thread.
    fn judge_logs(&mut self, records: Option<(&str, &[crate::logs::record::Record])>) {
        if self.log_alerts.is_empty() {
            return;
        }
        let now = crate::clock::now_s();
        let mut changes = match records {
            Some((source, records)) => self.log_alerts.feed(source, records, now),
            None => Vec::new(),
        };
        changes.extend(self.log_alerts.tick(now));
        if !changes.is_empty() {
            self.outbox.push(Command::Store(crate::workers::store::StoreCmd::ApplyAlerts(changes)));
        }
    }

    /// Opens the new-ticket form on the Tickets tab, prefilled from the alert selected in the
    /// Alerts pane: its host, the monitoring channel, a summary from its reason, the link.
    fn ticket_from_alert(&mut self) {
        let Some(a) = self.panes.alerts.selected_alert(&self.ctx).cloned() else {
            self.flash = Some(Flash {
                text: crate::i18n::tr(self.ctx.lang, "no alert is selected", "没有选中的告警"),
                error: true,
            });
            return;
        };
        let mut prefill = crate::tickets::draft::Draft::default();
        let host = a.host.clone().or_else(|| a.key.host().map(str::to_string));
        if let Some(h) = &host {
            prefill.hosts = h.clone();
        }
        prefill.category = Some(match a.key.source() {
            crate::alerts::Source::Backup => crate::tickets::Category::Data,
            crate::alerts::Source::Check => crate::tickets::Category::Network,
            crate::alerts::Source::Baseline => crate::tickets::Category::Security,
            _ => crate::tickets::Category::Server,
        });
        prefill.alert_id = Some(a.id);
        prefill.channel = Some(crate::tickets::Channel::Monitoring);
        let words = match a.key.source() {
            crate::alerts::Source::Health => crate::panes::health::alert_words(&a, &self.ctx),
            _ => a.reason(self.ctx.lang).to_string(),
        };
        let subject = match &host {
            Some(h) => format!("{h}: {words}"),
            None => format!("{}: {words}", a.key.subject()),
        };
        prefill.summary = crate::text::escape_unprintable(&subject).into_owned();
        self.focus = Focus::Tickets;
        self.panes.tickets.open_form(prefill, host, self.ctx.lang, &mut self.outbox);
    }

    /// `S`: a shell on the host of what is selected: the fleet's row or the host shown, the
    /// alert's host, the ticket's first host (the ticket then goes into the audit row).
    fn shell_here(&mut self) {
        let (host, ticket) = match self.focus {
            Focus::Fleet => match &self.panes.fleet.view {
                crate::panes::health::View::Detail(d) => (Some(d.host.clone()), None),
                crate::panes::health::View::Table => {
                    (self.panes.fleet.selected_host(&self.ctx).map(|h| h.name.clone()), None)
                }
            },
            Focus::Alerts => (
                self.panes
                    .alerts
                    .selected_alert(&self.ctx)
                    .and_then(|a| a.host.clone().or_else(|| a.key.host().map(str::to_string))),
                None,
            ),
            Focus::Tickets => match self.panes.tickets.selected_host(self.ctx.now.timestamp()) {
                Some((host, number)) => (host, Some(number)),
                None => (None, None),
            },
            Focus::Network => (self.panes.network.selected_host(), None),
            _ => (None, None),
        };
        match host {
            Some(host) => self.shell = Some(crate::shell::Request { host, ticket }),
            None => {
                self.flash = Some(Flash {
                    text: crate::i18n::tr(self.ctx.lang, "no host is selected here", "这里没有选中的主机"),
                    error: true,
                })
            }
        }
    }

    /// Opens the new-ticket form on the Tickets tab, prefilled from the host selected (or
    /// shown) in the fleet pane and its worst open alert.
    fn ticket_from_fleet(&mut self) {
        let host = match &self.panes.fleet.view {
            crate::panes::health::View::Detail(d) => Some(d.host.clone()),
            crate::panes::health::View::Table => {
                self.panes.fleet.selected_host(&self.ctx).map(|h| h.name.clone())
            }
        };
        let mut prefill = crate::tickets::draft::Draft::default();
        if let Some(host) = &host {
            prefill.hosts = host.clone();
            prefill.category = Some(crate::tickets::Category::Server);
            let worst = self.ctx.alerts.of_host(host).max_by_key(|a| (a.level, a.opened_at));
            if let Some(a) = worst {
                prefill.alert_id = Some(a.id);
                prefill.channel = Some(crate::tickets::Channel::Monitoring);
                let words = crate::panes::health::alert_words(a, &self.ctx);
                prefill.summary = crate::text::escape_unprintable(&format!("{host}: {words}")).into_owned();
            }
        }
        self.focus = Focus::Tickets;
        self.panes.tickets.open_form(prefill, host, self.ctx.lang, &mut self.outbox);
    }

    /// On a read-only database, what an action that must write would fail at, said before it
    /// is tried: acknowledging is a row in the alerts and audit tables, unmasking is an audit
    /// row first.
    fn refused_read_only(&self, action: Action) -> Option<String> {
        let ro = self.ctx.db_read_only.as_ref()?;
        let msg = match (self.focus, action) {
            (Focus::Fleet, Action::AckAlerts) => Msg::DbReadOnlyAck,
            (Focus::Logs, Action::Reveal) if !self.panes.logs.revealed => Msg::DbReadOnlyReveal,
            _ => return None,
        };
        Some(ro.say(msg, self.ctx.lang))
    }

    /// Runs a `:` command line.
    pub fn run_command(&mut self, line: &str) {
        let mut words = line.split_whitespace();
        let cmd = words.next().unwrap_or("");
        let arg = words.next();
        let err = |app: &mut App, text: String| app.flash = Some(Flash { text, error: true });
        match (cmd, arg) {
            ("", _) => {}
            ("q" | "q!" | "quit" | "qa" | "wq" | "x", _) => self.quit = true,
            ("help" | "h", _) => self.overlay = Overlay::Help { scroll: 0, max: u16::MAX },
            ("theme" | "colorscheme" | "colo", Some(name)) => match Theme::load(name) {
                Ok(theme) => {
                    let theme = theme.for_palette(self.ctx.palette);
                    self.ctx.ascii = self.ctx.ascii || theme.ascii_borders;
                    self.flash = Some(Flash {
                        text: format!("{}: {}", self.ctx.t(Msg::ThemeSet), theme.name),
                        error: false,
                    });
                    self.ctx.theme = theme;
                    self.force_clear = true;
                }
                Err(errors) => {
                    // The first problem, in the user's language; check-config lists them all.
                    let lang = self.ctx.lang;
                    let first = errors.first().map(|e| e.render(lang)).unwrap_or_default();
                    let more = errors.len().saturating_sub(1).to_string();
                    let args: [(&str, &dyn Localized); 3] =
                        [("error", &first), ("n", &more), ("name", &name)];
                    let m =
                        if errors.len() > 1 { UiMsg::ThemeNotSwitchedMore } else { UiMsg::ThemeNotSwitched };
                    err(self, both(&m, &args).get(lang).to_string())
                }
            },
            ("lang" | "language", Some(l)) => match Lang::parse(l) {
                Some(lang) => {
                    self.ctx.lang = lang;
                    self.lang_changed = true;
                    self.flash = Some(Flash { text: self.ctx.t(Msg::LangSet).to_string(), error: false });
                }
                None => err(self, format!("{}: {l}", self.ctx.t(Msg::UnknownLang))),
            },
            (other, _) => err(self, format!("{}: {other}", self.ctx.t(Msg::UnknownCommand))),
        }
    }

    fn summary(&self) -> String {
        let total = self.panes.fleet.hosts.len();
        let down =
            self.panes.fleet.hosts.iter().filter_map(|h| h.sample.as_ref()).filter(|s| !s.reachable).count();
        let hosts = crate::i18n::count(total, Msg::CountHostsOne, Msg::CountHostsMany, self.ctx.lang);
        if down > 0 {
            let down = crate::i18n::fill(self.ctx.t(Msg::CountUnreachable), &[("n", &down.to_string())]);
            format!("{hosts} · {down} ")
        } else {
            format!("{hosts} ")
        }
    }

    /// Draws the screen, then scrubs it: whatever a pane let through, no cell sends a control or
    /// bidirectional character to the terminal (the last line of defence; the domains sanitise
    /// what comes from outside before it is stored).
    pub fn render(&mut self, f: &mut Frame<'_>) {
        self.render_screen(f);
        scrub(f.buffer_mut());
    }

    /// The notice below the smallest layout. It always names the minimum: where the whole
    /// sentence leaves it off the screen, only the minimum is said.
    fn render_too_small(&self, f: &mut Frame<'_>) {
        let area = f.area();
        let minimum = format!("{MIN_W}x{MIN_H}");
        let args = [
            ("w", area.width.to_string()),
            ("h", area.height.to_string()),
            ("min_w", MIN_W.to_string()),
            ("min_h", MIN_H.to_string()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let paragraph = |msg: Msg| {
            Paragraph::new(Span::styled(crate::i18n::fill(self.ctx.t(msg), &args), self.ctx.theme.roles.warn))
                .wrap(ratatui::widgets::Wrap { trim: true })
        };
        let shows_minimum = |p: &Paragraph<'_>| {
            let mut scratch = ratatui::buffer::Buffer::empty(area);
            ratatui::widgets::Widget::render(p.clone(), area, &mut scratch);
            let rows = (area.top()..area.bottom())
                .map(|y| (area.left()..area.right()).map(|x| scratch[(x, y)].symbol()).collect::<String>());
            rows.into_iter().any(|row| row.contains(&minimum))
        };
        let full = paragraph(Msg::TooSmallNeed);
        let chosen = if shows_minimum(&full) { full } else { paragraph(Msg::TooSmallShort) };
        f.render_widget(chosen, area);
    }

    fn render_screen(&mut self, f: &mut Frame<'_>) {
        let area = f.area();
        self.too_small = area.width < MIN_W || area.height < MIN_H;
        if self.too_small {
            self.render_too_small(f);
            return;
        }
        if self.duty.on {
            let figures = self.duty_figures();
            crate::panes::alerts::duty::render(f, area, &self.ctx, &figures, self.duty.flashing());
            let last = ratatui::layout::Rect { y: area.bottom().saturating_sub(1), height: 1, ..area };
            let roles = &self.ctx.theme.roles;
            match (&mut self.duty.form, &self.flash) {
                (Some(line), _) => {
                    let label =
                        crate::i18n::tr(self.ctx.lang, "handover (8 h), notes: ", "交接班（8 小时），说明：");
                    line.render(f, last, &label, roles.hint_key, roles.input);
                }
                (None, Some(flash)) => {
                    let style = if flash.error { roles.error } else { roles.muted };
                    let text = yunwei_widgets::width::truncate(&flash.text, usize::from(last.width), "…");
                    f.render_widget(Paragraph::new(Span::styled(text, style)), last);
                }
                (None, None) => {
                    let hint =
                        crate::i18n::tr(self.ctx.lang, " H handover  Esc tabs", " H 交接班  Esc 返回标签页");
                    f.render_widget(Paragraph::new(Span::styled(hint, roles.muted)), last);
                }
            }
        } else {
            self.render_tabs(f, area);
        }
        if let Some((_, text, scroll)) = &self.handover {
            crate::panes::alerts::view::render_handover(f, area, &self.ctx, text, *scroll);
        }
    }

    fn render_tabs(&mut self, f: &mut Frame<'_>, area: ratatui::layout::Rect) {
        // A read-only database has a banner of its own above the status bar, for as long as
        // the console runs: nothing done here is recorded. Two lines at most, wrapped.
        let banner = self.ctx.db_read_only.as_ref().map(|ro| ro.say(Msg::DbReadOnlyBanner, self.ctx.lang));
        let banner_h = banner.as_deref().map_or(0, |t| {
            let w = usize::from(area.width.max(1));
            u16::try_from(yunwei_widgets::width::width(t).div_ceil(w).clamp(1, 2)).unwrap_or(2)
        });
        let [top, body, banner_area, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(banner_h),
            Constraint::Length(1),
        ])
        .areas(area);
        if let Some(text) = banner {
            // Cut by display width, not at spaces: Chinese has few.
            let w = usize::from(banner_area.width);
            let mut first = yunwei_widgets::width::take_width(&text, w);
            // In English, at the last space when one is near the end.
            if first.len() < text.len() && !text[first.len()..].starts_with(' ') {
                if let Some(sp) = first.rfind(' ').filter(|&sp| sp > first.len() * 2 / 3) {
                    first = &first[..sp];
                }
            }
            let rest =
                yunwei_widgets::width::truncate(text[first.len()..].trim_start(), w, self.ctx.ellipsis());
            let lines: Vec<ratatui::text::Line<'_>> =
                [first.to_string(), rest].into_iter().filter(|l| !l.is_empty()).map(Into::into).collect();
            f.render_widget(Paragraph::new(lines).style(self.ctx.theme.roles.warn), banner_area);
        }
        let tabs: Vec<(Msg, bool)> =
            Focus::ALL.iter().map(|f| (self.panes.pane(*f).title(), *f == self.focus)).collect();
        render_tab_bar(f, top, &self.ctx, &tabs, &self.summary());
        self.panes.pane_mut(self.focus).render(f, body, &self.ctx);
        match &mut self.overlay {
            Overlay::Help { scroll, max } => {
                *max = render_help(f, body, &self.ctx, *scroll);
                *scroll = (*scroll).min(*max);
            }
            Overlay::Command(line) => {
                f.render_widget(
                    ratatui::widgets::Block::default().style(self.ctx.theme.roles.status_bar),
                    bottom,
                );
                let roles = &self.ctx.theme.roles;
                line.render(f, bottom, ":", roles.accent, roles.text);
                return;
            }
            Overlay::None => {}
        }
        let hints = self.panes.pane(self.focus).hints(&self.ctx);
        render_status_bar(f, bottom, &self.ctx, hints, self.flash.as_ref(), self.open_alerts());
    }
}

/// Replaces every cell holding a control or bidirectional character with U+FFFD.
fn scrub(buf: &mut ratatui::buffer::Buffer) {
    for cell in &mut buf.content {
        // Plain ASCII cells, nearly all of them, are checked by their first byte alone.
        let sym = cell.symbol();
        let suspect = sym.bytes().any(|b| b < 0x20 || b == 0x7f || b >= 0x80);
        if suspect && sym.chars().any(crate::text::is_unprintable) {
            cell.set_symbol("\u{FFFD}");
        }
    }
}

#[cfg(test)]
mod tests;
