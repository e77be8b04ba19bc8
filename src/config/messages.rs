//! The config checker's messages, in both languages: a catalogue of its own (the same
//! `catalogue!` as the main one), so that every error at file:line:col reads in the user's
//! language. `{name}`s are filled by [`crate::i18n::both`].

use crate::i18n::Lang;

crate::i18n::catalogue! {
    enum CfgMsg;
    // issue 8: the config checker's messages
    TypeString => "a string", "字符串";
    TypeInteger => "an integer", "整数";
    TypeFloat => "a float", "浮点数";
    TypeBoolean => "a boolean", "布尔值";
    TypeDatetime => "a date-time", "日期时间";
    TypeArray => "an array", "数组";
    TypeTable => "a table", "表";
    TypeNumber => "a number", "数字";
    TypeBooleanWords => "a boolean (true or false)", "布尔值（true 或 false）";
    TypeStrings => "an array of strings", "字符串数组";
    TypeHostTables => "an array of tables (write each host as [[hosts]])", "表数组（每台主机写成一个 [[hosts]]）";
    TypeImpactTables => "an array of tables (write each entry as [[divcodes.impact]])", "表数组（每项写成一个 [[divcodes.impact]]）";
    TypeLogTables => "an array of tables (write each log source as [[logs]]; max_records goes in [log_pane])", "表数组（每个日志源写成一个 [[logs]]；max_records 写在 [log_pane] 中）";
    TypeDuration => "a duration such as \"90s\", \"6h\" or \"1d\"", "时长，例如 \"90s\"、\"6h\" 或 \"1d\"";
    TypeSize => "a size such as \"100MB\" or \"2GiB\"", "大小，例如 \"100MB\" 或 \"2GiB\"";
    KeyIn => "`{key}` in {label}", "{label} 中的 `{key}`";
    OneOf => "{path} (one of {allowed})", "{path}（可选 {allowed}）";
    LimitsExample => "{path} (e.g. { warn = 80, crit = 90 })", "{path}（例如 { warn = 80, crit = 90 }）";
    WrongType => "expected {expected} for {path}, found {found}", "{path} 应为{expected}，实际为{found}";
    UnknownTopKey => "unknown top-level key `{key}`", "未知的顶层键 `{key}`";
    UnknownKeyIn => "unknown key `{key}` in {label}", "{label} 中有未知的键 `{key}`";
    DidYouMeanKey => "{what}; did you mean `{near}`?", "{what}；是不是想写 `{near}`？";
    ValidKeys => "{what}; valid keys are: {list}", "{what}；可用的键：{list}";
    MustNotBeEmpty => "{path} must not be empty", "{path} 不能为空";
    NameUnprintable => "{path} holds the control or bidirectional character U+{cp}; names are shown on every screen and must be plain text", "{path} 含有控制字符或双向控制字符 U+{cp}；名称会显示在每个界面上，只能是纯文本";
    OutOfRange => "{path} must be between {lo} and {hi}{unit}, found {found}", "{path} 须在 {lo} 到 {hi}{unit} 之间，实际为 {found}";
    UnitSeconds => " seconds", " 秒";
    UnitDays => " days", " 天";
    NoUnit => "", "";
    UnitRecords => " records", " 条记录";
    BadChoice => "invalid value \"{value}\" for {path}; expected one of {allowed}", "{path} 的值 \"{value}\" 无效；可选 {allowed}";
    BadChoiceNear => "invalid value \"{value}\" for {path}; expected one of {allowed} (did you mean \"{near}\"?)", "{path} 的值 \"{value}\" 无效；可选 {allowed}（是不是想写 \"{near}\"？）";
    DurationOutOfRange => "{path} must be between {lo} and {hi}, found \"{value}\"", "{path} 须在 {lo} 到 {hi} 之间，实际为 \"{value}\"";
    DurationInvalid => "invalid duration \"{value}\" for {path}: {why}", "{path} 的时长 \"{value}\" 无效：{why}";
    SizeInvalid => "invalid size \"{value}\" for {path}: {why}", "{path} 的大小 \"{value}\" 无效：{why}";
    PathInvalid => "invalid path for {path}: {why}", "{path} 的路径无效：{why}";
    UnknownHostRef => "{who} names unknown host \"{name}\"", "{who} 指定了不存在的主机 \"{name}\"";
    UnknownHostRefNear => "{who} names unknown host \"{name}\"; did you mean \"{near}\"?", "{who} 指定了不存在的主机 \"{name}\"；是不是想写 \"{near}\"？";
    CannotRead => "cannot read config file: {why}", "无法读取配置文件：{why}";
    TomlSyntax => "TOML syntax error: {why}", "TOML 语法错误：{why}";
    DuplicateKey => "duplicate key `{key}`", "重复的键 `{key}`";
    HostNoName => "{label} has no `name`; every host needs one", "{label} 没有 `name`；每台主机都要有名称";
    HostLocalAndAddress => "{label} has both `local = true` and `address`; a local host is read from /proc, remove one of them", "{label} 同时有 `local = true` 和 `address`；本机直接读取 /proc，请去掉其中一个";
    HostLocalAndJump => "{label} has both `local = true` and `jump`; a local host is not reached over SSH", "{label} 同时有 `local = true` 和 `jump`；本机不经 SSH 连接";
    HostNoAddress => "{label} has no `address`; set `address = \"...\"` for an SSH host or `local = true` for this machine", "{label} 没有 `address`；SSH 主机请设置 `address = \"...\"`，本机请设置 `local = true`";
    TagUnprintable => "tag #{n} of {path} holds the control or bidirectional character U+{cp}; tags are shown on screen and must be plain text", "{path} 的第 {n} 个标签含有控制字符或双向控制字符 U+{cp}；标签会显示在界面上，只能是纯文本";
    TagWrongType => "expected a string for tag #{n} of {path}, found {found}", "{path} 的第 {n} 个标签应为字符串，实际为{found}";
    DuplicateHost => "duplicate host name \"{name}\" in [[hosts]] #{n}; [[hosts]] #{first} at line {line} already uses it", "[[hosts]] #{n} 的主机名 \"{name}\" 重复；第 {line} 行的 [[hosts]] #{first} 已经使用";
    JumpSelf => "{label} jumps through itself (jump = \"{target}\")", "{label} 把自己当作跳板机（jump = \"{target}\"）";
    JumpLocal => "{label} jumps through \"{target}\", which is a local host (local = true) and cannot be an SSH jump host", "{label} 经 \"{target}\" 跳转，但它是本机（local = true），不能作 SSH 跳板机";
    JumpUnknown => "{label} jumps through unknown host \"{target}\"; {hint}", "{label} 经不存在的主机 \"{target}\" 跳转；{hint}";
    HintDidYouMean => "did you mean \"{near}\"?", "是不是想写 \"{near}\"？";
    HintNoOtherHosts => "no other hosts are defined", "没有定义其他主机";
    HintDefinedHosts => "defined hosts: {list}", "已定义的主机：{list}";
    JumpLoop => "jump loop: {chain}", "跳板机形成环路：{chain}";
    DivImpactMissing => "{label} has no `{key}`; every impact entry needs a name and a command printing code<TAB>count lines", "{label} 没有 `{key}`；每个影响统计项都要有名称和一条打印“代码<TAB>数量”行的命令";
    DivImpactTwice => "two [[divcodes.impact]] entries are named \"{name}\"; each needs its own name", "有两个 [[divcodes.impact]] 都叫 \"{name}\"；每项须有自己的名称";
    TypeJobTables => "an array of tables (write each job as [[jobs]])", "表数组（每个作业写成一个 [[jobs]]）";
    UnitPercent => " percent", "（百分比）";
    // issue 14: [[checks]]
    TypeCheckTables => "an array of tables (write each check as [[checks]])", "表数组（每项检查写成一个 [[checks]]）";
    CheckMissing => "{label} has no `{key}`; every check needs a name, a kind and a target", "{label} 没有 `{key}`；每项检查都要有名称、类型和目标";
    CheckTwice => "two [[checks]] entries are named \"{name}\"; each needs its own name", "有两个 [[checks]] 都叫 \"{name}\"；每项须有自己的名称";
    CheckTarget => "{label}: target \"{value}\" is not a {kind} target: {why}", "{label}：目标 \"{value}\" 不是有效的 {kind} 目标：{why}";
    CheckFromType => "expected a host name or \"local\" for entry #{n} of {path}, found {found}", "{path} 的第 {n} 项应为主机名或 \"local\"，实际为{found}";
    CheckFromEmpty => "{label}: `from` names no place; leave it out to probe from this machine, or list hosts and \"local\"", "{label}：`from` 为空；不写则从本机探测，或列出主机和 \"local\"";
    CheckFromTwice => "{label}: `from` names \"{name}\" twice", "{label}：`from` 中 \"{name}\" 出现了两次";
    CheckStatusType => "expected an HTTP status (100 to 599) for entry #{n} of {path}, found {found}", "{path} 的第 {n} 项应为 HTTP 状态码（100 到 599），实际为{found}";
    CheckOnlyHttp => "{label}: `{key}` applies to http checks only, and this one is {kind}", "{label}：`{key}` 只对 http 检查有效，而此项是 {kind}";
    CheckBodyLine => "{label}: `expect_body` must be one line of text (the body is searched for it as it is)", "{label}：`expect_body` 须为一行文字（按原样在响应内容中查找）";
    CheckOnlyCert => "{label}: `cert_warn_days` applies to tls checks and https URLs only", "{label}：`cert_warn_days` 只对 tls 检查和 https 地址有效";
    CheckWarnOverCrit => "{label}: warn_ms ({warn}) must not be above crit_ms ({crit})", "{label}：warn_ms（{warn}）不能大于 crit_ms（{crit}）";
    CheckTimeoutOverEvery => "{label}: timeout ({timeout}) must be shorter than every ({every})", "{label}：timeout（{timeout}）须短于 every（{every}）";
    UnitMs => " ms", " 毫秒";
    JobMissing => "{label} has no `{key}`; every job needs a name and a path (a glob of its artefacts)", "{label} 没有 `{key}`；每个作业都要有名称和路径（其产物的通配模式）";
    JobTwice => "two [[jobs]] entries are named \"{name}\"; each needs its own name", "有两个 [[jobs]] 都叫 \"{name}\"；每项须有自己的名称";
    JobPathRelative => "{label}: `path` must be absolute (start with /): it is read on the job's host", "{label}：`path` 须为绝对路径（以 / 开头）：它在作业所在主机上读取";
    JobEveryAndSchedule => "{label} has both `every` and `schedule`; keep one", "{label} 同时写了 `every` 和 `schedule`；只保留一个";
    JobNoDue => "{label} has neither `every` nor `schedule`; say how often an artefact is expected (every = \"1d\", or schedule = \"30 2 * * *\")", "{label} 既没有 `every` 也没有 `schedule`；请写明多久应产生一个文件（every = \"1d\"，或 schedule = \"30 2 * * *\"）";
    JobScheduleBad => "{label}: schedule \"{value}\" is not a cron schedule: {why}", "{label}：schedule \"{value}\" 不是有效的 cron 表达式：{why}";
    JobTzUnknown => "{label}: tz \"{value}\" is not a time zone name (such as \"Asia/Shanghai\")", "{label}：tz \"{value}\" 不是时区名（例如 \"Asia/Shanghai\"）";
    JobTzWithoutSchedule => "{label}: `tz` applies to a `schedule` only, and this job has `every`", "{label}：`tz` 只对 `schedule` 有效，而此作业用的是 `every`";
    TypeLogAlertTables => "an array of tables (write each rule as [[log_alerts]])", "表数组（每条规则写成一个 [[log_alerts]]）";
    UnitMatches => " matches", "（次）";
    UnitTries => " tries", "（次）";
    UnitSends => " sends", "（条）";
    LogAlertMissing => "{label} has no `{key}`; every rule needs the log source it watches and a pattern", "{label} 没有 `{key}`；每条规则都要有所监视的日志源和匹配模式";
    LogAlertPattern => "{label}: `pattern` is not a regular expression: {why}", "{label}：`pattern` 不是有效的正则表达式：{why}";
    LogAlertTwice => "two [[log_alerts]] rules of source \"{source}\" are named \"{name}\"; give one a `name` of its own", "日志源 \"{source}\" 有两条 [[log_alerts]] 规则都叫 \"{name}\"；请为其中一条另写 `name`";
    UnknownLogSource => "{who} watches log source \"{name}\", which no [[logs]] entry names", "{who} 监视的日志源 \"{name}\" 不在任何 [[logs]] 中";
    UnknownLogSourceNear => "{who} watches log source \"{name}\", which no [[logs]] entry names; did you mean \"{near}\"?", "{who} 监视的日志源 \"{name}\" 不在任何 [[logs]] 中；是不是想写 \"{near}\"？";
    LogNoName => "{label} has no `name`; every log source needs one", "{label} 没有 `name`；每个日志源都要有名称";
    LogNoPath => "{label} has no `path`; name the file (globs allowed), or set `journal = true` for the systemd journal", "{label} 没有 `path`；请写出文件（可用通配符），或设置 `journal = true` 读取 systemd 日志";
    LogJournalAndPath => "{label} has both `journal = true` and `path`; a source reads the systemd journal or files, not both (write two [[logs]] entries)", "{label} 同时有 `journal = true` 和 `path`；一个日志源只读 systemd 日志或文件之一（请写成两个 [[logs]]）";
    LogBadUnit => "{path} is not a systemd unit name (expected letters, digits and : - _ . \\ @, like \"nginx\" or \"nginx.service\")", "{path} 不是 systemd 单元名（应为字母、数字和 : - _ . \\ @，例如 \"nginx\" 或 \"nginx.service\"）";
    LogUnitNeedsJournal => "{label}: `unit` chooses journal entries and needs `journal = true`", "{label}：`unit` 用于选择 systemd 日志条目，需要 `journal = true`";
    NotFinite => "{path} must be a finite number", "{path} 须为有限的数字";
    MissingLimit => "{path} is missing `{which}`", "{path} 缺少 `{which}`";
    LimitNotFinite => "thresholds.{name}: {which} ({value}) must be a finite number", "thresholds.{name}：{which}（{value}）须为有限的数字";
    LimitNotPercent => "thresholds.{name}: {which} ({value}) must be within 0..=100", "thresholds.{name}：{which}（{value}）须在 0..=100 之内";
    LimitNegative => "thresholds.{name}: {which} ({value}) must not be negative", "thresholds.{name}：{which}（{value}）不能为负数";
    // issue 10: [tickets]
    TicketsBadTime => "{path}: \"{value}\" is not a time of day such as \"09:00\"", "{path}：\"{value}\" 不是时刻，应写成 \"09:00\" 这样";
    TicketsBadOffset => "{path}: \"{value}\" is not an offset such as \"+08:00\"", "{path}：\"{value}\" 不是时区偏移，应写成 \"+08:00\" 这样";
    TicketsBadDate => "{path}: \"{value}\" is not a date such as \"2026-10-01\"", "{path}：\"{value}\" 不是日期，应写成 \"2026-10-01\" 这样";
    TicketsEmptyDay => "tickets.calendar: the working day ends ({end}) before it starts ({start})", "tickets.calendar：工作日结束时间（{end}）早于开始时间（{start}）";
    TicketsHolidayAndWorkday => "tickets.calendar: {date} is both a holiday and a workday", "tickets.calendar：{date} 既是节假日又是调休工作日";
    LimitWarnAboveCrit => "thresholds.{name}: warn ({warn}) must not exceed crit ({crit})", "thresholds.{name}：warn（{warn}）不能大于 crit（{crit}）";
    DurationEmpty => "expected a duration such as \"90s\", \"6h\" or \"1d\", found an empty string", "应为时长，例如 \"90s\"、\"6h\" 或 \"1d\"，实际为空字符串";
    DurationBad => "expected a number and a unit such as \"90s\", \"6h\" or \"1d\" ({why})", "应为数字加单位，例如 \"90s\"、\"6h\" 或 \"1d\"";
    SizeNoNumber => "expected a number and a unit such as \"100MB\" or \"2GiB\"", "应为数字加单位，例如 \"100MB\" 或 \"2GiB\"";
    SizeNoUnit => "expected a unit after the number ({units}), such as \"100MB\" or \"2GiB\"", "数字后面应有单位（{units}），例如 \"100MB\" 或 \"2GiB\"";
    SizeAmbiguous => "`{unit}` is ambiguous: write kB (1000 bytes) or KiB (1024 bytes)", "`{unit}` 有歧义：请写 kB（1000 字节）或 KiB（1024 字节）";
    SizeUnknownUnit => "unknown size unit `{unit}`; expected one of {units}", "未知的大小单位 `{unit}`；可用 {units}";
    SizeUnknownUnitNear => "unknown size unit `{unit}`; expected one of {units} (did you mean `{near}`?)", "未知的大小单位 `{unit}`；可用 {units}（是不是想写 `{near}`？）";
    SizeTooLarge => "{value} is too large (at most {max} bytes)", "{value} 太大（最多 {max} 字节）";
    SizeNotWhole => "{value} is not a whole number of bytes", "{value} 不是整数个字节";
    PathEmpty => "expected a path, found an empty string", "应为路径，实际为空字符串";
    PathTildeUser => "expected a path such as \"/var/backups\" or \"~/backups\"; `{user}` is not expanded, write the home directory out", "应为路径，例如 \"/var/backups\" 或 \"~/backups\"；`{user}` 不会展开，请写出完整的主目录";
}

