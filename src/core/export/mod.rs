//! Exporting users to CSV and JSON: the export's state machine.
//!
//! An export pages through every user (or those a search matches) with the pager, a few pages in
//! flight, each page sent by the worker through the shared scheduler at bulk priority, in pages of
//! the API's maximum (1000) — smaller after pages fail as too large to come back whole (cut off,
//! timed out, 5xx), larger again after successes. A failed page is put back and asked for again;
//! the pager drops any id just seen. So 429 storms, 5xx, resets, cut-off answers and a restarted
//! worker can slow an export but neither lose nor duplicate a row. Rows are not kept: each page
//! becomes file fragments for the edge to write to disk ([`file`]), with a checkpoint after it
//! ([`spool`]), so memory stays flat whatever the size and a closed tab resumes where it stopped.
//! Only a complete export makes a plain file; anything less is named partial. Time comes in as
//! arguments, so pauses and the ETA are tested without waiting.

mod file;
pub mod members;
pub mod parked;
pub mod spool;
pub mod view;

pub use file::{Format, Fragments, CSV_COLUMNS};

use crate::core::api::filter::{search, simple_search, SearchKind};
use crate::core::api::pager::{Incomplete, PageRequest, Pager};
use crate::core::api::scim::{self, User};
use crate::core::api::throttle::INITIAL_CLIENT_IN_FLIGHT;
use crate::core::api::{ApiError, ListRequest, Resource, MAX_PAGE};
use crate::core::lookup::{Failure, FailureCode};
use crate::core::shared::text::grouped;
use members::{GroupRef, MembersFetch};
use serde_json::value::RawValue;
use spool::SpooledPage;

/// Users per page: the API's documented maximum. PingOne limits requests, so a page of 1000 costs
/// a fifth of the allowance per user that a page of 200 does.
pub const PAGE_SIZE: u32 = MAX_PAGE;
/// The smallest page a failing export shrinks to.
pub const MIN_PAGE_SIZE: u32 = 50;
/// Pages answered in a row before a shrunk page size doubles again.
pub const GROW_AFTER: u32 = 3;
/// Pages asked for at once: enough to keep the scheduler busy at its learned rate and round trip
/// (20 requests/s at 400 ms is 8 in flight), with some queued behind them.
pub const IN_FLIGHT: usize = 32;
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
    /// Paging gave up before the server's end, or the rows differ from the server's count: the
    /// file is partial, and why is said.
    Incomplete(String),
    Complete,
}

/// One export.
#[derive(Clone, Debug)]
pub struct Export {
    /// Names its spool on disk.
    pub id: String,
    pub client_id: String,
    /// The search text ("" for all users).
    pub text: String,
    /// When it started (wall clock): spools expire after a week.
    pub created_ms: u64,
    source: Source,
    total: Option<u64>,
    /// Rows on disk (or being written), each user once.
    rows: u64,
    /// The pages on disk, in start order.
    pages: Vec<SpooledPage>,
    phase: Phase,
    in_flight: usize,
    attempts: indexmap::IndexMap<u64, u32>,
    /// Pages answered (and failures), and failures asked again. A 429 is retried by the worker's
    /// scheduler, not here: the rate line says when it is waiting for one.
    pub requests: u64,
    pub retries: u64,
    /// Running time so far, pauses excluded, and when the current run started.
    active_ms: u64,
    running_since: Option<u64>,
    /// The running time and the rows in hand when the first rows of this run came: the time left
    /// is estimated from the pace after it, not from a first round trip that held every page.
    first_rows: Option<(u64, u64)>,
    /// Disk writes failed: the export goes on from its last checkpoint, read again.
    pub disk_failed: bool,
    /// The rows counted when the admin paused: the count shown stays there (pages in flight
    /// still land, kept for the resume) until they resume.
    paused_at: Option<u64>,
}

