//! The demo's alert history: one host silenced for a maintenance window (the backup NAS
//! getting a disk replaced), past episodes of alerts that have cleared, so the Alerts tab's
//! history and an alert's episodes have something to show, and last night's handover. The live alerts come from
//! the demo's own sources (the fleet's figures, the backup jobs, the ticket clocks).

use crate::alerts::{AlertKey, Change, Metric, SilenceScope};
use crate::health::Level;
use crate::i18n::Both;
use crate::store::Store;

pub fn seed(store: &mut Store, now: i64) -> crate::store::Result<()> {
    // Once per database: the demo's sources raise their own alerts meanwhile.
    if !store.silences_between(0, i64::MAX)?.is_empty() {
        return Ok(());
    }
    store.add_silence(
        SilenceScope::Host,
        "demo-backup",
        "更换 NAS 故障硬盘（变更单 BG-2026-118）",
        now + 3 * 3600,
        "值班-王",
        now - 20 * 60,
    )?;
    let disk = AlertKey::health("demo-db1", Metric::Disk, "/u01");
    let down = AlertKey::health("demo-app1", Metric::Unreachable, "");
    let open = |key: &AlertKey, level, en: &str, zh: &str, at| Change::Open {
        key: key.clone(),
        level,
        value: None,
        message: Both::new(en, zh),
        host: None,
        at,
    };
    let day = 86_400;
    store.apply_alert_changes(&[
        open(
            &disk,
            Level::Warn,
            "disk /u01 at 84 % (warn 80 %)",
            "磁盘 /u01 已用 84%（警告阈值 80%）",
            now - 6 * day,
        ),
        Change::Clear { key: disk.clone(), at: now - 6 * day + 5400 },
        open(&down, Level::Crit, "host unreachable (timeout)", "主机不可达（超时）", now - 2 * day),
        Change::Clear { key: down.clone(), at: now - 2 * day + 780 },
        open(
            &disk,
            Level::Warn,
            "disk /u01 at 86 % (warn 80 %)",
            "磁盘 /u01 已用 86%（警告阈值 80%）",
            now - day,
        ),
        Change::Clear { key: disk, at: now - day + 3600 },
    ])?;
    // Last night's handover, acknowledged by the morning shift (`yunwei duty log` lists it).
    let night = now - 86_400 + 8 * 3600;
    let text = "# 交接班：值班-王 → 值班-李\n\n## 新出现的告警（1）\n\n- 严重 `health/demo-app1/unreachable`：主机不可达（超时）（已恢复）\n\n## 交接说明\n\ndemo-app1 凌晨重启后恢复；demo-db1 的 /u01 仍在 86% 左右，待扩容审批。\n";
    let id = store.record_handover(
        "值班-王",
        Some("值班-李"),
        night - 8 * 3600,
        "demo-app1 凌晨重启后恢复",
        text,
        night,
    )?;
    store.ack_handover(id, "值班-李", night + 600)?;
    Ok(())
}
