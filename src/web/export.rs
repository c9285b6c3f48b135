//! The export page (an extension tab): drives the core's [`Export`] with real time, asks the worker
//! for each page (the worker sends it through the shared scheduler at bulk priority), writes each
//! page's fragments and a checkpoint to the spool ([`spool`]), and offers the files as downloads
//! joined from disk. Exports left on disk (a closed tab, a restart, a crash) are listed to resume,
//! save or delete.
//!
//! The worker may be stopped and restarted by the browser at any time; a page whose message gets
//! no answer is asked for again like any failed page, and the next message wakes the worker.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlSelectElement};

use super::js::warn;
use super::mailbox::{self, Inbox};
use super::spool::{self, Disk};
use super::writes::Writer;
use super::{chrome, dom, spools, time};
use crate::core::accounts::view::AccountView;
use crate::core::api::pager::PageRequest;
use crate::core::export::members::GroupRef;
use crate::core::export::spool::{new_id, SpoolSummary, SpooledPage, CHECKPOINT_FILE};
use crate::core::export::view::{self, ACCOUNT, CONTROLS, FORM, SPOOLS, SPOOL_ATTR, STATUS, TEXT};
use crate::core::export::{Export, Fragments, Phase};
use crate::core::lookup::{self, Failure};
use crate::core::protocol::{answer, ask, Request};

/// How often a waiting export asks whether the key is back.
const KEY_POLL_MS: u64 = 2_000;
/// Writes the disk may be behind before the export stops asking for pages: the page's memory
/// stays bounded when the disk is slower than the API.
const WRITES_AHEAD: usize = 24;
/// How soon a redraw follows an answer or a write (a few frames).
const DRAW_MS: u64 = 100;

struct Page {
    root: Element,
    accounts: Vec<AccountView>,
    disk: Disk,
    writer: Writer,
    export: Option<Export>,
    /// Bumped by every new export, so answers for an earlier one are dropped.
    run: u64,
    /// The phase the controls were last drawn for.
    drawn: Option<Phase>,
    rate_line: Option<String>,
    /// What the worker said of how the pages are asked for (a simplified filter), or that the
    /// key is needed.
    note: Option<String>,
    /// Set when the page was opened for one group's members.
    group: Option<GroupRef>,
    spools: Vec<SpoolSummary>,
    /// The spool whose delete waits for a second click.
    confirming: Option<String>,
    /// Bytes of fragments written for the current export.
    bytes: u64,
    /// Users and bytes named by the last checkpoint on disk: what a resume would start from.
    saved: Option<(u64, u64)>,
    /// Pages (by start) of a resumed export written to disk but named by no checkpoint.
    on_disk: Vec<u64>,
    /// A redraw is due (see [`draw_soon`]).
    draw_pending: bool,
    /// Where the worker sends pages' bodies (Chrome; see [`mailbox`]).
    inbox: Option<Rc<Inbox>>,
}

type Shared = Rc<RefCell<Page>>;

/// Renders the export page into `root`.
#[wasm_bindgen]
pub async fn render_export(root: Element) -> Result<(), JsError> {
    let view = chrome::tab_view(None).await.unwrap_or_default();
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let link = view::params(&search);
    dom::mount(&root, &view::page(&view.accounts, &link))?;
    let disk = Disk::open().await;
    let page = Rc::new(RefCell::new(Page {
        root: root.clone(),
        accounts: view.accounts,
        writer: Writer::new(disk.clone()),
        disk,
        export: None,
        run: 0,
        drawn: None,
        rate_line: None,
        note: None,
        group: link.group,
        spools: Vec::new(),
        confirming: None,
        bytes: 0,
        saved: None,
        on_disk: Vec::new(),
        draw_pending: false,
        inbox: Inbox::open().map(Rc::new),
    }));
    let weak = Rc::downgrade(&page);
    page.borrow().writer.on_written(move || {
        if let Some(page) = weak.upgrade() {
            if running(&page) {
                pump(&page);
            }
        }
    });
    let listening = page.clone();
    dom::listen(&root, &["submit", "click"], move |e| {
        on_event(&listening, e)
    })?;
    // Listed once read (a spool of a million users takes a moment to measure); the form works
    // meanwhile.
    load_spools(&page).await;
    Ok(())
}

/// Reads every spool on disk, deletes those past their days, and lists the rest.
async fn load_spools(page: &Shared) {
    let disk = page.borrow().disk.clone();
    let current = page.borrow().export.as_ref().map(|e| e.id.clone());
    let list = spools::summaries(&disk, current.as_deref(), time::now_ms()).await;
    page.borrow_mut().spools = list;
    warn(draw_spools(page));
}

