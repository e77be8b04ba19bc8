//! The message catalogue: every user-facing string in Simplified Chinese and English, and the
//! choice of language from the config, the command line or the locale.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// The language chosen (by the config or the command line), else (`auto`) the locale:
    /// LC_ALL, then LC_MESSAGES, then LANG (the first one set and non-empty).
    pub fn resolve(chosen: Option<Lang>) -> Lang {
        match chosen {
            Some(lang) => lang,
            None => Lang::from_locale_vars(
                std::env::var("LC_ALL").ok().as_deref(),
                std::env::var("LC_MESSAGES").ok().as_deref(),
                std::env::var("LANG").ok().as_deref(),
            ),
        }
    }

    pub fn from_locale_vars(lc_all: Option<&str>, lc_messages: Option<&str>, lang: Option<&str>) -> Lang {
        let chosen = [lc_all, lc_messages, lang].into_iter().flatten().find(|v| !v.is_empty());
        match chosen {
            Some(v) if v.to_ascii_lowercase().starts_with("zh") => Lang::ZhCn,
            _ => Lang::En,
        }
    }

    /// Parses the names accepted by `--lang` and `:lang`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en_us" | "english" => Some(Lang::En),
            "zh-cn" | "zh_cn" | "zh" | "cn" | "中文" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

macro_rules! catalogue {
    (enum $name:ident; $($id:ident => $en:expr, $zh:expr;)*) => {
        /// A message of the catalogue. Adding a variant without both texts does not compile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($id),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$id),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$id, Lang::En) => $en, ($name::$id, Lang::ZhCn) => $zh,)*
                }
            }
        }

        impl $crate::i18n::Localized for $name {
            fn in_lang(&self, lang: Lang) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(self.text(lang))
            }
        }
    };
    ($($id:ident => $en:expr, $zh:expr;)*) => {
        catalogue! { enum Msg; $($id => $en, $zh;)* }
    };
}
// A second catalogue (the config checker's messages) uses the same macro.
pub(crate) use catalogue;

/// Text that reads differently in each language: a message of a catalogue, a message with its
/// values filled in ([`Both`]), or text from outside (a name, a path), the same in both.
pub trait Localized {
    fn in_lang(&self, lang: Lang) -> std::borrow::Cow<'_, str>;
}

impl Localized for str {
    fn in_lang(&self, _lang: Lang) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self)
    }
}

impl Localized for &str {
    fn in_lang(&self, _lang: Lang) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self)
    }
}

impl Localized for String {
    fn in_lang(&self, _lang: Lang) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self)
    }
}

/// A message in both languages, made once and printed in whichever the reader uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Both {
    pub en: String,
    pub zh: String,
}

impl Both {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Both {
        Both { en: en.into(), zh: zh.into() }
    }

    /// The same text in both languages: a path, a name, something from outside.
    pub fn same(text: impl Into<String>) -> Both {
        let text = text.into();
        Both { zh: text.clone(), en: text }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

/// Tests write one text for both languages.
#[cfg(test)]
impl From<&str> for Both {
    fn from(s: &str) -> Both {
        Both::new(s, s)
    }
}

impl Localized for Both {
    fn in_lang(&self, lang: Lang) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.get(lang))
    }
}

/// `template` (a catalogue message) with its `{name}`s filled in, in both languages; each value
/// is itself in the language of the text it goes into.
/// One of two texts written in place (a message with its values already in), in `lang`.
pub fn tr(lang: Lang, en: impl Into<String>, zh: impl Into<String>) -> String {
    match lang {
        Lang::En => en.into(),
        Lang::ZhCn => zh.into(),
    }
}

pub fn both(template: &dyn Localized, args: &[(&str, &dyn Localized)]) -> Both {
    let one = |lang: Lang| {
        let values: Vec<(&str, std::borrow::Cow<'_, str>)> =
            args.iter().map(|(name, v)| (*name, v.in_lang(lang))).collect();
        let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_ref())).collect();
        fill(&template.in_lang(lang), &pairs)
    };
    Both { en: one(Lang::En), zh: one(Lang::ZhCn) }
}

/// An I/O error in both languages: the system's own words in English (as `ssh`, `cat` and the
/// rest say it), the catalogue's in Chinese.
pub fn io_both(e: &std::io::Error) -> Both {
    Both { en: e.to_string(), zh: io_error(e, Lang::ZhCn) }
}

/// An I/O error in words: the common kinds from the catalogue, others as the system says them.
pub fn io_error(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let m = match e.kind() {
        K::NotFound => Msg::IoNotFound,
        K::PermissionDenied => Msg::IoPermissionDenied,
        K::IsADirectory => Msg::IoIsADirectory,
        K::AlreadyExists => Msg::IoAlreadyExists,
        K::InvalidData => Msg::IoInvalidData,
        K::StorageFull => Msg::IoStorageFull,
        K::ReadOnlyFilesystem => Msg::IoReadOnlyFs,
        K::NotADirectory => Msg::IoNotADirectory,
        _ => {
            // The system's words without the `(os error N)` tail, escaped.
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or_default();
            let text = crate::text::escape_unprintable(text).into_owned();
            return if lang == Lang::En { text } else { format!("{}（{text}）", Msg::IoOther.text(lang)) };
        }
    };
    m.text(lang).to_string()
}

