//! The ticket queue's words in both languages: statuses, categories, channels, impact and
//! urgency levels, as the pane, the command line's text output and the quarterly report show
//! them. The names stored and typed (`in_progress`, `data`) stay English; these are for reading.

use crate::i18n::Lang;
use crate::tickets::words::Words;
use crate::tickets::{Category, Channel, Level, Status};

fn pick<T: Words>(v: T, lang: Lang) -> &'static str {
    let (en, zh) = v.words();
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

pub fn status(s: Status, lang: Lang) -> &'static str {
    pick(s, lang)
}

pub fn category(c: Category, lang: Lang) -> &'static str {
    pick(c, lang)
}

pub fn channel(c: Channel, lang: Lang) -> &'static str {
    pick(c, lang)
}

pub fn level(l: Level, lang: Lang) -> &'static str {
    pick(l, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_in_both_languages() {
        for &s in Status::ALL {
            assert_ne!(status(s, Lang::En), status(s, Lang::ZhCn));
        }
        for &c in Category::ALL {
            assert_ne!(category(c, Lang::En), category(c, Lang::ZhCn));
        }
        for &c in Channel::ALL {
            assert_ne!(channel(c, Lang::En), channel(c, Lang::ZhCn));
        }
        assert_eq!(level(Level::High, Lang::ZhCn), "高");
    }
}
