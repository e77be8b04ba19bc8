//! How people write each of the queue's names, in English and in Chinese: what the pane and
//! the report show, and what an imported sheet may say (`电话` for phone, `处理中` for
//! in_progress). The stored names stay [`Status::as_str`] and the like.

use super::{Category, Channel, Level, Status};

/// The words of a name: (English, Chinese).
pub trait Words: Copy {
    fn words(self) -> (&'static str, &'static str);
}

impl Words for Status {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Status::New => ("new", "新建"),
            Status::Acknowledged => ("acknowledged", "已受理"),
            Status::InProgress => ("in progress", "处理中"),
            Status::Pending => ("pending", "挂起"),
            Status::Resolved => ("resolved", "已解决"),
            Status::Closed => ("closed", "已关闭"),
            Status::Cancelled => ("cancelled", "已取消"),
        }
    }
}

impl Words for Category {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Category::Network => ("network", "网络"),
            Category::Security => ("security", "安全"),
            Category::Software => ("software", "软件"),
            Category::Data => ("data", "数据"),
            Category::Server => ("server", "服务器"),
        }
    }
}

impl Words for Channel {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Channel::Phone => ("phone", "电话"),
            Channel::Email => ("e-mail", "邮件"),
            Channel::Onsite => ("on site", "现场"),
            Channel::Remote => ("remote", "远程"),
            Channel::Monitoring => ("monitoring", "监控"),
        }
    }
}

impl Words for Level {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Level::High => ("high", "高"),
            Level::Medium => ("medium", "中"),
            Level::Low => ("low", "低"),
        }
    }
}
