//! Export pages' bodies over the service worker's own channel (Chrome). An answer to
//! `runtime.sendMessage` travels as JSON, which the page decodes into a string: every megabyte of
//! body became megabytes of JS heap in the export page, waiting for its collection, so the page's
//! memory at its peak grew with the export's pace. Instead the export page opens a mailbox (it is
//! one of the service worker's clients) and the worker transfers each body there as bytes,
//! answering the message itself with `mailed`. The message still carries the request, so a worker
//! stopped mid-way still fails it at once. Firefox's background page has no such channel; its
//! answers carry the body as before.

use std::cell::RefCell;
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Array, Function, Promise, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Client, MessageEvent, ServiceWorker, ServiceWorkerContainer};

use super::chrome;
use super::js::{from_js, to_js, utf8_of};
use super::time;
use crate::core::lookup::{Failure, FailureCode};
use crate::core::protocol::{answer, ask, Request, ResponseKind};
use crate::core::shared::text::hex;

/// Mailboxes the worker keeps (the newest announced): one per open export page.
const MAILBOXES_KEPT: usize = 16;
/// Bodies a page keeps for answers still on their way (more means answers that never came).
const LETTERS_KEPT: usize = 48;
/// A body announced as mailed but not arrived after this long is asked for again.
const LETTER_WAIT_MS: u64 = 30_000;

/// What a page says to the worker: where its bodies go.
#[derive(Serialize, Deserialize)]
struct Announce {
    mailbox: String,
}

/// One page's body, for the mailbox that asked for it.
#[derive(Serialize, Deserialize)]
struct Letter {
    mailbox: String,
    start_index: u64,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
}

thread_local! {
    /// The worker's mailboxes, oldest first.
    static MAILBOXES: RefCell<Vec<(String, Client)>> = const { RefCell::new(Vec::new()) };
}

/// The worker's side: a client announcing its mailbox. Only Keyward's export page counts: the
/// browser reports the message's origin and the client's address.
#[wasm_bindgen]
pub fn handle_mailbox(data: JsValue, origin: String, source: JsValue) -> Result<(), JsError> {
    let page = chrome::runtime_url("export.html")?;
    let own_origin = chrome::runtime_url("")?;
    let Ok(client) = source.dyn_into::<Client>() else {
        return Ok(());
    };
    let url = client.url();
    let from_export_page = url == page || url.starts_with(&format!("{page}?"));
    if format!("{origin}/") != own_origin || !from_export_page {
        return Ok(());
    }
    let Ok(Announce { mailbox }) = from_js::<Announce>(data) else {
        return Ok(());
    };
    if mailbox.is_empty() || mailbox.len() > 32 || !mailbox.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(());
    }
    MAILBOXES.with(|m| {
        let mut boxes = m.borrow_mut();
        boxes.retain(|(name, _)| *name != mailbox);
        boxes.push((mailbox, client));
        let over = boxes.len().saturating_sub(MAILBOXES_KEPT);
        boxes.drain(..over);
    });
    Ok(())
}

/// The worker's side: sends the body of the page at `start_index` to `mailbox`, its bytes
/// transferred. False when the mailbox is unknown (a restarted worker forgot it) or gone: the
/// answer then carries the body.
pub fn mail(mailbox: &str, start_index: u64, body: &str) -> bool {
    let Some(client) = MAILBOXES.with(|m| {
        let boxes = m.borrow();
        boxes
            .iter()
            .find(|(n, _)| n == mailbox)
            .map(|(_, c)| c.clone())
    }) else {
        return false;
    };
    let bytes = Uint8Array::from(body.as_bytes());
    let letter = Letter {
        mailbox: mailbox.to_string(),
        start_index,
        body: bytes.clone().into(),
    };
    let Ok(message) = to_js(&letter) else {
        return false;
    };
    client
        .post_message_with_transfer(&message, &Array::of1(&bytes.buffer()))
        .is_ok()
}

