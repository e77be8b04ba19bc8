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

/// A history event's field, in words (an unknown one, from a newer yunwei, as it is).
pub fn history_field(field: &str, lang: crate::i18n::Lang) -> std::borrow::Cow<'_, str> {
    let zh = lang == crate::i18n::Lang::ZhCn;
    let word = match field {
        "created" => {
            if zh {
                "创建"
            } else {
                "created"
            }
        }
        "status" => {
            if zh {
                "状态"
            } else {
                "status"
            }
        }
        "priority" => {
            if zh {
                "优先级"
            } else {
                "priority"
            }
        }
        "assignee" => {
            if zh {
                "处理人"
            } else {
                "assignee"
            }
        }
        "escalation_level" => {
            if zh {
                "升级级别"
            } else {
                "escalation level"
            }
        }
        "escalation_reason" => {
            if zh {
                "升级原因"
            } else {
                "escalation reason"
            }
        }
        "note" => {
            if zh {
                "备注"
            } else {
                "note"
            }
        }
        "tag" => {
            if zh {
                "标签"
            } else {
                "tag"
            }
        }
        other => return crate::text::escape_unprintable(other),
    };
    std::borrow::Cow::Borrowed(word)
}

/// A status as the reader reads it, with the name typed for it (`已受理（acknowledged）`);
/// in English the name alone.
pub fn status_named(s: Status, lang: Lang) -> String {
    match lang {
        Lang::En => s.as_str().to_string(),
        Lang::ZhCn => format!("{}（{}）", status(s, lang), s.as_str()),
    }
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
