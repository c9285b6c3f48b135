//! Paging through every result of a list query, robustly.
//!
//! SCIM paging is not session-based, so results can shift between pages, `totalResults` can be
//! wrong, and a server may return fewer items than asked. The pager plans page requests (several
//! may be in flight once the total is known, and a few before it if the caller asks), fills the gap
//! after a short page, trusts the total only until a page contradicts it, stops on an empty page,
//! and drops every id it has already seen.
//!
//! A server that ignores `startIndex` or repeats pages would otherwise be paged forever (with no
//! total, or a total it never reaches): after a few pages in a row that add nobody new, the pager
//! stops and says why the result is incomplete.

use std::collections::VecDeque;

use indexmap::IndexSet;

/// The next page to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    pending: Vec<u64>,
    gaps: VecDeque<PageRequest>,
    exhausted_from: Option<u64>,
    seen: IndexSet<String>,
    /// Pages in a row that held items but nobody new.
    stale_pages: u32,
    /// Why paging stopped before the end, if it did.
    gave_up: Option<Incomplete>,
}

/// Why paging stopped before the server's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incomplete {
    /// Pages kept repeating what was already collected (a server ignoring `startIndex`).
    Repeating,
}

/// Pages in a row that add nobody new before the pager gives up: one such page can be a shifted
/// result set; three are a server that is not paging.
const STALE_LIMIT: u32 = 3;

impl Pager {
    pub fn new(page_size: u32) -> Pager {
        Pager {
            page_size: page_size.clamp(1, crate::core::api::MAX_PAGE),
            blind_pages: 1,
            next_start: 1,
            total: None,
            total_untrusted: false,
            pending: Vec::new(),
            gaps: VecDeque::new(),
            exhausted_from: None,
            seen: IndexSet::new(),
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

    /// Why paging stopped before the end, if it did.
    pub fn gave_up(&self) -> Option<Incomplete> {
        self.gave_up
    }

    fn mark_pending(&mut self, start: u64) {
        if !self.pending.contains(&start) {
            self.pending.push(start);
        }
    }

    /// Whether `start` was pending.
    fn unmark_pending(&mut self, start: u64) -> bool {
        let at = self.pending.iter().position(|&p| p == start);
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
                self.mark_pending(gap.start_index);
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
        self.mark_pending(request.start_index);
        Some(request)
    }

    /// Records a page's answer; returns the items not seen before, in order.
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
        let fresh: Vec<T> = items
            .into_iter()
            .filter(|item| self.seen.insert(id(item).to_string()))
            .collect();
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
}
