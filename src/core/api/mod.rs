//! Directory API requests and errors: URLs, the Basic header, and what each failure means to an admin.
//!
//! Requests are plain data (method and URL); the edge sends them. Every failure maps to one
//! [`ApiError`] with a message written for the popup, decided on the HTTP status first and the body
//! second, since P14E documents no error body.

pub mod bucket;
pub mod filter;
pub mod pager;
pub mod region;
pub mod retry_after;
pub mod scim;
pub mod throttle;
pub mod tuning;

use std::fmt;
use std::time::Duration;

use base64::Engine;

use self::retry_after::RetryAfter;
use crate::core::api::filter::Filter;
use crate::core::shared::text::encode_component;
use serde_json::Value;

/// The Directory API credential. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub client_id: String,
    pub api_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// `Basic base64(clientId:apiKey)`, as P14E documents.
    pub fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.client_id, self.api_key);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// Users or groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Users,
    Groups,
}

impl Resource {
    fn path(self) -> &'static str {
        match self {
            Resource::Users => "user",
            Resource::Groups => "group",
        }
    }
}

/// The largest page P14E serves.
pub const MAX_PAGE: u32 = 1000;
/// A list position past any directory: saved positions above it are refused as tampered.
pub const MAX_POSITION: u64 = 10_000_000_000;

/// A list or query request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListRequest {
    pub resource: Resource,
    pub filter: Option<Filter>,
    pub sort_by: Option<&'static str>,
    /// 1-based.
    pub start_index: u64,
    pub count: u32,
}

impl ListRequest {
    /// The request URL under an API base (`https://directory-api.pingone.com/api`).
    pub fn url(&self, base: &str) -> String {
        let mut url = format!(
            "{base}/directory/{}?startIndex={}&count={}",
            self.resource.path(),
            self.start_index.max(1),
            self.count.min(MAX_PAGE)
        );
        if let Some(sort) = self.sort_by {
            url.push_str(&format!(
                "&sortBy={}&sortOrder=ascending",
                encode_component(sort)
            ));
        }
        if let Some(filter) = &self.filter {
            url.push_str("&filter=");
            url.push_str(&encode_component(&filter.to_string()));
        }
        url
    }
}

/// `GET {base}/directory/{user|group}/{id}`.
pub fn resource_url(base: &str, resource: Resource, id: &str) -> String {
    format!(
        "{base}/directory/{}/{}",
        resource.path(),
        encode_component(id)
    )
}

/// `GET {base}/directory/group/{id}/users/count`.
pub fn group_count_url(base: &str, id: &str) -> String {
    format!(
        "{base}/directory/group/{}/users/count",
        encode_component(id)
    )
}

/// Everything that can go wrong with a Directory API call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// 401: the key is wrong, renewed, or the Client ID does not match.
    Unauthorized,
    /// 403: the credential may not do this.
    Forbidden,
    NotFound,
    /// 409, e.g. a duplicate userName.
    Conflict(String),
    /// 400, e.g. a filter P14E refused.
    BadRequest(String),
    /// 429, with the wait the server asked for (if any, capped).
    RateLimited(Option<RetryAfter>),
    /// 5xx.
    Server(u16),
    /// Any other status.
    Unexpected(u16),
    /// No HTTP answer: offline, DNS, a reset connection.
    Network(String),
    /// An answer we could not read (cut-off JSON, HTML instead of JSON).
    Decode(String),
    /// The caller gave up on the request (a newer search replaced it).
    Cancelled,
    /// Never sent (or not sent again): PingOne asked for a pause longer than this request may wait
    /// (`wait`, capped; `capped_from`, what it asked when that was longer).
    NotSent(RetryAfter),
}

/// What a 403 means for the admin: the key was accepted, the request was not.
pub const FORBIDDEN: &str = "PingOne accepted the key but refused this request (403): the account or the credential may lack Directory API access for it. A Global Administrator or an Identity Repository Administrator of the PingOne account can check; contact Ping Identity support if it persists.";

impl ApiError {
    /// Classifies a non-2xx answer. `retry_after` is the raw header; `now_ms` the wall clock.
    pub fn from_response(
        status: u16,
        body: &[u8],
        retry_after: Option<&str>,
        now_ms: u64,
    ) -> ApiError {
        let detail = || error_detail(body);
        match status {
            400 => ApiError::BadRequest(detail()),
            401 => ApiError::Unauthorized,
            403 => ApiError::Forbidden,
            404 => ApiError::NotFound,
            409 => ApiError::Conflict(detail()),
            429 => ApiError::RateLimited(retry_after::parse(retry_after, now_ms)),
            500..=599 => ApiError::Server(status),
            _ => ApiError::Unexpected(status),
        }
    }