catalogue! {
    // issue 8: logs
    LogsLineCut => "[line cut at 1 MiB]", "[该行超过 1 MiB，已截断]";
    LogsBinary => "binary file; not shown", "二进制文件，不显示";
    LogsNotAFile => "not a regular file (a FIFO, socket or folder); not read over SSH", "不是普通文件（命名管道、套接字或目录），不经 SSH 读取";
    LogsNoJournal => "error: no journalctl on this host", "错误：这台主机没有 journalctl";
    CliLogsJournal => "Read the systemd journal (through journalctl) instead of files", "读取 systemd 日志（经 journalctl），而不是文件";
    LogsCliUnitNeedsJournal => "--unit chooses journal entries; use it with --journal", "--unit 用于选择 systemd 日志条目，请与 --journal 一起使用";
    CliLogsUnit => "With --journal, only this unit's entries (as journalctl --unit)", "与 --journal 一起用时，只读这个单元的条目（同 journalctl --unit）";
    LogsCliBinary => "binary file; not shown (no text log holds NUL bytes or runs of megabytes without a newline)", "二进制文件，不显示（文本日志不含 NUL 字节，也不会数兆字节没有换行）";
    // issue 9: demo
    DemoLogsFailed => "the demo's logs could not be written: {e}", "无法写入演示日志：{e}";
    LogsRevealAudited => "reveal recorded in the audit log, operator", "显示原文已记入审计日志，操作人";
    AppTitle => "yunwei", "运维台";
    PaneFleet => "Fleet health", "主机健康";
    Demo => "DEMO", "演示";
    Alerts => "alerts", "告警";
    ColHost => "Host", "主机";
    ColState => "State", "状态";
    ColCpu => "CPU%", "CPU%";
    ColLoad => "Load/c", "负载/核";
    ColMem => "Mem%", "内存%";
    ColSwap => "Swap%", "交换%";
    ColDisk => "Disk%", "磁盘%";
    ColInodes => "Inode%", "inode%";
    ColNet => "Net in/out", "网络 入/出";
    ColUptime => "Up", "运行";
    ColFailed => "Failed", "失败";
    ColTags => "Tags", "标签";
    ColMount => "Mount", "挂载点";
    ColFsType => "Type", "类型";
    ColSize => "Size", "容量";
    ColUsed => "Used", "已用";
    ColAvail => "Avail", "可用";
    ColPid => "PID", "PID";
    ColProcess => "Process", "进程";
    ColRss => "RSS", "常驻内存";
    StateUp => "up", "正常";
    StateDown => "down", "不可达";
    StateWaiting => "…", "…";
    Filter => "filter", "筛选";
    FilterPrompt => "Filter (name or tag): ", "筛选（主机名或标签）：";
    NoHostsMatch => "No host matches the filter.", "没有符合筛选条件的主机。";
    SortedBy => "sorted by", "排序";
    DetailTitle => "Host detail", "主机详情";
    Filesystems => "Filesystems", "文件系统";
    TopProcesses => "Top processes by memory", "内存占用最高的进程";
    FailedUnits => "Failed units", "失败的服务";
    NoFailedUnits => "none", "无";
    History => "History", "历史";
    HistoryLoading => "loading history…", "正在读取历史…";
    HistoryEmpty => "no history yet", "暂无历史数据";
    Range => "range", "时间范围";
    Cpu => "CPU", "CPU";
    Memory => "Memory", "内存";
    Load => "Load", "负载";
    NetIn => "Net in", "网络入";
    NetOut => "Net out", "网络出";
    Uptime => "uptime", "运行时间";
    Cores => "cores", "核";
    Swap => "swap", "交换";
    Help => "Help: keys", "帮助：按键";
    HelpScopeGlobal => "Everywhere", "全局";
    HelpScopeFleet => "Fleet table", "主机列表";
    HelpScopeDetail => "Host detail", "主机详情";
    HelpScopeHelp => "This help", "帮助窗口";
    HelpCommands => "Commands (after :)", "命令（按 : 后输入）";
    HelpClose => "Esc or ? closes", "按 Esc 或 ? 关闭";
    CmdQuit => "quit", "退出";
    CmdTheme => "switch theme", "切换主题";
    CmdLang => "switch language", "切换语言";
    CmdHelp => "show this help", "显示帮助";
    UnknownCommand => "unknown command", "未知命令";
    UnknownLang => "unknown language (use zh-CN or en)", "未知语言（可用 zh-CN 或 en）";
    ThemeSet => "theme", "主题";
    LangSet => "language: English", "语言：简体中文";
    Refreshing => "polling now…", "正在轮询…";
    TooSmall => "Terminal too small", "终端窗口太小";
    ActQuit => "quit", "退出";
    ActHelp => "help", "帮助";
    ActCommandLine => "command line", "命令行";
    ActNextPane => "next pane", "下一个窗格";
    ActPrevPane => "previous pane", "上一个窗格";
    ActUp => "up", "上移";
    ActDown => "down", "下移";
    ActPageUp => "page up", "上一页";
    ActPageDown => "page down", "下一页";
    ActTop => "first", "第一行";
    ActBottom => "last", "最后一行";
    ActOpen => "open detail", "打开详情";
    ActBack => "back", "返回";
    ActFilter => "filter", "筛选";
    ActClearFilter => "clear filter", "清除筛选";
    ActSortNext => "sort by next column", "按下一列排序";
    ActSortPrev => "sort by previous column", "按上一列排序";
    ActSortReverse => "reverse sort", "反向排序";
    ActRefresh => "poll now (a list: read again)", "立即轮询（列表：重新读取）";
    ActRangeNext => "history range", "历史时间范围";
    ActRedraw => "redraw screen", "重绘屏幕";
    StatusSummary => "hosts", "台主机";
    HintHelp => "help", "帮助";
    HintOpen => "detail", "详情";
    HintFilter => "filter", "筛选";
    HintSort => "sort", "排序";
    HintReverse => "reverse", "反序";
    HintRefresh => "poll", "轮询";
    HintCommand => "command", "命令";
    HintQuit => "quit", "退出";
    HintBack => "back", "返回";
    HintRange => "range", "范围";
    HintScroll => "scroll", "滚动";
    HelpMore => "more", "更多";
    GroupedByTag => "grouped by tag", "按标签分组";
    OpenAlerts => "Open alerts", "未关闭的告警";
    Security => "Security", "安全状况";
    Unknown => "unknown", "未知";
    NotPresent => "not present", "未安装";
    Firewall => "firewall", "防火墙";
    FirewallOff => "not active", "未启用";
    ListeningPorts => "listening TCP ports", "监听的 TCP 端口";
    FailedLogins => "failed SSH logins (24 h)", "SSH 登录失败（24 小时）";
    Selinux => "SELinux", "SELinux";
    ClockSynced => "clock synced", "时钟同步";
    SecurityUpdates => "pending security updates", "待装安全更新";
    Yes => "yes", "是";
    No => "no", "否";
    MetricDisk => "disk", "磁盘";
    MetricInodes => "inodes", "inode";
    MetricNetErrors => "errors", "错误";
    MetricNetDrops => "drops", "丢包";
    Interfaces => "Interfaces", "网络接口";
    ColIface => "interface", "接口";
    ColRx => "in/s", "入/秒";
    ColTx => "out/s", "出/秒";
    ColErrors => "errors/s", "错误/秒";
    ColDrops => "drops/s", "丢包/秒";
    NoOpenAlerts => "none", "无";
    Since => "since", "开始于";
    AckedBy => "acknowledged by", "已确认：";
    ActAckAlerts => "acknowledge the host's alerts", "确认该主机的告警";
    HintAck => "ack", "确认";
    HostKeysUnverified => "HOST KEYS NOT VERIFIED (host_key_check = off)", "未校验主机密钥（host_key_check = off）";
    HostKeysUnverifiedShort => "KEYS UNVERIFIED", "未校验密钥";
    Untagged => "(no tag)", "（无标签）";
    ErrAuthFailed => "authentication failed", "认证失败";
    ErrHostKeyChanged => "host key changed", "主机密钥已变更";
    ErrHostKeyUnknown => "unknown host key", "主机密钥未知";
    ErrTimeout => "timed out", "超时";
    ErrRefused => "connection refused", "连接被拒绝";
    ErrNameNotResolved => "name not resolved", "无法解析主机名";
    ErrJumpHostDown => "jump host down", "跳板机不可达";
    ErrDisconnected => "disconnected", "连接断开";
    ErrProtocol => "SSH protocol error", "SSH 协议错误";
    DemoTimeout => "demo: connection timed out after 5 s", "演示：5 秒后连接超时";
    ErrUnsupported => "not reachable as ssh would", "无法按 ssh 的方式连接";
    ErrProbe => "probe failed", "采集失败";
    ActGroupByTag => "group by tag", "按标签分组";
    HintGroup => "group", "分组";
    // issue 8: console habits (terminal too small, filter marks, counted nouns)
    TooSmallNeed => "Terminal too small: {w}x{h}; yunwei needs at least {min_w}x{min_h} (q quits)", "终端窗口太小：{w}x{h}；运维台至少需要 {min_w}x{min_h}（按 q 退出）";
    LogsFilterOff => "(off)", "（停用）";
    CountAlertsOne => "{n} alert", "{n} 条告警";
    CountAlertsMany => "{n} alerts", "{n} 条告警";
    CountHostsOne => "{n} host", "{n} 台主机";
    CountHostsMany => "{n} hosts", "{n} 台主机";
    CountUnreachable => "{n} unreachable", "{n} 台不可达";
    CountRecordsOne => "{n} record", "{n} 条记录";
    CountRecordsMany => "{n} records", "{n} 条记录";
    CountMoreSourcesOne => "+{n} more source", "另有 {n} 个日志源";
    CountMoreSourcesMany => "+{n} more sources", "另有 {n} 个日志源";

    // issue 9: sizes
    TooSmallShort => "needs {min_w}x{min_h}", "至少需要 {min_w}x{min_h}";

    // issue 8: input and output errors in words
    IoNotFound => "no such file or directory", "文件或目录不存在";
    IoPermissionDenied => "permission denied", "权限不足";
    IoIsADirectory => "is a directory", "是一个目录";
    IoAlreadyExists => "already exists", "已存在";
    IoInvalidData => "not valid text", "不是有效的文本";
    IoStorageFull => "no space left on the device", "设备空间已满";
    IoOther => "input/output error", "输入输出错误";

    // issue 8: the command line's errors (clap's own, rendered from the catalogue)
    CliErrorPrefix => "error:", "错误：";
    CliWarningPrefix => "warning:", "警告：";
    CliTryHelp => "For more information, try '{help}'.", "更多信息请运行 '{help}'。";
    CliUnknownArg => "unexpected argument '{arg}' found", "无法识别的参数 '{arg}'";
    CliUnknownSub => "unrecognized subcommand '{arg}'", "无法识别的子命令 '{arg}'";
    CliMissingValue => "a value is required for '{arg}' but none was supplied", "'{arg}' 需要一个值，但没有给出";
    CliInvalidValue => "invalid value '{value}' for '{arg}'", "'{arg}' 的值 '{value}' 无效";
    CliPossibleValues => "possible values: {list}", "可选值：{list}";
    CliMissingRequired => "the following required arguments were not provided: {list}", "缺少必需的参数：{list}";
    CliConflict => "the argument '{arg}' cannot be used with {other}", "参数 '{arg}' 不能与 {other} 同时使用";
    CliUsedTwice => "the argument '{arg}' cannot be used more than once", "参数 '{arg}' 不能重复使用";
    CliTooManyValues => "unexpected value '{value}' for '{arg}'; no more were expected", "'{arg}' 多出了值 '{value}'";
    CliWrongValueCount => "wrong number of values for '{arg}'", "'{arg}' 的值个数不对";
    CliNoEquals => "'{arg}' needs its value after an equals sign", "'{arg}' 的值须写在等号后面";
    CliMissingSub => "'{arg}' needs a subcommand", "'{arg}' 需要一个子命令";
    CliInvalidUtf8 => "an argument is not valid UTF-8", "有参数不是有效的 UTF-8";
    CliBadArguments => "the arguments could not be read", "无法读取命令行参数";
    CliDidYouMean => "did you mean '{near}'?", "是不是想输入 '{near}'？";
    CliNotUsedBy => "'{arg}' has no effect on 'yunwei {sub}'; leave it out", "'{arg}' 对 'yunwei {sub}' 不起作用，请去掉它";
    CliBadLang => "--lang {value}: use auto, en or zh-CN", "--lang {value}：可用 auto、en 或 zh-CN";

    // issue 8: what the commands say (status, logs, check-config, the console's start)
    CliConfigHasErrorsOne => "the config has 1 error; fix it and start again (yunwei check-config)", "配置有 1 处错误；改正后再启动（yunwei check-config）";
    CliConfigHasErrorsMany => "the config has {n} errors; fix them and start again (yunwei check-config)", "配置有 {n} 处错误；改正后再启动（yunwei check-config）";
    CliNeedsTerminal => "the console needs a terminal; for scripts use `yunwei status` (--json)", "控制台需要终端；脚本请用 `yunwei status`（--json）";
    CliDemoDirFailed => "cannot create the demo's temporary directory: {e}", "无法创建演示用的临时目录：{e}";
    CliNoSuchHost => "--host {host}: no such host (hosts: {list})", "--host {host}：没有这台主机（已有主机：{list}）";
    CliPollInternalError => "internal error while polling the remote hosts", "轮询远程主机时发生内部错误";
    CliCheckErrorsOne => "{file}: 1 error; nothing was started", "{file}：1 处错误；没有启动任何程序";
    CliCheckErrorsMany => "{file}: {n} errors; nothing was started", "{file}：{n} 处错误；没有启动任何程序";
    CliCheckNoFile => "{file}: no config file, so the defaults apply: yunwei watches this machine ({host}) and follows the system logs that exist", "{file}：没有配置文件，使用默认设置：运维台监视本机（{host}），并跟随现有的系统日志";
    CliSshImportedOne => "from ~/.ssh/config: 1 host: {list}", "来自 ~/.ssh/config 的主机 1 台：{list}";
    CliSshImportedMany => "from ~/.ssh/config: {n} hosts: {list}", "来自 ~/.ssh/config 的主机 {n} 台：{list}";
    SumConfigFile => "config file", "配置文件";
    SumHosts => "hosts", "主机";
    SumLang => "lang", "语言";
    SumTheme => "theme", "主题";
    SumKeymap => "keymap", "键位";
    SumBorders => "borders", "边框";
    SumOperator => "operator", "操作员";
    SumPollInterval => "poll interval", "轮询间隔";
    SumLogSources => "log sources", "日志源";
    SumHostKeyCheck => "host key check", "主机密钥校验";
    SumJobs => "jobs", "作业";
    SumNoJobs => "none", "无";
    SumJobCounts => "{n} ({remote} on hosts, {local} here), checked every {every}", "{n} 个（主机上 {remote} 个，本机 {local} 个），每 {every} 检查一次";
    SumChecks => "network checks", "网络检查";
    SumCheckCounts => "{n} ({probes} probes a round; probing places: {places})", "{n} 项（每轮 {probes} 个探测；探测位置 {places} 个）";
    SumNoFile => "(none; built-in defaults)", "（无；使用内置默认设置）";
    SumHostCounts => "{n} ({local} local, {remote} remote, {jumping} via jump host)", "{n}（本机 {local}，远程 {remote}，经跳板机 {jumping}）";
    SumLoginName => "(login name)", "（登录名）";
    SumSeconds => "{n} s", "{n} 秒";
    SumSystemLogs => "none (the system logs)", "无（使用系统日志）";
    LogsCliBadEncoding => "--encoding {value}: use auto, utf-8 or gb18030", "--encoding {value}：可用 auto、utf-8 或 gb18030";
    LogsCliBadPattern => "bad pattern: {e}", "无效的表达式：{e}";
    LogsCliAuditFailed => "--no-mask is written to the audit log first, and that failed: {e}", "--no-mask 须先写入审计日志，但写入失败：{e}";
    LogsCliAppeared => "appeared; following it", "已出现，开始跟随";
    LogsCliRetrying => "{e}; retrying", "{e}；正在重试";
    LogsCliReconnecting => "{e}; reconnecting", "{e}；正在重新连接";
    LogsCliMissingOrUnreadable => "missing or unreadable", "文件不存在或无权读取";
    LogsCliNotReadable => "not readable", "无权读取";
    LogsCliNoFiles => "name at least one file, or --journal", "请至少给出一个文件，或用 --journal";
    LogsCliNoJournalctl => "no journalctl on this host", "这台主机没有 journalctl";
    LogsCliJournalEnded => "ended", "已结束";
    LogsCliJournalRestart => "{e}; starting it again", "{e}；正在重新启动";
    Unreachable => "unreachable", "不可达";
    Critical => "critical", "严重";
    Warning => "warning", "警告";
    ActSearch => "search", "搜索";
    HintSearch => "search", "搜索";
    ActSearchNext => "next match", "下一个匹配";
    ActSearchPrev => "previous match", "上一个匹配";
    ActNextError => "next error", "下一个错误";
    HintNextError => "error", "错误";
    ActPrevError => "previous error", "上一个错误";
    ActIncludeFilter => "add an include filter", "添加包含筛选";
    HintIncludeFilter => "+filter", "+筛选";
    ActExcludeFilter => "add an exclude filter", "添加排除筛选";
    HintExcludeFilter => "-filter", "-筛选";
    ActToggleFilters => "filters on/off", "筛选开/关";
    ActFollow => "follow / pause", "跟随/暂停";
    HintFollow => "follow", "跟随";
    ActWrap => "wrap long lines", "自动换行";
    HintWrap => "wrap", "换行";
    ActReveal => "reveal masked data (audited)", "显示被遮盖的数据（记入审计）";
    HintReveal => "reveal", "显示";
    ActWriteFile => "write visible records to a file", "将可见记录写入文件";
    ActOpenFile => "open a log file", "打开日志文件";
    ActToggleFilter => "switch one filter on or off", "启用或停用某个筛选";
    HintToggleFilter => "filter #", "筛选 #";
    LogsTogglePrompt => "toggle filter number: ", "切换筛选编号：";
    LogsNoSuchFilter => "no such filter", "没有这个筛选";
    HintOpenFile => "open", "打开";
    LogsOpenPrompt => "open file: ", "打开文件：";
    HintWriteFile => "write", "写文件";
    PaneLogs => "Logs", "日志";
    ActPaneFleet => "fleet health tab", "主机健康标签页";
    ActPaneLogs => "logs tab", "日志标签页";
    // issue 10: the Tickets pane
    PaneTickets => "Tickets", "工单";
    ActPaneTickets => "tickets tab", "工单标签页";
    ActNewTicket => "new ticket (from a host: with the host and its alert)", "新建工单（在主机上按：带上主机和告警）";
    ActAcknowledge => "acknowledge the ticket (stops its response clock)", "受理工单（停止响应计时）";
    ActMoveTicket => "move the ticket along its workflow", "转换工单状态";
    ActAssignTicket => "assign the ticket", "指派工单";
    ActEscalateTicket => "escalate the ticket to a second-line engineer", "将工单升级给二线工程师";
    ActNoteTicket => "add a note to the ticket", "为工单添加备注";
    HintNewTicket => "new", "新建";
    HintAcknowledge => "ack", "受理";
    HintMoveTicket => "move", "状态";
    HintAssignTicket => "assign", "指派";
    HintEscalateTicket => "escalate", "升级";
    HintNoteTicket => "note", "备注";
    HelpScopeTickets => "Ticket queue", "工单队列";
    HelpScopeTicket => "Ticket detail", "工单详情";

    // issue 11: the Division codes pane
    PaneDivcodes => "Div codes", "区划代码";
    PaneBackups => "Backups", "备份";
    ActPaneBackups => "backups tab", "备份标签页";
    ActVerifyNow => "verify now", "立即校验";
    ActRunJob => "run the job", "运行作业";
    ActPaneDivcodes => "division codes tab", "区划代码标签页";
    ActAcceptChange => "accept the change as proposed", "按建议接受此变更";
    ActRejectChange => "reject the change", "拒绝此变更";
    ActEditMapping => "map the change's old code(s) to new ones", "为此变更的旧代码指定新代码";
    ActResetReview => "undo the change's decision", "撤销此变更的决定";
    ActAcceptConfident => "accept every proposed change of high confidence", "接受所有置信度为高的待审变更";
    ActAcceptFormOnly => "accept every proposed rename of form only", "接受所有仅名称形式变化的待审更名";
    ActPickVersions => "choose the two editions to compare", "选择要比对的两个版本";
    ActImportEdition => "import an edition from a file", "从文件导入一个版本";
    HintAcceptChange => "accept", "接受";
    HintRejectChange => "reject", "拒绝";
    HintEditMapping => "map", "对应";
    HintResetReview => "undo", "撤销";
    HintAcceptConfident => "accept high", "接受高置信";
    HintPickVersions => "editions", "版本";
    HintImportEdition => "import", "导入";
    HelpScopeDivcodes => "Division codes", "区划代码";
    HelpScopeBackups => "Backups", "备份";
    // issue 14: the Network pane
    PaneNetwork => "Network", "网络";
    TabFleetShort => "Fleet", "主机";
    TabDivcodesShort => "Codes", "区划";
    ActPaneNetwork => "network checks tab", "网络检查标签页";
    ActTrace => "trace the path from the probing host to the target", "从探测主机追踪到目标的路径";
    ActLeft => "the column to the left", "左边一列";
    ActRight => "the column to the right", "右边一列";
    HintTrace => "trace", "路由追踪";
    HintColumns => "hosts", "主机";
    HintProbe => "probe", "探测";
    HelpScopeNetwork => "Network checks", "网络检查";
    // issue 13: the Alerts pane
    PaneAlerts => "Alerts", "告警";
    ActPaneAlerts => "alerts tab", "告警标签页";
    ActDutyView => "the night-duty view (large figures; Esc back)", "值班视图（大字显示；Esc 返回）";
    ActShell => "a recorded shell on the host (exit it to come back)", "打开该主机上的录像 shell（退出后返回）";
    ActAckAlert => "acknowledge the alert, with a note", "确认此告警并附说明";
    ActSnooze => "snooze the alert for a while", "暂缓此告警一段时间";
    ActSilence => "silence a host, a job or a pattern for a maintenance window", "维护窗口：静默主机、作业或匹配的告警";
    ActUnsilence => "lift the silence that covers the alert", "解除覆盖此告警的静默";
    ActToggleHistory => "show the cleared alerts too, or only the open ones", "切换：同时显示已恢复的告警 / 只显示未恢复的";
    HintSnooze => "snooze", "暂缓";
    HintSilence => "silence", "静默";
    HintHistory => "history", "历史";
    HelpScopeAlerts => "Alerts", "告警";
    TicketDraftFailed => "keeping the ticket draft failed", "保存工单草稿失败";
    TicketQueueFailed => "reading the ticket queue failed", "读取工单队列失败";
    HelpScopeLogs => "Logs", "日志";
    LogsRecords => "records", "条记录";
    LogsFollowing => "following", "跟随中";
    LogsPaused => "paused", "已暂停";
    LogsWrap => "wrap", "换行";
    LogsMasked => "masked", "已遮盖";
    LogsRevealed => "REVEALED", "已显示原文";
    LogsStarting => "starting", "启动中";
    LogsFollowingFiles => "following", "跟随";
    LogsRotated => "rotated; following the new file", "已轮转，跟随新文件";
    LogsTruncated => "truncated; reading from the start", "已截断，从头读取";
    LogsMissing => "missing; waiting for it", "文件不存在，等待中";
    LogsNoFiles => "no file matches", "没有匹配的文件";
    LogsConnecting => "connecting…", "正在连接…";
    LogsError => "error", "错误";
    LogsNoSources => "No log source: add [[logs]] entries to the config (no readable system log found).", "没有日志源：请在配置中添加 [[logs]]（未找到可读的系统日志）。";
    LogsMoreSources => "more sources", "个其他日志源";
    LogsFiltersOff => "filters off", "筛选已关闭";
    LogsEmpty => "No records yet.", "暂无记录。";
    LogsNoneMatch => "No record matches the filters.", "没有符合筛选条件的记录。";
    LogsNotFound => "not found", "未找到";
    LogsBadPattern => "bad pattern", "无效的表达式";
    LogsSearchPrompt => "/", "/";
    LogsIncludePrompt => "include: ", "包含：";
    LogsExcludePrompt => "exclude: ", "排除：";
    LogsWritePrompt => "write to: ", "写入文件：";
    LogsWritten => "written", "已写入";
    CliAbout => "运维台 yunwei: a terminal console for the teams who keep Linux fleets running", "运维台 yunwei：为维护 Linux 服务器群的团队打造的终端控制台";
    CliLongAbout => "Opens the console when no command is given. Keys: ? shows every key of the active keymap.", "不带命令时打开控制台。按键：? 列出当前键位的全部按键。";
    CliConfig => "Config file [default: $YUNWEI_CONFIG, else ~/.config/yunwei/config.toml]", "配置文件 [默认：$YUNWEI_CONFIG，否则 ~/.config/yunwei/config.toml]";
    CliDb => "Database file [default: $YUNWEI_DB, else ~/.local/share/yunwei/yunwei.db]", "数据库文件 [默认：$YUNWEI_DB，否则 ~/.local/share/yunwei/yunwei.db]";
    CliLang => "Interface language", "界面语言";
    CliTheme => "Theme: default, dark, light, high-contrast, mono, or a file", "主题：default、dark、light、high-contrast、mono 或文件";
    CliKeymap => "Keymap: default, vim, or a file", "键位：default、vim 或文件";
    CliDemo => "Open the console on a self-contained demo data set (localhost live, demo hosts, a generated application log)", "用自带的演示数据打开控制台（本机实时数据、演示主机、生成的应用日志）";
    CliStatus => "Poll every host once and print a table (or JSON); exit 1 if any host is down or critical", "轮询每台主机一次并打印表格（或 JSON）；有主机不可达或严重时退出码为 1";
    CliStatusJson => "Print a JSON array, one object per host", "打印 JSON 数组，每台主机一个对象";
    CliStatusHost => "Only this host (repeatable)", "只看这台主机（可重复）";
    CliStatusTag => "Only hosts with this tag (repeatable)", "只看带此标签的主机（可重复）";
    CliStatusSecurity => "Also collect the security posture (firewall, listening ports, failed logins, SELinux, clock sync, pending security updates) of hosts reached over SSH", "同时采集经 SSH 连接的主机的安全状况（防火墙、监听端口、登录失败、SELinux、时钟同步、待装安全更新）";
    CliLogs => "Print log files decoded, sanitised and masked; filter like grep -E; follow like tail -F", "打印日志文件：解码、清理、遮盖个人信息；像 grep -E 一样过滤；像 tail -F 一样跟随";
    CliLogsGrep => "Keep the lines that match any of these patterns (like grep -E)", "保留匹配任一表达式的行（同 grep -E）";
    CliLogsExclude => "Drop the lines that match any of these patterns", "丢弃匹配任一表达式的行";
    CliLogsEncoding => "auto (UTF-8 when valid, else GB18030), utf-8 or gb18030", "auto（有效时为 UTF-8，否则 GB18030）、utf-8 或 gb18030";
    CliLogsNoMask => "Show resident ID and mobile numbers unmasked (written to the audit log)", "不遮盖身份证号和手机号（写入审计日志）";
    CliLogsFollow => "Follow like tail -F: by name, across rotation and truncation", "像 tail -F 一样按文件名跟随，轮转和截断后继续";
    CliLogsLines => "With --follow, start with the last N lines", "与 --follow 一起用时，从最后 N 行开始";
    CliLogsHost => "Read the files on this host (from the config or ~/.ssh/config), over SSH", "经 SSH 读取这台主机（来自配置或 ~/.ssh/config）上的文件";
    CliLogsPaths => "The files", "文件";
    CliCheckConfig => "Validate the config file: print a summary (exit 0) or every error (exit 2)", "校验配置文件：打印摘要（退出码 0）或全部错误（退出码 2）";
    CliCheckConfigFile => "The file to check [default: as for --config]", "要校验的文件 [默认：同 --config]";
    CliCompletions => "Print a shell completion script", "打印 shell 补全脚本";
    CliUsage => "Usage:", "用法：";
    CliCommands => "Commands", "命令";
    CliOptions => "Options", "选项";
    CliHelpFlag => "Print help", "打印帮助";
    CliVersionFlag => "Print version", "打印版本";
    CliMan => "Print the manual page (roff) in the language of --lang", "按 --lang 的语言打印手册页（roff 格式）";
    ManUserCommands => "User Commands", "用户命令";
    ManName => "NAME", "名称";
    ManCommandValue => "COMMAND", "命令";
    ManSynopsis => "SYNOPSIS", "概述";
    ManDescription => "DESCRIPTION", "描述";
    ManVersion => "VERSION", "版本";
    ManPossibleValues => "Possible values:", "可选值：";
    ManDefault => "[default: ", "[默认：";
    ManEnvironment => "ENVIRONMENT", "环境变量";
    ManEnvConfig => "The config file when --config is not given.", "未给出 --config 时使用的配置文件。";
    ManEnvDb => "The database file when --db is not given.", "未给出 --db 时使用的数据库文件。";
    ManEnvOperator => "Who is recorded in the audit log [default: the login name].", "审计日志中记录的操作人 [默认：登录名]。";
    ManEnvNoColor => "The mono theme unless --theme is given.", "未给出 --theme 时使用 mono 主题。";
    ManEnvLocale => "The language when the config says lang = \"auto\" and --lang is not given.", "配置为 lang = \"auto\" 且未给出 --lang 时决定界面语言。";
    ManFiles => "FILES", "文件";
    ManFileConfig => "The config file (see yunwei check-config).", "配置文件（可用 yunwei check-config 校验）。";
    ManFileDb => "The database: health history, alerts, the audit log.", "数据库：健康历史、告警、审计日志。";
    ManFileReadme => "The full guide: configuration, keys, SSH, alerts, what is masked.", "完整说明：配置、按键、SSH、告警、遮盖规则。";
    ManExitStatus => "EXIT STATUS", "退出状态";
    ManExit0 => "All is well.", "一切正常。";
    ManExit1 => "Something is wrong with the fleet or the data: a host down or critical, a database problem.", "主机群或数据有问题：主机不可达或严重、数据库有问题。";
    ManExit2 => "A usage or configuration error.", "用法或配置错误。";
    LogsNoSuchHost => "error: no such host reached over SSH", "错误：没有这台经 SSH 连接的主机";
    LogsUnreadable => "error: not readable", "错误：无权读取";
    WriteFailed => "cannot write", "无法写入";
    WorkerPanicked => "internal error in", "内部错误，线程";
    WorkerNotStarted => "cannot start", "无法启动线程";
    ProbeIncomplete => "some figures could not be read", "部分指标无法读取";
    StoreOpenFailed => "cannot open the database", "无法打开数据库";
    StoreDemoFailed => "writing the demo history failed", "写入演示历史数据失败";
    StoreAlertsReadFailed => "reading open alerts failed", "读取未关闭告警失败";
    StoreAlertsWriteFailed => "recording alerts failed", "记录告警失败";
    StoreMaintenanceFailed => "health history maintenance failed", "健康历史数据维护失败";
    StoreRecordFailed => "recording health samples failed", "记录健康采样失败";
    StoreHistoryFailed => "reading the history failed", "读取历史数据失败";
    StoreAuditFailed => "writing the audit log failed", "写入审计日志失败";
    StoreAckFailed => "acknowledging the alert failed", "确认告警失败";
    AlertActFailed => "the change to the alert stream was not recorded", "告警流的更改未能记录";
    AlertAcked => "alert acknowledged", "告警已确认";
    HandoverAcked => "shift handover acknowledged", "交接班已确认";
    HandoverWritten => "shift handover written (yunwei duty log lists it)", "交接班记录已写入";
    AlertSnoozed => "alert snoozed", "告警已暂缓";
    AlertSilenced => "silence set", "已设置静默";
    AlertUnsilenced => "silence lifted", "静默已解除";
    AlertNotOpen => "the alert is no longer open", "该告警已不在未恢复状态";
    AlertNoSilence => "no such silence in force", "没有该生效中的静默";
    // issue 8: database and figures
    DbNotADatabase => "{path}: is not a yunwei database (not an SQLite file, or damaged); it was left as it is: move it aside or pass another --db", "{path}：不是运维台数据库（不是 SQLite 文件，或已损坏）；文件未作任何改动：请把它移开，或用 --db 指定其他文件";
    DbTooNew => "{path}: was written by a newer yunwei (schema version {found}; this yunwei knows up to {known}); upgrade yunwei or pass another --db", "{path}：由更新版本的运维台写入（数据结构版本 {found}，本程序最高支持 {known}）；请升级运维台，或用 --db 指定其他文件";
    DbNeedsUpgrade => "{path}: is read-only ({why}) and was written by an older yunwei (schema version {found}); upgrading it needs write permission: make it writable (chmod u+w) or pass another --db", "{path}：只读（{why}），且由旧版本运维台写入（数据结构版本 {found}）；升级需要写权限：请使其可写（chmod u+w），或用 --db 指定其他文件";
    DbOlderSchema => "{path}: was written by an older yunwei (schema version {found}); open the console on it once to upgrade it", "{path}：由旧版本运维台写入（数据结构版本 {found}）；请先用控制台打开一次以完成升级";
    DbIsDirectory => "{path}: is a directory; --db names the database file itself, e.g. --db {path}/yunwei.db", "{path}：是目录；--db 应指定数据库文件本身，例如 --db {path}/yunwei.db";
    DbNoFolder => "{path}: its folder {dir} does not exist; create it (mkdir -p {dir}) or pass another --db", "{path}：所在目录 {dir} 不存在；请先创建（mkdir -p {dir}），或用 --db 指定其他文件";
    DbFolderNotDir => "{path}: {dir} is not a folder; pass another --db", "{path}：{dir} 不是目录；请用 --db 指定其他文件";
    DbNotPermitted => "{path}: permission denied: the database or its folder belongs to another user; run yunwei as its owner or pass another --db", "{path}：权限不足：数据库或其所在目录属于其他用户；请以其属主身份运行运维台，或用 --db 指定其他文件";
    DbReadOnlyRefused => "{path}: the database is read-only ({why}) and this command must write to it; yunwei never makes it writable itself: make it writable (chmod u+w {path}) or pass another --db", "{path}：数据库只读（{why}），而此命令必须写入；运维台不会自行改为可写：请使其可写（chmod u+w {path}），或用 --db 指定其他文件";
    DbCannotCreate => "{path}: cannot create the database: {reason}; check the folder or pass another --db", "{path}：无法创建数据库：{reason}；请检查所在目录，或用 --db 指定其他文件";
    DbCannotCreateFolder => "{dir}: cannot create the database's folder: {reason}; create it yourself or pass another --db", "{dir}：无法创建数据库所在目录：{reason}；请自行创建，或用 --db 指定其他文件";
    DbCannotRead => "{path}: cannot read the database: {reason}", "{path}：无法读取数据库：{reason}";
    DbCannotOpen => "{path}: SQLite cannot open the database or its journal ({path}-wal, {path}-shm) beside it; check the folder's permissions and free space, or pass another --db", "{path}：SQLite 无法打开数据库或其旁边的日志文件（{path}-wal、{path}-shm）；请检查目录权限和剩余空间，或用 --db 指定其他文件";
    DbDiskFull => "{path}: the disk is full; free some space and try again", "{path}：磁盘已满；请释放空间后重试";
    DbSqlite => "{path}: {error}", "{path}：{error}";
    DbQuery => "database: {error}", "数据库：{error}";
    DbWhyMode => "mode {mode}: not writable by its owner", "权限 {mode}：属主不可写";
    DbWhyNoAccess => "mode {mode}: this user may not write it", "权限 {mode}：当前用户无权写入";
    DbWhyFolder => "mode {mode}, but its folder is not writable", "权限 {mode}，但所在目录不可写";
    DbWhyFileSystem => "mode {mode}, on a read-only file system", "权限 {mode}，位于只读文件系统";
    DbTightened => "{path} was readable by others (mode {mode}); it is now 0600, for its owner only", "{path} 原先其他用户也可访问（权限 {mode}）；现已改为 0600，仅属主可读写";
    IoReadOnlyFs => "read-only file system", "只读文件系统";
    IoNotADirectory => "a part of the path is not a folder", "路径中有一部分不是目录";
    DbReadOnlyBadge => "DB READ-ONLY", "数据库只读";
    DbReadOnlyBanner => "Read-only database {path} ({why}): health is live, not recorded; acknowledging and unmasking are off", "数据库 {path} 只读（{why}）：健康数据实时显示但不记录；确认告警和显示原文不可用";
    DbReadOnlyAck => "Cannot acknowledge: the database {path} is read-only ({why}); make it writable and restart yunwei", "无法确认告警：数据库 {path} 只读（{why}）；请使其可写后重启运维台";
    DbReadOnlyReveal => "Cannot unmask: unmasking is written to the audit log first, and the database {path} is read-only ({why})", "无法显示原文：显示原文须先写入审计日志，而数据库 {path} 只读（{why}）";
    DbReadOnlyNotWritten => "not written: the database is read-only", "未写入：数据库只读";
    LogsNoMaskAuditFailed => "yunwei logs: --no-mask is written to the audit log first, and that failed: {error}", "yunwei logs：--no-mask 须先写入审计日志，但写入失败：{error}";
    StatusCpuUnjudged => "{host}: CPU {cpu} is one 0.5 s sample and is not judged: CPU counts only when it stays high for 5 minutes, which only a console recording to {path} can tell", "{host}：CPU {cpu} 只是 0.5 秒的一次采样，不作判定：CPU 持续偏高 5 分钟才计入，只有正在记录到 {path} 的控制台能判断";
    StatusDbUnreadable => "yunwei status: CPU is not judged: {error}", "yunwei status：不判定 CPU：{error}";
    ProcOwn => "yunwei's own", "运维台自身";

    // issue 9: db
    CliDbCmd => "Look after yunwei's own database: backup, check, stats", "维护运维台自身的数据库：备份、检查、统计";
    CliDbBackup => "Copy the database, also while a console records to it (VACUUM INTO), to a new file readable by its owner only; written to the audit log", "复制数据库（VACUUM INTO，控制台正在记录时也可以）到仅属主可读写的新文件；记入审计日志";
    CliDbBackupFile => "The backup file to create", "要创建的备份文件";
    CliDbBackupForce => "Replace FILE if it exists", "FILE 已存在时替换它";
    CliDbCheck => "Check the database: integrity, foreign keys, schema version, journal, file mode; exit 1 on a problem", "检查数据库：完整性、外键、数据结构版本、日志模式、文件权限；有问题时退出码为 1";
    CliDbCheckQuick => "Run quick_check instead of the full integrity_check (faster on a big file)", "用 quick_check 代替完整的 integrity_check（大文件更快）";
    CliDbJson => "Print JSON", "打印 JSON";

    // issue 11: divcode
    CliDivcode => "Division-code editions: import, diff, review, mapping, SQL, impact, reconcile", "行政区划代码版本：导入、比对、审核、对应表、SQL、影响统计、核对";
    CliBackup => "Backup and data-exchange jobs: check their state now, list what each has left", "备份与数据交换作业：立即检查状态，列出各作业留下的文件";
    CliBackupCheck => "Check every job now (one command per host) and print its state and the rule behind it; exit 0 when all are ok, 1 otherwise", "立即检查所有作业（每台主机一条命令），打印状态及判定依据；全部正常时退出码 0，否则为 1";
    CliBackupJob => "Check only the job of this name", "只检查此名称的作业";
    CliFormatNagios => "Output: table, json, or nagios (a monitoring plugin's line STATE - summary | perfdata, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)", "输出格式：table、json 或 nagios（监控插件的一行“状态 - 摘要 | 性能数据”，退出码 0 正常、1 警告、2 严重、3 未知）";
    CliNet => "Network checks: probe the data interfaces now, from the hosts that use them", "网络检查：立即从使用接口的主机探测各数据接口";
    CliNetCheck => "Probe every check once from each of its places, all at once, and print the results; exit 0 when all are ok, 1 otherwise", "从各探测位置同时探测每项检查一次并打印结果；全部正常时退出码 0，否则为 1";
    CliNetJson => "Print a JSON array, one object per check and probing place", "打印 JSON 数组，每项检查的每个探测位置一个对象";
    CliNetCheckName => "Only the check of this name (repeatable)", "只探测此名称的检查（可重复）";
    CliNetFrom => "Only from this place: a host, or local (repeatable)", "只从此位置探测：主机名或 local（可重复）";
    CliBaseline => "The security baseline (graded protection, level 3): check every host's settings now", "安全基线（等保三级）：立即检查各主机的安全配置";
    CliBaselineCheck => "Run the read-only baseline script on every host at once, judge each item and look for signs of compromise; exit 0 when no item fails and no sign is found, 1 otherwise", "同时在各主机上运行只读的基线检查脚本，逐项判定并查找入侵迹象；无不符合项且无入侵迹象时退出码 0，否则为 1";
    CliBaselineJson => "Print a JSON array, one object per host with its items and signs", "打印 JSON 数组，每台主机一个对象，含其各检查项和入侵迹象";
    CliBaselineHost => "Only this host (repeatable)", "只检查此主机（可重复）";
    CliBaselineRecord => "Keep what each host has now (listeners and their processes, crontabs, timers, authorized_keys, UID 0 accounts) as what is expected of it: later checks flag what changed", "将各主机当前状态（监听端口及进程、计划任务、定时器、authorized_keys、UID 0 账户）记为预期基线：之后的检查会标出变化";
    CliBaselineRecordHost => "Only this host (repeatable)", "只记录此主机（可重复）";
    CliBackupVerify => "Run each job's verification now instead of using the last result", "立即运行各作业的校验命令，而不是沿用上次结果";
    CliBackupHistory => "List the artefacts seen of a job, with their verifications, and its runs", "列出某作业见到过的文件及其校验结果，以及它的运行记录";
    CliDuty => "Open the console on the night-duty view: large figures, the newest critical alert first (D or Esc for the tabs)", "以值班视图打开控制台：大字显示，最新的严重告警在前（按 D 或 Esc 回到标签页）";
    CliDutyHandover => "Write the shift's handover (alerts, tickets, jobs, silences, your notes): printed as Markdown, kept and audited, shown to the next engineer until acknowledged", "生成交接班记录（告警、工单、作业、静默及交接说明）：以 Markdown 打印，保存并记入审计日志，下一班确认前会一直提示";
    CliDutySince => "The shift's length, back from now (8h)", "本班时长，从现在往前算（默认 8h）";
    CliDutyTo => "Who takes over (default: whoever opens a console next)", "接班人（默认：下一个打开控制台的人）";
    CliDutyNote => "The outgoing engineer's notes", "交班人的说明";
    CliDutyLog => "List past handovers, who wrote them and who acknowledged them", "列出历次交接：交班人、接班人及确认情况";
    CliWatch => "Run the polls, checks, alerts and notifications with no console, logging to standard error in the journal's style; stops on SIGTERM", "不开控制台，运行轮询、检查、告警和通知，以 journal 格式把日志写到标准错误；收到 SIGTERM 时停止";
    CliShell => "A shell on HOST through its jump chain, with the polls' host-key checks; recorded (asciicast, 0600) and audited; exits with the shell's status", "经跳板链打开 HOST 上的 shell，主机密钥检查与轮询相同；录像（asciicast，0600）并审计；退出码为 shell 的退出码";
    CliShellHost => "The host, by its [[hosts]] name (a local host opens this machine's login shell)", "主机，按 [[hosts]] 中的名称（本机主机打开本机的登录 shell）";
    CliShellTicket => "The ticket the session is for (its number), written in the audit row", "本次会话对应的工单（编号），写入审计记录";
    CliShellList => "List the sessions from the audit log: who, host, ticket, start, end, exit status, and whether each recording is intact", "从审计日志列出会话：操作人、主机、工单、开始、结束、退出码，以及录像是否完好";
    CliReplay => "Play a shell recording back at its pace; clipboard writes, title changes and device strings are dropped; any key stops it", "按原速回放 shell 录像；剪贴板写入、标题修改和设备控制串被去掉；按任意键停止";
    CliReplayFile => "The recording (*.cast in sessions/ beside the database)", "录像文件（数据库旁 sessions/ 中的 *.cast）";
    CliReplaySpeed => "Play N times as fast (0.5 is half speed)", "以 N 倍速回放（0.5 为半速）";
    CliReplayIdle => "Cut every pause to at most this many seconds", "把每段停顿缩短到最多这么多秒";
    CliAudit => "The audit log for the assessment: reveals, exports, acknowledgements, silences, shell sessions, runs of jobs; export it, or verify its hash chain", "供测评使用的审计日志：查看原文、导出、确认、静默、shell 会话、作业运行等；导出，或校验其哈希链";
    CliAuditFrom => "From this day (2026-10-01), in the local calendar", "起始日期（如 2026-10-01，本地日历）";
    CliAuditTo => "To this day, inclusive", "截止日期（含当天）";
    CliAuditCsv => "Print CSV (UTF-8 with a BOM, for spreadsheets)", "输出 CSV（带 BOM 的 UTF-8，便于表格软件打开）";
    CliAuditVerify => "Walk the hash chain: exit 0 when intact, 1 naming the first row edited or removed", "校验哈希链：完整时退出码 0；否则为 1，并指出第一处被改动或删除的行";
    CliAlerts => "The alert stream: list the alerts not cleared (exit 1 while a critical one asks for attention), acknowledge, snooze, silence for a maintenance window, history", "告警流：列出未恢复的告警（有待处理的严重告警时退出码为 1），确认、暂缓、维护窗口静默、历史";
    CliAlertsAll => "Every alert on record, the cleared ones too", "列出全部告警记录，包括已恢复的";
    CliAlertsAck => "Acknowledge an alert, with a note (audited)", "确认告警并附说明（记入审计日志）";
    CliAlertsId => "The alert's number (the ID column, or id in JSON)", "告警编号（ID 列，或 JSON 中的 id）";
    CliAlertsNote => "What was done or found, kept with the acknowledgement", "处理情况说明，随确认一同保存";
    CliAlertsSnooze => "Put an alert out of sight for a while; it comes back by itself (audited)", "暂缓告警一段时间，到时自动恢复提醒（记入审计日志）";
    CliAlertsSnoozeFor => "How long, such as 30m, 2h or 1d", "时长，例如 30m、2h 或 1d";
    CliAlertsSilence => "Silence a host, a job or a key pattern for a maintenance window; it ends by itself (audited)", "在维护窗口内静默某主机、作业或告警键匹配，到时自动结束（记入审计日志）";
    CliAlertsHost => "Every alert about this host, its jobs' too", "该主机的全部告警，包括其上作业的告警";
    CliAlertsJob => "The alerts of this backup or exchange job", "该备份或交换作业的告警";
    CliAlertsPattern => "Alert keys matching this pattern, with * and ?, such as health/*/disk/*", "与此模式匹配的告警键，可用 * 和 ?，例如 health/*/disk/*";
    CliAlertsSilenceFor => "How long from now, such as 30m or 2h", "从现在起的时长，例如 30m 或 2h";
    CliAlertsUntil => "Until when, such as \"2026-12-02 06:00\" (local time) or RFC 3339", "结束时间，例如 \"2026-12-02 06:00\"（本地时间）或 RFC 3339 格式";
    CliAlertsReason => "Why (the maintenance window's purpose): shown on the banner and audited", "原因（维护窗口的用途）：显示在横幅上并记入审计日志";
    CliAlertsUnsilence => "Lift a silence before its time (audited)", "提前解除静默（记入审计日志）";
    CliAlertsSilenceId => "The silence's number, as `alerts silences` lists it", "静默编号，见 `alerts silences` 的列表";
    CliAlertsSilences => "List the silences in force", "列出生效中的静默";
    CliAlertsHistory => "Every episode of an alert: when it opened, who acknowledged it, when it cleared", "某告警的每一次发生：何时出现、谁确认、何时恢复";
    CliBackupName => "The job's name (as in [[jobs]])", "作业名称（即 [[jobs]] 中的 name）";
    CliDivImport => "Import an edition of the codes (CSV or the published text form, UTF-8 or GB18030): all of it or nothing", "导入一个代码版本（CSV 或公布的文本格式，UTF-8 或 GB18030 编码）：要么全部导入，要么一行不导";
    CliDivFile => "The file: CSV with a header (code,name[,level,parent]) or code and name a line", "文件：带标题行的 CSV（code,name[,level,parent]），或每行一个代码和名称";
    CliDivVersion => "The name to store the edition under (such as 2024)", "保存此版本所用的名称（例如 2024）";
    CliDivFormat => "auto, csv or text", "auto、csv 或 text";
    CliDivVersions => "List the stored editions", "列出已存储的版本";
    CliDivDrop => "Remove an edition (refused while reviews refer to it, unless --force)", "删除一个版本（有审核决定引用它时拒绝，除非加 --force）";
    CliDivDropName => "The edition's name", "版本名称";
    CliDivDropForce => "Remove it even though reviews refer to it, and those reviews with it", "即使有审核决定引用它也删除，并连同这些决定一起删除";
    CliDivDiff => "Every change from OLD to NEW, classified, with its proposed mapping, evidence and review", "从 OLD 到 NEW 的每处变更：分类、建议的对应关系、依据和审核状态";
    CliDivOld => "The old edition", "旧版本";
    CliDivNew => "The new edition", "新版本";
    CliDivPrefix => "Only the changes that touch codes starting with this (such as 46)", "只看涉及以此开头的代码的变更（例如 46）";
    CliDivDiffAccept => "Accept every proposed change whose confidence is high first", "先接受所有置信度为高的待审变更";
    CliDivReview => "Decide changes: accept, reject, or map an old code to a new one", "审核变更：接受、拒绝，或把旧代码对应到新代码";
    CliDivAccept => "Accept these changes (by id) as proposed", "按建议接受这些变更（按编号）";
    CliDivReject => "Reject these changes (by id)", "拒绝这些变更（按编号）";
    CliDivMap => "Map an old code to a new one (FROM=TO), editing the change that holds FROM", "把旧代码对应到新代码（旧=新），修改含有该旧代码的变更";
    CliDivAcceptConfident => "Accept every proposed change whose confidence is high", "接受所有置信度为高的待审变更";
    CliDivAcceptFormOnly => "Accept every proposed rename that changes the name's form only", "接受所有仅名称形式变化的待审更名";
    CliDivReset => "Undo these changes' decisions (by id): proposed again", "撤销这些变更（按编号）的决定，恢复为待审";
    CliDivMapping => "Write the reviewed mapping as CSV", "把审核后的对应关系写成 CSV";
    CliDivAll => "Every change, not only the accepted ones", "所有变更，而不只是已接受的";
    CliDivOut => "Write to FILE (mode 0600) instead of standard output", "写入 FILE（权限 0600），而不是标准输出";
    CliDivMappingForce => "Replace FILE if it exists", "FILE 已存在时替换它";
    CliDivSql => "Write apply.sql and rollback.sql from the accepted mappings", "根据已接受的对应关系写出 apply.sql 和 rollback.sql";
    CliDivDialect => "oracle, mysql, postgres or sqlite", "oracle、mysql、postgres 或 sqlite";
    CliDivTable => "The table to change (schema.table allowed)", "要修改的表（可写 模式.表）";
    CliDivColumn => "The column holding the codes", "存放代码的列";
    CliDivKey => "The table's key column, saved with each old value", "表的主键列，随每个原值一起保存";
    CliDivMatch => "exact (the column holds the code) or prefix (the column's value starts with it)", "exact（列值就是代码）或 prefix（列值以代码开头）";
    CliDivOutDir => "The folder to write apply.sql and rollback.sql into", "写入 apply.sql 和 rollback.sql 的目录";
    CliDivSqlForce => "Replace apply.sql and rollback.sql if they exist", "apply.sql 和 rollback.sql 已存在时替换它们";
    CliDivImpact => "Count the records each change touches, with the commands of [[divcodes.impact]]", "用 [[divcodes.impact]] 的命令统计每处变更涉及的记录数";
    CliDivTarget => "Only this [[divcodes.impact]] entry (repeatable)", "只用这一项 [[divcodes.impact]]（可重复）";
    CliDivImpactJson => "Print JSON (what reconcile --before reads)", "打印 JSON（供 reconcile --before 读取）";
    CliDivReconcile => "Count again after the SQL ran and check that the records moved as mapped; exit 1 on a mismatch", "SQL 执行后重新统计，核对记录是否按对应关系迁移；不符时退出码为 1";
    CliDivBefore => "The JSON of an impact run before the SQL ran", "SQL 执行前 impact 输出的 JSON";
    CliDivRolledBack => "Check instead that a rollback restored every count of FILE", "改为核对回滚是否恢复了 FILE 中的每个数量";
    CliReport => "Reports from the database: the quarterly service report and the inspection report (Markdown and HTML)", "从数据库生成报告：季度服务报告和例行巡检报告（Markdown 和 HTML）";
    CliReportInspection => "The inspection report of every host with history in the period: inspection.md, a self-contained inspection.html and findings.csv", "期间内有记录的所有主机的例行巡检报告：inspection.md、独立的 inspection.html 和 findings.csv";
    CliReportFrom => "The first day of the period (YYYY-MM-DD), with --to", "期间的第一天（YYYY-MM-DD），与 --to 同用";
    CliReportTo => "The last day of the period (YYYY-MM-DD), with --from", "期间的最后一天（YYYY-MM-DD），与 --from 同用";
    CliReportHost => "Only this host (repeatable)", "只报告此主机（可重复）";
    CliReportInspectionOut => "The folder to write the files into (default: the data folder's reports/inspection-PERIOD)", "写入文件的目录（默认：数据目录下的 reports/inspection-期间）";
    CliReportTickets => "Open a ticket for each failing problem that has no open ticket yet", "为每个尚无未关闭工单的不符合问题新开工单";
    CliReportQuarterly => "The quarterly service report: report.md and a self-contained report.html", "季度服务报告：report.md 和独立的 report.html";
    CliReportQuarter => "The quarter, as 2026Q4 (default: the one now)", "季度，写作 2026Q4（默认：当前季度）";
    CliReportOut => "The folder to write report.md and report.html into (default: the data folder's reports/QUARTER)", "写入 report.md 和 report.html 的目录（默认：数据目录下的 reports/季度）";
    CliTicketImport => "Import the team's existing sheet (CSV with a header, UTF-8 or GBK): all of it or nothing", "导入团队现有的表格（带标题行的 CSV，UTF-8 或 GBK 编码）：要么全部导入，要么一张不导";
    CliTicketImportFile => "The sheet: CSV with a header line, in UTF-8 or GBK", "表格文件：带标题行的 CSV，UTF-8 或 GBK 编码";
    CliTicketImportDryRun => "Check the sheet and say what would be imported, writing nothing", "只检查表格并说明将导入什么，不写入任何内容";
    CliTicketExport => "Write tickets as CSV (UTF-8 with a byte-order mark, for spreadsheets) to standard output", "把工单写成 CSV（带字节顺序标记的 UTF-8，便于电子表格打开）到标准输出";
    CliTicketFormat => "The format: csv", "格式：csv";
    CliTicketFrom => "Tickets created on or after this day (YYYY-MM-DD)", "此日（YYYY-MM-DD）及之后创建的工单";
    CliTicketTo => "Tickets created on or before this day (YYYY-MM-DD)", "此日（YYYY-MM-DD）及之前创建的工单";
    CliTicket => "The ticket queue: add, list, show, move, assign, escalate, note, verify, export", "工单队列：新建、列表、查看、流转、指派、升级、备注、校验、导出";
    CliTicketAdd => "Record a new ticket and print it with its number", "登记新工单并打印它（含工单号）";
    CliTicketChannel => "How the request came: phone, email, onsite, remote, monitoring", "请求来源：phone（电话）、email（邮件）、onsite（现场）、remote（远程）、monitoring（监控）";
    CliTicketCaller => "Who called", "报告人";
    CliTicketPhone => "The caller's phone number", "报告人的电话号码";
    CliTicketUnit => "The calling office", "报告单位";
    CliTicketCategory => "network, security, software, data, server", "network（网络）、security（安全）、software（软件）、data（数据）、server（服务器）";
    CliTicketSubcategory => "A finer category, free text", "细分类别，自由文字";
    CliTicketLevel => "high, medium, low", "high（高）、medium（中）、low（低）";
    CliTicketSummary => "One line saying what is wrong", "一句话说明问题";
    CliTicketDescription => "The whole story", "详细描述";
    CliTicketHost => "A host concerned (repeatable)", "涉及的主机（可重复）";
    CliTicketAssignee => "The engineer it goes to", "处理工程师";
    CliTicketTag => "A tag (repeatable)", "标签（可重复）";
    CliTicketAlert => "The alert it comes from", "来源告警";
    CliTicketList => "List tickets, most urgent first (open ones unless --all or --status)", "列出工单，最紧急的在前（除非 --all 或 --status，只列未关闭的）";
    CliTicketStatus => "Only this status (repeatable)", "只列此状态（可重复）";
    CliTicketOverdue => "Only tickets past a running SLA clock", "只列 SLA 计时已超时的工单";
    CliTicketOnlyAssignee => "Only this engineer's tickets", "只列此工程师的工单";
    CliTicketOnlyCategory => "Only this category", "只列此类别";
    CliTicketOnlyPriority => "Only this priority (P1 to P4)", "只列此优先级（P1 至 P4）";
    CliTicketSearch => "Tickets whose summary, description or notes hold every word (Chinese included)", "摘要、描述或备注包含每个词的工单（支持中文）";
    CliTicketAll => "Closed and cancelled tickets too", "也列出已关闭和已取消的工单";
    CliTicketLimit => "At most N tickets", "最多 N 个工单";
    CliTicketNoMask => "Show phone numbers unmasked (written to the audit log)", "显示未脱敏的电话号码（记入审计日志）";
    CliTicketShow => "Show a ticket with its notes, SLA clocks and history", "查看工单及其备注、SLA 计时和历史";
    CliTicketIdFull => "The ticket's number (YW-20261127-003) or id", "工单号（YW-20261127-003）或编号";
    CliTicketMove => "Move a ticket along its workflow", "按流程流转工单";
    CliTicketId => "The ticket's number (YW-20261127-003, or 20261127-3), or # and its row id", "工单号（YW-20261127-003，或 20261127-3），或 # 加行号";
    CliTicketMoveTo => "The new status: acknowledged, in_progress, pending, resolved, closed, cancelled", "新状态：acknowledged、in_progress、pending、resolved、closed、cancelled";
    CliTicketMoveNote => "A note recorded with the move", "随流转记录的备注";
    CliTicketExpect => "Refuse (exit 3) if the ticket is no longer at this version", "工单已不是此版本时拒绝（退出码 3）";
    CliTicketAssign => "Assign a ticket to an engineer", "把工单指派给工程师";
    CliTicketEscalate => "Escalate a ticket: raise its level and reassign it, with the reason", "升级工单：提高升级级别并改派，注明原因";
    CliTicketEscalateTo => "The second-line engineer it goes to", "接手的二线工程师";
    CliTicketReason => "Why it is escalated", "升级原因";
    CliTicketNote => "Add a note to a ticket", "给工单添加备注";
    CliTicketNoteText => "The note", "备注内容";
    CliTicketVerify => "Check every ticket's hash-chained history; exit 1 at the first broken chain", "校验每个工单的哈希链历史；发现断链时退出码为 1";
    CliDbStats => "Show the database's size: its files, rows and bytes per table, the oldest and newest samples, alerts and audit rows", "显示数据库的大小：文件、各表行数与字节数、最早和最新的采样、告警与审计记录";
    DbBackupExists => "{path}: already exists; yunwei does not overwrite it: name another file, or pass --force to replace it", "{path}：已存在；运维台不会覆盖它：请另选文件名，或加 --force 替换它";
    DbBackupIsSource => "{path}: is the database itself (or a file SQLite keeps beside it); name another file for the backup", "{path}：就是数据库本身（或 SQLite 在其旁边保存的文件）；请为备份另选文件";
    DbBackupIsDirectory => "{path}: is a folder; name the backup file itself, e.g. {path}/yunwei-backup.db", "{path}：是目录；请指定备份文件本身，例如 {path}/yunwei-backup.db";
    DbBackupNoFolder => "{path}: its folder {dir} does not exist; create it (mkdir -p {dir}) or name another file", "{path}：所在目录 {dir} 不存在；请先创建（mkdir -p {dir}），或另选文件";
    DbBackupFolderNotDir => "{path}: {dir} is not a folder; name another file", "{path}：{dir} 不是目录；请另选文件";
    DbBackupNotPermitted => "{path}: permission denied: this user may not create files in {dir}; choose a folder of your own", "{path}：权限不足：当前用户不能在 {dir} 中创建文件；请选择自己有权写入的目录";
    DbBackupDiskFull => "{path}: the disk is full; no backup and no partial file were left: free some space or choose another disk", "{path}：磁盘已满；没有留下备份，也没有留下残缺文件：请释放空间，或换一块磁盘";
    DbBackupReadOnlyFs => "{path}: {dir} is on a read-only file system; choose another folder", "{path}：{dir} 位于只读文件系统；请另选目录";
    DbBackupWriteFailed => "{path}: cannot write the backup: {reason}; no partial file was left", "{path}：无法写入备份：{reason}；没有留下残缺文件";
    DbBackupCopyFailed => "{path}: SQLite could not copy the database: {error}; no partial file was left", "{path}：SQLite 未能复制数据库：{error}；没有留下残缺文件";
    DbBackupBadCopy => "{path}: the copy failed its own check ({error}); it was not kept: run `yunwei db check` on the database", "{path}：副本未通过自检（{error}），未保留：请对数据库运行 `yunwei db check`";
    DbBackupAuditFailed => "{path}: the backup was not kept: it holds personal data and is written to the audit log first, and that failed: {error}", "{path}：备份未保留：备份含个人信息，须先写入审计日志，但写入失败：{error}";
    DbBackupWritten => "{path}: backup written: {size} ({bytes} bytes), readable by its owner only (0600), the database as it was at {time}", "{path}：备份已写入：{size}（{bytes} 字节），仅属主可读写（0600），内容为数据库在 {time} 时的状态";
    DbBackupAudited => "recorded in the audit log of {db} (db.backup)", "已记入 {db} 的审计日志（db.backup）";
    DbBackupNotAudited => "the database {db} is read-only ({why}), so this backup could not be written to its audit log; note yourself where the copy went", "数据库 {db} 只读（{why}），因此本次备份无法记入其审计日志；请自行记录副本的去向";
    DbConfigUnread => "the config has errors, and the audit row names its operator; fix it first (yunwei check-config)", "配置有错误，而审计记录要写明其中的操作员；请先改正（yunwei check-config）";
    DbCorrupt => "{path}: the database is damaged (SQLite: database disk image is malformed); see what `yunwei db check` finds, and restore the latest backup", "{path}：数据库已损坏（SQLite 报告数据库映像格式错误）；请用 `yunwei db check` 查看损坏情况，并恢复最近的备份";
    DbCheckStopped => "SQLite stopped at the damage it met (database disk image is malformed)", "SQLite 遇到损坏处即停止（数据库映像格式错误）";
    DbCheckFkError => "foreign keys: could not be checked: {error}", "外键：无法检查：{error}";
    DbCheckSchemaError => "schema version: could not be read: {error}", "数据结构版本：无法读取：{error}";
    DbLabelDatabase => "database", "数据库";
    DbCheckOk => "ok", "正常";
    DbCheckWarn => "warn", "警告";
    DbCheckFail => "FAIL", "失败";
    DbCheckUnreadable => "cannot be checked: {error}", "无法检查：{error}";
    DbCheckIntegrityOk => "integrity ({pragma}): ok", "完整性（{pragma}）：正常";
    DbCheckIntegrityBad => "integrity ({pragma}): damaged; SQLite reports:", "完整性（{pragma}）：已损坏；SQLite 报告：";
    DbCheckIntegrityAdvice => "restore the latest backup (yunwei db backup makes one), or copy out what is readable with sqlite3's .recover", "请恢复最近的备份（用 `yunwei db backup` 制作），或用 sqlite3 的 `.recover` 导出仍可读取的数据";
    DbCheckFkOk => "foreign keys: every reference resolves", "外键：所有引用都有对应记录";
    DbCheckFkBad => "foreign keys: rows refer to rows that do not exist:", "外键：以下记录引用了不存在的记录：";
    DbCheckFkRow => "{table} row {rowid} refers to a missing row of {parent}", "{table} 的第 {rowid} 行引用了 {parent} 中不存在的记录";
    DbCheckSchemaCurrent => "schema version {found}, this yunwei's own", "数据结构版本 {found}，与本程序一致";
    DbCheckSchemaOlder => "schema version {found}, older than this yunwei's {known}: the console upgrades it when it next opens it (back it up first)", "数据结构版本 {found}，低于本程序的 {known}：控制台下次打开时会升级它（请先备份）";
    DbCheckSchemaNewer => "schema version {found} is newer than this yunwei knows ({known}): a newer yunwei wrote it; upgrade yunwei to use it", "数据结构版本 {found} 高于本程序所知（{known}）：由更新版本的运维台写入；请升级运维台后再使用";
    DbCheckSchemaMissing => "no schema version: not a yunwei database", "没有数据结构版本：不是运维台数据库";
    DbCheckJournalWal => "journal: WAL (readers and the console's writes do not wait for each other)", "日志模式：WAL（读取与控制台写入互不等待）";
    DbCheckJournalDelete => "journal: rollback, not WAL (WAL is impossible on some network file systems); readers may wait for the console's writes", "日志模式：回滚日志，不是 WAL（某些网络文件系统不支持 WAL）；读取可能要等待控制台写入";
    DbCheckJournalUnknown => "journal: unknown (the file's header does not say)", "日志模式：未知（文件头未注明）";
    DbCheckModeOk => "file mode {mode}: its owner's only", "文件权限 {mode}：仅属主可访问";
    DbCheckModeLoose => "{file}: mode {mode}: others may read it, and it holds personal data; make it its owner's only: chmod go-rwx {file}", "{file}：权限 {mode}：其他用户可以读取，而其中含个人信息；请改为仅属主可访问：`chmod go-rwx {file}`";
    DbCheckSummaryWell => "all is well", "一切正常";
    DbCheckSummaryWarnings => "no problem; warnings: {w}", "没有问题；警告 {w} 条";
    DbCheckSummaryProblems => "problems: {n}; warnings: {w}", "问题 {n} 个；警告 {w} 条";
    DbStatsFile => "files", "文件";
    DbStatsFileLine => "{total} (database {db}, WAL {wal}, shared memory {shm})", "{total}（数据库 {db}，WAL {wal}，共享内存 {shm}）";
    DbStatsPages => "pages", "页";
    DbStatsPagesLine => "{count} of {size} bytes; {free} free ({free_size}, given back by VACUUM)", "{count} 页，每页 {size} 字节；空闲 {free} 页（{free_size}，VACUUM 可收回）";
    DbStatsSizes => "sizes", "大小";
    DbStatsSizesDbstat => "per table from SQLite's dbstat, its indexes included", "各表大小来自 SQLite 的 dbstat，含其索引";
    DbStatsSizesNone => "per table unknown: this SQLite has no dbstat table", "各表大小未知：此 SQLite 没有 dbstat 表";
    DbColTable => "Table", "表";
    DbColRows => "Rows", "行数";
    DbColSize => "Size", "大小";
    DbColShare => "Share", "占比";
    DbStatsTotal => "all pages", "全部页";
    DbStatsHealth => "health samples", "健康采样";
    DbStatsHealth5m => "5-minute history", "5 分钟历史";
    DbStatsAlerts => "alerts", "告警";
    DbStatsAudit => "audit log", "审计日志";
    DbStatsSpan => "{n} rows; oldest {oldest}, newest {newest}", "{n} 行；最早 {oldest}，最新 {newest}";
    DbStatsSpanOne => "1 row; oldest {oldest}, newest {newest}", "1 行；最早 {oldest}，最新 {newest}";
    DbStatsSpanEmpty => "none", "无";
    DbStatsNoTable => "no such table", "没有此表";
    DbStatsOpenAlerts => "{n} open", "未关闭 {n} 条";
}

