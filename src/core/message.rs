//! The message protocol between Keyward's contexts, and the worker's decision on each message.
//!
//! Content scripts run inside an admin's console tab, next to page scripts we do not control, so
//! the worker treats them as less trusted than its own pages: every request names the senders it
//! accepts, and [`handle`] checks the sender before anything else. Requests are read with
//! [`Request::decode`]; answers are written with [`ToJson`] (see `codec`).

use super::codec::{self, record, FromJson, ToJson};
use super::console::Flavour;
use super::filter::SearchKind;
use super::json::{Map, Value};
use super::page::Snapshot;
use super::throttle::{Millis, Status};
use super::{PRODUCT_NAME, VERSION};

/// What a context asks the worker. On the wire a request is one flat object named by its `type`
/// (`{"type": "copy", "what": "api_key"}`); read it with [`Request::decode`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// An extension page (popup, options) asks what the worker is and knows.
    Status,
    /// An extension page asks how the shared Directory API scheduler is doing.
    ApiStatus,
    /// A content script sends what its console page shows.
    PageSnapshot { snapshot: Snapshot },
    /// A content script reports a click on a page button (Edit, Renew, Save, Cancel…).
    PageClick { label: String },
    /// A copy helper was used.
    Copy { what: CopyWhat },
    /// The popup asks what Keyward sees in a tab, and which accounts it knows.
    TabState { tab_id: i64 },
    /// The popup's "enter the credentials by hand", for layouts Keyward cannot read.
    ManualCredentials { client_id: String, api_key: String },
    /// The popup overrides an account's detected region.
    SetRegion { client_id: String, region: String },
    /// The options page edits an account (label, colour, production flag, integrations).
    /// On the wire the edit's fields sit beside `client_id`.
    UpdateAccount {
        client_id: String,
        edit: super::accounts::AccountEdit,
    },
    /// The options page forgets an account.
    ForgetAccount { client_id: String },
    /// The popup snoozes an account's reminders for a day or a week.
    Snooze { client_id: String, days: u64 },
    /// The popup searches an account's users or groups.
    Search {
        client_id: String,
        kind: SearchKind,
        text: String,
    },
    /// The popup opens one user or group.
    Detail {
        client_id: String,
        kind: SearchKind,
        id: String,
    },
    /// The export page asks for one page of users.
    ExportPage {
        client_id: String,
        text: String,
        start_index: u64,
        count: u32,
    },
    /// The export page was cancelled: drop its pages still waiting.
    CancelExport,
}

impl Request {
    /// Reads a request as a context sends it; `None` for anything else (an unknown type, a missing
    /// field, a field of the wrong type).
    pub fn decode(message: Value) -> Option<Request> {
        // Fields are read in place: removing them would compile a B-tree removal for `Value`
        // maps into the wasm for nothing.
        let fields = message.as_object()?;
        let kind: String = field(fields, "type")?;
        Some(match kind.as_str() {
            "status" => Request::Status,
            "api_status" => Request::ApiStatus,
            "cancel_export" => Request::CancelExport,
            "page_snapshot" => Request::PageSnapshot {
                snapshot: field(fields, "snapshot")?,
            },
            "page_click" => Request::PageClick {
                label: field(fields, "label")?,
            },
            "copy" => Request::Copy {
                what: field(fields, "what")?,
            },
            "tab_state" => Request::TabState {
                tab_id: field(fields, "tab_id")?,
            },
            "manual_credentials" => Request::ManualCredentials {
                client_id: field(fields, "client_id")?,
                api_key: field(fields, "api_key")?,
            },
            "set_region" => Request::SetRegion {
                client_id: field(fields, "client_id")?,
                region: field(fields, "region")?,
            },
            "update_account" => {
                // The edit's fields sit beside `client_id` on the wire.
                Request::UpdateAccount {
                    client_id: field(fields, "client_id")?,
                    edit: codec::read(&message)?,
                }
            }
            "forget_account" => Request::ForgetAccount {
                client_id: field(fields, "client_id")?,
            },
            "snooze" => Request::Snooze {
                client_id: field(fields, "client_id")?,
                days: field(fields, "days")?,
            },
            "search" => Request::Search {
                client_id: field(fields, "client_id")?,
                kind: field(fields, "kind")?,
                text: field(fields, "text")?,
            },
            "detail" => Request::Detail {
                client_id: field(fields, "client_id")?,
                kind: field(fields, "kind")?,
                id: field(fields, "id")?,
            },
            "export_page" => Request::ExportPage {
                client_id: field(fields, "client_id")?,
                text: field(fields, "text")?,
                start_index: field(fields, "start_index")?,
                count: field(fields, "count")?,
            },
            _ => return None,
        })
    }
}

