//! The `eq` round trip every search literal must pass, in one place for the replay test here and the
//! fuzz target (`tests/fuzz/fuzz_targets/filter_roundtrip.rs`), which includes this file by path:
//! the fuzz crate is a workspace of its own and cannot depend on this test.

use keyward::core::api::filter::{search, searchable, Filter, SearchKind};
use p14e_emulator::filter::{matches, parse, Filter as Parsed};
use serde_json::json;

/// The whole property for any search text: its `eq` round trip; SCIM 1.1's case-insensitive
/// comparison (userName is not caseExact: a literal that differs only in case is the same userName,
/// anything else is not); and every search filter built from it parses and finds a resource that
/// holds the text as searched (quotes, backslashes and control characters left out).
pub fn search_round_trip(literal: &str) {
    let parsed = eq_matches_exactly(literal);
    assert!(
        !matches(&parsed, &json!({"userName": "\u{1}other"}), false)
            || literal.to_lowercase() == "\u{1}other"
    );
    for kind in [SearchKind::Users, SearchKind::Groups] {
        if let Some(filter) = search(kind, literal) {
            let text = filter.to_string();
            let parsed = parse(&text).unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"));
            let searched = searchable(literal);
            let held = searched.trim();
            let holder = json!({"userName": held, "displayName": held, "emails": [], "name": {}});
            assert!(
                matches(&parsed, &holder, false),
                "{text:?} finds {literal:?}"
            );
        }
    }
}

/// `userName eq <literal>` parses, finds a resource holding exactly the literal and not one holding
/// the literal plus a character. Returns the parsed filter for further checks.
pub fn eq_matches_exactly(literal: &str) -> Parsed {
    let eq = Filter::eq("userName", literal).to_string();
    let parsed = parse(&eq).unwrap_or_else(|e| panic!("{eq:?} did not parse: {e}"));
    assert!(matches(&parsed, &json!({"userName": literal}), false));
    assert!(!matches(
        &parsed,
        &json!({"userName": format!("{literal}x")}),
        false,
    ));
    parsed
}
