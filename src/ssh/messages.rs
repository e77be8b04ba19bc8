//! What the SSH layer says, in both languages: a catalogue of its own (the same `catalogue!` as
//! the main one). An [`super::SshError`] is made once with both texts, so the console, `status`
//! and `logs --host` show it in the reader's language; names, paths and the server's or the
//! system's own words are filled in as they are.

use crate::i18n::Lang;

crate::i18n::catalogue! {
    enum SshMsg;
    // issue 8: the SSH layer's messages
    Step => "{what}: {error}", "{what}：{error}";
    NoAnswer => "{what}: no answer within {secs} s", "{what}：{secs} 秒内没有应答";
    ConnectionLost => "{what}: connection lost ({error})", "{what}：连接断开（{error}）";
    StepHandshake => "{label}: SSH handshake", "{label}：SSH 握手";
    StepAuthMethods => "{label}: asking for authentication methods", "{label}：查询认证方式";
    StepAuthKey => "{label}: authenticating with {key}", "{label}：用 {key} 认证";
    StepAuthAgent => "{label}: authenticating with ssh-agent", "{label}：用 ssh-agent 认证";
    StepOpenChannel => "{name}: opening a channel", "{name}：打开通道";
    StepStartCommand => "{name}: starting the command", "{name}：启动命令";
    StepCloseChannel => "{name}: closing the channel", "{name}：关闭通道";
    StepExitStatus => "{name}: waiting for the exit status", "{name}：等待退出状态";
    StepReadOutput => "{name}: reading the output", "{name}：读取输出";
    StepRequestPty => "{name}: asking for a terminal", "{name}：申请终端";
    StepStartShell => "{name}: starting the shell", "{name}：启动 shell";
    StepResize => "{name}: resizing the terminal", "{name}：调整终端大小";
    StepSendInput => "{name}: sending input", "{name}：发送输入";
    Refused => "{label}: connection refused by {address}; is sshd running on port {port}?", "{label}：{address} 拒绝连接；端口 {port} 上有 sshd 在运行吗？";
    NoAnswerFrom => "{label}: no answer from {address} within {secs} s", "{label}：{address} 在 {secs} 秒内没有应答";
    CannotConnect => "{label}: cannot connect to {address}: {error}", "{label}：无法连接 {address}：{error}";
    ResolveThread => "{label}: cannot start name resolution: {error}", "{label}：无法开始解析主机名：{error}";
    NoAddress => "{label}: host name {host} has no address", "{label}：主机名 {host} 没有地址";
    CannotResolve => "{label}: cannot resolve host name {host}: {error}", "{label}：无法解析主机名 {host}：{error}";
    ResolveSlow => "{label}: resolving host name {host} took longer than {secs} s", "{label}：解析主机名 {host} 超过了 {secs} 秒";
    CannotCreateSession => "{label}: cannot create a session: {error}", "{label}：无法创建会话：{error}";
    Unsupported => "{name}: {reason}", "{name}：{reason}";
    CannotReadKnownHosts => "{label}: cannot read known_hosts file {error}", "{label}：无法读取 known_hosts 文件 {error}";
    ProxyCannotStart => "{name}: cannot start ProxyCommand `{command}`: {what}: {error}", "{name}：无法启动 ProxyCommand `{command}`：{what}：{error}";
    ProxyExited => "{name}: ProxyCommand `{command}` exited with status {code}", "{name}：ProxyCommand `{command}` 以状态 {code} 退出";
    ProxyKilled => "{name}: ProxyCommand `{command}` was killed by a signal", "{name}：ProxyCommand `{command}` 被信号终止";
    ProxySaid => "{ended}: {said}", "{ended}：{said}";
    NoHostKey => "{label}: the server sent no host key", "{label}：服务器没有发送主机密钥";
    KeyRevoked => "{label}: the server offers {key_type} key {fingerprint}, which {file} line {line} marks @revoked", "{label}：服务器提供的 {key_type} 密钥 {fingerprint} 在 {file} 第 {line} 行被标记为 @revoked（已吊销）";
    NoFileToRecord => "{label}: no known_hosts file to record the new host key in", "{label}：没有可以记录新主机密钥的 known_hosts 文件";
    CannotRecord => "{label}: cannot record the new host key {key_type} {fingerprint} in {file}: {error}", "{label}：无法把新的主机密钥 {key_type} {fingerprint} 记录到 {file}：{error}";
    KeyChanged => "HOST KEY CHANGED for {label}: the server offers {key_type} key {fingerprint}, but {file} line {line} records a different {key_type} key for {host}. This may be an attack, or the server was reinstalled; if the change is expected, remove that line (ssh-keygen -R '{host}' -f {file}) and connect again.", "主机密钥已变更：{label}：服务器提供 {key_type} 密钥 {fingerprint}，但 {file} 第 {line} 行为 {host} 记录的是另一个 {key_type} 密钥。这可能是攻击，也可能是服务器重装过；如确属预期的变更，请删除该行（ssh-keygen -R '{host}' -f {file}）后重新连接。";
    KeyUnknown => "{label}: host key not known: the server offers {key_type} key {fingerprint}, and {host} has no {key_type} key in {files}{recorded}; host key checking is strict. Check the fingerprint with the server's administrator, then add it (ssh-keyscan -p {port} {address} >> {first})", "{label}：主机密钥未知：服务器提供 {key_type} 密钥 {fingerprint}，而 {files} 中没有 {host} 的 {key_type} 密钥{recorded}；主机密钥检查为严格模式。请与服务器管理员核对指纹后再添加（ssh-keyscan -p {port} {address} >> {first}）";
    KeyOnlyOtherTypes => " (only {types} keys are recorded for it)", "（只记录了它的 {types} 密钥）";
    AuthOnlyMethods => "authentication failed for {who} ({name}): the server accepts only {methods}; yunwei logs in with keys (ssh-agent or identity_file)", "{who}（{name}）认证失败：服务器只接受 {methods}；运维台只用密钥登录（ssh-agent 或 identity_file）";
    AuthTried => "authentication failed for {who} ({name}): tried {tried}. Check the key in the server's authorized_keys, or identity_file in the config", "{who}（{name}）认证失败：已尝试 {tried}。请检查服务器 authorized_keys 中的密钥，或配置中的 identity_file";
    TriedSeparator => "; ", "；";
    AgentNoSocket => "ssh-agent (SSH_AUTH_SOCK not set)", "ssh-agent（未设置 SSH_AUTH_SOCK）";
    AgentUnavailable => "ssh-agent (unavailable: {error})", "ssh-agent（不可用：{error}）";
    AgentCannotConnect => "ssh-agent (cannot connect: {error})", "ssh-agent（无法连接：{error}）";
    AgentCannotList => "ssh-agent (cannot list keys: {error})", "ssh-agent（无法列出密钥：{error}）";
    AgentNoKeys => "ssh-agent (no keys)", "ssh-agent（没有密钥）";
    AgentNoneAccepted => "ssh-agent ({n} keys, none accepted)", "ssh-agent（{n} 个密钥，都未被接受）";
    KeyMissing => "{path} (missing)", "{path}（不存在）";
    KeyEncrypted => "{path} (protected by a passphrase, which yunwei never asks for: load it into ssh-agent)", "{path}（有口令保护，运维台从不询问口令：请把它加载到 ssh-agent）";
    KeyUnreadable => "{path} (unreadable: {error})", "{path}（无法读取：{error}）";
    KeyNotAccepted => "{path} (not accepted)", "{path}（未被接受）";
    KeyRejected => "{path} (rejected by the server)", "{path}（被服务器拒绝）";
    KeyUnusable => "{path} (cannot use the key file: {error})", "{path}（无法使用该密钥文件：{error}）";
    KeyOther => "{path} ({error})", "{path}（{error}）";
    NoIdentityFile => "no identity file (~/.ssh/id_ed25519, id_ecdsa, id_rsa do not exist)", "没有密钥文件（~/.ssh/id_ed25519、id_ecdsa、id_rsa 都不存在）";
    SessionBroken => "{name}: the session is no longer usable after an earlier error ({error}); reconnect", "{name}：之前出错后会话已不可用（{error}）；需重新连接";
    OutputTooLarge => "{name}: the command printed more than {mib} MiB", "{name}：命令输出超过 {mib} MiB";
    CommandTimeout => "{name}: no answer within {secs} s (command_timeout_s)", "{name}：{secs} 秒内没有应答（command_timeout_s）";
    WaitingForServer => "{name}: waiting for the server: {error}", "{name}：等待服务器时出错：{error}";
    EmptyChain => "internal: an empty jump chain", "内部错误：跳板链为空";
    JumpDown => "jump host {name} is down: {reason}", "跳板机 {name} 不可达：{reason}";
    JumpCannotReach => "cannot reach it through {via}: {error}", "无法经由 {via} 到达：{error}";
    JumpThread => "cannot start its connection thread: {error}", "无法启动它的连接线程：{error}";
    JumpOpenFailed => "jump host {name} could not connect to {to}: {reason}", "跳板机 {name} 无法连接 {to}：{reason}";
    JumpOpenTimeout => "jump host {name} did not connect to {to} within {secs} s", "跳板机 {name} 在 {secs} 秒内未能连接 {to}";
    JumpBusy => "jump host {name} is too busy: no channel to {to} could be opened within {secs} s", "跳板机 {name} 过忙：{secs} 秒内无法打开到 {to} 的通道";
    JumpRetired => "jump host {name} stopped answering while {to} waited for a channel", "{to} 等待通道时，跳板机 {name} 停止了响应";
    SessionThread => "{name}: cannot start the thread of its SSH session: {error}", "{name}：无法启动其 SSH 会话线程：{error}";
    SessionStopped => "{name}: the thread of its SSH session has stopped", "{name}：其 SSH 会话线程已停止";
    NoSession => "{name}: no session", "{name}：没有会话";
    // ~/.ssh/config as it was read
    CfgNotRead => "{file}: not read: {error}", "{file}：未能读取：{error}";
    CfgNotRegular => "{file}: not a regular file; not read", "{file}：不是普通文件；未读取";
    CfgTooLarge => "{file}: larger than {mib} MiB; not read", "{file}：超过 {mib} MiB；未读取";
    CfgBinary => "{file}: a binary file, not a config; not read", "{file}：是二进制文件，不是配置文件；未读取";
    CfgIncludeMany => "{file}:{line}: Include matches more than {n} files; only the first {n} are read", "{file}:{line}：Include 匹配的文件超过 {n} 个；只读取前 {n} 个";
    CfgIncludeDepth => "{file}:{line}: Include nested more than {n} deep; not followed", "{file}:{line}：Include 嵌套超过 {n} 层；不再跟随";
    CfgMatchSkipped => "{file}: {n} Match block(s) are not supported and were skipped; their settings do not apply", "{file}：{n} 个 Match 块不受支持，已跳过；其中的设置不生效";
    CfgNameUnprintable => "{file}: host {name}: the name holds a control or bidirectional character; not imported", "{file}：主机 {name}：名称含有控制字符或双向控制字符；未导入";
    CfgJumpLoop => "{file}: host {name}: ProxyJump loop; not imported", "{file}：主机 {name}：ProxyJump 循环；未导入";
    CfgUnsupportedHost => "{file}: host {name}: {reason}; it is not reached (as ssh would reach it yunwei cannot)", "{file}：主机 {name}：{reason}；不会连接它（运维台无法按 ssh 的方式连接）";
    CfgProblemSeparator => "; ", "；";
    CfgBadToken => "{option} {value}: unknown token %{token}", "{option} {value}：未知的占位符 %{token}";
    CfgTrailingPercent => "{option} {value}: a % at the end of the value", "{option} {value}：值以单独的 % 结尾";
    CfgBadPort => "Port {value} is not a port number", "Port {value} 不是端口号";
    CfgBadStrict => "StrictHostKeyChecking {value} is not a value ssh knows", "StrictHostKeyChecking {value} 不是 ssh 认识的值";
    CfgCanonicalize => "CanonicalizeHostname is not supported", "不支持 CanonicalizeHostname";
    CfgFdpass => "ProxyUseFdpass is not supported", "不支持 ProxyUseFdpass";
}
