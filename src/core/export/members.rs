//! Exporting every member of one group: a group's detail lists only its first members and offers
//! this export for the rest.
//!
//! P14E lists a group's members inside the group resource itself (`members[]{value, display,
//! type}`), never in pages, so the export is one request at bulk priority through the same
//! scheduler, retried like any export page, with the group's `users/count` beside it: an export
//! whose user members differ from that count says so ("Incomplete: N of M"). Its files carry what
//! the resource says of each member: the id, the display name and whether it is a user or a nested
//! group.

use indexmap::IndexSet;

use serde::Serialize;

use crate::core::api::pager::PageRequest;
use crate::core::api::scim::{self, Group};

/// The group whose members are exported: its id, and the name the popup showed for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

/// The one request of a members export: not asked, in flight, or answered.
#[derive(Clone, Debug)]
pub struct MembersFetch {
    pub group: GroupRef,
    asked: bool,
    done: bool,
}

/// The request a members export sends: the group resource has no pages, so this only names the
/// one request for the retry bookkeeping the export keeps per page.
pub const REQUEST: PageRequest = PageRequest {
    start_index: 1,
    count: 0,
};

/// One member as the files write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberRow {
    pub id: String,
    pub display: String,
    /// `user` or `group`, as the server said it (lower-cased); empty when not said.
    #[serde(rename = "type")]
    pub kind: String,
}

impl MembersFetch {
    pub fn new(group: GroupRef) -> MembersFetch {
        MembersFetch {
            group,
            asked: false,
            done: false,
        }
    }

    /// A fetch read back from a spool: done if its one page is on disk.
    pub fn resumed(group: GroupRef, done: bool) -> MembersFetch {
        MembersFetch {
            group,
            asked: done,
            done,
        }
    }

    pub fn next_request(&mut self) -> Option<PageRequest> {
        if self.asked {
            return None;
        }
        self.asked = true;
        Some(REQUEST)
    }

