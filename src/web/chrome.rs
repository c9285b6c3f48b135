//! Bindings to the few `chrome.*` facts the edge reads, and messages to the worker. Firefox exposes
//! the same `chrome` namespace.

use js_sys::{Array, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsError, JsValue};

use super::js::{from_js, to_js};
use crate::core::lookup::{Failure, FailureCode};
use crate::core::protocol::{answer, ReportedTab, Request, ResponseKind};

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
    let query = to_js(&call_args::TabQuery {
        active: true,
        current_window: true,
    })
    .ok()?;
    first_tab_id(call(&["chrome", "tabs"], "query", &[query]).await.ok()?)
}

/// The first tab's id in a `tabs.query` answer; `None` for anything but a list of tabs.
fn first_tab_id(found: JsValue) -> Option<i64> {
    from_js::<Vec<ReportedTab>>(found).ok()?.first()?.id
}

/// `chrome.runtime.sendMessage(request)` from an extension page to the worker: its answer, still
/// unread (an error when the worker gave none).
pub async fn send_message(request: &Request) -> Result<JsValue, JsError> {
    call(&["chrome", "runtime"], "sendMessage", &[to_js(request)?]).await
}

/// The worker's answer read as what was asked for: the payload of `wanted`; otherwise the failure
/// the worker reports, its refusal, or why there is no answer to read.
pub fn expect<T: DeserializeOwned>(
    answer: Result<JsValue, JsError>,
    wanted: ResponseKind,
) -> Result<T, Failure> {
    from_js(answer_of_kind(answer, wanted)?).map_err(|_| unreadable())
}

fn unreadable() -> Failure {
    Failure::new(
        FailureCode::Other,
        "Keyward's worker gave an answer it could not read.",
    )
}

/// The answer when it is of the `wanted` kind (the one part of [`expect`] that does not depend on
/// the payload's type, so it is compiled once).
fn answer_of_kind(
    answer: Result<JsValue, JsError>,
    wanted: ResponseKind,
) -> Result<JsValue, Failure> {
    let answer =
        answer.map_err(|_| Failure::new(FailureCode::Other, "Keyward's worker gave no answer."))?;
    match ResponseKind::of(answer.clone()).map_err(|_| unreadable())? {
        kind if kind == wanted => Ok(answer),
        ResponseKind::ApiFailed => Err(from_js::<Failure>(answer).map_err(|_| unreadable())?),
        ResponseKind::Refused => {
            let refused: answer::Refused = from_js(answer).map_err(|_| unreadable())?;
            Err(Failure::new(
                FailureCode::Other,
                format!("Keyward refused: {}.", refused.reason),
            ))
        }
        _ => Err(Failure::new(
            FailureCode::Other,
            "Keyward's worker gave an answer to another question.",
        )),
    }
}

/// Asks the worker to do something: `Ok(())` when it acknowledged, `Err(reason)` when it refused.
pub async fn ask_worker(request: &Request) -> Result<Result<(), String>, JsError> {
    let answer = send_message(request).await?;
    Ok(match ResponseKind::of(answer.clone()) {
        Ok(ResponseKind::Ack) => Ok(()),
        Ok(ResponseKind::Refused) => Err(from_js::<answer::Refused>(answer)
            .map(|r| r.reason)
            .unwrap_or_else(|_| "the worker refused".into())),
        _ => Err("the worker gave an answer to another question".into()),
    })
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

/// Whether notifications take buttons and `requireInteraction` (Chrome). Firefox has neither, and
/// refuses a notification that asks for them; there a click on it does the first button's work.
pub fn full_notifications() -> bool {
    chrome_path(&["chrome", "runtime", "getBrowserInfo"]).is_none()
}

/// The value at a path from the global object (`["chrome", "offscreen"]`), if present.
pub fn chrome_path(path: &[&str]) -> Option<JsValue> {
    value_at(&js_sys::global().into(), path).filter(|v| !v.is_undefined() && !v.is_null())
}

/// Calls `path.method(...args)` (`["chrome", "storage", "local"]`, `"get"`) and awaits it if it
/// returns a promise. Every error names the call.
pub async fn call(path: &[&str], method: &str, args: &[JsValue]) -> Result<JsValue, JsError> {
    let name = || format!("{}.{method}", path.join("."));
    let failed = |e: JsValue| JsError::new(&format!("{} failed: {}", name(), describe(&e)));
    match start(path, method, args)?.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .map_err(failed),
        Err(v) => Ok(v),
    }
}

