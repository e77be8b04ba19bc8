//! The console's clock. `YUNWEI_NOW` (RFC 3339) sets it for drills and tests: the console's
//! time starts there and runs on from it, so SLA clocks count down as they would on the day;
//! unset (or empty), it is the system's.

use std::sync::OnceLock;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};

/// The moment `YUNWEI_NOW` names and when this process first asked; None without it.
fn start() -> Option<(DateTime<FixedOffset>, Instant)> {
    static START: OnceLock<Option<(DateTime<FixedOffset>, Instant)>> = OnceLock::new();
    *START.get_or_init(|| {
        let v = std::env::var("YUNWEI_NOW").ok()?;
        let t = DateTime::parse_from_rfc3339(v.trim()).ok()?;
        Some((t, Instant::now()))
    })
}

/// Now, in the local offset (or `YUNWEI_NOW`'s).
pub fn now() -> DateTime<FixedOffset> {
    match start() {
        Some((t, since)) => t + chrono::Duration::from_std(since.elapsed()).unwrap_or_default(),
        None => chrono::Local::now().fixed_offset(),
    }
}

/// Now, in Unix seconds.
pub fn now_s() -> i64 {
    now().timestamp()
}
