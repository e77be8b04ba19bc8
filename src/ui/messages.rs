//! What the theme and keymap loaders say, in both languages: a catalogue of its own (the same
//! `catalogue!` as the main one), so that every error in a theme or keymap file reads in the
//! user's language at its file:line:col, in `check-config`, at the console's start and after
//! `:theme`. The checks they share with the config (types, unknown keys, the TOML parser's
//! words) say it with the config checker's messages.

use crate::i18n::Lang;

crate::i18n::catalogue! {
    enum UiMsg;
    // issue 8: the theme loader's messages
    ThemeUnreadable => "theme `{name}` is neither a built-in ({builtins}) nor a readable file: {why}", "主题 `{name}` 既不是内置主题（{builtins}），也不是可读取的文件：{why}";
    ThemeUnknownBase => "unknown base theme `{name}` (built-in: {builtins})", "未知的基础主题 `{name}`（内置主题：{builtins}）";
    ThemeBadBorders => "borders must be \"unicode\" or \"ascii\", not `{value}`", "borders 须为 \"unicode\" 或 \"ascii\"，不能是 `{value}`";
    ThemeUnknownRoleNear => "unknown role `{role}`; did you mean `{near}`?", "未知的角色 `{role}`；是不是想写 `{near}`？";
    ThemeUnknownRole => "unknown role `{role}`; roles are: {list}", "未知的角色 `{role}`；可用的角色：{list}";
    ThemeBadColour => "`{value}` is not a colour (a name such as red or lightblue, 0-255, or #rrggbb)", "`{value}` 不是颜色（可写颜色名，如 red 或 lightblue；0-255 的色号；或 #rrggbb）";
    ThemeBadModifier => "unknown modifier `{value}` (bold, dim, italic, underlined, reversed, crossed_out)", "未知的修饰 `{value}`（可用 bold, dim, italic, underlined, reversed, crossed_out）";
    ThemeNotSwitched => "theme not switched: {error}", "主题未切换：{error}";
    ThemeNotSwitchedMore => "theme not switched: {error} ({n} more: yunwei --theme {name} check-config)", "主题未切换：{error}（另有 {n} 处错误，见 yunwei --theme {name} check-config）";
    // issue 8: the keymap loader's messages
    KeymapUnreadable => "keymap `{name}` is neither a built-in ({builtins}) nor a readable file: {why}", "键位 `{name}` 既不是内置键位（{builtins}），也不是可读取的文件：{why}";
    KeymapUnknownBase => "unknown base keymap `{name}` (built-in: {builtins})", "未知的基础键位 `{name}`（内置键位：{builtins}）";
    KeyEmpty => "an empty key", "按键为空";
    KeyUnknown => "`{spec}` is not a key (use a character, or enter, esc, tab, backtab, space, backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, f1..f12, with ctrl-/alt-/shift- prefixes)", "`{spec}` 不是按键（可写一个字符，或 enter, esc, tab, backtab, space, backspace, delete, insert, up, down, left, right, home, end, pgup, pgdn, f1..f12，可加前缀 ctrl-/alt-/shift-）";
    KeyBoundTwice => "key `{key}` is bound twice in [{scope}] (first at line {line})", "按键 `{key}` 在 [{scope}] 中绑定了两次（第一次在第 {line} 行）";
    KeyUnknownActionNear => "unknown action `{action}`; did you mean `{near}`?", "未知的操作 `{action}`；是不是想写 `{near}`？";
    KeyUnknownAction => "unknown action `{action}`; actions are: {list}", "未知的操作 `{action}`；可用的操作：{list}";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::both;

    #[test]
    fn every_message_reads_in_both_languages_with_its_values() {
        let m = both(&UiMsg::KeyBoundTwice, &[("key", &"C-r"), ("scope", &"global"), ("line", &"2")]);
        assert_eq!(m.get(Lang::En), "key `C-r` is bound twice in [global] (first at line 2)");
        assert_eq!(m.get(Lang::ZhCn), "按键 `C-r` 在 [global] 中绑定了两次（第一次在第 2 行）");
        for msg in UiMsg::ALL {
            assert_ne!(msg.text(Lang::En), msg.text(Lang::ZhCn), "{msg:?} is not translated");
            // The same names to fill in, in both texts.
            let names = |t: &str| {
                let mut v: Vec<String> = t
                    .split('{')
                    .skip(1)
                    .filter_map(|s| s.split_once('}'))
                    .map(|(n, _)| n.to_string())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(names(msg.text(Lang::En)), names(msg.text(Lang::ZhCn)), "{msg:?}");
        }
    }
}
