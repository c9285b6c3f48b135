//! The worker's stateful decisions: what a console page shows, what to add to it, what to remember,
//! and what a copy helper copies.
//!
//! The edge loads [`WorkerState`] (accounts from `storage.local`, keys from `storage.session`),
//! passes each message in, and performs the [`Effect`]s that come back: saving, clipboard writes,
//! region probes. Per-tab readings live only in the worker's memory.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::accounts::{fingerprint, Accounts};
use super::api::Credentials;
use super::console::{users_page, Flavour, CONSOLE_HOME};
use super::filter::SearchKind;
use super::lookup::{detail_urls, search_request, ApiCall, Failure, FailureCode, Job};
use super::message::{
    self, answer, ask, refused, Caller, CopyWhat, Request, Response, Sender, WorkerFacts,
};
use super::page::{
    classify, normalize_label, wants_fields, ClientIdState, KeyState, PageKind, Snapshot,
};
use super::pager::PageRequest;
use super::region::Region;
use super::reminder::{assess, badge, describe, reminder_owed, Badge, Level, DAY_MS};
use super::settings::Settings;
use super::snippet;

/// Seconds before a copied secret is cleared from the clipboard (if still there).
pub const DEFAULT_CLIPBOARD_CLEAR_SECS: u64 = 30;

/// Where the search for an account's region stands (memory only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionSearch {
    /// The probes are out.
    Finding,
    /// No region accepted the credential (or none could be reached): the admin chooses.
    NotFound,
}

impl RegionSearch {
    /// What the popup says of it: `finding`, `unknown`.
    pub fn wire_name(self) -> &'static str {
        match self {
            RegionSearch::Finding => "finding",
            RegionSearch::NotFound => "unknown",
        }
    }
}

/// Records the end of a region search: the region found is kept; otherwise the popup offers the
/// choice. Returns whether the accounts changed.
pub fn region_searched(
    state: &mut WorkerState,
    client_id: &str,
    found: Option<&str>,
    now_ms: u64,
) -> bool {
    match found {
        Some(region) => {
            state.region_search.remove(client_id);
            state.accounts.set_region(client_id, region, now_ms);
            true
        }
        None => {
            state
                .region_search
                .insert(client_id.to_string(), RegionSearch::NotFound);
            false
        }
    }
}

/// What the worker holds.
#[derive(Clone, Default)]
pub struct WorkerState {
    pub accounts: Accounts,
    /// Keys by Client ID, mirrored to `storage.session` (when allowed) for popup lookups.
    pub keys: IndexMap<String, String>,
    pub salt: Vec<u8>,
    pub settings: Settings,
    pub tabs: HashMap<i64, TabState>,
    /// Region searches since the worker started, by Client ID: one probe per account, not one per
    /// snapshot, and what the popup says while there is no region.
    pub region_search: HashMap<String, RegionSearch>,
}

impl std::fmt::Debug for WorkerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerState")
            .field("accounts", &self.accounts)
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("tabs", &self.tabs.len())
            .finish()
    }
}

/// What Keyward knows of one tab.
#[derive(Clone, Default)]
pub struct TabState {
    pub view: TabView,
    /// The key as shown in this tab (memory only).
    shown_key: Option<String>,
    editing: bool,
    renew_clicked: bool,
    /// A renewed key shown before Save (memory only): taken when Save is clicked, dropped on
    /// Cancel; until then the key in force stays the one Keyward holds.
    pending_key: Option<String>,
    /// A renewal was just saved on this page: remind to update each integration.
    just_renewed: bool,
}

// The popup and the export page read tab views back; the content script reads page plans.

/// What the popup shows about a tab.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabView {
    /// `not_console`, `console`, `sso_credentials`, `credentials`.
    pub kind: String,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    /// `shown`, `hidden`, `unreadable`.
    #[serde(default)]
    pub key: Option<String>,
    /// A sentence for the admin.
    pub summary: String,
    pub accounts: Vec<AccountView>,
}

/// An account, for the popup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub client_id: String,
    /// The region's label.
    #[serde(default)]
    pub region: Option<String>,
    /// The region's id (`na`, `eu`, `au`, `local`).
    #[serde(default)]
    pub region_id: Option<String>,
    /// While there is no region: `finding` (probes out) or `unknown` (none accepted: choose).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_status: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub production: bool,
    /// "Key age 45 days: due for renewal in 45 days."
    #[serde(default)]
    pub age: Option<String>,
    /// Whether reminders are due (the popup then offers to snooze them).
    #[serde(default)]
    pub reminding: bool,
    pub key_read: bool,
    pub first_seen_ms: u64,
    /// Where the key can be read again (the page it was last read on, or the console home).
    #[serde(default)]
    pub credentials_url: String,
    /// The console's Users page for this account.
    #[serde(default)]
    pub users_url: String,
}

/// What the content script adds to a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePlan {
    pub helpers: Option<Helpers>,
    /// Read this page's fields from now on (a glance is not enough). Answering a glance with
    /// `fields` and nothing else asks for them at once.
    pub fields: bool,
}

/// Copy helpers next to a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Helpers {
    /// The snapshot pair the helpers follow.
    pub anchor: usize,
    pub buttons: Vec<HelperButton>,
    pub note: String,
    /// The key-age banner, when Keyward knows since when this key exists.
    pub age: Option<AgeBanner>,
    /// The integrations checklist around a renewal (Edit mode, and just after Save).
    pub guard: Option<Guard>,
}

/// A non-blocking checklist of what uses the key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    pub title: String,
    pub items: Vec<String>,
}

/// "Key age 45 days: due for renewal in 45 days." and how urgent that is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBanner {
    pub text: String,
    pub level: Level,
}

