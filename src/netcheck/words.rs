//! The network checks' words in both languages: states, kinds and reasons, as the pane, the
//! command line and the alerts say them. The names stored and printed in JSON (`ok`, `crit`,
//! `http`) stay English.

use super::{Cannot, Fault, Kind, Reason, State};
use crate::i18n::{tr, Lang};

pub fn state(s: State, lang: Lang) -> &'static str {
    match (s, lang) {
        (State::Ok, Lang::En) => "ok",
        (State::Ok, Lang::ZhCn) => "正常",
        (State::Warn, Lang::En) => "warn",
        (State::Warn, Lang::ZhCn) => "警告",
        (State::Crit, Lang::En) => "crit",
        (State::Crit, Lang::ZhCn) => "严重",
        (State::Unknown, Lang::En) => "unknown",
        (State::Unknown, Lang::ZhCn) => "未知",
    }
}

pub fn kind(k: Kind, lang: Lang) -> &'static str {
    match (k, lang) {
        (Kind::Tcp, _) => "TCP",
        (Kind::Http, _) => "HTTP",
        (Kind::Tls, _) => "TLS",
        (Kind::Dns, Lang::En) => "DNS",
        (Kind::Dns, Lang::ZhCn) => "域名解析",
        (Kind::Ping, _) => "ping",
    }
}

/// A latency as the grid shows it: `12 ms`, `1.2 s`.
pub fn latency(ms: f64, lang: Lang) -> String {
    if ms >= 1000.0 {
        tr(lang, format!("{:.1} s", ms / 1000.0), format!("{:.1} 秒", ms / 1000.0))
    } else if ms >= 10.0 {
        tr(lang, format!("{ms:.0} ms"), format!("{ms:.0} 毫秒"))
    } else {
        tr(lang, format!("{ms:.1} ms"), format!("{ms:.1} 毫秒"))
    }
}

/// A latency in a few columns for the grid: `12ms`, `1.2s`, `0.4ms`.
pub fn latency_short(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1}s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{ms:.1}ms")
    }
}

pub fn fault(f: &Fault, timeout: std::time::Duration, lang: Lang) -> String {
    let secs = timeout.as_secs_f64();
    let secs = if secs.fract() == 0.0 { format!("{secs:.0}") } else { format!("{secs:.1}") };
    match f {
        Fault::Refused => tr(lang, "connection refused", "连接被拒绝"),
        Fault::TimedOut => tr(lang, format!("timed out after {secs} s"), format!("超时（{secs} 秒无应答）")),
        Fault::NotResolved => tr(lang, "name not resolved", "域名无法解析"),
        Fault::Unreachable => tr(lang, "network unreachable", "网络不可达"),
        Fault::Tls(said) if said.is_empty() => tr(lang, "TLS handshake failed", "TLS 握手失败"),
        Fault::Tls(said) => {
            tr(lang, format!("TLS handshake failed: {said}"), format!("TLS 握手失败：{said}"))
        }
        Fault::Other(said) => tr(lang, format!("failed: {said}"), format!("失败：{said}")),
    }
}

pub fn cannot(c: &Cannot, lang: Lang) -> String {
    match c {
        Cannot::NoTool(tools) if tools.len() == 1 => tr(
            lang,
            format!("{} is not installed on the probing host", tools[0]),
            format!("探测主机上没有安装 {}", tools[0]),
        ),
        Cannot::NoTool(tools) => {
            let list = tools.join(", ");
            tr(
                lang,
                format!("none of {list} is installed on the probing host"),
                format!("探测主机上 {list} 均未安装"),
            )
        }
        Cannot::Denied(said) => tr(
            lang,
            format!("ping may not send here (no raw-socket privilege): {said}"),
            format!("此处无权发送 ping（缺少原始套接字权限）：{said}"),
        ),
        Cannot::Host(why) => {
            tr(lang, format!("the probing host did not answer: {why}"), format!("探测主机无应答：{why}"))
        }
        Cannot::Other(why) => tr(lang, format!("not probed: {why}"), format!("未能探测：{why}")),
    }
}

