//! Display-width helpers: Chinese characters take two columns, and a cell must never be cut
//! through the middle of one.

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
