//! The service worker's edge: it loads the worker state once, passes every runtime message to the
//! core, performs the effects that come back, and clears the clipboard when the alarm fires.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::lock::Mutex;

use indexmap::IndexMap;
use wasm_bindgen::prelude::*;

use super::chrome::call_args;
use super::js::{from_js, to_js, warn};
use super::storage::{self, Area};
use super::{chrome, clipboard, export_pages, key_checks, mailbox, out_of_line, time, API};
use crate::core::accounts::{self, fingerprint, Accounts};
use crate::core::console::layout::{self, Layouts};
use crate::core::lookup::call::Answered;
use crate::core::lookup::{ApiCall, Job, Lane};
use crate::core::protocol::{self, ReportedSender, Request, Sender, Us, WorkerFacts};
use crate::core::settings::{self, Policy, Settings};
use crate::core::shared::hosts::Flavour;
use crate::core::shared::text::{hex, unhex};
use crate::core::worker::{self, Decision, Effect, WorkerState};

const SESSION_KEYS: &str = "keys";
/// The periodic alarm that checks key ages (re-created on every worker start).
const REMINDER_ALARM: &str = "keyward-reminders";
const NOTIFICATION_PREFIX: &str = "keyward-renew:";
/// A reminder of a key of unknown age: it leads to Options, where the key's date is given.
const DATE_NOTIFICATION_PREFIX: &str = "keyward-date:";

