//! Include and exclude filters on records, and highlighting of search terms.
//!
//! A [`Filter`] holds several include and several exclude patterns (the `regex` crate's syntax,
//! close to `grep -E`), each of which can be switched off and on. A record is kept when at least
//! one enabled include pattern matches (or no include is enabled) and no enabled exclude pattern
//! matches. The enabled patterns of each side are compiled into one [`RegexSet`], so a record is
//! searched once per side however many patterns there are.

use std::ops::Range;

use regex::{Regex, RegexSet};

/// Include and exclude patterns, each toggleable.
#[derive(Debug, Clone)]
pub struct Filter {
    include: Vec<(Regex, bool)>,
    exclude: Vec<(Regex, bool)>,
    /// The enabled include patterns as one set; `None` when none is enabled.
    include_set: Option<RegexSet>,
    exclude_set: Option<RegexSet>,
    /// The enabled include patterns as one multi-line regex for searching blocks of lines,
    /// when that is equivalent to matching line by line (see [`Filter::for_each_matching_line`]).
    block_include: Option<Regex>,
}

/// Which side of a filter a pattern is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Include,
    Exclude,
}

impl Filter {
    /// Compiles the patterns, all enabled. The error names the pattern that does not compile.
    pub fn new(include: &[&str], exclude: &[&str]) -> Result<Filter, regex::Error> {
        let compile = |patterns: &[&str]| -> Result<Vec<(Regex, bool)>, regex::Error> {
            patterns.iter().map(|p| Regex::new(p).map(|re| (re, true)).map_err(|e| named(p, e))).collect()
        };
        let mut filter = Filter {
            include: compile(include)?,
            exclude: compile(exclude)?,
            include_set: None,
            exclude_set: None,
            block_include: None,
        };
        filter.rebuild()?;
        Ok(filter)
    }

    /// A filter that keeps everything.
    pub fn none() -> Filter {
        Filter {
            include: Vec::new(),
            exclude: Vec::new(),
            include_set: None,
            exclude_set: None,
            block_include: None,
        }
    }

    /// Whether a record (its lines joined with `\n`) is kept.
    pub fn matches(&self, record_text: &str) -> bool {
        if let Some(set) = &self.include_set {
            if !set.is_match(record_text) {
                return false;
            }
        }
        match &self.exclude_set {
            Some(set) => !set.is_match(record_text),
            None => true,
        }
    }

    /// Whether any pattern is enabled (when not, every record is kept).
    pub fn is_active(&self) -> bool {
        self.include_set.is_some() || self.exclude_set.is_some()
    }

    /// The patterns of one side with their enabled flags, in the order given.
    pub fn patterns(&self, side: Side) -> impl Iterator<Item = (&str, bool)> {
        self.side(side).iter().map(|(re, on)| (re.as_str(), *on))
    }

    /// Switches pattern `index` of `side` on or off; returns whether it is on now, or `None`
    /// when there is no such pattern.
    pub fn toggle(&mut self, side: Side, index: usize) -> Option<bool> {
        let on = {
            let entry = self.side_mut(side).get_mut(index)?;
            entry.1 = !entry.1;
            entry.1
        };
        self.rebuild_quietly();
        Some(on)
    }

    /// Sets pattern `index` of `side` on or off; returns `false` when there is no such pattern.
    pub fn set_enabled(&mut self, side: Side, index: usize, on: bool) -> bool {
        let Some(entry) = self.side_mut(side).get_mut(index) else {
            return false;
        };
        entry.1 = on;
        self.rebuild_quietly();
        true
    }

    /// Switches include pattern `index` on or off (see [`toggle`](Self::toggle)).
    pub fn toggle_include(&mut self, index: usize) -> Option<bool> {
        self.toggle(Side::Include, index)
    }

    /// Switches exclude pattern `index` on or off (see [`toggle`](Self::toggle)).
    pub fn toggle_exclude(&mut self, index: usize) -> Option<bool> {
        self.toggle(Side::Exclude, index)
    }

    /// Adds an enabled pattern to `side`. The error names the pattern.
    pub fn add(&mut self, side: Side, pattern: &str) -> Result<(), regex::Error> {
        let re = Regex::new(pattern).map_err(|e| named(pattern, e))?;
        self.side_mut(side).push((re, true));
        self.rebuild()
    }

    /// Removes pattern `index` of `side`; returns its text.
    pub fn remove(&mut self, side: Side, index: usize) -> Option<String> {
        let list = self.side_mut(side);
        if index >= list.len() {
            return None;
        }
        let (re, _) = list.remove(index);
        self.rebuild_quietly();
        Some(re.as_str().to_string())
    }