pub fn reason(r: &Reason, lang: Lang) -> String {
    match r {
        Reason::Fine { latency_ms, status: Some(s) } => {
            let t = latency(*latency_ms, lang);
            tr(lang, format!("status {s} in {t}"), format!("状态码 {s}，耗时 {t}"))
        }
        Reason::Fine { latency_ms, status: None } => {
            let t = latency(*latency_ms, lang);
            tr(lang, format!("answered in {t}"), format!("应答耗时 {t}"))
        }
        Reason::Resolved { latency_ms, addresses } => {
            let t = latency(*latency_ms, lang);
            let mut list = addresses.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
            if addresses.len() > 4 {
                list.push_str(", …");
            }
            tr(lang, format!("resolved to {list} in {t}"), format!("解析为 {list}，耗时 {t}"))
        }
        Reason::Fault(f, timeout) => fault(f, *timeout, lang),
        Reason::Status(s) => tr(lang, format!("status {s}"), format!("状态码 {s}")),
        Reason::NoStatus => tr(lang, "no HTTP status came back", "未收到 HTTP 状态码"),
        Reason::BodyMismatch => tr(lang, "body did not match", "响应内容不匹配"),
        Reason::CertExpired { days_ago: 0 } => {
            tr(lang, "TLS certificate expired today", "TLS 证书今天已过期")
        }
        Reason::CertExpired { days_ago } => tr(
            lang,
            format!("TLS certificate expired {days_ago} days ago"),
            format!("TLS 证书已于 {days_ago} 天前过期"),
        ),
        Reason::CertExpires { days: 1 } => {
            tr(lang, "TLS certificate expires in 1 day", "TLS 证书 1 天后过期")
        }
        Reason::CertExpires { days } => {
            tr(lang, format!("TLS certificate expires in {days} days"), format!("TLS 证书 {days} 天后过期"))
        }
        Reason::Slow { ms, limit } => tr(
            lang,
            format!("slow: {ms} ms (limit {limit} ms)"),
            format!("响应慢：{ms} 毫秒（上限 {limit} 毫秒）"),
        ),
        Reason::Cannot(c) => cannot(c, lang),
    }
}

/// A reason's short code ([`super::Reason::code`]) in a few cells, for the grid; None for
/// a fine one or a code not known (an older console's).
pub fn brief(code: &str, lang: Lang) -> Option<String> {
    let (word, arg) = code.split_once(':').unwrap_or((code, ""));
    let zh = lang == Lang::ZhCn;
    let text = match word {
        "refused" => tr(lang, "refused", "拒绝"),
        "timeout" => tr(lang, "timeout", "超时"),
        "no-name" => tr(lang, "no name", "无法解析"),
        "unreachable" => tr(lang, "unreach", "不可达"),
        "tls" => tr(lang, "TLS fail", "TLS失败"),
        "error" => tr(lang, "error", "出错"),
        "status" if !arg.is_empty() => arg.to_string(),
        "no-status" => tr(lang, "no status", "无状态码"),
        "body" => tr(lang, "body", "内容不符"),
        "cert-expired" => tr(lang, "expired", "证书过期"),
        "cert-expires" if !arg.is_empty() => {
            if zh {
                format!("证书{arg}天")
            } else {
                format!("cert {arg}d")
            }
        }
        "no-tool" => tr(lang, "no tool", "缺工具"),
        "host" => tr(lang, "no host", "无应答"),
        "cannot" => tr(lang, "not run", "未探测"),
        "pending" => tr(lang, "pending", "待探测"),
        _ => return None,
    };
    Some(text)
}

/// Every reason, the deciding one first, joined.
pub fn reasons(rs: &[Reason], lang: Lang) -> String {
    let sep = if lang == Lang::ZhCn { "；" } else { "; " };
    rs.iter().map(|r| reason(r, lang)).collect::<Vec<_>>().join(sep)
}

/// Why a target was refused.
pub fn target_error(e: &super::TargetError, lang: Lang) -> String {
    use super::TargetError;
    match e {
        TargetError::Form(Kind::Tcp) => tr(lang, "write it host:port", "应写成 主机:端口"),
        TargetError::Form(Kind::Http) => {
            tr(lang, "write it as an http:// or https:// URL", "应写成 http:// 或 https:// 开头的地址")
        }
        TargetError::Form(Kind::Tls) => {
            tr(lang, "write it host[:port] or as an https:// URL", "应写成 主机[:端口] 或 https:// 地址")
        }
        TargetError::Form(_) => tr(lang, "write a host name or an address", "应写主机名或地址"),
        TargetError::HostChar(c) => {
            let c = c.escape_debug().to_string();
            tr(
                lang,
                format!("a host name cannot hold '{c}' (letters, digits, '-', '.' and '_', not first '-')"),
                format!("主机名不能含有 '{c}'（只能是字母、数字、'-'、'.'、'_'，且不以 '-' 开头）"),
            )
        }
        TargetError::Port(p) => tr(
            lang,
            format!("port \"{p}\" is not a number from 1 to 65535"),
            format!("端口 \"{p}\" 不是 1 到 65535 之间的数字"),
        ),
        TargetError::Credentials => tr(
            lang,
            "a user or password in the URL would be stored and shown; the checks do not log in",
            "地址中的用户名或密码会被保存并显示；检查不登录",
        ),
        TargetError::UrlChar(c) => {
            let c = c.escape_debug().to_string();
            tr(
                lang,
                format!("a URL cannot hold '{c}' (percent-encode it, %20 for a space)"),
                format!("地址中不能含有 '{c}'（请用百分号编码，空格写作 %20）"),
            )
        }
    }
}
