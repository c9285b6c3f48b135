//! Quick lookups of users and groups: the requests a search or a detail view needs, and the
//! answers turned into what the popup shows (result rows, every attribute of one resource, a failure
//! with its fix).
//!
//! The worker sends the requests through its one scheduler; this module only builds URLs and reads
//! bodies, so every odd answer (a missing field, a 10 KB name, an unreadable body) is decided here
//! and tested natively. Everything that leaves this module is data for text nodes.

pub mod call;
pub mod view;

pub use call::{ApiCall, Job, Lane};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::api::filter::{search, simple_search, SearchKind};
use crate::core::api::scim::{self, Group, Member, User};
use crate::core::api::{self, ApiError, ListRequest, Resource};

/// How long the search box waits after the last keystroke before searching: typing a name sends
/// one request, not one per letter.
pub const DEBOUNCE_MS: u64 = 250;
/// How often a waiting lookup asks the scheduler for its rate-limit line.
pub const STATUS_POLL_MS: u64 = 500;

/// Results a search shows at a time (sorted); "Show more" asks for the next as many.
pub const RESULT_LIMIT: u32 = 20;
/// The most results the popup lists for one search: past them, narrowing (or the export page)
/// serves better than scrolling.
pub const MAX_SHOWN: u64 = 200;
/// How long the popup waits before asking again, by itself, a search that could not reach PingOne
/// (or met a server error).
pub const RETRY_MS: u64 = 5_000;
/// A detail view lists at most this many attributes (a hostile resource can have thousands).
pub const MAX_ATTRIBUTES: usize = 400;
/// Longer attribute values are cut for display (the copy buttons copy the whole value).
pub const MAX_VALUE_CHARS: usize = 2_000;
/// A detail lists at most this many groups or members: the built-in "Users" group holds every user,
/// and tens of thousands of rows would make the popup unusable. The exact count is said beside.
pub const MAX_RELATED: usize = 100;

/// The request for a search box's text: users by userName, email or name; groups by name. Blank
/// text lists the first results.
/// With `simple`, the filter is the simplest form and nothing is sorted by the server (for a query
/// the server refused, whether for its filter or its sort: the results are sorted here instead).
/// `shown`: the results already listed, which the page asked for follows (at most [`MAX_SHOWN`]).
pub fn search_request(kind: SearchKind, text: &str, simple: bool, shown: u64) -> ListRequest {
    let (resource, sort_by) = match kind {
        SearchKind::Users => (Resource::Users, "userName"),
        SearchKind::Groups => (Resource::Groups, "displayName"),
    };
    ListRequest {
        resource,
        filter: if simple {
            simple_search(kind, text)
        } else {
            search(kind, text)
        },
        sort_by: (!simple).then_some(sort_by),
        start_index: shown.min(MAX_SHOWN - u64::from(RESULT_LIMIT)) + 1,
        count: RESULT_LIMIT,
    }
}

// The worker sends these to the popup, which reads them back: every field is written, `None` as
// `null`, and an `Option` may be missing.

/// One result line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    /// userName, or a group's name.
    pub title: String,
    /// A user's name, or a group's member count.
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// "Active", "Disabled", or P14E's state when it is not ACTIVE.
    #[serde(default)]
    pub status: Option<String>,
    /// Disabled or not active: shown muted.
    pub inactive: bool,
}

fn user_status(user: &User) -> (Option<String>, bool) {
    let state = user
        .state
        .as_deref()
        .filter(|s| !s.eq_ignore_ascii_case("ACTIVE"));
    match (user.active, state) {
        (_, Some(state)) => (Some(title_case(state)), true),
        (Some(false), None) => (Some("Disabled".into()), true),
        (Some(true), None) => (Some("Active".into()), false),
        (None, None) => (None, false),
    }
}

fn title_case(s: &str) -> String {
    // SCIM states are ASCII words (`PENDING_VERIFICATION`); ASCII case keeps Unicode's case
    // tables out of the bundle.
    let mut title = s.to_ascii_lowercase().replace('_', " ");
    if let Some(first) = title.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    title
}

