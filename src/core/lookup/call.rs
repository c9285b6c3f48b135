//! Which Directory API calls Keyward's pages may have made, and how each answer is read: a
//! lookup or export page names an account and what it wants; the call is made only for an account
//! whose key was read in this browser session and whose region is known, with URLs built here.

use indexmap::{IndexMap, IndexSet};

use crate::core::accounts::Accounts;
use crate::core::api::filter::{loses_characters, SearchKind};
use crate::core::api::throttle::Priority;
use crate::core::api::{self as api, ApiError, Credentials, ListRequest, Resource};
use crate::core::lookup::{
    detail_urls, found, group_detail, search_request, user_detail, Detail, Failure, FailureCode,
    Found, Row,
};

/// What a lookup or export page asks for.
pub enum Asked<'a> {
    /// A search's text, and how many of its results are already shown ("Show more").
    Search(SearchKind, &'a str, u64),
    Detail(SearchKind, &'a str),
    /// One page of an export, its request built by the export: with the full filter, and with the
    /// simplest one; and the pages the export has left (a long job is paced differently).
    ExportPage {
        full: ListRequest,
        simple: ListRequest,
        left: u64,
    },
    /// A members export's one request: the group resource, which lists every member (with its
    /// `users/count` beside it, to check the export against).
    GroupMembers(&'a str),
}

/// What the admin is told when the server refused the full search filter for a query.
pub const SIMPLIFIED: &str = "PingOne refused the full filter for this search, so Keyward searched by userName only (\u{201c}starts with\u{201d}).";
/// ... when it refused to sort a group search.
pub const SORTED_HERE: &str =
    "PingOne refused this search as asked, so Keyward asked without sorting and sorted the results itself.";
/// ... and when the text held characters a filter cannot carry safely.
pub const CHARACTERS_LEFT_OUT: &str =
    "Searched without quotes, backslashes and tabs: PingOne\u{2019}s filters may not take them.";

/// The query a refusal is remembered by, for this worker's life: the account and the full filter
/// (an export's pages share it; another search does not).
pub fn refusal_key(client_id: &str, full: &ListRequest) -> String {
    let filter = full.filter.as_ref().map(ToString::to_string);
    format!("{client_id}\n{}", filter.unwrap_or_default())
}

/// A filtered list's URL, and the simpler one to try once if the server refuses the filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub url: String,
    /// The simplest form's URL, when it differs and has not been tried yet.
    pub simpler: Option<String>,
    /// The URL is the simplest form (the admin is told so).
    pub simplified: bool,
    /// What a refusal of the full form is remembered by ([`refusal_key`]).
    pub refusal: String,
}

impl Listing {
    /// The full form, or the simplest when the server refused this very query before.
    fn of(
        base: &str,
        client_id: &str,
        full: ListRequest,
        simple: ListRequest,
        refused: &IndexSet<String>,
    ) -> Listing {
        let refusal = refusal_key(client_id, &full);
        let (full, simple) = (full.url(base), simple.url(base));
        if refused.contains(&refusal) {
            let simplified = full != simple;
            return Listing {
                url: simple,
                simpler: None,
                simplified,
                refusal,
            };
        }
        Listing {
            simpler: (simple != full).then_some(simple),
            url: full,
            simplified: false,
            refusal,
        }
    }
}

/// The call for `asked` on account `client_id`, or why it cannot be made. `refused`: the queries
/// whose full filter the server refused in this worker's life (asked in the simplest form at once).
pub fn call(
    accounts: &Accounts,
    keys: &IndexMap<String, String>,
    api_base: impl FnOnce(&str) -> Option<String>,
    client_id: &str,
    asked: Asked<'_>,
    refused: &IndexSet<String>,
) -> Result<ApiCall, Failure> {
    if !accounts.accounts.contains_key(client_id) {
        return Err(Failure::new(
            FailureCode::NoKey,
            "Keyward does not know that account yet: open its API Credentials page.",
        ));
    }
    let Some(api_key) = keys.get(client_id) else {
        return Err(Failure::new(
            FailureCode::NoKey,
            "Keyward has not read this account\u{2019}s API key in this browser session: open the API Credentials page (Setup > Directory Settings > API Credentials), or enter the key by hand.",
        ));
    };
    let Some(base) = api_base(client_id) else {
        return Err(Failure::new(
            FailureCode::NoRegion,
            "This account\u{2019}s region is not known yet: choose it in the account list below.",
        ));
    };
    let job = match asked {
        Asked::Search(kind, text, shown) => Job::Search {
            kind,
            text: text.to_string(),
            list: Listing::of(
                &base,
                client_id,
                search_request(kind, text, false, shown),
                search_request(kind, text, true, shown),
                refused,
            ),
        },
        Asked::Detail(kind, id) => {
            let (url, count_url) = detail_urls(&base, kind, id);
            Job::Detail {
                kind,
                url,
                count_url,
            }
        }
        Asked::ExportPage { full, simple, left } => Job::ExportPage {
            list: Listing::of(&base, client_id, full, simple, refused),
            count_url: None,
            left,
        },
        Asked::GroupMembers(id) => Job::ExportPage {
            list: Listing {
                url: api::resource_url(&base, Resource::Groups, id),
                simpler: None,
                simplified: false,
                refusal: String::new(),
            },
            count_url: Some(api::group_count_url(&base, id)),
            left: 1,
        },
    };
    Ok(ApiCall {
        credentials: Credentials {
            client_id: client_id.to_string(),
            api_key: api_key.clone(),
        },
        job,
    })
}

/// A call's answer, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    Found(Found),
    Detail(Box<Detail>),
    /// An export page's body as it came (the export page reads it itself), a note when the
    /// filter was simplified, and for a group its `users/count`.
    Body {
        body: String,
        note: Option<String>,
        count: Option<u64>,
    },
    Failed(Failure),
}

