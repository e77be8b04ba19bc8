//! What the Tickets pane says, in both languages (the same `catalogue!` as the main one).

use crate::i18n::Lang;

crate::i18n::catalogue! {
    enum TicketMsg;
    ColPriority => "Pri", "级";
    ColNumber => "Ticket", "工单号";
    ColStatus => "Status", "状态";
    ColSla => "SLA", "时限";
    ColCategory => "Area", "类别";
    ColUnit => "Unit", "单位";
    ColCaller => "Caller", "报告人";
    ColAssignee => "Assignee", "处理人";
    ColSummary => "Summary", "摘要";
    FilterOpen => "open tickets", "未关闭工单";
    FilterAll => "every ticket", "全部工单";
    FilterOverdue => "overdue", "已超时";
    FilterSearch => "search “{q}”", "搜索“{q}”";
    FilterAssignee => "assignee {name}", "处理人 {name}";
    CountShown => "{n} shown", "显示 {n} 张";
    CountOfMatches => "{n} newest of {m} found", "共找到 {m} 张，显示最新 {n} 张";
    CountP1 => "P1: {n}", "P1：{n} 张";
    CountOverdue => "overdue: {n}", "超时：{n} 张";
    Loading => "reading the queue…", "正在读取工单…";
    Empty => "No tickets here. n opens a new one.", "这里没有工单。按 n 新建。";
    EmptyFiltered => "No ticket matches the filters (x clears them).", "没有符合筛选条件的工单（按 x 清除筛选）。";
    DraftKept => "A half-filled ticket from {at} is kept: n goes on with it.", "{at} 未填完的工单已保存：按 n 继续填写。";
    SlaRespond => "ack {left}", "受理 {left}";
    SlaResolve => "{left}", "{left}";
    SlaOver => "over {by}", "超时 {by}";
    SlaPaused => "paused", "暂停";
    SlaMet => "met", "达标";
    SlaMissed => "missed", "超时";
    SlaNone => "-", "-";
    // The filter menu
    MenuFilter => "filter: s status · c area · p priority · o overdue · a assignee · x clear · Esc done", "筛选：s 状态 · c 类别 · p 优先级 · o 超时 · a 处理人 · x 清除 · Esc 完成";
    MenuMove => "move {number} to:", "将 {number} 转为：";
    MenuMoveNone => "{number} is {status}: it moves nowhere", "{number} 已{status}：不能再转";
    // Prompts
    PromptSearch => "search: ", "搜索：";
    PromptAssignee => "assignee: ", "处理人：";
    PromptNote => "note on {number}: ", "{number} 备注：";
    AlertHasTicket => "alert #{id} has its ticket already: {number} (this would be another)", "告警 #{id} 已有工单：{number}（这将是另一张）";
    PromptCancel => "cancel {number}: why (a cancelled ticket cannot be reopened): ", "取消 {number} 的原因（取消后不能再恢复）：";
    CancelNeedsReason => "not cancelled: a cancelled ticket needs its reason", "未取消：取消工单须写明原因";
    FilterStatus => "status: {status}", "状态：{status}";
    CountOpenNow => "still open", "仍未解决";
    PromptMoveNote => "{number} → {status}, note (Enter: none): ", "{number} → {status}，备注（回车跳过）：";
    PromptAssign => "assign {number} to: ", "将 {number} 指派给：";
    PromptEscalateTo => "escalate {number} to: ", "将 {number} 升级给：";
    PromptEscalateReason => "reason for escalating to {name}: ", "升级给 {name} 的原因：";
    StaleWho => "{number} was changed by {by} at {at}", "{number} 已由 {by} 于 {at} 修改";
    StaleBanner => "r reads it again, keeping what you typed — {why}", "按 r 重新读取（已输入的内容保留）—— {why}";
    AckOnlyNew => "{number} is {status}: only a new ticket is acknowledged (m moves it)", "{number} 已{status}：只有新建的工单需要受理（按 m 转换状态）";
    NoTicket => "no ticket selected", "没有选中工单";
    // The status bar after a change
    DidCreated => "ticket {number} created ({priority})", "已创建工单 {number}（{priority}）";
    DidMoved => "{number} is now {status}", "{number} 已转为{status}";
    DidAssigned => "{number} assigned to {name}", "{number} 已指派给 {name}";
    DidEscalated => "{number} escalated to level {level}: {name}", "{number} 已升级到第 {level} 级：{name}";
    DidNoted => "note added to {number}", "已为 {number} 添加备注";
    Refused => "not done: {why}", "未完成：{why}";
    // The detail view
    DetailTitle => "Ticket {number}", "工单 {number}";
    DetailCaller => "Caller", "报告人";
    DetailUnit => "Unit", "单位";
    DetailPhone => "Phone", "电话";
    DetailChannel => "Channel", "渠道";
    DetailCategory => "Area", "类别";
    DetailImpact => "Impact × urgency", "影响 × 紧急";
    DetailHosts => "Hosts", "主机";
    DetailAlert => "From alert", "来自告警";
    DetailAssignee => "Assignee", "处理人";
    DetailEscalation => "Escalation level", "升级级别";
    DetailCreated => "Created", "创建";
    DetailVersion => "Version {v}, last changed by {by} at {at}", "版本 {v}，最后由 {by} 于 {at} 修改";
    DetailResponse => "Response", "响应";
    DetailResolution => "Resolution", "解决";
    DetailDue => "due {due}", "时限 {due}";
    DetailLeft => "{left} left", "剩余 {left}";
    DetailOverdue => "overdue by {by}", "已超时 {by}";
    DetailMetAt => "met ({used} used)", "达标（用时 {used}）";
    DetailMissedAt => "missed ({used} used)", "超时（用时 {used}）";
    DetailPausedFor => "paused {p} in all", "累计暂停 {p}";
    DetailPausedNow => "paused now", "当前暂停";
    DetailDescription => "Description", "描述";
    DetailNotes => "Notes", "备注";
    DetailNoNotes => "no notes yet (c adds one)", "暂无备注（按 c 添加）";
    DetailHistory => "History", "历史";
    DetailUnassigned => "nobody yet", "尚未指派";
    // The form
    FormTitle => "New ticket (the call in progress)", "新建工单（通话中）";
    FormTitleDraft => "New ticket — the draft kept at {at}", "新建工单 —— {at} 保存的草稿";
    FormPhone => "Phone", "电话";
    FormUnit => "Unit", "单位";
    FormCaller => "Caller", "报告人";
    FormChannel => "Channel", "渠道";
    FormCategory => "Area", "类别";
    FormImpact => "Impact", "影响";
    FormUrgency => "Urgency", "紧急";
    FormPriority => "priority {p}", "优先级 {p}";
    FormPriorityNone => "priority: choose impact and urgency", "优先级：请选择影响和紧急程度";
    FormSummary => "Summary", "摘要";
    FormDescription => "Description", "描述";
    FormHosts => "Hosts", "主机";
    FormAlert => "from alert #{id}", "来自告警 #{id}";
    FormKnownCaller => "known number: {name}, {unit} (filled in)", "已知号码：{name}，{unit}（已填入）";
    FormCompletion => "Ctrl-E takes “{text}” · Ctrl-N next ({i}/{n})", "Ctrl-E 采用“{text}” · Ctrl-N 下一个（{i}/{n}）";
    FormKeys => "Tab next · S-Tab back · Ctrl-S save · Esc close · kept as you type", "Tab 下一项 · S-Tab 上一项 · Ctrl-S 保存 · Esc 关闭 · 草稿自动保存";
    FormChoiceKeys => "{keys} or ←/→", "{keys} 或 ←/→";
    FormMissing => "still needed: {fields}", "尚未填写：{fields}";
    FormConfirm => "Discard this ticket? y discards · k keeps the draft and closes · n goes back", "放弃这张工单？y 放弃 · k 保留草稿并关闭 · n 返回";
    FormDiscarded => "the half-filled ticket was discarded", "未填完的工单已放弃";
    FormKeptDraft => "the half-filled ticket is kept as a draft: n goes on with it", "未填完的工单已保存为草稿：按 n 继续";
    FormSaving => "saving…", "正在保存…";
    FormFromHost => "opened from {host}", "从 {host} 打开";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_with_the_same_values() {
        for m in TicketMsg::ALL {
            let (en, zh) = (m.text(Lang::En), m.text(Lang::ZhCn));
            assert!(!en.is_empty() && !zh.is_empty(), "{m:?}");
            let names = |s: &str| {
                let mut v: Vec<String> =
                    s.split('{').skip(1).filter_map(|p| p.split('}').next()).map(String::from).collect();
                v.sort();
                v
            };
            assert_eq!(names(en), names(zh), "{m:?}");
        }
    }
}
