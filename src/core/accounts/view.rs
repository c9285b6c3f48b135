//! How the popup, the export page and the options page see accounts: one [`AccountView`] each,
//! with its region (or where the search for it stands), label, key age and links.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::core::accounts::Accounts;
use crate::core::api::region::{Detection, Region};
use crate::core::reminders::{assess, describe, KeySince, Level, Schedule};
use crate::core::shared::hosts::{users_page, CONSOLE_HOME};

/// Where the search for an account's region stands (memory only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionSearch {
    /// The probes are out.
    Finding,
    /// No region accepted the credential (or none could be reached): the admin chooses, told what
    /// each region answered.
    NotFound(Vec<String>),
}

/// Where an account without a region stands, for the popup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionStatus {
    /// The probes are out.
    Finding,
    /// None accepted the credential: the admin chooses.
    Unknown,
}

impl RegionSearch {
    /// What the popup says of it.
    pub fn status(&self) -> RegionStatus {
        match self {
            RegionSearch::Finding => RegionStatus::Finding,
            RegionSearch::NotFound(_) => RegionStatus::Unknown,
        }
    }
}

/// Region searches since the worker started, by Client ID: one probe per account, not one per
/// snapshot, and what the popup says while there is no region.
#[derive(Clone, Debug, Default)]
pub struct RegionSearches(IndexMap<String, RegionSearch>);

impl RegionSearches {
    /// Starts a search unless one ran already; returns whether to probe.
    pub fn start(&mut self, client_id: &str) -> bool {
        if self.0.contains_key(client_id) {
            return false;
        }
        self.0.insert(client_id.to_string(), RegionSearch::Finding);
        true
    }

    /// Starts a search whatever ran before (credentials entered by hand).
    pub fn restart(&mut self, client_id: &str) {
        self.0.insert(client_id.to_string(), RegionSearch::Finding);
    }

    /// The region is settled (found, or chosen by the admin).
    pub fn settled(&mut self, client_id: &str) {
        self.0.swap_remove(client_id);
    }

    pub fn status(&self, client_id: &str) -> Option<&RegionSearch> {
        self.0.get(client_id)
    }

    /// Records the end of a search: the region found is kept; otherwise the popup offers the
    /// choice, with what each region answered. Returns whether the accounts changed.
    pub fn finished(
        &mut self,
        accounts: &mut Accounts,
        client_id: &str,
        detection: Detection,
        now_ms: u64,
    ) -> bool {
        let answers = match detection {
            Detection::Found(region) => {
                self.settled(client_id);
                accounts.set_region(client_id, region.id(), now_ms);
                return true;
            }
            // Every region refused a key for an account whose region was known: it worked before.
            Detection::NotFound(_)
                if accounts
                    .accounts
                    .get(client_id)
                    .is_some_and(|a| a.region.is_some()) =>
            {
                vec![RENEWED_ELSEWHERE.into()]
            }
            Detection::NotFound(answers) => answers,
            Detection::Unreachable => vec!["No region could be reached.".into()],
            Detection::Inconclusive(e) => {
                vec![format!("No region answered clearly: {}", e.message())]
            }
        };
        self.0
            .insert(client_id.to_string(), RegionSearch::NotFound(answers));
        false
    }
}

/// What the popup says when every region refused a key for an account whose region was known.
pub const RENEWED_ELSEWHERE: &str = "The key was probably renewed: open the API Credentials page so Keyward can read the current one.";

