//! Paging through every result of a list query, robustly.
//!
//! SCIM paging is not session-based, so results can shift between pages, `totalResults` can be
//! wrong, and a server may return fewer items than asked. The pager plans page requests (several
//! may be in flight once the total is known, and a few before it if the caller asks), fills the gap
//! after a short page, trusts the total only until a page contradicts it, stops on an empty page,
//! and drops an id it has just seen: one shown by any of the last pages answered, or by a page next
//! to this one. So memory stays flat over a million users, while a user that shifting results show
//! at the end of one page and the start of the next is kept once.
//!
//! A server that ignores `startIndex` or repeats pages would otherwise be paged forever (with no
//! total, or a total it never reaches): after a few pages in a row that add nobody new, the pager
//! stops and says why the result is incomplete. Its state can be saved (the pages to ask for and
//! the positions answered) and restored, checked, to resume paging where it stopped.

use std::collections::VecDeque;

use indexmap::IndexSet;
use serde::{Deserialize, Serialize};

use crate::core::api::MAX_PAGE;

/// The next page to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// 1-based.
    pub start_index: u64,
    pub count: u32,
}

/// Plans and collects the pages of one query.
#[derive(Clone, Debug)]
pub struct Pager {
    page_size: u32,
    /// Pages that may be out while the total is unknown (or untrusted).
    blind_pages: usize,
    next_start: u64,
    total: Option<u64>,
    /// The total was contradicted by a full page past it: page until an empty page.
    total_untrusted: bool,
    /// Start indexes asked for and not yet answered: as many as the caller keeps in flight, a
    /// handful, so a list (smaller in wasm than a set).
    pending: Vec<PageRequest>,
    gaps: VecDeque<PageRequest>,
    exhausted_from: Option<u64>,
    /// Positions answered, as sorted, disjoint `[start, end)` ranges (a few: answers mostly
    /// arrive in order and merge).
    answered: Vec<(u64, u64)>,
    recent: VecDeque<Shown>,
    /// Pages in a row that held items but nobody new.
    stale_pages: u32,
    /// Why paging stopped before the end, if it did.
    gave_up: Option<Incomplete>,
}

/// The ids one answered page showed, and the positions it covered.
#[derive(Clone, Debug)]
struct Shown {
    start: u64,
    end: u64,
    ids: IndexSet<String>,
}

/// Why paging stopped before the server's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Incomplete {
    /// Pages kept repeating what was already collected (a server ignoring `startIndex`).
    Repeating,
}

/// Pages in a row that add nobody new before the pager gives up: one such page can be a shifted
/// result set; three are a server that is not paging.
const STALE_LIMIT: u32 = 3;
/// Answered pages whose ids are kept to drop repeats: more than are ever in flight, so answers
/// arriving out of order still meet their neighbours. A page whose neighbour position is not
/// answered yet (it failed, and is asked again) is kept beyond these, until it is.
pub const RECENT_PAGES: usize = 32;
/// The most pages still to ask for, and ranges answered, that a saved state may hold.
const MAX_SAVED_RANGES: usize = 100_000;

/// A pager's saved state: the page size, the total as far as it is known, the pages still to
/// ask for (those out when it was saved among them) and the positions answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagerState {
    pub page_size: u32,
    pub next_start: u64,
    pub total: Option<u64>,
    pub total_untrusted: bool,
    pub exhausted_from: Option<u64>,
    pub todo: Vec<PageRequest>,
    pub answered: Vec<(u64, u64)>,
    pub stale_pages: u32,
    pub gave_up: Option<Incomplete>,
}

/// Why a saved pager state cannot be resumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidState(pub &'static str);

impl Pager {
    pub fn new(page_size: u32) -> Pager {
        Pager {
            page_size: page_size.clamp(1, MAX_PAGE),
            blind_pages: 1,
            next_start: 1,
            total: None,
            total_untrusted: false,
            pending: Vec::new(),
            gaps: VecDeque::new(),
            exhausted_from: None,
            answered: Vec::new(),
            recent: VecDeque::new(),
            stale_pages: 0,
            gave_up: None,
        }
    }

