//! When an account's key was created or last renewed, in the admin's word: the date typed (the
//! popup's question, or Options), checked, and made the key's start — or "I don't know".

use super::{Accounts, UNKNOWN_ACCOUNT};
use crate::core::reminders::KeySince;
use crate::core::shared::dates::{parse_iso8601, DAY_MS};

/// Why a key's date was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyDateError {
    UnknownAccount,
    NoKey,
    NotADate,
    InTheFuture,
    TooEarly,
}

impl std::fmt::Display for KeyDateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyDateError::UnknownAccount => UNKNOWN_ACCOUNT,
            KeyDateError::NoKey => "Keyward has not seen this account's key yet",
            KeyDateError::NotADate => "the date must look like 2026-03-31",
            KeyDateError::InTheFuture => "the date cannot be in the future",
            KeyDateError::TooEarly => "the date cannot be before PingOne existed (2008)",
        })
    }
}

/// The earliest date a key can have (2008-01-01): an earlier one is a typing slip.
const EARLIEST_KEY_MS: u64 = 1_199_145_600_000;

/// Reads a date typed as `YYYY-MM-DD` (an `<input type="date">`'s value), as that day's UTC
/// midnight.
fn parse_key_date(text: &str) -> Option<u64> {
    let ms = parse_iso8601(&format!("{}T00:00:00Z", text.trim()))?;
    u64::try_from(ms).ok()
}

impl Accounts {
    /// The admin's answer to "when was this key created or last renewed?": a date
    /// (`YYYY-MM-DD`), or `None` for "I don't know". A date equal to the one Keyward holds changes
    /// nothing (a saved form sends it back unchanged).
    pub fn state_key_date(
        &mut self,
        client_id: &str,
        date: Option<&str>,
        now_ms: u64,
    ) -> Result<(), KeyDateError> {
        let account = self
            .accounts
            .get_mut(client_id)
            .ok_or(KeyDateError::UnknownAccount)?;
        let key = account.key.as_mut().ok_or(KeyDateError::NoKey)?;
        let Some(date) = date else {
            if !key.since.known() {
                key.since = KeySince::Unknown;
            }
            return Ok(());
        };
        let day_ms = parse_key_date(date).ok_or(KeyDateError::NotADate)?;
        if day_ms > now_ms {
            return Err(KeyDateError::InTheFuture);
        }
        if day_ms < EARLIEST_KEY_MS {
            return Err(KeyDateError::TooEarly);
        }
        if key.since.known() && key.since_ms / DAY_MS == day_ms / DAY_MS {
            return Ok(());
        }
        let fingerprint = key.fingerprint.take();
        account.start_key(fingerprint, day_ms, KeySince::Stated);
        Ok(())
    }
}
