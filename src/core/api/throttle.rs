//! The one request scheduler for the whole extension: it decides when each Directory API request
//! may go, so Keyward never floods PingOne.
//!
//! P14E answers 429 past an undocumented limit that restricts each API client (one Client ID) on its
//! own, and sends no rate-limit headers, so the scheduler learns each client's limit instead: every
//! Client ID has its own pace and `Retry-After` pause, while the concurrency cap and the priorities
//! are shared (one account's storm never slows another's lookups). The pace models the limit as a
//! token bucket: a short job spends a fresh bucket fast, a long one approaches the limit slowly;
//! the rate is measured from the successes between two moments the bucket was empty (two 429s),
//! then held just under, with a rare re-probe ([`RateControl`]). After a 429 at the limit, the
//! client waits until the bucket has a token for each request in flight and the retry, which goes
//! at the pace. Requests in flight follow the pace times the round trip, within a cap; there
//! are two priorities (interactive lookups before bulk export), cancellation that frees a slot at
//! once, and retries of transient failures (GETs only) with `Retry-After` honoured or full-jitter
//! exponential backoff. It is a pure state machine: the caller passes the time and a random number
//! in and performs the starts it returns, so it is tested with virtual time.

use std::collections::VecDeque;
use std::time::Duration;

use crate::core::api::bucket::{Phase, RateControl};
use crate::core::api::retry_after::RetryAfter;
pub use crate::core::api::tuning::{
    Config, Millis, RetryPolicy, DEFAULT_MAX_IN_FLIGHT, INITIAL_CLIENT_IN_FLIGHT,
    MAX_IN_FLIGHT_RANGE,
};
use crate::core::api::ApiError;

/// Which queue a request waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Priority {
    /// A person is waiting (popup lookups): goes first.
    Interactive,
    /// Export pages: use what is left.
    Bulk,
}

/// A scheduled request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(pub u64);

/// One API client's pacing (P14E limits each Client ID on its own).
#[derive(Clone, Debug)]
struct Pace {
    client: String,
    ctl: RateControl,
    last_send: Option<Millis>,
    paused_until: Millis,
    /// The round trip of this client's answered requests, smoothed (ms), and the latest.
    round_trip_ms: Option<f64>,
    latest_round_trip_ms: f64,
}

impl Pace {
    /// Requests this client may have in flight: its rate times its round trip (Little's law),
    /// plus one so a paced send never waits on an answer due the same moment (and a round trip
    /// that includes reading a large body does not slow the pace). While approaching the limit,
    /// every request in flight when the bucket runs dry comes back 429: then the product rounded
    /// down, at least one. Within `cap`.
    fn in_flight_limit(&self, cap: usize) -> usize {
        // The smoothed round trip, unless the latest was shorter: a first request's round trip
        // includes opening the connection, and more in flight than needed is more to answer 429
        // when the bucket runs dry.
        let wanted = match self.round_trip_ms {
            None => INITIAL_CLIENT_IN_FLIGHT,
            Some(rtt) => {
                let rtt = rtt.min(self.latest_round_trip_ms);
                let needed = self.ctl.rate * rtt / 1000.0;
                match self.ctl.phase {
                    Phase::Held { .. } | Phase::Spend => needed.ceil() as usize + 1,
                    Phase::Approach { .. } => needed.floor() as usize,
                }
            }
        };
        wanted.clamp(1, cap.max(1))
    }

    fn observe_round_trip(&mut self, ms: Millis) {
        let ms = ms as f64;
        self.latest_round_trip_ms = ms;
        self.round_trip_ms = Some(match self.round_trip_ms {
            None => ms,
            Some(avg) => avg * 0.8 + ms * 0.2,
        });
    }

    fn interval(&self, c: &Config) -> Millis {
        (1000.0 / self.ctl.rate.max(c.min_rate)).round() as Millis
    }

    /// The earliest time this client may send again.
    fn ready_at(&self, c: &Config) -> Millis {
        self.last_send
            .map_or(0, |t| t + self.interval(c))
            .max(self.paused_until)
    }

    /// Records a send at `now`. A send a little late (timers fire late, answers queue) is
    /// booked at the time it was due, so the pace holds on average instead of slipping a few
    /// milliseconds each time; one late by more than half an interval — the client had nothing
    /// to send — is booked when it went, never as a credit to spend in a rush.
    fn sent(&mut self, c: &Config, now: Millis) {
        let due = self.ready_at(c);
        let booked = if due <= now && now - due <= self.interval(c) / 2 {
            due
        } else {
            now
        };
        self.last_send = Some(booked);
    }
}

