//! The options page: loads settings and accounts, mounts the core's view, and handles its forms
//! (and the Forget buttons) by delegation. Settings are written here; accounts belong to the worker,
//! so their edits go to it by message.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlTextAreaElement};

use super::js::warn;
use super::{chrome, clipboard, dom, storage};
use crate::core::accounts::{self, AccountEdit, Accounts};
use crate::core::protocol::{ask, Request};
use crate::core::settings::view::{
    self, Form, Notice, CLEAR_SECS_FIELD, CLIPBOARD_CHECK_FIELD, CLIPBOARD_CHECK_REFUSED,
    FORGET_ARMED, IMPORT_FIELD, LOCAL_BASE_FIELD, MAX_IN_FLIGHT_FIELD, NOTICE_SLOT, REMIND_FIELD,
    ROTATION_FIELD, SESSION_KEYS_FIELD,
};
use crate::core::settings::{self, ClearCheck, Policy, Settings, STORAGE_KEY};
use crate::core::shared::hosts::Flavour;
use crate::core::shared::wire::Checked;

struct Page {
    root: Element,
    flavour: Flavour,
    settings: Settings,
    policy: Policy,
    accounts: Accounts,
    /// Stored values refused on load (storage is untrusted input), shown until the page reloads.
    reset: Vec<String>,
}

impl Page {
    fn render(&self, notice: Option<(Form, &Notice)>) -> Result<(), JsError> {
        dom::mount(
            &self.root,
            &view::view(
                &self.settings,
                &self.policy,
                &self.accounts,
                self.flavour,
                notice,
                &self.reset,
            ),
        )
    }
}

async fn load_accounts(flavour: Flavour) -> Result<Checked<Accounts>, JsError> {
    Ok(storage::get::<Accounts>(accounts::STORAGE_KEY)
        .await?
        .unwrap_or_default()
        .checked(flavour, super::time::now_ms()))
}

/// Renders the options page into `root` and keeps it live.
#[wasm_bindgen]
pub async fn render_options(root: Element) -> Result<(), JsError> {
    let flavour = Flavour::from_host_permissions(&chrome::manifest_host_permissions()?);
    let mut settings = Settings::from_stored(storage::get(STORAGE_KEY).await?);
    settings.value.clear_check = clipboard::clear_check().await;
    let accounts = load_accounts(flavour).await?;
    let policy = super::worker::load_policy().await;
    let page = Rc::new(RefCell::new(Page {
        root: root.clone(),
        flavour,
        settings: settings.value,
        policy,
        accounts: accounts.value,
        reset: [settings.reset, accounts.reset].concat(),
    }));
    page.borrow().render(None)?;
    dom::listen(
        &root,
        &["submit", "click", "change"],
        move |event: Event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            let page = page.clone();
            if event.type_() == "change" && target.id() == CLIPBOARD_CHECK_FIELD {
                let wanted = target
                    .dyn_ref::<HtmlInputElement>()
                    .is_some_and(|i| i.checked());
                // Asked inside the handler: the browser grants a permission to a gesture only.
                let asked = ask_clipboard_permission(wanted);
                super::spawn(async move {
                    warn(clipboard_permission_answered(&page, wanted, asked).await);
                });
                return;
            }
            let action = if event.type_() == "submit" {
                event.prevent_default();
                target
                    .get_attribute("data-form")
                    .and_then(|n| Form::from_attr(&n))
                    .map(|form| (form, target))
            } else if event.type_() == "click" {
                match target.get_attribute("data-action").as_deref() {
                    // Forgetting is for good: the first click asks, the second forgets.
                    Some("forget") if !target.has_attribute(FORGET_ARMED) => {
                        let _ = target.set_attribute(FORGET_ARMED, "");
                        target.set_text_content(Some(view::FORGET_AGAIN));
                        None
                    }
                    Some("forget") | Some(view::UNDO_FORGET) => Some((Form::Account, target)),
                    Some("export") => Some((Form::Transfer, target)),
                    _ => None,
                }
            } else if target.id() == IMPORT_FIELD {
                Some((Form::Transfer, target))
            } else {
                None
            };
            let Some((form, target)) = action else {
                return;
            };
            super::spawn(async move {
                if let Err(e) = submit(&page, form, &target).await {
                    web_sys::console::warn_1(&JsValue::from(e));
                }
            });
        },
    )
}

/// Asks the browser for the permission to read the clipboard (`wanted`) or gives it back.
fn ask_clipboard_permission(wanted: bool) -> Result<JsValue, JsError> {
    clipboard::read_permission(if wanted { "request" } else { "remove" })
}

