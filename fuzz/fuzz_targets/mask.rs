#![no_main]
//! Fuzz target `mask`: see `yunwei::fuzzing::mask` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::mask(data));