#[derive(Clone, Debug)]
struct Job {
    ticket: Ticket,
    /// Index of the job's client in [`Scheduler::paces`].
    client: usize,
    priority: Priority,
    retryable: bool,
    failures: u32,
    waited: Duration,
    not_before: Millis,
}

#[derive(Clone, Debug)]
struct Flight {
    job: Job,
    sent_at: Millis,
}

/// What to do now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poll {
    /// Requests to send now.
    pub start: Vec<Ticket>,
    /// Requests that will not be sent: their client must pause longer than they may wait (an
    /// interactive lookup whose account drew a long `Retry-After`), with how long that is.
    pub refused: Vec<(Ticket, Millis)>,
    /// When to poll again if nothing else happens (a completion also warrants a poll).
    pub wake_at: Option<Millis>,
}

/// The outcome of a finished request, for its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finish {
    Done,
    /// It will be sent again; the caller keeps waiting.
    Retrying {
        at: Millis,
        error: ApiError,
    },
    Failed(ApiError),
    /// Cancelled or unknown: drop the answer.
    Ignored,
}

/// What the UI shows ("waiting 8 s — PingOne rate limit").
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub queued: usize,
    pub in_flight: usize,
    /// When the scheduler will send again, if it is holding back for a rate limit or backoff.
    pub waiting_until: Option<Millis>,
    pub recent_429s: usize,
    /// Requests per second of the slowest client.
    pub rate: f64,
    /// The last server wait that was capped (what the server asked for).
    pub capped_from: Option<Duration>,
}

/// The scheduler.
#[derive(Clone, Debug)]
pub struct Scheduler {
    config: Config,
    /// Each API client's pacing, in the order first seen (an admin has a handful of accounts: a
    /// list is smaller in wasm than a map).
    paces: Vec<Pace>,
    interactive: VecDeque<Job>,
    bulk: VecDeque<Job>,
    /// At most `max_in_flight` (a handful).
    in_flight: Vec<Flight>,
    recent_429s: VecDeque<Millis>,
    capped_from: Option<Duration>,
    next_ticket: u64,
}

const RECENT_WINDOW: Millis = 60_000;
/// The global pause after a second 429 in a row; it doubles up to the cap.
const STORM_PAUSE_BASE: Millis = 500;
const STORM_PAUSE_CAP: Millis = 8_000;

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new(Config::default())
    }
}

impl Scheduler {
    pub fn new(config: Config) -> Scheduler {
        Scheduler {
            config,
            paces: Vec::new(),
            interactive: VecDeque::new(),
            bulk: VecDeque::new(),
            in_flight: Vec::new(),
            recent_429s: VecDeque::new(),
            capped_from: None,
            next_ticket: 1,
        }
    }

    /// The pacing of API client `client` (its Client ID), made on first use.
    fn pace_of(&mut self, client: &str) -> usize {
        if let Some(at) = self.paces.iter().position(|p| p.client == client) {
            return at;
        }
        self.paces.push(Pace {
            client: client.to_string(),
            ctl: RateControl::new(&self.config),
            last_send: None,
            paused_until: 0,
            round_trip_ms: None,
            latest_round_trip_ms: 0.0,
        });
        self.paces.len() - 1
    }

    /// Sets the hard cap on requests in flight (the setting), within [`MAX_IN_FLIGHT_RANGE`].
    pub fn set_max_in_flight(&mut self, cap: usize) {
        self.config.max_in_flight =
            cap.clamp(*MAX_IN_FLIGHT_RANGE.start(), *MAX_IN_FLIGHT_RANGE.end());
    }

    /// Queues a request for API client `client` (its Client ID). Only GETs are `retryable`: a
    /// repeated write could apply twice.
    pub fn submit(
        &mut self,
        priority: Priority,
        retryable: bool,
        client: &str,
        now: Millis,
    ) -> Ticket {
        let ticket = Ticket(self.next_ticket);
        self.next_ticket += 1;
        let client = self.pace_of(client);
        let job = Job {
            ticket,
            client,
            priority,
            retryable,
            failures: 0,
            waited: Duration::ZERO,
            not_before: now,
        };
        self.queue(priority).push_back(job);
        ticket
    }

