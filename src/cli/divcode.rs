//! `yunwei divcode …`: division-code editions from the command line. Import an edition, list
//! and drop them, diff two with every change classified and its mapping proposed, decide each
//! change, and write what was decided: the mapping as CSV, the SQL (apply and rollback) for the
//! business database, the counts of records each change touches and the proof that they
//! reconcile. Exit 0 when done, 1 when `reconcile` finds a mismatch, 2 for invalid input.
//! The rules are in `divcodes`, the SQL of the store in `store::divcodes`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::cli::errors::{print_clean, say};
use crate::cli::Global;
use crate::divcodes::diff::{diff, Kind};
use crate::divcodes::export::{self, Dialect, Match, Target};
use crate::divcodes::impact::{self, Counts};
use crate::divcodes::import::{self, Format, LineProblem};
use crate::divcodes::review::{self, Line, Requests, State};
use crate::divcodes::{Code, Division};
use crate::i18n::{tr, Lang};
use crate::store::divcodes::{DivcodeError, Version};
use crate::store::{Access, Store};

/// The arguments of `yunwei divcode`.
#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_required = true, arg_required_else_help = true, disable_help_subcommand = true)]
pub struct DivcodeArgs {
    #[command(subcommand)]
    pub command: DivcodeCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum DivcodeCommand {
    /// Import an edition of the codes (CSV or the published text form, UTF-8 or GB18030): all of it or nothing
    Import(ImportArgs),
    /// List the stored editions
    Versions(VersionsArgs),
    /// Remove an edition (refused while reviews refer to it, unless --force)
    Drop(DropArgs),
    /// Every change from OLD to NEW, classified, with its proposed mapping, evidence and review
    Diff(DiffArgs),
    /// Decide changes: accept, reject, or map an old code to a new one
    Review(ReviewArgs),
    /// Write the reviewed mapping as CSV
    Mapping(MappingArgs),
    /// Write apply.sql and rollback.sql from the accepted mappings
    Sql(SqlArgs),
    /// Count the records each change touches, with the commands of [[divcodes.impact]]
    Impact(ImpactArgs),
    /// Count again after the SQL ran and check that the records moved as mapped; exit 1 on a mismatch
    Reconcile(ReconcileArgs),
}

impl DivcodeCommand {
    pub fn name(&self) -> &'static str {
        match self {
            DivcodeCommand::Import(_) => "divcode import",
            DivcodeCommand::Versions(_) => "divcode versions",
            DivcodeCommand::Drop(_) => "divcode drop",
            DivcodeCommand::Diff(_) => "divcode diff",
            DivcodeCommand::Review(_) => "divcode review",
            DivcodeCommand::Mapping(_) => "divcode mapping",
            DivcodeCommand::Sql(_) => "divcode sql",
            DivcodeCommand::Impact(_) => "divcode impact",
            DivcodeCommand::Reconcile(_) => "divcode reconcile",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The file: CSV with a header (code,name[,level,parent]) or code and name a line
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The name to store the edition under (such as 2024)
    #[arg(long, value_name = "NAME")]
    pub version: String,
    /// auto, csv or text
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub format: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct VersionsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DropArgs {
    /// The edition's name
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Remove it even though reviews refer to it, and those reviews with it
    #[arg(long)]
    pub force: bool,
}

/// The two editions compared.
#[derive(Debug, Clone, clap::Args)]
pub struct Pair {
    /// The old edition
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new edition
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Only the changes that touch codes starting with this (such as 46)
    #[arg(long, value_name = "DIGITS")]
    pub prefix: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub pair: Pair,
    /// Accept every proposed change whose confidence is high first
    #[arg(long)]
    pub accept_confident: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub pair: Pair,
    /// Accept these changes (by id) as proposed
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub accept: Vec<String>,
    /// Reject these changes (by id)
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub reject: Vec<String>,
    /// Map an old code to a new one (FROM=TO), editing the change that holds FROM
    #[arg(long, value_name = "FROM=TO", num_args = 1..)]
    pub map: Vec<String>,
    /// Accept every proposed change whose confidence is high
    #[arg(long)]
    pub accept_confident: bool,
    /// Accept every proposed rename that changes the name's form only
    #[arg(long)]
    pub accept_form_only: bool,
    /// Undo these changes' decisions (by id): proposed again
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub reset: Vec<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct MappingArgs {
    #[command(flatten)]
    pub pair: Pair,
    /// Every change, not only the accepted ones
    #[arg(long)]
    pub all: bool,
    /// Write to FILE (mode 0600) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SqlArgs {
    #[command(flatten)]
    pub pair: Pair,
    /// oracle, mysql, postgres or sqlite
    #[arg(long, value_name = "DIALECT")]
    pub dialect: String,
    /// The table to change (schema.table allowed)
    #[arg(long, value_name = "TABLE")]
    pub table: String,
    /// The column holding the codes
    #[arg(long, value_name = "COLUMN")]
    pub column: String,
    /// The table's key column, saved with each old value
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// exact (the column holds the code) or prefix (the column's value starts with it)
    #[arg(long = "match", value_name = "HOW", default_value = "exact")]
    pub matching: String,
    /// The folder to write apply.sql and rollback.sql into
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Replace apply.sql and rollback.sql if they exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    pub pair: Pair,
    /// Only this [[divcodes.impact]] entry (repeatable)
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// Print JSON (what reconcile --before reads)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub pair: Pair,
    /// The JSON of an impact run before the SQL ran
    #[arg(long, value_name = "FILE")]
    pub before: PathBuf,
    /// Check instead that a rollback restored every count of FILE
    #[arg(long)]
    pub rolled_back: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `1 change`, `2 changes` (English counts; Chinese has no plural).
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A failed command: its exit code and what to say.
struct Failure {
    code: i32,
    message: String,
}

type Outcome = Result<i32, Failure>;

fn fail(code: i32, message: String) -> Failure {
    Failure { code, message }
}

struct Ctx<'a> {
    lang: Lang,
    operator: String,
    now: i64,
    cfg: &'a crate::config::Config,
}

fn shown(text: &str) -> String {
    crate::text::escape_unprintable(text).into_owned()
}

pub fn run(g: &Global, args: &DivcodeArgs) -> i32 {
    let name = args.command.name();
    let cfg = match crate::cli::config_or_say(g, name) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let lang = crate::cli::lang_with(g, &cfg);
    let now = match crate::cli::ticket::now(lang) {
        Ok(now) => now,
        Err(e) => {
            say(name, &e);
            return 2;
        }
    };
    let ctx = Ctx {
        lang,
        operator: crate::store::audit::resolve_operator(cfg.general.operator.as_deref()),
        now,
        cfg: &cfg,
    };
    let access = match &args.command {
        DivcodeCommand::Versions(_) | DivcodeCommand::Impact(_) | DivcodeCommand::Reconcile(_) => {
            Access::Read
        }
        DivcodeCommand::Diff(a) if !a.accept_confident => Access::Read,
        _ => Access::Write,
    };
    let (path, options) = crate::cli::db_options(g, access);
    if access == Access::Read && !path.exists() {
        // Nothing imported yet: say so in words, not as a missing file.
        let p = shown(&path.display().to_string());
        say(
            name,
            &tr(
                lang,
                format!("{p}: no database yet; import an edition first (yunwei divcode import FILE --version NAME)"),
                format!("{p}：数据库尚不存在；请先导入一个版本（yunwei divcode import 文件 --version 名称）"),
            ),
        );
        return 2;
    }
    let mut store = match Store::open_with(&path, options) {
        Ok(s) => s,
        Err(e) => {
            say(name, &e.text(lang));
            return 2;
        }
    };
    let result = match &args.command {
        DivcodeCommand::Import(a) => import(&mut store, &ctx, a),
        DivcodeCommand::Versions(a) => versions(&store, &ctx, a),
        DivcodeCommand::Drop(a) => drop(&mut store, &ctx, a),
        DivcodeCommand::Diff(a) => diff_cmd(&mut store, &ctx, a),
        DivcodeCommand::Review(a) => review_cmd(&mut store, &ctx, a),
        DivcodeCommand::Mapping(a) => mapping(&mut store, &ctx, a),
        DivcodeCommand::Sql(a) => sql(&mut store, &ctx, a),
        DivcodeCommand::Impact(a) => impact_cmd(&store, &ctx, a),
        DivcodeCommand::Reconcile(a) => reconcile(&store, &ctx, a),
    };
    match result {
        Ok(code) => code,
        Err(Failure { code, message }) => {
            say(name, &message);
            code
        }
    }
}

fn db_failure(lang: Lang, e: crate::store::StoreError) -> Failure {
    fail(2, e.text(lang))
}

fn divcode_failure(ctx: &Ctx, e: DivcodeError, versions: &[Version]) -> Failure {
    let lang = ctx.lang;
    match e {
        DivcodeError::Exists(name) => fail(
            2,
            tr(
                lang,
                format!(
                    "an edition named “{}” is stored already; choose another --version, or drop it first",
                    shown(&name)
                ),
                format!("已存有名为“{}”的版本；请换一个 --version，或先删除它", shown(&name)),
            ),
        ),
        DivcodeError::Unknown(name) => unknown_version(lang, &name, versions),
        DivcodeError::Referenced { name, reviews } => fail(
            2,
            tr(
                lang,
                format!(
                    "“{}” is not dropped: {reviews} review decisions refer to it; --force drops them with it",
                    shown(&name)
                ),
                format!(
                    "未删除“{}”：有 {reviews} 条审核决定引用它；加 --force 将连同它们一起删除",
                    shown(&name)
                ),
            ),
        ),
        DivcodeError::Store(e) => db_failure(lang, e),
    }
}

fn unknown_version(lang: Lang, name: &str, versions: &[Version]) -> Failure {
    let list: Vec<String> = versions.iter().map(|v| shown(&v.name)).collect();
    let list = if list.is_empty() {
        tr(lang, "none is stored yet", "尚未导入任何版本")
    } else {
        tr(lang, format!("stored: {}", list.join(", ")), format!("已有：{}", list.join("、")))
    };
    fail(
        2,
        tr(
            lang,
            format!("no edition is named “{}” ({list})", shown(name)),
            format!("没有名为“{}”的版本（{list}）", shown(name)),
        ),
    )
}

fn check_version_name(lang: Lang, name: &str) -> Result<(), Failure> {
    let n = name.trim();
    if n.is_empty() || n != name || n.chars().count() > 64 || n.chars().any(char::is_control) {
        return Err(fail(
            2,
            tr(
                lang,
                format!(
                    "--version “{}”: a name is 1 to 64 characters, without spaces at its ends or control characters",
                    shown(name)
                ),
                format!("--version “{}”：名称须为 1 到 64 个字符，两端不能有空格，不能含控制字符", shown(name)),
            ),
        ));
    }
    Ok(())
}

fn import(store: &mut Store, ctx: &Ctx, a: &ImportArgs) -> Outcome {
    let lang = ctx.lang;
    check_version_name(lang, &a.version)?;
    let format = match a.format.trim().to_ascii_lowercase().as_str() {
        "auto" => Format::Auto,
        "csv" => Format::Csv,
        "text" | "txt" => Format::Text,
        _ => {
            return Err(fail(
                2,
                tr(
                    lang,
                    format!("--format {:?} is not one of: auto, csv, text", shown(&a.format)),
                    format!("--format {:?} 无效，可选：auto、csv、text", shown(&a.format)),
                ),
            ))
        }
    };
    let file = shown(&a.file.display().to_string());
    let bytes = std::fs::read(&a.file).map_err(|e| {
        let why = crate::i18n::io_error(&e, lang);
        fail(2, tr(lang, format!("{file}: cannot be read: {why}"), format!("{file}：无法读取：{why}")))
    })?;
    let edition = import::parse(&bytes, format).map_err(|problems: Vec<LineProblem>| {
        let mut lines: Vec<String> = problems
            .iter()
            .map(|p| match p.line {
                0 => format!("{file}: {}", crate::divcode_words::problem(&p.problem, lang)),
                n => format!("{file}:{n}: {}", crate::divcode_words::problem(&p.problem, lang)),
            })
            .collect();
        let bad: HashSet<u64> = problems.iter().map(|p| p.line).collect();
        lines.push(tr(
            lang,
            format!(
                "{file}: {} on {}; nothing was imported",
                plural(problems.len(), "problem", "problems"),
                plural(bad.len(), "line", "lines")
            ),
            format!("{file}：{} 行共 {} 处问题；未导入任何内容", bad.len(), problems.len()),
        ));
        fail(2, lines.join("\n"))
    })?;
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let same =
        store.divcode_versions().map_err(|e| db_failure(lang, e))?.into_iter().find(|v| v.sha256 == sha);
    // Where it came from, whole (a path typed relative names nothing later).
    let source = std::fs::canonicalize(&a.file).unwrap_or_else(|_| a.file.clone()).display().to_string();
    let v = store
        .import_divcodes(&a.version, &source, &edition, &sha, &ctx.operator, ctx.now)
        .map_err(|e| divcode_failure(ctx, e, &[]))?;
    if a.json {
        println!("{}", json!({"version": v, "notes": edition.notes}));
        return Ok(0);
    }
    let form = match edition.format {
        Format::Csv => "CSV".to_string(),
        _ => tr(lang, "text", "文本"),
    };
    print_clean(&tr(
        lang,
        format!(
            "imported “{}” from {file}: {} rows, {}-digit codes ({form}, {})",
            v.name, v.rows, v.digits, v.encoding
        ),
        format!("已从 {file} 导入“{}”：{} 行，{} 位代码（{form}，{}）", v.name, v.rows, v.digits, v.encoding),
    ));
    if edition.notes > 0 {
        print_clean(&tr(
            lang,
            format!("{} lines that hold no code (titles, notes) were read past", edition.notes),
            format!("跳过了 {} 行不含代码的内容（标题、注释）", edition.notes),
        ));
    }
    if let Some(same) = same {
        print_clean(&tr(
            lang,
            format!("note: the file is the same, byte for byte, as the edition “{}”", shown(&same.name)),
            format!("注意：此文件与版本“{}”逐字节相同", shown(&same.name)),
        ));
    }
    Ok(0)
}

fn local_time(ts: i64) -> String {
    let offset = *crate::clock::now().offset();
    match chrono::TimeZone::timestamp_opt(&offset, ts, 0).single() {
        Some(t) => t.to_rfc3339(),
        None => ts.to_string(),
    }
}

fn short_time(ts: i64) -> String {
    let offset = *crate::clock::now().offset();
    match chrono::TimeZone::timestamp_opt(&offset, ts, 0).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => ts.to_string(),
    }
}

fn versions(store: &Store, ctx: &Ctx, a: &VersionsArgs) -> Outcome {
    let lang = ctx.lang;
    let vs = store.divcode_versions().map_err(|e| db_failure(lang, e))?;
    if a.json {
        let list: Vec<Value> = vs
            .iter()
            .map(|v| {
                let mut j = serde_json::to_value(v).unwrap_or(Value::Null);
                j["imported_at"] = json!(local_time(v.imported_at));
                j
            })
            .collect();
        println!("{}", Value::Array(list));
        return Ok(0);
    }
    if vs.is_empty() {
        print_clean(&tr(
            lang,
            "no edition is stored; yunwei divcode import FILE --version NAME adds one",
            "尚未存储任何版本；用 yunwei divcode import 文件 --version 名称 导入",
        ));
        return Ok(0);
    }
    let mut rows = vec![if lang == Lang::En {
        ["NAME", "ROWS", "DIGITS", "REVIEWS", "IMPORTED", "BY", "FROM"].map(String::from).to_vec()
    } else {
        ["名称", "行数", "位数", "审核", "导入时间", "导入人", "来源"].map(String::from).to_vec()
    }];
    for v in &vs {
        rows.push(vec![
            v.name.clone(),
            v.rows.to_string(),
            v.digits.to_string(),
            v.reviews.to_string(),
            short_time(v.imported_at),
            v.imported_by.clone(),
            v.source.clone(),
        ]);
    }
    print_clean(&crate::cli::columns(&rows));
    Ok(0)
}

fn drop(store: &mut Store, ctx: &Ctx, a: &DropArgs) -> Outcome {
    let lang = ctx.lang;
    let vs = store.divcode_versions().map_err(|e| db_failure(lang, e))?;
    let reviews = store
        .drop_divcodes(&a.name, a.force, &ctx.operator, ctx.now)
        .map_err(|e| divcode_failure(ctx, e, &vs))?;
    let n = shown(&a.name);
    print_clean(&if reviews > 0 {
        tr(
            lang,
            format!("dropped “{n}” and the {reviews} review decisions that referred to it"),
            format!("已删除“{n}”及引用它的 {reviews} 条审核决定"),
        )
    } else {
        tr(lang, format!("dropped “{n}”"), format!("已删除“{n}”"))
    });
    Ok(0)
}

/// The two editions, the changes between them within the prefix, each with its decision.
struct Compared {
    old: Version,
    new: Version,
    lines: Vec<Line>,
    prefix: String,
}

fn compare(store: &Store, ctx: &Ctx, pair: &Pair) -> Result<Compared, Failure> {
    let lang = ctx.lang;
    let prefix = pair.prefix.clone().unwrap_or_default();
    if !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 12 {
        return Err(fail(
            2,
            tr(
                lang,
                format!("--prefix “{}” is not up to 12 digits", shown(&prefix)),
                format!("--prefix “{}” 不是至多 12 位的数字", shown(&prefix)),
            ),
        ));
    }
    let vs = store.divcode_versions().map_err(|e| db_failure(lang, e))?;
    let find = |name: &str| {
        vs.iter().find(|v| v.name == name).cloned().ok_or_else(|| unknown_version(lang, name, &vs))
    };
    let (old, new) = (find(&pair.old)?, find(&pair.new)?);
    if old.id == new.id {
        return Err(fail(2, tr(lang, "OLD and NEW are the same edition", "OLD 与 NEW 是同一个版本")));
    }
    if old.digits != new.digits {
        return Err(fail(
            2,
            tr(
                lang,
                format!(
                    "“{}” has {}-digit codes and “{}” {}-digit ones: compare editions of one kind",
                    shown(&old.name),
                    old.digits,
                    shown(&new.name),
                    new.digits
                ),
                format!(
                    "“{}”为 {} 位代码，“{}”为 {} 位代码：请比对同一类的版本",
                    shown(&old.name),
                    old.digits,
                    shown(&new.name),
                    new.digits
                ),
            ),
        ));
    }
    // The whole diff, then the changes that touch the prefix: a change is classified (and its
    // decision found) alike with or without one.
    let d = store.divcode_differences(old.id, new.id, "").map_err(|e| db_failure(lang, e))?;
    let reviews = store.divcode_reviews(old.id, new.id).map_err(|e| db_failure(lang, e))?;
    let mut lines = review::join(diff(&d.old, &d.new), reviews);
    if !prefix.is_empty() {
        lines.retain(|l| {
            l.change.old.iter().chain(&l.change.new).any(|d| d.code.as_str().starts_with(&prefix))
        });
    }
    Ok(Compared { old, new, lines, prefix })
}

fn rows_json(ds: &[Division]) -> Value {
    Value::Array(
        ds.iter()
            .map(|d| json!({"code": d.code.as_str(), "name": d.name, "parent": d.parent.as_ref().map(|p| p.as_str())}))
            .collect(),
    )
}

fn mapping_json(m: &[(Code, Code)]) -> Value {
    Value::Array(m.iter().map(|(a, b)| json!({"from": a.as_str(), "to": b.as_str()})).collect())
}

fn line_json(l: &Line) -> Value {
    let c = &l.change;
    let mut j = json!({
        "id": c.id(),
        "kind": c.kind.as_str(),
        "old": rows_json(&c.old),
        "new": rows_json(&c.new),
        "mapping": mapping_json(l.mapping()),
        "confidence": c.confidence.as_str(),
        "evidence": crate::divcode_words::evidence(c, Lang::En),
        "form_only": c.form_only,
        "review": l.state().as_str(),
    });
    // Who decided and when: null while proposed.
    j["reviewer"] = Value::Null;
    j["reviewed_at"] = Value::Null;
    if let Some(r) = &l.review {
        j["reviewer"] = json!(r.reviewer);
        j["reviewed_at"] = json!(local_time(r.at));
        if r.state == State::Edited {
            j["proposed_mapping"] = mapping_json(&c.mapping);
        }
    }
    if let Some(s) = &l.stale {
        j["stale_review"] =
            json!({"state": s.state.as_str(), "reviewer": s.reviewer, "reviewed_at": local_time(s.at)});
    }
    j
}

fn summary(cmp: &Compared, lang: Lang) -> String {
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for l in &cmp.lines {
        *by_kind.entry(l.change.kind).or_default() += 1;
    }
    let parts: Vec<String> =
        by_kind.iter().map(|(k, n)| format!("{n} {}", crate::divcode_words::kind(*k, lang))).collect();
    let undecided = cmp.lines.iter().filter(|l| l.needs_a_decision()).count();
    let decided = cmp.lines.iter().filter(|l| l.state() != State::Proposed).count();
    let within = if cmp.prefix.is_empty() {
        String::new()
    } else {
        tr(lang, format!(" (codes {}…)", cmp.prefix), format!("（代码 {}…）", cmp.prefix))
    };
    let (o, n) = (shown(&cmp.old.name), shown(&cmp.new.name));
    if cmp.lines.is_empty() {
        return tr(
            lang,
            format!("{o} → {n}{within}: no change; the two editions hold the same codes and names"),
            format!("{o} → {n}{within}：没有变更；两个版本的代码和名称完全相同"),
        );
    }
    let mut text = tr(
        lang,
        format!(
            "{o} → {n}{within}: {} ({}); {decided} decided",
            plural(cmp.lines.len(), "change", "changes"),
            parts.join(", ")
        ),
        format!("{o} → {n}{within}：{} 处变更（{}）；已审 {decided} 处", cmp.lines.len(), parts.join("，")),
    );
    if undecided > 0 {
        text.push_str(&tr(
            lang,
            format!(
                "; {} no mapping and {} a decision",
                plural(undecided, "removed code has", "removed codes have"),
                if undecided == 1 { "awaits" } else { "await" }
            ),
            format!("；{undecided} 个撤销的代码没有对应，等待决定"),
        ));
    }
    text
}

fn print_lines(cmp: &Compared, names: &HashMap<Code, String>, lang: Lang) {
    let mut rows = vec![if lang == Lang::En {
        ["ID", "KIND", "CONF", "REVIEW", "OLD", "NEW", "EVIDENCE"].map(String::from).to_vec()
    } else {
        ["编号", "类型", "置信", "审核", "旧", "新", "依据"].map(String::from).to_vec()
    }];
    let side =
        |ds: &[Division]| ds.iter().map(|d| format!("{} {}", d.code, d.name)).collect::<Vec<_>>().join(", ");
    // What awaits a decision first, then in the diff's order.
    let mut order: Vec<&Line> = cmp.lines.iter().filter(|l| l.needs_a_decision()).collect();
    order.extend(cmp.lines.iter().filter(|l| !l.needs_a_decision()));
    for l in order {
        let c = &l.change;
        let mut new_side = side(&c.new);
        if l.state() == State::Edited {
            // The reviewer's mapping, each old code to its new code and name.
            let m: Vec<String> = l
                .mapping()
                .iter()
                .map(|(a, b)| {
                    format!("{a}→{b} {}", names.get(b).map(String::as_str).unwrap_or(""))
                        .trim_end()
                        .to_string()
                })
                .collect();
            new_side = format!("{new_side} [{}]", m.join(", ")).trim().to_string();
        }
        rows.push(vec![
            c.id().to_string(),
            crate::divcode_words::kind(c.kind, lang).to_string(),
            crate::divcode_words::confidence(c.confidence, lang).to_string(),
            crate::divcode_words::state(l.state(), lang).to_string(),
            side(&c.old),
            new_side,
            crate::divcode_words::evidence(c, lang),
        ]);
    }
    print_clean(&crate::cli::columns(&rows));
}

fn diff_cmd(store: &mut Store, ctx: &Ctx, a: &DiffArgs) -> Outcome {
    let lang = ctx.lang;
    if a.accept_confident {
        let requests = Requests { accept_confident: true, ..Requests::none() };
        decide_and_record(store, ctx, &a.pair, &requests)?;
    }
    let cmp = compare(store, ctx, &a.pair)?;
    if a.json {
        let changes: Vec<Value> = cmp.lines.iter().map(line_json).collect();
        println!(
            "{}",
            json!({"old": cmp.old.name, "new": cmp.new.name, "prefix": cmp.prefix, "changes": changes})
        );
        return Ok(0);
    }
    print_clean(&summary(&cmp, lang));
    if !cmp.lines.is_empty() {
        let names = target_names(store, &cmp, lang)?;
        print_clean("\n");
        print_lines(&cmp, &names, lang);
    }
    Ok(0)
}

/// Decides and records; the decisions made, with the comparison they were made on.
fn decide_and_record(
    store: &mut Store,
    ctx: &Ctx,
    pair: &Pair,
    requests: &Requests,
) -> Result<(Compared, Vec<review::Decision>), Failure> {
    let lang = ctx.lang;
    let cmp = compare(store, ctx, pair)?;
    let wanted: Vec<&Code> = requests.map.iter().map(|(_, to)| to).collect();
    let present = store.divcode_names(cmp.new.id, &wanted).map_err(|e| db_failure(lang, e))?;
    let decisions = review::decide(&cmp.lines, requests, |c| present.contains_key(c)).map_err(|errors| {
        let mut lines: Vec<String> = errors.iter().map(|e| crate::divcode_words::request(e, lang)).collect();
        lines.push(tr(lang, "nothing was decided", "未记录任何决定"));
        fail(2, lines.join("\n"))
    })?;
    store
        .record_divcode_reviews(&cmp.old, &cmp.new, &decisions, &ctx.operator, ctx.now)
        .map_err(|e| db_failure(lang, e))?;
    Ok((cmp, decisions))
}

fn parse_maps(lang: Lang, maps: &[String]) -> Result<Vec<(Code, Code)>, Failure> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for m in maps {
        let parsed = m.split_once('=').and_then(|(a, b)| Some((Code::parse(a).ok()?, Code::parse(b).ok()?)));
        match parsed {
            Some(p) => out.push(p),
            None => bad.push(tr(
                lang,
                format!("--map “{}” is not FROM=TO with two codes of 6 or 12 digits", shown(m)),
                format!("--map “{}” 不是“旧代码=新代码”（6 位或 12 位数字）", shown(m)),
            )),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(fail(2, bad.join("\n")))
    }
}

fn review_cmd(store: &mut Store, ctx: &Ctx, a: &ReviewArgs) -> Outcome {
    let lang = ctx.lang;
    let requests = Requests {
        accept: a.accept.clone(),
        reject: a.reject.clone(),
        map: parse_maps(lang, &a.map)?,
        accept_confident: a.accept_confident,
        accept_form_only: a.accept_form_only,
        reset: a.reset.clone(),
    };
    if requests.is_empty() {
        return Err(fail(
            2,
            tr(
                lang,
                "say what to decide: --accept ID…, --reject ID…, --map FROM=TO…, --reset ID…, --accept-confident or --accept-form-only",
                "请指明要做的决定：--accept 编号…、--reject 编号…、--map 旧=新…、--reset 编号…、--accept-confident 或 --accept-form-only",
            ),
        ));
    }
    let (cmp, decisions) = decide_and_record(store, ctx, &a.pair, &requests)?;
    if a.json {
        let list: Vec<Value> = decisions
            .iter()
            .map(|d| json!({"id": d.id, "review": d.state.as_str(), "mapping": mapping_json(&d.mapping)}))
            .collect();
        println!(
            "{}",
            json!({"old": cmp.old.name, "new": cmp.new.name, "reviewer": ctx.operator, "decisions": list})
        );
        return Ok(0);
    }
    let mut counts: BTreeMap<State, usize> = BTreeMap::new();
    for d in &decisions {
        *counts.entry(d.state).or_default() += 1;
    }
    // A decision undone is said so (the change is proposed again).
    let word = |s: State| match (s, lang) {
        (State::Proposed, Lang::En) => "undone",
        (State::Proposed, Lang::ZhCn) => "已撤销",
        (s, _) => crate::divcode_words::state(s, lang),
    };
    let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {}", word(*s))).collect();
    let (o, n) = (shown(&cmp.old.name), shown(&cmp.new.name));
    print_clean(&if decisions.is_empty() {
        tr(
            lang,
            format!("{o} → {n}: nothing left to decide that way"),
            format!("{o} → {n}：没有可按此方式决定的变更"),
        )
    } else {
        tr(
            lang,
            format!(
                "{o} → {n}: {} by {} ({})",
                plural(decisions.len(), "decision", "decisions"),
                shown(&ctx.operator),
                parts.join(", ")
            ),
            format!(
                "{o} → {n}：{} 记录了 {} 条决定（{}）",
                shown(&ctx.operator),
                decisions.len(),
                parts.join("，")
            ),
        )
    });
    for d in decisions.iter().take(50) {
        let m: Vec<String> = d.mapping.iter().map(|(a, b)| format!("{a}→{b}")).collect();
        print_clean(format!("  {} {} {}", d.id, word(d.state), m.join(" ")).trim_end());
    }
    if decisions.len() > 50 {
        print_clean(&tr(
            lang,
            format!("  … and {} more (yunwei divcode diff shows them all)", decisions.len() - 50),
            format!("  ……另有 {} 条（yunwei divcode diff 可全部列出）", decisions.len() - 50),
        ));
    }
    Ok(0)
}

/// The names of the codes the mappings point to (an edit may point outside its change).
fn target_names(store: &Store, cmp: &Compared, lang: Lang) -> Result<HashMap<Code, String>, Failure> {
    let mut wanted: Vec<&Code> =
        cmp.lines.iter().flat_map(|l| l.mapping().iter().map(|(_, to)| to)).collect();
    wanted.sort();
    wanted.dedup();
    store.divcode_names(cmp.new.id, &wanted).map_err(|e| db_failure(lang, e))
}

fn mapping(store: &mut Store, ctx: &Ctx, a: &MappingArgs) -> Outcome {
    let lang = ctx.lang;
    let cmp = compare(store, ctx, &a.pair)?;
    let names = target_names(store, &cmp, lang)?;
    let rows = export::mapping_rows(&cmp.lines, a.all, &names);
    let text = export::mapping_csv(&rows, local_time);
    let target = match &a.out {
        Some(path) => {
            if path.exists() && !a.force {
                let p = shown(&path.display().to_string());
                return Err(fail(
                    2,
                    tr(
                        lang,
                        format!("{p} exists: choose another --out, or --force"),
                        format!("{p} 已存在：请换一个 --out，或加 --force"),
                    ),
                ));
            }
            crate::cli::write_private(path, text.as_bytes()).map_err(|e| {
                let p = shown(&path.display().to_string());
                let why = crate::i18n::io_error(&e, lang);
                fail(2, tr(lang, format!("{p}: cannot be written: {why}"), format!("{p}：无法写入：{why}")))
            })?;
            path.display().to_string()
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
                return Ok(1);
            }
            "-".to_string()
        }
    };
    let detail = format!("{} lines{} to {target}", rows.len(), if a.all { ", all changes" } else { "" });
    store
        .audit(&ctx.operator, "divcode.mapping", &format!("{} → {}", cmp.old.name, cmp.new.name), &detail)
        .map_err(|e| db_failure(lang, e))?;
    if let Some(path) = &a.out {
        eprintln!(
            "{}",
            shown(&tr(
                lang,
                format!("wrote {} mapping lines to {}", rows.len(), path.display()),
                format!("已将 {} 行对应关系写入 {}", rows.len(), path.display()),
            ))
        );
    }
    Ok(0)
}

fn sql(store: &mut Store, ctx: &Ctx, a: &SqlArgs) -> Outcome {
    let lang = ctx.lang;
    let dialect = Dialect::parse(&a.dialect).ok_or_else(|| {
        fail(
            2,
            tr(
                lang,
                format!("--dialect {:?} is not one of: oracle, mysql, postgres, sqlite", shown(&a.dialect)),
                format!("--dialect {:?} 无效，可选：oracle、mysql、postgres、sqlite", shown(&a.dialect)),
            ),
        )
    })?;
    let matching = match a.matching.trim() {
        "exact" => Match::Exact,
        "prefix" => Match::Prefix,
        other => {
            return Err(fail(
                2,
                tr(
                    lang,
                    format!("--match {:?} is not one of: exact, prefix", shown(other)),
                    format!("--match {:?} 无效，可选：exact、prefix", shown(other)),
                ),
            ))
        }
    };
    let cmp = compare(store, ctx, &a.pair)?;
    let names = target_names(store, &cmp, lang)?;
    let pairs = export::accepted_pairs(&cmp.lines, &names);
    let backup = export::backup_name(dialect, &cmp.old.name, &cmp.new.name);
    let target = Target { table: a.table.clone(), column: a.column.clone(), key: a.key.clone() };
    let header = vec![
        format!("yunwei divcode sql: {} → {} ({})", cmp.old.name, cmp.new.name, dialect.as_str()),
        format!("{} mappings accepted; generated {} by {}", pairs.len(), local_time(ctx.now), ctx.operator),
        format!("table {} column {} key {}; backup table {backup}", a.table, a.column, a.key),
        match dialect {
            Dialect::Oracle => "run with: sqlplus -s USER/PASSWORD@DB < FILE".to_string(),
            Dialect::Mysql => "run with: mysql DB < FILE".to_string(),
            Dialect::Postgres => "run with: psql -d DB -f FILE".to_string(),
            Dialect::Sqlite => "run with: sqlite3 DB < FILE".to_string(),
        },
    ];
    let (apply, rollback) = export::write_sql(dialect, matching, &target, &backup, &pairs, &header).map_err(|e| {
        use export::SqlError as E;
        fail(
            2,
            match e {
                E::Nothing => tr(
                    lang,
                    format!(
                        "{} → {}: no accepted change maps a code to another (renames keep their codes); review first (yunwei divcode review)",
                        shown(&cmp.old.name),
                        shown(&cmp.new.name)
                    ),
                    format!(
                        "{} → {}：没有已接受的变更把一个代码改为另一个（更名不改代码）；请先审核（yunwei divcode review）",
                        shown(&cmp.old.name),
                        shown(&cmp.new.name)
                    ),
                ),
                E::Ident { what, value } => tr(
                    lang,
                    format!("{what} “{value}” cannot be written as an identifier (an empty part, or a line break)"),
                    format!("{what}“{value}”无法写成标识符（有空的部分或换行）"),
                ),
                E::KeyIsColumn => tr(lang, "--key and --column name the same column", "--key 与 --column 是同一列"),
                E::Cycle(codes) => {
                    let list = codes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" → ");
                    tr(
                        lang,
                        format!("the accepted mappings go round ({list} → …): no order moves each record once; edit one of them"),
                        format!("已接受的对应关系成环（{list} → …）：无法让每条记录只迁移一次；请修改其中之一"),
                    )
                }
                E::MixedLengths => tr(
                    lang,
                    "--match prefix needs codes of one length, and the mappings mix six and twelve digits",
                    "--match prefix 要求代码位数一致，而对应关系中 6 位与 12 位混杂",
                ),
            },
        )
    })?;
    let dir_shown = shown(&a.out_dir.display().to_string());
    let io_fail = |p: &Path, e: std::io::Error| {
        let p = shown(&p.display().to_string());
        let why = crate::i18n::io_error(&e, lang);
        fail(2, tr(lang, format!("{p}: cannot be written: {why}"), format!("{p}：无法写入：{why}")))
    };
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&a.out_dir)
            .map_err(|e| io_fail(&a.out_dir, e))?;
    }
    let (apply_path, rollback_path) = (a.out_dir.join("apply.sql"), a.out_dir.join("rollback.sql"));
    if !a.force {
        if let Some(p) = [&apply_path, &rollback_path].into_iter().find(|p| p.exists()) {
            let p = shown(&p.display().to_string());
            return Err(fail(
                2,
                tr(
                    lang,
                    format!("{p} exists; it may be the SQL someone reviewed: choose another --out-dir, or --force"),
                    format!("{p} 已存在，可能是已审阅过的 SQL：请换一个 --out-dir，或加 --force"),
                ),
            ));
        }
    }
    crate::cli::write_private(&apply_path, apply.as_bytes()).map_err(|e| io_fail(&apply_path, e))?;
    crate::cli::write_private(&rollback_path, rollback.as_bytes()).map_err(|e| io_fail(&rollback_path, e))?;
    let detail = format!(
        "{} mappings, {} {}.{} key {} ({:?} match), to {}",
        pairs.len(),
        dialect.as_str(),
        a.table,
        a.column,
        a.key,
        matching,
        a.out_dir.display()
    );
    store
        .audit(&ctx.operator, "divcode.sql", &format!("{} → {}", cmp.old.name, cmp.new.name), &detail)
        .map_err(|e| db_failure(lang, e))?;
    print_clean(&tr(
        lang,
        format!(
            "wrote {dir_shown}/apply.sql and {dir_shown}/rollback.sql: {} mappings onto {}.{}, old values saved in {backup}",
            pairs.len(),
            shown(&a.table),
            shown(&a.column)
        ),
        format!(
            "已写入 {dir_shown}/apply.sql 和 {dir_shown}/rollback.sql：{} 条对应关系作用于 {}.{}，原值保存在 {backup}",
            pairs.len(),
            shown(&a.table),
            shown(&a.column)
        ),
    ));
    Ok(0)
}

