//! A sparkline that tolerates gaps (a host that was down) and scales to its own range, with an
//! ASCII variant for terminals that draw block elements double width.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

const BARS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const ASCII_BARS: [&str; 8] = ["_", ".", "-", "-", "=", "=", "#", "#"];

#[derive(Debug, Clone, Default)]
pub struct Spark<'a> {
    pub values: &'a [Option<f64>],
    /// The value drawn as a full bar; `None` scales to the largest value shown.
    pub max: Option<f64>,
    pub style: Style,
    pub ascii: bool,
}

impl<'a> Spark<'a> {
    pub fn new(values: &'a [Option<f64>]) -> Self {
        Spark { values, ..Default::default() }
    }
    pub fn max(mut self, max: Option<f64>) -> Self {
        self.max = max;
        self
    }
    pub fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }
    pub fn ascii(mut self, ascii: bool) -> Self {
        self.ascii = ascii;
        self
    }
}

/// Reduces `values` to `n` points by averaging equal slices (gaps stay gaps).
pub fn resample(values: &[Option<f64>], n: usize) -> Vec<Option<f64>> {
    if n == 0 || values.is_empty() {
        return Vec::new();
    }
    if values.len() <= n {
        return values.to_vec();
    }
    (0..n)
        .map(|i| {
            let lo = i * values.len() / n;
            let hi = ((i + 1) * values.len() / n).max(lo + 1);
            let some: Vec<f64> = values[lo..hi].iter().flatten().copied().collect();
            (!some.is_empty()).then(|| some.iter().sum::<f64>() / some.len() as f64)
        })
        .collect()
}

impl Widget for &Spark<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let pts = resample(self.values, usize::from(area.width));
        let top = self.max.unwrap_or_else(|| pts.iter().flatten().copied().fold(0.0, f64::max));
        let bars = if self.ascii { &ASCII_BARS } else { &BARS };
        let offset = usize::from(area.width).saturating_sub(pts.len());
        let y = area.y + area.height - 1;
        for (i, p) in pts.iter().enumerate() {
            let x = area.x + (offset + i) as u16;
            let sym = match p {
                Some(v) if top > 0.0 => {
                    let idx = ((v / top).clamp(0.0, 1.0) * 7.0).round() as usize;
                    bars[idx.min(7)]
                }
                Some(_) => bars[0],
                None => " ",
            };
            buf.set_string(x, y, sym, self.style);
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
    fn draws_right_aligned_with_gaps() {
        let v = [Some(0.0), None, Some(50.0), Some(100.0)];
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 1));
        (&Spark::new(&v).max(Some(100.0))).render(buf.area, &mut buf);
        assert_eq!(line(&buf), "  ▁ ▅█");
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        (&Spark::new(&v).max(Some(100.0)).ascii(true)).render(buf.area, &mut buf);
        assert_eq!(line(&buf), "_ =#");
    }

    #[test]
    fn resamples_by_average() {
        let v: Vec<Option<f64>> = (0..10).map(|i| Some(i as f64)).collect();
        assert_eq!(resample(&v, 5), vec![Some(0.5), Some(2.5), Some(4.5), Some(6.5), Some(8.5)]);
        assert_eq!(resample(&[None, None, Some(2.0), Some(4.0)], 2), vec![None, Some(3.0)]);
    }
}

/// The sparkline as a string of exactly `width` columns, for use inside a line of text.
pub fn render_string(values: &[Option<f64>], width: usize, max: Option<f64>, ascii: bool) -> String {
    let pts = resample(values, width);
    let top = max.unwrap_or_else(|| pts.iter().flatten().copied().fold(0.0, f64::max));
    let bars = if ascii { &ASCII_BARS } else { &BARS };
    let mut out = " ".repeat(width.saturating_sub(pts.len()));
    for p in &pts {
        out.push_str(match p {
            Some(v) if top > 0.0 => bars[(((v / top).clamp(0.0, 1.0) * 7.0).round() as usize).min(7)],
            Some(_) => bars[0],
            None => " ",
        });
    }
    out
}

#[cfg(test)]
mod string_tests {
    use super::*;

    #[test]
    fn string_matches_widget() {
        assert_eq!(
            render_string(&[Some(0.0), None, Some(50.0), Some(100.0)], 6, Some(100.0), false),
            "  ▁ ▅█"
        );
        assert_eq!(render_string(&[], 3, None, false), "   ");
    }
}