/// `template` with each `{name}` replaced by its value (names the template does not hold are
/// ignored; a `{` not opening a known name stays as it is).
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| (close, *v))
        });
        match arg {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A counted noun: `one` for 1 and `many` otherwise (English needs both; Chinese texts are the
/// same), with `{n}` filled in.
pub fn count(n: usize, one: Msg, many: Msg, lang: Lang) -> String {
    let m = if n == 1 { one } else { many };
    fill(m.text(lang), &[("n", &n.to_string())])
}

/// Runs of two or more English words in `text` meant to be Chinese, for the tests that keep
/// the Chinese interface Chinese. Not counted: what is quoted ('…', "…", `…`), `{name}`s,
/// options (`--lang`), paths, keys (`a.b`, `a_b`), all-capital words (SSH, TOML, OPTIONS),
/// the names of yunwei and its commands, and words in a list (separated by commas).
pub fn english_runs(text: &str) -> Vec<String> {
    const NAMES: &[&str] = &["yunwei", "demo", "status", "logs", "check-config", "completions", "help", "db"];
    let mut cleaned = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`' | '{' | '“' | '‘') => {
                quote = Some(match c {
                    '{' => '}',
                    '“' => '”',
                    '‘' => '’',
                    other => other,
                })
            }
            // Chinese text (and full-width punctuation) between words ends a run.
            None if !c.is_ascii() => cleaned.push('\n'),
            None => cleaned.push(c),
        }
    }
    let mut runs = Vec::new();
    for line in cleaned.lines() {
        let mut run: Vec<&str> = Vec::new();
        for token in line.split(' ') {
            let word = token.trim_end_matches([',', ';', ':', '.', '?', '!', ')']).trim_start_matches('(');
            let plain = token.len() == word.len() || token.ends_with(['.', ':', '?', '!', ')']);
            let english = word.len() >= 2
                && word.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                && word.chars().any(|c| c.is_ascii_lowercase())
                && !word.starts_with('-')
                && !NAMES.contains(&word);
            if english {
                run.push(word);
            }
            if !english || !plain {
                if run.len() >= 2 {
                    runs.push(run.join(" "));
                }
                run.clear();
            }
        }
        if run.len() >= 2 {
            runs.push(run.join(" "));
        }
    }
    runs
}

/// Message for a bindable action, used by the help overlay and the status-bar hints.
pub fn action_label(action: crate::action::Action, lang: Lang) -> &'static str {
    use crate::action::Action as A;
    let msg = match action {
        A::Quit => Msg::ActQuit,
        A::Help => Msg::ActHelp,
        A::CommandLine => Msg::ActCommandLine,
        A::NextPane => Msg::ActNextPane,
        A::PrevPane => Msg::ActPrevPane,
        A::Up => Msg::ActUp,
        A::Down => Msg::ActDown,
        A::PageUp => Msg::ActPageUp,
        A::PageDown => Msg::ActPageDown,
        A::Top => Msg::ActTop,
        A::Bottom => Msg::ActBottom,
        A::Open => Msg::ActOpen,
        A::Back => Msg::ActBack,
        A::Filter => Msg::ActFilter,
        A::ClearFilter => Msg::ActClearFilter,
        A::SortNext => Msg::ActSortNext,
        A::SortPrev => Msg::ActSortPrev,
        A::SortReverse => Msg::ActSortReverse,
        A::Refresh => Msg::ActRefresh,
        A::RangeNext => Msg::ActRangeNext,
        A::Redraw => Msg::ActRedraw,
        A::GroupByTag => Msg::ActGroupByTag,
        A::AckAlerts => Msg::ActAckAlerts,
        A::Search => Msg::ActSearch,
        A::SearchNext => Msg::ActSearchNext,
        A::SearchPrev => Msg::ActSearchPrev,
        A::NextError => Msg::ActNextError,
        A::PrevError => Msg::ActPrevError,
        A::IncludeFilter => Msg::ActIncludeFilter,
        A::ExcludeFilter => Msg::ActExcludeFilter,
        A::ToggleFilters => Msg::ActToggleFilters,
        A::Follow => Msg::ActFollow,
        A::Wrap => Msg::ActWrap,
        A::Reveal => Msg::ActReveal,
        A::WriteFile => Msg::ActWriteFile,
        A::OpenFile => Msg::ActOpenFile,
        A::ToggleFilter => Msg::ActToggleFilter,
        A::PaneFleet => Msg::ActPaneFleet,
        A::PaneLogs => Msg::ActPaneLogs,
        A::PaneTickets => Msg::ActPaneTickets,
        A::NewTicket => Msg::ActNewTicket,
        A::Acknowledge => Msg::ActAcknowledge,
        A::MoveTicket => Msg::ActMoveTicket,
        A::AssignTicket => Msg::ActAssignTicket,
        A::EscalateTicket => Msg::ActEscalateTicket,
        A::NoteTicket => Msg::ActNoteTicket,
        A::PaneDivcodes => Msg::ActPaneDivcodes,
        A::AcceptChange => Msg::ActAcceptChange,
        A::RejectChange => Msg::ActRejectChange,
        A::EditMapping => Msg::ActEditMapping,
        A::ResetReview => Msg::ActResetReview,
        A::AcceptConfident => Msg::ActAcceptConfident,
        A::AcceptFormOnly => Msg::ActAcceptFormOnly,
        A::PickVersions => Msg::ActPickVersions,
        A::ImportEdition => Msg::ActImportEdition,
        A::PaneBackups => Msg::ActPaneBackups,
        A::VerifyNow => Msg::ActVerifyNow,
        A::RunJob => Msg::ActRunJob,
        A::AckAlert => Msg::ActAckAlert,
        A::Snooze => Msg::ActSnooze,
        A::Silence => Msg::ActSilence,
        A::Unsilence => Msg::ActUnsilence,
        A::ToggleHistory => Msg::ActToggleHistory,
        A::PaneAlerts => Msg::ActPaneAlerts,
        A::DutyView => Msg::ActDutyView,
        A::Shell => Msg::ActShell,
        A::PaneNetwork => Msg::ActPaneNetwork,
        A::Trace => Msg::ActTrace,
        A::Left => Msg::ActLeft,
        A::Right => Msg::ActRight,
    };
    msg.text(lang)
}

/// Short label for the status-bar hints, where space is tight.
pub fn action_hint(action: crate::action::Action, lang: Lang) -> &'static str {
    use crate::action::Action as A;
    let msg = match action {
        A::Help => Msg::HintHelp,
        A::Open => Msg::HintOpen,
        A::Filter => Msg::HintFilter,
        A::SortNext | A::SortPrev => Msg::HintSort,
        A::SortReverse => Msg::HintReverse,
        A::Refresh => Msg::HintRefresh,
        A::CommandLine => Msg::HintCommand,
        A::Quit => Msg::HintQuit,
        A::Back => Msg::HintBack,
        A::RangeNext => Msg::HintRange,
        A::Up | A::Down | A::PageUp | A::PageDown => Msg::HintScroll,
        A::GroupByTag => Msg::HintGroup,
        A::AckAlerts => Msg::HintAck,
        A::Search => Msg::HintSearch,
        A::NextError => Msg::HintNextError,
        A::IncludeFilter => Msg::HintIncludeFilter,
        A::ExcludeFilter => Msg::HintExcludeFilter,
        A::Follow => Msg::HintFollow,
        A::Wrap => Msg::HintWrap,
        A::Reveal => Msg::HintReveal,
        A::WriteFile => Msg::HintWriteFile,
        A::OpenFile => Msg::HintOpenFile,
        A::ToggleFilter => Msg::HintToggleFilter,
        A::NewTicket => Msg::HintNewTicket,
        A::Acknowledge => Msg::HintAcknowledge,
        A::MoveTicket => Msg::HintMoveTicket,
        A::AssignTicket => Msg::HintAssignTicket,
        A::EscalateTicket => Msg::HintEscalateTicket,
        A::NoteTicket => Msg::HintNoteTicket,
        A::AcceptChange => Msg::HintAcceptChange,
        A::RejectChange => Msg::HintRejectChange,
        A::EditMapping => Msg::HintEditMapping,
        A::ResetReview => Msg::HintResetReview,
        A::AcceptConfident => Msg::HintAcceptConfident,
        A::PickVersions => Msg::HintPickVersions,
        A::ImportEdition => Msg::HintImportEdition,
        A::AckAlert => Msg::HintAck,
        A::Snooze => Msg::HintSnooze,
        A::Silence => Msg::HintSilence,
        A::ToggleHistory => Msg::HintHistory,
        A::Trace => Msg::HintTrace,
        A::Left | A::Right => Msg::HintColumns,
        other => return action_label(other, lang),
    };
    msg.text(lang)
}

impl Msg {
    /// The text with each `{name}` replaced by its value, for messages that name a path, a
    /// mode or a figure. Values from outside must be escaped by the caller.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        fill(self.text(lang), args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_precedence() {
        assert_eq!(Lang::from_locale_vars(Some("zh_CN.UTF-8"), Some("C"), None), Lang::ZhCn);
        assert_eq!(Lang::from_locale_vars(Some(""), Some("en_US.UTF-8"), Some("zh_CN.GBK")), Lang::En);
        assert_eq!(Lang::from_locale_vars(None, None, Some("zh_CN.GB18030")), Lang::ZhCn);
        assert_eq!(Lang::from_locale_vars(None, None, None), Lang::En);
        assert_eq!(Lang::from_locale_vars(None, None, Some("C.UTF-8")), Lang::En);
    }

    #[test]
    fn every_message_has_both_languages() {
        for m in Msg::ALL {
            assert!(!m.text(Lang::En).is_empty(), "{m:?} has no English text");
            assert!(!m.text(Lang::ZhCn).is_empty(), "{m:?} has no Chinese text");
        }
        // Chinese texts really are Chinese where words are involved.
        assert_eq!(Msg::PaneFleet.text(Lang::ZhCn), "主机健康");
    }

    #[test]
    fn the_english_detector_finds_english_and_passes_names() {
        assert_eq!(english_runs("错误：no such host here"), vec!["no such host here"]);
        assert_eq!(english_runs("--host web1：没有这台主机"), Vec::<String>::new());
        assert!(english_runs("用法：yunwei status [OPTIONS] <PATH>").is_empty());
        assert!(english_runs("可选值：auto, en, zh-CN；键 `local = true` 与 \"a b\"").is_empty());
        assert!(english_runs("TOML 语法错误：{why}").is_empty());
        assert_eq!(english_runs("数组没有结束, expected one of them"), vec!["expected one of them"]);
    }

    /// Every Chinese text of every catalogue is Chinese: a message added with its English
    /// copied into the Chinese column fails here.
    #[test]
    fn no_chinese_text_of_a_catalogue_is_english() {
        let mut english = Vec::new();
        for m in Msg::ALL {
            for run in english_runs(m.text(Lang::ZhCn)) {
                english.push(format!("{m:?}: {run}"));
            }
        }
        for m in crate::config::messages::CfgMsg::ALL {
            for run in english_runs(m.text(Lang::ZhCn)) {
                english.push(format!("{m:?}: {run}"));
            }
        }
        for m in crate::ui::messages::UiMsg::ALL {
            for run in english_runs(m.text(Lang::ZhCn)) {
                english.push(format!("{m:?}: {run}"));
            }
        }
        for m in crate::ssh::SshMsg::ALL {
            for run in english_runs(m.text(Lang::ZhCn)) {
                english.push(format!("{m:?}: {run}"));
            }
        }
        assert!(english.is_empty(), "English in the Chinese catalogue: {english:#?}");
    }

    #[test]
    fn every_action_has_a_label() {
        for a in crate::action::Action::ALL {
            assert!(!action_label(a, Lang::ZhCn).is_empty());
            assert!(!action_label(a, Lang::En).is_empty());
        }
    }

    #[test]
    fn fill_replaces_each_name_once() {
        let text = Msg::DbNoFolder.fill(Lang::En, &[("path", "/x/{dir}/y.db"), ("dir", "/x/{dir}")]);
        assert_eq!(
            text,
            "/x/{dir}/y.db: its folder /x/{dir} does not exist; create it (mkdir -p /x/{dir}) or pass another --db"
        );
    }

    #[test]
    fn parse_lang_names() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
