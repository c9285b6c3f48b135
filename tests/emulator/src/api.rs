//! The Directory API under `/api` (and the `/v1` aliases): one entry point that runs the pipeline
//! every request goes through — latency, the test gate, authentication, scripted failures, rate
//! limit, storm, injected 5xx, routing, then body faults — and logs the outcome.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::auth::{self, AuthOutcome};
use crate::directory::Directory;
use crate::directory::{ApiError, Kind, ListQuery, SCHEMA_CORE};
use crate::ratelimit::RetryAfter;
use crate::state::{Account, Answers, Emulator, LogEntry};
use crate::time::http_date;
use crate::Envelope;

const JSON_TYPE: &str = "application/json;charset=UTF-8";

/// What a route produced, before body faults.
enum Outcome {
    Json(StatusCode, Value),
    /// JSON already written as text.
    JsonText(StatusCode, String),
    /// A scripted body, as given.
    Raw(StatusCode, String),
    Empty(StatusCode),
    Error(ApiError, Option<String>),
    /// A scripted redirect: its status and `Location`.
    Redirect(StatusCode, String),
}

fn error_body(e: &ApiError, shapes: &crate::Shapes) -> Value {
    let code = if shapes.numeric_error_code {
        json!(e.status)
    } else {
        json!(e.status.to_string())
    };
    json!({"Errors": [{"description": e.description, "code": code}]})
}

/// Every `/api/*` and `/v1/*` request.
pub async fn handle(
    State(emu): State<Arc<Emulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let draw = {
        let mut inner = emu.lock();
        let faults = inner.faults.clone();
        faults.draw(&mut inner.rng)
    };
    if draw.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(draw.delay_ms)).await;
    }
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.to_string());
    // A test may hold this request here until it says so (see `control`).
    emu.gate.pass(method.as_str(), &path_and_query).await;
    let auth_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let now_ms = emu.clock.now_ms();
    let elapsed = emu.clock.elapsed();
    let mut guard = emu.lock();
    let inner = &mut *guard;
    let opened = authenticate(&mut inner.accounts, auth_header);
    let account_index = opened.as_ref().ok().map(|(index, _)| *index);
    let outcome = match opened {
        Err(AuthOutcome::Wrong) => {
            Outcome::Error(ApiError::new(401, "invalid client id or API key"), None)
        }
        Err(_) => Outcome::Error(
            ApiError::new(401, "missing or malformed Basic credentials"),
            None,
        ),
        Ok(_) if let Some(rule) = emu.failures.take(method.as_str(), &path_and_query) => {
            let header = (rule.status == 429)
                .then(|| {
                    let wait = Duration::from_secs(rule.retry_after_secs.unwrap_or(1));
                    retry_after(&inner.retry_after, wait, now_ms)
                })
                .flatten();
            let redirect = StatusCode::from_u16(rule.status)
                .ok()
                .filter(StatusCode::is_redirection);
            let success = StatusCode::from_u16(rule.status)
                .ok()
                .filter(StatusCode::is_success);
            match (redirect, rule.location, success, rule.body) {
                (Some(status), Some(location), _, _) => Outcome::Redirect(status, location),
                (_, _, Some(status), Some(body)) => Outcome::Raw(status, body),
                _ => Outcome::Error(ApiError::new(rule.status, "scripted failure"), header),
            }
        }
        Ok((_, account)) => match inner.limiter.take(&account.client_id, elapsed) {
            Err(wait) => {
                let header = retry_after(&inner.retry_after, wait, now_ms);
                Outcome::Error(
                    ApiError::new(429, "Too Many Requests: reduce the request rate"),
                    header,
                )
            }
            Ok(()) if account.storm_until.is_some_and(|until| elapsed < until) => {
                let wait = account
                    .storm_until
                    .map_or(Duration::ZERO, |u| u.saturating_sub(elapsed));
                let header = retry_after(&inner.retry_after, wait, now_ms);
                Outcome::Error(
                    ApiError::new(429, "Too Many Requests: reduce the request rate"),
                    header,
                )
            }
            Ok(()) => match draw.error {
                Some(status) => {
                    Outcome::Error(ApiError::new(status, "injected server error"), None)
                }
                None => {
                    let mut answering = Answering {
                        dir: &mut account.dir,
                        answers: &inner.answers,
                    };
                    route(&mut answering, &method, &uri, &body, now_ms)
                }
            },
        },
    };
    let status = match &outcome {
        Outcome::Json(s, _)
        | Outcome::JsonText(s, _)
        | Outcome::Raw(s, _)
        | Outcome::Empty(s)
        | Outcome::Redirect(s, _) => s.as_u16(),
        Outcome::Error(e, _) => e.status,
    };
    inner.log.record(
        LogEntry {
            method: method.to_string(),
            path: path_and_query,
            status,
            at_ms: now_ms,
            account: account_index,
        },
        draw.reset,
    );
    let shapes = inner.answers.shapes.clone();
    drop(guard);
    respond(outcome, draw, &shapes)
}

