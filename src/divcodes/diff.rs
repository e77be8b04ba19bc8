//! What changed between two editions, classified, each change with its proposed old-to-new
//! mapping, the evidence for it and a confidence a reviewer can trust:
//! - `renamed`: the same code with a new name (`form_only` when only the form changed);
//! - `recoded`: a removed and an added code under the same parent for the same place (the same
//!   name: high; the same stem, its type set aside: medium);
//! - `moved`: the same place under another parent (counting a parent that was itself recoded),
//!   with a new code;
//! - `merged`: several removed codes of one parent and one added under it that has the stem of
//!   one of them; `split`: one removed and several added under its parent, one with its stem;
//! - `added`, `removed`: what is left (a removed code without a mapping is the reviewer's to
//!   decide).
//!
//! The matching goes from the top level down, so a county whose prefecture was recoded is found
//! under the prefecture's new code.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::names::{form_only, loose_stem, stem};
use super::{Code, Division};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Renamed,
    Recoded,
    Moved,
    Merged,
    Split,
    Added,
    Removed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Renamed => "renamed",
            Kind::Recoded => "recoded",
            Kind::Moved => "moved",
            Kind::Merged => "merged",
            Kind::Split => "split",
            Kind::Added => "added",
            Kind::Removed => "removed",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [Kind::Renamed, Kind::Recoded, Kind::Moved, Kind::Merged, Kind::Split, Kind::Added, Kind::Removed]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// Why a mapping was proposed (the command line and the pane say it in words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// The same code in both editions.
    SameCode,
    /// The same full name; the parents (old, new) are given when they differ.
    SameName { parents: Option<(Code, Code)> },
    /// The same stem (`儋州县`, `儋州市`).
    SameStem { stem: String, parents: Option<(Code, Code)> },
    /// The others merged into the one that shares a stem with the new code.
    MergedInto { stem: String },
    /// The new code that keeps the old one's stem, beside the others split off.
    SplitFrom { stem: String },
    /// Names that begin alike once the type is set aside, under the same parent.
    SimilarName,
    /// The same code, but its new name was another old code's (gone now), or its old name is
    /// a new code's: the code may have been given to another place.
    CodeReused { new_name_was: Option<Code>, old_name_now: Option<Code> },
    /// Nothing to go by.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub old: Vec<Division>,
    pub new: Vec<Division>,
    /// Old code → new code.
    pub mapping: Vec<(Code, Code)>,
    pub confidence: Confidence,
    pub evidence: Evidence,
    pub form_only: bool,
}

impl Change {
    /// The change's name, stable across runs and prefixes: its first old code, else its first
    /// new code (every code of either edition is in one change at most).
    pub fn id(&self) -> &str {
        self.old.first().or(self.new.first()).map(|d| d.code.as_str()).unwrap_or("")
    }

    /// What the change is, whole: a review names it, so a review made of another change with
    /// the same id (an edition imported again, the classification improved) is told apart.
    pub fn key(&self) -> String {
        let codes = |ds: &[Division]| ds.iter().map(|d| d.code.as_str()).collect::<Vec<_>>().join(",");
        let mapping: Vec<String> = self.mapping.iter().map(|(a, b)| format!("{a}>{b}")).collect();
        format!("{}|{}|{}|{}", self.kind.as_str(), codes(&self.old), codes(&self.new), mapping.join(","))
    }
}

/// The matching's state: where each old code went (kept codes to themselves), what is matched
/// already on either side, and the changes found.
struct State {
    went: HashMap<Code, Code>,
    taken_old: HashSet<Code>,
    taken_new: HashSet<Code>,
    out: Vec<Change>,
}

impl State {
    /// The parent `d` should have now: its old parent, wherever that went.
    fn mapped_parent(&self, d: &Division) -> Option<Code> {
        d.parent.as_ref().map(|p| self.went.get(p).cloned().unwrap_or_else(|| p.clone()))
    }

    fn take(&mut self, r: &Division, a: &Division) {
        self.went.insert(r.code.clone(), a.code.clone());
        self.taken_old.insert(r.code.clone());
        self.taken_new.insert(a.code.clone());
    }