/// A reminder notification to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub client_id: String,
    pub title: String,
    pub message: String,
}

/// What a reminder check decided: the badge, and the notifications owed (already recorded as sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderCheck {
    pub badge: Badge,
    pub notify: Vec<Reminder>,
}

/// Checks every account's key age: the badge for the worst, and each reminder owed (marked sent, so
/// none is sent twice).
pub fn check_reminders(state: &mut WorkerState, now_ms: u64) -> ReminderCheck {
    let schedule = state.settings.schedule.clone();
    let mut ages = Vec::new();
    let mut notify = Vec::new();
    for account in state.accounts.accounts.values_mut() {
        let Some(key) = &account.key else {
            continue;
        };
        let age = assess(key.since_ms, now_ms, &schedule);
        ages.push(age);
        if let Some(stage) = reminder_owed(&age, &schedule, &account.reminders, now_ms) {
            account.reminders.notified_stage = Some(stage);
            account.reminders.notified_at_ms = Some(now_ms);
            notify.push(Reminder {
                client_id: account.client_id.clone(),
                title: if age.level == Level::Overdue {
                    "PingOne API key overdue for renewal".into()
                } else {
                    "PingOne API key due for renewal soon".into()
                },
                message: format!(
                    "Account {}: {} Renew it at Setup \u{2192} Directory Settings \u{2192} API Credentials.",
                    account.client_id,
                    describe(&age)
                ),
            });
        }
    }
    ReminderCheck {
        badge: badge(&ages),
        notify,
    }
}

/// Snoozes an account's reminders.
pub fn snooze(state: &mut WorkerState, client_id: &str, days: u64, now_ms: u64) -> bool {
    match state.accounts.accounts.get_mut(client_id) {
        Some(account) => {
            account.reminders.snoozed_until_ms = Some(now_ms + days * DAY_MS);
            true
        }
        None => false,
    }
}

/// One copy button: what it copies, and its label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperButton {
    pub what: CopyWhat,
    pub label: String,
}

impl HelperButton {
    fn new(what: CopyWhat, label: &str) -> HelperButton {
        HelperButton {
            what,
            label: label.to_string(),
        }
    }
}

/// Work for the edge.
#[derive(Clone, PartialEq, Eq)]
pub enum Effect {
    SaveAccounts,
    /// Mirror the keys map to `storage.session`.
    SaveKeys,
    /// Write to the clipboard; clear it after `clear_after_secs` if it still holds `text`.
    Clipboard {
        text: String,
        clear_after_secs: Option<u64>,
    },
    /// Find this account's region with the shown key.
    DetectRegion {
        credentials: Credentials,
    },
    /// Drop the export's requests still waiting.
    CancelExport,
}

impl std::fmt::Debug for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Effect::SaveAccounts => f.write_str("SaveAccounts"),
            Effect::SaveKeys => f.write_str("SaveKeys"),
            Effect::Clipboard {
                clear_after_secs, ..
            } => write!(f, "Clipboard(<redacted>, {clear_after_secs:?})"),
            Effect::DetectRegion { credentials } => write!(f, "DetectRegion({credentials:?})"),
            Effect::CancelExport => f.write_str("CancelExport"),
        }
    }
}

/// A message's answer and the work it implies.
#[derive(Debug)]
pub struct Outcome {
    pub response: Response,
    pub effects: Vec<Effect>,
}

fn answer(response: Response) -> Outcome {
    Outcome {
        response,
        effects: Vec::new(),
    }
}

const NO_ACCOUNT: &str = "Not a PingOne for Enterprise console page.";

impl WorkerState {
    /// An account's Directory API base: its region's, if this flavour has that region (a store
    /// build never a loopback one, whatever storage says).
    fn api_base(&self, client_id: &str, flavour: Flavour) -> Option<String> {
        self.accounts
            .accounts
            .get(client_id)?
            .region
            .as_deref()
            .and_then(Region::from_id)
            .filter(|r| Region::available(flavour).contains(r))?
            .api_base(self.settings.local_api_base.as_deref())
    }

    fn account_views(&self, now_ms: u64) -> Vec<AccountView> {
        self.accounts
            .accounts
            .values()
            .map(|a| {
                (
                    a,
                    a.key
                        .as_ref()
                        .map(|k| assess(k.since_ms, now_ms, &self.settings.schedule)),
                )
            })
            .map(|(a, age)| AccountView {
                client_id: a.client_id.clone(),
                region: a
                    .region
                    .as_deref()
                    .and_then(Region::from_id)
                    .map(|r| r.label().to_string()),
                region_id: a.region.clone(),
                region_status: a
                    .region
                    .is_none()
                    .then(|| self.region_search.get(&a.client_id))
                    .flatten()
                    .map(|s| s.wire_name().to_string()),
                label: a.label.clone(),
                colour: a.colour.clone(),
                production: a.production,
                age: age.map(|g| describe(&g)),
                reminding: age.is_some_and(|g| g.level != Level::Fresh),
                key_read: self.keys.contains_key(&a.client_id),
                first_seen_ms: a.first_seen_ms,
                credentials_url: a
                    .credentials_url
                    .clone()
                    .unwrap_or_else(|| CONSOLE_HOME.to_string()),
                users_url: users_page(a.credentials_url.as_deref()),
            })
            .collect()
    }

    /// The popup's view of a tab.
    pub fn tab_view(&self, tab_id: i64, now_ms: u64) -> TabView {
        let mut view = self
            .tabs
            .get(&tab_id)
            .map(|t| t.view.clone())
            .unwrap_or_else(|| TabView {
                kind: "not_console".into(),
                summary: NO_ACCOUNT.into(),
                ..TabView::default()
            });
        view.accounts = self.account_views(now_ms);
        view
    }
}