/// Calls `path.method(...args)` at once and returns what it returns (a promise, for most): for a
/// call that must be made inside an event handler, such as `permissions.request`.
pub fn start(path: &[&str], method: &str, args: &[JsValue]) -> Result<JsValue, JsError> {
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
    f.apply(&target, &list)
        .map_err(|e| JsError::new(&format!("{} failed: {}", name(), describe(&e))))
}

/// The option records `chrome.*` calls take, in the browser's own field names.
pub mod call_args {
    use serde::Serialize;

    /// `chrome.tabs.query`: the active tab of the current window.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TabQuery {
        pub active: bool,
        pub current_window: bool,
    }

    /// `chrome.tabs.create`.
    #[derive(Serialize)]
    pub struct NewTab<'a> {
        pub url: &'a str,
    }

    /// `chrome.scripting.executeScript`: our own files, into some frames of one tab.
    #[derive(Serialize)]
    pub struct Injection<'a> {
        pub target: InjectionTarget<'a>,
        pub files: &'a [&'a str],
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InjectionTarget<'a> {
        pub tab_id: i64,
        /// Frames by number (Firefox, which has no document ids); not with `document_ids`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub frame_ids: Option<&'a [i64]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub document_ids: Option<&'a [&'a str]>,
    }

    /// `chrome.tabs.sendMessage`'s options: the top frame, where the content script runs.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct TabMessageTarget {
        pub frame_id: i64,
    }

    /// What the worker tells a content script (a message of the kind `read_again`).
    #[derive(Serialize)]
    pub struct TabMessage {
        #[serde(rename = "type")]
        pub kind: &'static str,
    }

    /// `chrome.alarms.create`: once at `when`, or every `period_in_minutes`.
    #[derive(Serialize, Default)]
    #[serde(rename_all = "camelCase")]
    pub struct Alarm {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub when: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub delay_in_minutes: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub period_in_minutes: Option<f64>,
    }

    /// `chrome.action.setBadgeText`, `setBadgeBackgroundColor`, `setTitle`.
    #[derive(Serialize)]
    pub struct BadgeText<'a> {
        pub text: &'a str,
    }

    #[derive(Serialize)]
    pub struct BadgeColor<'a> {
        pub color: &'a str,
    }

    #[derive(Serialize)]
    pub struct Title<'a> {
        pub title: &'a str,
    }

    /// `chrome.notifications.create`: a basic notification.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Notification<'a> {
        #[serde(rename = "type")]
        pub template: &'static str,
        pub icon_url: String,
        pub title: &'a str,
        pub message: &'a str,
        /// Chrome only: Firefox refuses the whole call when it is there.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pub require_interaction: bool,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub buttons: Vec<Title<'a>>,
    }

    /// `chrome.permissions.contains`, `request` and `remove`.
    #[derive(Serialize)]
    pub struct Permissions {
        pub permissions: [&'static str; 1],
    }

    /// `chrome.runtime.getContexts`.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ContextFilter {
        pub context_types: Vec<&'static str>,
    }

    /// `chrome.offscreen.createDocument`.
    #[derive(Serialize)]
    pub struct OffscreenDocument {
        pub url: &'static str,
        pub reasons: Vec<&'static str>,
        pub justification: &'static str,
    }
}

/// The worker's scheduler, as the live rate-limit line ("Waiting 8 s — PingOne rate limit"), when
/// it is holding requests back.
pub async fn api_rate_line() -> Option<String> {
    let status: answer::ApiStatus = expect(
        send_message(&Request::ApiStatus).await,
        ResponseKind::ApiStatus,
    )
    .ok()?;
    crate::core::lookup::rate_line(status.waiting_ms, status.recent_429s, status.queued)
}

/// Whether tab `id` is still open (`chrome.tabs.get` fails for a closed one).
pub async fn tab_exists(id: i64) -> bool {
    call(&["chrome", "tabs"], "get", &[JsValue::from_f64(id as f64)])
        .await
        .is_ok()
}

/// The worker's view of tab `tab_id` (none: of no tab) and the accounts it knows.
pub async fn tab_view(tab_id: Option<i64>) -> Option<crate::core::console::credentials::TabView> {
    let request = Request::TabState(crate::core::protocol::ask::TabState {
        tab_id: tab_id.unwrap_or(-1),
    });
    expect(send_message(&request).await, ResponseKind::TabState).ok()
}
