//! The export page's disk: each export's spool is a folder of the Origin Private File System
//! (Chrome and Firefox both give extension pages one), holding its pages' CSV and JSON fragments
//! and its checkpoint. Writes go one at a time, in order, so a checkpoint is on disk only after the
//! pages it names. A file is joined from the fragments as a `Blob` of disk-backed `File`s, never
//! read into memory. Where the browser gives no such disk (a private window), the spool is held in
//! memory for the session, and the page says an export cannot be resumed there.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_util::future::{select, Either};
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, File, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemRemoveOptions,
    FileSystemWritableFileStream, MessageEvent, Worker,
};

use super::js::{from_js, to_js};
use super::{dom, time};
use crate::core::export::spool::{self, CHECKPOINT_FILE};
use crate::core::export::{Export, Format};

/// Where spools live.
#[derive(Clone)]
pub enum Disk {
    /// The Origin Private File System's root, and the worker that writes pages fast.
    Opfs(FileSystemDirectoryHandle, Option<FastWriter>),
    /// No disk in this window: files by spool and name, for this page's life.
    Memory(Rc<RefCell<Vec<MemorySpool>>>),
}

/// A spool held in memory: its id and its files by name (a few).
type MemorySpool = (String, Vec<(String, Blob)>);

fn fail(what: &str) -> impl Fn(JsValue) -> JsError + '_ {
    move |e| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default();
        JsError::new(&format!("{what}: {why}"))
    }
}

async fn await_as<T: JsCast>(promise: Promise, what: &str) -> Result<T, JsError> {
    JsFuture::from(promise)
        .await
        .map_err(fail(what))?
        .dyn_into::<T>()
        .map_err(|_| JsError::new(what))
}

impl Disk {
    /// The browser's disk for this extension, or memory where there is none.
    pub async fn open() -> Disk {
        let root = match web_sys::window() {
            Some(w) => await_as(w.navigator().storage().get_directory(), "no disk").await,
            None => Err(JsError::new("no window")),
        };
        match root {
            Ok(root) => Disk::Opfs(root, FastWriter::start()),
            Err(_) => Disk::Memory(Rc::default()),
        }
    }

    pub fn resumable(&self) -> bool {
        matches!(self, Disk::Opfs(..))
    }

    async fn folder(&self, id: &str, create: bool) -> Result<FileSystemDirectoryHandle, JsError> {
        let Disk::Opfs(root, _) = self else {
            return Err(JsError::new("no disk"));
        };
        let options = FileSystemGetDirectoryOptions::new();
        options.set_create(create);
        await_as(
            root.get_directory_handle_with_options(&spool::folder(id), &options),
            "the export's folder",
        )
        .await
    }

    /// Writes `data` as file `name` of spool `id` (made if need be), whole or not at all.
    pub async fn write(&self, id: &str, name: &str, data: &Uint8Array) -> Result<(), JsError> {
        if let Disk::Memory(files) = self {
            let parts = Array::of1(data);
            let blob = Blob::new_with_u8_array_sequence(&parts).map_err(fail("the file"))?;
            let mut spools = files.borrow_mut();
            let at = match spools.iter().position(|(s, _)| s == id) {
                Some(at) => at,
                None => {
                    spools.push((id.to_string(), Vec::new()));
                    spools.len() - 1
                }
            };
            let spool = &mut spools[at].1;
            spool.retain(|(n, _)| n != name);
            spool.push((name.to_string(), blob));
            return Ok(());
        }
        // Pages through the fast writer. A page is named by a checkpoint only once written
        // whole, so its write need not be atomic; a checkpoint's must, and goes by a stream.
        if let Disk::Opfs(_, Some(fast)) = self {
            if name != CHECKPOINT_FILE && fast.write(&spool::folder(id), name, data).await.is_ok() {
                return Ok(());
            }
        }
        let folder = self.folder(id, true).await?;
        let options = FileSystemGetFileOptions::new();
        options.set_create(true);
        let handle: FileSystemFileHandle = await_as(
            folder.get_file_handle_with_options(name, &options),
            "a file",
        )
        .await?;
        let stream: FileSystemWritableFileStream =
            await_as(handle.create_writable(), "writing").await?;
        let written = stream
            .write_with_buffer_source(data)
            .map_err(fail("writing"))?;
        JsFuture::from(written).await.map_err(fail("writing"))?;
        // The file changes only when the stream closes: a crash before leaves the old one.
        JsFuture::from(stream.close())
            .await
            .map_err(fail("writing"))?;
        Ok(())
    }

