//! Deterministic seed data: realistic users (names, emails, unicode, some disabled, some hostile
//! strings) and nested groups, the same for the same `--seed`.

use serde_json::{json, Map};

use crate::directory::{Directory, Kind};
use crate::rng::Rng;

const GIVEN: &[&str] = &[
    "Meredith",
    "James",
    "Aiko",
    "José",
    "Zoë",
    "Oluwaseun",
    "Siobhán",
    "Łukasz",
    "Priya",
    "Mateo",
    "Chloé",
    "Yusuf",
    "Ingrid",
    "Thabo",
    "Mei",
    "Søren",
    "Ana",
    "Dmitri",
    "Fatima",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Hiroshi",
    "Nguyễn",
    "Ravi",
    "Elif",
    "Björn",
    "Amélie",
    "Kwame",
];
const FAMILY: &[&str] = &[
    "Archer",
    "Smith",
    "Tanaka",
    "García",
    "Müller",
    "O'Brien",
    "Okafor",
    "Kowalski",
    "Sharma",
    "Rossi",
    "Dubois",
    "Yılmaz",
    "Johansson",
    "Nkosi",
    "Wang",
    "Ødegård",
    "Silva",
    "Ivanov",
    "Haddad",
    "Murphy",
    "Brown",
    "Jones",
    "山田",
    "Nguyen",
    "Patel",
    "Kaya",
    "Lindqvist",
    "Lefèvre",
    "Mensah",
    "Anderson",
];
/// Strings that must stay inert text wherever Keyward shows them.
pub const HOSTILE: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "<script>alert('xss')</script>",
    "\"><svg onload=alert(1)>",
    "Robert'); DROP TABLE users;--",
    "\u{202e}nimda\u{202c}",
    "zero\u{200b}width\u{200d}joiner",
    "javascript:alert(1)",
    "{{constructor.constructor('alert(1)')()}}",
    // A lone surrogate in the answer's JSON (see `api::LONE_SURROGATE_MARK`).
    "lone\u{e000}surrogate",
];

/// Cells a spreadsheet would run, after OWASP's CSV-injection examples: the family names of the
/// users with hostile given names (their user names stay as the plain name would make them).
pub const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"https://evil.example\",\"click\")",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\"=1+1\"",
    ";=1+1",
    "\t=1+1",
    "\u{ff1d}1+1",
    " =1+1",
    "a,=1+1",
];

/// The hostile strings, plus one 10 KB name with markup in it.
pub fn hostile(i: usize) -> String {
    match HOSTILE.get(i % (HOSTILE.len() + 1)) {
        Some(s) => s.to_string(),
        None => format!("<b>huge</b>{}", "A".repeat(10_240)),
    }
}
const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Support",
    "Legal",
    "Operations",
    "Security",
    "Research",
    "Design",
    "IT",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "corp.example.net"];
/// The password every seeded user has, for `oauth/token` checks.
pub const SEED_PASSWORD: &str = "2Federate!";

/// Fills `dir` with `users` users and `groups` groups (besides the built-in two). Above
/// [`crate::generated::GENERATED_ABOVE`] users are generated, not stored, and belong to no seeded
/// group.
pub fn seed(dir: &mut Directory, users: usize, groups: usize, seed: u64, name_formatted: bool) {
    let mut rng = Rng::new(seed ^ 0x5EED);
    // 2016-01-01 .. 2024-12-31, in ms.
    let (from, span) = (1_451_606_400_000_i64, 283_996_800_000_i64);
    let mut group_ids = Vec::with_capacity(groups);
    for g in 0..groups {
        let dept = DEPARTMENTS[g % DEPARTMENTS.len()];
        let name = if g < DEPARTMENTS.len() {
            dept.to_string()
        } else {
            format!("{dept} {}", g / DEPARTMENTS.len() + 1)
        };
        let name = if g % 17 == 16 {
            format!("{name} {}", hostile(g))
        } else {
            name
        };
        let created = from + (rng.unit() * span as f64) as i64;
        let id = dir.insert_group(&name, created);
        // Nesting: some groups contain an earlier group (never a later one, so there are no cycles).
        if !group_ids.is_empty() && rng.unit() < 0.3 {
            let parent: &String = &group_ids[rng.below(group_ids.len())];
            dir.add_member(&id, parent, Kind::Group);
        }
        group_ids.push(id);
    }
    if users > crate::generated::GENERATED_ABOVE {
        // Too many to store: made from their index when asked for.
        dir.generate_users(users);
        return;
    }
    let users_group = dir.users_group_id.clone();
    for n in 0..users {
        let given = GIVEN[rng.below(GIVEN.len())];
        let family = FAMILY[rng.below(FAMILY.len())];
        let hostile = n % 50 == 49;
        let hostile_given;
        let given = if hostile {
            hostile_given = self::hostile(n / 50);
            hostile_given.as_str()
        } else {
            given
        };
        let ascii_local: String = format!("{given}.{family}")
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let local = if ascii_local.trim_matches('.').is_empty() {
            "user".to_string()
        } else {
            ascii_local
        };
        let user_name = format!("{local}{n}");
        let family = if hostile {
            FORMULAS[(n / 50) % FORMULAS.len()]
        } else {
            family
        };
        let created = from + (rng.unit() * span as f64) as i64;
        let mut attrs = Map::new();
        attrs.insert("userName".into(), json!(user_name));
        let mut name = json!({"givenName": given, "familyName": family});
        if name_formatted {
            name["formatted"] = json!(format!("{given} {family}"));
        }
        attrs.insert("name".into(), name);
        attrs.insert(
            "emails".into(),
            json!([{"type": "work", "value": format!("{user_name}@{}", DOMAINS[n % DOMAINS.len()]), "primary": true}]),
        );
        attrs.insert("active".into(), json!(rng.unit() >= 0.05));
        attrs.insert("password".into(), json!(SEED_PASSWORD));
        if n % 3 == 0 {
            attrs.insert("externalId".into(), json!(format!("EMP{n:06}")));
        }
        if n % 4 == 0 {
            attrs.insert(
                "title".into(),
                json!(DEPARTMENTS[rng.below(DEPARTMENTS.len())]),
            );
        }
        let mut ext = json!({});
        if rng.unit() < 0.7 {
            ext["lastLoginTime"] = json!(created + (rng.unit() * 86_400_000.0 * 300.0) as i64);
        }
        attrs.insert(crate::directory::SCHEMA_PINGONE.into(), ext);
        let id = dir.insert_user(attrs, created);
        dir.add_member(&users_group, &id, Kind::User);
        if !group_ids.is_empty() {
            for _ in 0..1 + rng.below(3) {
                let gid: &String = &group_ids[rng.below(group_ids.len())];
                dir.add_member(gid, &id, Kind::User);
            }
        }
    }
    // Users sorted by userName, the order clients page by (Keyward's export does), made now: a
    // server keeps its index, and an export's first page should not pay for the emulator's sort.
    dir.keep_order(Kind::User, "userName");
}
