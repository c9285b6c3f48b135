//! Browser tests of the wasm edge, run by wasm-bindgen-test in headless Chromium (`make test-wasm`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> web_sys::Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser test has a document");
    let root = document.create_element("div").expect("create a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("append the root");
    root
}

#[wasm_bindgen_test]
async fn popup_first_screen_renders_into_the_dom() {
    let root = fresh_root();
    root.set_text_content(Some("stale content"));
    // Outside the extension there is no worker to ask: the first screen stays.
    keyward::web::render_popup(root.clone(), JsValue::UNDEFINED, JsValue::UNDEFINED)
        .await
        .expect("renders");
    let text = root.text_content().unwrap_or_default();
    assert!(
        !text.contains("stale content"),
        "mounting replaces old content"
    );
    assert!(text.contains("Keyward"));
    assert!(text.contains(&format!("v{}", env!("CARGO_PKG_VERSION"))));
    assert!(text.contains("No PingOne for Enterprise account seen yet"));
    let link = root
        .query_selector("a.kw-button")
        .expect("valid selector")
        .expect("the console link is rendered");
    let link: web_sys::HtmlElement = link.dyn_into().expect("an HTML element");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://admin.pingone.com/web-portal/dashboard")
    );
    assert!(link.tab_index() >= 0, "the link is keyboard focusable");
}

#[wasm_bindgen(inline_js = "
export function install_fake_chrome(activeTabs) {
  const log = { queries: 0, sent: [] };
  globalThis.chrome = {
    runtime: {
      getManifest: () => ({ host_permissions: ['https://admin.pingone.com/*'] }),
      sendMessage: async (message) => { log.sent.push(message); return undefined; },
    },
    tabs: { query: async () => { log.queries += 1; return activeTabs; } },
  };
  return log;
}
export function remove_fake_chrome() { delete globalThis.chrome; }
")]
extern "C" {
    /// A stand-in `chrome` whose `tabs.query` answers `active_tabs`; the log counts the queries and
    /// keeps every message sent.
    fn install_fake_chrome(active_tabs: JsValue) -> JsValue;
    fn remove_fake_chrome();
}

/// The `tab_id` of every `tab_state` request the popup sent, and how many tab queries it made.
fn tab_state_requests(log: &JsValue) -> (Vec<f64>, f64) {
    let get =
        |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).expect("a field");
    let sent: js_sys::Array = get(log, "sent").dyn_into().expect("an array");
    let ids = sent
        .iter()
        .filter(|m| get(m, "type").as_string().as_deref() == Some("tab_state"))
        .filter_map(|m| get(&m, "tab_id").as_f64())
        .collect();
    (ids, get(log, "queries").as_f64().expect("a count"))
}

fn tabs(ids: &[f64]) -> JsValue {
    let list = js_sys::Array::new();
    for id in ids {
        let tab = js_sys::Object::new();
        js_sys::Reflect::set(&tab, &JsValue::from_str("id"), &JsValue::from_f64(*id))
            .expect("set id");
        list.push(&tab);
    }
    list.into()
}

#[wasm_bindgen_test]
async fn the_popup_asks_about_the_active_tab_even_when_the_loaders_early_query_found_none() {
    // The loader's early query gave a tab: the popup asks about it and queries nothing itself.
    let log = install_fake_chrome(tabs(&[11.0]));
    let early = js_sys::Promise::resolve(&tabs(&[3.0]));
    keyward::web::render_popup(fresh_root(), early.into(), JsValue::UNDEFINED)
        .await
        .expect("renders");
    assert_eq!(tab_state_requests(&log), (vec![3.0], 0.0));

    // A failed early query (caught as `[]` by the loader), or none at all: the popup asks itself.
    for early in [
        js_sys::Promise::resolve(&tabs(&[])).into(),
        JsValue::UNDEFINED,
    ] {
        let log = install_fake_chrome(tabs(&[11.0]));
        keyward::web::render_popup(fresh_root(), early, JsValue::UNDEFINED)
            .await
            .expect("renders");
        assert_eq!(tab_state_requests(&log), (vec![11.0], 1.0));
    }

    // No active tab at all: the worker is asked about no tab (-1), not about a made-up one.
    let log = install_fake_chrome(tabs(&[]));
    keyward::web::render_popup(fresh_root(), JsValue::UNDEFINED, JsValue::UNDEFINED)
        .await
        .expect("renders");
    assert_eq!(tab_state_requests(&log), (vec![-1.0], 1.0));
    remove_fake_chrome();
}

#[wasm_bindgen(inline_js = "
export function install_fake_storage(local) {
  const log = { cleared: 0 };
  globalThis.chrome = {
    runtime: { getManifest: () => ({ host_permissions: ['https://admin.pingone.com/*'] }) },
    storage: {
      // As on Firefox: storage.local has no setAccessLevel (content scripts can reach it).
      local: { get: async () => structuredClone(local), clear: async () => { log.cleared += 1; } },
      managed: { get: async () => ({}) },
    },
  };
  return log;
}
export function cleared(log) { return log.cleared; }
export function delete_records() {
  return new Promise((resolve) => { const r = indexedDB.deleteDatabase('keyward'); r.onsuccess = r.onerror = () => resolve(); });
}
")]
extern "C" {
    /// A stand-in `chrome` whose `storage.local` holds `local` and cannot be closed; the log
    /// counts its clears.
    fn install_fake_storage(local: JsValue) -> JsValue;
    fn cleared(log: &JsValue) -> u32;
    fn delete_records() -> js_sys::Promise;
}

/// The value of the options page's clipboard delay field, rendered afresh.
async fn options_clipboard_delay() -> String {
    let root = fresh_root();
    keyward::web::render_options(root.clone())
        .await
        .expect("renders");
    root.query_selector("#clipboard-clear-secs")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|input| input.value())
        .unwrap_or_default()
}

fn stored_settings(clear_secs: u32) -> JsValue {
    let settings = js_sys::Object::new();
    for (key, value) in [("schema", 1), ("clipboard_clear_secs", clear_secs)] {
        js_sys::Reflect::set(&settings, &key.into(), &value.into()).expect("set");
    }
    let local = js_sys::Object::new();
    js_sys::Reflect::set(&local, &"settings".into(), &settings).expect("set");
    local.into()
}

#[wasm_bindgen_test]
async fn where_storage_local_cannot_be_closed_records_move_to_indexeddb_once() {
    wasm_bindgen_futures::JsFuture::from(delete_records())
        .await
        .expect("no records yet");
    // An earlier version's settings in storage.local: moved, and the area emptied.
    let log = install_fake_storage(stored_settings(45));
    assert_eq!(options_clipboard_delay().await, "45");
    assert_eq!(cleared(&log), 1, "storage.local emptied after the move");
    // A later write to storage.local (a content script can make one there) is never read.
    let log = install_fake_storage(stored_settings(599));
    assert_eq!(options_clipboard_delay().await, "45");
    assert_eq!(cleared(&log), 0, "moved once only");
    remove_fake_chrome();
}
