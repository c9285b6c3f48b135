//! The API Credentials page, tab by tab: what a snapshot of it means (accounts seen, keys read,
//! renewals pending and saved), the plan of helpers the content script adds, what the popup says
//! about the tab, and credentials typed in by hand when a layout cannot be read.
//!
//! A renewal is tracked across clicks: Edit → Renew shows a new key that is not in force until
//! Save; Cancel keeps the old one. Keys live only in memory (and `storage.session` when allowed).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::core::accounts::view::{RegionSearch, RegionSearches};
use crate::core::accounts::{fingerprint, Accounts};
use crate::core::api::Credentials;
use crate::core::console::claims::Claims;
use crate::core::console::copy::{CopyWhat, HelperButton, REGION_FINDING, REGION_UNKNOWN};
use crate::core::console::layout::{
    self, page_key, Layouts, PageNotice, Pick, Picked, TeachPlan, Teaching, NOT_READ, STALE,
};
use crate::core::console::page::{
    classify, wants_fields, ClientIdState, KeyState, PageKind, Snapshot, Taught,
};
use crate::core::console::reader;
pub use crate::core::console::renewal::Guard;
use crate::core::console::renewal::{self, renewed_key_buttons};
pub use crate::core::console::tabs::{KeyCheck, KeyShown, TabKind, TabState, TabView, Tabs};
use crate::core::effect::Effect;
use crate::core::reminders::{assess, describe, Level};
use crate::core::settings::Settings;

/// What the credentials page's decisions may touch of the worker's state.
pub struct Desk<'a> {
    pub accounts: &'a mut Accounts,
    /// Keys by Client ID (memory, mirrored to `storage.session` when allowed).
    pub keys: &'a mut IndexMap<String, String>,
    pub searches: &'a mut RegionSearches,
    pub salt: &'a [u8],
    pub settings: &'a Settings,
    pub layouts: &'a mut Layouts,
    /// Keys pages showed that are not (yet) the key in force.
    pub claims: &'a mut Claims,
    /// How each renewed key's check went, by Client ID.
    pub key_checks: &'a [(String, KeyCheck)],
}

/// What the popup says of a tab Keyward has no page for.
pub const NOT_CONSOLE: &str = "Not a PingOne for Enterprise console page.";

/// What the popup says of the SSO screen's "REST API Client ID/Secret".
const SSO_SCREEN: &str = "These are SSO REST API credentials, not the Directory API credential: Keyward reads nothing here.";
/// What the popup says of a credentials page showing more than one Client ID.
const MANY_CLIENT_IDS: &str = "API Credentials page, but it shows more than one Client ID: Keyward read neither. Enter the credentials by hand in the popup.";
/// What the popup says of a credentials page whose layout the reader does not know.
const LAYOUT_UNKNOWN: &str = "API Credentials page, but Keyward does not recognise its layout: nothing was read. Enter the credentials by hand in the popup.";
/// The helpers' note under a masked key.
const KEY_HIDDEN: &str = "Key hidden \u{2014} reveal it to enable the key helpers.";
/// The helpers' note when the page shows more than one key.
const MANY_KEYS: &str = "The page shows more than one API key: Keyward read neither.";
/// The helpers' note when the key field could not be read.
const KEY_UNREADABLE: &str = "Keyward could not read the API key field.";

/// The popup's sentence for a credentials page, by what was read of its key.
fn credentials_summary(client_id: &str, key: KeyShown, renewal_shown: bool) -> String {
    match key {
        KeyShown::Shown if renewal_shown => format!("API Credentials page: Client ID {client_id}, key read. A renewed key is shown: Keyward takes it when you click Save (Cancel keeps the current one)."),
        KeyShown::Shown => format!("API Credentials page: Client ID {client_id}, key read."),
        KeyShown::Hidden => format!("API Credentials page: Client ID {client_id}; key hidden \u{2014} reveal it to enable the key helpers."),
        KeyShown::Unreadable => format!("API Credentials page: Client ID {client_id}; the key could not be read."),
    }
}

/// The popup's view of a tab (its accounts filled in by the caller).
pub fn tab_view(tabs: &Tabs, tab_id: i64) -> TabView {
    tabs.get(&tab_id)
        .map(|t| t.view.clone())
        .unwrap_or_else(|| TabView {
            kind: TabKind::NotConsole,
            summary: NOT_CONSOLE.into(),
            ..TabView::default()
        })
}

