//! A directory too large to store: a million users made from their index, listed, read, written
//! and counted like stored ones, with stored users merged in their places.

mod common;

use axum::http::{Method, StatusCode};
use common::{enc, Harness};
use serde_json::json;

const MILLION: &str = "1000000";

fn users_uri(start: u64, count: u64, order: &str) -> String {
    format!(
        "/api/directory/user?sortBy=userName&sortOrder={order}&startIndex={start}&count={count}"
    )
}

#[tokio::test]
async fn a_million_users_page_in_name_order_with_stored_ones_in_their_places() {
    let h = Harness::new(&["--users", MILLION]);
    let (total, names) = h.names(&users_uri(1, 3, "ascending")).await;
    assert_eq!(total, 1_000_000);
    assert_eq!(names, ["user0000000", "user0000001", "user0000002"]);
    let (_, last) = h.names(&users_uri(999_999, 1000, "ascending")).await;
    assert_eq!(last, ["user0999998", "user0999999"], "a short last page");
    // Users created through the API sort among the generated ones.
    h.user("user0000001a", json!({})).await;
    h.user("aaron", json!({})).await;
    h.user("zed", json!({})).await;
    let (total, names) = h.names(&users_uri(1, 4, "ascending")).await;
    assert_eq!(total, 1_000_003);
    assert_eq!(
        names,
        ["aaron", "user0000000", "user0000001", "user0000001a"]
    );
    let (_, names) = h.names(&users_uri(1, 2, "descending")).await;
    assert_eq!(names, ["zed", "user0999999"]);
    // Unsorted: creation order, the generated users first.
    let (_, names) = h
        .names("/api/directory/user?startIndex=1000000&count=10")
        .await;
    assert_eq!(names, ["user0999999", "user0000001a", "aaron", "zed"]);
    // Every page of a walk by name is disjoint, and the walk meets every user once.
    let mut seen = std::collections::BTreeSet::new();
    for start in (990_001..=1_000_003).step_by(1000) {
        let (_, names) = h.names(&users_uri(start, 1000, "ascending")).await;
        for name in names {
            assert!(seen.insert(name.clone()), "{name} twice");
        }
    }
    assert_eq!(seen.len(), 1_000_003 - 990_000);
}

#[tokio::test]
async fn a_generated_user_reads_writes_and_deletes_like_a_stored_one() {
    let h = Harness::new(&["--users", "30000"]);
    let (_, page) = h.names(&users_uri(15_001, 1, "ascending")).await;
    let list = h.get(&users_uri(15_001, 1, "ascending")).await.json();
    let user = &list["resources"][0];
    let id = user["id"].as_str().expect("an id").to_string();
    assert_eq!(page, ["user0015000"]);
    let got = h.get(&format!("/api/directory/user/{id}")).await.json();
    assert_eq!(&got, user, "the same user by id as in the list");
    // Written straight to text in a list, generated users read as the tree a read by id gives.
    let list = h.get(&users_uri(15_001, 3, "ascending")).await.json();
    for listed in list["resources"].as_array().expect("resources") {
        let id = listed["id"].as_str().expect("an id");
        let alone = h.get(&format!("/api/directory/user/{id}")).await.json();
        assert_eq!(&alone, listed, "{id} listed and read alone");
    }
    assert_eq!(got["groups"][0]["display"], "Users");
    // A filter finds it, and a taken name is refused.
    let (n, names) = h
        .names(&format!(
            "/api/directory/user?filter={}",
            enc("userName eq \"USER0015000\"")
        ))
        .await;
    assert_eq!(
        (n, names.as_slice()),
        (1, ["user0015000".to_string()].as_slice())
    );
    let r = h
        .call(
            Method::POST,
            "/api/directory/user",
            Some(json!({"userName": "user0015000"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A PUT keeps it in its place under its new name; a delete takes it away.
    let mut changed = got.clone();
    changed["title"] = json!("Engineer");
    let r = h
        .call(
            Method::PUT,
            &format!("/api/directory/user/{id}"),
            Some(changed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let again = h.get(&format!("/api/directory/user/{id}")).await.json();
    assert_eq!(again["title"], "Engineer");
    assert_eq!(again["groups"][0]["display"], "Users", "still in Users");
    let (total, names) = h.names(&users_uri(15_000, 3, "ascending")).await;
    assert_eq!(total, 30_000);
    assert_eq!(names, ["user0014999", "user0015000", "user0015001"]);
    let r = h
        .call(Method::DELETE, &format!("/api/directory/user/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        h.get(&format!("/api/directory/user/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let (total, names) = h.names(&users_uri(15_000, 2, "ascending")).await;
    assert_eq!(total, 29_999);
    assert_eq!(names, ["user0014999", "user0015001"]);
}

#[tokio::test]
async fn the_users_group_counts_and_lists_generated_members() {
    let h = Harness::new(&["--users", "30000"]);
    let groups = h
        .get("/api/directory/group?filter=displayName%20eq%20%22Users%22")
        .await
        .json();
    let gid = groups["resources"][0]["id"]
        .as_str()
        .expect("Users")
        .to_string();
    let count = h
        .get(&format!("/api/directory/group/{gid}/users/count"))
        .await
        .json();
    assert_eq!(count["users"], 30_000);
    let group = h.get(&format!("/api/directory/group/{gid}")).await.json();
    let members = group["members"].as_array().expect("members");
    assert_eq!(members.len(), 30_000);
    assert_eq!(members[7]["display"], "user0000007");
}