    /// Says how many requests the bulk job of API client `client` still has to make (an export
    /// knows its pages once the first answer gives the total): a long job approaches the limit
    /// carefully instead of spending a fresh bucket fast.
    pub fn backlog(&mut self, client: &str, requests: u64, now: Millis) {
        let config = self.config;
        let at = self.pace_of(client);
        let pace = &mut self.paces[at];
        pace.ctl
            .on_backlog(&config, requests, now, pace.round_trip_ms);
    }

    fn queue(&mut self, priority: Priority) -> &mut VecDeque<Job> {
        match priority {
            Priority::Interactive => &mut self.interactive,
            Priority::Bulk => &mut self.bulk,
        }
    }

    /// When a queued job may start: its own time, and its client's pace.
    fn ready_at(&self, job: &Job) -> Millis {
        job.not_before
            .max(self.paces[job.client].ready_at(&self.config))
    }

    /// Starts what may start now, refuses what would wait longer than it may, and says when to
    /// look again.
    pub fn poll(&mut self, now: Millis) -> Poll {
        let mut poll = Poll::default();
        let config = self.config;
        let paces = &self.paces;
        self.interactive.retain(|job| {
            let pause = paces[job.client].paused_until.saturating_sub(now);
            let budget = config
                .interactive
                .max_total_wait
                .saturating_sub(job.waited)
                .as_millis() as Millis;
            if pause > budget {
                poll.refused.push((job.ticket, pause));
                return false;
            }
            true
        });
        while self.in_flight.len() < self.config.max_in_flight {
            let Some((priority, index)) = self.eligible(now) else {
                // Only time can free a job with room to go; the others wait for an answer, after
                // which the caller polls again.
                poll.wake_at = self.startable().map(|j| self.ready_at(j)).min();
                break;
            };
            let Some(job) = self.queue(priority).remove(index) else {
                break;
            };
            let pace = &mut self.paces[job.client];
            pace.ctl.on_resume(&config, pace.last_send, now);
            pace.sent(&config, now);
            poll.start.push(job.ticket);
            self.in_flight.push(Flight { job, sent_at: now });
        }
        poll
    }

    /// Whether `job` has room to start, time aside: below the cap, below its client's in-flight
    /// limit, and — for bulk work — not taking the last free slot, so a lookup waits for no export
    /// page.
    fn has_room(&self, job: &Job) -> bool {
        let cap = self.config.max_in_flight;
        let flying = self.in_flight.len();
        let client = self
            .in_flight
            .iter()
            .filter(|f| f.job.client == job.client)
            .count();
        let slots = match job.priority {
            Priority::Interactive => cap,
            Priority::Bulk => cap.saturating_sub(1).max(1),
        };
        flying < slots && client < self.paces[job.client].in_flight_limit(cap)
    }

    /// Queued jobs with room to start, lookups first.
    fn startable(&self) -> impl Iterator<Item = &Job> {
        self.interactive
            .iter()
            .chain(&self.bulk)
            .filter(|j| self.has_room(j))
    }

    /// The first job that may start now: interactive before bulk, in order, skipping jobs whose
    /// client must wait or has all it may have in flight (another client's job goes instead).
    fn eligible(&self, now: Millis) -> Option<(Priority, usize)> {
        let ready = |q: &VecDeque<Job>| {
            q.iter()
                .position(|j| self.ready_at(j) <= now && self.has_room(j))
        };
        ready(&self.interactive)
            .map(|i| (Priority::Interactive, i))
            .or_else(|| ready(&self.bulk).map(|i| (Priority::Bulk, i)))
    }

    /// Abandons a request: dropped from its queue, or — if in flight — its slot freed at once (the
    /// caller aborts the fetch). It is never retried. Returns whether it was in flight.
    pub fn cancel(&mut self, ticket: Ticket) -> bool {
        self.interactive.retain(|j| j.ticket != ticket);
        self.bulk.retain(|j| j.ticket != ticket);
        self.take_in_flight(ticket).is_some()
    }

    fn take_in_flight(&mut self, ticket: Ticket) -> Option<Flight> {
        let at = self.in_flight.iter().position(|f| f.job.ticket == ticket)?;
        Some(self.in_flight.swap_remove(at))
    }

