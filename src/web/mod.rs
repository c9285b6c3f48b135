//! The wasm edge: the only code that touches the browser.
//!
//! Each export is an entry point that one extension context calls: the popup mounts its view, the
//! service worker passes every runtime message through [`handle_message`]. The edge gathers what
//! the browser knows (manifest, sender, DOM), lets `core` decide, and applies the decision.
//! Failures surface as `JsError`s for the JS wiring to log; nothing here unwraps.

mod chrome;
pub mod client;
mod dom;
pub mod net;
mod options;
mod storage;
pub mod time;

pub use options::render_options;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::console::Flavour;
use crate::core::message::{self, Request, Sender, SenderFacts, WorkerFacts};
use crate::core::popup;
use crate::core::throttle::Scheduler;

thread_local! {
    /// The one Directory API client of this context: in the worker it serves every lookup and
    /// export, so one scheduler paces all of Keyward's requests.
    static API: client::Client<net::Fetch> = client::Client::new(net::Fetch, Scheduler::default());
}

/// Renders the popup's first screen into `root`, replacing whatever it held.
#[wasm_bindgen]
pub fn render_popup(root: web_sys::Element) -> Result<(), JsError> {
    dom::mount(&root, &popup::first_screen())
}

/// Answers one `chrome.runtime.onMessage` message. `sender` is the browser's `MessageSender`.
#[wasm_bindgen]
pub fn handle_message(request: JsValue, sender: JsValue) -> Result<JsValue, JsError> {
    let own_id = chrome::runtime_id()?;
    let own_base = chrome::runtime_url("")?;
    let (id, url, tab_url) = (
        chrome::string_at(&sender, &["id"]),
        chrome::string_at(&sender, &["url"]),
        chrome::string_at(&sender, &["tab", "url"]),
    );
    let sender = Sender::classify(SenderFacts {
        id: id.as_deref(),
        url: url.as_deref(),
        tab_url: tab_url.as_deref(),
        own_id: &own_id,
        own_base: &own_base,
    });
    let facts = WorkerFacts {
        flavour: Flavour::from_host_permissions(&chrome::manifest_host_permissions()?),
        api: API.with(|c| c.status()),
        now: time::now_ms(),
    };
    let response = match serde_wasm_bindgen::from_value::<Request>(request) {
        Ok(request) => message::handle(&request, &sender, &facts),
        Err(_) => message::undecodable(),
    };
    // JSON-compatible: `None` crosses as `null`, maps as plain objects.
    response
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}
