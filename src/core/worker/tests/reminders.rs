//! Reminders a key's age owes (never for an account known from a page alone), and the checklist of
//! integrations around a renewal.

use super::snapshots::{click, creds_page, facts, handle, send, state, ID, KEY, KEY2};
use super::*;
use crate::core::worker::*;

#[test]
fn reminders_are_owed_once_and_the_banner_shows_the_age() {
    let mut s = state();
    let day = DAY_MS;
    let t0 = 1_767_225_600_000; // 2026-01-01
    send(&mut s, creds_page(KEY, &[]), t0);
    // A page's word alone owes no reminder: nothing until a region accepts the key.
    assert_eq!(s.check_reminders(t0 + 89 * day).badge.text, "");
    assert!(s.accounts.accounts[ID].unconfirmed);
    s.accounts.set_region(ID, "eu", t0);
    // A key first seen may be years old: its age is unknown and it is due for review, once.
    let check = s.check_reminders(t0 + day);
    assert_eq!(check.badge.text, "?");
    assert_eq!(check.notify.len(), 1);
    assert!(check.notify[0]
        .message
        .contains("Key age unknown \u{2014} first seen 2026-01-01: due for review."));
    assert!(
        check.notify[0].asks_for_date,
        "it leads to where the date is given"
    );
    assert!(s.check_reminders(t0 + 2 * day).notify.is_empty(), "once");
    let view = || s.tab_view(3, t0 + 2 * day).accounts[0].clone();
    assert!(view().ask_key_date, "the popup asks when it was created");
    // The popup's answer: the key was last renewed on 2025-10-04 (89 days before t0).
    let popup = Sender::ExtensionPage;
    let answer = |date: &str| {
        Request::KeyDate(ask::KeyDate {
            client_id: ID.into(),
            date: Some(date.into()),
        })
    };
    assert_eq!(
        handle(&mut s, &answer("2027-01-01"), &popup, &facts(t0)).response,
        refused("the date cannot be in the future"),
    );
    assert_eq!(
        handle(&mut s, &answer("2025-10-04"), &popup, &facts(t0)).response,
        Response::Ack
    );
    assert!(!s.tab_view(3, t0).accounts[0].ask_key_date, "asked once");
    let check = s.check_reminders(t0 + 60_000);
    assert_eq!(check.badge.text, "1d");
    assert_eq!(check.notify.len(), 1);
    assert!(check.notify[0].message.contains("due for renewal in 1 day"));
    assert!(!check.notify[0].asks_for_date);
    // Who may renew, and what to do without the role.
    assert!(check.notify[0]
        .message
        .contains("Global Administrator or an Identity Repository Administrator"));
    assert!(check.notify[0].message.contains("no Renew, ask one"));
    assert!(
        s.check_reminders(t0 + 120_000).notify.is_empty(),
        "no duplicate"
    );
    let o = send(&mut s, creds_page(KEY, &[]), t0 + 120_000);
    let Response::PagePlan(PagePlan {
        helpers: Some(h), ..
    }) = o.response
    else {
        panic!("helpers expected");
    };
    assert_eq!(
        h.age,
        Some(AgeBanner {
            text: "Key age 89 days: due for renewal in 1 day.".into(),
            level: Level::DueSoon
        })
    );
    assert_eq!(s.snooze(ID, 1, t0 + 2 * day), Ok(()));
    assert!(
        s.check_reminders(t0 + 2 * day + 1).notify.is_empty(),
        "snoozed"
    );
    // A renewal the API accepted restarts the clock: the badge clears.
    send(&mut s, creds_page(KEY2, &[]), t0 + 3 * day);
    let renewed = Credentials {
        client_id: ID.into(),
        api_key: KEY2.into(),
    };
    s.key_proven(&renewed, Proof::Accepted, t0 + 3 * day);
    assert_eq!(s.check_reminders(t0 + 3 * day).badge.text, "");
    assert!(
        !s.tab_view(3, t0).accounts[0].ask_key_date,
        "a renewal seen is dated"
    );
}

#[test]
fn the_guard_lists_integrations_in_edit_mode_and_after_save() {
    let mut s = state();
    send(&mut s, creds_page(KEY, &["Edit"]), 1_000);
    let popup = Sender::ExtensionPage;
    let edit = crate::core::accounts::AccountEdit {
        client_id: ID.into(),
        label: "Prod".into(),
        colour: String::new(),
        production: true,
        integrations: "PingFederate PCV\nHR sync script".into(),
        key_date: String::new(),
    };
    let update = Request::UpdateAccount(edit);
    assert_eq!(
        handle(&mut s, &update, &popup, &facts(2_000)).response,
        Response::Ack
    );
    let guard = |o: &Outcome| match &o.response {
        Response::PagePlan(PagePlan {
            helpers: Some(h), ..
        }) => h.guard.clone(),
        _ => None,
    };
    assert_eq!(
        guard(&send(&mut s, creds_page(KEY, &["Edit"]), 3_000)),
        None,
        "no guard outside Edit mode"
    );
    let editing = guard(&send(
        &mut s,
        creds_page(KEY, &["Renew", "Save", "Cancel"]),
        3_001,
    ))
    .expect("a guard");
    assert_eq!(editing.items, ["PingFederate PCV", "HR sync script"]);
    send(&mut s, click("Renew"), 3_002);
    send(&mut s, click("Save"), 3_003);
    let after =
        guard(&send(&mut s, creds_page("••••", &["Show", "Edit"]), 3_004)).expect("a reminder");
    assert!(after.title.starts_with("Key renewed"));
    assert_eq!(s.tab_view(3, 0).accounts[0].label.as_deref(), Some("Prod"));
    let keys_before = s.keys.clone();
    let forget = Request::ForgetAccount(ask::Account {
        client_id: ID.into(),
    });
    assert_eq!(
        handle(&mut s, &forget, &popup, &facts(4_000)).response,
        Response::Ack
    );
    assert!(s.accounts.accounts.is_empty() && s.keys.is_empty());
    // Undo brings it back as it was, once; a Forget of another account ends the offer.
    let restore = |id: &str| {
        Request::RestoreAccount(ask::Account {
            client_id: id.into(),
        })
    };
    assert_eq!(
        handle(&mut s, &restore("someone-else"), &popup, &facts(4_001)).response,
        refused("too late to undo: Keyward has restarted or forgotten another account since")
    );
    assert_eq!(
        handle(&mut s, &restore(ID), &popup, &facts(4_001)).response,
        Response::Ack
    );
    assert_eq!(s.tab_view(3, 0).accounts[0].label.as_deref(), Some("Prod"));
    assert_eq!(s.keys, keys_before, "with its key");
    assert_ne!(
        handle(&mut s, &restore(ID), &popup, &facts(4_002)).response,
        Response::Ack,
        "once"
    );
}