/// The row for a user.
pub fn user_row(user: &User) -> Row {
    let (status, inactive) = user_status(user);
    let name = match (&user.given_name, &user.family_name) {
        (Some(g), Some(f)) => Some(format!("{g} {f}")),
        (Some(n), None) | (None, Some(n)) => Some(n.clone()),
        (None, None) => user.display_name.clone(),
    };
    Row {
        id: user.id.clone(),
        title: if user.user_name.is_empty() {
            user.id.clone()
        } else {
            user.user_name.clone()
        },
        subtitle: name,
        email: user.emails.first().cloned(),
        status,
        inactive,
    }
}

/// The row for a group.
pub fn group_row(group: &Group) -> Row {
    Row {
        id: group.id.clone(),
        title: if group.display_name.is_empty() {
            group.id.clone()
        } else {
            group.display_name.clone()
        },
        subtitle: (!group.members.is_empty()).then(|| plural(group.members.len(), "member")),
        ..Row::default()
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A search's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub kind: SearchKind,
    pub text: String,
    pub rows: Vec<Row>,
    /// `totalResults`, when the answer gave one.
    #[serde(default)]
    pub total: Option<u64>,
    /// Entries that could not be read (no id).
    pub skipped: usize,
    /// A quiet line about how the search was made (the server refused the full filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Reads a search's answer body.
pub fn found(kind: SearchKind, text: &str, body: &[u8]) -> Result<Found, ApiError> {
    let decode = |e: scim::DecodeError| ApiError::Decode(e.to_string());
    let (rows, total, skipped) = match kind {
        SearchKind::Users => {
            let page = scim::list_page(body, User::from_raw).map_err(decode)?;
            (
                page.items.iter().map(user_row).collect(),
                page.total,
                page.skipped,
            )
        }
        SearchKind::Groups => {
            let page = scim::list_page(body, Group::from_raw).map_err(decode)?;
            (
                page.items.iter().map(group_row).collect(),
                page.total,
                page.skipped,
            )
        }
    };
    Ok(Found {
        kind,
        text: text.to_string(),
        rows,
        total,
        skipped,
        note: None,
    })
}

/// One attribute of a resource, flattened to a path (`name.givenName`, `emails[0].value`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub path: String,
    pub value: String,
    /// For P14E's epoch-millisecond timestamps: the instant, shown as a local date.
    #[serde(default)]
    pub when_ms: Option<i64>,
}

/// Everything about one user or group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub kind: SearchKind,
    pub row: Row,
    /// Created, last modified, last login: as instants for local dates.
    pub times: Vec<(String, i64)>,
    /// A user's groups, or a group's members: the first [`MAX_RELATED`].
    pub related: Vec<Row>,
    /// How many there are in all, when more than are listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_total: Option<usize>,
    /// A group's direct user count (`users/count`), when it could be read.
    #[serde(default)]
    pub user_count: Option<u64>,
    /// Why the count is missing, when it was asked for and failed.
    #[serde(default)]
    pub user_count_problem: Option<String>,
    pub attributes: Vec<Attribute>,
    /// Attributes left out beyond [`MAX_ATTRIBUTES`].
    pub attributes_omitted: usize,
}

const TIMESTAMP_KEYS: &[&str] = &["createTimeStamp", "lastModifiedTimeStamp", "lastLoginTime"];

/// Flattens a resource's JSON into attribute rows, in document order.
pub fn attributes(raw: &Value) -> (Vec<Attribute>, usize) {
    let mut out = Vec::new();
    let mut omitted = 0;
    flatten(raw, String::new(), "", &mut out, &mut omitted);
    (out, omitted)
}

fn flatten(v: &Value, path: String, key: &str, out: &mut Vec<Attribute>, omitted: &mut usize) {
    let scalar = match v {
        Value::Object(map) => {
            for (k, child) in map {
                let child_path = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(child, child_path, k, out, omitted);
            }
            return;
        }
        Value::Array(items) => {
            if items.is_empty() {
                Some("(none)".to_string())
            } else {
                for (i, child) in items.iter().enumerate() {
                    flatten(child, format!("{path}[{i}]"), key, out, omitted);
                }
                return;
            }
        }
        Value::String(s) => Some(s.clone()),
        Value::Null => Some("null".into()),
        other => Some(other.to_string()),
    };
    let Some(mut value) = scalar else { return };
    if out.len() >= MAX_ATTRIBUTES {
        *omitted += 1;
        return;
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        value = value.chars().take(MAX_VALUE_CHARS).collect::<String>() + "\u{2026}";
    }
    let when_ms = TIMESTAMP_KEYS
        .contains(&key)
        .then(|| v.as_i64())
        .flatten()
        .filter(|ms| *ms > 0);
    out.push(Attribute {
        path,
        value,
        when_ms,
    });
}

