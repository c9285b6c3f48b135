//! Key age and renewal reminders: how old each account's key is, when it is due, which reminder is
//! owed, and what the toolbar badge says.
//!
//! P14E shows no key age, so Keyward counts from a date it knows: a renewal it saw, or the date the
//! admin gave. A key merely first seen may be years old: its age is unknown, and it is due for review
//! at once rather than counted as new. Ages are measured on the UTC millisecond clock, so time zones and DST cannot shift them; a clock
//! that jumps backwards yields age zero and never re-sends a reminder already sent.

pub mod check;

use crate::core::shared::dates::{utc_date, DAY_MS};
use serde::{Deserialize, Serialize};

/// When keys are due and when to remind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Days a key may live (90 by default: AWS Config `access-keys-rotated`, CIS benchmarks).
    pub rotation_days: u32,
    /// Days before the due date that a reminder is sent, e.g. 30, 14, 7 and 1.
    pub remind_before: Vec<u32>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            rotation_days: 90,
            remind_before: vec![30, 14, 7, 1],
        }
    }
}

impl Schedule {
    /// A schedule from a rotation period (1–730 days) and up to 8 reminder days, each at least 1 and
    /// shorter than the period; the days are sorted, most distant first, without repeats.
    pub fn checked(rotation_days: u32, remind_before: Vec<u32>) -> Result<Schedule, &'static str> {
        if !(1..=730).contains(&rotation_days) {
            return Err("the rotation period must be a whole number of days from 1 to 730");
        }
        if remind_before.iter().any(|d| *d < 1 || *d >= rotation_days) {
            return Err(
                "reminder days must be whole numbers, each shorter than the rotation period",
            );
        }
        // Most distant first, without repeats: each day is put in its place (the days are all
        // shorter than the period, so there are at most 729 places, whatever storage held).
        let mut days: Vec<u32> = Vec::new();
        for day in remind_before {
            if let Err(at) = days.binary_search_by(|d| day.cmp(d)) {
                days.insert(at, day);
            }
        }
        if days.len() > 8 {
            return Err("at most 8 reminder days");
        }
        Ok(Schedule {
            rotation_days,
            remind_before: days,
        })
    }
}

/// How Keyward knows when the key in force began (stored beside the date).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySince {
    /// First seen then, and it may be far older; the admin has not been asked yet.
    #[default]
    FirstSeen,
    /// First seen then; asked, the admin did not know when it was created.
    Unknown,
    /// Created or last renewed then, in the admin's word.
    Stated,
    /// Renewed then: Keyward saw it happen.
    Renewed,
}

impl KeySince {
    /// Whether the date is the key's start, not only when Keyward first saw it.
    pub fn known(self) -> bool {
        matches!(self, KeySince::Stated | KeySince::Renewed)
    }

    /// The default, left out of stored records (they read the same in older releases).
    pub fn is_first_seen(&self) -> bool {
        *self == KeySince::FirstSeen
    }
}

/// How urgent a key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Fresh,
    /// Within the first reminder window.
    DueSoon,
    /// Its age is unknown: due for review (tell Keyward its date, or renew it).
    Unknown,
    Overdue,
}

/// A key's age against the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyAge {
    /// `None` when unknown.
    pub age_days: Option<u64>,
    /// When the key began, or (age unknown) when Keyward first saw it.
    pub since_ms: u64,
    pub due_ms: u64,
    /// Whole days until due (rounded up); zero or less once due, and zero when the age is unknown.
    pub days_left: i64,
    pub level: Level,
}

/// The stage of a key whose age is unknown: above every reminder day (at most 729), so it is owed
/// once, and any stage of a known age comes after it.
const UNKNOWN_STAGE: i64 = 1_000;

/// Assesses a key that began (or, age unknown, was first seen) at `since_ms`. An unknown age is
/// due for review now, at the admin's horizon, not counted as new.
pub fn assess(since_ms: u64, since: KeySince, now_ms: u64, schedule: &Schedule) -> KeyAge {
    if !since.known() {
        return KeyAge {
            age_days: None,
            since_ms,
            due_ms: since_ms,
            days_left: 0,
            level: Level::Unknown,
        };
    }
    let age_days = now_ms.saturating_sub(since_ms) / DAY_MS;
    let due_ms = since_ms.saturating_add(u64::from(schedule.rotation_days) * DAY_MS);
    let left_ms = due_ms as i128 - now_ms as i128;
    let day = DAY_MS as i128;
    // Round up: 0.5 days left is "due in 1 day"; exactly due (or past) is 0 or negative.
    let days_left = if left_ms > 0 {
        (left_ms + day - 1) / day
    } else {
        -((-left_ms) / day)
    } as i64;
    let window = schedule.remind_before.iter().copied().max().unwrap_or(0) as i64;
    let level = if left_ms <= 0 {
        Level::Overdue
    } else if days_left <= window {
        Level::DueSoon
    } else {
        Level::Fresh
    };
    KeyAge {
        age_days: Some(age_days),
        since_ms,
        due_ms,
        days_left,
        level,
    }
}

