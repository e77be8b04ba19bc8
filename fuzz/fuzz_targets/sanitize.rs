#![no_main]
//! Fuzz target `sanitize`: see `yunwei::fuzzing::sanitize` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::sanitize(data));
