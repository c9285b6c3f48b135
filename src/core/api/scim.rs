//! SCIM 1.1 resources as P14E sends them, decoded tolerantly.
//!
//! Decoding keeps each resource as its text and picks fields one by one, so a missing field, an
//! unexpected type or an unknown attribute never sinks a whole response: the resource keeps what
//! could be read (a detail view shows every attribute from the body itself). Both date forms P14E
//! uses are read: epoch milliseconds and ISO-8601 with an offset.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::core::shared::dates::parse_iso8601;

/// The P14E extension schema.
pub const SCHEMA_PINGONE: &str = "urn:scim:schemas:com_pingone:1.0";

/// A user.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    pub id: String,
    pub user_name: String,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub emails: Vec<String>,
    pub active: Option<bool>,
    pub state: Option<String>,
    pub groups: Vec<Member>,
    pub created_ms: Option<i64>,
    pub last_modified_ms: Option<i64>,
    pub last_login_ms: Option<i64>,
    pub account_id: Option<String>,
}

/// A group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub id: String,
    pub display_name: String,
    pub members: Vec<Member>,
    pub created_ms: Option<i64>,
    pub last_modified_ms: Option<i64>,
}

/// A member of a group, or a group a user belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub display: Option<String>,
    /// `user` or `group` (lower-cased); `None` when not said.
    pub kind: Option<String>,
}

/// One page of a list response.
#[derive(Clone, Debug, PartialEq)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// `totalResults`, when present and sane.
    pub total: Option<u64>,
    pub start_index: Option<u64>,
    /// Entries that were not resources we could read (no id).
    pub skipped: usize,
}

/// Why a body could not be read as a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    NotJson,
    NotAnObject,
    NoResources,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecodeError::NotJson => "the response is not valid JSON (it may have been cut off)",
            DecodeError::NotAnObject => "the response is not a JSON object",
            DecodeError::NoResources => "the response has no resources list",
        })
    }
}

impl std::error::Error for DecodeError {}

/// A JSON object's members as the API sent them, each value still its text: a reader picks the
/// few members it needs and never builds a tree of the rest (a page of a thousand users reads
/// about four times faster so). A repeated name counts once, its last value, as a tree would.
struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> RawObject<'a> {
    /// `raw` read as an object; `None` for anything else.
    fn of(raw: &'a RawValue) -> Option<RawObject<'a>> {
        serde_json::from_str(raw.get()).ok()
    }

    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    fn string(&self, key: &str) -> Option<String> {
        serde_json::from_str(self.get(key)?.get()).ok()
    }

    fn object(&self, key: &str) -> Option<RawObject<'a>> {
        RawObject::of(self.get(key)?)
    }

    /// The member `key` as a list; `None` when it is something else.
    fn list(&self, key: &str) -> Option<Vec<&'a RawValue>> {
        serde_json::from_str(self.get(key)?.get()).ok()
    }

    fn number(&self, key: &str) -> Option<u64> {
        serde_json::from_str(self.get(key)?.get()).ok()
    }

    fn timestamp(&self, key: &str) -> Option<i64> {
        let leaf: Value = serde_json::from_str(self.get(key)?.get()).ok()?;
        timestamp(Some(&leaf))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<RawObject<'a>, M::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<Key<'a>>()? {
                    members.push((key.0, map.next_value::<&'a RawValue>()?));
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(Members(PhantomData))
    }
}

/// A member's name, borrowed from the text unless it holds an escape.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Name<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(Name(PhantomData))
    }
}

/// A timestamp in either P14E form.
pub fn timestamp(v: Option<&Value>) -> Option<i64> {
    match v? {
        n @ Value::Number(_) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => parse_iso8601(s),
        _ => None,
    }
}

