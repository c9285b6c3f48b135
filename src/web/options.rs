//! The options page: loads settings, mounts the core's view, and handles the form by delegation.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement};

use super::{chrome, dom, storage};
use crate::core::console::Flavour;
use crate::core::options::{self, Notice, LOCAL_BASE_FIELD};
use crate::core::settings::{Settings, STORAGE_KEY};

struct Page {
    root: Element,
    flavour: Flavour,
    settings: Settings,
}

impl Page {
    fn render(&self, notice: Option<&Notice>) -> Result<(), JsError> {
        dom::mount(
            &self.root,
            &options::view(&self.settings, self.flavour, notice),
        )
    }
}

/// Renders the options page into `root` and keeps it live.
#[wasm_bindgen]
pub async fn render_options(root: Element) -> Result<(), JsError> {
    let flavour = Flavour::from_host_permissions(&chrome::manifest_host_permissions()?);
    let settings = Settings::from_stored(storage::get(STORAGE_KEY).await?);
    let page = Rc::new(RefCell::new(Page {
        root: root.clone(),
        flavour,
        settings,
    }));
    page.borrow().render(None)?;
    let handler_page = page.clone();
    let on_submit = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        event.prevent_default();
        let page = handler_page.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = submit(&page).await {
                web_sys::console::warn_1(&JsValue::from(e));
            }
        });
    });
    root.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref())
        .map_err(|_| JsError::new("could not listen for form submissions"))?;
    // The listener lives as long as the page.
    on_submit.forget();
    Ok(())
}

async fn submit(page: &Rc<RefCell<Page>>) -> Result<(), JsError> {
    let input = page
        .borrow()
        .root
        .owner_document()
        .and_then(|d| d.get_element_by_id(LOCAL_BASE_FIELD))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default();
    let (next, notice) = options::submit_local_base(&page.borrow().settings, &input);
    if let Some(next) = next {
        storage::set(STORAGE_KEY, &next).await?;
        page.borrow_mut().settings = next;
    }
    let result = page.borrow().render(Some(&notice));
    result
}
