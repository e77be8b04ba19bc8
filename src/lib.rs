//! yunwei (运维台): a full-screen terminal console for operations teams of console-only Linux
//! fleets. The binary's `main.rs` parses the command line and calls into this library.

pub mod action;
pub mod alert_words;
pub mod alerts;
pub mod app;
pub mod backup_words;
pub mod backups;
pub mod baseline;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod divcode_words;
pub mod divcodes;
pub mod event;
pub mod fleet;
#[doc(hidden)]
pub mod fuzzing;
pub mod handover;
pub mod health;
pub mod i18n;
pub mod keymap;
pub mod logs;
pub mod netcheck;
pub mod panes;
pub mod report;
pub mod shell;
pub mod ssh;
pub mod store;
pub mod text;
pub mod theme;
pub mod ticket_words;
pub mod tickets;
pub mod tui;
pub mod ui;
pub mod workers;

#[cfg(test)]
mod layout;
#[cfg(test)]
pub mod testdata;
