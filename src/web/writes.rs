//! The export page's writes to its spool: pages a few at a time, in any order, and each
//! checkpoint only once every page it names is on disk (see [`Writer`]).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::spool::Disk;
use super::time;
use crate::core::export::spool::CHECKPOINT_FILE;

/// One write waiting its turn.
struct Write {
    id: String,
    name: String,
    data: Uint8Array,
    /// Called once it is on disk.
    landed: Option<Box<dyn FnOnce()>>,
}

/// Pages written at once: the disk's round trips overlap.
const PARALLEL_WRITES: usize = 4;

/// Writes for the disk. Pages are written a few at a time, in any order. A checkpoint is written
/// once every page queued before it is on disk (it names them); while one waits, a newer one
/// waits behind it, replacing any other: a checkpoint is never put off by pages queued after it.
/// After a failure the rest are dropped, and the failure callback hears why once.
#[derive(Clone)]
pub struct Writer {
    disk: Disk,
    inner: Rc<RefCell<WriterState>>,
}

#[derive(Default)]
struct WriterState {
    /// Pages not started, by the sequence number they were queued with.
    queue: Vec<(u64, Write)>,
    /// Pages being written.
    active: Vec<u64>,
    /// Pages queued so far: each page's sequence number is its place, from 1.
    pages_queued: u64,
    /// The checkpoint waiting for the pages before it, with the last of their numbers.
    checkpoint: Option<(u64, Write)>,
    /// A newer checkpoint, for when that one is written.
    newer: Option<(u64, Write)>,
    checkpoint_running: bool,
    failed: bool,
    on_failure: Option<Box<dyn FnOnce(String)>>,
    /// Called after each write: the page asks for more once the queue is short again.
    on_written: Option<Rc<dyn Fn()>>,
}

impl WriterState {
    /// The next write that may start now: a checkpoint whose pages are all on disk, or a page
    /// within the parallel limit.
    fn next_write(&mut self) -> Option<(Option<u64>, Write)> {
        if self.failed {
            return None;
        }
        let ready = |after: u64, s: &WriterState| {
            !s.checkpoint_running
                && s.active.iter().all(|&seq| seq > after)
                && s.queue.first().is_none_or(|(seq, _)| *seq > after)
        };
        if let Some((after, _)) = &self.checkpoint {
            if ready(*after, self) {
                self.checkpoint_running = true;
                return self.checkpoint.take().map(|(_, w)| (None, w));
            }
        }
        if self.active.len() >= PARALLEL_WRITES {
            return None;
        }
        if self.queue.is_empty() {
            return None;
        }
        let (seq, write) = self.queue.remove(0);
        self.active.push(seq);
        Some((Some(seq), write))
    }
}

impl Writer {
    pub fn new(disk: Disk) -> Writer {
        Writer {
            disk,
            inner: Rc::default(),
        }
    }

    /// Calls `f` after each write lands.
    pub fn on_written(&self, f: impl Fn() + 'static) {
        self.inner.borrow_mut().on_written = Some(Rc::new(f));
    }

    /// Pages waiting or being written.
    pub fn pending(&self) -> usize {
        let inner = self.inner.borrow();
        inner.queue.len() + inner.active.len()
    }

    /// Queues a write; `on_failure` is called if this or an earlier one fails, `landed` once it
    /// is on disk.
    pub fn write(
        &self,
        id: &str,
        name: &str,
        data: Uint8Array,
        on_failure: impl FnOnce(String) + 'static,
        landed: Option<Box<dyn FnOnce()>>,
    ) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.failed {
                return;
            }
            if inner.on_failure.is_none() {
                inner.on_failure = Some(Box::new(on_failure));
            }
            let write = Write {
                id: id.to_string(),
                name: name.to_string(),
                data,
                landed,
            };
            let last_page = inner.pages_queued;
            if name != CHECKPOINT_FILE {
                inner.pages_queued += 1;
                let seq = inner.pages_queued;
                inner.queue.push((seq, write));
            } else if inner.checkpoint.is_none() && !inner.checkpoint_running {
                inner.checkpoint = Some((last_page, write));
            } else {
                inner.newer = Some((last_page, write));
            }
        }
        self.start_writes();
    }

    /// Starts every write that may start now.
    fn start_writes(&self) {
        loop {
            let Some((seq, w)) = self.inner.borrow_mut().next_write() else {
                return;
            };
            let writer = self.clone();
            super::spawn(async move {
                let written = writer.disk.write(&w.id, &w.name, &w.data).await;
                // Its bytes freed now, not at the next collection (they lie outside the JS heap,
                // where garbage waits longest): a page's rows are a megabyte.
                let _ = w.data.buffer().transfer_with_length(0);
                if let (Ok(()), Some(landed)) = (&written, w.landed) {
                    landed();
                }
                writer.done(seq, written);
            });
        }
    }

    /// A write ended: `seq` is the page's number (none for a checkpoint).
    fn done(&self, seq: Option<u64>, written: Result<(), JsError>) {
        let failure = {
            let mut inner = self.inner.borrow_mut();
            match seq {
                Some(seq) => inner.active.retain(|&s| s != seq),
                None => {
                    inner.checkpoint_running = false;
                    inner.checkpoint = inner.newer.take();
                }
            }
            match written {
                Ok(()) => None,
                Err(e) if !inner.failed => {
                    inner.failed = true;
                    inner.queue.clear();
                    inner.checkpoint = None;
                    inner.newer = None;
                    let why = JsValue::from(e)
                        .dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                        .unwrap_or_else(|| "unknown error".into());
                    inner.on_failure.take().map(|f| (f, why))
                }
                Err(_) => None,
            }
        };
        if let Some((on_failure, why)) = failure {
            on_failure(why);
            return;
        }
        let hook = self.inner.borrow().on_written.clone();
        if let Some(hook) = hook {
            hook();
        }
        self.start_writes();
    }

    /// Resolves once every write so far is on disk (checked at a short interval: draining fires
    /// no event of its own).
    pub async fn flushed(&self) {
        while !self.idle() {
            time::sleep(50).await;
        }
    }

    /// Whether every write so far is on disk.
    pub fn idle(&self) -> bool {
        let inner = self.inner.borrow();
        inner.queue.is_empty()
            && inner.active.is_empty()
            && inner.checkpoint.is_none()
            && inner.newer.is_none()
            && !inner.checkpoint_running
    }

    /// Forgets a failure: writes are taken again (after the export was read back from disk).
    pub fn reset(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.failed = false;
        inner.on_failure = None;
        inner.queue.clear();
        inner.checkpoint = None;
        inner.newer = None;
    }
}
