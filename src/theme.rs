//! Themes: named roles (`ok`, `warn`, `crit`, …) mapped to styles. Built-in themes are embedded;
//! a user file is laid on top of its `base` (the default theme unless it names another).

use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use toml::de::{DeTable, DeValue};

use crate::config::check::{key_str, Checker};
use crate::config::messages::CfgMsg;
use crate::config::ConfigError;
use crate::i18n::both;
use crate::text::nearest;
use crate::ui::messages::UiMsg;

const BUILTIN_THEMES: [(&str, &str); 5] = [
    ("default", include_str!("../themes/default.toml")),
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("high-contrast", include_str!("../themes/high-contrast.toml")),
    ("mono", include_str!("../themes/mono.toml")),
];

pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN_THEMES.iter().map(|(n, _)| *n)
}

macro_rules! roles {
    ($($role:ident),* $(,)?) => {
        /// The style of every role a widget may ask for.
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        pub struct Roles { $(pub $role: Style),* }

        impl Roles {
            pub const NAMES: &'static [&'static str] = &[$(stringify!($role)),*];

            fn slot(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $(stringify!($role) => Some(&mut self.$role),)*
                    _ => None,
                }
            }
        }
    };
}

roles!(
    text,
    muted,
    title,
    border,
    header,
    selected,
    ok,
    warn,
    crit,
    accent,
    tab_active,
    tab_inactive,
    status_bar,
    hint_key,
    hint_label,
    stale,
    demo,
    error,
    input,
);

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Theme {
    pub name: String,
    /// Draw boxes with ASCII (`+-|`) for terminals that show box characters double width.
    pub ascii_borders: bool,
    pub roles: Roles,
}

/// A theme error with its position (`file:line:col: message`), in both languages.
pub type ThemeError = ConfigError;

/// The keys of a theme file, and of one role's style.
const TOP_KEYS: &[&str] = &["base", "borders", "roles"];
const STYLE_KEYS: &[&str] = &["fg", "bg", "modifiers"];

impl Theme {
    /// A built-in name or a path to a theme file.
    pub fn load(name_or_path: &str) -> Result<Theme, Vec<ThemeError>> {
        if let Some(t) = Theme::builtin(name_or_path) {
            return t;
        }
        let path = crate::config::expand_tilde(name_or_path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let builtins = builtin_names().collect::<Vec<_>>().join(", ");
            let message = both(
                &UiMsg::ThemeUnreadable,
                &[("name", &name_or_path), ("builtins", &builtins), ("why", &crate::i18n::io_both(&e))],
            );
            vec![ConfigError { file: path.clone(), line: 0, col: 0, message }]
        })?;
        Theme::parse(&text, &path, None)
    }

    pub fn builtin(name: &str) -> Option<Result<Theme, Vec<ThemeError>>> {
        let (n, text) = BUILTIN_THEMES.iter().find(|(n, _)| *n == name)?;
        let path = format!("themes/{n}.toml");
        // The default theme is the root of every chain; the others name their base.
        let root = if *n == "default" || *n == "mono" { Some(Theme::default()) } else { None };
        Some(Theme::parse(text, Path::new(&path), root))
    }

    /// Parses a theme file; `root` is what to lay it on when the file names no base (built-in
    /// roots pass an empty theme, user files get the default theme). Every problem of the file
    /// is reported, each at its position.
    fn parse(text: &str, path: &Path, root: Option<Theme>) -> Result<Theme, Vec<ThemeError>> {
        let mut ck = Checker::new(text);
        let doc = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                ck.syntax_error(&e);
                return Err(ck.into_errors(path).0);
            }
        };
        let (mut base, mut borders, mut roles) = (None, None, None);
        for (key, value) in doc.get_ref() {
            match key_str(key) {
                "base" => base = ck.str_of(value, &"base").map(|b| (b, value.span())),
                "borders" => borders = ck.str_of(value, &"borders").map(|b| (b, value.span())),
                "roles" => roles = ck.table(value, &"roles"),
                _ => {
                    ck.unknown_key(key, "", TOP_KEYS);
                }
            }
        }
        let mut theme = match (base, root) {
            (Some((base, span)), _) => match Theme::builtin(base) {
                Some(t) => t?,
                None => {
                    let builtins = builtin_names().collect::<Vec<_>>().join(", ");
                    ck.report(
                        span,
                        both(&UiMsg::ThemeUnknownBase, &[("name", &base), ("builtins", &builtins)]),
                    );
                    Theme::default()
                }
            },
            (None, Some(root)) => root,
            (None, None) => Theme::builtin("default").unwrap_or_else(|| Ok(Theme::default()))?,
        };
        theme.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match borders {
            Some(("ascii", _)) => theme.ascii_borders = true,
            Some(("unicode", _)) => theme.ascii_borders = false,
            Some((other, span)) => ck.report(span, both(&UiMsg::ThemeBadBorders, &[("value", &other)])),
            None => {}
        }
        for (role, value) in roles.into_iter().flatten() {
            let name = key_str(role);
            let path = format!("roles.{name}");
            let style = ck.table(value, &path).map(|table| style_of(&mut ck, table, &path));
            match theme.roles.slot(name) {
                Some(slot) => *slot = style.unwrap_or_default(),
                None => {
                    let message = match nearest(name, Roles::NAMES.iter().copied()) {
                        Some(near) => both(&UiMsg::ThemeUnknownRoleNear, &[("role", &name), ("near", &near)]),
                        None => both(
                            &UiMsg::ThemeUnknownRole,
                            &[("role", &name), ("list", &Roles::NAMES.join(", "))],
                        ),
                    };
                    ck.report(role.span(), message);
                }
            }
        }
        if ck.is_clean() {
            Ok(theme)
        } else {
            Err(ck.into_errors(path).0)
        }
    }

    /// Removes every colour, keeping modifiers: for NO_COLOR on top of a user-chosen theme.
    pub fn is_monochrome(&self) -> bool {
        Roles::NAMES.iter().all(|n| {
            let mut r = self.roles;
            r.slot(n).map(|s| s.fg.is_none() && s.bg.is_none()).unwrap_or(true)
        })
    }
}

