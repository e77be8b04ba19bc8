//! How many business records each change touches, and the proof that they moved as mapped.
//! A `[[divcodes.impact]]` entry names a command that prints `code<TAB>count` lines (the
//! database's own client: `sqlite3 -tabs`, `mysql -N`, `psql -At`, `sqlplus -s`); a
//! code's records are those whose value is the code or starts with it (six-digit codes over a
//! twelve-digit column). `impact` counts under every code of every change; `reconcile` counts
//! again after the SQL ran and checks that each mapped old code holds nothing, that each new
//! code holds its earlier count plus what was mapped onto it, and that the totals are equal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::review::Line;
use super::Code;

/// A `[[divcodes.impact]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub name: String,
    /// A host of the fleet; None: run here.
    pub host: Option<String>,
    /// Run with `sh -c`.
    pub command: String,
    pub timeout_s: u64,
}

/// What a command printed, read: the records under each value it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// By value, in order, for the prefix ranges.
    sorted: Vec<(String, u64)>,
    pub total: u64,
    /// Lines that were not `code<TAB>count` (a client's headings, `12 rows selected.`).
    pub skipped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountsError {
    /// Lines were printed, none of them a count; the first is given.
    NoCounts { first: String, lines: usize },
}

/// Reads `code<TAB>count` lines (a `|`, `,` or spaces also separate them). A value printed
/// twice is summed; a line that is not a count is skipped and counted.
pub fn parse_counts(text: &str) -> Result<Counts, CountsError> {
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0u64;
    let mut skipped = 0;
    let mut first_skipped = None;
    for line in text.lines() {
        let l = line.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let (code, count) = match l.find(['\t', '|', ',']) {
            Some(i) => (l[..i].trim(), l[i + 1..].trim()),
            None => {
                let t = l.trim();
                match t.split_once(char::is_whitespace) {
                    Some((a, b)) => (a, b.trim()),
                    None => ("", t),
                }
            }
        };
        match count.parse::<u64>() {
            Ok(n) if l.contains(['\t', '|', ',']) || code.bytes().all(|b| b.is_ascii_digit()) => {
                *by.entry(code.to_string()).or_default() += n;
                total = total.saturating_add(n);
            }
            _ => {
                skipped += 1;
                first_skipped.get_or_insert_with(|| crate::text::escape_unprintable(l).into_owned());
            }
        }
    }
    if by.is_empty() && skipped > 0 {
        return Err(CountsError::NoCounts { first: first_skipped.unwrap_or_default(), lines: skipped });
    }
    Ok(Counts { sorted: by.into_iter().collect(), total, skipped })
}

impl Counts {
    /// The records under `code`: its own value's and every longer value's that starts with it.
    pub fn under(&self, code: &str) -> u64 {
        let start = self.sorted.partition_point(|(k, _)| k.as_str() < code);
        self.sorted[start..].iter().take_while(|(k, _)| k.starts_with(code)).map(|(_, n)| n).sum()
    }

