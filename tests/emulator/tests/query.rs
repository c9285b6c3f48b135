//! The SCIM 1.1 filter language, sorting and paging, table-driven over a small fixed directory.

mod common;

use axum::http::{Method, StatusCode};
use common::{enc, Harness};
use serde_json::json;

async fn fixture() -> Harness {
    let h = Harness::new(&[]);
    let people = [
        (
            "marcher",
            "Meredith",
            "Archer",
            "meredith@pingdevelopers.com",
            true,
            1_000,
        ),
        ("jsmith", "James", "Smith", "james@example.com", true, 2_000),
        ("zoe", "Zoë", "Ødegård", "zoe@example.org", false, 3_000),
        (
            "q\"uote",
            "Quote\\Back",
            "Slash",
            "quote@example.com",
            true,
            4_000,
        ),
        ("nolast", "Only", "", "", true, 5_000),
    ];
    for (user, given, family, email, active, login) in people {
        let mut extra = json!({
            "name": {"givenName": given, "familyName": family},
            "active": active,
            "urn:scim:schemas:com_pingone:1.0": {"lastLoginTime": login},
        });
        if email.is_empty() {
            extra["emails"] = json!([]);
        } else {
            extra["emails"] = json!([{"type": "work", "value": email}]);
        }
        if family.is_empty() {
            extra["name"] = json!({"givenName": given});
        }
        h.user(user, extra).await;
    }
    h
}

