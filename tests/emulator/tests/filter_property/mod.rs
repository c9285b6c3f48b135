//! The `eq` round trip every search literal must pass, in one place for the replay test here and the
//! fuzz target (`tests/fuzz/fuzz_targets/filter_roundtrip.rs`), which includes this file by path:
//! the fuzz crate is a workspace of its own and cannot depend on this test.

use keyward::core::filter::Filter;
use p14e_emulator::filter::{matches, parse, Filter as Parsed};
use serde_json::json;

/// `userName eq <literal>` parses, finds a resource holding exactly the literal and not one holding
/// the literal plus a character. Returns the parsed filter for further checks.
pub fn eq_matches_exactly(literal: &str) -> Parsed {
    let eq = Filter::eq("userName", literal).to_string();
    let parsed = parse(&eq).unwrap_or_else(|e| panic!("{eq:?} did not parse: {e}"));
    assert!(matches(&parsed, &json!({"userName": literal})));
    assert!(!matches(
        &parsed,
        &json!({"userName": format!("{literal}x")})
    ));
    parsed
}
