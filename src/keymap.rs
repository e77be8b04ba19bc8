//! Keymaps: built-in `default` and `vim` (embedded), a user file laid on top, and the lookup from
//! a terminal key event to an [`Action`] in the focused scope.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use toml::Spanned;

use crate::action::Action;
use crate::text::{line_col, nearest, FileError};

const DEFAULT_TOML: &str = include_str!("../keymaps/default.toml");
const VIM_TOML: &str = include_str!("../keymaps/vim.toml");

/// Built-in keymap names, for `--keymap` and error messages.
pub const BUILTIN: [&str; 2] = ["default", "vim"];

/// Where a binding applies. Lookups try the focused scope, then `global`. Its name (the table
/// of the keymap file) is the variant in lower case.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray,
)]
#[strum(serialize_all = "lowercase")]
pub enum Scope {
    Global,
    Fleet,
    Detail,
    Logs,
    Help,
}

impl Scope {
    pub const ALL: [Scope; <Scope as strum::VariantArray>::VARIANTS.len()] =
        crate::text::variants(<Scope as strum::VariantArray>::VARIANTS);

    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// A key with its modifiers, normalised so that `G` and `shift-g` are the same chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyChord {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

/// The subset of key codes a keymap can name, ordered so chords can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

impl KeyChord {
    pub fn from_event(ev: &KeyEvent) -> Option<KeyChord> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Insert => KeyCodeOrd::Insert,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            _ => return None,
        };
        Some(KeyChord::new(
            code,
            ev.modifiers.contains(KeyModifiers::CONTROL),
            ev.modifiers.contains(KeyModifiers::ALT),
            ev.modifiers.contains(KeyModifiers::SHIFT),
        ))
    }

    fn new(code: KeyCodeOrd, ctrl: bool, alt: bool, shift: bool) -> KeyChord {
        // Shift is already in the character (`G`) or in the key (BackTab); ctrl-letters are
        // case-insensitive in terminals.
        let (code, shift) = match code {
            KeyCodeOrd::Char(c) if ctrl && c.is_ascii_alphabetic() => {
                (KeyCodeOrd::Char(c.to_ascii_lowercase()), false)
            }
            KeyCodeOrd::Char(_) | KeyCodeOrd::BackTab => (code, false),
            KeyCodeOrd::Tab if shift => (KeyCodeOrd::BackTab, false),
            _ => (code, shift),
        };
        KeyChord { code, ctrl, alt, shift }
    }

    /// Parses `q`, `?`, `G`, `ctrl-r`, `alt-x`, `shift-up`, `pgdn`, `f5`, `space`.
    pub fn parse(spec: &str) -> Result<KeyChord, String> {
        if spec.is_empty() {
            return Err("an empty key".into());
        }
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        let mut rest = spec;
        loop {
            let lower = rest.to_ascii_lowercase();
            let stripped = ["ctrl-", "c-", "alt-", "a-", "m-", "shift-", "s-"]
                .iter()
                .find(|p| lower.starts_with(**p) && rest.len() > p.len());
            match stripped {
                Some(p) => {
                    match *p {
                        "ctrl-" | "c-" => ctrl = true,
                        "alt-" | "a-" | "m-" => alt = true,
                        _ => shift = true,
                    }
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyCodeOrd::Enter,
                "esc" | "escape" => KeyCodeOrd::Esc,
                "tab" => KeyCodeOrd::Tab,
                "backtab" => KeyCodeOrd::BackTab,
                "space" | "spc" => KeyCodeOrd::Char(' '),
                "backspace" | "bs" => KeyCodeOrd::Backspace,
                "delete" | "del" => KeyCodeOrd::Delete,
                "insert" | "ins" => KeyCodeOrd::Insert,
                "up" => KeyCodeOrd::Up,
                "down" => KeyCodeOrd::Down,
                "left" => KeyCodeOrd::Left,
                "right" => KeyCodeOrd::Right,
                "home" => KeyCodeOrd::Home,
                "end" => KeyCodeOrd::End,
                "pgup" | "pageup" => KeyCodeOrd::PageUp,
                "pgdn" | "pagedown" | "pgdown" => KeyCodeOrd::PageDown,
                other => match other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n) if (1..=12).contains(&n) => KeyCodeOrd::F(n),
                    _ => {
                        return Err(format!(
                            "`{spec}` is not a key (use a character, or enter, esc, tab, backtab, space, \
                             backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, f1..f12, \
                             with ctrl-/alt-/shift- prefixes)"
                        ))
                    }
                },
            },
        };
        Ok(KeyChord::new(code, ctrl, alt, shift))
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("C-")?;
        }
        if self.alt {
            f.write_str("M-")?;
        }
        if self.shift {
            f.write_str("S-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Enter => f.write_str("Enter"),
            KeyCodeOrd::Esc => f.write_str("Esc"),
            KeyCodeOrd::Tab => f.write_str("Tab"),
            KeyCodeOrd::BackTab => f.write_str("S-Tab"),
            KeyCodeOrd::Backspace => f.write_str("Bksp"),
            KeyCodeOrd::Delete => f.write_str("Del"),
            KeyCodeOrd::Insert => f.write_str("Ins"),
            KeyCodeOrd::Up => f.write_str("↑"),
            KeyCodeOrd::Down => f.write_str("↓"),
            KeyCodeOrd::Left => f.write_str("←"),
            KeyCodeOrd::Right => f.write_str("→"),
            KeyCodeOrd::Home => f.write_str("Home"),
            KeyCodeOrd::End => f.write_str("End"),
            KeyCodeOrd::PageUp => f.write_str("PgUp"),
            KeyCodeOrd::PageDown => f.write_str("PgDn"),
        }
    }
}

