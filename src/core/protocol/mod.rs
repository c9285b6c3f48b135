//! The message protocol between Keyward's contexts, and the worker's decision on each message.
//!
//! Content scripts run inside an admin's console tab, next to page scripts we do not control, so
//! the worker treats them as less trusted than its own pages: every request names the senders it
//! accepts, and [`handle`] checks the sender before anything else. On the wire a request or an
//! answer is one flat object named by its `type`, a record answer's fields beside it; serde's
//! attributes below say exactly that, and `tests/wire.rs` holds the shapes to earlier releases.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::core::api::throttle::{Millis, Status};
use crate::core::lookup::call::Answered;
use crate::core::shared::hosts::{is_console_url, Flavour};
use crate::core::PRODUCT_NAME;

pub use crate::core::console::copy::CopyWhat;
use crate::core::VERSION;

/// Declares every message kind once — its doc, its variant (whose snake_case name is its `type` on
/// the wire), its payload if any, and for a request who may send it — and generates from those
/// rows the message enum, its kind enum with the list of kinds, the reader and `kind()`; for
/// requests also the audience table.
macro_rules! messages {
    (@read $message:ident $enum:ident $name:ident) => { $enum::$name };
    (@read $message:ident $enum:ident $name:ident $payload:ty) => { $enum::$name($message.read()?) };
    (@common $(#[$enum_meta:meta])* $enum:ident, $kind:ident {
        $( $(#[$meta:meta])* $name:ident $(($payload:ty))?, )*
    }) => {
        $(#[$enum_meta])*
        pub enum $enum {
            $( $(#[$meta])* $name $(($payload))?, )*
        }

        /// A message's kind: its `type` on the wire.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $kind {
            $( $name, )*
        }

        impl $kind {
            /// Every kind, for the tables and tests that must cover them all.
            pub const ALL: [$kind; [$(stringify!($name)),*].len()] = [$($kind::$name),*];
        }

        impl $enum {
            /// Reads a message: the same answer as its derived `Deserialize`, without buffering.
            pub fn read<S: Reread>(message: S) -> Result<$enum, S::Error> {
                let Tag { kind } = message.clone().read::<Tag<$kind>>()?;
                Ok(match kind {
                    $( $kind::$name => messages!(@read message $enum $name $($payload)?), )*
                })
            }

            /// This message's kind.
            pub fn kind(&self) -> $kind {
                match self {
                    $( $enum::$name { .. } => $kind::$name, )*
                }
            }
        }
    };
    // Requests: each row also says who may send it.
    ($(#[$enum_meta:meta])* enum $enum:ident, kind $kind:ident, sent by {
        $( $(#[$meta:meta])* $name:ident $(($payload:ty))? => $audience:ident; )*
    }) => {
        messages!(@common $(#[$enum_meta])* $enum, $kind { $( $(#[$meta])* $name $(($payload))?, )* });

        impl $kind {
            /// The one table of who may send what. The worker consults it before anything else,
            /// for every request, and a test is generated from it (every kind, every sender it
            /// does not name: refused).
            pub const fn audience(self) -> Audience {
                match self {
                    $( $kind::$name => Audience::$audience, )*
                }
            }
        }
    };
    ($(#[$enum_meta:meta])* enum $enum:ident, kind $kind:ident {
        $( $(#[$meta:meta])* $name:ident $(($payload:ty))?; )*
    }) => {
        messages!(@common $(#[$enum_meta])* $enum, $kind { $( $(#[$meta])* $name $(($payload))?, )* });
    };
}

messages! {
    /// What a context asks the worker (`{"type": "copy", "what": "api_key"}`): the kind in `type`, its
    /// payload's fields beside it. Unknown fields are ignored; a missing field or one of the wrong type
    /// makes the request unreadable. The derive states the wire shape; [`Request::read`] reads it from
    /// a JS object without buffering it, and a test holds the two to the same answers. What only the
    /// content script sends (it is JS) is never written by the bundle: those payloads are serialized in
    /// native tests only, and their serializers are not shipped.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Request, kind RequestKind, sent by {
        /// An extension page (popup, options) asks what the worker is and knows.
        Status => OwnPages;
        /// An extension page asks how the shared Directory API scheduler is doing.
        ApiStatus => OwnPages;
        /// A content script sends what its console page shows.
        #[cfg_attr(target_arch = "wasm32", serde(skip_serializing))]
        PageSnapshot(ask::PageSnapshot) => OwnConsoleTab;
        /// A content script reports a click on a page button (Edit, Renew, Save, Cancel…).
        #[cfg_attr(target_arch = "wasm32", serde(skip_serializing))]
        PageClick(ask::PageClick) => OwnConsoleTab;
        /// A content script asks for its field reader (`content-reader.js`: reading a page's fields,
        /// drawing the helpers), which loads into its tab only when a page needs it.
        PageReader => OwnConsoleTab;
        /// A copy helper was used.
        #[cfg_attr(target_arch = "wasm32", serde(skip_serializing))]
        Copy(ask::Copy) => OwnConsoleTab;
        /// The admin is done with the checklist shown after a renewal ("Done").
        ChecklistDone => OwnConsoleTab;
        /// The popup asks what Keyward sees in a tab, and which accounts it knows.
        TabState(ask::TabState) => OwnPages;
        /// The popup's "enter the credentials by hand", for layouts Keyward cannot read.
        ManualCredentials(ask::ManualCredentials) => OwnPages;
        /// The popup overrides an account's detected region.
        SetRegion(ask::SetRegion) => OwnPages;
        /// The options page edits an account (label, colour, production flag, integrations).
        UpdateAccount(crate::core::accounts::AccountEdit) => OwnPages;
        /// The options page forgets an account.
        ForgetAccount(ask::Account) => OwnPages;
        /// The options page's "Undo" after a Forget: the account comes back as it was.
        RestoreAccount(ask::Account) => OwnPages;
        /// The popup's answer to "when was this key created or last renewed?" (a date, or none).
        KeyDate(ask::KeyDate) => OwnPages;
        /// The popup's "Keep this account", for one known from a page's word alone.
        ConfirmAccount(ask::Account) => OwnPages;
        /// The popup snoozes an account's reminders for a day or a week.
        Snooze(ask::Snooze) => OwnPages;
        /// The popup searches an account's users or groups.
        Search(ask::Search) => OwnPages;
        /// The popup opens one user or group.
        Detail(ask::Detail) => OwnPages;
        /// The export page asks for one page of users.
        ExportPage(ask::ExportPage) => OwnPages;
        /// The export page was cancelled: drop its pages still waiting.
        CancelExport => OwnPages;
        /// The popup's "Empty the clipboard", offered while a copied secret may still be on it.
        EmptyClipboard => OwnPages;
        /// The popup asks to show Keyward the fields of the page in a tab it could not read.
        TeachTab(ask::TabState) => OwnPages;
        /// The page's own offer to show Keyward its fields was taken (a trusted click).
        TeachStart => OwnConsoleTab;
        /// A click on the page while the admin shows Keyward its fields.
        #[cfg_attr(target_arch = "wasm32", serde(skip_serializing))]
        TeachPick(crate::core::console::layout::Pick) => OwnConsoleTab;
        /// The admin stopped showing Keyward the fields (Esc, Cancel).
        TeachCancel => OwnConsoleTab;
    }
}

pub mod ask;

/// A message that can be read more than once: a JS object (at the edge) or a JSON value. Reading
/// the tag and then the payload from it costs two reads and no copy; serde's derive for tagged
/// enums instead buffers every message into a generic tree first, which compiled into about 40 KB
/// of the gzipped wasm.
pub trait Reread: Clone {
    type Error;
    fn read<T: DeserializeOwned>(self) -> Result<T, Self::Error>;
}

impl Reread for serde_json::Value {
    type Error = serde_json::Error;
    fn read<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self)
    }
}

/// The `type` of a tagged message.
#[derive(Deserialize)]
struct Tag<K> {
    #[serde(rename = "type")]
    kind: K,
}

/// Who sent a message, as the browser (not the message) says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sender {
    /// One of our own extension pages (popup, options, offscreen).
    ExtensionPage,
    /// Our content script, in the top frame of tab `tab_id` showing `tab_url`; `document_id` is
    /// that document's, where the browser reports one (Chrome), so work for it goes to it alone.
    ContentScript {
        tab_url: String,
        tab_id: i64,
        document_id: Option<String>,
    },
    /// Anything else: another extension, a web page, a sender we cannot identify.
    Foreign,
}

/// What the browser reports about a message's sender (`runtime.MessageSender`): the fields Keyward
/// judges by. A sender the browser describes in any other shape is foreign.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ReportedSender {
    /// `sender.id`: the extension the message came from.
    pub id: Option<String>,
    /// `sender.url`: the page or frame that sent it.
    pub url: Option<String>,
    /// `sender.tab`, when it came from a tab.
    pub tab: Option<ReportedTab>,
    /// `sender.frameId`: 0 for a tab's top frame.
    #[serde(default, rename = "frameId")]
    pub frame_id: Option<i64>,
    /// `sender.origin`, where the browser reports it (Chrome).
    #[serde(default)]
    pub origin: Option<String>,
    /// `sender.documentId`, where the browser reports it (Chrome).
    #[serde(default, rename = "documentId")]
    pub document_id: Option<String>,
}

/// `sender.tab`: which tab, showing what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ReportedTab {
    pub id: Option<i64>,
    pub url: Option<String>,
}

/// Who we are: our extension id, and our own pages' base URL (`chrome-extension://<id>/`,
/// `moz-extension://<uuid>/`).
#[derive(Clone, Copy, Debug)]
pub struct Us<'a> {
    pub id: &'a str,
    pub base: &'a str,
}

impl Sender {
    /// Classifies a sender from what the browser reports. A message from another extension, or
    /// with no id, is foreign; one from a URL under our own base is one of our pages (even when it
    /// is open in a tab); anything else from our id is our content script in that tab — only from
    /// its top frame (the only frame it runs in), and, where the browser reports the sending
    /// document's origin, only when that is the tab's own.
    pub fn classify(reported: &ReportedSender, us: Us<'_>) -> Sender {
        let ours = !us.id.is_empty() && reported.id.as_deref() == Some(us.id);
        if !ours {
            return Sender::Foreign;
        }
        let from_own_page = !us.base.is_empty()
            && reported
                .url
                .as_deref()
                .is_some_and(|u| u.starts_with(us.base));
        let tab = reported.tab.as_ref();
        match (from_own_page, tab.and_then(|t| t.url.as_deref())) {
            (true, _) => Sender::ExtensionPage,
            (false, Some(tab_url)) => {
                let top_frame = reported.frame_id == Some(0);
                let same_origin = reported
                    .origin
                    .as_deref()
                    .is_none_or(|o| Some(o) == origin_of(tab_url));
                match tab.and_then(|t| t.id) {
                    Some(tab_id) if top_frame && same_origin => Sender::ContentScript {
                        tab_url: tab_url.to_string(),
                        tab_id,
                        document_id: reported.document_id.clone(),
                    },
                    _ => Sender::Foreign,
                }
            }
            (false, None) => Sender::Foreign,
        }
    }
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| after_scheme + at);
    Some(&url[..end])
}

messages! {
    /// The worker's answer: one flat object named by its `type`, the fields of its payload (a page
    /// plan, a tab view…) beside it. `None` travels as `null`. Read with [`Response::read`].
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Response, kind ResponseKind {
        Status(answer::Status);
        ApiStatus(answer::ApiStatus);
        PagePlan(crate::core::console::credentials::PagePlan);
        Ack;
        Copied(answer::Copied);
        TabState(crate::core::console::credentials::TabView);
        Found(crate::core::lookup::Found);
        Detail(Box<crate::core::lookup::Detail>);
        /// A Directory API answer passed through as it came (an export page reads it itself).
        ApiBody(answer::ApiBody);
        ApiFailed(crate::core::lookup::Failure);
        Refused(answer::Refused);
    }
}

impl From<Answered> for Response {
    fn from(answered: Answered) -> Response {
        match answered {
            Answered::Found(found) => Response::Found(found),
            Answered::Detail(detail) => Response::Detail(detail),
            Answered::Body { body, note, count } => Response::ApiBody(answer::ApiBody {
                body,
                note,
                count,
                mailed: false,
            }),
            Answered::Failed(failure) => Response::ApiFailed(failure),
        }
    }
}

/// The payloads of answers that are not records of their own.
pub mod answer {
    use serde::{Deserialize, Serialize};

    /// What the worker is.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Status {
        pub name: String,
        pub version: String,
        pub flavour: String,
    }

    /// How the shared Directory API scheduler is doing.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ApiStatus {
        pub queued: usize,
        pub in_flight: usize,
        /// Milliseconds until the scheduler sends again, when it is holding back.
        pub waiting_ms: Option<u64>,
        pub recent_429s: usize,
        /// The server's own wait, in seconds, when Keyward capped it.
        pub capped_from_secs: Option<u64>,
    }

    pub use crate::core::console::copy::Copied;

    /// A Directory API body, as it came.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ApiBody {
        pub body: String,
        /// A quiet line for the admin (the server refused the full filter: it was simplified).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
        /// For a group's members: its `users/count`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub count: Option<u64>,
        /// The body went to the asking page's mailbox instead (`body` is then empty).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub mailed: bool,
    }

    /// Why the worker did not do what was asked.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Refused {
        pub reason: String,
    }
}

