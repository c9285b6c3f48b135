//! The popup: asks the worker what it knows about the active tab, mounts the core's view, and
//! handles its actions by delegation (credentials entered by hand, a region override, a key's date,
//! snoozes, copy, and emptying the clipboard when Keyward offered to); the lookups run in `panel`.
//!
//! The screen is mounted whole only when the accounts change; a search re-mounts just the results
//! area, so the search box keeps its focus and caret while the admin types.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, HtmlSelectElement};

mod panel;

use super::{chrome, dom};
use crate::core::api::filter::SearchKind;
use crate::core::console::credentials::TabView;
use crate::core::lookup::view::{self as lookup_view, ACCOUNT, KIND, TEXT};
use crate::core::lookup::Found;
use crate::core::popup::{self, LookupChoice, Notice, MANUAL_API_KEY, MANUAL_CLIENT_ID};
use crate::core::protocol::{ask, Request, ResponseKind};
use crate::core::shared::hosts::Flavour;
use crate::core::shared::wire;
use panel::{back, debounce_search, mount_results, on_key, open_detail, search, set_status};

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
    // A refusal keeps what was typed in the forms mounted again (a date, the credentials by hand).
    if matches!(notice, Some(Notice::Refused(_))) {
        dom::mount_keeping_input(&root, &screen)?;
    } else {
        dom::mount(&root, &screen)?;
    }
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

async fn click(page: &Shared, button: Element) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    match button.get_attribute("data-action").as_deref() {
        Some("open") => {
            open_detail(
                page,
                button.get_attribute("data-id").unwrap_or_default(),
                None,
            )
            .await
        }
        Some("open-related") => {
            let kind = button
                .get_attribute("data-kind")
                .and_then(|k| wire::from_name::<SearchKind>(&k));
            let id = button.get_attribute("data-id").unwrap_or_default();
            open_detail(page, id, kind).await
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
