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

    /// The theme with every colour brought down to what `palette` shows.
    pub fn for_palette(mut self, palette: Palette) -> Theme {
        for n in Roles::NAMES {
            if let Some(slot) = self.roles.slot(n) {
                *slot = palette.style(*slot);
            }
        }
        self
    }

    /// Whether the theme has no colour at all, only modifiers (mono, NO_COLOR).
    pub fn is_monochrome(&self) -> bool {
        Roles::NAMES.iter().all(|n| {
            let mut r = self.roles;
            r.slot(n).map(|s| s.fg.is_none() && s.bg.is_none()).unwrap_or(true)
        })
    }
}

/// How many colours the terminal shows, as COLORTERM and TERM say. A theme's 256-colour and
/// `#rrggbb` colours are brought down to what the terminal has, so a 16-colour console (the
/// Linux console, `TERM=xterm` or `screen` in PuTTY, SecureCRT and web consoles) never receives
/// an escape it draws as the wrong colour or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    /// The 16 ANSI colours only: what any terminal shows.
    #[default]
    Ansi16,
    /// The 256 indexed colours (`TERM=*-256color`).
    Indexed256,
    /// 24-bit colour (`COLORTERM=truecolor` or `24bit`, `TERM=*-direct`).
    TrueColour,
}

impl Palette {
    /// The palette the environment announces: COLORTERM first, then TERM; a terminal that says
    /// nothing of more colours gets the 16 every terminal has.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> Palette {
        let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
        let term = term.unwrap_or("").to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" || term.ends_with("-direct") {
            Palette::TrueColour
        } else if term.contains("256color") || term.contains("256colour") {
            Palette::Indexed256
        } else {
            Palette::Ansi16
        }
    }

    /// The palette of this process's terminal.
    pub fn from_env() -> Palette {
        Palette::detect(std::env::var("COLORTERM").ok().as_deref(), std::env::var("TERM").ok().as_deref())
    }

    /// `c` as this palette can show it.
    pub fn colour(self, c: Color) -> Color {
        match (self, c) {
            (Palette::TrueColour, c) => c,
            (Palette::Indexed256, Color::Rgb(r, g, b)) => Color::Indexed(cube_index(r, g, b)),
            (Palette::Indexed256, c) => c,
            (Palette::Ansi16, Color::Rgb(r, g, b)) => ansi16_of(r, g, b),
            (Palette::Ansi16, Color::Indexed(i)) if i >= 16 => {
                let (r, g, b) = rgb_of_index(i);
                ansi16_of(r, g, b)
            }
            (Palette::Ansi16, c) => c,
        }
    }

    fn style(self, s: Style) -> Style {
        Style { fg: s.fg.map(|c| self.colour(c)), bg: s.bg.map(|c| self.colour(c)), ..s }
    }
}

/// The xterm values of the 256-colour indices above 15: a 6x6x6 cube, then 24 greys.
fn rgb_of_index(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    if i >= 232 {
        let v = 8 + 10 * (i - 232);
        (v, v, v)
    } else {
        let n = i.saturating_sub(16);
        (LEVELS[usize::from(n / 36)], LEVELS[usize::from(n / 6 % 6)], LEVELS[usize::from(n % 6)])
    }
}

/// The nearest colour of the 256-colour cube.
fn cube_index(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| match v {
        0..=47 => 0,
        48..=114 => 1,
        _ => (v - 35) / 40,
    };
    16 + 36 * level(r) + 6 * level(g) + level(b)
}