/// A request's field, read as `T`; `None` when it is missing or not a `T`.
fn field<T: FromJson>(fields: &Map, name: &str) -> Option<T> {
    codec::read(fields.get(name)?)
}

/// What a copy helper copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyWhat {
    ClientId,
    ApiKey,
    AuthorizationHeader,
    Curl,
    ShellExports,
}

codec::wire_names!(CopyWhat {
    ClientId => "client_id",
    ApiKey => "api_key",
    AuthorizationHeader => "authorization_header",
    Curl => "curl",
    ShellExports => "shell_exports",
});

impl CopyWhat {
    /// Whether the copied text contains the key (and is cleared from the clipboard later).
    pub fn is_secret(self) -> bool {
        !matches!(self, CopyWhat::ClientId)
    }
}

/// Who sent a message, as the browser (not the message) says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sender {
    /// One of our own extension pages (popup, options, offscreen).
    ExtensionPage,
    /// Our content script, in tab `tab_id` showing `tab_url`.
    ContentScript { tab_url: String, tab_id: i64 },
    /// Anything else: another extension, a web page, a sender we cannot identify.
    Foreign,
}

/// What the browser reports about a message's sender (`runtime.MessageSender`), and who we are.
#[derive(Clone, Copy, Debug, Default)]
pub struct SenderFacts<'a> {
    /// `sender.id`: the extension the message came from.
    pub id: Option<&'a str>,
    /// `sender.url`: the page or frame that sent it.
    pub url: Option<&'a str>,
    /// `sender.tab.url`, when it came from a tab.
    pub tab_url: Option<&'a str>,
    /// `sender.tab.id`, when it came from a tab.
    pub tab_id: Option<i64>,
    /// Our own extension id.
    pub own_id: &'a str,
    /// Our own pages' base URL (`chrome-extension://<id>/`, `moz-extension://<uuid>/`).
    pub own_base: &'a str,
}

impl Sender {
    /// Classifies a sender from what the browser reports. A message from another extension, or
    /// with no id, is foreign; one from a URL under our own base is one of our pages (even when it
    /// is open in a tab); anything else from our id is our content script in that tab.
    pub fn classify(facts: SenderFacts<'_>) -> Sender {
        let ours = !facts.own_id.is_empty() && facts.id == Some(facts.own_id);
        if !ours {
            return Sender::Foreign;
        }
        let from_own_page =
            !facts.own_base.is_empty() && facts.url.is_some_and(|u| u.starts_with(facts.own_base));
        match (from_own_page, facts.tab_url) {
            (true, _) => Sender::ExtensionPage,
            (false, Some(tab_url)) => match facts.tab_id {
                Some(tab_id) => Sender::ContentScript {
                    tab_url: tab_url.to_string(),
                    tab_id,
                },
                None => Sender::Foreign,
            },
            (false, None) => Sender::Foreign,
        }
    }
}

/// The worker's answer. On the wire an answer is one flat object named by its `type`, the fields of
/// a record answer (a page plan, a tab view…) beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Status {
        name: &'static str,
        version: &'static str,
        flavour: &'static str,
    },
    ApiStatus {
        queued: usize,
        in_flight: usize,
        /// Milliseconds until the scheduler sends again, when it is holding back.
        waiting_ms: Option<u64>,
        recent_429s: usize,
        /// The server's own wait, in seconds, when Keyward capped it.
        capped_from_secs: Option<u64>,
    },
    PagePlan(super::worker::PagePlan),
    Ack,
    Copied {
        what: CopyWhat,
        /// What to tell the admin.
        message: String,
        /// Seconds until the clipboard is cleared (if it still holds the copy); `None` when the
        /// copy is not secret.
        clears_in_secs: Option<u64>,
    },
    TabState(super::worker::TabView),
    Found(super::lookup::Found),
    Detail(Box<super::lookup::Detail>),
    /// A Directory API answer passed through as it came (an export page reads it itself).
    ApiBody {
        body: String,
    },
    ApiFailed(super::lookup::Failure),
    Refused {
        reason: String,
    },
}

