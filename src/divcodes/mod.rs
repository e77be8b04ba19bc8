//! Administrative division codes (GB/T 2260, six digits; the statistical twelve-digit codes):
//! what a code says of itself (its level, its prefixes), a table of one edition with every
//! row's parent, and the words of names (their stems and forms). Pure code: the store keeps the
//! editions, the pane and the command line review their changes.

pub mod diff;
pub mod export;
pub mod impact;
pub mod import;
pub mod names;
pub mod review;

use std::collections::HashMap;

/// A division code: six or twelve ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

/// Why a text is not a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    NotDigits,
    Length(usize),
}

impl Code {
    pub fn parse(text: &str) -> Result<Code, CodeError> {
        let t = text.trim();
        if !t.bytes().all(|b| b.is_ascii_digit()) || t.is_empty() {
            return Err(CodeError::NotDigits);
        }
        match t.len() {
            6 | 12 => Ok(Code(t.to_string())),
            n => Err(CodeError::Length(n)),
        }
    }

    /// A string of digits already checked (the text form of a code taken apart).
    fn from_digits(text: String) -> Code {
        Code(text)
    }

    /// A text that is a code, moved in without a copy; the text back when it is not one.
    pub fn from_string(text: String) -> Result<Code, (String, CodeError)> {
        match Code::parse(&text) {
            Ok(_) if text.trim().len() == text.len() => Ok(Code::from_digits(text)),
            Ok(c) => Ok(c),
            Err(e) => Err((text, e)),
        }
    }

    /// The code as a number (as the store keeps it; the length is the edition's).
    pub fn number(&self) -> i64 {
        self.0.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'))
    }

    /// The code of `digits` digits (6 or 12) that `n` is, zeros in front where needed.
    pub fn from_number(n: i64, digits: usize) -> Option<Code> {
        let text = format!("{n:0digits$}");
        (n >= 0 && text.len() == digits && matches!(digits, 6 | 12)).then_some(Code(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Where each level's part ends: 2+2+2 for six digits, 2+2+2+3+3 for twelve.
    fn bounds(&self) -> &'static [usize] {
        if self.0.len() == 6 {
            &[2, 4, 6]
        } else {
            &[2, 4, 6, 9, 12]
        }
    }

    /// The level the code says: 1 province, 2 prefecture, 3 county, 4 township, 5 village
    /// (the last parts that are all zeros are not there).
    pub fn level(&self) -> u8 {
        let b = self.0.as_bytes();
        let bounds = self.bounds();
        let mut level = bounds.len();
        while level > 1 && b[bounds[level - 2]..bounds[level - 1]].iter().all(|c| *c == b'0') {
            level -= 1;
        }
        level as u8
    }

    /// The code of the same length that keeps the first `level` parts and zeros the rest:
    /// `prefix(1)` of 469001 is 460000.
    pub fn prefix(&self, level: u8) -> Code {
        let bounds = self.bounds();
        let keep = bounds[usize::from(level.clamp(1, bounds.len() as u8)) - 1];
        let mut s = self.0[..keep].to_string();
        s.push_str(&"0".repeat(self.0.len() - keep));
        Code(s)
    }

    /// Its nearest ancestor for which `present` says yes (each tried without allocating).
    pub fn nearest_ancestor(&self, present: impl Fn(&str) -> bool) -> Option<Code> {
        let bounds = self.bounds();
        let mut buf = [b'0'; 12];
        let n = self.0.len();
        for level in (1..self.level()).rev() {
            let keep = bounds[usize::from(level) - 1];
            buf[..keep].copy_from_slice(&self.0.as_bytes()[..keep]);
            buf[keep..n].fill(b'0');
            let text = std::str::from_utf8(&buf[..n]).unwrap_or("");
            if present(text) {
                return Some(Code(text.to_string()));
            }
        }
        None
    }

    /// The codes that could be its parent, nearest first: for a county 469001, the prefecture
    /// 469000 and then the province 460000.
    pub fn ancestors(&self) -> Vec<Code> {
        (1..self.level()).rev().map(|l| self.prefix(l)).collect()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One row of an edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: Code,
    pub name: String,
    pub level: u8,
    /// The nearest ancestor in the same table (None for a province).
    pub parent: Option<Code>,
}

/// The parent of each code of `codes`: its nearest ancestor that is in the table. A missing
/// `xxxx00` prefecture row makes the province the parent (the districts of a municipality, a
/// province-governed county such as 469001). None where no ancestor is there.
pub fn parents(codes: &[Code]) -> HashMap<Code, Option<Code>> {
    let present: std::collections::HashSet<&str> = codes.iter().map(Code::as_str).collect();
    codes.iter().map(|c| (c.clone(), c.nearest_ancestor(|a| present.contains(a)))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn a_code_says_its_level_and_its_ancestors() {
        assert_eq!((c("460000").level(), c("460100").level(), c("460105").level()), (1, 2, 3));
        assert_eq!(c("469001").ancestors(), [c("469000"), c("460000")]);
        assert_eq!(c("460105001000").level(), 4);
        assert_eq!(c("460105001001").level(), 5);
        assert_eq!(c("460105000000").level(), 3);
        assert_eq!(c("460105001000").ancestors(), [c("460105000000"), c("460100000000"), c("460000000000")]);
        assert_eq!(Code::parse("32060X"), Err(CodeError::NotDigits));
        assert_eq!(Code::parse("3206001"), Err(CodeError::Length(7)));
        assert_eq!(Code::parse(""), Err(CodeError::NotDigits));
        assert_eq!(c("460105001000").number(), 460_105_001_000);
        assert_eq!(Code::from_number(460_105, 6), Some(c("460105")));
        assert_eq!(Code::from_number(1, 6), Some(c("000001")));
        assert_eq!(Code::from_number(4_601_050, 6), None);
    }

    #[test]
    fn a_missing_prefecture_makes_the_province_the_parent() {
        let codes = [c("460000"), c("460100"), c("460105"), c("469001"), c("110101")];
        let p = parents(&codes);
        assert_eq!(p[&c("460105")], Some(c("460100")));
        assert_eq!(p[&c("469001")], Some(c("460000")), "469000 is not in the table");
        assert_eq!(p[&c("460000")], None);
        assert_eq!(p[&c("110101")], None, "no ancestor at all");
    }
}
