//! The worker's state and its one dispatch: each request, once [`protocol::admit`]'s table has
//! accepted its sender, goes to its feature's handler, and comes back as an answer and the
//! [`Effect`]s the edge performs (saving, clipboard writes, region probes).
//!
//! The edge loads [`WorkerState`] (accounts from `storage.local`, keys from `storage.session`) and
//! passes each message in. Per-tab readings live only in the worker's memory.

use indexmap::IndexSet;

use indexmap::IndexMap;

use crate::core::accounts::view::{account_views, RegionSearches};
use crate::core::accounts::{fingerprint, Accounts, UNKNOWN_ACCOUNT};
use crate::core::api::pager::PageRequest;
use crate::core::api::region::{Detection, Region};
use crate::core::api::{ApiError, Credentials};
use crate::core::console::claims::{Claims, Proof};
use crate::core::console::copy;
use crate::core::console::credentials::{self, Desk, KeyCheck, TabView, Tabs};
use crate::core::console::layout::Layouts;
use crate::core::console::manual;
use crate::core::console::renewal;
use crate::core::export;
use crate::core::lookup::call::{self, Asked};
use crate::core::lookup::ApiCall;
use crate::core::protocol::{self, refused, Caller, Request, Response, Sender, WorkerFacts};
use crate::core::reminders::check::{self as reminder_check, ReminderCheck};
use crate::core::settings::Settings;
use crate::core::shared::hosts::Flavour;

pub use crate::core::effect::Effect;

/// What the worker holds.
#[derive(Clone, Default)]
pub struct WorkerState {
    pub accounts: Accounts,
    /// Keys by Client ID, mirrored to `storage.session` (when allowed) for popup lookups.
    pub keys: IndexMap<String, String>,
    pub salt: Vec<u8>,
    pub settings: Settings,
    /// Layouts the admin taught, by page.
    pub layouts: Layouts,
    pub tabs: Tabs,
    /// Region searches since the worker started.
    pub region_search: RegionSearches,
    /// Queries whose full filter the server refused in this worker's life (`call::refusal_key`):
    /// each is asked in its simplest form from then on; other queries still try the full one.
    pub filters_refused: IndexSet<String>,
    /// Renewed keys checked against the API since the worker started, by Client ID (a handful: a
    /// list is smaller in wasm than another map type).
    pub key_checks: Vec<(String, KeyCheck)>,
    /// Keys pages showed that are not (yet) the key in force.
    pub claims: Claims,
    /// The account forgotten last, with its key, while the options page offers to undo it (held in
    /// memory only: forgetting is for good once the worker stops).
    pub forgotten: Option<Forgotten>,
}

/// An account just forgotten, and its key.
#[derive(Clone)]
pub struct Forgotten {
    account: crate::core::accounts::Account,
    key: Option<String>,
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

impl WorkerState {
    /// What the credentials page's handlers may touch, and the tabs.
    fn desk(&mut self) -> (Desk<'_>, &mut Tabs) {
        let WorkerState {
            accounts,
            keys,
            salt,
            settings,
            tabs,
            region_search,
            layouts,
            claims,
            key_checks,
            ..
        } = self;
        let desk = Desk {
            accounts,
            keys,
            searches: region_search,
            salt,
            settings,
            layouts,
            claims,
            key_checks,
        };
        (desk, tabs)
    }

    /// An account's Directory API base, for this build.
    pub fn api_base(&self, client_id: &str, flavour: Flavour) -> Option<String> {
        self.accounts
            .api_base(client_id, flavour, self.settings.local_api_base.as_deref())
    }

    /// The popup's view of a tab, with every account (and how a renewed key's check went).
    pub fn tab_view(&self, tab_id: i64, now_ms: u64) -> TabView {
        let mut view = credentials::tab_view(&self.tabs, tab_id);
        let check_of = |id: &String| self.key_checks.iter().find(|(c, _)| c == id);
        if let Some((_, check)) = view.client_id.as_ref().and_then(check_of) {
            view.summary = format!("{} {}", view.summary, check.sentence());
        }
        let claimed = self.tabs.get(&tab_id).and_then(|t| t.claimed.as_deref());
        if let (Some(client_id), Some(fp)) = (view.client_id.as_deref(), claimed) {
            if let Some(claim) = self.claims.state(client_id, fp) {
                view.summary = format!("{} {}", view.summary, claim.sentence());
            }
        }
        view.accounts = account_views(
            &self.accounts,
            &self.keys,
            &self.region_search,
            &self.settings.schedule,
            now_ms,
        );
        view
    }

