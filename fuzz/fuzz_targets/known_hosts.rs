#![no_main]
//! Fuzz target `known_hosts`: see `yunwei::fuzzing::known_hosts` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::known_hosts(data));
