//! The popup's lookup panel: the debounced search and "Show more", a search asked again by itself
//! while PingOne cannot be reached, details and the users or groups they name, the keyboard in the
//! results, and the status line while a request waits.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, KeyboardEvent};

use super::{click, spawn, Shared};
use crate::core::accounts::view::AccountView;
use crate::core::api::filter::SearchKind;
use crate::core::lookup::view::{self as lookup_view, RESULTS, STATUS, TEXT};
use crate::core::lookup::{self, Detail, Failure, FailureCode, Found, KeyAction};
use crate::core::popup;
use crate::core::protocol::{ask, Request, ResponseKind};
use crate::web::{chrome, dom, time};

pub(super) fn debounce_search(page: &Shared) {
    let mut p = page.borrow_mut();
    if let Some((handle, _)) = p.debounce.take() {
        time::clear_timeout(&handle);
    }
    let fire_page = page.clone();
    let closure = Closure::<dyn FnMut()>::new(move || {
        let page = fire_page.clone();
        spawn(async move { search(&page, false).await });
    });
    if let Some(handle) = time::set_timeout(closure.as_ref().unchecked_ref(), lookup::DEBOUNCE_MS) {
        p.debounce = Some((handle, closure));
    }
}

pub(super) fn open_buttons(root: &Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(".kw-open") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

pub(super) fn on_key(page: &Shared, e: &Event, target: &Element) {
    let Some(key) = e.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    if key.ctrl_key() || key.meta_key() || key.alt_key() {
        return;
    }
    let Some(action) = lookup::key_action(&key.key()) else {
        return;
    };
    let root = page.borrow().root.clone();
    let on_result = target.class_list().contains("kw-open");
    let in_search = target.id() == TEXT;
    let buttons = open_buttons(&root);
    let here = buttons
        .iter()
        .position(|b| b.unchecked_ref::<Element>() == target);
    let focus = |i: usize| {
        if let Some(b) = buttons.get(i) {
            let _ = b.focus();
        }
    };
    match action {
        KeyAction::Next if in_search => focus(0),
        KeyAction::Next => {
            if let Some(i) = here {
                focus(i + 1);
            }
        }
        KeyAction::Previous => match here {
            Some(0) => {
                if let Some(search) = dom::by_id::<HtmlElement>(&root, TEXT) {
                    let _ = search.focus();
                }
            }
            Some(i) => focus(i - 1),
            None => return,
        },
        KeyAction::CopyId | KeyAction::CopyUserName | KeyAction::CopyEmail if on_result => {
            let what = match action {
                KeyAction::CopyId => "id",
                KeyAction::CopyUserName => "userName",
                _ => "email",
            };
            let copy = target.closest("li").ok().flatten().and_then(|li| {
                li.query_selector(&format!("[data-what=\"{what}\"]"))
                    .ok()
                    .flatten()
            });
            if let Some(copy) = copy {
                let page = page.clone();
                spawn(async move { click(&page, copy).await });
            }
        }
        KeyAction::Back if page.borrow().detail_of.is_some() => {
            let page = page.clone();
            spawn(async move { back(&page) });
        }
        // Enter activates the focused button natively; other keys are typed.
        _ => return,
    }
    e.prevent_default();
}

pub(super) fn set_status(root: &Element, text: &str) {
    if let Some(status) = dom::by_id::<Element>(root, STATUS) {
        status.set_text_content(Some(text));
    }
}

pub(super) fn mount_results(
    root: &Element,
    view: &crate::core::shared::view::Element,
) -> Result<(), JsError> {
    match dom::by_id::<Element>(root, RESULTS) {
        Some(area) => dom::mount(&area, view),
        None => Ok(()),
    }
}

/// Sends a lookup message and waits for its answer, showing the scheduler's wait (a rate limit)
/// while it takes long. `None` when a newer request replaced it meanwhile.
pub(super) async fn ask(page: &Shared, request: Request) -> Option<Result<JsValue, JsError>> {
    let (generation, root) = {
        let mut p = page.borrow_mut();
        p.generation += 1;
        (p.generation, p.root.clone())
    };
    set_status(&root, "Searching\u{2026}");
    let done = Rc::new(RefCell::new(false));
    let watch_done = done.clone();
    let watch_page = page.clone();
    crate::web::spawn(async move {
        loop {
            time::sleep(lookup::STATUS_POLL_MS).await;
            if *watch_done.borrow() || watch_page.borrow().generation != generation {
                return;
            }
            let line = chrome::api_rate_line().await;
            if *watch_done.borrow() || watch_page.borrow().generation != generation {
                return;
            }
            set_status(&root, line.as_deref().unwrap_or("Searching\u{2026}"));
        }
    });
    // The browser may stop the worker while it works on the request (MV3): the message then
    // fails, and sending it again wakes a fresh worker, which reads the key from storage.session.
    let mut answer = chrome::send_message(&request).await;
    if answer.is_err() && page.borrow().generation == generation {
        answer = chrome::send_message(&request).await;
    }
    *done.borrow_mut() = true;
    (page.borrow().generation == generation).then_some(answer)
}

/// A console address of the account being looked up (the console's home when unknown).
pub(super) fn account_link(page: &Shared, link: impl Fn(&AccountView) -> &String) -> String {
    let p = page.borrow();
    p.view
        .as_ref()
        .and_then(|v| {
            v.accounts
                .iter()
                .find(|a| Some(&a.client_id) == p.choice.account.as_ref())
        })
        .map(|a| link(a).clone())
        .unwrap_or_else(|| crate::core::shared::hosts::CONSOLE_HOME.to_string())
}

pub(super) fn show_failure(page: &Shared, failure: &Failure) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    set_status(&root, "");
    if failure.code == FailureCode::Cancelled {
        return Ok(());
    }
    mount_results(
        &root,
        &lookup_view::failure(failure, &account_link(page, |a| &a.credentials_url)),
    )
}

