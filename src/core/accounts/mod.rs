//! The accounts Keyward has seen, keyed by Client ID: when each was first seen, a salted fingerprint
//! of its key (never the key), and when the key was renewed. Kept in `storage.local`.

mod key_date;
pub mod view;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::core::api::region::Region;
use crate::core::reminders::check::KeyedAccount;
use crate::core::reminders::{KeySince, ReminderState};
use crate::core::shared::hosts::{is_console_url, Flavour};
use crate::core::shared::text::hex;
use crate::core::shared::wire::{Checked, Lenient};
pub use key_date::KeyDateError;

/// The storage key of the accounts record.
pub const STORAGE_KEY: &str = "accounts";
/// The storage key of the per-install fingerprint salt.
pub const SALT_KEY: &str = "fingerprint_salt";

/// The accounts record's schema version.
const SCHEMA: u32 = 1;

/// Every account seen. Read leniently (see [`StoredAccounts`]); written whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredAccounts")]
pub struct Accounts {
    pub schema: u32,
    /// By Client ID, in the order first seen.
    pub accounts: IndexMap<String, Account>,
}

impl Default for Accounts {
    fn default() -> Self {
        Accounts {
            schema: SCHEMA,
            accounts: IndexMap::new(),
        }
    }
}

/// The stored record as read: an account that cannot be read is left out and the others load.
#[derive(Deserialize)]
struct StoredAccounts {
    #[serde(default)]
    accounts: IndexMap<String, Lenient<Account>>,
}

impl From<StoredAccounts> for Accounts {
    fn from(stored: StoredAccounts) -> Accounts {
        Accounts {
            schema: SCHEMA,
            accounts: stored
                .accounts
                .into_iter()
                .filter_map(|(id, account)| Some((id, account.0?)))
                .collect(),
        }
    }
}

/// One P14E account. Every field but the id and when it was first seen may be missing from a stored
/// record (older releases wrote fewer).
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
    pub reminders: ReminderState,
    /// The admin's name for the account.
    #[serde(default)]
    pub label: Option<String>,
    /// A colour (`#rrggbb`) to tell accounts apart.
    #[serde(default)]
    pub colour: Option<String>,
    /// A production account: shown with a warning.
    #[serde(default)]
    pub production: bool,
    /// What uses this key (e.g. "PingFederate PCV"): the cut-over checklist when renewing.
    #[serde(default)]
    pub integrations: Vec<String>,
    /// The console page where Keyward last read this account's credentials: where to send the
    /// admin when the key must be read again (no public source gives its URL).
    #[serde(default)]
    pub credentials_url: Option<String>,
    /// Known from a page's word alone: no region has accepted a key for it and the admin has not
    /// kept it. Reminders skip it, and at most [`MAX_UNCONFIRMED`] are kept (oldest dropped first).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unconfirmed: bool,
}

impl Account {
    /// A new key in force (seen renewed, saved, or dated by the admin): what was sent or snoozed
    /// about the one before no longer holds.
    fn start_key(&mut self, fingerprint: Option<String>, since_ms: u64, since: KeySince) {
        self.key = Some(KeyRecord {
            fingerprint,
            since_ms,
            since,
        });
        self.reminders = ReminderState::default();
    }
}

/// What a request naming an account Keyward does not know is told.
pub const UNKNOWN_ACCOUNT: &str = "Keyward does not know that account";

/// How many accounts known from pages alone are kept: a page cannot fill the list with made-up
/// Client IDs.
pub const MAX_UNCONFIRMED: usize = 8;

/// What the admin may edit about an account (every field is sent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEdit {
    pub client_id: String,
    pub label: String,
    pub colour: String,
    pub production: bool,
    /// One integration per line.
    pub integrations: String,
    /// When the key was created or last renewed (`YYYY-MM-DD`); empty leaves it as it is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key_date: String,
}

/// Why an edit was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    UnknownAccount,
    LabelTooLong,
    BadColour,
    TooManyIntegrations,
    IntegrationTooLong,
    KeyDate(KeyDateError),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EditError::KeyDate(why) => return why.fmt(f),
            EditError::UnknownAccount => UNKNOWN_ACCOUNT,
            EditError::LabelTooLong => "the label can be at most 60 characters",
            EditError::BadColour => "the colour must look like #1a2b3c",
            EditError::TooManyIntegrations => "at most 20 integrations per account",
            EditError::IntegrationTooLong => "each integration name can be at most 80 characters",
        })
    }
}