fn draw_spools(page: &Shared) -> Result<(), JsError> {
    let (root, spools) = {
        let p = page.borrow();
        let spools = view::spools(
            &p.spools,
            &p.accounts,
            p.disk.resumable(),
            p.confirming.as_deref(),
        );
        (p.root.clone(), spools)
    };
    if let Some(area) = dom::by_id::<Element>(&root, SPOOLS) {
        dom::mount(&area, &spools)?;
    }
    Ok(())
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
    let action = button.get_attribute("data-action").unwrap_or_default();
    if let Some(id) = button.get_attribute(SPOOL_ATTR) {
        on_spool(page, &action, id);
        return;
    }
    let now = time::now_ms();
    {
        let mut p = page.borrow_mut();
        let Some(export) = p.export.as_mut() else {
            return;
        };
        match action.as_str() {
            "pause" => export.pause(now),
            "resume" if export.disk_failed => {
                let id = export.id.clone();
                drop(p);
                let page = page.clone();
                super::spawn(async move { resume_spool(&page, id).await });
                return;
            }
            "resume" => export.resume(now),
            "cancel" => {
                export.cancel(now);
                super::spawn(async {
                    // Pages still waiting in the worker's scheduler are dropped there too.
                    let _ = chrome::send_message(&Request::CancelExport).await;
                });
            }
            "save-csv" | "save-json" => {
                let format = view::save_format(&action);
                let (export, disk, writer) = (export.clone(), p.disk.clone(), p.writer.clone());
                drop(p);
                super::spawn(async move {
                    writer.flushed().await;
                    warn(spool::save(&export, &disk, format).await);
                });
                return;
            }
            _ => return,
        }
    }
    checkpoint(page);
    pump(page);
}

/// A spool's controls: resume, save, delete (after a second click).
fn on_spool(page: &Shared, action: &str, id: String) {
    let page = page.clone();
    match action {
        "spool-delete" => {
            page.borrow_mut().confirming = Some(id);
            warn(draw_spools(&page));
        }
        "spool-delete-keep" => {
            page.borrow_mut().confirming = None;
            warn(draw_spools(&page));
        }
        "spool-delete-confirm" => super::spawn(async move {
            let disk = page.borrow().disk.clone();
            warn(disk.remove(&id).await);
            page.borrow_mut().confirming = None;
            load_spools(&page).await;
        }),
        "spool-resume" => super::spawn(async move { resume_spool(&page, id).await }),
        "spool-csv" | "spool-json" => {
            let format = view::save_format(action);
            let export = page
                .borrow()
                .spools
                .iter()
                .find(|s| s.id == id)
                .and_then(|s| s.export.as_ref().ok().cloned());
            let disk = page.borrow().disk.clone();
            if let Some(export) = export {
                super::spawn(async move {
                    warn(spool::save(&export, &disk, format).await);
                });
            }
        }
        _ => {}
    }
}

/// Whether an export is running on this page now.
fn running(page: &Shared) -> bool {
    let p = page.borrow();
    p.export
        .as_ref()
        .is_some_and(|e| e.phase() == &Phase::Running)
}

fn start(page: &Shared) {
    if running(page) {
        return;
    }
    let root = page.borrow().root.clone();
    let account = dom::by_id::<HtmlSelectElement>(&root, ACCOUNT).map(|s| s.value());
    let text = dom::input_by_id(&root, TEXT)
        .map(|i| i.value())
        .unwrap_or_default();
    let Some(account) = account else {
        return;
    };
    let now = time::now_ms();
    let id = new_id(now, time::unit());
    let export = match page.borrow().group.clone() {
        Some(group) => Export::members(&id, &account, group, now, now),
        None => Export::new(&id, &account, &text, now, now),
    };
    begin(page, export, 0);
}

/// Makes `export` the page's export (with `bytes` on disk already) and runs it.
fn begin(page: &Shared, export: Export, bytes: u64) {
    let run = {
        let mut p = page.borrow_mut();
        p.run += 1;
        p.export = Some(export);
        p.drawn = None;
        p.note = None;
        p.bytes = bytes;
        p.saved = None;
        p.on_disk.clear();
        p.writer.reset();
        p.run
    };
    checkpoint(page);
    pump(page);
    tick(page, run);
}

