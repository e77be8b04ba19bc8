#![no_main]
//! Fuzz target `log_decode`: see `yunwei::fuzzing::log_decode` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::log_decode(data));
