//! The demo data set of `yunwei demo`, one file per domain: the demo fleet's hosts, their
//! figures and history (`health`). The demo's Logs tab follows this machine's own logs.

pub mod health;

pub use health::DemoFleet;
