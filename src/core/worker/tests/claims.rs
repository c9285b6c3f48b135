//! A key a page shows for a known account, with no renewal saved: a claim until the Directory API
//! accepts it.

use super::snapshots::{creds_page, send, state, ID, KEY, KEY2, KEY3};
use crate::core::console::claims::Proof;
use crate::core::worker::*;

#[test]
fn a_key_changed_outside_keyward_is_a_renewal_once_the_api_accepts_it() {
    let mut s = state();
    send(&mut s, creds_page(KEY, &["Edit"]), 1_000);
    let known = s.accounts.clone();
    let swapped = Credentials {
        client_id: ID.into(),
        api_key: KEY2.into(),
    };
    // The page's word: nothing changes but a question to the API, asked once.
    let o = send(&mut s, creds_page(KEY2, &["Edit"]), 9_000);
    assert_eq!(
        o.effects,
        vec![Effect::ProveKey {
            credentials: swapped.clone()
        }]
    );
    assert_eq!(s.accounts, known, "no renewal, the key age kept");
    assert_eq!(
        s.keys.get(ID).map(String::as_str),
        Some(KEY),
        "the old key kept"
    );
    assert!(s
        .tab_view(3, 9_000)
        .summary
        .contains("asking the Directory API"));
    assert!(send(&mut s, creds_page(KEY2, &["Edit"]), 9_500)
        .effects
        .is_empty());
    // Refused: still nothing, and the popup says so; no further question.
    assert!(s.key_proven(&swapped, Proof::Refused, 10_000).is_empty());
    assert_eq!(s.accounts, known);
    assert!(send(&mut s, creds_page(KEY2, &["Edit"]), 11_000)
        .effects
        .is_empty());
    assert!(s.tab_view(3, 11_000).summary.contains("refused it"));
    // Accepted: a renewal from then on, and the new key in force.
    let other = Credentials {
        client_id: ID.into(),
        api_key: KEY3.into(),
    };
    send(&mut s, creds_page(KEY3, &["Edit"]), 12_000);
    let effects = s.key_proven(&other, Proof::Accepted, 13_000);
    assert_eq!(effects[0], Effect::SaveAccounts);
    assert_eq!(s.accounts.accounts[ID].renewals, vec![13_000]);
    assert_eq!(s.keys.get(ID).map(String::as_str), Some(KEY3));
    assert!(send(&mut s, creds_page(KEY3, &["Edit"]), 14_000)
        .effects
        .iter()
        .all(|e| !matches!(e, Effect::ProveKey { .. })));
}