    /// Records the end of an account's region search: what to store, and each tab showing that
    /// account read again (its helpers that wait for the region then say what changed).
    pub fn region_searched(
        &mut self,
        client_id: &str,
        detection: Detection,
        now_ms: u64,
    ) -> Vec<Effect> {
        let changed = self
            .region_search
            .finished(&mut self.accounts, client_id, detection, now_ms);
        changed
            .then_some(Effect::SaveAccounts)
            .into_iter()
            .chain(self.tabs_showing(client_id))
            .collect()
    }

    /// A renewed key's check begins (an earlier check's result no longer holds). Returns the
    /// account's API base to check against; `None` (nothing to send) when its region is not known,
    /// which the popup says instead.
    pub fn key_check_started(&mut self, client_id: &str, flavour: Flavour) -> Option<String> {
        self.key_checks.retain(|(c, _)| c != client_id);
        let base = self.api_base(client_id, flavour);
        let check = match base {
            Some(_) => KeyCheck::Checking,
            None => KeyCheck::Failed("the account's region is not known yet.".into()),
        };
        self.record_key_check(client_id, check);
        base
    }

    fn record_key_check(&mut self, client_id: &str, check: KeyCheck) {
        self.key_checks.retain(|(c, _)| c != client_id);
        self.key_checks.push((client_id.to_string(), check));
    }

    /// How a renewed key's check went: a SCIM answer (see `region::probe_result`), or why not.
    /// Records how a renewed key's check went; returns the tabs to read again (the page says it).
    pub fn key_checked(&mut self, client_id: &str, answer: Result<(), ApiError>) -> Vec<Effect> {
        let check = match answer {
            Ok(()) => KeyCheck::Works,
            Err(e) => KeyCheck::Failed(e.message()),
        };
        self.record_key_check(client_id, check);
        self.tabs_showing(client_id)
    }

    /// Each tab showing an account, read again: what it draws has changed.
    fn tabs_showing(&self, client_id: &str) -> Vec<Effect> {
        self.tabs
            .iter()
            .filter(|(_, tab)| tab.view.client_id.as_deref() == Some(client_id))
            .map(|(id, _)| Effect::ReadTabAgain { tab_id: *id })
            .collect()
    }

    /// The Directory API's answer about a key a page claimed: an accepted key is the key in force
    /// from now on (a renewal, its clock restarted, kept for lookups when allowed); otherwise
    /// nothing changes but what the popup says. Returns what to do.
    pub fn key_proven(
        &mut self,
        credentials: &Credentials,
        proof: Proof,
        now_ms: u64,
    ) -> Vec<Effect> {
        let Credentials { client_id, api_key } = credentials;
        let fp = fingerprint(&self.salt, api_key);
        self.claims.answered(client_id, &fp, proof, now_ms);
        if proof != Proof::Accepted || !self.accounts.holds_other_key(client_id, &fp) {
            return Vec::new();
        }
        self.accounts.observe_key(client_id, &fp, now_ms);
        let mut effects = vec![Effect::SaveAccounts];
        if self.settings.session_keys() {
            self.keys.insert(client_id.clone(), api_key.clone());
            effects.push(Effect::SaveKeys);
            effects.push(Effect::KeyInForce {
                credentials: credentials.clone(),
                verify: false,
            });
        }
        effects
    }

    /// The periodic reminder check (marks each notification owed as sent).
    pub fn check_reminders(&mut self, now_ms: u64) -> ReminderCheck {
        reminder_check::check(self.accounts.keyed(), &self.settings.schedule, now_ms)
    }

    /// Snoozes an account's reminders for `days` (a day or a week); returns what to tell the sender.
    pub fn snooze(&mut self, client_id: &str, days: u64, now_ms: u64) -> Result<(), &'static str> {
        let account = self
            .accounts
            .accounts
            .get_mut(client_id)
            .ok_or(UNKNOWN_ACCOUNT)?;
        reminder_check::snooze(&mut account.reminders, days, now_ms).map_err(|e| e.reason())
    }
}

