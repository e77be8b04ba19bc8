//! The Division codes pane: the changes between two editions, the ones a reviewer must decide
//! first (a removed code with nothing to map it to), each with its kind, confidence, the old
//! and the new rows side by side, the evidence and the decision; filters by kind and by
//! review state, search by code or name; accept, reject, edit the mapping or undo a decision
//! on the selected change, or accept every change of high confidence (or every rename of form
//! only) at once; choose the two editions; import a file. The work is the division-code
//! thread's (`workers::divcodes`), on its own connection.

pub mod messages;
#[cfg(test)]
mod tests;
mod view;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use messages::{say, DivMsg};

use crate::action::Action;
use crate::divcodes::diff::{Confidence, Kind};
use crate::divcodes::review::{Line, Requests, State};
use crate::divcodes::Code;
use crate::event::{Command, WorkerMsg};
use crate::i18n::{Lang, Msg};
use crate::keymap::Scope;
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::store::divcodes::Version;
use crate::ui::line::{prompt_key, prompt_paste, PromptKey};
use crate::ui::Ctx;
use crate::workers::divcodes::{Comparison, DivcodesCmd, DivcodesMsg};

/// Which review states the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    All,
    /// Not decided yet.
    Proposed,
    One(State),
}

impl StateFilter {
    fn next(self) -> StateFilter {
        match self {
            StateFilter::All => StateFilter::Proposed,
            StateFilter::Proposed => StateFilter::One(State::Accepted),
            StateFilter::One(State::Accepted) => StateFilter::One(State::Edited),
            StateFilter::One(State::Edited) => StateFilter::One(State::Rejected),
            StateFilter::One(_) => StateFilter::All,
        }
    }
}

const KINDS: [Kind; 7] =
    [Kind::Removed, Kind::Renamed, Kind::Recoded, Kind::Moved, Kind::Merged, Kind::Split, Kind::Added];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub kind: Option<Kind>,
    pub state: StateFilter,
    pub search: String,
}

impl Default for Filter {
    fn default() -> Self {
        Filter { kind: None, state: StateFilter::All, search: String::new() }
    }
}

impl Filter {
    fn is_default(&self) -> bool {
        *self == Filter::default()
    }

    fn shows(&self, l: &Line) -> bool {
        if self.kind.is_some_and(|k| k != l.change.kind) {
            return false;
        }
        let state_ok = match self.state {
            StateFilter::All => true,
            StateFilter::Proposed => l.state() == State::Proposed,
            StateFilter::One(s) => l.state() == s,
        };
        if !state_ok {
            return false;
        }
        let q = self.search.trim();
        q.is_empty()
            || l.change
                .old
                .iter()
                .chain(l.change.new.iter())
                .any(|d| d.code.as_str().starts_with(q) || d.name.contains(q))
    }
}

/// What an open one-line prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ask {
    Search,
    /// The mapping of the change with this id (its old codes).
    Map {
        id: String,
        olds: Vec<Code>,
    },
    ImportPath,
    /// The path, and the name Enter alone gives (the file's stem).
    ImportName(String, String),
}

type Prompt = crate::ui::line::Prompt<Ask>;

/// A one-key menu over the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Menu {
    Filter,
    /// Choosing the old edition, then (with it) the new one.
    Pick(Option<String>),
    /// Accepting many at once, after a `y`.
    Confirm {
        requests: Box<Requests>,
        text: String,
    },
}

pub struct DivcodesPane {
    pub versions: Vec<Version>,
    /// Whether the editions were read at least once.
    loaded: bool,
    pub cmp: Option<Comparison>,
    pub filter: Filter,
    /// Indices into the comparison's lines, in the order shown: what awaits a decision first.
    pub visible: Vec<usize>,
    pub selected: usize,
    /// The first row on screen.
    offset: usize,
    page: usize,
    prompt: Option<Prompt>,
    menu: Option<Menu>,
    /// The selection stays on this change when the list is read again.
    keep: Option<String>,
    flash: Option<(String, bool)>,
}

impl Default for DivcodesPane {
    fn default() -> Self {
        DivcodesPane::new()
    }
}

pub(crate) use crate::divcode_words::{
    confidence as confidence_word, kind as kind_word, state as state_word,
};

impl DivcodesPane {
    pub fn new() -> DivcodesPane {
        DivcodesPane {
            versions: Vec::new(),
            loaded: false,
            cmp: None,
            filter: Filter::default(),
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            page: 10,
            prompt: None,
            menu: None,
            keep: None,
            flash: None,
        }
    }

    pub fn selected_line(&self) -> Option<&Line> {
        let cmp = self.cmp.as_ref()?;
        self.visible.get(self.selected).and_then(|&i| cmp.lines.get(i))
    }

