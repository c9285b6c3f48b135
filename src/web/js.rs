//! Values across the JS boundary, with serde-wasm-bindgen: messages, storage records and answers
//! become plain JS objects (maps too, never `Map`s), `None` becomes `null`, and numbers stay
//! numbers — the shapes `tests/wire.rs` holds and the JS wiring reads.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsError, JsValue};

use crate::core::protocol::Reread;

/// A Rust value as a plain JS value.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(could_not_cross)
}

/// A JS value read as `T`. The error says only that the shape was wrong, never the value (it may
/// be a stored key), so it is safe to log.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|_| wrong_shape())
}

// The errors are built out of line: `to_js` and `from_js` are compiled once per type.
#[cold]
#[inline(never)]
fn could_not_cross(e: serde_wasm_bindgen::Error) -> JsError {
    JsError::new(&format!("a value could not cross to JS: {e}"))
}

#[cold]
#[inline(never)]
fn wrong_shape() -> JsError {
    JsError::new("a value of the wrong shape")
}

/// A JS object can be read twice (a tagged message: its `type`, then its payload), which spares
/// buffering it whole.
impl Reread for JsValue {
    type Error = JsError;
    fn read<T: DeserializeOwned>(self) -> Result<T, JsError> {
        from_js(self)
    }
}

/// A JS string as UTF-8, through the browser's encoder: one copy, where the glue's conversion goes a
/// character at a time (a megabyte's body). `None` for anything but a string.
pub fn utf8_of(text: &JsValue) -> Option<String> {
    if !text.is_string() {
        return None;
    }
    String::from_utf8(Utf8Encoder::new().encode_value(text).to_vec()).ok()
}

#[wasm_bindgen]
extern "C" {
    /// `TextEncoder`, taking a JS string as it is (web-sys's takes a Rust `&str`).
    #[wasm_bindgen(js_name = TextEncoder)]
    type Utf8Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;
    #[wasm_bindgen(method, js_class = "TextEncoder", js_name = encode)]
    fn encode_value(this: &Utf8Encoder, text: &JsValue) -> js_sys::Uint8Array;
}

/// Logs a failure that needs no more than a console line (the page already says what matters).
/// A `JsError` from Keyward says what failed, never a value, so the line holds no key.
pub fn warn(result: Result<(), JsError>) {
    if let Err(e) = result {
        web_sys::console::warn_1(&JsValue::from(e));
    }
}
