//! How a worker thread reports to the event loop: its own messages, wrapped into the domain's
//! variant of [`WorkerMsg`], and [`Notice`]s for the status bar.

use std::fmt::Display;

use tokio::sync::mpsc::UnboundedSender;

use crate::event::{Event, Notice, WorkerMsg};
use crate::i18n::Msg;

/// A worker's line to the event loop, typed by the messages the worker owns.
pub struct Report<M> {
    tx: UnboundedSender<Event>,
    wrap: fn(M) -> WorkerMsg,
}

impl<M> Clone for Report<M> {
    fn clone(&self) -> Self {
        Report { tx: self.tx.clone(), wrap: self.wrap }
    }
}

impl<M> Report<M> {
    pub fn new(tx: UnboundedSender<Event>, wrap: fn(M) -> WorkerMsg) -> Report<M> {
        Report { tx, wrap }
    }

    /// Sends one message; false once the event loop is gone (the worker should stop).
    pub fn send(&self, msg: M) -> bool {
        self.tx.send(Event::Worker((self.wrap)(msg))).is_ok()
    }

    pub fn notice(&self, notice: Notice) -> bool {
        self.tx.send(Event::Worker(WorkerMsg::Notice(notice))).is_ok()
    }

    pub fn problem(&self, what: Msg, detail: impl Display) {
        let _ = self.notice(Notice::problem(what, detail));
    }

    /// A failure whose detail the worker worded in both languages.
    pub fn problem_in(&self, what: Msg, detail: crate::i18n::Both) {
        let _ = self.notice(Notice::problem_in(what, detail));
    }

    pub fn done(&self, what: Msg, detail: impl Display) {
        let _ = self.notice(Notice::done(what, detail));
    }

    /// The same line, for another message type (a worker that starts helpers of other kinds).
    pub fn raw(&self) -> UnboundedSender<Event> {
        self.tx.clone()
    }
}