    /// The rows shown, worked out again (after new lines or another filter), the selection
    /// kept on the same change where it is still shown.
    fn refilter(&mut self) {
        let Some(cmp) = &self.cmp else {
            self.visible.clear();
            return;
        };
        let shown = |l: &&Line| self.filter.shows(l);
        let mut first: Vec<usize> = Vec::new();
        let mut rest: Vec<usize> = Vec::new();
        for (i, l) in cmp.lines.iter().enumerate() {
            if !shown(&l) {
                continue;
            }
            if l.needs_a_decision() || l.stale.is_some() {
                first.push(i);
            } else {
                rest.push(i);
            }
        }
        first.extend(rest);
        self.visible = first;
        let at =
            self.keep.as_ref().and_then(|k| self.visible.iter().position(|&i| cmp.lines[i].change.id() == k));
        self.selected = match at {
            Some(i) => i,
            None => self.selected.min(self.visible.len().saturating_sub(1)),
        };
        self.remember();
    }

    fn remember(&mut self) {
        self.keep = self.selected_line().map(|l| l.change.id().to_string());
    }

    fn move_selection(&mut self, delta: isize) {
        let n = self.visible.len();
        if n == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n as isize - 1) as usize;
        self.remember();
    }

    fn pair(&self) -> Option<(String, String)> {
        self.cmp.as_ref().map(|c| (c.old.name.clone(), c.new.name.clone()))
    }

    fn decide(&mut self, requests: Requests, ctx: &Ctx, out: &mut Vec<Command>) {
        if ctx.db_read_only.is_some() {
            self.flash = Some((DivMsg::ReadOnly.text(ctx.lang).to_string(), true));
            return;
        }
        if let Some((old, new)) = self.pair() {
            out.push(DivcodesCmd::Decide { old, new, requests: Box::new(requests) }.into());
        }
    }

    /// An action on the selected change; the text to flash when it cannot be done.
    fn act(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Option<String> {
        let lang = ctx.lang;
        let Some(l) = self.selected_line() else { return Some(DivMsg::NoChange.text(lang).to_string()) };
        let id = l.change.id().to_string();
        match action {
            Action::AcceptChange => self.decide(Requests { accept: vec![id], ..Requests::none() }, ctx, out),
            Action::RejectChange => self.decide(Requests { reject: vec![id], ..Requests::none() }, ctx, out),
            Action::ResetReview => self.decide(Requests { reset: vec![id], ..Requests::none() }, ctx, out),
            Action::EditMapping => {
                let olds: Vec<Code> = l.change.old.iter().map(|d| d.code.clone()).collect();
                if olds.is_empty() {
                    return Some(say(DivMsg::AddedHasNoOld, lang, &[("code", &id)]));
                }
                // One old code: the prompt says where it goes now and takes a code; several: the
                // pairs as they are, to be edited.
                let text = if olds.len() == 1 {
                    String::new()
                } else {
                    l.mapping().iter().map(|(a, b)| format!("{a}={b}")).collect::<Vec<_>>().join(" ")
                };
                self.ask(Ask::Map { id, olds }, &text);
            }
            _ => {}
        }
        None
    }

    fn ask(&mut self, ask: Ask, text: &str) {
        self.menu = None;
        self.prompt = Some(Prompt::new(ask, text));
    }

    /// Accepting many: said with how many first, done after a `y`.
    fn confirm_bulk(&mut self, confident: bool, lang: Lang) -> Option<String> {
        let cmp = self.cmp.as_ref()?;
        let n = cmp
            .lines
            .iter()
            .filter(|l| l.state() == State::Proposed)
            .filter(|l| if confident { l.change.confidence == Confidence::High } else { l.change.form_only })
            .count();
        if n == 0 {
            return Some(DivMsg::NothingToAccept.text(lang).to_string());
        }
        let (requests, m) = if confident {
            (Requests { accept_confident: true, ..Requests::none() }, DivMsg::ConfirmConfident)
        } else {
            (Requests { accept_form_only: true, ..Requests::none() }, DivMsg::ConfirmFormOnly)
        };
        self.prompt = None;
        self.menu = Some(Menu::Confirm {
            requests: Box::new(requests),
            text: say(m, lang, &[("n", &n.to_string())]),
        });
        None
    }

    fn submit(&mut self, ask: Ask, text: String, ctx: &Ctx, out: &mut Vec<Command>) {
        let lang = ctx.lang;
        let text = text.trim().to_string();
        match ask {
            Ask::Search => {
                self.filter.search = text;
                self.refilter();
            }
            Ask::Map { id, olds } => {
                if text.is_empty() {
                    return;
                }
                match parse_map(&text, &olds) {
                    Some(map) => self.decide(Requests { map, ..Requests::none() }, ctx, out),
                    None => {
                        // Said, and asked again with what was typed.
                        let shown = crate::text::escape_unprintable(&text).into_owned();
                        self.flash = Some((say(DivMsg::BadMap, lang, &[("text", &shown)]), true));
                        self.prompt = Some(Prompt::new(Ask::Map { id, olds }, &text));
                    }
                }
            }
            Ask::ImportPath if !text.is_empty() => {
                let path = crate::config::expand_tilde(&text);
                // A file that cannot be read is said now, before its name is asked.
                let readable = std::fs::metadata(&path).and_then(|m| {
                    if m.is_file() {
                        Ok(())
                    } else {
                        Err(std::io::Error::from(std::io::ErrorKind::IsADirectory))
                    }
                });
                if let Err(e) = readable {
                    let file = crate::text::escape_unprintable(&text).into_owned();
                    let why = crate::i18n::io_error(&e, lang);
                    self.flash =
                        Some((say(DivMsg::NoSuchFile, lang, &[("file", &file), ("why", &why)]), true));
                    self.prompt = Some(Prompt::new(Ask::ImportPath, &text));
                    return;
                }
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                self.prompt = Some(Prompt::new(Ask::ImportName(text, stem), ""));
            }
            Ask::ImportName(path, stem) => {
                let name = if text.is_empty() { stem } else { text };
                if !name.is_empty() {
                    let path = crate::config::expand_tilde(&path);
                    out.push(DivcodesCmd::Import { path, name }.into());
                }
            }
            _ => {}
        }
    }

    fn on_divcodes(&mut self, msg: DivcodesMsg, ctx: &Ctx, out: &mut Vec<Command>) {
        let lang = ctx.lang;
        match msg {
            DivcodesMsg::Versions(vs) => {
                self.versions = vs;
                self.loaded = true;
                // The pair compared is gone (dropped elsewhere): the newest two instead.
                if let Some((o, n)) = self.pair() {
                    if !self.versions.iter().any(|v| v.name == o)
                        || !self.versions.iter().any(|v| v.name == n)
                    {
                        self.cmp = None;
                        self.refilter();
                        out.push(DivcodesCmd::Compare(None).into());
                    }
                }
            }
            DivcodesMsg::Compared(c) => {
                self.cmp = Some(*c);
                self.loaded = true;
                self.refilter();
            }
            DivcodesMsg::Decided { count, by } => {
                let by = crate::text::escape_unprintable(&by).into_owned();
                self.flash =
                    Some((say(DivMsg::Decided, lang, &[("n", &count.to_string()), ("by", &by)]), false));
            }
            DivcodesMsg::Imported(v) => {
                let name = crate::text::escape_unprintable(&v.name).into_owned();
                let text = say(
                    DivMsg::Imported,
                    lang,
                    &[("name", &name), ("rows", &v.rows.to_string()), ("digits", &v.digits.to_string())],
                );
                self.flash = Some((text, false));
            }
            DivcodesMsg::Failed(why) => {
                let why = crate::text::escape_unprintable(why.get(lang)).into_owned();
                self.flash = Some((say(DivMsg::Failed, lang, &[("why", &why)]), true));
            }
        }
    }

    pub fn take_flash(&mut self) -> Option<(String, bool)> {
        self.flash.take()
    }

    fn menu_key(&mut self, menu: Menu, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        use crossterm::event::KeyCode;
        let c = match key.code {
            KeyCode::Char(c) => c,
            KeyCode::Esc | KeyCode::Enter => {
                self.menu = None;
                return Edit::Taken;
            }
            _ => return Edit::Taken,
        };
        match menu {
            Menu::Filter => match c {
                'k' => {
                    self.filter.kind = match self.filter.kind {
                        None => Some(KINDS[0]),
                        Some(k) => KINDS.iter().position(|x| *x == k).and_then(|i| KINDS.get(i + 1)).copied(),
                    };
                    self.refilter();
                }
                's' => {
                    self.filter.state = self.filter.state.next();
                    self.refilter();
                }
                'x' => {
                    self.filter = Filter::default();
                    self.refilter();
                }
                'f' | 'q' => self.menu = None,
                _ => {}
            },
            Menu::Pick(old) => {
                let chosen = pick_index(c).and_then(|i| self.versions.get(i)).map(|v| v.name.clone());
                if let Some(name) = chosen {
                    match old {
                        None => self.menu = Some(Menu::Pick(Some(name))),
                        Some(o) if o != name => {
                            // An older edition as the new one: compared as asked, and said.
                            let pos = |n: &str| self.versions.iter().position(|v| v.name == n);
                            if pos(&name) < pos(&o) {
                                let text = say(DivMsg::Reversed, ctx.lang, &[("old", &o), ("new", &name)]);
                                self.flash =
                                    Some((crate::text::escape_unprintable(&text).into_owned(), false));
                            }
                            self.menu = None;
                            self.cmp = None;
                            self.keep = None;
                            self.selected = 0;
                            self.refilter();
                            out.push(DivcodesCmd::Compare(Some((o, name))).into());
                        }
                        Some(_) => {}
                    }
                }
            }
            Menu::Confirm { requests, .. } => {
                self.menu = None;
                if c == 'y' || c == 'Y' {
                    self.decide(*requests, ctx, out);
                }
            }
        }
        Edit::Taken
    }
}