/// What the content script adds to a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePlan {
    pub helpers: Option<Helpers>,
    /// Read this page's fields from now on (a glance is not enough). Answering a glance with
    /// `fields` and nothing else asks for them at once.
    pub fields: bool,
    /// Read the page again after this long, even if nothing changes on it: it is the credentials
    /// page, only partly read, and a framework may fill a field as a DOM property, which no
    /// change the content script can observe announces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck_ms: Option<u64>,
    /// Where a layout the admin taught finds the Client ID and the key: report what is there
    /// (`located`) with every read of this page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locate: Vec<String>,
    /// The admin is showing Keyward the fields: ask for the next click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teach: Option<TeachPlan>,
    /// A line on the page when it looks like the credentials but was not read, with the offer to
    /// show Keyward its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<PageNotice>,
}

/// What the worker tells a console tab's content script to have its page read again now (the
/// `type` of its message; see `Effect::ReadTabAgain`).
pub const READ_AGAIN: &str = "read_again";

/// The waits before each read again of a partly read credentials page (about 8 s in all).
pub const RECHECK_MS: [u64; 5] = [250, 500, 1_000, 2_000, 4_000];

/// Copy helpers next to a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Helpers {
    /// The snapshot pair the helpers follow.
    pub anchor: usize,
    pub buttons: Vec<HelperButton>,
    pub note: String,
    /// The key-age banner, when Keyward knows since when this key exists.
    pub age: Option<AgeBanner>,
    /// The integrations checklist around a renewal (Edit mode, and just after Save).
    pub guard: Option<Guard>,
}

/// "Key age 45 days: due for renewal in 45 days." and how urgent that is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBanner {
    pub text: String,
    pub level: Level,
}

/// A tab reset to what one page kind says of it.
fn fresh_tab(kind: TabKind, page: Option<String>, summary: String) -> TabState {
    TabState {
        view: TabView {
            kind,
            page,
            summary,
            ..TabView::default()
        },
        ..TabState::default()
    }
}

/// Decides what a console page's snapshot means: the plan for the page and the work it implies.
pub fn snapshot(
    desk: Desk<'_>,
    tabs: &mut Tabs,
    tab_id: i64,
    tab_url: &str,
    snapshot: &Snapshot,
    now: u64,
) -> (PagePlan, Vec<Effect>) {
    let kind = classify(snapshot);
    let before = tabs
        .get(&tab_id)
        .map(|t| (t.rechecks, t.recheck_url.clone(), t.teaching.clone()));
    let locate: Vec<String> = desk
        .layouts
        .for_url(&snapshot.url)
        .map(|l| vec![l.client_id.as_str().into(), l.api_key.as_str().into()])
        .unwrap_or_default();
    let (mut plan, effects) = judge(desk, tabs, tab_id, tab_url, snapshot, &kind, now);
    let tab = tabs.entry(tab_id).or_default();
    tab.url = snapshot.url.clone();
    let (done, recheck_url, teaching) = before.unwrap_or_default();
    // Showing Keyward the fields goes on while the tab shows the same page.
    tab.teaching = teaching.filter(|(page, _)| *page == page_key(&snapshot.url));
    plan.fields |= !locate.is_empty() || tab.teaching.is_some();
    plan.locate = locate;
    if snapshot.glance {
        return (plan, effects);
    }
    let partial = offer_teaching(tab, &mut plan, snapshot, &kind);
    plan_recheck(tab, &mut plan, &snapshot.url, partial, (done, recheck_url));
    (plan, effects)
}

/// Whether the page was only partly read; the offer to show Keyward the fields on a page it could
/// not read (or read through a layout gone stale), or the next step while the admin shows them.
fn offer_teaching(
    tab: &mut TabState,
    plan: &mut PagePlan,
    snapshot: &Snapshot,
    kind: &PageKind,
) -> bool {
    let (partial, stale) = match kind {
        PageKind::Credentials(r) => (
            !matches!(r.client_id, ClientIdState::Read { .. })
                || !matches!(r.key, KeyState::Shown(_) | KeyState::Hidden),
            r.taught == Taught::Stale,
        ),
        _ => (false, false),
    };
    tab.view.can_teach = partial
        || stale
        || matches!(
            kind,
            PageKind::Console {
                shows_credential: true,
                ..
            }
        );
    match &tab.teaching {
        Some((_, step)) => {
            plan.teach = Some(TeachPlan {
                prompt: step.prompt().into(),
                error: step.error().map(str::to_string),
            });
            tab.view.summary =
                format!("{} Keyward is waiting: {}", tab.view.summary, step.prompt());
        }
        None if tab.view.can_teach => {
            let items = &snapshot.items;
            plan.notice = Some(PageNotice {
                anchor: items.iter().position(|i| i.is_heading()),
                text: if stale { STALE } else { NOT_READ }.into(),
            });
        }
        None => {}
    }
    partial
}

