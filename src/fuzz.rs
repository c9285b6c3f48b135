//! The properties the fuzz targets check (`tests/fuzz`, run by `make fuzz`), compiled only for the
//! fuzzer (`--cfg fuzzing`) and for tests. Each check takes arbitrary bytes and panics only when a
//! property is broken; the tests below replay the committed seed corpus and every finding kept in
//! `tests/fuzz/regressions/`, so a fixed bug stays fixed without the fuzzer.

use crate::core::api::filter::SearchKind;
use crate::core::api::pager::PageRequest;
use crate::core::api::retry_after::{self, MAX_RETRY_AFTER};
use crate::core::api::scim::{self, Group, User};
use crate::core::api::throttle::Scheduler;
use crate::core::console::page::{self, Snapshot};
use crate::core::export::{Export, Format};
use crate::core::lookup::{self, MAX_ATTRIBUTES};
use crate::core::protocol::{ask, Request, Response, Sender, WorkerFacts};
use crate::core::settings::{self, Policy, Settings};
use crate::core::shared::hosts::Flavour;
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
/// cleanly; details stay bounded; a body is read exactly as serde_json reads it wherever serde_json
/// reads it (the lone-surrogate repair changes nothing else), and an export's JSON file reads back.
pub fn scim_answer(data: &[u8]) {
    let _ = scim::list_page(data, User::from_raw);
    let _ = scim::list_page(data, Group::from_raw);
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
    if let Ok(reference) = serde_json::from_slice::<serde_json::Value>(data) {
        assert_eq!(scim::parse_body(data).ok(), Some(reference));
    }
    let mut export = Export::new("f", "a", "", 0, 0);
    if let Some(request) = export.next_request() {
        let written = export.page_answered(request, Ok(data), None, 1);
        let again: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
        assert!(export.rows() <= 1000 || !again.is_empty() || export.is_complete());
        for format in [Format::Json, Format::Csv] {
            let file = export.assemble(format, 0, |_| {
                written
                    .as_ref()
                    .map_or(String::new(), |(_, f)| f.of(format).to_string())
            });
            if format == Format::Json {
                let read: serde_json::Value =
                    serde_json::from_str(&file).expect("the JSON export reads");
                assert_eq!(
                    read["users"].as_array().map(|u| u.len() as u64),
                    Some(export.rows())
                );
            }
        }
    }
}

/// A content script's snapshot, any JSON: classified, and handled by the worker, without panics.
pub fn page_snapshot(data: &[u8]) {
    let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) else {
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
        document_id: None,
    };
    let request = Request::PageSnapshot(ask::PageSnapshot { snapshot });
    let _ = worker::decide(&mut state, &request, &sender, &facts);
    let click = Request::PageClick(ask::PageClick {
        label: "Save".into(),
    });
    let _ = worker::decide(&mut state, &click, &sender, &facts);
}

/// Stored records and settings files, any bytes: read leniently (as whole values, the way the
/// worker reads them from storage) and written back as they read; an imported file, exported and
/// imported again, is the same settings.
pub fn stored_records(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let settings = Settings::from_stored(serde_json::from_value(value.clone()).ok()).value;
        let written = serde_json::to_value(&settings).expect("settings serialize");
        assert_eq!(
            Settings::from_stored(serde_json::from_value(written).ok()).value,
            settings
        );
        let _ = serde_json::from_value::<Policy>(value.clone());
        if let Ok(accounts) = serde_json::from_value::<Accounts>(value) {
            let written = serde_json::to_value(&accounts).expect("accounts serialize");
            assert_eq!(
                serde_json::from_value::<Accounts>(written).ok(),
                Some(accounts)
            );
        }
    }
    if let Ok(imported) = settings::import(&String::from_utf8_lossy(data)) {
        let again = settings::import(&settings::export(&imported));
        assert_eq!(again.as_ref(), Ok(&imported));
    }
}

/// Messages, any JSON: the worker's readers (a request's or an answer's tag, then its payload)
/// give exactly what the derived shapes give — the same message, or a refusal of it — and what
/// they read is written back as it came, but for unknown fields.
pub fn messages(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let derived = serde_json::from_value::<Request>(value.clone()).ok();
    assert_eq!(Request::read(value.clone()).ok(), derived);
    if let Some(request) = derived {
        let written = serde_json::to_value(&request).expect("requests serialize");
        assert_eq!(Request::read(written).ok(), Some(request));
    }
    let derived = serde_json::from_value::<Response>(value.clone()).ok();
    assert_eq!(Response::read(value).ok(), derived);
    if let Some(answer) = derived {
        let written = serde_json::to_value(&answer).expect("answers serialize");
        assert_eq!(Response::read(written).ok(), Some(answer));
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
        let checks: [(&str, fn(&[u8])); 5] = [
            ("retry_after", super::retry_after),
            ("scim_answer", super::scim_answer),
            ("page_snapshot", super::page_snapshot),
            ("stored_records", super::stored_records),
            ("messages", super::messages),
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
