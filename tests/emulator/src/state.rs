//! The emulator's shared state and its admin API (`/_emulator/…`): credentials and renewal,
//! run-time configuration and faults, the request log, the manual clock, and reseeding.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::control::{FailRule, Failures, Gate, GateRule};
use crate::directory::{Directory, LocationStyle};
use crate::faults::{Faults, FaultsPatch};
use crate::ratelimit::{RateLimiter, RetryAfter};
use crate::rng::Rng;
use crate::time::{Clock, ManualClock, SystemClock};
use crate::{seed, Config, Envelope, RetryAfterMode};

/// How many recent requests the log keeps (counters cover all).
const LOG_KEEP: usize = 5000;

/// One logged API request. Headers are never logged, so credentials never reach the log.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub at_ms: i64,
    /// The account the credentials opened (none when they opened none).
    pub account: Option<usize>,
}

/// Counters and recent entries.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RequestLog {
    pub total: u64,
    pub by_status: BTreeMap<u16, u64>,
    pub rate_limited: u64,
    pub resets: u64,
    pub recent: Vec<LogEntry>,
}

impl RequestLog {
    pub fn record(&mut self, entry: LogEntry, reset: bool) {
        self.total += 1;
        *self.by_status.entry(entry.status).or_default() += 1;
        if entry.status == 429 {
            self.rate_limited += 1;
        }
        if reset {
            self.resets += 1;
        }
        if self.recent.len() >= LOG_KEEP {
            self.recent.remove(0);
        }
        self.recent.push(entry);
    }
}

/// One P14E account: its Directory API credential (and a renewal in progress), its directory, and
/// a 429 storm of its own. Accounts never see each other's data, and each has its own token bucket.
pub struct Account {
    pub client_id: String,
    pub api_key: String,
    pub pending_key: Option<String>,
    pub dir: Directory,
    pub storm_until: Option<Duration>,
}

impl Account {
    fn storm_remaining_ms(&self, now: Duration) -> u64 {
        self.storm_until
            .map_or(0, |u| u.saturating_sub(now).as_millis() as u64)
    }
}

/// How answers are shaped: the same for every account, switchable at run time.
pub struct Answers {
    pub envelope: Envelope,
    pub location_style: LocationStyle,
    pub public_base: String,
    /// List filters refused with 400.
    pub refusals: crate::filter::Refusals,
    /// The strict profile (`crate::strict`).
    pub strict: bool,
    /// Answer shapes besides the envelope.
    pub shapes: crate::Shapes,
}

/// Everything that changes while the emulator runs.
pub struct Inner {
    /// The accounts served (never empty); the first is the one the console and the admin API
    /// mean unless asked for another (`?account=N`).
    pub accounts: Vec<Account>,
    pub answers: Answers,
    /// Limits apply per client id, so every account has its own bucket at the same settings.
    pub limiter: RateLimiter,
    pub retry_after: RetryAfter,
    pub faults: Faults,
    pub log: RequestLog,
    pub rng: Rng,
}

/// The emulator: a clock and the state behind one lock (critical sections are short and never
/// await), and the test controls (the gate is awaited, so it keeps its own lock).
pub struct Emulator {
    pub clock: Arc<dyn Clock>,
    manual: Option<ManualClock>,
    inner: Mutex<Inner>,
    pub gate: Gate,
    pub failures: Failures,
}

/// Facts printed at start.
#[derive(Clone, Debug)]
pub struct Summary {
    pub users: usize,
    pub groups: usize,
    pub client_id: String,
    pub api_key: String,
}

impl Emulator {
    /// Builds the emulator from the command line; `default_base` is used when --public-base is absent.
    pub fn from_config(config: &Config, default_base: &str) -> Emulator {
        let manual = config
            .manual_clock
            .then(|| ManualClock::new(SystemClock::default().now_ms()));
        let clock: Arc<dyn Clock> = match &manual {
            Some(m) => Arc::new(m.clone()),
            None => Arc::new(SystemClock::default()),
        };
        Emulator::with_clock(config, default_base, clock, manual)
    }

