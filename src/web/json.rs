//! Values across the JS boundary, as JSON: serde_json on the Rust side, the browser's own
//! `JSON.parse`/`JSON.stringify` on the other. One generic path for every type keeps the bundle
//! small (a serde-to-JsValue bridge would add code for each type that crosses).

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};

/// A Rust value as a plain JS value (objects, arrays, strings, numbers, booleans, null).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    // Through `Value`, so each type is compiled for one serde backend only (smaller bundle).
    let value = serde_json::to_value(value).map_err(|e| JsError::new(&e.to_string()))?;
    let text = value.to_string();
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("the browser could not read our JSON"))
}

/// A JS value read as `T`; `None` when it is undefined, not JSON-like, or not a `T`.
pub fn from_js<T: DeserializeOwned>(value: &JsValue) -> Option<T> {
    if value.is_undefined() {
        return None;
    }
    // A page's text can hold lone surrogates, which JSON.stringify writes as escapes.
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    let value = crate::core::json_text::parse(text.as_bytes()).ok()?;
    serde_json::from_value(value).ok()
}
