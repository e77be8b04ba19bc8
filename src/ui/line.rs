//! The one-line editor behind every prompt (the `:` command line, the fleet filter, the Logs
//! pane's search, filters, file names and filter numbers). It edits like a shell line: Ctrl-U,
//! Ctrl-W, Ctrl-K, Ctrl-A/E, Home/End, Left/Right (Ctrl or Alt for words), Backspace/Delete.
//! A key it has no use for is dropped, never handed to the pane behind the prompt.
//!
//! The text and its drawing (horizontal scrolling, wide characters never split) are
//! `ratatui_textarea::TextArea`'s; only the keys are chosen here, because the text area's own
//! shortcuts are an editor's (Ctrl-U undoes, Enter and Ctrl-M break the line).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::Frame;
use ratatui_textarea::{CursorMove, TextArea};
use yunwei_widgets::width::width;

/// What a key did to the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKey {
    /// Enter: the line as typed.
    Submit(String),
    /// Esc: the prompt closes without effect.
    Cancel,
    /// The text changed.
    Edited,
    /// The cursor moved, or the key has no use here and was dropped.
    Kept,
}

pub struct LineEdit {
    area: TextArea<'static>,
}

/// A pane's one-line question: what it asks, and the line being typed.
#[derive(Debug)]
pub struct Prompt<A> {
    pub ask: A,
    pub line: LineEdit,
}

impl<A> Prompt<A> {
    pub fn new(ask: A, text: &str) -> Prompt<A> {
        Prompt { ask, line: LineEdit::new(text) }
    }
}

/// What a key did to a pane's prompt.
pub enum PromptKey<A> {
    /// No prompt is open: the key is the pane's.
    NotOpen,
    /// The prompt took it (an edit, or Esc closing it).
    Taken,
    /// Enter: the question and the line as typed; the prompt is closed.
    Answered(A, String),
}

/// A key for the prompt in `slot`, if one is open.
pub fn prompt_key<A>(slot: &mut Option<Prompt<A>>, key: KeyEvent) -> PromptKey<A> {
    let Some(p) = slot.as_mut() else { return PromptKey::NotOpen };
    match p.line.key(key) {
        LineKey::Submit(text) => match slot.take() {
            Some(p) => PromptKey::Answered(p.ask, text),
            None => PromptKey::Taken,
        },
        LineKey::Cancel => {
            *slot = None;
            PromptKey::Taken
        }
        LineKey::Edited | LineKey::Kept => PromptKey::Taken,
    }
}

/// Pasted text for the prompt in `slot`: false when none is open.
pub fn prompt_paste<A>(slot: &mut Option<Prompt<A>>, text: &str) -> bool {
    match slot {
        Some(p) => {
            p.line.paste(text);
            true
        }
        None => false,
    }
}

impl std::fmt::Debug for LineEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineEdit").field("text", &self.text()).finish()
    }
}

impl LineEdit {
    /// A line holding `text` (line breaks dropped), the cursor at its end.
    pub fn new(text: &str) -> LineEdit {
        let mut area = TextArea::new(vec![one_line(text)]);
        area.move_cursor(CursorMove::End);
        area.set_cursor_line_style(Style::default());
        LineEdit { area }
    }

    pub fn text(&self) -> &str {
        self.area.lines().first().map_or("", String::as_str)
    }

