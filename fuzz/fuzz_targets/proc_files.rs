#![no_main]
//! Fuzz target `proc_files`: see `yunwei::fuzzing::proc_files` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::proc_files(data));