    /// File `name` of spool `id`, as a disk-backed `File` (or the `Blob` held in memory).
    pub async fn file(&self, id: &str, name: &str) -> Result<Blob, JsError> {
        if let Disk::Memory(files) = self {
            let spools = files.borrow();
            let spool = spools.iter().find(|(s, _)| s == id);
            let file = spool.and_then(|(_, f)| f.iter().find(|(n, _)| n == name));
            return file
                .map(|(_, blob)| blob.clone())
                .ok_or_else(|| JsError::new("no such file"));
        }
        let folder = self.folder(id, false).await?;
        let handle: FileSystemFileHandle = await_as(folder.get_file_handle(name), "a file").await?;
        let file: File = await_as(handle.get_file(), "a file").await?;
        Ok(file.into())
    }

    pub async fn read_text(&self, id: &str, name: &str) -> Result<String, JsError> {
        let blob = self.file(id, name).await?;
        JsFuture::from(blob.text())
            .await
            .map_err(fail("reading"))?
            .as_string()
            .ok_or_else(|| JsError::new("reading"))
    }

    pub async fn remove(&self, id: &str) -> Result<(), JsError> {
        match self {
            Disk::Memory(files) => {
                files.borrow_mut().retain(|(s, _)| s != id);
                Ok(())
            }
            Disk::Opfs(root, _) => {
                let options = FileSystemRemoveOptions::new();
                options.set_recursive(true);
                JsFuture::from(root.remove_entry_with_options(&spool::folder(id), &options))
                    .await
                    .map(|_| ())
                    .map_err(fail("deleting"))
            }
        }
    }

    /// The names of spool `id`'s files.
    pub async fn names(&self, id: &str) -> Vec<String> {
        match self {
            Disk::Memory(files) => files
                .borrow()
                .iter()
                .filter(|(s, _)| s == id)
                .flat_map(|(_, f)| f.iter().map(|(n, _)| n.clone()))
                .collect(),
            Disk::Opfs(..) => match self.folder(id, false).await {
                Ok(folder) => entries(folder.keys()).await,
                Err(_) => Vec::new(),
            },
        }
    }

    /// Every spool: its id, checkpoint text (if it has one) and size in bytes.
    pub async fn spools(&self) -> Vec<(String, Option<String>, u64)> {
        let ids: Vec<String> = match self {
            Disk::Memory(files) => files.borrow().iter().map(|(s, _)| s.clone()).collect(),
            Disk::Opfs(root, _) => entries(root.keys())
                .await
                .into_iter()
                .filter_map(|name| spool::id_of_folder(&name).map(str::to_string))
                .collect(),
        };
        let mut out = Vec::new();
        for id in ids {
            let checkpoint = self.read_text(&id, CHECKPOINT_FILE).await.ok();
            out.push((id.clone(), checkpoint, self.size(&id).await));
        }
        out
    }

    /// Bytes held by spool `id`.
    async fn size(&self, id: &str) -> u64 {
        let mut bytes = 0;
        for name in self.names(id).await {
            if let Ok(file) = self.file(id, &name).await {
                bytes += file.size() as u64;
            }
        }
        bytes
    }
}

/// The page's dedicated writer (`spool-writer.js`), where the file system offers synchronous access
/// handles: a page of a thousand users is written many times faster than through a writable
/// stream. Each write is answered by its sequence number. Once it fails (a browser without
/// such handles), every write goes by stream.
#[derive(Clone)]
pub struct FastWriter {
    worker: Worker,
    /// Each write's sequence number and the function that resolves it (a handful).
    waiting: Rc<RefCell<Vec<(u32, Function)>>>,
    next: Rc<Cell<u32>>,
    broken: Rc<Cell<bool>>,
    _listeners: Rc<[Closure<dyn FnMut(JsValue)>; 2]>,
}

/// What the page asks the writer.
#[derive(serde::Serialize)]
struct WriteMessage<'a> {
    seq: u32,
    folder: &'a str,
    name: &'a str,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    bytes: Uint8Array,
}

/// What the writer answers (besides the sequence number the listener reads).
#[derive(serde::Serialize, serde::Deserialize)]
struct WriteAnswer {
    #[serde(default)]
    error: Option<String>,
}

/// The writer's script, beside the export page.
const WRITER_SCRIPT: &str = "spool-writer.js";
/// How long a page's write may take before the writer is given up for writable streams.
const FAST_WRITE_MS: u64 = 20_000;