fn member_row(m: &Member) -> Row {
    Row {
        id: m.id.clone(),
        title: m.display.clone().unwrap_or_else(|| m.id.clone()),
        subtitle: m.kind.clone(),
        ..Row::default()
    }
}

fn times(created: Option<i64>, modified: Option<i64>, login: Option<i64>) -> Vec<(String, i64)> {
    [
        ("Created", created),
        ("Last modified", modified),
        ("Last login", login),
    ]
    .into_iter()
    .filter_map(|(label, ms)| ms.map(|ms| (label.to_string(), ms)))
    .collect()
}

fn resource(body: &[u8]) -> Result<Value, ApiError> {
    let v = scim::parse_body(body).map_err(|e| ApiError::Decode(e.to_string()))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(ApiError::Decode(scim::DecodeError::NotAnObject.to_string()))
    }
}

fn unreadable() -> ApiError {
    ApiError::Decode("the resource has no id".into())
}

/// Reads `GET /directory/user/{id}`.
pub fn user_detail(body: &[u8]) -> Result<Detail, ApiError> {
    let raw = resource(body)?;
    let user = User::from_value(&raw).ok_or_else(unreadable)?;
    let (attributes, attributes_omitted) = attributes(&raw);
    Ok(Detail {
        kind: SearchKind::Users,
        row: user_row(&user),
        times: times(user.created_ms, user.last_modified_ms, user.last_login_ms),
        related: user
            .groups
            .iter()
            .take(MAX_RELATED)
            .map(member_row)
            .collect(),
        related_total: (user.groups.len() > MAX_RELATED).then_some(user.groups.len()),
        attributes,
        attributes_omitted,
        ..Detail::default()
    })
}

/// Reads `GET /directory/group/{id}` and, when it was asked, `GET …/users/count`.
pub fn group_detail(
    body: &[u8],
    count: Option<Result<Vec<u8>, ApiError>>,
) -> Result<Detail, ApiError> {
    let raw = resource(body)?;
    let group = Group::from_value(&raw).ok_or_else(unreadable)?;
    let (attributes, attributes_omitted) = attributes(&raw);
    let (user_count, user_count_problem) = match count {
        None => (None, None),
        Some(Ok(body)) => match users_count(&body) {
            Some(users) => (Some(users), None),
            None => (None, Some("the user count could not be read".into())),
        },
        Some(Err(e)) => (None, Some(e.message())),
    };
    Ok(Detail {
        kind: SearchKind::Groups,
        row: group_row(&group),
        times: times(group.created_ms, group.last_modified_ms, None),
        related: group
            .members
            .iter()
            .take(MAX_RELATED)
            .map(member_row)
            .collect(),
        related_total: (group.members.len() > MAX_RELATED).then_some(group.members.len()),
        user_count,
        user_count_problem,
        attributes,
        attributes_omitted,
    })
}

/// The URLs a detail view needs: the resource, and for a group its user count.
pub fn detail_urls(base: &str, kind: SearchKind, id: &str) -> (String, Option<String>) {
    match kind {
        SearchKind::Users => (api::resource_url(base, Resource::Users, id), None),
        SearchKind::Groups => (
            api::resource_url(base, Resource::Groups, id),
            Some(api::group_count_url(base, id)),
        ),
    }
}

/// `GET /directory/group/{id}/users/count`: `{"users": n}`.
#[derive(Deserialize)]
struct UserCount {
    users: u64,
}

/// A group's direct user count from its `users/count` answer, if it reads.
pub fn users_count(body: &[u8]) -> Option<u64> {
    serde_json::from_str::<UserCount>(std::str::from_utf8(body).ok()?)
        .ok()
        .map(|c| c.users)
}

