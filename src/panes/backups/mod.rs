//! The Backups pane: every `[[jobs]]` entry grouped by host and kind, its state in colour with
//! the rule that decided it, its age against its period as a bar, the sizes of its artefacts as
//! a sparkline and its last verification; under the list the selected job in full, with the
//! output of its run while it streams. `v` verifies the selected job's newest artefact now;
//! `b` runs its `run` command after a confirmation that names the host and the command; `r`
//! checks every job now. The work is the backups thread's (`workers::backups`).

#[cfg(test)]
mod tests;
mod view;

use std::collections::{HashMap, HashSet};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::action::Action;
use crate::event::{Command, WorkerMsg};
use crate::i18n::{tr, Msg};
use crate::keymap::Scope;
use crate::panes::{Edit, Handled, Pane, Taken};
use crate::ui::Ctx;
use crate::workers::backups::{BackupsCmd, BackupsMsg, JobStatus};

/// The most of a run's output the pane keeps (the start is dropped first).
const MAX_RUN_TEXT: usize = 256 * 1024;

/// A run started from the pane, with what it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunView {
    pub host: String,
    pub command: String,
    pub output: String,
    /// None while it runs; Some(status) once it ended (None inside: its end could not be told).
    pub ended: Option<Option<i32>>,
}

#[derive(Debug, Default)]
pub struct BackupsPane {
    /// In display order: by host, kind, name.
    pub jobs: Vec<JobStatus>,
    pub selected: usize,
    /// Rows the list showed last (for page up and down).
    page: usize,
    /// The job whose run awaits a yes.
    pub confirm: Option<String>,
    pub runs: HashMap<String, RunView>,
    pub verifying: HashSet<String>,
    /// Runs asked for and not yet started or refused by the thread.
    pub starting: HashSet<String>,
    /// A first check has reported.
    pub checked: bool,
    flash: Option<(String, bool)>,
}

impl BackupsPane {
    pub fn new() -> BackupsPane {
        BackupsPane { page: 10, ..Default::default() }
    }

    pub fn take_flash(&mut self) -> Option<(String, bool)> {
        self.flash.take()
    }

    pub fn selected_job(&self) -> Option<&JobStatus> {
        self.jobs.get(self.selected)
    }

    fn move_selection(&mut self, by: isize) {
        if self.jobs.is_empty() {
            return;
        }
        let last = self.jobs.len() as isize - 1;
        self.selected = (self.selected as isize).saturating_add(by).clamp(0, last) as usize;
    }

    fn on_backups(&mut self, m: BackupsMsg, ctx: &Ctx) {
        let lang = ctx.lang;
        match m {
            BackupsMsg::Checked(mut jobs) => {
                let keep = self.selected_job().map(|j| j.name.clone());
                jobs.sort_by(|a, b| {
                    (a.host.as_deref().unwrap_or(""), a.kind, &a.name).cmp(&(
                        b.host.as_deref().unwrap_or(""),
                        b.kind,
                        &b.name,
                    ))
                });
                self.jobs = jobs;
                self.selected = keep
                    .and_then(|k| self.jobs.iter().position(|j| j.name == k))
                    .unwrap_or(0)
                    .min(self.jobs.len().saturating_sub(1));
                self.checked = true;
                self.verifying = self.jobs.iter().filter(|j| j.verifying).map(|j| j.name.clone()).collect();
            }
            BackupsMsg::Verifying(job) => {
                self.verifying.insert(job);
            }
            BackupsMsg::RunStarted { job, host, command } => {
                self.starting.remove(&job);
                self.runs.insert(job, RunView { host, command, output: String::new(), ended: None });
            }
            BackupsMsg::RunOutput { job, text } => {
                if let Some(r) = self.runs.get_mut(&job) {
                    r.output.push_str(&text);
                    if r.output.len() > MAX_RUN_TEXT {
                        let mut cut = r.output.len() - MAX_RUN_TEXT;
                        while !r.output.is_char_boundary(cut) {
                            cut += 1;
                        }
                        r.output.drain(..cut);
                    }
                }
            }
            BackupsMsg::RunEnded { job, status } => {
                if let Some(r) = self.runs.get_mut(&job) {
                    r.ended = Some(status);
                }
                let name = crate::text::escape_unprintable(&job).into_owned();
                let (text, error) = match status {
                    Some(0) => (
                        tr(
                            lang,
                            format!("{name}: the run ended (exit 0)"),
                            format!("{name}：运行结束（退出码 0）"),
                        ),
                        false,
                    ),
                    Some(s) => (
                        tr(
                            lang,
                            format!("{name}: the run failed (exit {s})"),
                            format!("{name}：运行失败（退出码 {s}）"),
                        ),
                        true,
                    ),
                    None => (
                        tr(
                            lang,
                            format!("{name}: the run's end is unknown"),
                            format!("{name}：运行结束状态未知"),
                        ),
                        true,
                    ),
                };
                self.flash = Some((text, error));
            }
            BackupsMsg::Refused { job, why } => {
                self.verifying.remove(&job);
                self.starting.remove(&job);
                let name = crate::text::escape_unprintable(&job).into_owned();
                let why = crate::text::escape_unprintable(&why).into_owned();
                self.flash = Some((format!("{name}: {why}"), true));
            }
            BackupsMsg::Failed(why) => {
                self.flash = Some((crate::text::escape_unprintable(&why).into_owned(), true));
            }
        }
    }

