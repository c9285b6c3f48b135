//! Bindings to the few `chrome.*` facts the edge reads. Firefox exposes the same `chrome` namespace.

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsError, JsValue};

use crate::core::json::{json, Value};

/// The value at a property path (`["tab", "url"]`), or `None` if any step is missing.
fn value_at(value: &JsValue, path: &[&str]) -> Option<JsValue> {
    let mut current = value.clone();
    for key in path {
        if current.is_undefined() || current.is_null() {
            return None;
        }
        current = Reflect::get(&current, &JsValue::from_str(key)).ok()?;
    }
    Some(current)
}

/// Reads a string at a property path.
pub fn string_at(value: &JsValue, path: &[&str]) -> Option<String> {
    value_at(value, path)?.as_string()
}

/// Reads a number at a property path.
pub fn number_at(value: &JsValue, path: &[&str]) -> Option<f64> {
    value_at(value, path)?.as_f64()
}

/// A thrown JS value as text for an error message: an `Error`'s message, a string as it is, anything
/// else as JSON. (`JsValue`'s `Debug` would wrap it in `JsValue(…)` and add the stack.)
pub fn describe(value: &JsValue) -> String {
    if let Some(text) = value.as_string() {
        return text;
    }
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| "no reason given".into())
}

/// What a promise the page's loader started (while the wasm was loading) came to; `None` when the
/// loader passed no promise or it failed.
pub async fn started_answer(started: JsValue) -> Option<JsValue> {
    let promise = started.dyn_into::<js_sys::Promise>().ok()?;
    wasm_bindgen_futures::JsFuture::from(promise).await.ok()
}

/// The first tab's id in the loader's `tabs.query` answer (started so the popup does not wait for
/// the two one after the other), or, when it gave none, in a query made now.
pub async fn active_tab_id_from(started: JsValue) -> Option<i64> {
    match started_answer(started).await.and_then(first_tab_id) {
        Some(id) => Some(id),
        None => active_tab_id().await,
    }
}

/// The active tab's id in the current window (`tabs.query` needs no permission for ids).
pub async fn active_tab_id() -> Option<i64> {
    let query = object(&[("active", JsValue::TRUE), ("currentWindow", JsValue::TRUE)]);
    first_tab_id(call(&["chrome", "tabs"], "query", &[query]).await.ok()?)
}

/// The first tab's id in a `tabs.query` answer; `None` for anything but an array of tabs.
fn first_tab_id(found: JsValue) -> Option<i64> {
    let tabs: Array = found.dyn_into().ok()?;
    number_at(&tabs.get(0), &["id"]).map(|n| n as i64)
}

/// `chrome.runtime.sendMessage(message)` from an extension page to the worker.
pub async fn send_message(message: &Value) -> Result<JsValue, JsError> {
    let js = super::json::to_js(message)?;
    call(&["chrome", "runtime"], "sendMessage", &[js]).await
}

/// Asks the worker to do something: `Ok(())` when it acknowledged, `Err(reason)` when it refused.
pub async fn ask_worker(request: &Value) -> Result<Result<(), String>, JsError> {
    let answer = send_message(request).await?;
    Ok(match string_at(&answer, &["type"]).as_deref() {
        Some("ack") => Ok(()),
        _ => {
            Err(string_at(&answer, &["reason"])
                .unwrap_or_else(|| "the worker did not answer".into()))
        }
    })
}

/// Checks a worker's answer to a lookup or export message: `Ok` when it is of the `expected` type;
/// otherwise the failure it reports, or why there is none (a refusal, an unreadable answer).
pub fn api_answer(answer: &JsValue, expected: &str) -> Result<(), crate::core::lookup::Failure> {
    use crate::core::lookup::{Failure, FailureCode};
    match string_at(answer, &["type"]).as_deref() {
        Some(t) if t == expected => Ok(()),
        Some("api_failed") => Err(super::json::read::<Failure>(answer).unwrap_or_else(|| {
            Failure::new(FailureCode::Other, "The worker's answer could not be read.")
        })),
        _ => Err(Failure::new(
            FailureCode::Other,
            string_at(answer, &["reason"])
                .map(|r| format!("Keyward refused: {r}."))
                .unwrap_or_else(|| "Keyward's worker gave no answer.".into()),
        )),
    }
}

