//! The clipboard for the background context. Chrome's MV3 worker has none, so an offscreen document
//! performs each write or read it is told to; Firefox has no offscreen documents but its background
//! page has a DOM, so there the same operations run in place. Copies and clears take turns under
//! one lock, so a copy never lands between a clear's read and its write; what each clear may do is
//! decided in Rust (`core::clipboard`): it acts for its own copy's token only, and reads the
//! clipboard only where the admin granted the optional permission; elsewhere it asks.

use std::rc::Rc;

use futures_util::lock::Mutex;
use js_sys::Array;
use wasm_bindgen::{JsCast, JsError, JsValue};

use super::chrome::{call, call_args, chrome_path};
use super::js::{from_js, to_js};
use super::storage::{self, Area};
use super::time;
use crate::core::console::clipboard::{self, ClearStep, PendingClear, PendingClears};
use crate::core::protocol::{OffscreenAnswer, OffscreenOp, OffscreenRequest, OffscreenTarget};
use crate::core::settings::{ClearCheck, CLIPBOARD_READ_PERMISSION};

const PENDING_KEY: &str = "clipboard_pending";
const OFFSCREEN_URL: &str = "offscreen.html";

async fn ensure_offscreen() -> Result<(), JsError> {
    let filter = to_js(&call_args::ContextFilter {
        context_types: vec!["OFFSCREEN_DOCUMENT"],
    })?;
    let contexts = call(&["chrome", "runtime"], "getContexts", &[filter]).await?;
    if Array::from(&contexts).length() > 0 {
        return Ok(());
    }
    let document = to_js(&call_args::OffscreenDocument {
        url: OFFSCREEN_URL,
        reasons: vec!["CLIPBOARD"],
        justification:
            "Copy helpers write the Client ID, key and snippets; copied secrets are cleared later.",
    })?;
    call(&["chrome", "offscreen"], "createDocument", &[document])
        .await
        .map(|_| ())
}

async fn offscreen(op: OffscreenOp) -> Result<OffscreenAnswer, JsError> {
    ensure_offscreen().await?;
    let request = OffscreenRequest {
        target: OffscreenTarget::Offscreen,
        op,
    };
    let answer = call(&["chrome", "runtime"], "sendMessage", &[to_js(&request)?]).await?;
    Ok(from_js(answer).unwrap_or_default())
}

/// The background page's document, where there is one (Firefox) and no offscreen API.
fn local_document() -> Option<web_sys::HtmlDocument> {
    if chrome_path(&["chrome", "offscreen"]).is_some() {
        return None;
    }
    web_sys::window()?.document()?.dyn_into().ok()
}

fn dom_write(doc: &web_sys::HtmlDocument, text: &str) -> Result<(), JsError> {
    let fail = |_| JsError::new("the clipboard write failed");
    let copied = if text.is_empty() {
        // Copying an empty textarea changes nothing; a copy handler can set an empty string.
        let on_copy = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::ClipboardEvent)>::new(
            |e: web_sys::ClipboardEvent| {
                if let Some(data) = e.clipboard_data() {
                    let _ = data.set_data("text/plain", "");
                }
                e.prevent_default();
            },
        );
        doc.add_event_listener_with_callback("copy", on_copy.as_ref().unchecked_ref())
            .map_err(fail)?;
        let copied = doc.exec_command("copy").map_err(fail)?;
        doc.remove_event_listener_with_callback("copy", on_copy.as_ref().unchecked_ref())
            .map_err(fail)?;
        copied
    } else {
        let area: web_sys::HtmlTextAreaElement = doc
            .create_element("textarea")
            .map_err(fail)?
            .dyn_into()
            .map_err(|_| JsError::new("no textarea"))?;
        area.set_value(text);
        let body = doc
            .body()
            .ok_or_else(|| JsError::new("the background page has no body"))?;
        body.append_child(&area).map_err(fail)?;
        area.select();
        let copied = doc.exec_command("copy").map_err(fail);
        area.remove();
        copied?
    };
    if copied {
        Ok(())
    } else {
        Err(JsError::new("the clipboard write was refused"))
    }
}

fn dom_read(doc: &web_sys::HtmlDocument) -> Result<String, JsError> {
    let fail = |_| JsError::new("the clipboard read failed");
    let area: web_sys::HtmlTextAreaElement = doc
        .create_element("textarea")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| JsError::new("no textarea"))?;
    let body = doc
        .body()
        .ok_or_else(|| JsError::new("the background page has no body"))?;
    body.append_child(&area).map_err(fail)?;
    let _ = area.focus();
    let pasted = doc.exec_command("paste");
    let text = area.value();
    area.remove();
    pasted.map_err(fail)?;
    Ok(text)
}

/// One clipboard operation at a time, across copies, timers and alarms.
fn lock() -> Rc<Mutex<()>> {
    thread_local! {
        static LOCK: Rc<Mutex<()>> = Rc::new(Mutex::new(()));
    }
    LOCK.with(Rc::clone)
}

/// Writes `text` to the clipboard.
async fn write(text: &str) -> Result<(), JsError> {
    if let Some(doc) = local_document() {
        return dom_write(&doc, text);
    }
    let answer = offscreen(OffscreenOp::Write {
        text: text.to_string(),
    })
    .await?;
    if answer.ok {
        Ok(())
    } else {
        Err(JsError::new("the clipboard write was refused"))
    }
}

/// Reads the clipboard's text.
async fn read() -> Result<String, JsError> {
    if let Some(doc) = local_document() {
        return dom_read(&doc);
    }
    Ok(offscreen(OffscreenOp::Read).await?.text.unwrap_or_default())
}

