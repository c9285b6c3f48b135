use super::*;
use crate::core::worker::*;

/// What the worker answers a message it does not send to the Directory API.
pub(super) fn handle(
    s: &mut WorkerState,
    r: &Request,
    sender: &Sender,
    f: &WorkerFacts,
) -> Outcome {
    match decide(s, r, sender, f) {
        Decision::Answer(outcome) => outcome,
        Decision::Api(call) => panic!("an API call: {call:?}"),
    }
}
use crate::core::api::throttle::Scheduler;
use crate::core::console::page::row_items;
use crate::core::shared::hosts::Flavour;

pub(super) const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
pub(super) const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";
pub(super) const KEY2: &str = "NEWkeyNEWkeyNEWkeyNEWkeyNEWkey";
pub(super) const KEY3: &str = "ThirdKeyThirdKeyThirdKeyThird1";

pub(super) fn facts(wall_ms: u64) -> WorkerFacts {
    WorkerFacts {
        flavour: Flavour::Store,
        api: Scheduler::default().status(0),
        now: 0,
        wall_ms,
    }
}

pub(super) fn tab() -> Sender {
    Sender::ContentScript {
        tab_url: "https://admin.pingone.com/web-portal/dashboard#/x".into(),
        tab_id: 3,
        document_id: None,
    }
}

pub(super) fn creds_page(key: &str, buttons: &[&str]) -> Request {
    Request::PageSnapshot(ask::PageSnapshot {
        snapshot: Snapshot {
            headings: vec!["API Credentials".into()],
            buttons: buttons.iter().map(|b| b.to_string()).collect(),
            items: row_items(&[("Client ID", ID, None), ("API Key", key, None)]),
            ..Snapshot::default()
        },
    })
}

pub(super) fn state() -> WorkerState {
    WorkerState {
        salt: b"salt".to_vec(),
        ..WorkerState::default()
    }
}

/// The admin's click on a page button labelled `label`.
pub(super) fn click(label: &str) -> Request {
    Request::PageClick(ask::PageClick {
        label: label.into(),
    })
}

pub(super) fn send(s: &mut WorkerState, r: Request, at: u64) -> Outcome {
    handle(s, &r, &tab(), &facts(at))
}

