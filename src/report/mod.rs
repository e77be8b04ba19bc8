//! Reports written from the store: the quarterly service report (`yunwei report quarterly`)
//! and the inspection report (`yunwei report inspection`), in Markdown and as one
//! self-contained HTML page with its charts inline.

pub mod charts;
pub mod inspection;
pub mod quarterly;
