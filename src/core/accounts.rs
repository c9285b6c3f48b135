//! The accounts Keyward has seen, keyed by Client ID: when each was first seen, a salted fingerprint
//! of its key (never the key), and when the key was renewed. Kept in `storage.local`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The storage key of the accounts record.
pub const STORAGE_KEY: &str = "accounts";
/// The storage key of the per-install fingerprint salt.
pub const SALT_KEY: &str = "fingerprint_salt";

/// Every account seen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounts {
    #[serde(default)]
    pub schema: u32,
    #[serde(default)]
    pub accounts: BTreeMap<String, Account>,
}

/// One P14E account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub client_id: String,
    pub first_seen_ms: u64,
    /// A region id (`na`, `eu`, `au`, `local`) once detected.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub key: Option<KeyRecord>,
    /// When renewals were seen (newest last).
    #[serde(default)]
    pub renewals: Vec<u64>,
    /// Which reminder was last sent, and any snooze.
    #[serde(default)]
    pub reminders: crate::core::reminder::ReminderState,
}

/// What Keyward knows of the current key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Reads the stored record leniently (unreadable → empty).
    pub fn from_stored(stored: Option<serde_json::Value>) -> Accounts {
        let mut a: Accounts = stored
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        a.schema = 1;
        a
    }

    fn account(&mut self, client_id: &str, now_ms: u64) -> &mut Account {
        self.accounts
            .entry(client_id.to_string())
            .or_insert_with(|| Account {
                client_id: client_id.to_string(),
                first_seen_ms: now_ms,
                ..Account::default()
            })
    }

    /// Notes that an account was seen (its Client ID shown).
    pub fn seen(&mut self, client_id: &str, now_ms: u64) {
        self.account(client_id, now_ms);
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

    /// Records the detected region.
    pub fn set_region(&mut self, client_id: &str, region: &str, now_ms: u64) {
        self.account(client_id, now_ms).region = Some(region.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn stored_records_round_trip_and_garbage_is_empty() {
        let mut a = Accounts::default();
        a.observe_key("id", "fp", 1);
        let stored = serde_json::to_value(&a).expect("serialises");
        assert_eq!(Accounts::from_stored(Some(stored)).accounts, a.accounts);
        assert!(Accounts::from_stored(Some(serde_json::json!([1, 2])))
            .accounts
            .is_empty());
    }
}
