//! The demo data set of `yunwei demo`, one file per domain: the demo fleet's hosts, their
//! figures and history (`health`), and the application logs written while the demo runs
//! (`logs`), followed in the Logs tab beside this machine's own system logs; the ticket queue
//! (`tickets`) and Hainan's division-code editions (`divcodes`).

pub mod alerts;
pub mod backups;
pub mod baseline;
pub mod divcodes;
pub mod health;
pub mod logs;
pub mod netcheck;
pub mod tickets;

pub use health::DemoFleet;
pub use logs::DemoLogWriter;
