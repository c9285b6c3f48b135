//! Every filter Keyward's client builds parses in the emulator's SCIM parser, and matches exactly the
//! literal it was built from: no input can change a filter's structure.

use keyward::core::api::filter::{Filter, SearchKind};
use p14e_emulator::filter::{matches, parse};
use serde_json::json;

mod filter_property;

const HOSTILE: &[&str] = &[
    "marcher",
    "a\"b",
    "a\\b",
    "x\" or userName pr or \"y",
    "\") or (userName pr",
    "tab\there\nnewline",
    "Zoë 山田 \u{202e}nimda",
    "zero\u{200b}width",
    "<img src=x onerror=alert(1)>",
    "\\\"\\\\\"",
    "",
    " ",
    "((((",
    "and or not pr eq",
    "\u{1f600} emoji",
];

#[test]
fn built_filters_parse_and_match_only_their_literal() {
    for literal in HOSTILE {
        let filter = Filter::eq("userName", literal).to_string();
        let parsed = parse(&filter).unwrap_or_else(|e| panic!("{filter:?} did not parse: {e}"));
        let same = json!({"userName": literal});
        let other = json!({"userName": format!("{literal}x")});
        let present = json!({"userName": "someone-else"});
        assert!(matches(&parsed, &same, false), "{literal:?} matches itself");
        assert!(
            !matches(&parsed, &other, false),
            "{literal:?} is not a prefix match"
        );
        assert!(
            !matches(&parsed, &present, false),
            "{literal:?} cannot become `userName pr`"
        );
    }
}

#[test]
fn search_filters_parse_for_any_input() {
    for literal in HOSTILE {
        for kind in [SearchKind::Users, SearchKind::Groups] {
            if let Some(filter) = keyward::core::api::filter::search(kind, literal) {
                let text = filter.to_string();
                let parsed = parse(&text).unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"));
                // The search text is a literal: a resource holding exactly it, as searched (the
                // characters no filter may carry left out), is found.
                let searched = keyward::core::api::filter::searchable(literal);
                let held = searched.trim();
                let holder =
                    json!({"userName": held, "displayName": held, "emails": [], "name": {}});
                assert!(
                    matches(&parsed, &holder, false),
                    "{text:?} finds {literal:?}"
                );
            }
        }
    }
}

/// The fuzz target's property (`tests/fuzz/fuzz_targets/filter_roundtrip.rs`), replayed here on
/// its seed corpus and every finding kept in `tests/fuzz/regressions/filter_roundtrip`.
#[test]
fn fuzz_seeds_and_regressions_hold() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut replayed = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join("filter_roundtrip")) else {
            continue;
        };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).expect("a readable corpus file");
            filter_property::search_round_trip(&String::from_utf8_lossy(&bytes));
            replayed += 1;
        }
    }
    assert!(replayed > 0, "the seed corpus is there");
}

/// A user as the real service answers: given and family names, no `name.formatted`.
fn real_user(user_name: &str, given: &str, family: &str) -> serde_json::Value {
    json!({
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"type": "work", "value": user_name, "primary": true}],
    })
}

#[test]
fn name_search_finds_real_people_and_each_word_narrows() {
    let sam = real_user("sam.tester@example.com", "Sam", "Tester");
    let samantha = real_user("s.jones@example.com", "Samantha", "Jones");
    let other = real_user("pat.tester@example.com", "Pat", "Tester");
    let finds = |text: &str, user: &serde_json::Value| {
        let filter = keyward::core::api::filter::search(SearchKind::Users, text)
            .expect("a filter")
            .to_string();
        let parsed = parse(&filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        matches(&parsed, user, false)
    };
    for text in [
        "Sam Tester",
        "Tester",
        "sam.t",
        "sam",
        "tester sam",
        "SAM TESTER",
        "example.com",
    ] {
        assert!(finds(text, &sam), "{text:?} finds Sam Tester");
    }
    assert!(
        finds("Sam", &samantha) && !finds("Sam Tester", &samantha),
        "a second word narrows"
    );
    assert!(
        finds("Tester", &other) && !finds("Sam Tester", &other),
        "a second word narrows"
    );
    for text in ["Sam Smith", "Tester Jones", "Jones"] {
        assert!(!finds(text, &sam), "{text:?} does not find Sam Tester");
    }
    // The fallback a server refusing the compound form gets: the userName as typed.
    let simple = keyward::core::api::filter::simple_search(SearchKind::Users, "sam.t")
        .expect("a filter")
        .to_string();
    assert!(matches(&parse(&simple).expect("parses"), &sam, false));
}

#[test]
fn the_default_seed_looks_like_real_users() {
    use p14e_emulator::directory::{Directory, Kind, ListQuery, LocationStyle};
    use p14e_emulator::rng::Rng;
    let mut plain = Directory::new("id".into(), Rng::new(1), 0);
    p14e_emulator::seed::seed(&mut plain, 40, 2, 1, false);
    let mut formatted = Directory::new("id".into(), Rng::new(1), 0);
    p14e_emulator::seed::seed(&mut formatted, 40, 2, 1, true);
    let names = |dir: &Directory| -> Vec<serde_json::Value> {
        let all = ListQuery {
            start_index: 1,
            count: 1000,
            ..ListQuery::default()
        };
        let (_, ids) = dir.list(Kind::User, &all);
        ids.iter()
            .filter_map(|id| dir.render(Kind::User, id, "http://x/api", LocationStyle::Directory))
            .map(|u| u["name"].clone())
            .collect()
    };
    assert!(!names(&plain).is_empty());
    for name in names(&plain) {
        assert!(name.get("formatted").is_none(), "{name}");
        assert!(
            name["givenName"].is_string() && name["familyName"].is_string(),
            "{name}"
        );
    }
    assert!(names(&formatted).iter().all(|n| n["formatted"].is_string()));
}
