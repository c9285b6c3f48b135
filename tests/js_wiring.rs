//! The JS loaders hold no decisions, but they do spell names Rust defines: message and answer
//! types, the offscreen document's operations, the settings key they watch. Each name a script
//! spells is checked here against the Rust definition, so renaming one side fails the suite.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

use keyward::core::console::copy::CopyWhat;
use keyward::core::protocol::{
    OffscreenOp, OffscreenRequest, OffscreenTarget, Request, RequestKind, ResponseKind,
};
use keyward::core::settings;
use serde::Serialize;

fn script(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("extension")
            .join(name),
    )
    .expect("a shipped script")
}

/// Every quoted word after `marker` in `text`: `send({ type: 'copy'` gives `copy`.
fn quoted_after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &text[at + marker.len()..];
            let end = rest.find('\'')?;
            Some(rest[..end].to_string())
        })
        .collect()
}

fn wire_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .expect("serializes")
        .as_str()
        .expect("a string")
        .to_string()
}

fn request_names() -> Vec<String> {
    RequestKind::ALL.iter().map(wire_name).collect()
}

#[test]
fn every_message_a_script_sends_is_a_request_rust_reads() {
    let mut sent = Vec::new();
    for name in [
        "content.js",
        "content-reader.js",
        "popup.js",
        "options.js",
        "export.js",
    ] {
        let text = script(name);
        for marker in ["send({ type: '", "sendMessage({ type: '"] {
            sent.extend(quoted_after(&text, marker).into_iter().map(|t| (name, t)));
        }
    }
    assert!(sent.len() >= 4, "the scan found the messages: {sent:?}");
    let known = request_names();
    for (file, kind) in sent {
        assert!(
            known.contains(&kind),
            "{file} sends `{kind}`, not a request"
        );
    }
    // The popup's first `tab_state` is the one Rust makes, field for field.
    let made = serde_json::to_value(Request::TabState(keyward::core::protocol::ask::TabState {
        tab_id: 1,
    }))
    .expect("serializes");
    let fields: Vec<&String> = made.as_object().expect("an object").keys().collect();
    let popup = script("popup.js");
    for field in fields {
        assert!(
            popup.contains(&format!("{field}: ")),
            "popup.js's tab_state lacks `{field}`"
        );
    }
}

#[test]
fn the_content_script_answers_the_message_the_worker_sends() {
    let spelled = quoted_after(&script("content.js"), "message?.type !== '");
    assert_eq!(
        spelled,
        vec![keyward::core::console::credentials::READ_AGAIN.to_string()]
    );
}

#[test]
fn every_answer_a_script_reads_or_makes_is_one_rust_defines() {
    let kinds: Vec<String> = [
        ResponseKind::Copied,
        ResponseKind::Refused,
        ResponseKind::PagePlan,
        ResponseKind::Ack,
    ]
    .into_iter()
    .map(wire_name)
    .collect();
    let mut spelled = Vec::new();
    for name in ["content.js", "content-reader.js"] {
        for marker in ["answer?.type === '", "answer?.type !== '"] {
            spelled.extend(quoted_after(&script(name), marker));
        }
    }
    spelled.extend(quoted_after(
        &script("background.js"),
        "sendResponse({ type: '",
    ));
    assert!(
        spelled.len() >= 2,
        "the scan found the answers: {spelled:?}"
    );
    for kind in spelled {
        assert!(kinds.contains(&kind), "a script spells answer `{kind}`");
    }
    // The background script's own refusal has the shape Rust reads.
    let refusal: serde_json::Value =
        serde_json::json!({ "type": "refused", "reason": "internal error" });
    let read: keyward::core::protocol::Response =
        serde_json::from_value(refusal).expect("a refusal Rust reads");
    assert!(matches!(
        read,
        keyward::core::protocol::Response::Refused(_)
    ));
}

#[test]
fn the_offscreen_document_answers_the_operations_rust_sends() {
    let text = script("offscreen.js");
    let target = wire_name(OffscreenTarget::Offscreen);
    assert!(text.contains(&format!("message?.target !== '{target}'")));
    assert!(script("background.js").contains(&format!("request?.target === '{target}'")));
    for op in [OffscreenOp::Write { text: "x".into() }, OffscreenOp::Read] {
        let sent = serde_json::to_value(OffscreenRequest {
            target: OffscreenTarget::Offscreen,
            op,
        })
        .expect("serializes");
        let name = sent["op"].as_str().expect("an op");
        assert!(
            text.contains(&format!("message.op === '{name}'")),
            "offscreen.js does not answer `{name}`"
        );
        if sent.get("text").is_some() {
            assert!(text.contains("message.text"), "a write's text is read");
        }
    }
}

#[test]
fn background_js_watches_the_policy_and_leaves_records_to_rust() {
    // Records live in storage.local on Chrome and in IndexedDB on Firefox: the worker listens for
    // saved settings itself (`storage::listen_for_writes`); the script only relays policy changes.
    let background = script("background.js");
    assert!(background.contains("area === 'managed'"));
    assert!(
        !background.contains(&format!("changes.{}", settings::STORAGE_KEY)),
        "background.js must not watch a record where it may not live"
    );
}

#[test]
fn copy_buttons_name_what_rust_copies() {
    // The field reader passes the plan's `what` (and `renewed`) back untouched: each must be a
    // wire name, and a copy of the renewed key must read as one.
    let content = script("content-reader.js");
    assert!(content.contains("{ type: 'copy', what }"));
    assert!(content.contains("{ type: 'copy', what, renewed }"));
    let renewed: keyward::core::protocol::ask::Copy =
        serde_json::from_str(r#"{"what": "api_key", "renewed": true}"#).expect("reads");
    assert!(renewed.renewed);
    for what in [
        CopyWhat::ClientId,
        CopyWhat::ApiKey,
        CopyWhat::AuthorizationHeader,
        CopyWhat::Curl,
        CopyWhat::ShellExports,
    ] {
        let name = wire_name(what);
        let back: CopyWhat =
            serde_json::from_value(serde_json::Value::String(name.clone())).expect("reads back");
        assert_eq!(back, what, "{name}");
    }
}

#[test]
fn the_content_script_takes_its_reading_rules_from_rust() {
    // The glance's rules in content.js, the full read's in the field reader it loads.
    let scripts = [
        (
            "content.js",
            &["MAX_TEXT", "MAX_PAGE_TEXT", "DEBOUNCE_MS", "TEXT_ONLY_MS"][..],
        ),
        (
            "content-reader.js",
            &["MAX_ITEMS", "MAX_NODES", "MAX_PATH"][..],
        ),
    ];
    for (file, names) in scripts {
        let content = script(file);
        for name in names {
            assert!(
                content.contains(&format!("const {name} = RUST_SCRIPT_RULES.{name};")),
                "{file} spells {name} itself"
            );
        }
        // No other numeric limit hides in a `const` of the script's own.
        for line in content.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("const ") {
                let value = rest.split_once('=').map(|(_, v)| v.trim()).unwrap_or("");
                assert!(
                    !value.starts_with(|c: char| c.is_ascii_digit()),
                    "{file}: `{line}` should come from Rust's script rules"
                );
            }
        }
    }
}
