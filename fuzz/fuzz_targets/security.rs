#![no_main]
//! Fuzz target `security`: see `yunwei::fuzzing::security` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::security(data));
