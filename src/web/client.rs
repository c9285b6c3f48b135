//! The Directory API client: the core's scheduler driven by real time, fetch and timers.
//!
//! One client lives in the service worker and serves every lookup and export. Each request waits in
//! the scheduler until it may go, is sent with an `AbortController`, and its answer (or failure) is
//! fed back to the scheduler, which decides on retries. Dropping a request's future cancels it: its
//! slot is freed at once and its fetch aborted.

use futures_util::future::{select, Either};
use indexmap::IndexMap;
use std::cell::RefCell;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use web_sys::AbortController;

use super::net::Transport;
use super::time::{clear_timeout, now_ms, set_timeout, unit};
use crate::core::api::pager::{PageRequest, Pager};
use crate::core::api::region::{self, Detection, Region};
use crate::core::api::retry_after::RetryAfter;
use crate::core::api::scim::{self, ListPage};
use crate::core::api::throttle::{Finish, Priority, Scheduler, Status, Ticket};
use crate::core::api::{ApiError, Credentials, ListRequest};
use crate::core::lookup::Lane;
use serde_json::value::RawValue;

type Answer = Result<Vec<u8>, ApiError>;

/// A one-shot slot a request's future waits on.
#[derive(Default)]
struct Slot {
    answer: Option<Answer>,
    waker: Option<Waker>,
    /// The request's ticket now (a request sent again after a key renewal gets a new one).
    ticket: Option<Ticket>,
}

/// Puts a request's answer in its slot and wakes whoever waits for it.
fn fill(slot: &RefCell<Slot>, answer: Answer) {
    let mut slot = slot.borrow_mut();
    slot.answer = Some(answer);
    if let Some(w) = slot.waker.take() {
        w.wake();
    }
}

struct Job {
    url: String,
    lane: Option<Lane>,
    priority: Priority,
    client_id: String,
    authorization: String,
    /// A probe of exactly these credentials: never sent with the account's key in force instead.
    pinned: bool,
    slot: Rc<RefCell<Slot>>,
    abort: Option<AbortController>,
}

struct Inner<T> {
    transport: T,
    scheduler: Scheduler,
    jobs: IndexMap<Ticket, Job>,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
    /// The `Authorization` in force per Client ID, once a key changed (see [`Client::rekey`]); an
    /// `IndexMap` like the worker's keys, so no second map type is compiled in.
    in_force: IndexMap<String, String>,
}

/// The client. Cloning shares it.
pub struct Client<T: Transport + Clone + 'static> {
    inner: Rc<RefCell<Inner<T>>>,
}

impl<T: Transport + Clone + 'static> Clone for Client<T> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
        }
    }
}

/// Waits for a request's answer; dropping it early cancels the request.
struct Pending<T: Transport + Clone + 'static> {
    client: Client<T>,
    slot: Rc<RefCell<Slot>>,
    finished: bool,
}

