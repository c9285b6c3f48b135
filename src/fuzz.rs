//! The properties the fuzz targets check (`tests/fuzz`, run by `make fuzz`), compiled only for the
//! fuzzer (`--cfg fuzzing`) and for tests. Each check takes arbitrary bytes and panics only when a
//! property is broken; the tests below replay the committed seed corpus and every finding kept in
//! `tests/fuzz/regressions/`, so a fixed bug stays fixed without the fuzzer.

use crate::core::console::Flavour;
use crate::core::export::Export;
use crate::core::filter::SearchKind;
use crate::core::json::{self, ParseError, Value};
use crate::core::lookup::{self, MAX_ATTRIBUTES};
use crate::core::message::{Request, Sender, WorkerFacts};
use crate::core::page::{self, Snapshot};
use crate::core::pager::PageRequest;
use crate::core::retry_after::{self, MAX_RETRY_AFTER};
use crate::core::scim::{self, Group, User};
use crate::core::settings::{self, Policy, Settings};
use crate::core::throttle::Scheduler;
use crate::core::{accounts::Accounts, worker};

/// `Retry-After`, any text, any clock: never a wait beyond the cap, and a cap always says so.
pub fn retry_after(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for now in [0, 1_764_000_000_000, u64::MAX / 2, u64::MAX] {
        if let Some(r) = retry_after::parse(Some(&text), now) {
            assert!(r.wait <= MAX_RETRY_AFTER, "{text:?} waits {:?}", r.wait);
            if let Some(asked) = r.capped_from {
                assert!(
                    asked > r.wait,
                    "a cap is reported only when it cut the wait"
                );
            }
        }
    }
}

/// SCIM answers, any bytes: list pages, searches, details and an export page decode or fail
/// cleanly; details stay bounded; the JSON they are read from prints back to the same value and
/// agrees with serde_json wherever serde_json reads it.
pub fn scim_answer(data: &[u8]) {
    let _ = scim::list_page(data, User::from_value);
    let _ = scim::list_page(data, Group::from_value);
    for kind in [SearchKind::Users, SearchKind::Groups] {
        if let Ok(found) = lookup::found(kind, "x", data) {
            assert!(found.rows.iter().all(|r| !r.id.is_empty()));
        }
    }
    for detail in [
        lookup::user_detail(data),
        lookup::group_detail(data, Some(Ok(data.to_vec()))),
    ]
    .into_iter()
    .flatten()
    {
        assert!(detail.attributes.len() <= MAX_ATTRIBUTES);
    }
    let mut export = Export::new("a", "", 0);
    if let Some(request) = export.next_request() {
        export.page_answered(request, Ok(data), 1);
        let again: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
        assert!(export.user_count() <= 200 || !again.is_empty() || export.is_complete());
    }
    json_round_trip(data);
}

/// Our JSON printed, compact or pretty, reads back as the same value; where serde_json (the
/// reference) reads the text, ours reads it too, as the same value.
fn json_round_trip(data: &[u8]) {
    let ours: Result<Value, ParseError> = json::parse(data);
    if let Ok(value) = &ours {
        assert_eq!(json::parse_str(&value.to_string()).as_ref(), Ok(value));
        assert_eq!(json::parse_str(&value.to_pretty()).as_ref(), Ok(value));
    }
    if let Ok(reference) = serde_json::from_slice::<serde_json::Value>(data) {
        let ours = ours.unwrap_or_else(|e| panic!("serde_json reads what we refuse ({e})"));
        let again = serde_json::from_str::<serde_json::Value>(&ours.to_string());
        assert_eq!(
            again.ok(),
            Some(reference),
            "serde_json reads our value differently"
        );
    }
}

/// A content script's snapshot, any JSON: classified, and handled by the worker, without panics.
pub fn page_snapshot(data: &[u8]) {
    let Some(snapshot) = json::parse(data)
        .ok()
        .and_then(|value| crate::core::codec::read::<Snapshot>(&value))
    else {
        return;
    };
    let _ = page::classify(&snapshot);
    let mut state = worker::WorkerState {
        salt: b"fuzz".to_vec(),
        ..worker::WorkerState::default()
    };
    let facts = WorkerFacts {
        flavour: Flavour::Dev,
        api: Scheduler::default().status(0),
        now: 0,
        wall_ms: 0,
    };
    let sender = Sender::ContentScript {
        tab_url: "http://127.0.0.1/#/setup/directory/api-credentials".into(),
        tab_id: 1,
    };
    let request = Request::PageSnapshot { snapshot };
    let _ = worker::handle(&mut state, &request, &sender, &facts);
    let click = Request::PageClick {
        label: "Save".into(),
    };
    let _ = worker::handle(&mut state, &click, &sender, &facts);
}

/// Stored records and settings files, any bytes: read leniently; an imported file, exported and
/// imported again, is the same settings.
pub fn stored_records(data: &[u8]) {
    if let Ok(value) = json::parse(data) {
        let _ = Settings::from_stored(Some(value.clone()));
        let _ = Policy::from_stored(Some(value.clone()));
        let _ = Accounts::from_stored(Some(value.clone()));
        let _ = settings::migrate(value);
    }
    if let Ok(imported) = settings::import(&String::from_utf8_lossy(data)) {
        let again = settings::import(&settings::export(&imported));
        assert_eq!(again.as_ref(), Ok(&imported));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every file of the committed seed corpus and of the regressions for `target`.
    fn inputs(target: &str) -> Vec<Vec<u8>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
        let mut all = Vec::new();
        for dir in ["seeds", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            for entry in entries.flatten() {
                all.push(std::fs::read(entry.path()).expect("a readable corpus file"));
            }
        }
        all
    }

    #[test]
    fn seeds_and_regressions_hold() {
        let checks: [(&str, fn(&[u8])); 4] = [
            ("retry_after", super::retry_after),
            ("scim_answer", super::scim_answer),
            ("page_snapshot", super::page_snapshot),
            ("stored_records", super::stored_records),
        ];
        for (target, check) in checks {
            let inputs = inputs(target);
            assert!(!inputs.is_empty(), "{target} has a seed corpus");
            for input in inputs {
                check(&input);
            }
        }
    }
}
