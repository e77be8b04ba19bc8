//! Keymaps: built-in `default` and `vim` (embedded), a user file laid on top, and the lookup from
//! a terminal key event to an [`Action`] in the focused scope.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::DeTable;

use crate::action::Action;
use crate::config::check::{key_str, Checker};
use crate::config::ConfigError;
use crate::i18n::{both, Both};
use crate::text::nearest;
use crate::ui::messages::UiMsg;

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
    Tickets,
    Ticket,
    Divcodes,
    Backups,
    Alerts,
    Network,
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
    pub fn parse(spec: &str) -> Result<KeyChord, Both> {
        if spec.is_empty() {
            return Err(both(&UiMsg::KeyEmpty, &[]));
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
                    _ => return Err(both(&UiMsg::KeyUnknown, &[("spec", &spec)])),
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

/// A keymap error with its position (`file:line:col: message`), in both languages.
pub type KeymapError = ConfigError;

/// The live keymap: bindings per scope, in file order (the help overlay lists them that way).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub name: String,
    scopes: BTreeMap<Scope, Vec<(KeyChord, Action)>>,
}

impl Keymap {
    /// `default`, `vim`, or a path to a user keymap file.
    pub fn load(name_or_path: &str) -> Result<Keymap, Vec<KeymapError>> {
        if let Some(km) = Keymap::builtin(name_or_path) {
            return km;
        }
        let path = crate::config::expand_tilde(name_or_path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let message = both(
                &UiMsg::KeymapUnreadable,
                &[
                    ("name", &name_or_path),
                    ("builtins", &BUILTIN.join(", ")),
                    ("why", &crate::i18n::io_both(&e)),
                ],
            );
            vec![ConfigError { file: path.clone(), line: 0, col: 0, message }]
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
    /// file says otherwise; the default file itself has no base). Every problem of the file is
    /// reported, each at its position.
    pub fn from_str_with_base(text: &str, path: &Path) -> Result<Keymap, Vec<KeymapError>> {
        let mut ck = Checker::new(text);
        let doc = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                ck.syntax_error(&e);
                return Err(ck.into_errors(path).0);
            }
        };
        let keys: Vec<&'static str> =
            std::iter::once("base").chain(Scope::ALL.iter().map(|s| s.name())).collect();
        let mut base = None;
        let mut tables = Vec::new();
        for (key, value) in doc.get_ref() {
            let name = key_str(key);
            if name == "base" {
                base = ck.str_of(value, &"base").map(|b| (b, value.span()));
                continue;
            }
            match Scope::ALL.iter().find(|s| s.name() == name) {
                Some(scope) => tables.extend(ck.table(value, &name).map(|t| (*scope, t))),
                None => {
                    ck.unknown_key(key, "", &keys);
                }
            }
        }
        let is_default_file = text == DEFAULT_TOML;
        let mut keymap = match base {
            Some((base, span)) => match Keymap::builtin(base) {
                Some(km) => km?,
                None => {
                    let builtins = BUILTIN.join(", ");
                    ck.report(
                        span,
                        both(&UiMsg::KeymapUnknownBase, &[("name", &base), ("builtins", &builtins)]),
                    );
                    Keymap::default()
                }
            },
            None if is_default_file => Keymap::default(),
            None => Keymap::builtin("default").unwrap_or_else(|| Ok(Keymap::default()))?,
        };
        keymap.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();

        for (scope, table) in tables {
            // Entries in file order, so duplicates are reported at the later line.
            let mut entries: Vec<_> = table.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            let mut seen: BTreeMap<KeyChord, usize> = BTreeMap::new();
            for (key, value) in entries {
                let spec = key_str(key);
                let chord = match KeyChord::parse(spec) {
                    Ok(c) => c,
                    Err(message) => {
                        ck.report(key.span(), message);
                        continue;
                    }
                };
                if let Some(first) = seen.get(&chord) {
                    let (first_line, _) = ck.line_col(*first);
                    let message = both(
                        &UiMsg::KeyBoundTwice,
                        &[("key", &spec), ("scope", &scope.name()), ("line", &first_line.to_string())],
                    );
                    ck.report(key.span(), message);
                    continue;
                }
                seen.insert(chord, key.span().start);
                let Some(action_name) = ck.str_of(value, &format!("{}.\"{spec}\"", scope.name())) else {
                    continue;
                };
                if action_name == "none" {
                    keymap.unbind(scope, chord);
                    continue;
                }
                match Action::from_name(action_name) {
                    Some(action) => keymap.bind(scope, chord, action),
                    None => {
                        let names = || Action::ALL.iter().map(|a| a.name());
                        let message = match nearest(action_name, names()) {
                            Some(near) => both(
                                &UiMsg::KeyUnknownActionNear,
                                &[("action", &action_name), ("near", &near)],
                            ),
                            None => {
                                let list = names().collect::<Vec<_>>().join(", ");
                                both(&UiMsg::KeyUnknownAction, &[("action", &action_name), ("list", &list)])
                            }
                        };
                        ck.report(value.span(), message);
                    }
                }
            }
        }
        if ck.is_clean() {
            Ok(keymap)
        } else {
            Err(ck.into_errors(path).0)
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
    use crate::i18n::Lang;
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
        assert!(errs[0].message.en.contains("fleat"), "{}", errs[0]);
        let errs = Keymap::from_str_with_base("[fleet]\n\"hyper-x\" = \"quit\"\n", Path::new("k.toml"))
            .err()
            .unwrap_or_default();
        assert_eq!(errs[0].line, 2);
    }

    #[test]
    fn missing_file_is_explained() {
        let errs = Keymap::load("/nonexistent/km.toml").err().unwrap_or_default();
        assert!(errs[0].message.en.contains("neither a built-in"), "{}", errs[0]);
    }

    /// Each problem of a keymap file, at its position, in both languages; the Chinese has no
    /// English left in it but the names the file wrote and the names it may write.
    #[test]
    fn every_error_reads_in_both_languages_at_its_position() {
        let text = "base = \"vi\"\n[fleat]\n\"x\" = \"quit\"\n[fleet]\n\"x\" = \"refesh\"\n\"ctrl-r\" = \"refresh\"\n\
                    \"C-r\" = \"quit\"\n\"hyper-x\" = \"quit\"\n\"y\" = \"frobnicate\"\n\"z\" = 5\n\"\" = \"quit\"\n";
        let errs = Keymap::from_str_with_base(text, Path::new("k.toml")).err().unwrap_or_default();
        let en: Vec<String> = errs.iter().map(|e| e.render(Lang::En)).collect();
        let zh: Vec<String> = errs.iter().map(|e| e.render(Lang::ZhCn)).collect();
        let actions = Action::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ");
        assert_eq!(
            en,
            [
                "k.toml:1:8: unknown base keymap `vi` (built-in: default, vim)",
                "k.toml:2:2: unknown top-level key `fleat`; did you mean `fleet`?",
                "k.toml:5:7: unknown action `refesh`; did you mean `refresh`?",
                "k.toml:7:1: key `C-r` is bound twice in [fleet] (first at line 6)",
                "k.toml:8:1: `hyper-x` is not a key (use a character, or enter, esc, tab, backtab, space, \
                 backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, f1..f12, with \
                 ctrl-/alt-/shift- prefixes)",
                &format!("k.toml:9:7: unknown action `frobnicate`; actions are: {actions}"),
                "k.toml:10:7: expected a string for fleet.\"z\", found an integer",
                "k.toml:11:1: an empty key",
            ]
        );
        assert_eq!(
            zh[..4],
            [
                "k.toml:1:8：未知的基础键位 `vi`（内置键位：default, vim）",
                "k.toml:2:2：未知的顶层键 `fleat`；是不是想写 `fleet`？",
                "k.toml:5:7：未知的操作 `refesh`；是不是想写 `refresh`？",
                "k.toml:7:1：按键 `C-r` 在 [fleet] 中绑定了两次（第一次在第 6 行）",
            ]
        );
        assert_eq!(zh[6], "k.toml:10:7：fleet.\"z\" 应为字符串，实际为整数");
        assert_eq!(zh[7], "k.toml:11:1：按键为空");
        for z in &zh {
            assert!(crate::i18n::english_runs(z).is_empty(), "{z}");
        }
    }

    #[test]
    fn syntax_errors_and_unreadable_files_read_in_both_languages() {
        let errs =
            Keymap::from_str_with_base("[fleet]\n\"x\" = \"quit\"\n\"x\" = \"help\"\n", Path::new("d.toml"))
                .err()
                .unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].render(Lang::En), "d.toml:3:1: TOML syntax error: duplicate key `\"x\"`");
        assert_eq!(errs[0].render(Lang::ZhCn), "d.toml:3:1：TOML 语法错误：重复的键 `\"x\"`");
        let errs = Keymap::from_str_with_base("[fleet\n", Path::new("s.toml")).err().unwrap_or_default();
        assert_eq!(errs[0].render(Lang::ZhCn), "s.toml:1:7：TOML 语法错误：表没有结束，应为 `]`");
        let errs = Keymap::load("emacs").err().unwrap_or_default();
        assert_eq!(
            errs[0].render(Lang::ZhCn),
            "emacs：键位 `emacs` 既不是内置键位（default, vim），也不是可读取的文件：文件或目录不存在"
        );
        assert!(errs[0]
            .render(Lang::En)
            .starts_with("emacs: keymap `emacs` is neither a built-in (default, vim) nor a readable file: "));
    }

    #[test]
    fn a_bad_key_name_says_why_in_both_languages() {
        let e = KeyChord::parse("f13").err().unwrap_or_default();
        assert!(e.en.starts_with("`f13` is not a key (use a character, or enter,"), "{}", e.en);
        assert!(e.zh.starts_with("`f13` 不是按键（可写一个字符"), "{}", e.zh);
        assert_eq!(KeyChord::parse("").err().map(|e| e.zh), Some("按键为空".to_string()));
    }
}