    /// Records an answer. `unit` is a random number in [0, 1) for backoff jitter.
    pub fn finish(
        &mut self,
        ticket: Ticket,
        result: Result<(), ApiError>,
        now: Millis,
        unit: f64,
    ) -> Finish {
        let Some(Flight { job, sent_at }) = self.take_in_flight(ticket) else {
            return Finish::Ignored;
        };
        let config = self.config;
        let flying = self
            .in_flight
            .iter()
            .filter(|f| f.job.client == job.client)
            .count();
        let pace = &mut self.paces[job.client];
        let error = match result {
            Ok(()) => {
                pace.observe_round_trip(now.saturating_sub(sent_at));
                pace.ctl
                    .on_success(&config, sent_at, now, pace.round_trip_ms);
                return Finish::Done;
            }
            Err(e) => e,
        };
        let server_wait = match &error {
            ApiError::RateLimited(retry_after) => {
                self.throttled(job.client, retry_after.as_ref(), sent_at, now, flying, unit)
            }
            _ => None,
        };
        self.retry_or_fail(job, error, server_wait, now, unit)
    }

    /// A 429 for `client`'s request sent at `sent_at`, with `flying` of its requests still out:
    /// the pace learns the limit, and the client waits — for the server's `Retry-After`, or for the
    /// bucket to refill, or (a storm of 429s) for a doubling pause. Returns the server's wait.
    fn throttled(
        &mut self,
        client: usize,
        retry_after: Option<&RetryAfter>,
        sent_at: Millis,
        now: Millis,
        flying: usize,
        unit: f64,
    ) -> Option<Duration> {
        let config = self.config;
        let mut server_wait = None;
        self.recent_429s.push_back(now);
        while self
            .recent_429s
            .front()
            .is_some_and(|t| now.saturating_sub(*t) > RECENT_WINDOW)
        {
            self.recent_429s.pop_front();
        }
        let pace = &mut self.paces[client];
        let counted = pace
            .ctl
            .on_throttled(&config, sent_at, now, pace.round_trip_ms);
        if counted && retry_after.is_none() && pace.ctl.consecutive_429s > 2 {
            // Repeated 429s with no success between: hold this client back, doubling each
            // time (equal jitter), so a storm is probed, not hammered.
            let steps = (pace.ctl.consecutive_429s - 3).min(16);
            let full = (STORM_PAUSE_BASE << steps).min(STORM_PAUSE_CAP);
            let pause = full / 2 + ((full / 2) as f64 * unit.clamp(0.0, 1.0)) as Millis;
            pace.paused_until = pace.paused_until.max(now + pause);
        } else if counted && retry_after.is_none() {
            // The limit: the bucket was empty when this request reached it, and the requests
            // still in flight take the next tokens. The next send waits until the bucket,
            // refilling at least at the new pace, has one for it as well; then this request
            // goes again at the pace, with no backoff on top.
            let rtt = pace.round_trip_ms.unwrap_or(0.0);
            let wait = (flying + 1) as f64 * 1000.0 / pace.ctl.rate - rtt;
            pace.paused_until = pace.paused_until.max(now + wait.max(0.0) as Millis);
            server_wait = Some(Duration::ZERO);
        }
        if let Some(RetryAfter { wait, capped_from }) = retry_after {
            // The server speaks for the whole credential: all of this client's requests wait.
            pace.paused_until = pace.paused_until.max(now + wait.as_millis() as Millis);
            self.capped_from = *capped_from;
            server_wait = Some(*wait);
        }
        server_wait
    }

    /// A failed request goes again after its policy's wait, or fails: a lookup's transient
    /// failures are retried here; an export page's are not, but for 429s (the export asks for it
    /// again itself, smaller if it may have been too large to come back).
    fn retry_or_fail(
        &mut self,
        mut job: Job,
        error: ApiError,
        server_wait: Option<Duration>,
        now: Millis,
        unit: f64,
    ) -> Finish {
        let retried_here = match job.priority {
            Priority::Interactive => error.is_transient(),
            Priority::Bulk => matches!(error, ApiError::RateLimited(_)),
        };
        if !(job.retryable && retried_here) {
            return Finish::Failed(error);
        }
        job.failures += 1;
        let policy = match job.priority {
            Priority::Interactive => self.config.interactive,
            Priority::Bulk => self.config.bulk,
        };
        match policy.next_wait(job.failures, job.waited, server_wait, unit) {
            None => match (server_wait, &error) {
                // The server's pause is longer than this request may wait: it is not sent again.
                (Some(_), ApiError::RateLimited(Some(asked))) => {
                    Finish::Failed(ApiError::NotSent(*asked))
                }
                _ => Finish::Failed(error),
            },
            Some(wait) => {
                job.waited += wait;
                job.not_before = now + wait.as_millis() as Millis;
                let at = job.not_before;
                let priority = job.priority;
                self.queue(priority).push_front(job);
                Finish::Retrying { at, error }
            }
        }
    }

