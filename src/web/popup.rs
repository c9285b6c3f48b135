//! The popup: asks the worker what it knows about the active tab, mounts the core's view, and
//! handles its two actions by delegation — credentials entered by hand, and a region override.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlSelectElement};

use super::{chrome, dom};
use crate::core::console::Flavour;
use crate::core::popup::{self, Notice, MANUAL_API_KEY, MANUAL_CLIENT_ID};
use crate::core::worker::TabView;

struct Page {
    root: Element,
    flavour: Flavour,
    tab_id: Option<i64>,
}

async fn tab_view(tab_id: Option<i64>) -> Option<TabView> {
    let request = serde_json::json!({"type": "tab_state", "tab_id": tab_id.unwrap_or(-1)});
    let answer = chrome::send_message(&request).await.ok()?;
    serde_wasm_bindgen::from_value::<TabView>(answer).ok()
}

async fn render(page: &Rc<RefCell<Page>>, notice: Option<Notice>) -> Result<(), JsError> {
    let (root, flavour, tab_id) = {
        let p = page.borrow();
        (p.root.clone(), p.flavour, p.tab_id)
    };
    match tab_view(tab_id).await {
        Some(view) => dom::mount(&root, &popup::screen(&view, flavour, notice.as_ref())),
        None => dom::mount(&root, &popup::first_screen()),
    }
}

/// Renders the popup into `root`: what Keyward sees in the active tab and the accounts it knows.
/// Outside the extension (no worker to ask) the first screen is shown.
#[wasm_bindgen]
pub async fn render_popup(root: Element) -> Result<(), JsError> {
    // Mounted once, after the worker answers, so focus and screen readers see one stable screen.
    let Ok(patterns) = chrome::manifest_host_permissions() else {
        return dom::mount(&root, &popup::first_screen());
    };
    let page = Rc::new(RefCell::new(Page {
        root: root.clone(),
        flavour: Flavour::from_host_permissions(&patterns),
        tab_id: chrome::active_tab_id().await,
    }));
    render(&page, None).await?;
    for event in ["submit", "change", "click"] {
        let handler_page = page.clone();
        let handler = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            let page = handler_page.clone();
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            if e.type_() == "submit" {
                e.prevent_default();
            }
            // Clicks matter only on action buttons; forms and selects speak through submit/change.
            let is_action = target
                .as_ref()
                .is_some_and(|t| t.has_attribute("data-action"));
            if (e.type_() == "click") != is_action {
                return;
            }
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(err) = act(&page, target).await {
                    web_sys::console::warn_1(&JsValue::from(err));
                }
            });
        });
        root.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref())
            .map_err(|_| JsError::new("could not listen for popup actions"))?;
        // The listeners live as long as the popup.
        handler.forget();
    }
    Ok(())
}

fn input_value(root: &Element, id: &str) -> String {
    dom::input_by_id(root, id)
        .map(|i| i.value())
        .unwrap_or_default()
}

async fn act(page: &Rc<RefCell<Page>>, target: Option<Element>) -> Result<(), JsError> {
    let Some(target) = target else {
        return Ok(());
    };
    let root = page.borrow().root.clone();
    let request = if target.get_attribute("data-form").as_deref() == Some("manual") {
        serde_json::json!({
            "type": "manual_credentials",
            "client_id": input_value(&root, MANUAL_CLIENT_ID),
            "api_key": input_value(&root, MANUAL_API_KEY),
        })
    } else if let Some(select) = target
        .dyn_ref::<HtmlSelectElement>()
        .filter(|s| s.class_name() == "kw-region")
    {
        serde_json::json!({
            "type": "set_region",
            "client_id": select.get_attribute("data-client-id").unwrap_or_default(),
            "region": select.value(),
        })
    } else if target.get_attribute("data-action").as_deref() == Some("snooze") {
        serde_json::json!({
            "type": "snooze",
            "client_id": target.get_attribute("data-client-id").unwrap_or_default(),
            "days": target.get_attribute("data-days").and_then(|d| d.parse::<u64>().ok()).unwrap_or(1),
        })
    } else {
        return Ok(());
    };
    let notice = match chrome::ask_worker(&request).await? {
        Ok(()) => Notice::Saved("Saved.".into()),
        Err(reason) => Notice::Refused(format!("Not saved: {reason}.")),
    };
    render(page, Some(notice)).await
}
