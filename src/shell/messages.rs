//! What the recorded shell says, in both languages.

use crate::i18n::Lang;

crate::i18n::catalogue! {
    enum ShellMsg;
    // issue 13: the recorded shell
    NoSuchHost => "{host}: no such host (hosts: {list})", "{host}：没有这台主机（已有主机：{list}）";
    DemoHost => "{host} is a demo host (simulated): it has no shell", "{host} 是演示主机（模拟的）：没有 shell";
    Banner => "yunwei: shell on {host}{via}, {recorded}; leave it with exit or Ctrl-D to return", "yunwei：{host}{via} 上的 shell，{recorded}；用 exit 或 Ctrl-D 离开并返回";
    Via => " via {chain}", "（经由 {chain}）";
    RecordedTo => "recorded to {path}", "录像保存到 {path}";
    NotRecorded => "not recorded ([shell] record = false)", "不录像（[shell] record = false）";
    Ended => "yunwei: shell on {host} ended (exit status {status}) after {lasted}", "yunwei：{host} 上的 shell 已结束（退出码 {status}），历时 {lasted}";
    EndedNoStatus => "yunwei: shell on {host} ended (no exit status) after {lasted}", "yunwei：{host} 上的 shell 已结束（无退出码），历时 {lasted}";
    RecordingCut => "the recording {path} stopped early: {e}", "录像 {path} 中途停止：{e}";
    CannotRecord => "cannot record the session in {path}: {e}; the shell is not opened without its recording", "无法在 {path} 录像：{e}；没有录像就不打开 shell";
    CannotAudit => "cannot write the audit row in {path}: {e}; the shell is not opened unaudited", "无法在 {path} 写入审计记录：{e}；不经审计就不打开 shell";
    CannotStartLocal => "cannot start the login shell {shell}: {e}", "无法启动登录 shell {shell}：{e}";
    LocalIo => "the local shell's terminal: {e}", "本机 shell 的终端：{e}";
    TerminalIo => "this terminal: {e}", "本终端：{e}";
    EndedBySignal => "the session was ended by {signal}", "会话因 {signal} 而结束";
    Pruned => "deleted {n} recordings older than {days} days", "已删除 {n} 个超过 {days} 天的录像";
    ReplayCannotOpen => "cannot open {path}: {e}", "无法打开 {path}：{e}";
    ReplayBadLine => "{place}: not an asciicast v2 recording ({what})", "{place}：不是 asciicast v2 录像（{what}）";
    ReplayUnaudited => "note: {path} is not in this database's audit log", "注意：{path} 不在本数据库的审计日志中";
    ReplayHashDiffers => "warning: {path} differs from the recording audited (SHA-256 {want}, the file has {got}): it was changed after the session", "警告：{path} 与审计记录的录像不同（SHA-256 应为 {want}，文件为 {got}）：会话之后被改动过";
    ReplayHashMatches => "{path}: SHA-256 matches the audit row #{id}", "{path}：SHA-256 与审计记录 #{id} 一致";
}
