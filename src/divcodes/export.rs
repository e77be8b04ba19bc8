//! What a review gives to the rest of the house: the mapping as CSV, and the SQL that applies
//! the accepted mappings to a table of the business database (with its rollback), for Oracle,
//! MySQL, PostgreSQL and SQLite.
//!
//! The SQL saves `(key, old value)` of every row it changes into a backup table named after the
//! two editions before it changes anything, all in one transaction where the dialect has one
//! for DDL (PostgreSQL, SQLite); Oracle and MySQL create the backup table first (their DDL
//! commits) and then copy and update in one transaction. The rollback puts the saved values
//! back and drops the backup table, so an apply cannot run twice over itself and a rollback
//! cannot run twice either. Every identifier and literal is quoted for its dialect.

use std::collections::HashMap;

use super::diff::Kind;
use super::review::{Line, State};
use super::Code;

/// One line of the mapping CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    pub old_code: Option<Code>,
    pub old_name: String,
    pub new_code: Option<Code>,
    pub new_name: String,
    pub kind: Kind,
    pub state: State,
    pub reviewer: String,
    pub at: Option<i64>,
}

/// The mapping's lines: every pair of the changes that apply (accepted or edited), or with
/// `all` of every change, a change without a mapping written with its rows alone. `names`
/// gives the names of new codes outside the change (an edit onto a code that was kept).
pub fn mapping_rows(lines: &[Line], all: bool, names: &HashMap<Code, String>) -> Vec<MappingRow> {
    let mut out = Vec::new();
    for l in lines {
        if !all && !l.applies() {
            continue;
        }
        let c = &l.change;
        let (reviewer, at) = match &l.review {
            Some(r) => (r.reviewer.clone(), Some(r.at)),
            None => (String::new(), None),
        };
        let row = |old: Option<&Code>, new: Option<&Code>| {
            let old_name = old
                .and_then(|o| c.old.iter().find(|d| &d.code == o))
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let new_name = new
                .and_then(|n| {
                    c.new.iter().find(|d| &d.code == n).map(|d| d.name.clone()).or(names.get(n).cloned())
                })
                .unwrap_or_default();
            MappingRow {
                old_code: old.cloned(),
                old_name,
                new_code: new.cloned(),
                new_name,
                kind: c.kind,
                state: l.state(),
                reviewer: reviewer.clone(),
                at,
            }
        };
        let mapping = l.mapping();
        for (from, to) in mapping {
            out.push(row(Some(from), Some(to)));
        }
        if all {
            for d in c.old.iter().filter(|d| !mapping.iter().any(|(f, _)| f == &d.code)) {
                out.push(row(Some(&d.code), None));
            }
            for d in c.new.iter().filter(|d| !mapping.iter().any(|(_, t)| t == &d.code)) {
                out.push(row(None, Some(&d.code)));
            }
        }
    }
    out
}

pub const MAPPING_COLUMNS: &str = "old_code,old_name,new_code,new_name,kind,review,reviewer,reviewed_at";