    /// How the scheduler is doing; `waiting_until` is when the next queued request may go, if none
    /// may go now.
    pub fn status(&self, now: Millis) -> Status {
        let queued = self.interactive.len() + self.bulk.len();
        let next_ready = self
            .interactive
            .iter()
            .chain(&self.bulk)
            .map(|j| self.ready_at(j))
            .min();
        let waiting_until = next_ready.filter(|t| *t > now);
        Status {
            queued,
            in_flight: self.in_flight.len(),
            waiting_until,
            recent_429s: self
                .recent_429s
                .iter()
                .filter(|t| now.saturating_sub(**t) <= RECENT_WINDOW)
                .count(),
            // The slowest client's rate: the one a waiting admin is most likely held by.
            rate: self
                .paces
                .iter()
                .map(|p| p.ctl.rate)
                .reduce(f64::min)
                .unwrap_or(self.config.spend_rate),
            capped_from: self.capped_from,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_exponential_and_bounded() {
        let p = RetryPolicy::INTERACTIVE;
        let cases: &[(u32, u64, Option<u64>, f64, Option<u64>)] = &[
            // failures, waited ms, server wait ms, unit, expected wait ms
            (1, 0, None, 1.0, Some(500)),
            (2, 0, None, 1.0, Some(1000)),
            (3, 0, None, 0.5, Some(1000)),
            (3, 0, None, 0.0, Some(0)),
            (1, 0, Some(7000), 0.3, Some(7000)),
            (4, 0, None, 1.0, None),
            (3, 29_000, Some(5000), 0.5, None),
        ];
        for &(failures, waited, server, unit, expected) in cases {
            let got = p.next_wait(
                failures,
                Duration::from_millis(waited),
                server.map(Duration::from_millis),
                unit,
            );
            assert_eq!(
                got.map(|d| d.as_millis() as u64),
                expected,
                "{failures} {waited} {server:?} {unit}"
            );
        }
        let bulk = RetryPolicy::BULK;
        assert_eq!(
            bulk.next_wait(11, Duration::ZERO, None, 1.0),
            Some(Duration::from_secs(30)),
            "capped"
        );
    }

    #[test]
    fn never_more_than_the_concurrency_cap_and_paced() {
        let mut s = Scheduler::default();
        let step = spend_interval();
        let blind = INITIAL_CLIENT_IN_FLIGHT as u64;
        for _ in 0..blind + 1 {
            s.submit(Priority::Bulk, true, "id-a", 0);
        }
        let p = s.poll(0);
        assert_eq!(p.start.len(), 1, "pacing: one now");
        assert_eq!(
            p.wake_at,
            Some(step),
            "the next at 1/rate (spending the burst)"
        );
        assert_eq!(s.poll(step - 1).start.len(), 0);
        for n in 1..blind {
            assert_eq!(s.poll(n * step).start.len(), 1);
        }
        let p = s.poll(10_000);
        assert!(
            p.start.is_empty() && p.wake_at.is_none(),
            "the first few in flight before any answer: wait for a completion"
        );
        assert_eq!(s.status(10_000).in_flight, INITIAL_CLIENT_IN_FLIGHT);
    }

    /// The interval between sends while spending a fresh bucket's burst.
    fn spend_interval() -> Millis {
        (1000.0 / Config::default().spend_rate).round() as Millis
    }

    #[test]
    fn a_send_a_little_late_keeps_the_pace_and_a_long_gap_is_no_credit() {
        let mut s = Scheduler::default();
        let step = spend_interval();
        for _ in 0..3 {
            s.submit(Priority::Bulk, true, "id-a", 0);
        }
        let mut sent = s.poll(0).start;
        // Due at one step, polled 6 ms late: the next is still due at two steps.
        sent.extend(s.poll(step + 6).start);
        assert_eq!(sent.len(), 2);
        for t in sent {
            s.finish(t, Ok(()), step + 10, 0.5);
        }
        assert_eq!(s.poll(step + 10).wake_at, Some(2 * step));
        // Nothing sent for a while, then a job: it goes, and the next waits a whole interval.
        let third = s.poll(5_000).start;
        assert_eq!(third.len(), 1);
        for t in third {
            s.finish(t, Ok(()), 5_010, 0.5);
        }
        s.submit(Priority::Bulk, true, "id-a", 5_010);
        assert_eq!(s.poll(5_010).wake_at, Some(5_000 + step));
        assert_eq!(s.poll(5_000 + step).start.len(), 1);
    }

    #[test]
    fn in_flight_follows_rate_times_round_trip_within_the_cap() {
        let mut s = Scheduler::new(Config {
            spend_rate: 20.0,
            ..Config::default()
        });
        for _ in 0..40 {
            s.submit(Priority::Bulk, true, "a", 0);
        }
        // Before any answer: the first few in flight, however many are queued.
        let mut now = 0;
        let mut flying = Vec::new();
        for _ in 0..20 {
            flying.extend(s.poll(now).start.into_iter().map(|t| (t, now)));
            now += 50;
        }
        assert_eq!(flying.len(), INITIAL_CLIENT_IN_FLIGHT);
        // Each answered 400 ms after it went: at 20/s, 8 in flight carry the rate (no slack
        // while spending a burst).
        for (t, sent) in flying.drain(..) {
            now = sent + 400;
            s.finish(t, Ok(()), now, 0.5);
        }
        let mut most = 0;
        for _ in 0..40 {
            flying.extend(s.poll(now).start.into_iter().map(|t| (t, now)));
            most = most.max(s.status(now).in_flight);
            now += 10;
        }
        assert!(
            (8..=11).contains(&most),
            "{most} in flight at 20/s and 400 ms"
        );
        // The setting caps it, and bulk work leaves the last slot to a lookup.
        s.set_max_in_flight(4);
        assert_eq!(s.status(now).in_flight, most, "nothing is aborted");
        now += 400;
        for (t, _) in flying.drain(..) {
            s.finish(t, Ok(()), now, 0.5);
        }
        for _ in 0..40 {
            s.poll(now);
            now += 50;
        }
        assert_eq!(s.status(now).in_flight, 3, "bulk keeps one slot free");
        s.submit(Priority::Interactive, true, "b", now);
        assert_eq!(s.poll(now).start.len(), 1, "a lookup goes at once");
        assert_eq!(s.status(now).in_flight, 4);
        s.set_max_in_flight(1_000);
        assert_eq!(s.config.max_in_flight, *MAX_IN_FLIGHT_RANGE.end());
    }

    #[test]
    fn interactive_requests_jump_the_queue() {
        let mut s = Scheduler::default();
        let bulk = s.submit(Priority::Bulk, true, "id-a", 0);
        let lookup = s.submit(Priority::Interactive, true, "id-a", 0);
        assert_eq!(s.poll(0).start, vec![lookup]);
        assert_eq!(s.poll(1000).start, vec![bulk]);
    }

    #[test]
    fn cancelling_frees_the_slot_and_drops_the_answer() {
        let mut s = Scheduler::new(Config {
            max_in_flight: 1,
            ..Config::default()
        });
        let a = s.submit(Priority::Interactive, true, "id-a", 0);
        let b = s.submit(Priority::Interactive, true, "id-a", 0);
        assert_eq!(s.poll(0).start, vec![a]);
        assert!(s.cancel(a), "it was in flight");
        assert_eq!(s.poll(1000).start, vec![b], "the slot is free at once");
        assert_eq!(
            s.finish(a, Err(ApiError::Server(503)), 1000, 0.5),
            Finish::Ignored,
            "never retried"
        );
        let c = s.submit(Priority::Bulk, true, "id-a", 1000);
        assert!(!s.cancel(c), "a queued request is just dropped");
        assert_eq!(s.status(1000).queued, 0);
    }

    #[test]
    fn only_transient_failures_of_gets_are_retried() {
        let cases = [
            (true, ApiError::Server(502), true),
            (true, ApiError::Network("reset".into()), true),
            (true, ApiError::Decode("cut off".into()), true),
            (true, ApiError::RateLimited(None), true),
            (true, ApiError::BadRequest(String::new()), false),
            (true, ApiError::Unauthorized, false),
            (true, ApiError::Forbidden, false),
            (true, ApiError::NotFound, false),
            (true, ApiError::Conflict(String::new()), false),
            (false, ApiError::Server(502), false),
        ];
        for (retryable, error, retried) in cases {
            let mut s = Scheduler::default();
            let t = s.submit(Priority::Interactive, retryable, "id-a", 0);
            s.poll(0);
            let f = s.finish(t, Err(error.clone()), 100, 0.5);
            assert_eq!(
                matches!(f, Finish::Retrying { .. }),
                retried,
                "{error:?} retryable={retryable}"
            );
        }
    }

    #[test]
    fn an_export_page_is_retried_here_only_for_429s() {
        for (error, retried) in [
            (ApiError::RateLimited(None), true),
            (ApiError::Server(502), false),
            (ApiError::Network("reset".into()), false),
            (ApiError::Decode("cut off".into()), false),
        ] {
            let mut s = Scheduler::default();
            let t = s.submit(Priority::Bulk, true, "id-a", 0);
            s.poll(0);
            let f = s.finish(t, Err(error.clone()), 100, 0.5);
            assert_eq!(matches!(f, Finish::Retrying { .. }), retried, "{error:?}");
        }
    }

    #[test]
    fn retry_after_pauses_everyone_and_is_reported() {
        let mut s = Scheduler::default();
        let a = s.submit(Priority::Interactive, true, "id-a", 0);
        let b = s.submit(Priority::Bulk, true, "id-a", 0);
        s.poll(0);
        let ra = RetryAfter {
            wait: Duration::from_secs(8),
            capped_from: None,
        };
        assert_eq!(
            s.finish(a, Err(ApiError::RateLimited(Some(ra))), 100, 0.5),
            Finish::Retrying {
                at: 8100,
                error: ApiError::RateLimited(Some(ra))
            }
        );
        let p = s.poll(5000);
        assert!(p.start.is_empty());
        assert_eq!(p.wake_at, Some(8100));
        let st = s.status(5000);
        assert_eq!(
            (st.waiting_until, st.recent_429s, st.queued),
            (Some(8100), 1, 2)
        );
        assert_eq!(
            s.poll(8100).start,
            vec![a],
            "the interactive retry goes first"
        );
        let _ = b;
    }

    #[test]
    fn a_pause_longer_than_a_lookup_may_wait_is_said_not_waited() {
        let mut s = Scheduler::default();
        let long = RetryAfter {
            wait: Duration::from_secs(120),
            capped_from: None,
        };
        let first = s.submit(Priority::Interactive, true, "id-a", 0);
        s.poll(0);
        // The 429 asks for two minutes: a lookup waits at most 30 s, so it is not sent again.
        assert_eq!(
            s.finish(first, Err(ApiError::RateLimited(Some(long))), 100, 0.5),
            Finish::Failed(ApiError::NotSent(long))
        );
        // A lookup asked during the pause is refused at once, with how long is left; an export
        // page of the same account waits; another account's lookup goes.
        let lookup = s.submit(Priority::Interactive, true, "id-a", 10_100);
        let page = s.submit(Priority::Bulk, true, "id-a", 10_100);
        let other = s.submit(Priority::Interactive, true, "id-b", 10_100);
        let p = s.poll(10_100);
        assert_eq!(p.refused, vec![(lookup, 110_000)]);
        assert_eq!(p.start, vec![other]);
        assert_eq!(
            p.wake_at,
            Some(120_100),
            "the export page waits out the pause"
        );
        assert_eq!(s.finish(other, Ok(()), 10_200, 0.5), Finish::Done);
        // Near its end the pause is short enough to wait for.
        let late = s.submit(Priority::Interactive, true, "id-a", 100_100);
        let p = s.poll(100_100);
        assert!(p.refused.is_empty() && !p.start.contains(&late));
        assert_eq!(
            s.poll(120_100).start,
            vec![late],
            "the lookup first once it is over"
        );
        let next = s
            .poll(120_100)
            .wake_at
            .expect("the export page next, at the account's pace");
        assert_eq!(s.poll(next).start, vec![page]);
    }
}
