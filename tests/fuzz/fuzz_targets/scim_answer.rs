//! Fuzz target: `keyward::fuzz::scim_answer` (its property is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyward::fuzz::scim_answer(data));
