//! Reusable ratatui widgets and text helpers for yunwei: width-aware truncation for mixed
//! Chinese and Latin text, human-readable figures, key hints, sparklines and popups.

pub mod fmt;
pub mod hints;
pub mod layout;
pub mod spark;
pub mod width;

pub use hints::KeyHints;
pub use spark::Spark;