/// Which account a request's credentials open (its index and the account), or why none does.
fn authenticate<'a>(
    accounts: &'a mut [Account],
    header: Option<&str>,
) -> Result<(usize, &'a mut Account), AuthOutcome> {
    let mut refusal = AuthOutcome::Missing;
    for (index, account) in accounts.iter_mut().enumerate() {
        match auth::check(header, &account.client_id, &account.api_key) {
            AuthOutcome::Ok(_) => return Ok((index, account)),
            other => refusal = other,
        }
    }
    Err(refusal)
}

/// What an authenticated request works on: its account's directory and the answer shapes in
/// force for every account.
struct Answering<'a> {
    dir: &'a mut Directory,
    answers: &'a Answers,
}

fn retry_after(mode: &RetryAfter, wait: Duration, now_ms: i64) -> Option<String> {
    let secs = wait.as_secs_f64().ceil().max(1.0) as i64;
    match mode {
        RetryAfter::Absent => None,
        RetryAfter::Seconds => Some(secs.to_string()),
        RetryAfter::Date => Some(http_date(now_ms + secs * 1000)),
        RetryAfter::Fixed(v) => Some(v.clone()),
    }
}

/// Stands in for a lone UTF-16 surrogate, which a Rust string cannot hold: the seed's hostile data
/// uses this private-use character, and bodies carry it as the escape `\ud800` — the text a Java or
/// JavaScript server emits for a broken string (valid JSON syntax, not valid Unicode).
pub const LONE_SURROGATE_MARK: char = '\u{e000}';

fn with_lone_surrogates(text: String) -> Vec<u8> {
    if text.contains(LONE_SURROGATE_MARK) {
        text.replace(LONE_SURROGATE_MARK, "\\ud800").into_bytes()
    } else {
        text.into_bytes()
    }
}

/// An error page a proxy in front of the service may send instead of SCIM JSON.
fn html_error(status: u16) -> String {
    format!("<!doctype html><html><head><title>{status}</title></head><body><h1>{status}</h1><p>The service is busy. Please try again later.</p></body></html>")
}

