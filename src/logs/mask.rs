//! Masking personal data in decoded log text: resident ID numbers and mainland mobile numbers.
//!
//! - An 18-character resident ID number (GB 11643) is masked when its check digit is right
//!   (ISO 7064 MOD 11-2) and its digits 7–14 are a real calendar date from 1900-01-01 to today:
//!   `110105194912310021` becomes `110105********0021`. A wrong check digit or an impossible
//!   date leaves it alone.
//! - A mainland mobile number, `1[3-9]` and 9 more digits, optionally right after `+86` or
//!   `0086` (with or without a space or `-` between): `13812345678` becomes `138****5678`; the
//!   prefix is kept as it is.
//!
//! A number is only taken when it is not part of a longer run of digits: the characters on
//! either side must not be ASCII digits (letters, Chinese characters and punctuation are fine,
//! so `号13812345678` and `a13812345678b` are masked, `213812345678` is not). Only ASCII digits
//! count: full-width digits (`１３８…`) are neither matched nor treated as neighbouring digits.
//! A number after a decimal point is masked too (masking too much is the safe side).
//!
//! Every match contains a run of at least 11 ASCII digits, so text is scanned by looking at every
//! 11th byte only, until a digit turns up: lines without personal data are cheap, and [`mask`]
//! then borrows its input.

use std::borrow::Cow;
use std::ops::Range;

use chrono::{Datelike, NaiveDate};

/// What kind of personal data a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An 18-character resident ID number (GB 11643).
    ResidentId,
    /// A mainland mobile number (11 digits, without any `+86` / `0086` prefix).
    Mobile,
}

/// The shortest run of ASCII digits any match contains.
const MIN_RUN: usize = 11;

/// Byte ranges of the personal data in `text` (the number itself, without any country prefix).
pub fn find_personal(text: &str) -> Vec<(Range<usize>, Kind)> {
    find_personal_at(text, local_today)
}

/// Masks the personal data in `text`; borrows `text` when there is none.
pub fn mask(text: &str) -> Cow<'_, str> {
    mask_at(text, local_today)
}