/// A partly read page is read again after a growing pause (the rest may still be loading), counted
/// per address; `before` is the count so far and the address it was for.
fn plan_recheck(
    tab: &mut TabState,
    plan: &mut PagePlan,
    url: &str,
    partial: bool,
    (done, recheck_url): (usize, String),
) {
    let done = if recheck_url == url { done } else { 0 };
    tab.recheck_url = url.to_string();
    tab.rechecks = if partial { done + 1 } else { 0 };
    plan.recheck_ms = partial.then(|| RECHECK_MS.get(done).copied()).flatten();
}

/// The admin asks to show Keyward the fields of the page in this tab (from the popup, or the
/// page's own offer): its next read asks for the Client ID's click.
pub fn teach_start(tabs: &mut Tabs, tab_id: i64) -> bool {
    let Some(tab) = tabs.get_mut(&tab_id) else {
        return false;
    };
    let page = page_key(&tab.url);
    tab.teaching = Some((page, Teaching::ClientId { error: None }));
    true
}

/// The admin stopped showing Keyward the fields (Esc, Cancel).
pub fn teach_cancel(tabs: &mut Tabs, tab_id: i64) {
    if let Some(tab) = tabs.get_mut(&tab_id) {
        tab.teaching = None;
    }
}

/// A click while the admin shows Keyward the fields: the next step, or (both shown) the layout
/// kept for the page.
pub fn teach_pick(
    desk: Desk<'_>,
    tabs: &mut Tabs,
    tab_id: i64,
    pick: &Pick,
    now: u64,
) -> Vec<Effect> {
    let Some(tab) = tabs.get_mut(&tab_id) else {
        return Vec::new();
    };
    let Some((page, step)) = tab.teaching.take() else {
        return Vec::new();
    };
    match layout::pick(step, pick) {
        Picked::Next(next) => {
            tab.teaching = Some((page, next));
            Vec::new()
        }
        Picked::Learned { client_id, api_key } => {
            desk.layouts.teach(&page, client_id, api_key, now);
            vec![Effect::SaveLayouts]
        }
    }
}

/// The plan and effects of one snapshot (see [`snapshot`]), rechecks aside.
fn judge(
    mut desk: Desk<'_>,
    tabs: &mut Tabs,
    tab_id: i64,
    tab_url: &str,
    snapshot: &Snapshot,
    kind: &PageKind,
    now: u64,
) -> (PagePlan, Vec<Effect>) {
    let fields = wants_fields(snapshot) || !matches!(kind, PageKind::Console { .. });
    let mut plan = PagePlan {
        helpers: None,
        fields,
        ..PagePlan::default()
    };
    if snapshot.glance && fields {
        // A glance at a page that may show the credential: judge nothing from it, ask for its fields.
        return (plan, Vec::new());
    }
    // Snapshots arrive on every DOM change; only a real change to the accounts is written.
    let accounts_before = desk.accounts.clone();
    let tab = tabs.entry(tab_id).or_default();
    let mut effects = Vec::new();
    match kind {
        PageKind::Console { name, .. } => {
            let summary = match name {
                Some(n) => format!("PingOne for Enterprise console: {n}."),
                None => "PingOne for Enterprise console.".into(),
            };
            *tab = fresh_tab(TabKind::Console, name.clone(), summary);
        }
        PageKind::SsoCredentials => {
            *tab = fresh_tab(TabKind::SsoCredentials, None, SSO_SCREEN.into());
        }
        PageKind::Credentials(reading) => {
            let client_id = match &reading.client_id {
                ClientIdState::Read { id, .. } => id.clone(),
                ClientIdState::Ambiguous => {
                    *tab = fresh_tab(TabKind::Credentials, None, MANY_CLIENT_IDS.into());
                    return (plan, effects);
                }
                _ => {
                    *tab = fresh_tab(TabKind::Credentials, None, LAYOUT_UNKNOWN.into());
                    return (plan, effects);
                }
            };
            let was_editing = tab.editing;
            tab.editing = reading.editing;
            if was_editing && !reading.editing && !tab.renew_clicked {
                tab.pending_key = None;
            }
            // A renewed key beside the one in force ("New API key"), or — after Renew — in its
            // place: not in force until Save.
            let in_place = reading.editing && tab.renew_clicked;
            match (&reading.new_key, &reading.key) {
                (KeyState::Shown(new), _) => tab.pending_key = Some(new.clone()),
                (_, KeyState::Shown(key)) if in_place => tab.pending_key = Some(key.clone()),
                _ => {}
            }
            tab.claimed = None;
            let (key_word, note) = match &reading.key {
                KeyState::Shown(key) => {
                    tab.shown_key = Some(key.clone());
                    if !in_place {
                        tab.claimed = key_in_force(&mut desk, &client_id, key, now, &mut effects);
                    }
                    let secs = desk.settings.clipboard_clear_secs();
                    (KeyShown::Shown, desk.settings.clear_check.key_note(secs))
                }
                other => {
                    tab.shown_key = None;
                    desk.accounts.seen(&client_id, now);
                    let (word, note) = match other {
                        KeyState::Hidden => (KeyShown::Hidden, KEY_HIDDEN),
                        KeyState::Ambiguous => (KeyShown::Unreadable, MANY_KEYS),
                        _ => (KeyShown::Unreadable, KEY_UNREADABLE),
                    };
                    (word, note.to_string())
                }
            };
            desk.accounts.note_credentials_page(&client_id, tab_url);
            plan.helpers = Some(helpers(
                &desk,
                tab,
                reading.editing,
                reading.anchor,
                &client_id,
                note,
                now,
            ));
            tab.view = TabView {
                kind: TabKind::Credentials,
                page: Some("API Credentials".into()),
                client_id: Some(client_id.clone()),
                key: Some(key_word),
                summary: credentials_summary(&client_id, key_word, tab.pending_key.is_some()),
                accounts: Vec::new(),
                can_teach: false,
            };
            if reading.taught == Taught::Used {
                tab.view
                    .summary
                    .push_str(" Read through the layout you showed Keyward.");
            }
        }
    }
    if *desk.accounts != accounts_before {
        effects.insert(0, Effect::SaveAccounts);
    }
    (plan, effects)
}

