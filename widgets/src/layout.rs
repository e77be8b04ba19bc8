//! Layout helpers for popups.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

/// A rectangle of at most `w` x `h` centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Blanks the wide characters (Chinese text) that start just left of `area` and reach into it:
/// drawn over, their right half would hide the overlay's left border in the terminal.
pub fn clear_wide_overlap(buf: &mut Buffer, area: Rect) {
    if area.x == 0 || area.x <= buf.area.x {
        return;
    }
    for y in area.y..area.y + area.height {
        if let Some(cell) = buf.cell_mut((area.x - 1, y)) {
            if UnicodeWidthStr::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_under_an_overlay_edge_are_blanked() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        buf.set_string(0, 0, "正常ab", ratatui::style::Style::default());
        clear_wide_overlap(&mut buf, Rect::new(3, 0, 3, 1));
        // 常 started at column 2 and reached into column 3: gone; 正 is left alone.
        assert_eq!(buf[(0, 0)].symbol(), "正");
        assert_eq!(buf[(2, 0)].symbol(), " ");
    }

    #[test]
    fn centres_and_clips() {
        let a = Rect::new(0, 0, 80, 24);
        assert_eq!(centered(a, 40, 10), Rect::new(20, 7, 40, 10));
        assert_eq!(centered(Rect::new(2, 1, 20, 8), 40, 10), Rect::new(2, 1, 20, 8));
    }
}
