//! Which Directory API calls Keyward's pages may have made, and how each answer is read: a
//! lookup or export page names an account and what it wants; the call is made only for an account
//! whose key was read in this browser session and whose region is known, with URLs built here.

use indexmap::IndexMap;

use crate::core::accounts::Accounts;
use crate::core::api::filter::SearchKind;
use crate::core::api::throttle::Priority;
use crate::core::api::{ApiError, Credentials, ListRequest};
use crate::core::lookup::{
    detail_urls, found, group_detail, search_request, user_detail, Detail, Failure, FailureCode,
    Found,
};

/// What a lookup or export page asks for.
pub enum Asked<'a> {
    Search(SearchKind, &'a str),
    Detail(SearchKind, &'a str),
    /// One page of an export, its request built by the export.
    ExportPage(ListRequest),
}

/// The call for `asked` on account `client_id`, or why it cannot be made.
pub fn call(
    accounts: &Accounts,
    keys: &IndexMap<String, String>,
    api_base: impl FnOnce(&str) -> Option<String>,
    client_id: &str,
    asked: Asked<'_>,
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
            url: search_request(kind, text).url(&base),
        },
        Asked::Detail(kind, id) => {
            let (url, count_url) = detail_urls(&base, kind, id);
            Job::Detail {
                kind,
                url,
                count_url,
            }
        }
        Asked::ExportPage(request) => Job::ExportPage {
            url: request.url(&base),
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
    /// An export page's body as it came (the export page reads it itself).
    Body(String),
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
        url: String,
    },
    Detail {
        kind: SearchKind,
        url: String,
        count_url: Option<String>,
    },
    /// One page of an export: the body goes back as it came, for the export page to read.
    ExportPage { url: String },
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

    /// The answer for the page, from the main request's result and (for a group) the count's.
    pub fn answer(
        &self,
        main: Result<Vec<u8>, ApiError>,
        count: Option<Result<Vec<u8>, ApiError>>,
    ) -> Answered {
        let failed = |e: ApiError| Answered::Failed(Failure::from(&e));
        match (self, main) {
            (_, Err(e)) => failed(e),
            (Job::Search { kind, text, .. }, Ok(body)) => {
                found(*kind, text, &body).map_or_else(failed, Answered::Found)
            }
            (Job::Detail { kind, .. }, Ok(body)) => match kind {
                SearchKind::Users => user_detail(&body),
                SearchKind::Groups => group_detail(&body, count),
            }
            .map_or_else(failed, |d| Answered::Detail(Box::new(d))),
            (Job::ExportPage { .. }, Ok(body)) => {
                Answered::Body(String::from_utf8_lossy(&body).into_owned())
            }
        }
    }
}