/// The key that picks the `i`-th edition: 1 to 9, then a to z.
pub(crate) fn pick_key(i: usize) -> Option<char> {
    match i {
        0..=8 => char::from_digit(i as u32 + 1, 10),
        9..=34 => char::from_u32(u32::from(b'a') + (i as u32 - 9)),
        _ => None,
    }
}

fn pick_index(c: char) -> Option<usize> {
    (0..35).find(|&i| pick_key(i) == Some(c))
}

/// What the mapping prompt says: a new code (for a change with one old code), or `FROM=TO`
/// pairs separated by spaces or commas.
fn parse_map(text: &str, olds: &[Code]) -> Option<Vec<(Code, Code)>> {
    let parts: Vec<&str> = text.split([' ', ',', '，', '\u{3000}']).filter(|s| !s.is_empty()).collect();
    if parts.len() == 1 && !parts[0].contains('=') && olds.len() == 1 {
        return Some(vec![(olds[0].clone(), Code::parse(parts[0]).ok()?)]);
    }
    parts
        .iter()
        .map(|p| {
            let (a, b) = p.split_once('=')?;
            Some((Code::parse(a).ok()?, Code::parse(b).ok()?))
        })
        .collect()
}

impl Pane for DivcodesPane {
    fn title(&self) -> Msg {
        Msg::PaneDivcodes
    }

