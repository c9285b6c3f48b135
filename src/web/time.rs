//! Clocks, randomness and timers for the edge: the values the core asks to be passed in.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// A random number in [0, 1).
pub fn unit() -> f64 {
    js_sys::Math::random()
}

/// `len` bytes from the platform's cryptographic generator (salts, clipboard tokens).
pub fn random_bytes(len: u32) -> Result<Vec<u8>, wasm_bindgen::JsError> {
    use wasm_bindgen::JsError;
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|_| JsError::new("crypto is not available"))?;
    let bytes = js_sys::Uint8Array::new_with_length(len);
    let f: Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| JsError::new("crypto.getRandomValues is missing"))?;
    f.call1(&crypto, &bytes)
        .map_err(|_| JsError::new("crypto.getRandomValues failed"))?;
    Ok(bytes.to_vec())
}

fn global_fn(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

/// `setTimeout(callback, ms)`; returns the handle (or `None` if timers are unavailable).
pub fn set_timeout(callback: &Function, ms: u64) -> Option<JsValue> {
    let ms = JsValue::from_f64(ms.min(i32::MAX as u64) as f64);
    global_fn("setTimeout")?
        .call2(&JsValue::UNDEFINED, callback, &ms)
        .ok()
}

/// `clearTimeout(handle)`.
pub fn clear_timeout(handle: &JsValue) {
    if let Some(f) = global_fn("clearTimeout") {
        let _ = f.call1(&JsValue::UNDEFINED, handle);
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u64) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}
