//! Everything a key can ask the console to do. Keymap files name these actions by their serde
//! names, so renaming a variant is a breaking change for users' keymaps (pinned by a test).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    CommandLine,
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    ClearFilter,
    SortNext,
    SortPrev,
    SortReverse,
    Refresh,
    RangeNext,
    Redraw,
    GroupByTag,
    AckAlerts,
    Search,
    SearchNext,
    SearchPrev,
    NextError,
    PrevError,
    IncludeFilter,
    ExcludeFilter,
    ToggleFilters,
    Follow,
    Wrap,
    Reveal,
    WriteFile,
    OpenFile,
    ToggleFilter,
    PaneFleet,
    PaneLogs,
}

impl Action {
    /// Every bindable action, in the order the help overlay lists them.
    pub const ALL: [Action; 39] = [
        Action::Quit,
        Action::Help,
        Action::CommandLine,
        Action::NextPane,
        Action::PrevPane,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Back,
        Action::Filter,
        Action::ClearFilter,
        Action::SortNext,
        Action::SortPrev,
        Action::SortReverse,
        Action::Refresh,
        Action::RangeNext,
        Action::Redraw,
        Action::GroupByTag,
        Action::AckAlerts,
        Action::Search,
        Action::SearchNext,
        Action::SearchPrev,
        Action::NextError,
        Action::PrevError,
        Action::IncludeFilter,
        Action::ExcludeFilter,
        Action::ToggleFilters,
        Action::Follow,
        Action::Wrap,
        Action::Reveal,
        Action::WriteFile,
        Action::OpenFile,
        Action::ToggleFilter,
        Action::PaneFleet,
        Action::PaneLogs,
    ];

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::CommandLine => "command_line",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Back => "back",
            Action::Filter => "filter",
            Action::ClearFilter => "clear_filter",
            Action::SortNext => "sort_next",
            Action::SortPrev => "sort_prev",
            Action::SortReverse => "sort_reverse",
            Action::Refresh => "refresh",
            Action::RangeNext => "range_next",
            Action::Redraw => "redraw",
            Action::GroupByTag => "group_by_tag",
            Action::AckAlerts => "ack_alerts",
            Action::Search => "search",
            Action::SearchNext => "search_next",
            Action::SearchPrev => "search_prev",
            Action::NextError => "next_error",
            Action::PrevError => "prev_error",
            Action::IncludeFilter => "include_filter",
            Action::ExcludeFilter => "exclude_filter",
            Action::ToggleFilters => "toggle_filters",
            Action::Follow => "follow",
            Action::Wrap => "wrap",
            Action::Reveal => "reveal",
            Action::WriteFile => "write_file",
            Action::OpenFile => "open_file",
            Action::ToggleFilter => "toggle_filter",
            Action::PaneFleet => "pane_fleet",
            Action::PaneLogs => "pane_logs",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Users' keymap files depend on these names: changing the list is a breaking change.
    #[test]
    fn bindable_actions_are_pinned() {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(
            names.join(" "),
            "quit help command_line next_pane prev_pane up down page_up page_down top bottom \
             open back filter clear_filter sort_next sort_prev sort_reverse refresh range_next redraw \
             group_by_tag ack_alerts search search_next search_prev next_error prev_error include_filter \
             exclude_filter toggle_filters follow wrap reveal write_file open_file toggle_filter pane_fleet pane_logs"
        );
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            let json = serde_json::to_string(&a).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", a.name()));
        }
        assert_eq!(Action::from_name("explode"), None);
    }
}
