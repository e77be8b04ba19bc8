//! Human-readable figures: sizes, rates, durations and percentages, short enough for a table cell.

/// Bytes as `512B`, `1.5K`, `23M`, `1.2G` (binary units, one decimal below ten).
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 6] = ["B", "K", "M", "G", "T", "P"];
    if !n.is_finite() || n < 0.0 {
        return "-".into();
    }
    let mut v = n;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{}B", v.round() as u64)
    } else if v < 10.0 {
        format!("{v:.1}{}", UNITS[unit])
    } else {
        format!("{}{}", v.round() as u64, UNITS[unit])
    }
}

pub fn kib(n: u64) -> String {
    bytes(n as f64 * 1024.0)
}

/// A rate in bytes per second, without the `/s` (the column header says it).
pub fn rate(bps: f64) -> String {
    bytes(bps)
}

/// Seconds as `45s`, `12m`, `5h12m`, `3d4h`, `412d`.
pub fn duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86400, (secs % 86400) / 3600, (secs % 3600) / 60);
    if d >= 100 {
        format!("{d}d")
    } else if d > 0 {
        format!("{d}d{h}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{secs}s")
    }
}

pub fn pct(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.0}"),
        _ => "-".into(),
    }
}

pub fn ratio(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.2}"),
        _ => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        assert_eq!(bytes(0.0), "0B");
        assert_eq!(bytes(1536.0), "1.5K");
        assert_eq!(bytes(25.0 * 1024.0 * 1024.0), "25M");
        assert_eq!(kib(8 * 1024 * 1024), "8.0G");
        assert_eq!(bytes(f64::NAN), "-");
        assert_eq!(duration(59), "59s");
        assert_eq!(duration(600), "10m");
        assert_eq!(duration(5 * 3600 + 12 * 60), "5h12m");
        assert_eq!(duration(3 * 86400 + 4 * 3600), "3d4h");
        assert_eq!(duration(412 * 86400), "412d");
        assert_eq!(pct(Some(93.4)), "93");
        assert_eq!(pct(None), "-");
        assert_eq!(ratio(Some(1.234)), "1.23");
    }
}