#[tokio::test]
async fn filters_select_exactly_the_matching_users() {
    let h = fixture().await;
    let cases: &[(&str, &[&str])] = &[
        (r#"userName eq "marcher""#, &["marcher"]),
        (r#"USERNAME EQ "MARCHER""#, &["marcher"]),
        (r#"userName co "s""#, &["jsmith", "nolast"]),
        (r#"userName sw "j""#, &["jsmith"]),
        (r#"name.familyName sw "A""#, &["marcher"]),
        (r#"name.givenName eq "Zoë""#, &["zoe"]),
        (r#"name.familyName eq "ødegård""#, &["zoe"]),
        (r#"emails co "example.com""#, &["jsmith", "q\"uote"]),
        (r#"emails.value sw "zoe""#, &["zoe"]),
        (r#"emails pr"#, &["marcher", "jsmith", "zoe", "q\"uote"]),
        (
            r#"name.familyName pr and active eq true"#,
            &["marcher", "jsmith", "q\"uote"],
        ),
        (r#"active eq false"#, &["zoe"]),
        (r#"userName eq "q\"uote""#, &["q\"uote"]),
        (r#"name.givenName eq "Quote\\Back""#, &["q\"uote"]),
        (r#"userName eq "\u006Aсмит""#, &[]),
        (r#"userName eq "\u006asmith""#, &["jsmith"]),
        (r#"userName gt "n""#, &["nolast", "q\"uote", "zoe"]),
        (r#"userName le "jsmith""#, &["jsmith"]),
        (
            r#"userName eq "marcher" or userName eq "zoe""#,
            &["marcher", "zoe"],
        ),
        (
            r#"userName eq "marcher" or userName eq "zoe" and active eq true"#,
            &["marcher"],
        ),
        (
            r#"(userName eq "marcher" or userName eq "zoe") and active eq false"#,
            &["zoe"],
        ),
        (
            r#"urn:scim:schemas:com_pingone:1.0:lastLoginTime gt 2500"#,
            &["zoe", "q\"uote", "nolast"],
        ),
        (
            r#"urn:scim:schemas:com_pingone:1.0:lastLoginTime le 2000"#,
            &["marcher", "jsmith"],
        ),
        (
            r#"urn:scim:schemas:com_pingone:1.0:lastLoginTime ge 4000.0"#,
            &["q\"uote", "nolast"],
        ),
        (r#"urn:scim:schemas:core:1.0:userName eq "zoe""#, &["zoe"]),
        (
            r#"urn:scim:schemas:com_pingone:1.0:state eq "ACTIVE""#,
            &["marcher", "jsmith", "zoe", "q\"uote", "nolast"],
        ),
        (r#"nosuchattr eq "x""#, &[]),
        (r#"((((userName eq "zoe"))))"#, &["zoe"]),
    ];
    for (filter, expected) in cases {
        let (total, names) = h
            .names(&format!("/api/directory/user?filter={}", enc(filter)))
            .await;
        let mut names = names;
        names.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(names, expected, "filter {filter}");
        assert_eq!(total as usize, expected.len(), "totalResults for {filter}");
    }
}

#[tokio::test]
async fn malformed_filters_are_400_with_a_scim_error() {
    let h = fixture().await;
    let deep = format!("{}userName eq \"x\"{}", "(".repeat(100), ")".repeat(100));
    let cases = [
        "userName",
        "userName eq",
        "userName eq marcher",
        "userName ne \"x\"",
        "userName ew \"x\"",
        "userName eq \"unterminated",
        "userName eq \"bad \\q escape\"",
        "(userName eq \"x\"",
        "userName eq \"x\")",
        "userName eq \"x\" and",
        "and userName eq \"x\"",
        "userName eq \"x\" userName eq \"y\"",
        "user..name eq \"x\"",
        "userName eq 1e999",
        "userName eq \"\\u12\"",
        "userName @ \"x\"",
        "not (userName eq \"x\")",
        deep.as_str(),
    ];
    for filter in cases {
        let r = h
            .get(&format!("/api/directory/user?filter={}", enc(filter)))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "filter {filter:?}");
        assert!(r.error().starts_with("invalid filter"), "filter {filter:?}");
    }
}

/// The emulator keeps a sorted order between requests (so a page at 100,000 users costs it
/// milliseconds): every change to the directory must show in the next listing.
#[tokio::test]
async fn a_kept_sorted_order_follows_every_change() {
    let h = fixture().await;
    let sorted = "/api/directory/user?sortBy=userName";
    let (_, before) = h.names(sorted).await;
    assert_eq!(before, ["jsmith", "marcher", "nolast", "q\"uote", "zoe"]);
    let added = h.user("aardvark", json!({})).await;
    assert_eq!(h.names(sorted).await.1[0], "aardvark", "a new user");
    let zoe = h
        .get(&format!(
            "/api/directory/user?filter={}",
            enc(r#"userName eq "zoe""#)
        ))
        .await
        .json();
    let mut zoe = zoe["resources"][0].clone();
    zoe["userName"] = json!("aaron");
    let location = zoe["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let path = location
        .split_once("/api")
        .map_or(String::new(), |(_, p)| format!("/api{p}"));
    assert_eq!(
        h.call(Method::PUT, &path, Some(zoe)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.names(sorted).await.1[..2],
        ["aardvark", "aaron"],
        "a renamed user"
    );
    let gone = added["meta"]["location"].as_str().unwrap_or_default();
    let gone = gone
        .split_once("/api")
        .map_or(String::new(), |(_, p)| format!("/api{p}"));
    assert_eq!(
        h.call(Method::DELETE, &gone, None).await.status,
        StatusCode::OK
    );
    let (total, after) = h.names(sorted).await;
    assert_eq!((total, after[0].as_str()), (5, "aaron"), "a deleted user");
    let (_, desc) = h
        .names("/api/directory/user?sortBy=userName&sortOrder=descending")
        .await;
    assert_eq!(
        desc.last().map(String::as_str),
        Some("aaron"),
        "the other order too"
    );
}

#[tokio::test]
async fn sorting_and_paging_edges() {
    let h = fixture().await;
    let all = |q: &str| format!("/api/directory/user?{q}");
    let (_, asc) = h.names(&all("sortBy=userName&sortOrder=ascending")).await;
    assert_eq!(asc, ["jsmith", "marcher", "nolast", "q\"uote", "zoe"]);
    let (_, desc) = h.names(&all("sortBy=userName&sortOrder=descending")).await;
    assert_eq!(desc, ["zoe", "q\"uote", "nolast", "marcher", "jsmith"]);
    let (_, by_family) = h.names(&all("sortBy=name.familyName")).await;
    assert_eq!(
        by_family.last().map(String::as_str),
        Some("nolast"),
        "missing values sort last"
    );
    let (_, by_login) = h
        .names(&all(
            "sortBy=urn:scim:schemas:com_pingone:1.0:lastLoginTime&sortOrder=descending",
        ))
        .await;
    assert_eq!(by_login[0], "nolast", "numbers sort numerically");

    let page = |start: &str, count: &str| {
        all(&format!("sortBy=userName&startIndex={start}&count={count}"))
    };
    let cases: &[(&str, &str, &[&str])] = &[
        ("1", "2", &["jsmith", "marcher"]),
        ("2", "2", &["marcher", "nolast"]),
        ("5", "2", &["zoe"]),
        ("6", "2", &[]),
        ("0", "1", &["jsmith"]),
        ("-3", "1", &["jsmith"]),
        ("1", "0", &[]),
        ("1", "-1", &[]),
        ("4", "100000", &["q\"uote", "zoe"]),
    ];
    for (start, count, expected) in cases {
        let (total, names) = h.names(&page(start, count)).await;
        assert_eq!(
            total, 5,
            "totalResults counts all matches (startIndex={start}, count={count})"
        );
        assert_eq!(names, *expected, "startIndex={start}, count={count}");
    }
    let envelope = h.get(&page("2", "2")).await.json();
    assert_eq!(envelope["startIndex"], json!(2));
    assert_eq!(envelope["count"], json!(2));
    assert_eq!(envelope["itemsPerPage"], json!(0), "as observed");
    for bad in [
        "startIndex=x",
        "count=many",
        "sortOrder=sideways",
        "sortBy=a..b",
    ] {
        let r = h.get(&all(bad)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        r.error();
    }
}

#[tokio::test]
async fn count_is_capped_at_1000() {
    let h = Harness::new(&["--users", "1500", "--groups", "0"]);
    let body = h.get("/api/directory/user?count=5000").await.json();
    assert_eq!(body["resources"].as_array().map(Vec::len), Some(1000));
    assert_eq!(body["totalResults"], json!(1500));
    let body = h.get("/api/directory/user").await.json();
    assert_eq!(
        body["resources"].as_array().map(Vec::len),
        Some(100),
        "the default page size"
    );
}

#[tokio::test]
async fn the_envelope_switches_to_scim_1_1() {
    let h = Harness::new(&["--envelope", "scim", "--users", "3"]);
    let body = h.get("/api/directory/user?count=2").await.json();
    assert!(body.get("resources").is_none());
    assert_eq!(body["Resources"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["itemsPerPage"], json!(2));
    assert_eq!(body["totalResults"], json!(3));
    // And back at run time through the admin API.
    h.admin(
        axum::http::Method::PATCH,
        "/_emulator/config",
        json!({"envelope": "observed"}),
    )
    .await;
    let body = h.get("/api/directory/user?count=2").await.json();
    assert_eq!(body["resources"].as_array().map(Vec::len), Some(2));
}

/// A server that supports fewer filters than SCIM: chosen attributes and operators are refused with
/// 400 and an `Errors` body, from the command line or at run time; the rest still works.
#[tokio::test]
async fn chosen_filter_attributes_and_operators_are_refused() {
    let h = Harness::new(&["--refuse-filter-attribute", "name.givenName"]);
    h.user(
        "sam.tester",
        json!({"name": {"givenName": "Sam", "familyName": "Tester"}}),
    )
    .await;
    let refused = h
        .get(&format!(
            "/api/directory/user?filter={}",
            enc(r#"name.GIVENNAME sw "Sam""#)
        ))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.error().contains("name.GIVENNAME") || refused.error().contains("givenName"));
    let nested = format!(
        "/api/directory/user?filter={}",
        enc(r#"userName sw "x" or (name.givenName sw "Sam")"#)
    );
    assert_eq!(
        h.get(&nested).await.status,
        StatusCode::BAD_REQUEST,
        "anywhere in the filter"
    );
    let (total, _) = h
        .names(&format!(
            "/api/directory/user?filter={}",
            enc(r#"userName sw "sam""#)
        ))
        .await;
    assert_eq!(total, 1, "the simplest form still works");
    h.admin(
        Method::PATCH,
        "/_emulator/config",
        json!({"refuse_filter": {"attributes": [], "operators": ["co"]}}),
    )
    .await;
    assert_eq!(
        h.get(&nested).await.status,
        StatusCode::OK,
        "the attribute is allowed again"
    );
    let contains = format!("/api/directory/user?filter={}", enc(r#"emails co "x""#));
    assert_eq!(
        h.get(&contains).await.status,
        StatusCode::BAD_REQUEST,
        "co is refused now"
    );
}
