//! `p14e-emulator` as a library: a faithful local stand-in for the PingOne for Enterprise Directory
//! API (SCIM 1.1) and the sandbox admin console, for Keyward's demo and tests.
//!
//! Everything documented in `shared/docs/directory-api.md` is served under `/api` (and the older
//! `/v1` aliases); where the docs are silent the behaviour is switchable (list envelope, Retry-After,
//! location style). An admin API under `/_emulator/` sets faults, renews the key, reads the request
//! log, moves a manual clock, and holds or fails chosen requests (a gate and scripted failures) so
//! tests stop work mid-way without relying on timing. The sandbox console (`www/`) is served at `/`.

pub mod api;
pub mod auth;
pub mod control;
pub mod directory;
pub mod faults;
pub mod filter;
pub mod generated;
pub mod layouts;
pub mod ratelimit;
pub mod rng;
pub mod seed;
pub mod state;
pub mod strict;
pub mod time;
pub mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::routing::{any, get, post};
use axum::Router;
use clap::Parser;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

pub use state::Emulator;

/// The list envelope: P14E's observed one or SCIM 1.1's.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Envelope {
    /// `resources` in lower case, plus `count` and `itemsPerPage: 0` (as seen in real traffic).
    #[default]
    Observed,
    /// SCIM 1.1: `Resources`, `itemsPerPage` = the page length.
    Scim,
    /// Only `resources`: no `totalResults`, no `schemas` (seen from the real service).
    Bare,
    /// `startIndex: 0` and empty `schemas` whatever was asked (seen from the real service).
    ZeroStart,
}

/// Answer shapes seen from the real service besides the list envelope, switchable at run time
/// (`PATCH /_emulator/config {"shapes": {...}}`), so the client is tested against each.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Shapes {
    /// `Errors[].code` as a number (`400`) instead of a string (`"400"`).
    pub numeric_error_code: bool,
    /// 429 and 5xx answers are an HTML page (`text/html`), as a proxy in front of the service sends.
    pub html_errors: bool,
    /// Group lists leave out `members` (reading one group still has them).
    pub group_lists_without_members: bool,
    /// Paging ignores `startIndex`: every page is the first.
    pub ignore_start_index: bool,
    /// From this page on (0-based; 0 = never) every page repeats the one before it: a server stuck
    /// on a page.
    pub stuck_from_page: u32,
    /// Reading a group lists at most this many members (0 = all), while `users/count` still counts
    /// every user member: a service that truncates member lists.
    pub group_members_listed_at_most: u32,
}

/// How 429 answers carry `Retry-After`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RetryAfterMode {
    /// No header (as documented).
    #[default]
    Absent,
    /// Delta-seconds.
    Seconds,
    /// An HTTP-date.
    Date,
}

/// Command-line configuration. Every fault can also be changed at run time through the admin API.
#[derive(Clone, Debug, Parser)]
#[command(name = "p14e-emulator", version, about, long_about = None, args_override_self = true)]
pub struct Config {
    /// TCP port on 127.0.0.1 (0 picks a free one; the chosen URL is printed).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,

    /// Also serve everything over HTTPS with HTTP/2 on this port of 127.0.0.1 (0 picks a free
    /// one), with a self-signed certificate for loopback and the real API host names.
    #[arg(long)]
    pub tls_port: Option<u16>,

    /// Folder served at `/`: the sandbox console replica and demo pages.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www"))]
    pub www: PathBuf,

    /// Seeded users (deterministic for a given --seed).
    #[arg(long, default_value_t = 25)]
    pub users: usize,

    /// Seeded groups besides the built-in "Users" and "Domain Administrators" (some nested).
    #[arg(long, default_value_t = 6)]
    pub groups: usize,

    /// Seed for data, ids, credentials and fault draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Give seeded users `name.formatted` too. Real P14E users carry only `givenName` and
    /// `familyName`, so by default neither do ours.
    #[arg(long)]
    pub name_formatted: bool,

    /// The first account's Client ID (default: a UUID derived from --seed).
    #[arg(long)]
    pub client_id: Option<String>,

    /// The first account's initial API key (default: random, derived from --seed).
    #[arg(long)]
    pub api_key: Option<String>,

    /// Accounts served, each with its own Client ID, key, directory (seeded alike from the next
    /// seeds) and token bucket; the admin API picks one with `?account=N`, the console with
    /// `?account=N` in its URL.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub accounts: u16,

    /// Requests per second allowed per client ID (token bucket refill rate).
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,

    /// Token bucket size: requests allowed at once before 429s.
    #[arg(long, default_value_t = 20.0)]
    pub burst: f64,

    /// Retry-After on 429 answers: absent (as documented), seconds, or an HTTP-date.
    #[arg(long, value_enum, default_value_t = RetryAfterMode::Absent)]
    pub retry_after: RetryAfterMode,

    /// A fixed raw Retry-After value on every 429 (overrides --retry-after), e.g. "99999" or "soon".
    #[arg(long)]
    pub retry_after_value: Option<String>,

    /// List envelope: observed (lower-case `resources`, `count`), scim (`Resources`), bare (only
    /// `resources`) or zerostart (`startIndex: 0`, empty `schemas`).
    #[arg(long, value_enum, default_value_t = Envelope::Observed)]
    pub envelope: Envelope,

    /// meta.location form: directory ({base}/directory/user/{id}) or v1 ({origin}/v1/user/{id}).
    #[arg(long, value_enum, default_value_t = directory::LocationStyle::Directory)]
    pub location_style: directory::LocationStyle,

