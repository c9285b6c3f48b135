//! Calendar arithmetic on epoch milliseconds, in one place: day numbers, UTC and local dates,
//! ISO 8601 / RFC 3339 printing and parsing. Everything is proleptic Gregorian and UTC unless an
//! offset is passed in (the edge asks the browser for it, so the core never reads a clock or zone).

/// One day in milliseconds.
pub const DAY_MS: u64 = 86_400_000;

/// A calendar date (UTC) for epoch milliseconds: `2026-11-26`.
pub fn utc_date(ms: u64) -> String {
    date_of_day((ms / DAY_MS) as i64)
}

/// The calendar date `YYYY-MM-DD` of a day number (days since 1970-01-01, negative before).
pub fn date_of_day(day: i64) -> String {
    // Howard Hinnant's civil-from-days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// 28 to 31: a day past it is no date at all (2024-02-31 is refused, not read as 2 March).
fn days_in_month(y: i64, m: i64) -> i64 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` into epoch milliseconds.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return None;
        }
        let padded = format!("{:0<3}", &digits[..digits.len().min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset_min = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body = &rest[1..];
            let (oh, om) = match body.len() {
                5 if body.as_bytes()[2] == b':' => (
                    body[..2].parse::<i64>().ok()?,
                    body[3..].parse::<i64>().ok()?,
                ),
                4 => (
                    body[..2].parse::<i64>().ok()?,
                    body[2..].parse::<i64>().ok()?,
                ),
                2 => (body.parse::<i64>().ok()?, 0),
                _ => return None,
            };
            sign * (oh * 60 + om)
        }
    };
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + se * 1000 + millis)
}

/// A local date and time, `2026-11-26 09:37`, for an instant and the local offset at that instant
/// (minutes east of UTC; the edge asks the browser, so DST is right for each date).
pub fn local_time(ms: i64, offset_minutes: i32) -> String {
    let local = ms + i64::from(offset_minutes) * 60_000;
    let day = local.div_euclid(86_400_000);
    let minute_of_day = local.rem_euclid(86_400_000) / 60_000;
    let date = date_of_day(day);
    format!("{date} {:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

/// `2015-04-15T18:44:14Z`.
pub fn iso_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000).rem_euclid(60);
    format!("{}:{secs:02}Z", local_time(ms, 0).replace(' ', "T"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_are_refused_not_rolled_over() {
        for bad in [
            "2024-02-30T00:00:00Z",
            "2024-02-31T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2026-04-31T12:00:00Z",
            "2100-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-01T24:00:00Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
        for good in [
            "2024-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2026-04-30T23:59:59Z",
        ] {
            let ms = parse_iso8601(good).expect(good);
            assert_eq!(iso_time(ms), good);
        }
    }

    #[test]
    fn every_day_round_trips_through_the_calendar() {
        // Every day of 1600 to 2400: four centuries and both kinds of century year.
        for day in -135_140..157_100_i64 {
            let date = date_of_day(day);
            let ms = parse_iso8601(&format!("{date}T00:00:00Z"))
                .unwrap_or_else(|| panic!("{date} parses"));
            assert_eq!(ms.div_euclid(DAY_MS as i64), day, "{date}");
        }
    }

    #[test]
    fn offsets_and_fractions() {
        let base = parse_iso8601("2015-04-15T18:44:14Z").expect("parses");
        assert_eq!(iso_time(base), "2015-04-15T18:44:14Z");
        assert_eq!(parse_iso8601("2015-04-15T20:44:14+02:00"), Some(base));
        assert_eq!(parse_iso8601("2015-04-15T13:44:14-0500"), Some(base));
        assert_eq!(parse_iso8601("2015-04-15T18:44:14.5Z"), Some(base + 500));
        assert_eq!(utc_date(base as u64), "2015-04-15");
        assert_eq!(local_time(base, 120), "2015-04-15 20:44");
        assert_eq!(local_time(base, -19 * 60), "2015-04-14 23:44");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_767_225_600_000), "2026-01-01");
        assert_eq!(utc_date(1_767_225_600_000 + 59 * DAY_MS), "2026-03-01");
        assert_eq!(utc_date(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn local_times_apply_the_offset_of_the_instant() {
        assert_eq!(local_time(1_429_123_454_227, 0), "2015-04-15 18:44");
        assert_eq!(local_time(1_429_123_454_227, -360), "2015-04-15 12:44");
        assert_eq!(local_time(0, 60), "1970-01-01 01:00");
        assert_eq!(local_time(-60_000, 0), "1969-12-31 23:59");
    }
}