    /// One removed to one added of the same name (or stem), at `level` (None: across levels):
    /// under the parent it should be under, else the only one of that name.
    fn pass(&mut self, removed: &[&Division], added: &[&Division], level: Option<u8>, by_stem: bool) {
        let at = |d: &Division| level.is_none_or(|l| d.level == l);
        let key_of = |d: &Division| if by_stem { stem(&d.name) } else { d.name.clone() };
        // The added codes still free, by name (or stem).
        let mut by_key: HashMap<String, Vec<&Division>> = HashMap::new();
        for a in added.iter().copied().filter(|a| at(a) && !self.taken_new.contains(&a.code)) {
            by_key.entry(key_of(a)).or_default().push(a);
        }
        for r in removed.iter().copied().filter(|d| at(d)) {
            if self.taken_old.contains(&r.code) {
                continue;
            }
            let key = key_of(r);
            let mapped_parent = self.mapped_parent(r);
            let Some(under_key) = by_key.get(&key) else { continue };
            let candidates: Vec<&Division> =
                under_key.iter().copied().filter(|a| !self.taken_new.contains(&a.code)).collect();
            let same_parent: Vec<&Division> =
                candidates.iter().copied().filter(|a| a.parent == mapped_parent).collect();
            let a = match (same_parent.len(), candidates.len()) {
                (1, _) => same_parent[0],
                (0, 1) => candidates[0],
                _ => continue,
            };
            // Under another parent than it had (also when it followed its recoded prefecture:
            // moved); not where its old parent went (weaker for a stem alone).
            let moved = r.parent != a.parent;
            let elsewhere = a.parent != mapped_parent;
            let parents = (r.parent != a.parent).then(|| {
                (
                    r.parent.clone().unwrap_or_else(|| r.code.prefix(1)),
                    a.parent.clone().unwrap_or_else(|| a.code.prefix(1)),
                )
            });
            let (confidence, evidence) = match (by_stem, elsewhere) {
                (false, _) => (Confidence::High, Evidence::SameName { parents }),
                (true, false) => (Confidence::Medium, Evidence::SameStem { stem: key, parents }),
                // A stem alone under another parent is a weak signal.
                (true, true) => (Confidence::Low, Evidence::SameStem { stem: key, parents }),
            };
            self.take(r, a);
            self.out.push(Change {
                kind: if moved { Kind::Moved } else { Kind::Recoded },
                old: vec![r.clone()],
                new: vec![a.clone()],
                mapping: vec![(r.code.clone(), a.code.clone())],
                confidence,
                evidence,
                form_only: false,
            });
        }
    }

    /// What is left at `level` under one (mapped) parent: a removed and an added code whose
    /// names begin alike once the type is set aside (任县 and 任泽区, 畅好农场 and 畅好镇), each
    /// the other's only such match: a weak guess, for the reviewer to confirm.
    fn similar_names(&mut self, removed: &[&Division], added: &[&Division], level: u8) {
        let free_r: Vec<&Division> = removed
            .iter()
            .copied()
            .filter(|d| d.level == level && !self.taken_old.contains(&d.code))
            .collect();
        let free_a: Vec<&Division> =
            added.iter().copied().filter(|d| d.level == level && !self.taken_new.contains(&d.code)).collect();
        let alike = |r: &Division, a: &Division| {
            let (rs, as_) = (loose_stem(&r.name), loose_stem(&a.name));
            !rs.is_empty() && !as_.is_empty() && (a.name.starts_with(&rs) || r.name.starts_with(&as_))
        };
        // The free added codes by parent: each removed one is compared with its siblings only.
        let mut by_parent: HashMap<Option<&Code>, Vec<&Division>> = HashMap::new();
        for a in &free_a {
            by_parent.entry(a.parent.as_ref()).or_default().push(a);
        }
        let mut pairs: Vec<(&Division, &Division)> = Vec::new();
        for r in &free_r {
            let parent = self.mapped_parent(r);
            let Some(siblings) = by_parent.get(&parent.as_ref()) else { continue };
            let matches: Vec<&Division> = siblings.iter().copied().filter(|a| alike(r, a)).collect();
            if let [a] = matches[..] {
                pairs.push((r, a));
            }
        }
        let mut claimed: HashMap<&Code, usize> = HashMap::new();
        for (_, a) in &pairs {
            *claimed.entry(&a.code).or_default() += 1;
        }
        for (r, a) in &pairs {
            if claimed.get(&a.code) != Some(&1) {
                continue;
            }
            self.take(r, a);
            self.out.push(Change {
                kind: if r.parent != a.parent { Kind::Moved } else { Kind::Recoded },
                old: vec![(*r).clone()],
                new: vec![(*a).clone()],
                mapping: vec![(r.code.clone(), a.code.clone())],
                confidence: Confidence::Low,
                evidence: Evidence::SimilarName,
                form_only: false,
            });
        }
    }