/// A keymap error with its position: `file:line:col: message`.
pub type KeymapError = FileError;

/// The live keymap: bindings per scope, in file order (the help overlay lists them that way).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub name: String,
    scopes: BTreeMap<Scope, Vec<(KeyChord, Action)>>,
}

type RawTable = BTreeMap<Spanned<String>, Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeymap {
    base: Option<Spanned<String>>,
    global: Option<RawTable>,
    fleet: Option<RawTable>,
    detail: Option<RawTable>,
    logs: Option<RawTable>,
    help: Option<RawTable>,
}

impl Keymap {
    /// `default`, `vim`, or a path to a user keymap file.
    pub fn load(name_or_path: &str) -> Result<Keymap, Vec<KeymapError>> {
        if let Some(km) = Keymap::builtin(name_or_path) {
            return km;
        }
        let path = crate::config::expand_tilde(name_or_path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            vec![FileError::whole(
                &path.display().to_string(),
                format!(
                    "keymap `{name_or_path}` is neither a built-in ({}) nor a readable file: {e}",
                    BUILTIN.join(", ")
                ),
            )]
        })?;
        Keymap::from_str_with_base(&text, &path)
    }

    pub fn builtin(name: &str) -> Option<Result<Keymap, Vec<KeymapError>>> {
        match name {
            "default" => Some(Keymap::from_str_with_base(DEFAULT_TOML, Path::new("keymaps/default.toml"))),
            "vim" => Some(Keymap::from_str_with_base(VIM_TOML, Path::new("keymaps/vim.toml"))),
            _ => None,
        }
    }

    /// Parses a keymap file and lays it on top of its `base` (the built-in `default` unless the
    /// file says otherwise; the default file itself has no base).
    pub fn from_str_with_base(text: &str, path: &Path) -> Result<Keymap, Vec<KeymapError>> {
        let file = path.display().to_string();
        let err_at = |offset: usize, message: String| FileError::at(&file, text, offset, message);
        let raw: RawKeymap = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            vec![err_at(offset, e.message().trim().to_string())]
        })?;
        let is_default_file = text == DEFAULT_TOML;
        let mut keymap = match &raw.base {
            Some(base) => match Keymap::builtin(base.get_ref()) {
                Some(km) => km?,
                None => {
                    return Err(vec![err_at(
                        base.span().start,
                        format!(
                            "unknown base keymap `{}` (built-in: {})",
                            base.get_ref(),
                            BUILTIN.join(", ")
                        ),
                    )])
                }
            },
            None if is_default_file => Keymap::default(),
            None => Keymap::builtin("default").unwrap_or_else(|| Ok(Keymap::default()))?,
        };
        keymap.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();

        let mut errors = Vec::new();
        let tables = [
            (Scope::Global, &raw.global),
            (Scope::Fleet, &raw.fleet),
            (Scope::Detail, &raw.detail),
            (Scope::Logs, &raw.logs),
            (Scope::Help, &raw.help),
        ];
        for (scope, table) in tables {
            let Some(table) = table else { continue };
            // Entries in file order, so duplicates are reported at the later line.
            let mut entries: Vec<_> = table.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            let mut seen: BTreeMap<KeyChord, usize> = BTreeMap::new();
            for (key, value) in entries {
                let chord = match KeyChord::parse(key.get_ref()) {
                    Ok(c) => c,
                    Err(msg) => {
                        errors.push(err_at(key.span().start, msg));
                        continue;
                    }
                };
                if let Some(first) = seen.get(&chord) {
                    let (first_line, _) = line_col(text, *first);
                    errors.push(err_at(
                        key.span().start,
                        format!(
                            "key `{}` is bound twice in [{}] (first at line {first_line})",
                            key.get_ref(),
                            scope.name()
                        ),
                    ));
                    continue;
                }
                seen.insert(chord, key.span().start);
                let action_name = value.get_ref().as_str();
                if action_name == "none" {
                    keymap.unbind(scope, chord);
                    continue;
                }
                match Action::from_name(action_name) {
                    Some(action) => keymap.bind(scope, chord, action),
                    None => {
                        let hint = match nearest(action_name, Action::ALL.iter().map(|a| a.name())) {
                            Some(s) => format!("; did you mean `{s}`?"),
                            None => format!(
                                "; actions are: {}",
                                Action::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
                            ),
                        };
                        errors.push(err_at(
                            value.span().start,
                            format!("unknown action `{action_name}`{hint}"),
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(keymap)
        } else {
            Err(errors)
        }
    }

    fn bind(&mut self, scope: Scope, chord: KeyChord, action: Action) {
        let list = self.scopes.entry(scope).or_default();
        match list.iter_mut().find(|(c, _)| *c == chord) {
            Some(slot) => slot.1 = action,
            None => list.push((chord, action)),
        }
    }

    fn unbind(&mut self, scope: Scope, chord: KeyChord) {
        if let Some(list) = self.scopes.get_mut(&scope) {
            list.retain(|(c, _)| *c != chord);
        }
    }

    /// The action for a key in `scope`, falling back to the global bindings.
    pub fn lookup(&self, scope: Scope, chord: &KeyChord) -> Option<Action> {
        let find =
            |s: Scope| self.scopes.get(&s).and_then(|l| l.iter().find(|(c, _)| c == chord)).map(|(_, a)| *a);
        find(scope).or_else(|| if scope == Scope::Global { None } else { find(Scope::Global) })
    }

    /// Bindings of one scope in file order.
    pub fn bindings(&self, scope: Scope) -> &[(KeyChord, Action)] {
        self.scopes.get(&scope).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The keys bound to `action` in `scope` (or globally), for hints: "? help".
    pub fn keys_for(&self, scope: Scope, action: Action) -> Vec<KeyChord> {
        let mut keys: Vec<KeyChord> =
            self.bindings(scope).iter().filter(|(_, a)| *a == action).map(|(c, _)| *c).collect();
        if keys.is_empty() && scope != Scope::Global {
            keys =
                self.bindings(Scope::Global).iter().filter(|(_, a)| *a == action).map(|(c, _)| *c).collect();
        }
        keys
    }

    /// The first key for an action, formatted, or `None` when it is unbound.
    pub fn hint_key(&self, scope: Scope, action: Action) -> Option<String> {
        self.keys_for(scope, action).first().map(|k| k.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyChord {
        let ev = KeyEvent { code, modifiers: mods, kind: KeyEventKind::Press, state: KeyEventState::NONE };
        KeyChord::from_event(&ev).unwrap_or_else(|| panic!("unmapped key"))
    }

    #[test]
    fn builtin_keymaps_parse() {
        for name in BUILTIN {
            let km = Keymap::load(name).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(
                km.lookup(Scope::Fleet, &key(KeyCode::Char('q'), KeyModifiers::NONE)) == Some(Action::Quit)
            );
        }
    }

    #[test]
    fn vim_extends_default() {
        let km = Keymap::load("vim").unwrap_or_default();
        assert_eq!(km.lookup(Scope::Fleet, &key(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Action::Down));
        assert_eq!(km.lookup(Scope::Fleet, &key(KeyCode::Down, KeyModifiers::NONE)), Some(Action::Down));
        assert_eq!(
            km.lookup(Scope::Fleet, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        let d = Keymap::load("default").unwrap_or_default();
        assert_eq!(d.lookup(Scope::Fleet, &key(KeyCode::Char('j'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn every_action_is_bound_in_default() {
        let km = Keymap::load("default").unwrap_or_default();
        for a in Action::ALL {
            let bound = Scope::ALL.iter().any(|s| km.bindings(*s).iter().any(|(_, b)| *b == a));
            assert!(bound, "{} has no key in the default keymap", a.name());
        }
    }

    #[test]
    fn chord_parsing_and_normalisation() {
        assert_eq!(KeyChord::parse("ctrl-r"), Ok(key(KeyCode::Char('r'), KeyModifiers::CONTROL)));
        assert_eq!(KeyChord::parse("C-R"), KeyChord::parse("ctrl-r"));
        assert_eq!(KeyChord::parse("G"), Ok(key(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert_eq!(KeyChord::parse("shift-tab"), KeyChord::parse("backtab"));
        assert_eq!(KeyChord::parse("f5"), Ok(key(KeyCode::F(5), KeyModifiers::NONE)));
        assert_eq!(KeyChord::parse("-"), Ok(key(KeyCode::Char('-'), KeyModifiers::NONE)));
        assert!(KeyChord::parse("hyper-x").is_err());
        assert!(KeyChord::parse("f13").is_err());
        assert_eq!(KeyChord::parse("ctrl-r").map(|k| k.to_string()), Ok("C-r".to_string()));
    }

    #[test]
    fn user_file_overrides_single_keys() {
        let text = "[fleet]\n\"x\" = \"refresh\"\n\"r\" = \"none\"\n";
        let km = Keymap::from_str_with_base(text, Path::new("my.toml")).unwrap_or_default();
        assert_eq!(
            km.lookup(Scope::Fleet, &key(KeyCode::Char('x'), KeyModifiers::NONE)),
            Some(Action::Refresh)
        );
        assert_eq!(km.lookup(Scope::Fleet, &key(KeyCode::Char('r'), KeyModifiers::NONE)), None);
        // Everything else is still the default.
        assert_eq!(km.lookup(Scope::Fleet, &key(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Action::Quit));
    }

    #[test]
    fn unknown_action_names_file_and_line() {
        let text = "[fleet]\n\"x\" = \"refresh\"\n\"y\" = \"refesh\"\n";
        let errs = Keymap::from_str_with_base(text, Path::new("my.toml")).err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].to_string(), "my.toml:3:7: unknown action `refesh`; did you mean `refresh`?");
    }

    #[test]
    fn duplicate_key_names_both_lines() {
        let text = "[global]\n\"ctrl-r\" = \"refresh\"\n\n\"C-r\" = \"quit\"\n";
        let errs = Keymap::from_str_with_base(text, Path::new("dup.toml")).err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "dup.toml:4:1: key `C-r` is bound twice in [global] (first at line 2)"
        );
    }

    #[test]
    fn unknown_scope_and_bad_key_are_errors() {
        let errs = Keymap::from_str_with_base("[fleat]\n\"x\" = \"quit\"\n", Path::new("k.toml"))
            .err()
            .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().starts_with("k.toml:1:"), "{}", errs[0]);
        assert!(errs[0].message.contains("fleat"), "{}", errs[0]);
        let errs = Keymap::from_str_with_base("[fleet]\n\"hyper-x\" = \"quit\"\n", Path::new("k.toml"))
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].line, 2);
    }

    #[test]
    fn missing_file_is_explained() {
        let errs = Keymap::load("/nonexistent/km.toml").err().unwrap_or_default();
        assert!(errs[0].message.contains("neither a built-in"), "{}", errs[0]);
    }
}
