//! The export's files, produced from the spool without holding it: each page is written as a
//! CSV fragment and a JSON fragment when it arrives, and a file is a head, every page's fragment in
//! order, and a tail — which the edge joins as a disk-backed `Blob`, never as one string. CSV is
//! UTF-8 with a byte-order mark (Excel reads it so), defused against formula injection; JSON holds
//! every row under a header that says whether the export is complete. Completeness is said in the
//! file name and the JSON header, never inside the CSV.

use serde::Serialize;
use serde_json::value::RawValue;

use super::members::{self, MemberRow};
use super::{Export, Source};
use crate::core::api::scim::User;
use crate::core::shared::dates::iso_time;

/// A page's rows as the two files write them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fragments {
    pub csv: String,
    /// Each row as `,\n    {…}`: the file's first row loses its comma (see [`Export::file_skip`]).
    pub json: String,
}

/// The byte-order mark a CSV file starts with.
const BOM: &str = "\u{feff}";
/// How a JSON fragment separates each row from the one before.
pub(super) const JSON_SEPARATOR: &str = ",\n    ";

/// A JSON fragment (rows, each after [`JSON_SEPARATOR`]) as the list body the API sent them in.
pub(super) fn list_body(fragment: &str) -> String {
    let rows = fragment.get(JSON_SEPARATOR.len()..).unwrap_or_default();
    format!("{{\"resources\":[{rows}]}}")
}

impl Fragments {
    /// Users, each as the API sent it (its JSON text) and as read.
    pub fn users<'a>(rows: impl IntoIterator<Item = (&'a RawValue, &'a User)>) -> Fragments {
        let mut out = Fragments::default();
        for (raw, user) in rows {
            out.csv.push_str(&csv_line(&csv_row(user)));
            out.json.push_str(JSON_SEPARATOR);
            out.json.push_str(raw.get());
        }
        out
    }

    pub fn members(rows: &[MemberRow]) -> Fragments {
        let mut out = Fragments::default();
        for row in rows {
            out.csv.push_str(&csv_line(&members::csv_cells(row)));
            out.json.push_str(JSON_SEPARATOR);
            out.json
                .push_str(&serde_json::to_string(row).unwrap_or_else(|_| "{}".into()));
        }
        out
    }

    pub fn of(&self, format: Format) -> &str {
        match format {
            Format::Csv => &self.csv,
            Format::Json => &self.json,
        }
    }
}

impl Export {
    /// The file name: `keyward-910a2dec-users-2026-11-26.csv` (the account by its Client ID's first
    /// eight characters: files of several accounts stay apart), with `-partial` unless complete.
    pub fn file_name(&self, format: Format, wall_ms: u64) -> String {
        let date = crate::core::shared::dates::utc_date(wall_ms);
        let partial = if self.is_complete() { "" } else { "-partial" };
        let what = match self.group() {
            Some(group) => format!("members-{}", members::file_part(&group.name)),
            None => "users".into(),
        };
        let account: String = members::file_part(&self.client_id)
            .chars()
            .take(8)
            .collect();
        let account = if account.is_empty() {
            "account".into()
        } else {
            account
        };
        format!(
            "keyward-{account}-{what}-{date}{partial}.{}",
            format.extension()
        )
    }

    /// What the file starts with: the CSV's byte-order mark and column names, or the JSON header
    /// and the opening of its list.
    pub fn file_head(&self, format: Format, wall_ms: u64) -> String {
        let (columns, key): (&[&str], &str) = match &self.source {
            Source::Members { .. } => (&members::CSV_COLUMNS, "members"),
            Source::Users { .. } => (CSV_COLUMNS, "users"),
        };
        match format {
            Format::Csv => {
                let names: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
                format!("{BOM}{}", csv_line(&names))
            }
            Format::Json => {
                let header = self.json_header(wall_ms);
                let header = serde_json::to_string_pretty(&header).unwrap_or_default();
                // Indented one level, as the header sits inside the file's object.
                let header = header.replace('\n', "\n  ");
                format!("{{\n  \"keyward_export\": {header},\n  \"{key}\": [\n    ")
            }
        }
    }

    /// What the file ends with, after the last page's fragment.
    pub fn file_tail(format: Format) -> &'static str {
        match format {
            Format::Csv => "",
            Format::Json => "\n  ]\n}\n",
        }
    }

    /// Bytes to leave out at the start of the first non-empty fragment: the JSON separator's comma
    /// (the head already ends the line before the first row).
    pub fn file_skip(format: Format) -> u32 {
        match format {
            Format::Csv => 0,
            Format::Json => JSON_SEPARATOR.len() as u32,
        }
    }

    fn json_header(&self, wall_ms: u64) -> JsonHeader<'_> {
        let group = self.group();
        JsonHeader {
            complete: self.is_complete(),
            account: &self.client_id,
            search: group.is_none().then_some(self.text.as_str()),
            group_id: group.map(|g| g.id.as_str()),
            group_name: group.map(|g| g.name.as_str()),
            exported_at: iso_time(wall_ms as i64),
            users: group.is_none().then_some(self.rows),
            members: group.is_some().then_some(self.rows),
            total_reported: self.total,
            incomplete: match self.phase() {
                super::Phase::Incomplete(why) => Some(why.as_str()),
                _ => None,
            },
        }
    }
}

