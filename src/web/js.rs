//! Values across the JS boundary, with serde-wasm-bindgen: messages, storage records and answers
//! become plain JS objects (maps too, never `Map`s), `None` becomes `null`, and numbers stay
//! numbers — the shapes `tests/wire.rs` holds and the JS wiring reads.

use serde::de::DeserializeOwned;
use serde::Serialize;
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
