//! The ticket queue's words in both languages: statuses, categories, channels, impact and
//! urgency levels, as the pane, the command line's text output and the quarterly report show
//! them. The names stored and typed (`in_progress`, `data`) stay English; these are for reading.

use crate::i18n::Lang;
use crate::tickets::{Category, Channel, Level, Status};

fn pick(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

pub fn status(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::New => pick(lang, "new", "新建"),
        Status::Acknowledged => pick(lang, "acknowledged", "已受理"),
        Status::InProgress => pick(lang, "in progress", "处理中"),
        Status::Pending => pick(lang, "pending", "挂起"),
        Status::Resolved => pick(lang, "resolved", "已解决"),
        Status::Closed => pick(lang, "closed", "已关闭"),
        Status::Cancelled => pick(lang, "cancelled", "已取消"),
    }
}

pub fn category(c: Category, lang: Lang) -> &'static str {
    match c {
        Category::Network => pick(lang, "network", "网络"),
        Category::Security => pick(lang, "security", "安全"),
        Category::Software => pick(lang, "software", "软件"),
        Category::Data => pick(lang, "data", "数据"),
        Category::Server => pick(lang, "server", "服务器"),
    }
}

pub fn channel(c: Channel, lang: Lang) -> &'static str {
    match c {
        Channel::Phone => pick(lang, "phone", "电话"),
        Channel::Email => pick(lang, "e-mail", "邮件"),
        Channel::Onsite => pick(lang, "on site", "现场"),
        Channel::Remote => pick(lang, "remote", "远程"),
        Channel::Monitoring => pick(lang, "monitoring", "监控"),
    }
}

pub fn level(l: Level, lang: Lang) -> &'static str {
    match l {
        Level::High => pick(lang, "high", "高"),
        Level::Medium => pick(lang, "medium", "中"),
        Level::Low => pick(lang, "low", "低"),
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
