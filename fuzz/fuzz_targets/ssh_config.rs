#![no_main]
//! Fuzz target `ssh_config`: see `yunwei::fuzzing::ssh_config` for what it checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| yunwei::fuzzing::ssh_config(data));
