#![no_main]
//! Fuzz target `ticket_import`: see `yunwei::fuzzing::ticket_import` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::ticket_import(data));
