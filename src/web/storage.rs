//! Storage as typed records: Keyward's own records (accounts, salt, settings, layouts) where no
//! content script can reach them — `storage.local` closed by `setAccessLevel` on Chrome, the
//! extension origin's IndexedDB (`records_idb`) where that call does not exist (Firefox) —,
//! `storage.session` (memory only, trusted contexts only) for the key, `managed` for the enterprise
//! policy. Records cross with serde-wasm-bindgen (`js`), as plain objects. Each write of a record is
//! announced on [`RECORDS_CHANNEL`] to Keyward's other contexts (same origin only).

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

/// The `BroadcastChannel` on which each write of a record is announced (its key); the background
/// context adopts new settings from it. A content script's channels are its page's origin's.
pub const RECORDS_CHANNEL: &str = "keyward-records";

/// `storage.local` can be closed to content scripts here (Chrome); elsewhere records live in
/// IndexedDB.
fn local_can_be_closed() -> bool {
    super::chrome::chrome_path(&["chrome", "storage", "local", "setAccessLevel"]).is_some()
}

thread_local! {
    /// The channel this context listens on, kept open for the context's life.
    static LISTENING: std::cell::RefCell<Option<web_sys::BroadcastChannel>> =
        const { std::cell::RefCell::new(None) };
}

/// Calls `on_write` each time another of Keyward's contexts writes the record `key`.
pub fn listen_for_writes(key: &'static str, on_write: impl Fn() + 'static) -> Result<(), JsError> {
    let channel = web_sys::BroadcastChannel::new(RECORDS_CHANNEL)
        .map_err(|_| JsError::new("no channel for Keyward's records"))?;
    let handler = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(
        move |event: web_sys::MessageEvent| {
            if event.data().as_string().as_deref() == Some(key) {
                on_write();
            }
        },
    );
    channel.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(handler.as_ref())));
    // Both live as long as the context: the handler is never dropped, the channel never closed.
    handler.forget();
    LISTENING.with(|l| l.replace(Some(channel)));
    Ok(())
}

/// Reads one of Keyward's records (`None` when absent or unreadable as a `T`).
pub async fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, JsError> {
    if local_can_be_closed() {
        return get_in(Area::Local, key).await;
    }
    Ok(super::records_idb::get(key)
        .await?
        .and_then(|v| from_js(v).ok()))
}

/// Writes one of Keyward's records and announces it.
pub async fn set<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), JsError> {
    let value = to_js(value)?;
    if local_can_be_closed() {
        set_value(Area::Local, key, value).await?;
    } else {
        super::records_idb::set(key, value).await?;
    }
    if let Ok(channel) = web_sys::BroadcastChannel::new(RECORDS_CHANNEL) {
        let _ = channel.post_message(&JsValue::from_str(key));
        channel.close();
    }
    Ok(())
}
