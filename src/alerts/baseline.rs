//! Alerts of the security baseline (source `baseline`): one per host and kind of sign of
//! compromise (`baseline/<host>/tmp_exe`…), critical, or a warning when every sign of that
//! kind is weak alone; and `baseline/<host>/listeners` when the listeners differ from the
//! recorded baseline (critical for a new one, a warning when one only vanished). What a run no
//! longer finds is cleared, when it looked for it: a run cut short, or one that could not look
//! for a kind (no `ps`, an unreadable file, no record to compare with), clears nothing of it.

use super::{AlertKey, Change, Level};
use crate::baseline::signs::{Kind, Sign};
use crate::i18n::Both;

/// The subject of the listeners' alert.
pub const LISTENERS: &str = "listeners";

/// The alert changes of one host's run: its signs and, when a baseline is recorded, the
/// listeners that appeared and vanished.
pub fn changes(
    host: &str,
    signs: &[Sign],
    looked: &std::collections::BTreeSet<Kind>,
    listeners: Option<(&[String], &[String])>,
    complete: bool,
    at: i64,
) -> Vec<Change> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let key = AlertKey::Baseline { host: host.to_string(), what: kind.as_str().to_string() };
        let of: Vec<&Sign> = signs.iter().filter(|s| s.kind == kind).collect();
        let Some(first) = of.first() else {
            if complete && looked.contains(&kind) {
                out.push(Change::Clear { key, at });
            }
            continue;
        };
        let level = if of.iter().all(|s| s.weak) { Level::Warn } else { Level::Crit };
        let words = kind.words();
        let more = of.len() - 1;
        let evidence = crate::text::escape_unprintable(&first.evidence).chars().take(200).collect::<String>();
        let (en_more, zh_more) = if more > 0 {
            (format!(" (and {more} more)"), format!("（另有 {more} 处）"))
        } else {
            Default::default()
        };
        let (en_weak, zh_weak) = if level == Level::Warn {
            (" (weak evidence alone)", "（单独出现时仅为弱证据）")
        } else {
            ("", "")
        };
        out.push(Change::Open {
            key,
            level,
            value: Some(of.len() as f64),
            message: Both::new(
                format!("{}{en_weak}: {evidence}{en_more}", words.en),
                format!("{}{zh_weak}：{evidence}{zh_more}", words.zh),
            ),
            host: Some(host.to_string()),
            at,
        });
    }
    let key = AlertKey::Baseline { host: host.to_string(), what: LISTENERS.to_string() };
    match listeners {
        Some((new, gone)) if !new.is_empty() || !gone.is_empty() => {
            let level = if new.is_empty() { Level::Warn } else { Level::Crit };
            let mut en = Vec::new();
            let mut zh = Vec::new();
            if !new.is_empty() {
                en.push(format!("new listener {}", new.join(", ")));
                zh.push(format!("新增监听 {}", new.join("、")));
            }
            if !gone.is_empty() {
                en.push(format!("vanished {}", gone.join(", ")));
                zh.push(format!("消失 {}", gone.join("、")));
            }
            out.push(Change::Open {
                key,
                level,
                value: Some((new.len() + gone.len()) as f64),
                message: Both::new(
                    format!("listeners differ from the recorded baseline: {}", en.join("; ")),
                    format!("监听端口与记录的基线不同：{}", zh.join("；")),
                ),
                host: Some(host.to_string()),
                at,
            });
        }
        Some(_) if complete => out.push(Change::Clear { key, at }),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(kind: Kind, weak: bool) -> Sign {
        Sign { kind, weak, evidence: "pid 7 /tmp/x: x\u{1b}[2J".into(), note: None }
    }

    #[test]
    fn a_sign_is_critical_a_weak_one_a_warning_and_what_is_gone_clears() {
        let signs = [sign(Kind::TmpExe, false), sign(Kind::TmpExe, false), sign(Kind::MiningPort, true)];
        let new = ["tcp *:4444 (nc)".to_string()];
        let all: std::collections::BTreeSet<Kind> = Kind::ALL.into_iter().collect();
        let c = changes("db1", &signs, &all, Some((&new, &[])), true, 100);
        let open: Vec<(String, Level)> = c
            .iter()
            .filter_map(|c| match c {
                Change::Open { key, level, .. } => Some((key.to_string(), *level)),
                _ => None,
            })
            .collect();
        assert_eq!(
            open,
            [
                ("baseline/db1/tmp_exe".to_string(), Level::Crit),
                ("baseline/db1/mining_port".to_string(), Level::Warn),
                ("baseline/db1/listeners".to_string(), Level::Crit),
            ]
        );
        let Change::Open { message, .. } =
            &c.iter().find(|c| c.key().to_string() == "baseline/db1/tmp_exe").unwrap()
        else {
            unreachable!()
        };
        assert!(message.en.contains("and 1 more") && !message.en.contains('\u{1b}'), "{message:?}");
        let clears = c.iter().filter(|c| matches!(c, Change::Clear { .. })).count();
        assert_eq!(clears, Kind::ALL.len() - 2);
        // A run cut short clears nothing; without a record the listeners are not judged.
        let cut = changes("db1", &[], &all, None, false, 200);
        assert!(cut.is_empty(), "{cut:?}");
        let blind = changes("db1", &[], &Default::default(), None, true, 200);
        assert!(blind.is_empty(), "a run that could not look clears nothing: {blind:?}");
        assert!(cut.is_empty(), "{cut:?}");
        let gone = ["tcp *:22 (sshd)".to_string()];
        let c = changes("db1", &[], &all, Some((&[], &gone)), true, 300);
        assert!(c.iter().any(|c| matches!(c, Change::Open { level: Level::Warn, .. })));
        let back: AlertKey = "baseline/db1/listeners".parse().unwrap();
        assert_eq!(back.host(), Some("db1"));
    }
}
