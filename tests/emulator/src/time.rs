//! Clocks and timestamp formats. The emulator's clock is injectable so tests control rate limits and
//! storms without sleeping; the wall clock gives the timestamps resources and `Retry-After` carry.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of monotonic and wall time.
pub trait Clock: Send + Sync {
    /// Time since the emulator started (monotonic).
    fn elapsed(&self) -> Duration;
    /// Wall-clock milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that moves only when told to: for tests and for `--manual-clock`.
#[derive(Clone, Debug)]
pub struct ManualClock {
    elapsed: Arc<Mutex<Duration>>,
    epoch_ms: i64,
}

impl ManualClock {
    /// Starts at `epoch_ms` wall time.
    pub fn new(epoch_ms: i64) -> ManualClock {
        ManualClock {
            elapsed: Arc::default(),
            epoch_ms,
        }
    }

    /// Moves time forward.
    pub fn advance(&self, by: Duration) {
        let mut e = self.elapsed.lock().unwrap_or_else(|p| p.into_inner());
        *e += by;
    }
}

impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        *self.elapsed.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn now_ms(&self) -> i64 {
        self.epoch_ms + i64::try_from(self.elapsed().as_millis()).unwrap_or(i64::MAX)
    }
}

/// Formats epoch milliseconds as P14E does in `meta.created`: ISO-8601 with milliseconds and the
/// US Mountain offset seen in real responses (`2015-04-15T12:44:14.227-06:00`).
pub fn iso_mountain(epoch_ms: i64) -> String {
    const OFFSET_MS: i64 = -6 * 3_600_000;
    let local = epoch_ms + OFFSET_MS;
    let days = local.div_euclid(86_400_000);
    let ms_of_day = local.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (ms_of_day / 3_600_000, ms_of_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, ms) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{ms:03}-06:00")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An HTTP-date (IMF-fixdate) for `Retry-After`.
pub fn http_date(epoch_ms: i64) -> String {
    let secs = u64::try_from(epoch_ms.max(0) / 1000).unwrap_or(0);
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_documented_timestamp() {
        // 2015-04-15T12:44:14.227-06:00 is 18:44:14.227 UTC.
        assert_eq!(
            iso_mountain(1_429_123_454_227),
            "2015-04-15T12:44:14.227-06:00"
        );
        assert_eq!(iso_mountain(0), "1969-12-31T18:00:00.000-06:00");
    }

    #[test]
    fn http_dates_are_imf_fixdate() {
        assert_eq!(
            http_date(1_429_123_454_227),
            "Wed, 15 Apr 2015 18:44:14 GMT"
        );
    }
}