/// The export page's side: its mailbox, and the bodies that came for answers not yet read.
pub struct Inbox {
    name: String,
    worker: ServiceWorker,
    letters: Rc<RefCell<Vec<(u64, Uint8Array)>>>,
    waiting: Rc<RefCell<Vec<(u64, Function)>>>,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Inbox {
    /// The page's mailbox; `None` where the page has no service worker (Firefox).
    pub fn open() -> Option<Inbox> {
        // Read through `Reflect`, which catches: Firefox's extension pages throw on the getter.
        let navigator = web_sys::window()?.navigator();
        let container: ServiceWorkerContainer =
            js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
                .ok()?
                .dyn_into()
                .ok()?;
        let worker = container.controller()?;
        let name = hex(&time::random_bytes(8).ok()?);
        let letters: Rc<RefCell<Vec<(u64, Uint8Array)>>> = Rc::default();
        let waiting: Rc<RefCell<Vec<(u64, Function)>>> = Rc::default();
        let (into, wake, own) = (letters.clone(), waiting.clone(), name.clone());
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Ok(letter) = from_js::<Letter>(event.data()) else {
                return;
            };
            let Ok(body) = letter.body.dyn_into::<Uint8Array>() else {
                return;
            };
            if letter.mailbox != own {
                return;
            }
            let waiter = {
                let mut waiting = wake.borrow_mut();
                let at = waiting.iter().position(|(s, _)| *s == letter.start_index);
                at.map(|at| waiting.remove(at).1)
            };
            match waiter {
                Some(resolve) => {
                    let _ = resolve.call1(&JsValue::NULL, &body);
                }
                None => {
                    let mut letters = into.borrow_mut();
                    letters.push((letter.start_index, body));
                    let over = letters.len().saturating_sub(LETTERS_KEPT);
                    letters.drain(..over);
                }
            }
        });
        // Setting `onmessage` also starts the container's queue of messages.
        container.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Inbox {
            name,
            worker,
            letters,
            waiting,
            _listener: listener,
        })
    }

    /// Tells the worker where this page's bodies go.
    fn announce(&self) {
        if let Ok(message) = to_js(&Announce {
            mailbox: self.name.clone(),
        }) {
            let _ = self.worker.post_message(&message);
        }
    }

    /// The body mailed for the page at `start_index`, once it is here; `None` if it does not come.
    pub async fn take(&self, start_index: u64) -> Option<String> {
        let here = {
            let mut letters = self.letters.borrow_mut();
            let at = letters.iter().position(|(s, _)| *s == start_index);
            at.map(|at| letters.remove(at).1)
        };
        let bytes = match here {
            Some(bytes) => bytes,
            None => {
                let waiting = self.waiting.clone();
                let arrives = Promise::new(&mut |resolve, _| {
                    waiting.borrow_mut().push((start_index, resolve));
                });
                let gives_up = Box::pin(time::sleep(LETTER_WAIT_MS));
                match select(JsFuture::from(arrives), gives_up).await {
                    Either::Left((Ok(bytes), _)) => bytes.dyn_into::<Uint8Array>().ok()?,
                    _ => {
                        self.waiting.borrow_mut().retain(|(s, _)| *s != start_index);
                        return None;
                    }
                }
            }
        };
        let text = String::from_utf8(bytes.to_vec()).ok();
        // Its megabyte freed now, not at the next collection: a buffer's bytes lie outside the
        // JS heap, where garbage waits longest.
        let _ = bytes.buffer().transfer_with_length(0);
        text
    }
}

/// Asks the worker for an export page: its body comes to `inbox` where the page has one (said
/// before every page, since a restarted worker has forgotten it), else in the answer.
pub async fn ask_page(
    mut asked: ask::ExportPage,
    inbox: Option<&Inbox>,
) -> Result<answer::ApiBody, Failure> {
    if let Some(inbox) = inbox {
        asked.mailbox = Some(inbox.name.clone());
        inbox.announce();
    }
    let start_index = asked.start_index;
    let answer = chrome::send_message(&Request::ExportPage(asked)).await;
    page_answer(answer, inbox, start_index).await
}

/// The body of an export page, from the answer or the mailbox, or why there is none. A message
/// with no answer means the worker stopped while working on it: that page is simply asked again.
async fn page_answer(
    answer: Result<JsValue, JsError>,
    inbox: Option<&Inbox>,
    start_index: u64,
) -> Result<answer::ApiBody, Failure> {
    let again = |why| Failure {
        retry: true,
        ..Failure::new(FailureCode::Offline, why)
    };
    if answer.is_err() {
        return Err(again(
            "Keyward's background worker stopped while fetching a page.",
        ));
    }
    let read: PageAnswer = chrome::expect(answer, ResponseKind::ApiBody)?;
    let body = match (read.mailed, inbox) {
        (true, Some(inbox)) => inbox
            .take(start_index)
            .await
            .ok_or_else(|| again("A page Keyward's worker fetched did not reach this page."))?,
        _ => utf8_of(&read.body).ok_or_else(|| {
            Failure::new(
                FailureCode::Other,
                "Keyward's worker sent a page it could not read.",
            )
        })?,
    };
    Ok(answer::ApiBody {
        body,
        note: read.note,
        count: read.count,
        mailed: false,
    })
}

/// An [`answer::ApiBody`] as the message holds it, its body left a JS string: it leaves for wasm
/// as bytes (see [`utf8_of`]).
#[derive(Deserialize)]
struct PageAnswer {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    count: Option<u64>,
    #[serde(default)]
    mailed: bool,
}