    /// Lets up to `pages` be out before an answer says how many there are. One is the default: a
    /// page past the end costs a request. More suit a query likely to span many pages over a long
    /// round trip, where a fresh rate-limit bucket would otherwise sit full (its refill wasted)
    /// while the first answer travels.
    pub fn blind_pages(mut self, pages: usize) -> Pager {
        self.blind_pages = pages.max(1);
        self
    }

    /// The size of pages asked for from now on (within 1 and the API's maximum).
    pub fn set_page_size(&mut self, size: u32) {
        self.page_size = size.clamp(1, MAX_PAGE);
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The total as far as it is trusted.
    pub fn total(&self) -> Option<u64> {
        self.total.filter(|_| !self.total_untrusted)
    }

    /// Why paging stopped before the end, if it did.
    pub fn gave_up(&self) -> Option<Incomplete> {
        self.gave_up
    }

    /// Pages still to ask for, roughly: what the scheduler is told of the work left.
    pub fn pages_left(&self) -> u64 {
        let ahead = self.total().map_or(0, |t| {
            (t + 1)
                .saturating_sub(self.next_start)
                .div_ceil(u64::from(self.page_size))
        });
        ahead + (self.gaps.len() + self.pending.len()) as u64
    }

    fn mark_pending(&mut self, request: PageRequest) {
        if !self
            .pending
            .iter()
            .any(|p| p.start_index == request.start_index)
        {
            self.pending.push(request);
        }
    }

    /// Whether a page starting at `start` was pending.
    fn unmark_pending(&mut self, start: u64) -> bool {
        let at = self.pending.iter().position(|p| p.start_index == start);
        at.map(|at| self.pending.swap_remove(at)).is_some()
    }

    fn beyond_end(&self, start: u64) -> bool {
        if self.gave_up.is_some() {
            return true;
        }
        if self.exhausted_from.is_some_and(|e| start >= e) {
            return true;
        }
        match (self.total, self.total_untrusted) {
            (Some(total), false) => start > total,
            _ => false,
        }
    }

    /// The next page to request, if one may be requested now. Until an answer tells the total, at
    /// most [`Pager::blind_pages`] are out; after it, pages can be fetched in parallel up to it.
    pub fn next_request(&mut self) -> Option<PageRequest> {
        while let Some(gap) = self.gaps.pop_front() {
            if !self.beyond_end(gap.start_index) {
                self.mark_pending(gap);
                return Some(gap);
            }
        }
        let known = self.total.is_some() && !self.total_untrusted;
        if (!known && self.pending.len() >= self.blind_pages) || self.beyond_end(self.next_start) {
            return None;
        }
        let request = PageRequest {
            start_index: self.next_start,
            count: self.page_size,
        };
        self.next_start += u64::from(self.page_size);
        self.mark_pending(request);
        Some(request)
    }

    fn is_answered(&self, position: u64) -> bool {
        let at = self.answered.partition_point(|(_, end)| *end <= position);
        self.answered
            .get(at)
            .is_some_and(|(start, _)| *start <= position)
    }

    fn mark_answered(&mut self, start: u64, end: u64) {
        if end <= start {
            return;
        }
        // Merge with every range it touches or overlaps.
        let from = self.answered.partition_point(|(_, e)| *e < start);
        let to = self.answered.partition_point(|(s, _)| *s <= end);
        let merged = self.answered[from..to]
            .iter()
            .fold((start, end), |(s, e), (a, b)| (s.min(*a), e.max(*b)));
        self.answered.splice(from..to, [merged]);
    }

    /// Whether the positions next to a shown page are answered (or past the end), so no later
    /// page can repeat its last or first ids.
    fn settled(&self, shown: &Shown) -> bool {
        let before = shown.start <= 1 || self.is_answered(shown.start - 1);
        let after = self.is_answered(shown.end) || self.beyond_end(shown.end);
        before && after
    }

    fn remember(&mut self, shown: Shown) {
        self.recent.push_back(shown);
        while self.recent.len() > RECENT_PAGES {
            let Some(at) = self.recent.iter().position(|p| self.settled(p)) else {
                break;
            };
            self.recent.remove(at);
        }
    }

    /// Feeds back the ids of a page answered before the state was saved, so repeats at its edges
    /// are still dropped after a resume (the caller reads them from where it kept the page).
    pub fn restore_shown(&mut self, start: u64, ids: impl IntoIterator<Item = String>) {
        let ids: IndexSet<String> = ids.into_iter().collect();
        let end = start + ids.len() as u64;
        self.remember(Shown { start, end, ids });
    }

    /// Answered positions next to one not answered yet: after a resume, the caller feeds back
    /// the ids of the pages holding them with [`Pager::restore_shown`].
    pub fn unsettled_edges(&self) -> Vec<u64> {
        // A range's first position borders the position before it; its last, the one after.
        let mut edges = Vec::new();
        for &(start, end) in &self.answered {
            if start > 1 {
                edges.push(start);
            }
            if !self.beyond_end(end) {
                edges.push(end - 1);
            }
        }
        edges
    }

    /// Records a page's answer; returns the items not seen just before, in order.
    pub fn accept<T>(
        &mut self,
        request: PageRequest,
        items: Vec<T>,
        total: Option<u64>,
        id: impl Fn(&T) -> &str,
    ) -> Vec<T> {
        self.unmark_pending(request.start_index);
        if total.is_some() {
            self.total = total;
        }
        let n = items.len() as u64;
        let end = request.start_index + n;
        if n == 0 {
            self.exhausted_from = Some(
                self.exhausted_from
                    .map_or(request.start_index, |e| e.min(request.start_index)),
            );
        } else if n < u64::from(request.count) {
            // A short page: ask for the rest of its range unless the (trusted) total says it is the end.
            let rest = PageRequest {
                start_index: end,
                count: request.count - n as u32,
            };
            if !self.beyond_end(end) {
                self.gaps.push_back(rest);
            }
        } else if self.total.is_some_and(|t| end > t + 1) {
            // A full page reaching past the claimed total: the total is wrong. Page on until empty.
            self.total_untrusted = true;
        }
        self.mark_answered(request.start_index, end);
        let mut shown = IndexSet::with_capacity(items.len());
        let fresh: Vec<T> = items
            .into_iter()
            .filter(|item| {
                let id = id(item);
                let repeated = self.recent.iter().any(|p| p.ids.contains(id));
                shown.insert(id.to_string()) && !repeated
            })
            .collect();
        if n > 0 {
            self.remember(Shown {
                start: request.start_index,
                end,
                ids: shown,
            });
        }
        // A page asked for blind, before the total was known, may start past it: a server that
        // ignores `startIndex` answers it with what was already collected, which is no sign of a
        // loop once every page up to the total is in hand.
        let past_total =
            !self.total_untrusted && self.total.is_some_and(|t| request.start_index > t);
        if n > 0 && fresh.is_empty() && !past_total {
            self.stale_pages += 1;
            if self.stale_pages >= STALE_LIMIT {
                self.gave_up = Some(Incomplete::Repeating);
                self.gaps.clear();
            }
        } else if !fresh.is_empty() {
            self.stale_pages = 0;
        }
        fresh
    }

    /// Puts back a page whose request failed, to be asked for again first.
    pub fn retry(&mut self, request: PageRequest) {
        if self.unmark_pending(request.start_index) {
            self.gaps.push_front(request);
        }
    }

    /// Puts back a page whose request failed as pages of at most `size`, asked for again first:
    /// a page too large to come back whole is asked for in smaller ones.
    pub fn retry_smaller(&mut self, request: PageRequest, size: u32) {
        if !self.unmark_pending(request.start_index) {
            return;
        }
        let size = size.clamp(1, MAX_PAGE);
        let mut parts = Vec::new();
        let (mut start, mut left) = (request.start_index, request.count);
        while left > 0 {
            let count = left.min(size);
            parts.push(PageRequest {
                start_index: start,
                count,
            });
            start += u64::from(count);
            left -= count;
        }
        for part in parts.into_iter().rev() {
            self.gaps.push_front(part);
        }
    }

    /// Everything has been asked for and answered (or paging gave up: see [`Pager::gave_up`]).
    pub fn is_done(&mut self) -> bool {
        if !self.pending.is_empty() {
            return false;
        }
        if !self.gaps.iter().all(|g| self.beyond_end(g.start_index)) {
            return false;
        }
        self.gaps.clear();
        self.beyond_end(self.next_start)
    }

    /// The state to save: pages out now are asked for again after a resume.
    pub fn state(&self) -> PagerState {
        PagerState {
            page_size: self.page_size,
            next_start: self.next_start,
            total: self.total,
            total_untrusted: self.total_untrusted,
            exhausted_from: self.exhausted_from,
            todo: self.pending.iter().chain(&self.gaps).copied().collect(),
            answered: self.answered.clone(),
            stale_pages: self.stale_pages,
            gave_up: self.gave_up,
        }
    }

    /// A pager resumed from a saved state, checked first: it was read from storage.
    pub fn restore(state: PagerState) -> Result<Pager, InvalidState> {
        let position = |p: u64| (1..=crate::core::api::MAX_POSITION).contains(&p);
        if !(1..=MAX_PAGE).contains(&state.page_size) {
            return Err(InvalidState("page size"));
        }
        if !position(state.next_start) || state.exhausted_from.is_some_and(|e| !position(e)) {
            return Err(InvalidState("position"));
        }
        if state
            .total
            .is_some_and(|t| t > crate::core::api::MAX_POSITION)
        {
            return Err(InvalidState("total"));
        }
        if state.todo.len() > MAX_SAVED_RANGES || state.answered.len() > MAX_SAVED_RANGES {
            return Err(InvalidState("too many ranges"));
        }
        let todo_ok = state.todo.iter().all(|r| {
            position(r.start_index)
                && (1..=MAX_PAGE).contains(&r.count)
                && r.start_index < state.next_start
        });
        if !todo_ok {
            return Err(InvalidState("pages to ask for"));
        }
        let ranges_ok = state
            .answered
            .iter()
            .all(|(s, e)| position(*s) && s < e && position(*e))
            && state.answered.windows(2).all(|w| w[0].1 < w[1].0);
        if !ranges_ok {
            return Err(InvalidState("positions answered"));
        }
        Ok(Pager {
            page_size: state.page_size,
            // Paging resumes with the total known, or one page at a time.
            blind_pages: 1,
            next_start: state.next_start,
            total: state.total,
            total_untrusted: state.total_untrusted,
            pending: Vec::new(),
            gaps: state.todo.into_iter().collect(),
            exhausted_from: state.exhausted_from,
            answered: state.answered,
            recent: VecDeque::new(),
            stale_pages: state.stale_pages.min(STALE_LIMIT),
            gave_up: state.gave_up,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake server: `data` at the time of each request, serving at most `cap` per page and
    /// reporting `total` (or the truth).
    struct Server {
        data: Vec<String>,
        cap: usize,
        total: Option<u64>,
    }

    impl Server {
        fn page(&self, r: PageRequest) -> (Vec<String>, Option<u64>) {
            let from = (r.start_index as usize)
                .saturating_sub(1)
                .min(self.data.len());
            let to = (from + (r.count as usize).min(self.cap)).min(self.data.len());
            (
                self.data[from..to].to_vec(),
                Some(self.total.unwrap_or(self.data.len() as u64)),
            )
        }
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("u{i:05}")).collect()
    }

    /// Runs a pager to the end, one page at a time, calling `mutate` before each request.
    fn drain(
        server: &mut Server,
        page: u32,
        mut mutate: impl FnMut(&mut Server, usize),
    ) -> (Vec<String>, usize) {
        let mut pager = Pager::new(page);
        let mut out = Vec::new();
        let mut requests = 0;
        while let Some(r) = pager.next_request() {
            mutate(server, requests);
            requests += 1;
            let (items, total) = server.page(r);
            out.extend(pager.accept(r, items, total, |s| s.as_str()));
            assert!(requests < 10_000, "the pager must terminate");
        }
        assert!(pager.is_done());
        (out, requests)
    }

    #[test]
    fn pages_to_the_end_in_every_odd_case() {
        let cases: &[(&str, usize, usize, Option<u64>, u32)] = &[
            // name, items, server cap, reported total, page size
            ("exact pages", 30, 1000, None, 10),
            ("a partial last page", 25, 1000, None, 10),
            ("empty", 0, 1000, None, 10),
            ("short pages from the server", 25, 7, None, 10),
            ("total too high", 25, 1000, Some(40), 10),
            ("total too low", 25, 1000, Some(12), 10),
            ("total missing", 25, 1000, Some(0), 10),
            ("one huge page", 2500, 1000, None, 1000),
        ];
        for &(name, n, cap, total, page) in cases {
            let mut server = Server {
                data: ids(n),
                cap,
                total,
            };
            let (got, _) = drain(&mut server, page, |_, _| {});
            assert_eq!(got, ids(n), "{name}");
        }
    }

    #[test]
    fn shifting_results_are_deduplicated() {
        let mut server = Server {
            data: ids(30),
            cap: 1000,
            total: None,
        };
        // An insert at the front before the second request shifts everything one place back.
        let (got, _) = drain(&mut server, 10, |s, i| {
            if i == 1 {
                s.data.insert(0, "new".into());
            }
        });
        let unique: std::collections::HashSet<&String> = got.iter().collect();
        assert_eq!(unique.len(), got.len(), "no duplicates");
        assert!(ids(30).iter().all(|id| got.contains(id)), "nothing lost");
    }

    #[test]
    fn a_failed_page_is_asked_for_again_and_nothing_is_lost() {
        let server = Server {
            data: ids(35),
            cap: 1000,
            total: None,
        };
        let mut pager = Pager::new(10);
        let mut out = Vec::new();
        let mut failures = 0;
        while let Some(r) = pager.next_request() {
            // Every other page fails once.
            if r.start_index % 20 == 11 && failures < 2 {
                failures += 1;
                pager.retry(r);
                continue;
            }
            let (items, total) = server.page(r);
            out.extend(pager.accept(r, items, total, |s| s.as_str()));
        }
        assert!(pager.is_done());
        assert_eq!(failures, 2);
        assert_eq!(out, ids(35));
        // A page that was not out is not put back.
        pager.retry(PageRequest {
            start_index: 999,
            count: 10,
        });
        assert!(pager.is_done());
    }

    #[test]
    fn parallel_requests_once_the_total_is_known() {
        let mut pager = Pager::new(10);
        let first = pager.next_request().expect("first page");
        assert_eq!(
            pager.next_request(),
            None,
            "one page out until the total is known"
        );
        pager.accept(first, ids(10), Some(35), |s| s.as_str());
        let planned: Vec<u64> = std::iter::from_fn(|| pager.next_request())
            .map(|r| r.start_index)
            .collect();
        assert_eq!(planned, [11, 21, 31]);
        assert!(!pager.is_done());
    }

    #[test]
    fn pages_asked_for_blind_lose_nothing_in_every_odd_case() {
        let cases: &[(&str, usize, usize, Option<u64>)] = &[
            // name, items, server cap, reported total (page size 10)
            ("fewer than the blind pages hold", 25, 1000, None),
            ("exactly the blind pages", 40, 1000, None),
            ("many pages", 95, 1000, None),
            ("empty", 0, 1000, None),
            ("short pages from the server", 63, 7, None),
            ("total too high", 25, 1000, Some(70)),
            ("total too low", 65, 1000, Some(12)),
            ("total missing", 25, 1000, Some(0)),
        ];
        for &(name, n, cap, total) in cases {
            // Answered in the order asked, and newest first (a blind page before the first).
            for newest_first in [false, true] {
                let server = Server {
                    data: ids(n),
                    cap,
                    total,
                };
                let mut pager = Pager::new(10).blind_pages(4);
                let mut out = Vec::new();
                let mut requests = 0;
                loop {
                    let batch: Vec<PageRequest> =
                        std::iter::from_fn(|| pager.next_request()).collect();
                    if batch.is_empty() {
                        break;
                    }
                    if requests == 0 {
                        assert_eq!(batch.len(), 4, "{name}: four out before any answer");
                    }
                    let order: Vec<PageRequest> = if newest_first {
                        batch.into_iter().rev().collect()
                    } else {
                        batch
                    };
                    for r in order {
                        requests += 1;
                        let (items, total) = server.page(r);
                        out.extend(pager.accept(r, items, total, |s| s.as_str()));
                    }
                    assert!(requests < 1_000, "{name}: the pager must terminate");
                }
                assert!(pager.is_done(), "{name}");
                assert_eq!(pager.gave_up(), None, "{name}");
                out.sort();
                assert_eq!(out, ids(n), "{name}, newest first: {newest_first}");
            }
        }
    }

    #[test]
    fn blind_pages_past_a_small_result_are_no_loop() {
        // A server that ignores startIndex, with everything on its first page and the true total:
        // the pages asked for blind bring the same users again, and the result is complete.
        let data = ids(5);
        let (got, requests, gave_up) = misbehaving_blind(4, 4, |_| (data.clone(), Some(5)));
        assert_eq!(got, data);
        assert_eq!(gave_up, None);
        assert_eq!(requests, 4, "the blind pages, and no more");
    }

    /// Pages through a server that misbehaves as `answer` says (start index, count → items and
    /// total), with up to `parallel` pages out at once; returns what was collected, the requests
    /// made, and whether the pager gave up.
    fn misbehaving(
        parallel: usize,
        answer: impl Fn(PageRequest) -> (Vec<String>, Option<u64>),
    ) -> (Vec<String>, usize, Option<Incomplete>) {
        misbehaving_blind(parallel, 1, answer)
    }

    /// [`misbehaving`], with `blind` pages out before the total is known.
    fn misbehaving_blind(
        parallel: usize,
        blind: usize,
        answer: impl Fn(PageRequest) -> (Vec<String>, Option<u64>),
    ) -> (Vec<String>, usize, Option<Incomplete>) {
        let mut pager = Pager::new(10).blind_pages(blind);
        let mut out = Vec::new();
        let mut requests = 0;
        let mut out_now: VecDeque<PageRequest> = VecDeque::new();
        loop {
            while out_now.len() < parallel {
                match pager.next_request() {
                    Some(r) => out_now.push_back(r),
                    None => break,
                }
            }
            let Some(r) = out_now.pop_front() else {
                break;
            };
            requests += 1;
            assert!(requests < 1_000, "the pager must stop on its own");
            let (items, total) = answer(r);
            out.extend(pager.accept(r, items, total, |s| s.as_str()));
        }
        assert!(pager.is_done());
        (out, requests, pager.gave_up())
    }

    #[test]
    fn a_server_that_is_not_paging_is_left_after_a_few_pages() {
        let data = ids(100);
        let first = |_: PageRequest| data[..10].to_vec();
        // Ignores startIndex: with no total, with the true total, with a total never reached.
        for (name, total, parallel) in [
            ("no total", None, 1),
            ("the true total", Some(100), 4),
            ("an absurd total", Some(u64::MAX / 2), 4),
        ] {
            let (got, requests, gave_up) = misbehaving(parallel, |r| (first(r), total));
            assert_eq!(got, data[..10].to_vec(), "{name}");
            assert_eq!(gave_up, Some(Incomplete::Repeating), "{name}");
            assert!(
                requests <= 1 + STALE_LIMIT as usize + parallel,
                "{name}: {requests}"
            );
        }
        // Repeats its last page forever past the end, without a total.
        let (got, _, gave_up) = misbehaving(1, |r| {
            let from = (r.start_index as usize - 1).min(90);
            (data[from..from + 10].to_vec(), None)
        });
        assert_eq!(got, data, "everyone, then it stops");
        assert_eq!(gave_up, Some(Incomplete::Repeating));
    }

    #[test]
    fn a_page_repeated_now_and_then_is_not_a_loop() {
        let data = ids(100);
        // Every third page repeats the one before it; the rest are right; no total.
        let (got, _, gave_up) = misbehaving(1, |r| {
            let page = (r.start_index as usize - 1) / 10;
            let from = if page % 3 == 2 { page - 1 } else { page } * 10;
            if from >= data.len() {
                return (Vec::new(), None);
            }
            (
                data[from..(from + r.count as usize).min(data.len())].to_vec(),
                None,
            )
        });
        assert_eq!(gave_up, None);
        let mut expected: Vec<String> = data
            .chunks(10)
            .enumerate()
            .filter(|(i, _)| i % 3 != 2)
            .flat_map(|(_, c)| c.to_vec())
            .collect();
        expected.sort();
        let mut got = got;
        got.sort();
        assert_eq!(
            got, expected,
            "only the repeats are missing, and nothing twice"
        );
    }

    #[test]
    fn memory_stays_flat_and_a_late_page_still_meets_its_neighbours() {
        let server = Server {
            data: ids(2_000),
            cap: 1000,
            total: None,
        };
        let mut pager = Pager::new(10);
        let mut out = Vec::new();
        // The page at 501 fails until every other page is in.
        let mut late = None;
        while let Some(r) = pager.next_request() {
            if r.start_index == 501 && late.is_none() {
                late = Some(r);
                pager.retry(r);
                // Asked again only at the end: take it out of the way.
                pager.next_request();
                continue;
            }
            let (items, total) = server.page(r);
            out.extend(pager.accept(r, items, total, |s| s.as_str()));
            assert!(
                pager.recent.len() <= RECENT_PAGES + 2,
                "{}",
                pager.recent.len()
            );
        }
        // The late page comes back shifted by one: its first id is the last of the page before.
        let r = late.expect("the late page");
        let items: Vec<String> = ids(2_000)[499..509].to_vec();
        out.extend(pager.accept(r, items, Some(2_000), |s| s.as_str()));
        assert!(pager.is_done());
        let unique: std::collections::HashSet<&String> = out.iter().collect();
        assert_eq!(unique.len(), out.len(), "the repeat at its edge is dropped");
        assert_eq!(out.len(), 2_000 - 1, "one lost to the shift, none twice");
    }

    #[test]
    fn a_failed_page_asked_again_in_smaller_pages_loses_nothing() {
        let server = Server {
            data: ids(95),
            cap: 1000,
            total: None,
        };
        let mut pager = Pager::new(40);
        let mut out = Vec::new();
        let mut shrunk = false;
        while let Some(r) = pager.next_request() {
            if r.start_index == 41 && !shrunk {
                shrunk = true;
                pager.retry_smaller(r, 15);
                pager.set_page_size(15);
                continue;
            }
            let (items, total) = server.page(r);
            out.extend(pager.accept(r, items, total, |s| s.as_str()));
        }
        assert_eq!(out, ids(95));
        assert_eq!(pager.page_size(), 15);
    }

    #[test]
    fn a_saved_state_resumes_where_it_stopped_and_a_tampered_one_is_refused() {
        let server = Server {
            data: ids(500),
            cap: 1000,
            total: None,
        };
        let mut pager = Pager::new(10).blind_pages(4);
        let mut out = Vec::new();
        // Half way, with two pages out (their answers are lost with the tab).
        while out.len() < 250 {
            let r = pager.next_request().expect("more");
            let (items, total) = server.page(r);
            out.extend(pager.accept(r, items, total, |s| s.as_str()));
        }
        let lost = [pager.next_request(), pager.next_request()];
        assert!(lost.iter().all(Option::is_some));
        let state = pager.state();
        let text = serde_json::to_string(&state).expect("saved");
        let back: PagerState = serde_json::from_str(&text).expect("read");
        let mut resumed = Pager::restore(back).expect("valid");
        let mut requests = 0;
        while let Some(r) = resumed.next_request() {
            requests += 1;
            let (items, total) = server.page(r);
            out.extend(resumed.accept(r, items, total, |s| s.as_str()));
        }
        assert!(resumed.is_done());
        assert_eq!(out, ids(500), "every id once, in order");
        assert_eq!(requests, 25, "the lost pages and the rest, nothing again");
        for (name, tamper) in [
            (
                "page size",
                Box::new(|s: &mut PagerState| s.page_size = 0) as Box<dyn Fn(&mut PagerState)>,
            ),
            ("position", Box::new(|s: &mut PagerState| s.next_start = 0)),
            (
                "total",
                Box::new(|s: &mut PagerState| s.total = Some(u64::MAX)),
            ),
            (
                "todo",
                Box::new(|s: &mut PagerState| {
                    s.todo.push(PageRequest {
                        start_index: u64::MAX,
                        count: 10,
                    })
                }),
            ),
            (
                "overlap",
                Box::new(|s: &mut PagerState| s.answered.push((1, 5))),
            ),
        ] {
            let mut bad = state.clone();
            tamper(&mut bad);
            assert!(Pager::restore(bad).is_err(), "{name}");
        }
    }
}