    /// A run may start: the job has a `run` command and none of its runs is in progress.
    fn ask_run(&mut self, ctx: &Ctx) {
        let lang = ctx.lang;
        let Some(job) = self.selected_job() else { return };
        let name = job.name.clone();
        let shown = crate::text::escape_unprintable(&name).into_owned();
        if job.run.is_none() {
            self.flash = Some((
                tr(
                    lang,
                    format!("{shown} has no `run` command in its [[jobs]] entry"),
                    format!("{shown} 的 [[jobs]] 配置中没有 `run` 命令"),
                ),
                true,
            ));
            return;
        }
        let busy = self.starting.contains(&name)
            || self.runs.get(&name).is_some_and(|r| r.ended.is_none())
            || job.verdict.state == crate::backups::State::Running;
        if busy {
            self.flash = Some((
                tr(
                    lang,
                    format!("{shown}: a run is in progress; wait for it to end"),
                    format!("{shown}：正在运行，请等待其结束"),
                ),
                true,
            ));
            return;
        }
        self.confirm = Some(name);
    }
}

impl Pane for BackupsPane {
    fn title(&self) -> Msg {
        Msg::PaneBackups
    }

    fn scope(&self) -> Scope {
        Scope::Backups
    }

    fn edit_key(&mut self, key: KeyEvent, _ctx: &Ctx, out: &mut Vec<Command>) -> Edit {
        let Some(job) = self.confirm.clone() else { return Edit::Ignored };
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                self.confirm = None;
                out.push(BackupsCmd::Run(job.clone()).into());
                self.starting.insert(job);
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.confirm = None,
            _ => {}
        }
        Edit::Taken
    }

    fn handle(&mut self, action: Action, ctx: &Ctx, out: &mut Vec<Command>) -> Handled {
        let lang = ctx.lang;
        match action {
            Action::Up => self.move_selection(-1),
            Action::Down => self.move_selection(1),
            Action::PageUp => self.move_selection(-(self.page.max(1) as isize)),
            Action::PageDown => self.move_selection(self.page.max(1) as isize),
            Action::Top => self.move_selection(isize::MIN / 2),
            Action::Bottom => self.move_selection(isize::MAX / 2),
            Action::Refresh => {
                out.push(BackupsCmd::CheckNow.into());
                self.flash = Some((tr(lang, "checking every job now", "正在检查所有作业"), false));
            }
            Action::VerifyNow => {
                let Some(job) = self.selected_job() else { return Handled::Yes };
                let shown = crate::text::escape_unprintable(&job.name).into_owned();
                if job.verify.is_none() {
                    self.flash = Some((
                        tr(
                            lang,
                            format!("{shown} has no `verify` command in its [[jobs]] entry"),
                            format!("{shown} 的 [[jobs]] 配置中没有 `verify` 命令"),
                        ),
                        true,
                    ));
                } else {
                    let name = job.name.clone();
                    out.push(BackupsCmd::Verify(name.clone()).into());
                    self.verifying.insert(name);
                    self.flash =
                        Some((tr(lang, format!("verifying {shown}…"), format!("正在校验 {shown}…")), false));
                }
            }
            Action::RunJob => self.ask_run(ctx),
            _ => return Handled::No,
        }
        Handled::Yes
    }

    fn on_message(&mut self, msg: WorkerMsg, ctx: &Ctx, _out: &mut Vec<Command>) -> Taken {
        match msg {
            WorkerMsg::Backups(m) => {
                self.on_backups(m, ctx);
                Taken::IfFocused
            }
            other => Taken::Not(other),
        }
    }

    fn render(&mut self, f: &mut Frame<'_>, area: Rect, ctx: &Ctx) {
        self.page = view::render(self, f, area, ctx);
    }

    fn hints(&self, ctx: &Ctx) -> Vec<(String, String)> {
        let actions = [Action::VerifyNow, Action::RunJob, Action::Refresh, Action::Help];
        ctx.hints_for(self.scope(), &actions)
    }
}
