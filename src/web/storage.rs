//! `chrome.storage` areas as JSON values: `local` for non-secret records, `session` (memory only,
//! trusted contexts only) for the key.

use crate::core::json::Value;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsError, JsValue};

/// A storage area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Local,
    Session,
    /// Enterprise policy, read-only.
    Managed,
}

impl Area {
    fn name(self) -> &'static str {
        match self {
            Area::Local => "local",
            Area::Session => "session",
            Area::Managed => "managed",
        }
    }
}

async fn call(which: Area, method: &str, arg: &JsValue) -> Result<JsValue, JsError> {
    super::chrome::call(
        &["chrome", "storage", which.name()],
        method,
        std::slice::from_ref(arg),
    )
    .await
}

/// Reads one key; `None` when it is absent or not JSON-like.
pub async fn get_in(which: Area, key: &str) -> Result<Option<Value>, JsError> {
    let items = call(which, "get", &JsValue::from_str(key)).await?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        return Ok(None);
    }
    Ok(super::json::from_js(&value))
}

/// Reads a whole area as one JSON object (`None` when it cannot be read).
pub async fn get_all(which: Area) -> Result<Option<Value>, JsError> {
    let items = call(which, "get", &JsValue::NULL).await?;
    Ok(super::json::from_js(&items))
}

/// Writes one key.
pub async fn set_in(which: Area, key: &str, value: &Value) -> Result<(), JsError> {
    let js = super::json::to_js(value)?;
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &js)
        .map_err(|_| JsError::new("could not build the storage item"))?;
    call(which, "set", &items).await.map(|_| ())
}

/// Reads one key from `storage.local`.
pub async fn get(key: &str) -> Result<Option<Value>, JsError> {
    get_in(Area::Local, key).await
}

/// Writes one key to `storage.local`.
pub async fn set(key: &str, value: &Value) -> Result<(), JsError> {
    set_in(Area::Local, key, value).await
}