/// The bounds of an account's label and integrations, for edits and for stored records alike
/// (the messages above quote them).
const MAX_LABEL_CHARS: usize = 60;
const MAX_INTEGRATIONS: usize = 20;
const MAX_INTEGRATION_CHARS: usize = 80;

/// A cleaned label within bounds.
fn check_label(label: &str) -> Result<(), EditError> {
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(EditError::LabelTooLong);
    }
    Ok(())
}

/// A cleaned list of integrations within bounds.
fn check_integrations(integrations: &[String]) -> Result<(), EditError> {
    if integrations.len() > MAX_INTEGRATIONS {
        return Err(EditError::TooManyIntegrations);
    }
    if integrations
        .iter()
        .any(|i| i.chars().count() > MAX_INTEGRATION_CHARS)
    {
        return Err(EditError::IntegrationTooLong);
    }
    Ok(())
}

/// `#rrggbb`, and nothing else (the popup puts it in a style attribute).
pub fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// A Client ID as any release has stored it: today's readers take only UUIDs, lower-cased; earlier
/// ones took the documentation's hyphenated alphanumerics (with a digit), which must still load.
pub fn is_stored_client_id(id: &str) -> bool {
    (4..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && id.bytes().any(|b| b.is_ascii_digit())
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Salted SHA-256, hex; `None` when a renewal was saved without the new key being shown.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// When this key began, or (`since` not known) when Keyward first saw it.
    pub since_ms: u64,
    /// Whether `since_ms` is the key's start (older records: a renewal at that time says so).
    #[serde(default, skip_serializing_if = "KeySince::is_first_seen")]
    pub since: KeySince,
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
    hex(&h.finalize())
}

/// The most renewals an account keeps (newest last).
const MAX_RENEWALS: usize = 100;

/// The longest snooze an admin can ask for (see `reminders::check::SNOOZE_DAYS`).
const MAX_SNOOZE_MS: u64 = 7 * 86_400_000;

/// Times that can only be past are not in the future, and a snooze is at most a week ahead: a
/// stored record cannot silence reminders for good or make a key look new. Whether any changed.
fn bound_times(account: &mut Account, now_ms: u64) -> bool {
    let before = account.clone();
    account.first_seen_ms = account.first_seen_ms.min(now_ms);
    if let Some(key) = &mut account.key {
        key.since_ms = key.since_ms.min(now_ms);
    }
    account.renewals.retain(|&at| at <= now_ms);
    let reminders = &mut account.reminders;
    if reminders.notified_at_ms.is_some_and(|at| at > now_ms) {
        reminders.notified_at_ms = None;
        reminders.notified_stage = None;
    }
    if reminders
        .snoozed_until_ms
        .is_some_and(|until| until > now_ms.saturating_add(MAX_SNOOZE_MS))
    {
        reminders.snoozed_until_ms = None;
    }
    *account != before
}

impl Accounts {
    /// The accounts read from storage, each value checked as if typed in: an account whose Client
    /// ID is malformed is left out; a label, colour or list of integrations the options page would
    /// refuse, a page that is not a console page, a region this build does not have — each falls
    /// back to its default, with a note.
    pub fn checked(self, flavour: Flavour, now_ms: u64) -> Checked<Accounts> {
        let mut reset = Vec::new();
        let mut accounts = IndexMap::new();
        for (id, mut a) in self.accounts {
            if id != a.client_id || !is_stored_client_id(&id) {
                reset.push("A stored account whose Client ID is malformed was left out.".into());
                continue;
            }
            let mut note = |what: &str| {
                reset.push(format!("Account {id}: the stored {what} was refused."));
            };
            if a.label
                .as_deref()
                .is_some_and(|l| l != clean(l) || check_label(l).is_err())
            {
                a.label = None;
                note("label");
            }
            if a.colour.as_deref().is_some_and(|c| !is_hex_colour(c)) {
                a.colour = None;
                note("colour");
            }
            if check_integrations(&a.integrations).is_err()
                || a.integrations
                    .iter()
                    .any(|i| *i != clean(i) || i.is_empty())
            {
                a.integrations = Vec::new();
                note("list of integrations");
            }
            if a.credentials_url
                .as_deref()
                .is_some_and(|u| !is_console_url(u, flavour))
            {
                a.credentials_url = None;
                note("credentials page address");
            }
            let region_ok = |r: &str| {
                Region::from_id(r).is_some_and(|r| Region::available(flavour).contains(&r))
            };
            if a.region.as_deref().is_some_and(|r| !region_ok(r)) {
                a.region = None;
                note("region");
            }
            // Records from before `since` was stored: a key whose date is a renewal's began then.
            if let Some(key) = &mut a.key {
                if key.since == KeySince::FirstSeen && a.renewals.contains(&key.since_ms) {
                    key.since = KeySince::Renewed;
                }
            }
            if a.renewals.len() > MAX_RENEWALS {
                a.renewals.drain(..a.renewals.len() - MAX_RENEWALS);
            }
            if bound_times(&mut a, now_ms) {
                note("dates (some were in the future)");
            }
            accounts.insert(id, a);
        }
        let mut accounts = Accounts {
            schema: SCHEMA,
            accounts,
        };
        let before = accounts.accounts.len();
        accounts.drop_unconfirmed_over(MAX_UNCONFIRMED);
        if accounts.accounts.len() < before {
            reset.push(format!(
                "More than {MAX_UNCONFIRMED} unconfirmed accounts were stored: the oldest were left out."
            ));
        }
        let accounts = accounts.accounts;
        Checked {
            value: Accounts {
                schema: SCHEMA,
                accounts,
            },
            reset,
        }
    }

    /// The account, made if new: a page's word alone, unconfirmed (room is made by dropping the
    /// oldest unconfirmed one).
    fn account(&mut self, client_id: &str, now_ms: u64) -> &mut Account {
        if !self.accounts.contains_key(client_id) {
            self.drop_unconfirmed_over(MAX_UNCONFIRMED - 1);
        }
        self.accounts
            .entry(client_id.to_string())
            .or_insert_with(|| Account {
                client_id: client_id.to_string(),
                first_seen_ms: now_ms,
                unconfirmed: true,
                ..Account::default()
            })
    }

    /// Drops the oldest unconfirmed accounts until at most `keep` are left.
    fn drop_unconfirmed_over(&mut self, keep: usize) {
        let unconfirmed = self.accounts.values().filter(|a| a.unconfirmed).count();
        let mut excess = unconfirmed.saturating_sub(keep);
        // In the order first seen: the oldest go first.
        self.accounts.retain(|_, a| {
            let drop = excess > 0 && a.unconfirmed;
            excess -= usize::from(drop);
            !drop
        });
    }

    /// The account is real: a region accepted its key, or the admin kept it (typed its key,
    /// chose its region, edited it or said so). Returns whether it is known.
    pub fn confirm(&mut self, client_id: &str) -> bool {
        self.accounts
            .get_mut(client_id)
            .map(|a| a.unconfirmed = false)
            .is_some()
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

    /// Whether the account is known with a key of another fingerprint than this one: a key shown
    /// now would be a renewal.
    pub fn holds_other_key(&self, client_id: &str, fingerprint: &str) -> bool {
        self.accounts.get(client_id).is_some_and(|a| {
            matches!(&a.key, Some(KeyRecord { fingerprint: Some(fp), .. }) if fp != fingerprint)
        })
    }

    /// Notes a key seen in view mode, by fingerprint.
    pub fn observe_key(&mut self, client_id: &str, fingerprint: &str, now_ms: u64) -> KeyEvent {
        let account = self.account(client_id, now_ms);
        match &mut account.key {
            None => {
                account.start_key(Some(fingerprint.into()), now_ms, KeySince::FirstSeen);
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
                account.start_key(Some(fingerprint.into()), now_ms, KeySince::Renewed);
                account.renewals.push(now_ms);
                KeyEvent::Renewed
            }
        }
    }

    /// Records a renewal saved in the console (Edit → Renew → Save), with the new key's fingerprint if
    /// it was shown.
    pub fn renewal_saved(&mut self, client_id: &str, fingerprint: Option<String>, now_ms: u64) {
        let account = self.account(client_id, now_ms);
        account.start_key(fingerprint, now_ms, KeySince::Renewed);
        account.renewals.push(now_ms);
    }

    /// Applies an edit from the options page, all or nothing.
    pub fn edit(&mut self, edit: &AccountEdit, now_ms: u64) -> Result<(), EditError> {
        let label = clean(&edit.label);
        check_label(&label)?;
        let mut colour = edit.colour.trim().to_ascii_lowercase();
        // "1f6feb" can only mean one colour: taken as "#1f6feb".
        if colour.len() == 6 && is_hex_colour(&format!("#{colour}")) {
            colour.insert(0, '#');
        }
        if !colour.is_empty() && !is_hex_colour(&colour) {
            return Err(EditError::BadColour);
        }
        let integrations: Vec<String> = edit
            .integrations
            .lines()
            .map(clean)
            .filter(|l| !l.is_empty())
            .collect();
        check_integrations(&integrations)?;
        if !self.accounts.contains_key(&edit.client_id) {
            return Err(EditError::UnknownAccount);
        }
        if !edit.key_date.trim().is_empty() {
            self.state_key_date(&edit.client_id, Some(&edit.key_date), now_ms)
                .map_err(EditError::KeyDate)?;
        }
        let account = self
            .accounts
            .get_mut(&edit.client_id)
            .ok_or(EditError::UnknownAccount)?;
        // Edited by the admin: their word keeps it.
        account.unconfirmed = false;
        account.label = (!label.is_empty()).then_some(label);
        account.colour = (!colour.is_empty()).then_some(colour);
        account.production = edit.production;
        account.integrations = integrations;
        Ok(())
    }

    /// Forgets an account entirely; returns it, if it was known (for an undo).
    pub fn forget(&mut self, client_id: &str) -> Option<Account> {
        self.accounts.shift_remove(client_id)
    }

    /// Puts back an account just forgotten, as it was.
    pub fn restore(&mut self, account: Account) {
        self.accounts.insert(account.client_id.clone(), account);
    }

    /// An account's Directory API base: its region's, if this flavour has that region (a store
    /// build never a loopback one, whatever storage says).
    pub fn api_base(
        &self,
        client_id: &str,
        flavour: Flavour,
        local_api_base: Option<&str>,
    ) -> Option<String> {
        self.accounts
            .get(client_id)?
            .region
            .as_deref()
            .and_then(Region::from_id)
            .filter(|r| Region::available(flavour).contains(r))?
            .api_base(local_api_base)
    }

    /// Each confirmed account with a key in force, for the reminder check (a page's word alone
    /// raises no reminder).
    pub fn keyed(&mut self) -> impl Iterator<Item = KeyedAccount<'_>> {
        self.accounts
            .values_mut()
            .filter(|a| !a.unconfirmed)
            .filter_map(|a| {
                let key = a.key.as_ref()?;
                Some(KeyedAccount {
                    client_id: &a.client_id,
                    since_ms: key.since_ms,
                    since: key.since,
                    reminders: &mut a.reminders,
                })
            })
    }

    /// Records the region: one that accepted the account's key, or the admin's choice — either way
    /// the account is confirmed.
    pub fn set_region(&mut self, client_id: &str, region: &str, now_ms: u64) {
        let account = self.account(client_id, now_ms);
        account.region = Some(region.to_string());
        account.unconfirmed = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::shared::dates::{utc_date, DAY_MS};

    /// 2026-12-07, for dates the admin gives.
    const NOW: u64 = 1_796_601_600_000;

    impl Accounts {
        fn edit_now(&mut self, edit: &AccountEdit) -> Result<(), EditError> {
            self.edit(edit, NOW)
        }
    }

    #[test]
    fn a_key_first_seen_has_an_unknown_age_until_the_admin_dates_it() {
        let mut a = Accounts::default();
        a.observe_key("id", "fp", NOW - 5 * DAY_MS);
        let since = |a: &Accounts| {
            let k = a.accounts["id"].key.clone().expect("a key");
            (utc_date(k.since_ms), k.since)
        };
        assert_eq!(since(&a), ("2026-12-02".into(), KeySince::FirstSeen));
        // "I don't know": asked, still unknown.
        assert_eq!(a.state_key_date("id", None, NOW), Ok(()));
        assert_eq!(since(&a), ("2026-12-02".into(), KeySince::Unknown));
        // Dates that cannot be the key's are refused, and change nothing.
        for (date, why) in [
            ("2026-12-08", KeyDateError::InTheFuture),
            ("2007-12-31", KeyDateError::TooEarly),
            ("2026-02-30", KeyDateError::NotADate),
            ("yesterday", KeyDateError::NotADate),
            ("", KeyDateError::NotADate),
        ] {
            assert_eq!(a.state_key_date("id", Some(date), NOW), Err(why), "{date}");
        }
        assert_eq!(since(&a), ("2026-12-02".into(), KeySince::Unknown));
        // A date: the age counts from it, and what was sent about the unknown age is behind it.
        a.accounts["id"].reminders.notified_stage = Some(1_000);
        assert_eq!(a.state_key_date("id", Some(" 2024-06-01 "), NOW), Ok(()));
        assert_eq!(since(&a), ("2024-06-01".into(), KeySince::Stated));
        assert_eq!(a.accounts["id"].reminders, ReminderState::default());
        assert_eq!(
            a.accounts["id"]
                .key
                .as_ref()
                .and_then(|k| k.fingerprint.as_deref()),
            Some("fp"),
            "the same key, dated"
        );
        // Today's date is allowed; "I don't know" does not undo a known date.
        assert_eq!(a.state_key_date("id", Some("2026-12-07"), NOW), Ok(()));
        assert_eq!(a.state_key_date("id", None, NOW), Ok(()));
        assert_eq!(since(&a), ("2026-12-07".into(), KeySince::Stated));
        // Options sends the date with every save: the same date changes nothing, a new one dates it.
        let mut edit = AccountEdit {
            client_id: "id".into(),
            key_date: "2026-12-07".into(),
            ..AccountEdit::default()
        };
        a.accounts["id"].reminders.notified_stage = Some(30);
        assert_eq!(a.edit_now(&edit), Ok(()));
        assert_eq!(a.accounts["id"].reminders.notified_stage, Some(30));
        edit.key_date = "2031-01-01".into();
        edit.label = "Kept?".into();
        assert_eq!(
            a.edit_now(&edit),
            Err(EditError::KeyDate(KeyDateError::InTheFuture))
        );
        assert_eq!(a.accounts["id"].label, None, "all or nothing");
        // An account whose key was never seen has no date to give.
        a.seen("keyless", NOW);
        assert_eq!(
            a.state_key_date("keyless", Some("2025-01-01"), NOW),
            Err(KeyDateError::NoKey)
        );
        assert_eq!(
            a.state_key_date("nope", None, NOW),
            Err(KeyDateError::UnknownAccount)
        );
    }

    #[test]
    fn a_new_key_starts_its_reminders_afresh() {
        // The last key was reminded daily while overdue: the next one's reminders must still come.
        let mut a = Accounts::default();
        a.observe_key("id", "fp1", 1_000);
        a.accounts["id"].reminders = ReminderState {
            notified_stage: Some(-5),
            notified_at_ms: Some(2_000),
            snoozed_until_ms: Some(3_000),
        };
        a.renewal_saved("id", Some("fp2".into()), 4_000);
        assert_eq!(a.accounts["id"].reminders, ReminderState::default());
        a.accounts["id"].reminders.notified_stage = Some(-5);
        assert_eq!(a.observe_key("id", "fp3", 5_000), KeyEvent::Renewed);
        assert_eq!(a.accounts["id"].reminders, ReminderState::default());
    }

    #[test]
    fn an_older_record_whose_key_date_is_a_renewal_knows_its_age() {
        let stored = r#"{"accounts":{"id-1":{"client_id":"id-1","first_seen_ms":1,"key":{"fingerprint":"fp","since_ms":500},"renewals":[500]},"id-2":{"client_id":"id-2","first_seen_ms":1,"key":{"fingerprint":"fp","since_ms":400},"renewals":[500]}}}"#;
        let a: Accounts = serde_json::from_str(stored).expect("json");
        let a = a.checked(Flavour::Dev, 1_000).value;
        let since = |id: &str| a.accounts[id].key.as_ref().map(|k| k.since);
        assert_eq!(since("id-1"), Some(KeySince::Renewed));
        assert_eq!(since("id-2"), Some(KeySince::FirstSeen));
    }

    /// A clock after every time the tests store.
    const LATER: u64 = 4_102_444_800_000;
    use serde_json::{json, Value};

    /// Reads a stored record as the worker does: leniently, an unreadable one as none.
    fn from_stored(stored: Value) -> Accounts {
        serde_json::from_value(stored).unwrap_or_default()
    }

    fn to_json(accounts: &Accounts) -> Value {
        serde_json::to_value(accounts).expect("accounts serialize")
    }

    #[test]
    fn a_page_alone_makes_an_unconfirmed_account_and_only_so_many() {
        let mut a = Accounts::default();
        let id = |n: usize| format!("page-{n}");
        // The admin's accounts: one whose key a region accepted, one the admin edited.
        a.set_region("real-1", "eu", 1);
        a.seen("real-2", 2);
        let kept = AccountEdit {
            client_id: "real-2".into(),
            ..AccountEdit::default()
        };
        assert_eq!(a.edit(&kept, 10), Ok(()));
        // A page names one made-up Client ID after another.
        for n in 0..MAX_UNCONFIRMED + 3 {
            a.observe_key(&id(n), "fp", 10 + n as u64);
        }
        let unconfirmed: Vec<&String> = a
            .accounts
            .values()
            .filter(|x| x.unconfirmed)
            .map(|x| &x.client_id)
            .collect();
        let newest: Vec<String> = (3..MAX_UNCONFIRMED + 3).map(id).collect();
        assert_eq!(
            unconfirmed,
            newest.iter().collect::<Vec<_>>(),
            "the oldest dropped first"
        );
        assert!(!a.accounts["real-1"].unconfirmed && !a.accounts["real-2"].unconfirmed);
        // None of them is reminded of; once confirmed, it is, and it is never dropped.
        assert_eq!(a.keyed().count(), 0);
        assert!(a.confirm(&id(3)));
        assert!(!a.confirm("never-seen"));
        assert_eq!(a.keyed().count(), 1);
        for n in 100..100 + MAX_UNCONFIRMED + 1 {
            a.seen(&id(n), 1_000);
        }
        assert!(a.accounts.contains_key(&id(3)));
        // Stored as such; a record of older releases (no field) is confirmed, and a stored list
        // over the cap loses its oldest unconfirmed.
        let stored = to_json(&a);
        assert_eq!(
            stored["accounts"][id(100 + MAX_UNCONFIRMED)]["unconfirmed"],
            json!(true)
        );
        assert!(!a.accounts.contains_key(&id(100)));
        assert_eq!(stored["accounts"]["real-1"].get("unconfirmed"), None);
        let mut tampered = stored.clone();
        for n in 200..220 {
            tampered["accounts"][id(n)] =
                json!({"client_id": id(n), "first_seen_ms": 1, "unconfirmed": true});
        }
        let checked = from_stored(tampered).checked(Flavour::Store, LATER);
        let left = checked
            .value
            .accounts
            .values()
            .filter(|x| x.unconfirmed)
            .count();
        assert_eq!(left, MAX_UNCONFIRMED);
        assert!(checked.reset.iter().any(|r| r.contains("unconfirmed")));
    }

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
                since_ms: 3_000,
                since: KeySince::Renewed,
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
                since_ms: 5_000,
                since: KeySince::Renewed,
            })
        );
        assert_eq!(a.accounts["id"].renewals, vec![5_000]);
    }

    #[test]
    fn edits_are_checked_and_applied_whole() {
        let mut a = Accounts::default();
        a.seen("id", 1);
        let edit = |id: &str, label: &str, colour: &str, integrations: &str| AccountEdit {
            client_id: id.into(),
            label: label.into(),
            colour: colour.into(),
            production: true,
            integrations: integrations.into(),
            key_date: String::new(),
        };
        assert_eq!(
            a.edit_now(&edit("nope", "", "", "")),
            Err(EditError::UnknownAccount)
        );
        assert_eq!(
            a.edit_now(&edit("id", &"x".repeat(61), "", "")),
            Err(EditError::LabelTooLong)
        );
        assert_eq!(
            a.edit_now(&edit("id", "ok", "red", "")),
            Err(EditError::BadColour)
        );
        assert_eq!(
            a.edit_now(&edit("id", "ok", "", &"i\n".repeat(21))),
            Err(EditError::TooManyIntegrations)
        );
        assert_eq!(
            a.accounts["id"].label, None,
            "a refused edit changes nothing"
        );
        assert_eq!(
            a.edit_now(&edit(
                "id",
                "  Prod \u{7}EU ",
                "#CF222E",
                "PingFederate PCV\n\n  HR sync script \n"
            )),
            Ok(())
        );
        let acct = &a.accounts["id"];
        assert_eq!(acct.label.as_deref(), Some("Prod EU"));
        assert_eq!(acct.colour.as_deref(), Some("#cf222e"));
        assert!(acct.production);
        assert_eq!(acct.integrations, ["PingFederate PCV", "HR sync script"]);
        // A colour typed without its "#" can only mean one colour.
        assert_eq!(a.edit_now(&edit("id", "Prod EU", "1F6FEB", "")), Ok(()));
        assert_eq!(a.accounts["id"].colour.as_deref(), Some("#1f6feb"));
        assert_eq!(
            a.edit_now(&edit("id", "", "1f6fe", "")),
            Err(EditError::BadColour)
        );
        let forgotten = a.forget("id").expect("known");
        assert!(a.forget("id").is_none());
        a.restore(forgotten.clone());
        assert_eq!(
            a.accounts["id"], forgotten,
            "an undo brings it back as it was"
        );
    }

    #[test]
    fn stored_records_round_trip_and_garbage_is_empty() {
        let mut a = Accounts::default();
        a.observe_key("id", "fp", 1);
        a.observe_key("other", "fp2", 2);
        let mut stored = to_json(&a);
        assert_eq!(from_stored(stored.clone()).accounts, a.accounts);
        assert!(from_stored(json!([1, 2])).accounts.is_empty());
        // One damaged account costs only itself.
        stored["accounts"]["other"]["first_seen_ms"] = json!("yesterday");
        let kept = from_stored(stored);
        assert_eq!(kept.accounts.keys().collect::<Vec<_>>(), ["id"]);
        assert_eq!(kept.accounts["id"], a.accounts["id"]);
    }

    /// A record exactly as the serde-derived code of the previous release wrote it: it loads, and
    /// is written back the same (every field, `None` as `null`).
    #[test]
    fn records_written_by_the_previous_release_load_and_write_back_unchanged() {
        let old = r##"{"schema":1,"accounts":{"id-1":{"client_id":"id-1","first_seen_ms":1700000000000,"region":"eu","key":{"fingerprint":"fp","since_ms":1700000000000},"renewals":[1700000500000],"reminders":{"notified_stage":14,"notified_at_ms":1700000600000,"snoozed_until_ms":null},"label":"Prod","colour":"#cf222e","production":true,"integrations":["PingFederate PCV"],"credentials_url":"https://admin.pingone.com/x"}}}"##;
        let old: Value = serde_json::from_str(old).expect("json");
        let loaded = from_stored(old.clone());
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
        assert_eq!(to_json(&loaded), old);
        let checked = loaded.clone().checked(Flavour::Store, LATER);
        assert_eq!((checked.value, checked.reset), (loaded, vec![]));
    }

    /// Storage is untrusted input (any content script can write it in Firefox): each stored value
    /// is checked as the options page checks a typed one; only the bad value falls back, with a note.
    #[test]
    fn stored_accounts_are_checked_as_if_typed_in() {
        let id = "0f8e2a4c-1b3d-4e5f-8a9b-7c6d5e4f3a2b";
        let good = json!({"schema": 1, "accounts": {id: {
            "client_id": id, "first_seen_ms": 1, "region": "eu", "label": "Prod",
            "colour": "#cf222e", "integrations": ["PingFederate"],
            "credentials_url": "https://admin.pingone.com/web-portal/cas/config/apicredentials",
        }}});
        let base = from_stored(good.clone());
        let checked = base.clone().checked(Flavour::Store, LATER);
        assert_eq!((&checked.value, checked.reset.len()), (&base, 0));
        let long_list: Vec<String> = (0..21).map(|i| format!("app {i}")).collect();
        // (field, hostile value, flavour, what it falls back to)
        let cases = [
            ("label", json!("x".repeat(61)), Flavour::Store, json!(null)),
            (
                "label",
                json!("Prod\u{202e}\u{0}"),
                Flavour::Store,
                json!(null),
            ),
            ("label", json!(" padded "), Flavour::Store, json!(null)),
            (
                "colour",
                json!("red;background:url(//x)"),
                Flavour::Store,
                json!(null),
            ),
            ("colour", json!("#12345"), Flavour::Store, json!(null)),
            ("integrations", json!(long_list), Flavour::Store, json!([])),
            (
                "integrations",
                json!(["y".repeat(81)]),
                Flavour::Store,
                json!([]),
            ),
            ("integrations", json!(["a\nb"]), Flavour::Store, json!([])),
            ("integrations", json!([""]), Flavour::Store, json!([])),
            (
                "credentials_url",
                json!("javascript:alert(1)"),
                Flavour::Store,
                json!(null),
            ),
            (
                "credentials_url",
                json!("https://evil.example/x"),
                Flavour::Store,
                json!(null),
            ),
            (
                "credentials_url",
                json!("http://127.0.0.1:8787/console"),
                Flavour::Store,
                json!(null),
            ),
            ("region", json!("local"), Flavour::Store, json!(null)),
            ("region", json!("mars"), Flavour::Dev, json!(null)),
        ];
        for (field, hostile, flavour, fallback) in cases {
            let mut record = good.clone();
            record["accounts"][id][field] = hostile.clone();
            let checked = from_stored(record).checked(flavour, LATER);
            let account = &checked.value.accounts[id];
            let json = serde_json::to_value(account).expect("account serializes");
            assert_eq!(json[field], fallback, "{field} = {hostile}");
            assert_eq!(
                checked.reset.len(),
                1,
                "{field} = {hostile}: {:?}",
                checked.reset
            );
            assert!(checked.reset[0].contains(id), "{:?}", checked.reset);
            let mut others = serde_json::to_value(&base.accounts[id]).expect("serializes");
            others[field] = fallback;
            assert_eq!(json, others, "only {field} changes");
        }
        // A sandbox page and the local region are fine where the build has them.
        let mut dev = good.clone();
        dev["accounts"][id]["credentials_url"] = json!("http://127.0.0.1:8787/console");
        dev["accounts"][id]["region"] = json!("local");
        assert_eq!(from_stored(dev).checked(Flavour::Dev, LATER).reset.len(), 0);
        // An account filed under another id, or with a malformed id, is left out whole.
        for (key, client_id) in [
            ("a", id),
            (id, "other-1"),
            ("<b>-1", "<b>-1"),
            ("UP-1", "UP-1"),
        ] {
            let record = json!({"accounts": {key: {"client_id": client_id, "first_seen_ms": 1}}});
            let checked = from_stored(record).checked(Flavour::Dev, LATER);
            assert!(checked.value.accounts.is_empty(), "{key}");
            assert_eq!(checked.reset.len(), 1, "{key}");
        }
        // Renewals are capped at the newest hundred.
        let mut many = good;
        many["accounts"][id]["renewals"] = json!((0..150).collect::<Vec<u64>>());
        let renewals = &from_stored(many)
            .checked(Flavour::Store, LATER)
            .value
            .accounts[id]
            .renewals;
        assert_eq!((renewals.len(), renewals.first()), (100, Some(&50)));
    }

    #[test]
    fn stored_times_cannot_silence_reminders_or_make_a_key_new() {
        let now = 1_000_000_000_000;
        let day = 86_400_000;
        let id = "910a2dec-8902-4cc1-beeb-8da1658eec67";
        let mut accounts = Accounts::default();
        accounts.observe_key(id, "fp", now - 400 * day);
        let fine = accounts.clone();
        assert_eq!(
            fine.clone().checked(Flavour::Store, now).value,
            fine,
            "past times stand"
        );
        let a = accounts.accounts.get_mut(id).expect("the account");
        a.first_seen_ms = now + 365 * day;
        a.key.as_mut().expect("a key").since_ms = now + day;
        a.renewals = vec![now - day, now + day];
        a.reminders.snoozed_until_ms = Some(now + 30 * day);
        a.reminders.notified_at_ms = Some(now + day);
        a.reminders.notified_stage = Some(0);
        let checked = accounts.checked(Flavour::Store, now);
        let a = &checked.value.accounts[id];
        assert_eq!(a.first_seen_ms, now);
        assert_eq!(a.key.as_ref().map(|k| k.since_ms), Some(now));
        assert_eq!(a.renewals, vec![now - day]);
        assert_eq!(
            a.reminders.snoozed_until_ms, None,
            "a snooze over a week ahead"
        );
        assert_eq!(
            (a.reminders.notified_at_ms, a.reminders.notified_stage),
            (None, None)
        );
        assert_eq!(checked.reset.len(), 1, "{:?}", checked.reset);
        let mut week = fine;
        week.accounts
            .get_mut(id)
            .expect("the account")
            .reminders
            .snoozed_until_ms = Some(now + 7 * day);
        let kept = week.clone().checked(Flavour::Store, now).value;
        assert_eq!(kept, week, "a week's snooze stands");
    }
}
