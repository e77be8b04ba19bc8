//! Division-code editions and their reviews in SQLite: `divcode_versions` (one row an edition:
//! its name, where it came from, when and by whom), `divcodes` (its rows, keyed by version and
//! code, so one edition reads in code order from the primary key), and `divcode_reviews` (the
//! reviewer's decision on each change between two editions, with the whole change it was made
//! on). Every import, drop and decision also goes to the audit log.
//!
//! Two editions are compared by walking both in code order side by side: only the rows that
//! differ are read out, so two editions of 700,000 rows that differ in a few thousand are
//! compared without holding either whole.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{Result, Store, StoreError};
use crate::divcodes::import::{Edition, Format};
use crate::divcodes::review::{Decision, Review, State};
use crate::divcodes::{Code, Division};

/// An edition as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    /// The file it was read from, as given.
    pub source: String,
    pub format: String,
    pub encoding: String,
    /// 6 or 12.
    pub digits: i64,
    pub rows: i64,
    /// The SHA-256 of the file's bytes.
    pub sha256: String,
    pub imported_at: i64,
    pub imported_by: String,
    /// How many decisions name it (as the old or the new edition).
    pub reviews: i64,
}

#[derive(Debug)]
pub enum DivcodeError {
    /// A version of this name is stored already.
    Exists(String),
    /// No version has this name.
    Unknown(String),
    /// Decisions name the version (how many).
    Referenced {
        name: String,
        reviews: i64,
    },
    Store(StoreError),
}

impl From<StoreError> for DivcodeError {
    fn from(e: StoreError) -> DivcodeError {
        DivcodeError::Store(e)
    }
}

impl From<rusqlite::Error> for DivcodeError {
    fn from(e: rusqlite::Error) -> DivcodeError {
        DivcodeError::Store(StoreError::Query(e))
    }
}

/// The rows of two editions that differ: the old rows whose code is gone or renamed, the new
/// rows whose code is new or renamed. The diff of these is the diff of the whole editions.
#[derive(Debug, Default)]
pub struct Differences {
    pub old: Vec<Division>,
    pub new: Vec<Division>,
    /// Rows of each edition within the prefix.
    pub old_rows: usize,
    pub new_rows: usize,
}

/// The page cache while an edition is written, in KiB.
const IMPORT_CACHE_KIB: i64 = 128 * 1024;

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "csv",
        Format::Text => "text",
        Format::Auto => "auto",
    }
}

const VERSION_COLUMNS: &str = "v.id, v.name, v.source, v.format, v.encoding, v.digits, v.rows, v.sha256, \
     v.imported_at, v.imported_by, \
     (SELECT count(*) FROM divcode_reviews r WHERE r.old_version = v.id OR r.new_version = v.id)";

fn version_row(r: &rusqlite::Row) -> rusqlite::Result<Version> {
    Ok(Version {
        id: r.get(0)?,
        name: r.get(1)?,
        source: r.get(2)?,
        format: r.get(3)?,
        encoding: r.get(4)?,
        digits: r.get(5)?,
        rows: r.get(6)?,
        sha256: r.get(7)?,
        imported_at: r.get(8)?,
        imported_by: r.get(9)?,
        reviews: r.get(10)?,
    })
}

/// The codes of `digits` digits that start with `prefix`, as a range of the primary key
/// (inclusive; empty when the prefix is longer than the codes).
fn prefix_range(prefix: &str, digits: i64) -> (i64, i64) {
    let d = usize::try_from(digits).unwrap_or(0);
    if prefix.len() > d || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return (1, 0);
    }
    let pad = |fill: char| -> i64 {
        let text: String = prefix.chars().chain(std::iter::repeat_n(fill, d - prefix.len())).collect();
        text.parse().unwrap_or(0)
    };
    (pad('0'), pad('9'))
}

fn bad_code(i: usize, n: i64) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Integer,
        format!("{n} is not a division code").into(),
    )
}

/// The row's code (column 0) as a code of `digits` digits.
fn code_at(r: &rusqlite::Row, i: usize, digits: usize) -> rusqlite::Result<Code> {
    let n: i64 = r.get(i)?;
    Code::from_number(n, digits).ok_or_else(|| bad_code(i, n))
}

