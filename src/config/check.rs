//! The checks every section shares: positions (byte spans turned into file:line:col), how a
//! place in the file is named in messages, types, ranges, choices, and the value kinds that
//! several sections use: durations (`90s`, `6h`, `1d`), sizes (`100MB`, `2GiB`), paths with `~`
//! and references to a `[[hosts]]` entry.
//!
//! The parsers of those value kinds ([`parse_duration`], [`parse_size`], [`parse_path`]) are
//! plain functions, so a section or a test can use them without a TOML document; the
//! [`Checker`] methods wrap them with the type check and the error's position.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use super::messages::CfgMsg;
use super::{ConfigError, ConfigErrors};
use crate::i18n::{both, Both, Localized};
use crate::text::nearest;

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;
pub(crate) type Key<'i> = Spanned<DeString<'i>>;

/// Size units as written: decimal ones are powers of 1000, binary ones (with an `i`) of 1024.
const SIZE_UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("kB", 1000),
    ("MB", 1000 * 1000),
    ("GB", 1000 * 1000 * 1000),
    ("TB", 1000 * 1000 * 1000 * 1000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// Parses a duration written as a number and a unit (`90s`, `15m`, `6h`, `1d`, `2w`, or several
/// parts such as `1h 30m`). The grammar is humantime's; the error says what was expected.
pub fn parse_duration(text: &str) -> Result<Duration, Both> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(both(&CfgMsg::DurationEmpty, &[]));
    }
    humantime::parse_duration(trimmed).map_err(|e| both(&CfgMsg::DurationBad, &[("why", &e.to_string())]))
}

/// Parses a size: a number (a fraction is allowed when the result is a whole number of bytes)
/// and one of the units `B`, `kB`, `MB`, `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`,
/// `TiB` (powers of 1024), taken as written: `KB` is refused as ambiguous.
pub fn parse_size(text: &str) -> Result<u64, Both> {
    let trimmed = text.trim();
    let split =
        trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(trimmed.len());
    let (number, unit) = (trimmed[..split].replace('_', ""), trimmed[split..].trim());
    let units = || SIZE_UNITS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ");
    if number.is_empty()
        || number.starts_with('.')
        || number.ends_with('.')
        || number.matches('.').count() > 1
    {
        return Err(both(&CfgMsg::SizeNoNumber, &[]));
    }
    let Some(&(_, multiplier)) = SIZE_UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(match unit {
            "" => both(&CfgMsg::SizeNoUnit, &[("units", &units())]),
            "K" | "KB" => both(&CfgMsg::SizeAmbiguous, &[("unit", &unit)]),
            _ => match nearest(unit, SIZE_UNITS.iter().map(|(name, _)| *name)) {
                Some(near) => both(
                    &CfgMsg::SizeUnknownUnitNear,
                    &[("unit", &unit), ("units", &units()), ("near", &near)],
                ),
                None => both(&CfgMsg::SizeUnknownUnit, &[("unit", &unit), ("units", &units())]),
            },
        });
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((&number, ""));
    let too_large = || both(&CfgMsg::SizeTooLarge, &[("value", &trimmed), ("max", &u64::MAX.to_string())]);
    let whole: u128 = whole.parse().map_err(|_| too_large())?;
    let mut bytes = whole.checked_mul(u128::from(multiplier)).ok_or_else(too_large)?;
    if !fraction.is_empty() {
        let digits = u32::try_from(fraction.len()).map_err(|_| too_large())?;
        let scale = 10u128.checked_pow(digits).ok_or_else(too_large)?;
        let part: u128 = fraction.parse().map_err(|_| too_large())?;
        let scaled = part.checked_mul(u128::from(multiplier)).ok_or_else(too_large)?;
        if scaled % scale != 0 {
            return Err(both(&CfgMsg::SizeNotWhole, &[("value", &trimmed)]));
        }
        bytes = bytes.checked_add(scaled / scale).ok_or_else(too_large)?;
    }
    u64::try_from(bytes).map_err(|_| too_large())
}

/// Checks a path and expands a leading `~` or `~/` with `home`. `~user` is refused: it is not
/// expanded anywhere else either, so it would name a folder called `~user`.
pub fn parse_path(text: &str, home: Option<&Path>) -> Result<PathBuf, Both> {
    if text.trim().is_empty() {
        return Err(both(&CfgMsg::PathEmpty, &[]));
    }
    if text.starts_with('~') && text != "~" && !text.starts_with("~/") {
        let user = text.split('/').next().unwrap_or(text);
        return Err(both(&CfgMsg::PathTildeUser, &[("user", &user)]));
    }
    Ok(crate::text::expand_tilde_with(text, home))
}

