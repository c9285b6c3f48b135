//! User settings kept in Keyward's records (never secrets), stored as one versioned record so later
//! schema changes migrate in one place; and the one setting the browser keeps, not Keyward: whether
//! Keyward may read the clipboard (an optional permission, [`ClearCheck`]).

pub mod view;

use serde::{Deserialize, Serialize};

use crate::core::api::region::{normalize_local_base, LocalBaseError};
use crate::core::reminders::Schedule;
use crate::core::shared::wire::Checked;

/// Seconds before a copied secret is cleared from the clipboard (if still there).
pub const DEFAULT_CLIPBOARD_CLEAR_SECS: u64 = 30;

/// The storage key of the settings record.
pub const STORAGE_KEY: &str = "settings";
/// The storage key of the enterprise policy as last read. Chrome can take seconds to answer
/// `storage.managed` while its policy service starts (a fresh profile, every browser start), so the
/// worker answers with the policy it last saw and applies the real one when it arrives.
pub const POLICY_SEEN_KEY: &str = "policy_seen";
/// The current schema version. Older records are migrated by [`migrate`].
pub const SCHEMA_VERSION: u32 = 2;

/// The settings record. The stored record leaves unset options out; any schema is read (and
/// migrated, see [`StoredSettings`]), every field may be missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredSettings")]
pub struct Settings {
    pub schema: u32,
    /// The dev build's local emulator API base (`http://127.0.0.1:PORT/api`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_api_base: Option<String>,
    /// Keep shown keys in `storage.session` for popup lookups (on by default; schema 1 stored the
    /// opposite, `no_session_keys`).
    pub session_keys: bool,
    /// Seconds before a copied secret is cleared (default 30).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clipboard_clear_secs: Option<u64>,
    /// The rotation period and reminder days.
    pub schedule: Schedule,
    /// The hard cap on Directory API requests in flight (default 12).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<usize>,
    /// Whether the clipboard may be read before a clear: the browser's permission, never stored.
    #[serde(skip)]
    pub clear_check: ClearCheck,
}

/// How a copied secret is cleared, by whether Keyward may read the clipboard. Reading is an
/// optional permission because the browser grants it to all of Keyward, the content scripts on
/// console pages included; without it nothing of Keyward can read what the admin copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClearCheck {
    /// The clipboard cannot be read: when a clear is due Keyward asks (a notification) rather than
    /// empty something the admin may have copied since.
    #[default]
    Ask,
    /// The clipboard is read when a clear is due and emptied only if it still holds the copy.
    IfUnchanged,
}

/// The browser permission behind [`ClearCheck::IfUnchanged`].
pub const CLIPBOARD_READ_PERMISSION: &str = "clipboardRead";

impl ClearCheck {
    /// What a copy of a secret says will happen to it.
    pub fn after_copy(self, secs: u64) -> String {
        match self {
            ClearCheck::IfUnchanged => format!(
                "Copied. Keyward clears it from the clipboard in {secs} s if unchanged; clipboard history may keep a copy."
            ),
            ClearCheck::Ask => format!(
                "Copied. In {secs} s Keyward offers to empty the clipboard (it cannot see what the clipboard holds then); clipboard history may keep a copy."
            ),
        }
    }

    /// The credentials page's note on copies of the key.
    pub fn key_note(self, secs: u64) -> String {
        match self {
            ClearCheck::IfUnchanged => format!(
                "Copies of the key are cleared from the clipboard after {secs} s if unchanged; the OS clipboard history may keep a copy."
            ),
            ClearCheck::Ask => format!(
                "{secs} s after a copy of the key, Keyward offers to empty the clipboard; the OS clipboard history may keep a copy."
            ),
        }
    }
}

/// A settings record of any schema, as stored or exported, before migration.
#[derive(Deserialize)]
struct StoredSettings {
    /// Absent in the first release's records: schema 1.
    schema: Option<u32>,
    local_api_base: Option<String>,
    session_keys: Option<bool>,
    /// Schema 1's opposite of `session_keys`.
    no_session_keys: Option<bool>,
    clipboard_clear_secs: Option<u64>,
    #[serde(default)]
    schedule: Schedule,
    max_in_flight: Option<usize>,
}