/// Shows what the browser now allows once it answered [`ask_clipboard_permission`].
async fn clipboard_permission_answered(
    page: &Rc<RefCell<Page>>,
    wanted: bool,
    asked: Result<JsValue, JsError>,
) -> Result<(), JsError> {
    if let Some(promise) = asked
        .ok()
        .and_then(|a| a.dyn_into::<js_sys::Promise>().ok())
    {
        // A refusal or a failed call leaves the permission as it was: the check below says which.
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    let check = clipboard::clear_check().await;
    page.borrow_mut().settings.clear_check = check;
    let notice = if wanted && check == ClearCheck::Ask {
        Notice::Invalid(CLIPBOARD_CHECK_REFUSED.into())
    } else {
        Notice::Saved
    };
    let rendered = page.borrow().render(Some((Form::Security, &notice)));
    rendered
}

/// The text of the file chosen in a file input.
async fn read_file(input: &Element) -> Result<String, JsError> {
    let file = input
        .dyn_ref::<HtmlInputElement>()
        .and_then(|i| i.files())
        .and_then(|files| files.get(0))
        .ok_or_else(|| JsError::new("no file chosen"))?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| JsError::new("could not read the file"))?;
    Ok(text.as_string().unwrap_or_default())
}

fn field(root: &Element, id: &str) -> Option<HtmlInputElement> {
    dom::input_by_id(root, id)
}

fn named<T: JsCast>(form: &Element, name: &str) -> Option<T> {
    form.query_selector(&format!("[name={name}]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<T>().ok())
}

/// Sends an account edit (or a Forget) to the worker, which owns the accounts.
async fn account_action(target: &Element) -> Result<Notice, JsError> {
    let client_id = target.get_attribute("data-client-id").unwrap_or_default();
    let action = target.get_attribute("data-action");
    let request = if action.as_deref() == Some("forget") {
        Request::ForgetAccount(ask::Account {
            client_id: client_id.clone(),
        })
    } else if action.as_deref() == Some(view::UNDO_FORGET) {
        Request::RestoreAccount(ask::Account {
            client_id: client_id.clone(),
        })
    } else {
        let text = |name: &str| {
            named::<HtmlInputElement>(target, name)
                .map(|i| i.value())
                .unwrap_or_default()
        };
        Request::UpdateAccount(AccountEdit {
            client_id: client_id.clone(),
            label: text("label"),
            colour: text("colour"),
            production: named::<HtmlInputElement>(target, "production")
                .is_some_and(|i| i.checked()),
            integrations: named::<HtmlTextAreaElement>(target, "integrations")
                .map(|t| t.value())
                .unwrap_or_default(),
            key_date: text("key_date"),
        })
    };
    Ok(match chrome::ask_worker(&request).await? {
        Ok(()) if matches!(request, Request::ForgetAccount(_)) => Notice::Forgot(client_id),
        Ok(()) => Notice::Saved,
        Err(reason) => Notice::Invalid(reason),
    })
}

async fn submit(page: &Rc<RefCell<Page>>, form: Form, target: &Element) -> Result<(), JsError> {
    let root = page.borrow().root.clone();
    let current = page.borrow().settings.clone();
    let (next, notice) = match form {
        Form::Account => {
            let notice = account_action(target).await?;
            let flavour = page.borrow().flavour;
            page.borrow_mut().accounts = load_accounts(flavour).await?.value;
            (None, notice)
        }
        Form::Transfer if target.get_attribute("data-action").as_deref() == Some("export") => {
            dom::download(
                "keyward-settings.json",
                &settings::export(&current),
                "application/json",
            )?;
            (None, Notice::Saved)
        }
        Form::Transfer => {
            let text = read_file(target).await?;
            match settings::import(&text) {
                Ok(imported) => (Some(imported), Notice::Saved),
                Err(e) => (None, Notice::Invalid(e.to_string())),
            }
        }
        Form::LocalBase => {
            let input = field(&root, LOCAL_BASE_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            view::submit_local_base(&current, &input)
        }
        Form::Schedule => {
            let rotation = field(&root, ROTATION_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            let remind = field(&root, REMIND_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            view::submit_schedule(&current, &rotation, &remind)
        }
        Form::Api => {
            let cap = field(&root, MAX_IN_FLIGHT_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            view::submit_api(&current, &cap)
        }
        Form::Security => {
            let keep = field(&root, SESSION_KEYS_FIELD).is_some_and(|i| i.checked());
            let secs = field(&root, CLEAR_SECS_FIELD)
                .map(|i| i.value())
                .unwrap_or_default();
            view::submit_security(&current, keep, &secs)
        }
    };
    if let Some(next) = next {
        storage::set(STORAGE_KEY, &next).await?;
        page.borrow_mut().settings = next;
    }
    // A refusal keeps what was typed: only the form's notice changes, the fields stay as they are.
    if matches!(notice, Notice::Invalid(_)) {
        let slot = target.closest("form").ok().flatten().and_then(|form| {
            form.query_selector(&format!("[{NOTICE_SLOT}]"))
                .ok()
                .flatten()
        });
        if let Some(slot) = slot {
            return dom::mount(&slot, &view::notice_text(Some(&notice)));
        }
    }
    let result = page.borrow().render(Some((form, &notice)));
    result
}
