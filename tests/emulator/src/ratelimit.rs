//! A token bucket per client id: `rate` tokens per second up to `burst`. P14E documents 429 but no
//! numbers, so these are configurable (default 10/s, burst 20), and so is the `Retry-After` header,
//! which P14E does not document (absent by default).

use std::collections::HashMap;
use std::time::Duration;

/// What 429 answers say about when to come back.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "value")]
pub enum RetryAfter {
    /// No header, as documented.
    #[default]
    Absent,
    /// Delta-seconds until a token is available.
    Seconds,
    /// An HTTP-date when a token is available.
    Date,
    /// A fixed raw header value, for testing clients against odd or absurd values.
    Fixed(String),
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Duration,
}

/// Token buckets keyed by client id.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    pub rate: f64,
    pub burst: f64,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> RateLimiter {
        RateLimiter {
            rate: rate.max(0.0),
            burst: burst.max(1.0),
            buckets: HashMap::new(),
        }
    }

    /// Takes a token for `key` at time `now`; `Err(wait)` says how long until one is available.
    pub fn take(&mut self, key: &str, now: Duration) -> Result<(), Duration> {
        let (rate, burst) = (self.rate, self.burst);
        let bucket = self.buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let elapsed = now.saturating_sub(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if rate <= 0.0 {
            Err(Duration::from_secs(3600))
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    /// Changes the limits; buckets refill at the new rate from now on.
    pub fn reconfigure(&mut self, rate: f64, burst: f64) {
        self.rate = rate.max(0.0);
        self.burst = burst.max(1.0);
        for b in self.buckets.values_mut() {
            b.tokens = b.tokens.min(self.burst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let mut rl = RateLimiter::new(10.0, 20.0);
        let t0 = Duration::ZERO;
        for _ in 0..20 {
            assert!(rl.take("a", t0).is_ok());
        }
        let wait = rl.take("a", t0).expect_err("the bucket is empty");
        assert_eq!(wait, Duration::from_millis(100));
        assert!(rl.take("b", t0).is_ok(), "buckets are per client id");
        assert!(rl.take("a", Duration::from_millis(100)).is_ok());
        assert!(rl.take("a", Duration::from_millis(100)).is_err());
        // One second refills ten tokens, never more than the burst.
        let t = Duration::from_millis(1100);
        for _ in 0..10 {
            assert!(rl.take("a", t).is_ok());
        }
        assert!(rl.take("a", t).is_err());
    }
}
