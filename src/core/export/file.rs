//! The export's files: their names, and the CSV and JSON an export writes — CSV defused against
//! formula injection, JSON with every user as the API sent it under a header that says whether the
//! export is complete.

use super::members::{self, MemberRow};
use super::{Export, Rows};
use crate::core::api::scim::User;
use crate::core::shared::dates::iso_time;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

impl Export {
    /// The file name: `keyward-users-2026-11-26.csv`, with `-partial` unless complete.
    pub fn file_name(&self, format: Format, wall_ms: u64) -> String {
        let date = crate::core::shared::dates::utc_date(wall_ms);
        let partial = if self.is_complete() { "" } else { "-partial" };
        let ext = match format {
            Format::Csv => "csv",
            Format::Json => "json",
        };
        let what = match self.group() {
            Some(group) => format!("members-{}", members::file_part(&group.name)),
            None => "users".into(),
        };
        format!("keyward-{what}-{date}{partial}.{ext}")
    }

    /// The file's content.
    pub fn file(&self, format: Format, wall_ms: u64) -> String {
        match format {
            Format::Csv => self.csv(),
            Format::Json => self.json(wall_ms),
        }
    }

    fn csv(&self) -> String {
        let mut out = String::new();
        if !self.is_complete() {
            // A note for whoever opens the file, first and unquoted (it starts no formula).
            let noun = self.noun();
            let one = noun.trim_end_matches('s');
            out.push_str(&format!(
                "# PARTIAL EXPORT: {} {noun} (not every {one})\r\n",
                self.user_count()
            ));
        }
        let (columns, members): (&[&str], &[MemberRow]) = match &self.rows {
            Rows::Members { rows, .. } => (&members::CSV_COLUMNS, rows),
            Rows::Users { .. } => (CSV_COLUMNS, &[]),
        };
        out.push_str(&csv_line(
            &columns.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        ));
        for row in members {
            out.push_str(&csv_line(&members::csv_cells(row)));
        }
        for raw in self.users() {
            // Each was read as a user when it arrived; it is read again, one at a time, here.
            let value = serde_json::from_str::<Value>(raw.get()).ok();
            if let Some(user) = value.as_ref().and_then(User::from_value) {
                out.push_str(&csv_line(&csv_row(&user)));
            }
        }
        out
    }

    fn json(&self, wall_ms: u64) -> String {
        if let Rows::Members { fetch, rows } = &self.rows {
            let complete = self.is_complete();
            return members::json(rows, complete, &self.client_id, &fetch.group, wall_ms);
        }
        let file = JsonFile {
            keyward_export: JsonHeader {
                complete: self.is_complete(),
                account: &self.client_id,
                search: &self.text,
                exported_at: iso_time(wall_ms as i64),
                users: self.user_count(),
                total_reported: self.total,
            },
            users: self.users().collect(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }
}

/// The JSON export: what it is, then every user as the API sent it (attributes in its order).
#[derive(Serialize)]
struct JsonFile<'a> {
    keyward_export: JsonHeader<'a>,
    users: Vec<&'a RawValue>,
}

/// Whether the export is complete, of what, and when.
#[derive(Serialize)]
struct JsonHeader<'a> {
    complete: bool,
    account: &'a str,
    search: &'a str,
    exported_at: String,
    users: usize,
    total_reported: Option<u64>,
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

fn csv_row(user: &User) -> Vec<String> {
    let time = |ms: Option<i64>| ms.map(iso_time).unwrap_or_default();
    vec![
        user.id.clone(),
        user.user_name.clone(),
        user.given_name.clone().unwrap_or_default(),
        user.family_name.clone().unwrap_or_default(),
        user.display_name.clone().unwrap_or_default(),
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
    fn times_in_the_file_are_utc() {
        assert_eq!(iso_time(1_429_123_454_227), "2015-04-15T18:44:14Z");
    }
}