impl FastWriter {
    fn start() -> Option<FastWriter> {
        let worker = Worker::new(WRITER_SCRIPT).ok()?;
        let waiting: Rc<RefCell<Vec<(u32, Function)>>> = Rc::default();
        let broken: Rc<Cell<bool>> = Rc::default();
        let answers = waiting.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let Ok(data) = e.dyn_into::<MessageEvent>().map(|e| e.data()) else {
                return;
            };
            let seq = Reflect::get(&data, &JsValue::from_str("seq"))
                .ok()
                .and_then(|s| s.as_f64());
            let resolve = seq.and_then(|s| {
                let mut answers = answers.borrow_mut();
                let at = answers.iter().position(|(w, _)| *w == s as u32)?;
                Some(answers.swap_remove(at).1)
            });
            if let Some(resolve) = resolve {
                let _ = resolve.call1(&JsValue::NULL, &data);
            }
        });
        // A worker that cannot start answers nothing: every write waiting is failed, and the
        // rest go by stream.
        let (failing, failed) = (waiting.clone(), broken.clone());
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            failed.set(true);
            let stopped = to_js(&WriteAnswer {
                error: Some("the writer stopped".into()),
            })
            .unwrap_or(JsValue::NULL);
            for (_, resolve) in failing.borrow_mut().drain(..) {
                let _ = resolve.call1(&JsValue::NULL, &stopped);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(FastWriter {
            worker,
            waiting,
            next: Rc::default(),
            broken,
            _listeners: Rc::new([on_message, on_error]),
        })
    }

    async fn write(&self, folder: &str, name: &str, data: &Uint8Array) -> Result<(), JsError> {
        if self.broken.get() {
            return Err(JsError::new("no fast writer"));
        }
        let seq = self.next.get().wrapping_add(1);
        self.next.set(seq);
        let message = to_js(&WriteMessage {
            seq,
            folder,
            name,
            bytes: data.clone(),
        })?;
        let waiting = self.waiting.clone();
        let answer = Promise::new(&mut |resolve, _| {
            waiting.borrow_mut().push((seq, resolve));
        });
        if let Err(e) = self.worker.post_message(&message) {
            self.waiting.borrow_mut().retain(|(s, _)| *s != seq);
            return Err(fail("writing")(e));
        }
        // A write never answered (a writer stuck in the browser) is not waited for forever.
        let timeout = Box::pin(time::sleep(FAST_WRITE_MS));
        let answer = match select(JsFuture::from(answer), timeout).await {
            Either::Left((answer, _)) => answer.map_err(fail("writing"))?,
            Either::Right(_) => {
                self.waiting.borrow_mut().retain(|(s, _)| *s != seq);
                self.broken.set(true);
                return Err(JsError::new("the writer did not answer"));
            }
        };
        match from_js::<WriteAnswer>(answer).ok().and_then(|a| a.error) {
            Some(why) => {
                self.broken.set(true);
                Err(JsError::new(&why))
            }
            None => Ok(()),
        }
    }
}

/// The names an async iterator of a folder gives.
async fn entries(iterator: js_sys::AsyncIterator) -> Vec<String> {
    let mut names = Vec::new();
    while let Ok(next) = iterator.next() {
        let Ok(step) = JsFuture::from(next).await else {
            break;
        };
        let done = Reflect::get(&step, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            break;
        }
        if let Some(name) = Reflect::get(&step, &JsValue::from_str("value"))
            .ok()
            .and_then(|v| v.as_string())
        {
            names.push(name);
        }
    }
    names
}

/// Offers the export's file: its head, every page's fragment from disk and its tail, joined as a
/// `Blob` that stays on disk (waiting first for the writes still queued).
pub async fn save(export: &Export, disk: &Disk, format: Format) -> Result<(), JsError> {
    let wall = time::now_ms();
    let parts = Array::new();
    parts.push(&JsValue::from_str(&export.file_head(format, wall)));
    let mut first = true;
    for spooled in export.pages() {
        let file = disk.file(&export.id, &spooled.file()).await?;
        let mut part = spooled.part(format);
        part.end = part.end.min(file.size() as u64);
        part.start = part.start.min(part.end);
        if part.is_empty() {
            continue;
        }
        if first {
            part.start = (part.start + u64::from(Export::file_skip(format))).min(part.end);
        }
        first = false;
        let slice = file
            .slice_with_f64_and_f64(part.start as f64, part.end as f64)
            .map_err(|_| JsError::new("could not read the export"))?;
        parts.push(&slice);
    }
    parts.push(&JsValue::from_str(Export::file_tail(format)));
    let blob = blob_of(&parts, format.mime())?;
    dom::download_blob(&export.file_name(format, wall), &blob)
}

/// Texts as one run of UTF-8 bytes held by JS: a copy out of wasm memory, where a JS string would
/// be decoded (a megabyte a page).
pub fn bytes_of(parts: &[&str]) -> Uint8Array {
    let bytes = Uint8Array::new_with_length(parts.iter().map(|p| p.len() as u32).sum());
    let mut at = 0;
    for part in parts {
        bytes
            .subarray(at, at + part.len() as u32)
            .copy_from(part.as_bytes());
        at += part.len() as u32;
    }
    bytes
}

/// A `Blob` of parts (strings and blobs; blobs stay where they are, on disk).
pub fn blob_of(parts: &Array, mime: &str) -> Result<Blob, JsError> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_blob_sequence_and_options(parts, &options).map_err(fail("the file"))
}
