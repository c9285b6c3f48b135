//! The clipboard for the background context. Chrome's MV3 worker has none, so an offscreen document
//! performs each write or read it is told to; Firefox has no offscreen documents but its background
//! page has a DOM, so there the same operations run in place. Clearing a copied secret is scheduled
//! with an alarm and happens only if the clipboard still holds that copy (compared by salted
//! fingerprint, decided in Rust).

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsError, JsValue};

use super::chrome::{call, chrome_path, object};
use super::storage::{self, Area};
use crate::core::json::{json, Value};

/// The alarm that clears the clipboard.
pub const CLEAR_ALARM: &str = "keyward-clipboard-clear";
const PENDING_KEY: &str = "clipboard_pending";
const OFFSCREEN_URL: &str = "offscreen.html";

async fn ensure_offscreen() -> Result<(), JsError> {
    let filter = object(&[(
        "contextTypes",
        Array::of1(&JsValue::from_str("OFFSCREEN_DOCUMENT")).into(),
    )]);
    let contexts = call(&["chrome", "runtime"], "getContexts", &[filter]).await?;
    if Array::from(&contexts).length() > 0 {
        return Ok(());
    }
    let options = object(&[
        ("url", JsValue::from_str(OFFSCREEN_URL)),
        ("reasons", Array::of1(&JsValue::from_str("CLIPBOARD")).into()),
        ("justification", JsValue::from_str("Copy helpers write the Client ID, key and snippets; copied secrets are cleared later.")),
    ]);
    call(&["chrome", "offscreen"], "createDocument", &[options])
        .await
        .map(|_| ())
}

async fn offscreen(op: &str, text: Option<&str>) -> Result<JsValue, JsError> {
    ensure_offscreen().await?;
    let mut pairs = vec![
        ("target", JsValue::from_str("offscreen")),
        ("op", JsValue::from_str(op)),
    ];
    if let Some(t) = text {
        pairs.push(("text", JsValue::from_str(t)));
    }
    call(&["chrome", "runtime"], "sendMessage", &[object(&pairs)]).await
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
    let answer = offscreen("write", Some(text)).await?;
    if Reflect::get(&answer, &JsValue::from_str("ok"))
        .ok()
        .and_then(|v| v.as_bool())
        == Some(true)
    {
        Ok(())
    } else {
        Err(JsError::new("the clipboard write was refused"))
    }
}

/// Remembers what to clear (by fingerprint) and arms the alarm.
pub async fn schedule_clear(fingerprint: &str, after_secs: u64) -> Result<(), JsError> {
    let due = js_sys::Date::now() + (after_secs as f64) * 1000.0;
    let pending = json!({"fingerprint": fingerprint, "due_ms": due as u64});
    storage::set_in(Area::Session, PENDING_KEY, &pending).await?;
    let info = object(&[("when", JsValue::from_f64(due))]);
    call(
        &["chrome", "alarms"],
        "create",
        &[JsValue::from_str(CLEAR_ALARM), info],
    )
    .await
    .map(|_| ())
}

/// The pending clear: the copy's fingerprint and when it is due.
pub async fn pending() -> Result<Option<(String, f64)>, JsError> {
    let value = storage::get_in(Area::Session, PENDING_KEY).await?;
    Ok(value.and_then(|v| {
        let fingerprint = v.get("fingerprint")?.as_str()?.to_string();
        Some((fingerprint, v.get("due_ms")?.as_f64()?))
    }))
}

/// Reads the clipboard's text.
pub async fn read() -> Result<String, JsError> {
    if let Some(doc) = local_document() {
        return dom_read(&doc);
    }
    let answer = offscreen("read", None).await?;
    Ok(Reflect::get(&answer, &JsValue::from_str("text"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default())
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
    storage::set_in(Area::Session, PENDING_KEY, &Value::Null).await
}