thread_local! {
    static STATE: RefCell<Option<WorkerState>> = const { RefCell::new(None) };
    /// `storage.local` was closed to content scripts in this worker's life.
    static RESTRICTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Loads the state on first use (after every worker start), once `storage.local` is closed to
/// content scripts.
async fn ensure_loaded() -> Result<(), JsError> {
    if RESTRICTED.with(|r| r.get()) && STATE.with(|s| s.borrow().is_some()) {
        return Ok(());
    }
    // One load at a time: messages that wake the worker together wait for the first load rather
    // than each making its own (two first loads would each make a salt, and keep different ones).
    thread_local! {
        static LOADING: Rc<Mutex<()>> = Rc::new(Mutex::new(()));
    }
    let lock = LOADING.with(Rc::clone);
    let _turn = lock.lock().await;
    if !RESTRICTED.with(|r| r.get()) {
        storage::restrict_to_trusted_contexts().await?;
        RESTRICTED.with(|r| r.set(true));
    }
    if STATE.with(|s| s.borrow().is_some()) {
        return Ok(());
    }
    // Storage is untrusted input: each stored value is checked as if typed in.
    let accounts = storage::get::<Accounts>(accounts::STORAGE_KEY)
        .await?
        .unwrap_or_default()
        .checked(flavour()?, time::now_ms())
        .value;
    let seen = seen_policy().await;
    let settings = settings_under(&seen).await?;
    let salt = match storage::get::<String>(accounts::SALT_KEY)
        .await?
        .and_then(|s| unhex(&s))
    {
        Some(salt) if salt.len() >= 16 => salt,
        _ => {
            let salt = time::random_bytes(16)?;
            storage::set(accounts::SALT_KEY, &hex(&salt)).await?;
            salt
        }
    };
    let keys: IndexMap<String, String> = storage::get_in(Area::Session, SESSION_KEYS)
        .await?
        .unwrap_or_default();
    let layouts = storage::get::<Layouts>(layout::STORAGE_KEY)
        .await?
        .unwrap_or_default();
    let state = WorkerState {
        accounts,
        keys,
        salt,
        settings,
        layouts,
        ..WorkerState::default()
    };
    STATE.with(|s| *s.borrow_mut() = Some(state));
    super::spawn(async move {
        warn(confirm_policy(seen).await);
    });
    Ok(())
}

/// The enterprise policy as last seen. Chrome's policy service can take seconds to answer at a
/// browser's start, so this one stands in (untrusted input like any stored value, checked) until
/// [`confirm_policy`] has the real one; nothing waits for that.
async fn seen_policy() -> Policy {
    storage::get::<Policy>(settings::POLICY_SEEN_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
        .checked()
}

/// Reads the real policy and, when it is not the one `seen` (in force until now), keeps it as the
/// one seen, puts it in force (forgetting kept keys if it forbids keeping them) and redoes the badge.
async fn confirm_policy(seen: Policy) -> Result<(), JsError> {
    let policy = load_policy().await;
    if policy == seen {
        return Ok(());
    }
    storage::set(settings::POLICY_SEEN_KEY, &policy).await?;
    put_in_force(&policy).await?;
    run_reminders().await
}

/// The user's stored settings with `policy` on top; the API client takes their cap on requests in
/// flight at once.
async fn settings_under(policy: &Policy) -> Result<Settings, JsError> {
    let user = Settings::from_stored(storage::get(settings::STORAGE_KEY).await?).value;
    let mut settings = user.effective(policy);
    settings.clear_check = clipboard::clear_check().await;
    API.with(|c| c.set_max_in_flight(settings.max_in_flight()));
    Ok(settings)
}

/// The enterprise policy; none where the browser has no managed storage for us.
pub async fn load_policy() -> Policy {
    storage::get_all::<Policy>(Area::Managed)
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
        .checked()
}

pub(super) fn with_state<R>(f: impl FnOnce(&mut WorkerState) -> R) -> Result<R, JsError> {
    STATE
        .with(|s| s.borrow_mut().as_mut().map(f))
        .ok_or_else(|| JsError::new("the worker state is not loaded"))
}

fn flavour() -> Result<Flavour, JsError> {
    Ok(Flavour::from_host_permissions(
        &chrome::manifest_host_permissions()?,
    ))
}

/// Answers one `chrome.runtime.onMessage` message. `sender` is the browser's `MessageSender`.
#[wasm_bindgen]
pub async fn handle_message(request: JsValue, sender: JsValue) -> Result<JsValue, JsError> {
    let own_id = chrome::runtime_id()?;
    let own_base = chrome::runtime_url("")?;
    // A sender the browser describes in a shape we do not know is foreign.
    let reported = from_js::<ReportedSender>(sender).unwrap_or_default();
    let classified = Sender::classify(
        &reported,
        Us {
            id: &own_id,
            base: &own_base,
        },
    );
    let facts = WorkerFacts {
        flavour: flavour()?,
        api: API.with(|c| c.status()),
        now: time::now_ms(),
        wall_ms: time::now_ms(),
    };
    let response = match Request::read(request) {
        Err(_) => protocol::undecodable(),
        Ok(request) => {
            ensure_loaded().await?;
            let outcome = match with_state(|s| worker::decide(s, &request, &classified, &facts))? {
                Decision::Api(call) => {
                    let tab = reported.tab.as_ref().and_then(|t| t.id);
                    let mut response = out_of_line(run_api_call(call, tab)).await;
                    if let (Request::ExportPage(asked), protocol::Response::ApiBody(answer)) =
                        (&request, &mut response)
                    {
                        let mailbox = asked.mailbox.as_deref().unwrap_or_default();
                        if mailbox::mail(mailbox, asked.start_index, &answer.body) {
                            answer.body = String::new();
                            answer.mailed = true;
                        }
                    }
                    return respond(response);
                }
                Decision::Answer(outcome) => outcome,
            };
            let saves = outcome.effects.contains(&Effect::SaveAccounts);
            for effect in outcome.effects {
                out_of_line(perform(effect, facts.flavour)).await?;
            }
            if saves {
                // A key seen or renewed changes its age: refresh the badge (and any reminder owed).
                out_of_line(run_reminders()).await?;
            }
            outcome.response
        }
    };
    respond(response)
}

fn respond(response: protocol::Response) -> Result<JsValue, JsError> {
    to_js(&response)
}

/// Makes a lookup's or an export page's Directory API requests through the one scheduler, in the
/// job's lane (a new search first cancels the one still waiting), and reads the answers.
async fn run_api_call(call: ApiCall, tab: Option<i64>) -> protocol::Response {
    if !matches!(call.job, Job::ExportPage { .. }) {
        return answer_api_call(call).await.into();
    }
    let (client_id, url) = (
        call.credentials.client_id.clone(),
        call.job.url().to_string(),
    );
    let fetch = out_of_line(answer_api_call(call));
    export_pages::export_page(client_id, url, tab, fetch)
        .await
        .into()
}

/// The call's answer, read.
async fn answer_api_call(call: ApiCall) -> Answered {
    let client = API.with(Clone::clone);
    let lane = call.job.lane();
    if call.job.supersedes() {
        client.cancel_lane(lane);
    }
    let get = |url: &str| {
        client.get_in_lane(
            call.job.priority(),
            url.to_string(),
            &call.credentials,
            Some(lane),
        )
    };
    let answered = match &call.job {
        Job::Search { .. } | Job::ExportPage { .. } => {
            let (count_url, left) = match &call.job {
                Job::ExportPage {
                    count_url, left, ..
                } => (count_url.as_deref(), *left),
                _ => (None, 0),
            };
            if left > 0 {
                client.backlog(&call.credentials.client_id, left);
            }
            // A group's count is submitted with it, so they travel together.
            let count = count_url.map(get);
            let main = get(call.job.url()).await;
            let count = match count {
                Some(count) => Some(count.await),
                None => None,
            };
            match call.job.simpler_after(&main) {
                // The server refused the full filter: once more with the simplest, and this query
                // gets the simplest from now on (an export's next pages too).
                Some(simpler) => {
                    let refusal = call.job.refusal().to_string();
                    if let Err(e) = with_state(|s| s.filters_refused.insert(refusal)) {
                        web_sys::console::warn_1(&JsValue::from(e));
                    }
                    simpler.answer(get(simpler.url()).await, count)
                }
                None => call.job.answer(main, count),
            }
        }
        Job::Detail { url, count_url, .. } => {
            // Both are submitted before either is awaited, so they travel together.
            let main = get(url);
            let count = count_url.as_deref().map(get);
            let main = main.await;
            let count = match count {
                Some(count) => Some(count.await),
                None => None,
            };
            call.job.answer(main, count)
        }
    };
    answered
}

/// The content script's field reader, loaded into a console tab when a page needs it.
const PAGE_READER_FILE: &str = "content-reader.js";

/// Loads the field reader into the tab's top frame (where the content script runs), in the
/// content script's isolated world; the reader joins the content script there — in the document
/// that asked where the browser named it (Chrome), so a page navigated meanwhile does not get it.
/// Resolves once it ran.
async fn load_page_reader(tab_id: i64, document_id: Option<String>) -> Result<(), JsError> {
    let documents = document_id.as_deref().map(|d| [d]);
    let injection = to_js(&call_args::Injection {
        target: call_args::InjectionTarget {
            tab_id,
            frame_ids: documents.is_none().then_some(&[0][..]),
            document_ids: documents.as_ref().map(|d| &d[..]),
        },
        files: &[PAGE_READER_FILE],
    })?;
    chrome::call(&["chrome", "scripting"], "executeScript", &[injection])
        .await
        .map(|_| ())
}

/// Tells the content script in the tab's top frame to read its page again now.
fn read_tab_again(tab_id: i64) -> Result<(), JsError> {
    let message = to_js(&call_args::TabMessage {
        kind: crate::core::console::credentials::READ_AGAIN,
    })?;
    let target = to_js(&call_args::TabMessageTarget { frame_id: 0 })?;
    // Sent without waiting: a tab closed or gone elsewhere since has nothing to read again (and
    // one now showing an extension page may never answer), which is no failure of the request
    // that asked for it.
    super::spawn(async move {
        let _ = chrome::call(
            &["chrome", "tabs"],
            "sendMessage",
            &[JsValue::from_f64(tab_id as f64), message, target],
        )
        .await;
    });
    Ok(())
}

pub(super) async fn save_accounts() -> Result<(), JsError> {
    let accounts = with_state(|s| s.accounts.clone())?;
    storage::set(accounts::STORAGE_KEY, &accounts).await
}

pub(super) async fn perform(effect: Effect, flavour: Flavour) -> Result<(), JsError> {
    match effect {
        Effect::SaveAccounts => save_accounts().await,
        Effect::SaveKeys => {
            let keys = with_state(|s| s.keys.clone())?;
            storage::set_in(Area::Session, SESSION_KEYS, &keys).await
        }
        Effect::EmptyClipboard => clipboard::empty_on_request().await,
        Effect::Clipboard {
            text,
            clear_after_secs,
        } => {
            let clear = match clear_after_secs {
                Some(after_secs) => Some(clipboard::ClearLater {
                    fingerprint: with_state(|s| fingerprint(&s.salt, &text))?,
                    after_secs,
                }),
                None => None,
            };
            let Some(token) = clipboard::copy(&text, clear).await? else {
                return Ok(());
            };
            // The alarm survives a stopped worker but Chrome may fire it late; a timer clears on
            // time while the worker lives. Whichever runs second finds nothing pending.
            let secs = clear_after_secs.unwrap_or_default();
            let on_time = wasm_bindgen::closure::Closure::once_into_js(move || {
                super::spawn(async move {
                    warn(clear_if_due(&token).await);
                });
            });
            time::set_timeout(on_time.unchecked_ref(), secs * 1000);
            Ok(())
        }
        Effect::CancelExport => {
            API.with(|client| client.cancel_lane(Lane::Export));
            Ok(())
        }
        Effect::LoadPageReader {
            tab_id,
            document_id,
        } => load_page_reader(tab_id, document_id).await,
        Effect::SaveLayouts => {
            let layouts = with_state(|s| s.layouts.clone())?;
            storage::set(layout::STORAGE_KEY, &layouts).await
        }
        Effect::ReadTabAgain { tab_id } => read_tab_again(tab_id),
        Effect::KeyInForce {
            credentials,
            verify,
        } => key_checks::key_in_force(credentials, verify, flavour),
        Effect::ProveKey { credentials } => {
            super::spawn(key_checks::prove_key(credentials, flavour));
            Ok(())
        }
        Effect::DetectRegion { credentials } => {
            super::spawn(key_checks::find_region(credentials, flavour));
            Ok(())
        }
    }
}

/// Handles a change of the stored settings (or of the policy): the worker adopts them at
/// once, and turning session key storage off forgets every kept key.
#[wasm_bindgen]
pub async fn handle_settings_changed() -> Result<(), JsError> {
    // A load already under way may have read the old settings: load, then read them again.
    ensure_loaded().await?;
    // The new settings take effect at once under the policy last seen (the real one can take
    // seconds to read at a browser's start), then the real one is confirmed: this also runs when
    // the policy itself changed.
    let seen = seen_policy().await;
    put_in_force(&seen).await?;
    confirm_policy(seen).await
}

/// The user's settings with `policy` on top become the settings in force; keys kept in
/// `storage.session` are forgotten when they may no longer be kept.
async fn put_in_force(policy: &Policy) -> Result<(), JsError> {
    let settings = settings_under(policy).await?;
    let forget = with_state(|s| {
        s.settings = settings;
        let forget = !s.settings.session_keys() && !s.keys.is_empty();
        if forget {
            s.keys.clear();
        }
        forget
    })?;
    if forget {
        storage::set_in(
            Area::Session,
            SESSION_KEYS,
            &IndexMap::<String, String>::new(),
        )
        .await?;
    }
    Ok(())
}

/// Runs on every worker start: listens for saved settings, makes sure the reminder alarm exists
/// (alarms may not survive a browser restart) and brings the badge up to date.
#[wasm_bindgen]
pub async fn worker_started() -> Result<(), JsError> {
    // Settings saved in the options page are adopted at once.
    storage::listen_for_writes(settings::STORAGE_KEY, || {
        super::spawn(async { warn(handle_settings_changed().await) })
    })?;
    let existing = chrome::call(
        &["chrome", "alarms"],
        "get",
        &[JsValue::from_str(REMINDER_ALARM)],
    )
    .await?;
    if existing.is_undefined() || existing.is_null() {
        let info = to_js(&call_args::Alarm {
            period_in_minutes: Some(60.0),
            delay_in_minutes: Some(1.0),
            ..call_args::Alarm::default()
        })?;
        chrome::call(
            &["chrome", "alarms"],
            "create",
            &[JsValue::from_str(REMINDER_ALARM), info],
        )
        .await?;
    }
    run_reminders().await
}

/// Checks key ages: sets the badge and shows each reminder owed.
pub(super) async fn run_reminders() -> Result<(), JsError> {
    ensure_loaded().await?;
    let check = with_state(|s| s.check_reminders(time::now_ms()))?;
    let action = ["chrome", "action"];
    let text = to_js(&call_args::BadgeText {
        text: &check.badge.text,
    })?;
    chrome::call(&action, "setBadgeText", &[text]).await?;
    let color = to_js(&call_args::BadgeColor {
        color: check.badge.color,
    })?;
    chrome::call(&action, "setBadgeBackgroundColor", &[color]).await?;
    let title = to_js(&call_args::Title {
        title: &check.badge.title,
    })?;
    chrome::call(&action, "setTitle", &[title]).await?;
    if check.notify.is_empty() {
        return Ok(());
    }
    // Firefox shows no notification buttons: there a click opens the console.
    let buttons = chrome::full_notifications();
    for reminder in &check.notify {
        let notification = to_js(&call_args::Notification {
            template: "basic",
            icon_url: chrome::runtime_url("icons/icon-128.png")?,
            title: &reminder.title,
            message: &reminder.message,
            require_interaction: buttons,
            buttons: if buttons {
                vec![
                    call_args::Title {
                        title: if reminder.asks_for_date {
                            "Give the key's date"
                        } else {
                            "Open API Credentials"
                        },
                    },
                    call_args::Title {
                        title: "Snooze a day",
                    },
                ]
            } else {
                Vec::new()
            },
        })?;
        let prefix = if reminder.asks_for_date {
            DATE_NOTIFICATION_PREFIX
        } else {
            NOTIFICATION_PREFIX
        };
        let id = format!("{prefix}{}", reminder.client_id);
        chrome::call(
            &["chrome", "notifications"],
            "create",
            &[JsValue::from_str(&id), notification],
        )
        .await?;
    }
    save_accounts().await
}

/// Handles a click on a notification (`button` is -1 for the body): the offer to empty the
/// clipboard empties it; a reminder opens the console, or snoozes the account for a day.
#[wasm_bindgen]
pub async fn handle_notification(id: String, button: i32) -> Result<(), JsError> {
    if id == crate::core::console::clipboard::ASK_NOTIFICATION {
        return clipboard::empty_on_request().await;
    }
    let asks_for_date = id.starts_with(DATE_NOTIFICATION_PREFIX);
    let Some(client_id) = id
        .strip_prefix(NOTIFICATION_PREFIX)
        .or_else(|| id.strip_prefix(DATE_NOTIFICATION_PREFIX))
    else {
        return Ok(());
    };
    chrome::call(
        &["chrome", "notifications"],
        "clear",
        &[JsValue::from_str(&id)],
    )
    .await?;
    if button == 1 {
        ensure_loaded().await?;
        if with_state(|s| s.snooze(client_id, 1, time::now_ms()).is_ok())? {
            save_accounts().await?;
        }
        return Ok(());
    }
    if asks_for_date {
        return chrome::call(&["chrome", "runtime"], "openOptionsPage", &[])
            .await
            .map(|_| ());
    }
    let tab = to_js(&call_args::NewTab {
        url: crate::core::shared::hosts::CONSOLE_HOME,
    })?;
    chrome::call(&["chrome", "tabs"], "create", &[tab])
        .await
        .map(|_| ())
}

/// Handles `chrome.alarms.onAlarm`: reminders, or clearing a copied secret if the clipboard still
/// holds it.
#[wasm_bindgen]
pub async fn handle_alarm(name: String) -> Result<(), JsError> {
    if name == REMINDER_ALARM {
        return run_reminders().await;
    }
    match crate::core::console::clipboard::token_of_alarm(&name) {
        Some(token) => clear_if_due(token).await,
        None => Ok(()),
    }
}

/// Clears the clipboard for one copy, if its clear is due and the clipboard still holds it.
async fn clear_if_due(token: &str) -> Result<(), JsError> {
    ensure_loaded().await?;
    clipboard::clear_if_due(token, |text| with_state(|s| fingerprint(&s.salt, text))).await
}