    /// Worth retrying automatically (for GETs): rate limits, server errors, network and decode failures.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited(_)
                | ApiError::Server(_)
                | ApiError::Network(_)
                | ApiError::Decode(_)
        )
    }

    /// A message for the UI.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthorized => {
                "PingOne refused the API key (401). It may have been renewed: open the API Credentials page so Keyward can read the current key.".into()
            }
            ApiError::Forbidden => FORBIDDEN.into(),
            ApiError::NotFound => "Not found (404): it may have been deleted.".into(),
            ApiError::Conflict(d) => format!("PingOne reports a conflict (409){}", suffix(d)),
            ApiError::BadRequest(d) => format!("PingOne refused the request (400){}", suffix(d)),
            ApiError::RateLimited(Some(RetryAfter { wait, capped_from: Some(asked) })) => format!(
                "PingOne rate limit: it asked to wait {}; Keyward waits at most {}.",
                human(*asked),
                human(*wait)
            ),
            ApiError::RateLimited(Some(RetryAfter { wait, .. })) => {
                format!("PingOne rate limit: waiting {} before trying again.", human(*wait))
            }
            ApiError::RateLimited(None) => "PingOne rate limit: slowing down and trying again.".into(),
            ApiError::Server(s) => format!("PingOne had a server error ({s}); try again shortly."),
            ApiError::Unexpected(s) => format!("PingOne answered with an unexpected status ({s})."),
            // The browser's own words ("Failed to fetch") tell an admin nothing.
            ApiError::Network(_) => "Could not reach PingOne: this computer may be offline, or something on the way blocked the request.".into(),
            ApiError::Decode(d) => format!("PingOne's answer could not be read{}", suffix(d)),
            ApiError::Cancelled => "Cancelled.".into(),
            ApiError::NotSent(RetryAfter { wait, capped_from: Some(asked) }) => format!(
                "Not sent: PingOne asked Keyward to pause requests for this account for {} (Keyward waits at most {}). Try again in about {}.",
                human(*asked),
                human(*wait),
                human(*wait)
            ),
            ApiError::NotSent(RetryAfter { wait, .. }) => format!(
                "Not sent: PingOne asked Keyward to pause requests for this account, and accepts them again in about {}. Try again then.",
                human(*wait)
            ),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}

fn suffix(detail: &str) -> String {
    if detail.is_empty() {
        ".".into()
    } else {
        format!(": {detail}")
    }
}

/// Checks an answer: a 2xx with a JSON body passes its body through; anything else is an error.
/// `content_type` matters because proxies and sign-on pages answer 200 with HTML.
pub fn check_answer(
    status: u16,
    content_type: Option<&str>,
    retry_after: Option<&str>,
    body: Vec<u8>,
    now_ms: u64,
) -> Result<Vec<u8>, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_response(status, &body, retry_after, now_ms));
    }
    let json = content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("json") || (t.trim().is_empty())
    });
    if !json {
        return Err(ApiError::Decode(
            "it was a web page, not JSON (a proxy or sign-on page may be in the way)".into(),
        ));
    }
    Ok(body)
}

/// A wait in words: "8 s", "5 min", "27 h".
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64().ceil() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        _ => format!("{} h", s / 3600),
    }
}

