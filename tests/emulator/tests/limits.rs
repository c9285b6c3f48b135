//! Authentication, renewal, rate limiting under the manual clock, storms, faults, the request log and CORS.

mod common;

use axum::http::{Method, StatusCode};
use common::Harness;
use p14e_emulator::auth::basic_header;
use serde_json::json;

#[tokio::test]
async fn basic_auth_is_required_and_checked() {
    let h = Harness::new(&[
        "--client-id",
        "1234-aaaa-bbbb-5678",
        "--api-key",
        "eXJzbmVha3kh",
    ]);
    let uri = "/api/directory/user";
    let documented = "Basic MTIzNC1hYWFhLWJiYmItNTY3ODplWEp6Ym1WaGEza2g=";
    assert_eq!(
        h.raw(Method::GET, uri, None, Some(documented), &[])
            .await
            .status,
        StatusCode::OK
    );
    let cases = [
        None,
        Some("Basic"),
        Some("Bearer eXJzbmVha3kh"),
        Some("Basic not-base64!"),
        Some("Basic MTIzNC1hYWFhLWJiYmItNTY3ODp3cm9uZw=="),
    ];
    for header in cases {
        let r = h.raw(Method::GET, uri, None, header, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{header:?}");
        r.error();
    }
    let other_account = basic_header("other", "eXJzbmVha3kh");
    assert_eq!(
        h.raw(Method::GET, uri, None, Some(&other_account), &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn renewal_invalidates_the_old_key_at_once() {
    let h = Harness::new(&[]);
    let old = h.auth();
    let r = h
        .admin(Method::POST, "/_emulator/renew", json!({}))
        .await
        .json();
    let new_key = r["api_key"].as_str().expect("a new key");
    assert_eq!(new_key.len(), 30);
    assert_eq!(
        h.raw(Method::GET, "/api/directory/user", None, Some(&old), &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        h.get("/api/directory/user").await.status,
        StatusCode::OK,
        "the new key works"
    );
}

#[tokio::test]
async fn console_renew_is_staged_until_save() {
    let h = Harness::new(&[]);
    let old = h.auth();
    let staged = h
        .admin(Method::POST, "/_emulator/renew", json!({"stage": true}))
        .await
        .json();
    assert!(staged["pending_key"].is_string());
    assert_eq!(
        h.get("/api/directory/user").await.status,
        StatusCode::OK,
        "Renew alone changes nothing yet"
    );
    let cancelled = h
        .admin(Method::POST, "/_emulator/renew/cancel", json!({}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(h.auth(), old, "Cancel keeps the old key");
    assert_eq!(
        h.admin(Method::POST, "/_emulator/renew/commit", json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );

    h.admin(Method::POST, "/_emulator/renew", json!({"stage": true}))
        .await;
    let saved = h
        .admin(Method::POST, "/_emulator/renew/commit", json!({}))
        .await
        .json();
    assert_eq!(
        h.emu.summary().api_key,
        saved["api_key"].as_str().expect("key")
    );
    assert_eq!(
        h.raw(Method::GET, "/api/directory/user", None, Some(&old), &[])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

async fn statuses(h: &Harness, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(h.get("/api/directory/user?count=1").await.status.as_u16());
    }
    out
}

#[tokio::test]
async fn the_token_bucket_allows_the_burst_then_the_rate_exactly() {
    let h = Harness::new(&["--rate", "10", "--burst", "20"]);
    let first = statuses(&h, 21).await;
    assert_eq!(first[..20], [200; 20], "the burst passes");
    assert_eq!(first[20], 429, "the 21st at the same instant is refused");
    let refused = h.get("/api/directory/user").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.headers.get("retry-after").is_none(),
        "no Retry-After by default, as documented"
    );
    refused.error();
    h.advance(99);
    assert_eq!(statuses(&h, 1).await, [429], "a token takes 100 ms at 10/s");
    h.advance(1);
    assert_eq!(statuses(&h, 2).await, [200, 429]);
    h.advance(1000);
    assert_eq!(
        statuses(&h, 11).await,
        [[200; 10].as_slice(), &[429]].concat(),
        "one second refills ten"
    );
    h.advance(60_000);
    assert_eq!(
        statuses(&h, 21).await.iter().filter(|s| **s == 200).count(),
        20,
        "never more than the burst"
    );

    let log = h
        .admin(Method::GET, "/_emulator/log", json!({}))
        .await
        .json();
    assert_eq!(log["rate_limited"], json!(6));
    assert_eq!(log["by_status"]["429"], json!(6));
    assert_eq!(log["total"], json!(21 + 1 + 1 + 2 + 11 + 21));
}

#[tokio::test]
async fn retry_after_can_be_seconds_a_date_or_a_fixed_value() {
    let h = Harness::new(&["--rate", "0.5", "--burst", "1", "--retry-after", "seconds"]);
    assert_eq!(statuses(&h, 1).await, [200]);
    let r = h.get("/api/directory/user").await;
    assert_eq!(
        r.headers["retry-after"], "2",
        "delta-seconds until a token (at 0.5/s)"
    );

    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"retry_after": {"mode": "date"}}),
    )
    .await;
    let r = h.get("/api/directory/user").await;
    // The manual clock starts at 2026-01-01T00:00:00Z; a token is 2 s away.
    assert_eq!(r.headers["retry-after"], "Thu, 01 Jan 2026 00:00:02 GMT");

    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"retry_after": {"mode": "fixed", "value": "99999"}}),
    )
    .await;
    assert_eq!(
        h.get("/api/directory/user").await.headers["retry-after"],
        "99999"
    );
    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"retry_after": {"mode": "absent"}}),
    )
    .await;
    assert!(h
        .get("/api/directory/user")
        .await
        .headers
        .get("retry-after")
        .is_none());
}