/// An account, for the popup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub client_id: String,
    /// The region's label.
    #[serde(default)]
    pub region: Option<String>,
    /// The region's id (`na`, `eu`, `au`, `local`).
    #[serde(default)]
    pub region_id: Option<String>,
    /// While there is no region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_status: Option<RegionStatus>,
    /// When no region accepted the credential: what each answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_answers: Vec<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub production: bool,
    /// "Key age 45 days: due for renewal in 45 days."
    #[serde(default)]
    pub age: Option<String>,
    /// Whether to ask when the key was created or last renewed (its age is unknown and the admin
    /// was not asked yet).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ask_key_date: bool,
    /// Whether reminders are due (the popup then offers to snooze them).
    #[serde(default)]
    pub reminding: bool,
    /// Known from a page's word alone (the popup offers to keep it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unconfirmed: bool,
    pub key_read: bool,
    pub first_seen_ms: u64,
    /// Where the key can be read again (the page it was last read on, or the console home).
    #[serde(default)]
    pub credentials_url: String,
    /// The console's Users page for this account.
    #[serde(default)]
    pub users_url: String,
}

/// Every account as the popup shows it.
pub fn account_views(
    accounts: &Accounts,
    keys: &IndexMap<String, String>,
    searches: &RegionSearches,
    schedule: &Schedule,
    now_ms: u64,
) -> Vec<AccountView> {
    accounts
        .accounts
        .values()
        .map(|a| {
            let age = a
                .key
                .as_ref()
                .map(|k| assess(k.since_ms, k.since, now_ms, schedule));
            let search = a
                .region
                .is_none()
                .then(|| searches.status(&a.client_id))
                .flatten();
            // A key that worked before and now is refused everywhere is said even with a region.
            let refused = searches
                .status(&a.client_id)
                .filter(|s| matches!(s, RegionSearch::NotFound(_)));
            AccountView {
                client_id: a.client_id.clone(),
                region: a
                    .region
                    .as_deref()
                    .and_then(Region::from_id)
                    .map(|r| r.label().to_string()),
                region_id: a.region.clone(),
                region_status: search.map(RegionSearch::status),
                region_answers: match search.or(refused) {
                    Some(RegionSearch::NotFound(answers)) => answers.clone(),
                    _ => Vec::new(),
                },
                label: a.label.clone(),
                colour: a.colour.clone(),
                production: a.production,
                age: age.map(|g| describe(&g)),
                ask_key_date: !a.unconfirmed
                    && a.key
                        .as_ref()
                        .is_some_and(|k| k.since == KeySince::FirstSeen),
                reminding: !a.unconfirmed && age.is_some_and(|g| g.level != Level::Fresh),
                unconfirmed: a.unconfirmed,
                key_read: keys.contains_key(&a.client_id),
                first_seen_ms: a.first_seen_ms,
                credentials_url: a
                    .credentials_url
                    .clone()
                    .unwrap_or_else(|| CONSOLE_HOME.to_string()),
                users_url: users_page(a.credentials_url.as_deref()),
            }
        })
        .collect()
}

/// What the admin sees for an account in a switcher.
pub fn account_name(a: &AccountView) -> String {
    let name = a.label.clone().unwrap_or_else(|| a.client_id.clone());
    let region = a.region.as_deref().unwrap_or("region not known");
    let prod = if a.production {
        "\u{26a0} PRODUCTION \u{b7} "
    } else {
        ""
    };
    format!("{prod}{name} ({region})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_refused_everywhere_for_an_account_with_a_region_was_probably_renewed() {
        let mut accounts = Accounts::default();
        let mut searches = RegionSearches::default();
        let refused = || Detection::NotFound(vec!["Europe: refused the credential (401)".into()]);
        // A new account: what each region said.
        assert!(!searches.finished(&mut accounts, "new", refused(), 1));
        accounts.seen("new", 1);
        // An account whose key worked before: probably renewed elsewhere.
        accounts.set_region("known", "eu", 1);
        assert!(!searches.finished(&mut accounts, "known", refused(), 2));
        let views = account_views(
            &accounts,
            &IndexMap::new(),
            &searches,
            &Schedule::default(),
            3,
        );
        let answers = |id: &str| {
            views
                .iter()
                .find(|v| v.client_id == id)
                .map(|v| v.region_answers.clone())
                .unwrap_or_default()
        };
        assert_eq!(answers("new"), ["Europe: refused the credential (401)"]);
        assert_eq!(answers("known"), [RENEWED_ELSEWHERE]);
    }
}
