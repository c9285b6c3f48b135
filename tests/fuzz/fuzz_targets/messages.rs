//! Fuzz target: `keyward::fuzz::messages` (its property is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyward::fuzz::messages(data));
