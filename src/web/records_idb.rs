//! Keyward's records (accounts, salt, settings, layouts) on a browser that cannot close
//! `storage.local` to content scripts (Firefox: `setAccessLevel` exists there for `storage.session`
//! only, bug 1724754). They live in one IndexedDB object store at the extension's own origin: a
//! content script's IndexedDB is its page's, so this store is out of its reach. The first open
//! moves whatever an earlier version left in `storage.local` here, then empties that area; after
//! that `storage.local` is never read again, so nothing a content script writes there counts.
//!
//! One store of a handful of records needs get, put and an upgrade: a promise over each request is
//! the whole of it (the IndexedDB crates bring an async runtime or a typed layer this does not use).

use std::cell::RefCell;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventTarget, IdbDatabase, IdbObjectStore, IdbTransactionMode};

const DATABASE: &str = "keyward";
const STORE: &str = "records";
/// Set once `storage.local` has been moved here (and emptied).
const MOVED_MARK: &str = "moved_from_storage_local";

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn refused(what: &str) -> JsError {
    JsError::new(&format!("the browser's IndexedDB refused to {what}"))
}

/// Waits for `done` on `target`; "error" or "abort" first is a failure.
async fn until(target: &EventTarget, done: &str, what: &str) -> Result<(), JsError> {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let (resolve, reject) = settle.ok_or_else(|| refused(what))?;
    let on_done = Closure::<dyn FnMut()>::new(move || {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    });
    let on_failed = Closure::<dyn FnMut()>::new(move || {
        let _ = reject.call0(&JsValue::UNDEFINED);
    });
    let listen = |event: &str, handler: &Closure<dyn FnMut()>| {
        target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref())
    };
    listen(done, &on_done)
        .and_then(|()| listen("error", &on_failed))
        .and_then(|()| listen("abort", &on_failed))
        .map_err(|_| refused(what))?;
    let outcome = JsFuture::from(promise).await;
    // The handlers go before their closures are dropped: no later event can call a dropped one.
    let _ = target.remove_event_listener_with_callback(done, on_done.as_ref().unchecked_ref());
    for event in ["error", "abort"] {
        let _ =
            target.remove_event_listener_with_callback(event, on_failed.as_ref().unchecked_ref());
    }
    outcome.map(|_| ()).map_err(|_| refused(what))
}

async fn database() -> Result<IdbDatabase, JsError> {
    if let Some(db) = OPEN.with(|o| o.borrow().clone()) {
        return Ok(db);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| JsError::new("this context has no IndexedDB"))?;
    let request = factory
        .open_with_u32(DATABASE, 1)
        .map_err(|_| refused("open Keyward's records"))?;
    let on_upgrade = Closure::<dyn FnMut()>::new({
        let request = request.clone();
        move || {
            if let Ok(db) = request.result() {
                let _ = db
                    .unchecked_into::<IdbDatabase>()
                    .create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let opened = until(&request, "success", "open Keyward's records").await;
    request.set_onupgradeneeded(None);
    opened?;
    let db: IdbDatabase = request
        .result()
        .map_err(|_| refused("open Keyward's records"))?
        .unchecked_into();
    // Two callers may have opened at once: the first kept is the one every caller uses.
    let db = OPEN.with(|o| o.borrow_mut().get_or_insert(db).clone());
    move_storage_local(&db).await?;
    Ok(db)
}

fn store(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<IdbObjectStore, JsError> {
    db.transaction_with_str_and_mode(STORE, mode)
        .and_then(|tx| tx.object_store(STORE))
        .map_err(|_| refused("start a transaction"))
}

async fn read(db: &IdbDatabase, key: &str) -> Result<Option<JsValue>, JsError> {
    let request = store(db, IdbTransactionMode::Readonly)?
        .get(&JsValue::from_str(key))
        .map_err(|_| refused("read a record"))?;
    until(&request, "success", "read a record").await?;
    let value = request.result().map_err(|_| refused("read a record"))?;
    Ok((!value.is_undefined()).then_some(value))
}

/// Writes every `(key, value)` in one transaction, and waits until it is committed.
async fn write(db: &IdbDatabase, items: &[(JsValue, JsValue)]) -> Result<(), JsError> {
    let store = store(db, IdbTransactionMode::Readwrite)?;
    for (key, value) in items {
        store
            .put_with_key(value, key)
            .map_err(|_| refused("write a record"))?;
    }
    until(&store.transaction(), "complete", "write a record").await
}

/// Moves `storage.local`'s records here the first time, then empties it. Records a content script
/// slipped in before the move are checked on every read like any stored value.
async fn move_storage_local(db: &IdbDatabase) -> Result<(), JsError> {
    if read(db, MOVED_MARK).await?.is_some() {
        return Ok(());
    }
    let local = ["chrome", "storage", "local"];
    let old = super::chrome::call(&local, "get", &[JsValue::NULL]).await?;
    let mut items: Vec<(JsValue, JsValue)> = Object::entries(old.unchecked_ref())
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.dyn_into().ok()?;
            Some((pair.get(0), pair.get(1)))
        })
        .collect();
    items.push((JsValue::from_str(MOVED_MARK), JsValue::TRUE));
    write(db, &items).await?;
    super::chrome::call(&local, "clear", &[]).await.map(|_| ())
}

/// One record, as stored; `None` when absent.
pub async fn get(key: &str) -> Result<Option<JsValue>, JsError> {
    read(&database().await?, key).await
}

/// Writes one record.
pub async fn set(key: &str, value: JsValue) -> Result<(), JsError> {
    write(&database().await?, &[(JsValue::from_str(key), value)]).await
}