/// The error description from a body in SCIM 1.1 (`Errors[].description`) or 2.0 (`detail`) form,
/// or its plain text; at most 200 characters, without control characters.
pub fn error_detail(body: &[u8]) -> String {
    let text = match serde_json::from_str::<Value>(std::str::from_utf8(body).unwrap_or_default()) {
        Ok(v) => v
            .get("Errors")
            .and_then(|e| e.as_array()?.first())
            .and_then(|e| e.get("description"))
            .or_else(|| v.get("detail"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_default(),
        Err(_) if body.first() == Some(&b'<') => String::new(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    text.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_header_and_a_redacted_debug() {
        let c = Credentials {
            client_id: "1234-aaaa-bbbb-5678".into(),
            api_key: "eXJzbmVha3kh".into(),
        };
        assert_eq!(
            c.basic_header(),
            "Basic MTIzNC1hYWFhLWJiYmItNTY3ODplWEp6Ym1WaGEza2g="
        );
        assert!(!format!("{c:?}").contains("eXJzbmVha3kh"));
    }

    #[test]
    fn urls() {
        let req = ListRequest {
            resource: Resource::Users,
            filter: Some(Filter::eq("userName", "a b\"&c")),
            sort_by: Some("userName"),
            start_index: 0,
            count: 5000,
        };
        assert_eq!(
            req.url("https://directory-api.pingone.eu/api"),
            "https://directory-api.pingone.eu/api/directory/user?startIndex=1&count=1000&sortBy=userName&sortOrder=ascending&filter=userName%20eq%20%22a%20b%5C%22%26c%22"
        );
        assert_eq!(
            resource_url("B", Resource::Groups, "../x?y"),
            "B/directory/group/..%2Fx%3Fy"
        );
        assert_eq!(
            group_count_url("B", "g1"),
            "B/directory/group/g1/users/count"
        );
    }

    #[test]
    fn statuses_map_to_errors() {
        let e = |status, body: &str, ra: Option<&str>| {
            ApiError::from_response(status, body.as_bytes(), ra, 0)
        };
        assert_eq!(e(401, "", None), ApiError::Unauthorized);
        assert_eq!(
            e(
                400,
                r#"{"Errors":[{"description":"invalid filter","code":"400"}]}"#,
                None
            ),
            ApiError::BadRequest("invalid filter".into())
        );
        assert_eq!(
            e(
                400,
                r#"{"Errors":[{"description":"invalid filter","code":400}]}"#,
                None
            ),
            ApiError::BadRequest("invalid filter".into()),
            "a numeric code reads the same"
        );
        let html = "<!doctype html><html><body><h1>429</h1></body></html>";
        assert!(
            matches!(e(429, html, Some("7")), ApiError::RateLimited(Some(r)) if r.wait == Duration::from_secs(7))
        );
        assert_eq!(
            e(502, html, None),
            ApiError::Server(502),
            "an HTML page on a 5xx"
        );
        assert_eq!(
            e(409, r#"{"detail":"dup","status":"409"}"#, None),
            ApiError::Conflict("dup".into())
        );
        assert_eq!(
            e(409, "plain\u{7}text", None),
            ApiError::Conflict("plaintext".into())
        );
        assert_eq!(
            e(400, "<html>error page</html>", None),
            ApiError::BadRequest(String::new())
        );
        assert!(
            matches!(e(429, "", Some("5")), ApiError::RateLimited(Some(r)) if r.wait == Duration::from_secs(5))
        );
        assert_eq!(e(429, "", Some("garbage")), ApiError::RateLimited(None));
        assert_eq!(e(503, "", None), ApiError::Server(503));
        assert_eq!(e(302, "", None), ApiError::Unexpected(302));
        assert!(e(503, "", None).is_transient() && !e(404, "", None).is_transient());
    }

    #[test]
    fn answers_are_checked_by_status_then_type() {
        let ok = check_answer(
            200,
            Some("application/json;charset=UTF-8"),
            None,
            b"{}".to_vec(),
            0,
        );
        assert_eq!(ok, Ok(b"{}".to_vec()));
        assert!(matches!(
            check_answer(200, Some("text/html"), None, b"<html>".to_vec(), 0),
            Err(ApiError::Decode(_))
        ));
        assert_eq!(
            check_answer(200, None, None, b"{}".to_vec(), 0),
            Ok(b"{}".to_vec())
        );
        assert_eq!(
            check_answer(401, Some("application/json"), None, Vec::new(), 0),
            Err(ApiError::Unauthorized)
        );
    }

    #[test]
    fn messages_are_clear() {
        let capped = ApiError::from_response(429, b"", Some("99999"), 0);
        assert_eq!(
            capped.message(),
            "PingOne rate limit: it asked to wait 27 h; Keyward waits at most 5 min."
        );
        assert!(ApiError::Unauthorized.message().contains("renewed"));
        // A 403 says what the role lacks and who can fix it.
        let forbidden = ApiError::Forbidden.message();
        assert!(
            forbidden.contains("Identity Repository Administrator") && forbidden.contains("403")
        );
        let long = "x".repeat(5000);
        assert_eq!(error_detail(long.as_bytes()).len(), 200);
    }
}
