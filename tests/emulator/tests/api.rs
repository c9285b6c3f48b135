//! The Directory API endpoints, as `shared/docs/directory-api.md` describes them.

mod common;

use axum::http::{Method, StatusCode};
use common::{enc, Harness, BASE};
use serde_json::json;

#[tokio::test]
async fn create_read_replace_delete_a_user() {
    let h = Harness::new(&[]);
    let user = h
        .user("marcher", json!({"name": {"givenName": "Meredith", "familyName": "Archer"}, "password": "2Federate"}))
        .await;
    let id = user["id"].as_str().expect("an id").to_string();
    assert_eq!(id.len(), 36, "ids are UUIDs");
    assert_eq!(
        user["meta"]["location"],
        json!(format!("{BASE}/directory/user/{id}"))
    );
    assert_eq!(user["active"], json!(true));
    assert_eq!(
        user["urn:scim:schemas:com_pingone:1.0"]["state"],
        json!("ACTIVE")
    );
    assert_eq!(
        user["urn:scim:schemas:com_pingone:1.0"]["createTimeStamp"],
        json!(common::EPOCH_MS)
    );
    assert_eq!(
        user["meta"]["created"],
        json!("2025-12-31T18:00:00.000-06:00")
    );
    assert!(user.get("password").is_none(), "password is write-only");
    assert_eq!(
        user["groups"][0]["display"],
        json!("Users"),
        "new users join Users"
    );

    let read = h.get(&format!("/api/directory/user/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json(), user);

    h.advance(1000);
    let mut changed = user.clone();
    changed["title"] = json!("Engineer");
    let put = h
        .call(
            Method::PUT,
            &format!("/api/directory/user/{id}"),
            Some(changed),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    let put = put.json();
    assert_eq!(put["title"], json!("Engineer"));
    assert_eq!(
        put["urn:scim:schemas:com_pingone:1.0"]["lastModifiedTimeStamp"],
        json!(common::EPOCH_MS + 1000)
    );
    assert_eq!(put["meta"]["created"], user["meta"]["created"]);

    let del = h
        .call(Method::DELETE, &format!("/api/directory/user/{id}"), None)
        .await;
    assert_eq!(
        del.status,
        StatusCode::OK,
        "delete answers 200 as documented"
    );
    assert_eq!(del.body.as_deref(), Ok(&b""[..]), "and no SCIM body");
    let gone = h.get(&format!("/api/directory/user/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.error().contains(&id));
}

#[tokio::test]
async fn create_rules_conflicts_upserts_and_options() {
    let h = Harness::new(&[]);
    h.user("dup", json!({"externalId": "E1"})).await;
    let again = h
        .call(
            Method::POST,
            "/api/directory/user",
            Some(json!({"userName": "DUP"})),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "userName is unique, case-insensitively"
    );
    again.error();

    let upsert = h
        .call(
            Method::POST,
            "/api/directory/user",
            Some(json!({"userName": "dup2", "externalId": "E1"})),
        )
        .await;
    assert_eq!(upsert.status, StatusCode::OK);
    let (total, names) = h.names("/api/directory/user").await;
    assert_eq!(
        (total, names),
        (1, vec!["dup2".to_string()]),
        "a known externalId updates that user"
    );

    let missing = h
        .call(
            Method::POST,
            "/api/directory/user",
            Some(json!({"emails": []})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let not_json = h
        .raw(
            Method::POST,
            "/api/directory/user",
            Some("{"),
            Some(&h.auth()),
            &[],
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    not_json.error();

    let group = h
        .call(
            Method::POST,
            "/api/directory/group",
            Some(json!({"displayName": "Developers"})),
        )
        .await
        .json();
    let gid = group["id"].as_str().expect("group id");
    let r = h
        .call(
            Method::POST,
            &format!("/api/directory/user?option={gid}"),
            Some(json!({"userName": "dev1"})),
        )
        .await
        .json();
    assert_eq!(
        r["groups"],
        json!([{"value": gid, "display": "Developers"}]),
        "option=<groupId> replaces Users"
    );
    let r = h
        .call(
            Method::POST,
            "/api/directory/user?option=DEFAULT_USER_GROUP",
            Some(json!({"userName": "u2"})),
        )
        .await
        .json();
    assert_eq!(r["groups"][0]["display"], json!("Users"));
    let bad = h
        .call(
            Method::POST,
            "/api/directory/user?option=nope",
            Some(json!({"userName": "u3"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn groups_members_patch_count_and_nesting() {
    let h = Harness::new(&[]);
    let a = h.user("alice", json!({})).await["id"]
        .as_str()
        .map(String::from)
        .expect("id");
    let b = h.user("bob", json!({})).await["id"]
        .as_str()
        .map(String::from)
        .expect("id");
    let outer = h
        .call(
            Method::POST,
            "/api/directory/group",
            Some(json!({"displayName": "Outer"})),
        )
        .await
        .json();
    let inner = h
        .call(
            Method::POST,
            "/api/directory/group",
            Some(json!({"displayName": "Inner"})),
        )
        .await
        .json();
    let (oid, iid) = (
        outer["id"].as_str().expect("id"),
        inner["id"].as_str().expect("id"),
    );
    assert_eq!(
        outer["meta"]["location"],
        json!(format!("{BASE}/directory/group/{oid}"))
    );
    assert!(
        outer["urn:scim:schemas:com_pingone:1.0"]
            .get("state")
            .is_none(),
        "groups carry no state"
    );

    let add = json!({"members": [
        {"value": a, "type": "User"}, {"value": b, "type": "User"}, {"value": iid, "type": "Group"}
    ]});
    let patched = h
        .call(
            Method::PATCH,
            &format!("/api/directory/group/{oid}"),
            Some(add),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let members = patched.json()["members"].clone();
    assert_eq!(
        members,
        json!([
            {"value": a, "type": "user", "display": "alice"},
            {"value": b, "type": "user", "display": "bob"},
            {"value": iid, "type": "group", "display": "Inner"}
        ]),
        "types come back in lower case with display names"
    );
    let count = h
        .get(&format!("/api/directory/group/{oid}/users/count"))
        .await
        .json();
    assert_eq!(count, json!({"users": 2}), "direct user members only");

    let remove = json!({"members": [{"value": a, "type": "User", "operation": "delete"}]});
    let patched = h
        .call(
            Method::PATCH,
            &format!("/api/directory/group/{oid}"),
            Some(remove),
        )
        .await
        .json();
    assert_eq!(patched["members"].as_array().map(Vec::len), Some(2));
    let alice = h.get(&format!("/api/directory/user/{a}")).await.json();
    assert_eq!(
        alice["groups"].as_array().map(Vec::len),
        Some(1),
        "alice is only in Users now"
    );

    let unknown =
        json!({"members": [{"value": "00000000-0000-4000-8000-000000000000", "type": "User"}]});
    assert_eq!(
        h.call(
            Method::PATCH,
            &format!("/api/directory/group/{oid}"),
            Some(unknown)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let selfish = json!({"members": [{"value": oid, "type": "Group"}]});
    assert_eq!(
        h.call(
            Method::PATCH,
            &format!("/api/directory/group/{oid}"),
            Some(selfish)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    let put = h
        .call(
            Method::PUT,
            &format!("/api/directory/group/{oid}"),
            Some(json!({"displayName": "Renamed", "members": []})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.json()["members"], json!([]));
    let bob = h.get(&format!("/api/directory/user/{b}")).await.json();
    assert_eq!(bob["groups"][0]["display"], json!("Users"));

    assert_eq!(
        h.call(Method::DELETE, &format!("/api/directory/group/{iid}"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.get(&format!("/api/directory/group/{iid}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn built_in_groups_are_protected() {
    let h = Harness::new(&[]);
    let (_, names) = h.names("/api/directory/group?sortBy=displayName").await;
    assert_eq!(names, vec!["Domain Administrators", "Users"]);
    let admins = h
        .get(&format!(
            "/api/directory/group?filter={}",
            enc("displayName eq \"Domain Administrators\"")
        ))
        .await
        .json();
    let id = admins["resources"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = h
        .call(
            Method::PATCH,
            &format!("/api/directory/group/{id}"),
            Some(json!({"members": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        h.call(Method::DELETE, &format!("/api/directory/group/{id}"), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn invitations_and_password_checks() {
    let h = Harness::new(&[]);
    h.user("known", json!({"password": "S3cret!"})).await;
    let r = h
        .call(
            Method::POST,
            "/api/directory/useractions/invite",
            Some(json!({"email": "new@example.com"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let link = r.json()["value"].as_str().expect("a link").to_string();
    let account = h.emu.summary().client_id;
    assert!(
        link.starts_with(&format!(
            "https://login.pingone.com/idp/directory/a/{account}/registration/confirm/"
        )),
        "{link}"
    );
    let again = h
        .call(
            Method::POST,
            "/api/directory/useractions/invite",
            Some(json!({"email": "new@example.com"})),
        )
        .await
        .json();
    assert_ne!(again["value"], json!(link), "a resend issues a new link");
    assert_eq!(
        h.names("/api/directory/user").await.0,
        2,
        "the invited user exists once"
    );
    let bad = h
        .call(
            Method::POST,
            "/api/directory/useractions/invite",
            Some(json!({})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let auth = h.auth();
    let form = |u: &str, p: &str| format!("grant_type=password&username={u}&password={}", enc(p));
    let ok = h
        .raw(
            Method::POST,
            "/api/oauth/token",
            Some(&form("known", "S3cret!")),
            Some(&auth),
            &[],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let wrong = h
        .raw(
            Method::POST,
            "/api/oauth/token",
            Some(&form("known", "nope")),
            Some(&auth),
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn v1_aliases_and_location_styles() {
    let h = Harness::new(&["--location-style", "v1"]);
    let user = h.user("v1user", json!({})).await;
    let id = user["id"].as_str().expect("id");
    assert_eq!(
        user["meta"]["location"],
        json!(format!("http://127.0.0.1:9/v1/user/{id}"))
    );
    let via_v1 = h.get(&format!("/v1/user/{id}")).await;
    assert_eq!(via_v1.status, StatusCode::OK);
    assert_eq!(via_v1.json()["userName"], json!("v1user"));
    assert_eq!(h.names("/v1/group").await.0, 2);
    let r = h
        .call(
            Method::POST,
            "/v1/useractions/invite",
            Some(json!({"email": "x@example.com"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_paths_and_methods_get_scim_errors() {
    let h = Harness::new(&[]);
    let r = h.get("/api/directory/nothing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.error();
    let r = h.call(Method::DELETE, "/api/directory/user", None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    r.error();
    let r = h
        .call(Method::PATCH, "/api/directory/user/x", Some(json!({})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(r.headers["content-type"], "application/json;charset=UTF-8");
}

#[tokio::test]
async fn seeded_data_is_deterministic_realistic_and_includes_hostile_strings() {
    let a = Harness::new(&["--users", "300", "--groups", "20", "--seed", "7"]);
    let b = Harness::new(&["--users", "300", "--groups", "20", "--seed", "7"]);
    let page_a = a.get("/api/directory/user?count=300").await.json();
    let page_b = b.get("/api/directory/user?count=300").await.json();
    assert_eq!(page_a, page_b, "same seed, same data");
    let users = page_a["resources"].as_array().expect("users");
    assert_eq!(users.len(), 300);
    assert!(
        users.iter().any(|u| u["active"] == json!(false)),
        "some users are disabled"
    );
    assert!(
        users.iter().any(|u| u["name"]["givenName"]
            .as_str()
            .is_some_and(|n| n.contains("<img"))),
        "hostile names"
    );
    assert!(
        users.iter().any(|u| u["name"]["familyName"]
            .as_str()
            .is_some_and(|n| !n.is_ascii())),
        "unicode names"
    );
    let groups = a.get("/api/directory/group?count=100").await.json();
    let nested = groups["resources"]
        .as_array()
        .expect("groups")
        .iter()
        .any(|g| {
            g["members"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["type"] == json!("group")))
        });
    assert!(nested, "some groups contain groups");
    let other = Harness::new(&["--users", "300", "--groups", "20", "--seed", "8"]);
    assert_ne!(
        other.get("/api/directory/user?count=300").await.json(),
        page_a
    );
}
