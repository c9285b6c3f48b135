//! `chrome.storage` areas as typed records: `local` for non-secret records, `session` (memory only,
//! trusted contexts only) for the key, `managed` for the enterprise policy. Records cross with
//! serde-wasm-bindgen (`js`), as plain objects.

use js_sys::{Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsError, JsValue};

use super::js::{from_js, to_js};

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

/// Reads one key as `T`; `None` when it is absent or not a `T` (storage is untrusted input: a
/// content script may have written it, so an unreadable record is treated as none).
pub async fn get_in<T: DeserializeOwned>(which: Area, key: &str) -> Result<Option<T>, JsError> {
    let items = call(which, "get", &JsValue::from_str(key)).await?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        return Ok(None);
    }
    Ok(from_js(value).ok())
}

/// Reads a whole area as one `T` (`None` when it cannot be read as one).
pub async fn get_all<T: DeserializeOwned>(which: Area) -> Result<Option<T>, JsError> {
    let items = call(which, "get", &JsValue::NULL).await?;
    Ok(from_js(items).ok())
}

/// Writes one key.
pub async fn set_in<T: Serialize + ?Sized>(
    which: Area,
    key: &str,
    value: &T,
) -> Result<(), JsError> {
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &to_js(value)?)
        .map_err(|_| JsError::new("could not build the storage item"))?;
    call(which, "set", &items).await.map(|_| ())
}

/// Reads one key from `storage.local`.
pub async fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, JsError> {
    get_in(Area::Local, key).await
}

/// Writes one key to `storage.local`.
pub async fn set<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), JsError> {
    set_in(Area::Local, key, value).await
}
