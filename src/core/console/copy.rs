//! The copy helpers: what each button copies from the credentials page (the Client ID, the key, a
//! Basic header, a region-correct curl or shell exports), and whether the clipboard is cleared after.

use serde::{Deserialize, Serialize};

use crate::core::api::Credentials;
use crate::core::console::snippet;
use crate::core::console::tabs::Tabs;
use crate::core::effect::Effect;
use crate::core::settings::ClearCheck;

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

/// One copy button: what it copies, and its label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperButton {
    pub what: CopyWhat,
    pub label: String,
    /// Why it cannot copy yet (the page shows it disabled, and says this when clicked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waits: Option<String>,
    /// It copies from the renewed key waiting for Save, not the key in force.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub renewed: bool,
}

impl HelperButton {
    pub fn new(what: CopyWhat, label: &str) -> HelperButton {
        HelperButton {
            what,
            label: label.to_string(),
            waits: None,
            renewed: false,
        }
    }
}

/// Said of a copy of the renewed key before Save.
const RENEWED_COPIED: &str = "Copied the new key: PingOne accepts it once you click Save.";

/// Why the helpers that need the account's region cannot act yet.
pub const REGION_FINDING: &str = "Needs the account's region, which Keyward is still finding.";
pub const REGION_UNKNOWN: &str =
    "Needs the account's region: no region accepted the key. Choose it in Keyward's popup.";

/// The text a helper copies from tab `tab_id` (from the renewed key waiting for Save when
/// `renewed`), and the clipboard write; a refusal says why not. `api_base` gives an account's
/// Directory API base, if its region is known.
pub fn copy(
    tabs: &Tabs,
    tab_id: i64,
    what: CopyWhat,
    renewed: bool,
    api_base: impl FnOnce(&str) -> Option<String>,
    clear_secs: u64,
    clear_check: ClearCheck,
) -> Result<(Copied, Effect), &'static str> {
    const HIDDEN: &str = "the key is hidden: reveal it to enable the key helpers";
    const NO_REGION: &str = "the account's region is still being found; try again in a moment";
    const NO_RENEWED_KEY: &str = "no renewed key is waiting for Save on this page";
    let tab = tabs
        .get(&tab_id)
        .ok_or("open the API Credentials page first")?;
    let client_id = tab
        .view
        .client_id
        .clone()
        .ok_or("no Client ID was read on this page")?;
    let key = if renewed {
        Some(tab.pending_key.clone().ok_or(NO_RENEWED_KEY)?)
    } else {
        tab.shown_key.clone()
    };
    let credentials = key.map(|api_key| Credentials {
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
        Some(secs) if renewed => format!("{RENEWED_COPIED} {}", clear_check.after_copy(secs)),
        Some(secs) => clear_check.after_copy(secs),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::console::tabs::{TabState, TabView};

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";
    const BASE: &str = "https://directory-api.pingone.eu/api";

    fn tab(client_id: Option<&str>, shown_key: Option<&str>) -> Tabs {
        let mut tabs = Tabs::default();
        tabs.insert(
            3,
            TabState {
                view: TabView {
                    client_id: client_id.map(str::to_string),
                    ..TabView::default()
                },
                shown_key: shown_key.map(str::to_string),
                ..TabState::default()
            },
        );
        tabs
    }

    /// Each helper on each kind of page: what lands on the clipboard, whether it is cleared, or
    /// why nothing is copied.
    #[test]
    fn each_helper_copies_its_text_or_says_why_not() {
        let creds = Credentials {
            client_id: ID.into(),
            api_key: KEY.into(),
        };
        let read = tab(Some(ID), Some(KEY));
        let hidden = tab(Some(ID), None);
        let no_id = tab(None, Some(KEY));
        let cases: [(&Tabs, i64, CopyWhat, bool, Result<String, &str>); 10] = [
            (&read, 3, CopyWhat::ClientId, true, Ok(ID.into())),
            (&read, 3, CopyWhat::ApiKey, true, Ok(KEY.into())),
            (
                &read,
                3,
                CopyWhat::AuthorizationHeader,
                true,
                Ok(snippet::authorization_header(&creds)),
            ),
            (
                &read,
                3,
                CopyWhat::Curl,
                true,
                Ok(snippet::curl(&creds, BASE)),
            ),
            (
                &read,
                3,
                CopyWhat::ShellExports,
                true,
                Ok(snippet::shell_exports(&creds, BASE)),
            ),
            (
                &read,
                3,
                CopyWhat::Curl,
                false,
                Err("the account's region is still being found; try again in a moment"),
            ),
            (&hidden, 3, CopyWhat::ClientId, true, Ok(ID.into())),
            (
                &hidden,
                3,
                CopyWhat::ApiKey,
                true,
                Err("the key is hidden: reveal it to enable the key helpers"),
            ),
            (
                &no_id,
                3,
                CopyWhat::ApiKey,
                true,
                Err("no Client ID was read on this page"),
            ),
            (
                &read,
                4,
                CopyWhat::ClientId,
                true,
                Err("open the API Credentials page first"),
            ),
        ];
        for (tabs, tab_id, what, region_known, expected) in cases {
            let base = |_: &str| region_known.then(|| BASE.to_string());
            let check = ClearCheck::IfUnchanged;
            let got = copy(tabs, tab_id, what, false, base, 45, check).map(|(copied, effect)| {
                let Effect::Clipboard {
                    text,
                    clear_after_secs,
                } = effect
                else {
                    panic!("a clipboard write");
                };
                assert_eq!(copied.what, what);
                assert_eq!(clear_after_secs, copied.clears_in_secs);
                // Secrets are cleared after the delay; the Client ID is not a secret.
                assert_eq!(clear_after_secs, what.is_secret().then_some(45), "{what:?}");
                let said = what.is_secret().then(|| check.after_copy(45));
                assert_eq!(copied.message, said.unwrap_or_else(|| "Copied.".into()));
                text
            });
            assert_eq!(got, expected, "{what:?} from tab {tab_id}");
        }
    }

    #[test]
    fn the_renewed_key_waiting_for_save_is_copied_only_when_asked_for() {
        let mut tabs = tab(Some(ID), Some(KEY));
        let base = |_: &str| Some(BASE.to_string());
        let check = ClearCheck::Ask;
        assert_eq!(
            copy(&tabs, 3, CopyWhat::ApiKey, true, base, 45, check).err(),
            Some("no renewed key is waiting for Save on this page")
        );
        if let Some(t) = tabs.get_mut(&3) {
            t.pending_key = Some("NEWkey".into());
        }
        let copied =
            |renewed: bool| match copy(&tabs, 3, CopyWhat::ApiKey, renewed, base, 45, check) {
                Ok((copied, Effect::Clipboard { text, .. })) => (text, copied.message),
                other => panic!("{other:?}"),
            };
        assert_eq!(copied(false).0, KEY, "the key in force by default");
        let (text, said) = copied(true);
        assert_eq!(text, "NEWkey");
        assert!(said.starts_with("Copied the new key: PingOne accepts it once you click Save."));
    }
}