/// Column `i` as text, borrowed from the row.
fn text_at<'a>(r: &'a rusqlite::Row, i: usize) -> rusqlite::Result<&'a str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// A row of `SELECT code, name, level, parent`.
fn division(r: &rusqlite::Row, digits: usize) -> rusqlite::Result<Division> {
    let parent: Option<i64> = r.get(3)?;
    Ok(Division {
        code: code_at(r, 0, digits)?,
        name: r.get(1)?,
        level: r.get(2)?,
        parent: match parent {
            Some(p) => Some(Code::from_number(p, digits).ok_or_else(|| bad_code(3, p))?),
            None => None,
        },
    })
}

impl Store {
    /// Stores an edition under `name` in one transaction (refused when the name is taken).
    pub fn import_divcodes(
        &mut self,
        name: &str,
        source: &str,
        edition: &Edition,
        sha256: &str,
        operator: &str,
        now: i64,
    ) -> std::result::Result<Version, DivcodeError> {
        // A big edition's pages stay in memory until the commit writes them once, instead of
        // spilling the growing tree to the journal again and again; the usual cache after.
        self.conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        let result = self.import_divcodes_now(name, source, edition, sha256, operator, now);
        self.conn.pragma_update(None, "cache_size", -super::CACHE_KIB)?;
        result
    }

