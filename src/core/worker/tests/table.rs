use super::*;
use crate::core::api::throttle::Scheduler;
use crate::core::protocol::{Audience, RequestKind};
use crate::core::worker::*;

const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

/// A well-formed request of each kind (the match makes a new kind add its sample).
fn sample(kind: RequestKind) -> Request {
    let id = || ID.to_string();
    match kind {
        RequestKind::Status => Request::Status,
        RequestKind::ApiStatus => Request::ApiStatus,
        RequestKind::EmptyClipboard => Request::EmptyClipboard,
        RequestKind::ChecklistDone => Request::ChecklistDone,
        RequestKind::PageSnapshot => Request::PageSnapshot(ask::PageSnapshot {
            snapshot: Snapshot {
                url: "https://admin.pingone.com/web-portal/".into(),
                headings: vec!["API Credentials".into()],
                items: crate::core::console::page::row_items(&[
                    ("Client ID", ID, None),
                    ("API Key", KEY, None),
                ]),
                ..Snapshot::default()
            },
        }),
        RequestKind::PageClick => Request::PageClick(ask::PageClick {
            label: "Save".into(),
        }),
        RequestKind::PageReader => Request::PageReader,
        RequestKind::Copy => Request::Copy(ask::Copy {
            what: CopyWhat::ApiKey,
            renewed: false,
        }),
        RequestKind::TabState => Request::TabState(ask::TabState { tab_id: 7 }),
        RequestKind::ManualCredentials => Request::ManualCredentials(ask::ManualCredentials {
            client_id: id(),
            api_key: KEY.into(),
        }),
        RequestKind::SetRegion => Request::SetRegion(ask::SetRegion {
            client_id: id(),
            region: "eu".into(),
        }),
        RequestKind::UpdateAccount => Request::UpdateAccount(crate::core::accounts::AccountEdit {
            client_id: id(),
            label: "pwned".into(),
            ..Default::default()
        }),
        RequestKind::ForgetAccount => Request::ForgetAccount(ask::Account { client_id: id() }),
        RequestKind::ConfirmAccount => Request::ConfirmAccount(ask::Account { client_id: id() }),
        RequestKind::RestoreAccount => Request::RestoreAccount(ask::Account { client_id: id() }),
        RequestKind::KeyDate => Request::KeyDate(ask::KeyDate {
            client_id: id(),
            date: Some("2020-01-01".into()),
        }),
        RequestKind::Snooze => Request::Snooze(ask::Snooze {
            client_id: id(),
            days: 7,
        }),
        RequestKind::Search => Request::Search(ask::Search {
            client_id: id(),
            kind: SearchKind::Users,
            text: "a".into(),
            shown: 0,
        }),
        RequestKind::Detail => Request::Detail(ask::Detail {
            client_id: id(),
            kind: SearchKind::Users,
            id: "u".into(),
        }),
        RequestKind::ExportPage => Request::ExportPage(ask::ExportPage {
            group: None,
            client_id: id(),
            text: String::new(),
            start_index: 1,
            count: 200,
            left: 0,
            mailbox: None,
        }),
        RequestKind::CancelExport => Request::CancelExport,
        RequestKind::TeachTab => Request::TeachTab(ask::TabState { tab_id: 7 }),
        RequestKind::TeachStart => Request::TeachStart,
        RequestKind::TeachPick => Request::TeachPick(crate::core::console::layout::Pick {
            locator: "html>body:0".into(),
            text: ID.into(),
            masked: false,
        }),
        RequestKind::TeachCancel => Request::TeachCancel,
    }
}

/// A worker that knows the account, its key and region, and a console tab showing the key.
fn known() -> WorkerState {
    let mut s = WorkerState {
        salt: b"salt".to_vec(),
        ..WorkerState::default()
    };
    s.accounts.observe_key(ID, "fp", 1);
    s.accounts.set_region(ID, "eu", 1);
    s.keys.insert(ID.into(), KEY.into());
    s
}

fn facts() -> WorkerFacts {
    WorkerFacts {
        flavour: Flavour::Store,
        api: Scheduler::default().status(0),
        now: 0,
        wall_ms: 5,
    }
}

/// Generated from the table: every kind, from every sender the table does not name, is
/// refused — and changes nothing.
#[test]
fn every_request_from_a_sender_the_table_does_not_name_is_refused() {
    let facts = facts();
    let console = Sender::ContentScript {
        tab_url: "https://admin.pingone.com/web-portal/".into(),
        tab_id: 7,
        document_id: None,
    };
    let elsewhere = Sender::ContentScript {
        tab_url: "https://evil.example/".into(),
        tab_id: 7,
        document_id: None,
    };
    for kind in RequestKind::ALL {
        let request = sample(kind);
        assert_eq!(request.kind(), kind);
        let refused_from: Vec<&Sender> = match kind.audience() {
            Audience::OwnPages => vec![&console, &elsewhere, &Sender::Foreign],
            Audience::OwnConsoleTab => {
                vec![&Sender::ExtensionPage, &elsewhere, &Sender::Foreign]
            }
        };
        for sender in refused_from {
            let mut s = known();
            let before = (s.accounts.clone(), s.keys.clone(), s.tabs.len());
            let decision = decide(&mut s, &request, sender, &facts);
            assert!(
                matches!(
                    &decision,
                    Decision::Answer(Outcome {
                        response: Response::Refused(_),
                        effects,
                    }) if effects.is_empty()
                ),
                "{kind:?} from {sender:?}: {decision:?}"
            );
            assert_eq!(
                (s.accounts.clone(), s.keys.clone(), s.tabs.len()),
                before,
                "{kind:?}"
            );
        }
    }
}

#[test]
fn a_snooze_of_another_length_is_refused_for_that_reason() {
    let mut s = known();
    let snooze = Request::Snooze(ask::Snooze {
        client_id: ID.into(),
        days: 3650,
    });
    let Decision::Answer(Outcome {
        response: Response::Refused(answer::Refused { reason }),
        ..
    }) = decide(&mut s, &snooze, &Sender::ExtensionPage, &facts())
    else {
        panic!("refused");
    };
    assert_eq!(reason, "reminders can be snoozed for a day or a week");
}

/// The field reader goes to the tab the browser says asked for it (no message names a tab); from
/// any other sender the generated test above refuses it.
#[test]
fn the_field_reader_goes_to_the_tab_that_asked_for_it_and_nowhere_else() {
    let mut s = known();
    let before = (s.accounts.clone(), s.keys.clone(), s.tabs.len());
    let console = Sender::ContentScript {
        tab_url: "https://admin.pingone.com/web-portal/".into(),
        tab_id: 3,
        document_id: Some("D3".into()),
    };
    let Decision::Answer(o) = decide(&mut s, &Request::PageReader, &console, &facts()) else {
        panic!("answered");
    };
    assert_eq!(o.response, Response::Ack);
    assert_eq!(
        o.effects,
        vec![Effect::LoadPageReader {
            tab_id: 3,
            document_id: Some("D3".into())
        }]
    );
    assert_eq!(
        (s.accounts.clone(), s.keys.clone(), s.tabs.len()),
        before,
        "nothing else changes"
    );
}
