//! Applies core views to the DOM with element, attribute and text-node calls only.
//!
//! Nothing here parses HTML, so text from the API or a page can never become markup.

use wasm_bindgen::JsCast;
use wasm_bindgen::JsError;
use web_sys::{Document, Element as DomElement, HtmlElement};

use crate::core::shared::view::{Element, Node};

/// Replaces the children of `root` with the rendering of `view`.
pub fn mount(root: &DomElement, view: &Element) -> Result<(), JsError> {
    let document = root
        .owner_document()
        .ok_or_else(|| JsError::new("the mount point is not in a document"))?;
    let rendered = build(&document, view)?;
    root.replace_children_with_node_1(&rendered);
    Ok(())
}

/// Mounts `view` in `area`, keeping keyboard focus there: focus that was in it (or on a button
/// being replaced) moves to its first button.
pub fn mount_keeping_focus(area: &DomElement, view: &Element) -> Result<(), JsError> {
    let had_focus = area
        .owner_document()
        .and_then(|d| d.active_element())
        .is_some_and(|a| area.contains(Some(&a)) || a.tag_name() == "BUTTON");
    mount(area, view)?;
    let first = area.query_selector("button").ok().flatten();
    if let (true, Some(first)) = (
        had_focus,
        first.and_then(|b| b.dyn_into::<HtmlElement>().ok()),
    ) {
        let _ = first.focus();
    }
    Ok(())
}

/// Mounts `view` in `root` keeping what was typed: each input the new view has again (by id)
/// gets back the value it held, for a screen mounted afresh after a refusal.
pub fn mount_keeping_input(root: &DomElement, view: &Element) -> Result<(), JsError> {
    let typed: Vec<(String, String)> = root
        .query_selector_all("input[id]")
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlInputElement>().ok())
                .filter(|input| input.type_() != "checkbox")
                .map(|input| (input.id(), input.value()))
                .filter(|(_, value)| !value.is_empty())
                .collect()
        })
        .unwrap_or_default();
    mount(root, view)?;
    for (id, value) in typed {
        if let Some(input) = input_by_id(root, &id) {
            input.set_value(&value);
        }
    }
    Ok(())
}

/// The element with this id in `root`'s document, as `T`.
pub fn by_id<T: JsCast>(root: &DomElement, id: &str) -> Option<T> {
    root.owner_document()?
        .get_element_by_id(id)?
        .dyn_into()
        .ok()
}

/// The `<input>` with this id in `root`'s document.
pub fn input_by_id(root: &DomElement, id: &str) -> Option<web_sys::HtmlInputElement> {
    by_id(root, id)
}

/// Delegates `events` on `root` to `handler` for the life of the page.
pub fn listen(
    root: &DomElement,
    events: &[&str],
    handler: impl Fn(web_sys::Event) + 'static,
) -> Result<(), JsError> {
    use wasm_bindgen::closure::Closure;
    let handler = std::rc::Rc::new(handler);
    for event in events {
        let handler = handler.clone();
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |e| handler(e));
        root.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
            .map_err(|_| JsError::new(&format!("could not listen for {event} events")))?;
        // The listeners live as long as the page.
        closure.forget();
    }
    Ok(())
}

fn build(document: &Document, view: &Element) -> Result<DomElement, JsError> {
    let element = document.create_element(view.tag).map_err(js_error)?;
    for (name, value) in &view.attrs {
        match (*name, element.dyn_ref::<HtmlElement>()) {
            // Through the CSSOM: the pages' CSP (`style-src 'self'`) refuses style attributes.
            ("style", Some(html)) => html.style().set_css_text(value),
            _ => element.set_attribute(name, value).map_err(js_error)?,
        }
    }
    for child in &view.children {
        match child {
            Node::Text(text) => {
                element
                    .append_child(&document.create_text_node(text))
                    .map_err(js_error)?;
            }
            Node::Element(child) => {
                let built = build(document, child)?;
                element.append_child(&built).map_err(js_error)?;
            }
        }
    }
    Ok(element)
}

fn js_error(value: wasm_bindgen::JsValue) -> JsError {
    JsError::new(&format!(
        "DOM call failed: {}",
        super::chrome::describe(&value)
    ))
}

/// Writes `text` to the clipboard from this (focused) extension page. Only for values that are
/// not secret: the key goes through the worker, which clears it later.
pub async fn copy_text(text: &str) -> Result<(), JsError> {
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;
    let clipboard = Reflect::get(&js_sys::global(), &JsValue::from_str("navigator"))
        .and_then(|n| Reflect::get(&n, &JsValue::from_str("clipboard")))
        .map_err(|_| JsError::new("no clipboard here"))?;
    let write: js_sys::Function = Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| JsError::new("no clipboard here"))?;
    let promise: js_sys::Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| JsError::new("the clipboard refused"))?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| JsError::new("the clipboard refused"))
}

/// Offers `text` as a file download named `name`, from this page (no downloads permission).
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), JsError> {
    use wasm_bindgen::JsValue;
    let fail = |_| JsError::new("could not offer the download");
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    download_blob(name, &blob)
}

/// Offers `blob` as a file download named `name`: a blob joined from files on disk is read from
/// there as the download goes, never held in memory.
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), JsError> {
    let fail = |_| JsError::new("could not offer the download");
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsError::new("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| JsError::new("no anchor"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has started reading the blob; let it go after a minute.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    super::time::set_timeout(revoke.unchecked_ref(), 60_000);
    Ok(())
}
