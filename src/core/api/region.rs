//! P14E's Directory API regions and their API bases, plus the dev build's "Local emulator".
//!
//! An account's region is fixed when it is created (NA, EU or AU). The dev flavour adds a fourth,
//! whose loopback base comes from the options page, so the sandbox and the tests can stand in for
//! PingOne. The store flavours have no such region.

use crate::core::api::ApiError;
use crate::core::shared::hosts::{parse_origin, Flavour};

/// A Directory API region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Region {
    NorthAmerica,
    Europe,
    Australia,
    /// The local emulator (dev build only).
    Local,
}

impl Region {
    /// The regions this build can use, as the UI lists them.
    pub fn available(flavour: Flavour) -> &'static [Region] {
        match flavour {
            Flavour::Store => &[Region::NorthAmerica, Region::Europe, Region::Australia],
            Flavour::Dev => &[
                Region::NorthAmerica,
                Region::Europe,
                Region::Australia,
                Region::Local,
            ],
        }
    }

    /// The order regions are probed in to find an account's: a dev build asks its local emulator
    /// first (whoever set a local base is using it, and the public hosts may be unreachable and
    /// slow to fail); the store builds ask NA, the largest, first.
    pub fn probe_order(flavour: Flavour) -> &'static [Region] {
        match flavour {
            Flavour::Store => Region::available(flavour),
            Flavour::Dev => &[
                Region::Local,
                Region::NorthAmerica,
                Region::Europe,
                Region::Australia,
            ],
        }
    }

    /// A stable id for storage.
    pub fn id(self) -> &'static str {
        match self {
            Region::NorthAmerica => "na",
            Region::Europe => "eu",
            Region::Australia => "au",
            Region::Local => "local",
        }
    }

    /// The region with this id.
    pub fn from_id(id: &str) -> Option<Region> {
        [
            Region::NorthAmerica,
            Region::Europe,
            Region::Australia,
            Region::Local,
        ]
        .into_iter()
        .find(|r| r.id() == id)
    }

    /// A short label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Region::NorthAmerica => "North America",
            Region::Europe => "Europe",
            Region::Australia => "Australia",
            Region::Local => "Local emulator",
        }
    }

    /// The API base (`…/api`), or `None` for the local region when no base is configured.
    pub fn api_base(self, local_base: Option<&str>) -> Option<String> {
        match self {
            Region::NorthAmerica => Some("https://directory-api.pingone.com/api".into()),
            Region::Europe => Some("https://directory-api.pingone.eu/api".into()),
            Region::Australia => Some("https://directory-api.pingone.com.au/api".into()),
            Region::Local => local_base.map(str::to_string),
        }
    }
}

/// Why a local API base was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalBaseError {
    NotAUrl,
    NotLoopback,
    NotHttp,
}

impl std::fmt::Display for LocalBaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LocalBaseError::NotAUrl => "enter a URL such as http://127.0.0.1:8787/api",
            LocalBaseError::NotLoopback => "the local emulator must be on 127.0.0.1 or localhost",
            LocalBaseError::NotHttp => "use http:// or https://",
        })
    }
}

impl std::error::Error for LocalBaseError {}

/// Checks and normalises a local emulator base: a loopback HTTP(S) URL, ending in `/api`, with no
/// query, fragment or trailing slash. A bare origin gets `/api` appended.
pub fn normalize_local_base(input: &str) -> Result<String, LocalBaseError> {
    let input = input.trim();
    let origin = parse_origin(input).ok_or(LocalBaseError::NotAUrl)?;
    if !matches!(origin.scheme.as_str(), "http" | "https") {
        return Err(LocalBaseError::NotHttp);
    }
    if !matches!(origin.host.as_str(), "127.0.0.1" | "localhost" | "::1") {
        return Err(LocalBaseError::NotLoopback);
    }
    if input.contains(['?', '#', ' ']) {
        return Err(LocalBaseError::NotAUrl);
    }
    let trimmed = input.trim_end_matches('/');
    let path_start = trimmed.find("://").map_or(0, |i| i + 3);
    let has_path = trimmed[path_start..].contains('/');
    Ok(if has_path {
        trimmed.to_string()
    } else {
        format!("{trimmed}/api")
    })
}