    fn import_divcodes_now(
        &mut self,
        name: &str,
        source: &str,
        edition: &Edition,
        sha256: &str,
        operator: &str,
        now: i64,
    ) -> std::result::Result<Version, DivcodeError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let taken: Option<i64> = tx
            .query_row("SELECT id FROM divcode_versions WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(DivcodeError::Exists(name.to_string()));
        }
        let digits = edition.rows.first().map_or(6, |d| d.code.len() as i64);
        tx.execute(
            "INSERT INTO divcode_versions (name, source, format, encoding, digits, rows, sha256, imported_at, imported_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                name,
                source,
                format_name(edition.format),
                edition.encoding,
                digits,
                edition.rows.len() as i64,
                sha256,
                now,
                operator
            ],
        )?;
        let id = tx.last_insert_rowid();
        {
            // In code order: the primary key's pages fill one after another.
            let mut order: Vec<&Division> = edition.rows.iter().collect();
            order.sort_unstable_by(|a, b| a.code.cmp(&b.code));
            let mut insert = tx.prepare(
                "INSERT INTO divcodes (version_id, code, name, level, parent) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            // Bound once a column, stepped a row at a time: no parameter list built per row.
            insert.raw_bind_parameter(1, id)?;
            for d in order {
                insert.raw_bind_parameter(2, d.code.number())?;
                insert.raw_bind_parameter(3, d.name.as_str())?;
                insert.raw_bind_parameter(4, d.level)?;
                insert.raw_bind_parameter(5, d.parent.as_ref().map(Code::number))?;
                insert.raw_execute()?;
            }
        }
        let detail =
            format!("{} rows from {source} ({}, sha256 {sha256})", edition.rows.len(), edition.encoding);
        super::audit::append(&tx, now, operator, "divcode.import", name, &detail)?;
        tx.commit()?;
        self.divcode_version(name)?.ok_or_else(|| DivcodeError::Unknown(name.to_string()))
    }

    /// Every stored edition, oldest import first.
    pub fn divcode_versions(&self) -> Result<Vec<Version>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {VERSION_COLUMNS} FROM divcode_versions v ORDER BY v.id"))?;
        let rows = stmt.query_map([], version_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn divcode_version(&self, name: &str) -> Result<Option<Version>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {VERSION_COLUMNS} FROM divcode_versions v WHERE v.name = ?1"),
                [name],
                version_row,
            )
            .optional()?)
    }

    /// Removes an edition with its rows; refused while decisions name it, unless `force`, which
    /// removes those decisions too. The number of decisions removed.
    pub fn drop_divcodes(
        &mut self,
        name: &str,
        force: bool,
        operator: &str,
        now: i64,
    ) -> std::result::Result<i64, DivcodeError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: Option<i64> = tx
            .query_row("SELECT id FROM divcode_versions WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        let Some(id) = id else { return Err(DivcodeError::Unknown(name.to_string())) };
        let reviews: i64 = tx.query_row(
            "SELECT count(*) FROM divcode_reviews WHERE old_version = ?1 OR new_version = ?1",
            [id],
            |r| r.get(0),
        )?;
        if reviews > 0 && !force {
            return Err(DivcodeError::Referenced { name: name.to_string(), reviews });
        }
        let rows: i64 =
            tx.query_row("SELECT rows FROM divcode_versions WHERE id = ?1", [id], |r| r.get(0))?;
        tx.execute("DELETE FROM divcode_reviews WHERE old_version = ?1 OR new_version = ?1", [id])?;
        tx.execute("DELETE FROM divcodes WHERE version_id = ?1", [id])?;
        tx.execute("DELETE FROM divcode_versions WHERE id = ?1", [id])?;
        let detail = format!("{rows} rows; {reviews} decisions removed with it");
        super::audit::append(&tx, now, operator, "divcode.drop", name, &detail)?;
        tx.commit()?;
        Ok(reviews)
    }

    /// How many digits an edition's codes have (6 for an edition not there: it has no rows).
    fn digits_of(&self, version: i64) -> Result<usize> {
        let d: Option<i64> = self
            .conn
            .query_row("SELECT digits FROM divcode_versions WHERE id = ?1", [version], |r| r.get(0))
            .optional()?;
        Ok(d.and_then(|d| usize::try_from(d).ok()).unwrap_or(6))
    }

    /// Every row of an edition within `prefix`, in code order.
    pub fn divcode_rows(&self, version: i64, prefix: &str) -> Result<Vec<Division>> {
        let digits = self.digits_of(version)?;
        let (lo, hi) = prefix_range(prefix, digits as i64);
        let mut stmt = self.conn.prepare(
            "SELECT code, name, level, parent FROM divcodes
             WHERE version_id = ?1 AND code BETWEEN ?2 AND ?3 ORDER BY code",
        )?;
        let rows = stmt.query_map(params![version, lo, hi], |r| division(r, digits))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The rows of two editions (within `prefix`) that differ, read by walking both in code
    /// order.
    pub fn divcode_differences(&self, old: i64, new: i64, prefix: &str) -> Result<Differences> {
        let (od, nd) = (self.digits_of(old)?, self.digits_of(new)?);
        let ((olo, ohi), (nlo, nhi)) = (prefix_range(prefix, od as i64), prefix_range(prefix, nd as i64));
        let sql = "SELECT code, name, level, parent FROM divcodes
                   WHERE version_id = ?1 AND code BETWEEN ?2 AND ?3 ORDER BY code";
        let mut a_stmt = self.conn.prepare(sql)?;
        let mut b_stmt = self.conn.prepare(sql)?;
        let mut a_rows = a_stmt.query(params![old, olo, ohi])?;
        let mut b_rows = b_stmt.query(params![new, nlo, nhi])?;
        let mut out = Differences::default();
        let mut a = a_rows.next()?;
        let mut b = b_rows.next()?;
        // Codes of another length never match: compared as text of their own length.
        let same_length = od == nd;
        loop {
            match (a, b) {
                (None, None) => break,
                (Some(x), None) => {
                    out.old.push(division(x, od)?);
                    out.old_rows += 1;
                    a = a_rows.next()?;
                    b = None;
                }
                (None, Some(y)) => {
                    out.new.push(division(y, nd)?);
                    out.new_rows += 1;
                    a = None;
                    b = b_rows.next()?;
                }
                (Some(x), Some(y)) => {
                    let (xc, yc): (i64, i64) = (x.get(0)?, y.get(0)?);
                    let order = if same_length { xc.cmp(&yc) } else { std::cmp::Ordering::Less };
                    match order {
                        std::cmp::Ordering::Less => {
                            out.old.push(division(x, od)?);
                            out.old_rows += 1;
                            a = a_rows.next()?;
                            b = Some(y);
                        }
                        std::cmp::Ordering::Greater => {
                            out.new.push(division(y, nd)?);
                            out.new_rows += 1;
                            a = Some(x);
                            b = b_rows.next()?;
                        }
                        std::cmp::Ordering::Equal => {
                            if text_at(x, 1)? != text_at(y, 1)? {
                                out.old.push(division(x, od)?);
                                out.new.push(division(y, nd)?);
                            }
                            out.old_rows += 1;
                            out.new_rows += 1;
                            a = a_rows.next()?;
                            b = b_rows.next()?;
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// The last import, drop or decision (every one is in the audit log, which only grows): a
    /// change shows another connection did one.
    pub fn divcode_mark(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce((SELECT id FROM audit WHERE action LIKE 'divcode.%' ORDER BY id DESC LIMIT 1), 0)",
            [],
            |r| r.get(0),
        )?)
    }

    /// The names of `codes` in an edition (those it has).
    pub fn divcode_names(&self, version: i64, codes: &[&Code]) -> Result<HashMap<Code, String>> {
        let digits = self.digits_of(version)?;
        let mut stmt =
            self.conn.prepare_cached("SELECT name FROM divcodes WHERE version_id = ?1 AND code = ?2")?;
        let mut out = HashMap::new();
        for c in codes.iter().filter(|c| c.len() == digits) {
            if let Some(name) =
                stmt.query_row(params![version, c.number()], |r| r.get::<_, String>(0)).optional()?
            {
                out.insert((*c).clone(), name);
            }
        }
        Ok(out)
    }

    /// The decisions kept for the changes from `old` to `new`, by change id.
    pub fn divcode_reviews(&self, old: i64, new: i64) -> Result<HashMap<String, Review>> {
        let mut stmt = self.conn.prepare(
            "SELECT change_id, change_key, state, mapping, reviewer, reviewed_at FROM divcode_reviews
             WHERE old_version = ?1 AND new_version = ?2",
        )?;
        let rows = stmt.query_map(params![old, new], |r| {
            let state: String = r.get(2)?;
            let mapping: String = r.get(3)?;
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, state, mapping, r.get(4)?, r.get(5)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, key, state, mapping, reviewer, at) = row?;
            let state = State::parse(&state).unwrap_or(State::Proposed);
            out.insert(id, Review { key, state, mapping: mapping_from_json(&mapping), reviewer, at });
        }
        Ok(out)
    }

    /// Records decisions on the changes from `old` to `new` in one transaction, each in the
    /// audit log too; a decision undone (`Proposed`) is removed.
    pub fn record_divcode_reviews(
        &mut self,
        old: &Version,
        new: &Version,
        decisions: &[Decision],
        operator: &str,
        now: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut put = tx.prepare(
                "INSERT INTO divcode_reviews (old_version, new_version, change_id, change_key, state, mapping, reviewer, reviewed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (old_version, new_version, change_id) DO UPDATE SET
                   change_key = excluded.change_key, state = excluded.state, mapping = excluded.mapping,
                   reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at",
            )?;
            let mut undo = tx.prepare(
                "DELETE FROM divcode_reviews WHERE old_version = ?1 AND new_version = ?2 AND change_id = ?3",
            )?;
            for d in decisions {
                let mapping = mapping_to_json(&d.mapping);
                if d.state == State::Proposed {
                    undo.execute(params![old.id, new.id, d.id])?;
                } else {
                    put.execute(params![
                        old.id,
                        new.id,
                        d.id,
                        d.key,
                        d.state.as_str(),
                        mapping,
                        operator,
                        now
                    ])?;
                }
                let target = format!("{} → {} {}", old.name, new.name, d.id);
                let pairs: Vec<String> = d.mapping.iter().map(|(a, b)| format!("{a}→{b}")).collect();
                let detail = format!("{} [{}]", d.state.as_str(), pairs.join(" "));
                super::audit::append(&tx, now, operator, "divcode.review", &target, &detail)?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

fn mapping_to_json(m: &[(Code, Code)]) -> String {
    let pairs: Vec<[&str; 2]> = m.iter().map(|(a, b)| [a.as_str(), b.as_str()]).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

fn mapping_from_json(text: &str) -> Vec<(Code, Code)> {
    let pairs: Vec<[String; 2]> = serde_json::from_str(text).unwrap_or_default();
    pairs.into_iter().filter_map(|[a, b]| Some((Code::parse(&a).ok()?, Code::parse(&b).ok()?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::divcodes::diff::diff;
    use crate::divcodes::import::parse;
    use crate::divcodes::review::{decide, join, Requests};

    fn edition(csv: &str) -> Edition {
        parse(format!("code,name\n{csv}").as_bytes(), Format::Csv).unwrap()
    }

    const OLD: &str = "460000,海南省\n460100,海口市\n460105,秀英街道办事处\n460106,龙华区\n460107,振东区\n469003,儋州市\n469025,定安县";
    const NEW: &str = "460000,海南省\n460100,海口市\n460105,秀英街道\n460106,龙华新区\n460400,儋州市\n469025,定安县\n470000,某省";

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("y.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn the_differences_read_from_the_store_give_the_whole_diff() {
        let (_d, mut s) = store();
        let a = s.import_divcodes("2023", "a.csv", &edition(OLD), "x", "op", 1).unwrap();
        let b = s.import_divcodes("2024", "b.csv", &edition(NEW), "y", "op", 2).unwrap();
        assert_eq!((a.rows, a.digits, b.rows), (7, 6, 7));
        let d = s.divcode_differences(a.id, b.id, "").unwrap();
        assert_eq!((d.old_rows, d.new_rows), (7, 7));
        let whole = diff(&edition(OLD).rows, &edition(NEW).rows);
        assert_eq!(diff(&d.old, &d.new), whole);
        // Within a prefix: 470000 is not there.
        let d46 = s.divcode_differences(a.id, b.id, "46").unwrap();
        assert_eq!(d46.new_rows, 6);
        assert_eq!(diff(&d46.old, &d46.new).len(), whole.len() - 1);
        assert!(matches!(
            s.import_divcodes("2023", "c.csv", &edition(OLD), "x", "op", 3),
            Err(DivcodeError::Exists(_))
        ));
    }

    #[test]
    fn decisions_are_kept_audited_and_hold_a_version_in_place() {
        let (_d, mut s) = store();
        let a = s.import_divcodes("old", "a.csv", &edition(OLD), "x", "op", 1).unwrap();
        let b = s.import_divcodes("new", "b.csv", &edition(NEW), "y", "op", 2).unwrap();
        let d = s.divcode_differences(a.id, b.id, "").unwrap();
        let lines = join(diff(&d.old, &d.new), s.divcode_reviews(a.id, b.id).unwrap());
        let req = Requests {
            map: vec![(Code::parse("460107").unwrap(), Code::parse("469025").unwrap())],
            accept_confident: true,
            ..Requests::none()
        };
        let decisions = decide(&lines, &req, |_| true).unwrap();
        s.record_divcode_reviews(&a, &b, &decisions, "张三", 5).unwrap();
        let kept = s.divcode_reviews(a.id, b.id).unwrap();
        assert_eq!(kept.len(), decisions.len());
        assert_eq!(kept["460107"].state, State::Edited);
        assert_eq!(
            kept["460107"].mapping,
            [(Code::parse("460107").unwrap(), Code::parse("469025").unwrap())]
        );
        assert_eq!(kept["460107"].reviewer, "张三");
        // Undone: proposed again, and said in the audit log.
        let lines = join(diff(&d.old, &d.new), kept.clone());
        let undo =
            decide(&lines, &Requests { reset: vec!["460107".into()], ..Requests::none() }, |_| true).unwrap();
        s.record_divcode_reviews(&a, &b, &undo, "张三", 6).unwrap();
        assert!(!s.divcode_reviews(a.id, b.id).unwrap().contains_key("460107"));
        s.record_divcode_reviews(&a, &b, &decisions, "张三", 7).unwrap();
        let audit = s.audit_recent(50).unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "divcode.review").count(), 2 * decisions.len() + 1);
        assert!(audit.iter().any(|e| e.action == "divcode.import" && e.target == "old"));
        // Dropping a version decisions name is refused, unless forced.
        assert!(matches!(s.drop_divcodes("old", false, "op", 6), Err(DivcodeError::Referenced { .. })));
        assert_eq!(s.divcode_versions().unwrap().len(), 2);
        assert_eq!(s.drop_divcodes("old", true, "op", 6).unwrap(), decisions.len() as i64);
        assert_eq!(s.divcode_versions().unwrap().len(), 1);
        assert!(s.divcode_rows(a.id, "").unwrap().is_empty());
        assert!(matches!(s.drop_divcodes("old", false, "op", 7), Err(DivcodeError::Unknown(_))));
    }
}