    /// What is left at `level`, by parent: several removed and one added with the stem of one
    /// of them (merged), or one removed and several added, one with its stem (split).
    fn merges_and_splits(&mut self, removed: &[&Division], added: &[&Division], level: u8) {
        let mut by_parent: BTreeMap<Option<Code>, (Vec<&Division>, Vec<&Division>)> = BTreeMap::new();
        for r in removed.iter().copied().filter(|d| d.level == level && !self.taken_old.contains(&d.code)) {
            by_parent.entry(self.mapped_parent(r)).or_default().0.push(r);
        }
        for a in added.iter().copied().filter(|d| d.level == level && !self.taken_new.contains(&d.code)) {
            by_parent.entry(a.parent.clone()).or_default().1.push(a);
        }
        for (rs, as_) in by_parent.into_values() {
            if rs.len() >= 2 && as_.len() == 1 {
                let a = as_[0];
                let s = stem(&a.name);
                if !rs.iter().any(|r| stem(&r.name) == s) {
                    continue;
                }
                for r in &rs {
                    self.take(r, a);
                }
                self.out.push(Change {
                    kind: Kind::Merged,
                    old: rs.iter().map(|r| (*r).clone()).collect(),
                    new: vec![a.clone()],
                    mapping: rs.iter().map(|r| (r.code.clone(), a.code.clone())).collect(),
                    confidence: Confidence::Medium,
                    evidence: Evidence::MergedInto { stem: s },
                    form_only: false,
                });
            } else if rs.len() == 1 && as_.len() >= 2 {
                let r = rs[0];
                let s = stem(&r.name);
                let heirs: Vec<&Division> = as_.iter().copied().filter(|a| stem(&a.name) == s).collect();
                let [heir] = heirs[..] else { continue };
                self.take(r, heir);
                for a in &as_ {
                    self.taken_new.insert(a.code.clone());
                }
                self.out.push(Change {
                    kind: Kind::Split,
                    old: vec![r.clone()],
                    new: as_.iter().map(|a| (*a).clone()).collect(),
                    mapping: vec![(r.code.clone(), heir.code.clone())],
                    confidence: Confidence::Medium,
                    evidence: Evidence::SplitFrom { stem: s },
                    form_only: false,
                });
            }
        }
    }
}

