//! Exporting users to CSV and JSON: the export's state machine and the files it writes.
//!
//! An export pages through every user (or those a search matches) with the pager, a few pages in
//! flight, each page sent by the worker through the shared scheduler at bulk priority. A failed
//! page is put back and asked for again; the pager drops any id already seen. So 429 storms, 5xx,
//! resets, cut-off answers and a restarted worker can slow an export but neither lose nor duplicate
//! a row. Only a complete export makes a plain file; anything less is named and marked partial.
//! Time comes in as arguments, so pauses and the ETA are tested without waiting.

mod file;
pub mod members;
pub mod view;

pub use file::{Format, CSV_COLUMNS};

use crate::core::api::filter::{search, simple_search, SearchKind};
use crate::core::api::pager::{Incomplete, PageRequest, Pager};
use crate::core::api::scim::{self, User};
use crate::core::api::throttle::INITIAL_CLIENT_IN_FLIGHT;
use crate::core::api::{ApiError, ListRequest, Resource};
use crate::core::lookup::Failure;
use crate::core::shared::text::grouped;
use members::{GroupRef, MemberRow, MembersFetch};
use serde_json::value::RawValue;
use serde_json::Value;

/// Users per page (P14E allows up to 1000; smaller pages keep each retry cheap).
pub const PAGE_SIZE: u32 = 200;
/// Pages asked for at once: enough to keep the scheduler busy at its learned rate and round trip
/// (20 requests/s at 400 ms is 8 in flight), with some queued behind them.
pub const IN_FLIGHT: usize = 16;
/// Failures of one page in a row before the export stops and asks the admin.
pub const PAGE_ATTEMPTS: u32 = 8;

/// The list request for one page of an export.
pub fn page_request(text: &str, page: PageRequest, simple: bool) -> ListRequest {
    ListRequest {
        resource: Resource::Users,
        filter: if simple {
            simple_search(SearchKind::Users, text)
        } else {
            search(SearchKind::Users, text)
        },
        sort_by: Some("userName"),
        start_index: page.start_index,
        count: page.count,
    }
}

/// Where an export is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Running,
    Paused,
    Cancelled,
    /// Stopped by a failure that retrying will not fix (or that kept happening).
    Stopped(Failure),
    /// Paging gave up before the server's end: the file is partial, and why is said.
    Incomplete(String),
    Complete,
}

/// One export.
#[derive(Clone, Debug)]
pub struct Export {
    pub client_id: String,
    /// The search text ("" for all users).
    pub text: String,
    rows: Rows,
    total: Option<u64>,
    phase: Phase,
    in_flight: usize,
    attempts: indexmap::IndexMap<u64, u32>,
    /// Requests answered (pages and failures), for the 429 share and the log.
    pub requests: u64,
    pub retries: u64,
    /// Running time so far, pauses excluded, and when the current run started.
    active_ms: u64,
    running_since: Option<u64>,
    /// The running time and the rows in hand when the first rows came: the time left is
    /// estimated from the pace after it, not from a first round trip that held every page.
    first_rows: Option<(u64, u64)>,
}

/// Where an export's rows come from, and the rows so far: one of two kinds, never both.
#[derive(Clone, Debug)]
enum Rows {
    /// Users (every one, or a search's), page by page. Each is kept by where the server listed it
    /// (page start, place in page): retried pages arrive late, but the file keeps the server's
    /// order. Kept sorted by that key (a sorted list is smaller in wasm than a B-tree map), and as
    /// its JSON text: a parsed object takes about four times the memory.
    Users {
        pager: Pager,
        users: Vec<((u64, usize), Box<RawValue>)>,
    },
    /// One group's members, from one request for the group (P14E lists them there, not in pages).
    Members {
        fetch: MembersFetch,
        rows: Vec<MemberRow>,
    },
}

/// A page of users from an answer: each with its id, kept as JSON text; or why there is none.
fn read_users(
    answer: Result<&[u8], Failure>,
) -> Result<scim::ListPage<(String, Box<RawValue>)>, Failure> {
    answer.and_then(|body| {
        scim::list_page(body, |v| {
            User::from_value(v)?;
            let id = v.get("id").and_then(Value::as_str)?.to_string();
            Some((id, serde_json::value::to_raw_value(v).ok()?))
        })
        .map_err(|e| Failure::from(&ApiError::Decode(e.to_string())))
    })
}

