//! Test helper: reads the shared real-world fixtures (kept outside the repo, some are GPL)
//! from `$YUNWEI_SHARED_DATA/fixtures/` or `../shared/data/fixtures/` next to the crate.

use std::path::PathBuf;

/// Returns the text of the fixture `rel` (e.g. `"proc/gopsutil-2017/stat"`).
///
/// Panics with the full path when the file cannot be read: a missing fixture is a
/// broken test environment, not something a test may silently skip.
pub fn read_fixture(rel: &str) -> String {
    let path = match std::env::var_os("YUNWEI_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir).join("fixtures").join(rel),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/fixtures/")).join(rel),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!(
            "shared fixture {} is not readable ({e}); set YUNWEI_SHARED_DATA to the shared data dir",
            path.display()
        ),
    }
}
