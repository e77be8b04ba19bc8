//! Reading an edition of the codes, for `divcode import`: CSV with a header (`code,name` and
//! optionally `level,parent`), or the published text form (a code, spaces, the name, a line
//! each, as the Ministry of Civil Affairs' lists are copied from its web page: blank lines,
//! full-width spaces and notes around them), in UTF-8 or GB18030. Six- or twelve-digit codes,
//! one length a file. Level and parent come from the code where the file does not give them.
//! All or nothing: every bad line is named with its number and why.

use super::{Code, CodeError, Division};

/// How the file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Csv,
    Text,
}

/// What was read: every row in the file's order, its encoding and form, and how many lines
/// were read past as notes (text form: lines that start with no digit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    pub rows: Vec<Division>,
    pub encoding: &'static str,
    pub format: Format,
    pub notes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Neither UTF-8 nor GB18030.
    Encoding,
    Empty,
    /// The CSV header lacks `code` or `name`.
    Header {
        missing: &'static str,
    },
    Csv {
        reason: String,
    },
    Code {
        text: String,
        error: CodeError,
    },
    /// A code of another length than the file's first (6 or 12).
    Length {
        code: String,
        expected: usize,
    },
    EmptyName {
        code: String,
    },
    /// The same code twice with different names (the first line named, with both names).
    Twice {
        code: String,
        first: u64,
        name: String,
        again: String,
    },
    /// More cells than the header has headings.
    Cells {
        found: usize,
        header: usize,
    },
    /// A name holding a control or bidirectional character (shown escaped).
    Unprintable {
        code: String,
        name: String,
    },
    /// A level or parent given in the file that the code contradicts, or that is not a number.
    Level {
        code: String,
        given: String,
        derived: u8,
    },
    /// A child whose parent (given, or derived from its code) is not in the file.
    ParentAbsent {
        code: String,
        parent: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// The line (the header is line 1 of a CSV); 0 for the file as a whole.
    pub line: u64,
    pub problem: Problem,
}

/// The text: UTF-8 (a BOM dropped), else GB18030 (GBK's superset).
fn decode(bytes: &[u8]) -> Option<(String, &'static str)> {
    crate::text::decode_file(bytes, encoding_rs::GB18030, "GB18030").ok()
}

/// A name as stored: spaces (ASCII and full-width) at its ends dropped, and a note after it in
/// brackets (`（2019年撤销）`) kept, as the list has it.
fn name_of(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}').to_string()
}

/// One line's row as read: code, name, and the level and parent the file gives.
struct Read {
    line: u64,
    code: String,
    name: String,
    level: Option<String>,
    parent: Option<String>,
}

/// The rows read, with the lines that have too many cells (told with the other problems); a
/// file that is no CSV at all is refused at once.
fn read_csv(text: &str) -> Result<(Vec<Read>, Vec<LineProblem>), Vec<LineProblem>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(vec![LineProblem { line: 0, problem: Problem::Empty }]),
        Some(Err(e)) => {
            return Err(vec![LineProblem { line: 1, problem: Problem::Csv { reason: e.to_string() } }])
        }
        Some(Ok(h)) => h,
    };
    // A column by its English name or its usual Chinese headings.
    let col = |names: &[&str]| {
        header.iter().position(|h| {
            names.iter().any(|n| h.trim().trim_start_matches('\u{feff}').eq_ignore_ascii_case(n))
        })
    };
    let code_col = col(&["code", "代码", "区划代码", "行政区划代码", "统计用区划代码"]);
    let name_col = col(&["name", "名称", "区划名称", "行政区划名称", "单位名称"]);
    let (Some(code_at), Some(name_at)) = (code_col, name_col) else {
        let missing = if code_col.is_none() { "code" } else { "name" };
        return Err(vec![LineProblem { line: 1, problem: Problem::Header { missing } }]);
    };
    let level_at = col(&["level", "级别", "层级"]);
    let parent_at = col(&["parent", "上级", "上级代码", "父级代码", "上级区划代码"]);
    let width = header.len();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        match record {
            Ok(r) => {
                let line = r.position().map(|p| p.line()).unwrap_or(0);
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                // More cells than headings (a comma in a name not in quotes): refused, unless
                // the ones beyond are empty (a trailing comma).
                if r.iter().skip(width).any(|c| !c.trim().is_empty()) {
                    problems.push(LineProblem {
                        line,
                        problem: Problem::Cells { found: r.len(), header: width },
                    });
                    continue;
                }
                let get = |i: Option<usize>| {
                    i.and_then(|i| r.get(i)).map(str::trim).filter(|s| !s.is_empty()).map(String::from)
                };
                out.push(Read {
                    line,
                    code: get(Some(code_at)).unwrap_or_default(),
                    name: r.get(name_at).map(name_of).unwrap_or_default(),
                    level: get(level_at),
                    parent: get(parent_at),
                });
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(LineProblem { line, problem: Problem::Csv { reason: e.to_string() } });
                return Err(problems);
            }
        }
    }
    Ok((out, problems))
}

