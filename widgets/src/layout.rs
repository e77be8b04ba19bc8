//! Layout helpers for popups.

use ratatui::layout::Rect;

/// A rectangle of at most `w` x `h` centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_and_clips() {
        let a = Rect::new(0, 0, 80, 24);
        assert_eq!(centered(a, 40, 10), Rect::new(20, 7, 40, 10));
        assert_eq!(centered(Rect::new(2, 1, 20, 8), 40, 10), Rect::new(2, 1, 20, 8));
    }
}