/// Runs each `[[divcodes.impact]]` entry (those named, or all): its counts, or why not.
/// An entry with its counts, or why it has none.
type Counted = (impact::Entry, Result<Counts, String>);

fn count_all(ctx: &Ctx, only: &[String]) -> Result<Vec<Counted>, Failure> {
    let lang = ctx.lang;
    let entries: Vec<impact::Entry> = ctx.cfg.divcodes.impact.clone();
    if entries.is_empty() {
        return Err(fail(
            2,
            tr(
                lang,
                "no [[divcodes.impact]] entry in the config: each names a command printing code<TAB>count lines (name, host, command)",
                "配置中没有 [[divcodes.impact]]：每项指定一条打印“代码<TAB>数量”行的命令（name、host、command）",
            ),
        ));
    }
    for name in only {
        if !entries.iter().any(|e| &e.name == name) {
            let list: Vec<String> = entries.iter().map(|e| shown(&e.name)).collect();
            return Err(fail(
                2,
                tr(
                    lang,
                    format!(
                        "no [[divcodes.impact]] entry is named “{}” (there are: {})",
                        shown(name),
                        list.join(", ")
                    ),
                    format!("没有名为“{}”的 [[divcodes.impact]]（已有：{}）", shown(name), list.join("、")),
                ),
            ));
        }
    }
    let chosen: Vec<impact::Entry> =
        entries.into_iter().filter(|e| only.is_empty() || only.contains(&e.name)).collect();
    let fleet = crate::cli::resolve_fleet(ctx.cfg);
    let sessions = crate::fleet::Sessions::new(crate::fleet::pool_for(ctx.cfg));
    let mut out = Vec::new();
    for e in chosen {
        let r = crate::workers::divcodes::count(&e, &fleet, &sessions, lang);
        out.push((e, r));
    }
    Ok(out)
}

