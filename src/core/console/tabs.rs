//! What Keyward knows of each tab it has seen a console page in (memory only), and the view of a
//! tab the popup and the export page read back. Below both the credentials page's decisions and
//! the copy helpers, which read a tab's key.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::core::accounts::view::AccountView;
use crate::core::console::layout::Teaching;

/// What Keyward knows of one tab.
#[derive(Clone, Default)]
pub struct TabState {
    pub view: TabView,
    /// The key as shown in this tab (memory only).
    pub(crate) shown_key: Option<String>,
    pub(crate) editing: bool,
    pub(crate) renew_clicked: bool,
    /// A renewed key shown before Save (memory only): taken when Save is clicked, dropped on
    /// Cancel; until then the key in force stays the one Keyward holds.
    pub(crate) pending_key: Option<String>,
    /// A renewal was just saved on this page: remind to update each integration.
    pub(crate) just_renewed: bool,
    /// Reads of this address that found the credentials page only partly read, in a row.
    pub(crate) rechecks: usize,
    pub(crate) recheck_url: String,
    /// The admin is showing Keyward this page's fields (the page's address, and the step).
    pub(crate) teaching: Option<(String, Teaching)>,
    /// The address of the page last reported.
    pub(crate) url: String,
    /// The fingerprint of a key this tab shows that is only the page's claim (see
    /// `console::claims`): the popup says how the question about it stands.
    pub(crate) claimed: Option<String>,
}

/// The tabs Keyward has seen console pages in (memory only).
pub type Tabs = IndexMap<i64, TabState>;

// The popup and the export page read tab views back; the content script reads page plans.

/// What a tab shows, as far as Keyward is concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TabKind {
    /// A console page whose fields Keyward has asked for and not yet read: nothing to say yet.
    #[default]
    #[serde(rename = "")]
    NotRead,
    NotConsole,
    Console,
    /// The SSO screen's "REST API Client ID/Secret": not the Directory API credential.
    SsoCredentials,
    Credentials,
}

/// The API key on a credentials page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyShown {
    Shown,
    /// Masked: revealing it enables the key helpers.
    Hidden,
    /// Not read (more than one, or no field Keyward recognises).
    Unreadable,
}

/// What the popup shows about a tab.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabView {
    pub kind: TabKind,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub key: Option<KeyShown>,
    /// A sentence for the admin.
    pub summary: String,
    pub accounts: Vec<AccountView>,
    /// The page looks like the API Credentials page but was not read: the admin may show Keyward
    /// its fields.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub can_teach: bool,
}

/// How the check of a renewed key goes (one cheap request right after Save).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyCheck {
    /// The request is out.
    Checking,
    /// The Directory API accepted the new key.
    Works,
    /// It did not: what it answered.
    Failed(String),
}

impl KeyCheck {
    /// The sentence the popup adds to the tab's summary, and the page shows after Save.
    pub fn sentence(&self) -> String {
        match self {
            KeyCheck::Checking => "Checking the new key against the Directory API\u{2026}".into(),
            KeyCheck::Works => {
                "New key verified \u{2713} \u{2014} the Directory API accepted it.".into()
            }
            KeyCheck::Failed(why) => {
                format!("The new key did not work against the Directory API: {why}")
            }
        }
    }
}