/// The key in force was shown: note it, keep it for lookups when allowed, and find the account's
/// region once. A different key than the one Keyward knows for the account is only the page's
/// claim (see [`crate::core::console::claims`]): the Directory API is asked about it, and what is
/// known stays; the claimed key's fingerprint is returned.
fn key_in_force(
    desk: &mut Desk<'_>,
    client_id: &str,
    key: &str,
    now: u64,
    effects: &mut Vec<Effect>,
) -> Option<String> {
    let fp = fingerprint(desk.salt, key);
    if desk.accounts.holds_other_key(client_id, &fp) {
        if desk.claims.ask(client_id, &fp, now) {
            effects.push(Effect::ProveKey {
                credentials: Credentials {
                    client_id: client_id.to_string(),
                    api_key: key.to_string(),
                },
            });
        }
        return Some(fp);
    }
    desk.accounts.observe_key(client_id, &fp, now);
    if desk.settings.session_keys() && desk.keys.get(client_id).map(String::as_str) != Some(key) {
        let replaced = desk
            .keys
            .insert(client_id.to_string(), key.to_string())
            .is_some();
        effects.push(Effect::SaveKeys);
        if replaced {
            effects.push(Effect::KeyInForce {
                credentials: Credentials {
                    client_id: client_id.to_string(),
                    api_key: key.to_string(),
                },
                verify: false,
            });
        }
    }
    let region_known = desk
        .accounts
        .accounts
        .get(client_id)
        .is_some_and(|a| a.region.is_some());
    if !region_known && desk.searches.start(client_id) {
        effects.push(Effect::DetectRegion {
            credentials: Credentials {
                client_id: client_id.to_string(),
                api_key: key.to_string(),
            },
        });
    }
    None
}

fn helpers(
    desk: &Desk<'_>,
    tab: &TabState,
    editing: bool,
    anchor: usize,
    client_id: &str,
    note: String,
    now: u64,
) -> Helpers {
    let account = desk.accounts.accounts.get(client_id);
    let waits = account.is_none_or(|a| a.region.is_none()).then(|| {
        let finding = desk.searches.status(client_id) == Some(&RegionSearch::Finding);
        (if finding {
            REGION_FINDING
        } else {
            REGION_UNKNOWN
        })
        .to_string()
    });
    let mut buttons = vec![HelperButton::new(CopyWhat::ClientId, "Copy Client ID")];
    if tab.shown_key.is_some() {
        buttons.extend([
            HelperButton::new(CopyWhat::ApiKey, "Copy API key"),
            HelperButton::new(CopyWhat::AuthorizationHeader, "Copy Authorization header"),
        ]);
        for (what, label) in [
            (CopyWhat::Curl, "Copy curl"),
            (CopyWhat::ShellExports, "Copy shell exports"),
        ] {
            buttons.push(HelperButton {
                waits: waits.clone(),
                ..HelperButton::new(what, label)
            });
        }
    }
    let age = account
        .and_then(|a| a.key.as_ref())
        .map(|k| assess(k.since_ms, k.since, now, &desk.settings.schedule))
        .map(|age| AgeBanner {
            text: describe(&age),
            level: age.level,
        });
    buttons.extend(renewed_key_buttons(tab));
    let integrations = account
        .map(|a| a.integrations.as_slice())
        .unwrap_or_default();
    let check = desk.key_checks.iter().find(|(c, _)| c == client_id);
    let guard = renewal::guard(integrations, editing, tab, check.map(|(_, k)| k));
    Helpers {
        anchor,
        buttons,
        note,
        age,
        guard,
    }
}

