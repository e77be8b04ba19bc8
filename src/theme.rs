//! Themes: named roles (`ok`, `warn`, `crit`, …) mapped to styles. Built-in themes are embedded;
//! a user file is laid on top of its `base` (the default theme unless it names another).

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Spanned;

use crate::text::{nearest, FileError};

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

/// A theme error with its position: `file:line:col: message`.
pub type ThemeError = FileError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    base: Option<Spanned<String>>,
    borders: Option<Spanned<String>>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Spanned<RawStyle>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    #[serde(default)]
    modifiers: Vec<Spanned<String>>,
}

impl Theme {
    /// A built-in name or a path to a theme file.
    pub fn load(name_or_path: &str) -> Result<Theme, Vec<ThemeError>> {
        if let Some(t) = Theme::builtin(name_or_path) {
            return t;
        }
        let path = crate::config::expand_tilde(name_or_path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let builtins = builtin_names().collect::<Vec<_>>().join(", ");
            vec![FileError::whole(
                &path.display().to_string(),
                format!("theme `{name_or_path}` is neither a built-in ({builtins}) nor a readable file: {e}"),
            )]
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
    /// roots pass an empty theme, user files get the default theme).
    fn parse(text: &str, path: &Path, root: Option<Theme>) -> Result<Theme, Vec<ThemeError>> {
        let file = path.display().to_string();
        let err_at = |offset: usize, message: String| FileError::at(&file, text, offset, message);
        let raw: RawTheme = toml::from_str(text).map_err(|e| {
            vec![err_at(e.span().map(|s| s.start).unwrap_or(0), e.message().trim().to_string())]
        })?;
        let mut theme = match (&raw.base, root) {
            (Some(base), _) => match Theme::builtin(base.get_ref()) {
                Some(t) => t?,
                None => {
                    return Err(vec![err_at(
                        base.span().start,
                        format!(
                            "unknown base theme `{}` (built-in: {})",
                            base.get_ref(),
                            builtin_names().collect::<Vec<_>>().join(", ")
                        ),
                    )])
                }
            },
            (None, Some(root)) => root,
            (None, None) => Theme::builtin("default").unwrap_or_else(|| Ok(Theme::default()))?,
        };
        theme.name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let mut errors = Vec::new();
        if let Some(b) = &raw.borders {
            match b.get_ref().as_str() {
                "ascii" => theme.ascii_borders = true,
                "unicode" => theme.ascii_borders = false,
                other => errors.push(err_at(
                    b.span().start,
                    format!("borders must be \"unicode\" or \"ascii\", not `{other}`"),
                )),
            }
        }
        for (role, raw_style) in &raw.roles {
            let Some(slot) = theme.roles.slot(role.get_ref()) else {
                let hint = nearest(role.get_ref(), Roles::NAMES.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("; roles are: {}", Roles::NAMES.join(", ")));
                errors.push(err_at(role.span().start, format!("unknown role `{}`{hint}", role.get_ref())));
                continue;
            };
            let raw_style = raw_style.get_ref();
            let mut style = Style::default();
            for (which, colour) in [("fg", &raw_style.fg), ("bg", &raw_style.bg)] {
                let Some(colour) = colour else { continue };
                match parse_colour(colour.get_ref()) {
                    Some(c) if which == "fg" => style = style.fg(c),
                    Some(c) => style = style.bg(c),
                    None => errors.push(err_at(
                        colour.span().start,
                        format!(
                            "`{}` is not a colour (a name such as red or lightblue, 0-255, or #rrggbb)",
                            colour.get_ref()
                        ),
                    )),
                }
            }
            for m in &raw_style.modifiers {
                match parse_modifier(m.get_ref()) {
                    Some(md) => style = style.add_modifier(md),
                    None => errors.push(err_at(
                        m.span().start,
                        format!(
                            "unknown modifier `{}` (bold, dim, italic, underlined, reversed, crossed_out)",
                            m.get_ref()
                        ),
                    )),
                }
            }
            *slot = style;
        }
        if errors.is_empty() {
            Ok(theme)
        } else {
            Err(errors)
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
}