    /// Builds the emulator with a given clock (tests pass a [`ManualClock`]).
    pub fn with_clock(
        config: &Config,
        default_base: &str,
        clock: Arc<dyn Clock>,
        manual: Option<ManualClock>,
    ) -> Emulator {
        let mut rng = Rng::new(config.seed);
        let storm_until = (config.storm_seconds > 0)
            .then(|| clock.elapsed() + Duration::from_secs(config.storm_seconds));
        // The first account takes --client-id and --api-key; any others get their own from the
        // seed, and their own data (seeded from the next seeds), so they never look alike.
        let accounts = (0..config.accounts.max(1))
            .map(|index| {
                let first = index == 0;
                let client_id = config
                    .client_id
                    .clone()
                    .filter(|_| first)
                    .unwrap_or_else(|| rng.uuid());
                let api_key = config
                    .api_key
                    .clone()
                    .filter(|_| first)
                    .unwrap_or_else(|| rng.alphanumeric(30));
                let data_seed = config.seed.wrapping_add(index as u64);
                let mut dir = Directory::new(
                    client_id.clone(),
                    Rng::new(data_seed.wrapping_mul(31)),
                    clock.now_ms(),
                );
                seed::seed(
                    &mut dir,
                    config.users,
                    config.groups,
                    data_seed,
                    config.name_formatted,
                );
                Account {
                    client_id,
                    api_key,
                    pending_key: None,
                    dir,
                    storm_until,
                }
            })
            .collect();
        let retry_after = match (&config.retry_after_value, config.retry_after) {
            (Some(v), _) => RetryAfter::Fixed(v.clone()),
            (None, RetryAfterMode::Absent) => RetryAfter::Absent,
            (None, RetryAfterMode::Seconds) => RetryAfter::Seconds,
            (None, RetryAfterMode::Date) => RetryAfter::Date,
        };
        let faults = Faults {
            latency_ms: config.latency_ms,
            jitter_ms: config.jitter_ms,
            error_share: config.error_share.clamp(0.0, 1.0),
            reset_share: config.reset_share.clamp(0.0, 1.0),
            truncate_share: config.truncate_share.clamp(0.0, 1.0),
            wrong_content_type_share: config.wrong_content_type_share.clamp(0.0, 1.0),
        };
        let inner = Inner {
            accounts,
            answers: Answers {
                envelope: config.envelope,
                location_style: config.location_style,
                public_base: config
                    .public_base
                    .clone()
                    .unwrap_or_else(|| default_base.to_string()),
                refusals: crate::filter::Refusals {
                    attributes: config.refuse_filter_attributes.clone(),
                    operators: config.refuse_filter_operators.clone(),
                },
                shapes: crate::Shapes::default(),
                strict: config.strict,
            },
            limiter: RateLimiter::new(config.rate, config.burst),
            retry_after,
            faults,
            log: RequestLog::default(),
            rng,
        };
        Emulator {
            clock,
            manual,
            inner: Mutex::new(inner),
            gate: Gate::default(),
            failures: Failures::default(),
        }
    }

    /// Locks the state. A panic elsewhere never poisons the emulator for good.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first account's facts (the one the console shows by default).
    pub fn summary(&self) -> Summary {
        let mut all = self.summaries();
        all.swap_remove(0)
    }

    /// Every account's facts, the first first.
    pub fn summaries(&self) -> Vec<Summary> {
        self.lock()
            .accounts
            .iter()
            .map(|a| Summary {
                users: a.dir.user_count(),
                groups: a.dir.group_count(),
                client_id: a.client_id.clone(),
                api_key: a.api_key.clone(),
            })
            .collect()
    }