/// Brings a stored record of any earlier schema to the current one. Each step is one version.
impl From<StoredSettings> for Settings {
    fn from(stored: StoredSettings) -> Settings {
        let version = stored.schema.unwrap_or(1);
        let session_keys = if version <= 1 {
            // 1 → 2: `no_session_keys: true` became `session_keys: false`.
            !stored.no_session_keys.unwrap_or(false)
        } else {
            stored.session_keys.unwrap_or(true)
        };
        Settings {
            schema: SCHEMA_VERSION,
            local_api_base: stored.local_api_base,
            session_keys,
            clipboard_clear_secs: stored.clipboard_clear_secs,
            schedule: stored.schedule,
            max_in_flight: stored.max_in_flight,
            clear_check: ClearCheck::default(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            schema: SCHEMA_VERSION,
            local_api_base: None,
            session_keys: true,
            clipboard_clear_secs: None,
            schedule: Schedule::default(),
            max_in_flight: None,
            clear_check: ClearCheck::default(),
        }
    }
}

/// What an administrator's enterprise policy (`storage.managed`) imposes; it wins over the user.
/// Read as a whole: an unreadable policy is no policy, and a rotation cap out of bounds none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// The longest rotation period users may choose.
    pub max_rotation_days: Option<u32>,
    /// Never keep the key in `storage.session`.
    pub forbid_key_storage: bool,
}

impl Policy {
    /// The policy with a rotation cap outside 1 to 730 days left out.
    pub fn checked(mut self) -> Policy {
        self.max_rotation_days = self.max_rotation_days.filter(|d| (1..=730).contains(d));
        self
    }
}

impl Settings {
    /// Whether shown keys may be kept in `storage.session` for popup lookups.
    pub fn session_keys(&self) -> bool {
        self.session_keys
    }

    /// The settings in force once the enterprise policy is applied.
    pub fn effective(&self, policy: &Policy) -> Settings {
        let mut s = self.clone();
        if let Some(max) = policy.max_rotation_days.filter(|m| *m > 0) {
            s.schedule.rotation_days = s.schedule.rotation_days.min(max);
            s.schedule
                .remind_before
                .retain(|d| *d < s.schedule.rotation_days);
        }
        if policy.forbid_key_storage {
            s.session_keys = false;
        }
        s
    }

    /// The hard cap on Directory API requests in flight.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight
            .unwrap_or(crate::core::api::throttle::DEFAULT_MAX_IN_FLIGHT)
    }

    /// Seconds before a copied secret is cleared.
    pub fn clipboard_clear_secs(&self) -> u64 {
        self.clipboard_clear_secs
            .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECS)
            .clamp(5, 600)
    }

    /// The settings from what storage held (absent or unreadable: the defaults), every value
    /// checked as if typed in: one out of bounds falls back to its default, with a note.
    pub fn from_stored(stored: Option<Settings>) -> Checked<Settings> {
        let mut s = stored.unwrap_or_default();
        let mut reset = Vec::new();
        if let Some(base) = s.local_api_base.take() {
            match normalize_local_base(&base) {
                Ok(base) => s.local_api_base = Some(base),
                Err(_) => reset.push(
                    "The stored local emulator address was not on this computer: it was dropped."
                        .to_string(),
                ),
            }
        }
        if let Some(secs) = s.clipboard_clear_secs {
            if checked_clear_secs(secs).is_err() {
                s.clipboard_clear_secs = None;
                reset.push(format!(
                    "The stored clipboard delay was out of bounds (5 to 600 s): {} s is used.",
                    s.clipboard_clear_secs()
                ));
            }
        }
        if let Some(cap) = s.max_in_flight {
            if checked_max_in_flight(cap).is_err() {
                s.max_in_flight = None;
                reset.push(format!(
                    "The stored cap on requests in flight was out of bounds (1 to 32): {} is used.",
                    s.max_in_flight()
                ));
            }
        }
        let schedule = &s.schedule;
        if Schedule::checked(schedule.rotation_days, schedule.remind_before.clone()).as_ref()
            != Ok(schedule)
        {
            s.schedule = Schedule::default();
            reset.push(
                "The stored reminder schedule was out of bounds: the default (90 days; 30, 14, 7 and 1 days before) is used."
                    .to_string(),
            );
        }
        Checked { value: s, reset }
    }

    /// Sets the local base from user input; an empty input clears it.
    pub fn set_local_api_base(&mut self, input: &str) -> Result<(), LocalBaseError> {
        self.local_api_base = if input.trim().is_empty() {
            None
        } else {
            Some(normalize_local_base(input)?)
        };
        Ok(())
    }
}