    /// The cursor's position, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.area.cursor().1
    }

    /// Pasted text goes in at the cursor, on this one line.
    pub fn paste(&mut self, text: &str) -> LineKey {
        let text = one_line(text);
        if text.is_empty() {
            return LineKey::Kept;
        }
        self.area.insert_str(text);
        LineKey::Edited
    }

    pub fn key(&mut self, key: KeyEvent) -> LineKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let a = &mut self.area;
        let edited = match key.code {
            KeyCode::Enter => return LineKey::Submit(self.text().to_string()),
            KeyCode::Esc => return LineKey::Cancel,
            KeyCode::Char('u') if ctrl => a.delete_line_by_head(),
            KeyCode::Char('k') if ctrl => a.delete_line_by_end(),
            KeyCode::Char('w') if ctrl => return self.rub_out_word(),
            KeyCode::Backspace if ctrl || alt => a.delete_word(),
            KeyCode::Char('d') if alt => a.delete_next_word(),
            KeyCode::Char('h') if ctrl => a.delete_char(),
            KeyCode::Backspace => a.delete_char(),
            KeyCode::Char('d') if ctrl => a.delete_next_char(),
            KeyCode::Delete => a.delete_next_char(),
            KeyCode::Char('a') if ctrl => return self.moved(CursorMove::Head),
            KeyCode::Home => return self.moved(CursorMove::Head),
            KeyCode::Char('e') if ctrl => return self.moved(CursorMove::End),
            KeyCode::End => return self.moved(CursorMove::End),
            KeyCode::Char('b') if ctrl => return self.moved(CursorMove::Back),
            KeyCode::Char('f') if ctrl => return self.moved(CursorMove::Forward),
            KeyCode::Char('b') if alt => return self.moved(CursorMove::WordBack),
            KeyCode::Char('f') if alt => return self.moved(CursorMove::WordForward),
            KeyCode::Left if ctrl || alt => return self.moved(CursorMove::WordBack),
            KeyCode::Right if ctrl || alt => return self.moved(CursorMove::WordForward),
            KeyCode::Left => return self.moved(CursorMove::Back),
            KeyCode::Right => return self.moved(CursorMove::Forward),
            KeyCode::Char(c) if !ctrl && !alt && !crate::text::is_unprintable(c) => {
                a.insert_char(c);
                true
            }
            _ => false,
        };
        if edited {
            LineKey::Edited
        } else {
            LineKey::Kept
        }
    }

    fn moved(&mut self, m: CursorMove) -> LineKey {
        self.area.move_cursor(m);
        LineKey::Kept
    }

    /// Ctrl-W as a shell does it: back over spaces, then over everything up to the previous
    /// space (a whole path goes at once, unlike the text area's word).
    fn rub_out_word(&mut self) -> LineKey {
        let before: Vec<char> = self.text().chars().take(self.cursor()).collect();
        let spaces = before.iter().rev().take_while(|c| c.is_whitespace()).count();
        let word = before[..before.len() - spaces].iter().rev().take_while(|c| !c.is_whitespace()).count();
        let n = spaces + word;
        for _ in 0..n {
            self.area.delete_char();
        }
        if n > 0 {
            LineKey::Edited
        } else {
            LineKey::Kept
        }
    }

    /// Draws `prompt` (at most half of `area`) and the line after it.
    pub fn render(&mut self, f: &mut Frame<'_>, area: Rect, prompt: &str, prompt_style: Style, style: Style) {
        let pw = (width(prompt) as u16).min(area.width / 2);
        f.render_widget(Span::styled(prompt.to_string(), prompt_style), Rect { width: pw, ..area });
        self.area.set_style(style);
        let input = Rect { x: area.x + pw, width: area.width - pw, ..area };
        f.render_widget(&self.area, input);
    }
}

/// `text` with line breaks and tabs as spaces and other unprintable characters dropped.
fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if crate::text::is_unprintable(c) => None,
            c => Some(c),
        })
        .collect::<String>()
        .trim_end_matches(' ')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(line: &mut LineEdit, s: &str) {
        for c in s.chars() {
            assert_eq!(line.key(key(KeyCode::Char(c))), LineKey::Edited);
        }
    }

    #[test]
    fn edits_like_a_shell_line() {
        let mut l = LineEdit::new("");
        typed(&mut l, "grep /var/log/app.log  ");
        assert_eq!(l.key(ctrl('w')), LineKey::Edited);
        assert_eq!(l.text(), "grep ", "Ctrl-W takes the spaces and the whole path");
        typed(&mut l, "错误 x");
        assert_eq!(l.key(ctrl('a')), LineKey::Kept);
        assert_eq!(l.cursor(), 0);
        l.key(key(KeyCode::Delete));
        assert_eq!(l.text(), "rep 错误 x");
        l.key(key(KeyCode::End));
        l.key(key(KeyCode::Left));
        l.key(key(KeyCode::Backspace));
        assert_eq!(l.text(), "rep 错误x");
        l.key(ctrl('u'));
        assert_eq!(l.text(), "x", "Ctrl-U kills to the start, not undo");
        l.key(ctrl('e'));
        typed(&mut l, "yz");
        l.key(key(KeyCode::Home));
        l.key(key(KeyCode::Right));
        l.key(ctrl('k'));
        assert_eq!(l.text(), "x");
        l.key(ctrl('h'));
        assert_eq!(l.text(), "");
        assert_eq!(l.key(ctrl('w')), LineKey::Kept);
    }

    #[test]
    fn one_line_only_and_nothing_unprintable() {
        let mut l = LineEdit::new("a\nb");
        assert_eq!(l.text(), "a b");
        assert_eq!(l.key(ctrl('m')), LineKey::Kept, "no line break");
        assert_eq!(l.key(ctrl('j')), LineKey::Kept);
        assert_eq!(l.key(key(KeyCode::Tab)), LineKey::Kept);
        assert_eq!(l.key(key(KeyCode::F(5))), LineKey::Kept);
        assert_eq!(l.paste("c\r\nd\x1b[31m\u{202e}"), LineKey::Edited);
        assert_eq!(l.text(), "a bc  d[31m");
        assert_eq!(l.key(key(KeyCode::Enter)), LineKey::Submit("a bc  d[31m".into()));
        assert_eq!(l.key(key(KeyCode::Esc)), LineKey::Cancel);
    }
}
