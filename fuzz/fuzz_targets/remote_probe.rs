#![no_main]
//! Fuzz target `remote_probe`: see `yunwei::fuzzing::remote_probe` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::remote_probe(data));
