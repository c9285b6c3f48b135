//! What Keyward has stored and sent stays readable across releases. The fixtures in
//! `tests/fixtures/wire/` were written by the build before the serde migration (issue 18): every
//! stored record (accounts, settings, the settings file, the enterprise policy, kept keys) loads
//! unchanged and is written back in the same shape, every request a context sends is understood,
//! and every answer keeps its name and fields — so a popup and a worker of different builds still
//! understand each other during an update.

use keyward::core::accounts::view::{AccountView, RegionStatus};
use keyward::core::accounts::{Account, AccountEdit, Accounts, KeyRecord};
use keyward::core::api::filter::SearchKind;
use keyward::core::console::copy::HelperButton;
use keyward::core::console::credentials::{
    AgeBanner, Guard, Helpers, KeyShown, PagePlan, TabKind, TabView,
};
use keyward::core::console::page::{row_items, Snapshot};
use keyward::core::lookup::{Attribute, Detail, Failure, FailureCode, Found, Row};
use keyward::core::protocol::{answer, ask, CopyWhat, Request, RequestKind, Response};
use keyward::core::reminders::{KeySince, Level, ReminderState, Schedule};
use keyward::core::settings::{self, ClearCheck, Policy, Settings};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/wire/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads a stored record as the worker does (an unreadable one reads as none).
fn read<T: DeserializeOwned>(value: &Value) -> Option<T> {
    serde_json::from_value(value.clone()).ok()
}

fn write<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("records serialize")
}

const ID: &str = "8c4b2a1e-5d3f-4a6b-9c8d-7e6f5a4b3c2d";