/// The style of one role (`{ fg = "red", modifiers = ["bold"] }`), each problem reported.
fn style_of(ck: &mut Checker<'_>, table: &DeTable<'_>, path: &str) -> Style {
    let mut style = Style::default();
    for (key, value) in table {
        match key_str(key) {
            which @ ("fg" | "bg") => {
                let Some(text) = ck.str_of(value, &format!("{path}.{which}")) else { continue };
                match parse_colour(text) {
                    Some(c) if which == "fg" => style = style.fg(c),
                    Some(c) => style = style.bg(c),
                    None => ck.report(value.span(), both(&UiMsg::ThemeBadColour, &[("value", &text)])),
                }
            }
            "modifiers" => {
                let what = format!("{path}.modifiers");
                let DeValue::Array(items) = value.get_ref() else {
                    ck.wrong_type(value, &CfgMsg::TypeStrings, &what);
                    continue;
                };
                for item in items {
                    let Some(text) = ck.str_of(item, &what) else { continue };
                    match parse_modifier(text) {
                        Some(m) => style = style.add_modifier(m),
                        None => ck.report(item.span(), both(&UiMsg::ThemeBadModifier, &[("value", &text)])),
                    }
                }
            }
            _ => {
                ck.unknown_key(key, path, STYLE_KEYS);
            }
        }
    }
    style
}

fn parse_colour(s: &str) -> Option<Color> {
    let lower = s.trim().to_ascii_lowercase().replace(['_', '-', ' '], "");
    let named = match lower.as_str() {
        "grey" => "gray",
        "darkgrey" | "brightblack" => "darkgray",
        "brightred" => "lightred",
        "brightgreen" => "lightgreen",
        "brightyellow" => "lightyellow",
        "brightblue" => "lightblue",
        "brightmagenta" => "lightmagenta",
        "brightcyan" => "lightcyan",
        "brightwhite" => "white",
        other => other,
    };
    Color::from_str(named).ok()
}