    fn scope(&self) -> Scope {
        Scope::Divcodes
    }

    fn edit_key(&mut self, key: KeyEvent, ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        if let Some(menu) = self.menu.clone() {
            return self.menu_key(menu, key, ctx, out);
        }
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
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-(self.page as isize)),
            Action::PageDown => self.move_selection(self.page as isize),
            Action::Top => self.move_selection(isize::MIN / 2),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::AcceptChange | Action::RejectChange | Action::ResetReview | Action::EditMapping => {
                if let Some(text) = self.act(action, ctx, out) {
                    self.flash = Some((text, true));
                }
            }
            Action::AcceptConfident | Action::AcceptFormOnly => {
                if let Some(text) = self.confirm_bulk(action == Action::AcceptConfident, lang) {
                    self.flash = Some((text, true));
                }
            }
            Action::Filter => {
                self.prompt = None;
                self.menu = Some(Menu::Filter);
            }
            Action::Search => {
                let text = self.filter.search.clone();
                self.ask(Ask::Search, &text);
            }
            Action::ClearFilter => {
                if !self.filter.is_default() {
                    self.filter = Filter::default();
                    self.refilter();
                }
            }
            Action::PickVersions => {
                if self.versions.len() < 2 {
                    self.flash = Some((DivMsg::NotTwo.text(lang).to_string(), true));
                } else {
                    self.prompt = None;
                    self.menu = Some(Menu::Pick(None));
                }
            }
            Action::ImportEdition => {
                if ctx.db_read_only.is_some() {
                    self.flash = Some((DivMsg::ReadOnly.text(lang).to_string(), true));
                } else {
                    self.ask(Ask::ImportPath, "");
                }
            }
            Action::Refresh => out.push(DivcodesCmd::Compare(self.pair()).into()),
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn on_message(&mut self, msg: WorkerMsg, ctx: &Ctx, out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Divcodes(m) => {
                self.on_divcodes(m, ctx, out);
                Taken::IfFocused
            }
            other => Taken::Not(other),
        }
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        view::render(self, f, area, ctx);
    }

    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let actions = [
            Action::AcceptChange,
            Action::RejectChange,
            Action::EditMapping,
            Action::ResetReview,
            Action::AcceptConfident,
            Action::Filter,
            Action::Search,
            Action::PickVersions,
            Action::ImportEdition,
            Action::Help,
        ];
        ctx.hints_for(self.scope(), &actions)
    }
}
