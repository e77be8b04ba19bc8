//! The fleet: what yunwei knows of each host and how it reaches it. For now this holds the one
//! SSH session per host that every worker shares (see [`session`]); the inventory moves here
//! later.

pub mod session;

pub use session::{Class, HostLink, Sessions};
