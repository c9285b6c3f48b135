//! The Directory API client in headless Chromium against the running emulator (`make test-wasm`
//! starts one and passes its URL in `KEYWARD_EMULATOR`): listing, filtering, paging to the end, a
//! wrong key, a probe never sent with another key, 429s with and without Retry-After, an absurd Retry-After, broken bodies, and the
//! transport's aborted and unreachable requests, and a redirect it must not follow.
#![cfg(target_arch = "wasm32")]

use std::collections::HashSet;

use keyward::core::api::filter::Filter;
use keyward::core::api::region::{Detection, Region};
use keyward::core::api::scim::{ListPage, User};
use keyward::core::api::throttle::{Priority, Scheduler};
use keyward::core::api::{ApiError, Credentials, ListRequest, Resource};
use keyward::core::shared::hosts::Flavour;
use keyward::web::client::Client;
use keyward::web::net::{Fetch, Transport};
use serde_json::{json, Value};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn emulator() -> &'static str {
    match option_env!("KEYWARD_EMULATOR") {
        Some(base) => base,
        None => panic!("KEYWARD_EMULATOR is not set: run these tests with `make test-wasm`"),
    }
}

fn api() -> String {
    format!("{}/api", emulator())
}

/// One call to the emulator's admin API. Panics, naming what was asked and what came back, unless
/// it answers 2xx with JSON (or nothing): a failed setup step fails the test where it happened.
async fn admin(method: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}/_emulator/{path}", emulator());
    let asked = format!("{method} {url} {}", body.clone().unwrap_or(Value::Null));
    let request = match method {
        "GET" => gloo_net::http::Request::get(&url).build(),
        "PATCH" => gloo_net::http::Request::patch(&url).json(&body.unwrap_or(json!({}))),
        _ => gloo_net::http::Request::post(&url).json(&body.unwrap_or(json!({}))),
    };
    let response = request
        .unwrap_or_else(|e| panic!("{asked}: the request could not be built: {e}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{asked}: the emulator did not answer: {e}"));
    let status = response.status();
    let text = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("{asked}: the answer could not be read: {e}"));
    assert!(response.ok(), "{asked}: {status} {text}");
    if text.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{asked}: not JSON ({e}): {text}"))
}

async fn configure(config: Value) {
    admin("PATCH", "config", Some(config)).await;
}

/// Puts the emulator back to normal (tests share it and run one at a time).
async fn reset() {
    admin("POST", "fail/clear", None).await;
    configure(json!({
        "storm_seconds": 0,
        "retry_after": {"mode": "absent"},
        "faults": {"error_share": 0, "reset_share": 0, "truncate_share": 0, "wrong_content_type_share": 0}
    }))
    .await;
}

async fn credentials() -> Credentials {
    let state = admin("GET", "state", None).await;
    Credentials {
        client_id: state["client_id"].as_str().expect("client id").into(),
        api_key: state["api_key"].as_str().expect("api key").into(),
    }
}

fn client() -> Client<Fetch> {
    Client::new(Fetch, Scheduler::default())
}

/// The scenarios share one emulator and change its faults, so they run in sequence, never
/// interleaved (wasm-bindgen-test may run async tests concurrently).
#[wasm_bindgen_test]
async fn the_client_against_the_emulator() {
    lists_and_filters_users().await;
    pages_to_the_end().await;
    a_wrong_key_is_unauthorized().await;
    a_probe_asks_about_its_own_key_whatever_key_is_in_force().await;
    rides_out_429s_without_retry_after().await;
    honours_retry_after().await;
    an_absurd_retry_after_is_capped_and_reported().await;
    truncated_and_html_bodies_are_decode_errors().await;
    detects_the_region().await;
    the_transport_tells_aborts_from_network_failures().await;
    a_redirect_is_never_followed().await;
}

/// A one-page interactive lookup of `count` users with the emulator's current credentials.
async fn lookup_n(c: &Client<Fetch>, count: u32) -> Result<ListPage<User>, ApiError> {
    c.list(
        Priority::Interactive,
        &api(),
        &credentials().await,
        &users(count, None),
        User::from_raw,
    )
    .await
}

async fn lookup(c: &Client<Fetch>) -> Result<ListPage<User>, ApiError> {
    lookup_n(c, 1).await
}

fn users(count: u32, filter: Option<Filter>) -> ListRequest {
    ListRequest {
        resource: Resource::Users,
        filter,
        sort_by: None,
        start_index: 1,
        count,
    }
}