impl ResponseKind {
    /// The kind of an answer, read from its `type` alone: a page that knows what it asked for
    /// then reads only that payload (or the failure), so the bundle holds no reader for answers
    /// its pages never read (page plans, copies: those go to the content script).
    pub fn of<S: Reread>(answer: S) -> Result<ResponseKind, S::Error> {
        answer.read::<Tag<ResponseKind>>().map(|tag| tag.kind)
    }
}

/// What the worker asks its offscreen document, Chrome's clipboard for the worker
/// (`{"target": "offscreen", "op": "write", "text": …}`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffscreenRequest {
    pub target: OffscreenTarget,
    #[serde(flatten)]
    pub op: OffscreenOp,
}

/// Names the offscreen document as the one meant to answer (the worker ignores these messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffscreenTarget {
    Offscreen,
}

/// A clipboard operation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OffscreenOp {
    Write { text: String },
    Read,
}

/// What is written may be the key: it never prints.
impl std::fmt::Debug for OffscreenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.op {
            OffscreenOp::Write { .. } => "OffscreenRequest::Write(<redacted>)",
            OffscreenOp::Read => "OffscreenRequest::Read",
        })
    }
}

/// The offscreen document's answer: whether a write worked, or what a read found.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffscreenAnswer {
    #[serde(default)]
    pub ok: bool,
    #[serde(default)]
    pub text: Option<String>,
}

