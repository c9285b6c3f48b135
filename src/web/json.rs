//! Values across the JS boundary, as JSON: `core::json`'s `Value` on the Rust side (records convert
//! with `codec`), the browser's own `JSON.parse`/`JSON.stringify` on the other. One path for every
//! type keeps the bundle small.

use wasm_bindgen::{JsError, JsValue};

use crate::core::codec::{self, FromJson};
use crate::core::json::{self, Value};

/// A JSON value as a plain JS value (objects, arrays, strings, numbers, booleans, null).
pub fn to_js(value: &Value) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&value.to_string())
        .map_err(|_| JsError::new("the browser could not read our JSON"))
}

/// A JS value as JSON; `None` when it is undefined or not JSON-like.
pub fn from_js(value: &JsValue) -> Option<Value> {
    if value.is_undefined() {
        return None;
    }
    // A page's text can hold lone surrogates, which JSON.stringify writes as escapes.
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    json::parse(text.as_bytes()).ok()
}

/// A JS value read as `T`; `None` when it is not one.
pub fn read<T: FromJson>(value: &JsValue) -> Option<T> {
    codec::read(&from_js(value)?)
}