async fn pending() -> Result<PendingClears, JsError> {
    Ok(storage::get_in(Area::Session, PENDING_KEY)
        .await?
        .unwrap_or_default())
}

async fn clear_alarm(token: &str) -> Result<(), JsError> {
    call(
        &["chrome", "alarms"],
        "clear",
        &[JsValue::from_str(&clipboard::alarm_name(token))],
    )
    .await
    .map(|_| ())
}

/// A copy whose clear is to be scheduled: its salted fingerprint and how long it may stay.
pub struct ClearLater {
    pub fingerprint: String,
    pub after_secs: u64,
}

/// Writes `text` to the clipboard and, for a secret, schedules its own clear (an alarm under a
/// fresh token); returns that token. The clear is recorded before the write: whenever the clipboard
/// holds the secret, its clear and its alarm are already set (alarms outlive the worker, so one
/// stopped right after the write still clears the copy).
pub async fn copy(text: &str, clear: Option<ClearLater>) -> Result<Option<String>, JsError> {
    let lock = lock();
    let _turn = lock.lock().await;
    let Some(clear) = clear else {
        write(text).await?;
        return Ok(None);
    };
    let mut random = [0u8; 8];
    random.copy_from_slice(&time::random_bytes(8)?);
    let token = clipboard::token_from(random);
    let due = time::now_ms().saturating_add(clear.after_secs.saturating_mul(1000));
    let mut all = pending().await?;
    let superseded = all.schedule(PendingClear {
        token: token.clone(),
        fingerprint: clear.fingerprint,
        due_ms: due,
    });
    storage::set_in(Area::Session, PENDING_KEY, &all).await?;
    for old in superseded {
        clear_alarm(&old).await?;
    }
    let info = to_js(&call_args::Alarm {
        when: Some(due as f64),
        ..call_args::Alarm::default()
    })?;
    call(
        &["chrome", "alarms"],
        "create",
        &[JsValue::from_str(&clipboard::alarm_name(&token)), info],
    )
    .await?;
    if let Err(failed) = write(text).await {
        // Nothing was copied: nothing to clear.
        all.forget(&token);
        storage::set_in(Area::Session, PENDING_KEY, &all).await?;
        clear_alarm(&token).await?;
        return Err(failed);
    }
    Ok(Some(token))
}

/// `chrome.permissions.method` (`contains`, `request`, `remove`) for the clipboard read
/// permission, called at once (`request` must be, inside the admin's click); returns what the call
/// returns (a promise).
pub fn read_permission(method: &str) -> Result<JsValue, JsError> {
    let permission = to_js(&call_args::Permissions {
        permissions: [CLIPBOARD_READ_PERMISSION],
    })?;
    super::chrome::start(&["chrome", "permissions"], method, &[permission])
}

/// What Keyward may do with the clipboard now: read it only if the admin granted the permission.
pub async fn clear_check() -> ClearCheck {
    let asked = read_permission("contains").and_then(|p| {
        p.dyn_into::<js_sys::Promise>()
            .map_err(|_| JsError::new("chrome.permissions.contains gave no promise"))
    });
    let granted = match asked {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    match granted.and_then(|g| g.as_bool()) {
        Some(true) => ClearCheck::IfUnchanged,
        _ => ClearCheck::Ask,
    }
}

/// The clear for `token`, if it is due: empties the clipboard if it still holds that copy (by
/// fingerprint, computed by `fingerprint_of`), and forgets that clear, and only that one. Without
/// the permission to read the clipboard it offers the admin to empty it instead.
pub async fn clear_if_due(
    token: &str,
    fingerprint_of: impl Fn(&str) -> Result<String, JsError>,
) -> Result<(), JsError> {
    let check = clear_check().await;
    let lock = lock();
    let _turn = lock.lock().await;
    let mut all = pending().await?;
    match all.step(token, time::now_ms(), check) {
        ClearStep::Nothing | ClearStep::NotYet => return Ok(()),
        ClearStep::Ask => offer_to_empty().await?,
        ClearStep::Compare { fingerprint } => {
            if fingerprint_of(&read().await?)? == fingerprint {
                write("").await?;
            }
        }
    }
    // Done, or something newer is on the clipboard: this clear is over either way.
    all.forget(token);
    storage::set_in(Area::Session, PENDING_KEY, &all).await?;
    clear_alarm(token).await
}

/// Shows (or shows again) the one notification that offers to empty the clipboard.
async fn offer_to_empty() -> Result<(), JsError> {
    let notification = to_js(&call_args::Notification {
        template: "basic",
        icon_url: super::chrome::runtime_url("icons/icon-128.png")?,
        title: clipboard::ASK_TITLE,
        message: clipboard::ASK_MESSAGE,
        require_interaction: super::chrome::full_notifications(),
        buttons: Vec::new(),
    })?;
    call(
        &["chrome", "notifications"],
        "create",
        &[JsValue::from_str(clipboard::ASK_NOTIFICATION), notification],
    )
    .await
    .map(|_| ())
}

/// Keyward's offer to empty the clipboard is out (its notification not yet answered or closed).
pub async fn offered() -> bool {
    call(&["chrome", "notifications"], "getAll", &[])
        .await
        .ok()
        .is_some_and(|all| {
            js_sys::Reflect::has(&all, &JsValue::from_str(clipboard::ASK_NOTIFICATION))
                .unwrap_or(false)
        })
}

/// Empties the clipboard because the admin asked (the offer's notification was clicked).
pub async fn empty_on_request() -> Result<(), JsError> {
    let lock = lock();
    let _turn = lock.lock().await;
    call(
        &["chrome", "notifications"],
        "clear",
        &[JsValue::from_str(clipboard::ASK_NOTIFICATION)],
    )
    .await?;
    write("").await
}