async fn lists_and_filters_users() {
    reset().await;
    let c = client();
    let creds = credentials().await;
    let page = c
        .list(
            Priority::Interactive,
            &api(),
            &creds,
            &users(5, None),
            User::from_raw,
        )
        .await
        .expect("a page");
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.total, Some(57));
    let name = page.items[2].user_name.clone();
    let filtered = c
        .list(
            Priority::Interactive,
            &api(),
            &creds,
            &users(10, Some(Filter::eq("userName", &name))),
            User::from_raw,
        )
        .await
        .expect("a filtered page");
    assert_eq!(filtered.items.len(), 1);
    assert_eq!(filtered.items[0].user_name, name);
    // A hostile search string stays a literal: it matches nothing and breaks nothing.
    let hostile = Filter::eq("userName", "x\" or userName pr or \"y");
    let none = c
        .list(
            Priority::Interactive,
            &api(),
            &creds,
            &users(10, Some(hostile)),
            User::from_raw,
        )
        .await;
    assert_eq!(none.map(|p| p.items.len()), Ok(0));
}

async fn pages_to_the_end() {
    reset().await;
    let all = client()
        .list_all(
            Priority::Bulk,
            &api(),
            &credentials().await,
            &users(7, None),
            User::from_raw,
            |u| u.id.as_str(),
        )
        .await
        .expect("every user");
    assert_eq!(all.len(), 57);
    assert_eq!(
        all.iter().map(|u| &u.id).collect::<HashSet<_>>().len(),
        57,
        "no duplicates"
    );
}

async fn a_wrong_key_is_unauthorized() {
    reset().await;
    let mut creds = credentials().await;
    creds.api_key.push('x');
    let result = client()
        .list(
            Priority::Interactive,
            &api(),
            &creds,
            &users(1, None),
            User::from_raw,
        )
        .await;
    assert_eq!(result.map(|p| p.items.len()), Err(ApiError::Unauthorized));
}

/// Once a renewed key is in force, the account's work that met a 401 with the old key goes again
/// with the new one; a probe of another key never does (it would prove the key in force instead).
async fn a_probe_asks_about_its_own_key_whatever_key_is_in_force() {
    reset().await;
    let in_force = credentials().await;
    let c = client();
    c.rekey(&in_force);
    let mut other = in_force.clone();
    other.api_key = other.api_key.chars().rev().collect();
    let url = users(1, None).url(&api());
    let probed = c.probe(Priority::Interactive, url.clone(), &other).await;
    assert_eq!(probed.map(|_| ()), Err(ApiError::Unauthorized));
    let work = c.get(Priority::Interactive, url, &other).await;
    assert!(
        work.is_ok(),
        "the account's work goes again with the key in force"
    );
    let region = c
        .detect_region(&[Region::Local], Some(&api()), &other)
        .await;
    assert!(
        matches!(region, Detection::NotFound(_)),
        "the region search asks about the key it was given: {region:?}"
    );
}

/// The next `count` user lookups answer `status` (a scripted answer: no race against a timed storm).
async fn fail_next(count: u64, status: u16, retry_after_secs: Option<u64>) {
    admin(
        "POST",
        "fail",
        Some(json!({
            "count": count,
            "status": status,
            "retry_after_secs": retry_after_secs,
            "path_contains": "/directory/user?",
        })),
    )
    .await;
}

async fn rides_out_429s_without_retry_after() {
    reset().await;
    fail_next(2, 429, None).await;
    let c = client();
    let page = lookup(&c).await;
    assert_eq!(
        page.map(|p| p.items.len()),
        Ok(1),
        "the lookup succeeds after the 429s"
    );
    assert_eq!(c.status().recent_429s, 2, "the 429s are visible to the UI");
    reset().await;
}

async fn honours_retry_after() {
    reset().await;
    configure(json!({"retry_after": {"mode": "seconds"}})).await;
    fail_next(1, 429, Some(1)).await;
    let c = client();
    let started = js_sys::Date::now();
    let page = lookup(&c).await;
    assert_eq!(page.map(|p| p.items.len()), Ok(1));
    assert_eq!(c.status().recent_429s, 1, "one 429, then it waited as told");
    assert!(
        js_sys::Date::now() - started >= 1000.0,
        "the retry waited the second Retry-After asked for"
    );
    reset().await;
}

async fn an_absurd_retry_after_is_capped_and_reported() {
    reset().await;
    configure(json!({"retry_after": {"mode": "fixed", "value": "99999"}})).await;
    fail_next(1, 429, None).await;
    let result = lookup_n(&client(), 1).await;
    let error = result.expect_err("a lookup does not wait 27 hours");
    assert!(matches!(error, ApiError::NotSent(_)), "{error:?}");
    assert_eq!(
        error.message(),
        "Not sent: PingOne asked Keyward to pause requests for this account for 27 h (Keyward waits at most 5 min). Try again in about 5 min."
    );
    reset().await;
}