    fn state_json(&self, index: usize) -> Option<Value> {
        let inner = self.lock();
        let account = inner.accounts.get(index)?;
        let answers = &inner.answers;
        Some(json!({
            "account": index,
            "accounts": inner.accounts.len(),
            "client_id": account.client_id,
            "api_key": account.api_key,
            "pending_key": account.pending_key,
            "users": account.dir.user_count(),
            "groups": account.dir.group_count(),
            "storm_remaining_ms": account.storm_remaining_ms(self.clock.elapsed()),
            "rate": inner.limiter.rate,
            "burst": inner.limiter.burst,
            "retry_after": inner.retry_after,
            "envelope": answers.envelope,
            "location_style": answers.location_style,
            "public_base": answers.public_base,
            "faults": inner.faults,
            "refuse_filter": answers.refusals,
            "strict": answers.strict,
            "shapes": answers.shapes,
            "manual_clock": self.manual.is_some(),
            "gate": self.gate.state(),
            "failures": self.failures.pending(),
        }))
    }
}

/// `?account=N`: which account an admin request means (default the first).
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    pub account: usize,
}

fn no_such_account(index: usize) -> Response {
    admin_error(
        StatusCode::NOT_FOUND,
        &format!("no account {index}: start with --accounts to serve more"),
    )
}

fn admin_error(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(
            json!({"Errors": [{"description": description, "code": status.as_u16().to_string()}]}),
        ),
    )
        .into_response()
}

/// GET /_emulator/state[?account=N] — that account's credentials and data, and the settings
/// shared by all.
pub async fn admin_state(
    State(emu): State<Arc<Emulator>>,
    Query(q): Query<AccountQuery>,
) -> Response {
    match emu.state_json(q.account) {
        Some(state) => Json(state).into_response(),
        None => no_such_account(q.account),
    }
}

/// A partial run-time configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    pub rate: Option<f64>,
    pub burst: Option<f64>,
    pub retry_after: Option<RetryAfter>,
    pub envelope: Option<Envelope>,
    pub location_style: Option<LocationStyle>,
    pub faults: Option<FaultsPatch>,
    /// Refuse list filters naming these attributes or operators with 400 (replaces the lists).
    pub refuse_filter: Option<crate::filter::Refusals>,
    /// Answer shapes besides the envelope (replaces them all).
    pub shapes: Option<crate::Shapes>,
    /// The strict profile on or off.
    pub strict: Option<bool>,
    /// Start a 429 storm on the named account (`?account=N`) lasting this many seconds from now
    /// (0 ends one).
    pub storm_seconds: Option<f64>,
}

/// POST or PATCH /_emulator/config[?account=N] — limits and shapes are every account's; a storm
/// is the named account's.
pub async fn admin_config(
    State(emu): State<Arc<Emulator>>,
    Query(q): Query<AccountQuery>,
    body: axum::body::Bytes,
) -> Response {
    let patch: ConfigPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, &format!("bad config: {e}")),
    };
    {
        let mut inner = emu.lock();
        if inner.accounts.get(q.account).is_none() {
            return no_such_account(q.account);
        }
        let (rate, burst) = (
            patch.rate.unwrap_or(inner.limiter.rate),
            patch.burst.unwrap_or(inner.limiter.burst),
        );
        inner.limiter.reconfigure(rate, burst);
        if let Some(r) = patch.retry_after {
            inner.retry_after = r;
        }
        if let Some(e) = patch.envelope {
            inner.answers.envelope = e;
        }
        if let Some(l) = patch.location_style {
            inner.answers.location_style = l;
        }
        if let Some(f) = patch.faults {
            inner.faults.apply(f);
        }
        if let Some(r) = patch.refuse_filter {
            inner.answers.refusals = r;
        }
        if let Some(s) = patch.shapes {
            inner.answers.shapes = s;
        }
        if let Some(strict) = patch.strict {
            inner.answers.strict = strict;
        }
        if let Some(secs) = patch.storm_seconds {
            let secs = if secs.is_finite() {
                secs.clamp(0.0, 86_400.0)
            } else {
                0.0
            };
            let until = (secs > 0.0).then(|| emu.clock.elapsed() + Duration::from_secs_f64(secs));
            if let Some(account) = inner.accounts.get_mut(q.account) {
                account.storm_until = until;
            }
        }
    }
    admin_state(State(emu), Query(q)).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RenewRequest {
    /// Stage a new key (the console's Renew) without invalidating the old one until commit (Save).
    #[serde(default)]
    pub stage: bool,
}