/// What went wrong, for the UI, and what would fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: FailureCode,
    pub message: String,
    /// Whether trying again may help (rate limits, 5xx, network, unreadable answers).
    pub retry: bool,
}

impl Failure {
    /// Whether the popup asks again by itself after [`RETRY_MS`]: PingOne could not be reached or
    /// had a server error, and nothing the admin does would help sooner.
    pub fn retries_by_itself(&self) -> bool {
        matches!(self.code, FailureCode::Offline | FailureCode::Server)
    }
}

/// The kinds of failure the UI treats differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    /// No account, or no key read in this browser session: read the credentials page.
    NoKey,
    /// The account's region is not known: choose it.
    NoRegion,
    /// 401: the key was probably renewed: re-read the credentials page.
    Unauthorized,
    Forbidden,
    NotFound,
    RateLimited,
    Offline,
    Server,
    /// Anything else (unreadable answers, odd statuses).
    Other,
    /// A newer request replaced this one.
    Cancelled,
}

impl Failure {
    pub fn new(code: FailureCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            retry: false,
        }
    }

    /// Whether the fix is to open the credentials page so Keyward reads the key again.
    pub fn needs_key(&self) -> bool {
        matches!(self.code, FailureCode::NoKey | FailureCode::Unauthorized)
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Failure {
        let code = match e {
            ApiError::Unauthorized => FailureCode::Unauthorized,
            ApiError::Forbidden => FailureCode::Forbidden,
            ApiError::NotFound => FailureCode::NotFound,
            ApiError::RateLimited(_) | ApiError::NotSent(_) => FailureCode::RateLimited,
            ApiError::Network(_) => FailureCode::Offline,
            ApiError::Server(_) => FailureCode::Server,
            ApiError::Cancelled => FailureCode::Cancelled,
            ApiError::Conflict(_)
            | ApiError::BadRequest(_)
            | ApiError::Unexpected(_)
            | ApiError::Decode(_) => FailureCode::Other,
        };
        Failure {
            retry: e.is_transient(),
            ..Failure::new(code, e.message())
        }
    }
}

/// The live rate-limit line: "Waiting 8 s — PingOne rate limit", while the scheduler holds back
/// after 429s; `None` when nothing is waiting.
pub fn rate_line(waiting_ms: Option<u64>, recent_429s: usize, queued: usize) -> Option<String> {
    let wait = waiting_ms.filter(|ms| *ms >= 500)?;
    let secs = wait.div_ceil(1000);
    let why = if recent_429s > 0 {
        "PingOne rate limit"
    } else {
        "pacing requests"
    };
    let queue = if queued > 1 {
        format!(" ({queued} requests queued)")
    } else {
        String::new()
    };
    Some(format!("Waiting {secs} s \u{2014} {why}{queue}"))
}

/// What a key press does in the popup's result list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    CopyId,
    CopyUserName,
    CopyEmail,
    Open,
    Next,
    Previous,
    Back,
}

