//! The accounts Keyward has seen, keyed by Client ID: when each was first seen, a salted fingerprint
//! of its key (never the key), and when the key was renewed. Kept in `storage.local`.

use sha2::{Digest, Sha256};

use super::codec;
use super::id_map::IdMap;
use super::json::Value;

/// The storage key of the accounts record.
pub const STORAGE_KEY: &str = "accounts";
/// The storage key of the per-install fingerprint salt.
pub const SALT_KEY: &str = "fingerprint_salt";

/// Every account seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accounts {
    pub schema: u32,
    pub accounts: IdMap<Account>,
}

/// One P14E account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub client_id: String,
    pub first_seen_ms: u64,
    /// A region id (`na`, `eu`, `au`, `local`) once detected.
    pub region: Option<String>,
    pub key: Option<KeyRecord>,
    /// When renewals were seen (newest last).
    pub renewals: Vec<u64>,
    /// Which reminder was last sent, and any snooze.
    pub reminders: crate::core::reminder::ReminderState,
    /// The admin's name for the account.
    pub label: Option<String>,
    /// A colour (`#rrggbb`) to tell accounts apart.
    pub colour: Option<String>,
    /// A production account: shown with a warning.
    pub production: bool,
    /// What uses this key (e.g. "PingFederate PCV"): the cut-over checklist when renewing.
    pub integrations: Vec<String>,
    /// The console page where Keyward last read this account's credentials: where to send the
    /// admin when the key must be read again (no public source gives its URL).
    pub credentials_url: Option<String>,
}

/// What the admin may edit about an account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountEdit {
    pub label: String,
    pub colour: String,
    pub production: bool,
    /// One integration per line.
    pub integrations: String,
}

codec::json_record!(AccountEdit {
    label: required,
    colour: required,
    production: required,
    integrations: required,
});

// The stored record: every field written, most of them optional when read so older records load.
// The record as a whole is read leniently, account by account ([`Accounts::from_stored`]).

codec::json_record!(write Accounts { schema, accounts });

codec::json_record!(Account {
    client_id: required,
    first_seen_ms: required,
    region: or_default,
    key: or_default,
    renewals: or_default,
    reminders: or_default,
    label: or_default,
    colour: or_default,
    production: or_default,
    integrations: or_default,
    credentials_url: or_default,
});

codec::json_record!(KeyRecord {
    fingerprint: or_default,
    since_ms: required,
});

/// Why an edit was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    UnknownAccount,
    LabelTooLong,
    BadColour,
    TooManyIntegrations,
    IntegrationTooLong,
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EditError::UnknownAccount => "Keyward does not know that account",
            EditError::LabelTooLong => "the label can be at most 60 characters",
            EditError::BadColour => "the colour must look like #1a2b3c",
            EditError::TooManyIntegrations => "at most 20 integrations per account",
            EditError::IntegrationTooLong => "each integration name can be at most 80 characters",
        })
    }
}

/// `#rrggbb`, and nothing else (the popup puts it in a style attribute).
pub fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Trims and drops control characters: labels are shown in the popup and on console pages.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// What Keyward knows of the current key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyRecord {
    /// Salted SHA-256, hex; `None` when a renewal was saved without the new key being shown.
    pub fingerprint: Option<String>,
    /// When this key was first seen (or saved in the console).
    pub since_ms: u64,
}

/// What seeing a key meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEvent {
    /// The first key seen for this account.
    First,
    Same,
    /// A different key: it was renewed (the clock restarts).
    Renewed,
}