/// How a table is named in messages.
pub(crate) struct Place {
    /// `[general]`, `[[hosts]] #2 (app1)`.
    pub label: String,
    /// `general` for dotted key paths (`general.lang`); `None` for entries of an array.
    pub prefix: Option<String>,
}

impl Place {
    /// A table with a name: `[general]`, `[thresholds.cpu_pct]`.
    pub fn named(name: &str) -> Self {
        Place { label: format!("[{name}]"), prefix: Some(name.to_string()) }
    }

    /// Entry `number` (1-based) of an array of tables: `[[hosts]] #2 (app1)`.
    pub fn entry(array: &str, number: usize, name: Option<&str>) -> Self {
        let label = match name {
            Some(name) => format!("[[{array}]] #{number} ({name})"),
            None => format!("[[{array}]] #{number}"),
        };
        Place { label, prefix: None }
    }

    /// `general.lang`, or `` `port` in [[hosts]] #2 (app1) ``.
    pub fn path(&self, key: &str) -> Both {
        match &self.prefix {
            Some(prefix) => {
                let p = format!("{prefix}.{key}");
                Both { en: p.clone(), zh: p }
            }
            None => both(&CfgMsg::KeyIn, &[("key", &key), ("label", &self.label)]),
        }
    }
}

/// A name that must be one of the `[[hosts]]`, checked once every section is read (the hosts
/// may come later in the file).
struct HostRef {
    /// Who names the host, as the message starts: `[[logs]] #1`.
    who: String,
    name: String,
    span: Range<usize>,
}

/// Collects every problem of one file, each at a byte offset, and turns them into
/// file:line:col errors in file order.
pub(crate) struct Checker<'t> {
    text: &'t str,
    /// (byte offset, message)
    found: Vec<(usize, Both)>,
    host_refs: Vec<HostRef>,
    /// `[[log_alerts]]` sources, checked against the `[[logs]]` names once all are read.
    source_refs: Vec<HostRef>,
}

pub(crate) fn a_type(value: &DeValue<'_>) -> CfgMsg {
    match value {
        DeValue::String(_) => CfgMsg::TypeString,
        DeValue::Integer(_) => CfgMsg::TypeInteger,
        DeValue::Float(_) => CfgMsg::TypeFloat,
        DeValue::Boolean(_) => CfgMsg::TypeBoolean,
        DeValue::Datetime(_) => CfgMsg::TypeDatetime,
        DeValue::Array(_) => CfgMsg::TypeArray,
        DeValue::Table(_) => CfgMsg::TypeTable,
    }
}

pub(crate) fn key_str<'a>(key: &'a Key<'_>) -> &'a str {
    key.get_ref().as_ref()
}

pub(crate) fn find<'a, 'i>(table: &'a DeTable<'i>, name: &str) -> Option<&'a Value<'i>> {
    table.iter().find(|(k, _)| key_str(k) == name).map(|(_, v)| v)
}

/// The `name` of an entry, when it is a non-empty string, for labels such as `[[hosts]] #2 (app1)`.
pub(crate) fn entry_name<'a>(table: &'a DeTable<'_>) -> Option<&'a str> {
    // A name that is no plain text is an error of its own and no label for the others.
    find(table, "name")
        .and_then(|v| v.get_ref().as_str())
        .filter(|s| !s.trim().is_empty() && !s.chars().any(crate::text::is_unprintable))
}

impl<'t> Checker<'t> {
    pub fn new(text: &'t str) -> Self {
        Checker { text, found: Vec::new(), host_refs: Vec::new(), source_refs: Vec::new() }
    }

    pub fn is_clean(&self) -> bool {
        self.found.is_empty()
    }

    pub fn report(&mut self, span: Range<usize>, message: Both) {
        self.found.push((span.start, message));
    }

