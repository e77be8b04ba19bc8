//! Shared pieces of the screen: the view context, bordered blocks (Unicode or ASCII), the tab
//! bar, the status bar, the help overlay and the command line.

pub mod bars;
pub mod help;
pub mod line;
pub mod messages;

use ratatui::symbols::border;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};

use crate::alerts::OpenAlerts;
use crate::health::thresholds::Thresholds;
use crate::i18n::{Lang, Msg};
use crate::keymap::Keymap;
use crate::theme::{Palette, Theme};

/// Everything a pane needs to draw itself and read keys, borrowed from the app.
pub struct Ctx {
    pub lang: Lang,
    pub theme: Theme,
    /// The colours the terminal shows; every theme loaded is brought down to them.
    pub palette: Palette,
    pub keymap: Keymap,
    pub thresholds: Thresholds,
    pub demo: bool,
    /// Wall-clock time for the status-bar clock; fixed in tests so snapshots are stable.
    pub now: chrono::DateTime<chrono::FixedOffset>,
    pub poll_interval_s: u64,
    /// ASCII borders and marks: from the config or the theme.
    pub ascii: bool,
    /// `host_key_check = "off"` with hosts reached over SSH: warned about on every screen.
    pub host_keys_unverified: bool,
    /// Every open alert: the app's one list, replaced when the store reports a change; the
    /// status bar, the fleet table's marks and the host detail all read it here.
    pub alerts: OpenAlerts,
    /// The silences in force (maintenance windows), as the store last reported them; each
    /// still ends by the clock (`now`).
    pub silences: Vec<crate::alerts::Silence>,
    /// Where the Logs pane writes records unless told otherwise: the data folder (the
    /// database's), never the working directory.
    pub export_dir: std::path::PathBuf,
    /// Set when the database is read-only and the console only views it: the tab bar says so
    /// on every screen, and what would write explains why it cannot.
    pub db_read_only: Option<ReadOnlyDb>,
}

/// A read-only database the console views: its path (escaped for the screen) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOnlyDb {
    pub path: String,
    pub read_only: crate::store::ReadOnly,
}

impl ReadOnlyDb {
    /// `msg` with the path and the reason filled in.
    pub fn say(&self, msg: Msg, lang: Lang) -> String {
        msg.fill(lang, &[("path", &self.path), ("why", &self.read_only.text(lang))])
    }
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Ctx {
    pub fn t(&self, m: Msg) -> &'static str {
        m.text(self.lang)
    }

    /// A bordered block in the theme's border style, with a title.
    pub fn block<'a>(&self, title: impl Into<String>) -> Block<'a> {
        let title = Span::styled(format!(" {} ", title.into()), self.theme.roles.title);
        self.block_titled(ratatui::text::Line::from(title))
    }

    /// A bordered block with a title of styled parts (put the spaces around it yourself).
    pub fn block_titled<'a>(&self, title: ratatui::text::Line<'a>) -> Block<'a> {
        let b = Block::default().borders(Borders::ALL).border_style(self.theme.roles.border).title(title);
        if self.ascii {
            b.border_set(ASCII_BORDER)
        } else {
            b
        }
    }

    /// The status bar's hints for `actions` in `scope`: each bound one's first key and short
    /// label, from the live keymap (an unbound action is left out).
    pub fn hints_for(
        &self,
        scope: crate::keymap::Scope,
        actions: &[crate::action::Action],
    ) -> Vec<(String, String)> {
        actions
            .iter()
            .filter_map(|a| {
                self.keymap
                    .hint_key(scope, *a)
                    .map(|k| (k, crate::i18n::action_hint(*a, self.lang).to_string()))
            })
            .collect()
    }

    /// Whether `title` shows whole on the top border of a block `width` wide.
    pub fn title_fits(&self, title: &str, width: u16) -> bool {
        yunwei_widgets::width::width(title) + 4 <= usize::from(width)
    }

    /// [`Ctx::block`] for a block `width` wide: a title too wide is cut with the ellipsis, never
    /// in the middle of a word without a mark or against the corner.
    pub fn fitted_block<'a>(&self, title: impl Into<String>, width: u16) -> Block<'a> {
        let title = title.into();
        let max = usize::from(width).saturating_sub(4);
        self.block(yunwei_widgets::width::truncate(&title, max, self.ellipsis()))
    }

    /// Says on the bottom border of the block at `block_area` that its content goes on below.
    pub fn mark_more_below(&self, buf: &mut ratatui::buffer::Buffer, block_area: ratatui::layout::Rect) {
        let more = format!(" {} {} ", self.t(Msg::HelpMore), if self.ascii { "v" } else { "↓" });
        let w = yunwei_widgets::width::width(&more) as u16;
        if block_area.height <= 2 || w + 3 > block_area.width {
            return;
        }
        let x = block_area.x + block_area.width - w - 2;
        buf.set_string(x, block_area.y + block_area.height - 1, more, self.theme.roles.accent);
    }

    /// The mark for "cut here": `…` is ambiguous-width in CJK terminals, so ASCII mode uses `~`.
    pub fn ellipsis(&self) -> &'static str {
        if self.ascii {
            "~"
        } else {
            "…"
        }
    }

    pub fn separator(&self) -> &'static str {
        if self.ascii {
            "|"
        } else {
            "│"
        }
    }
}