fn members(object: &RawObject, key: &str) -> Vec<Member> {
    object
        .list(key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| {
            let m = RawObject::of(m)?;
            Some(Member {
                id: m.string("value")?,
                display: m.string("display"),
                kind: m.string("type").map(|t| t.to_ascii_lowercase()),
            })
        })
        .collect()
}

/// When a resource was created or changed: P14E's epoch milliseconds, else SCIM's `meta` dates.
fn times(v: &RawObject, ext: Option<&RawObject>) -> (Option<i64>, Option<i64>) {
    let meta = v.object("meta");
    let meta_time = |key| meta.as_ref().and_then(|m| m.timestamp(key));
    (
        ext.and_then(|e| e.timestamp("createTimeStamp"))
            .or_else(|| meta_time("created")),
        ext.and_then(|e| e.timestamp("lastModifiedTimeStamp"))
            .or_else(|| meta_time("lastModified")),
    )
}

impl User {
    /// Reads a user; `None` if it has no id (it cannot be looked up or deduplicated).
    pub fn from_raw(raw: &RawValue) -> Option<User> {
        let v = RawObject::of(raw)?;
        let id = v.string("id").filter(|id| !id.is_empty())?;
        let name = v.object("name");
        let ext = v.object(SCHEMA_PINGONE);
        let emails = v
            .list("emails")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| {
                serde_json::from_str::<String>(e.get())
                    .ok()
                    .or_else(|| RawObject::of(e)?.string("value"))
            })
            .collect();
        let (created_ms, last_modified_ms) = times(&v, ext.as_ref());
        Some(User {
            id,
            user_name: v.string("userName").unwrap_or_default(),
            display_name: v
                .string("displayName")
                .or_else(|| name.as_ref().and_then(|n| n.string("formatted"))),
            given_name: name.as_ref().and_then(|n| n.string("givenName")),
            family_name: name.as_ref().and_then(|n| n.string("familyName")),
            emails,
            active: v
                .get("active")
                .and_then(|a| serde_json::from_str(a.get()).ok()),
            state: ext.as_ref().and_then(|e| e.string("state")),
            groups: members(&v, "groups"),
            created_ms,
            last_modified_ms,
            last_login_ms: ext.as_ref().and_then(|e| e.timestamp("lastLoginTime")),
            account_id: ext.as_ref().and_then(|e| e.string("accountId")),
        })
    }

    /// Reads a user held as a tree.
    pub fn from_value(v: &Value) -> Option<User> {
        User::from_raw(&serde_json::value::to_raw_value(v).ok()?)
    }
}

impl Group {
    /// Reads a group; `None` if it has no id.
    pub fn from_raw(raw: &RawValue) -> Option<Group> {
        let v = RawObject::of(raw)?;
        let id = v.string("id").filter(|id| !id.is_empty())?;
        let ext = v.object(SCHEMA_PINGONE);
        let (created_ms, last_modified_ms) = times(&v, ext.as_ref());
        Some(Group {
            id,
            display_name: v.string("displayName").unwrap_or_default(),
            members: members(&v, "members"),
            created_ms,
            last_modified_ms,
        })
    }

    /// Reads a group held as a tree.
    pub fn from_value(v: &Value) -> Option<Group> {
        Group::from_raw(&serde_json::value::to_raw_value(v).ok()?)
    }
}

/// Parses a Directory API body. A lone UTF-16 surrogate escape (`\ud800` with no partner), which
/// Java and JavaScript servers write for a broken string, is valid JSON syntax that a UTF-8 parser
/// refuses; it becomes U+FFFD first, so one user's odd name does not fail a page of 200. Nesting
/// deeper than serde_json's limit (128 levels) is refused, as is anything cut off.
pub fn parse_body(body: &[u8]) -> Result<Value, DecodeError> {
    let repaired = repair_lone_surrogates(body);
    let text = std::str::from_utf8(repaired.as_deref().unwrap_or(body));
    serde_json::from_str(text.map_err(|_| DecodeError::NotJson)?).map_err(|_| DecodeError::NotJson)
}