fn labels(o: &Outcome) -> Vec<&str> {
    match &o.response {
        Response::PagePlan(PagePlan {
            helpers: Some(h), ..
        }) => h.buttons.iter().map(|b| b.label.as_str()).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn a_shown_key_enables_every_helper_and_is_remembered_by_fingerprint_only() {
    let mut s = state();
    let o = send(&mut s, creds_page(KEY, &["Hide", "Edit"]), 1_000);
    assert_eq!(
        labels(&o),
        [
            "Copy Client ID",
            "Copy API key",
            "Copy Authorization header",
            "Copy curl",
            "Copy shell exports"
        ]
    );
    assert!(o.effects.contains(&Effect::SaveAccounts) && o.effects.contains(&Effect::SaveKeys));
    assert!(o
        .effects
        .iter()
        .any(|e| matches!(e, Effect::DetectRegion { .. })));
    // Until the region is known, the helpers that need it say why instead of doing nothing.
    let waits = |o: &Outcome| match &o.response {
        Response::PagePlan(PagePlan {
            helpers: Some(h), ..
        }) => h
            .buttons
            .iter()
            .map(|b| b.waits.clone())
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let finding = Some(crate::core::console::copy::REGION_FINDING.to_string());
    assert_eq!(waits(&o), [None, None, None, finding.clone(), finding]);
    // The search ends with no region: the tab showing the account is read again, and says so.
    let ended = s.region_searched(ID, Detection::NotFound(Vec::new()), 1_500);
    assert!(
        ended
            .iter()
            .any(|e| matches!(e, Effect::ReadTabAgain { .. })),
        "{ended:?}"
    );
    let o = send(&mut s, creds_page(KEY, &["Hide", "Edit"]), 1_600);
    let unknown = Some(crate::core::console::copy::REGION_UNKNOWN.to_string());
    assert_eq!(waits(&o), [None, None, None, unknown.clone(), unknown]);
    s.accounts.set_region(ID, "eu", 1_700);
    let o = send(&mut s, creds_page(KEY, &["Hide", "Edit"]), 2_000);
    assert_eq!(
        waits(&o),
        [None, None, None, None, None],
        "the region known"
    );
    let stored = serde_json::to_string(&s.accounts).expect("accounts serialize");
    assert!(!stored.contains(KEY), "accounts hold no key");
    assert_eq!(
        s.keys.get(ID).map(String::as_str),
        Some(KEY),
        "the session mirror holds it"
    );
    assert_eq!(
        s.tab_view(3, 0).summary,
        format!("API Credentials page: Client ID {ID}, key read.")
    );
    assert!(
        !format!("{s:?} {:?}", o.effects).contains(KEY),
        "debug output never shows the key"
    );
}

/// A snippet's URL comes from a region the running build has, as the API path's does: a store
/// build never puts a loopback address in a curl command or export, whatever storage says.
#[test]
fn snippets_use_only_regions_the_build_has() {
    let mut s = state();
    send(&mut s, creds_page(KEY, &[]), 1_000);
    s.accounts.set_region(ID, "local", 1_001);
    s.settings.local_api_base = Some("http://127.0.0.1:8787/api".into());
    for what in [CopyWhat::Curl, CopyWhat::ShellExports] {
        let copy = Request::Copy(ask::Copy {
            what,
            renewed: false,
        });
        let store = handle(&mut s, &copy, &tab(), &facts(1_002));
        assert!(store.effects.is_empty(), "{what:?}: {:?}", store.effects);
        assert!(matches!(store.response, Response::Refused(_)), "{what:?}");
        let dev = WorkerFacts {
            flavour: Flavour::Dev,
            ..facts(1_003)
        };
        let copied = handle(&mut s, &copy, &tab(), &dev);
        assert!(
            matches!(&copied.effects[..], [Effect::Clipboard { text, .. }] if text.contains("http://127.0.0.1:8787/api")),
            "{what:?}: the dev build has the local region"
        );
    }
}

#[test]
fn an_unchanged_page_writes_nothing() {
    let mut s = state();
    assert!(send(&mut s, creds_page(KEY, &[]), 1_000)
        .effects
        .contains(&Effect::SaveAccounts));
    let again = send(&mut s, creds_page(KEY, &[]), 2_000);
    assert!(
        !again.effects.contains(&Effect::SaveAccounts),
        "{:?}",
        again.effects
    );
}

#[test]
fn a_hidden_key_offers_only_the_client_id() {
    let mut s = state();
    let o = send(&mut s, creds_page("••••••••", &["Show", "Edit"]), 1_000);
    assert_eq!(labels(&o), ["Copy Client ID"]);
    let refusal = send(
        &mut s,
        Request::Copy(ask::Copy {
            what: CopyWhat::ApiKey,
            renewed: false,
        }),
        1_001,
    );
    assert!(
        matches!(refusal.response, Response::Refused(answer::Refused { ref reason }) if reason.contains("reveal"))
    );
    assert!(refusal.effects.is_empty());
    assert_eq!(s.tab_view(3, 0).key, Some(KeyShown::Hidden));
}

#[test]
fn copies_are_built_in_the_worker() {
    let mut s = state();
    send(&mut s, creds_page(KEY, &[]), 1_000);
    let o = send(
        &mut s,
        Request::Copy(ask::Copy {
            what: CopyWhat::ClientId,
            renewed: false,
        }),
        1_001,
    );
    assert_eq!(
        o.effects,
        vec![Effect::Clipboard {
            text: ID.into(),
            clear_after_secs: None
        }]
    );
    let o = send(
        &mut s,
        Request::Copy(ask::Copy {
            what: CopyWhat::AuthorizationHeader,
            renewed: false,
        }),
        1_002,
    );
    assert!(
        matches!(&o.effects[0], Effect::Clipboard { text, clear_after_secs: Some(30) } if text.starts_with("Authorization: Basic "))
    );
    assert!(matches!(
        o.response,
        Response::Copied(answer::Copied {
            clears_in_secs: Some(30),
            ..
        })
    ));
    let o = send(
        &mut s,
        Request::Copy(ask::Copy {
            what: CopyWhat::Curl,
            renewed: false,
        }),
        1_003,
    );
    assert!(
        matches!(o.response, Response::Refused(answer::Refused { ref reason }) if reason.contains("region")),
        "no region yet"
    );
    s.accounts.set_region(ID, "eu", 1_004);
    let o = send(
        &mut s,
        Request::Copy(ask::Copy {
            what: CopyWhat::Curl,
            renewed: false,
        }),
        1_005,
    );
    assert!(
        matches!(&o.effects[0], Effect::Clipboard { text, .. } if text.contains("https://directory-api.pingone.eu/api/directory/user?count=1"))
    );
}

#[test]
fn edit_renew_save_records_a_renewal_and_cancel_does_not() {
    let mut s = state();
    send(&mut s, creds_page(KEY, &["Edit"]), 1_000);
    // Edit, Renew: the new key shows, but nothing is recorded until Save.
    send(&mut s, click("Edit"), 2_000);
    send(&mut s, creds_page(KEY, &["Renew", "Save", "Cancel"]), 2_001);
    send(&mut s, click("Renew"), 2_002);
    send(
        &mut s,
        creds_page(KEY2, &["Renew", "Save", "Cancel"]),
        2_003,
    );
    assert!(s.accounts.accounts[ID].renewals.is_empty());
    send(&mut s, click("Cancel"), 2_004);
    send(&mut s, creds_page("••••", &["Show", "Edit"]), 2_005);
    assert!(
        s.accounts.accounts[ID].renewals.is_empty(),
        "Cancel keeps the key"
    );

    send(&mut s, creds_page(KEY, &["Renew", "Save", "Cancel"]), 3_000);
    send(&mut s, click("Renew"), 3_001);
    send(
        &mut s,
        creds_page(KEY2, &["Renew", "Save", "Cancel"]),
        3_002,
    );
    let o = send(&mut s, click("Save"), 3_003);
    assert!(o.effects.contains(&Effect::SaveAccounts));
    let account = &s.accounts.accounts[ID];
    assert_eq!(account.renewals, vec![3_003], "recorded at Save");
    assert_eq!(
        account.key.as_ref().map(|k| k.since_ms),
        Some(3_003),
        "the clock restarts"
    );
    assert_eq!(
        s.keys.get(ID).map(String::as_str),
        Some(KEY2),
        "the old key is forgotten; the new one shown after Renew is kept"
    );
    // Requests held with the old key go again with the new one, which is checked.
    assert!(o.effects.contains(&Effect::KeyInForce {
        credentials: crate::core::api::Credentials {
            client_id: ID.into(),
            api_key: KEY2.into(),
        },
        verify: true,
    }));
    // Seeing the new key later is not a second renewal.
    send(&mut s, creds_page(KEY2, &["Edit"]), 4_000);
    assert_eq!(s.accounts.accounts[ID].renewals, vec![3_003]);
}

#[test]
fn a_renewed_keys_check_is_told_in_the_tab_summary() {
    let mut s = state();
    send(&mut s, creds_page(KEY, &["Edit"]), 1_000);
    let summary = |s: &WorkerState| s.tab_view(3, 2_000).summary;
    // No region yet: nothing to check against, and the admin is told.
    assert_eq!(s.key_check_started(ID, Flavour::Store), None);
    assert!(summary(&s).ends_with("The new key did not work against the Directory API: the account's region is not known yet."), "{}", summary(&s));
    s.accounts.set_region(ID, "eu", 0);
    assert_eq!(
        s.key_check_started(ID, Flavour::Store).as_deref(),
        Some("https://directory-api.pingone.eu/api")
    );
    assert!(
        summary(&s).ends_with("Checking the new key against the Directory API\u{2026}"),
        "said while the check is out"
    );
    // The tab showing the account is read again to say how it went.
    assert_eq!(
        s.key_checked(ID, Ok(())),
        [Effect::ReadTabAgain { tab_id: 3 }]
    );
    assert!(
        summary(&s).ends_with("New key verified \u{2713} \u{2014} the Directory API accepted it.")
    );
    s.key_checked(ID, Err(crate::core::api::ApiError::Unauthorized));
    assert!(summary(&s)
        .contains("did not work against the Directory API: PingOne refused the API key (401)"));
    assert_eq!(s.key_checks.len(), 1, "one check per account, the latest");
}

#[test]
fn credentials_entered_by_hand_and_region_overrides() {
    let mut s = state();
    let popup = Sender::ExtensionPage;
    let bad = Request::ManualCredentials(ask::ManualCredentials {
        client_id: "<b>".into(),
        api_key: KEY.into(),
    });
    assert!(matches!(
        handle(&mut s, &bad, &popup, &facts(1)).response,
        Response::Refused(_)
    ));
    let bad_key = Request::ManualCredentials(ask::ManualCredentials {
        client_id: ID.into(),
        api_key: "two words".into(),
    });
    assert!(matches!(
        handle(&mut s, &bad_key, &popup, &facts(1)).response,
        Response::Refused(_)
    ));
    let good = Request::ManualCredentials(ask::ManualCredentials {
        client_id: ID.to_uppercase(),
        api_key: format!(" {KEY} "),
    });
    let o = handle(&mut s, &good, &popup, &facts(1));
    assert_eq!(o.response, Response::Ack);
    assert!(o
        .effects
        .iter()
        .any(|e| matches!(e, Effect::DetectRegion { .. })));
    assert_eq!(s.keys.get(ID).map(String::as_str), Some(KEY));
    let set = Request::SetRegion(ask::SetRegion {
        client_id: ID.into(),
        region: "au".into(),
    });
    assert_eq!(
        handle(&mut s, &set, &popup, &facts(2)).response,
        Response::Ack
    );
    assert_eq!(s.accounts.accounts[ID].region.as_deref(), Some("au"));
    let local = Request::SetRegion(ask::SetRegion {
        client_id: ID.into(),
        region: "local".into(),
    });
    assert!(
        matches!(
            handle(&mut s, &local, &popup, &facts(3)).response,
            Response::Refused(_)
        ),
        "no local region in the store build"
    );
    assert!(
        matches!(
            handle(&mut s, &set, &tab(), &facts(3)).response,
            Response::Refused(_)
        ),
        "not from content scripts"
    );
}

#[test]
fn a_glance_at_a_plain_page_is_judged_and_a_glance_at_a_credentials_page_asks_for_fields() {
    let mut s = state();
    let glance = |headings: &[&str], text: &str| {
        Request::PageSnapshot(ask::PageSnapshot {
            snapshot: Snapshot {
                headings: headings.iter().map(|h| h.to_string()).collect(),
                text: text.into(),
                glance: true,
                ..Snapshot::default()
            },
        })
    };
    let o = send(&mut s, glance(&["Dashboard"], "DashboardWelcome."), 1);
    assert_eq!(o.response, Response::PagePlan(PagePlan::default()));
    assert_eq!(
        s.tab_view(3, 1).summary,
        "PingOne for Enterprise console: Dashboard."
    );

    // The credentials page: its first glance only asks for the fields, and changes nothing.
    let text = format!("API CredentialsClient ID{ID}API Key{KEY}");
    let o = send(&mut s, glance(&["API Credentials"], &text), 2);
    assert_eq!(
        o.response,
        Response::PagePlan(PagePlan {
            helpers: None,
            fields: true,
            ..PagePlan::default()
        })
    );
    assert!(o.effects.is_empty() && s.accounts.accounts.is_empty());
    assert_eq!(
        s.tab_view(3, 2).summary,
        "PingOne for Enterprise console: Dashboard."
    );

    // The full snapshot is read, and the page stays read in full.
    let Request::PageSnapshot(ask::PageSnapshot { mut snapshot }) = creds_page(KEY, &["Edit"])
    else {
        unreachable!()
    };
    snapshot.text = text;
    let o = send(
        &mut s,
        Request::PageSnapshot(ask::PageSnapshot { snapshot }),
        3,
    );
    assert!(matches!(
        o.response,
        Response::PagePlan(PagePlan {
            helpers: Some(_),
            fields: true,
            recheck_ms: None,
            ..
        })
    ));
    assert!(s.accounts.accounts.contains_key(ID));

    // Back on a plain page, in full: glances from now on.
    let plain = Request::PageSnapshot(ask::PageSnapshot {
        snapshot: Snapshot {
            headings: vec!["Users".into()],
            text: "UsersUser Directory".into(),
            ..Snapshot::default()
        },
    });
    let o = send(&mut s, plain, 4);
    assert_eq!(o.response, Response::PagePlan(PagePlan::default()));
}

#[test]
fn decoys_and_foreign_tabs_read_nothing() {
    let mut s = state();
    let sso = Request::PageSnapshot(ask::PageSnapshot {
        snapshot: Snapshot {
            headings: vec!["Global Credentials".into()],
            items: row_items(&[("REST API Client Secret", KEY, None)]),
            ..Snapshot::default()
        },
    });
    let o = send(&mut s, sso, 1);
    assert_eq!(
        o.response,
        Response::PagePlan(PagePlan {
            helpers: None,
            fields: true,
            ..PagePlan::default()
        }),
        "no helpers, and the page is read in full while it shows SSO credentials"
    );
    assert!(s.accounts.accounts.is_empty() && s.keys.is_empty());
    let elsewhere = Sender::ContentScript {
        tab_url: "https://evil.example/".into(),
        tab_id: 9,
        document_id: None,
    };
    let o = handle(&mut s, &creds_page(KEY, &[]), &elsewhere, &facts(1));
    assert!(matches!(o.response, Response::Refused(_)));
    assert!(s.keys.is_empty());
    let o = handle(
        &mut s,
        &Request::TabState(ask::TabState { tab_id: 3 }),
        &tab(),
        &facts(1),
    );
    assert!(
        matches!(o.response, Response::Refused(_)),
        "content scripts cannot read tab state"
    );
    let o = handle(
        &mut s,
        &Request::Copy(ask::Copy {
            what: CopyWhat::ApiKey,
            renewed: false,
        }),
        &Sender::ExtensionPage,
        &facts(1),
    );
    assert!(matches!(o.response, Response::Refused(_)));
}