/// What the worker does with a message: answer it (after the effects), or make Directory API
/// requests for it.
#[derive(Debug)]
pub enum Decision {
    Answer(Outcome),
    Api(ApiCall),
}

/// Decides one message: the table of who may send what first ([`message::admit`]), then the
/// request's own handler.
pub fn decide(
    state: &mut WorkerState,
    request: &Request,
    sender: &Sender,
    facts: &WorkerFacts,
) -> Decision {
    let caller = match message::admit(request.kind(), sender, facts.flavour) {
        Ok(caller) => caller,
        Err(refusal) => return Decision::Answer(answer(refusal.into())),
    };
    let now = facts.wall_ms;
    Decision::Answer(match (request, caller) {
        (Request::Status, _) => answer(message::status(facts)),
        (Request::ApiStatus, _) => answer(message::api_status(facts)),
        (Request::PageSnapshot(p), Caller::Tab { id, url }) => {
            page_snapshot(state, id, url, &p.snapshot, now)
        }
        (Request::PageClick(p), Caller::Tab { id, .. }) => page_click(state, id, &p.label, now),
        (Request::Copy(p), Caller::Tab { id, .. }) => copy(state, id, p.what, facts.flavour),
        // The table admits these from a console tab only.
        (Request::PageSnapshot(_) | Request::PageClick(_) | Request::Copy(_), Caller::Page) => {
            answer(refused(
                "this request comes from a console page's content script",
            ))
        }
        (Request::Search(_) | Request::Detail(_) | Request::ExportPage(_), _) => {
            return match api_call(state, request, facts.flavour) {
                Some(Ok(call)) => Decision::Api(call),
                Some(Err(response)) => Decision::Answer(answer(response)),
                None => Decision::Answer(answer(message::undecodable())),
            };
        }
        (Request::TabState(p), _) => answer(Response::TabState(state.tab_view(p.tab_id, now))),
        (Request::ManualCredentials(p), _) => {
            manual_credentials(state, &p.client_id, &p.api_key, now)
        }
        (Request::UpdateAccount(edit), _) => match state.accounts.edit(edit) {
            Ok(()) => saved_accounts(),
            Err(e) => answer(refused(&e.to_string())),
        },
        (Request::Snooze(p), _) => {
            if !matches!(p.days, 1 | 7) {
                answer(refused("reminders can be snoozed for a day or a week"))
            } else if snooze(state, &p.client_id, p.days, now) {
                saved_accounts()
            } else {
                answer(refused("Keyward does not know that account"))
            }
        }
        (Request::CancelExport, _) => Outcome {
            response: Response::Ack,
            effects: vec![Effect::CancelExport],
        },
        (Request::ForgetAccount(p), _) => {
            if !state.accounts.forget(&p.client_id) {
                return Decision::Answer(answer(refused("Keyward does not know that account")));
            }
            state.keys.shift_remove(&p.client_id);
            Outcome {
                response: Response::Ack,
                effects: vec![Effect::SaveAccounts, Effect::SaveKeys],
            }
        }
        (Request::SetRegion(p), _) => {
            let known = state.accounts.accounts.contains_key(&p.client_id);
            match Region::from_id(&p.region)
                .filter(|r| Region::available(facts.flavour).contains(r))
            {
                Some(r) if known => {
                    state.region_search.remove(&p.client_id);
                    state.accounts.set_region(&p.client_id, r.id(), now);
                    saved_accounts()
                }
                _ => answer(refused("unknown account or region")),
            }
        }
    })
}

fn saved_accounts() -> Outcome {
    Outcome {
        response: Response::Ack,
        effects: vec![Effect::SaveAccounts],
    }
}

