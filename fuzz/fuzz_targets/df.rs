#![no_main]
//! Fuzz target `df`: see `yunwei::fuzzing::df` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::df(data));