/// The reminder stage a key is in: a reminder is owed once per stage. Before the due date the stage
/// is the tightest window reached (30, 14, 7, 1); once due it is the overdue day (0, -1, -2 …), so an
/// overdue key is reminded daily.
pub fn stage(age: &KeyAge, schedule: &Schedule) -> Option<i64> {
    match age.level {
        Level::Overdue => return Some(age.days_left.min(0)),
        Level::Unknown => return Some(UNKNOWN_STAGE),
        Level::Fresh | Level::DueSoon => {}
    }
    schedule
        .remind_before
        .iter()
        .map(|d| i64::from(*d))
        .filter(|d| age.days_left <= *d)
        .min()
}

/// What was last sent for an account, and any snooze.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderState {
    pub notified_stage: Option<i64>,
    pub notified_at_ms: Option<u64>,
    pub snoozed_until_ms: Option<u64>,
}

/// Whether a reminder is owed now, and for which stage.
pub fn reminder_owed(
    age: &KeyAge,
    schedule: &Schedule,
    state: &ReminderState,
    now_ms: u64,
) -> Option<i64> {
    let stage = stage(age, schedule)?;
    if state.snoozed_until_ms.is_some_and(|until| now_ms < until) {
        return None;
    }
    if state.notified_at_ms.is_some_and(|at| now_ms < at) {
        // The clock went backwards: never repeat what was already sent.
        return None;
    }
    match state.notified_stage {
        Some(sent) if sent <= stage => None,
        _ => Some(stage),
    }
}

/// The toolbar badge for the worst key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    /// `#rrggbb`.
    pub color: &'static str,
    pub title: String,
}

