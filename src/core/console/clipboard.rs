//! Clearing copied secrets: which copy a clear is for, and whether it may empty the clipboard.
//! Each copy of a secret gets its own token, its own alarm and its own entry in `storage.session`;
//! a clear acts for its token alone, and only while the clipboard still holds that copy (compared
//! by salted fingerprint), so a second copy made before, during or after the first one's clear is
//! never emptied early and never left uncleared. Where the clipboard cannot be read (the optional
//! permission is off), a due clear asks the admin instead: emptying blind could wipe something newer.

use crate::core::settings::ClearCheck;
use crate::core::shared::text::hex;
use serde::{Deserialize, Serialize};

/// The notification that offers to empty the clipboard when a clear cannot check it.
pub const ASK_NOTIFICATION: &str = "keyward-clipboard-ask";
pub const ASK_TITLE: &str = "A copied secret may still be on your clipboard";
pub const ASK_MESSAGE: &str = "Keyward cannot see what the clipboard holds, so it does not empty it by itself. Click to empty it now. (In Keyward's options, \"Check the clipboard before clearing it\" lets it clear on its own.)";

/// The prefix of a clear's alarm name; the token follows it.
pub const ALARM_PREFIX: &str = "keyward-clipboard-clear:";

/// A copied secret waiting to be cleared: its token, the copy by salted fingerprint, and when its
/// clear is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingClear {
    pub token: String,
    pub fingerprint: String,
    pub due_ms: u64,
}

/// Every pending clear, oldest first, as kept in `storage.session`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PendingClears(pub Vec<PendingClear>);

/// What a clear that came due does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClearStep {
    /// No clear is pending under that token (done already, or superseded): nothing.
    Nothing,
    /// Not due yet (a timer or alarm that ran early): wait for the next one.
    NotYet,
    /// Read the clipboard and compare it with this fingerprint.
    Compare { fingerprint: String },
    /// The clipboard cannot be read: offer the admin to empty it.
    Ask,
}

/// The token's alarm name.
pub fn alarm_name(token: &str) -> String {
    format!("{ALARM_PREFIX}{token}")
}

/// The token an alarm name carries, if it is a clear's alarm.
pub fn token_of_alarm(name: &str) -> Option<&str> {
    name.strip_prefix(ALARM_PREFIX).filter(|t| is_token(t))
}

/// A token as [`token_from`] makes them.
fn is_token(token: &str) -> bool {
    token.len() == 16 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A token from eight random bytes (the edge supplies them).
pub fn token_from(random: [u8; 8]) -> String {
    hex(&random)
}

/// Timers and alarms may fire a little early; a clear that early still counts as due.
const EARLY_MS: u64 = 1000;

impl PendingClears {
    /// Schedules a clear for a new copy. An older copy of the same text is superseded (its tokens
    /// are returned so their alarms can go): its clear would empty the newer copy early.
    pub fn schedule(&mut self, clear: PendingClear) -> Vec<String> {
        let (superseded, kept) = std::mem::take(&mut self.0)
            .into_iter()
            .partition::<Vec<_>, _>(|p| {
                p.fingerprint == clear.fingerprint || p.token == clear.token
            });
        self.0 = kept;
        self.0.push(clear);
        superseded.into_iter().map(|p| p.token).collect()
    }

    /// What the clear for `token` does at `now_ms`, given what Keyward may do with the clipboard.
    pub fn step(&self, token: &str, now_ms: u64, check: ClearCheck) -> ClearStep {
        match self.0.iter().find(|p| p.token == token) {
            None => ClearStep::Nothing,
            Some(p) if now_ms.saturating_add(EARLY_MS) < p.due_ms => ClearStep::NotYet,
            Some(_) if check == ClearCheck::Ask => ClearStep::Ask,
            Some(p) => ClearStep::Compare {
                fingerprint: p.fingerprint.clone(),
            },
        }
    }

    /// Forgets the clear for `token` only (done, or the clipboard holds something else).
    pub fn forget(&mut self, token: &str) {
        self.0.retain(|p| p.token != token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: ClearCheck = ClearCheck::IfUnchanged;

    fn clear(token: &str, fingerprint: &str, due_ms: u64) -> PendingClear {
        PendingClear {
            token: token.into(),
            fingerprint: fingerprint.into(),
            due_ms,
        }
    }

    #[test]
    fn each_clear_acts_for_its_own_copy_only() {
        let mut pending = PendingClears::default();
        assert_eq!(
            pending.schedule(clear("a", "key", 30_000)),
            Vec::<String>::new()
        );
        assert_eq!(
            pending.schedule(clear("b", "header", 40_000)),
            Vec::<String>::new()
        );
        // A's clear, early and then due: it compares against A's copy, and forgetting it leaves B.
        assert_eq!(pending.step("a", 10_000, READ), ClearStep::NotYet);
        assert_eq!(
            pending.step("a", 29_500, READ),
            ClearStep::Compare {
                fingerprint: "key".into()
            }
        );
        pending.forget("a");
        assert_eq!(pending.step("a", 30_000, READ), ClearStep::Nothing);
        assert_eq!(pending.step("b", 30_000, READ), ClearStep::NotYet);
        assert_eq!(
            pending.step("b", 40_000, READ),
            ClearStep::Compare {
                fingerprint: "header".into()
            }
        );
        pending.forget("b");
        assert_eq!(pending, PendingClears::default());
    }

    #[test]
    fn a_clear_that_cannot_read_the_clipboard_asks_when_due_and_not_before() {
        let mut pending = PendingClears::default();
        pending.schedule(clear("a", "key", 30_000));
        assert_eq!(
            pending.step("a", 10_000, ClearCheck::Ask),
            ClearStep::NotYet
        );
        assert_eq!(pending.step("a", 30_000, ClearCheck::Ask), ClearStep::Ask);
        assert_eq!(
            pending.step("b", 30_000, ClearCheck::Ask),
            ClearStep::Nothing
        );
    }

    #[test]
    fn a_second_copy_of_the_same_text_supersedes_the_first() {
        let mut pending = PendingClears::default();
        pending.schedule(clear("a", "key", 30_000));
        pending.schedule(clear("b", "header", 35_000));
        assert_eq!(pending.schedule(clear("c", "key", 60_000)), ["a"]);
        assert_eq!(pending.step("a", 30_000, READ), ClearStep::Nothing);
        let tokens: Vec<&str> = pending.0.iter().map(|p| p.token.as_str()).collect();
        assert_eq!(tokens, ["b", "c"]);
    }

    #[test]
    fn alarm_names_carry_tokens_and_nothing_else() {
        let token = token_from([0, 1, 2, 0xab, 4, 5, 6, 0xff]);
        assert_eq!(token, "000102ab040506ff");
        assert_eq!(token_of_alarm(&alarm_name(&token)), Some(token.as_str()));
        for name in [
            "keyward-clipboard-clear",
            "keyward-clipboard-clear:",
            "keyward-clipboard-clear:zz0102ab040506ff",
            "keyward-reminders",
        ] {
            assert_eq!(token_of_alarm(name), None, "{name}");
        }
    }
}