/// A Directory API call the worker makes for one of its pages, with the key to make it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCall {
    pub credentials: Credentials,
    pub job: Job,
}

/// What the call is for: it decides the URLs, the priority, and how the answer is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    Search {
        kind: SearchKind,
        text: String,
        list: Listing,
    },
    Detail {
        kind: SearchKind,
        url: String,
        count_url: Option<String>,
    },
    /// One page of an export: the body goes back as it came, for the export page to read; for a
    /// group, with its user count. `left`: the pages the export has left.
    ExportPage {
        list: Listing,
        count_url: Option<String>,
        left: u64,
    },
}

/// Requests that replace each other: a new search cancels the one still waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    Search,
    Detail,
    Export,
}

impl Job {
    /// Lookups jump the queue; exports take what is left.
    pub fn priority(&self) -> Priority {
        match self {
            Job::Search { .. } | Job::Detail { .. } => Priority::Interactive,
            Job::ExportPage { .. } => Priority::Bulk,
        }
    }

    pub fn lane(&self) -> Lane {
        match self {
            Job::Search { .. } => Lane::Search,
            Job::Detail { .. } => Lane::Detail,
            Job::ExportPage { .. } => Lane::Export,
        }
    }

    /// Whether a new call of this job cancels the lane's calls still waiting (a newer search makes
    /// an older one pointless; export pages all count).
    pub fn supersedes(&self) -> bool {
        !matches!(self, Job::ExportPage { .. })
    }

    /// What a refusal of the main request's full filter is remembered by (nothing for a detail).
    pub fn refusal(&self) -> &str {
        match self {
            Job::Search { list, .. } | Job::ExportPage { list, .. } => &list.refusal,
            Job::Detail { .. } => "",
        }
    }

    /// The main request's URL.
    pub fn url(&self) -> &str {
        match self {
            Job::Search { list, .. } | Job::ExportPage { list, .. } => &list.url,
            Job::Detail { url, .. } => url,
        }
    }

