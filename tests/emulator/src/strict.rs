//! The strict profile (`--strict`, or `{"strict": true}` on `/_emulator/config`): a Directory API
//! as unkind as the real one may be, where P14E's documents are silent. It filters only on
//! `userName`, `emails`, `name.givenName`, `name.familyName` (users) and `displayName` (groups);
//! compares `eq` with case; takes no escape inside a quoted value (a backslash, hence a quote, in a
//! value is refused); sorts only by `userName`; and refuses a `count` above 1000. Each refusal is a
//! 400 with a SCIM error body, like any other.

use crate::directory::{ApiError, Kind, ListQuery};
use crate::filter::{AttrPath, Filter};

/// Attributes a strict service filters users on.
const USER_FILTERS: [&str; 4] = ["userName", "emails", "name.givenName", "name.familyName"];
/// ... and groups on.
const GROUP_FILTERS: [&str; 1] = ["displayName"];
/// The one attribute a strict service sorts by.
const SORTABLE: &str = "userName";
/// The largest page a strict service serves.
pub const MAX_COUNT: i64 = 1000;

/// Why a strict service refuses this list request (the raw parameters and their reading), if it
/// does.
pub fn refuses(kind: Kind, params: &[(String, String)], query: &ListQuery) -> Option<ApiError> {
    let raw = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let refused = |why: String| Some(ApiError::new(400, why));
    if raw("filter").is_some_and(|f| f.contains('\\')) {
        return refused("escapes in filter values are not supported".into());
    }
    if let Some(count) = raw("count").and_then(|c| c.trim().parse::<i64>().ok()) {
        if count > MAX_COUNT {
            return refused(format!("count must not exceed {MAX_COUNT}"));
        }
    }
    if let Some(path) = &query.sort_by {
        let dotted = path.names.join(".");
        if kind != Kind::User || dotted != SORTABLE {
            return refused(format!("sorting by {dotted} is not supported"));
        }
    }
    let allowed: &[&str] = match kind {
        Kind::User => &USER_FILTERS,
        Kind::Group => &GROUP_FILTERS,
    };
    query
        .filter
        .as_ref()
        .and_then(|f| unfilterable(f, allowed))
        .and_then(|dotted| refused(format!("filtering on {dotted} is not supported")))
}

/// The first attribute of `filter` a strict service does not filter on.
fn unfilterable(filter: &Filter, allowed: &[&str]) -> Option<String> {
    let path = |p: &AttrPath| {
        let dotted = p.names.join(".");
        (!allowed.contains(&dotted.as_str())).then_some(dotted)
    };
    match filter {
        Filter::And(a, b) | Filter::Or(a, b) => {
            unfilterable(a, allowed).or_else(|| unfilterable(b, allowed))
        }
        Filter::Present(p) | Filter::Compare(p, _, _) => path(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Params = &'static [(&'static str, &'static str)];

    fn asked(kind: Kind, pairs: Params) -> Option<u16> {
        let params: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let query = ListQuery::parse(&params).expect("a well-formed query");
        refuses(kind, &params, &query).map(|e| e.status)
    }

    #[test]
    fn a_strict_service_refuses_what_it_does_not_take() {
        let user = Kind::User;
        let cases: [(Kind, Params, Option<u16>); 11] = [
            (user, &[("filter", r#"userName sw "ann""#)], None),
            (
                user,
                &[
                    ("filter", r#"name.familyName sw "O""#),
                    ("sortBy", "userName"),
                ],
                None,
            ),
            (
                user,
                &[("filter", r#"(emails co "a") or (name.givenName sw "b")"#)],
                None,
            ),
            (user, &[("filter", r#"title co "x""#)], Some(400)),
            (user, &[("filter", r#"userName sw "a\"b""#)], Some(400)),
            (user, &[("filter", r#"userName sw "a\\b""#)], Some(400)),
            (user, &[("filter", r#"userName sw "a\u0009b""#)], Some(400)),
            (user, &[("sortBy", "name.familyName")], Some(400)),
            (user, &[("count", "1001")], Some(400)),
            (
                Kind::Group,
                &[("filter", r#"displayName co "dev""#), ("count", "1000")],
                None,
            ),
            (Kind::Group, &[("sortBy", "displayName")], Some(400)),
        ];
        for (kind, pairs, expected) in cases {
            assert_eq!(asked(kind, pairs), expected, "{pairs:?}");
        }
    }

    #[test]
    fn a_strict_eq_compares_with_case() {
        let ann = serde_json::json!({"userName": "Ann"});
        let eq = crate::filter::parse(r#"userName eq "ann""#).expect("parses");
        let sw = crate::filter::parse(r#"userName sw "an""#).expect("parses");
        assert!(crate::filter::matches(&eq, &ann, false));
        assert!(!crate::filter::matches(&eq, &ann, true));
        assert!(
            crate::filter::matches(&sw, &ann, true),
            "only eq takes case"
        );
    }
}