    /// The request failed: it is asked for again.
    pub fn retry(&mut self) {
        self.asked = self.done;
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Reads the group resource's members, each id once, in the server's order. A body that is not
    /// this group (another id, or no id) is refused rather than exported under its name.
    pub fn accept(&mut self, body: &[u8]) -> Result<Vec<MemberRow>, scim::DecodeError> {
        let raw = scim::parse_body(body)?;
        let group = Group::from_value(&raw).ok_or(scim::DecodeError::NotAnObject)?;
        if group.id != self.group.id {
            return Err(scim::DecodeError::NotAnObject);
        }
        self.done = true;
        let mut seen = IndexSet::new();
        Ok(group
            .members
            .into_iter()
            .filter(|m| seen.insert(m.id.clone()))
            .map(|m| MemberRow {
                id: m.id,
                display: m.display.unwrap_or_default(),
                kind: m.kind.unwrap_or_default(),
            })
            .collect())
    }
}

/// The CSV columns of a members export, in order.
pub const CSV_COLUMNS: [&str; 3] = ["id", "display", "type"];

pub fn csv_cells(row: &MemberRow) -> Vec<String> {
    vec![row.id.clone(), row.display.clone(), row.kind.clone()]
}

/// Members that are users (not nested groups): what `users/count` counts.
pub fn user_members(rows: &[MemberRow]) -> u64 {
    rows.iter().filter(|r| r.kind != "group").count() as u64
}

/// Why an export of `rows` user members is incomplete, when `users/count` says otherwise.
pub fn count_mismatch(user_members: u64, users_count: Option<u64>) -> Option<String> {
    let count = users_count?;
    (count != user_members).then(|| {
        format!(
            "The group lists {} user members, but PingOne counts {} (users/count): the group may have changed during the export, or PingOne lists only some members in the group. Export again to check.",
            crate::core::shared::text::grouped(user_members),
            crate::core::shared::text::grouped(count)
        )
    })
}

/// The group's name as a file-name part: ASCII letters and digits, `_`, and any character outside
/// ASCII but spaces and controls kept (names in every script; no system reserves one of those),
/// anything else one `-`, at most 40 characters ("group" when nothing is left).
pub fn file_part(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if out.chars().count() >= 40 {
            break;
        }
        let kept = c.is_ascii_alphanumeric()
            || c == '_'
            || (!c.is_ascii() && !c.is_whitespace() && !c.is_control());
        if kept {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "group".into()
    } else {
        out.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group() -> GroupRef {
        GroupRef {
            id: "g1".into(),
            name: "Users".into(),
        }
    }

    #[test]
    fn one_request_and_a_failed_one_is_asked_again() {
        let mut fetch = MembersFetch::new(group());
        assert_eq!(fetch.next_request(), Some(REQUEST));
        assert_eq!(fetch.next_request(), None, "one request at a time");
        fetch.retry();
        assert_eq!(fetch.next_request(), Some(REQUEST));
        let rows = fetch
            .accept(br#"{"id":"g1","members":[{"value":"u1","display":"a","type":"USER"},{"value":"u1"},{"value":"g2","type":"group"}]}"#)
            .expect("reads");
        assert!(fetch.is_done());
        assert_eq!(
            rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["u1", "g2"],
            "each member once"
        );
        assert_eq!(
            (rows[0].kind.as_str(), rows[1].kind.as_str()),
            ("user", "group")
        );
        fetch.retry();
        assert_eq!(fetch.next_request(), None, "nothing after the answer");
    }

    #[test]
    fn another_groups_body_or_garbage_is_refused() {
        for body in [
            &br#"{"id":"g2","members":[{"value":"u1"}]}"#[..],
            br#"{"members":[{"value":"u1"}]}"#,
            br#"{"id":"g1","members":"#,
            b"<html>",
            b"[]",
        ] {
            let mut fetch = MembersFetch::new(group());
            fetch.next_request();
            assert!(
                fetch.accept(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(!fetch.is_done());
        }
    }

    /// The built-in "Users" group of a 20,000-user directory, exported through [`Export`]: one
    /// request (asked again after a failure), every member once, in both files; its user members
    /// checked against `users/count`.
    #[test]
    fn a_twenty_thousand_member_group_exports_every_member() {
        use crate::core::api::ApiError;
        use crate::core::export::disk::Disk;
        use crate::core::export::{Export, Format, Phase};
        use crate::core::lookup::Failure;
        let members: Vec<serde_json::Value> = (0..20_000)
            .map(|i| serde_json::json!({"value": format!("u{i:05}"), "display": format!("=user {i}"), "type": "USER"}))
            .chain([serde_json::json!({"value": "g2", "display": "Nested", "type": "GROUP"})])
            .collect();
        let body =
            serde_json::json!({"id": "g1", "displayName": "Users", "members": members}).to_string();
        for (count, complete) in [(Some(20_000), true), (Some(20_001), false), (None, true)] {
            let mut export = Export::members("m1", "acct", group(), 0, 0);
            let mut disk = Disk::default();
            let first = export.next_request().expect("the group");
            assert_eq!(export.next_request(), None, "one request");
            export.page_answered(first, Err(Failure::from(&ApiError::Server(503))), None, 100);
            assert_eq!(export.phase(), &Phase::Running);
            let again = export.next_request().expect("asked again");
            assert_eq!(export.progress(150).summary, "Exported 0 members\u{2026}");
            disk.keep(export.page_answered(again, Ok(body.as_bytes()), count, 200));
            assert_eq!(
                export.is_complete(),
                complete,
                "{count:?}: {:?}",
                export.phase()
            );
            if !complete {
                assert_eq!(
                    export.progress(300).summary.split(". ").next(),
                    Some("Incomplete: 20,001 of 20,001 members"),
                );
                assert!(export
                    .progress(300)
                    .summary
                    .contains("The group lists 20,000 user members, but PingOne counts 20,001"));
                assert!(export.file_name(Format::Csv, 0).ends_with("-partial.csv"));
                let json: serde_json::Value =
                    serde_json::from_str(&disk.file(&export, Format::Json)).expect("json");
                assert_eq!(json["keyward_export"]["complete"], false);
                assert_eq!(json["keyward_export"]["total_reported"], 20_001);
                continue;
            }
            assert_eq!(export.progress(300).summary, "Complete: 20,001 members.");
            assert_eq!(
                export.file_name(Format::Csv, 0),
                "keyward-acct-members-Users-1970-01-01.csv"
            );
            let csv = disk.file(&export, Format::Csv);
            let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
            assert_eq!(lines.len(), 20_002);
            assert_eq!(lines[0], "\u{feff}\"id\",\"display\",\"type\"");
            assert_eq!(
                lines[20_000], "\"u19999\",\"'=user 19999\",\"user\"",
                "defused too"
            );
            let json: serde_json::Value =
                serde_json::from_str(&disk.file(&export, Format::Json)).expect("json");
            assert_eq!(json["keyward_export"]["group_name"], "Users");
            assert_eq!(json["keyward_export"]["members"], 20_001);
            assert_eq!(json["members"][19_999]["id"], "u19999");
            assert_eq!(json["members"][0]["type"], "user");
        }
    }

    #[test]
    fn a_cancelled_members_export_is_named_partial() {
        use crate::core::export::{Export, Format};
        let mut export = Export::members("m1", "acct", group(), 0, 0);
        export.next_request();
        export.cancel(10);
        assert!(!export.can_save(), "nothing to save");
        assert_eq!(
            export.progress(20).summary,
            "Cancelled at 0 members. You can save them as a partial file."
        );
        assert!(export.file_name(Format::Json, 0).ends_with("-partial.json"));
    }

    #[test]
    fn file_parts_keep_names_readable_and_safe() {
        for (name, part) in [
            ("Users", "Users"),
            ("Domain Administrators", "Domain-Administrators"),
            ("../../etc/passwd", "etc-passwd"),
            ("Zoë's team", "Zoë-s-team"),
            ("", "group"),
            ("***", "group"),
            (&"x".repeat(90), &"x".repeat(40)),
        ] {
            assert_eq!(file_part(name), part, "{name:?}");
        }
    }
}
