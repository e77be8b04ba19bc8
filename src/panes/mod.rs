//! Panes turn domain state into widgets and actions into state changes. Every pane implements
//! [`Pane`]; the app holds them as named fields of [`crate::app::Panes`] and reaches the focused
//! one through `Panes::pane_mut(focus)`, so no code matches on the focus but that one function.

pub mod alerts;
pub mod backups;
pub mod divcodes;
pub mod health;
pub mod logs;
pub mod network;
#[cfg(test)]
pub mod testing;
pub mod tickets;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::action::Action;
use crate::event::{Command, WorkerMsg};
use crate::i18n::Msg;
use crate::keymap::Scope;
use crate::ui::Ctx;

/// Whether a pane used an action; unused actions fall through to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Yes,
    No,
}

/// What a pane did with a key while one of its text fields may be open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// No field is open (or it does not want this key): the keymap decides.
    Ignored,
    /// The field took the key.
    Taken,
    /// The field took the key and what it entered failed (shown in the status bar).
    Failed(String),
}

/// What a pane did with a worker message.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// It was the pane's; the screen shows it.
    Redraw,
    /// It was the pane's, but only shows while the pane is focused.
    IfFocused,
    /// Not the pane's: handed back for the next one.
    Not(WorkerMsg),
}

/// One pane of the console. Commands for the workers go into `out`.
pub trait Pane {
    /// The tab's title.
    fn title(&self) -> Msg;

    /// The keymap section that applies now (a pane's views may have their own).
    fn scope(&self) -> Scope;

    /// A key, before the keymap: a pane with a text field open takes it.
    fn edit_key(&mut self, _key: KeyEvent, _ctx: &Ctx, _out: &mut Vec<Command>) -> Edit {
        Edit::Ignored
    }

    /// Pasted text, for the pane's open prompt; `false` when none is open (it is dropped).
    fn paste(&mut self, _text: &str, _ctx: &Ctx) -> bool {
        false
    }

    /// An action from the keymap.
    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled;

    /// A worker message: the pane keeps what is its own and hands the rest back.
    fn on_message(&mut self, msg: WorkerMsg, ctx: &Ctx, out: &mut Vec<Command>) -> Taken;

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx);

    /// The status bar's key hints, from the live keymap.
    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)>;
}