#[tokio::test]
async fn a_429_storm_lasts_exactly_its_seconds() {
    let h = Harness::new(&[]);
    let r = h
        .admin(
            Method::PATCH,
            "/_emulator/config",
            json!({"storm_seconds": 5}),
        )
        .await;
    assert_eq!(r.json()["storm_remaining_ms"], json!(5000));
    assert_eq!(statuses(&h, 3).await, [429, 429, 429]);
    h.advance(4999);
    assert_eq!(statuses(&h, 1).await, [429]);
    h.advance(1);
    assert_eq!(statuses(&h, 1).await, [200]);
}

#[tokio::test]
async fn injected_server_errors() {
    let h = Harness::new(&["--error-share", "1"]);
    for status in statuses(&h, 30).await {
        assert!([500, 502, 503].contains(&status), "{status}");
    }
    let r = h.get("/api/directory/user").await;
    r.error();
    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"faults": {"error_share": 0.5}}),
    )
    .await;
    let mixed = statuses(&h, 200).await;
    let errors = mixed.iter().filter(|s| **s >= 500).count();
    assert!((60..=140).contains(&errors), "about half fail: {errors}");
}

#[tokio::test]
async fn truncated_bodies_wrong_content_types_and_resets() {
    let h = Harness::new(&["--users", "5", "--truncate-share", "1"]);
    let r = h.get("/api/directory/user").await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.body.expect("a body");
    assert!(
        serde_json::from_slice::<serde_json::Value>(&body).is_err(),
        "the JSON is cut off"
    );
    assert!(body.starts_with(b"{"));

    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"faults": {"truncate_share": 0, "wrong_content_type_share": 1}}),
    )
    .await;
    let r = h.get("/api/directory/user").await;
    assert!(r.headers["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));

    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"faults": {"wrong_content_type_share": 0, "reset_share": 1}}),
    )
    .await;
    let r = h.get("/api/directory/user").await;
    assert!(r.body.is_err(), "the body stream breaks");
    let log = h
        .admin(Method::GET, "/_emulator/log", json!({}))
        .await
        .json();
    assert_eq!(log["resets"], json!(1));
}

#[tokio::test]
async fn latency_delays_answers() {
    let h = Harness::new(&["--latency-ms", "60"]);
    let start = std::time::Instant::now();
    h.get("/api/directory/user").await;
    assert!(start.elapsed() >= std::time::Duration::from_millis(60));
}