fn respond(outcome: Outcome, draw: crate::faults::Draw, shapes: &crate::Shapes) -> Response {
    let html = match &outcome {
        Outcome::Error(e, _) if shapes.html_errors && (e.status == 429 || e.status >= 500) => {
            Some(html_error(e.status))
        }
        _ => None,
    };
    let mut location = None;
    let (status, body, retry) = match outcome {
        Outcome::Redirect(s, to) => {
            location = Some(to);
            (s, None, None)
        }
        Outcome::Json(s, v) => (s, Some(with_lone_surrogates(v.to_string())), None),
        Outcome::JsonText(s, text) => (s, Some(with_lone_surrogates(text)), None),
        Outcome::Raw(s, body) => (s, Some(body.into_bytes()), None),
        Outcome::Empty(s) => (s, None, None),
        Outcome::Error(e, retry) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Some(error_body(&e, shapes).to_string().into_bytes()),
            retry,
        ),
    };
    let mut builder = Response::builder().status(status);
    if let Some(retry) = retry.and_then(|r| HeaderValue::from_str(&r).ok()) {
        builder = builder.header(header::RETRY_AFTER, retry);
    }
    if let Some(to) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        builder = builder.header(header::LOCATION, to);
    }
    let response = if draw.reset {
        // Headers go out, then the body stream fails: the client sees the connection drop.
        let failing = futures_util::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "injected reset",
            ))
        });
        builder
            .header(header::CONTENT_TYPE, JSON_TYPE)
            .body(Body::from_stream(failing))
    } else if let Some(page) = html {
        builder
            .header(header::CONTENT_TYPE, "text/html;charset=UTF-8")
            .body(Body::from(page))
    } else if draw.wrong_content_type {
        let page = "<!doctype html><html><head><title>Sign On</title></head><body><p>Please sign on.</p></body></html>";
        builder
            .header(header::CONTENT_TYPE, "text/html;charset=UTF-8")
            .body(Body::from(page))
    } else {
        match body {
            Some(mut bytes) => {
                if draw.truncate {
                    bytes.truncate(bytes.len() / 2);
                }
                builder
                    .header(header::CONTENT_TYPE, JSON_TYPE)
                    .body(Body::from(bytes))
            }
            None => builder.body(Body::empty()),
        }
    };
    response.unwrap_or_else(|_| {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::new(400, format!("malformed JSON body: {e}")))
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn list_envelope(inner: &Answering, kind: Kind, query: &ListQuery) -> String {
    let shapes = &inner.answers.shapes;
    let mut query = query.clone();
    let count = query.count.max(1);
    let page = (query.start_index.max(1) - 1) / count;
    if shapes.ignore_start_index {
        query.start_index = 1;
    } else if shapes.stuck_from_page > 0 && page >= shapes.stuck_from_page as usize {
        query.start_index = (shapes.stuck_from_page as usize - 1) * count + 1;
    }
    let query = &query;
    let (total, ids) = inner.dir.list(kind, query);
    let (base, style) = (&inner.answers.public_base, inner.answers.location_style);
    // Each resource as text (a generated user never becomes a tree), joined into the envelope.
    let resources: Vec<String> = ids
        .iter()
        .filter_map(|id| {
            if kind == Kind::Group && shapes.group_lists_without_members {
                let mut resource = inner.dir.render(kind, id, base, style)?;
                if let Some(fields) = resource.as_object_mut() {
                    fields.remove("members");
                }
                return Some(resource.to_string());
            }
            inner.dir.render_text(kind, id, base, style)
        })
        .collect();
    let n = resources.len();
    let list = RawValue::from_string(format!("[{}]", resources.join(",")))
        .unwrap_or_else(|_| raw(&json!([])));
    let fields: Vec<(&str, Box<RawValue>)> = match inner.answers.envelope {
        Envelope::Bare => vec![("resources", list)],
        Envelope::ZeroStart => vec![
            ("startIndex", raw(&json!(0))),
            ("schemas", raw(&json!([]))),
            ("totalResults", raw(&json!(total))),
            ("resources", list),
        ],
        Envelope::Observed => vec![
            ("count", raw(&json!(n))),
            ("itemsPerPage", raw(&json!(0))),
            ("startIndex", raw(&json!(query.start_index))),
            ("schemas", raw(&json!([SCHEMA_CORE]))),
            ("totalResults", raw(&json!(total))),
            ("resources", list),
        ],
        Envelope::Scim => vec![
            ("totalResults", raw(&json!(total))),
            ("itemsPerPage", raw(&json!(n))),
            ("startIndex", raw(&json!(query.start_index))),
            ("schemas", raw(&json!([SCHEMA_CORE]))),
            ("Resources", list),
        ],
    };
    // Members by name, as a `serde_json` map keeps them.
    let envelope: std::collections::BTreeMap<&str, Box<RawValue>> = fields.into_iter().collect();
    serde_json::to_string(&envelope).unwrap_or_default()
}

fn raw(value: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_default()
}

/// Maps `/api/directory/...` and `/v1/...` onto one route table.
fn route(inner: &mut Answering, method: &Method, uri: &Uri, body: &Bytes, now_ms: i64) -> Outcome {
    let path = uri.path().trim_end_matches('/');
    let segments: Vec<&str> = if let Some(rest) = path.strip_prefix("/api/directory/") {
        rest.split('/').collect()
    } else if let Some(rest) = path.strip_prefix("/v1/") {
        rest.split('/').collect()
    } else if path == "/api/oauth/token" {
        vec!["oauth", "token"]
    } else {
        vec![]
    };
    let result = match (method, segments.as_slice()) {
        (&Method::GET, ["user"]) => list(inner, Kind::User, uri),
        (&Method::POST, ["user"]) => create_user(inner, uri, body, now_ms),
        (&Method::GET, ["user", id]) => read(inner, Kind::User, id),
        (&Method::PUT, ["user", id]) => parse_json(body)
            .and_then(|b| inner.dir.replace_user(id, b, now_ms))
            .and_then(|()| read(inner, Kind::User, id)),
        (&Method::DELETE, ["user", id]) => inner
            .dir
            .delete(Kind::User, id)
            .map(|()| Outcome::Empty(StatusCode::OK)),
        (&Method::PATCH, ["user", _]) => Err(ApiError::new(501, "PATCH on users is not supported")),
        (&Method::GET, ["group"]) => list(inner, Kind::Group, uri),
        (&Method::POST, ["group"]) => parse_json(body)
            .and_then(|b| inner.dir.create_group(&b, now_ms))
            .and_then(|id| read(inner, Kind::Group, &id)),
        (&Method::GET, ["group", id]) => read(inner, Kind::Group, id),
        (&Method::PUT, ["group", id]) => parse_json(body)
            .and_then(|b| inner.dir.replace_group(id, &b, now_ms))
            .and_then(|()| read(inner, Kind::Group, id)),
        (&Method::PATCH, ["group", id]) => parse_json(body)
            .and_then(|b| inner.dir.patch_group(id, &b, now_ms))
            .and_then(|()| read(inner, Kind::Group, id)),
        (&Method::DELETE, ["group", id]) => inner
            .dir
            .delete(Kind::Group, id)
            .map(|()| Outcome::Empty(StatusCode::OK)),
        (&Method::GET, ["group", id, "users", "count"]) => inner
            .dir
            .group_user_count(id)
            .map(|n| Outcome::Json(StatusCode::OK, json!({"users": n}))),
        (&Method::POST, ["useractions", "invite"]) => invite(inner, body, now_ms),
        (&Method::POST, ["oauth", "token"]) => token(inner, body),
        (_, ["user"] | ["user", _] | ["group"] | ["group", _] | ["group", _, "users", "count"])
        | (_, ["useractions", "invite"] | ["oauth", "token"]) => {
            Err(ApiError::new(405, format!("{method} is not allowed here")))
        }
        _ => Err(ApiError::new(404, format!("no such resource: {path}"))),
    };
    result.unwrap_or_else(|e| Outcome::Error(e, None))
}

fn list(inner: &Answering, kind: Kind, uri: &Uri) -> Result<Outcome, ApiError> {
    let params = query_pairs(uri);
    let mut query = ListQuery::parse(&params)?;
    if inner.answers.strict {
        if let Some(refused) = crate::strict::refuses(kind, &params, &query) {
            return Err(refused);
        }
        query.case_sensitive_eq = true;
    }
    if let Some(why) = query
        .filter
        .as_ref()
        .and_then(|f| inner.answers.refusals.refuses(f))
    {
        return Err(ApiError::new(400, why));
    }
    Ok(Outcome::JsonText(
        StatusCode::OK,
        list_envelope(inner, kind, &query),
    ))
}

fn read(inner: &Answering, kind: Kind, id: &str) -> Result<Outcome, ApiError> {
    let mut value = inner
        .dir
        .render(
            kind,
            id,
            &inner.answers.public_base,
            inner.answers.location_style,
        )
        .ok_or_else(|| ApiError::new(404, format!("resource {id} not found")))?;
    let most = inner.answers.shapes.group_members_listed_at_most as usize;
    let members = value.get_mut("members").and_then(|m| m.as_array_mut());
    if let (Kind::Group, true, Some(members)) = (kind, most > 0, members) {
        members.truncate(most);
    }
    Ok(Outcome::Json(StatusCode::OK, value))
}

fn create_user(
    inner: &mut Answering,
    uri: &Uri,
    body: &Bytes,
    now_ms: i64,
) -> Result<Outcome, ApiError> {
    let pairs = query_pairs(uri);
    let option = pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("option"))
        .map(|(_, v)| v.as_str());
    let id = inner.dir.create_user(parse_json(body)?, option, now_ms)?;
    read(inner, Kind::User, &id)
}

