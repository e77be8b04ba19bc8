//! Words a ticket is found by, Chinese included. SQLite's full-text index splits text into
//! words at spaces and punctuation, which Chinese does not have: a sentence would be one word,
//! and `推送` would not find `数据推送失败`. So Chinese (and Japanese, Korean) runs are written
//! into the index as overlapping pairs of characters (`数据 据推 推送 送失 失败 败`), and a query
//! looks for its own pairs side by side; a single character finds every pair it begins and a
//! run's last character, which covers each place it occurs.

/// Characters written as pairs: CJK ideographs (with extensions and compatibility forms), kana
/// and Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Runs of the text: Chinese runs and the rest.
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let cjk = is_cjk(c);
        match out.last_mut() {
            Some((kind, run)) if *kind == cjk => run.push(c),
            _ => out.push((cjk, c.to_string())),
        }
    }
    out
}

/// The text as the index stores it.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (cjk, run) in runs(text) {
        out.push(' ');
        if cjk {
            let chars: Vec<char> = run.chars().collect();
            for pair in chars.windows(2) {
                out.extend(pair);
                out.push(' ');
            }
            if let Some(last) = chars.last() {
                out.push(*last);
            }
        } else {
            out.push_str(&run.to_lowercase());
        }
        out.push(' ');
    }
    out
}

/// A full-text query (FTS5 syntax) finding every ticket whose text holds each word of `query`;
/// None when the query has no word to look for.
pub fn match_query(query: &str) -> Option<String> {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut terms = Vec::new();
    for (cjk, run) in runs(query) {
        if cjk {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() == 1 {
                terms.push(format!("{}*", quote(&run)));
            } else {
                let pairs: Vec<String> = chars.windows(2).map(|p| p.iter().collect()).collect();
                terms.push(quote(&pairs.join(" ")));
            }
        } else {
            for word in run.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                terms.push(format!("{}*", quote(&word.to_lowercase())));
            }
        }
    }
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_indexed_in_pairs_and_the_rest_as_words() {
        assert_eq!(
            index_text("数据推送失败").split_whitespace().collect::<Vec<_>>(),
            ["数据", "据推", "推送", "送失", "失败", "败"]
        );
        let mixed = index_text("nginx推送ERROR，三亚");
        assert_eq!(
            mixed.split_whitespace().collect::<Vec<_>>(),
            ["nginx", "推送", "送", "error，", "三亚", "亚"]
        );
    }

    #[test]
    fn queries_look_for_pairs_side_by_side_and_words_by_prefix() {
        assert_eq!(match_query("推送").as_deref(), Some("\"推送\""));
        assert_eq!(match_query("推送失败").as_deref(), Some("\"推送 送失 失败\""));
        assert_eq!(match_query("网").as_deref(), Some("\"网\"*"));
        assert_eq!(match_query("Nginx 502").as_deref(), Some("\"nginx\"* AND \"502\"*"));
        assert_eq!(match_query("a\"b").as_deref(), Some("\"a\"* AND \"b\"*"));
        assert_eq!(match_query(" ，。 "), None);
    }
}
