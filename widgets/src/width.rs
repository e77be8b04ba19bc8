//! Display-width helpers: Chinese characters take two columns, and a cell must never be cut
//! through the middle of one.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with `ellipsis` when something was cut.
pub fn truncate(s: &str, max: usize, ellipsis: &str) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let ell_w = width(ellipsis);
    if max <= ell_w {
        return take_width(s, max).to_string();
    }
    let mut out = take_width(s, max - ell_w).to_string();
    out.push_str(ellipsis);
    out
}

/// Cuts a line of styled spans to at most `max` columns, ending with `ellipsis` in the style of
/// the span it cuts when something was cut; the line's own style and alignment are kept.
pub fn truncate_line<'a>(line: Line<'a>, max: usize, ellipsis: &str) -> Line<'a> {
    if line.width() <= max {
        return line;
    }
    let ell_w = width(ellipsis);
    let room = if max > ell_w { max - ell_w } else { max };
    let mut used = 0;
    let mut spans = Vec::new();
    let mut cut_style = line.style;
    for span in line.spans.iter() {
        let w = width(&span.content);
        if used + w <= room {
            used += w;
            spans.push(span.clone());
            continue;
        }
        cut_style = span.style;
        let part = take_width(&span.content, room - used);
        if !part.is_empty() {
            spans.push(Span::styled(part.to_string(), span.style));
        }
        break;
    }
    if max > ell_w {
        spans.push(Span::styled(ellipsis.to_string(), cut_style));
    }
    Line { spans, ..line }
}

/// Lays `items` out on as few lines of `max` columns as they take, `sep` between two on a
/// line, so no item is cut while a next line could hold it whole; an item wider than a whole
/// line is cut with `ellipsis`.
pub fn flow(items: Vec<Vec<Span<'static>>>, sep: &str, max: usize, ellipsis: &str) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for item in items {
        let w: usize = item.iter().map(|s| width(&s.content)).sum();
        if !current.is_empty() && used + width(sep) + w > max {
            lines.push(Line::from(std::mem::take(&mut current)));
            used = 0;
        }
        if !current.is_empty() {
            current.push(Span::raw(sep.to_string()));
            used += width(sep);
        }
        used += w;
        current.extend(item);
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    lines.into_iter().map(|l| truncate_line(l, max, ellipsis)).collect()
}

/// The longest prefix of `s` that fits in `max` columns.
pub fn take_width(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max {
            return &s[..i];
        }
        used += w;
    }
    s
}

/// Pads with spaces on the right to exactly `w` columns (truncating first when longer).
pub fn pad_right(s: &str, w: usize) -> String {
    let cut = truncate(s, w, "~");
    let fill = w.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(fill))
}

/// Pads with spaces on the left to exactly `w` columns.
pub fn pad_left(s: &str, w: usize) -> String {
    let cut = truncate(s, w, "~");
    let fill = w.saturating_sub(width(&cut));
    format!("{}{cut}", " ".repeat(fill))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line<'_>) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_line_is_cut_with_the_mark_in_the_cut_spans_style() {
        use ratatui::style::{Color, Style};
        let red = Style::default().fg(Color::Red);
        let line = Line::from(vec![Span::raw("负载 "), Span::styled("0.40 0.30", red)]);
        let cut = truncate_line(line.clone(), 9, "…");
        assert_eq!(text(&cut), "负载 0.4…");
        assert_eq!(cut.spans.last().map(|s| s.style), Some(red));
        assert_eq!(cut.width(), 9);
        // Never half a character: 4 columns hold 负 and the mark, not 负 and half of 载.
        assert_eq!(text(&truncate_line(line.clone(), 4, "…")), "负…");
        assert_eq!(text(&truncate_line(line.clone(), 1, "…")), "");
        assert_eq!(truncate_line(line.clone(), 20, "…"), line);
    }

    #[test]
    fn items_flow_onto_the_next_line_rather_than_being_cut() {
        let items = || {
            vec![
                vec![Span::raw("uptime "), Span::raw("3d1h")],
                vec![Span::raw("4 cores")],
                vec![Span::raw("Load 0.40 0.30 0.20")],
            ]
        };
        let lines = flow(items(), "  ", 38, "…");
        assert_eq!(
            lines.iter().map(text).collect::<Vec<_>>(),
            ["uptime 3d1h  4 cores", "Load 0.40 0.30 0.20"]
        );
        let lines = flow(items(), "  ", 80, "…");
        assert_eq!(lines.iter().map(text).collect::<Vec<_>>(), ["uptime 3d1h  4 cores  Load 0.40 0.30 0.20"]);
        let lines = flow(items(), "  ", 10, "…");
        assert_eq!(lines.iter().map(text).collect::<Vec<_>>(), ["uptime 3d…", "4 cores", "Load 0.40…"]);
    }

    #[test]
    fn chinese_counts_double() {
        assert_eq!(width("海口-应用1"), 10);
        assert_eq!(truncate("海口-应用1", 6, "~"), "海口-~");
        // Never half a character: 5 columns cannot hold 海口- plus half of 应.
        assert_eq!(take_width("海口应用", 5), "海口");
        assert_eq!(pad_right("海口", 6), "海口  ");
        assert_eq!(pad_left("ab", 4), "  ab");
        assert_eq!(pad_right("海口应用", 5), "海口~");
        assert_eq!(width(&pad_right("海口应用", 5)), 5);
    }
}