/// Searches as the lookup stands. With `more`, asks for the results after those shown and adds
/// them; otherwise results shown for another query are taken away at once (never stale results
/// under a new query), and a search that could not reach PingOne is asked again by itself.
pub(super) async fn search(page: &Shared, more: bool) -> Result<(), JsError> {
    let (choice, root, shown) = {
        let mut p = page.borrow_mut();
        let choice = p.choice.clone();
        let answers_it = p.shown.as_ref() == Some(&choice);
        if !more && !answers_it {
            p.found = None;
            p.shown = None;
        }
        let shown = match (&p.found, more) {
            (Some(found), true) => found.rows.len() as u64,
            _ => 0,
        };
        (choice, p.root.clone(), shown)
    };
    if !more && page.borrow().shown.is_none() {
        mount_results(&root, &crate::core::shared::view::el("div"))?;
    }
    let Some(account) = choice.account.clone() else {
        return Ok(());
    };
    let request = Request::Search(ask::Search {
        client_id: account,
        kind: choice.kind,
        text: choice.text.clone(),
        shown,
    });
    let Some(answer) = ask(page, request).await else {
        return Ok(());
    };
    let mut found: Found = match chrome::expect(answer, ResponseKind::Found) {
        Ok(found) => found,
        Err(failure) => {
            page.borrow_mut().shown = Some(choice);
            if !more && failure.retries_by_itself() {
                retry_later(page);
            }
            return show_failure(page, &failure);
        }
    };
    set_status(&root, "");
    let first_new = {
        let mut p = page.borrow_mut();
        let first_new = p.found.as_ref().map_or(0, |f| f.rows.len());
        if let (true, Some(before)) = (more, p.found.take()) {
            // Rows already shown stay first; a row the directory moved into the next page is not
            // listed twice.
            let mut rows = before.rows;
            found.rows.retain(|r| !rows.iter().any(|b| b.id == r.id));
            rows.append(&mut found.rows);
            found.rows = rows;
        }
        p.found = Some(found.clone());
        p.shown = Some(choice);
        p.detail_of = None;
        if more {
            first_new
        } else {
            0
        }
    };
    mount_results(&root, &lookup_view::results(&found))?;
    if more {
        if let Some(row) = open_buttons(&root).get(first_new) {
            let _ = row.focus();
        }
    }
    Ok(())
}

/// Asks the same search again after [`lookup::RETRY_MS`], unless the admin has asked anything
/// since.
pub(super) fn retry_later(page: &Shared) {
    let generation = page.borrow().generation;
    let page = page.clone();
    crate::web::spawn(async move {
        time::sleep(lookup::RETRY_MS).await;
        if page.borrow().generation == generation {
            if let Err(err) = search(&page, false).await {
                web_sys::console::warn_1(&JsValue::from(err));
            }
        }
    });
}

/// Opens one user or group: a result (of the results' kind), or one a detail names (`kind`).
pub(super) async fn open_detail(
    page: &Shared,
    id: String,
    kind: Option<SearchKind>,
) -> Result<(), JsError> {
    let (choice, kind, root) = {
        let p = page.borrow();
        let kind = kind.unwrap_or(p.found.as_ref().map_or(p.choice.kind, |f| f.kind));
        (p.choice.clone(), kind, p.root.clone())
    };
    let Some(account) = choice.account else {
        return Ok(());
    };
    let request = Request::Detail(ask::Detail {
        client_id: account.clone(),
        kind,
        id: id.clone(),
    });
    let Some(answer) = ask(page, request).await else {
        return Ok(());
    };
    let detail: Detail = match chrome::expect(answer, ResponseKind::Detail) {
        Ok(detail) => detail,
        Err(failure) => return show_failure(page, &failure),
    };
    set_status(&root, "");
    let members_export = popup::members_export(&account, &id, &detail);
    let view = lookup_view::detail(
        &detail,
        &local_offset,
        members_export.as_deref(),
        &account_link(page, |a| &a.users_url),
    );
    mount_results(&root, &view)?;
    page.borrow_mut().detail_of = Some(id);
    if let Some(title) = dom::by_id::<HtmlElement>(&root, "detail-title") {
        let _ = title.focus();
    }
    Ok(())
}

/// Minutes east of UTC at `ms`, as the browser's time zone says (so DST is right per date).
pub(super) fn local_offset(ms: i64) -> i32 {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    -(date.get_timezone_offset() as i32)
}

pub(super) fn back(page: &Shared) -> Result<(), JsError> {
    let (root, found, id) = {
        let mut p = page.borrow_mut();
        (p.root.clone(), p.found.clone(), p.detail_of.take())
    };
    let Some(found) = found else {
        return Ok(());
    };
    mount_results(&root, &lookup_view::results(&found))?;
    // Focus returns to the row that was opened.
    let rows = open_buttons(&root);
    let row = rows
        .iter()
        .find(|b| b.get_attribute("data-id") == id)
        .or(rows.first());
    if let Some(row) = row {
        let _ = row.focus();
    }
    Ok(())
}
