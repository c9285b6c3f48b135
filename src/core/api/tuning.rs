//! The scheduler's tuning, below both the scheduler and the pace it keeps per client: the clock's
//! unit, when to give up retrying, and the constants of pacing with their defaults.

use std::time::Duration;

/// Milliseconds on a monotonic clock chosen by the caller.
pub type Millis = u64;

/// When to give up retrying.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Total time spent waiting between attempts.
    pub max_total_wait: Duration,
    /// Full-jitter backoff: a random wait in `[0, min(cap, base * 2^retry))`.
    pub base: Duration,
    pub cap: Duration,
}

impl RetryPolicy {
    /// Interactive lookups: a person is waiting, so fail clearly rather than hang.
    pub const INTERACTIVE: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        max_total_wait: Duration::from_secs(30),
        base: Duration::from_millis(500),
        cap: Duration::from_secs(8),
    };
    /// Bulk export: ride out storms; the export page shows the wait.
    pub const BULK: RetryPolicy = RetryPolicy {
        max_attempts: 12,
        max_total_wait: Duration::from_secs(600),
        base: Duration::from_millis(500),
        cap: Duration::from_secs(30),
    };

    /// The wait before the next attempt, after `failures` failed ones and `waited` so far; `None` to
    /// give up. `unit` is a random number in [0, 1).
    pub fn next_wait(
        &self,
        failures: u32,
        waited: Duration,
        server_wait: Option<Duration>,
        unit: f64,
    ) -> Option<Duration> {
        if failures >= self.max_attempts {
            return None;
        }
        let wait = match server_wait {
            Some(w) => w,
            None => {
                let exp = self.base.saturating_mul(
                    1u32.checked_shl(failures.saturating_sub(1))
                        .unwrap_or(u32::MAX),
                );
                exp.min(self.cap).mul_f64(unit.clamp(0.0, 1.0))
            }
        };
        (waited + wait <= self.max_total_wait).then_some(wait)
    }
}

/// Tuning. The defaults suit P14E's documented silence: no limit is published, so it is learned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// The hard cap on requests in flight, all clients together (a setting). Each client keeps
    /// as many in flight as its learned rate times its observed round trip needs, within it.
    pub max_in_flight: usize,
    /// The pace before anything is learned: fast, to spend the burst a fresh bucket holds, but
    /// no faster than needed — every request sent after the bucket runs dry and before that first
    /// 429 comes back is a 429 too, so at a round trip under 1/`spend_rate` just one is in flight.
    pub spend_rate: f64,
    /// A job of at most `spend_rate × short_job_secs` requests spends a fresh bucket fast: few
    /// limits run dry within a few seconds of that pace, and one that does costs fewer seconds in
    /// 429s than a careful approach would. A longer job approaches the limit.
    pub short_job_secs: f64,
    /// A careful approach starts with this many requests in flight, and adds one every
    /// `approach_step_ms`: when the bucket runs dry, about as many as are in flight past the limit
    /// come back 429.
    pub approach_in_flight: f64,
    pub approach_step_ms: Millis,
    /// Nor faster than this share of its base a second.
    pub approach_rise: f64,
    /// After a first empty bucket, the approach starts again from this share of the pace that
    /// emptied it, so that the next empty bucket measures the rate.
    pub approach_back: f64,
    /// The measured rate is held this share under (and under by its error), so the bucket fills
    /// slowly instead of running dry.
    pub hold_margin: f64,
    /// How long a held pace is kept before approaching the limit again (it may have been raised).
    pub reprobe_ms: Millis,
    pub min_rate: f64,
    pub max_rate: f64,
    /// Multiplicative decrease on a 429 that measures nothing (a storm, or too short a time).
    pub decrease: f64,
    pub interactive: RetryPolicy,
    pub bulk: RetryPolicy,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            spend_rate: 35.0,
            short_job_secs: 3.0,
            approach_in_flight: 2.0,
            approach_step_ms: 4_000,
            approach_rise: 0.1,
            approach_back: 0.5,
            hold_margin: 0.03,
            reprobe_ms: 600_000,
            min_rate: 0.2,
            max_rate: 50.0,
            decrease: 0.85,
            interactive: RetryPolicy::INTERACTIVE,
            bulk: RetryPolicy::BULK,
        }
    }
}

/// The default hard cap on requests in flight: room to spend a fresh bucket at `spend_rate` over a
/// 400 ms round trip that grows to 600 ms with pages of 1000 (22), with a slot left for a lookup.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 24;
/// The settings' bounds for the hard cap.
pub const MAX_IN_FLIGHT_RANGE: std::ops::RangeInclusive<usize> = 1..=32;
/// In flight per client before its round trip is known: a few, as a browser opens a few
/// connections to a host, so a long first round trip does not hold a fresh bucket idle.
pub const INITIAL_CLIENT_IN_FLIGHT: usize = 8;