/// What an API message asks for.
enum Asked<'a> {
    Search(SearchKind, &'a str),
    Detail(SearchKind, &'a str),
    ExportPage(&'a str, PageRequest),
}

/// The Directory API call a lookup or export message asks for, checked: only Keyward's own pages
/// may ask, and only for an account whose key was read in this browser session and whose region is
/// known. `None` for messages that are not API calls.
fn api_call(
    state: &WorkerState,
    request: &Request,
    flavour: Flavour,
) -> Option<Result<ApiCall, Response>> {
    let (client_id, asked) = match request {
        Request::Search(ask::Search {
            client_id,
            kind,
            text,
        }) => (client_id, Asked::Search(*kind, text)),
        Request::Detail(ask::Detail {
            client_id,
            kind,
            id,
        }) => (client_id, Asked::Detail(*kind, id)),
        Request::ExportPage(ask::ExportPage {
            client_id,
            text,
            start_index,
            count,
        }) => (
            client_id,
            Asked::ExportPage(
                text,
                PageRequest {
                    start_index: *start_index,
                    count: *count,
                },
            ),
        ),
        _ => return None,
    };
    let failed = |code, message: &str| Some(Err(Response::ApiFailed(Failure::new(code, message))));
    if !state.accounts.accounts.contains_key(client_id) {
        return failed(
            FailureCode::NoKey,
            "Keyward does not know that account yet: open its API Credentials page.",
        );
    }
    let Some(api_key) = state.keys.get(client_id) else {
        return failed(
            FailureCode::NoKey,
            "Keyward has not read this account\u{2019}s API key in this browser session: open the API Credentials page (Setup > Directory Settings > API Credentials), or enter the key by hand.",
        );
    };
    let Some(base) = state.api_base(client_id, flavour) else {
        return failed(
            FailureCode::NoRegion,
            "This account\u{2019}s region is not known yet: choose it in the account list below.",
        );
    };
    let job = match asked {
        Asked::Search(kind, text) => Job::Search {
            kind,
            text: text.to_string(),
            url: search_request(kind, text).url(&base),
        },
        Asked::Detail(kind, id) => {
            let (url, count_url) = detail_urls(&base, kind, id);
            Job::Detail {
                kind,
                url,
                count_url,
            }
        }
        Asked::ExportPage(text, page) => Job::ExportPage {
            url: super::export::page_request(text, page).url(&base),
        },
    };
    Some(Ok(ApiCall {
        credentials: Credentials {
            client_id: client_id.clone(),
            api_key: api_key.clone(),
        },
        job,
    }))
}

fn page_snapshot(
    state: &mut WorkerState,
    tab_id: i64,
    tab_url: &str,
    snapshot: &Snapshot,
    now: u64,
) -> Outcome {
    let kind = classify(snapshot);
    let fields = wants_fields(snapshot) || !matches!(kind, PageKind::Console { .. });
    if snapshot.glance && fields {
        // A glance at a page that may show the credential: judge nothing from it, ask for its fields.
        return answer(Response::PagePlan(PagePlan {
            helpers: None,
            fields,
        }));
    }
    // Snapshots arrive on every DOM change; only a real change to the accounts is written.
    let accounts_before = state.accounts.clone();
    let tab = state.tabs.entry(tab_id).or_default();
    let mut effects = Vec::new();
    let mut plan = PagePlan {
        helpers: None,
        fields,
    };
    match &kind {
        PageKind::Console { name } => {
            *tab = TabState::default();
            tab.view = TabView {
                kind: "console".into(),
                page: name.clone(),
                summary: match name {
                    Some(n) => format!("PingOne for Enterprise console: {n}."),
                    None => "PingOne for Enterprise console.".into(),
                },
                ..TabView::default()
            };
        }
        PageKind::SsoCredentials => {
            *tab = TabState::default();
            tab.view = TabView {
                kind: "sso_credentials".into(),
                summary: "These are SSO REST API credentials, not the Directory API credential: Keyward reads nothing here.".into(),
                ..TabView::default()
            };
        }
        PageKind::Credentials(reading) => {
            let client_id = match &reading.client_id {
                ClientIdState::Read { id, .. } => id.clone(),
                unread => {
                    *tab = TabState::default();
                    tab.view = TabView {
                        kind: "credentials".into(),
                        summary: match unread {
                            ClientIdState::Ambiguous => "API Credentials page, but it shows more than one Client ID: Keyward read neither. Enter the credentials by hand in the popup.",
                            _ => "API Credentials page, but Keyward does not recognise its layout: nothing was read. Enter the credentials by hand in the popup.",
                        }
                        .into(),
                        ..TabView::default()
                    };
                    return answer(Response::PagePlan(plan));
                }
            };
            let was_editing = tab.editing;
            tab.editing = reading.editing;
            if was_editing && !reading.editing && !tab.renew_clicked {
                tab.pending_key = None;
            }
            // A renewed key beside the one in force ("New API key"), or — after Renew — in its
            // place: not in force until Save.
            let in_place = reading.editing && tab.renew_clicked;
            match (&reading.new_key, &reading.key) {
                (KeyState::Shown(new), _) => tab.pending_key = Some(new.clone()),
                (_, KeyState::Shown(key)) if in_place => tab.pending_key = Some(key.clone()),
                _ => {}
            }
            let (key_word, note) = match &reading.key {
                KeyState::Shown(key) => {
                    let fp = fingerprint(&state.salt, key);
                    tab.shown_key = Some(key.clone());
                    if !in_place {
                        state.accounts.observe_key(&client_id, &fp, now);
                        if state.settings.session_keys() && state.keys.get(&client_id) != Some(key)
                        {
                            state.keys.insert(client_id.clone(), key.clone());
                            effects.push(Effect::SaveKeys);
                        }
                        let region_known = state
                            .accounts
                            .accounts
                            .get(&client_id)
                            .is_some_and(|a| a.region.is_some());
                        if !region_known && !state.region_search.contains_key(&client_id) {
                            state
                                .region_search
                                .insert(client_id.clone(), RegionSearch::Finding);
                            effects.push(Effect::DetectRegion {
                                credentials: Credentials {
                                    client_id: client_id.clone(),
                                    api_key: key.clone(),
                                },
                            });
                        }
                    }
                    let secs = state.settings.clipboard_clear_secs();
                    ("shown", format!("Copies of the key are cleared from the clipboard after {secs} s if unchanged; the OS clipboard history may keep a copy."))
                }
                KeyState::Hidden => {
                    tab.shown_key = None;
                    state.accounts.seen(&client_id, now);
                    (
                        "hidden",
                        "Key hidden \u{2014} reveal it to enable the key helpers.".to_string(),
                    )
                }
                KeyState::Ambiguous => {
                    tab.shown_key = None;
                    state.accounts.seen(&client_id, now);
                    (
                        "unreadable",
                        "The page shows more than one API key: Keyward read neither.".to_string(),
                    )
                }
                KeyState::Unreadable => {
                    tab.shown_key = None;
                    state.accounts.seen(&client_id, now);
                    (
                        "unreadable",
                        "Keyward could not read the API key field.".to_string(),
                    )
                }
            };
            state.accounts.note_credentials_page(&client_id, tab_url);
            let mut buttons = vec![HelperButton::new(CopyWhat::ClientId, "Copy Client ID")];
            if tab.shown_key.is_some() {
                buttons.extend([
                    HelperButton::new(CopyWhat::ApiKey, "Copy API key"),
                    HelperButton::new(CopyWhat::AuthorizationHeader, "Copy Authorization header"),
                    HelperButton::new(CopyWhat::Curl, "Copy curl"),
                    HelperButton::new(CopyWhat::ShellExports, "Copy shell exports"),
                ]);
            }
            let age = state
                .accounts
                .accounts
                .get(&client_id)
                .and_then(|a| a.key.as_ref())
                .map(|k| assess(k.since_ms, now, &state.settings.schedule))
                .map(|age| AgeBanner {
                    text: describe(&age),
                    level: age.level,
                });
            let integrations = state
                .accounts
                .accounts
                .get(&client_id)
                .map(|a| a.integrations.clone())
                .unwrap_or_default();
            let guard = if integrations.is_empty() {
                None
            } else if reading.editing {
                Some(Guard {
                    title: "Renewing breaks every integration that uses this key until it is updated. Cut-over checklist:".into(),
                    items: integrations,
                })
            } else if tab.just_renewed {
                Some(Guard {
                    title: "Key renewed: update each integration with the new key.".into(),
                    items: integrations,
                })
            } else {
                None
            };
            plan.helpers = Some(Helpers {
                anchor: reading.anchor,
                buttons,
                note,
                age,
                guard,
            });
            tab.view = TabView {
                kind: "credentials".into(),
                page: Some("API Credentials".into()),
                client_id: Some(client_id.clone()),
                key: Some(key_word.into()),
                summary: match key_word {
                    "shown" if tab.pending_key.is_some() => format!("API Credentials page: Client ID {client_id}, key read. A renewed key is shown: Keyward takes it when you click Save (Cancel keeps the current one)."),
                    "shown" => format!("API Credentials page: Client ID {client_id}, key read."),
                    "hidden" => format!("API Credentials page: Client ID {client_id}; key hidden \u{2014} reveal it to enable the key helpers."),
                    _ => format!("API Credentials page: Client ID {client_id}; the key could not be read."),
                },
                accounts: Vec::new(),
            };
        }
    }
    if state.accounts != accounts_before {
        effects.insert(0, Effect::SaveAccounts);
    }
    Outcome {
        response: Response::PagePlan(plan),
        effects,
    }
}

fn manual_credentials(
    state: &mut WorkerState,
    client_id: &str,
    api_key: &str,
    now: u64,
) -> Outcome {
    let Some(client_id) = super::reader::client_id(client_id) else {
        return answer(refused(
            "the Client ID should be a UUID such as 910a2dec-8902-4cc1-beeb-8da1658eec67",
        ));
    };
    let Some(api_key) = super::reader::api_key(api_key) else {
        return answer(refused(
            "the API key should be the key itself: 16 or more letters and digits, no spaces",
        ));
    };
    let fp = fingerprint(&state.salt, &api_key);
    state.accounts.observe_key(&client_id, &fp, now);
    let mut effects = vec![Effect::SaveAccounts];
    if state.settings.session_keys() {
        state.keys.insert(client_id.clone(), api_key.clone());
        effects.push(Effect::SaveKeys);
    }
    state
        .region_search
        .insert(client_id.clone(), RegionSearch::Finding);
    effects.push(Effect::DetectRegion {
        credentials: Credentials { client_id, api_key },
    });
    Outcome {
        response: Response::Ack,
        effects,
    }
}

fn page_click(state: &mut WorkerState, tab_id: i64, label: &str, now: u64) -> Outcome {
    let Some(tab) = state.tabs.get_mut(&tab_id) else {
        return answer(Response::Ack);
    };
    let mut effects = Vec::new();
    match normalize_label(label).as_str() {
        // Renew exists only in Edit mode; a key shown before it is the old one.
        "renew" if tab.view.kind == "credentials" => {
            tab.renew_clicked = true;
            tab.pending_key = None;
        }
        "cancel" => {
            tab.renew_clicked = false;
            tab.pending_key = None;
        }
        "save" if tab.renew_clicked || tab.pending_key.is_some() => {
            if let Some(client_id) = tab.view.client_id.clone() {
                tab.just_renewed = true;
                // The renewed key, when the page showed it: Keyward goes on looking things up
                // with it without waiting for the page to show it again.
                let new_key = tab.pending_key.take();
                let fp = new_key.as_ref().map(|key| fingerprint(&state.salt, key));
                state.accounts.renewal_saved(&client_id, fp, now);
                // The old key no longer works: forget it.
                let had_key = state.keys.shift_remove(&client_id).is_some();
                let keeps_new = match new_key {
                    Some(key) if state.settings.session_keys() => {
                        state.keys.insert(client_id.clone(), key);
                        true
                    }
                    _ => false,
                };
                if had_key || keeps_new {
                    effects.push(Effect::SaveKeys);
                }
                effects.push(Effect::SaveAccounts);
            }
            tab.renew_clicked = false;
        }
        _ => {}
    }
    Outcome {
        response: Response::Ack,
        effects,
    }
}

fn copy(state: &WorkerState, tab_id: i64, what: CopyWhat, flavour: Flavour) -> Outcome {
    let Some(tab) = state.tabs.get(&tab_id) else {
        return answer(refused("open the API Credentials page first"));
    };
    let Some(client_id) = tab.view.client_id.clone() else {
        return answer(refused("no Client ID was read on this page"));
    };
    let credentials = || {
        tab.shown_key.clone().map(|api_key| Credentials {
            client_id: client_id.clone(),
            api_key,
        })
    };
    let region_base = || state.api_base(&client_id, flavour);
    const HIDDEN: &str = "the key is hidden: reveal it to enable the key helpers";
    const NO_REGION: &str = "the account's region is still being found; try again in a moment";
    let text = match (what, credentials()) {
        (CopyWhat::ClientId, _) => client_id.clone(),
        (_, None) => return answer(refused(HIDDEN)),
        (CopyWhat::ApiKey, Some(c)) => c.api_key,
        (CopyWhat::AuthorizationHeader, Some(c)) => snippet::authorization_header(&c),
        (CopyWhat::Curl, Some(c)) => match region_base() {
            Some(base) => snippet::curl(&c, &base),
            None => return answer(refused(NO_REGION)),
        },
        (CopyWhat::ShellExports, Some(c)) => match region_base() {
            Some(base) => snippet::shell_exports(&c, &base),
            None => return answer(refused(NO_REGION)),
        },
    };
    let clears = what
        .is_secret()
        .then(|| state.settings.clipboard_clear_secs());
    let message = match clears {
        Some(secs) => format!(
            "Copied. Keyward clears it from the clipboard in {secs} s if unchanged; clipboard history may keep a copy."
        ),
        None => "Copied.".into(),
    };
    Outcome {
        response: Response::Copied(answer::Copied {
            what,
            message,
            clears_in_secs: clears,
        }),
        effects: vec![Effect::Clipboard {
            text,
            clear_after_secs: clears,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the worker answers a message it does not send to the Directory API.
    fn handle(s: &mut WorkerState, r: &Request, sender: &Sender, f: &WorkerFacts) -> Outcome {
        match decide(s, r, sender, f) {
            Decision::Answer(outcome) => outcome,
            Decision::Api(call) => panic!("an API call: {call:?}"),
        }
    }
    use crate::core::console::Flavour;
    use crate::core::page::Pair;
    use crate::core::throttle::Scheduler;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";
    const KEY2: &str = "NEWkeyNEWkeyNEWkeyNEWkeyNEWkey";

    fn facts(wall_ms: u64) -> WorkerFacts {
        WorkerFacts {
            flavour: Flavour::Store,
            api: Scheduler::default().status(0),
            now: 0,
            wall_ms,
        }
    }

    fn tab() -> Sender {
        Sender::ContentScript {
            tab_url: "https://admin.pingone.com/web-portal/dashboard#/x".into(),
            tab_id: 3,
        }
    }

    fn creds_page(key: &str, buttons: &[&str]) -> Request {
        Request::PageSnapshot(ask::PageSnapshot {
            snapshot: Snapshot {
                headings: vec!["API Credentials".into()],
                buttons: buttons.iter().map(|b| b.to_string()).collect(),
                pairs: vec![
                    Pair {
                        label: "Client ID".into(),
                        value: ID.into(),
                        input_type: None,
                    },
                    Pair {
                        label: "API Key".into(),
                        value: key.into(),
                        input_type: None,
                    },
                ],
                ..Snapshot::default()
            },
        })
    }

    fn state() -> WorkerState {
        WorkerState {
            salt: b"salt".to_vec(),
            ..WorkerState::default()
        }
    }

    fn send(s: &mut WorkerState, r: Request, at: u64) -> Outcome {
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
            let copy = Request::Copy(ask::Copy { what });
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
            }),
            1_001,
        );
        assert!(
            matches!(refusal.response, Response::Refused(answer::Refused { ref reason }) if reason.contains("reveal"))
        );
        assert!(refusal.effects.is_empty());
        assert_eq!(s.tab_view(3, 0).key.as_deref(), Some("hidden"));
    }

    #[test]
    fn copies_are_built_in_the_worker() {
        let mut s = state();
        send(&mut s, creds_page(KEY, &[]), 1_000);
        let o = send(
            &mut s,
            Request::Copy(ask::Copy {
                what: CopyWhat::ClientId,
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
        send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Edit".into(),
            }),
            2_000,
        );
        send(&mut s, creds_page(KEY, &["Renew", "Save", "Cancel"]), 2_001);
        send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Renew".into(),
            }),
            2_002,
        );
        send(
            &mut s,
            creds_page(KEY2, &["Renew", "Save", "Cancel"]),
            2_003,
        );
        assert!(s.accounts.accounts[ID].renewals.is_empty());
        send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Cancel".into(),
            }),
            2_004,
        );
        send(&mut s, creds_page("••••", &["Show", "Edit"]), 2_005);
        assert!(
            s.accounts.accounts[ID].renewals.is_empty(),
            "Cancel keeps the key"
        );

        send(&mut s, creds_page(KEY, &["Renew", "Save", "Cancel"]), 3_000);
        send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Renew".into(),
            }),
            3_001,
        );
        send(
            &mut s,
            creds_page(KEY2, &["Renew", "Save", "Cancel"]),
            3_002,
        );
        let o = send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Save".into(),
            }),
            3_003,
        );
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
        // Seeing the new key later is not a second renewal.
        send(&mut s, creds_page(KEY2, &["Edit"]), 4_000);
        assert_eq!(s.accounts.accounts[ID].renewals, vec![3_003]);
    }

    #[test]
    fn a_key_changed_outside_keyward_is_a_renewal_when_next_seen() {
        let mut s = state();
        send(&mut s, creds_page(KEY, &["Edit"]), 1_000);
        send(&mut s, creds_page(KEY2, &["Edit"]), 9_000);
        assert_eq!(s.accounts.accounts[ID].renewals, vec![9_000]);
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
    fn reminders_are_owed_once_and_the_banner_shows_the_age() {
        let mut s = state();
        send(&mut s, creds_page(KEY, &[]), 1_000);
        let day = DAY_MS;
        let check = check_reminders(&mut s, 1_000 + 89 * day);
        assert_eq!(check.badge.text, "1d");
        assert_eq!(check.notify.len(), 1);
        assert!(check.notify[0].message.contains("due for renewal in 1 day"));
        assert!(
            check_reminders(&mut s, 1_000 + 89 * day + 60_000)
                .notify
                .is_empty(),
            "no duplicate"
        );
        let o = send(&mut s, creds_page(KEY, &[]), 1_000 + 89 * day);
        let Response::PagePlan(PagePlan {
            helpers: Some(h), ..
        }) = o.response
        else {
            panic!("helpers expected");
        };
        assert_eq!(
            h.age,
            Some(AgeBanner {
                text: "Key age 89 days: due for renewal in 1 day.".into(),
                level: Level::DueSoon
            })
        );
        assert!(snooze(&mut s, ID, 1, 1_000 + 91 * day));
        assert!(
            check_reminders(&mut s, 1_000 + 91 * day + 1)
                .notify
                .is_empty(),
            "snoozed"
        );
        // Renewal restarts the clock: the badge clears.
        send(&mut s, creds_page(KEY2, &[]), 1_000 + 92 * day);
        assert_eq!(check_reminders(&mut s, 1_000 + 92 * day).badge.text, "");
    }

    #[test]
    fn the_guard_lists_integrations_in_edit_mode_and_after_save() {
        let mut s = state();
        send(&mut s, creds_page(KEY, &["Edit"]), 1_000);
        let popup = Sender::ExtensionPage;
        let edit = crate::core::accounts::AccountEdit {
            client_id: ID.into(),
            label: "Prod".into(),
            colour: String::new(),
            production: true,
            integrations: "PingFederate PCV\nHR sync script".into(),
        };
        let update = Request::UpdateAccount(edit);
        assert_eq!(
            handle(&mut s, &update, &popup, &facts(2_000)).response,
            Response::Ack
        );
        let guard = |o: &Outcome| match &o.response {
            Response::PagePlan(PagePlan {
                helpers: Some(h), ..
            }) => h.guard.clone(),
            _ => None,
        };
        assert_eq!(
            guard(&send(&mut s, creds_page(KEY, &["Edit"]), 3_000)),
            None,
            "no guard outside Edit mode"
        );
        let editing = guard(&send(
            &mut s,
            creds_page(KEY, &["Renew", "Save", "Cancel"]),
            3_001,
        ))
        .expect("a guard");
        assert_eq!(editing.items, ["PingFederate PCV", "HR sync script"]);
        send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Renew".into(),
            }),
            3_002,
        );
        send(
            &mut s,
            Request::PageClick(ask::PageClick {
                label: "Save".into(),
            }),
            3_003,
        );
        let after =
            guard(&send(&mut s, creds_page("••••", &["Show", "Edit"]), 3_004)).expect("a reminder");
        assert!(after.title.starts_with("Key renewed"));
        assert_eq!(s.tab_view(3, 0).accounts[0].label.as_deref(), Some("Prod"));
        let forget = Request::ForgetAccount(ask::Account {
            client_id: ID.into(),
        });
        assert_eq!(
            handle(&mut s, &forget, &popup, &facts(4_000)).response,
            Response::Ack
        );
        assert!(s.accounts.accounts.is_empty() && s.keys.is_empty());
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
                fields: true
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
                fields: true
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
                pairs: vec![Pair {
                    label: "REST API Client Secret".into(),
                    value: KEY.into(),
                    input_type: None,
                }],
                ..Snapshot::default()
            },
        });
        let o = send(&mut s, sso, 1);
        assert_eq!(
            o.response,
            Response::PagePlan(PagePlan {
                helpers: None,
                fields: true
            }),
            "no helpers, and the page is read in full while it shows SSO credentials"
        );
        assert!(s.accounts.accounts.is_empty() && s.keys.is_empty());
        let elsewhere = Sender::ContentScript {
            tab_url: "https://evil.example/".into(),
            tab_id: 9,
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
            }),
            &Sender::ExtensionPage,
            &facts(1),
        );
        assert!(matches!(o.response, Response::Refused(_)));
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;
    use crate::core::message::{Audience, RequestKind};
    use crate::core::throttle::Scheduler;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

    /// A well-formed request of each kind (the match makes a new kind add its sample).
    fn sample(kind: RequestKind) -> Request {
        let id = || ID.to_string();
        match kind {
            RequestKind::Status => Request::Status,
            RequestKind::ApiStatus => Request::ApiStatus,
            RequestKind::PageSnapshot => Request::PageSnapshot(ask::PageSnapshot {
                snapshot: Snapshot {
                    url: "https://admin.pingone.com/web-portal/".into(),
                    headings: vec!["API Credentials".into()],
                    pairs: vec![
                        crate::core::page::Pair {
                            label: "Client ID".into(),
                            value: ID.into(),
                            input_type: None,
                        },
                        crate::core::page::Pair {
                            label: "API Key".into(),
                            value: KEY.into(),
                            input_type: None,
                        },
                    ],
                    ..Snapshot::default()
                },
            }),
            RequestKind::PageClick => Request::PageClick(ask::PageClick {
                label: "Save".into(),
            }),
            RequestKind::Copy => Request::Copy(ask::Copy {
                what: CopyWhat::ApiKey,
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
            RequestKind::UpdateAccount => {
                Request::UpdateAccount(crate::core::accounts::AccountEdit {
                    client_id: id(),
                    label: "pwned".into(),
                    ..Default::default()
                })
            }
            RequestKind::ForgetAccount => Request::ForgetAccount(ask::Account { client_id: id() }),
            RequestKind::Snooze => Request::Snooze(ask::Snooze {
                client_id: id(),
                days: 7,
            }),
            RequestKind::Search => Request::Search(ask::Search {
                client_id: id(),
                kind: SearchKind::Users,
                text: "a".into(),
            }),
            RequestKind::Detail => Request::Detail(ask::Detail {
                client_id: id(),
                kind: SearchKind::Users,
                id: "u".into(),
            }),
            RequestKind::ExportPage => Request::ExportPage(ask::ExportPage {
                client_id: id(),
                text: String::new(),
                start_index: 1,
                count: 200,
            }),
            RequestKind::CancelExport => Request::CancelExport,
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

    /// Generated from the table: every kind, from every sender the table does not name, is
    /// refused — and changes nothing.
    #[test]
    fn every_request_from_a_sender_the_table_does_not_name_is_refused() {
        let facts = WorkerFacts {
            flavour: Flavour::Store,
            api: Scheduler::default().status(0),
            now: 0,
            wall_ms: 5,
        };
        let console = Sender::ContentScript {
            tab_url: "https://admin.pingone.com/web-portal/".into(),
            tab_id: 7,
        };
        let elsewhere = Sender::ContentScript {
            tab_url: "https://evil.example/".into(),
            tab_id: 7,
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
        let facts = WorkerFacts {
            flavour: Flavour::Store,
            api: Scheduler::default().status(0),
            now: 0,
            wall_ms: 5,
        };
        let snooze = Request::Snooze(ask::Snooze {
            client_id: ID.into(),
            days: 3650,
        });
        let Decision::Answer(Outcome {
            response: Response::Refused(answer::Refused { reason }),
            ..
        }) = decide(&mut s, &snooze, &Sender::ExtensionPage, &facts)
        else {
            panic!("refused");
        };
        assert_eq!(reason, "reminders can be snoozed for a day or a week");
    }
}

#[cfg(test)]
mod api_call_tests {
    use super::*;
    use crate::core::throttle::Priority;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";

    fn search(client_id: &str) -> Request {
        Request::Search(ask::Search {
            client_id: client_id.into(),
            kind: SearchKind::Users,
            text: "mer".into(),
        })
    }

    fn code(r: Option<Result<ApiCall, Response>>) -> Option<FailureCode> {
        match r {
            Some(Err(Response::ApiFailed(f))) => Some(f.code),
            _ => None,
        }
    }

    #[test]
    fn api_calls_need_our_page_a_key_and_a_region() {
        let mut s = WorkerState::default();
        assert!(api_call(&s, &Request::Status, Flavour::Store).is_none());
        let content = Sender::ContentScript {
            tab_url: "https://admin.pingone.com/".into(),
            tab_id: 1,
        };
        let facts = WorkerFacts {
            flavour: Flavour::Store,
            api: crate::core::throttle::Scheduler::default().status(0),
            now: 0,
            wall_ms: 0,
        };
        assert!(matches!(
            decide(&mut s, &search(ID), &content, &facts),
            Decision::Answer(Outcome {
                response: Response::Refused(_),
                ..
            })
        ));
        assert_eq!(
            code(api_call(&s, &search(ID), Flavour::Store)),
            Some(FailureCode::NoKey)
        );
        s.accounts.observe_key(ID, "fp", 0);
        assert_eq!(
            code(api_call(&s, &search(ID), Flavour::Store)),
            Some(FailureCode::NoKey),
            "seen, but no key in this session"
        );
        s.keys.insert(ID.into(), "secret".into());
        assert_eq!(
            code(api_call(&s, &search(ID), Flavour::Store)),
            Some(FailureCode::NoRegion)
        );
        s.accounts.set_region(ID, "local", 0);
        s.settings.local_api_base = Some("http://127.0.0.1:9/api".into());
        assert_eq!(
            code(api_call(&s, &search(ID), Flavour::Store)),
            Some(FailureCode::NoRegion),
            "the store build never calls loopback"
        );
        let Some(Ok(call)) = api_call(&s, &search(ID), Flavour::Dev) else {
            panic!("a call");
        };
        assert_eq!(call.credentials.api_key, "secret");
        assert_eq!(call.job.priority(), Priority::Interactive);
        let Job::Search { url, .. } = &call.job else {
            panic!("a search");
        };
        assert!(url.starts_with("http://127.0.0.1:9/api/directory/user?"));
        assert!(
            !format!("{call:?}").contains("secret"),
            "Debug hides the key"
        );
    }

    #[test]
    fn export_pages_go_at_bulk_priority_and_details_count_group_members() {
        let mut s = WorkerState::default();
        s.accounts.observe_key(ID, "fp", 0);
        s.keys.insert(ID.into(), "k".into());
        s.accounts.set_region(ID, "eu", 0);
        let export = Request::ExportPage(ask::ExportPage {
            client_id: ID.into(),
            text: String::new(),
            start_index: 201,
            count: 200,
        });
        let Some(Ok(call)) = api_call(&s, &export, Flavour::Store) else {
            panic!("a call");
        };
        assert_eq!(call.job.priority(), Priority::Bulk);
        assert_eq!(
            call.job,
            Job::ExportPage {
                url: "https://directory-api.pingone.eu/api/directory/user?startIndex=201&count=200&sortBy=userName&sortOrder=ascending".into()
            }
        );
        let detail = Request::Detail(ask::Detail {
            client_id: ID.into(),
            kind: SearchKind::Groups,
            id: "g/1".into(),
        });
        let Some(Ok(ApiCall {
            job: Job::Detail { url, count_url, .. },
            ..
        })) = api_call(&s, &detail, Flavour::Store)
        else {
            panic!("a detail");
        };
        assert!(url.ends_with("/directory/group/g%2F1"));
        assert_eq!(
            count_url.as_deref(),
            Some("https://directory-api.pingone.eu/api/directory/group/g%2F1/users/count")
        );
    }
}
