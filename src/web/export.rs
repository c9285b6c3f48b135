//! The export page (an extension tab): drives the core's [`Export`] with real time, asks the worker
//! for each page (the worker sends it through the shared scheduler at bulk priority), and offers
//! the file as a download.
//!
//! The worker may be stopped and restarted by the browser at any time; a page whose message gets
//! no answer is asked for again like any failed page, and the next message wakes the worker.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, HtmlSelectElement};

use super::{chrome, dom, time};
use crate::core::api::pager::PageRequest;
use crate::core::console::credentials::TabView;
use crate::core::export::members::GroupRef;
use crate::core::export::view::{self, ACCOUNT, CONTROLS, FORM, STATUS, TEXT};
use crate::core::export::{Export, Format, Phase};
use crate::core::lookup::{self, Failure, FailureCode};
use crate::core::protocol::{answer, ask, Request, ResponseKind};

struct Page {
    root: Element,
    export: Option<Export>,
    /// Bumped by every new export, so answers for an earlier one are dropped.
    run: u64,
    /// The phase the controls were last drawn for.
    drawn: Option<Phase>,
    rate_line: Option<String>,
    /// What the worker said of how the pages are asked for (a simplified filter).
    note: Option<String>,
    /// Set when the page was opened for one group's members.
    group: Option<GroupRef>,
}

type Shared = Rc<RefCell<Page>>;

/// Renders the export page into `root`.
#[wasm_bindgen]
pub async fn render_export(root: Element) -> Result<(), JsError> {
    let asked = chrome::send_message(&Request::TabState(ask::TabState { tab_id: -1 })).await;
    let view: TabView = chrome::expect(asked, ResponseKind::TabState).unwrap_or_default();
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let link = view::params(&search);
    dom::mount(&root, &view::page(&view.accounts, &link))?;
    let page = Rc::new(RefCell::new(Page {
        root: root.clone(),
        export: None,
        run: 0,
        drawn: None,
        rate_line: None,
        note: None,
        group: link.group,
    }));
    dom::listen(&root, &["submit", "click"], move |e| on_event(&page, e))
}

fn warn(result: Result<(), JsError>) {
    if let Err(e) = result {
        web_sys::console::warn_1(&JsValue::from(e));
    }
}

fn on_event(page: &Shared, e: Event) {
    let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return;
    };
    if e.type_() == "submit" {
        e.prevent_default();
        if target.get_attribute("data-form").as_deref() == Some(FORM) {
            start(page);
        }
        return;
    }
    let Some(button) = target.closest("[data-action]").ok().flatten() else {
        return;
    };
    let now = time::now_ms();
    let action = button.get_attribute("data-action").unwrap_or_default();
    {
        let mut p = page.borrow_mut();
        let Some(export) = p.export.as_mut() else {
            return;
        };
        match action.as_str() {
            "pause" => export.pause(now),
            "resume" => export.resume(now),
            "cancel" => {
                export.cancel(now);
                wasm_bindgen_futures::spawn_local(async {
                    // Pages still waiting in the worker's scheduler are dropped there too.
                    let _ = chrome::send_message(&Request::CancelExport).await;
                });
            }
            "save-csv" | "save-json" => {
                let format = if action == "save-csv" {
                    Format::Csv
                } else {
                    Format::Json
                };
                let wall = time::now_ms();
                let (name, text) = (export.file_name(format, wall), export.file(format, wall));
                // Offered after the borrow ends: the download's click is a DOM event.
                drop(p);
                warn(dom::download(&name, &text, format.mime()));
                return;
            }
            _ => return,
        }
    }
    pump(page);
}

