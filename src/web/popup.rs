//! The popup: asks the worker what it knows about the active tab, mounts the core's view, runs
//! lookups through the worker, and handles its actions by delegation (credentials entered by hand,
//! a region override, snoozes, search, open, copy, back, and emptying the clipboard when Keyward
//! offered to).
//!
//! The screen is mounted whole only when the accounts change; a search re-mounts just the results
//! area, so the search box keeps its focus and caret while the admin types.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, HtmlSelectElement, KeyboardEvent};

use super::{chrome, dom, time};
use crate::core::api::filter::SearchKind;
use crate::core::console::credentials::TabView;
use crate::core::lookup::view::{self as lookup_view, ACCOUNT, KIND, RESULTS, STATUS, TEXT};
use crate::core::lookup::{self, Detail, Failure, FailureCode, Found, KeyAction};
use crate::core::popup::{self, LookupChoice, Notice, MANUAL_API_KEY, MANUAL_CLIENT_ID};
use crate::core::protocol::{ask, Request, ResponseKind};
use crate::core::shared::hosts::Flavour;
use crate::core::shared::wire;

struct Page {
    root: Element,
    flavour: Flavour,
    tab_id: Option<i64>,
    view: Option<TabView>,
    choice: LookupChoice,
    /// The latest search or detail request: answers to older ones are dropped.
    generation: u64,
    /// The last results, for "Back" from a detail view.
    found: Option<Found>,
    /// The lookup the results area answers (results or a failure), if any.
    shown: Option<LookupChoice>,
    /// The id whose detail is shown.
    detail_of: Option<String>,
    debounce: Option<(JsValue, Closure<dyn FnMut()>)>,
    /// Keyward's offer to empty the clipboard is out and unanswered.
    clipboard_offer: bool,
}

type Shared = Rc<RefCell<Page>>;

/// The worker's view of a tab (and the accounts it knows), from its answer.
fn tab_view_in(answer: Result<JsValue, JsError>) -> Option<TabView> {
    chrome::expect(answer, ResponseKind::TabState).ok()
}

async fn render(page: &Shared, notice: Option<Notice>) -> Result<(), JsError> {
    let tab_id = page.borrow().tab_id;
    let view = chrome::tab_view(tab_id).await;
    page.borrow_mut().clipboard_offer = super::clipboard::offered().await;
    show(page, view, notice)
}

/// Mounts the screen for `view` (the worker's answer; `None` when it gave none), with the results
/// still shown when they still answer the lookup.
fn show(page: &Shared, view: Option<TabView>, notice: Option<Notice>) -> Result<(), JsError> {
    // Decide under the borrow, mount after it: DOM calls can dispatch events to our listeners.
    let (root, screen, kept) = {
        let mut p = page.borrow_mut();
        let before = p.choice.clone();
        let screen = match &view {
            Some(view) => {
                let known = |id: &String| view.accounts.iter().any(|a| &a.client_id == id);
                if !p.choice.account.as_ref().is_some_and(known) {
                    p.choice.account = popup::default_account(view);
                }
                popup::screen(
                    view,
                    p.flavour,
                    notice.as_ref(),
                    &p.choice,
                    p.clipboard_offer,
                )
            }
            None => popup::first_screen(),
        };
        let kept = p
            .found
            .take()
            .filter(|found| popup::results_still_answer(found, &before, &p.choice));
        p.view = view;
        p.shown = kept.as_ref().map(|_| p.choice.clone());
        p.found = kept.clone();
        p.detail_of = None;
        (p.root.clone(), screen, kept)
    };
    dom::mount(&root, &screen)?;
    match kept {
        Some(found) => mount_results(&root, &lookup_view::results(&found)),
        None => Ok(()),
    }
}

/// Renders the popup into `root`: what Keyward sees in the active tab, lookups, and the accounts it
/// knows. Outside the extension (no worker to ask) the first screen is shown.
///
/// The loader starts the two slow asks while the wasm loads, and passes their promises (or
/// `undefined`): `active_tabs`, its `tabs.query` for the active tab, and `first_state`, its
/// `tab_state` request for that tab. Without them, or when the worker's first answer cannot be
/// read, the popup asks itself.
#[wasm_bindgen]
pub async fn render_popup(
    root: Element,
    active_tabs: JsValue,
    first_state: JsValue,
) -> Result<(), JsError> {
    // Mounted once, after the worker answers, so focus and screen readers see one stable screen.
    let Ok(patterns) = chrome::manifest_host_permissions() else {
        return dom::mount(&root, &popup::first_screen());
    };
    let page = Rc::new(RefCell::new(Page {
        root: root.clone(),
        flavour: Flavour::from_host_permissions(&patterns),
        tab_id: chrome::active_tab_id_from(active_tabs).await,
        view: None,
        choice: LookupChoice::default(),
        generation: 0,
        found: None,
        shown: None,
        detail_of: None,
        debounce: None,
        clipboard_offer: super::clipboard::offered().await,
    }));
    let prefetched = chrome::started_answer(first_state).await;
    match prefetched.and_then(|answer| tab_view_in(Ok(answer))) {
        Some(view) => show(&page, Some(view), None)?,
        None => render(&page, None).await?,
    }
    dom::listen(
        &root,
        &["submit", "change", "click", "input", "keydown"],
        move |e| on_event(&page, e),
    )
}

