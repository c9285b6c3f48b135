//! Generated users: a directory of a million users served without storing them.
//!
//! Above [`GENERATED_ABOVE`] users, seeding stores none: user `n` is made from `n` alone when it is
//! asked for — its id ends in `n` in hex, its `userName` is `user` and `n` in seven digits (so name
//! order is index order, and a page of 1000 sorted by `userName` is a slice, not a sort), and its
//! name, email, `active` and times follow from `n`. A write to a generated user (PUT, DELETE, a
//! membership) first *materializes* it: it becomes a stored user like any other, with the same id and
//! attributes, and leaves the generated range. Generated users belong to the built-in Users group.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Value};

use crate::directory::{SCHEMA_CORE, SCHEMA_PINGONE};
use crate::time::iso_mountain;

/// Seeding stores realistic users up to this many; a directory above it is generated.
pub const GENERATED_ABOVE: usize = 20_000;
/// Ids of generated users: a UUID (version 4 form) whose last 12 hex digits are the index.
const ID_PREFIX: &str = "6e6e6e6e-6e6e-4e6e-8e6e-";
const NAME_PREFIX: &str = "user";
const NAME_DIGITS: usize = 7;
const DOMAIN: &str = "example.com";
const GIVEN: &[&str] = &[
    "Ada", "Bruno", "Chloé", "Dmitri", "Elif", "Fatima", "Hiroshi", "Ingrid", "José", "Kwame",
    "Łukasz", "Mei", "Noah", "Olivia", "Priya", "Søren", "Thabo", "Zoë",
];
const FAMILY: &[&str] = &[
    "Archer",
    "Brown",
    "Dubois",
    "García",
    "Haddad",
    "Ivanov",
    "Johansson",
    "Kowalski",
    "Müller",
    "Nkosi",
    "O'Brien",
    "Patel",
    "Rossi",
    "Silva",
    "Tanaka",
    "Wang",
    "Yılmaz",
    "山田",
];
/// 2016-01-01 in ms, and a step that spreads creation times over the years after it.
const CREATED_FROM_MS: i64 = 1_451_606_400_000;
const CREATED_STEP_MS: i64 = 263_000;

/// The generated users of one directory: indices `0..count`, less those materialized or deleted.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    count: usize,
    /// Indices no longer generated (stored now, or deleted), ascending.
    gone: BTreeSet<usize>,
}

impl Generated {
    pub fn new(count: usize) -> Generated {
        Generated {
            count,
            gone: BTreeSet::new(),
        }
    }

    /// Generated users still served from the range.
    pub fn live(&self) -> usize {
        self.count - self.gone.len()
    }

    fn is_live(&self, n: usize) -> bool {
        n < self.count && !self.gone.contains(&n)
    }

    /// Takes `n` out of the range (it was materialized or deleted).
    pub fn remove(&mut self, n: usize) {
        if n < self.count {
            self.gone.insert(n);
        }
    }

    pub fn id(n: usize) -> String {
        format!("{ID_PREFIX}{n:012x}")
    }

    pub fn user_name(n: usize) -> String {
        format!("{NAME_PREFIX}{n:0NAME_DIGITS$}")
    }

    /// The live generated user with this id.
    pub fn index_of_id(&self, id: &str) -> Option<usize> {
        let hex = id.strip_prefix(ID_PREFIX).filter(|h| h.len() == 12)?;
        let n = usize::from_str_radix(hex, 16).ok()?;
        self.is_live(n).then_some(n)
    }

