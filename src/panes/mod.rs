//! Panes turn domain state into widgets and actions into state changes. One file per pane.

pub mod health;
pub mod logs;

/// Whether a pane used an action; unused actions fall through to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Yes,
    No,
}