/// Whether the export is complete, of what, and when.
#[derive(Serialize)]
struct JsonHeader<'a> {
    complete: bool,
    account: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_name: Option<&'a str>,
    exported_at: String,
    /// Rows in the file: users, or a group's members.
    #[serde(skip_serializing_if = "Option::is_none")]
    users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    members: Option<u64>,
    /// The server's count: `totalResults` for users, `users/count` for a group's user members.
    total_reported: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    incomplete: Option<&'a str>,
}

/// The two file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn from_id(id: &str) -> Option<Format> {
        match id {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv;charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "userName",
    "givenName",
    "familyName",
    "displayName",
    "email",
    "active",
    "state",
    "groups",
    "created",
    "lastModified",
    "lastLogin",
];

/// The user's displayName, or — P14E users often carry none — their given and family names.
fn display_name(user: &User) -> String {
    if let Some(name) = user.display_name.as_ref().filter(|n| !n.trim().is_empty()) {
        return name.clone();
    }
    let parts = [&user.given_name, &user.family_name];
    let parts: Vec<&str> = parts.iter().filter_map(|p| p.as_deref()).collect();
    parts.join(" ").trim().to_string()
}

fn csv_row(user: &User) -> Vec<String> {
    let time = |ms: Option<i64>| ms.map(iso_time).unwrap_or_default();
    vec![
        user.id.clone(),
        user.user_name.clone(),
        user.given_name.clone().unwrap_or_default(),
        user.family_name.clone().unwrap_or_default(),
        display_name(user),
        user.emails.first().cloned().unwrap_or_default(),
        user.active.map(|a| a.to_string()).unwrap_or_default(),
        user.state.clone().unwrap_or_default(),
        user.groups
            .iter()
            .map(|g| g.display.clone().unwrap_or_else(|| g.id.clone()))
            .collect::<Vec<_>>()
            .join("; "),
        time(user.created_ms),
        time(user.last_modified_ms),
        time(user.last_login_ms),
    ]
}

/// What makes a spreadsheet read a cell as a formula: OWASP's CSV-injection list, and the
/// full-width forms some spreadsheets take as the same.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// One CSV line (RFC 4180, CRLF), defused as OWASP's CSV-injection guidance says: every cell is
/// quoted, with its quotes doubled, so no separator inside it (`,`, or the `;` of locales that use
/// it) starts another cell; and a cell that could start a formula — at its very start, or after
/// leading quotes, spaces or separators that a lenient reader might drop — is prefixed with `'`.
fn csv_line(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|cell| {
            let lead = cell.trim_start_matches([' ', '"', ',', ';']);
            let defuse = if lead.starts_with(FORMULA_STARTS) {
                "'"
            } else {
                ""
            };
            format!("\"{defuse}{}\"", cell.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        let cases = [
            // (cell, as written)
            ("ok", "\"ok\""),
            ("=1+1", "\"'=1+1\""),
            ("+1", "\"'+1\""),
            ("-2", "\"'-2\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\t=1", "\"'\t=1\""),
            ("\r=1", "\"'\r=1\""),
            ("＝1+1", "\"'＝1+1\""),
            // After a leading quote, space or separator.
            ("\"=1+1\"", "\"'\"\"=1+1\"\"\""),
            ("\"\"@x", "\"'\"\"\"\"@x\""),
            (" =1", "\"' =1\""),
            (",=1", "\"',=1\""),
            (";=1", "\"';=1\""),
            ("; -1", "\"'; -1\""),
            // Values that need quoting anyway, with and without a formula.
            ("a,b", "\"a,b\""),
            ("a;=1", "\"a;=1\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("=1,2", "\"'=1,2\""),
            ("two\nlines", "\"two\nlines\""),
            // Already text, and text that merely contains the characters.
            ("'=1", "\"'=1\""),
            ("a=b", "\"a=b\""),
            ("a@example.com", "\"a@example.com\""),
        ];
        for (cell, written) in cases {
            assert_eq!(
                csv_line(&[cell.to_string()]),
                format!("{written}\r\n"),
                "{cell:?}"
            );
        }
        assert_eq!(csv_line(&["a".into(), "=b".into()]), "\"a\",\"'=b\"\r\n");
    }

    #[test]
    fn a_user_without_display_name_gets_one_from_the_name_parts() {
        let user = |display: Option<&str>, given: Option<&str>, family: Option<&str>| User {
            display_name: display.map(str::to_string),
            given_name: given.map(str::to_string),
            family_name: family.map(str::to_string),
            ..User::default()
        };
        let cases = [
            (
                user(Some("Dr Amélie Poulain"), Some("Amélie"), Some("Poulain")),
                "Dr Amélie Poulain",
            ),
            (
                user(None, Some("Amélie"), Some("Poulain")),
                "Amélie Poulain",
            ),
            (user(Some(" "), Some("山田"), None), "山田"),
            (user(None, None, Some("Mensah")), "Mensah"),
            (user(None, None, None), ""),
        ];
        for (u, expected) in cases {
            assert_eq!(display_name(&u), expected);
            assert_eq!(csv_row(&u)[4], expected, "the displayName column");
        }
    }

    #[test]
    fn times_in_the_file_are_utc() {
        assert_eq!(iso_time(1_429_123_454_227), "2015-04-15T18:44:14Z");
    }
}