/// Where an export's rows come from: one of two kinds.
#[derive(Clone, Debug)]
enum Source {
    /// Users (every one, or a search's), page by page; `streak` counts pages answered in a row,
    /// to grow a shrunk page size back.
    Users { pager: Pager, streak: u32 },
    /// One group's members, from one request for the group (P14E lists them there, not in pages),
    /// and the group's `users/count`.
    Members {
        fetch: MembersFetch,
        users_count: Option<u64>,
        /// Members that are users, of those on disk.
        user_members: u64,
    },
}

/// A page of users from an answer: each with its id, kept as JSON text; or why there is none.
fn read_users(
    answer: Result<&[u8], Failure>,
) -> Result<scim::ListPage<(String, Box<RawValue>, User)>, Failure> {
    answer.and_then(|body| {
        scim::list_page(body, |raw| {
            let user = User::from_raw(raw)?;
            Some((user.id.clone(), raw.to_owned(), user))
        })
        .map_err(|e| Failure::from(&ApiError::Decode(e.to_string())))
    })
}

/// Whether a failed page may have been too large to come back whole: it is asked for smaller.
fn too_large(failure: &Failure) -> bool {
    failure.retry
        && matches!(
            failure.code,
            FailureCode::Offline | FailureCode::Server | FailureCode::Other
        )
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

/// The export's details, for the admin who wants to know how it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    /// Users per page asked for now (members exports have no pages).
    pub page_size: Option<u32>,
    pub requests: u64,
    pub retries: u64,
    pub pages_on_disk: usize,
}

impl Export {
    /// Every field at rest: the kinds below fill in what they need.
    fn blank() -> Export {
        Export {
            id: String::new(),
            client_id: String::new(),
            text: String::new(),
            created_ms: 0,
            source: Source::Users {
                pager: Pager::new(PAGE_SIZE),
                streak: 0,
            },
            total: None,
            rows: 0,
            pages: Vec::new(),
            phase: Phase::Running,
            in_flight: 0,
            attempts: Default::default(),
            requests: 0,
            retries: 0,
            active_ms: 0,
            running_since: None,
            first_rows: None,
            disk_failed: false,
            paused_at: None,
        }
    }

