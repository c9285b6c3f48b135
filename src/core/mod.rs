//! The pure core: every decision Keyward makes, with no browser crate in sight.
//!
//! Modules here never name a browser crate (wasm-bindgen, web-sys, js-sys, gloo; a test enforces it).
//! They take plain data in (URLs, manifests, messages) and return values or views out; the `web`
//! edge performs the I/O those values ask for.

// From the bottom up: each folder imports only those above it in `tests/architecture.rs`'s
// layering table (which also forbids cycles).
pub mod shared;

pub mod api;

pub mod effect;

pub mod reminders;

pub mod accounts;
pub mod settings;

pub mod console;
pub mod export;
pub mod lookup;

pub mod protocol;

pub mod popup;

pub mod worker;

/// The product name, as users see it.
pub const PRODUCT_NAME: &str = "Keyward";

/// The extension version; `Cargo.toml` is its single source (the build copies it into the manifest).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod redaction_tests {
    //! `Debug` of every type that can hold the key prints it redacted, so a future log line (or a
    //! panic message) cannot leak it.
    use crate::core::api::throttle::Scheduler;
    use crate::core::api::Credentials;
    use crate::core::console::page::{self, Cell, Input, Item, Snapshot};
    use crate::core::console::reader;
    use crate::core::lookup;
    use crate::core::protocol::{
        ask, OffscreenAnswer, OffscreenOp, OffscreenRequest, OffscreenTarget,
    };
    use crate::core::protocol::{Request, Sender, WorkerFacts};
    use crate::core::shared::hosts::Flavour;
    use crate::core::worker::{self, WorkerState};

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

    /// A credentials page with the key in every place a page can put text.
    fn snapshot() -> Snapshot {
        let item = |text: &str, path: u32, tag: &str| Item {
            text: text.into(),
            path: vec![path],
            tag: tag.into(),
            ..Item::default()
        };
        Snapshot {
            url: "https://admin.pingone.com/web-portal/#/setup/directory/api-credentials".into(),
            title: format!("PingOne {KEY}"),
            headings: vec!["API Credentials".into(), KEY.into()],
            buttons: vec![KEY.into()],
            items: vec![
                item("Client ID", 1, "dt"),
                item(ID, 1, "dd"),
                item("API Key", 2, "dt"),
                Item {
                    cell: Some(Cell::default()),
                    input: Some(Input {
                        kind: "text".into(),
                        names: vec!["API Key".into()],
                    }),
                    ..item(KEY, 2, "dd")
                },
            ],
            text: format!("API Credentials Client ID {ID} API Key {KEY}"),
            ..Snapshot::default()
        }
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let snapshot = snapshot();
        let credentials = Credentials {
            client_id: ID.into(),
            api_key: KEY.into(),
        };
        let report = Request::PageSnapshot(ask::PageSnapshot {
            snapshot: snapshot.clone(),
        });
        let manual = Request::ManualCredentials(ask::ManualCredentials {
            client_id: ID.into(),
            api_key: KEY.into(),
        });
        let mut state = WorkerState {
            salt: b"salt".to_vec(),
            ..WorkerState::default()
        };
        let tab = Sender::ContentScript {
            tab_url: snapshot.url.clone(),
            tab_id: 3,
            document_id: None,
        };
        let facts = WorkerFacts {
            flavour: Flavour::Store,
            api: Scheduler::default().status(0),
            now: 0,
            wall_ms: 1_000,
        };
        let decided = worker::decide(&mut state, &report, &tab, &facts);
        assert_eq!(
            state.keys.get(ID).map(String::as_str),
            Some(KEY),
            "the key was read"
        );
        let copy = Request::Copy(ask::Copy {
            what: crate::core::protocol::CopyWhat::ApiKey,
            renewed: false,
        });
        let copied = worker::decide(&mut state, &copy, &tab, &facts);
        let search = worker::decide(
            &mut state,
            &Request::Search(ask::Search {
                client_id: ID.into(),
                kind: crate::core::api::filter::SearchKind::Users,
                text: "a".into(),
                shown: 0,
            }),
            &Sender::ExtensionPage,
            &facts,
        );
        let printed = [
            format!("{snapshot:?}"),
            format!("{:?}", snapshot.items),
            format!("{report:?}"),
            format!("{manual:?}"),
            format!("{credentials:?}"),
            format!("{:?}", reader::read(&snapshot.items)),
            format!("{:?}", page::classify(&snapshot)),
            format!("{state:?}"),
            format!("{decided:?}"),
            format!("{copied:?}"),
            format!("{search:?}"),
            format!(
                "{:?}",
                lookup::ApiCall {
                    credentials: credentials.clone(),
                    job: lookup::Job::ExportPage {
                        list: lookup::call::Listing {
                            url: "u".into(),
                            simpler: None,
                            simplified: false,
                            refusal: String::new(),
                        },
                        count_url: None,
                        left: 0,
                    },
                }
            ),
            format!(
                "{:?}",
                OffscreenRequest {
                    target: OffscreenTarget::Offscreen,
                    op: OffscreenOp::Write { text: KEY.into() },
                }
            ),
            format!(
                "{:?}",
                OffscreenAnswer {
                    ok: true,
                    text: Some(KEY.into()),
                }
            ),
        ];
        for line in &printed {
            assert!(!line.contains(KEY), "the key printed: {line}");
        }
        assert!(printed[0].contains("admin.pingone.com"), "{}", printed[0]);
    }
}