fn parse_modifier(s: &str) -> Option<Modifier> {
    Some(match s.to_ascii_lowercase().as_str() {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        "crossed_out" | "strikethrough" => Modifier::CROSSED_OUT,
        "slow_blink" | "blink" => Modifier::SLOW_BLINK,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_builtin_theme_parses_and_sets_every_role() {
        for name in builtin_names() {
            let t = Theme::load(name).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(t.name, name);
            // Status colours must differ from plain text in every theme, or alerts are invisible.
            assert_ne!(t.roles.crit, t.roles.text, "{name}: crit looks like text");
            assert_ne!(t.roles.warn, t.roles.text, "{name}: warn looks like text");
            assert_ne!(t.roles.selected, t.roles.text, "{name}: selection invisible");
        }
    }

    #[test]
    fn default_uses_only_the_16_ansi_colours() {
        let t = Theme::load("default").unwrap_or_default();
        for n in Roles::NAMES {
            let mut r = t.roles;
            let s = r.slot(n).copied().unwrap_or_default();
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{n} uses {c:?}");
            }
        }
    }

    #[test]
    fn mono_has_no_colour() {
        assert!(Theme::load("mono").unwrap_or_default().is_monochrome());
        assert!(!Theme::load("default").unwrap_or_default().is_monochrome());
    }

    #[test]
    fn user_theme_layers_on_default_and_reports_positions() {
        let t =
            Theme::parse("borders = \"ascii\"\n[roles]\nok = { fg = \"blue\" }\n", Path::new("u.toml"), None)
                .unwrap_or_default();
        assert!(t.ascii_borders);
        assert_eq!(t.roles.ok.fg, Some(Color::Blue));
        assert_eq!(t.roles.crit.fg, Some(Color::Red));
        let errs = Theme::parse(
            "[roles]\nokk = { fg = \"blue\" }\nwarn = { fg = \"blu\" }\n",
            Path::new("u.toml"),
            None,
        )
        .err()
        .unwrap_or_default();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.starts_with("u.toml:2:1: unknown role `okk`; did you mean `ok`?")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.starts_with("u.toml:3:")), "{msgs:?}");
    }

    /// Each problem of a theme file, at its position, in both languages; the Chinese has no
    /// English left in it but the names the file wrote and the names it may write.
    #[test]
    fn every_error_reads_in_both_languages_at_its_position() {
        let text = "base = \"defualt\"\nborders = \"round\"\nbordres = 1\n[roles]\nokk = { fg = \"blue\" }\n\
                    warn = { fg = \"blu\", modifiers = [\"blinky\"] }\ncrit = { fgg = \"red\" }\n\
                    zzzzzzzzzz = {}\ntext = { fg = 3 }\nmuted = \"red\"\n";
        let errs = Theme::parse(text, Path::new("t.toml"), None).err().unwrap_or_default();
        let en: Vec<String> = errs.iter().map(|e| e.render(Lang::En)).collect();
        let zh: Vec<String> = errs.iter().map(|e| e.render(Lang::ZhCn)).collect();
        assert_eq!(
            en,
            [
                "t.toml:1:8: unknown base theme `defualt` (built-in: default, dark, light, high-contrast, mono)",
                "t.toml:2:11: borders must be \"unicode\" or \"ascii\", not `round`",
                "t.toml:3:1: unknown top-level key `bordres`; did you mean `borders`?",
                "t.toml:5:1: unknown role `okk`; did you mean `ok`?",
                "t.toml:6:15: `blu` is not a colour (a name such as red or lightblue, 0-255, or #rrggbb)",
                "t.toml:6:35: unknown modifier `blinky` (bold, dim, italic, underlined, reversed, crossed_out)",
                "t.toml:7:10: unknown key `fgg` in roles.crit; did you mean `fg`?",
                &format!("t.toml:8:1: unknown role `zzzzzzzzzz`; roles are: {}", Roles::NAMES.join(", ")),
                "t.toml:9:15: expected a string for roles.text.fg, found an integer",
                "t.toml:10:9: expected a table for roles.muted, found a string",
            ]
        );
        assert_eq!(
            zh[0],
            "t.toml:1:8：未知的基础主题 `defualt`（内置主题：default, dark, light, high-contrast, mono）"
        );
        assert_eq!(zh[3], "t.toml:5:1：未知的角色 `okk`；是不是想写 `ok`？");
        assert_eq!(
            zh[4],
            "t.toml:6:15：`blu` 不是颜色（可写颜色名，如 red 或 lightblue；0-255 的色号；或 #rrggbb）"
        );
        assert_eq!(zh[8], "t.toml:9:15：roles.text.fg 应为字符串，实际为整数");
        for z in &zh {
            assert!(crate::i18n::english_runs(z).is_empty(), "{z}");
        }
    }

    #[test]
    fn syntax_errors_and_unreadable_files_read_in_both_languages() {
        let errs = Theme::parse("[roles\nok = 1\n", Path::new("s.toml"), None).err().unwrap_or_default();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].render(Lang::En), "s.toml:1:7: TOML syntax error: unclosed table, expected `]`");
        assert_eq!(errs[0].render(Lang::ZhCn), "s.toml:1:7：TOML 语法错误：表没有结束，应为 `]`");
        let errs =
            Theme::parse("[roles]\nok = {}\nok = {}\n", Path::new("d.toml"), None).err().unwrap_or_default();
        assert_eq!(errs[0].render(Lang::ZhCn), "d.toml:3:1：TOML 语法错误：重复的键 `ok`");
        let errs = Theme::load("solarized").err().unwrap_or_default();
        assert_eq!(
            errs[0].render(Lang::ZhCn),
            "solarized：主题 `solarized` 既不是内置主题（default, dark, light, high-contrast, mono），也不是可读取的文件：文件或目录不存在"
        );
        assert!(errs[0].render(Lang::En).starts_with(
            "solarized: theme `solarized` is neither a built-in (default, dark, light, high-contrast, mono) nor a readable file: "
        ));
        let dir = std::env::temp_dir();
        let errs = Theme::load(&dir.display().to_string()).err().unwrap_or_default();
        assert!(errs[0].render(Lang::ZhCn).ends_with("也不是可读取的文件：是一个目录"), "{:?}", errs[0]);
    }
}
