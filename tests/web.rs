//! Browser tests of the wasm edge, run by wasm-bindgen-test in headless Chromium (`make test-wasm`).
#![cfg(target_arch = "wasm32")]

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