    fn side(&self, side: Side) -> &Vec<(Regex, bool)> {
        match side {
            Side::Include => &self.include,
            Side::Exclude => &self.exclude,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut Vec<(Regex, bool)> {
        match side {
            Side::Include => &mut self.include,
            Side::Exclude => &mut self.exclude,
        }
    }

    fn rebuild(&mut self) -> Result<(), regex::Error> {
        self.include_set = set_of(&self.include)?;
        self.exclude_set = set_of(&self.exclude)?;
        self.block_include = block_regex(&self.include);
        Ok(())
    }

    /// Rebuilds after a toggle or removal: every pattern compiled alone before, so a set of some
    /// of them only fails on the size limit; then the filter falls back to keeping everything on
    /// that side rather than to a stale set.
    fn rebuild_quietly(&mut self) {
        self.include_set = set_of(&self.include).unwrap_or(None);
        self.exclude_set = set_of(&self.exclude).unwrap_or(None);
        self.block_include = block_regex(&self.include);
    }

    /// Calls `f` with each line of `block` (lines separated by `\n`; a final `\n` does not start
    /// another line) that [`matches`](Self::matches), in order: what `grep -E` does with a file.
    ///
    /// The same as testing each line, but faster: like grep, the enabled include patterns are
    /// searched for in the whole block at once (as one multi-line regex), and only the lines they
    /// match are looked at further. A match that runs over a newline (`\s`, `[^x]` can match one)
    /// is checked again on its first line alone. Patterns using `\A`, `\z` or `#` (an `(?x)`
    /// comment could swallow the grouping) are tested line by line instead.
    pub fn for_each_matching_line<'a>(&self, block: &'a str, mut f: impl FnMut(&'a str)) {
        if block.is_empty() {
            return; // no lines at all (whereas "\n" is one empty line)
        }
        let block = block.strip_suffix('\n').unwrap_or(block);
        let Some(re) = &self.block_include else {
            for line in block.split('\n') {
                if self.matches(line) {
                    f(line);
                }
            }
            return;
        };
        let b = block.as_bytes();
        let mut pos = 0;
        while pos <= block.len() {
            let Some(m) = re.find_at(block, pos) else { break };
            let start = b[..m.start()].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
            let end = b[m.start()..].iter().position(|&c| c == b'\n').map_or(block.len(), |p| m.start() + p);
            let line = block.get(start..end).unwrap_or_default();
            let keep = if m.end() <= end {
                self.exclude_set.as_ref().is_none_or(|set| !set.is_match(line))
            } else {
                self.matches(line)
            };
            if keep {
                f(line);
            }
            pos = end + 1;
        }
    }
}

/// The enabled patterns as one multi-line alternation, or `None` when there are none or one of
/// them could mean something else inside a block (see [`Filter::for_each_matching_line`]).
fn block_regex(patterns: &[(Regex, bool)]) -> Option<Regex> {
    let enabled: Vec<&str> = patterns.iter().filter(|(_, on)| *on).map(|(re, _)| re.as_str()).collect();
    if enabled.is_empty() || enabled.iter().any(|p| p.contains("\\A") || p.contains("\\z") || p.contains('#'))
    {
        return None;
    }
    let alternation = enabled.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
    regex::RegexBuilder::new(&alternation).multi_line(true).build().ok()
}

fn set_of(patterns: &[(Regex, bool)]) -> Result<Option<RegexSet>, regex::Error> {
    let enabled: Vec<&str> = patterns.iter().filter(|(_, on)| *on).map(|(re, _)| re.as_str()).collect();
    if enabled.is_empty() {
        return Ok(None);
    }
    RegexSet::new(&enabled).map(Some)
}

/// A `regex::Error` whose message names the pattern.
fn named(pattern: &str, e: regex::Error) -> regex::Error {
    regex::Error::Syntax(format!("pattern {pattern:?}: {e}"))
}

/// The byte ranges of `text` matched by any of `terms`, sorted, with overlapping and touching
/// ranges merged; empty matches are left out.
pub fn highlight(text: &str, terms: &[Regex]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> =
        terms.iter().flat_map(|re| re.find_iter(text)).filter(|m| !m.is_empty()).map(|m| m.range()).collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_and_exclude() {
        let f = Filter::new(&["ERROR", "(?i)timeout"], &["healthcheck"]).unwrap();
        assert!(f.matches("2026-11-27 ERROR db down"));
        assert!(f.matches("connect TIMEOUT"));
        assert!(!f.matches("INFO all good"));
        assert!(!f.matches("ERROR healthcheck failed"));
        // Multi-line records match as a whole.
        assert!(f.matches("WARN retry\n\tat x.Y(Timeout.java:3)"));
    }

    #[test]
    fn no_patterns_keeps_everything() {
        let f = Filter::new(&[], &[]).unwrap();
        assert!(f.matches("anything"));
        assert!(!f.is_active());
        let f = Filter::new(&[], &["DEBUG"]).unwrap();
        assert!(f.matches("INFO x"));
        assert!(!f.matches("DEBUG x"));
        assert!(Filter::none().matches(""));
    }

    #[test]
    fn toggles() {
        let mut f = Filter::new(&["ERROR", "WARN"], &["noise"]).unwrap();
        assert_eq!(f.toggle_include(0), Some(false));
        assert!(!f.matches("ERROR x"));
        assert!(f.matches("WARN x"));
        assert_eq!(f.toggle_include(1), Some(false));
        // No include enabled: everything not excluded is kept.
        assert!(f.matches("INFO x"));
        assert_eq!(f.toggle_exclude(0), Some(false));
        assert!(f.matches("noise"));
        assert!(!f.is_active());
        assert_eq!(f.toggle_exclude(0), Some(true));
        assert!(!f.matches("noise"));
        assert_eq!(f.toggle_include(5), None);
        assert!(f.set_enabled(Side::Include, 0, true));
        assert!(!f.matches("INFO x"));
        assert_eq!(f.patterns(Side::Include).collect::<Vec<_>>(), vec![("ERROR", true), ("WARN", false)]);
        f.add(Side::Exclude, "x$").unwrap();
        assert!(!f.matches("ERROR x"));
        assert_eq!(f.remove(Side::Exclude, 1), Some("x$".to_string()));
        assert!(f.matches("ERROR x"));
    }

    #[test]
    fn errors_name_the_pattern() {
        let err = Filter::new(&["ok", "(unclosed"], &[]).unwrap_err();
        assert!(err.to_string().contains("\"(unclosed\""), "{err}");
        let err = Filter::new(&[], &["a{2,1}"]).unwrap_err();
        assert!(err.to_string().contains("\"a{2,1}\""), "{err}");
    }

    /// The lines `for_each_matching_line` keeps, and a check that they are the lines that
    /// `matches` keeps.
    fn kept<'a>(f: &Filter, block: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        f.for_each_matching_line(block, |l| out.push(l));
        let lines = if block.is_empty() {
            vec![]
        } else {
            block.strip_suffix('\n').unwrap_or(block).split('\n').collect()
        };
        let by_line: Vec<&str> = lines.into_iter().filter(|l| f.matches(l)).collect();
        assert_eq!(out, by_line, "block and line matching differ");
        out
    }

    #[test]
    fn blocks_like_grep() {
        let block = "INFO a\nERROR b\nWARN timeout\nERROR healthcheck\n\nERROR\nend ERROR\n";
        let f = Filter::new(&["ERROR", "(?i)TIMEOUT"], &["health"]).unwrap();
        assert_eq!(kept(&f, block), vec!["ERROR b", "WARN timeout", "ERROR", "end ERROR"]);
        // Anchors mean line starts and ends, as in grep.
        let f = Filter::new(&["^ERROR$", "^end"], &[]).unwrap();
        assert_eq!(kept(&f, block), vec!["ERROR", "end ERROR"]);
        // Matches that could run over a newline.
        let f = Filter::new(&[r"b\s+WARN", r"a[^x]+ERROR", r"timeout\s*$"], &[]).unwrap();
        assert_eq!(kept(&f, block), vec!["WARN timeout"]);
        // \A and (?x) comments fall back to line by line.
        let f = Filter::new(&[r"\AERROR", "(?x) end # a comment"], &[]).unwrap();
        assert_eq!(kept(&f, block), vec!["ERROR b", "ERROR healthcheck", "ERROR", "end ERROR"]);
        // Empty lines and empty matches.
        let f = Filter::new(&["^$"], &[]).unwrap();
        assert_eq!(kept(&f, block), vec![""]);
        let f = Filter::new(&["x*"], &["ERROR"]).unwrap();
        assert_eq!(kept(&f, block), vec!["INFO a", "WARN timeout", ""]);
        // No include: excludes only; no pattern at all: every line.
        let f = Filter::new(&[], &["ERROR|WARN"]).unwrap();
        assert_eq!(kept(&f, block), vec!["INFO a", ""]);
        assert_eq!(kept(&Filter::none(), "a\nb"), vec!["a", "b"]);
        assert_eq!(kept(&Filter::none(), ""), Vec::<&str>::new());
        assert_eq!(kept(&Filter::new(&["^$"], &[]).unwrap(), "\n"), vec![""]);
        // Multi-byte text and word boundaries at line starts.
        let f = Filter::new(&[r"\b错误", r"失败\b"], &[]).unwrap();
        assert_eq!(kept(&f, "错误 x\n数据库连接失败\n无错误"), vec!["错误 x", "数据库连接失败"]);
    }

    #[test]
    fn highlights_merge() {
        let terms = [Regex::new("数据库").unwrap(), Regex::new("库连").unwrap(), Regex::new("x*").unwrap()];
        let text = "错误 数据库连接失败 数据库";
        assert_eq!(highlight(text, &terms), vec![7..19, 29..38]);
        assert!(highlight("abc", &[]).is_empty());
        let terms = [Regex::new("ab").unwrap(), Regex::new("bc").unwrap(), Regex::new("e").unwrap()];
        assert_eq!(highlight("abcde", &terms), vec![0..3, 4..5]);
    }
}