/// Checks a cap on requests in flight (1–32).
pub fn checked_max_in_flight(cap: usize) -> Result<usize, &'static str> {
    if crate::core::api::throttle::MAX_IN_FLIGHT_RANGE.contains(&cap) {
        Ok(cap)
    } else {
        Err(MAX_IN_FLIGHT_RULE)
    }
}

/// What [`checked_max_in_flight`] requires, said to the admin.
pub const MAX_IN_FLIGHT_RULE: &str =
    "the cap on requests in flight must be a whole number from 1 to 32";
/// What [`checked_clear_secs`] requires, said to the admin.
pub const CLEAR_SECS_RULE: &str =
    "the clipboard delay must be a whole number of seconds from 5 to 600";

/// Checks a clipboard clearing delay (5–600 seconds).
pub fn checked_clear_secs(secs: u64) -> Result<u64, &'static str> {
    if (5..=600).contains(&secs) {
        Ok(secs)
    } else {
        Err(CLEAR_SECS_RULE)
    }
}

/// Why an imported settings file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    NotJson,
    NotKeywardSettings,
    Invalid(String),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::NotJson => f.write_str("the file is not JSON"),
            ImportError::NotKeywardSettings => {
                f.write_str("the file is not a Keyward settings export")
            }
            ImportError::Invalid(why) => write!(f, "the file has an invalid setting: {why}"),
        }
    }
}

/// What kind of Keyward file this is: `{"keyward": "settings", …}`.
#[derive(Deserialize)]
struct FileKind {
    keyward: String,
}

/// A settings file: `{"keyward": "settings", "settings": {…}}`.
#[derive(Serialize, Deserialize)]
struct SettingsFile {
    keyward: String,
    #[serde(default)]
    settings: Option<Settings>,
}

