//! A renewal on the credentials page as the admin lives it: the renewed key's own helpers while it
//! waits for Save (the key in force still works until then), the cut-over checklist of what uses
//! the key, and once saved, whether the new key works — checked once against the Directory API and
//! said beside the checklist, which the admin ticks through and dismisses.

use serde::{Deserialize, Serialize};

use crate::core::console::copy::{CopyWhat, HelperButton};
use crate::core::console::tabs::{KeyCheck, TabState};

/// The checklist around a renewal: before Save what will break, after it what to update and
/// whether the new key works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    pub title: String,
    pub items: Vec<String>,
    /// After Save: how the new key's check went (or that it is under way).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// After Save: the page offers "Done", which puts the checklist away.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dismissible: bool,
}

const BEFORE_SAVE: &str =
    "Renewing breaks every integration that uses this key until it is updated. Cut-over checklist:";
const AFTER_SAVE: &str = "Key renewed: update each integration with the new key, and tick it off.";
const AFTER_SAVE_NOTHING_LISTED: &str = "Key renewed: update everything that uses the key (Keyward's options can list them here next time).";

/// The helpers of a renewed key shown before Save, beside those of the key in force.
pub fn renewed_key_buttons(tab: &TabState) -> Vec<HelperButton> {
    match &tab.pending_key {
        Some(renewed) if tab.shown_key.as_ref() != Some(renewed) => [
            (CopyWhat::ApiKey, "Copy new API key (works after Save)"),
            (
                CopyWhat::AuthorizationHeader,
                "Copy new Authorization header (works after Save)",
            ),
        ]
        .into_iter()
        .map(|(what, label)| HelperButton {
            renewed: true,
            ..HelperButton::new(what, label)
        })
        .collect(),
        _ => Vec::new(),
    }
}

/// The checklist for a tab: in Edit mode, what uses the key (if the admin listed any); after Save,
/// what to update and how the new key's check went, until the admin is done.
pub fn guard(
    integrations: &[String],
    editing: bool,
    tab: &TabState,
    check: Option<&KeyCheck>,
) -> Option<Guard> {
    if editing {
        return (!integrations.is_empty()).then(|| Guard {
            title: BEFORE_SAVE.into(),
            items: integrations.to_vec(),
            check: None,
            dismissible: false,
        });
    }
    tab.just_renewed.then(|| Guard {
        title: if integrations.is_empty() {
            AFTER_SAVE_NOTHING_LISTED
        } else {
            AFTER_SAVE
        }
        .into(),
        items: integrations.to_vec(),
        check: check.map(KeyCheck::sentence),
        dismissible: true,
    })
}

/// The admin is done with the checklist after a renewal: it is put away.
pub fn checklist_done(tab: &mut TabState) {
    tab.just_renewed = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(shown: &str, pending: Option<&str>, just_renewed: bool) -> TabState {
        TabState {
            shown_key: Some(shown.into()),
            pending_key: pending.map(str::to_string),
            just_renewed,
            ..TabState::default()
        }
    }

    #[test]
    fn a_renewed_key_beside_the_old_one_gets_its_own_labelled_helpers() {
        let labels = |t: &TabState| {
            renewed_key_buttons(t)
                .into_iter()
                .map(|b| (b.what, b.label, b.renewed))
                .collect::<Vec<_>>()
        };
        assert!(labels(&tab("old", None, false)).is_empty());
        // Shown in place of the old key, the ordinary helpers already copy it.
        assert!(labels(&tab("new", Some("new"), false)).is_empty());
        assert_eq!(
            labels(&tab("old", Some("new"), false)),
            [
                (
                    CopyWhat::ApiKey,
                    "Copy new API key (works after Save)".to_string(),
                    true
                ),
                (
                    CopyWhat::AuthorizationHeader,
                    "Copy new Authorization header (works after Save)".to_string(),
                    true
                ),
            ]
        );
    }

    #[test]
    fn the_checklist_before_and_after_save_and_done() {
        let listed = ["PingFederate PCV".to_string()];
        let idle = tab("k", None, false);
        assert_eq!(guard(&listed, false, &idle, None), None);
        assert_eq!(
            guard(&[], true, &idle, None),
            None,
            "nothing listed to break"
        );
        let before = guard(&listed, true, &idle, None).expect("in Edit mode");
        assert_eq!(
            (before.title.as_str(), before.dismissible),
            (BEFORE_SAVE, false)
        );
        let mut saved = tab("k", None, true);
        let checks = [
            (None, None),
            (
                Some(KeyCheck::Checking),
                Some("Checking the new key against the Directory API\u{2026}"),
            ),
            (
                Some(KeyCheck::Works),
                Some("New key verified \u{2713} \u{2014} the Directory API accepted it."),
            ),
        ];
        for (check, said) in checks {
            let after = guard(&listed, false, &saved, check.as_ref()).expect("after Save");
            assert_eq!(after.check.as_deref(), said);
            assert!(after.dismissible);
            assert_eq!(after.items, listed);
        }
        // Said even when no integration is listed: the new key's check matters alone.
        let alone = guard(&[], false, &saved, Some(&KeyCheck::Works)).expect("after Save");
        assert_eq!(alone.title, AFTER_SAVE_NOTHING_LISTED);
        checklist_done(&mut saved);
        assert_eq!(guard(&listed, false, &saved, Some(&KeyCheck::Works)), None);
    }
}