/// What a read found may be the key: it never prints.
impl std::fmt::Debug for OffscreenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OffscreenAnswer")
            .field("ok", &self.ok)
            .field("text", &self.text.as_ref().map(|_| "<redacted>"))
            .finish()
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

/// Who may send a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Keyward's own extension pages (popup, options, export page).
    OwnPages,
    /// Keyward's content script on a console page, about its own tab only: the tab is the one the
    /// browser reports, never one a message names.
    OwnConsoleTab,
}

/// An admitted sender: one of Keyward's pages, or its content script's console tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller<'a> {
    Page,
    /// A console tab's top frame; `document` is the sending document, where the browser names it.
    Tab {
        id: i64,
        url: &'a str,
        document: Option<&'a str>,
    },
}

/// Why a sender may not send a request (the worker answers `refused` with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

impl From<Refusal> for Response {
    fn from(refusal: Refusal) -> Response {
        refused(refusal.0)
    }
}

/// Admits a request by the table ([`RequestKind::audience`]), or says why not.
pub fn admit(kind: RequestKind, sender: &Sender, flavour: Flavour) -> Result<Caller<'_>, Refusal> {
    match (kind.audience(), sender) {
        (_, Sender::Foreign) => Err(Refusal("messages are accepted only from Keyward itself")),
        (Audience::OwnPages, Sender::ExtensionPage) => Ok(Caller::Page),
        (Audience::OwnPages, Sender::ContentScript { .. }) => {
            Err(Refusal("this request is for Keyward's own pages"))
        }
        (
            Audience::OwnConsoleTab,
            Sender::ContentScript {
                tab_url,
                tab_id,
                document_id,
            },
        ) => {
            if is_console_url(tab_url, flavour) {
                Ok(Caller::Tab {
                    id: *tab_id,
                    url: tab_url,
                    document: document_id.as_deref(),
                })
            } else {
                Err(Refusal("not a console page"))
            }
        }
        (Audience::OwnConsoleTab, Sender::ExtensionPage) => Err(Refusal(
            "this request comes from a console page's content script",
        )),
    }
}

