//! The test controls: the gate parks exactly the requests it matches until opened, and scripted
//! failures answer exactly the next N matching requests.
mod common;

use axum::http::{Method, StatusCode};
use common::Harness;
use serde_json::json;

/// Waits (without sleeping) until the gate reports `n` parked requests.
async fn parked(h: &Harness, n: u64) {
    loop {
        let state = h
            .admin(Method::GET, "/_emulator/gate", json!({}))
            .await
            .json();
        if state["parked"] == json!(n) {
            return;
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn the_gate_parks_matching_requests_until_opened() {
    let h = std::sync::Arc::new(Harness::new(&["--users", "3"]));
    let r = h
        .admin(
            Method::POST,
            "/_emulator/gate",
            json!({"path_contains": "/directory/user?", "pass": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The first matching request passes, and others than the ones matched are never held.
    assert_eq!(
        h.get("/api/directory/user?count=1").await.status,
        StatusCode::OK
    );
    assert_eq!(h.get("/api/directory/group").await.status, StatusCode::OK);
    let held = {
        let h = h.clone();
        tokio::spawn(async move { h.get("/api/directory/user?count=2").await.status })
    };
    parked(&h, 1).await;
    assert!(!held.is_finished(), "the second matching request waits");
    let opened = h
        .admin(Method::POST, "/_emulator/gate/open", json!({}))
        .await
        .json();
    assert_eq!(opened["released"], json!(1));
    assert_eq!(held.await.expect("the request ends"), StatusCode::OK);
    parked(&h, 0).await;
    // Open means open: nothing is held any more.
    assert_eq!(
        h.get("/api/directory/user?count=3").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn scripted_failures_answer_exactly_the_next_matching_requests() {
    let h = Harness::new(&["--users", "3", "--retry-after", "seconds"]);
    let r = h
        .admin(
            Method::POST,
            "/_emulator/fail",
            json!({"count": 2, "status": 429, "retry_after_secs": 7, "path_contains": "/directory/user"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(h.get("/api/directory/group").await.status, StatusCode::OK);
    for _ in 0..2 {
        let r = h.get("/api/directory/user").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers["retry-after"], "7");
        r.error();
    }
    assert_eq!(h.get("/api/directory/user").await.status, StatusCode::OK);
    // A wrong key is still a 401 while failures are scripted: authentication comes first.
    h.admin(
        Method::POST,
        "/_emulator/fail",
        json!({"count": 1, "status": 503}),
    )
    .await;
    let wrong = h
        .raw(
            Method::GET,
            "/api/directory/user",
            None,
            Some("Basic eDp5"),
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.get("/api/directory/user").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // Bad rules are refused clearly; clear drops what is left.
    let bad = h
        .admin(
            Method::POST,
            "/_emulator/fail",
            json!({"count": 1, "status": 200}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    h.admin(
        Method::POST,
        "/_emulator/fail",
        json!({"count": 5, "status": 500}),
    )
    .await;
    h.admin(Method::POST, "/_emulator/fail/clear", json!({}))
        .await;
    assert_eq!(h.get("/api/directory/user").await.status, StatusCode::OK);
}
