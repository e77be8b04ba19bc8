//! Test helpers for the two fixture sets:
//!
//! * the project's own captures in `tests/fixtures/captures/` (written for this repository,
//!   always there: [`own_fixture`]);
//! * the shared real-world captures, kept outside the repository because some are GPL, in
//!   `$YUNWEI_SHARED_DATA/fixtures/` or `../shared/data/fixtures/` next to the crate
//!   ([`shared_data`], [`read_fixture`]).
//!
//! A test of the shared set starts with `if !shared_data("why") { return; }`: without the shared
//! folder it says on stderr that it was skipped and why. When `YUNWEI_SHARED_DATA` is set the
//! folder is required, and a missing folder or file fails the test.

use std::path::{Path, PathBuf};

/// Where the project's own captures live.
pub const OWN_CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/captures");

/// Returns the text of the project's own capture `rel` (e.g. `"rhel6-2.6.32/meminfo"`).
///
/// Panics with the full path when the file cannot be read: these files are in the repository.
pub fn own_fixture(rel: &str) -> String {
    let path = Path::new(OWN_CAPTURES).join(rel);
    match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!("own fixture {} is not readable ({e})", path.display()),
    }
}

/// The bytes of the project's own capture `rel`, for files that are not UTF-8 (GBK logs).
pub fn own_fixture_bytes(rel: &str) -> Vec<u8> {
    let path = Path::new(OWN_CAPTURES).join(rel);
    match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => panic!("own fixture {} is not readable ({e})", path.display()),
    }
}

fn shared_dir() -> (PathBuf, bool) {
    match std::env::var_os("YUNWEI_SHARED_DATA").filter(|d| !d.is_empty()) {
        Some(dir) => (PathBuf::from(dir).join("fixtures"), true),
        None => (PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/fixtures")), false),
    }
}

/// True when the shared real captures are there. When they are not (and `YUNWEI_SHARED_DATA`
/// is not set), prints on stderr that the calling test is skipped, with `what` it would have
/// checked, and returns false. With `YUNWEI_SHARED_DATA` set to a folder without `fixtures/`,
/// panics: the caller asked for the shared set.
pub fn shared_data(what: &str) -> bool {
    let (dir, asked) = shared_dir();
    if dir.is_dir() {
        return true;
    }
    if asked {
        panic!("YUNWEI_SHARED_DATA is set but {} is not a folder", dir.display());
    }
    eprintln!(
        "skipped: {what}: the shared real captures ({}) are not here; the project's own fixtures \
         cover the same cases",
        dir.display()
    );
    // The test harness keeps a passing test's `eprintln!` to itself; say once per test binary,
    // past the capture, that some tests were skipped.
    static NOTICE: std::sync::Once = std::sync::Once::new();
    NOTICE.call_once(|| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: tests on the shared real captures are skipped: {} not found (--nocapture shows which)",
            dir.display()
        );
    });
    false
}

/// Returns the text of the shared fixture `rel` (e.g. `"proc/gopsutil-2017/stat"`). Call
/// [`shared_data`] first.
///
/// Panics with the full path when the file cannot be read: with the shared folder present, a
/// missing file is a broken test environment, not something a test may silently skip.
pub fn read_fixture(rel: &str) -> String {
    let path = shared_dir().0.join(rel);
    match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => panic!(
            "shared fixture {} is not readable ({e}); set YUNWEI_SHARED_DATA to the shared data dir",
            path.display()
        ),
    }
}
