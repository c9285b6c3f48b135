//! Fuzz target: `keyward::fuzz::page_snapshot` (its property is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyward::fuzz::page_snapshot(data));
