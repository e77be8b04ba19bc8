//! A one-line row of key hints (`? help  / filter  q quit`), cut at a whole hint when the line
//! is too narrow, never in the middle of one.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use crate::width::width;

#[derive(Debug, Clone, Default)]
pub struct KeyHints {
    pub hints: Vec<(String, String)>,
    pub key_style: Style,
    pub label_style: Style,
}

impl KeyHints {
    pub fn new(hints: Vec<(String, String)>) -> Self {
        KeyHints { hints, ..Default::default() }
    }

    pub fn styles(mut self, key: Style, label: Style) -> Self {
        self.key_style = key;
        self.label_style = label;
        self
    }

    /// Columns the hints take when all of them are shown.
    pub fn full_width(&self) -> usize {
        self.hints.iter().map(|(k, l)| width(k) + 1 + width(l) + 2).sum::<usize>().saturating_sub(2)
    }
}

impl Widget for &KeyHints {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let mut x = area.x;
        let right = area.x + area.width;
        for (i, (key, label)) in self.hints.iter().enumerate() {
            let sep = if i == 0 { 0 } else { 2 };
            let need = (sep + width(key) + 1 + width(label)) as u16;
            if x + need > right {
                break;
            }
            x += sep as u16;
            let (nx, _) = buf.set_stringn(x, area.y, key, usize::from(right - x), self.key_style);
            let (nx, _) =
                buf.set_stringn(nx + 1, area.y, label, usize::from(right - nx - 1), self.label_style);
            x = nx;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(buf: &Buffer) -> String {
        buf.content.iter().map(|c| c.symbol()).collect::<String>()
    }

    #[test]
    fn cuts_at_whole_hints() {
        let h = KeyHints::new(vec![
            ("?".into(), "帮助".into()),
            ("/".into(), "筛选".into()),
            ("q".into(), "退出".into()),
        ]);
        let mut buf = Buffer::empty(Rect::new(0, 0, 14, 1));
        (&h).render(buf.area, &mut buf);
        // "? 帮助  / 筛选" is 13 columns; "q 退出" does not fit and is left out whole.
        assert_eq!(line(&buf).replace(' ', ""), "?帮助/筛选");
        assert_eq!(h.full_width(), 22);
    }
}