/// The ANSI colour of the same meaning: hue decides, not the nearest point, since the nearest
/// of a pastel green or red is grey and a status colour must stay a status colour. A colour
/// with little saturation is a grey by its lightness; otherwise the channels at least halfway
/// between its weakest and strongest make the hue, and a light colour takes the bright variant.
fn ansi16_of(r: u8, g: u8, b: u8) -> Color {
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let lightness = (u16::from(max) + u16::from(min)) / 2;
    if max - min < 48 {
        return match lightness {
            0..=39 => Color::Black,
            40..=149 => Color::DarkGray,
            150..=219 => Color::Gray,
            _ => Color::White,
        };
    }
    let half = u16::from(min) + u16::from(max - min) / 2;
    let on = |v: u8| u16::from(v) >= half;
    let bright = lightness >= 150;
    match (on(r), on(g), on(b), bright) {
        (true, false, false, false) => Color::Red,
        (true, false, false, true) => Color::LightRed,
        (false, true, false, false) => Color::Green,
        (false, true, false, true) => Color::LightGreen,
        (false, false, true, false) => Color::Blue,
        (false, false, true, true) => Color::LightBlue,
        (true, true, false, false) => Color::Yellow,
        (true, true, false, true) => Color::LightYellow,
        (true, false, true, false) => Color::Magenta,
        (true, false, true, true) => Color::LightMagenta,
        (false, true, true, false) => Color::Cyan,
        (false, true, true, true) => Color::LightCyan,
        // All three at least halfway: a tinted white or grey.
        (_, _, _, true) => Color::White,
        (_, _, _, false) => Color::Gray,
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

    /// What the environment says decides the palette; a terminal that claims nothing more
    /// gets 16 colours.
    #[test]
    fn the_palette_comes_from_colorterm_then_term() {
        let d = |ct: Option<&str>, t: Option<&str>| Palette::detect(ct, t);
        assert_eq!(d(Some("truecolor"), Some("xterm")), Palette::TrueColour);
        assert_eq!(d(Some("24bit"), None), Palette::TrueColour);
        assert_eq!(d(None, Some("xterm-direct")), Palette::TrueColour);
        assert_eq!(d(None, Some("xterm-256color")), Palette::Indexed256);
        assert_eq!(d(Some(""), Some("screen-256color")), Palette::Indexed256);
        for t in ["xterm", "screen", "linux", "vt220", "putty", "ansi", "tmux", "dumb", ""] {
            assert_eq!(d(None, Some(t)), Palette::Ansi16, "{t}");
        }
        assert_eq!(d(None, None), Palette::Ansi16);
    }

    fn is_ansi16(c: Color) -> bool {
        !matches!(c, Color::Rgb(..)) && !matches!(c, Color::Indexed(i) if i >= 16)
    }

    /// Every built-in theme on a 16-colour terminal uses only the 16 ANSI colours, and the
    /// status colours keep their meaning: ok green, warn yellow, crit red, each unlike text.
    #[test]
    fn on_16_colours_every_theme_keeps_its_meaning_in_ansi_colours() {
        for name in builtin_names() {
            let t = Theme::load(name).unwrap().for_palette(Palette::Ansi16);
            for n in Roles::NAMES {
                let s = t.roles.clone().slot(n).copied().unwrap_or_default();
                for c in [s.fg, s.bg].into_iter().flatten() {
                    assert!(is_ansi16(c), "{name}.{n} uses {c:?}");
                }
            }
            assert_ne!(t.roles.crit, t.roles.text, "{name}: crit looks like text");
            assert_ne!(t.roles.warn, t.roles.crit, "{name}: warn looks like crit");
            assert_ne!(t.roles.muted, t.roles.text, "{name}: muted looks like text");
            if name != "mono" {
                let fg = |s: Style| s.fg.unwrap_or(Color::Reset);
                assert!(
                    matches!(fg(t.roles.ok), Color::Green | Color::LightGreen),
                    "{name}: {:?}",
                    t.roles.ok
                );
                assert!(
                    matches!(fg(t.roles.warn), Color::Yellow | Color::LightYellow | Color::Black),
                    "{name}: {:?}",
                    t.roles.warn
                );
                assert!(matches!(fg(t.roles.crit), Color::Red | Color::LightRed | Color::White), "{name}");
            }
        }
        // The default theme is already ANSI: unchanged.
        let default = Theme::load("default").unwrap();
        assert_eq!(default.clone().for_palette(Palette::Ansi16), default);
        // The dark theme's 256-colour roles, one by one.
        let dark = Theme::load("dark").unwrap().for_palette(Palette::Ansi16);
        assert_eq!(dark.roles.ok.fg, Some(Color::LightGreen));
        assert_eq!(dark.roles.warn.fg, Some(Color::LightYellow));
        assert_eq!(dark.roles.crit.fg, Some(Color::LightRed));
        assert_eq!(dark.roles.text.fg, Some(Color::Gray));
        assert_eq!(dark.roles.muted.fg, Some(Color::DarkGray));
        assert_eq!(dark.roles.selected.bg, Some(Color::Cyan));
        assert_eq!(dark.roles.header.bg, Some(Color::DarkGray), "a bar stays a bar on a black terminal");
    }

    #[test]
    fn rgb_colours_are_brought_down_to_each_palette() {
        let t = Theme::parse(
            "[roles]\nok = { fg = \"#5fd75f\" }\ncrit = { fg = \"#d70000\", bg = \"#eeeeee\" }\n",
            Path::new("u.toml"),
            None,
        )
        .unwrap();
        assert_eq!(t.roles.ok.fg, Some(Color::Rgb(0x5f, 0xd7, 0x5f)));
        let t256 = t.clone().for_palette(Palette::Indexed256);
        assert_eq!(t256.roles.ok.fg, Some(Color::Indexed(77)), "5f d7 5f is cube 1,4,1");
        assert_eq!(t256.roles.crit.fg, Some(Color::Indexed(160)));
        let t16 = t.clone().for_palette(Palette::Ansi16);
        assert_eq!(t16.roles.ok.fg, Some(Color::LightGreen));
        assert_eq!(t16.roles.crit.fg, Some(Color::Red));
        assert_eq!(t16.roles.crit.bg, Some(Color::White));
        assert_eq!(t.clone().for_palette(Palette::TrueColour), t);
        // Every index lands on an ANSI colour, and the grey ramp goes dark to light.
        for i in 0..=255u8 {
            assert!(is_ansi16(Palette::Ansi16.colour(Color::Indexed(i))), "{i}");
        }
        let greys: Vec<Color> =
            [232u8, 240, 248, 255].iter().map(|&i| Palette::Ansi16.colour(Color::Indexed(i))).collect();
        assert_eq!(greys, [Color::Black, Color::DarkGray, Color::Gray, Color::White]);
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