async fn truncated_and_html_bodies_are_decode_errors() {
    reset().await;
    configure(json!({"faults": {"truncate_share": 1}})).await;
    let result = lookup_n(&client(), 3).await;
    assert!(matches!(result, Err(ApiError::Decode(_))), "{result:?}");
    configure(json!({"faults": {"truncate_share": 0, "wrong_content_type_share": 1}})).await;
    let result = lookup_n(&client(), 3).await;
    let error = result.map(|p| p.items.len()).expect_err("HTML is not JSON");
    assert!(
        error.message().contains("web page, not JSON"),
        "{}",
        error.message()
    );
    reset().await;
}

/// An aborted request is `Cancelled` (the scheduler neither retries nor reports it); a host that
/// refuses the connection is a network failure with the browser's message; a good one answers.
async fn the_transport_tells_aborts_from_network_failures() {
    reset().await;
    let header = credentials().await.basic_header();
    let url = users(1, None).url(&api());
    let open = web_sys::AbortController::new().expect("an AbortController");
    let body = Fetch.get(&url, &header, &open.signal()).await;
    assert!(matches!(&body, Ok(b) if b.starts_with(b"{")), "{body:?}");
    let aborted = web_sys::AbortController::new().expect("an AbortController");
    aborted.abort();
    let result = Fetch.get(&url, &header, &aborted.signal()).await;
    assert_eq!(result, Err(ApiError::Cancelled));
    let closed = Fetch
        .get(
            &users(1, None).url("http://127.0.0.1:9/api"),
            &header,
            &open.signal(),
        )
        .await;
    assert!(
        matches!(&closed, Err(ApiError::Network(message)) if !message.is_empty()),
        "{closed:?}"
    );
}

async fn detects_the_region() {
    reset().await;
    let c = client();
    let local = api();
    let regions = Region::available(Flavour::Dev);
    let mut creds = credentials().await;
    // The three real hosts are unreachable here; the emulator answers as the fourth region.
    assert_eq!(
        c.detect_region(regions, Some(&local), &creds).await,
        Detection::Found(Region::Local)
    );
    creds.api_key.push('x');
    let Detection::NotFound(answers) = c.detect_region(regions, Some(&local), &creds).await else {
        panic!("no region accepts a wrong key");
    };
    assert!(
        answers.contains(&"Local emulator: refused the credential (401)".to_string()),
        "{answers:?}"
    );
    // A 200 that is not a SCIM list is not acceptance.
    creds.api_key.pop();
    admin(
        "POST",
        "fail",
        Some(json!({"count": 1, "status": 200, "body": "{}", "path_contains": "count=1"})),
    )
    .await;
    let Detection::NotFound(answers) = c.detect_region(regions, Some(&local), &creds).await else {
        panic!("an empty 200 is not this region");
    };
    assert!(
        answers.contains(&"Local emulator: answered 200 without a SCIM list".to_string()),
        "{answers:?}"
    );
    // The real hosts are offline here (unreachable) or refuse the emulator's credential; either
    // way no region is claimed.
    let real_only = c
        .detect_region(Region::available(Flavour::Store), None, &creds)
        .await;
    assert!(!matches!(real_only, Detection::Found(_)), "{real_only:?}");
}

/// A 3xx from the API is an error, never followed: older Chromium carried `Authorization` across a
/// cross-origin redirect, and the credentials must reach the API host alone.
async fn a_redirect_is_never_followed() {
    reset().await;
    admin("POST", "log/reset", None).await;
    let elsewhere = format!(
        "{}/api/directory/user?count=1&redirected=yes",
        emulator().replace("127.0.0.1", "localhost")
    );
    admin(
        "POST",
        "fail",
        Some(json!({
            "count": 1,
            "status": 302,
            "location": elsewhere,
            "path_contains": "/directory/user?",
        })),
    )
    .await;
    let header = credentials().await.basic_header();
    let open = web_sys::AbortController::new().expect("an AbortController");
    let result = Fetch
        .get(&users(1, None).url(&api()), &header, &open.signal())
        .await;
    assert!(matches!(&result, Err(ApiError::Network(_))), "{result:?}");
    let log = admin("GET", "log?limit=100", None).await;
    let paths: Vec<&str> = log["recent"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(
        paths.iter().any(|p| p.contains("/directory/user?")),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.contains("redirected")),
        "the redirect was followed: {paths:?}"
    );
    reset().await;
}