    /// 1-based line and character column of a byte offset; a byte order mark is no column.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let mut col = before[line_start..].chars().count() + 1;
        if line == 1 && before.starts_with('\u{feff}') {
            col -= 1;
        }
        (line, col)
    }

    pub fn into_errors(mut self, origin: &Path) -> ConfigErrors {
        self.found.sort_by_key(|(offset, _)| *offset);
        let errors = self
            .found
            .iter()
            .map(|(offset, message)| {
                let (line, col) = self.line_col(*offset);
                ConfigError { file: origin.to_path_buf(), line, col, message: message.clone() }
            })
            .collect();
        ConfigErrors(errors)
    }

    /// Reports what the TOML parser could not read, its words in both languages: a
    /// duplicate key by name, the parser's other messages through [`super::messages::toml_message`].
    /// The config, theme and keymap files all say it this way.
    pub fn syntax_error(&mut self, e: &toml::de::Error) {
        let span = e.span().unwrap_or(0..0);
        let raw = e.message().trim().to_string();
        let duplicate =
            self.text.get(span.clone()).filter(|k| !k.trim().is_empty() && raw == "duplicate key");
        let why = match duplicate {
            Some(key) => both(&CfgMsg::DuplicateKey, &[("key", &key.trim())]),
            None => {
                Both { en: raw.clone(), zh: super::messages::toml_message(&raw, crate::i18n::Lang::ZhCn) }
            }
        };
        self.report(span, both(&CfgMsg::TomlSyntax, &[("why", &why)]));
    }

    /// The text of a string value, or `None` with the type reported (`path` names the value).
    pub fn str_of<'a>(&mut self, value: &'a Value<'_>, path: &dyn Localized) -> Option<&'a str> {
        let text = value.get_ref().as_str();
        if text.is_none() {
            self.wrong_type(value, &CfgMsg::TypeString, path);
        }
        text
    }

    pub fn wrong_type(&mut self, value: &Value<'_>, expected: &dyn Localized, path: &dyn Localized) {
        let found = a_type(value.get_ref());
        let message = both(&CfgMsg::WrongType, &[("expected", expected), ("path", path), ("found", &found)]);
        self.report(value.span(), message);
    }

    /// Reports an unknown key and returns the valid key it was probably meant to be.
    /// An empty `label` means the top level.
    pub fn unknown_key(
        &mut self,
        key: &Key<'_>,
        label: &str,
        valid: &[&'static str],
    ) -> Option<&'static str> {
        let name = key_str(key);
        let what = if label.is_empty() {
            both(&CfgMsg::UnknownTopKey, &[("key", &name)])
        } else {
            both(&CfgMsg::UnknownKeyIn, &[("key", &name), ("label", &label)])
        };
        let near = nearest(name, valid.iter().copied());
        let message = match near {
            Some(near) => both(&CfgMsg::DidYouMeanKey, &[("what", &what), ("near", &near)]),
            None => both(&CfgMsg::ValidKeys, &[("what", &what), ("list", &valid.join(", "))]),
        };
        self.report(key.span(), message);
        near
    }

    pub fn table<'a, 'i>(&mut self, value: &'a Value<'i>, path: &dyn Localized) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                self.wrong_type(value, &CfgMsg::TypeTable, path);
                None
            }
        }
    }

    /// The entries of an array of tables such as `[[hosts]]`, numbered from 1; `expected`
    /// says what to write when the value is something else. Entries that are no table are
    /// reported and skipped.
    pub fn array_of_tables<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        array: &str,
        expected: &dyn Localized,
    ) -> Vec<(usize, &'a Value<'i>, &'a DeTable<'i>)> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, expected, &array.to_string());
            return Vec::new();
        };
        let mut entries = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let number = i + 1;
            if let Some(table) = self.table(item, &format!("[[{array}]] #{number}")) {
                entries.push((number, item, table));
            }
        }
        entries
    }

    pub fn string(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(value, &CfgMsg::TypeString, &place.path(key));
                None
            }
        }
    }

    pub fn nonempty_string(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<String> {
        let s = self.string(place, key, value)?;
        if s.trim().is_empty() {
            self.report(value.span(), both(&CfgMsg::MustNotBeEmpty, &[("path", &place.path(key))]));
            return None;
        }
        Some(s)
    }

    /// A name shown on screen (a host, a log source): not empty, and no control character or
    /// bidirectional override, which could move the cursor or reorder what the user reads.
    pub fn shown_name(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<String> {
        let s = self.nonempty_string(place, key, value)?;
        if let Some(c) = s.chars().find(|&c| crate::text::is_unprintable(c)) {
            let cp = format!("{:04X}", u32::from(c));
            self.report(
                value.span(),
                both(&CfgMsg::NameUnprintable, &[("path", &place.path(key)), ("cp", &cp)]),
            );
            return None;
        }
        Some(s)
    }

    pub fn boolean(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, &CfgMsg::TypeBooleanWords, &place.path(key));
                None
            }
        }
    }

    /// An integer within `lo..=hi`; `unit` follows the bounds in the message (`" seconds"`).
    pub fn ranged(
        &mut self,
        place: &Place,
        key: &str,
        value: &Value<'_>,
        lo: i128,
        hi: i128,
        unit: CfgMsg,
    ) -> Option<i128> {
        let DeValue::Integer(int) = value.get_ref() else {
            self.wrong_type(value, &CfgMsg::TypeInteger, &place.path(key));
            return None;
        };
        let parsed = i128::from_str_radix(int.as_str(), int.radix()).ok();
        match parsed {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                let shown = parsed.map_or_else(|| int.to_string(), |n| n.to_string());
                let (lo, hi) = (lo.to_string(), hi.to_string());
                let args: [(&str, &dyn Localized); 5] = [
                    ("path", &place.path(key)),
                    ("lo", &lo),
                    ("hi", &hi),
                    ("unit", &unit),
                    ("found", &shown),
                ];
                self.report(value.span(), both(&CfgMsg::OutOfRange, &args));
                None
            }
        }
    }

    /// One of an enum's names, as its strum derives spell them (`VariantArray` lists the
    /// values, `IntoStaticStr` names them).
    pub fn choice<T>(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<T>
    where
        T: Copy + strum::VariantArray + Into<&'static str>,
    {
        let names: Vec<&'static str> = T::VARIANTS.iter().map(|v| (*v).into()).collect();
        let allowed = names.iter().map(|name| format!("\"{name}\"")).collect::<Vec<_>>().join(", ");
        let DeValue::String(s) = value.get_ref() else {
            let path = both(&CfgMsg::OneOf, &[("path", &place.path(key)), ("allowed", &allowed)]);
            self.wrong_type(value, &CfgMsg::TypeString, &path);
            return None;
        };
        if let Some(i) = names.iter().position(|name| *name == s.as_ref()) {
            return T::VARIANTS.get(i).copied();
        }
        let s = s.to_string();
        let path = place.path(key);
        let message = match nearest(&s, names.iter().copied()) {
            Some(near) => both(
                &CfgMsg::BadChoiceNear,
                &[("value", &s), ("path", &path), ("allowed", &allowed), ("near", &near)],
            ),
            None => both(&CfgMsg::BadChoice, &[("value", &s), ("path", &path), ("allowed", &allowed)]),
        };
        self.report(value.span(), message);
        None
    }

    /// A duration string within `range` (see [`parse_duration`]).
    pub fn duration(
        &mut self,
        place: &Place,
        key: &str,
        value: &Value<'_>,
        range: std::ops::RangeInclusive<Duration>,
    ) -> Option<Duration> {
        let DeValue::String(s) = value.get_ref() else {
            self.wrong_type(value, &CfgMsg::TypeDuration, &place.path(key));
            return None;
        };
        match parse_duration(s) {
            Ok(d) if range.contains(&d) => Some(d),
            Ok(_) => {
                let (lo, hi) =
                    (humantime::format_duration(*range.start()), humantime::format_duration(*range.end()));
                let (lo, hi, s) = (lo.to_string(), hi.to_string(), s.to_string());
                let args: [(&str, &dyn Localized); 4] =
                    [("path", &place.path(key)), ("lo", &lo), ("hi", &hi), ("value", &s)];
                self.report(value.span(), both(&CfgMsg::DurationOutOfRange, &args));
                None
            }
            Err(e) => {
                let s = s.to_string();
                let args: [(&str, &dyn Localized); 3] =
                    [("value", &s), ("path", &place.path(key)), ("why", &e)];
                self.report(value.span(), both(&CfgMsg::DurationInvalid, &args));
                None
            }
        }
    }

    /// A size string (see [`parse_size`]), in bytes.
    pub fn size(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<u64> {
        let DeValue::String(s) = value.get_ref() else {
            self.wrong_type(value, &CfgMsg::TypeSize, &place.path(key));
            return None;
        };
        match parse_size(s) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                let s = s.to_string();
                let args: [(&str, &dyn Localized); 3] =
                    [("value", &s), ("path", &place.path(key)), ("why", &e)];
                self.report(value.span(), both(&CfgMsg::SizeInvalid, &args));
                None
            }
        }
    }

    /// A path, `~` expanded with `$HOME` (see [`parse_path`]).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "for the sections to come (jobs, checks, tickets); tested below")
    )]
    pub fn path(&mut self, place: &Place, key: &str, value: &Value<'_>) -> Option<PathBuf> {
        let s = self.string(place, key, value)?;
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        match parse_path(&s, home.as_deref()) {
            Ok(path) => Some(path),
            Err(e) => {
                self.report(
                    value.span(),
                    both(&CfgMsg::PathInvalid, &[("path", &place.path(key)), ("why", &e)]),
                );
                None
            }
        }
    }

    /// The name of a `[[hosts]]` entry; whether there is one is checked by
    /// [`Checker::resolve_host_refs`] once every section is read. `who` starts the message
    /// when it names no host (`[[logs]] #1`).
    pub fn host_ref(&mut self, place: &Place, key: &str, who: &str, value: &Value<'_>) -> Option<String> {
        let name = self.nonempty_string(place, key, value)?;
        self.host_refs.push(HostRef { who: who.to_string(), name: name.clone(), span: value.span() });
        Some(name)
    }

    /// Notes a log source named by `who`, to be checked against the `[[logs]]` entries.
    pub fn source_ref(&mut self, who: &str, name: &str, span: Range<usize>) {
        self.source_refs.push(HostRef { who: who.to_string(), name: name.to_string(), span });
    }

    /// Reports every log source reference that names none of `sources` (when there are any:
    /// with no `[[logs]]` the console reads the system logs that exist, known only at start).
    pub fn resolve_source_refs<'s>(&mut self, sources: impl Iterator<Item = &'s str> + Clone) {
        let refs = std::mem::take(&mut self.source_refs);
        if sources.clone().next().is_none() {
            return;
        }
        for HostRef { who, name, span } in refs {
            if sources.clone().any(|s| s == name) {
                continue;
            }
            let message = match nearest(&name, sources.clone()) {
                Some(near) => {
                    both(&CfgMsg::UnknownLogSourceNear, &[("who", &who), ("name", &name), ("near", &near)])
                }
                None => both(&CfgMsg::UnknownLogSource, &[("who", &who), ("name", &name)]),
            };
            self.report(span, message);
        }
    }

    /// Reports every host reference that names none of `hosts`, with the nearest name.
    pub fn resolve_host_refs<'h>(&mut self, hosts: impl Iterator<Item = &'h str> + Clone) {
        for HostRef { who, name, span } in std::mem::take(&mut self.host_refs) {
            if hosts.clone().any(|h| h == name) {
                continue;
            }
            let message = match nearest(&name, hosts.clone()) {
                Some(near) => {
                    both(&CfgMsg::UnknownHostRefNear, &[("who", &who), ("name", &name), ("near", &near)])
                }
                None => both(&CfgMsg::UnknownHostRef, &[("who", &who), ("name", &name)]),
            };
            self.report(span, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration(" 1h 30m "), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        for bad in ["", "90", "5x", "h", "-1s"] {
            let err = parse_duration(bad).unwrap_err().en;
            assert!(err.contains("\"90s\", \"6h\" or \"1d\""), "{bad:?}: {err}");
        }
    }

    #[test]
    fn sizes_as_written() {
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("2GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("512 KiB"), Ok(512 * 1024));
        assert_eq!(parse_size("1kB"), Ok(1000));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2.5MB"), Ok(2_500_000));
        assert_eq!(parse_size("1_000B"), Ok(1000));
        assert_eq!(parse_size("16TiB"), Ok(16 << 40));
        assert_eq!(parse_size("0B"), Ok(0));
    }

    #[test]
    fn size_errors_say_what_was_expected() {
        let err = |s: &str| parse_size(s).unwrap_err().en;
        assert!(err("100").contains("expected a unit"), "{}", err("100"));
        assert!(err("KB").contains("expected a number"), "{}", err("KB"));
        assert_eq!(err("1KB"), "`KB` is ambiguous: write kB (1000 bytes) or KiB (1024 bytes)");
        assert!(err("10mb").ends_with("(did you mean `MB`?)"), "{}", err("10mb"));
        assert!(err("10gib").ends_with("(did you mean `GiB`?)"), "{}", err("10gib"));
        assert!(err("10 parsecs").starts_with("unknown size unit `parsecs`; expected one of B, kB"));
        assert_eq!(err("1.5B"), "1.5B is not a whole number of bytes");
        assert!(err("20000000TiB").contains("too large"));
        assert!(err("1.2.3MB").contains("expected a number"));
    }

    #[test]
    fn paths_with_tilde() {
        let home = Some(Path::new("/home/ops"));
        assert_eq!(parse_path("~/backups", home), Ok(PathBuf::from("/home/ops/backups")));
        assert_eq!(parse_path("~", home), Ok(PathBuf::from("/home/ops")));
        assert_eq!(parse_path("/var/x", home), Ok(PathBuf::from("/var/x")));
        assert_eq!(parse_path("rel/x", None), Ok(PathBuf::from("rel/x")));
        assert!(parse_path(" ", home).unwrap_err().en.contains("empty"));
        let err = parse_path("~ops/x", home).unwrap_err().en;
        assert!(err.contains("`~ops` is not expanded"), "{err}");
    }

    /// The checker's methods for the shared kinds, on a real TOML document.
    fn check(text: &str, run: impl FnOnce(&mut Checker<'_>, &DeTable<'_>)) -> Vec<String> {
        let mut ck = Checker::new(text);
        let doc = DeTable::parse(text).unwrap();
        run(&mut ck, doc.get_ref());
        ck.into_errors(Path::new("c.toml")).0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn checker_reports_shared_kinds_at_their_place() {
        let text = "[jobs]\nevery = \"6h\"\nlate = \"2x\"\nsoon = 5\nkeep = \"10GB\"\nbig = \"1KB\"\n";
        let place = Place::named("jobs");
        let mut got = Vec::new();
        let errors = check(text, |ck, root| {
            let jobs = find(root, "jobs").and_then(|v| v.get_ref().as_table()).unwrap();
            let day = Duration::from_secs(1)..=Duration::from_secs(86_400);
            got.push(format!(
                "{:?}",
                ck.duration(&place, "every", find(jobs, "every").unwrap(), day.clone())
            ));
            ck.duration(&place, "late", find(jobs, "late").unwrap(), day.clone());
            ck.duration(&place, "soon", find(jobs, "soon").unwrap(), day);
            got.push(format!("{:?}", ck.size(&place, "keep", find(jobs, "keep").unwrap())));
            ck.size(&place, "big", find(jobs, "big").unwrap());
        });
        assert_eq!(got, vec!["Some(21600s)", "Some(10000000000)"]);
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].starts_with("c.toml:3:8: invalid duration \"2x\" for jobs.late: expected a number"));
        assert_eq!(
            errors[1],
            "c.toml:4:8: expected a duration such as \"90s\", \"6h\" or \"1d\" for jobs.soon, found an integer"
        );
        assert_eq!(
            errors[2],
            "c.toml:6:7: invalid size \"1KB\" for jobs.big: `KB` is ambiguous: write kB (1000 bytes) or KiB (1024 bytes)"
        );
        let errors = check("t = \"2d\"\n", |ck, root| {
            let hour = Duration::from_secs(1)..=Duration::from_secs(3600);
            ck.duration(&Place::named("x"), "t", find(root, "t").unwrap(), hour);
        });
        assert_eq!(errors, vec!["c.toml:1:5: x.t must be between 1s and 1h, found \"2d\""]);
    }

    #[test]
    fn host_references_are_checked_after_all_sections() {
        let text = "[[jobs]]\nhost = \"web1\"\n[[jobs]]\nhost = \"wbe2\"\n[[jobs]]\nhost = \"zzz\"\n";
        let errors = check(text, |ck, root| {
            for (number, _, table) in ck.array_of_tables(find(root, "jobs").unwrap(), "jobs", &"an array") {
                let place = Place::entry("jobs", number, None);
                ck.host_ref(&place, "host", &place.label, find(table, "host").unwrap());
            }
            ck.resolve_host_refs(["web1", "web2"].into_iter());
        });
        assert_eq!(
            errors,
            vec![
                "c.toml:4:8: [[jobs]] #2 names unknown host \"wbe2\"; did you mean \"web2\"?",
                "c.toml:6:8: [[jobs]] #3 names unknown host \"zzz\"",
            ]
        );
    }

    #[test]
    fn paths_in_a_document() {
        let errors = check("p = \"~root/x\"\nq = \"/srv\"\n", |ck, root| {
            let place = Place::named("s");
            assert_eq!(ck.path(&place, "p", find(root, "p").unwrap()), None);
            assert_eq!(ck.path(&place, "q", find(root, "q").unwrap()), Some(PathBuf::from("/srv")));
        });
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("c.toml:1:5: invalid path for s.p: expected a path"), "{}", errors[0]);
    }
}
