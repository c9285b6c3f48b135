//! The wasm edge: the only code that touches the browser.
//!
//! Each export is an entry point that one extension context calls: the popup mounts its view, the
//! service worker passes every runtime message through [`handle_message`]. The edge gathers what
//! the browser knows (manifest, sender, DOM), lets `core` decide, and applies the decision.
//! Failures surface as `JsError`s for the JS wiring to log; nothing here unwraps.

mod chrome;
pub mod client;
mod clipboard;
mod dom;
pub mod net;
mod options;
mod storage;
pub mod time;
mod worker;

pub use options::render_options;
pub use worker::{handle_alarm, handle_message};

use wasm_bindgen::prelude::*;

use crate::core::popup;
use crate::core::throttle::Scheduler;
use crate::core::worker::TabView;

thread_local! {
    /// The one Directory API client of this context: in the worker it serves every lookup and
    /// export, so one scheduler paces all of Keyward's requests.
    static API: client::Client<net::Fetch> = client::Client::new(net::Fetch, Scheduler::default());
}

/// Renders the popup into `root`: what Keyward sees in the active tab and the accounts it knows.
/// If the worker cannot be asked, the first screen is shown.
#[wasm_bindgen]
pub async fn render_popup(root: web_sys::Element) -> Result<(), JsError> {
    dom::mount(&root, &popup::first_screen())?;
    let Some(tab_id) = chrome::active_tab_id().await else {
        return Ok(());
    };
    let request = serde_json::json!({"type": "tab_state", "tab_id": tab_id});
    let answer = chrome::send_message(&request).await?;
    if let Ok(view) = serde_wasm_bindgen::from_value::<TabView>(answer) {
        dom::mount(&root, &popup::screen(&view))?;
    }
    Ok(())
}