/// POST /_emulator/renew[?account=N] — a new key; the old one stops working at once (unless
/// `stage`).
pub async fn admin_renew(
    State(emu): State<Arc<Emulator>>,
    Query(q): Query<AccountQuery>,
    body: axum::body::Bytes,
) -> Response {
    let request: RenewRequest = if body.is_empty() {
        RenewRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return admin_error(StatusCode::BAD_REQUEST, &format!("bad renew request: {e}"))
            }
        }
    };
    let mut inner = emu.lock();
    let key = inner.rng.alphanumeric(30);
    let Some(account) = inner.accounts.get_mut(q.account) else {
        return no_such_account(q.account);
    };
    if request.stage {
        account.pending_key = Some(key.clone());
        Json(json!({"pending_key": key})).into_response()
    } else {
        account.api_key = key.clone();
        account.pending_key = None;
        Json(json!({"api_key": key})).into_response()
    }
}

/// POST /_emulator/renew/commit[?account=N] — the console's Save after Renew.
pub async fn admin_renew_commit(
    State(emu): State<Arc<Emulator>>,
    Query(q): Query<AccountQuery>,
) -> Response {
    let mut inner = emu.lock();
    let Some(account) = inner.accounts.get_mut(q.account) else {
        return no_such_account(q.account);
    };
    match account.pending_key.take() {
        Some(key) => {
            account.api_key = key.clone();
            Json(json!({"api_key": key})).into_response()
        }
        None => admin_error(StatusCode::CONFLICT, "no renewed key is pending"),
    }
}

/// POST /_emulator/renew/cancel[?account=N] — the console's Cancel after Renew: the old key stays.
pub async fn admin_renew_cancel(
    State(emu): State<Arc<Emulator>>,
    Query(q): Query<AccountQuery>,
) -> Response {
    let mut inner = emu.lock();
    let Some(account) = inner.accounts.get_mut(q.account) else {
        return no_such_account(q.account);
    };
    account.pending_key = None;
    Json(json!({"api_key": account.api_key})).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    /// How many recent entries to include (default 100).
    pub limit: Option<usize>,
}

/// GET /_emulator/log
pub async fn admin_log(State(emu): State<Arc<Emulator>>, Query(q): Query<LogQuery>) -> Json<Value> {
    let inner = emu.lock();
    let log = &inner.log;
    let limit = q.limit.unwrap_or(100);
    let recent = &log.recent[log.recent.len().saturating_sub(limit)..];
    Json(json!({
        "total": log.total,
        "by_status": log.by_status,
        "rate_limited": log.rate_limited,
        "resets": log.resets,
        "recent": recent,
    }))
}

/// POST /_emulator/log/reset
pub async fn admin_log_reset(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.lock().log = RequestLog::default();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    pub advance_ms: u64,
}

