//! The clipboard for the background context. Chrome's MV3 worker has none, so an offscreen document
//! performs each write or read it is told to; Firefox has no offscreen documents but its background
//! page has a DOM, so there the same operations run in place. Clearing a copied secret is scheduled
//! with an alarm and happens only if the clipboard still holds that copy (compared by salted
//! fingerprint, decided in Rust).

use js_sys::Array;
use wasm_bindgen::{JsCast, JsError, JsValue};

use super::chrome::{call, chrome_path, options};
use super::js::{from_js, to_js};
use super::storage::{self, Area};
use crate::core::message::{OffscreenAnswer, OffscreenOp, OffscreenRequest, OffscreenTarget};
use crate::core::worker::PendingClear;

/// The alarm that clears the clipboard.
pub const CLEAR_ALARM: &str = "keyward-clipboard-clear";
const PENDING_KEY: &str = "clipboard_pending";
const OFFSCREEN_URL: &str = "offscreen.html";

async fn ensure_offscreen() -> Result<(), JsError> {
    let filter = to_js(&options::ContextFilter {
        context_types: vec!["OFFSCREEN_DOCUMENT"],
    })?;
    let contexts = call(&["chrome", "runtime"], "getContexts", &[filter]).await?;
    if Array::from(&contexts).length() > 0 {
        return Ok(());
    }
    let document = to_js(&options::OffscreenDocument {
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

/// Writes `text` to the clipboard.
pub async fn write(text: &str) -> Result<(), JsError> {
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

/// Remembers what to clear (by fingerprint) and arms the alarm.
pub async fn schedule_clear(fingerprint: &str, after_secs: u64) -> Result<(), JsError> {
    let due = js_sys::Date::now() + (after_secs as f64) * 1000.0;
    let pending = PendingClear {
        fingerprint: fingerprint.to_string(),
        due_ms: due as u64,
    };
    storage::set_in(Area::Session, PENDING_KEY, &pending).await?;
    let info = to_js(&options::Alarm {
        when: Some(due),
        ..options::Alarm::default()
    })?;
    call(
        &["chrome", "alarms"],
        "create",
        &[JsValue::from_str(CLEAR_ALARM), info],
    )
    .await
    .map(|_| ())
}

/// The pending clear: the copy's fingerprint and when it is due.
pub async fn pending() -> Result<Option<PendingClear>, JsError> {
    storage::get_in(Area::Session, PENDING_KEY).await
}

/// Reads the clipboard's text.
pub async fn read() -> Result<String, JsError> {
    if let Some(doc) = local_document() {
        return dom_read(&doc);
    }
    Ok(offscreen(OffscreenOp::Read).await?.text.unwrap_or_default())
}

/// Empties the clipboard and forgets the pending clear.
pub async fn clear() -> Result<(), JsError> {
    write("").await?;
    forget().await
}

/// Forgets the pending clear (the clipboard changed since).
pub async fn forget() -> Result<(), JsError> {
    call(
        &["chrome", "alarms"],
        "clear",
        &[JsValue::from_str(CLEAR_ALARM)],
    )
    .await?;
    storage::set_in(Area::Session, PENDING_KEY, &None::<PendingClear>).await
}
