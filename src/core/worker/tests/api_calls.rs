use super::*;
use crate::core::api::throttle::Priority;
use crate::core::worker::*;

const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";

fn search(client_id: &str) -> Request {
    Request::Search(ask::Search {
        client_id: client_id.into(),
        kind: SearchKind::Users,
        text: "mer".into(),
        shown: 0,
    })
}

/// The API call the worker makes for a request from one of our pages; `None` when it answers
/// anything but an API failure.
fn api_call(
    s: &WorkerState,
    request: &Request,
    flavour: Flavour,
) -> Option<Result<ApiCall, Response>> {
    let facts = WorkerFacts {
        flavour,
        api: crate::core::api::throttle::Scheduler::default().status(0),
        now: 0,
        wall_ms: 1_000,
    };
    match decide(&mut s.clone(), request, &Sender::ExtensionPage, &facts) {
        Decision::Api(call) => Some(Ok(call)),
        Decision::Answer(Outcome {
            response: failed @ Response::ApiFailed(_),
            ..
        }) => Some(Err(failed)),
        Decision::Answer(_) => None,
    }
}

fn code(r: Option<Result<ApiCall, Response>>) -> Option<FailureCode> {
    match r {
        Some(Err(Response::ApiFailed(f))) => Some(f.code),
        _ => None,
    }
}

#[test]
fn api_calls_need_our_page_a_key_and_a_region() {
    let mut s = WorkerState::default();
    assert!(api_call(&s, &Request::Status, Flavour::Store).is_none());
    let content = Sender::ContentScript {
        tab_url: "https://admin.pingone.com/".into(),
        tab_id: 1,
        document_id: None,
    };
    let facts = WorkerFacts {
        flavour: Flavour::Store,
        api: crate::core::api::throttle::Scheduler::default().status(0),
        now: 0,
        wall_ms: 0,
    };
    assert!(matches!(
        decide(&mut s, &search(ID), &content, &facts),
        Decision::Answer(Outcome {
            response: Response::Refused(_),
            ..
        })
    ));
    assert_eq!(
        code(api_call(&s, &search(ID), Flavour::Store)),
        Some(FailureCode::NoKey)
    );
    s.accounts.observe_key(ID, "fp", 0);
    assert_eq!(
        code(api_call(&s, &search(ID), Flavour::Store)),
        Some(FailureCode::NoKey),
        "seen, but no key in this session"
    );
    s.keys.insert(ID.into(), "secret".into());
    assert_eq!(
        code(api_call(&s, &search(ID), Flavour::Store)),
        Some(FailureCode::NoRegion)
    );
    s.accounts.set_region(ID, "local", 0);
    s.settings.local_api_base = Some("http://127.0.0.1:9/api".into());
    assert_eq!(
        code(api_call(&s, &search(ID), Flavour::Store)),
        Some(FailureCode::NoRegion),
        "the store build never calls loopback"
    );
    let Some(Ok(call)) = api_call(&s, &search(ID), Flavour::Dev) else {
        panic!("a call");
    };
    assert_eq!(call.credentials.api_key, "secret");
    assert_eq!(call.job.priority(), Priority::Interactive);
    assert!(call
        .job
        .url()
        .starts_with("http://127.0.0.1:9/api/directory/user?"));
    assert!(
        !format!("{call:?}").contains("secret"),
        "Debug hides the key"
    );
}

#[test]
fn export_pages_go_at_bulk_priority_and_details_count_group_members() {
    let mut s = WorkerState::default();
    s.accounts.observe_key(ID, "fp", 0);
    s.keys.insert(ID.into(), "k".into());
    s.accounts.set_region(ID, "eu", 0);
    let export = Request::ExportPage(ask::ExportPage {
        group: None,
        client_id: ID.into(),
        text: String::new(),
        start_index: 201,
        count: 200,
        left: 0,
        mailbox: None,
    });
    let Some(Ok(call)) = api_call(&s, &export, Flavour::Store) else {
        panic!("a call");
    };
    assert_eq!(call.job.priority(), Priority::Bulk);
    assert_eq!(
        call.job,
        Job::ExportPage {
            list: crate::core::lookup::call::Listing {
                url: "https://directory-api.pingone.eu/api/directory/user?startIndex=201&count=200&sortBy=userName&sortOrder=ascending".into(),
                simpler: None,
                simplified: false,
                refusal: format!("{ID}\n"),
            },
            count_url: None,
            left: 0,
        }
    );
    let members = Request::ExportPage(ask::ExportPage {
        group: Some("g/1".into()),
        client_id: ID.into(),
        text: "ignored".into(),
        start_index: 1,
        count: 0,
        left: 0,
        mailbox: None,
    });
    let Some(Ok(call)) = api_call(&s, &members, Flavour::Store) else {
        panic!("a call");
    };
    assert_eq!(call.job.priority(), Priority::Bulk);
    assert_eq!(
        call.job.url(),
        "https://directory-api.pingone.eu/api/directory/group/g%2F1",
        "a members export reads the group, which lists every member"
    );
    let Job::ExportPage { count_url, .. } = &call.job else {
        panic!("an export page");
    };
    assert_eq!(
        count_url.as_deref(),
        Some("https://directory-api.pingone.eu/api/directory/group/g%2F1/users/count"),
        "and its user count, to check the export against"
    );
    let detail = Request::Detail(ask::Detail {
        client_id: ID.into(),
        kind: SearchKind::Groups,
        id: "g/1".into(),
    });
    let Some(Ok(ApiCall {
        job: Job::Detail { url, count_url, .. },
        ..
    })) = api_call(&s, &detail, Flavour::Store)
    else {
        panic!("a detail");
    };
    assert!(url.ends_with("/directory/group/g%2F1"));
    assert_eq!(
        count_url.as_deref(),
        Some("https://directory-api.pingone.eu/api/directory/group/g%2F1/users/count")
    );
}
