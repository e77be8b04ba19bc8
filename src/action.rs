//! Everything a key can ask the console to do. Keymap files name these actions by their serde
//! names, so renaming a variant is a breaking change for users' keymaps (pinned by a test).

use serde::{Deserialize, Serialize};
use strum::VariantArray;

/// The serde names and the names of [`Action::name`] / [`Action::from_name`] (strum) are both
/// the variant in snake_case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    NewTicket,
    Acknowledge,
    MoveTicket,
    AssignTicket,
    EscalateTicket,
    NoteTicket,
    PaneFleet,
    PaneLogs,
    PaneTickets,
    AcceptChange,
    RejectChange,
    EditMapping,
    ResetReview,
    AcceptConfident,
    AcceptFormOnly,
    PickVersions,
    ImportEdition,
    PaneDivcodes,
    VerifyNow,
    RunJob,
    PaneBackups,
    AckAlert,
    Snooze,
    Silence,
    Unsilence,
    ToggleHistory,
    PaneAlerts,
    DutyView,
    Shell,
    PaneNetwork,
    Trace,
    Left,
    Right,
}

impl Action {
    /// Every bindable action, in the order the help overlay lists them (the order of the enum).
    pub const ALL: [Action; <Action as VariantArray>::VARIANTS.len()] =
        crate::text::variants(Action::VARIANTS);

    /// The name used in keymap files.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Action> {
        name.parse().ok()
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
             exclude_filter toggle_filters follow wrap reveal write_file open_file toggle_filter new_ticket acknowledge move_ticket assign_ticket \
             escalate_ticket note_ticket pane_fleet pane_logs pane_tickets accept_change reject_change edit_mapping \
             reset_review accept_confident accept_form_only pick_versions import_edition pane_divcodes verify_now run_job pane_backups \
             ack_alert snooze silence unsilence toggle_history pane_alerts duty_view shell pane_network trace left right"
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
