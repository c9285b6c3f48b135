//! Which Directory API calls Keyward's pages may have made, and how each answer is read: a
//! lookup or export page names an account and what it wants; the call is made only for an account
//! whose key was read in this browser session and whose region is known, with URLs built here.

use indexmap::IndexMap;

use crate::core::accounts::Accounts;
use crate::core::api::filter::SearchKind;
use crate::core::api::throttle::Priority;
use crate::core::api::{self as api, ApiError, Credentials, ListRequest, Resource};
use crate::core::lookup::{
    detail_urls, found, group_detail, search_request, user_detail, Detail, Failure, FailureCode,
    Found,
};

/// What a lookup or export page asks for.
pub enum Asked<'a> {
    Search(SearchKind, &'a str),
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

/// What the admin is told when the server refused the full search filter for an account.
pub const SIMPLIFIED: &str = "PingOne refused the full search filter for this account, so Keyward searches by userName only (\u{201c}starts with\u{201d}).";

/// A filtered list's URL, and the simpler one to try once if the server refuses the filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub url: String,
    /// The simplest form's URL, when it differs and has not been tried yet.
    pub simpler: Option<String>,
    /// The URL is the simplest form (the admin is told so).
    pub simplified: bool,
}

impl Listing {
    /// The full form, or the simplest when the account's server refused the full one before.
    fn of(base: &str, full: ListRequest, simple: ListRequest, refused_before: bool) -> Listing {
        let (full, simple) = (full.url(base), simple.url(base));
        if refused_before {
            let simplified = full != simple;
            return Listing {
                url: simple,
                simpler: None,
                simplified,
            };
        }
        Listing {
            simpler: (simple != full).then_some(simple),
            url: full,
            simplified: false,
        }
    }
}

/// The call for `asked` on account `client_id`, or why it cannot be made. `refused_before`: the
/// account's server refused a full search filter in this session (ask the simplest at once).
pub fn call(
    accounts: &Accounts,
    keys: &IndexMap<String, String>,
    api_base: impl FnOnce(&str) -> Option<String>,
    client_id: &str,
    asked: Asked<'_>,
    refused_before: bool,
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
        Asked::Search(kind, text) => Job::Search {
            kind,
            text: text.to_string(),
            list: Listing::of(
                &base,
                search_request(kind, text, false),
                search_request(kind, text, true),
                refused_before,
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
            list: Listing::of(&base, full, simple, refused_before),
            count_url: None,
            left,
        },
        Asked::GroupMembers(id) => Job::ExportPage {
            list: Listing {
                url: api::resource_url(&base, Resource::Groups, id),
                simpler: None,
                simplified: false,
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

    /// The main request's URL.
    pub fn url(&self) -> &str {
        match self {
            Job::Search { list, .. } | Job::ExportPage { list, .. } => &list.url,
            Job::Detail { url, .. } => url,
        }
    }

    /// After the main request's answer: the same job with the simplest filter, to make once, when
    /// the server refused the full filter (400). The caller remembers the refusal for the account.
    pub fn simpler_after(&self, main: &Result<Vec<u8>, ApiError>) -> Option<Job> {
        if !matches!(main, Err(ApiError::BadRequest(_))) {
            return None;
        }
        let simpler = |list: &Listing| {
            list.simpler.clone().map(|url| Listing {
                url,
                simpler: None,
                simplified: true,
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
                Ok(found) => Answered::Found(Found {
                    note: list.simplified.then(|| SIMPLIFIED.to_string()),
                    ..found
                }),
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

    fn search_job(text: &str, refused_before: bool) -> Job {
        Job::Search {
            kind: SearchKind::Users,
            text: text.into(),
            list: Listing::of(
                BASE,
                search_request(SearchKind::Users, text, false),
                search_request(SearchKind::Users, text, true),
                refused_before,
            ),
        }
    }

    #[test]
    fn a_refused_filter_is_tried_once_in_its_simplest_form() {
        let job = search_job("sam t", false);
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
        let Answered::Found(found) = simpler.answer(Ok(br#"{"resources": []}"#.to_vec()), None)
        else {
            panic!("found")
        };
        assert_eq!(found.note.as_deref(), Some(SIMPLIFIED), "the admin is told");
        // Other failures are not a refused filter.
        for other in [
            Err(ApiError::Unauthorized),
            Err(ApiError::Server(500)),
            Err(ApiError::RateLimited(None)),
            Ok(Vec::new()),
        ] {
            assert_eq!(job.simpler_after(&other), None, "{other:?}");
        }
        let Answered::Found(found) = job.answer(Ok(br#"{"resources": []}"#.to_vec()), None) else {
            panic!("found")
        };
        assert_eq!(found.note, None, "the full form says nothing");
    }

    #[test]
    fn an_account_that_refused_before_gets_the_simplest_at_once() {
        let job = search_job("sam", true);
        assert!(!job.url().contains("givenName"), "{}", job.url());
        assert_eq!(
            job.simpler_after(&Err(ApiError::BadRequest(String::new()))),
            None
        );
        // A group search is already in its simplest form: nothing to fall back to, nothing to say.
        let groups = Listing::of(
            BASE,
            search_request(SearchKind::Groups, "dev", false),
            search_request(SearchKind::Groups, "dev", true),
            true,
        );
        assert!(!groups.simplified && groups.simpler.is_none());
        let fresh = Listing::of(
            BASE,
            search_request(SearchKind::Groups, "dev", false),
            search_request(SearchKind::Groups, "dev", true),
            false,
        );
        assert_eq!(fresh.simpler, None);
    }
}
