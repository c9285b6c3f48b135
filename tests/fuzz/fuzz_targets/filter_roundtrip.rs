//! Fuzz target: every filter Keyward builds from search text parses in the emulator's SCIM parser
//! and matches exactly the literal given: a resource holding the text is found, one holding the
//! text plus a character is not (for `eq`), and no input can turn a filter into `pr`.
#![no_main]

use keyward::core::filter::{search, SearchKind};
use p14e_emulator::filter::{matches, parse};
use serde_json::json;

#[path = "../../emulator/tests/filter_property/mod.rs"]
mod filter_property;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let literal = String::from_utf8_lossy(data);
    let parsed = filter_property::eq_matches_exactly(&literal);
    assert!(!matches(&parsed, &json!({"userName": "\u{1}other"})) || literal == "\u{1}other");
    for kind in [SearchKind::Users, SearchKind::Groups] {
        if let Some(filter) = search(kind, &literal) {
            let text = filter.to_string();
            let parsed = parse(&text).unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"));
            let holder = json!({"userName": literal.trim(), "displayName": literal.trim(), "emails": [], "name": {}});
            assert!(matches(&parsed, &holder), "{text:?} finds {literal:?}");
        }
    }
});
