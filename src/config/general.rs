//! `[general]`: language, theme, keymap, operator name and border style.

use serde::Serialize;

use super::check::{key_str, Checker, Key, Place, Value};
use super::Section;

/// `[general]`
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct General {
    pub lang: LangSetting,
    /// A built-in theme name or a path.
    pub theme: String,
    /// A built-in keymap name or a path.
    pub keymap: String,
    /// Who is recorded in the audit log; `None` means the login name.
    pub operator: Option<String>,
    pub borders: Borders,
}

impl Default for General {
    fn default() -> Self {
        General {
            lang: LangSetting::Auto,
            theme: "default".to_string(),
            keymap: "default".to_string(),
            operator: None,
            borders: Borders::Unicode,
        }
    }
}

/// `general.lang`: `"auto"`, `"en"` or `"zh-CN"`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
pub enum LangSetting {
    #[default]
    #[serde(rename = "auto")]
    #[strum(serialize = "auto")]
    Auto,
    #[serde(rename = "en")]
    #[strum(serialize = "en")]
    En,
    #[serde(rename = "zh-CN")]
    #[strum(serialize = "zh-CN")]
    ZhCn,
}

impl LangSetting {
    /// The language named, or `None` for `auto` (the locale decides).
    pub fn chosen(self) -> Option<crate::i18n::Lang> {
        match self {
            LangSetting::Auto => None,
            LangSetting::En => Some(crate::i18n::Lang::En),
            LangSetting::ZhCn => Some(crate::i18n::Lang::ZhCn),
        }
    }
}

/// `general.borders`: `"unicode"` or `"ascii"`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Borders {
    #[default]
    Unicode,
    Ascii,
}

const KEYS: &[&str] = &["lang", "theme", "keymap", "operator", "borders"];

impl Section for General {
    fn check(ck: &mut Checker<'_>, key: &Key<'_>, value: &Value<'_>) -> Self {
        let mut general = General::default();
        let Some(table) = ck.table(value, &key_str(key).to_string()) else {
            return general;
        };
        let place = Place::named("general");
        for (key, value) in table.iter() {
            let name = key_str(key);
            match name {
                "lang" => {
                    if let Some(v) = ck.choice(&place, name, value) {
                        general.lang = v;
                    }
                }
                "theme" => {
                    if let Some(v) = ck.nonempty_string(&place, name, value) {
                        general.theme = v;
                    }
                }
                "keymap" => {
                    if let Some(v) = ck.nonempty_string(&place, name, value) {
                        general.keymap = v;
                    }
                }
                "operator" => general.operator = ck.nonempty_string(&place, name, value),
                "borders" => {
                    if let Some(v) = ck.choice(&place, name, value) {
                        general.borders = v;
                    }
                }
                _ => {
                    ck.unknown_key(key, &place.label, KEYS);
                }
            }
        }
        general
    }
}
