//! The export page's disk: each export's spool is a folder of the Origin Private File System
//! (Chrome and Firefox both give extension pages one), holding its pages' CSV and JSON fragments
//! and its checkpoint. Writes go one at a time, in order, so a checkpoint is on disk only after the
//! pages it names. A file is joined from the fragments as a `Blob` of disk-backed `File`s, never
//! read into memory. Where the browser gives no such disk (a private window), the spool is held in
//! memory for the session, and the page says an export cannot be resumed there.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use indexmap::IndexMap;
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, File, FileSystemDirectoryHandle, FileSystemFileHandle,
    FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemRemoveOptions,
    FileSystemWritableFileStream,
};

use crate::core::export::spool::{self, CHECKPOINT_FILE};

/// Where spools live.
#[derive(Clone)]
pub enum Disk {
    /// The Origin Private File System's root.
    Opfs(FileSystemDirectoryHandle),
    /// No disk in this window: files by spool and name, for this page's life.
    Memory(Rc<RefCell<IndexMap<String, IndexMap<String, String>>>>),
}

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
            Ok(root) => Disk::Opfs(root),
            Err(_) => Disk::Memory(Rc::default()),
        }
    }

    pub fn resumable(&self) -> bool {
        matches!(self, Disk::Opfs(_))
    }

    async fn folder(&self, id: &str, create: bool) -> Result<FileSystemDirectoryHandle, JsError> {
        let Disk::Opfs(root) = self else {
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

    /// Writes `text` as file `name` of spool `id` (made if need be), whole or not at all.
    pub async fn write(&self, id: &str, name: &str, text: &str) -> Result<(), JsError> {
        if let Disk::Memory(files) = self {
            files
                .borrow_mut()
                .entry(id.to_string())
                .or_default()
                .insert(name.to_string(), text.to_string());
            return Ok(());
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
        let written = stream.write_with_str(text).map_err(fail("writing"))?;
        JsFuture::from(written).await.map_err(fail("writing"))?;
        // The file changes only when the stream closes: a crash before leaves the old one.
        JsFuture::from(stream.close())
            .await
            .map_err(fail("writing"))?;
        Ok(())
    }

    /// File `name` of spool `id`, as a disk-backed `File` (or a `Blob` of the held text).
    pub async fn file(&self, id: &str, name: &str) -> Result<Blob, JsError> {
        if let Disk::Memory(files) = self {
            let text = files
                .borrow()
                .get(id)
                .and_then(|f| f.get(name).cloned())
                .ok_or_else(|| JsError::new("no such file"))?;
            return text_blob(&[&text], "text/plain");
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
                files.borrow_mut().shift_remove(id);
                Ok(())
            }
            Disk::Opfs(root) => {
                let options = FileSystemRemoveOptions::new();
                options.set_recursive(true);
                JsFuture::from(root.remove_entry_with_options(&spool::folder(id), &options))
                    .await
                    .map(|_| ())
                    .map_err(fail("deleting"))
            }
        }
    }

    /// Every spool: its id, checkpoint text (if it has one) and size in bytes.
    pub async fn spools(&self) -> Vec<(String, Option<String>, u64)> {
        let ids: Vec<String> = match self {
            Disk::Memory(files) => files.borrow().keys().cloned().collect(),
            Disk::Opfs(root) => entries(root.keys())
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
        match self {
            Disk::Memory(files) => files
                .borrow()
                .get(id)
                .map_or(0, |f| f.values().map(|t| t.len() as u64).sum()),
            Disk::Opfs(_) => {
                let Ok(folder) = self.folder(id, false).await else {
                    return 0;
                };
                let mut bytes = 0;
                for name in entries(folder.keys()).await {
                    if let Ok(file) = self.file(id, &name).await {
                        bytes += file.size() as u64;
                    }
                }
                bytes
            }
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

/// A `Blob` of text parts.
fn text_blob(parts: &[&str], mime: &str) -> Result<Blob, JsError> {
    let array = Array::new();
    for part in parts {
        array.push(&JsValue::from_str(part));
    }
    blob_of(&array, mime)
}

/// A `Blob` of parts (strings and blobs; blobs stay where they are, on disk).
pub fn blob_of(parts: &Array, mime: &str) -> Result<Blob, JsError> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_blob_sequence_and_options(parts, &options).map_err(fail("the file"))
}

/// One write waiting its turn.
struct Write {
    id: String,
    name: String,
    text: String,
}

/// Writes for the disk, done one at a time in the order given. After a failure the rest are
/// dropped, and `on_failure` hears why once.
#[derive(Clone)]
pub struct Writer {
    disk: Disk,
    inner: Rc<RefCell<WriterState>>,
}

#[derive(Default)]
struct WriterState {
    queue: VecDeque<Write>,
    running: bool,
    failed: bool,
}

impl Writer {
    pub fn new(disk: Disk) -> Writer {
        Writer {
            disk,
            inner: Rc::default(),
        }
    }

    /// Queues a write; `on_failure` is called if this or an earlier one fails.
    pub fn write(
        &self,
        id: &str,
        name: &str,
        text: String,
        on_failure: impl FnOnce(String) + 'static,
    ) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.failed {
                return;
            }
            inner.queue.push_back(Write {
                id: id.to_string(),
                name: name.to_string(),
                text,
            });
            if inner.running {
                return;
            }
            inner.running = true;
        }
        let writer = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let next = writer.inner.borrow_mut().queue.pop_front();
                let Some(w) = next else {
                    writer.inner.borrow_mut().running = false;
                    return;
                };
                if let Err(e) = writer.disk.write(&w.id, &w.name, &w.text).await {
                    {
                        let mut inner = writer.inner.borrow_mut();
                        inner.failed = true;
                        inner.queue.clear();
                        inner.running = false;
                    }
                    let why = JsValue::from(e)
                        .dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                        .unwrap_or_else(|| "unknown error".into());
                    on_failure(why);
                    return;
                }
            }
        });
    }

    /// Whether every write so far is on disk.
    pub fn idle(&self) -> bool {
        let inner = self.inner.borrow();
        !inner.running && inner.queue.is_empty()
    }

    /// Forgets a failure: writes are taken again (after the export was read back from disk).
    pub fn reset(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.failed = false;
        inner.queue.clear();
    }
}