const TOO_LATE_TO_UNDO: &str =
    "too late to undo: Keyward has restarted or forgotten another account since";

/// A message's answer and the work it implies.
#[derive(Debug)]
pub struct Outcome {
    pub response: Response,
    pub effects: Vec<Effect>,
}

impl Outcome {
    fn of(response: Response, effects: Vec<Effect>) -> Outcome {
        Outcome { response, effects }
    }
}

fn answer(response: Response) -> Outcome {
    Outcome::of(response, Vec::new())
}

fn acked(effects: Vec<Effect>) -> Outcome {
    Outcome::of(Response::Ack, effects)
}

/// What the worker does with a message: answer it (after the effects), or make Directory API
/// requests for it.
#[derive(Debug)]
pub enum Decision {
    Answer(Outcome),
    Api(ApiCall),
}

/// Decides one message: the table of who may send what first ([`protocol::admit`]), then the
/// request's handler in its feature.
pub fn decide(
    state: &mut WorkerState,
    request: &Request,
    sender: &Sender,
    facts: &WorkerFacts,
) -> Decision {
    let caller = match protocol::admit(request.kind(), sender, facts.flavour) {
        Ok(caller) => caller,
        Err(refusal) => return Decision::Answer(answer(refusal.into())),
    };
    let now = facts.wall_ms;
    let flavour = facts.flavour;
    Decision::Answer(match (request, caller) {
        (Request::Status, _) => answer(protocol::status(facts)),
        (Request::ApiStatus, _) => answer(protocol::api_status(facts)),
        (Request::PageSnapshot(p), Caller::Tab { id, url, .. }) => {
            let (desk, tabs) = state.desk();
            let (plan, effects) = credentials::snapshot(desk, tabs, id, url, &p.snapshot, now);
            Outcome::of(Response::PagePlan(plan), effects)
        }
        (Request::PageClick(p), Caller::Tab { id, .. }) => {
            let (desk, tabs) = state.desk();
            acked(credentials::click(desk, tabs, id, &p.label, now))
        }
        // Into the tab and document the browser says sent it, never one a message names.
        (Request::PageReader, Caller::Tab { id, document, .. }) => {
            acked(vec![Effect::LoadPageReader {
                tab_id: id,
                document_id: document.map(str::to_string),
            }])
        }
        (Request::Copy(p), Caller::Tab { id, .. }) => {
            let base = |client_id: &str| state.api_base(client_id, flavour);
            let clear_secs = state.settings.clipboard_clear_secs();
            let check = state.settings.clear_check;
            match copy::copy(&state.tabs, id, p.what, p.renewed, base, clear_secs, check) {
                Ok((copied, clip)) => Outcome::of(Response::Copied(copied), vec![clip]),
                Err(why) => answer(refused(why)),
            }
        }
        (Request::ChecklistDone, Caller::Tab { id, .. }) => {
            if let Some(tab) = state.tabs.get_mut(&id) {
                renewal::checklist_done(tab);
            }
            acked(vec![Effect::ReadTabAgain { tab_id: id }])
        }
        (Request::TeachStart, Caller::Tab { id, .. }) => {
            credentials::teach_start(&mut state.tabs, id);
            acked(Vec::new())
        }
        (Request::TeachPick(pick), Caller::Tab { id, .. }) => {
            let (desk, tabs) = state.desk();
            acked(credentials::teach_pick(desk, tabs, id, pick, now))
        }
        (Request::TeachCancel, Caller::Tab { id, .. }) => {
            credentials::teach_cancel(&mut state.tabs, id);
            acked(Vec::new())
        }
        // The table admits these from a console tab only.
        (
            Request::PageSnapshot(_)
            | Request::PageClick(_)
            | Request::PageReader
            | Request::Copy(_)
            | Request::ChecklistDone
            | Request::TeachStart
            | Request::TeachPick(_)
            | Request::TeachCancel,
            Caller::Page,
        ) => answer(refused(
            "this request comes from a console page's content script",
        )),
        (Request::TabState(p), _) => answer(Response::TabState(state.tab_view(p.tab_id, now))),
        (Request::ManualCredentials(p), _) => {
            let (desk, _) = state.desk();
            match manual::manual(desk, &p.client_id, &p.api_key, now) {
                Ok(effects) => acked(effects),
                Err(why) => answer(refused(why.reason())),
            }
        }
        (Request::UpdateAccount(edit), _) => match state.accounts.edit(edit, now) {
            Ok(()) => acked(vec![Effect::SaveAccounts]),
            Err(e) => answer(refused(&e.to_string())),
        },
        (Request::Snooze(p), _) => match state.snooze(&p.client_id, p.days, now) {
            Ok(()) => acked(vec![Effect::SaveAccounts]),
            Err(why) => answer(refused(why)),
        },
        (Request::CancelExport, _) => acked(vec![Effect::CancelExport]),
        (Request::EmptyClipboard, _) => acked(vec![Effect::EmptyClipboard]),
        (Request::TeachTab(p), _) => {
            if !credentials::teach_start(&mut state.tabs, p.tab_id) {
                return Decision::Answer(answer(refused(
                    "Keyward has not seen a console page in that tab: reload it and try again",
                )));
            }
            acked(vec![Effect::ReadTabAgain { tab_id: p.tab_id }])
        }
        (Request::ConfirmAccount(p), _) => {
            if !state.accounts.confirm(&p.client_id) {
                return Decision::Answer(answer(refused(UNKNOWN_ACCOUNT)));
            }
            acked(vec![Effect::SaveAccounts])
        }
        (Request::ForgetAccount(p), _) => {
            let Some(account) = state.accounts.forget(&p.client_id) else {
                return Decision::Answer(answer(refused(UNKNOWN_ACCOUNT)));
            };
            let key = state.keys.shift_remove(&p.client_id);
            state.forgotten = Some(Forgotten { account, key });
            acked(vec![Effect::SaveAccounts, Effect::SaveKeys])
        }
        (Request::RestoreAccount(p), _) => {
            let Some(Forgotten { account, key }) = state
                .forgotten
                .take_if(|f| f.account.client_id == p.client_id)
            else {
                return Decision::Answer(answer(refused(TOO_LATE_TO_UNDO)));
            };
            state.accounts.restore(account);
            if let Some(key) = key {
                state.keys.insert(p.client_id.clone(), key);
            }
            acked(vec![Effect::SaveAccounts, Effect::SaveKeys])
        }
        (Request::KeyDate(p), _) => {
            match state
                .accounts
                .state_key_date(&p.client_id, p.date.as_deref(), now)
            {
                Ok(()) => acked(vec![Effect::SaveAccounts]),
                Err(e) => answer(refused(&e.to_string())),
            }
        }
        (Request::SetRegion(p), _) => {
            let known = state.accounts.accounts.contains_key(&p.client_id);
            match Region::from_id(&p.region).filter(|r| Region::available(flavour).contains(r)) {
                // Used at once: saved as if found, and each tab showing the account read again
                // (its region-waiting helpers come alive).
                Some(r) if known => {
                    acked(state.region_searched(&p.client_id, Detection::Found(r), now))
                }
                _ => answer(refused("unknown account or region")),
            }
        }
        (Request::Search(p), _) => {
            let asked = Asked::Search(p.kind, &p.text, p.shown);
            return api_call(state, &p.client_id, asked, flavour);
        }
        (Request::Detail(p), _) => {
            let asked = Asked::Detail(p.kind, &p.id);
            return api_call(state, &p.client_id, asked, flavour);
        }
        (Request::ExportPage(p), _) => {
            let page = PageRequest {
                start_index: p.start_index,
                count: p.count,
            };
            let asked = match &p.group {
                Some(group) => Asked::GroupMembers(group),
                None => Asked::ExportPage {
                    full: export::page_request(&p.text, page, false),
                    simple: export::page_request(&p.text, page, true),
                    left: p.left,
                },
            };
            return api_call(state, &p.client_id, asked, flavour);
        }
    })
}

/// The Directory API call a lookup or export page asked for, or why it cannot be made.
fn api_call(state: &WorkerState, client_id: &str, asked: Asked<'_>, flavour: Flavour) -> Decision {
    let base = |id: &str| state.api_base(id, flavour);
    match call::call(
        &state.accounts,
        &state.keys,
        base,
        client_id,
        asked,
        &state.filters_refused,
    ) {
        Ok(call) => Decision::Api(call),
        Err(failure) => Decision::Answer(answer(Response::ApiFailed(failure))),
    }
}

#[cfg(test)]
mod tests;
