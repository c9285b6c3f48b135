//! Fuzz target: every filter Keyward builds from search text parses in the emulator's SCIM parser
//! and matches exactly the literal given (see `filter_property::search_round_trip`).
#![no_main]

#[path = "../../emulator/tests/filter_property/mod.rs"]
mod filter_property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    filter_property::search_round_trip(&String::from_utf8_lossy(data));
});