/// What probing the regions found out about a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detection {
    /// The credential works here.
    Found(Region),
    /// No region accepted the credential: what each one answered, for the admin, in probe order
    /// ("Europe: refused the credential (401)").
    NotFound(Vec<String>),
    /// No region could be reached.
    Unreachable,
    /// No answer was conclusive (rate limits, server errors): try again later.
    Inconclusive(ApiError),
}

/// The cheapest request that proves a credential works at an API base: one user, no filter.
pub fn probe_url(base: &str) -> String {
    crate::core::api::ListRequest {
        resource: crate::core::api::Resource::Users,
        filter: None,
        sort_by: None,
        start_index: 1,
        count: 1,
    }
    .url(base)
}

/// One region's probe, as detection reads it: an answer counts as acceptance only if it is a SCIM
/// list, so a 404, a web page, a redirect or an empty 200 from some other server is "not here".
pub fn probe_result(answer: Result<Vec<u8>, ApiError>) -> Result<(), ApiError> {
    let body = answer?;
    if is_scim_list(&body) {
        Ok(())
    } else {
        Err(ApiError::Decode("answered 200 without a SCIM list".into()))
    }
}

/// Whether a body is a SCIM list answer: an object with a `resources`/`Resources` array or a
/// numeric `totalResults`.
pub fn is_scim_list(body: &[u8]) -> bool {
    let text = std::str::from_utf8(body).unwrap_or_default();
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) else {
        return false;
    };
    ["resources", "Resources"]
        .iter()
        .any(|k| fields.get(*k).is_some_and(serde_json::Value::is_array))
        || fields
            .get("totalResults")
            .is_some_and(serde_json::Value::is_u64)
}

/// How long a region search waits for the regions' answers: one that has not answered by then
/// (a host blackholed on the way) counts as unreachable, so the search ends within seconds.
pub const PROBE_DEADLINE_MS: u64 = 10_000;
/// What a region still unanswered at [`PROBE_DEADLINE_MS`] did (a test holds the two together).
const UNANSWERED: &str = "did not answer within 10 s";

/// A probe still unanswered at [`PROBE_DEADLINE_MS`].
pub fn unanswered() -> ApiError {
    ApiError::Network(UNANSWERED.into())
}

/// Whether the first answers (in probe order) already decide [`detect`]: once one region accepted
/// the credential, later answers cannot change the result, and the probes still out are dropped.
pub fn settled(first_answers: &[(Region, Result<(), ApiError>)]) -> bool {
    first_answers.iter().any(|(_, r)| r.is_ok())
}

/// What a region's answer says, for the admin.
fn describe(region: Region, answer: &Result<(), ApiError>) -> String {
    let what = match answer {
        Ok(()) => "accepted the credential".to_string(),
        Err(ApiError::Unauthorized) => "refused the credential (401)".into(),
        Err(ApiError::Forbidden) => "refused the credential (403)".into(),
        Err(ApiError::NotFound) => "has no Directory API there (404)".into(),
        Err(ApiError::Network(why)) if why == UNANSWERED => UNANSWERED.into(),
        Err(ApiError::Network(_)) => "could not be reached (or redirected elsewhere)".into(),
        Err(ApiError::Decode(d)) if d.starts_with("answered") => d.clone(),
        Err(ApiError::Decode(_)) => "answered with something other than SCIM".into(),
        Err(ApiError::Unexpected(status)) => format!("answered {status}"),
        Err(e) => e.message(),
    };
    format!("{}: {what}", region.label())
}

