//! The periodic check and the snooze: which notifications are owed across all accounts (each sent
//! once), what the badge shows, and for how long an admin may silence an account's reminders.

use crate::core::reminders::{
    assess, badge, describe, reminder_owed, Badge, KeySince, Level, ReminderState, Schedule,
};
use crate::core::shared::dates::DAY_MS;

/// One account's key, as the check sees it.
pub struct KeyedAccount<'a> {
    pub client_id: &'a str,
    /// When the key in force began, or was first seen.
    pub since_ms: u64,
    pub since: KeySince,
    pub reminders: &'a mut ReminderState,
}

/// A reminder notification to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub client_id: String,
    pub title: String,
    pub message: String,
    /// The key's age is unknown: the notification leads to Options, where its date is given,
    /// rather than to the console.
    pub asks_for_date: bool,
}

/// What a reminder check decided: the badge, and the notifications owed (already recorded as sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderCheck {
    pub badge: Badge,
    pub notify: Vec<Reminder>,
}

/// Checks every account's key age: the badge for the worst, and each reminder owed (marked sent, so
/// none is sent twice).
pub fn check<'a>(
    accounts: impl IntoIterator<Item = KeyedAccount<'a>>,
    schedule: &Schedule,
    now_ms: u64,
) -> ReminderCheck {
    let mut ages = Vec::new();
    let mut notify = Vec::new();
    for account in accounts {
        let age = assess(account.since_ms, account.since, now_ms, schedule);
        ages.push(age);
        if let Some(stage) = reminder_owed(&age, schedule, account.reminders, now_ms) {
            account.reminders.notified_stage = Some(stage);
            account.reminders.notified_at_ms = Some(now_ms);
            notify.push(Reminder {
                client_id: account.client_id.to_string(),
                title: match age.level {
                    Level::Overdue => "PingOne API key overdue for renewal",
                    Level::Unknown => "PingOne API key of unknown age",
                    Level::DueSoon | Level::Fresh => "PingOne API key due for renewal soon",
                }
                .into(),
                message: format!(
                    "Account {}: {} {WHO_RENEWS}",
                    account.client_id,
                    describe(&age)
                ),
                asks_for_date: age.level == Level::Unknown,
            });
        }
    }
    ReminderCheck {
        badge: badge(&ages),
        notify,
    }
}

/// Where a key is renewed, and who may (P14E's documents: only these two roles can renew).
pub const WHO_RENEWS: &str = "Renew it at Setup \u{2192} Directory Settings \u{2192} API Credentials (Edit \u{2192} Renew \u{2192} Save); only a Global Administrator or an Identity Repository Administrator can, so if your console shows no Renew, ask one.";

/// The snoozes the popup offers, in days: a day or a week.
pub const SNOOZE_DAYS: [u64; 2] = [1, 7];

/// Why a snooze was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnoozeRefused;

impl SnoozeRefused {
    /// What to tell the sender.
    pub fn reason(self) -> &'static str {
        "reminders can be snoozed for a day or a week"
    }
}

/// Silences an account's reminders for `days` (one of [`SNOOZE_DAYS`]) from `now_ms`.
pub fn snooze(reminders: &mut ReminderState, days: u64, now_ms: u64) -> Result<(), SnoozeRefused> {
    if !SNOOZE_DAYS.contains(&days) {
        return Err(SnoozeRefused);
    }
    reminders.snoozed_until_ms = Some(now_ms.saturating_add(days * DAY_MS));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_offered_snoozes_are_taken() {
        let mut state = ReminderState::default();
        for days in [0, 2, 6, 8, 30, u64::MAX] {
            assert_eq!(
                snooze(&mut state, days, 1_000),
                Err(SnoozeRefused),
                "{days}"
            );
            assert_eq!(state.snoozed_until_ms, None);
        }
        for days in SNOOZE_DAYS {
            assert_eq!(snooze(&mut state, days, 1_000), Ok(()));
            assert_eq!(state.snoozed_until_ms, Some(1_000 + days * DAY_MS));
        }
    }
}
