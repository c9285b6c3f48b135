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
    Ok(get_value(which, key).await?.and_then(|v| from_js(v).ok()))
}

/// One key's value, as stored (the part of [`get_in`] compiled once, not once per record type).
async fn get_value(which: Area, key: &str) -> Result<Option<JsValue>, JsError> {
    let items = call(which, "get", &JsValue::from_str(key)).await?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    Ok((!value.is_undefined()).then_some(value))
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
    set_value(which, key, to_js(value)?).await
}

async fn set_value(which: Area, key: &str, value: JsValue) -> Result<(), JsError> {
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &value)
        .map_err(|_| JsError::new("could not build the storage item"))?;
    call(which, "set", &items).await.map(|_| ())
}

/// The access level that keeps content scripts out of an area.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessLevel {
    access_level: &'static str,
}

/// Closes `storage.local` to content scripts (Chrome's `setAccessLevel`; `storage.session` is
/// closed to them already). Firefox has no such call: there, and everywhere as a second line,
/// whatever is read from `storage.local` is checked as untrusted input.
pub async fn restrict_to_trusted_contexts() -> Result<(), JsError> {
    if super::chrome::chrome_path(&["chrome", "storage", "local", "setAccessLevel"]).is_none() {
        return Ok(());
    }
    let level = to_js(&AccessLevel {
        access_level: "TRUSTED_CONTEXTS",
    })?;
    call(Area::Local, "setAccessLevel", &level)
        .await
        .map(|_| ())
}

/// Reads one key from `storage.local`.
pub async fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, JsError> {
    get_in(Area::Local, key).await
}

/// Writes one key to `storage.local`.
pub async fn set<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), JsError> {
    set_in(Area::Local, key, value).await
}