fn impact_cmd(store: &Store, ctx: &Ctx, a: &ImpactArgs) -> Outcome {
    let lang = ctx.lang;
    let cmp = compare(store, ctx, &a.pair)?;
    let counted = count_all(ctx, &a.targets)?;
    let mut failed = false;
    let mut targets = Vec::new();
    for (e, r) in counted {
        match r {
            Ok(c) => targets.push((e, c)),
            Err(why) => {
                failed = true;
                say("divcode impact", &why);
            }
        }
    }
    let report = impact::Report::new(&cmp.old.name, &cmp.new.name, &cmp.lines, &targets);
    if targets.is_empty() && !a.json {
        return Ok(1);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print_clean(&impact_text(&report, lang));
    }
    Ok(if failed { 1 } else { 0 })
}

fn impact_text(r: &impact::Report, lang: Lang) -> String {
    let mut rows = vec![if lang == Lang::En {
        ["ID", "KIND", "REVIEW", "TARGET", "OLD CODES", "NEW CODES"].map(String::from).to_vec()
    } else {
        ["编号", "类型", "审核", "目标", "旧代码下", "新代码下"].map(String::from).to_vec()
    }];
    for c in &r.changes {
        for t in &c.targets {
            let kind = Kind::parse(&c.kind).map(|k| crate::divcode_words::kind(k, lang)).unwrap_or("");
            let state = State::parse(&c.review).map(|s| crate::divcode_words::state(s, lang)).unwrap_or("");
            rows.push(vec![
                c.id.clone(),
                kind.to_string(),
                state.to_string(),
                t.name.clone(),
                t.old.values().sum::<u64>().to_string(),
                t.new.values().sum::<u64>().to_string(),
            ]);
        }
    }
    let mut text = String::new();
    for t in &r.targets {
        text.push_str(&tr(
            lang,
            format!("{}: {} records in all, {} codes\n", t.name, t.total, t.codes),
            format!("{}：共 {} 条记录，{} 个代码\n", t.name, t.total, t.codes),
        ));
        if t.skipped > 0 {
            text.push_str(&tr(
                lang,
                format!("  {} lines of its output were no code and count, and were read past\n", t.skipped),
                format!("  其输出中有 {} 行不是“代码 数量”，已跳过\n", t.skipped),
            ));
        }
    }
    text.push('\n');
    text.push_str(&crate::cli::columns(&rows));
    text
}