    /// After the main request's answer: the same job with the simplest filter, to make once, when
    /// the server refused the full filter (400). The caller remembers the refusal for the query
    /// ([`Listing::refusal`]).
    pub fn simpler_after(&self, main: &Result<Vec<u8>, ApiError>) -> Option<Job> {
        if !matches!(main, Err(ApiError::BadRequest(_))) {
            return None;
        }
        let simpler = |list: &Listing| {
            list.simpler.clone().map(|url| Listing {
                url,
                simpler: None,
                simplified: true,
                refusal: list.refusal.clone(),
            })
        };
        match self {
            Job::Search { kind, text, list } => Some(Job::Search {
                kind: *kind,
                text: text.clone(),
                list: simpler(list)?,
            }),
            Job::ExportPage {
                list,
                count_url,
                left,
            } => Some(Job::ExportPage {
                list: simpler(list)?,
                count_url: count_url.clone(),
                left: *left,
            }),
            Job::Detail { .. } => None,
        }
    }

    /// The answer for the page, from the main request's result and (for a group) the count's.
    pub fn answer(
        &self,
        main: Result<Vec<u8>, ApiError>,
        count: Option<Result<Vec<u8>, ApiError>>,
    ) -> Answered {
        let failed = |e: ApiError| Answered::Failed(Failure::from(&e));
        match (self, main) {
            (_, Err(e)) => failed(e),
            (Job::Search { kind, text, list }, Ok(body)) => match found(*kind, text, &body) {
                Ok(mut found) => {
                    if list.simplified {
                        // The server did not sort (a refused sort is dropped): sort here.
                        // Case folded for ASCII only: Unicode's case tables cost 16 KB of bundle.
                        found.rows.sort_unstable_by(|a: &Row, b: &Row| {
                            let (a, b) = (a.title.bytes(), b.title.bytes());
                            a.map(|c| c.to_ascii_lowercase())
                                .cmp(b.map(|c| c.to_ascii_lowercase()))
                        });
                    }
                    let simplified = match kind {
                        SearchKind::Users => SIMPLIFIED,
                        SearchKind::Groups => SORTED_HERE,
                    };
                    let notes = [
                        list.simplified.then_some(simplified),
                        loses_characters(text).then_some(CHARACTERS_LEFT_OUT),
                    ];
                    let note = notes.into_iter().flatten().collect::<Vec<_>>().join(" ");
                    Answered::Found(Found {
                        note: (!note.is_empty()).then_some(note),
                        ..found
                    })
                }
                Err(e) => failed(e),
            },
            (Job::Detail { kind, .. }, Ok(body)) => match kind {
                SearchKind::Users => user_detail(&body),
                SearchKind::Groups => group_detail(&body, count),
            }
            .map_or_else(failed, |d| Answered::Detail(Box::new(d))),
            (Job::ExportPage { list, .. }, Ok(body)) => Answered::Body {
                // Valid UTF-8 (as it should be) is kept as it came, not copied.
                body: String::from_utf8(body)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                note: list.simplified.then(|| SIMPLIFIED.to_string()),
                // A count that failed or does not read leaves the export unchecked, not stopped.
                count: count
                    .and_then(Result::ok)
                    .and_then(|b| crate::core::lookup::users_count(&b)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lookup::search_request;

    const BASE: &str = "https://h/api";

    const ID: &str = "acct";

    fn search_job(kind: SearchKind, text: &str, refused: &IndexSet<String>) -> Job {
        Job::Search {
            kind,
            text: text.into(),
            list: Listing::of(
                BASE,
                ID,
                search_request(kind, text, false, 0),
                search_request(kind, text, true, 0),
                refused,
            ),
        }
    }

    fn listing(job: &Job) -> &Listing {
        match job {
            Job::Search { list, .. } | Job::ExportPage { list, .. } => list,
            Job::Detail { .. } => panic!("a list"),
        }
    }

    fn notes(job: &Job, body: &[u8]) -> Option<String> {
        match job.answer(Ok(body.to_vec()), None) {
            Answered::Found(found) => found.note,
            other => panic!("found: {other:?}"),
        }
    }

    #[test]
    fn a_refused_filter_is_tried_once_in_its_simplest_form() {
        let none = IndexSet::new();
        let job = search_job(SearchKind::Users, "sam t", &none);
        assert!(job.url().contains("givenName"), "{}", job.url());
        let refused = Err(ApiError::BadRequest("Unsupported filter attribute".into()));
        let simpler = job.simpler_after(&refused).expect("a simpler form");
        assert!(!simpler.url().contains("givenName"), "{}", simpler.url());
        assert!(
            simpler.url().contains("userName%20sw%20%22sam%20t%22"),
            "{}",
            simpler.url()
        );
        assert_eq!(simpler.simpler_after(&refused), None, "only once");
        let empty = br#"{"resources": []}"#;
        assert_eq!(
            notes(&simpler, empty).as_deref(),
            Some(SIMPLIFIED),
            "the admin is told"
        );
        // Other failures are not a refused filter.
        for other in [
            Err(ApiError::Unauthorized),
            Err(ApiError::Server(500)),
            Err(ApiError::RateLimited(None)),
            Ok(Vec::new()),
        ] {
            assert_eq!(job.simpler_after(&other), None, "{other:?}");
        }
        assert_eq!(notes(&job, empty), None, "the full form says nothing");
    }

    #[test]
    fn a_refusal_is_remembered_for_its_query_only() {
        let mut refused = IndexSet::new();
        let first = search_job(SearchKind::Users, "sam", &refused);
        refused.insert(listing(&first).refusal.clone());
        // The same query goes simple at once, with nothing more to fall back to...
        let again = search_job(SearchKind::Users, "sam", &refused);
        assert!(!again.url().contains("givenName"), "{}", again.url());
        assert_eq!(
            again.simpler_after(&Err(ApiError::BadRequest(String::new()))),
            None
        );
        // ...another query, or another account, still tries the full form.
        let other = search_job(SearchKind::Users, "ann", &refused);
        assert!(other.url().contains("givenName"), "{}", other.url());
        let full = search_request(SearchKind::Users, "sam", false, 0);
        assert_ne!(refusal_key("other-account", &full), listing(&first).refusal);
    }

    #[test]
    fn a_refused_sort_is_dropped_and_the_results_sorted_here() {
        let none = IndexSet::new();
        let job = search_job(SearchKind::Groups, "dev", &none);
        assert!(job.url().contains("sortBy=displayName"), "{}", job.url());
        let simpler = job
            .simpler_after(&Err(ApiError::BadRequest("sorting".into())))
            .expect("a form without the sort");
        assert!(!simpler.url().contains("sortBy"), "{}", simpler.url());
        let body = br#"{"resources": [
            {"id": "2", "displayName": "dev-beta"}, {"id": "1", "displayName": "Dev-Alpha"}
        ]}"#;
        let Answered::Found(found) = simpler.answer(Ok(body.to_vec()), None) else {
            panic!("found")
        };
        let titles: Vec<&str> = found.rows.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Dev-Alpha", "dev-beta"],
            "sorted regardless of case"
        );
        assert_eq!(found.note.as_deref(), Some(SORTED_HERE));
    }

    #[test]
    fn left_out_characters_are_said_under_the_results() {
        let job = search_job(SearchKind::Users, "O\"Neil\\x", &IndexSet::new());
        assert!(
            !job.url().contains("%5C"),
            "no backslash is sent: {}",
            job.url()
        );
        assert_eq!(
            notes(&job, br#"{"resources": []}"#).as_deref(),
            Some(CHARACTERS_LEFT_OUT)
        );
    }
}