    /// The live generated user with this `userName` (compared without case, as names are).
    pub fn index_of_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        let digits = lower.strip_prefix(NAME_PREFIX)?;
        if digits.len() != NAME_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = digits.parse().ok()?;
        self.is_live(n).then_some(n)
    }

    /// The live generated user with this email.
    pub fn index_of_email(&self, email: &str) -> Option<usize> {
        let (local, domain) = email.rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(DOMAIN) {
            return None;
        }
        self.index_of_name(local)
    }

    /// The `i`-th live index in index (and name) order.
    pub fn nth_live(&self, i: usize) -> Option<usize> {
        let mut n = i;
        for &gone in &self.gone {
            if gone <= n {
                n += 1;
            } else {
                break;
            }
        }
        (n < self.count).then_some(n)
    }

    /// Live generated users whose names sort before `lower` (a lower-cased name).
    pub fn live_before(&self, lower: &str) -> usize {
        // Names are in index order: the first index whose name is not below `lower`.
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if Generated::user_name(mid).as_str() < lower {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo - self.gone.range(..lo).count()
    }

    /// Live indices in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.count).filter(|n| !self.gone.contains(n))
    }

    /// User `n` as the API shows it, written straight to text: what [`Generated::user`] with its
    /// `location` and `groups` (id and name) serializes to, byte for byte, without building the
    /// tree (a page of a thousand in a few milliseconds).
    pub fn user_text(
        n: usize,
        account_id: &str,
        directory_id: &str,
        location: &str,
        groups: &[(&str, &str)],
    ) -> String {
        let name = Generated::user_name(n);
        let created = CREATED_FROM_MS + n as i64 * CREATED_STEP_MS % 283_996_800_000;
        let when = iso_mountain(created);
        // Members in the order a `serde_json` map keeps them: by name.
        let user = ShownUser {
            active: n % 20 != 19,
            emails: [ShownEmail {
                primary: true,
                kind: "work",
                value: format!("{name}@{DOMAIN}"),
            }],
            groups: groups
                .iter()
                .map(|(value, display)| ShownGroup { display, value })
                .collect(),
            id: Generated::id(n),
            meta: ShownMeta {
                created: &when,
                last_modified: &when,
                location,
            },
            name: ShownName {
                family: FAMILY[(n / GIVEN.len()) % FAMILY.len()],
                given: GIVEN[n % GIVEN.len()],
            },
            schemas: [SCHEMA_CORE, SCHEMA_PINGONE],
            pingone: ShownPingOne {
                account_id,
                created,
                directory_id,
                modified: created,
                state: "ACTIVE",
            },
            user_name: &name,
        };
        serde_json::to_string(&user).unwrap_or_default()
    }

    /// User `n` as stored (no `meta.location` or `groups`: the directory adds those).
    pub fn user(n: usize, account_id: &str, directory_id: &str) -> Value {
        let name = Generated::user_name(n);
        let given = GIVEN[n % GIVEN.len()];
        let family = FAMILY[(n / GIVEN.len()) % FAMILY.len()];
        let created = CREATED_FROM_MS + n as i64 * CREATED_STEP_MS % 283_996_800_000;
        json!({
            "id": Generated::id(n),
            "schemas": [SCHEMA_CORE, SCHEMA_PINGONE],
            "active": n % 20 != 19,
            "userName": name,
            "name": {"givenName": given, "familyName": family},
            "emails": [{"type": "work", "value": format!("{name}@{DOMAIN}"), "primary": true}],
            SCHEMA_PINGONE: {
                "createTimeStamp": created,
                "lastModifiedTimeStamp": created,
                "accountId": account_id,
                "directoryId": directory_id,
                "state": "ACTIVE",
            },
            "meta": {"created": iso_mountain(created), "lastModified": iso_mountain(created)},
        })
    }
}

#[derive(Serialize)]
struct ShownUser<'a> {
    active: bool,
    emails: [ShownEmail; 1],
    groups: Vec<ShownGroup<'a>>,
    id: String,
    meta: ShownMeta<'a>,
    name: ShownName<'a>,
    schemas: [&'a str; 2],
    #[serde(rename = "urn:scim:schemas:com_pingone:1.0")]
    pingone: ShownPingOne<'a>,
    #[serde(rename = "userName")]
    user_name: &'a str,
}

#[derive(Serialize)]
struct ShownEmail {
    primary: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    value: String,
}

#[derive(Serialize)]
struct ShownGroup<'a> {
    display: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct ShownMeta<'a> {
    created: &'a str,
    #[serde(rename = "lastModified")]
    last_modified: &'a str,
    location: &'a str,
}

#[derive(Serialize)]
struct ShownName<'a> {
    #[serde(rename = "familyName")]
    family: &'a str,
    #[serde(rename = "givenName")]
    given: &'a str,
}

#[derive(Serialize)]
struct ShownPingOne<'a> {
    #[serde(rename = "accountId")]
    account_id: &'a str,
    #[serde(rename = "createTimeStamp")]
    created: i64,
    #[serde(rename = "directoryId")]
    directory_id: &'a str,
    #[serde(rename = "lastModifiedTimeStamp")]
    modified: i64,
    state: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_emails_lead_back_to_their_index() {
        let mut g = Generated::new(1_000_000);
        for n in [0, 1, 9_999, 999_999] {
            assert_eq!(g.index_of_id(&Generated::id(n)), Some(n));
            assert_eq!(g.index_of_name(&Generated::user_name(n)), Some(n));
            let email = format!("{}@EXAMPLE.com", Generated::user_name(n).to_uppercase());
            assert_eq!(g.index_of_email(&email), Some(n));
        }
        assert_eq!(
            g.index_of_id(&Generated::id(1_000_000)),
            None,
            "past the end"
        );
        assert_eq!(g.index_of_name("user12"), None, "not seven digits");
        g.remove(5);
        assert_eq!(g.index_of_id(&Generated::id(5)), None, "gone");
        assert_eq!(g.live(), 999_999);
        assert_eq!(g.nth_live(4), Some(4));
        assert_eq!(g.nth_live(5), Some(6));
        assert_eq!(g.live_before("user0000007"), 6, "0..7 less the one gone");
        assert_eq!(g.live_before("a"), 0);
        assert_eq!(g.live_before("zed"), 999_999);
    }

    #[test]
    fn a_user_is_the_same_every_time_and_names_sort_as_indices() {
        let a = Generated::user(123_456, "acct", "dir");
        assert_eq!(a, Generated::user(123_456, "acct", "dir"));
        assert_eq!(a["userName"], "user0123456");
        assert_eq!(a["emails"][0]["value"], "user0123456@example.com");
        assert!(Generated::user_name(99) < Generated::user_name(100));
    }
}