/// A ticker refreshes the ETA and the rate-limit line while the export runs.
fn tick(page: &Shared, run: u64) {
    let page = page.clone();
    super::spawn(async move {
        loop {
            time::sleep(lookup::STATUS_POLL_MS).await;
            if page.borrow().run != run {
                return;
            }
            let running = running(&page);
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

/// Reads an export back from its spool and goes on with it (once the account's key is here).
async fn resume_spool(page: &Shared, id: String) {
    if running(page) {
        return;
    }
    let disk = page.borrow().disk.clone();
    let now = time::now_ms();
    let read = match disk.read_text(&id, CHECKPOINT_FILE).await {
        Ok(text) => Export::from_checkpoint(&text, &id, now).map_err(|u| u.0),
        Err(_) => Err("its checkpoint cannot be read".into()),
    };
    let mut export = match read {
        Ok(export) => export,
        Err(why) => {
            page.borrow_mut().note = Some(format!("This export cannot be resumed: {why}."));
            warn(draw(page));
            return;
        }
    };
    for spooled in export.unsettled_pages() {
        if let Ok(text) = disk.read_text(&id, &spooled.file()).await {
            export.restore_shown(spooled, &text);
        }
    }
    let client_id = export.client_id.clone();
    let bytes = page
        .borrow()
        .spools
        .iter()
        .find(|s| s.id == id)
        .map_or(0, |s| s.bytes);
    let unnamed = export.unnamed_pages(&disk.names(&id).await);
    begin(page, export, bytes);
    page.borrow_mut().on_disk = unnamed;
    // The key may be gone with the browser session: wait for it, saying how to bring it back.
    let run = page.borrow().run;
    loop {
        let view = chrome::tab_view(None).await.unwrap_or_default();
        let has_key = view
            .accounts
            .iter()
            .any(|a| a.client_id == client_id && a.key_read);
        page.borrow_mut().accounts = view.accounts;
        if page.borrow().run != run {
            return;
        }
        if has_key {
            page.borrow_mut().note = None;
            break;
        }
        page.borrow_mut().note = Some(view::KEY_NEEDED.into());
        warn(draw(page));
        time::sleep(KEY_POLL_MS).await;
    }
    let now = time::now_ms();
    if let Some(export) = page.borrow_mut().export.as_mut() {
        export.resume(now);
    }
    page.borrow_mut().spools.retain(|s| s.id != id);
    warn(draw_spools(page));
    checkpoint(page);
    pump(page);
    tick(page, run);
}

/// Queues the export's checkpoint behind the writes before it.
fn checkpoint(page: &Shared) {
    let p = page.borrow();
    let Some(export) = p.export.as_ref() else {
        return;
    };
    if !p.disk.resumable() && export.pages().is_empty() {
        return;
    }
    let (id, text) = (export.id.clone(), export.checkpoint_text(time::now_ms()));
    // What the checkpoint names is what a resume gets: shown once it is on disk.
    let (saved, landed_page) = ((export.rows(), p.bytes), Rc::downgrade(page));
    let landed = move || {
        if let Some(page) = landed_page.upgrade() {
            page.borrow_mut().saved = Some(saved);
            draw_soon(&page);
        }
    };
    p.writer.write(
        &id,
        CHECKPOINT_FILE,
        spool::bytes_of(&[&text]),
        disk_failure(page),
        Some(Box::new(landed)),
    );
}

/// What a failed write does: the export stops, and says so.
fn disk_failure(page: &Shared) -> impl FnOnce(String) + 'static {
    let page = page.clone();
    move |why| {
        if let Some(export) = page.borrow_mut().export.as_mut() {
            export.disk_failed(&why, time::now_ms());
        }
        warn(draw(&page));
    }
}

/// Sends every page the export may ask for now, then redraws.
fn pump(page: &Shared) {
    let (requests, run, asks, id, inbox) = {
        let mut p = page.borrow_mut();
        let run = p.run;
        // Pages wait for the disk: no more are asked for while a few are still to be written.
        let room = WRITES_AHEAD.saturating_sub(p.writer.pending());
        let Some(export) = p.export.as_mut() else {
            return;
        };
        let requests: Vec<PageRequest> = std::iter::from_fn(|| export.next_request())
            .take(room)
            .collect();
        let asks = ask::ExportPage {
            client_id: export.client_id.clone(),
            text: export.text.clone(),
            start_index: 0,
            count: 0,
            group: export.group().map(|g| g.id.clone()),
            left: export.pages_left(),
            mailbox: None,
        };
        let id = export.id.clone();
        (requests, run, asks, id, p.inbox.clone())
    };
    for request in requests {
        let page = page.clone();
        // A page the closed tab wrote but did not name: read back rather than asked again.
        let from_disk = {
            let mut p = page.borrow_mut();
            let at = p.on_disk.iter().position(|&s| s == request.start_index);
            at.map(|at| (p.on_disk.swap_remove(at), p.disk.clone()))
        };
        let (id, inbox) = (id.clone(), inbox.clone());
        let asked = ask::ExportPage {
            start_index: request.start_index,
            count: request.count,
            ..asks.clone()
        };
        super::spawn(async move {
            if let Some((start, disk)) = from_disk {
                let text = disk.read_text(&id, &SpooledPage::file_of(start)).await;
                if text.is_ok_and(|t| answered_from_disk(&page, run, request, &t)) {
                    pump(&page);
                    return;
                }
            }
            let answer = mailbox::ask_page(asked, inbox.as_deref()).await;
            answered(&page, run, request, answer);
            pump(&page);
        });
    }
    draw_soon(page);
}

/// Redraws within [`DRAW_MS`]: answers and writes land many times a second, and one draw shows
/// them all. A new phase (new controls) is drawn at once.
fn draw_soon(page: &Shared) {
    let (pending, new_phase) = {
        let p = page.borrow();
        let phase = p.export.as_ref().map(|e| e.phase());
        (p.draw_pending, phase != p.drawn.as_ref())
    };
    if new_phase {
        warn(draw(page));
        return;
    }
    if pending {
        return;
    }
    page.borrow_mut().draw_pending = true;
    let page = page.clone();
    super::spawn(async move {
        time::sleep(DRAW_MS).await;
        page.borrow_mut().draw_pending = false;
        warn(draw(&page));
    });
}

/// Records a page's answer, and queues its fragments and the checkpoint after them.
fn answered(
    page: &Shared,
    run: u64,
    request: PageRequest,
    answer: Result<answer::ApiBody, Failure>,
) {
    let mut p = page.borrow_mut();
    if p.run != run {
        return;
    }
    let count = answer.as_ref().ok().and_then(|a| a.count);
    if let Some(note) = answer.as_ref().ok().and_then(|a| a.note.clone()) {
        p.note = Some(note);
    }
    let body = answer.map(|a| a.body);
    let Some(export) = p.export.as_mut() else {
        return;
    };
    let was = export.phase().clone();
    let written = export.page_answered(
        request,
        body.as_ref().map(|b| b.as_bytes()).map_err(Clone::clone),
        count,
        time::now_ms(),
    );
    let changed = export.phase() != &was;
    spool_page(page, p, written, changed);
}

/// Queues a page's file (its fragments and trailer) and the checkpoint after it.
fn spool_page(
    page: &Shared,
    mut p: std::cell::RefMut<'_, Page>,
    written: Option<(SpooledPage, Fragments)>,
    changed: bool,
) {
    let id = p.export.as_ref().map(|e| e.id.clone()).unwrap_or_default();
    if let Some((spooled, fragments)) = written {
        p.bytes += (fragments.csv.len() + fragments.json.len()) as u64;
        // Out of wasm memory at once: JS holds the bytes until they are on disk.
        let trailer = spooled.trailer();
        let bytes = spool::bytes_of(&[&fragments.csv, &fragments.json, &trailer]);
        p.writer
            .write(&id, &spooled.file(), bytes, disk_failure(page), None);
    } else if !changed {
        // Nothing new on disk: the next checkpoint will say where paging stands.
        return;
    }
    drop(p);
    checkpoint(page);
}

/// Answers `request` from its page's file when the closed tab wrote it whole but no checkpoint
/// named it yet; whether it did.
fn answered_from_disk(page: &Shared, run: u64, request: PageRequest, text: &str) -> bool {
    let mut p = page.borrow_mut();
    if p.run != run {
        return true;
    }
    let Some(export) = p.export.as_mut() else {
        return true;
    };
    let was = export.phase().clone();
    let Some(written) = export.answer_from_disk(request, text, time::now_ms()) else {
        return false;
    };
    let changed = export.phase() != &was;
    spool_page(page, p, Some(written), changed);
    true
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
        let details = view::details(&export.details(), p.saved.filter(|_| p.disk.resumable()));
        let status = view::status(
            &progress,
            p.rate_line.as_deref(),
            p.note.as_deref(),
            details,
        );
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
            dom::mount_keeping_focus(&area, &controls)?;
        }
    }
    Ok(())
}