/// Decides the region from probe results (one `count=1` list per region, in probe order, each read
/// by [`probe_result`]): the first region that accepted the credential. A P14E account lives in
/// exactly one region, and the others refuse its Client ID.
pub fn detect(results: &[(Region, Result<(), ApiError>)]) -> Detection {
    if let Some((region, _)) = results.iter().find(|(_, r)| r.is_ok()) {
        return Detection::Found(*region);
    }
    let errors = || results.iter().filter_map(|(_, r)| r.as_ref().err());
    if errors().all(|e| matches!(e, ApiError::Network(_))) {
        return Detection::Unreachable;
    }
    if let Some(busy) = errors()
        .find(|e| e.is_transient() && !matches!(e, ApiError::Network(_) | ApiError::Decode(_)))
    {
        return Detection::Inconclusive(busy.clone());
    }
    Detection::NotFound(results.iter().map(|(r, a)| describe(*r, a)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_unanswered_at_the_deadline_is_said_so_and_counts_as_unreachable() {
        assert_eq!(
            UNANSWERED,
            format!("did not answer within {} s", PROBE_DEADLINE_MS / 1_000)
        );
        let results = [
            (Region::Europe, Err(ApiError::Unauthorized)),
            (Region::Australia, Err(unanswered())),
        ];
        assert_eq!(
            detect(&results),
            Detection::NotFound(vec![
                "Europe: refused the credential (401)".into(),
                "Australia: did not answer within 10 s".into(),
            ])
        );
        assert_eq!(detect(&results[1..]), Detection::Unreachable);
    }

    #[test]
    fn detection_from_probe_results() {
        use ApiError::*;
        use Region::*;
        let net = || Network("offline".into());
        let cases: Vec<(Vec<(Region, Result<(), ApiError>)>, Detection)> = vec![
            (
                vec![
                    (NorthAmerica, Err(Unauthorized)),
                    (Europe, Ok(())),
                    (Australia, Err(Unauthorized)),
                ],
                Detection::Found(Europe),
            ),
            (
                vec![
                    (NorthAmerica, Err(net())),
                    (Europe, Err(net())),
                    (Australia, Err(net())),
                    (Local, Ok(())),
                ],
                Detection::Found(Local),
            ),
            (
                vec![
                    (NorthAmerica, Err(Unauthorized)),
                    (Europe, Err(Unauthorized)),
                    (Australia, Err(net())),
                ],
                Detection::NotFound(vec![
                    "North America: refused the credential (401)".into(),
                    "Europe: refused the credential (401)".into(),
                    "Australia: could not be reached (or redirected elsewhere)".into(),
                ]),
            ),
            (
                vec![(NorthAmerica, Err(net())), (Europe, Err(net()))],
                Detection::Unreachable,
            ),
            (
                vec![
                    (NorthAmerica, Err(Unauthorized)),
                    (Europe, Err(RateLimited(None))),
                ],
                Detection::Inconclusive(RateLimited(None)),
            ),
            (vec![], Detection::Unreachable),
        ];
        for (results, expected) in cases {
            assert_eq!(detect(&results), expected, "{results:?}");
        }
    }

    #[test]
    fn only_a_scim_list_counts_as_acceptance() {
        let ok = |body: &str| probe_result(Ok(body.as_bytes().to_vec()));
        for list in [
            r#"{"totalResults": 0, "resources": []}"#,
            r#"{"Resources": [{"id": "u1"}], "schemas": []}"#,
            r#"{"resources": []}"#,
            r#"{"totalResults": 3}"#,
        ] {
            assert_eq!(ok(list), Ok(()), "{list}");
        }
        for not_a_list in [
            "",
            "{}",
            "[]",
            "null",
            "<!doctype html><html><body>Welcome</body></html>",
            r#"{"Errors": [{"code": "200", "description": "scripted"}]}"#,
            r#"{"resources": "none"}"#,
            r#"{"totalResults": "3"}"#,
        ] {
            assert!(ok(not_a_list).is_err(), "{not_a_list:?}");
        }
        // A 404, a web page, a redirect (fetch refuses to follow one) or an empty 200 from a
        // region is "not here"; the popup names each answer.
        let results = vec![
            (Region::Local, ok("{}")),
            (Region::NorthAmerica, Err(ApiError::NotFound)),
            (Region::Europe, Err(ApiError::Decode("not JSON".into()))),
            (Region::Australia, Err(ApiError::Network("redirect".into()))),
        ];
        assert_eq!(
            detect(&results),
            Detection::NotFound(vec![
                "Local emulator: answered 200 without a SCIM list".into(),
                "North America: has no Directory API there (404)".into(),
                "Europe: answered with something other than SCIM".into(),
                "Australia: could not be reached (or redirected elsewhere)".into(),
            ])
        );
    }

    #[test]
    fn once_settled_no_later_answer_changes_the_detection() {
        use ApiError::*;
        use Region::*;
        let answers = |list: &[(Region, bool)]| -> Vec<(Region, Result<(), ApiError>)> {
            list.iter()
                .map(|&(r, ok)| (r, if ok { Ok(()) } else { Err(Unauthorized) }))
                .collect()
        };
        let laters: [&[(Region, bool)]; 4] = [
            &[],
            &[(Europe, true)],
            &[(Europe, false), (Australia, true)],
            &[(Australia, false)],
        ];
        let firsts: [&[(Region, bool)]; 4] = [
            &[(Local, true)],
            &[(NorthAmerica, false), (Local, true)],
            &[(NorthAmerica, true)],
            &[(NorthAmerica, false)],
        ];
        for first in firsts {
            let early = answers(first);
            for later in laters {
                let mut all = early.clone();
                all.extend(answers(later));
                if settled(&early) {
                    assert_eq!(detect(&all), detect(&early), "{first:?} then {later:?}");
                }
            }
        }
        assert!(!settled(&answers(&[(NorthAmerica, false)])));
        assert!(!settled(&[]));
    }

    #[test]
    fn store_builds_have_no_local_region() {
        assert!(!Region::available(Flavour::Store).contains(&Region::Local));
        assert!(!Region::probe_order(Flavour::Store).contains(&Region::Local));
        assert!(Region::available(Flavour::Dev).contains(&Region::Local));
        assert_eq!(
            Region::probe_order(Flavour::Dev).first(),
            Some(&Region::Local),
            "a dev build asks its emulator first"
        );
        for flavour in [Flavour::Store, Flavour::Dev] {
            let mut probed = Region::probe_order(flavour).to_vec();
            let mut listed = Region::available(flavour).to_vec();
            probed.sort_by_key(|r| r.id());
            listed.sort_by_key(|r| r.id());
            assert_eq!(probed, listed, "every region is probed, once");
        }
    }

    #[test]
    fn bases() {
        assert_eq!(
            Region::Europe.api_base(None).as_deref(),
            Some("https://directory-api.pingone.eu/api")
        );
        assert_eq!(Region::Local.api_base(None), None);
        assert_eq!(
            Region::Local
                .api_base(Some("http://127.0.0.1:1/api"))
                .as_deref(),
            Some("http://127.0.0.1:1/api")
        );
    }

    #[test]
    fn local_bases_are_normalised_or_refused() {
        let cases: &[(&str, Result<&str, LocalBaseError>)] = &[
            ("http://127.0.0.1:8787/api", Ok("http://127.0.0.1:8787/api")),
            (
                "  http://127.0.0.1:8787/api/ ",
                Ok("http://127.0.0.1:8787/api"),
            ),
            ("http://localhost:8787", Ok("http://localhost:8787/api")),
            ("http://127.0.0.1:8787/", Ok("http://127.0.0.1:8787/api")),
            (
                "https://directory-api.pingone.com/api",
                Err(LocalBaseError::NotLoopback),
            ),
            (
                "http://127.0.0.1.evil.example/api",
                Err(LocalBaseError::NotLoopback),
            ),
            ("ftp://127.0.0.1/api", Err(LocalBaseError::NotHttp)),
            ("127.0.0.1:8787", Err(LocalBaseError::NotAUrl)),
            (
                "http://127.0.0.1:8787/api?x=1",
                Err(LocalBaseError::NotAUrl),
            ),
            ("", Err(LocalBaseError::NotAUrl)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize_local_base(input).as_deref(),
                expected.as_deref(),
                "{input:?}"
            );
        }
    }
}