/// What the progress bar shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    /// The server's total, when known (never below what was exported).
    pub total: Option<u64>,
    /// 0–100.
    pub percent: Option<u8>,
    /// Seconds left at the rate so far, while running.
    pub eta_secs: Option<u64>,
    /// One line for the admin.
    pub summary: String,
}

impl Export {
    pub fn new(client_id: &str, text: &str, now_ms: u64) -> Export {
        let text = text.trim().to_string();
        // Every user: likely many pages, so as many go out before the first answer as the
        // scheduler sends before it knows the round trip — over a long one, a fresh bucket would
        // otherwise sit full (its refill wasted) while the first answer travels. A directory
        // smaller than that costs a few empty pages. A search's result is often one page: one.
        let blind = if text.is_empty() {
            INITIAL_CLIENT_IN_FLIGHT
        } else {
            1
        };
        Export {
            client_id: client_id.to_string(),
            rows: Rows::Users {
                pager: Pager::new(PAGE_SIZE).blind_pages(blind),
                users: Vec::new(),
            },
            text,
            total: None,
            phase: Phase::Running,
            in_flight: 0,
            attempts: Default::default(),
            requests: 0,
            retries: 0,
            active_ms: 0,
            running_since: Some(now_ms),
            first_rows: None,
        }
    }

    /// An export of every member of `group`.
    pub fn members(client_id: &str, group: GroupRef, now_ms: u64) -> Export {
        Export {
            rows: Rows::Members {
                fetch: MembersFetch::new(group),
                rows: Vec::new(),
            },
            ..Export::new(client_id, "", now_ms)
        }
    }

    /// The group whose members are exported, for an export of members.
    pub fn group(&self) -> Option<&GroupRef> {
        match &self.rows {
            Rows::Members { fetch, .. } => Some(&fetch.group),
            Rows::Users { .. } => None,
        }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Every user exported so far, as the JSON text of its object (none for an export of members).
    pub fn users(&self) -> impl Iterator<Item = &RawValue> {
        let users = match &self.rows {
            Rows::Users { users, .. } => users.as_slice(),
            Rows::Members { .. } => &[],
        };
        users.iter().map(|(_, user)| user.as_ref())
    }

    /// Rows exported so far: users, or members.
    pub fn user_count(&self) -> usize {
        match &self.rows {
            Rows::Users { users, .. } => users.len(),
            Rows::Members { rows, .. } => rows.len(),
        }
    }

    /// What the rows are, for the admin.
    fn noun(&self) -> &'static str {
        match self.rows {
            Rows::Members { .. } => "members",
            Rows::Users { .. } => "users",
        }
    }

    fn all_answered(&mut self) -> bool {
        match &mut self.rows {
            Rows::Members { fetch, .. } => fetch.is_done(),
            Rows::Users { pager, .. } => pager.is_done(),
        }
    }

    /// The next page to ask for, while running and below the in-flight limit.
    pub fn next_request(&mut self) -> Option<PageRequest> {
        if self.phase != Phase::Running || self.in_flight >= IN_FLIGHT {
            return None;
        }
        let request = match &mut self.rows {
            Rows::Members { fetch, .. } => fetch.next_request()?,
            Rows::Users { pager, .. } => pager.next_request()?,
        };
        self.in_flight += 1;
        Some(request)
    }

