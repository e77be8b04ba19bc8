#![no_main]
//! Fuzz target `config`: see `yunwei::fuzzing::config` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::config(data));