    /// Public API base written into meta.location (default: http://127.0.0.1:PORT/api).
    #[arg(long)]
    pub public_base: Option<String>,

    /// Fixed latency added to every API answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,

    /// Random extra latency, uniformly 0..=N milliseconds.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,

    /// Share (0..1) of API answers replaced by a 500, 502 or 503.
    #[arg(long, default_value_t = 0.0)]
    pub error_share: f64,

    /// Share (0..1) of API answers whose connection is reset mid-response.
    #[arg(long, default_value_t = 0.0)]
    pub reset_share: f64,

    /// Share (0..1) of JSON answers cut off halfway.
    #[arg(long, default_value_t = 0.0)]
    pub truncate_share: f64,

    /// Share (0..1) of API answers served as an HTML page (text/html) instead of JSON.
    #[arg(long, default_value_t = 0.0)]
    pub wrong_content_type_share: f64,

    /// Refuse list filters naming this attribute with 400, as a server that does not support it
    /// (repeatable; e.g. `name.givenName`).
    #[arg(long = "refuse-filter-attribute")]
    pub refuse_filter_attributes: Vec<String>,

    /// Refuse list filters using this operator with 400 (repeatable; e.g. `co`).
    #[arg(long = "refuse-filter-operator")]
    pub refuse_filter_operators: Vec<String>,

    /// The strict profile: filters on few attributes, `eq` with case, no escapes in values, sorts
    /// by `userName` only, `count` at most 1000 (see `strict`).
    #[arg(long)]
    pub strict: bool,

    /// Answer every API request with 429 for this many seconds from start.
    #[arg(long, default_value_t = 0)]
    pub storm_seconds: u64,

    /// Freeze the clock: it moves only through POST /_emulator/clock (for exact rate-limit tests).
    #[arg(long)]
    pub manual_clock: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config::parse_from(["p14e-emulator"])
    }
}

/// Is this origin a loopback page (wasm-bindgen-test, the sandbox)? Only those get CORS.
fn loopback_origin(origin: &HeaderValue) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    let host = rest.map(|r| {
        r.rsplit_once(':')
            .map_or(r, |(h, p)| if p.parse::<u16>().is_ok() { h } else { r })
    });
    matches!(host, Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// Builds the router: the API, the admin API, CORS for loopback origins, and `www/` at `/`.
pub fn app(emulator: Arc<Emulator>, www: PathBuf) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin, _| loopback_origin(origin)))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER]);
    Router::new()
        .route("/api/{*rest}", any(api::handle))
        .route("/v1/{*rest}", any(api::handle))
        .route("/_emulator/state", get(state::admin_state))
        .route(
            "/_emulator/config",
            post(state::admin_config).patch(state::admin_config),
        )
        .route("/_emulator/renew", post(state::admin_renew))
        .route("/_emulator/renew/commit", post(state::admin_renew_commit))
        .route("/_emulator/renew/cancel", post(state::admin_renew_cancel))
        .route("/_emulator/log", get(state::admin_log))
        .route("/_emulator/log/reset", post(state::admin_log_reset))
        .route("/_emulator/clock", post(state::admin_clock))
        .route("/_emulator/seed", post(state::admin_seed))
        .route(
            "/_emulator/gate",
            get(state::admin_gate).post(state::admin_gate_close),
        )
        .route("/_emulator/gate/open", post(state::admin_gate_open))
        .route("/_emulator/fail", post(state::admin_fail))
        .route("/_emulator/fail/clear", post(state::admin_fail_clear))
        .route("/_emulator/layout", get(state::admin_layout))
        .with_state(emulator)
        .layer(cors)
        .fallback_service(ServeDir::new(www))
}

/// Binds 127.0.0.1 only, prints the base URL and the sandbox credentials, and serves until Ctrl-C.
pub async fn serve(config: Config) -> std::io::Result<()> {
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port))).await?;
    let addr = listener.local_addr()?;
    let started = std::time::Instant::now();
    let emulator = Arc::new(Emulator::from_config(
        &config,
        &format!("http://{addr}/api"),
    ));
    let summaries = emulator.summaries();
    println!("p14e-emulator listening on http://{addr}/");
    println!("  API base:        http://{addr}/api");
    for (index, summary) in summaries.iter().enumerate() {
        let console = if index == 0 {
            format!("http://{addr}/#/setup/directory/api-credentials")
        } else {
            format!("http://{addr}/?account={index}#/setup/directory/api-credentials")
        };
        println!(
            "  account {index}: {} users and {} groups",
            summary.users, summary.groups
        );
        println!("    sandbox console: {console}");
        println!("    Client ID:       {}", summary.client_id);
        println!("    API key:         {}", summary.api_key);
    }
    println!("  seeded in {:.2} s", started.elapsed().as_secs_f64());
    let router = app(emulator, config.www);
    let tls = match config.tls_port {
        Some(port) => {
            let tcp = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
                .await?;
            let tls = tls::TlsListener::new(tcp)?;
            println!(
                "  HTTPS (HTTP/2):  https://{}/ (self-signed, for {})",
                axum::serve::Listener::local_addr(&tls)?,
                tls::CERTIFIED_NAMES.join(", ")
            );
            Some(tls)
        }
        None => None,
    };
    let stopped = || async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let plain = axum::serve(listener, router.clone()).with_graceful_shutdown(stopped());
    match tls {
        Some(tls) => {
            let secure = axum::serve(tls, router).with_graceful_shutdown(stopped());
            tokio::try_join!(async { plain.await }, async { secure.await }).map(|_| ())
        }
        None => plain.await,
    }
}
