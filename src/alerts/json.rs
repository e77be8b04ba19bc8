//! An alert in JSON, as `yunwei alerts --json` prints it and `[notify] command` reads it on
//! its standard input: `{id, source, subject, host, severity (warn|crit), state, reason,
//! opened_at, acknowledged_at, acknowledged_by, note, snoozed_until, cleared_at}`, times in
//! RFC 3339.

use chrono::{FixedOffset, TimeZone};
use serde_json::{json, Value};

use super::{Alert, AlertState};
use crate::health::Level;
use crate::i18n::Lang;

/// A moment as RFC 3339 in `offset`; null for none.
fn stamp(t: Option<i64>, offset: FixedOffset) -> Value {
    t.and_then(|t| offset.timestamp_opt(t, 0).single()).map_or(Value::Null, |d| Value::String(d.to_rfc3339()))
}

pub fn alert_json(a: &Alert, state: AlertState, lang: Lang, offset: FixedOffset) -> Value {
    json!({
        "id": a.id,
        "source": a.key.source().as_str(),
        "subject": a.key.subject(),
        "host": a.host.as_deref().or(a.key.host()),
        "severity": if a.level == Level::Crit { "crit" } else { "warn" },
        "state": state.as_str(),
        "reason": a.reason(lang),
        "opened_at": stamp(Some(a.opened_at), offset),
        "acknowledged_at": stamp(a.acked_at, offset),
        "acknowledged_by": a.acked_by,
        "note": a.note,
        "snoozed_until": stamp(a.snoozed_until, offset),
        "cleared_at": stamp(a.cleared_at, offset),
    })
}