fn days(n: u64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// The badge for the most urgent of the given ages; empty when nothing is due soon.
pub fn badge(ages: &[KeyAge]) -> Badge {
    let worst = ages.iter().max_by_key(|a| (a.level, -a.days_left));
    match worst {
        Some(a) if a.level == Level::Overdue => Badge {
            text: "!".into(),
            color: "#cf222e",
            title: format!(
                "Keyward: an API key is overdue for renewal by {}",
                days((-a.days_left) as u64)
            ),
        },
        Some(a) if a.level == Level::Unknown => Badge {
            text: "?".into(),
            color: "#bf8700",
            title: "Keyward: an API key's age is unknown; tell Keyward when it was created, or renew it".into(),
        },
        Some(a) if a.level == Level::DueSoon => Badge {
            text: format!("{}d", a.days_left),
            color: "#bf8700",
            title: format!(
                "Keyward: an API key is due for renewal in {}",
                days(a.days_left as u64)
            ),
        },
        _ => Badge {
            text: String::new(),
            color: "#0b5cad",
            title: "Keyward".into(),
        },
    }
}

/// A sentence for the banner and notifications.
pub fn describe(age: &KeyAge) -> String {
    let Some(age_days) = age.age_days else {
        return format!(
            "Key age unknown \u{2014} first seen {}: due for review. Tell Keyward when it was created or last renewed, or renew it.",
            utc_date(age.since_ms)
        );
    };
    match age.level {
        Level::Overdue if age.days_left == 0 => {
            format!("Key age {}: due for renewal today.", days(age_days))
        }
        Level::Overdue => format!(
            "Key age {}: overdue for renewal by {}.",
            days(age_days),
            days((-age.days_left) as u64)
        ),
        _ => format!(
            "Key age {}: due for renewal in {}.",
            days(age_days),
            days(age.days_left as u64)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn at(days: f64) -> u64 {
        T0 + (days * DAY_MS as f64) as u64
    }

    #[test]
    fn every_boundary() {
        let s = Schedule::default();
        let cases: &[(f64, u64, i64, Level, Option<i64>)] = &[
            // days since the key was seen, age, days left, level, stage
            (0.0, 0, 90, Level::Fresh, None),
            (59.0, 59, 31, Level::Fresh, None),
            (59.5, 59, 31, Level::Fresh, None),
            (60.0, 60, 30, Level::DueSoon, Some(30)),
            (75.9, 75, 15, Level::DueSoon, Some(30)),
            (76.0, 76, 14, Level::DueSoon, Some(14)),
            (83.0, 83, 7, Level::DueSoon, Some(7)),
            (89.0, 89, 1, Level::DueSoon, Some(1)),
            (89.99, 89, 1, Level::DueSoon, Some(1)),
            (90.0, 90, 0, Level::Overdue, Some(0)),
            (90.5, 90, 0, Level::Overdue, Some(0)),
            (91.0, 91, -1, Level::Overdue, Some(-1)),
            (400.0, 400, -310, Level::Overdue, Some(-310)),
        ];
        for &(days, age_days, days_left, level, st) in cases {
            let a = assess(T0, KeySince::Renewed, at(days), &s);
            assert_eq!(
                (a.age_days, a.days_left, a.level),
                (Some(age_days), days_left, level),
                "day {days}"
            );
            assert_eq!(stage(&a, &s), st, "day {days}");
        }
    }

    #[test]
    fn a_backwards_clock_is_age_zero_and_repeats_nothing() {
        let s = Schedule::default();
        let a = assess(T0, KeySince::Renewed, T0 - 5 * DAY_MS, &s);
        assert_eq!((a.age_days, a.level), (Some(0), Level::Fresh));
        let sent = ReminderState {
            notified_stage: Some(7),
            notified_at_ms: Some(at(83.0)),
            snoozed_until_ms: None,
        };
        let earlier = assess(T0, KeySince::Renewed, at(82.0), &s);
        assert_eq!(reminder_owed(&earlier, &s, &sent, at(82.0)), None);
    }

    #[test]
    fn each_reminder_once_then_daily_when_overdue_and_snoozes_hold() {
        let s = Schedule::default();
        let mut state = ReminderState::default();
        let mut sent = Vec::new();
        for hour in 0..(100 * 24) {
            let now = T0 + hour * 3_600_000;
            let a = assess(T0, KeySince::Renewed, now, &s);
            if let Some(stage) = reminder_owed(&a, &s, &state, now) {
                sent.push(stage);
                state.notified_stage = Some(stage);
                state.notified_at_ms = Some(now);
            }
        }
        assert_eq!(sent, [30, 14, 7, 1, 0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
        let snoozed = ReminderState {
            snoozed_until_ms: Some(at(95.0)),
            ..ReminderState::default()
        };
        assert_eq!(
            reminder_owed(
                &assess(T0, KeySince::Renewed, at(94.0), &s),
                &s,
                &snoozed,
                at(94.0)
            ),
            None
        );
        assert_eq!(
            reminder_owed(
                &assess(T0, KeySince::Renewed, at(95.0), &s),
                &s,
                &snoozed,
                at(95.0)
            ),
            Some(-5)
        );
    }

    #[test]
    fn dst_and_time_zones_do_not_move_ages() {
        // 2026-03-08 (US DST) and 2026-03-29 (EU DST) fall inside this span; ages count UTC days.
        let s = Schedule::default();
        let since = T0 + 60 * DAY_MS; // 2026-03-02
        assert_eq!(
            assess(since, KeySince::Renewed, since + 30 * DAY_MS, &s).age_days,
            Some(30)
        );
        assert_eq!(
            assess(since, KeySince::Renewed, since + 30 * DAY_MS - 1, &s).age_days,
            Some(29)
        );
    }

    #[test]
    fn the_badge_shows_the_worst_key() {
        let s = Schedule::default();
        assert_eq!(badge(&[]).text, "");
        let fresh = assess(T0, KeySince::Renewed, at(10.0), &s);
        let soon = assess(T0, KeySince::Renewed, at(80.0), &s);
        let over = assess(T0, KeySince::Renewed, at(95.0), &s);
        assert_eq!(badge(&[fresh]).text, "");
        assert_eq!(
            badge(&[fresh, soon]),
            Badge {
                text: "10d".into(),
                color: "#bf8700",
                title: "Keyward: an API key is due for renewal in 10 days".into()
            }
        );
        assert_eq!(badge(&[soon, over, fresh]).text, "!");
        assert_eq!(
            describe(&over),
            "Key age 95 days: overdue for renewal by 5 days."
        );
        assert_eq!(
            describe(&assess(T0, KeySince::Renewed, at(89.0), &s)),
            "Key age 89 days: due for renewal in 1 day."
        );
    }

    #[test]
    fn an_unknown_age_is_due_for_review_once_and_never_counted_as_new() {
        let s = Schedule::default();
        for since in [KeySince::FirstSeen, KeySince::Unknown] {
            let age = assess(T0, since, at(0.0), &s);
            assert_eq!((age.age_days, age.level), (None, Level::Unknown));
            assert_eq!(
                describe(&age),
                "Key age unknown \u{2014} first seen 2026-01-01: due for review. Tell Keyward when it was created or last renewed, or renew it."
            );
            assert_eq!(
                badge(&[assess(T0, KeySince::Renewed, at(10.0), &s), age]).text,
                "?"
            );
            // Owed once, and not again on later days.
            let mut state = ReminderState::default();
            let owed = reminder_owed(&age, &s, &state, at(0.0));
            assert!(owed.is_some());
            state.notified_stage = owed;
            state.notified_at_ms = Some(at(0.0));
            let later = assess(T0, since, at(30.0), &s);
            assert_eq!(reminder_owed(&later, &s, &state, at(30.0)), None);
        }
        // An overdue key is still the worst.
        let unknown = assess(T0, KeySince::FirstSeen, at(0.0), &s);
        let overdue = assess(T0, KeySince::Stated, at(95.0), &s);
        assert_eq!(badge(&[unknown, overdue]).text, "!");
    }
}