fn start(page: &Shared) {
    let root = page.borrow().root.clone();
    let account = dom::by_id::<HtmlSelectElement>(&root, ACCOUNT).map(|s| s.value());
    let text = dom::input_by_id(&root, TEXT)
        .map(|i| i.value())
        .unwrap_or_default();
    let Some(account) = account else {
        return;
    };
    let run = {
        let mut p = page.borrow_mut();
        if p.export
            .as_ref()
            .is_some_and(|e| e.phase() == &Phase::Running)
        {
            return;
        }
        p.run += 1;
        let now = time::now_ms();
        p.export = Some(match p.group.clone() {
            Some(group) => Export::members(&account, group, now),
            None => Export::new(&account, &text, now),
        });
        p.drawn = None;
        p.note = None;
        p.run
    };
    pump(page);
    // A ticker refreshes the ETA and the rate-limit line while the export runs.
    let page = page.clone();
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            time::sleep(lookup::STATUS_POLL_MS).await;
            if page.borrow().run != run {
                return;
            }
            let running = page
                .borrow()
                .export
                .as_ref()
                .is_some_and(|e| e.phase() == &Phase::Running);
            let line = if running {
                chrome::api_rate_line().await
            } else {
                None
            };
            page.borrow_mut().rate_line = line;
            warn(draw(&page));
            if !running {
                return;
            }
        }
    });
}

/// Sends every page the export may ask for now, then redraws.
fn pump(page: &Shared) {
    let (requests, run, client_id, text, group) = {
        let mut p = page.borrow_mut();
        let run = p.run;
        let Some(export) = p.export.as_mut() else {
            return;
        };
        let requests: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
        let group = export.group().map(|g| g.id.clone());
        (
            requests,
            run,
            export.client_id.clone(),
            export.text.clone(),
            group,
        )
    };
    for request in requests {
        let page = page.clone();
        let message = Request::ExportPage(ask::ExportPage {
            client_id: client_id.clone(),
            text: text.clone(),
            start_index: request.start_index,
            count: request.count,
            group: group.clone(),
        });
        wasm_bindgen_futures::spawn_local(async move {
            let answer = read_answer(chrome::send_message(&message).await);
            {
                let mut p = page.borrow_mut();
                if p.run != run {
                    return;
                }
                let answer = answer.map(|page| {
                    if page.note.is_some() {
                        p.note = page.note;
                    }
                    page.body
                });
                if let Some(export) = p.export.as_mut() {
                    export.page_answered(
                        request,
                        answer.as_ref().map(|b| b.as_bytes()).map_err(Clone::clone),
                        time::now_ms(),
                    );
                }
            }
            pump(&page);
        });
    }
    warn(draw(page));
}

/// The body of an export page, or why there is none. A message with no answer means the worker
/// stopped while working on it: that page is simply asked for again.
fn read_answer(answer: Result<JsValue, JsError>) -> Result<answer::ApiBody, Failure> {
    if answer.is_err() {
        return Err(Failure {
            retry: true,
            ..Failure::new(
                FailureCode::Offline,
                "Keyward's background worker stopped while fetching a page.",
            )
        });
    }
    chrome::expect(answer, ResponseKind::ApiBody)
}

/// Redraws the status, and the controls when the phase changed (focusing the new first control).
fn draw(page: &Shared) -> Result<(), JsError> {
    // Decide under the borrow, touch the DOM after it: DOM calls can dispatch events to listeners.
    let (root, status, controls) = {
        let mut p = page.borrow_mut();
        let Some(export) = p.export.as_ref() else {
            return Ok(());
        };
        let progress = export.progress(time::now_ms());
        let status = view::status(&progress, p.rate_line.as_deref(), p.note.as_deref());
        let phase = export.phase().clone();
        let controls = (p.drawn.as_ref() != Some(&phase)).then(|| view::controls(export));
        if controls.is_some() {
            p.drawn = Some(phase);
        }
        (p.root.clone(), status, controls)
    };
    if let Some(area) = dom::by_id::<Element>(&root, STATUS) {
        dom::mount(&area, &status)?;
    }
    if let Some(controls) = controls {
        if let Some(area) = dom::by_id::<Element>(&root, CONTROLS) {
            // Keep keyboard focus in the controls when they are replaced.
            let had_focus = root
                .owner_document()
                .and_then(|d| d.active_element())
                .is_some_and(|a| area.contains(Some(&a)) || a.tag_name() == "BUTTON");
            dom::mount(&area, &controls)?;
            if had_focus {
                if let Some(first) = area
                    .query_selector("button")
                    .ok()
                    .flatten()
                    .and_then(|b| b.dyn_into::<HtmlElement>().ok())
                {
                    let _ = first.focus();
                }
            }
        }
    }
    Ok(())
}