/// A copy of `json` with each lone surrogate escape replaced by `\ufffd` (the same length), or
/// `None` when it has none. Escaped backslashes are skipped, so `\\ud800` stays text.
fn repair_lone_surrogates(json: &[u8]) -> Option<Vec<u8>> {
    let unit = |at: usize| -> Option<u16> {
        let digits = json.get(at..at + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| json.get(at) == Some(&b'\\') && json.get(at + 1) == Some(&b'u');
    let mut repaired: Option<Vec<u8>> = None;
    let mut i = 0;
    while i + 1 < json.len() {
        // Straight to the next backslash: most of a body has none.
        match memchr::memchr(b'\\', &json[i..]) {
            Some(at) => i += at,
            None => break,
        }
        let Some(first) = escape_at(i).then(|| unit(i + 2)).flatten() else {
            i += 2;
            continue;
        };
        let high = (0xD800..0xDC00).contains(&first);
        if high && escape_at(i + 6) && unit(i + 8).is_some_and(|u| (0xDC00..0xE000).contains(&u)) {
            i += 12;
            continue;
        }
        if (0xD800..0xE000).contains(&first) {
            repaired.get_or_insert_with(|| json.to_vec())[i + 2..i + 6].copy_from_slice(b"fffd");
        }
        i += 6;
    }
    repaired
}

/// A list body whose members are all of the expected types, read in one pass.
#[derive(serde::Deserialize)]
struct ListBody<'a> {
    #[serde(default, rename = "totalResults")]
    total: Option<u64>,
    #[serde(default, rename = "startIndex")]
    start_index: Option<u64>,
    #[serde(borrow, default, deserialize_with = "list")]
    resources: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default, rename = "Resources", deserialize_with = "list")]
    scim_resources: Option<Vec<&'a RawValue>>,
}

/// A list that is there (`null` is not one).
fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<&'de RawValue>>, D::Error> {
    Vec::deserialize(d).map(Some)
}

