//! Export pages out in the worker: one whose tab closed before its answer came is kept for the
//! export resumed in a new tab, and a page asked for again while it is out joins that request
//! (every request counts against the account's allowance).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures_util::future::{FutureExt, Shared};

use super::{chrome, time};
use crate::core::export::parked::Parked;
use crate::core::lookup::call::Answered;

/// The answer to an export page asked for by `tab` with `client_id`'s key at `url`: kept, joined,
/// or from `fetch`.
pub async fn export_page(
    client_id: String,
    url: String,
    tab: Option<i64>,
    fetch: Pin<Box<dyn Future<Output = Answered>>>,
) -> Answered {
    let key = (client_id, url);
    let kept = PARKED.with(|p| p.borrow_mut().take(&key.0, &key.1, time::now_ms()));
    if let Some(kept) = kept {
        return kept;
    }
    // The same page asked for again while it is out (the export resumed in a new tab before the
    // closed tab's request came back) joins that request instead of making another.
    let joined = EXPORT_FLIGHTS.with(|f| {
        let flights = f.borrow();
        flights
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, f)| f.clone())
    });
    let flight = joined.unwrap_or_else(|| {
        let flight = Flight {
            answer: fetch.shared(),
            waiting: Rc::default(),
        };
        EXPORT_FLIGHTS.with(|f| f.borrow_mut().push((key.clone(), flight.clone())));
        flight
    });
    flight.waiting.set(flight.waiting.get() + 1);
    let answered = flight.answer.clone().await;
    // The page that asked closed meanwhile (its tab closed mid-export) and nobody else waited for
    // the answer: it is kept for the export resumed in a new tab. The flight is listed until
    // then, so a request for the page in between joins it.
    let alone = || flight.waiting.get() == 1;
    if let (true, Answered::Body { .. }, Some(tab)) = (alone(), &answered, tab) {
        if !chrome::tab_exists(tab).await && alone() {
            let (kept, now) = (answered.clone(), time::now_ms());
            PARKED.with(|p| p.borrow_mut().park(&key.0, &key.1, kept, now));
        }
    }
    EXPORT_FLIGHTS.with(|f| f.borrow_mut().retain(|(k, _)| *k != key));
    answered
}

/// An export page's request in flight, and how many pages wait for its answer.
#[derive(Clone)]
struct Flight {
    answer: Shared<Pin<Box<dyn Future<Output = Answered>>>>,
    waiting: Rc<Cell<usize>>,
}

thread_local! {
    /// Export pages answered after their tab closed, for the export resumed in a new one.
    static PARKED: RefCell<Parked<Answered>> = RefCell::default();
    /// Export pages in flight, by account and address (a few dozen at most).
    static EXPORT_FLIGHTS: RefCell<Vec<((String, String), Flight)>> = RefCell::default();
}