fn spawn(work: impl std::future::Future<Output = Result<(), JsError>> + 'static) {
    super::spawn(async move {
        if let Err(err) = work.await {
            web_sys::console::warn_1(&JsValue::from(err));
        }
    });
}

fn on_event(page: &Shared, e: Event) {
    let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    let id = target.id();
    match e.type_().as_str() {
        "input" if id == TEXT => {
            let text = target
                .dyn_ref::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            page.borrow_mut().choice.text = text;
            debounce_search(page);
        }
        "change" if id == ACCOUNT || id == KIND => {
            let value = target
                .dyn_ref::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            {
                let mut p = page.borrow_mut();
                if id == ACCOUNT {
                    p.choice.account = Some(value);
                } else {
                    p.choice.kind = wire::from_name::<SearchKind>(&value).unwrap_or_default();
                }
            }
            // The account's colour and production warning change: mount again, then search.
            let page = page.clone();
            let focus = id.clone();
            spawn(async move {
                render(&page, None).await?;
                let root = page.borrow().root.clone();
                if let Some(control) = dom::by_id::<HtmlElement>(&root, &focus) {
                    let _ = control.focus();
                }
                if !page.borrow().choice.text.trim().is_empty() {
                    search(&page, false).await?;
                }
                Ok(())
            });
        }
        "keydown" => on_key(page, &e, &target),
        "submit" => {
            e.prevent_default();
            let page = page.clone();
            spawn(async move { act(&page, target).await });
        }
        "click" if target.closest("[data-action]").ok().flatten().is_some() => {
            let Some(button) = target.closest("[data-action]").ok().flatten() else {
                return;
            };
            let page = page.clone();
            spawn(async move { click(&page, button).await });
        }
        "change" => {
            let page = page.clone();
            spawn(async move { act(&page, target).await });
        }
        _ => {}
    }
}