    /// Records a page's answer: the body, or why there is none. A page that failed is put back; a
    /// failure retrying cannot fix (401, 403, a refused filter) or one that keeps happening stops the
    /// export with every row so far kept.
    pub fn page_answered(
        &mut self,
        request: PageRequest,
        answer: Result<&[u8], Failure>,
        now_ms: u64,
    ) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.requests += 1;
        let failed = match &mut self.rows {
            Rows::Members { fetch, rows } => {
                let read = answer.and_then(|body| {
                    fetch
                        .accept(body)
                        .map_err(|e| Failure::from(&ApiError::Decode(e.to_string())))
                });
                match read {
                    Ok(members) => {
                        self.total = Some(members.len() as u64);
                        *rows = members;
                        None
                    }
                    Err(failure) => {
                        fetch.retry();
                        Some(failure)
                    }
                }
            }
            Rows::Users { pager, users } => match read_users(answer) {
                Ok(page) => {
                    self.attempts.swap_remove(&request.start_index);
                    if let Some(total) = page.total {
                        self.total = Some(total);
                    }
                    let fresh = pager.accept(request, page.items, page.total, |(id, _)| id);
                    let start = request.start_index;
                    // After every user of an earlier (or the same) page start: pages mostly arrive
                    // in order, so this is near the end.
                    let at = users.partition_point(|((s, _), _)| *s <= start);
                    let page = fresh
                        .into_iter()
                        .enumerate()
                        .map(|(i, (_, user))| ((start, i), user));
                    users.splice(at..at, page);
                    None
                }
                Err(failure) => {
                    pager.retry(request);
                    Some(failure)
                }
            },
        };
        if let Some(failure) = failed {
            self.page_failed(request, failure, now_ms);
        }
        let rows = self.user_count() as u64;
        if self.first_rows.is_none() && rows > 0 {
            self.first_rows = Some((self.active_at(now_ms), rows));
        }
        self.finish_if_done(now_ms);
    }

    /// Running time at `now_ms`, pauses excluded.
    fn active_at(&self, now_ms: u64) -> u64 {
        self.active_ms
            + self
                .running_since
                .map_or(0, |since| now_ms.saturating_sub(since))
    }

    /// Counts a failed page (already put back to be asked again), and stops the export when
    /// retrying will not fix it or it kept failing.
    fn page_failed(&mut self, request: PageRequest, failure: Failure, now_ms: u64) {
        let attempts = self.attempts.entry(request.start_index).or_default();
        *attempts += 1;
        self.retries += 1;
        let give_up = !failure.retry || *attempts >= PAGE_ATTEMPTS;
        if give_up && matches!(self.phase, Phase::Running | Phase::Paused) {
            self.stop_clock(now_ms);
            self.phase = Phase::Stopped(failure);
        }
    }

    fn finish_if_done(&mut self, now_ms: u64) {
        if self.phase == Phase::Running && self.in_flight == 0 && self.all_answered() {
            self.stop_clock(now_ms);
            self.phase = self.finished();
        }
    }

    /// How a run whose pages are all in ends: complete, or incomplete and why.
    fn finished(&self) -> Phase {
        let gave_up = match &self.rows {
            Rows::Users { pager, .. } => pager.gave_up(),
            Rows::Members { .. } => None,
        };
        match gave_up {
            None => Phase::Complete,
            Some(Incomplete::Repeating) => Phase::Incomplete(
                "PingOne kept answering with users already exported (it may be ignoring startIndex), so Keyward stopped rather than ask forever."
                    .into(),
            ),
        }
    }

    fn stop_clock(&mut self, now_ms: u64) {
        if let Some(since) = self.running_since.take() {
            self.active_ms += now_ms.saturating_sub(since);
        }
    }

    /// Stops asking for pages; pages in flight are still accepted.
    pub fn pause(&mut self, now_ms: u64) {
        if self.phase == Phase::Running {
            self.stop_clock(now_ms);
            self.phase = Phase::Paused;
        }
    }

    /// Goes on after a pause or a stop (a stop's failing page is asked for again).
    pub fn resume(&mut self, now_ms: u64) {
        if matches!(self.phase, Phase::Paused | Phase::Stopped(_)) {
            self.attempts.clear();
            self.running_since = Some(now_ms);
            self.phase = Phase::Running;
            self.finish_if_done(now_ms);
        }
    }

    /// Gives up; what was exported can still be saved as a partial file.
    pub fn cancel(&mut self, now_ms: u64) {
        if !matches!(self.phase, Phase::Complete | Phase::Incomplete(_)) {
            self.stop_clock(now_ms);
            self.phase = Phase::Cancelled;
        }
    }

    pub fn is_complete(&self) -> bool {
        self.phase == Phase::Complete
    }

    /// Whether a file can be saved now: a complete one, or a partial one when not running.
    pub fn can_save(&self) -> bool {
        self.phase != Phase::Running && (self.is_complete() || self.user_count() > 0)
    }

    pub fn progress(&self, now_ms: u64) -> Progress {
        let done = self.user_count() as u64;
        let total = self.total.map(|t| t.max(done));
        let total = if self.is_complete() {
            Some(done)
        } else {
            total
        };
        let percent = total.map(|t| {
            (done * 100)
                .checked_div(t)
                .map_or(100, |p| p.min(100) as u8)
        });
        // The rows that came after the first ones, over the time since: the first answer took a
        // whole round trip for every page then in flight, and counting it would put the end of a
        // long export minutes away.
        let since_first = self.first_rows.map(|(at, rows)| {
            (
                done.saturating_sub(rows),
                self.active_at(now_ms).saturating_sub(at),
            )
        });
        let eta_secs = match (total, self.phase == Phase::Running, since_first) {
            (Some(t), true, Some((rows, ms))) if rows > 0 && ms > 0 => {
                Some((t.saturating_sub(done) * ms).div_ceil(rows * 1000))
            }
            _ => None,
        };
        let of = |t: Option<u64>| t.map_or(String::new(), |t| format!(" of {}", grouped(t)));
        let (n, noun) = (grouped(done), self.noun());
        let counted = format!("{n}{} {noun}", of(total));
        let summary = match &self.phase {
            Phase::Running => match eta_secs {
                Some(eta) => format!(
                    "Exported {counted} \u{b7} about {} left",
                    crate::core::api::human(std::time::Duration::from_secs(eta))
                ),
                None => format!("Exported {counted}\u{2026}"),
            },
            Phase::Paused => format!("Paused at {counted}."),
            Phase::Cancelled => {
                format!("Cancelled at {counted}. You can save them as a partial file.")
            }
            Phase::Stopped(f) => format!(
                "Stopped at {counted}: {} Resume to try again, or save a partial file.",
                f.message
            ),
            Phase::Incomplete(why) => {
                format!("Incomplete: {counted}. {why} You can save them as a partial file.")
            }
            Phase::Complete => format!("Complete: {n} {noun}."),
        };
        Progress {
            done,
            total,
            percent,
            eta_secs,
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::lookup::FailureCode;
    use serde_json::json;

    /// A fake directory of `n` users that fails as `fault` says for each request number.
    fn body(ids: &[usize], total: usize) -> Vec<u8> {
        let resources: Vec<Value> = ids
            .iter()
            .map(|i| json!({"id": format!("u{i:05}"), "userName": format!("user{i:05}")}))
            .collect();
        json!({"totalResults": total, "resources": resources})
            .to_string()
            .into_bytes()
    }

    fn page_of(r: PageRequest, n: usize) -> Vec<usize> {
        let from = (r.start_index as usize - 1).min(n);
        let to = (from + r.count as usize).min(n);
        (from..to).collect()
    }

    fn transient() -> Failure {
        Failure::from(&ApiError::Server(503))
    }

    /// Runs an export against `n` users; `fault(i)` decides the i-th answer's failure, if any.
    fn run(n: usize, fault: impl Fn(u64) -> Option<Failure>) -> Export {
        let mut export = Export::new("acct", "", 0);
        let mut now = 0;
        let mut i = 0;
        while export.phase() == &Phase::Running {
            let batch: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
            assert!(!batch.is_empty(), "a running export always has work out");
            for r in batch {
                now += 100;
                i += 1;
                match fault(i) {
                    Some(f) => export.page_answered(r, Err(f), now),
                    None => export.page_answered(r, Ok(&body(&page_of(r, n), n)), now),
                }
            }
            assert!(i < 10_000);
        }
        export
    }

    fn ids(export: &Export) -> Vec<String> {
        export
            .users()
            .filter_map(|u| serde_json::from_str::<Value>(u.get()).ok())
            .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    #[test]
    fn faults_lose_and_duplicate_nothing() {
        let clean = run(5_000, |_| None);
        assert!(clean.is_complete());
        assert_eq!(clean.user_count(), 5_000);
        // Every third answer fails (5xx, 429, a cut-off body), never the same page 8 times running.
        let faulty = run(5_000, |i| match i % 9 {
            0 => Some(transient()),
            3 => Some(Failure::from(&ApiError::RateLimited(None))),
            6 => Some(Failure::from(&ApiError::Decode("cut off".into()))),
            _ => None,
        });
        assert!(faulty.is_complete(), "{:?}", faulty.phase());
        assert!(ids(&faulty) == ids(&clean), "same users, same order");
        assert!(faulty.retries > 0);
    }

    #[test]
    fn a_server_ignoring_start_index_ends_incomplete_and_says_why() {
        for total in [Some(5_000), None] {
            let mut export = Export::new("acct", "", 0);
            let mut now = 0;
            let first_page: Vec<usize> = (0..PAGE_SIZE as usize).collect();
            while export.phase() == &Phase::Running {
                let batch: Vec<PageRequest> =
                    std::iter::from_fn(|| export.next_request()).collect();
                assert!(!batch.is_empty(), "a running export always has work out");
                for r in batch {
                    now += 100;
                    // Whatever page is asked for, the first comes back.
                    let page = match total {
                        Some(n) => body(&first_page, n),
                        None => {
                            let resources: Vec<Value> = first_page
                                .iter()
                                .map(|i| json!({"id": format!("u{i:05}")}))
                                .collect();
                            json!({ "resources": resources }).to_string().into_bytes()
                        }
                    };
                    export.page_answered(r, Ok(&page), now);
                }
                assert!(export.requests < 50, "the export stops on its own");
            }
            let Phase::Incomplete(why) = export.phase() else {
                panic!("incomplete, not {:?}", export.phase());
            };
            assert!(why.contains("startIndex"), "{why}");
            assert_eq!(export.user_count(), PAGE_SIZE as usize);
            assert!(!export.is_complete() && export.can_save());
            assert!(export.file_name(Format::Csv, 0).contains("-partial"));
            assert!(export.progress(now).summary.starts_with("Incomplete: "));
            export.resume(now);
            assert!(
                matches!(export.phase(), Phase::Incomplete(_)),
                "nothing to resume"
            );
        }
    }

    #[test]
    fn a_truncated_body_is_retried_like_a_failure() {
        let mut export = Export::new("a", "", 0);
        let r = export.next_request().expect("first page");
        export.page_answered(r, Ok(br#"{"totalResults":3,"resources":[{"id":"u1""#), 10);
        assert_eq!(export.phase(), &Phase::Running);
        assert_eq!(export.next_request(), Some(r), "the same page again");
    }

    #[test]
    fn every_user_starts_with_several_pages_out_and_a_search_with_one() {
        let out = |text: &str| {
            let mut export = Export::new("a", text, 0);
            std::iter::from_fn(|| export.next_request()).count()
        };
        assert_eq!(out(""), INITIAL_CLIENT_IN_FLIGHT);
        assert_eq!(out("smith"), 1);
        // A directory smaller than the pages asked for blind is exported whole, and only once.
        let small = run(150, |_| None);
        assert!(small.is_complete());
        assert_eq!(small.user_count(), 150);
    }

    #[test]
    fn a_401_stops_at_once_and_keeps_the_rows() {
        let export = run(1_000, |i| {
            (i == 3).then(|| Failure::from(&ApiError::Unauthorized))
        });
        let Phase::Stopped(f) = export.phase() else {
            panic!("stopped: {:?}", export.phase());
        };
        assert_eq!(f.code, FailureCode::Unauthorized);
        // Every page of the five goes out before the first answer; the third is refused. The
        // pages answered before it and those answered after it (they were in flight) are kept.
        assert_eq!(export.user_count(), 800);
        assert!(export.can_save());
        assert!(export.file_name(Format::Csv, 0).ends_with("-partial.csv"));
    }

    #[test]
    fn a_page_that_keeps_failing_stops_and_resume_goes_on() {
        let mut export = run(600, |i| (i >= 2).then(transient));
        assert!(matches!(export.phase(), Phase::Stopped(_)));
        export.resume(10_000);
        while export.phase() == &Phase::Running {
            let batch: Vec<_> = std::iter::from_fn(|| export.next_request()).collect();
            for r in batch {
                export.page_answered(r, Ok(&body(&page_of(r, 600), 600)), 11_000);
            }
        }
        assert!(export.is_complete());
        assert_eq!(export.user_count(), 600);
    }

    #[test]
    fn pause_holds_requests_and_keeps_answers_in_flight() {
        let mut export = Export::new("a", "", 0);
        let first = export.next_request().expect("first");
        export.page_answered(first, Ok(&body(&page_of(first, 1000), 1000)), 1_000);
        let out: Vec<_> = std::iter::from_fn(|| export.next_request()).collect();
        assert_eq!(
            out.len(),
            4.min(IN_FLIGHT),
            "every page left, within the limit"
        );
        export.pause(2_000);
        assert!(export.can_save(), "a paused export can be saved as partial");
        export.page_answered(out[0], Ok(&body(&page_of(out[0], 1000), 1000)), 3_000);
        assert_eq!(export.user_count(), 400, "an answer in flight is kept");
        assert_eq!(export.next_request(), None, "nothing new while paused");
        let paused = export.progress(50_000);
        assert_eq!(paused.eta_secs, None);
        assert_eq!(paused.summary, "Paused at 400 of 1,000 users.");
        export.resume(60_000);
        assert_eq!(export.next_request(), None, "three pages still in flight");
        // Active time: 0–2 s, then from 60 s. 400 users in 2 s, 600 left: about 3 s.
        assert_eq!(export.progress(60_000).eta_secs, Some(3));
    }

    #[test]
    fn the_time_left_follows_the_pace_after_the_first_round_trip() {
        // 100,000 users; the first pages all come back after a 400 ms round trip, then a page
        // every 50 ms: 4,000 users a second.
        let n = 100_000;
        let mut export = Export::new("a", "", 0);
        let mut now = 400;
        let answer = |export: &mut Export, now: u64| {
            let r = export.next_request().expect("a page to ask for");
            export.page_answered(r, Ok(&body(&page_of(r, n), n)), now);
        };
        answer(&mut export, now);
        let first = export.progress(now);
        assert_eq!(first.eta_secs, None, "{}", first.summary);
        assert_eq!(first.summary, "Exported 200 of 100,000 users\u{2026}");
        for _ in 0..20 {
            now += 50;
            answer(&mut export, now);
        }
        // 4,200 in hand, 95,800 left at 4,000 a second: 24 s (the whole time so far would say 32).
        assert_eq!(export.progress(now).eta_secs, Some(24));
    }

    #[test]
    fn cancel_offers_a_partial_file_labelled_as_such() {
        let mut export = Export::new("a", "mer", 0);
        let r = export.next_request().expect("first");
        export.page_answered(r, Ok(&body(&[1, 2], 2_000)), 10);
        export.cancel(20);
        assert_eq!(export.phase(), &Phase::Cancelled);
        let csv = export.file(Format::Csv, 0);
        assert!(
            csv.starts_with("# PARTIAL EXPORT: 2 users (not every user)\r\n\"id\",\"userName\",")
        );
        let json: Value = serde_json::from_str(&export.file(Format::Json, 0)).expect("json");
        assert_eq!(json["keyward_export"]["complete"], false);
        assert_eq!(json["keyward_export"]["search"], "mer");
        assert_eq!(json["users"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            export.file_name(Format::Json, 0),
            "keyward-users-1970-01-01-partial.json"
        );
    }

    /// OWASP's CSV-injection cases, one by one: each cell comes out quoted, and each one a
    /// spreadsheet could run starts with `'` inside its quotes.
    #[test]
    fn an_empty_directory_completes_with_a_header_only_file() {
        let export = run(0, |_| None);
        assert!(export.is_complete());
        assert!(export.can_save());
        assert_eq!(export.progress(0).percent, Some(100));
        assert_eq!(export.file(Format::Csv, 0).lines().count(), 1);
    }
}
