//! The demo's division-code editions: Hainan's county-level list of 2014 and 2015 (GB/T 2260,
//! six digits: Danzhou made a prefecture-level city) and its statistical codes of 2017 and
//! 2023 (twelve digits: streets renamed in form, state farms gone, Sansha's new units). Public
//! facts, from the Ministry of Civil Affairs' and the National Bureau of Statistics' lists as
//! the public collections yescallop/areacodes (CC0 1.0) and modood/Administrative-divisions-of-
//! China (WTFPL) keep them; only the code and name of each row are carried.

use crate::divcodes::import::{parse, Format};
use crate::store::divcodes::DivcodeError;
use crate::store::Store;

/// (name, file, text), oldest first: the last two are compared first.
const EDITIONS: &[(&str, &str, &str)] = &[
    ("海南2014", "mca-hainan-2014.csv", include_str!("divcodes/mca-hainan-2014.csv")),
    ("海南2015", "mca-hainan-2015.csv", include_str!("divcodes/mca-hainan-2015.csv")),
    ("统计2017", "nbs-hainan-2017.csv", include_str!("divcodes/nbs-hainan-2017.csv")),
    ("统计2023", "nbs-hainan-2023.csv", include_str!("divcodes/nbs-hainan-2023.csv")),
];

/// Imports the demo editions, unless the database holds editions already.
pub fn seed(store: &mut Store, now: i64) -> Result<(), DivcodeError> {
    if !store.divcode_versions()?.is_empty() {
        return Ok(());
    }
    for (name, file, text) in EDITIONS {
        // The demo's own files: they read (a test says so).
        let Ok(edition) = parse(text.as_bytes(), Format::Csv) else { continue };
        let sha = {
            use sha2::Digest;
            sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        store.import_divcodes(name, &format!("demo/{file}"), &edition, &sha, "demo", now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_editions_read_and_hold_real_changes() {
        for (name, _, text) in EDITIONS {
            assert!(parse(text.as_bytes(), Format::Csv).is_ok(), "{name}");
        }
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db")).unwrap();
        seed(&mut store, 1).unwrap();
        seed(&mut store, 2).unwrap();
        let vs = store.divcode_versions().unwrap();
        assert_eq!(vs.len(), 4, "seeded once");
        let d = store.divcode_differences(vs[2].id, vs[3].id, "").unwrap();
        let changes = crate::divcodes::diff::diff(&d.old, &d.new);
        assert!(changes.iter().filter(|c| c.form_only).count() >= 20);
        assert!(changes.iter().any(|c| c.kind == crate::divcodes::diff::Kind::Removed));
        let d = store.divcode_differences(vs[0].id, vs[1].id, "").unwrap();
        let changes = crate::divcodes::diff::diff(&d.old, &d.new);
        assert!(
            changes.iter().any(|c| c.id() == "469003" && c.mapping[0].1.as_str() == "460400"),
            "{changes:?}"
        );
    }
}