    /// An export of every user (`text` empty) or a search's, spooled as `id`, started at
    /// `wall_ms` (wall clock) and `now_ms` (the monotonic clock the rest of its calls use).
    pub fn new(id: &str, client_id: &str, text: &str, wall_ms: u64, now_ms: u64) -> Export {
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
            id: id.to_string(),
            client_id: client_id.to_string(),
            source: Source::Users {
                pager: Pager::new(PAGE_SIZE).blind_pages(blind),
                streak: 0,
            },
            text,
            created_ms: wall_ms,
            running_since: Some(now_ms),
            ..Export::blank()
        }
    }

    /// An export of every member of `group`.
    pub fn members(
        id: &str,
        client_id: &str,
        group: GroupRef,
        wall_ms: u64,
        now_ms: u64,
    ) -> Export {
        Export {
            source: Source::Members {
                fetch: MembersFetch::new(group),
                users_count: None,
                user_members: 0,
            },
            ..Export::new(id, client_id, "", wall_ms, now_ms)
        }
    }

    /// The group whose members are exported, for an export of members.
    pub fn group(&self) -> Option<&GroupRef> {
        match &self.source {
            Source::Members { fetch, .. } => Some(&fetch.group),
            Source::Users { .. } => None,
        }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Rows exported so far: users, or members.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The server's total, when it said one.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The pages on disk, in start order: the file is their fragments in this order.
    pub fn pages(&self) -> &[SpooledPage] {
        &self.pages
    }

    /// Pages still to ask for, roughly: the scheduler paces a long job differently.
    pub fn pages_left(&self) -> u64 {
        match &self.source {
            Source::Users { pager, .. } => pager.pages_left(),
            Source::Members { fetch, .. } => u64::from(!fetch.is_done()),
        }
    }

    pub fn details(&self) -> Details {
        Details {
            page_size: match &self.source {
                Source::Users { pager, .. } => Some(pager.page_size()),
                Source::Members { .. } => None,
            },
            requests: self.requests,
            retries: self.retries,
            pages_on_disk: self.pages.len(),
        }
    }

    /// What the rows are, for the admin.
    fn noun(&self) -> &'static str {
        match self.source {
            Source::Members { .. } => "members",
            Source::Users { .. } => "users",
        }
    }

    fn all_answered(&mut self) -> bool {
        match &mut self.source {
            Source::Members { fetch, .. } => fetch.is_done(),
            Source::Users { pager, .. } => pager.is_done(),
        }
    }

    /// The next page to ask for, while running and below the in-flight limit.
    pub fn next_request(&mut self) -> Option<PageRequest> {
        if self.phase != Phase::Running || self.in_flight >= IN_FLIGHT {
            return None;
        }
        let request = match &mut self.source {
            Source::Members { fetch, .. } => fetch.next_request()?,
            Source::Users { pager, .. } => pager.next_request()?,
        };
        self.in_flight += 1;
        Some(request)
    }

    /// Records a page's answer: the body (with, for a members export, the group's `users/count`),
    /// or why there is none. Returns the page to write to disk, when it brought rows. A page that
    /// failed is put back (smaller, if it may have been too large); a failure retrying cannot fix
    /// (401, 403, a refused filter) or one that keeps happening stops the export with every row
    /// so far kept.
    pub fn page_answered(
        &mut self,
        request: PageRequest,
        answer: Result<&[u8], Failure>,
        users_count: Option<u64>,
        now_ms: u64,
    ) -> Option<(SpooledPage, Fragments)> {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.requests += 1;
        let read = match &mut self.source {
            Source::Members {
                fetch,
                users_count: count,
                user_members,
            } => {
                let read = answer.and_then(|body| {
                    fetch
                        .accept(body)
                        .map_err(|e| Failure::from(&ApiError::Decode(e.to_string())))
                });
                match read {
                    Ok(members) => {
                        *count = users_count.or(*count);
                        *user_members = members::user_members(&members);
                        self.total = *count;
                        let rows = members.len() as u32;
                        Ok(Some(Fragments::members(&members))
                            .filter(|_| rows > 0)
                            .map(|f| (rows, rows, f)))
                    }
                    Err(failure) => {
                        fetch.retry();
                        Err(failure)
                    }
                }
            }
            Source::Users { pager, streak } => match read_users(answer) {
                Ok(page) => {
                    self.attempts.swap_remove(&request.start_index);
                    if let Some(total) = page.total {
                        self.total = Some(total);
                    }
                    *streak += 1;
                    if *streak >= GROW_AFTER && pager.page_size() < PAGE_SIZE {
                        pager.set_page_size(pager.page_size().saturating_mul(2));
                        *streak = 0;
                    }
                    let items = page.items.len() as u32;
                    let fresh = pager.accept(request, page.items, page.total, |(id, _, _)| id);
                    let fragments =
                        Fragments::users(fresh.iter().map(|(_, raw, user)| (raw.as_ref(), user)));
                    Ok(Some((fresh.len() as u32, items, fragments)).filter(|(n, _, _)| *n > 0))
                }
                Err(failure) => {
                    *streak = 0;
                    if too_large(&failure) && request.count > MIN_PAGE_SIZE {
                        let smaller = (request.count / 2).max(MIN_PAGE_SIZE);
                        pager.set_page_size(smaller.min(pager.page_size()));
                        pager.retry_smaller(request, smaller);
                    } else {
                        pager.retry(request);
                    }
                    Err(failure)
                }
            },
        };
        let spooled = match read {
            Ok(page) => page.map(|(rows, items, fragments)| {
                let page = SpooledPage {
                    start: request.start_index,
                    count: request.count,
                    items,
                    rows,
                    csv_bytes: fragments.csv.len() as u32,
                    json_bytes: fragments.json.len() as u32,
                };
                self.keep(page);
                (page, fragments)
            }),
            Err(failure) => {
                self.page_failed(request, failure, now_ms);
                None
            }
        };
        if self.first_rows.is_none() && self.rows > 0 {
            self.first_rows = Some((self.active_at(now_ms), self.rows));
        }
        self.finish_if_done(now_ms);
        spooled
    }

    /// Lists a page as on disk, in start order (once: a page asked again replaces itself).
    fn keep(&mut self, page: SpooledPage) {
        let at = self.pages.partition_point(|p| p.start < page.start);
        match self.pages.get_mut(at) {
            Some(same) if same.start == page.start => {
                self.rows = self.rows - u64::from(same.rows) + u64::from(page.rows);
                *same = page;
            }
            _ => {
                self.rows += u64::from(page.rows);
                self.pages.insert(at, page);
            }
        }
    }

    /// Running time at `now_ms`, pauses excluded.
    fn active_at(&self, now_ms: u64) -> u64 {
        self.active_ms
            + self
                .running_since
                .map_or(0, |since| now_ms.saturating_sub(since))
    }

    /// Running time so far, as of the last change.
    fn active_ms(&self) -> u64 {
        self.active_ms
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
        match &self.source {
            Source::Users { pager, .. } => match pager.gave_up() {
                None => Phase::Complete,
                Some(Incomplete::Repeating) => Phase::Incomplete(
                    "PingOne kept answering with users already exported (it may be ignoring startIndex), so Keyward stopped rather than ask forever."
                        .into(),
                ),
            },
            Source::Members {
                users_count,
                user_members,
                ..
            } => {
                match members::count_mismatch(*user_members, *users_count) {
                    Some(why) => Phase::Incomplete(why),
                    None => Phase::Complete,
                }
            }
        }
    }

    fn stop_clock(&mut self, now_ms: u64) {
        if let Some(since) = self.running_since.take() {
            self.active_ms += now_ms.saturating_sub(since);
        }
    }

    /// Stops asking for pages and counting at once; pages in flight are still accepted.
    pub fn pause(&mut self, now_ms: u64) {
        if self.phase == Phase::Running {
            self.stop_clock(now_ms);
            self.phase = Phase::Paused;
            self.paused_at = Some(self.rows);
        }
    }

    /// Goes on after a pause or a stop (a stop's failing page is asked for again).
    pub fn resume(&mut self, now_ms: u64) {
        if matches!(self.phase, Phase::Paused | Phase::Stopped(_)) {
            self.attempts.clear();
            self.running_since = Some(now_ms);
            self.first_rows = None;
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

    /// Whether it can go on: paused or stopped, not cancelled or finished.
    pub fn can_resume(&self) -> bool {
        matches!(self.phase, Phase::Paused | Phase::Stopped(_))
    }

    /// Whether a file can be saved now: a complete one, or a partial one when not running.
    pub fn can_save(&self) -> bool {
        self.phase != Phase::Running && (self.is_complete() || self.rows > 0)
    }

    pub fn progress(&self, now_ms: u64) -> Progress {
        let paused_at = self.paused_at.filter(|_| self.phase == Phase::Paused);
        let done = paused_at.unwrap_or(self.rows);
        let total = self.total.map(|t| t.max(done));
        let total = if self.is_complete() && self.group().is_none() {
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

/// A disk for tests: the fragments an export gave to write, by page.
#[cfg(test)]
pub(crate) mod disk {
    use super::{Export, Format, Fragments, SpooledPage};
    use std::collections::BTreeMap;

    #[derive(Default)]
    pub struct Disk(pub BTreeMap<u64, Fragments>);

    impl Disk {
        pub fn keep(&mut self, written: Option<(SpooledPage, Fragments)>) {
            if let Some((page, fragments)) = written {
                self.0.insert(page.start, fragments);
            }
        }

        pub fn file(&self, export: &Export, format: Format) -> String {
            export.assemble(format, 0, |page| {
                self.0
                    .get(&page.start)
                    .map(|f| f.of(format).to_string())
                    .unwrap_or_default()
            })
        }
    }
}

#[cfg(test)]
mod tests;
