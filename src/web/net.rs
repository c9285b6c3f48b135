//! The HTTP transport behind a small trait, implemented on the global `fetch` (the service
//! worker has no `window`, so it is called as a global, as in every context).

use std::future::Future;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestCredentials, RequestInit, Response};

use super::time::now_ms;
use crate::core::api::{check_answer, ApiError};

/// Sends a GET and returns the checked body.
pub trait Transport {
    fn get(
        &self,
        url: &str,
        authorization: &str,
        abort: &AbortSignal,
    ) -> impl Future<Output = Result<Vec<u8>, ApiError>>;
}

#[wasm_bindgen]
extern "C" {
    /// `fetch(url, init)` on whatever the global object is (window or worker).
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<js_sys::Promise, JsValue>;
}

/// fetch() with the Directory API's headers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fetch;

impl Transport for Fetch {
    async fn get(
        &self,
        url: &str,
        authorization: &str,
        abort: &AbortSignal,
    ) -> Result<Vec<u8>, ApiError> {
        let headers = Headers::new().map_err(|e| network(&e))?;
        for (name, value) in [
            ("Authorization", authorization),
            ("Accept", "application/json"),
        ] {
            headers.set(name, value).map_err(|e| network(&e))?;
        }
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_headers(&headers);
        // Credentials travel only in the Authorization header; never send cookies along.
        init.set_credentials(RequestCredentials::Omit);
        init.set_signal(Some(abort));
        let response: Response = JsFuture::from(global_fetch(url, &init).map_err(|e| network(&e))?)
            .await
            .map_err(|e| network(&e))?
            .unchecked_into();
        let headers = response.headers();
        let header = |name: &str| headers.get(name).ok().flatten();
        let (content_type, retry_after) = (header("content-type"), header("retry-after"));
        let buffer = response.array_buffer().map_err(|e| network(&e))?;
        let body = JsFuture::from(buffer).await.map_err(|e| network(&e))?;
        check_answer(
            response.status(),
            content_type.as_deref(),
            retry_after.as_deref(),
            js_sys::Uint8Array::new(&body).to_vec(),
            now_ms(),
        )
    }
}

/// A rejected fetch or body read: cancelled when our abort signal did it, else a network failure
/// with the browser's message.
fn network(e: &JsValue) -> ApiError {
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) if error.name() == "AbortError" => ApiError::Cancelled,
        Some(error) => ApiError::Network(error.message().into()),
        None => ApiError::Network("the request failed".into()),
    }
}