fn debounce_search(page: &Shared) {
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

fn open_buttons(root: &Element) -> Vec<HtmlElement> {
    let Ok(list) = root.query_selector_all(".kw-open") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

fn on_key(page: &Shared, e: &Event, target: &Element) {
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

fn set_status(root: &Element, text: &str) {
    if let Some(status) = dom::by_id::<Element>(root, STATUS) {
        status.set_text_content(Some(text));
    }
}

fn mount_results(root: &Element, view: &crate::core::shared::view::Element) -> Result<(), JsError> {
    match dom::by_id::<Element>(root, RESULTS) {
        Some(area) => dom::mount(&area, view),
        None => Ok(()),
    }
}

/// Sends a lookup message and waits for its answer, showing the scheduler's wait (a rate limit)
/// while it takes long. `None` when a newer request replaced it meanwhile.
async fn ask(page: &Shared, request: Request) -> Option<Result<JsValue, JsError>> {
    let (generation, root) = {
        let mut p = page.borrow_mut();
        p.generation += 1;
        (p.generation, p.root.clone())
    };
    set_status(&root, "Searching\u{2026}");
    let done = Rc::new(RefCell::new(false));
    let watch_done = done.clone();
    let watch_page = page.clone();
    super::spawn(async move {
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

fn credentials_url(page: &Shared) -> String {
    let p = page.borrow();
    p.view
        .as_ref()
        .and_then(|v| {
            v.accounts
                .iter()
                .find(|a| Some(&a.client_id) == p.choice.account.as_ref())
        })
        .map(|a| a.credentials_url.clone())
        .unwrap_or_else(|| crate::core::shared::hosts::CONSOLE_HOME.to_string())
}

fn show_failure(page: &Shared, failure: &Failure) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    set_status(&root, "");
    if failure.code == FailureCode::Cancelled {
        return Ok(());
    }
    mount_results(
        &root,
        &lookup_view::failure(failure, &credentials_url(page)),
    )
}

/// Searches as the lookup stands. With `more`, asks for the results after those shown and adds
/// them; otherwise results shown for another query are taken away at once (never stale results
/// under a new query), and a search that could not reach PingOne is asked again by itself.
async fn search(page: &Shared, more: bool) -> Result<(), JsError> {
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
fn retry_later(page: &Shared) {
    let generation = page.borrow().generation;
    let page = page.clone();
    super::spawn(async move {
        time::sleep(lookup::RETRY_MS).await;
        if page.borrow().generation == generation {
            if let Err(err) = search(&page, false).await {
                web_sys::console::warn_1(&JsValue::from(err));
            }
        }
    });
}

async fn open_detail(page: &Shared, id: String) -> Result<(), JsError> {
    let (choice, kind, root) = {
        let p = page.borrow();
        let kind = p.found.as_ref().map_or(p.choice.kind, |f| f.kind);
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
    let view = lookup_view::detail(&detail, &local_offset, members_export.as_deref());
    mount_results(&root, &view)?;
    page.borrow_mut().detail_of = Some(id);
    if let Some(title) = dom::by_id::<HtmlElement>(&root, "detail-title") {
        let _ = title.focus();
    }
    Ok(())
}

/// Minutes east of UTC at `ms`, as the browser's time zone says (so DST is right per date).
fn local_offset(ms: i64) -> i32 {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    -(date.get_timezone_offset() as i32)
}

fn back(page: &Shared) -> Result<(), JsError> {
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

async fn click(page: &Shared, button: Element) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    match button.get_attribute("data-action").as_deref() {
        Some("open") => {
            open_detail(page, button.get_attribute("data-id").unwrap_or_default()).await
        }
        Some("back") => back(page),
        Some("retry") => search(page, false).await,
        Some("more") => search(page, true).await,
        Some("copy") => {
            let what = button.get_attribute("data-what").unwrap_or_default();
            let value = button.get_attribute("data-value").unwrap_or_default();
            let said = match dom::copy_text(&value).await {
                Ok(()) => format!("Copied {what}."),
                Err(_) => format!("Could not copy the {what}: the clipboard refused."),
            };
            set_status(&root, &said);
            Ok(())
        }
        _ => act(page, button).await,
    }
}

fn input_value(root: &Element, id: &str) -> String {
    dom::input_by_id(root, id)
        .map(|i| i.value())
        .unwrap_or_default()
}

async fn act(page: &Shared, target: Element) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    let request = if target.get_attribute("data-form").as_deref() == Some("manual") {
        Request::ManualCredentials(ask::ManualCredentials {
            client_id: input_value(&root, MANUAL_CLIENT_ID),
            api_key: input_value(&root, MANUAL_API_KEY),
        })
    } else if let Some(select) = target
        .dyn_ref::<HtmlSelectElement>()
        .filter(|s| s.class_name() == "kw-region")
    {
        Request::SetRegion(ask::SetRegion {
            client_id: select.get_attribute("data-client-id").unwrap_or_default(),
            region: select.value(),
        })
    } else if target.get_attribute("data-action").as_deref() == Some("teach") {
        let Some(tab_id) = page.borrow().tab_id else {
            return Ok(());
        };
        let notice = match chrome::ask_worker(&Request::TeachTab(ask::TabState { tab_id })).await? {
            Ok(()) => Notice::Saved(popup::TEACHING.into()),
            Err(reason) => Notice::Refused(format!("{reason}.")),
        };
        return render(page, Some(notice)).await;
    } else if target.get_attribute("data-action").as_deref() == Some("empty-clipboard") {
        let notice = match chrome::ask_worker(&Request::EmptyClipboard).await? {
            Ok(()) => Notice::Saved("The clipboard is empty.".into()),
            Err(reason) => Notice::Refused(format!("The clipboard was not emptied: {reason}.")),
        };
        return render(page, Some(notice)).await;
    } else if target.get_attribute("data-form").as_deref() == Some("key-date")
        || target.get_attribute("data-action").as_deref() == Some("key-date-unknown")
    {
        // The form carries the date; its "I don't know" button, none.
        let client_id = target.get_attribute("data-client-id").unwrap_or_default();
        Request::KeyDate(ask::KeyDate {
            date: (target.tag_name() == "FORM")
                .then(|| input_value(&root, &popup::key_date_field(&client_id))),
            client_id,
        })
    } else if target.get_attribute("data-action").as_deref() == Some("confirm") {
        Request::ConfirmAccount(ask::Account {
            client_id: target.get_attribute("data-client-id").unwrap_or_default(),
        })
    } else if target.get_attribute("data-action").as_deref() == Some("snooze") {
        Request::Snooze(ask::Snooze {
            client_id: target.get_attribute("data-client-id").unwrap_or_default(),
            days: target
                .get_attribute("data-days")
                .and_then(|d| d.parse::<u64>().ok())
                .unwrap_or(1),
        })
    } else {
        return Ok(());
    };
    let answer = chrome::ask_worker(&request).await?;
    let region_chosen = answer.is_ok() && matches!(request, Request::SetRegion(_));
    let notice = match answer {
        Ok(()) => Notice::Saved("Saved.".into()),
        Err(reason) => Notice::Refused(format!("Not saved: {reason}.")),
    };
    render(page, Some(notice)).await?;
    // A region chosen by hand is used at once: a lookup that waited for it (no results shown)
    // runs again.
    let waited = {
        let p = page.borrow();
        p.found.is_none() && !p.choice.text.trim().is_empty()
    };
    if region_chosen && waited {
        search(page, false).await?;
    }
    Ok(())
}
