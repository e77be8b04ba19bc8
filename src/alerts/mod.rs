//! Alerts. The health rules live in `health`; this module re-exports them.

pub mod health;

pub use health::*;