impl<T: Transport + Clone + 'static> Future for Pending<T> {
    type Output = Answer;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer> {
        let answer = self.slot.borrow_mut().answer.take();
        match answer {
            Some(answer) => {
                self.finished = true;
                Poll::Ready(answer)
            }
            None => {
                self.slot.borrow_mut().waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T: Transport + Clone + 'static> Drop for Pending<T> {
    fn drop(&mut self) {
        let ticket = self.slot.borrow().ticket;
        if let (false, Some(ticket)) = (self.finished, ticket) {
            self.client.cancel(ticket);
        }
    }
}

impl<T: Transport + Clone + 'static> Client<T> {
    pub fn new(transport: T, scheduler: Scheduler) -> Client<T> {
        Client {
            inner: Rc::new(RefCell::new(Inner {
                transport,
                scheduler,
                jobs: IndexMap::new(),
                timer: None,
                in_force: IndexMap::new(),
            })),
        }
    }

    /// Sets the hard cap on requests in flight (the setting); more may start at once.
    pub fn set_max_in_flight(&self, cap: usize) {
        self.inner.borrow_mut().scheduler.set_max_in_flight(cap);
        self.pump();
    }

    /// The scheduler's status for the UI.
    pub fn status(&self) -> Status {
        self.inner.borrow().scheduler.status(now_ms())
    }

    /// GETs `url` through the scheduler, for the account's work: should its key change meanwhile
    /// ([`Client::rekey`]), the request goes with the new one. Drop the future to cancel.
    pub fn get(
        &self,
        priority: Priority,
        url: String,
        credentials: &Credentials,
    ) -> impl Future<Output = Answer> {
        self.get_in_lane(priority, url, credentials, None)
    }

    /// Cancels every request of `lane` that has not answered yet; each answers `Cancelled`.
    pub fn cancel_lane(&self, lane: Lane) {
        let cancelled: Vec<Ticket> = self
            .inner
            .borrow()
            .jobs
            .iter()
            .filter(|(_, job)| job.lane == Some(lane))
            .map(|(ticket, _)| *ticket)
            .collect();
        for ticket in cancelled {
            let slot = self
                .inner
                .borrow()
                .jobs
                .get(&ticket)
                .map(|j| j.slot.clone());
            self.cancel(ticket);
            if let Some(slot) = slot {
                let mut slot = slot.borrow_mut();
                slot.answer = Some(Err(ApiError::Cancelled));
                if let Some(w) = slot.waker.take() {
                    w.wake();
                }
            }
        }
    }

    /// [`Client::get`] in a lane that [`Client::cancel_lane`] can cancel as a whole.
    pub fn get_in_lane(
        &self,
        priority: Priority,
        url: String,
        credentials: &Credentials,
        lane: Option<Lane>,
    ) -> impl Future<Output = Answer> {
        self.submit(priority, url, credentials, lane, false)
    }

    /// GETs `url` with exactly `credentials`, to learn what the API says of that key (a region's
    /// probe, a claimed or renewed key's check). Unlike [`Client::get`] it is never re-sent with
    /// the account's key in force: that would prove another key than the one asked about.
    pub fn probe(
        &self,
        priority: Priority,
        url: String,
        credentials: &Credentials,
    ) -> impl Future<Output = Answer> {
        self.submit(priority, url, credentials, None, true)
    }

    fn submit(
        &self,
        priority: Priority,
        url: String,
        credentials: &Credentials,
        lane: Option<Lane>,
        pinned: bool,
    ) -> impl Future<Output = Answer> {
        let slot = Rc::new(RefCell::new(Slot::default()));
        let ticket = {
            let mut inner = self.inner.borrow_mut();
            let ticket = inner
                .scheduler
                .submit(priority, true, &credentials.client_id, now_ms());
            let job = Job {
                url,
                lane,
                priority,
                client_id: credentials.client_id.clone(),
                authorization: credentials.basic_header(),
                pinned,
                slot: slot.clone(),
                abort: None,
            };
            inner.jobs.insert(ticket, job);
            ticket
        };
        slot.borrow_mut().ticket = Some(ticket);
        self.pump();
        Pending {
            client: self.clone(),
            slot,
            finished: false,
        }
    }

    /// Tells the scheduler how many requests an API client's bulk job has left.
    pub fn backlog(&self, client_id: &str, requests: u64) {
        self.inner
            .borrow_mut()
            .scheduler
            .backlog(client_id, requests, now_ms());
    }

    fn cancel(&self, ticket: Ticket) {
        let mut inner = self.inner.borrow_mut();
        inner.scheduler.cancel(ticket);
        if let Some(abort) = inner.jobs.swap_remove(&ticket).and_then(|j| j.abort) {
            abort.abort();
        }
        drop(inner);
        self.pump();
    }

    /// Starts whatever the scheduler allows now, answers what it will not send, and arms one timer
    /// for the next moment it might.
    fn pump(&self) {
        let now = now_ms();
        let poll = self.inner.borrow_mut().scheduler.poll(now);
        for (ticket, pause) in poll.refused {
            self.answer(
                ticket,
                Err(ApiError::NotSent(RetryAfter {
                    wait: std::time::Duration::from_millis(pause),
                    capped_from: None,
                })),
            );
        }
        for ticket in poll.start {
            let client = self.clone();
            super::spawn(async move { client.send(ticket).await });
        }
        let mut inner = self.inner.borrow_mut();
        if let Some((handle, _)) = inner.timer.take() {
            clear_timeout(&handle);
        }
        if let Some(at) = poll.wake_at {
            let client = self.clone();
            let closure = Closure::<dyn FnMut()>::new(move || client.pump());
            if let Some(handle) =
                set_timeout(closure.as_ref().unchecked_ref(), at.saturating_sub(now))
            {
                inner.timer = Some((handle, closure));
            }
        }
    }

    async fn send(&self, ticket: Ticket) {
        let controller = AbortController::new().ok();
        let request = {
            let mut inner = self.inner.borrow_mut();
            let Some(job) = inner.jobs.get_mut(&ticket) else {
                return;
            };
            job.abort = controller.clone();
            (job.url.clone(), job.authorization.clone())
        };
        let Some(controller) = controller else {
            self.complete(
                ticket,
                Err(ApiError::Network(
                    "this browser cannot abort requests".into(),
                )),
            );
            return;
        };
        // Clone the (stateless) transport so no RefCell borrow is held across the await.
        let transport = self.inner.borrow().transport.clone();
        let transport_result = transport
            .get(&request.0, &request.1, &controller.signal())
            .await;
        self.complete(ticket, transport_result);
    }

    /// A key changed: requests of that account not sent yet go with the new one, and those in
    /// flight with the old one that answer 401 are sent again with it (probes excepted: they ask
    /// about their own key).
    pub fn rekey(&self, credentials: &Credentials) {
        let header = credentials.basic_header();
        let mut inner = self.inner.borrow_mut();
        for job in inner.jobs.values_mut() {
            if job.client_id == credentials.client_id && job.abort.is_none() && !job.pinned {
                job.authorization.clone_from(&header);
            }
        }
        inner.in_force.insert(credentials.client_id.clone(), header);
    }

    fn complete(&self, ticket: Ticket, result: Answer) {
        let mut inner = self.inner.borrow_mut();
        // Sent with a key that has since been replaced: the 401 is the old key's. Once more, with
        // the key in force.
        let renewed = match (&result, inner.jobs.get(&ticket)) {
            (Err(ApiError::Unauthorized), Some(job)) if !job.pinned => inner
                .in_force
                .get(&job.client_id)
                .filter(|now| **now != job.authorization)
                .cloned(),
            _ => None,
        };
        if let Some(header) = renewed {
            inner.scheduler.cancel(ticket);
            if let Some(mut job) = inner.jobs.swap_remove(&ticket) {
                job.authorization = header;
                job.abort = None;
                let again = inner
                    .scheduler
                    .submit(job.priority, true, &job.client_id, now_ms());
                // The caller waits on the slot: it sees the new answer (and cancels the new ticket).
                job.slot.borrow_mut().ticket = Some(again);
                inner.jobs.insert(again, job);
            }
            drop(inner);
            self.pump();
            return;
        }
        let outcome = inner.scheduler.finish(
            ticket,
            result.as_ref().map(|_| ()).map_err(Clone::clone),
            now_ms(),
            unit(),
        );
        let slot = match &outcome {
            Finish::Done | Finish::Failed(_) => inner.jobs.swap_remove(&ticket).map(|j| j.slot),
            Finish::Retrying { .. } | Finish::Ignored => None,
        };
        drop(inner);
        if let Some(slot) = slot {
            let answer = match outcome {
                Finish::Failed(e) => Err(e),
                _ => result,
            };
            fill(&slot, answer);
        }
        self.pump();
    }

    /// Answers a request the scheduler will not send.
    fn answer(&self, ticket: Ticket, answer: Answer) {
        let slot = self
            .inner
            .borrow_mut()
            .jobs
            .swap_remove(&ticket)
            .map(|j| j.slot);
        if let Some(slot) = slot {
            fill(&slot, answer);
        }
    }

    /// One page of a list query.
    pub async fn list<R>(
        &self,
        priority: Priority,
        base: &str,
        credentials: &Credentials,
        request: &ListRequest,
        read: impl Fn(&RawValue) -> Option<R>,
    ) -> Result<ListPage<R>, ApiError> {
        let body = self.get(priority, request.url(base), credentials).await?;
        scim::list_page(&body, read).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// Every result of a query, page by page through the pager (deduplicated by id).
    pub async fn list_all<R>(
        &self,
        priority: Priority,
        base: &str,
        credentials: &Credentials,
        template: &ListRequest,
        read: impl Fn(&RawValue) -> Option<R>,
        id: impl Fn(&R) -> &str,
    ) -> Result<Vec<R>, ApiError> {
        let mut pager = Pager::new(template.count);
        let mut out = Vec::new();
        while let Some(PageRequest { start_index, count }) = pager.next_request() {
            let request = ListRequest {
                start_index,
                count,
                ..template.clone()
            };
            let page = self
                .list(priority, base, credentials, &request, &read)
                .await?;
            out.extend(pager.accept(
                PageRequest { start_index, count },
                page.items,
                page.total,
                &id,
            ));
        }
        Ok(out)
    }

    /// Finds the credential's region with a cheap authenticated probe (`count=1`) of each region
    /// this build knows, through the shared scheduler.
    pub async fn detect_region(
        &self,
        regions: &[Region],
        local_base: Option<&str>,
        credentials: &Credentials,
    ) -> Detection {
        // Submit every probe first (the scheduler paces them), then collect the answers.
        let pending: Vec<_> = regions
            .iter()
            .filter_map(|r| {
                r.api_base(local_base).map(|base| {
                    (
                        *r,
                        self.probe(Priority::Interactive, region::probe_url(&base), credentials),
                    )
                })
            })
            .collect();
        // A region that never answers (a host blackholed on the way) must not hold the search:
        // past the deadline, every probe still out counts as unanswered.
        let mut deadline = std::pin::pin!(super::time::sleep(region::PROBE_DEADLINE_MS));
        let mut past_deadline = false;
        let mut results = Vec::with_capacity(pending.len());
        for (region, answer) in pending {
            let answer = if past_deadline {
                Err(region::unanswered())
            } else {
                match select(std::pin::pin!(answer), deadline.as_mut()).await {
                    Either::Left((answer, _)) => answer,
                    Either::Right(_) => {
                        past_deadline = true;
                        Err(region::unanswered())
                    }
                }
            };
            results.push((region, region::probe_result(answer)));
            if region::settled(&results) {
                // The probes still out are cancelled as they are dropped.
                break;
            }
        }
        region::detect(&results)
    }
}
