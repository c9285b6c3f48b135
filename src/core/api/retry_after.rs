//! `Retry-After`: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime), turned into a wait.
//!
//! P14E does not document the header, so every form is accepted and nothing is trusted blindly: a
//! date in the past means "now", garbage is ignored (the caller falls back to its own backoff), and an
//! absurd wait is capped and reported so the UI can say what happened.

use std::time::{Duration, UNIX_EPOCH};

/// The longest wait Keyward accepts from a server before capping it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// What a `Retry-After` value asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    /// The wait Keyward will honour (at most [`MAX_RETRY_AFTER`]).
    pub wait: Duration,
    /// The server's own wait when it was larger than the cap.
    pub capped_from: Option<Duration>,
}

/// Parses a header value, given the wall clock now (ms since the Unix epoch). `None` means the value
/// is absent or unusable, and the caller should back off on its own.
pub fn parse(value: Option<&str>, now_ms: u64) -> Option<RetryAfter> {
    let value = value?.trim();
    if value.is_empty() {
        return None;
    }
    let asked = if value.bytes().all(|b| b.is_ascii_digit()) {
        // Delta-seconds; a huge number saturates instead of overflowing.
        Duration::from_secs(value.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let when = httpdate::parse_http_date(value).ok()?;
        let when_ms = when
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Duration::from_millis(when_ms.saturating_sub(now_ms))
    };
    Some(if asked > MAX_RETRY_AFTER {
        RetryAfter {
            wait: MAX_RETRY_AFTER,
            capped_from: Some(asked),
        }
    } else {
        RetryAfter {
            wait: asked,
            capped_from: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wed, 15 Apr 2015 18:44:14 GMT.
    const NOW: u64 = 1_429_123_454_000;

    fn wait(value: &str) -> Option<(u64, Option<u64>)> {
        parse(Some(value), NOW).map(|r| {
            (
                r.wait.as_millis() as u64,
                r.capped_from.map(|d| d.as_secs()),
            )
        })
    }

    #[test]
    fn every_form_and_every_oddity() {
        let cases: &[(&str, Option<(u64, Option<u64>)>)] = &[
            ("0", Some((0, None))),
            ("7", Some((7_000, None))),
            (" 12 ", Some((12_000, None))),
            ("300", Some((300_000, None))),
            ("301", Some((300_000, Some(301)))),
            ("99999", Some((300_000, Some(99_999)))),
            ("999999999999999999999999", Some((300_000, Some(u64::MAX)))),
            ("Wed, 15 Apr 2015 18:44:24 GMT", Some((10_000, None))),
            ("Wednesday, 15-Apr-15 18:44:24 GMT", Some((10_000, None))),
            ("Wed Apr 15 18:44:24 2015", Some((10_000, None))),
            ("Wed, 15 Apr 2015 18:00:00 GMT", Some((0, None))),
            (
                "Thu, 16 Apr 2015 18:44:14 GMT",
                Some((300_000, Some(86_400))),
            ),
            ("-5", None),
            ("1.5", None),
            ("soon", None),
            ("", None),
            ("Wed, 32 Apr 2015 18:44:24 GMT", None),
            ("\u{202e}5", None),
        ];
        for (value, expected) in cases {
            assert_eq!(wait(value), *expected, "{value:?}");
        }
        assert_eq!(parse(None, NOW), None);
    }
}