fn invite(inner: &mut Answering, body: &Bytes, now_ms: i64) -> Result<Outcome, ApiError> {
    let body = parse_json(body)?;
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| e.contains('@'))
        .ok_or_else(|| ApiError::new(400, "email is required"))?
        .to_string();
    // Inviting a known address is a resend; an unknown one creates the invited user.
    let user_id = match inner.dir.user_by_email(&email) {
        Some(id) => id,
        None => {
            let attrs = json!({
                "userName": email,
                "emails": [{"type": "work", "value": email, "primary": true}],
                "urn:scim:schemas:com_pingone:1.0": {"state": "INVITED"},
            });
            inner
                .dir
                .create_user(attrs, Some("DEFAULT_USER_GROUP"), now_ms)?
        }
    };
    let token = inner.dir.token();
    let link = format!(
        "https://login.pingone.com/idp/directory/a/{}/registration/confirm/{user_id}/{token}/",
        inner.dir.account_id
    );
    Ok(Outcome::Json(StatusCode::OK, json!({"value": link})))
}

fn token(inner: &mut Answering, body: &Bytes) -> Result<Outcome, ApiError> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if get("grant_type") != Some("password") {
        return Err(ApiError::new(400, "grant_type must be password"));
    }
    let (Some(user), Some(password)) = (get("username"), get("password")) else {
        return Err(ApiError::new(400, "username and password are required"));
    };
    if inner.dir.check_password(user, password) {
        let access = inner.dir.token();
        Ok(Outcome::Json(
            StatusCode::OK,
            json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600}),
        ))
    } else {
        Err(ApiError::new(401, "authentication failed"))
    }
}