impl ToJson for Response {
    fn to_json(&self) -> Value {
        let tagged = |kind: &str| record().field("type", kind);
        match self {
            Response::Status {
                name,
                version,
                flavour,
            } => tagged("status")
                .field("name", *name)
                .field("version", *version)
                .field("flavour", *flavour),
            Response::ApiStatus {
                queued,
                in_flight,
                waiting_ms,
                recent_429s,
                capped_from_secs,
            } => tagged("api_status")
                .field("queued", queued)
                .field("in_flight", in_flight)
                .field("waiting_ms", waiting_ms)
                .field("recent_429s", recent_429s)
                .field("capped_from_secs", capped_from_secs),
            Response::PagePlan(plan) => tagged("page_plan").merge(plan.to_json()),
            Response::Ack => tagged("ack"),
            Response::Copied {
                what,
                message,
                clears_in_secs,
            } => tagged("copied")
                .field("what", what)
                .field("message", message)
                .field("clears_in_secs", clears_in_secs),
            Response::TabState(view) => tagged("tab_state").merge(view.to_json()),
            Response::Found(found) => tagged("found").merge(found.to_json()),
            Response::Detail(detail) => tagged("detail").merge(detail.to_json()),
            Response::ApiBody { body } => tagged("api_body").field("body", body),
            Response::ApiFailed(failure) => tagged("api_failed").merge(failure.to_json()),
            Response::Refused { reason } => tagged("refused").field("reason", reason),
        }
        .done()
    }
}

/// What the worker knows when it answers, gathered by the edge.
#[derive(Clone, Debug)]
pub struct WorkerFacts {
    pub flavour: Flavour,
    pub api: Status,
    /// The scheduler's clock.
    pub now: Millis,
    /// Wall-clock milliseconds since the Unix epoch.
    pub wall_ms: u64,
}

/// Decides the answer to `request` from `sender`. Pure: the edge supplies the facts.
pub fn handle(request: &Request, sender: &Sender, facts: &WorkerFacts) -> Response {
    let flavour = facts.flavour;
    match (request, sender) {
        (_, Sender::Foreign) => refused("messages are accepted only from Keyward itself"),
        (Request::Status, Sender::ExtensionPage) => Response::Status {
            name: PRODUCT_NAME,
            version: VERSION,
            flavour: match flavour {
                Flavour::Store => "store",
                Flavour::Dev => "dev",
            },
        },
        (Request::Status, Sender::ContentScript { .. }) => {
            refused("status is for Keyward's own pages")
        }
        (Request::ApiStatus, Sender::ExtensionPage) => Response::ApiStatus {
            queued: facts.api.queued,
            in_flight: facts.api.in_flight,
            waiting_ms: facts.api.waiting_until.map(|t| t.saturating_sub(facts.now)),
            recent_429s: facts.api.recent_429s,
            capped_from_secs: facts.api.capped_from.map(|d| d.as_secs()),
        },
        (Request::ApiStatus, Sender::ContentScript { .. }) => {
            refused("the API status is for Keyward's own pages")
        }
        // The stateful requests are answered by `worker::handle`; reaching here means a wrong sender.
        (Request::PageSnapshot { .. } | Request::PageClick { .. }, _) => {
            refused("page reports come from content scripts")
        }
        (Request::Copy { .. }, _) => refused("copy helpers run in console pages"),
        (
            Request::TabState { .. }
            | Request::ManualCredentials { .. }
            | Request::SetRegion { .. }
            | Request::UpdateAccount { .. }
            | Request::ForgetAccount { .. }
            | Request::Snooze { .. }
            | Request::Search { .. }
            | Request::Detail { .. }
            | Request::ExportPage { .. },
            _,
        ) => refused("this request is for Keyward's own pages"),
        (Request::CancelExport, _) => refused("this request is for Keyward's own pages"),
    }
}

/// The answer to a message that could not be decoded.
pub fn undecodable() -> Response {
    refused("unknown or malformed message")
}