/// The changes from `old` to `new`, by level and then by code.
pub fn diff(old: &[Division], new: &[Division]) -> Vec<Change> {
    let old_by: HashMap<&Code, &Division> = old.iter().map(|d| (&d.code, d)).collect();
    let new_by: HashMap<&Code, &Division> = new.iter().map(|d| (&d.code, d)).collect();
    // The names of the codes gone and of the codes new, by (parent, name): a rename whose new
    // name was a code that is gone, or whose old name is a new code's, may be a code reused.
    let gone: HashMap<(Option<&Code>, &str), &Code> = old
        .iter()
        .filter(|d| !new_by.contains_key(&d.code))
        .map(|d| ((d.parent.as_ref(), d.name.as_str()), &d.code))
        .collect();
    let fresh: HashMap<(Option<&Code>, &str), &Code> = new
        .iter()
        .filter(|d| !old_by.contains_key(&d.code))
        .map(|d| ((d.parent.as_ref(), d.name.as_str()), &d.code))
        .collect();
    let mut out = Vec::new();
    for d in new {
        if let Some(o) = old_by.get(&d.code) {
            if o.name != d.name {
                let new_name_was = gone.get(&(d.parent.as_ref(), d.name.as_str())).map(|c| (*c).clone());
                let old_name_now = fresh.get(&(o.parent.as_ref(), o.name.as_str())).map(|c| (*c).clone());
                let reused = new_name_was.is_some() || old_name_now.is_some();
                out.push(Change {
                    kind: Kind::Renamed,
                    old: vec![(*o).clone()],
                    new: vec![d.clone()],
                    mapping: vec![(d.code.clone(), d.code.clone())],
                    confidence: if reused { Confidence::Low } else { Confidence::High },
                    evidence: if reused {
                        Evidence::CodeReused { new_name_was, old_name_now }
                    } else {
                        Evidence::SameCode
                    },
                    form_only: !reused && form_only(&o.name, &d.name),
                });
            }
        }
    }
    let mut removed: Vec<&Division> = old.iter().filter(|d| !new_by.contains_key(&d.code)).collect();
    let mut added: Vec<&Division> = new.iter().filter(|d| !old_by.contains_key(&d.code)).collect();
    removed.sort_by_key(|d| (d.level, d.code.clone()));
    added.sort_by_key(|d| (d.level, d.code.clone()));
    // Where each old code went: kept codes to themselves, then every mapping found.
    let went: HashMap<Code, Code> = old
        .iter()
        .filter(|d| new_by.contains_key(&d.code))
        .map(|d| (d.code.clone(), d.code.clone()))
        .collect();
    let levels: Vec<u8> = {
        let mut l: Vec<u8> = removed.iter().chain(added.iter()).map(|d| d.level).collect();
        l.sort();
        l.dedup();
        l
    };
    let mut st = State { went, taken_old: HashSet::new(), taken_new: HashSet::new(), out };
    for level in levels {
        // Full names first, then merges and splits (several removed, one added, or the other
        // way round, under one parent), then stems: a strong match is never displaced by a
        // weaker one, and a merge is not taken for a recode of its heir.
        st.pass(&removed, &added, Some(level), false);
        st.merges_and_splits(&removed, &added, level);
        st.pass(&removed, &added, Some(level), true);
        st.similar_names(&removed, &added, level);
    }
    // A unit that changed level (a county-level city made prefecture-level) keeps its name.
    st.pass(&removed, &added, None, false);
    let State { taken_old, taken_new, mut out, .. } = st;
    for r in removed.iter().filter(|d| !taken_old.contains(&d.code)) {
        out.push(Change {
            kind: Kind::Removed,
            old: vec![(*r).clone()],
            new: vec![],
            mapping: vec![],
            confidence: Confidence::Low,
            evidence: Evidence::None,
            form_only: false,
        });
    }
    for a in added.iter().filter(|d| !taken_new.contains(&d.code)) {
        out.push(Change {
            kind: Kind::Added,
            old: vec![],
            new: vec![(*a).clone()],
            mapping: vec![],
            confidence: Confidence::Low,
            evidence: Evidence::None,
            form_only: false,
        });
    }
    let first = |c: &Change| c.old.first().or(c.new.first()).map(|d| (d.level, d.code.clone()));
    out.sort_by_key(|c| (first(c), c.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::divcodes::import::{parse, Format};

    fn table(csv: &str) -> Vec<Division> {
        parse(format!("code,name\n{csv}").as_bytes(), Format::Csv).unwrap().rows
    }

    fn kinds(changes: &[Change]) -> Vec<(&'static str, String, &'static str)> {
        changes
            .iter()
            .map(|c| {
                let codes: Vec<String> = c.mapping.iter().map(|(a, b)| format!("{a}>{b}")).collect();
                (c.kind.as_str(), codes.join(" "), c.confidence.as_str())
            })
            .collect()
    }

    #[test]
    fn each_kind_on_a_small_province() {
        let old = table(
            "460000,海南省\n460100,海口市\n460105,秀英区\n460106,龙华区\n460200,三亚市\n460201,市辖区\n\
             460300,甲市\n460301,东区\n460302,西区\n469000,省直辖县级行政区划\n469003,儋州市\n469025,定安县\n\
             469026,屯昌县\n469027,澄迈县\n469028,乙县\n469029,丙县\n469030,丁县",
        );
        let new = table(
            "460000,海南省\n460100,海口市\n460105,秀英区\n460106,龙华新区\n460200,三亚市\n460202,海棠区\n\
             460500,甲市\n460501,东区\n460502,西区\n460400,儋州市\n469000,省直辖县级行政区划\n469025,定安县\n\
             469026,屯昌县\n469031,澄迈县\n469032,乙县\n469033,丙县\n469034,丙北县\n469035,戊县",
        );
        let c = diff(&old, &new);
        let k = kinds(&c);
        let find = |kind: &str, codes: &str| k.iter().find(|x| x.0 == kind && x.1 == codes).map(|x| x.2);
        assert_eq!(find("renamed", "460106>460106"), Some("high"), "{k:?}");
        // A prefecture recoded carries its districts: they are found under its new code.
        assert_eq!(find("recoded", "460300>460500"), Some("high"), "{k:?}");
        assert_eq!(find("recoded", "460301>460501"), None, "under another parent: moved with it");
        assert_eq!(find("moved", "460301>460501"), Some("high"), "{k:?}");
        assert_eq!(find("moved", "460302>460502"), Some("high"));
        // A county-level city becoming prefecture-level: same name, another parent.
        assert_eq!(find("moved", "469003>460400"), Some("high"), "{k:?}");
        assert_eq!(find("recoded", "469027>469031"), Some("high"));
        // 乙县 and 丁县 gone, one new... no: 丁县 has no heir; 丙县 split into 丙县 and 丙北县.
        assert_eq!(find("recoded", "469028>469032"), Some("high"));
        assert_eq!(find("recoded", "469029>469033"), Some("high"), "{k:?}");
        assert!(k.iter().any(|x| x.0 == "removed" && x.1.is_empty()), "{k:?}");
        assert!(k.iter().any(|x| x.0 == "added"), "{k:?}");
        let renamed = c.iter().find(|c| c.kind == Kind::Renamed).unwrap();
        assert!(!renamed.form_only);
    }

    #[test]
    fn a_code_given_to_another_place_is_no_confident_rename() {
        // 460105 甲区 gone, its name now at 460106; 460106's own name 乙区 now at 460107.
        let old = table("460000,海南省\n460100,海口市\n460105,甲区\n460106,乙区\n");
        let new = table("460000,海南省\n460100,海口市\n460106,甲区\n460107,乙区\n");
        let c = diff(&old, &new);
        let r = c.iter().find(|c| c.kind == Kind::Renamed).unwrap();
        assert_eq!(r.confidence, Confidence::Low, "{c:?}");
        assert!(!r.form_only);
        let Evidence::CodeReused { new_name_was, old_name_now } = &r.evidence else { panic!("{r:?}") };
        assert_eq!(
            (new_name_was.as_ref().map(Code::as_str), old_name_now.as_ref().map(Code::as_str)),
            (Some("460105"), Some("460107"))
        );
    }

    #[test]
    fn names_that_begin_alike_are_a_weak_guess() {
        // 任县 → 任泽区 (a stem of one character), 畅好农场 → 畅好镇 (no type word to set aside).
        let old = table("130000,河北省\n130500,邢台市\n130526,任县\n130527,南和县\n");
        let new = table("130000,河北省\n130500,邢台市\n130505,任泽区\n130506,南和区\n");
        assert_eq!(
            kinds(&diff(&old, &new)),
            [
                ("recoded", "130526>130505".to_string(), "low"),
                ("recoded", "130527>130506".to_string(), "medium")
            ]
        );
        let old = parse(
            "code,name\n460000000000,海南省\n469001000000,五指山市\n469001400000,畅好农场\n".as_bytes(),
            Format::Csv,
        )
        .unwrap()
        .rows;
        let new = parse(
            "code,name\n460000000000,海南省\n469001000000,五指山市\n469001101000,畅好镇\n".as_bytes(),
            Format::Csv,
        )
        .unwrap()
        .rows;
        assert_eq!(kinds(&diff(&old, &new)), [("recoded", "469001400000>469001101000".to_string(), "low")]);
        // Two alike under one parent: no guess.
        let old = table("130000,河北省\n130500,邢台市\n130526,任县\n");
        let new = table("130000,河北省\n130500,邢台市\n130505,任泽区\n130507,任丘区\n");
        assert!(diff(&old, &new).iter().all(|c| c.mapping.is_empty()));
    }

    #[test]
    fn merges_splits_and_form_only_renames() {
        // 琼山市 → 琼山区 by its stem: medium.
        let old = table("460000,海南省\n460100,海口市\n460103,秀英区\n460104,琼山市\n");
        let new = table("460000,海南省\n460100,海口市\n460103,秀英区\n460107,琼山区\n");
        assert_eq!(kinds(&diff(&old, &new)), [("recoded", "460104>460107".to_string(), "medium")]);
        // Two removed, one added with the stem of one of them: a merge.
        let old = table("460000,海南省\n460100,海口市\n460101,龙华区\n460102,新华区\n");
        let new = table("460000,海南省\n460100,海口市\n460107,龙华新区\n");
        let c = diff(&old, &new);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].kind, c[0].mapping.len(), c[0].confidence), (Kind::Merged, 2, Confidence::Medium));
        // One removed, two added, one with its stem: a split.
        let old = table("460000,海南省\n460100,海口市\n460101,琼山县\n");
        let new = table("460000,海南省\n460100,海口市\n460107,琼山新区\n460108,美兰区\n");
        let c = diff(&old, &new);
        assert_eq!(kinds(&c), [("split", "460101>460107".to_string(), "medium")], "{c:?}");
        assert_eq!(c[0].new.len(), 2);
        // With nothing to go by: removed and added, for the reviewer.
        let old = table("460000,海南省\n460100,海口市\n460101,振东区\n");
        let new = table("460000,海南省\n460100,海口市\n460108,美兰区\n");
        let k: Vec<&str> = diff(&old, &new).iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(k, ["removed", "added"]);
        // A change of form only.
        let old = table("460000,海南省\n460100,海口市\n460105,秀英街道办事处\n");
        let new = table("460000,海南省\n460100,海口市\n460105,秀英街道\n");
        let c = diff(&old, &new);
        assert!(c[0].form_only && c[0].kind == Kind::Renamed);
    }

    #[test]
    fn the_real_hainan_editions() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/divisions");
        let read = |f: &str| std::fs::read(dir.join(f)).ok().map(|b| parse(&b, Format::Auto).unwrap().rows);
        let (Some(y2014), Some(y2015)) = (read("mca-hainan-2014.csv"), read("mca-hainan-2015.csv")) else {
            eprintln!("skipped: {} is not there (the shared real data)", dir.display());
            return;
        };
        // 2015: Danzhou (469003), a county-level city under the province, became the
        // prefecture-level city 460400, under the same parent: recoded.
        let c = diff(&y2014, &y2015);
        let danzhou = c.iter().find(|c| c.mapping.iter().any(|(a, _)| a.as_str() == "469003"));
        let danzhou = danzhou.unwrap_or_else(|| panic!("{c:?}"));
        assert_eq!((danzhou.kind, danzhou.confidence), (Kind::Recoded, Confidence::High));
        assert_eq!(danzhou.mapping[0].1.as_str(), "460400");
        // 2017 → 2018 twelve-digit: the 街道办事处 → 街道 renames are form only.
        if let (Some(a), Some(b)) = (read("nbs-hainan-2017.csv"), read("nbs-hainan-2023.csv")) {
            let c = diff(&a, &b);
            let forms = c.iter().filter(|c| c.form_only).count();
            assert!(forms >= 10, "{forms} form-only renames");
            assert!(c.iter().filter(|c| c.kind == Kind::Renamed).all(|c| c.confidence == Confidence::High));
        }
    }

    /// Every pair of consecutive national editions: a mapping is high only for the same code
    /// or the same full name, every old code is in at most one mapping, and every code of both
    /// editions is in the changes or kept.
    #[test]
    fn on_the_national_tables_high_means_the_same_code_or_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/divisions");
        let years = [2011, 2012, 2013, 2014, 2015, 2019, 2020, 2023, 2024];
        let read = |y: i32| {
            std::fs::read(dir.join(format!("mca-county-{y}.csv")))
                .ok()
                .map(|b| parse(&b, Format::Auto).unwrap().rows)
        };
        if read(2011).is_none() {
            eprintln!("skipped: {} is not there (the shared real data)", dir.display());
            return;
        }
        for w in years.windows(2) {
            let (old, new) = (read(w[0]).unwrap(), read(w[1]).unwrap());
            let changes = diff(&old, &new);
            let mut mapped = HashSet::new();
            for c in &changes {
                if c.confidence == Confidence::High {
                    let same_name = c.old.len() == 1 && c.new.len() == 1 && c.old[0].name == c.new[0].name;
                    assert!(c.kind == Kind::Renamed || same_name, "{}→{}: {c:?}", w[0], w[1]);
                }
                for (from, _) in &c.mapping {
                    assert!(mapped.insert(from.clone()), "{from} mapped twice ({}→{})", w[0], w[1]);
                }
            }
            let removed = old.iter().filter(|d| !new.iter().any(|n| n.code == d.code)).count();
            let in_changes =
                changes.iter().filter(|c| c.kind != Kind::Renamed).map(|c| c.old.len()).sum::<usize>();
            assert_eq!(removed, in_changes, "every removed code is in one change ({}→{})", w[0], w[1]);
            let guessed = changes.iter().filter(|c| !c.mapping.is_empty() && c.kind != Kind::Renamed).count();
            eprintln!(
                "{}→{}: {} changes, {} mappings proposed for removed codes",
                w[0],
                w[1],
                changes.len(),
                guessed
            );
        }
    }
}