#[tokio::test]
async fn the_log_never_holds_credentials_and_can_be_reset() {
    let h = Harness::new(&["--users", "2"]);
    h.get("/api/directory/user?filter=userName%20eq%20%22x%22")
        .await;
    let key = h.emu.summary().api_key;
    let log = h.raw(Method::GET, "/_emulator/log", None, None, &[]).await;
    let text = String::from_utf8(log.body.clone().expect("body")).expect("utf-8");
    assert!(!text.contains(&key));
    assert!(!text.contains(&h.auth()));
    assert_eq!(
        log.json()["recent"][0]["path"],
        json!("/api/directory/user?filter=userName%20eq%20%22x%22")
    );
    assert_eq!(
        h.admin(Method::POST, "/_emulator/log/reset", json!({}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.admin(Method::GET, "/_emulator/log", json!({}))
            .await
            .json()["total"],
        json!(0)
    );
}

#[tokio::test]
async fn bad_admin_requests_are_refused_clearly() {
    let h = Harness::new(&[]);
    for body in [
        json!({"rate": "fast"}),
        json!({"faults": {"nonsense": 1}}),
        json!({"unknown": true}),
    ] {
        let r = h
            .admin(Method::PATCH, "/_emulator/config", body.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
    }
    let r = h
        .admin(
            Method::POST,
            "/_emulator/seed",
            json!({"users": 10_000_000, "groups": 0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = h
        .admin(
            Method::POST,
            "/_emulator/seed",
            json!({"users": 12, "groups": 3}),
        )
        .await;
    assert_eq!(r.json(), json!({"users": 12, "groups": 5}));
}

#[tokio::test]
async fn cors_only_for_loopback_origins() {
    let h = Harness::new(&[]);
    let preflight = |origin: &'static str| {
        let h = &h;
        async move {
            h.raw(
                Method::OPTIONS,
                "/api/directory/user",
                None,
                None,
                &[
                    ("origin", origin),
                    ("access-control-request-method", "GET"),
                    ("access-control-request-headers", "authorization"),
                ],
            )
            .await
        }
    };
    let ok = preflight("http://127.0.0.1:40123").await;
    assert_eq!(
        ok.headers["access-control-allow-origin"],
        "http://127.0.0.1:40123"
    );
    assert!(ok.headers["access-control-allow-headers"]
        .to_str()
        .expect("ascii")
        .contains("authorization"));
    let local = preflight("http://localhost:8080").await;
    assert_eq!(
        local.headers["access-control-allow-origin"],
        "http://localhost:8080"
    );
    for origin in [
        "https://evil.example",
        "http://127.0.0.1.evil.example",
        "null",
    ] {
        let r = preflight(origin).await;
        assert!(
            r.headers.get("access-control-allow-origin").is_none(),
            "{origin}"
        );
    }
}

/// Two accounts on one emulator: each key opens only its own directory, each has its own token
/// bucket, a storm or a renewal on one leaves the other alone, and the admin API names them.
#[tokio::test]
async fn accounts_are_apart_in_data_limits_storms_and_keys() {
    let h = Harness::new(&[
        "--accounts",
        "2",
        "--users",
        "3",
        "--rate",
        "1",
        "--burst",
        "2",
    ]);
    let state = |n: usize| {
        let h = &h;
        async move {
            h.raw(
                Method::GET,
                &format!("/_emulator/state?account={n}"),
                None,
                None,
                &[],
            )
            .await
        }
    };
    let (a, b) = (state(0).await.json(), state(1).await.json());
    assert_eq!(a["accounts"], json!(2));
    assert_ne!(a["client_id"], b["client_id"]);
    assert_ne!(a["api_key"], b["api_key"]);
    let key = |s: &serde_json::Value| {
        basic_header(
            s["client_id"].as_str().expect("id"),
            s["api_key"].as_str().expect("key"),
        )
    };
    let (key_a, key_b) = (key(&a), key(&b));
    let users = |auth: String| {
        let h = &h;
        async move {
            h.raw(Method::GET, "/api/directory/user", None, Some(&auth), &[])
                .await
        }
    };
    let ids = |r: common::Reply| -> Vec<String> {
        r.json()["resources"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|u| u["id"].as_str().expect("an id").to_string())
            .collect()
    };
    let (ids_a, ids_b) = (
        ids(users(key_a.clone()).await),
        ids(users(key_b.clone()).await),
    );
    assert_eq!((ids_a.len(), ids_b.len()), (3, 3));
    assert!(ids_a.iter().all(|id| !ids_b.contains(id)), "own data");
    // A reads B's user by id: not found, as another account's resource.
    let other = format!("/api/directory/user/{}", ids_b[0]);
    let r = h.raw(Method::GET, &other, None, Some(&key_a), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // A spends its bucket (burst 2: two lists and one read above); B still has one token.
    assert_eq!(
        users(key_a.clone()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(users(key_b.clone()).await.status, StatusCode::OK);
    h.advance(10_000);

    // A storm on B: B gets 429s, A does not; the log tells which account each request opened.
    h.admin(
        Method::PATCH,
        "/_emulator/config?account=1",
        json!({"storm_seconds": 5}),
    )
    .await;
    assert_eq!(state(1).await.json()["storm_remaining_ms"], json!(5000));
    assert_eq!(state(0).await.json()["storm_remaining_ms"], json!(0));
    assert_eq!(
        users(key_b.clone()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(users(key_a.clone()).await.status, StatusCode::OK);
    let log = h
        .raw(Method::GET, "/_emulator/log?limit=2", None, None, &[])
        .await
        .json();
    assert_eq!(log["recent"][0]["account"], json!(1));
    assert_eq!(log["recent"][1]["account"], json!(0));

    // Renewing B's key leaves A's working; reseeding B leaves A's data.
    h.advance(10_000);
    h.admin(Method::POST, "/_emulator/renew?account=1", json!({}))
        .await;
    assert_eq!(users(key_b).await.status, StatusCode::UNAUTHORIZED);
    h.admin(
        Method::POST,
        "/_emulator/seed?account=1",
        json!({"users": 7, "groups": 0}),
    )
    .await;
    assert_eq!(state(1).await.json()["users"], json!(7));
    assert_eq!(ids(users(key_a).await), ids_a);

    // An account that is not served is a clear 404, never another account's state.
    for path in ["/_emulator/state?account=2", "/_emulator/state?account=x"] {
        let r = h.raw(Method::GET, path, None, None, &[]).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
    }
}
