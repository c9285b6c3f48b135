//! Credentials typed into the popup, for a page Keyward cannot read (and the admin would rather
//! not show it): checked by the same rules as a page's values, then treated as a key shown in force.

use crate::core::accounts::fingerprint;
use crate::core::api::Credentials;
use crate::core::console::credentials::Desk;
use crate::core::console::reader;
use crate::core::effect::Effect;

/// Why credentials typed in by hand were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManualRefused {
    ClientId,
    ApiKey,
}

impl ManualRefused {
    /// What to tell the admin.
    pub fn reason(self) -> &'static str {
        match self {
            ManualRefused::ClientId => {
                "the Client ID should be a UUID such as 910a2dec-8902-4cc1-beeb-8da1658eec67"
            }
            ManualRefused::ApiKey => {
                "the API key should be the key itself: 16 or more letters and digits, no spaces"
            }
        }
    }
}

/// Credentials typed into the popup, for layouts Keyward cannot read: checked by the same rules
/// as a page's values, then treated as a key shown in force.
pub fn manual(
    desk: Desk<'_>,
    client_id: &str,
    api_key: &str,
    now: u64,
) -> Result<Vec<Effect>, ManualRefused> {
    let client_id = reader::client_id(client_id).ok_or(ManualRefused::ClientId)?;
    let api_key = reader::api_key(api_key).ok_or(ManualRefused::ApiKey)?;
    let fp = fingerprint(desk.salt, &api_key);
    desk.accounts.observe_key(&client_id, &fp, now);
    // Typed in by the admin: their word confirms the account.
    desk.accounts.confirm(&client_id);
    let mut effects = vec![Effect::SaveAccounts];
    if desk.settings.session_keys() {
        desk.keys.insert(client_id.clone(), api_key.clone());
        effects.push(Effect::SaveKeys);
    }
    desk.searches.restart(&client_id);
    effects.push(Effect::DetectRegion {
        credentials: Credentials { client_id, api_key },
    });
    Ok(effects)
}
