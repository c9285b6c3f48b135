//! Fuzz target: `keyward::fuzz::retry_after` (its property is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyward::fuzz::retry_after(data));
