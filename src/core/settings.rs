//! User settings kept in `chrome.storage.local`: never secrets. Stored as one versioned record so
//! later schema changes migrate in one place.

use serde::{Deserialize, Serialize};

use super::region::{normalize_local_base, LocalBaseError};

/// The storage key of the settings record.
pub const STORAGE_KEY: &str = "settings";
/// The current schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The settings record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub schema: u32,
    /// The dev build's local emulator API base (`http://127.0.0.1:PORT/api`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_api_base: Option<String>,
    /// Keep no key in `storage.session` (popup lookups then need the credentials page open).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_session_keys: bool,
    /// Seconds before a copied secret is cleared (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clipboard_clear_secs: Option<u64>,
    /// The rotation period and reminder days.
    #[serde(default)]
    pub schedule: crate::core::reminder::Schedule,
}

impl Settings {
    /// Whether shown keys may be kept in `storage.session` for popup lookups (on unless turned off).
    pub fn session_keys(&self) -> bool {
        !self.no_session_keys
    }

    /// Seconds before a copied secret is cleared.
    pub fn clipboard_clear_secs(&self) -> u64 {
        self.clipboard_clear_secs
            .unwrap_or(crate::core::worker::DEFAULT_CLIPBOARD_CLEAR_SECS)
            .clamp(5, 600)
    }

    /// Reads a stored record leniently: anything unreadable (or absent) gives the defaults, and
    /// an invalid local base is dropped rather than trusted.
    pub fn from_stored(stored: Option<serde_json::Value>) -> Settings {
        let mut s: Settings = stored
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        s.schema = SCHEMA_VERSION;
        s.local_api_base = s.local_api_base.and_then(|b| normalize_local_base(&b).ok());
        s
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_records_are_read_leniently() {
        assert_eq!(
            Settings::from_stored(None),
            Settings {
                schema: 1,
                ..Settings::default()
            }
        );
        assert_eq!(
            Settings::from_stored(Some(json!("garbage"))).local_api_base,
            None
        );
        assert_eq!(
            Settings::from_stored(Some(json!({"local_api_base": "http://localhost:9"})))
                .local_api_base
                .as_deref(),
            Some("http://localhost:9/api")
        );
        assert_eq!(
            Settings::from_stored(Some(json!({"local_api_base": "https://evil.example/api"})))
                .local_api_base,
            None
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
}
