//! The HTTP transport behind a small trait, implemented on gloo-net (fetch). Only this file names
//! gloo, so the transport can be swapped without touching the client.

use std::future::Future;

use gloo_net::http::Request;
use web_sys::AbortSignal;

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

/// fetch() through gloo-net.
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
            // Credentials travel only in the Authorization header; never send cookies along.
            .credentials(web_sys::RequestCredentials::Omit)
            .abort_signal(Some(abort))
            .send()
            .await
            .map_err(|e| network(&e))?;
        let status = response.status();
        let headers = response.headers();
        let content_type = headers.get("content-type");
        let retry_after = headers.get("retry-after");
        let body = response.binary().await.map_err(|e| network(&e))?;
        check_answer(
            status,
            content_type.as_deref(),
            retry_after.as_deref(),
            body,
            now_ms(),
        )
    }
}

fn network(e: &gloo_net::Error) -> ApiError {
    match e {
        gloo_net::Error::JsError(js) if js.name == "AbortError" => ApiError::Cancelled,
        gloo_net::Error::JsError(js) => ApiError::Network(js.message.clone()),
        other => ApiError::Network(other.to_string()),
    }
}