fn runtime() -> Result<JsValue, JsError> {
    let chrome = Reflect::get(&js_sys::global(), &JsValue::from_str("chrome"))
        .map_err(|_| JsError::new("the chrome extension API is not available here"))?;
    Reflect::get(&chrome, &JsValue::from_str("runtime"))
        .ok()
        .filter(|r| !r.is_undefined())
        .ok_or_else(|| JsError::new("chrome.runtime is not available here"))
}

/// This extension's id (`chrome.runtime.id`).
pub fn runtime_id() -> Result<String, JsError> {
    string_at(&runtime()?, &["id"]).ok_or_else(|| JsError::new("chrome.runtime.id is missing"))
}

/// `chrome.runtime.getURL(path)`: the URL of one of our own files (`""` gives our base URL).
pub fn runtime_url(path: &str) -> Result<String, JsError> {
    let runtime = runtime()?;
    let get_url: js_sys::Function = Reflect::get(&runtime, &JsValue::from_str("getURL"))
        .map_err(|_| JsError::new("chrome.runtime.getURL is missing"))?
        .into();
    get_url
        .call1(&runtime, &JsValue::from_str(path))
        .ok()
        .and_then(|u| u.as_string())
        .ok_or_else(|| JsError::new("chrome.runtime.getURL failed"))
}

/// The manifest's `host_permissions`, as strings.
pub fn manifest_host_permissions() -> Result<Vec<String>, JsError> {
    let get_manifest: js_sys::Function =
        Reflect::get(&runtime()?, &JsValue::from_str("getManifest"))
            .map_err(|_| JsError::new("chrome.runtime.getManifest is missing"))?
            .into();
    let manifest = get_manifest
        .call0(&runtime()?)
        .map_err(|_| JsError::new("chrome.runtime.getManifest failed"))?;
    let patterns =
        Reflect::get(&manifest, &JsValue::from_str("host_permissions")).unwrap_or_default();
    if !Array::is_array(&patterns) {
        return Ok(Vec::new());
    }
    Ok(Array::from(&patterns)
        .iter()
        .filter_map(|p| p.as_string())
        .collect())
}

/// The value at a path from the global object (`["chrome", "offscreen"]`), if present.
pub fn chrome_path(path: &[&str]) -> Option<JsValue> {
    value_at(&js_sys::global().into(), path).filter(|v| !v.is_undefined() && !v.is_null())
}

/// Calls `path.method(...args)` (`["chrome", "storage", "local"]`, `"get"`) and awaits it if it
/// returns a promise. Every error names the call.
pub async fn call(path: &[&str], method: &str, args: &[JsValue]) -> Result<JsValue, JsError> {
    let name = || format!("{}.{method}", path.join("."));
    let target = chrome_path(path).ok_or_else(|| {
        JsError::new(&format!(
            "{} is not available here (is its permission granted?)",
            path.join(".")
        ))
    })?;
    let f: js_sys::Function = Reflect::get(&target, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| JsError::new(&format!("{} is missing", name())))?;
    let list = Array::new();
    for a in args {
        list.push(a);
    }
    let failed = |e: JsValue| JsError::new(&format!("{} failed: {}", name(), describe(&e)));
    let result = f.apply(&target, &list).map_err(failed)?;
    match result.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .map_err(failed),
        Err(v) => Ok(v),
    }
}

/// A plain object from pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// The worker's scheduler, as the live rate-limit line ("Waiting 8 s — PingOne rate limit"), when
/// it is holding requests back.
pub async fn api_rate_line() -> Option<String> {
    let status = send_message(&json!({"type": "api_status"})).await.ok()?;
    crate::core::lookup::rate_line(
        number_at(&status, &["waiting_ms"]).map(|n| n as u64),
        number_at(&status, &["recent_429s"]).unwrap_or(0.0) as usize,
        number_at(&status, &["queued"]).unwrap_or(0.0) as usize,
    )
}