/// POST /_emulator/clock — moves the manual clock (only with --manual-clock).
pub async fn admin_clock(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
    let Some(manual) = &emu.manual else {
        return admin_error(
            StatusCode::CONFLICT,
            "the clock is real; start with --manual-clock",
        );
    };
    match serde_json::from_slice::<ClockRequest>(&body) {
        Ok(r) => {
            manual.advance(Duration::from_millis(r.advance_ms));
            Json(json!({"elapsed_ms": emu.clock.elapsed().as_millis() as u64})).into_response()
        }
        Err(e) => admin_error(StatusCode::BAD_REQUEST, &format!("bad clock request: {e}")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRequest {
    pub users: usize,
    pub groups: usize,
    #[serde(default = "one")]
    pub seed: u64,
    /// Users with `name.formatted` as well (real ones have only given and family names).
    #[serde(default)]
    pub name_formatted: bool,
}

fn one() -> u64 {
    1
}

/// POST /_emulator/seed[?account=N] — replaces that account's directory with fresh seed data
/// (credentials are kept).
pub async fn admin_seed(
    State(emu): State<Arc<Emulator>>,
    Query(q): Query<AccountQuery>,
    body: axum::body::Bytes,
) -> Response {
    let request: SeedRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, &format!("bad seed request: {e}")),
    };
    if request.users > 1_000_000 || request.groups > 100_000 {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "at most 1,000,000 users and 100,000 groups",
        );
    }
    let now = emu.clock.now_ms();
    let mut inner = emu.lock();
    let Some(account) = inner.accounts.get_mut(q.account) else {
        return no_such_account(q.account);
    };
    let mut dir = Directory::new(
        account.client_id.clone(),
        Rng::new(request.seed.wrapping_mul(31)),
        now,
    );
    seed::seed(
        &mut dir,
        request.users,
        request.groups,
        request.seed,
        request.name_formatted,
    );
    account.dir = dir;
    Json(json!({"users": account.dir.user_count(), "groups": account.dir.group_count()}))
        .into_response()
}

/// GET /_emulator/gate — the rule, and how many requests are parked, passed and released.
pub async fn admin_gate(State(emu): State<Arc<Emulator>>) -> Response {
    Json(emu.gate.state()).into_response()
}

/// POST /_emulator/gate — closes the gate on matching API requests (`{"path_contains", "method",
/// "pass"}`): the first `pass` go through, the rest wait until `gate/open`.
pub async fn admin_gate_close(
    State(emu): State<Arc<Emulator>>,
    body: axum::body::Bytes,
) -> Response {
    match serde_json::from_slice::<GateRule>(&body) {
        Ok(rule) => Json(emu.gate.close(rule)).into_response(),
        Err(e) => admin_error(StatusCode::BAD_REQUEST, &format!("bad gate rule: {e}")),
    }
}

/// POST /_emulator/gate/open — releases every parked request and holds nothing more.
pub async fn admin_gate_open(State(emu): State<Arc<Emulator>>) -> Response {
    Json(emu.gate.open()).into_response()
}

/// POST /_emulator/fail — the next `count` matching API requests answer `status` (after
/// authentication, before the rate limit; a 429 carries `Retry-After` for `retry_after_secs`; a
/// 2xx answers `body`).
pub async fn admin_fail(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
    let rule: FailRule = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, &format!("bad fail rule: {e}")),
    };
    let redirect = (300..400).contains(&rule.status) && rule.location.is_some();
    let success = (200..300).contains(&rule.status) && rule.body.is_some();
    if StatusCode::from_u16(rule.status).is_err() || (rule.status < 400 && !redirect && !success) {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "status must be an HTTP error status (400-599), a redirect (300-399) with a location, or a success (200-299) with a body",
        );
    }
    Json(emu.failures.add(rule)).into_response()
}

/// POST /_emulator/fail/clear — drops every scripted failure not yet used.
pub async fn admin_fail_clear(State(emu): State<Arc<Emulator>>) -> StatusCode {
    emu.failures.clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutQuery {
    pub seed: u64,
    pub index: u64,
}

/// GET /_emulator/layout?seed=S&index=N — a generated credentials page (`layouts`), rendered by
/// `www/layout.html`.
pub async fn admin_layout(Query(q): Query<LayoutQuery>) -> Response {
    Json(crate::layouts::generate(q.seed, q.index)).into_response()
}