fn reconcile(store: &Store, ctx: &Ctx, a: &ReconcileArgs) -> Outcome {
    let lang = ctx.lang;
    let file = shown(&a.before.display().to_string());
    let text = std::fs::read_to_string(&a.before).map_err(|e| {
        let why = crate::i18n::io_error(&e, lang);
        fail(2, tr(lang, format!("{file}: cannot be read: {why}"), format!("{file}：无法读取：{why}")))
    })?;
    let before: impact::Report = serde_json::from_str(&text).map_err(|e| {
        fail(
            2,
            tr(
                lang,
                format!("{file}: not the JSON of yunwei divcode impact --json: {e}"),
                format!("{file}：不是 yunwei divcode impact --json 的输出：{e}"),
            ),
        )
    })?;
    let cmp = compare(store, ctx, &a.pair)?;
    if before.old != cmp.old.name || before.new != cmp.new.name {
        return Err(fail(
            2,
            tr(
                lang,
                format!(
                    "{file} counts {} → {}, not {} → {}",
                    shown(&before.old),
                    shown(&before.new),
                    shown(&cmp.old.name),
                    shown(&cmp.new.name)
                ),
                format!(
                    "{file} 统计的是 {} → {}，不是 {} → {}",
                    shown(&before.old),
                    shown(&before.new),
                    shown(&cmp.old.name),
                    shown(&cmp.new.name)
                ),
            ),
        ));
    }
    if before.targets.is_empty() {
        return Err(fail(
            2,
            tr(
                lang,
                format!("{file} counted nothing (its impact run failed?): count again with yunwei divcode impact --json before the SQL runs"),
                format!("{file} 没有任何统计（当时的 impact 失败了？）：请在执行 SQL 前重新运行 yunwei divcode impact --json"),
            ),
        ));
    }
    let names: Vec<String> = before.targets.iter().map(|t| t.name.clone()).collect();
    let counted = count_all(ctx, &names)?;
    let mut after = Vec::new();
    for (e, r) in counted {
        match r {
            Ok(c) => after.push((e, c)),
            Err(why) => return Err(fail(1, why)),
        }
    }
    let mappings: Vec<(Code, Code)> = cmp
        .lines
        .iter()
        .filter(|l| l.applies())
        .flat_map(|l| l.mapping().iter().cloned())
        .filter(|(a, b)| a != b)
        .collect();
    // Old codes the new edition lacks that no accepted mapping moves: no record may stay there.
    let moved: HashSet<&Code> = mappings.iter().map(|(from, _)| from).collect();
    let left: Vec<Code> = cmp
        .lines
        .iter()
        .filter(|l| l.change.kind != Kind::Renamed)
        .flat_map(|l| l.change.old.iter().map(|d| d.code.clone()))
        .filter(|c| !moved.contains(c))
        .collect();
    let result = if a.rolled_back {
        impact::restored(&before, &after)
    } else {
        impact::reconcile(&before, &after, &mappings, &left)
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
    } else {
        print_clean(&reconcile_text(&result, a.rolled_back, lang));
    }
    Ok(if result.mismatches.is_empty() { 0 } else { 1 })
}