/// The mapping as CSV (UTF-8 with a byte-order mark, for spreadsheets; CRLF), `time` writing
/// the review times.
pub fn mapping_csv(rows: &[MappingRow], time: impl Fn(i64) -> String) -> String {
    use crate::text::csv_field;
    let mut out = String::from("\u{feff}");
    out.push_str(MAPPING_COLUMNS);
    out.push_str("\r\n");
    for r in rows {
        let code = |c: &Option<Code>| c.as_ref().map(|c| c.to_string()).unwrap_or_default();
        let fields = [
            code(&r.old_code),
            r.old_name.clone(),
            code(&r.new_code),
            r.new_name.clone(),
            r.kind.as_str().to_string(),
            r.state.as_str().to_string(),
            r.reviewer.clone(),
            r.at.map(&time).unwrap_or_default(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Oracle,
    Mysql,
    Postgres,
    Sqlite,
}

impl Dialect {
    pub fn parse(text: &str) -> Option<Dialect> {
        match text.trim().to_ascii_lowercase().as_str() {
            "oracle" => Some(Dialect::Oracle),
            "mysql" | "mariadb" => Some(Dialect::Mysql),
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Oracle => "oracle",
            Dialect::Mysql => "mysql",
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// An identifier in quotes: `"x"` (`""` inside) or, for MySQL, `` `x` ``. Oracle keeps a
    /// plain name (a letter, then letters, digits, `_ $ #`) in upper case, as it stores the
    /// names written without quotes: `rk.person` is `"RK"."PERSON"` there.
    fn ident(self, part: &str) -> String {
        let plain = part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric() || "_$#".contains(c));
        match self {
            Dialect::Mysql => format!("`{}`", part.replace('`', "``")),
            Dialect::Oracle if plain => format!("\"{}\"", part.to_ascii_uppercase()),
            _ => format!("\"{}\"", part.replace('"', "\"\"")),
        }
    }

    /// A string literal: `'x'` with `''` inside; MySQL also reads a backslash as an escape.
    pub fn literal(self, text: &str) -> String {
        let t = text.replace('\'', "''");
        match self {
            Dialect::Mysql => format!("'{}'", t.replace('\\', "\\\\")),
            _ => format!("'{t}'"),
        }
    }

    /// `new` followed by what `column` holds after its first `keep` characters.
    fn splice(self, new: &str, column: &str, keep: usize) -> String {
        let from = keep + 1;
        match self {
            Dialect::Mysql => format!("CONCAT({}, SUBSTRING({column}, {from}))", self.literal(new)),
            _ => format!("{} || SUBSTR({column}, {from})", self.literal(new)),
        }
    }

    /// The longest identifier the dialect takes (Oracle before 12.2: 30).
    fn max_ident(self) -> usize {
        match self {
            Dialect::Oracle => 30,
            Dialect::Mysql => 64,
            Dialect::Postgres => 63,
            Dialect::Sqlite => 128,
        }
    }
}

/// How a column's values meet the mapping's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The value is the code.
    Exact,
    /// The value starts with the code (a twelve-digit column under six-digit codes).
    Prefix,
}

/// The table to change: `table` may name its schema (`rk.person`), each part quoted alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub table: String,
    pub column: String,
    pub key: String,
}

/// One accepted mapping, with what the comment above its statements says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub from: Code,
    pub from_name: String,
    pub to: Code,
    pub to_name: String,
    pub kind: Kind,
    pub state: State,
    pub reviewer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlError {
    /// An identifier that cannot be written (empty, or with a NUL or a line break).
    Ident { what: &'static str, value: String },
    /// The key and the column are the same.
    KeyIsColumn,
    /// No accepted mapping changes a code.
    Nothing,
    /// `--match prefix` over codes of more than one length.
    MixedLengths,
    /// Mappings that go round (each code of the cycle is mapped onto the next).
    Cycle(Vec<Code>),
}

/// The pairs in an order that moves each row once: a code mapped onto one that is itself
/// mapped on (460105→460106, 460106→460107) waits until that one has moved. A cycle is
/// refused, its codes named.
fn in_order(pairs: &[Pair]) -> Result<Vec<&Pair>, SqlError> {
    let by_from: std::collections::HashMap<&Code, usize> =
        pairs.iter().enumerate().map(|(i, p)| (&p.from, i)).collect();
    let mut placed = vec![false; pairs.len()];
    let mut out = Vec::with_capacity(pairs.len());
    while out.len() < pairs.len() {
        let before = out.len();
        for (i, p) in pairs.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let waits = by_from.get(&p.to).is_some_and(|&j| j != i && !placed[j]);
            if !waits {
                placed[i] = true;
                out.push(p);
            }
        }
        if out.len() == before {
            let cycle: Vec<Code> =
                pairs.iter().zip(&placed).filter(|(_, d)| !**d).map(|(p, _)| p.from.clone()).collect();
            return Err(SqlError::Cycle(cycle));
        }
    }
    Ok(out)
}

/// The pairs of the accepted changes that change a code (a rename keeps its code), with the
/// names for the comments.
pub fn accepted_pairs(lines: &[Line], names: &HashMap<Code, String>) -> Vec<Pair> {
    mapping_rows(lines, false, names)
        .into_iter()
        .filter_map(|r| {
            let (from, to) = (r.old_code?, r.new_code?);
            (from != to).then_some(Pair {
                from,
                from_name: r.old_name,
                to,
                to_name: r.new_name,
                kind: r.kind,
                state: r.state,
                reviewer: r.reviewer,
            })
        })
        .collect()
}

/// A dotted name's parts, each checked.
fn parts<'a>(what: &'static str, name: &'a str) -> Result<Vec<&'a str>, SqlError> {
    let bad = || SqlError::Ident { what, value: crate::text::escape_unprintable(name).into_owned() };
    let parts: Vec<&str> = name.split('.').collect();
    if parts.iter().any(|p| p.trim().is_empty() || p.contains(['\0', '\n', '\r'])) {
        return Err(bad());
    }
    Ok(parts)
}

/// The backup table's name: `yw_bak_<old>_<new>` when the two names are plain ASCII words
/// that fit, else a readable start and eight hex digits of the pair's SHA-256.
pub fn backup_name(dialect: Dialect, old: &str, new: &str) -> String {
    use sha2::Digest;
    let clean = |s: &str| -> String {
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
    };
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let readable = format!("yw_bak_{}_{}", clean(old), clean(new));
    let max = dialect.max_ident();
    if plain(old) && plain(new) && old.chars().all(|c| !c.is_ascii_uppercase()) && readable.len() <= max {
        return readable;
    }
    let hash = sha2::Sha256::digest(format!("{old}\0{new}").as_bytes());
    let hex: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let room = max - hex.len() - 1;
    let start: String = readable.chars().take(room).collect();
    format!("{}_{hex}", start.trim_end_matches('_'))
}

/// A comment's text: one line, nothing a client could read as the comment's end.
fn comment(text: &str) -> String {
    crate::text::escape_unprintable(text).replace("*/", "* /")
}

/// `apply.sql` and `rollback.sql` for `pairs` (`header`: the lines said at the top of both,
/// as comments).
pub fn write_sql(
    dialect: Dialect,
    matching: Match,
    target: &Target,
    backup: &str,
    pairs: &[Pair],
    header: &[String],
) -> Result<(String, String), SqlError> {
    let table_parts = parts("--table", &target.table)?;
    let column = parts("--column", &target.column)?;
    let key = parts("--key", &target.key)?;
    if column.len() != 1 {
        return Err(SqlError::Ident { what: "--column", value: target.column.clone() });
    }
    if key.len() != 1 {
        return Err(SqlError::Ident { what: "--key", value: target.key.clone() });
    }
    if column[0] == key[0] {
        return Err(SqlError::KeyIsColumn);
    }
    if pairs.is_empty() {
        return Err(SqlError::Nothing);
    }
    let lengths: std::collections::BTreeSet<usize> = pairs.iter().map(|p| p.from.len()).collect();
    if matching == Match::Prefix && lengths.len() > 1 {
        return Err(SqlError::MixedLengths);
    }
    let pairs = in_order(pairs)?;
    let q = |s: &str| dialect.ident(s);
    let table = table_parts.iter().map(|p| q(p)).collect::<Vec<_>>().join(".");
    // The backup table beside the table, in its schema.
    let mut backup_parts: Vec<String> = table_parts[..table_parts.len() - 1].iter().map(|p| q(p)).collect();
    backup_parts.push(q(backup));
    let bak = backup_parts.join(".");
    let (col, k) = (q(column[0]), q(key[0]));
    // The table as its columns are qualified inside a subquery: its own name, unqualified.
    let own = q(table_parts[table_parts.len() - 1]);

    let mut head = String::new();
    for line in header {
        head.push_str(&format!("-- {}\n", comment(line)));
    }
    let prelude = |s: &mut String| match dialect {
        Dialect::Oracle => {
            s.push_str("WHENEVER SQLERROR EXIT SQL.SQLCODE ROLLBACK\nSET DEFINE OFF\n");
        }
        Dialect::Sqlite => s.push_str(".bail on\n"),
        Dialect::Postgres => s.push_str("\\set ON_ERROR_STOP on\n"),
        Dialect::Mysql => {}
    };

    let mut apply = head.clone();
    prelude(&mut apply);
    let create = format!("CREATE TABLE {bak} AS SELECT {k}, {col} FROM {table} WHERE 1 = 0;\n");
    match dialect {
        Dialect::Sqlite | Dialect::Postgres => {
            apply.push_str("BEGIN;\n");
            apply.push_str(&create);
        }
        Dialect::Mysql => {
            apply.push_str(&create);
            apply.push_str("START TRANSACTION;\n");
        }
        Dialect::Oracle => apply.push_str(&create),
    }
    for p in &pairs {
        let who = if p.reviewer.is_empty() { String::new() } else { format!(", {}", p.reviewer) };
        apply.push_str(&format!(
            "-- {} {} → {} {} ({}, {}{who})\n",
            p.from,
            comment(&p.from_name),
            p.to,
            comment(&p.to_name),
            p.kind.as_str(),
            p.state.as_str()
        ));
        let (cond, value) = match matching {
            Match::Exact => {
                (format!("{col} = {}", dialect.literal(p.from.as_str())), dialect.literal(p.to.as_str()))
            }
            Match::Prefix => (
                format!("{col} LIKE {}", dialect.literal(&format!("{}%", p.from))),
                dialect.splice(p.to.as_str(), &col, p.from.len()),
            ),
        };
        apply.push_str(&format!(
            "INSERT INTO {bak} ({k}, {col}) SELECT {k}, {col} FROM {table} WHERE {cond};\n"
        ));
        apply.push_str(&format!("UPDATE {table} SET {col} = {value} WHERE {cond};\n"));
    }
    apply.push_str("COMMIT;\n");

    let mut rollback = head;
    prelude(&mut rollback);
    match dialect {
        Dialect::Sqlite | Dialect::Postgres => rollback.push_str("BEGIN;\n"),
        Dialect::Mysql => rollback.push_str("START TRANSACTION;\n"),
        Dialect::Oracle => {}
    }
    rollback.push_str(&format!(
        "UPDATE {table} SET {col} = (SELECT b.{col} FROM {bak} b WHERE b.{k} = {own}.{k})\n    WHERE {k} IN (SELECT {k} FROM {bak});\n"
    ));
    match dialect {
        Dialect::Sqlite | Dialect::Postgres => {
            rollback.push_str(&format!("DROP TABLE {bak};\nCOMMIT;\n"));
        }
        Dialect::Mysql | Dialect::Oracle => {
            rollback.push_str(&format!("COMMIT;\nDROP TABLE {bak};\n"));
        }
    }
    Ok((apply, rollback))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn pair(from: &str, to: &str) -> Pair {
        Pair {
            from: c(from),
            from_name: "儋州市".into(),
            to: c(to),
            to_name: "儋州市".into(),
            kind: Kind::Recoded,
            state: State::Accepted,
            reviewer: "张三".into(),
        }
    }

    fn target(table: &str, column: &str) -> Target {
        Target { table: table.into(), column: column.into(), key: "id".into() }
    }

    #[test]
    fn each_dialect_quotes_identifiers_and_literals() {
        assert_eq!(Dialect::Mysql.ident("a`b"), "`a``b`");
        assert_eq!(Dialect::Postgres.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Oracle.literal("it's"), "'it''s'");
        assert_eq!(Dialect::Mysql.literal("a\\'b"), "'a\\\\''b'");
        assert_eq!(Dialect::Sqlite.literal("a\\b"), "'a\\b'");
        let (apply, rollback) = write_sql(
            Dialect::Mysql,
            Match::Exact,
            &target("rk.per`son", "zz\"code"),
            "yw_bak_a_b",
            &[pair("469003", "460400")],
            &["head".into()],
        )
        .unwrap();
        assert!(apply.contains("CREATE TABLE `rk`.`yw_bak_a_b` AS SELECT `id`, `zz\"code` FROM `rk`.`per``son` WHERE 1 = 0;\nSTART TRANSACTION;"), "{apply}");
        assert!(
            apply.contains("UPDATE `rk`.`per``son` SET `zz\"code` = '460400' WHERE `zz\"code` = '469003';"),
            "{apply}"
        );
        assert!(rollback.contains("WHERE b.`id` = `per``son`.`id`"), "{rollback}");
        let (apply, _) = write_sql(
            Dialect::Oracle,
            Match::Prefix,
            &target("RK.PERSON", "HJDZ"),
            "yw_bak_a_b",
            &[pair("469003", "460400")],
            &[],
        )
        .unwrap();
        assert!(
            apply.starts_with("WHENEVER SQLERROR EXIT SQL.SQLCODE ROLLBACK\nSET DEFINE OFF\n"),
            "{apply}"
        );
        assert!(
            apply.contains("UPDATE \"RK\".\"PERSON\" SET \"HJDZ\" = '460400' || SUBSTR(\"HJDZ\", 7) WHERE \"HJDZ\" LIKE '469003%';"),
            "{apply}"
        );
        let (apply, _) = write_sql(
            Dialect::Mysql,
            Match::Prefix,
            &target("p", "c"),
            "b",
            &[pair("469003", "460400")],
            &[],
        )
        .unwrap();
        assert!(
            apply.contains("SET `c` = CONCAT('460400', SUBSTRING(`c`, 7)) WHERE `c` LIKE '469003%'"),
            "{apply}"
        );
    }

    #[test]
    fn what_cannot_be_written_is_refused() {
        let p = [pair("469003", "460400")];
        let w = |t: Target, p: &[Pair]| write_sql(Dialect::Sqlite, Match::Exact, &t, "b", p, &[]);
        assert_eq!(w(target("p", "c"), &[]), Err(SqlError::Nothing));
        assert!(matches!(w(target("a..b", "c"), &p), Err(SqlError::Ident { what: "--table", .. })));
        assert!(matches!(w(target("p", "c\nd"), &p), Err(SqlError::Ident { what: "--column", .. })));
        assert_eq!(w(Target { key: "c".into(), ..target("p", "c") }, &p), Err(SqlError::KeyIsColumn));
        let mixed = [pair("469003", "460400"), pair("460105001000", "460105002000")];
        assert_eq!(
            write_sql(Dialect::Sqlite, Match::Prefix, &target("p", "c"), "b", &mixed, &[]),
            Err(SqlError::MixedLengths)
        );
        // A comment cannot end a line early or close a block.
        let mut odd = pair("469003", "460400");
        odd.from_name = "a\nDROP TABLE p; */".into();
        let (apply, _) = w(target("p", "c"), &[odd]).unwrap();
        assert!(!apply.contains("\nDROP TABLE p"), "{apply}");
    }

    #[test]
    fn a_chain_of_mappings_moves_each_row_once_and_a_cycle_is_refused() {
        let chain = [pair("460105", "460106"), pair("460106", "460107")];
        let (apply, _) =
            write_sql(Dialect::Sqlite, Match::Exact, &target("p", "c"), "b", &chain, &[]).unwrap();
        let first = apply.find("WHERE \"c\" = '460106'").unwrap();
        let second = apply.find("WHERE \"c\" = '460105'").unwrap();
        assert!(first < second, "460106 moves on before 460105 arrives:\n{apply}");
        let cycle = [pair("460105", "460106"), pair("460106", "460105")];
        assert!(matches!(
            write_sql(Dialect::Sqlite, Match::Exact, &target("p", "c"), "b", &cycle, &[]),
            Err(SqlError::Cycle(codes)) if codes.len() == 2
        ));
    }

    #[test]
    fn the_backup_table_is_named_after_the_pair() {
        assert_eq!(backup_name(Dialect::Sqlite, "2023", "2024"), "yw_bak_2023_2024");
        let odd = backup_name(Dialect::Oracle, "2023年12月", "2024-06 edition, amended");
        assert!(odd.len() <= 30 && odd.starts_with("yw_bak_2023"), "{odd}");
        assert!(odd.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{odd}");
        assert_ne!(backup_name(Dialect::Oracle, "a-b", "c"), backup_name(Dialect::Oracle, "a_b", "c"));
    }
}
