//! Fuzz target: `keyward::fuzz::stored_records` (its property is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyward::fuzz::stored_records(data));
