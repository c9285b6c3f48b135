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
mod export;
mod export_pages;
mod js;
mod key_checks;
mod mailbox;
pub mod net;
mod options;
mod popup;
mod records_idb;
mod spool;
mod spools;
mod storage;
pub mod time;
mod worker;
mod writes;

pub use export::render_export;
pub use mailbox::handle_mailbox;
pub use options::render_options;
pub use popup::render_popup;
pub use worker::{
    handle_alarm, handle_message, handle_notification, handle_settings_changed, worker_started,
};

use crate::core::api::throttle::Scheduler;

thread_local! {
    /// The one Directory API client of this context: in the worker it serves every lookup and
    /// export, so one scheduler paces all of Keyward's requests.
    static API: client::Client<net::Fetch> = client::Client::new(net::Fetch, Scheduler::default());
}

/// Runs a future behind a trait object: its state machine stays its own function instead of being
/// inlined into every caller's (each copy costs the bundle kilobytes; the call costs nothing felt).
fn out_of_line<'a, T>(
    future: impl std::future::Future<Output = T> + 'a,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>> {
    Box::pin(future)
}

/// Runs a future to its end in the background. Every one is spawned as the same boxed type, so the
/// executor's task code is compiled once rather than once per caller.
fn spawn(future: impl std::future::Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(out_of_line(future));
}
