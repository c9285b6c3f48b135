//! The HTTP transport behind a small trait, implemented with gloo-net's `Request` (which calls the
//! global `fetch`, so it works in the service worker, which has no `window`, as in every page).

use std::future::Future;

use gloo_net::http::Request;
use web_sys::{AbortSignal, RequestCredentials, RequestRedirect};

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

/// A Directory API GET through gloo-net.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fetch;

impl Transport for Fetch {
    async fn get(
        &self,
        url: &str,
        authorization: &str,
        abort: &AbortSignal,
    ) -> Result<Vec<u8>, ApiError> {
        let response = Request::get(url)
            .header("Authorization", authorization)
            .header("Accept", "application/json")
            // Credentials travel only in the Authorization header: never cookies, and never to
            // another host (older Chromium kept `Authorization` across a cross-origin redirect).
            .credentials(RequestCredentials::Omit)
            .redirect(RequestRedirect::Error)
            .abort_signal(Some(abort))
            .send()
            .await
            .map_err(network)?;
        let headers = response.headers();
        let (content_type, retry_after) = (headers.get("content-type"), headers.get("retry-after"));
        let body = response.binary().await.map_err(network)?;
        check_answer(
            response.status(),
            content_type.as_deref(),
            retry_after.as_deref(),
            body,
            now_ms(),
        )
    }
}

/// A rejected fetch or body read: cancelled when our abort signal did it, else a network failure
/// with the browser's message.
fn network(e: gloo_net::Error) -> ApiError {
    match e {
        gloo_net::Error::JsError(error) if error.name == "AbortError" => ApiError::Cancelled,
        gloo_net::Error::JsError(error) => ApiError::Network(error.message),
        other => ApiError::Network(other.to_string()),
    }
}