fn reconcile_text(r: &impact::Reconciled, rolled_back: bool, lang: Lang) -> String {
    use impact::Mismatch as M;
    let mut out = Vec::new();
    for t in &r.targets {
        out.push(tr(
            lang,
            format!(
                "{}: {} records before, {} now; {} mappings checked",
                t.name, t.total_before, t.total_after, r.mappings
            ),
            format!(
                "{}：之前 {} 条记录，现在 {} 条；核对了 {} 条对应关系",
                t.name, t.total_before, t.total_after, r.mappings
            ),
        ));
    }
    for m in &r.mismatches {
        out.push(match m {
            M::OldNotEmpty { target, code, count } => tr(
                lang,
                format!("{target}: {code} still holds {count} records; every mapped old code should hold none"),
                format!("{target}：{code} 下仍有 {count} 条记录；每个已对应的旧代码下应为 0"),
            ),
            M::NewCount { target, code, expected, found } => tr(
                lang,
                format!("{target}: {code} holds {found} records; its earlier count plus what was mapped onto it is {expected}"),
                format!("{target}：{code} 下有 {found} 条记录；原有数量加上映射过来的应为 {expected}"),
            ),
            M::Total { target, before, after } => tr(
                lang,
                format!("{target}: {after} records in all, {before} before: the totals differ"),
                format!("{target}：现共 {after} 条记录，之前 {before} 条：总数不符"),
            ),
            M::LeftOnRemoved { target, code, count } => tr(
                lang,
                format!("{target}: {code} still holds {count} records, and the new edition has no such code: decide where they go"),
                format!("{target}：{code} 下仍有 {count} 条记录，而新版本没有此代码：须决定其去向"),
            ),
            M::NotRestored { target, code, before, after } => tr(
                lang,
                format!("{target}: {code} holds {after} records, and held {before} before"),
                format!("{target}：{code} 下现有 {after} 条记录，之前为 {before} 条"),
            ),
            M::Missing { target } => tr(
                lang,
                format!("{target}: counted before, but no such [[divcodes.impact]] entry now"),
                format!("{target}：之前统计过，但现在没有这一 [[divcodes.impact]]"),
            ),
        });
    }
    out.push(if r.mismatches.is_empty() && rolled_back {
        tr(
            lang,
            "restored: every code holds what it held before, and the totals are equal",
            "已恢复：每个代码下的记录数与之前相同，总数相等",
        )
    } else if r.mismatches.is_empty() {
        tr(
            lang,
            "reconciled: every mapped code moved as mapped, and the totals are equal",
            "核对一致：每个代码都按对应关系迁移，总数相等",
        )
    } else {
        tr(
            lang,
            format!("{} mismatches: the data does not reconcile", r.mismatches.len()),
            format!("{} 处不符：数据未能核对一致", r.mismatches.len()),
        )
    });
    out.join("\n")
}