/// Reads a list body: `resources` (as P14E sends) or `Resources` (SCIM 1.1), each resource by
/// `read` from its own text.
pub fn list_page<T>(
    body: &[u8],
    read: impl Fn(&RawValue) -> Option<T>,
) -> Result<ListPage<T>, DecodeError> {
    let repaired = repair_lone_surrogates(body);
    let body = std::str::from_utf8(repaired.as_deref().unwrap_or(body))
        .map_err(|_| DecodeError::NotJson)?;
    // A well-formed body in one pass; any other shape is read member by member below.
    if let Ok(list) = serde_json::from_str::<ListBody>(body) {
        if let Some(resources) = list.resources.or(list.scim_resources) {
            let items: Vec<T> = resources.iter().filter_map(|r| read(r)).collect();
            return Ok(ListPage {
                skipped: resources.len() - items.len(),
                items,
                total: list.total,
                start_index: list.start_index,
            });
        }
    }
    let Ok(v) = serde_json::from_str::<RawObject>(body) else {
        return Err(match serde_json::from_str::<IgnoredAny>(body) {
            Ok(_) => DecodeError::NotAnObject,
            Err(_) => DecodeError::NotJson,
        });
    };
    let total = v.number("totalResults");
    let list = match v.get("resources").or_else(|| v.get("Resources")) {
        Some(list) => serde_json::from_str::<Vec<&RawValue>>(list.get())
            .map_err(|_| DecodeError::NoResources)?,
        // An empty result may omit the list altogether.
        None if total == Some(0) => Vec::new(),
        None => return Err(DecodeError::NoResources),
    };
    let items: Vec<T> = list.iter().filter_map(|r| read(r)).collect();
    Ok(ListPage {
        skipped: list.len() - items.len(),
        items,
        total,
        start_index: v.number("startIndex"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_documented_user() {
        let v = json!({"id":"a7d67610-0000-4000-8000-000000000001","schemas":["urn:scim:schemas:core:1.0",SCHEMA_PINGONE],
            SCHEMA_PINGONE:{"createTimeStamp":1429123454227_i64,"accountId":"a6538050","lastModifiedTimeStamp":1429123454227_i64,"directoryId":"90b3dfe3","state":"ACTIVE"},
            "name":{"familyName":"Archer","givenName":"Meredith"},"userName":"marcher","active":true,
            "emails":[{"value":"meredith.archer@pingdevelopers.com","type":"work"}],
            "meta":{"lastModified":"2015-04-15T12:44:14.227-06:00","location":"https://x/api/directory/user/a7d6","created":"2015-04-15T12:44:14.227-06:00"},
            "groups":[{"display":"Users","value":"0b854f8d"}],"futureAttribute":{"x":1}});
        let u = User::from_value(&v).expect("a user");
        assert_eq!(u.user_name, "marcher");
        assert_eq!(u.emails, ["meredith.archer@pingdevelopers.com"]);
        assert_eq!(u.state.as_deref(), Some("ACTIVE"));
        assert_eq!(u.created_ms, Some(1_429_123_454_227));
        assert_eq!(
            u.groups,
            [Member {
                id: "0b854f8d".into(),
                display: Some("Users".into()),
                kind: None
            }]
        );
    }

    #[test]
    fn tolerates_missing_and_odd_fields() {
        let u = User::from_value(
            &json!({"id": "x", "emails": "not-a-list", "active": "yes", "name": 5}),
        )
        .expect("a user");
        assert_eq!(
            (u.user_name.as_str(), u.emails.len(), u.active, u.given_name),
            ("", 0, None, None)
        );
        assert_eq!(User::from_value(&json!({"userName": "no id"})), None);
        let u = User::from_value(
            &json!({"id": "y", "meta": {"created": "2015-04-15T12:44:14.227-06:00"}}),
        )
        .expect("user");
        assert_eq!(
            u.created_ms,
            Some(1_429_123_454_227),
            "ISO dates are read when epoch ms are absent"
        );
    }

    #[test]
    fn a_repeated_member_counts_once_with_its_last_value_and_escaped_names_are_read() {
        let raw = br#"{"resources":[{"id":"a","userName":"first","userName":"last","na\u006de":{"givenName":"\u00c9va"},"active":true,"active":"no"}]}"#;
        let page = list_page(raw, User::from_raw).expect("a page");
        let u = &page.items[0];
        assert_eq!(
            (u.user_name.as_str(), u.given_name.as_deref(), u.active),
            ("last", Some("\u{c9}va"), None)
        );
        let deep = format!(
            r#"{{"resources":[{{"id":"b","meta":{{"created":{}}}}}]}}"#,
            "[".repeat(10_000) + &"]".repeat(10_000)
        );
        let page = list_page(deep.as_bytes(), User::from_raw).expect("a page");
        assert_eq!(
            (page.items[0].id.as_str(), page.items[0].created_ms),
            ("b", None),
            "a deep value that is not read costs nothing"
        );
    }

    #[test]
    fn iso8601_forms() {
        let cases = [
            ("2015-04-15T12:44:14.227-06:00", Some(1_429_123_454_227)),
            ("2015-04-15T18:44:14.227Z", Some(1_429_123_454_227)),
            ("2015-04-15T18:44:14Z", Some(1_429_123_454_000)),
            ("2015-04-15T18:44:14.2Z", Some(1_429_123_454_200)),
            ("2015-04-16T04:14:14.227+09:30", Some(1_429_123_454_227)),
            ("2015-04-15T18:44:14+0000", Some(1_429_123_454_000)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2015-13-15T18:44:14Z", None),
            ("2015-04-15", None),
            ("yesterday", None),
            ("2015-04-15T18:44:14.Z", None),
            ("2015-04-15T18:44:14~01:00", None),
        ];
        for (s, expected) in cases {
            assert_eq!(parse_iso8601(s), expected, "{s}");
        }
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_nothing_else_changes() {
        let cases = [
            (r#"["\ud800"]"#, "\u{fffd}"),
            (r#"["a\udc00b"]"#, "a\u{fffd}b"),
            (r#"["\ud800\ud800"]"#, "\u{fffd}\u{fffd}"),
            (r#"["\udc00\ud800"]"#, "\u{fffd}\u{fffd}"),
            (r#"["\ud83d\ude00"]"#, "\u{1f600}"),
            (r#"["\\ud800"]"#, "\\ud800"),
            (r#"["\\\ud800"]"#, "\\\u{fffd}"),
            (r#"["\u00e9\uD800x"]"#, "\u{e9}\u{fffd}x"),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_body(body.as_bytes()), Ok(json!([expected])), "{body}");
        }
        assert_eq!(repair_lone_surrogates(br#"{"a":"\u0041\\u"}"#), None);
    }

    #[test]
    fn cut_off_absurdly_deep_and_non_json_bodies_are_refused() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        for body in [
            &b"{\"resources\":[{\"id\":\"a"[..],
            b"",
            b"<html>",
            b"\"\\ud8",
            deep.as_bytes(),
        ] {
            assert_eq!(parse_body(body), Err(DecodeError::NotJson));
        }
        let nested = "[".repeat(100) + &"]".repeat(100);
        assert!(
            parse_body(nested.as_bytes()).is_ok(),
            "ordinary nesting is read"
        );
    }

    #[test]
    fn list_envelopes() {
        let observed = br#"{"count":1,"itemsPerPage":0,"startIndex":1,"schemas":[],"totalResults":1,"resources":[{"id":"a","userName":"x"}]}"#;
        let page = list_page(observed, User::from_raw).expect("observed envelope");
        assert_eq!(
            (page.items.len(), page.total, page.start_index),
            (1, Some(1), Some(1))
        );
        let scim = br#"{"totalResults":2,"Resources":[{"id":"a"},{"userName":"no id"}]}"#;
        let page = list_page(scim, User::from_raw).expect("SCIM envelope");
        assert_eq!((page.items.len(), page.skipped), (1, 1));
        assert_eq!(
            list_page(br#"{"totalResults":0}"#, User::from_raw).map(|p| p.items.len()),
            Ok(0)
        );
        assert_eq!(
            list_page(br#"{"totalResults":3}"#, User::from_raw).map(|p| p.items.len()),
            Err(DecodeError::NoResources)
        );
        assert_eq!(
            list_page(br#"{"resources":[{"id":"a"#, User::from_raw).map(|p| p.items.len()),
            Err(DecodeError::NotJson)
        );
        assert_eq!(
            list_page(b"[]", User::from_raw).map(|p| p.items.len()),
            Err(DecodeError::NotAnObject)
        );
        assert_eq!(
            list_page(b"<html>", User::from_raw).map(|p| p.items.len()),
            Err(DecodeError::NotJson)
        );
        // Odd shapes read as a tree would: a null list is none, a total of the wrong type is
        // unknown, and a repeated member counts with its last value.
        let ids = |body: &[u8]| {
            list_page(body, User::from_raw).map(|p| {
                let ids: Vec<String> = p.items.into_iter().map(|u| u.id).collect();
                (ids, p.total)
            })
        };
        assert_eq!(
            ids(br#"{"resources":null,"Resources":[{"id":"a"}]}"#),
            Err(DecodeError::NoResources)
        );
        assert_eq!(
            ids(br#"{"totalResults":"1","resources":[{"id":"a"}]}"#),
            Ok((vec!["a".to_string()], None))
        );
        assert_eq!(
            ids(br#"{"resources":[{"id":"a"}],"totalResults":2,"resources":[{"id":"b"}]}"#),
            Ok((vec!["b".to_string()], Some(2)))
        );
    }
}