/// The text of a TOML parser message in `lang`: the parser's common messages have their
/// words here, anything else is kept as the parser wrote it.
pub fn toml_message(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_string();
    }
    const WORDS: &[(&str, &str)] = &[
        ("invalid key", "无效的键"),
        ("invalid string", "无效的字符串"),
        ("invalid basic string", "无效的字符串"),
        ("invalid literal string", "无效的字符串"),
        ("invalid table header", "无效的表头"),
        ("invalid array", "无效的数组"),
        ("invalid inline table", "无效的内联表"),
        ("invalid number", "无效的数字"),
        ("invalid integer", "无效的整数"),
        ("invalid float", "无效的浮点数"),
        ("invalid value", "无效的值"),
        ("invalid escape sequence", "无效的转义序列"),
        ("invalid unquoted key", "无效的键名"),
        ("unterminated string", "字符串没有结束"),
        ("unclosed array", "数组没有结束"),
        ("unclosed table", "表没有结束"),
        ("expected `=`", "应为 `=`"),
        ("expected `.`, `=`", "应为 `.` 或 `=`"),
        ("expected newline", "应换行"),
        ("duplicate key", "重复的键"),
        ("string values must be quoted", "字符串须加引号"),
        ("key with no value", "键没有值"),
        ("missing assignment between key-value pairs", "键值对之间缺少赋值"),
        ("unexpected key or value", "多余的键或值"),
        ("unexpected content", "多余的内容"),
        ("extra assignment between key-value pairs", "键值对之间多了赋值"),
        ("invalid leading zero", "数字不能以 0 开头"),
        ("incomplete", "不完整"),
    ];
    // What the parser expected, listed after "expected".
    const EXPECTED: &[(&str, &str)] = &[
        ("literal string", "单引号字符串"),
        ("basic string", "双引号字符串"),
        ("newline", "换行"),
        ("whitespace", "空白"),
        ("comment", "注释"),
        ("nothing", "不应有内容"),
        ("key", "键"),
        ("value", "值"),
        ("digit", "数字"),
    ];
    let lower = message.to_lowercase();
    let head = WORDS.iter().find(|(en, _)| lower.starts_with(en));
    let (zh, rest) = match head {
        Some((en, zh)) => (*zh, &message[en.len()..]),
        None => ("", message),
    };
    // The parser's hints read "…, expected `]`": the word for "expected" is the catalogue's.
    let rest = rest.replace(", expected ", "，应为 ");
    let mut rest = match rest.strip_prefix("expected ") {
        Some(r) => format!("应为 {r}"),
        None => rest,
    };
    if let Some(at) = rest.find("应为 ") {
        let (before, list) = rest.split_at(at);
        let mut list = list.to_string();
        for (en, zh) in EXPECTED {
            list = list.replace(en, zh);
        }
        rest = format!("{before}{list}");
    }
    format!("{zh}{rest}")
}
