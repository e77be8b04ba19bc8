#![no_main]
//! Fuzz target `timestamps`: see `yunwei::fuzzing::timestamps` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::timestamps(data));
