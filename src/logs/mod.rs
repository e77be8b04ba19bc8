//! Log sources and records.

pub mod follow;
