//! What the Division codes pane says, in both languages (the same `catalogue!` as the main one).

use crate::i18n::Lang;

crate::i18n::catalogue! {
    enum DivMsg;
    ColId => "Code", "代码";
    ColKind => "Change", "变更";
    ColConfidence => "Conf", "置信";
    ColOld => "Old", "旧";
    ColNew => "New", "新";
    Header => "{old} {arrow} {new}", "{old} {arrow} {new}";
    CountChanges => "{n} changes", "{n} 处变更";
    CountShown => "{n} shown", "显示 {n} 处";
    CountUndecided => "{n} to decide", "{n} 处待定";
    CountDecided => "{n} decided", "已审 {n} 处";
    FilterKind => "{kind} only", "仅{kind}";
    FilterProposed => "not decided", "未审";
    FilterState => "{state} only", "仅{state}";
    FilterSearch => "search “{q}”", "搜索“{q}”";
    Loading => "reading the editions…", "正在读取版本…";
    NoEditions => "No editions yet. i imports a file (CSV or the published text form); so does yunwei divcode import FILE --version NAME.", "尚无版本。按 i 导入文件（CSV 或公布的文本格式），或用 yunwei divcode import 文件 --version 名称。";
    OneEdition => "One edition ({name}): import another to compare them (i).", "只有一个版本（{name}）：再导入一个即可比对（按 i）。";
    NoChanges => "The two editions hold the same codes and names.", "两个版本的代码和名称完全相同。";
    EmptyFiltered => "No change matches the filters (x clears them).", "没有符合筛选条件的变更（按 x 清除筛选）。";
    SideOld => "old: {name}", "旧：{name}";
    SideNew => "new: {name}", "新：{name}";
    SideNone => "(none)", "（无）";
    ParentOf => "under {code}", "上级 {code}";
    DetailEvidence => "evidence: {text}", "依据：{text}";
    DetailMapping => "mapping: {text}", "对应：{text}";
    DetailNoMapping => "mapping: none; e maps it to a new code", "对应：无；按 e 指定新代码";
    DetailDecided => "{state} by {by}, {at}", "{by} 于 {at} {state}";
    DetailStale => "a decision by {by} ({at}) was made on another change with this code: decide again", "{by}（{at}）的决定针对的是同一代码的另一处变更：请重新决定";
    DetailProposed => "proposed: a accepts, d rejects, e edits the mapping", "待审：a 接受，d 拒绝，e 修改对应";
    // Menus and prompts
    MenuFilter => "filter: k kind · s review · x clear · Esc done", "筛选：k 类型 · s 审核状态 · x 清除 · Esc 完成";
    MenuPickOld => "compare: press the key of the OLD edition", "比对：请按旧版本的键";
    MenuPickNew => "compare {old} with: press the key of the NEW edition", "与 {old} 比对：请按新版本的键";
    PickDigits => "{digits} digits, {rows} rows", "{digits} 位，{rows} 行";
    ConfirmConfident => "accept the {n} proposed changes of high confidence? y yes · any other key no", "接受 {n} 处置信度为高的待审变更？y 是 · 其他键 否";
    ConfirmFormOnly => "accept the {n} proposed renames of form only? y yes · any other key no", "接受 {n} 处仅名称形式变化的待审更名？y 是 · 其他键 否";
    PromptSearch => "search code or name: ", "搜索代码或名称：";
    PromptMapOne => "{code} {name} → new code{now}: ", "{code} {name} → 新代码{now}：";
    PromptMapNow => " (now {code})", "（现为 {code}）";
    PromptMapMany => "FROM=TO … (old codes: {codes}): ", "旧=新 …（旧代码：{codes}）：";
    PromptImportPath => "import the file: ", "导入文件：";
    PromptImportName => "name the edition of {file} (Enter: {stem}): ", "为 {file} 的版本命名（回车即为 {stem}）：";
    Reversed => "{new} was imported before {old}: comparing {old} → {new} as asked", "{new} 比 {old} 先导入：按所选比对 {old} → {new}";
    NoSuchFile => "{file}: {why}", "{file}：{why}";
    // What happened
    NoChange => "No change is selected.", "没有选中的变更。";
    NotTwo => "Two editions are needed to compare (i imports one).", "比对需要两个版本（按 i 导入）。";
    NothingToAccept => "Nothing to accept that way.", "没有可以这样接受的变更。";
    BadMap => "“{text}” is not a new code, nor FROM=TO pairs of 6 or 12 digits", "“{text}”既不是新代码，也不是“旧=新”（6 或 12 位数字）";
    AddedHasNoOld => "{code} is new: it has no old code to map", "{code} 是新增的：没有可对应的旧代码";
    Decided => "{n} decisions recorded by {by}", "{by} 记录了 {n} 条决定";
    Imported => "imported {name}: {rows} rows of {digits} digits", "已导入 {name}：{rows} 行 {digits} 位代码";
    Failed => "not done: {why}", "未完成：{why}";
    ReadOnly => "The database is read-only: decisions cannot be recorded.", "数据库只读：无法记录决定。";
}

pub fn say(m: DivMsg, lang: Lang, args: &[(&str, &str)]) -> String {
    crate::i18n::fill(m.text(lang), args)
}