    /// How many distinct values were counted.
    pub fn codes(&self) -> usize {
        self.sorted.len()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapPair {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetTotal {
    pub name: String,
    pub host: Option<String>,
    pub total: u64,
    pub codes: usize,
    /// Lines of the command's output that were no count, read past.
    #[serde(default)]
    pub skipped: usize,
    /// The records under each code of the changes (and of their mappings).
    pub counts: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCounts {
    pub name: String,
    pub old: BTreeMap<String, u64>,
    pub new: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeImpact {
    pub id: String,
    pub kind: String,
    pub review: String,
    pub mapping: Vec<MapPair>,
    pub targets: Vec<TargetCounts>,
}

/// What `impact --json` prints and `reconcile --before` reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub old: String,
    pub new: String,
    pub targets: Vec<TargetTotal>,
    pub changes: Vec<ChangeImpact>,
}

impl Report {
    pub fn new(old: &str, new: &str, lines: &[Line], targets: &[(Entry, Counts)]) -> Report {
        let mut codes: Vec<&Code> = Vec::new();
        for l in lines {
            codes.extend(l.change.old.iter().map(|d| &d.code));
            codes.extend(l.change.new.iter().map(|d| &d.code));
            codes.extend(l.mapping().iter().flat_map(|(a, b)| [a, b]));
        }
        codes.sort();
        codes.dedup();
        let totals = targets
            .iter()
            .map(|(e, c)| TargetTotal {
                name: e.name.clone(),
                host: e.host.clone(),
                total: c.total,
                codes: c.codes(),
                skipped: c.skipped,
                counts: codes.iter().map(|code| (code.to_string(), c.under(code.as_str()))).collect(),
            })
            .collect();
        let changes = lines
            .iter()
            .map(|l| ChangeImpact {
                id: l.change.id().to_string(),
                kind: l.change.kind.as_str().to_string(),
                review: l.state().as_str().to_string(),
                mapping: l
                    .mapping()
                    .iter()
                    .map(|(a, b)| MapPair { from: a.to_string(), to: b.to_string() })
                    .collect(),
                targets: targets
                    .iter()
                    .map(|(e, c)| TargetCounts {
                        name: e.name.clone(),
                        old: l
                            .change
                            .old
                            .iter()
                            .map(|d| (d.code.to_string(), c.under(d.code.as_str())))
                            .collect(),
                        // The new rows and where the mapping sends the old codes (an edit
                        // may send them elsewhere).
                        new: l
                            .change
                            .new
                            .iter()
                            .map(|d| &d.code)
                            .chain(l.mapping().iter().map(|(_, to)| to))
                            .map(|code| (code.to_string(), c.under(code.as_str())))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Report { old: old.to_string(), new: new.to_string(), targets: totals, changes }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Mismatch {
    /// A mapped old code still holds records.
    OldNotEmpty { target: String, code: String, count: u64 },
    /// A new code does not hold its earlier count plus what was mapped onto it.
    NewCount { target: String, code: String, expected: u64, found: u64 },
    /// The totals before and after differ.
    Total { target: String, before: u64, after: u64 },
    /// A target counted before is not in the config now.
    Missing { target: String },
    /// Records on an old code that the new edition does not have and no accepted mapping
    /// moves (a change undecided, rejected, or accepted without a mapping).
    LeftOnRemoved { target: String, code: String, count: u64 },
    /// After a rollback: a code does not hold what it held before.
    NotRestored { target: String, code: String, before: u64, after: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetTotals {
    pub name: String,
    pub total_before: u64,
    pub total_after: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    pub old: String,
    pub new: String,
    pub mappings: usize,
    pub targets: Vec<TargetTotals>,
    pub mismatches: Vec<Mismatch>,
}

/// Checks the counts `after` against `before` for `mappings` (old → new, codes changed only),
/// and that no record is `left` on an old code the new edition does not have. A code the
/// earlier run did not count (a mapping edited since) held nothing then.
pub fn reconcile(
    before: &Report,
    after: &[(Entry, Counts)],
    mappings: &[(Code, Code)],
    left: &[Code],
) -> Reconciled {
    let mut mismatches = Vec::new();
    let mut totals = Vec::new();
    for t in &before.targets {
        let Some((_, now)) = after.iter().find(|(e, _)| e.name == t.name) else {
            mismatches.push(Mismatch::Missing { target: t.name.clone() });
            continue;
        };
        let earlier = |code: &Code| t.counts.get(code.as_str()).copied();
        let mut onto: BTreeMap<&Code, u64> = BTreeMap::new();
        for (from, to) in mappings {
            let found = now.under(from.as_str());
            if found != 0 {
                mismatches.push(Mismatch::OldNotEmpty {
                    target: t.name.clone(),
                    code: from.to_string(),
                    count: found,
                });
            }
            *onto.entry(to).or_default() += earlier(from).unwrap_or(0);
        }
        for (to, moved) in onto {
            let found = now.under(to.as_str());
            let expected = earlier(to).unwrap_or(0) + moved;
            if found != expected {
                mismatches.push(Mismatch::NewCount {
                    target: t.name.clone(),
                    code: to.to_string(),
                    expected,
                    found,
                });
            }
        }
        for code in left {
            let count = now.under(code.as_str());
            if count > 0 {
                mismatches.push(Mismatch::LeftOnRemoved {
                    target: t.name.clone(),
                    code: code.to_string(),
                    count,
                });
            }
        }
        if now.total != t.total {
            mismatches.push(Mismatch::Total { target: t.name.clone(), before: t.total, after: now.total });
        }
        totals.push(TargetTotals { name: t.name.clone(), total_before: t.total, total_after: now.total });
    }
    Reconciled {
        old: before.old.clone(),
        new: before.new.clone(),
        mappings: mappings.len(),
        targets: totals,
        mismatches,
    }
}

/// After a rollback: every code counted before holds what it held then, and the totals are
/// equal.
pub fn restored(before: &Report, after: &[(Entry, Counts)]) -> Reconciled {
    let mut mismatches = Vec::new();
    let mut totals = Vec::new();
    for t in &before.targets {
        let Some((_, now)) = after.iter().find(|(e, _)| e.name == t.name) else {
            mismatches.push(Mismatch::Missing { target: t.name.clone() });
            continue;
        };
        for (code, was) in &t.counts {
            let found = now.under(code);
            if found != *was {
                mismatches.push(Mismatch::NotRestored {
                    target: t.name.clone(),
                    code: code.clone(),
                    before: *was,
                    after: found,
                });
            }
        }
        if now.total != t.total {
            mismatches.push(Mismatch::Total { target: t.name.clone(), before: t.total, after: now.total });
        }
        totals.push(TargetTotals { name: t.name.clone(), total_before: t.total, total_after: now.total });
    }
    Reconciled { old: before.old.clone(), new: before.new.clone(), mappings: 0, targets: totals, mismatches }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clients_outputs_are_read() {
        // sqlite3 -tabs, psql -At (| between), mysql -N, sqlplus -s with its headings.
        for text in [
            "469003\t12\n460400\t3\n",
            "469003|12\n460400|3\n",
            "469003,12\n460400,3\n",
            "\nCODE       COUNT(*)\n---------- ----------\n469003             12\n460400              3\n\n2 rows selected.\n",
        ] {
            let c = parse_counts(text).unwrap();
            assert_eq!((c.under("469003"), c.under("460400"), c.total), (12, 3, 15), "{text:?}");
        }
        let c = parse_counts("469003\t12\n\t4\n469003\t1\n").unwrap();
        assert_eq!((c.under("469003"), c.total, c.skipped), (13, 17, 0), "a NULL code counts in the total");
        assert!(matches!(
            parse_counts("ERROR at line 1:\nORA-00942: table or view does not exist\n"),
            Err(CountsError::NoCounts { lines: 2, .. })
        ));
        assert_eq!(parse_counts("").unwrap().total, 0);
    }

    #[test]
    fn six_digit_codes_count_a_twelve_digit_column() {
        let c = parse_counts("469003100000\t5\n469003101001\t7\n469004100000\t1\n4690031\t2\n").unwrap();
        assert_eq!(c.under("469003"), 14);
        assert_eq!(c.under("469003100000"), 5);
        assert_eq!(c.under("469005"), 0);
    }

    fn entry(name: &str) -> Entry {
        Entry { name: name.into(), host: None, command: String::new(), timeout_s: 60 }
    }

    #[test]
    fn reconciliation_finds_what_did_not_move() {
        let code = |s: &str| Code::parse(s).unwrap();
        let before = Report {
            old: "a".into(),
            new: "b".into(),
            targets: vec![TargetTotal {
                name: "rk".into(),
                host: None,
                total: 20,
                codes: 3,
                skipped: 0,
                counts: [("469003", 12), ("460400", 3), ("460107", 5)]
                    .map(|(a, b)| (a.to_string(), b))
                    .into(),
            }],
            changes: vec![],
        };
        let m = [(code("469003"), code("460400"))];
        let good = parse_counts("460400\t15\n460107\t5\n").unwrap();
        let r = reconcile(&before, &[(entry("rk"), good.clone())], &m, &[]);
        assert!(r.mismatches.is_empty(), "{r:?}");
        // 460107 is gone from the new edition and nothing moves it: its records are left behind.
        let r = reconcile(&before, &[(entry("rk"), good)], &m, &[code("460107")]);
        assert_eq!(
            r.mismatches,
            [Mismatch::LeftOnRemoved { target: "rk".into(), code: "460107".into(), count: 5 }]
        );
        let bad = parse_counts("469003\t2\n460400\t13\n460107\t4\n").unwrap();
        let r = reconcile(&before, &[(entry("rk"), bad)], &m, &[]);
        assert_eq!(
            r.mismatches,
            [
                Mismatch::OldNotEmpty { target: "rk".into(), code: "469003".into(), count: 2 },
                Mismatch::NewCount { target: "rk".into(), code: "460400".into(), expected: 15, found: 13 },
                Mismatch::Total { target: "rk".into(), before: 20, after: 19 },
            ]
        );
        let r = reconcile(&before, &[], &m, &[]);
        assert_eq!(r.mismatches, [Mismatch::Missing { target: "rk".into() }]);
        // Rolled back: every code as it was.
        let back = parse_counts("469003\t12\n460400\t3\n460107\t5\n").unwrap();
        assert!(restored(&before, &[(entry("rk"), back)]).mismatches.is_empty());
        let half = parse_counts("469003\t11\n460400\t4\n460107\t5\n").unwrap();
        assert_eq!(restored(&before, &[(entry("rk"), half)]).mismatches.len(), 2);
    }
}
