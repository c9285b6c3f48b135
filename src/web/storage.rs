//! `chrome.storage.local` for non-secret records, as JSON values.

use js_sys::{Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_futures::JsFuture;

fn local_area() -> Result<JsValue, JsError> {
    let path = ["chrome", "storage", "local"];
    let mut value: JsValue = js_sys::global().into();
    for key in path {
        value = Reflect::get(&value, &JsValue::from_str(key))
            .map_err(|_| JsError::new("chrome.storage is not available"))?;
        if value.is_undefined() {
            return Err(JsError::new(
                "chrome.storage.local is not available (is the storage permission granted?)",
            ));
        }
    }
    Ok(value)
}

async fn call(method: &str, arg: &JsValue) -> Result<JsValue, JsError> {
    let area = local_area()?;
    let f: js_sys::Function = Reflect::get(&area, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| JsError::new("chrome.storage.local method is missing"))?;
    let promise: Promise = f
        .call1(&area, arg)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| JsError::new("chrome.storage.local did not return a promise"))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| JsError::new(&format!("chrome.storage.local.{method} failed: {e:?}")))
}

/// Reads one key; `None` when it is absent or not JSON-like.
pub async fn get(key: &str) -> Result<Option<serde_json::Value>, JsError> {
    let items = call("get", &JsValue::from_str(key)).await?;
    let value = Reflect::get(&items, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        return Ok(None);
    }
    Ok(serde_wasm_bindgen::from_value(value).ok())
}

/// Writes one key.
pub async fn set<T: Serialize>(key: &str, value: &T) -> Result<(), JsError> {
    let js = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))?;
    let items = Object::new();
    Reflect::set(&items, &JsValue::from_str(key), &js)
        .map_err(|_| JsError::new("could not build the storage item"))?;
    call("set", &items).await.map(|_| ())
}
