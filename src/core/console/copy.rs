//! The copy helpers: what each button copies from the credentials page (the Client ID, the key, a
//! Basic header, a region-correct curl or shell exports), and whether the clipboard is cleared after.

use serde::{Deserialize, Serialize};

use crate::core::api::Credentials;
use crate::core::console::snippet;
use crate::core::console::tabs::Tabs;
use crate::core::effect::Effect;

/// What a copy helper copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyWhat {
    ClientId,
    ApiKey,
    AuthorizationHeader,
    Curl,
    ShellExports,
}

impl CopyWhat {
    /// Whether the copied text contains the key (and is cleared from the clipboard later).
    pub fn is_secret(self) -> bool {
        !matches!(self, CopyWhat::ClientId)
    }
}

/// A copy helper's text is on the clipboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copied {
    pub what: CopyWhat,
    /// What to tell the admin.
    pub message: String,
    /// Seconds until the clipboard is cleared (if it still holds the copy); `None` when the
    /// copy is not secret.
    pub clears_in_secs: Option<u64>,
}

/// The text a helper copies from tab `tab_id`, and the clipboard write; a refusal says why not.
/// `api_base` gives an account's Directory API base, if its region is known.
pub fn copy(
    tabs: &Tabs,
    tab_id: i64,
    what: CopyWhat,
    api_base: impl FnOnce(&str) -> Option<String>,
    clear_secs: u64,
) -> Result<(Copied, Effect), &'static str> {
    const HIDDEN: &str = "the key is hidden: reveal it to enable the key helpers";
    const NO_REGION: &str = "the account's region is still being found; try again in a moment";
    let tab = tabs
        .get(&tab_id)
        .ok_or("open the API Credentials page first")?;
    let client_id = tab
        .view
        .client_id
        .clone()
        .ok_or("no Client ID was read on this page")?;
    let credentials = tab.shown_key.clone().map(|api_key| Credentials {
        client_id: client_id.clone(),
        api_key,
    });
    let base = || api_base(&client_id).ok_or(NO_REGION);
    let text = match (what, credentials) {
        (CopyWhat::ClientId, _) => client_id,
        (_, None) => return Err(HIDDEN),
        (CopyWhat::ApiKey, Some(c)) => c.api_key,
        (CopyWhat::AuthorizationHeader, Some(c)) => snippet::authorization_header(&c),
        (CopyWhat::Curl, Some(c)) => snippet::curl(&c, &base()?),
        (CopyWhat::ShellExports, Some(c)) => snippet::shell_exports(&c, &base()?),
    };
    let clears = what.is_secret().then_some(clear_secs);
    let message = match clears {
        Some(secs) => format!(
            "Copied. Keyward clears it from the clipboard in {secs} s if unchanged; clipboard history may keep a copy."
        ),
        None => "Copied.".into(),
    };
    Ok((
        Copied {
            what,
            message,
            clears_in_secs: clears,
        },
        Effect::Clipboard {
            text,
            clear_after_secs: clears,
        },
    ))
}