/// The popup's one-key shortcuts on a focused result (and Escape in a detail view).
pub fn key_action(key: &str) -> Option<KeyAction> {
    Some(match key {
        "i" => KeyAction::CopyId,
        "u" => KeyAction::CopyUserName,
        "e" => KeyAction::CopyEmail,
        "Enter" => KeyAction::Open,
        "ArrowDown" => KeyAction::Next,
        "ArrowUp" => KeyAction::Previous,
        "Escape" => KeyAction::Back,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::api::scim::SCHEMA_PINGONE;

    fn user_json(extra: &str) -> String {
        format!(
            r#"{{"id":"u1","userName":"marcher","active":true,
              "name":{{"givenName":"Meredith","familyName":"Archer"}},
              "emails":[{{"value":"m@example.com","type":"work"}}],
              "groups":[{{"display":"Users","value":"g1"}}],
              "urn:scim:schemas:com_pingone:1.0":{{"createTimeStamp":1429123454227,"state":"ACTIVE"{extra}}}}}"#
        )
    }

    #[test]
    fn a_search_builds_a_sorted_filtered_first_page() {
        let users = search_request(SearchKind::Users, "mer", false, 0).url("https://h/api");
        assert!(
            users.starts_with("https://h/api/directory/user?startIndex=1&count=20&sortBy=userName")
        );
        assert!(users.contains("&filter="));
        let groups = search_request(SearchKind::Groups, " ", false, 0).url("https://h/api");
        assert!(groups.contains("/directory/group?") && !groups.contains("filter"));
        // "Show more": the next page after those shown, never past the most the popup lists.
        let more = search_request(SearchKind::Users, "mer", false, 20).url("https://h/api");
        assert!(more.contains("startIndex=21&count=20"), "{more}");
        let last = search_request(SearchKind::Users, "mer", false, 5_000).url("https://h/api");
        assert!(last.contains("startIndex=181&count=20"), "{last}");
    }

    #[test]
    fn rows_say_who_and_whether_active() {
        let body = format!(r#"{{"totalResults":1,"resources":[{}]}}"#, user_json(""));
        let found = found(SearchKind::Users, "mer", body.as_bytes()).expect("reads");
        assert_eq!(found.total, Some(1));
        let row = &found.rows[0];
        assert_eq!(row.title, "marcher");
        assert_eq!(row.subtitle.as_deref(), Some("Meredith Archer"));
        assert_eq!(row.email.as_deref(), Some("m@example.com"));
        assert_eq!(row.status.as_deref(), Some("Active"));
        let cases = [
            (r#"{"id":"a","active":false}"#, Some("Disabled"), true),
            (
                r#"{"id":"a","active":true,"urn:scim:schemas:com_pingone:1.0":{"state":"PENDING_APPROVAL"}}"#,
                Some("Pending approval"),
                true,
            ),
            (r#"{"id":"a"}"#, None, false),
        ];
        for (json, status, inactive) in cases {
            let v: Value = serde_json::from_str(json).expect("json");
            let row = user_row(&User::from_value(&v).expect("user"));
            assert_eq!(
                (row.status.as_deref(), row.inactive),
                (status, inactive),
                "{json}"
            );
            assert_eq!(row.title, "a", "a user without userName is titled by id");
        }
    }

    #[test]
    fn bad_bodies_are_decode_errors_not_panics() {
        for body in [&b""[..], b"{", b"[]", b"<html>", b"{\"resources\":3}"] {
            assert!(matches!(
                found(SearchKind::Groups, "", body),
                Err(ApiError::Decode(_))
            ));
            assert!(user_detail(body).is_err());
        }
        assert!(matches!(
            user_detail(b"{\"userName\":\"x\"}"),
            Err(ApiError::Decode(_))
        ));
    }

    #[test]
    fn a_user_detail_lists_every_attribute_with_timestamps_as_instants() {
        let detail =
            user_detail(user_json(r#","lastLoginTime":1700000000000"#).as_bytes()).expect("reads");
        assert_eq!(detail.related[0].title, "Users");
        assert_eq!(
            detail.times,
            vec![
                ("Created".to_string(), 1429123454227),
                ("Last login".to_string(), 1700000000000)
            ]
        );
        let path = |p: &str| detail.attributes.iter().find(|a| a.path == p).cloned();
        assert_eq!(
            path("name.givenName").map(|a| a.value),
            Some("Meredith".into())
        );
        assert_eq!(path("emails[0].type").map(|a| a.value), Some("work".into()));
        assert_eq!(
            path(&format!("{SCHEMA_PINGONE}.createTimeStamp")).and_then(|a| a.when_ms),
            Some(1429123454227)
        );
        assert_eq!(path("active").map(|a| a.value), Some("true".into()));
    }

    #[test]
    fn hostile_resources_are_bounded() {
        let many: String = (0..1000).map(|i| format!(r#""a{i}":{i},"#)).collect();
        let long = "x".repeat(10_000);
        let body = format!(r#"{{{many}"id":"u","userName":"{long}"}}"#);
        let detail = user_detail(body.as_bytes()).expect("reads");
        assert_eq!(detail.attributes.len(), MAX_ATTRIBUTES);
        assert_eq!(detail.attributes_omitted, 1002 - MAX_ATTRIBUTES);
        assert_eq!(
            detail.row.title.len(),
            10_000,
            "the row keeps the whole name"
        );
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(user_detail(deep.as_bytes()).is_err());
    }

    #[test]
    fn a_group_detail_has_members_and_its_count() {
        let group = br#"{"id":"g","displayName":"Devs","members":[{"value":"u1","display":"marcher","type":"USER"}]}"#;
        let detail = group_detail(group, Some(Ok(br#"{"users":1}"#.to_vec()))).expect("reads");
        assert_eq!(detail.row.subtitle.as_deref(), Some("1 member"));
        assert_eq!(detail.user_count, Some(1));
        assert_eq!(detail.related[0].subtitle.as_deref(), Some("user"));
        let failed = group_detail(group, Some(Err(ApiError::Server(503)))).expect("reads");
        assert_eq!(failed.user_count, None);
        assert!(failed.user_count_problem.is_some_and(|p| p.contains("503")));
        let odd = group_detail(group, Some(Ok(b"{}".to_vec()))).expect("reads");
        assert!(odd.user_count_problem.is_some());
    }

    #[test]
    fn failures_carry_their_fix() {
        assert!(Failure::from(&ApiError::Unauthorized).needs_key());
        assert!(!Failure::from(&ApiError::Server(500)).needs_key());
        assert_eq!(
            Failure::from(&ApiError::Network("x".into())).code,
            FailureCode::Offline
        );
    }

    #[test]
    fn the_rate_line_says_how_long_and_why() {
        assert_eq!(
            rate_line(Some(7_200), 3, 1).as_deref(),
            Some("Waiting 8 s \u{2014} PingOne rate limit")
        );
        assert_eq!(
            rate_line(Some(1_000), 0, 4).as_deref(),
            Some("Waiting 1 s \u{2014} pacing requests (4 requests queued)")
        );
        assert_eq!(rate_line(Some(100), 3, 1), None);
        assert_eq!(rate_line(None, 3, 1), None);
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(key_action("i"), Some(KeyAction::CopyId));
        assert_eq!(key_action("Escape"), Some(KeyAction::Back));
        assert_eq!(key_action("x"), None);
    }

    #[test]
    fn a_twenty_thousand_member_group_lists_a_bounded_first_page_and_says_how_many() {
        let members: Vec<Value> = (0..20_000)
            .map(|i| serde_json::json!({"value": format!("u{i:05}"), "display": format!("user {i}"), "type": "USER"}))
            .collect();
        let body =
            serde_json::json!({"id": "g1", "displayName": "Users", "members": members}).to_string();
        let count = serde_json::json!({"users": 20_000}).to_string();
        let detail = group_detail(body.as_bytes(), Some(Ok(count.into_bytes()))).expect("a group");
        assert_eq!(detail.related.len(), MAX_RELATED);
        assert_eq!(detail.related_total, Some(20_000));
        assert_eq!(detail.user_count, Some(20_000));
        assert!(detail.attributes.len() <= MAX_ATTRIBUTES);
        let view = view::detail(&detail, &|_| 0, Some("export.html?group=g1"), "u");
        let shown = view.text_content();
        assert!(shown.contains("Members (first 100 of 20,000)"), "{shown}");
        let export = view.find("data-testid", "export-members").expect("a link");
        assert_eq!(export.get_attr("href"), Some("export.html?group=g1"));
        assert_eq!(export.text_content(), "Export all 20,000 members\u{2026}");
        assert!(shown.contains("Direct user members: 20,000"));
        // Each member opens in its turn: a user, or a nested group.
        let first = view
            .find("data-action", "open-related")
            .expect("a member to open");
        assert_eq!(first.get_attr("data-kind"), Some("users"));
        assert_eq!(
            view.find("data-testid", "detail-console")
                .and_then(|a| a.get_attr("href")),
            Some("u")
        );
        assert!(
            !shown.contains("user 19999"),
            "nothing near the end is rendered"
        );
        // A small group says nothing of the kind.
        let small = serde_json::json!({"id": "g2", "displayName": "Ops", "members": members[..3]})
            .to_string();
        let detail = group_detail(small.as_bytes(), None).expect("a group");
        assert_eq!((detail.related.len(), detail.related_total), (3, None));
    }
}