/// Today's date, asked for only when a candidate ID number has a right check digit.
fn local_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn mask_at(text: &str, today: impl Fn() -> NaiveDate) -> Cow<'_, str> {
    // Today's date at most once per call, however many ID numbers there are.
    let once = std::cell::OnceCell::new();
    let found = find_personal_at(text, || *once.get_or_init(&today));
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, kind) in found {
        let (keep_head, stars) = match kind {
            Kind::ResidentId => (6, "********"),
            Kind::Mobile => (3, "****"),
        };
        // Matches are ASCII digits (and X), so these are character boundaries.
        out.push_str(&text[last..range.start + keep_head]);
        out.push_str(stars);
        last = range.start + keep_head + stars.len();
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

fn find_personal_at(text: &str, today: impl Fn() -> NaiveDate) -> Vec<(Range<usize>, Kind)> {
    let b = text.as_bytes();
    let mut found = Vec::new();
    // Invariant: no digit run of MIN_RUN or more starts before `from` without having been seen.
    let mut from = 0;
    while from + MIN_RUN <= b.len() {
        let probe = from + MIN_RUN - 1;
        if !b[probe].is_ascii_digit() {
            // No run of MIN_RUN digits can contain `probe`, so none starts at or before it.
            from = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > from && b[start - 1].is_ascii_digit() {
            start -= 1;
        }
        let mut end = probe + 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end - start >= MIN_RUN && (start == 0 || !b[start - 1].is_ascii_digit()) {
            if let Some(hit) = classify_run(b, start, end, &today) {
                found.push(hit);
            }
        }
        from = end + 1;
    }
    found
}

/// Decides what the maximal digit run `b[start..end]` is, if anything.
fn classify_run(
    b: &[u8],
    start: usize,
    end: usize,
    today: &dyn Fn() -> NaiveDate,
) -> Option<(Range<usize>, Kind)> {
    let run = &b[start..end];
    match run.len() {
        11 if is_mobile(run) => Some((start..end, Kind::Mobile)),
        // +8613812345678
        13 if start > 0 && b[start - 1] == b'+' && run.starts_with(b"86") && is_mobile(&run[2..]) => {
            Some((start + 2..end, Kind::Mobile))
        }
        // 008613812345678
        15 if run.starts_with(b"0086") && is_mobile(&run[4..]) => Some((start + 4..end, Kind::Mobile)),
        18 if is_resident_id(run, today) => Some((start..end, Kind::ResidentId)),
        17 if matches!(b.get(end), Some(b'X' | b'x'))
            && !b.get(end + 1).is_some_and(u8::is_ascii_digit)
            && is_resident_id(&b[start..end + 1], today) =>
        {
            Some((start..end + 1, Kind::ResidentId))
        }
        _ => None,
    }
}

fn is_mobile(digits: &[u8]) -> bool {
    digits.len() == 11 && digits[0] == b'1' && (b'3'..=b'9').contains(&digits[1])
}

/// Whether `id` (17 ASCII digits and a digit or X/x) is a valid resident ID number issued to
/// someone born between 1900-01-01 and `today()`.
fn is_resident_id(id: &[u8], today: &dyn Fn() -> NaiveDate) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = id[..17].iter().zip(WEIGHTS).map(|(&d, w)| u32::from(d - b'0') * w).sum();
    if id[17].to_ascii_uppercase() != CHECK[(sum % 11) as usize] {
        return false;
    }
    let num = |r: Range<usize>| id[r].iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    match NaiveDate::from_ymd_opt(year as i32, month, day) {
        Some(born) => born.year() >= 1900 && born <= today(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn masked(text: &str) -> String {
        mask_at(text, today).into_owned()
    }

    /// Completes 17 digits with their check character.
    fn with_check(first17: &str) -> String {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
        let check = b"10X98765432"[(sum % 11) as usize] as char;
        format!("{first17}{check}")
    }

    #[test]
    fn known_resident_ids() {
        // The standard's own example and a well-known X-check sample.
        assert!(is_resident_id(b"11010519491231002X", &today));
        assert!(is_resident_id(b"11010519491231002x", &today));
        // Born 1880: a valid check digit, but before 1900.
        let old = with_check("44052418800101001");
        assert!(!is_resident_id(old.as_bytes(), &today));
        assert!(is_resident_id(with_check("44052419800101001").as_bytes(), &today));
        assert_eq!(with_check("11010519491231002"), "11010519491231002X");
        assert_eq!(masked("身份证号：11010519491231002X，"), "身份证号：110105********002X，");
    }

    #[test]
    fn wrong_check_digit_is_left_alone() {
        assert_eq!(masked("id 110105194912310021 ok"), "id 110105194912310021 ok");
        assert_eq!(masked("id 110105194912310029"), "id 110105194912310029");
        let good = with_check("32010219900307123");
        assert_eq!(good, "320102199003071239");
        assert_eq!(masked(&format!("id {good}")), "id 320102********1239");
    }

    #[test]
    fn impossible_dates_are_left_alone() {
        for date in ["19990230", "19000229", "20261301", "20260431", "18991231", "20261128", "20270101"] {
            let id = with_check(&format!("110105{date}123"));
            assert_eq!(masked(&id), id, "{date}");
        }
        for date in ["20000229", "19000101", "20261127", "19840229"] {
            let id = with_check(&format!("110105{date}123"));
            assert_eq!(masked(&id), format!("110105********{}", &id[14..]), "{date}");
        }
    }

    #[test]
    fn longer_digit_runs_are_not_ids_or_mobiles() {
        let id = with_check("11010519491231002");
        assert_eq!(masked(&format!("9{id}")), format!("9{id}"));
        assert_eq!(masked(&format!("{id}5")), format!("{id}5"));
        assert_eq!(masked("11010519491231002X5"), "11010519491231002X5");
        assert_eq!(masked("213812345678"), "213812345678");
        assert_eq!(masked("138123456789"), "138123456789");
        assert_eq!(masked("ts=1732675445123 n=12812345678"), "ts=1732675445123 n=12812345678");
        assert_eq!(find_personal_at("8613812345678", today), vec![]);
    }

    #[test]
    fn mobiles() {
        assert_eq!(masked("13812345678"), "138****5678");
        assert_eq!(masked("a13812345678b"), "a138****5678b");
        assert_eq!(masked("电话13812345678，"), "电话138****5678，");
        assert_eq!(masked("号19912345678号"), "号199****5678号");
        assert_eq!(masked("tel:+8613812345678"), "tel:+86138****5678");
        assert_eq!(masked("+86 13812345678 / +86-15912345678"), "+86 138****5678 / +86-159****5678");
        assert_eq!(masked("008613812345678"), "0086138****5678");
        assert_eq!(masked("0086-13812345678"), "0086-138****5678");
        assert_eq!(find_personal_at("联系人张三13812345678", today), vec![(15..26, Kind::Mobile)]);
    }

    #[test]
    fn blocks_of_lines_mask_like_single_lines() {
        // A newline is not a digit, so a block masks exactly as its lines one by one do.
        let block = "13812345678\n+8613912345678\n11010519491231002X\n9\n13712345678\n";
        let by_line: Vec<String> = block.split('\n').map(masked).collect();
        assert_eq!(masked(block), by_line.join("\n"));
        assert_eq!(masked(block), "138****5678\n+86139****5678\n110105********002X\n9\n137****5678\n");
    }

    #[test]
    fn mixed_and_full_width() {
        let line = "user=张三 id=11010519491231002X tel=13912345678 ref=12345678901";
        assert_eq!(masked(line), "user=张三 id=110105********002X tel=139****5678 ref=12345678901");
        // Full-width digits are not matched.
        assert_eq!(masked("１３８１２３４５６７８"), "１３８１２３４５６７８");
        assert!(matches!(mask("nothing here 2026-11-27 03:04:05"), Cow::Borrowed(_)));
        assert!(matches!(mask(""), Cow::Borrowed(_)));
    }
}
