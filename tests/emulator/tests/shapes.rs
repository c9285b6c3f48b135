//! Answer shapes seen from the real service, switchable at run time: envelopes, error bodies,
//! group lists without members, and paging that ignores `startIndex` or gets stuck on a page.

mod common;

use axum::http::{Method, StatusCode};
use common::Harness;
use serde_json::{json, Value};

async fn shapes(h: &Harness, shapes: Value) {
    let r = h
        .admin(
            Method::PATCH,
            "/_emulator/config",
            json!({ "shapes": shapes }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn with_users(n: usize) -> Harness {
    let h = Harness::new(&[]);
    for i in 0..n {
        h.user(&format!("user{i:03}"), json!({})).await;
    }
    h
}

fn ids(page: &Value) -> Vec<String> {
    page["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["userName"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn envelopes_switch_at_run_time() {
    let h = with_users(3).await;
    let uri = "/api/directory/user?startIndex=2&count=1";
    for (envelope, check) in [
        ("bare", json!({"only": ["resources"]})),
        ("zerostart", json!({"startIndex": 0, "schemas": []})),
    ] {
        h.admin(
            Method::PATCH,
            "/_emulator/config",
            json!({ "envelope": envelope }),
        )
        .await;
        let page = h.get(uri).await.json();
        match envelope {
            "bare" => {
                let keys: Vec<&String> = page.as_object().expect("an object").keys().collect();
                assert_eq!(keys, ["resources"], "{page}");
            }
            _ => {
                assert_eq!(page["startIndex"], check["startIndex"], "{page}");
                assert_eq!(page["schemas"], check["schemas"], "{page}");
                assert_eq!(page["totalResults"], 3);
            }
        }
        assert_eq!(ids(&page), ["user001"], "paging itself is right");
    }
}

#[tokio::test]
async fn error_bodies_take_the_shapes_seen() {
    let h = with_users(0).await;
    let missing = "/api/directory/user/nobody";
    assert_eq!(h.get(missing).await.json()["Errors"][0]["code"], "404");
    shapes(&h, json!({"numeric_error_code": true})).await;
    assert_eq!(h.get(missing).await.json()["Errors"][0]["code"], 404);
    // A proxy's HTML page on 429 and 5xx; a 404 stays SCIM.
    shapes(&h, json!({"html_errors": true})).await;
    h.admin(
        Method::POST,
        "/_emulator/fail",
        json!({"count": 1, "status": 503}),
    )
    .await;
    let busy = h.get("/api/directory/user").await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    let content_type = busy.headers["content-type"].to_str().unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    h.admin(
        Method::POST,
        "/_emulator/fail",
        json!({"count": 1, "status": 429}),
    )
    .await;
    let limited = h.get("/api/directory/user").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        String::from_utf8_lossy(limited.body.as_deref().unwrap_or_default()).contains("<html>")
    );
    assert_eq!(h.get(missing).await.json()["Errors"][0]["code"], "404");
}

#[tokio::test]
async fn group_lists_can_leave_out_members() {
    let h = with_users(0).await;
    let list = "/api/directory/group?count=10";
    let groups = h.get(list).await.json();
    assert!(groups["resources"][0].get("members").is_some());
    shapes(&h, json!({"group_lists_without_members": true})).await;
    let groups = h.get(list).await.json();
    let first = &groups["resources"][0];
    assert!(first.get("members").is_none(), "{first}");
    let one = h
        .get(&format!(
            "/api/directory/group/{}",
            first["id"].as_str().unwrap_or_default()
        ))
        .await
        .json();
    assert!(
        one.get("members").is_some(),
        "reading one group still has them"
    );
}

#[tokio::test]
async fn paging_can_ignore_start_index_or_get_stuck() {
    let h = with_users(10).await;
    let page =
        |start: usize| format!("/api/directory/user?sortBy=userName&startIndex={start}&count=2");
    assert_eq!(ids(&h.get(&page(5)).await.json()), ["user004", "user005"]);
    shapes(&h, json!({"ignore_start_index": true})).await;
    assert_eq!(ids(&h.get(&page(5)).await.json()), ["user000", "user001"]);
    shapes(&h, json!({"stuck_from_page": 2})).await;
    assert_eq!(
        ids(&h.get(&page(3)).await.json()),
        ["user002", "user003"],
        "page 1 is right"
    );
    assert_eq!(
        ids(&h.get(&page(5)).await.json()),
        ["user002", "user003"],
        "page 2 repeats it"
    );
    assert_eq!(
        ids(&h.get(&page(9)).await.json()),
        ["user002", "user003"],
        "and so on"
    );
    shapes(&h, json!({})).await;
    assert_eq!(
        ids(&h.get(&page(9)).await.json()),
        ["user008", "user009"],
        "back to normal"
    );
}