/// The settings as a file to keep or share: never secrets (the record holds none).
pub fn export(settings: &Settings) -> String {
    let file = SettingsFile {
        keyward: "settings".into(),
        settings: Some(settings.clone()),
    };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Reads an exported file: older schemas are migrated, every value is checked as if typed in.
pub fn import(text: &str) -> Result<Settings, ImportError> {
    let kind = serde_json::from_str::<FileKind>(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ImportError::NotKeywardSettings,
        _ => ImportError::NotJson,
    })?;
    if kind.keyward != "settings" {
        return Err(ImportError::NotKeywardSettings);
    }
    let file: SettingsFile = serde_json::from_str(text).map_err(|e| {
        // Where, not serde's wording: its full message would bring its error formatting
        // (and std's I/O error texts) into the bundle for this one line.
        ImportError::Invalid(format!(
            "a value is missing or of the wrong type at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    let parsed = file.settings.ok_or(ImportError::NotKeywardSettings)?;
    let mut checked = Settings::default();
    if let Some(base) = &parsed.local_api_base {
        checked
            .set_local_api_base(base)
            .map_err(|e| ImportError::Invalid(e.to_string()))?;
    }
    checked.session_keys = parsed.session_keys;
    let invalid = |why: &str| ImportError::Invalid(why.into());
    if let Some(secs) = parsed.clipboard_clear_secs {
        checked.clipboard_clear_secs = Some(checked_clear_secs(secs).map_err(invalid)?);
    }
    if let Some(cap) = parsed.max_in_flight {
        checked.max_in_flight = Some(checked_max_in_flight(cap).map_err(invalid)?);
    }
    let schedule = parsed.schedule;
    checked.schedule =
        Schedule::checked(schedule.rotation_days, schedule.remind_before).map_err(invalid)?;
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clear_promised_after_a_copy_is_the_one_the_permission_allows() {
        // Without the read permission nothing empties the clipboard by itself: Keyward offers to.
        let ask = ClearCheck::Ask;
        assert!(ask.after_copy(30).contains("offers to empty the clipboard"));
        assert!(!ask.after_copy(30).contains("if unchanged"));
        assert!(ask.key_note(30).contains("offers to empty the clipboard"));
        let check = ClearCheck::IfUnchanged;
        assert!(check
            .after_copy(30)
            .contains("clears it from the clipboard in 30 s if unchanged"));
        assert!(check.key_note(30).contains("after 30 s if unchanged"));
        assert_eq!(Settings::default().clear_check, ClearCheck::Ask);
    }
    use serde_json::{json, Value};

    /// Reads a stored record as the worker does: leniently, an unreadable one as none.
    fn stored(value: Value) -> Settings {
        Settings::from_stored(serde_json::from_value(value).ok()).value
    }

    fn to_json(settings: &Settings) -> Value {
        serde_json::to_value(settings).expect("settings serialize")
    }

    #[test]
    fn stored_records_are_read_leniently() {
        assert_eq!(Settings::from_stored(None).value, Settings::default());
        assert_eq!(stored(json!("garbage")).local_api_base, None);
        assert_eq!(
            stored(json!({"local_api_base": "http://localhost:9"}))
                .local_api_base
                .as_deref(),
            Some("http://localhost:9/api")
        );
        assert_eq!(
            stored(json!({"local_api_base": "https://evil.example/api"})).local_api_base,
            None
        );
    }

    #[test]
    fn migrations_bring_old_records_forward() {
        let cases = [
            (json!({"schema": 1, "no_session_keys": true}), false),
            (json!({"schema": 1, "no_session_keys": false}), true),
            (json!({"schema": 1}), true),
            (json!({"no_session_keys": true}), false),
            (json!({"schema": 2, "session_keys": false}), false),
        ];
        for (record, keys) in cases {
            let s = stored(record.clone());
            assert_eq!((s.schema, s.session_keys()), (2, keys), "{record}");
        }
        let v1 = json!({"schema": 1, "no_session_keys": true, "clipboard_clear_secs": 45, "local_api_base": "http://localhost:9"});
        let s = stored(v1);
        assert_eq!(
            (s.clipboard_clear_secs(), s.local_api_base.as_deref()),
            (45, Some("http://localhost:9/api")),
            "other fields survive"
        );
        let round = to_json(&s);
        assert_eq!(stored(round), s);
    }

    #[test]
    fn exports_import_back_and_bad_files_are_refused() {
        let s = Settings {
            session_keys: false,
            clipboard_clear_secs: Some(45),
            schedule: crate::core::reminders::Schedule {
                rotation_days: 60,
                remind_before: vec![10, 3],
            },
            ..Settings::default()
        };
        let file = export(&s);
        assert_eq!(import(&file), Ok(s));
        let cases = [
            ("not json", ImportError::NotJson),
            ("{}", ImportError::NotKeywardSettings),
            (
                r#"{"keyward":"accounts","settings":{}}"#,
                ImportError::NotKeywardSettings,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(import(text), Err(expected), "{text}");
        }
        let bad = [
            r#"{"keyward":"settings","settings":{"schema":2,"clipboard_clear_secs":1}}"#,
            r#"{"keyward":"settings","settings":{"schema":2,"schedule":{"rotation_days":0,"remind_before":[]}}}"#,
            r#"{"keyward":"settings","settings":{"schema":2,"local_api_base":"https://evil.example/api"}}"#,
            r#"{"keyward":"settings","settings":{"schema":2,"session_keys":"yes"}}"#,
        ];
        for text in bad {
            assert!(
                matches!(import(text), Err(ImportError::Invalid(_))),
                "{text}"
            );
        }
        let v1 = r#"{"keyward":"settings","settings":{"schema":1,"no_session_keys":true}}"#;
        assert_eq!(
            import(v1).map(|s| s.session_keys()),
            Ok(false),
            "old exports migrate"
        );
    }

    #[test]
    fn the_enterprise_policy_wins() {
        let user = Settings::default();
        let policy = Policy {
            max_rotation_days: Some(60),
            forbid_key_storage: true,
        };
        let e = user.effective(&policy);
        assert_eq!(e.schedule.rotation_days, 60);
        assert_eq!(e.schedule.remind_before, [30, 14, 7, 1]);
        assert!(!e.session_keys());
        let tight = user.effective(&Policy {
            max_rotation_days: Some(10),
            forbid_key_storage: false,
        });
        assert_eq!(
            (
                tight.schedule.rotation_days,
                tight.schedule.remind_before.clone()
            ),
            (10, vec![7, 1])
        );
        assert_eq!(user.effective(&Policy::default()), user);
        assert_eq!(
            serde_json::from_value::<Policy>(json!({"max_rotation_days": "soon"}))
                .unwrap_or_default(),
            Policy::default()
        );
    }

    #[test]
    fn setting_and_clearing_the_local_base() {
        let mut s = Settings::default();
        assert!(s.set_local_api_base("https://evil.example/api").is_err());
        assert_eq!(s.local_api_base, None);
        assert!(s.set_local_api_base("http://127.0.0.1:8787/api").is_ok());
        assert_eq!(
            s.local_api_base.as_deref(),
            Some("http://127.0.0.1:8787/api")
        );
        assert!(s.set_local_api_base("  ").is_ok());
        assert_eq!(s.local_api_base, None);
    }

    /// A record exactly as the serde-derived code of the previous release wrote it.
    #[test]
    fn records_written_by_the_previous_release_load_and_write_back_unchanged() {
        let old = r#"{"schema":2,"local_api_base":"http://127.0.0.1:8787/api","session_keys":true,"clipboard_clear_secs":45,"schedule":{"rotation_days":90,"remind_before":[30,14,7,1]}}"#;
        let old: Value = serde_json::from_str(old).expect("json");
        let loaded = stored(old.clone());
        assert_eq!(
            (
                loaded.clipboard_clear_secs(),
                loaded.local_api_base.as_deref()
            ),
            (45, Some("http://127.0.0.1:8787/api"))
        );
        assert_eq!(to_json(&loaded), old);
        assert_eq!(
            to_json(&Settings::default()),
            json!({"schema": 2, "session_keys": true, "schedule": {"rotation_days": 90, "remind_before": [30, 14, 7, 1]}}),
            "unset options are left out"
        );
    }

    /// Storage is untrusted input: a stored value the options page would refuse falls back to its
    /// default, with a note, and the others stay.
    #[test]
    fn stored_values_out_of_bounds_fall_back_with_a_note() {
        let good = json!({"schema": 2, "session_keys": false, "clipboard_clear_secs": 45,
            "schedule": {"rotation_days": 60, "remind_before": [10, 3]}});
        let base = Settings::from_stored(serde_json::from_value(good.clone()).ok());
        assert_eq!(base.reset.len(), 0);
        let defaults = to_json(&Settings::default());
        let cases = [
            ("local_api_base", json!("https://evil.example/api")),
            ("local_api_base", json!("http://127.0.0.1.evil.example/api")),
            ("clipboard_clear_secs", json!(0)),
            ("clipboard_clear_secs", json!(4_000_000_000u64)),
            (
                "schedule",
                json!({"rotation_days": 0, "remind_before": [1]}),
            ),
            (
                "schedule",
                json!({"rotation_days": 100000, "remind_before": [1]}),
            ),
            (
                "schedule",
                json!({"rotation_days": 90, "remind_before": [95]}),
            ),
        ];
        for (field, hostile) in cases {
            let mut record = good.clone();
            record[field] = hostile.clone();
            let checked = Settings::from_stored(serde_json::from_value(record).ok());
            assert_eq!(checked.reset.len(), 1, "{field} = {hostile}");
            let mut expected = to_json(&base.value);
            if let Some(fields) = expected.as_object_mut() {
                match &defaults[field] {
                    Value::Null => fields.remove(field),
                    default => fields.insert(field.to_string(), default.clone()),
                };
            }
            assert_eq!(to_json(&checked.value), expected, "{field} = {hostile}");
        }
        let capped = |days: u32| {
            let policy = json!({"max_rotation_days": days});
            serde_json::from_value::<Policy>(policy).map(|p| p.checked().max_rotation_days)
        };
        assert_eq!(capped(30).ok(), Some(Some(30)));
        assert_eq!(capped(0).ok(), Some(None));
        assert_eq!(capped(5000).ok(), Some(None));
    }
}