/// What the worker is.
pub fn status(facts: &WorkerFacts) -> Response {
    Response::Status(answer::Status {
        name: PRODUCT_NAME.into(),
        version: VERSION.into(),
        flavour: match facts.flavour {
            Flavour::Store => "store",
            Flavour::Dev => "dev",
        }
        .into(),
    })
}

/// How the shared scheduler is doing.
pub fn api_status(facts: &WorkerFacts) -> Response {
    Response::ApiStatus(answer::ApiStatus {
        queued: facts.api.queued,
        in_flight: facts.api.in_flight,
        waiting_ms: facts.api.waiting_until.map(|t| t.saturating_sub(facts.now)),
        recent_429s: facts.api.recent_429s,
        capped_from_secs: facts.api.capped_from.map(|d| d.as_secs()),
    })
}

/// The answer to a message that could not be decoded.
pub fn undecodable() -> Response {
    refused("unknown or malformed message")
}

pub(crate) fn refused(reason: &str) -> Response {
    Response::Refused(answer::Refused {
        reason: reason.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::api::filter::SearchKind;
    use crate::core::api::throttle::Scheduler;

    fn facts(flavour: Flavour) -> WorkerFacts {
        WorkerFacts {
            flavour,
            api: Scheduler::default().status(0),
            now: 0,
            wall_ms: 0,
        }
    }

    fn content(url: &str) -> Sender {
        Sender::ContentScript {
            tab_url: url.to_string(),
            tab_id: 7,
            document_id: None,
        }
    }

    /// Generated from the table: every kind, from every kind of sender, admitted exactly when the
    /// table names that sender — and a content script only for a console page.
    #[test]
    fn the_table_admits_each_request_from_its_audience_only() {
        let console = content("https://admin.pingone.com/web-portal/dashboard");
        let elsewhere = content("https://evil.example/");
        for kind in RequestKind::ALL {
            for flavour in [Flavour::Store, Flavour::Dev] {
                let page = admit(kind, &Sender::ExtensionPage, flavour);
                let tab = admit(kind, &console, flavour);
                assert!(admit(kind, &Sender::Foreign, flavour).is_err(), "{kind:?}");
                assert!(admit(kind, &elsewhere, flavour).is_err(), "{kind:?}");
                match kind.audience() {
                    Audience::OwnPages => {
                        assert_eq!(page, Ok(Caller::Page), "{kind:?}");
                        assert!(tab.is_err(), "{kind:?} from a content script");
                    }
                    Audience::OwnConsoleTab => {
                        assert!(page.is_err(), "{kind:?} from an extension page");
                        assert!(matches!(tab, Ok(Caller::Tab { id: 7, .. })), "{kind:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn status_answers_say_what_the_worker_is_and_how_the_scheduler_does() {
        assert!(matches!(
            api_status(&facts(Flavour::Store)),
            Response::ApiStatus(answer::ApiStatus {
                queued: 0,
                in_flight: 0,
                waiting_ms: None,
                recent_429s: 0,
                capped_from_secs: None
            })
        ));
        assert!(matches!(
            status(&facts(Flavour::Dev)),
            Response::Status(answer::Status { flavour, .. }) if flavour == "dev"
        ));
    }

    #[test]
    fn senders_are_classified_by_what_the_browser_reports() {
        let us = Us {
            id: "me",
            base: "chrome-extension://me/",
        };
        let facts = |id: Option<&str>, url: Option<&str>, tab_url: Option<&str>| ReportedSender {
            id: id.map(Into::into),
            url: url.map(Into::into),
            tab: tab_url.map(|u| ReportedTab {
                id: Some(7),
                url: Some(u.into()),
            }),
            frame_id: tab_url.map(|_| 0),
            ..ReportedSender::default()
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
            assert_eq!(Sender::classify(&facts, us), expected, "{facts:?}");
        }
        let no_identity = ReportedSender {
            id: Some(String::new()),
            ..ReportedSender::default()
        };
        let nobody = Us { id: "", base: "" };
        assert_eq!(Sender::classify(&no_identity, nobody), Sender::Foreign);
        // What the browser reports, as it reports it (extra fields and all).
        let reported: ReportedSender = serde_json::from_value(serde_json::json!({
            "id": "me", "url": "https://admin.pingone.com/", "frameId": 0, "origin": "https://admin.pingone.com",
            "tab": {"id": 7, "url": "https://admin.pingone.com/", "active": true, "index": 2}
        }))
        .expect("a MessageSender");
        assert_eq!(
            Sender::classify(&reported, us),
            content("https://admin.pingone.com/")
        );
        // Pinned to the tab's top frame and its origin; the document that asked is named.
        let top = facts(Some("me"), Some(page), Some(page));
        let pinned = |f: &dyn Fn(&mut ReportedSender)| {
            let mut sender = top.clone();
            f(&mut sender);
            Sender::classify(&sender, us)
        };
        assert_eq!(
            pinned(&|s| s.frame_id = Some(3)),
            Sender::Foreign,
            "a subframe"
        );
        assert_eq!(pinned(&|s| s.frame_id = None), Sender::Foreign, "no frame");
        assert_eq!(
            pinned(&|s| s.origin = Some("https://evil.example".into())),
            Sender::Foreign,
            "another origin than the tab's"
        );
        assert_eq!(
            pinned(&|s| s.origin = Some("https://admin.pingone.com".into())),
            content(page)
        );
        assert_eq!(
            pinned(&|s| s.document_id = Some("D1".into())),
            Sender::ContentScript {
                tab_url: page.into(),
                tab_id: 7,
                document_id: Some("D1".into()),
            }
        );
        assert_eq!(origin_of("https://a.b:8443/x?y"), Some("https://a.b:8443"));
        assert_eq!(origin_of("http://127.0.0.1:9"), Some("http://127.0.0.1:9"));
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn requests_decode_from_tagged_json() {
        // Both readers: the derive, and the worker's (tag, then payload). They agree on every case.
        let decode = |text: &str| {
            let derived = serde_json::from_str::<Request>(text).ok();
            let value: serde_json::Value = serde_json::from_str(text).expect("json");
            assert_eq!(Request::read(value).ok(), derived, "{text}");
            derived
        };
        let edit = crate::core::accounts::AccountEdit {
            client_id: "c".into(),
            label: "Prod".into(),
            colour: "#cf222e".into(),
            production: true,
            integrations: "SCIM sync".into(),
            key_date: String::new(),
        };
        let cases = [
            (
                r#"{"type":"copy","what":"api_key"}"#,
                Some(Request::Copy(ask::Copy {
                    what: CopyWhat::ApiKey,
                    renewed: false,
                })),
            ),
            (r#"{"type":"status"}"#, Some(Request::Status)),
            (r#"{"type":"cancel_export"}"#, Some(Request::CancelExport)),
            (
                r#"{"type":"tab_state","tab_id":7}"#,
                Some(Request::TabState(ask::TabState { tab_id: 7 })),
            ),
            (
                r##"{"type":"update_account","client_id":"c","label":"Prod","colour":"#cf222e","production":true,"integrations":"SCIM sync"}"##,
                Some(Request::UpdateAccount(edit)),
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
        use crate::core::console::copy::HelperButton;
        use crate::core::console::credentials::{AgeBanner, Helpers, PagePlan};
        use crate::core::lookup::{Failure, FailureCode};
        use crate::core::reminders::Level;
        use serde_json::json;
        let plan = PagePlan {
            helpers: Some(Helpers {
                anchor: 2,
                buttons: vec![HelperButton {
                    what: CopyWhat::AuthorizationHeader,
                    label: "Copy Authorization header".into(),
                    waits: None,
                    renewed: false,
                }],
                note: "n".into(),
                age: Some(AgeBanner {
                    text: "t".into(),
                    level: Level::DueSoon,
                }),
                guard: None,
            }),
            fields: true,
            recheck_ms: Some(250),
            ..PagePlan::default()
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
                }, "fields": true, "recheck_ms": 250}),
            ),
            (
                Response::Copied(answer::Copied {
                    what: CopyWhat::ClientId,
                    message: "m".into(),
                    clears_in_secs: None,
                }),
                json!({"type": "copied", "what": "client_id", "message": "m", "clears_in_secs": null}),
            ),
            (
                Response::ApiStatus(answer::ApiStatus {
                    queued: 1,
                    in_flight: 2,
                    waiting_ms: Some(3),
                    recent_429s: 4,
                    capped_from_secs: None,
                }),
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
            assert_eq!(
                serde_json::to_value(&response).expect("answers serialize"),
                expected,
                "{response:?}"
            );
        }
    }

    #[test]
    fn record_answers_read_back_as_they_were_written() {
        use crate::core::accounts::view::AccountView;
        use crate::core::console::credentials::{KeyShown, TabKind, TabView};
        use crate::core::lookup::{Attribute, Detail, Found, Row};
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
            note: None,
        };
        let detail = Detail {
            kind: SearchKind::Users,
            row: row.clone(),
            times: vec![("Created".into(), -5)],
            related: vec![row],
            related_total: None,
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
            kind: TabKind::Credentials,
            page: None,
            client_id: Some("c".into()),
            key: Some(KeyShown::Shown),
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
            can_teach: false,
        };
        // The popup reads the worker's answer, `type` and all.
        let round_trip = |r: Response| {
            let written = serde_json::to_value(&r).expect("answers serialize");
            serde_json::from_value::<Response>(written).ok()
        };
        for answer in [
            Response::Found(found),
            Response::Detail(Box::new(detail)),
            Response::TabState(view),
        ] {
            assert_eq!(round_trip(answer.clone()), Some(answer));
        }
    }
}