pub(crate) fn refused(reason: &str) -> Response {
    Response::Refused {
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::throttle::Scheduler;

    fn facts(flavour: Flavour) -> WorkerFacts {
        WorkerFacts {
            flavour,
            api: Scheduler::default().status(0),
            now: 0,
            wall_ms: 0,
        }
    }

    #[test]
    fn api_status_is_for_extension_pages() {
        let f = facts(Flavour::Store);
        assert!(matches!(
            handle(&Request::ApiStatus, &Sender::ExtensionPage, &f),
            Response::ApiStatus {
                queued: 0,
                in_flight: 0,
                waiting_ms: None,
                recent_429s: 0,
                capped_from_secs: None
            }
        ));
        assert!(matches!(
            handle(&Request::ApiStatus, &content("https://x/"), &f),
            Response::Refused { .. }
        ));
    }

    fn content(url: &str) -> Sender {
        Sender::ContentScript {
            tab_url: url.to_string(),
            tab_id: 7,
        }
    }

    #[test]
    fn each_request_is_answered_only_for_its_senders() {
        let status = Request::Status;
        let tab_state = Request::TabState { tab_id: 7 };
        let console_tab = content("https://admin.pingone.com/web-portal/dashboard");
        assert!(matches!(
            handle(&status, &Sender::ExtensionPage, &facts(Flavour::Store)),
            Response::Status {
                flavour: "store",
                ..
            }
        ));
        assert!(matches!(
            handle(&status, &console_tab, &facts(Flavour::Store)),
            Response::Refused { .. }
        ));
        assert!(matches!(
            handle(&status, &Sender::Foreign, &facts(Flavour::Dev)),
            Response::Refused { .. }
        ));
        assert!(matches!(
            handle(&tab_state, &console_tab, &facts(Flavour::Store)),
            Response::Refused { .. }
        ));
    }

    #[test]
    fn senders_are_classified_by_what_the_browser_reports() {
        let base = "chrome-extension://me/";
        let facts = |id, url, tab_url: Option<&'static str>| SenderFacts {
            id,
            url,
            tab_url,
            tab_id: tab_url.map(|_| 7),
            own_id: "me",
            own_base: base,
        };
        let popup = "chrome-extension://me/popup.html";
        let page = "https://admin.pingone.com/";
        let cases = [
            (facts(Some("me"), Some(popup), None), Sender::ExtensionPage),
            (
                facts(Some("me"), Some(popup), Some(popup)),
                Sender::ExtensionPage,
            ),
            (facts(Some("me"), Some(page), Some(page)), content(page)),
            (facts(Some("me"), Some(page), None), Sender::Foreign),
            (facts(Some("other"), Some(popup), None), Sender::Foreign),
            (facts(None, Some(popup), None), Sender::Foreign),
            (
                facts(Some("me"), Some("chrome-extension://me.evil/"), Some(page)),
                content(page),
            ),
        ];
        for (facts, expected) in cases {
            assert_eq!(Sender::classify(facts), expected, "{facts:?}");
        }
        let no_identity = SenderFacts {
            id: Some(""),
            own_id: "",
            ..SenderFacts::default()
        };
        assert_eq!(Sender::classify(no_identity), Sender::Foreign);
    }

    #[test]
    fn requests_decode_from_tagged_json() {
        let decode =
            |text: &str| Request::decode(crate::core::json::parse_str(text).expect("json"));
        let edit = crate::core::accounts::AccountEdit {
            label: "Prod".into(),
            colour: "#cf222e".into(),
            production: true,
            integrations: "SCIM sync".into(),
        };
        let cases = [
            (
                r#"{"type":"copy","what":"api_key"}"#,
                Some(Request::Copy {
                    what: CopyWhat::ApiKey,
                }),
            ),
            (r#"{"type":"status"}"#, Some(Request::Status)),
            (r#"{"type":"cancel_export"}"#, Some(Request::CancelExport)),
            (
                r#"{"type":"tab_state","tab_id":7}"#,
                Some(Request::TabState { tab_id: 7 }),
            ),
            (
                r##"{"type":"update_account","client_id":"c","label":"Prod","colour":"#cf222e","production":true,"integrations":"SCIM sync"}"##,
                Some(Request::UpdateAccount {
                    client_id: "c".into(),
                    edit,
                }),
            ),
            (r#"{"type":"copy","what":"everything"}"#, None),
            (r#"{"type":"copy"}"#, None),
            (r#"{"type":"page_click","label":7}"#, None),
            (r#"{"type":"update_account","label":"no id"}"#, None),
            (r#"{"type":"steal_key"}"#, None),
            (r#"{"type":"status","extra":1}"#, Some(Request::Status)),
            (
                r#"{"type":"export_page","client_id":"c","text":"","start_index":1,"count":4294967296}"#,
                None,
            ),
            (r#"{"type":"tab_state","tab_id":7.5}"#, None),
            (r#"{"type":7}"#, None),
            (r#"{"what":"api_key"}"#, None),
            (r#"["copy"]"#, None),
            (r#""status""#, None),
            (r#"null"#, None),
        ];
        for (text, expected) in cases {
            assert_eq!(decode(text), expected, "{text}");
        }
    }

    /// The answers as content.js, popup.js and the e2e suites read them: one flat object named by
    /// `type`, a record answer's fields beside it, `None` as `null`.
    #[test]
    fn answers_encode_as_flat_tagged_json() {
        use crate::core::json::json;
        use crate::core::lookup::{Failure, FailureCode};
        use crate::core::reminder::Level;
        use crate::core::worker::{AgeBanner, HelperButton, Helpers, PagePlan};
        let plan = PagePlan {
            helpers: Some(Helpers {
                anchor: 2,
                buttons: vec![HelperButton {
                    what: CopyWhat::AuthorizationHeader,
                    label: "Copy Authorization header",
                }],
                note: "n".into(),
                age: Some(AgeBanner {
                    text: "t".into(),
                    level: Level::DueSoon,
                }),
                guard: None,
            }),
            fields: true,
        };
        let cases = [
            (Response::Ack, json!({"type": "ack"})),
            (
                Response::PagePlan(PagePlan::default()),
                json!({"type": "page_plan", "helpers": null, "fields": false}),
            ),
            (
                Response::PagePlan(plan),
                json!({"type": "page_plan", "helpers": {
                    "anchor": 2,
                    "buttons": [{"what": "authorization_header", "label": "Copy Authorization header"}],
                    "note": "n",
                    "age": {"text": "t", "level": "due_soon"},
                    "guard": null,
                }, "fields": true}),
            ),
            (
                Response::Copied {
                    what: CopyWhat::ClientId,
                    message: "m".into(),
                    clears_in_secs: None,
                },
                json!({"type": "copied", "what": "client_id", "message": "m", "clears_in_secs": null}),
            ),
            (
                Response::ApiStatus {
                    queued: 1,
                    in_flight: 2,
                    waiting_ms: Some(3),
                    recent_429s: 4,
                    capped_from_secs: None,
                },
                json!({"type": "api_status", "queued": 1, "in_flight": 2, "waiting_ms": 3, "recent_429s": 4, "capped_from_secs": null}),
            ),
            (
                Response::ApiFailed(Failure {
                    code: FailureCode::RateLimited,
                    message: "m".into(),
                    retry: true,
                }),
                json!({"type": "api_failed", "code": "rate_limited", "message": "m", "retry": true}),
            ),
            (refused("no"), json!({"type": "refused", "reason": "no"})),
        ];
        for (response, expected) in cases {
            assert_eq!(response.to_json(), expected, "{response:?}");
        }
    }

    #[test]
    fn record_answers_read_back_as_they_were_written() {
        use crate::core::lookup::{Attribute, Detail, Found, Row};
        use crate::core::worker::{AccountView, TabView};
        let row = Row {
            id: "u1".into(),
            title: "ann".into(),
            subtitle: Some("Ann Lee".into()),
            email: None,
            status: Some("Disabled".into()),
            inactive: true,
        };
        let found = Found {
            kind: SearchKind::Groups,
            text: "a".into(),
            rows: vec![row.clone()],
            total: Some(9),
            skipped: 1,
        };
        let detail = Detail {
            kind: SearchKind::Users,
            row: row.clone(),
            times: vec![("Created".into(), -5)],
            related: vec![row],
            user_count: None,
            user_count_problem: Some("p".into()),
            attributes: vec![Attribute {
                path: "name.givenName".into(),
                value: "Ann".into(),
                when_ms: Some(7),
            }],
            attributes_omitted: 3,
        };
        let view = TabView {
            kind: "credentials".into(),
            page: None,
            client_id: Some("c".into()),
            key: Some("shown".into()),
            summary: "s".into(),
            accounts: vec![AccountView {
                client_id: "c".into(),
                label: Some("Prod".into()),
                production: true,
                key_read: true,
                first_seen_ms: 11,
                users_url: "u".into(),
                ..AccountView::default()
            }],
        };
        // The popup reads the worker's answer, `type` and all.
        let answer = |r: Response| r.to_json();
        assert_eq!(
            codec::read::<Found>(&answer(Response::Found(found.clone()))),
            Some(found)
        );
        assert_eq!(
            codec::read::<Detail>(&answer(Response::Detail(Box::new(detail.clone())))),
            Some(detail)
        );
        assert_eq!(
            codec::read::<TabView>(&answer(Response::TabState(view.clone()))),
            Some(view)
        );
    }
}