/// Records a click on a page button: Renew starts a renewal, Cancel drops it, Save puts the
/// renewed key in force (restarting the key's clock) and forgets the old one.
pub fn click(desk: Desk<'_>, tabs: &mut Tabs, tab_id: i64, label: &str, now: u64) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(tab) = tabs.get_mut(&tab_id) else {
        return effects;
    };
    match reader::label_key(label).as_str() {
        // Renew exists only in Edit mode; a key shown before it is the old one.
        "renew" if tab.view.kind == TabKind::Credentials => {
            tab.renew_clicked = true;
            tab.pending_key = None;
        }
        "cancel" => {
            tab.renew_clicked = false;
            tab.pending_key = None;
        }
        "save" if tab.renew_clicked || tab.pending_key.is_some() => {
            if let Some(client_id) = tab.view.client_id.clone() {
                tab.just_renewed = true;
                // The renewed key, when the page showed it: Keyward goes on looking things up
                // with it without waiting for the page to show it again.
                let new_key = tab.pending_key.take();
                let fp = new_key.as_ref().map(|key| fingerprint(desk.salt, key));
                desk.accounts.renewal_saved(&client_id, fp, now);
                // The old key no longer works: forget it.
                let had_key = desk.keys.shift_remove(&client_id).is_some();
                let keeps_new = new_key.is_some() && desk.settings.session_keys();
                if let (true, Some(key)) = (keeps_new, &new_key) {
                    desk.keys.insert(client_id.clone(), key.clone());
                }
                if had_key || keeps_new {
                    effects.push(Effect::SaveKeys);
                }
                effects.push(Effect::SaveAccounts);
                if let Some(api_key) = new_key {
                    // The new key is checked once, whether or not it is kept; queued lookups and
                    // export pages go on with it.
                    effects.push(Effect::KeyInForce {
                        credentials: Credentials { client_id, api_key },
                        verify: true,
                    });
                }
            }
            tab.renew_clicked = false;
        }
        _ => {}
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";

    /// The clicks an admin makes on the credentials page, in order, and whether they amount to a
    /// renewal saved: only Renew then Save does (Cancel in between undoes it), whatever else is
    /// clicked, and only on a credentials page.
    #[test]
    fn only_renew_then_save_records_a_renewal() {
        let cases: [(&[&str], TabKind, bool); 8] = [
            (&["Save"], TabKind::Credentials, false),
            (&["Renew", "Save"], TabKind::Credentials, true),
            (&["Edit", "Renew", "Save"], TabKind::Credentials, true),
            (&["Edit", "  RENEW: ", "save"], TabKind::Credentials, true),
            (&["Renew", "Cancel", "Save"], TabKind::Credentials, false),
            (&["Renew", "Help", "Save"], TabKind::Credentials, true),
            (&["Renew", "Save"], TabKind::Console, false),
            (&["Save", "Renew"], TabKind::Credentials, false),
        ];
        for (clicks, kind, renewed) in cases {
            let (mut accounts, mut keys, mut layouts, mut claims) = Default::default();
            let mut searches = RegionSearches::default();
            let settings = Settings::default();
            let mut tabs = Tabs::default();
            tabs.insert(
                3,
                TabState {
                    view: TabView {
                        kind,
                        client_id: Some(ID.into()),
                        ..TabView::default()
                    },
                    ..TabState::default()
                },
            );
            for label in clicks {
                let desk = Desk {
                    accounts: &mut accounts,
                    keys: &mut keys,
                    searches: &mut searches,
                    salt: b"salt",
                    settings: &settings,
                    layouts: &mut layouts,
                    claims: &mut claims,
                    key_checks: &[],
                };
                click(desk, &mut tabs, 3, label, 1_000);
            }
            let recorded = accounts
                .accounts
                .get(ID)
                .is_some_and(|a: &crate::core::accounts::Account| a.renewals == [1_000]);
            assert_eq!(recorded, renewed, "{clicks:?} on a {kind:?} page");
        }
    }
}
