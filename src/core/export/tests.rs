//! The export's state machine against a fake directory: faults, shrinking pages, servers that
//! do not page, pauses, the time left, files, and checkpoints read back.

use super::disk::Disk;
use super::*;
use crate::core::lookup::FailureCode;
use serde_json::{json, Value};

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

fn fresh(text: &str) -> Export {
    Export::new("x1", "acct-1", text, 0, 0)
}

/// Runs an export against `n` users; `fault(i)` decides the i-th answer's failure, if any.
fn run(n: usize, fault: impl Fn(u64) -> Option<Failure>) -> (Export, Disk) {
    let mut export = fresh("");
    let mut disk = Disk::default();
    let mut now = 0;
    let mut i = 0;
    while export.phase() == &Phase::Running {
        let batch: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
        assert!(!batch.is_empty(), "a running export always has work out");
        for r in batch {
            now += 100;
            i += 1;
            let answer = match fault(i) {
                Some(f) => export.page_answered(r, Err(f), None, now),
                None => export.page_answered(r, Ok(&body(&page_of(r, n), n)), None, now),
            };
            disk.keep(answer);
        }
        assert!(i < 10_000);
    }
    (export, disk)
}

fn ids(export: &Export, disk: &Disk) -> Vec<String> {
    let file: Value = serde_json::from_str(&disk.file(export, Format::Json)).expect("json");
    file["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}

#[test]
fn faults_lose_and_duplicate_nothing() {
    let (clean, clean_disk) = run(25_000, |_| None);
    assert!(clean.is_complete());
    assert_eq!(clean.rows(), 25_000);
    assert_eq!(
        clean.details().page_size,
        Some(PAGE_SIZE),
        "the documented maximum"
    );
    // Every third answer fails (5xx, 429, a cut-off body), never the same page 8 times running.
    let (faulty, faulty_disk) = run(25_000, |i| match i % 9 {
        0 => Some(transient()),
        3 => Some(Failure::from(&ApiError::RateLimited(None))),
        6 => Some(Failure::from(&ApiError::Decode("cut off".into()))),
        _ => None,
    });
    assert!(faulty.is_complete(), "{:?}", faulty.phase());
    let (a, b) = (ids(&clean, &clean_disk), ids(&faulty, &faulty_disk));
    assert!(a == b, "same users, same order");
    assert_eq!(a.len(), 25_000);
    assert!(faulty.retries > 0);
}

#[test]
fn pages_that_fail_as_too_large_shrink_and_grow_back() {
    // Pages of more than 250 users come back cut off; the server is otherwise fine.
    let n = 20_000;
    let mut export = fresh("");
    let mut disk = Disk::default();
    let mut sizes = Vec::new();
    let mut now = 0;
    let mut large_ok_after = 40;
    while export.phase() == &Phase::Running {
        let batch: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
        for r in batch {
            now += 10;
            sizes.push(r.count);
            large_ok_after -= 1;
            let answer = if r.count > 250 && large_ok_after > 0 {
                Err(Failure::from(&ApiError::Decode("cut off".into())))
            } else {
                Ok(body(&page_of(r, n), n))
            };
            disk.keep(export.page_answered(r, answer.as_deref().map_err(Clone::clone), None, now));
        }
    }
    assert!(export.is_complete(), "{:?}", export.phase());
    assert_eq!(ids(&export, &disk).len(), n);
    assert!(
        sizes.contains(&250),
        "shrunk to a size that comes back: {sizes:?}"
    );
    assert_eq!(
        sizes.last(),
        Some(&PAGE_SIZE),
        "grown back once pages came back whole"
    );
}

#[test]
fn a_server_ignoring_start_index_ends_incomplete_and_says_why() {
    for total in [Some(5_000), None] {
        let mut export = fresh("");
        let mut disk = Disk::default();
        let mut now = 0;
        let first_page: Vec<usize> = (0..PAGE_SIZE as usize).collect();
        while export.phase() == &Phase::Running {
            let batch: Vec<PageRequest> = std::iter::from_fn(|| export.next_request()).collect();
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
                disk.keep(export.page_answered(r, Ok(&page), None, now));
            }
            assert!(export.requests < 50, "the export stops on its own");
        }
        let Phase::Incomplete(why) = export.phase() else {
            panic!("incomplete, not {:?}", export.phase());
        };
        assert!(why.contains("startIndex"), "{why}");
        assert_eq!(export.rows(), u64::from(PAGE_SIZE));
        assert_eq!(ids(&export, &disk).len(), PAGE_SIZE as usize, "each once");
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
fn a_truncated_body_is_retried_smaller() {
    let mut export = fresh("");
    let r = export.next_request().expect("first page");
    let none = export.page_answered(
        r,
        Ok(br#"{"totalResults":3,"resources":[{"id":"u1""#),
        None,
        10,
    );
    assert_eq!(none, None, "nothing to write");
    assert_eq!(export.phase(), &Phase::Running);
    let again = std::iter::from_fn(|| export.next_request()).find(|p| p.start_index == 1);
    assert_eq!(
        again,
        Some(PageRequest {
            start_index: 1,
            count: PAGE_SIZE / 2
        }),
        "the same position again, in half the size"
    );
}

#[test]
fn every_user_starts_with_several_pages_out_and_a_search_with_one() {
    let out = |text: &str| {
        let mut export = fresh(text);
        std::iter::from_fn(|| export.next_request()).count()
    };
    assert_eq!(out(""), INITIAL_CLIENT_IN_FLIGHT);
    assert_eq!(out("smith"), 1);
    // A directory smaller than the pages asked for blind is exported whole, and only once.
    let (small, disk) = run(150, |_| None);
    assert!(small.is_complete());
    assert_eq!(ids(&small, &disk).len(), 150);
}

#[test]
fn a_401_stops_at_once_and_keeps_the_rows() {
    let (export, disk) = run(5_000, |i| {
        (i == 3).then(|| Failure::from(&ApiError::Unauthorized))
    });
    let Phase::Stopped(f) = export.phase() else {
        panic!("stopped: {:?}", export.phase());
    };
    assert_eq!(f.code, FailureCode::Unauthorized);
    // Every page of the five goes out before the first answer; the third is refused. The
    // pages answered before it and those answered after it (they were in flight) are kept.
    assert_eq!(export.rows(), 4_000);
    assert_eq!(ids(&export, &disk).len(), 4_000);
    assert!(export.can_save());
    assert!(export.file_name(Format::Csv, 0).ends_with("-partial.csv"));
}

#[test]
fn a_page_that_keeps_failing_stops_and_resume_goes_on() {
    let (mut export, mut disk) = run(3_000, |i| (i >= 2).then(transient));
    assert!(matches!(export.phase(), Phase::Stopped(_)));
    export.resume(10_000);
    while export.phase() == &Phase::Running {
        let batch: Vec<_> = std::iter::from_fn(|| export.next_request()).collect();
        for r in batch {
            disk.keep(export.page_answered(r, Ok(&body(&page_of(r, 3_000), 3_000)), None, 11_000));
        }
    }
    assert!(export.is_complete());
    assert_eq!(ids(&export, &disk).len(), 3_000);
}

#[test]
fn pause_holds_requests_and_keeps_answers_in_flight() {
    let n = 5_000;
    let mut export = fresh("");
    let blind: Vec<_> = std::iter::from_fn(|| export.next_request()).collect();
    export.page_answered(blind[0], Ok(&body(&page_of(blind[0], n), n)), None, 1_000);
    export.pause(2_000);
    assert!(export.can_save(), "a paused export can be saved as partial");
    export.page_answered(blind[1], Ok(&body(&page_of(blind[1], n), n)), None, 3_000);
    assert_eq!(export.rows(), 2_000, "an answer in flight is kept");
    assert_eq!(export.next_request(), None, "nothing new while paused");
    let paused = export.progress(50_000);
    assert_eq!(paused.eta_secs, None);
    // The count stops at the pause: the page that landed after it is kept, not counted yet.
    assert_eq!(paused.summary, "Paused at 1,000 of 5,000 users.");
    assert_eq!(paused.done, 1_000);
    export.resume(60_000);
    assert_eq!(export.progress(60_000).done, 2_000, "counted on resume");
    assert_eq!(
        export.next_request(),
        None,
        "every page of five is out already"
    );
}

#[test]
fn the_time_left_follows_the_pace_after_the_first_round_trip() {
    // 1,000,000 users; the first page comes back after a 400 ms round trip, then a page
    // every 250 ms: 4,000 users a second.
    let n = 1_000_000;
    let mut export = fresh("");
    let mut now = 400;
    let answer = |export: &mut Export, now: u64| {
        let r = export.next_request().expect("a page to ask for");
        export.page_answered(r, Ok(&body(&page_of(r, n), n)), None, now);
    };
    answer(&mut export, now);
    let first = export.progress(now);
    assert_eq!(first.eta_secs, None, "{}", first.summary);
    assert_eq!(first.summary, "Exported 1,000 of 1,000,000 users\u{2026}");
    for _ in 0..20 {
        now += 250;
        answer(&mut export, now);
    }
    // 21,000 in hand, 979,000 left at 4,000 a second: 245 s.
    assert_eq!(export.progress(now).eta_secs, Some(245));
}

#[test]
fn cancel_offers_a_partial_file_labelled_as_such() {
    let mut export = fresh("mer");
    let mut disk = Disk::default();
    let r = export.next_request().expect("first");
    disk.keep(export.page_answered(r, Ok(&body(&[1, 2], 2_000)), None, 10));
    export.cancel(20);
    assert_eq!(export.phase(), &Phase::Cancelled);
    let csv = disk.file(&export, Format::Csv);
    assert!(
        csv.starts_with("\u{feff}\"id\",\"userName\","),
        "a byte-order mark and the columns, no note inside: {csv:?}"
    );
    assert_eq!(csv.lines().count(), 3);
    let json: Value = serde_json::from_str(&disk.file(&export, Format::Json)).expect("json");
    assert_eq!(json["keyward_export"]["complete"], false);
    assert_eq!(json["keyward_export"]["search"], "mer");
    assert_eq!(json["keyward_export"]["users"], 2);
    assert_eq!(json["users"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        export.file_name(Format::Json, 0),
        "keyward-acct-1-users-1970-01-01-partial.json"
    );
}

#[test]
fn an_empty_directory_completes_with_a_header_only_file() {
    let (export, disk) = run(0, |_| None);
    assert!(export.is_complete());
    assert!(export.can_save());
    assert_eq!(export.progress(0).percent, Some(100));
    assert_eq!(disk.file(&export, Format::Csv).lines().count(), 1);
    let json: Value = serde_json::from_str(&disk.file(&export, Format::Json)).expect("json");
    assert_eq!(json["users"], json!([]));
}

/// Closed half way (two pages in flight lost with the tab), read back from its checkpoint,
/// resumed: every user once, and no page asked twice but the lost ones.
#[test]
fn a_checkpoint_resumes_where_the_export_stopped() {
    let n = 20_000;
    let mut export = fresh("");
    let mut disk = Disk::default();
    let mut saved = String::new();
    let mut asked = 0;
    while export.rows() < 10_000 {
        let r = export.next_request().expect("more");
        asked += 1;
        disk.keep(export.page_answered(r, Ok(&body(&page_of(r, n), n)), None, 10));
        saved = export.checkpoint_text(1_000);
    }
    let lost: Vec<_> = std::iter::from_fn(|| export.next_request())
        .take(2)
        .collect();
    asked += lost.len();
    let mut back = Export::from_checkpoint(&saved, "x1", 2_000).expect("readable");
    assert_eq!(back.phase(), &Phase::Paused);
    assert_eq!(
        back.progress(0).summary,
        "Paused at 10,000 of 20,000 users."
    );
    for page in back.unsettled_pages() {
        let f = &disk.0[&page.start];
        back.restore_shown(page, &format!("{}{}", f.csv, f.json));
    }
    back.resume(3_000);
    while back.phase() == &Phase::Running {
        let batch: Vec<_> = std::iter::from_fn(|| back.next_request()).collect();
        for r in batch {
            asked += 1;
            disk.keep(back.page_answered(r, Ok(&body(&page_of(r, n), n)), None, 4_000));
        }
    }
    assert!(back.is_complete());
    let got = ids(&back, &disk);
    assert_eq!(got.len(), n);
    assert_eq!(
        got.iter().collect::<std::collections::BTreeSet<_>>().len(),
        n
    );
    // Twenty pages and the blind ones past the end, plus the two lost.
    assert!(
        asked <= 20 + INITIAL_CLIENT_IN_FLIGHT + 2,
        "{asked} requests"
    );
}

#[test]
fn a_tampered_checkpoint_is_refused_with_a_reason() {
    let (export, _) = run(3_000, |_| None);
    let good = export.checkpoint_text(1_000);
    assert!(Export::from_checkpoint(&good, "x1", 2_000).is_ok());
    let day = 86_400_000;
    let cases: Vec<(&str, String, &str, u64)> = vec![
        ("not JSON", "{".into(), "x1", 2_000),
        ("another folder", good.clone(), "x2", 2_000),
        ("a week old", good.clone(), "x1", 7 * day + 1_000),
        (
            "rows",
            good.replace("\"rows\":3000", "\"rows\":9"),
            "x1",
            2_000,
        ),
        (
            "account",
            good.replace("\"acct-1\"", "\"<b>\""),
            "x1",
            2_000,
        ),
        (
            "page size",
            good.replace("\"page_size\":1000", "\"page_size\":0"),
            "x1",
            2_000,
        ),
        (
            "version",
            good.replace("\"version\":1", "\"version\":9"),
            "x1",
            2_000,
        ),
    ];
    for (name, text, folder, now) in cases {
        assert!(
            Export::from_checkpoint(&text, folder, now).is_err(),
            "{name}"
        );
    }
}

/// Closed with two pages written but not yet named by a checkpoint: resumed, the whole one is
/// answered from its file (no request), the one cut short is asked for again, and a file that is
/// another page's or holds rows dropped as repeats is never taken.
#[test]
fn pages_written_but_not_yet_named_are_answered_from_their_files_when_whole() {
    let n = 20_000;
    let mut export = fresh("");
    let mut files = std::collections::BTreeMap::new();
    let mut saved = String::new();
    while export.rows() < 10_000 {
        let r = export.next_request().expect("more");
        if let Some((page, f)) = export.page_answered(r, Ok(&body(&page_of(r, n), n)), None, 10) {
            files.insert(page.start, format!("{}{}{}", f.csv, f.json, page.trailer()));
        }
        if export.rows() <= 8_000 {
            saved = export.checkpoint_text(1_000);
        }
    }
    let cut = files.get_mut(&9_001).expect("written");
    cut.truncate(cut.len() - 40);
    let mut back = Export::from_checkpoint(&saved, "x1", 2_000).expect("readable");
    let mut names: Vec<String> = files.keys().map(|s| SpooledPage::file_of(*s)).collect();
    names.push(spool::CHECKPOINT_FILE.into());
    assert_eq!(
        back.unnamed_pages(&names),
        [8_001, 9_001],
        "written, not named"
    );
    for page in back.unsettled_pages() {
        back.restore_shown(page, &files[&page.start]);
    }
    back.resume(3_000);
    let requests_before = back.details().requests;
    let (mut asked, mut from_disk) = (0, 0);
    while back.phase() == &Phase::Running {
        let batch: Vec<_> = std::iter::from_fn(|| back.next_request()).collect();
        for r in batch {
            let on_disk = files.get(&r.start_index).cloned();
            let answer = match on_disk.and_then(|text| back.answer_from_disk(r, &text, 4_000)) {
                Some(written) => {
                    from_disk += 1;
                    Some(written)
                }
                None => {
                    asked += 1;
                    back.page_answered(r, Ok(&body(&page_of(r, n), n)), None, 4_000)
                }
            };
            if let Some((page, f)) = answer {
                files.insert(page.start, format!("{}{}{}", f.csv, f.json, page.trailer()));
            }
        }
    }
    assert!(back.is_complete());
    assert_eq!(
        (from_disk, asked),
        (1, 11),
        "8,001 from disk; 9,001 and the rest asked"
    );
    assert_eq!(
        back.details().requests,
        requests_before + 11,
        "a page from disk is no request"
    );
    let json = back.assemble(Format::Json, 0, |page| {
        let part = page.part(Format::Json);
        files[&page.start][part.start as usize..part.end as usize].to_string()
    });
    let file: Value = serde_json::from_str(&json).expect("json");
    let got: std::collections::BTreeSet<_> = file["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["id"].to_string())
        .collect();
    assert_eq!(got.len(), n, "every user once");

    // Another page's file, or one whose answer held repeats, is not taken.
    let mut other = fresh("");
    let r = other.next_request().expect("a page");
    let page_two = files[&1_001].clone();
    assert_eq!(
        other.answer_from_disk(r, &page_two, 0),
        None,
        "another page's file"
    );
    let mut repeats = fresh("");
    let first = repeats.next_request().expect("a page");
    let (page, f) = repeats
        .page_answered(first, Ok(&body(&[1, 1, 2], 3)), None, 0)
        .expect("rows");
    assert_eq!((page.items, page.rows), (3, 2));
    let text = format!("{}{}{}", f.csv, f.json, page.trailer());
    let mut again = fresh("");
    let r = again.next_request().expect("a page");
    assert_eq!(
        again.answer_from_disk(r, &text, 0),
        None,
        "rows dropped as repeats"
    );
}
