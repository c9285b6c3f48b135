//! The payloads of requests, one record per kind.

use serde::{Deserialize, Serialize};

use crate::core::api::filter::SearchKind;
use crate::core::console::page::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSnapshot {
    pub snapshot: Snapshot,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageClick {
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Copy {
    pub what: crate::core::protocol::CopyWhat,
    /// From the renewed key waiting for Save rather than the key in force.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub renewed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabState {
    /// The tab, or -1 for none (the popup of an extension page).
    pub tab_id: i64,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualCredentials {
    pub client_id: String,
    pub api_key: String,
}

/// The key never prints, so no log line can leak it.
impl std::fmt::Debug for ManualCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualCredentials")
            .field("client_id", &self.client_id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRegion {
    pub client_id: String,
    pub region: String,
}

/// One account, by Client ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub client_id: String,
}

/// When an account's key was created or last renewed: `YYYY-MM-DD`, or `None` for "I don't know".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyDate {
    pub client_id: String,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snooze {
    pub client_id: String,
    pub days: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    pub client_id: String,
    pub kind: SearchKind,
    pub text: String,
    /// Results already shown: "Show more" asks for those after them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shown: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub client_id: String,
    pub kind: SearchKind,
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPage {
    pub client_id: String,
    pub text: String,
    pub start_index: u64,
    pub count: u32,
    /// For an export of one group's members: the group's id (the text and page are then unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Pages the export still has to ask for (0: not known): a long job is paced differently.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub left: u64,
    /// The export page's mailbox on the service worker's own channel (Chrome): the body goes there
    /// as bytes, not in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
