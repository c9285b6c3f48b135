//! The options page: loads settings, mounts the core's view, and handles the form by delegation.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement};

use super::{chrome, dom, storage};
use crate::core::console::Flavour;
use crate::core::options::{
    self, Form, Notice, CLEAR_SECS_FIELD, LOCAL_BASE_FIELD, REMIND_FIELD, ROTATION_FIELD,
    SESSION_KEYS_FIELD,
};
use crate::core::settings::{Settings, STORAGE_KEY};

struct Page {
    root: Element,
    flavour: Flavour,
    settings: Settings,
}

impl Page {
    fn render(&self, notice: Option<(Form, &Notice)>) -> Result<(), JsError> {
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
        let form = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.get_attribute("data-form"))
            .and_then(|name| Form::from_attr(&name));
        let Some(form) = form else {
            return;
        };
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = submit(&page, form).await {
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

fn field(root: &Element, id: &str) -> Option<HtmlInputElement> {
    root.owner_document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
}

async fn submit(page: &Rc<RefCell<Page>>, form: Form) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    let current = page.borrow().settings.clone();
    let (next, notice) = match form {
        Form::LocalBase => {
            let input = field(&root, LOCAL_BASE_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            options::submit_local_base(&current, &input)
        }
        Form::Schedule => {
            let rotation = field(&root, ROTATION_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            let remind = field(&root, REMIND_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            options::submit_schedule(&current, &rotation, &remind)
        }
        Form::Security => {
            let keep = field(&root, SESSION_KEYS_FIELD).is_some_and(|i| i.checked());
            let secs = field(&root, CLEAR_SECS_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            options::submit_security(&current, keep, &secs)
        }
    };
    if let Some(next) = next {
        storage::set(STORAGE_KEY, &next).await?;
        page.borrow_mut().settings = next;
    }
    let result = page.borrow().render(Some((form, &notice)));
    result
}
