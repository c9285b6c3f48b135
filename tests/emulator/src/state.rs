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

/// Everything that changes while the emulator runs.
pub struct Inner {
    pub dir: Directory,
    pub client_id: String,
    pub api_key: String,
    pub pending_key: Option<String>,
    pub limiter: RateLimiter,
    pub retry_after: RetryAfter,
    pub envelope: Envelope,
    pub location_style: LocationStyle,
    pub public_base: String,
    pub faults: Faults,
    /// List filters refused with 400.
    pub refusals: crate::filter::Refusals,
    /// Answer shapes besides the envelope.
    pub shapes: crate::Shapes,
    pub storm_until: Option<Duration>,
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
        let client_id = config.client_id.clone().unwrap_or_else(|| rng.uuid());
        let api_key = config
            .api_key
            .clone()
            .unwrap_or_else(|| rng.alphanumeric(30));
        let mut dir = Directory::new(
            client_id.clone(),
            Rng::new(config.seed.wrapping_mul(31)),
            clock.now_ms(),
        );
        seed::seed(
            &mut dir,
            config.users,
            config.groups,
            config.seed,
            config.name_formatted,
        );
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
        let storm_until = (config.storm_seconds > 0)
            .then(|| clock.elapsed() + Duration::from_secs(config.storm_seconds));
        let inner = Inner {
            dir,
            client_id,
            api_key,
            pending_key: None,
            limiter: RateLimiter::new(config.rate, config.burst),
            retry_after,
            envelope: config.envelope,
            location_style: config.location_style,
            public_base: config
                .public_base
                .clone()
                .unwrap_or_else(|| default_base.to_string()),
            faults,
            refusals: crate::filter::Refusals {
                attributes: config.refuse_filter_attributes.clone(),
                operators: config.refuse_filter_operators.clone(),
            },
            shapes: crate::Shapes::default(),
            storm_until,
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

    pub fn summary(&self) -> Summary {
        let inner = self.lock();
        Summary {
            users: inner.dir.user_count(),
            groups: inner.dir.group_count(),
            client_id: inner.client_id.clone(),
            api_key: inner.api_key.clone(),
        }
    }

    fn state_json(&self) -> Value {
        let inner = self.lock();
        let now = self.clock.elapsed();
        let storm_ms = inner
            .storm_until
            .map_or(0, |u| u.saturating_sub(now).as_millis() as u64);
        json!({
            "client_id": inner.client_id,
            "api_key": inner.api_key,
            "pending_key": inner.pending_key,
            "users": inner.dir.user_count(),
            "groups": inner.dir.group_count(),
            "rate": inner.limiter.rate,
            "burst": inner.limiter.burst,
            "retry_after": inner.retry_after,
            "envelope": inner.envelope,
            "location_style": inner.location_style,
            "public_base": inner.public_base,
            "faults": inner.faults,
            "refuse_filter": inner.refusals,
            "shapes": inner.shapes,
            "storm_remaining_ms": storm_ms,
            "manual_clock": self.manual.is_some(),
            "gate": self.gate.state(),
            "failures": self.failures.pending(),
        })
    }
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

/// GET /_emulator/state
pub async fn admin_state(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    Json(emu.state_json())
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
    /// Start a 429 storm lasting this many seconds from now (0 ends one).
    pub storm_seconds: Option<f64>,
}

/// POST or PATCH /_emulator/config
pub async fn admin_config(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
    let patch: ConfigPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return admin_error(StatusCode::BAD_REQUEST, &format!("bad config: {e}")),
    };
    {
        let mut inner = emu.lock();
        let (rate, burst) = (
            patch.rate.unwrap_or(inner.limiter.rate),
            patch.burst.unwrap_or(inner.limiter.burst),
        );
        inner.limiter.reconfigure(rate, burst);
        if let Some(r) = patch.retry_after {
            inner.retry_after = r;
        }
        if let Some(e) = patch.envelope {
            inner.envelope = e;
        }
        if let Some(l) = patch.location_style {
            inner.location_style = l;
        }
        if let Some(f) = patch.faults {
            inner.faults.apply(f);
        }
        if let Some(r) = patch.refuse_filter {
            inner.refusals = r;
        }
        if let Some(s) = patch.shapes {
            inner.shapes = s;
        }
        if let Some(secs) = patch.storm_seconds {
            let secs = if secs.is_finite() {
                secs.clamp(0.0, 86_400.0)
            } else {
                0.0
            };
            inner.storm_until =
                (secs > 0.0).then(|| emu.clock.elapsed() + Duration::from_secs_f64(secs));
        }
    }
    Json(emu.state_json()).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct RenewRequest {
    /// Stage a new key (the console's Renew) without invalidating the old one until commit (Save).
    #[serde(default)]
    pub stage: bool,
}

/// POST /_emulator/renew — a new key; the old one stops working at once (unless `stage`).
pub async fn admin_renew(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
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
    if request.stage {
        inner.pending_key = Some(key.clone());
        Json(json!({"pending_key": key})).into_response()
    } else {
        inner.api_key = key.clone();
        inner.pending_key = None;
        Json(json!({"api_key": key})).into_response()
    }
}

/// POST /_emulator/renew/commit — the console's Save after Renew.
pub async fn admin_renew_commit(State(emu): State<Arc<Emulator>>) -> Response {
    let mut inner = emu.lock();
    match inner.pending_key.take() {
        Some(key) => {
            inner.api_key = key.clone();
            Json(json!({"api_key": key})).into_response()
        }
        None => admin_error(StatusCode::CONFLICT, "no renewed key is pending"),
    }
}

/// POST /_emulator/renew/cancel — the console's Cancel after Renew: the old key stays.
pub async fn admin_renew_cancel(State(emu): State<Arc<Emulator>>) -> Json<Value> {
    let mut inner = emu.lock();
    inner.pending_key = None;
    Json(json!({"api_key": inner.api_key}))
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

/// POST /_emulator/seed — replaces the directory with fresh seed data (credentials are kept).
pub async fn admin_seed(State(emu): State<Arc<Emulator>>, body: axum::body::Bytes) -> Response {
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
    let mut dir = Directory::new(
        inner.client_id.clone(),
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
    inner.dir = dir;
    Json(json!({"users": inner.dir.user_count(), "groups": inner.dir.group_count()}))
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