/// `hex(sha256(salt || 0 || key))`.
pub fn fingerprint(salt: &[u8], key: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update([0u8]);
    h.update(key.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Accounts {
    /// Reads the stored record leniently: an account that cannot be read is left out, and the
    /// others load (an unreadable record gives none).
    pub fn from_stored(stored: Option<Value>) -> Accounts {
        let mut accounts = IdMap::new();
        let stored = stored.as_ref().and_then(|v| v.get("accounts")?.as_object());
        for (id, account) in stored.into_iter().flatten() {
            if let Some(account) = codec::read(account) {
                accounts.insert(id.clone(), account);
            }
        }
        Accounts {
            schema: 1,
            accounts,
        }
    }

    fn account(&mut self, client_id: &str, now_ms: u64) -> &mut Account {
        self.accounts.get_or_insert_with(client_id, || Account {
            client_id: client_id.to_string(),
            first_seen_ms: now_ms,
            ..Account::default()
        })
    }

    /// Notes that an account was seen (its Client ID shown).
    pub fn seen(&mut self, client_id: &str, now_ms: u64) {
        self.account(client_id, now_ms);
    }

    /// Remembers the console page where the account's credentials were read.
    pub fn note_credentials_page(&mut self, client_id: &str, url: &str) {
        if let Some(account) = self.accounts.get_mut(client_id) {
            if account.credentials_url.as_deref() != Some(url) {
                account.credentials_url = Some(url.to_string());
            }
        }
    }

    /// Notes a key seen in view mode, by fingerprint.
    pub fn observe_key(&mut self, client_id: &str, fingerprint: &str, now_ms: u64) -> KeyEvent {
        let account = self.account(client_id, now_ms);
        match &mut account.key {
            None => {
                account.key = Some(KeyRecord {
                    fingerprint: Some(fingerprint.into()),
                    since_ms: now_ms,
                });
                KeyEvent::First
            }
            Some(KeyRecord {
                fingerprint: Some(fp),
                ..
            }) if fp == fingerprint => KeyEvent::Same,
            Some(
                record @ KeyRecord {
                    fingerprint: None, ..
                },
            ) => {
                // Saved in the console without being shown: now we know what it looks like.
                record.fingerprint = Some(fingerprint.into());
                KeyEvent::Same
            }
            Some(_) => {
                account.key = Some(KeyRecord {
                    fingerprint: Some(fingerprint.into()),
                    since_ms: now_ms,
                });
                account.renewals.push(now_ms);
                KeyEvent::Renewed
            }
        }
    }

    /// Records a renewal saved in the console (Edit → Renew → Save), with the new key's fingerprint if
    /// it was shown.
    pub fn renewal_saved(&mut self, client_id: &str, fingerprint: Option<String>, now_ms: u64) {
        let account = self.account(client_id, now_ms);
        account.key = Some(KeyRecord {
            fingerprint,
            since_ms: now_ms,
        });
        account.renewals.push(now_ms);
    }

    /// Applies an edit from the options page, all or nothing.
    pub fn edit(&mut self, client_id: &str, edit: &AccountEdit) -> Result<(), EditError> {
        let label = clean(&edit.label);
        if label.chars().count() > 60 {
            return Err(EditError::LabelTooLong);
        }
        let colour = edit.colour.trim().to_ascii_lowercase();
        if !colour.is_empty() && !is_hex_colour(&colour) {
            return Err(EditError::BadColour);
        }
        let integrations: Vec<String> = edit
            .integrations
            .lines()
            .map(clean)
            .filter(|l| !l.is_empty())
            .collect();
        if integrations.len() > 20 {
            return Err(EditError::TooManyIntegrations);
        }
        if integrations.iter().any(|i| i.chars().count() > 80) {
            return Err(EditError::IntegrationTooLong);
        }
        let account = self
            .accounts
            .get_mut(client_id)
            .ok_or(EditError::UnknownAccount)?;
        account.label = (!label.is_empty()).then_some(label);
        account.colour = (!colour.is_empty()).then_some(colour);
        account.production = edit.production;
        account.integrations = integrations;
        Ok(())
    }

    /// Forgets an account entirely; returns whether it was known.
    pub fn forget(&mut self, client_id: &str) -> bool {
        self.accounts.remove(client_id).is_some()
    }

    /// Records the detected region.
    pub fn set_region(&mut self, client_id: &str, region: &str, now_ms: u64) {
        self.account(client_id, now_ms).region = Some(region.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::codec::ToJson;

    #[test]
    fn fingerprints_are_salted_and_stable() {
        let a = fingerprint(b"salt-1", "key");
        assert_eq!(a.len(), 64);
        assert_eq!(a, fingerprint(b"salt-1", "key"));
        assert_ne!(a, fingerprint(b"salt-2", "key"));
        assert!(!a.contains("key"));
    }

    #[test]
    fn a_new_fingerprint_is_a_renewal() {
        let mut a = Accounts::default();
        assert_eq!(a.observe_key("id", "fp1", 1_000), KeyEvent::First);
        assert_eq!(a.observe_key("id", "fp1", 2_000), KeyEvent::Same);
        assert_eq!(a.observe_key("id", "fp2", 3_000), KeyEvent::Renewed);
        let acct = &a.accounts["id"];
        assert_eq!(
            (acct.first_seen_ms, acct.renewals.clone()),
            (1_000, vec![3_000])
        );
        assert_eq!(
            acct.key,
            Some(KeyRecord {
                fingerprint: Some("fp2".into()),
                since_ms: 3_000
            })
        );
    }

    #[test]
    fn a_renewal_saved_unseen_learns_its_fingerprint_later() {
        let mut a = Accounts::default();
        a.observe_key("id", "fp1", 1_000);
        a.renewal_saved("id", None, 5_000);
        assert_eq!(
            a.observe_key("id", "fp2", 6_000),
            KeyEvent::Same,
            "the saved key, first shown later"
        );
        assert_eq!(
            a.accounts["id"].key,
            Some(KeyRecord {
                fingerprint: Some("fp2".into()),
                since_ms: 5_000
            })
        );
        assert_eq!(a.accounts["id"].renewals, vec![5_000]);
    }

    #[test]
    fn edits_are_checked_and_applied_whole() {
        let mut a = Accounts::default();
        a.seen("id", 1);
        let edit = |label: &str, colour: &str, integrations: &str| AccountEdit {
            label: label.into(),
            colour: colour.into(),
            production: true,
            integrations: integrations.into(),
        };
        assert_eq!(
            a.edit("nope", &edit("", "", "")),
            Err(EditError::UnknownAccount)
        );
        assert_eq!(
            a.edit("id", &edit(&"x".repeat(61), "", "")),
            Err(EditError::LabelTooLong)
        );
        assert_eq!(
            a.edit("id", &edit("ok", "red", "")),
            Err(EditError::BadColour)
        );
        assert_eq!(
            a.edit("id", &edit("ok", "", &"i\n".repeat(21))),
            Err(EditError::TooManyIntegrations)
        );
        assert_eq!(
            a.accounts["id"].label, None,
            "a refused edit changes nothing"
        );
        assert_eq!(
            a.edit(
                "id",
                &edit(
                    "  Prod \u{7}EU ",
                    "#CF222E",
                    "PingFederate PCV\n\n  HR sync script \n"
                )
            ),
            Ok(())
        );
        let acct = &a.accounts["id"];
        assert_eq!(acct.label.as_deref(), Some("Prod EU"));
        assert_eq!(acct.colour.as_deref(), Some("#cf222e"));
        assert!(acct.production);
        assert_eq!(acct.integrations, ["PingFederate PCV", "HR sync script"]);
        assert!(a.forget("id"));
        assert!(!a.forget("id"));
    }

    #[test]
    fn stored_records_round_trip_and_garbage_is_empty() {
        let mut a = Accounts::default();
        a.observe_key("id", "fp", 1);
        a.observe_key("other", "fp2", 2);
        let mut stored = a.to_json();
        assert_eq!(
            Accounts::from_stored(Some(stored.clone())).accounts,
            a.accounts
        );
        assert!(
            Accounts::from_stored(Some(crate::core::json::json!([1, 2])))
                .accounts
                .is_empty()
        );
        // One damaged account costs only itself.
        stored["accounts"]["other"]["first_seen_ms"] = crate::core::json::json!("yesterday");
        let kept = Accounts::from_stored(Some(stored));
        assert_eq!(kept.accounts.keys().collect::<Vec<_>>(), ["id"]);
        assert_eq!(kept.accounts["id"], a.accounts["id"]);
    }

    /// A record exactly as the serde-derived code of the previous release wrote it: it loads, and
    /// is written back the same (every field, `None` as `null`).
    #[test]
    fn records_written_by_the_previous_release_load_and_write_back_unchanged() {
        let old = r##"{"schema":1,"accounts":{"id-1":{"client_id":"id-1","first_seen_ms":1700000000000,"region":"eu","key":{"fingerprint":"fp","since_ms":1700000000000},"renewals":[1700000500000],"reminders":{"notified_stage":14,"notified_at_ms":1700000600000,"snoozed_until_ms":null},"label":"Prod","colour":"#cf222e","production":true,"integrations":["PingFederate PCV"],"credentials_url":"https://admin.pingone.com/x"}}}"##;
        let old: Value = crate::core::json::parse_str(old).expect("json");
        let loaded = Accounts::from_stored(Some(old.clone()));
        let account = &loaded.accounts["id-1"];
        assert_eq!(
            (
                account.region.as_deref(),
                account.key.as_ref().map(|k| k.since_ms),
                account.reminders.notified_stage,
                account.label.as_deref(),
                account.production,
            ),
            (
                Some("eu"),
                Some(1_700_000_000_000),
                Some(14),
                Some("Prod"),
                true
            )
        );
        assert_eq!(loaded.to_json(), old);
    }
}