#[test]
fn stored_accounts_load_unchanged_and_are_written_back_the_same() {
    let stored = fixture("stored-accounts");
    let accounts: Accounts = read(&stored).expect("the accounts record");
    let full = &accounts.accounts.get(ID).expect("the full account");
    assert_eq!(
        **full,
        Account {
            client_id: ID.into(),
            first_seen_ms: 1_764_000_000_000,
            region: Some("eu".into()),
            key: Some(KeyRecord {
                fingerprint: Some(
                    "9f2c1b7d4e6a8c0b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e3a5c7b9d1f3e5a7c9b".into()
                ),
                since_ms: 1_766_000_000_000,
                since: KeySince::FirstSeen,
            }),
            renewals: vec![1_765_000_000_000, 1_766_000_000_000],
            reminders: ReminderState {
                notified_stage: Some(14),
                notified_at_ms: Some(1_767_000_000_000),
                snoozed_until_ms: Some(1_767_100_000_000),
            },
            label: Some("Production EU".into()),
            colour: Some("#cf222e".into()),
            production: true,
            integrations: vec!["PingFederate PCV".into(), "HR sync script".into()],
            credentials_url: Some(
                "https://admin.pingone.com/web-portal/#/setup/directory/api-credentials".into()
            ),
            // Stored before accounts could be unconfirmed: confirmed.
            unconfirmed: false,
        }
    );
    let renewed = accounts
        .accounts
        .get("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        .expect("the renewed account");
    assert_eq!(
        renewed.key.as_ref().map(|k| k.fingerprint.clone()),
        Some(None)
    );
    assert_eq!(accounts.accounts.len(), 3);
    assert_eq!(write(&accounts), stored);
}

#[test]
fn stored_settings_and_the_settings_file_load_unchanged() {
    for name in ["stored-settings", "stored-settings-default"] {
        let stored = fixture(name);
        assert_eq!(
            write(&Settings::from_stored(read(&stored)).value),
            stored,
            "{name}"
        );
    }
    let checked = Settings::from_stored(read(&fixture("stored-settings")));
    assert!(checked.reset.is_empty(), "{:?}", checked.reset);
    let settings = checked.value;
    assert_eq!(
        settings,
        Settings {
            schema: 2,
            local_api_base: Some("http://127.0.0.1:8787/api".into()),
            session_keys: false,
            clipboard_clear_secs: Some(45),
            schedule: Schedule {
                rotation_days: 60,
                remind_before: vec![14, 3],
            },
            max_in_flight: Some(6),
            // The browser's permission, never stored: unknown to a record, so the default.
            clear_check: ClearCheck::Ask,
        }
    );
    let file = fixture("settings-export");
    assert_eq!(settings::import(&file.to_string()), Ok(settings.clone()));
    assert_eq!(
        serde_json::from_str::<Value>(&settings::export(&settings)).ok(),
        Some(file)
    );
}

#[test]
fn the_enterprise_policy_and_kept_keys_load_unchanged() {
    let policy = fixture("stored-policy");
    assert_eq!(
        read::<Policy>(&policy),
        Some(Policy {
            max_rotation_days: Some(30),
            forbid_key_storage: true,
        })
    );
    assert_eq!(write(&read::<Policy>(&policy)), policy);
    let keys = fixture("stored-session-keys");
    let kept: indexmap::IndexMap<String, String> = read(&keys).expect("kept keys");
    assert_eq!(
        kept.get(ID).map(String::as_str),
        Some("kEy0123456789abcdefghijklmnopq")
    );
    assert_eq!(write(&kept), keys);
}

#[test]
fn every_request_a_context_sends_is_understood() {
    let Value::Array(requests) = fixture("requests") else {
        panic!("a list of requests")
    };
    let decoded: Vec<Request> = requests
        .iter()
        .map(|r| read(r).unwrap_or_else(|| panic!("not understood: {r}")))
        .collect();
    let snapshot = Snapshot {
        url: "https://admin.pingone.com/web-portal/#/setup/directory/api-credentials".into(),
        title: "PingOne".into(),
        headings: vec!["API Credentials".into()],
        buttons: vec!["Edit".into(), "Show".into()],
        items: row_items(&[
            ("Client ID", ID, None),
            ("API Key", "••••••", Some("password")),
        ]),
        text: format!("API Credentials Client ID {ID}"),
        text_truncated: false,
        glance: false,
    };
    let expected = [
        Request::Status,
        Request::ApiStatus,
        Request::CancelExport,
        Request::EmptyClipboard,
        Request::PageSnapshot(ask::PageSnapshot { snapshot }),
        Request::PageSnapshot(ask::PageSnapshot {
            snapshot: Snapshot {
                url: "https://admin.pingone.com/web-portal/#/dashboard".into(),
                headings: vec!["Dashboard".into()],
                text: "Dashboard".into(),
                text_truncated: true,
                glance: true,
                ..Snapshot::default()
            },
        }),
        Request::PageClick(ask::PageClick {
            label: "Save".into(),
        }),
        Request::PageReader,
        Request::Copy(ask::Copy {
            what: CopyWhat::ClientId,
            renewed: false,
        }),
        Request::Copy(ask::Copy {
            what: CopyWhat::ApiKey,
            renewed: false,
        }),
        Request::Copy(ask::Copy {
            what: CopyWhat::AuthorizationHeader,
            renewed: false,
        }),
        Request::Copy(ask::Copy {
            what: CopyWhat::Curl,
            renewed: false,
        }),
        Request::Copy(ask::Copy {
            what: CopyWhat::ShellExports,
            renewed: false,
        }),
        Request::Copy(ask::Copy {
            what: CopyWhat::ApiKey,
            renewed: true,
        }),
        Request::ChecklistDone,
        Request::TabState(ask::TabState { tab_id: 7 }),
        Request::TabState(ask::TabState { tab_id: -1 }),
        Request::ManualCredentials(ask::ManualCredentials {
            client_id: ID.into(),
            api_key: "kEy0123456789abcdefghijklmnopq".into(),
        }),
        Request::SetRegion(ask::SetRegion {
            client_id: ID.into(),
            region: "eu".into(),
        }),
        Request::UpdateAccount(AccountEdit {
            client_id: ID.into(),
            label: "Prod".into(),
            colour: "#cf222e".into(),
            production: true,
            integrations: "PingFederate PCV\nHR sync".into(),
            key_date: String::new(),
        }),
        Request::ForgetAccount(ask::Account {
            client_id: ID.into(),
        }),
        Request::ConfirmAccount(ask::Account {
            client_id: ID.into(),
        }),
        Request::RestoreAccount(ask::Account {
            client_id: ID.into(),
        }),
        Request::KeyDate(ask::KeyDate {
            client_id: ID.into(),
            date: Some("2025-10-04".into()),
        }),
        Request::KeyDate(ask::KeyDate {
            client_id: ID.into(),
            date: None,
        }),
        Request::Snooze(ask::Snooze {
            client_id: ID.into(),
            days: 7,
        }),
        Request::Search(ask::Search {
            client_id: ID.into(),
            kind: SearchKind::Users,
            text: "ann".into(),
            shown: 0,
        }),
        Request::Search(ask::Search {
            client_id: ID.into(),
            kind: SearchKind::Users,
            text: "ann".into(),
            shown: 20,
        }),
        Request::Search(ask::Search {
            client_id: ID.into(),
            kind: SearchKind::Groups,
            text: String::new(),
            shown: 0,
        }),
        Request::Detail(ask::Detail {
            client_id: ID.into(),
            kind: SearchKind::Users,
            id: "u1".into(),
        }),
        Request::ExportPage(ask::ExportPage {
            client_id: ID.into(),
            text: String::new(),
            start_index: 201,
            count: 200,
            group: None,
            left: 0,
            mailbox: None,
        }),
        Request::ExportPage(ask::ExportPage {
            client_id: ID.into(),
            text: String::new(),
            start_index: 1,
            count: 0,
            group: Some("g1".into()),
            left: 0,
            mailbox: None,
        }),
        Request::ExportPage(ask::ExportPage {
            client_id: ID.into(),
            text: String::new(),
            start_index: 1001,
            count: 500,
            group: None,
            left: 998,
            mailbox: None,
        }),
        Request::ExportPage(ask::ExportPage {
            client_id: ID.into(),
            text: String::new(),
            start_index: 2001,
            count: 1000,
            group: None,
            left: 0,
            mailbox: Some("5f3a9c0e71b2d684".into()),
        }),
        Request::TeachTab(ask::TabState { tab_id: 7 }),
        Request::TeachStart,
        Request::TeachPick(keyward::core::console::layout::Pick {
            locator: "html>body:0>div:2>span:0".into(),
            text: ID.into(),
            masked: false,
        }),
        Request::TeachCancel,
    ];
    assert_eq!(decoded, expected);
    for (request, sent) in expected.iter().zip(&requests) {
        // The worker's reader (tag, then payload) agrees with the derived shape…
        assert_eq!(Request::read(sent.clone()).ok().as_ref(), Some(request));
        // …the kind is the `type` on the wire…
        assert_eq!(sent["type"], write(&request.kind()));
        // …and a request written by this build reads as it was sent.
        assert_eq!(&write(request), sent);
    }
}

/// One answer of each kind, as the build before the migration wrote it.
fn answers() -> Vec<Response> {
    let row = Row {
        id: "u1".into(),
        title: "ann.lee".into(),
        subtitle: Some("Ann Lee".into()),
        email: Some("ann@example.com".into()),
        status: Some("Disabled".into()),
        inactive: true,
    };
    let group = Row {
        id: "g1".into(),
        title: "Admins".into(),
        subtitle: None,
        email: None,
        status: None,
        inactive: false,
    };
    let plan = PagePlan {
        helpers: Some(Helpers {
            anchor: 2,
            buttons: vec![
                HelperButton {
                    what: CopyWhat::ClientId,
                    label: "Copy Client ID".into(),
                    waits: None,
                    renewed: false,
                },
                HelperButton {
                    what: CopyWhat::Curl,
                    label: "Copy curl".into(),
                    waits: None,
                    renewed: false,
                },
            ],
            note: "Secrets are cleared from the clipboard after 30 s.".into(),
            age: Some(AgeBanner {
                text: "Key age 45 days: due for renewal in 45 days.".into(),
                level: Level::DueSoon,
            }),
            guard: Some(Guard {
                title: "Renewing breaks every integration that uses this key:".into(),
                items: vec!["PingFederate PCV".into()],
                check: None,
                dismissible: false,
            }),
        }),
        fields: true,
        // A plan that asks for none of these carries none of them: the fixture is unchanged.
        ..PagePlan::default()
    };
    let view = TabView {
        kind: TabKind::Credentials,
        page: Some("API Credentials".into()),
        client_id: Some(ID.into()),
        key: Some(KeyShown::Shown),
        summary: "s".into(),
        accounts: vec![
            AccountView {
                client_id: ID.into(),
                region: Some("Europe".into()),
                region_id: Some("eu".into()),
                region_status: None,
                region_answers: Vec::new(),
                label: Some("Prod".into()),
                colour: Some("#cf222e".into()),
                production: true,
                age: Some("Key age 45 days".into()),
                ask_key_date: false,
                reminding: true,
                unconfirmed: false,
                key_read: true,
                first_seen_ms: 1_764_000_000_000,
                credentials_url: "https://admin.pingone.com/x".into(),
                users_url: "https://admin.pingone.com/y".into(),
            },
            AccountView {
                client_id: "c2".into(),
                ..AccountView::default()
            },
            AccountView {
                client_id: "c3".into(),
                region_status: Some(RegionStatus::Unknown),
                region_answers: vec!["Europe: refused the credential (401)".into()],
                ..AccountView::default()
            },
            AccountView {
                client_id: "c4".into(),
                region_status: Some(RegionStatus::Finding),
                ..AccountView::default()
            },
        ],
        can_teach: false,
    };
    vec![
        Response::Status(answer::Status {
            name: "Keyward".into(),
            version: "0.1.0".into(),
            flavour: "store".into(),
        }),
        Response::ApiStatus(answer::ApiStatus {
            queued: 1,
            in_flight: 2,
            waiting_ms: Some(3000),
            recent_429s: 4,
            capped_from_secs: Some(99999),
        }),
        Response::ApiStatus(answer::ApiStatus {
            queued: 0,
            in_flight: 0,
            waiting_ms: None,
            recent_429s: 0,
            capped_from_secs: None,
        }),
        Response::PagePlan(plan),
        Response::PagePlan(PagePlan::default()),
        Response::Ack,
        Response::Copied(answer::Copied {
            what: CopyWhat::ApiKey,
            message: "Copied the API key.".into(),
            clears_in_secs: Some(30),
        }),
        Response::Copied(answer::Copied {
            what: CopyWhat::ClientId,
            message: "Copied the Client ID.".into(),
            clears_in_secs: None,
        }),
        Response::TabState(view),
        Response::TabState(TabView::default()),
        Response::Found(Found {
            kind: SearchKind::Users,
            text: "ann".into(),
            rows: vec![row.clone()],
            total: Some(9),
            skipped: 1,
            note: None,
        }),
        Response::Found(Found {
            kind: SearchKind::Groups,
            text: String::new(),
            rows: vec![],
            total: None,
            skipped: 0,
            note: None,
        }),
        Response::Detail(Box::new(Detail {
            kind: SearchKind::Users,
            row: row.clone(),
            times: vec![
                ("Created".into(), 1_429_123_454_227),
                ("Last sign-on".into(), -5),
            ],
            related: vec![group.clone()],
            related_total: None,
            user_count: Some(12),
            user_count_problem: None,
            attributes: vec![
                Attribute {
                    path: "name.givenName".into(),
                    value: "Ann".into(),
                    when_ms: None,
                },
                Attribute {
                    path: "urn:scim:schemas:com_pingone:1.0.createTimeStamp".into(),
                    value: "1429123454227".into(),
                    when_ms: Some(1_429_123_454_227),
                },
            ],
            attributes_omitted: 3,
        })),
        Response::Detail(Box::new(Detail {
            kind: SearchKind::Groups,
            row: group,
            times: vec![],
            related: vec![],
            related_total: None,
            user_count: None,
            user_count_problem: Some("users/count failed".into()),
            attributes: vec![],
            attributes_omitted: 0,
        })),
        Response::ApiBody(answer::ApiBody {
            body: "{\"resources\":[]}".into(),
            note: None,
            count: None,
            mailed: false,
        }),
        Response::ApiBody(answer::ApiBody {
            body: "{\"id\":\"g1\",\"members\":[]}".into(),
            note: None,
            count: Some(3),
            mailed: false,
        }),
        Response::ApiBody(answer::ApiBody {
            body: String::new(),
            note: None,
            count: None,
            mailed: true,
        }),
        Response::ApiFailed(Failure {
            code: FailureCode::RateLimited,
            message: "m".into(),
            retry: true,
        }),
        Response::ApiFailed(Failure {
            code: FailureCode::NoRegion,
            message: "m2".into(),
            retry: false,
        }),
        Response::Refused(answer::Refused {
            reason: "no".into(),
        }),
    ]
}

#[test]
fn every_answer_keeps_its_name_and_fields() {
    let Value::Array(expected) = fixture("responses") else {
        panic!("a list of answers")
    };
    let written: Vec<Value> = answers().iter().map(write).collect();
    assert_eq!(written.len(), expected.len());
    for (written, expected) in written.iter().zip(&expected) {
        assert_eq!(written, expected);
    }
    // And an answer from the earlier build reads back as what it said, by both readers.
    for (answer, sent) in answers().into_iter().zip(&expected) {
        assert_eq!(sent["type"], write(&answer.kind()));
        assert_eq!(Response::read(sent.clone()).ok().as_ref(), Some(&answer));
        assert_eq!(read::<Response>(sent), Some(answer));
    }
}

/// Notes added since: written only when there is one, so answers without one keep the earlier
/// shape (the fixture above), and a note travels both ways.
#[test]
fn notes_are_optional_fields() {
    let found = Response::Found(Found {
        kind: SearchKind::Users,
        text: "sam".into(),
        rows: vec![],
        total: None,
        skipped: 0,
        note: Some("simplified".into()),
    });
    let body = Response::ApiBody(answer::ApiBody {
        body: "{}".into(),
        note: Some("simplified".into()),
        count: None,
        mailed: false,
    });
    for answer in [found, body] {
        let sent = write(&answer);
        assert_eq!(sent["note"], "simplified");
        assert_eq!(Response::read(sent.clone()).ok().as_ref(), Some(&answer));
        assert_eq!(read::<Response>(&sent), Some(answer));
    }
}

/// The browser test of the trust boundary (`tests/e2e/boundaries.test.mjs`) is generated from the
/// worker's table of who may send what, through this copy of it; the copy cannot drift.
#[test]
fn the_audience_fixture_is_the_table() {
    let table: serde_json::Map<String, Value> = RequestKind::ALL
        .iter()
        .map(|kind| {
            (
                keyward::core::shared::wire::name(kind),
                write(&kind.audience()),
            )
        })
        .collect();
    assert_eq!(
        fixture("audiences"),
        Value::Object(table.clone()),
        "tests/fixtures/wire/audiences.json should be:\n{}",
        serde_json::to_string_pretty(&table).unwrap_or_default()
    );
    // Every kind has an example request, so the browser test sends each one.
    let examples = fixture("requests");
    for kind in table.keys() {
        assert!(
            examples
                .as_array()
                .is_some_and(|all| all.iter().any(|r| r["type"] == **kind)),
            "requests.json has no {kind}"
        );
    }
}