/// The text form: a line that starts with a digit is a code and its name; any other line (a
/// title, a note, a blank) is read past and counted.
fn read_text(text: &str) -> (Vec<Read>, usize) {
    let mut out = Vec::new();
    let mut notes = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{feff}');
        if line.is_empty() {
            continue;
        }
        // The code ends at a space (a full-width one too), a tab or a comma (a list saved as
        // CSV without its header).
        let end = line.find(|c: char| c.is_whitespace() || c == '\u{3000}' || c == ',').unwrap_or(line.len());
        // A line that starts with no digit is a note; so is one whose first word is no code
        // gone wrong but words (a title: 2020年中华人民共和国县以上行政区划代码).
        if !line.starts_with(|c: char| c.is_ascii_digit()) || !line[..end].is_ascii() {
            notes += 1;
            continue;
        }
        let rest = &line[end..];
        let rest = rest.strip_prefix(',').unwrap_or(rest);
        out.push(Read {
            line: i as u64 + 1,
            code: line[..end].to_string(),
            name: name_of(rest.split(',').next().unwrap_or("")),
            level: None,
            parent: None,
        });
    }
    (out, notes)
}

/// Reads and checks a whole edition.
pub fn parse(bytes: &[u8], format: Format) -> Result<Edition, Vec<LineProblem>> {
    let whole = |problem| vec![LineProblem { line: 0, problem }];
    let (text, encoding) = decode(bytes).ok_or_else(|| whole(Problem::Encoding))?;
    let format = match format {
        Format::Auto => {
            // A header line: commas, and no code at its start.
            let first = text
                .lines()
                .map(|l| l.trim_start_matches('\u{feff}').trim())
                .find(|l| !l.is_empty())
                .unwrap_or("");
            let header = first.contains(',') && !first.starts_with(|c: char| c.is_ascii_digit());
            if header || (first.contains(',') && first.to_ascii_lowercase().contains("code")) {
                Format::Csv
            } else {
                Format::Text
            }
        }
        f => f,
    };
    let (read, notes, mut problems) = match format {
        Format::Csv => {
            let (read, early) = read_csv(&text)?;
            (read, 0, early)
        }
        _ => {
            let (read, notes) = read_text(&text);
            (read, notes, Vec::new())
        }
    };
    if read.is_empty() && problems.is_empty() {
        return Err(whole(Problem::Empty));
    }
    let mut bad = |line, problem| problems.push(LineProblem { line, problem });
    // Each good line's code, with what it read (its name escaped).
    let mut codes: Vec<(Code, Read)> = Vec::with_capacity(read.len());
    let mut length = None;
    for mut r in read {
        let code = match Code::from_string(std::mem::take(&mut r.code)) {
            Ok(c) => c,
            Err((text, error)) => {
                bad(
                    r.line,
                    Problem::Code { text: crate::text::escape_unprintable(&text).into_owned(), error },
                );
                continue;
            }
        };
        let expected = *length.get_or_insert(code.len());
        if code.len() != expected {
            bad(r.line, Problem::Length { code: code.to_string(), expected });
            continue;
        }
        if r.name.chars().any(crate::text::is_unprintable) {
            let name = crate::text::escape_unprintable(&r.name).into_owned();
            bad(r.line, Problem::Unprintable { code: code.to_string(), name });
            continue;
        }
        if r.name.is_empty() {
            bad(r.line, Problem::EmptyName { code: code.to_string() });
            continue;
        }
        codes.push((code, r));
    }
    // A code twice: the same row again (a list copied with a repeated line) is read once, the
    // same code with another name is an error naming the first line. Found in code order (a
    // stable sort keeps the lines of one code in the file's order).
    let mut order: Vec<usize> = (0..codes.len()).collect();
    order.sort_by(|&a, &b| codes[a].0.cmp(&codes[b].0));
    let mut keep = vec![true; codes.len()];
    let mut first = None::<usize>;
    for &i in &order {
        match first {
            Some(f) if codes[f].0 == codes[i].0 => {
                keep[i] = false;
                if codes[f].1.name != codes[i].1.name {
                    let (code, r) = &codes[f];
                    bad(
                        codes[i].1.line,
                        Problem::Twice {
                            code: code.to_string(),
                            first: r.line,
                            name: r.name.clone(),
                            again: codes[i].1.name.clone(),
                        },
                    );
                }
            }
            _ => first = Some(i),
        }
    }
    // The codes there, in order (from the sort above): a parent is looked up by binary search.
    let present: Vec<&str> = order.iter().filter(|&&i| keep[i]).map(|&i| codes[i].0.as_str()).collect();
    let present_has = |c: &str| present.binary_search(&c).is_ok();
    // Where each parent is, derived or given: worked out first, the rows moved out after.
    let mut parent_of: Vec<Option<Code>> = Vec::with_capacity(codes.len());
    for ((code, r), kept) in codes.iter().zip(&keep) {
        parent_of.push(None);
        if !kept {
            continue;
        }
        let level_of_code = code.level();
        if let Some(given) = &r.level {
            if given.parse::<u8>().ok() != Some(level_of_code) {
                bad(
                    r.line,
                    Problem::Level { code: code.to_string(), given: given.clone(), derived: level_of_code },
                );
                continue;
            }
        }
        let parent = match &r.parent {
            Some(p) => match Code::parse(p) {
                Ok(pc) if present_has(pc.as_str()) => Some(pc),
                _ => {
                    bad(
                        r.line,
                        Problem::ParentAbsent {
                            code: code.to_string(),
                            parent: crate::text::escape_unprintable(p).into_owned(),
                        },
                    );
                    continue;
                }
            },
            None => code.nearest_ancestor(present_has),
        };
        if parent.is_none() && level_of_code > 1 {
            bad(r.line, Problem::ParentAbsent { code: code.to_string(), parent: code.prefix(1).to_string() });
            continue;
        }
        if let Some(slot) = parent_of.last_mut() {
            *slot = parent;
        }
    }
    let rows: Vec<Division> = if problems.is_empty() {
        codes
            .into_iter()
            .zip(parent_of)
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(((code, r), parent), _)| Division { level: code.level(), code, name: r.name, parent })
            .collect()
    } else {
        Vec::new()
    };
    if problems.is_empty() {
        Ok(Edition { rows, encoding, format, notes })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "中华人民共和国县以上行政区划代码\n\n460000\u{3000}海南省\n460100    海口市\n  460105  秀英区  \n\n469001 五指山市\n注：469001 为省直辖县级市。\n";

    #[test]
    fn the_published_text_form_reads_in_utf8_and_gb18030() {
        let (gb, _, _) = encoding_rs::GB18030.encode(TEXT);
        for bytes in [TEXT.as_bytes().to_vec(), gb.into_owned()] {
            let e = parse(&bytes, Format::Auto).unwrap();
            assert_eq!(e.format, Format::Text);
            assert_eq!(e.notes, 2, "the title and the note");
            let names: Vec<&str> = e.rows.iter().map(|r| r.name.as_str()).collect();
            assert_eq!(names, ["海南省", "海口市", "秀英区", "五指山市"]);
            let wzs = &e.rows[3];
            assert_eq!((wzs.level, wzs.parent.as_ref().map(|p| p.as_str())), (3, Some("460000")));
        }
        assert_eq!(parse(TEXT.as_bytes(), Format::Auto).unwrap().encoding, "UTF-8");
    }

    #[test]
    fn every_bad_line_is_named_and_the_file_refused() {
        let csv = "code,name\n460000,海南省\n46010X,海口市\n4601,三亚市\n460200,\n460105,秀英区\n460105,秀英县\n460300000000,三沙市\n";
        let p = parse(csv.as_bytes(), Format::Auto).unwrap_err();
        let lines: Vec<u64> = p.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 7, 8]);
        assert!(
            matches!(&p[0].problem, Problem::Code { text, error: CodeError::NotDigits } if text == "46010X")
        );
        assert!(matches!(&p[1].problem, Problem::Code { error: CodeError::Length(4), .. }));
        assert!(matches!(&p[2].problem, Problem::EmptyName { code } if code == "460200"));
        assert!(
            matches!(&p[3].problem, Problem::Twice { first: 6, name, again, .. } if name == "秀英区" && again == "秀英县")
        );
        assert!(matches!(&p[4].problem, Problem::Length { expected: 6, .. }));
        // A parent the file names but does not hold, a child of a province not there.
        let csv = "code,name,level,parent\n460000,海南省,1,\n460100,海口市,2,460000\n460105,秀英区,3,469900\n110101,东城区,3,\n";
        let p = parse(csv.as_bytes(), Format::Csv).unwrap_err();
        assert!(
            matches!(&p[0], LineProblem { line: 4, problem: Problem::ParentAbsent { parent, .. } } if parent == "469900")
        );
        assert!(
            matches!(&p[1], LineProblem { line: 5, problem: Problem::ParentAbsent { parent, .. } } if parent == "110000")
        );
        let p = parse("code,name,level\n460000,海南省,2\n".as_bytes(), Format::Csv).unwrap_err();
        assert!(matches!(&p[0].problem, Problem::Level { derived: 1, .. }));
        assert!(matches!(parse(b"\xff\xfe\x00", Format::Auto).unwrap_err()[0].problem, Problem::Encoding));
        assert!(matches!(parse(b"\n\n", Format::Auto).unwrap_err()[0].problem, Problem::Empty));
        assert!(matches!(
            parse(b"id,name\n1,x\n", Format::Csv).unwrap_err()[0].problem,
            Problem::Header { missing: "code" }
        ));
        // Told apart without --format: a header names its columns, a list starts with a code.
        assert!(matches!(
            parse(b"id,name\n1,x\n", Format::Auto).unwrap_err()[0].problem,
            Problem::Header { missing: "code" }
        ));
        // A title with its year is read past; a name with an escape or a bidi override, or a
        // comma too many, is refused; Chinese headings are known.
        let e = parse("2020年中华人民共和国县以上行政区划代码\n460000 海南省\n".as_bytes(), Format::Text)
            .unwrap();
        assert_eq!((e.rows.len(), e.notes), (1, 1));
        let p = parse(
            "code,name\n460000,海\u{1b}[2J南\n460100,海口\u{202e}市\n460105,秀英,区\n460106,龙华区,\n"
                .as_bytes(),
            Format::Csv,
        )
        .unwrap_err();
        assert!(matches!(&p[0], LineProblem { line: 2, problem: Problem::Unprintable { .. } }), "{p:?}");
        assert!(matches!(&p[1], LineProblem { line: 3, problem: Problem::Unprintable { .. } }), "{p:?}");
        assert!(
            matches!(&p[2], LineProblem { line: 4, problem: Problem::Cells { found: 3, header: 2 } }),
            "{p:?}"
        );
        assert!(
            !p.iter().any(|p| p.line == 5 && matches!(p.problem, Problem::Cells { .. })),
            "a trailing empty cell is no problem: {p:?}"
        );
        let e = parse("行政区划代码,名称\n460000,海南省\n".as_bytes(), Format::Auto).unwrap();
        assert_eq!(e.rows[0].name, "海南省");
        let e = parse("460000,海南省\n460100,海口市,\n".as_bytes(), Format::Auto).unwrap();
        assert_eq!(
            (e.format, e.rows[1].name.as_str()),
            (Format::Text, "海口市"),
            "a list saved as CSV without a header"
        );
    }

    /// The shared real tables (not in the repository): every edition reads, with the parents
    /// the collection gives.
    #[test]
    fn the_real_tables_read_with_their_own_parents() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/divisions");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} is not there (the shared real data)", dir.display());
            return;
        };
        let mut read = 0;
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "csv") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let edition = parse(&bytes, Format::Auto).unwrap_or_else(|p| panic!("{}: {p:?}", path.display()));
            // The same parents from the code as the collection wrote.
            let text = String::from_utf8(bytes).unwrap();
            let mut given = text.lines().skip(1).filter(|l| !l.is_empty()).map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].to_string(), f[3].to_string())
            });
            let stripped: Vec<u8> = {
                let mut out = String::from("code,name\n");
                for l in text.lines().skip(1).filter(|l| !l.is_empty()) {
                    let f: Vec<&str> = l.split(',').collect();
                    out.push_str(&format!("{},{}\n", f[0], f[1]));
                }
                out.into_bytes()
            };
            let derived = parse(&stripped, Format::Csv).unwrap();
            for r in &derived.rows {
                let (code, parent) = given.next().unwrap();
                assert_eq!(r.code.as_str(), code);
                assert_eq!(
                    r.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                    parent,
                    "{}: {code}",
                    path.display()
                );
            }
            assert_eq!(edition.rows.len(), derived.rows.len());
            read += 1;
        }
        assert!(read >= 20, "{read} tables read");
    }
}
