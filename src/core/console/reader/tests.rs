//! The reader's strategies, one page structure per row: what UI kits draw (their items as the
//! content script sends them, paths nearest block first) and what must be read there — or, where
//! a person could not tell which value is the account's, nothing.

use super::*;
use crate::core::console::page::{Cell, Input, Item};

const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
const OTHER: &str = "3f2c1b0a-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";
const NEW: &str = "Qw3rTy7uIoPaSdFgHjKlZxCvBnM0123";
const SEAM: char = text::SEGMENT;

fn item(text: &str, path: &[u32]) -> Item {
    Item {
        text: text.into(),
        path: path.to_vec(),
        tag: "div".into(),
        ..Item::default()
    }
}

fn marked(text: &str, path: &[u32], marks: &[&str]) -> Item {
    Item {
        marks: marks.iter().map(|m| m.to_string()).collect(),
        ..item(text, path)
    }
}

fn cell(text: &str, path: &[u32], table: u32, row: u32, col: u32, head: bool) -> Item {
    Item {
        cell: Some(Cell {
            table,
            row,
            col,
            head,
        }),
        ..item(text, path)
    }
}

fn input(value: &str, path: &[u32], kind: &str, names: &[&str]) -> Item {
    Item {
        input: Some(Input {
            kind: kind.into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        }),
        ..item(value, path)
    }
}

/// What was read: the Client ID, the key in force, the new key (values, or what the field was).
fn outcome(items: &[Item]) -> (String, String, String) {
    let show = |f: &Found| match f {
        Found::Value { value, .. } => value.clone(),
        Found::Masked { .. } => "masked".into(),
        Found::Unreadable { .. } => "unreadable".into(),
        Found::Ambiguous => "ambiguous".into(),
        Found::Missing => "missing".into(),
    };
    let fields = read(items);
    (
        show(&fields.client_id),
        show(&fields.key),
        show(&fields.new_key),
    )
}

fn pages() -> Vec<(
    &'static str,
    Vec<Item>,
    (&'static str, &'static str, &'static str),
)> {
    let help = |text: &str, path: &[u32]| marked(text, path, &["help"]);
    vec![
        (
            // A card per value: the value as the headline, the label as a caption under it.
            "cards, caption under value",
            vec![
                item(ID, &[11, 10, 2, 1]),
                item("Client ID", &[12, 10, 2, 1]),
                item(KEY, &[21, 20, 2, 1]),
                item("API key", &[22, 20, 2, 1]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // A caption drawn inline after the headline: the label's block is the card's.
            "card, caption inline after its value",
            vec![
                item(ID, &[11, 10, 2]),
                item("Client ID", &[10, 2]),
                item(KEY, &[21, 20, 2]),
                item("API KEY", &[20, 2]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            "list items: headline value, supporting label",
            vec![
                item(ID, &[11, 10, 2]),
                item("Client ID", &[12, 10, 2]),
                marked("Copy", &[13, 10, 2], &["button"]),
                item(KEY, &[21, 20, 2]),
                item("API key", &[22, 20, 2]),
                item(NEW, &[31, 30, 2]),
                item("New API key", &[32, 30, 2]),
            ],
            (ID, KEY, NEW),
        ),
        (
            "labels in one column, values in the column beside",
            vec![
                item("Client ID", &[11, 10, 2]),
                item("API key", &[12, 10, 2]),
                item(ID, &[21, 20, 2]),
                item(KEY, &[22, 20, 2]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // Each value a row of the column, its note beside it.
            "value column rows with notes",
            vec![
                item("Client ID", &[11, 10, 2]),
                item("API key", &[12, 10, 2]),
                item(ID, &[22, 21, 20, 2]),
                item("(generated Mar 14)", &[23, 21, 20, 2]),
                item(KEY, &[25, 24, 20, 2]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // A popover inside the label's own box, holding a bare id: the column still pairs.
            "label column with a popover inside a label",
            vec![
                item("Client ID", &[11, 10, 2]),
                item(OTHER, &[15, 14, 11, 10, 2]),
                item("API key", &[12, 10, 2]),
                item(ID, &[21, 20, 2]),
                item("••••••••••••", &[22, 20, 2]),
            ],
            (ID, "masked", "missing"),
        ),
        (
            // A table of other clients under a "Client ID" header lists them: none is the account's.
            "activity table with a Client ID column",
            vec![
                cell("Client ID", &[5, 4, 3], 3, 0, 0, true),
                cell("Time", &[6, 4, 3], 3, 0, 1, true),
                cell(ID, &[8, 7, 3], 3, 1, 0, false),
                cell("09:10", &[9, 7, 3], 3, 1, 1, false),
                cell(OTHER, &[11, 10, 3], 3, 2, 0, false),
                cell("09:11", &[12, 10, 3], 3, 2, 1, false),
            ],
            ("unreadable", "missing", "missing"),
        ),
        (
            "a single-record table: its column is the value",
            vec![
                cell("Client ID", &[5, 4, 3], 3, 0, 0, true),
                cell("API key", &[6, 4, 3], 3, 0, 1, true),
                cell(ID, &[8, 7, 3], 3, 1, 0, false),
                cell(KEY, &[9, 7, 3], 3, 1, 1, false),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // Row headers (`th` in a data row) label their row.
            "rows with header cells, a help popover in the label cell",
            vec![
                cell("Client ID", &[5, 4, 3], 3, 0, 0, true),
                marked("?", &[5, 4, 3], &["button"]),
                help(&format!("e.g. {OTHER}"), &[7, 5, 4, 3]),
                cell(ID, &[6, 4, 3], 3, 0, 1, false),
                cell("API key", &[9, 8, 3], 3, 1, 0, true),
                cell(&format!("{KEY} Hide"), &[10, 8, 3], 3, 1, 1, false),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // A bare id in a popover nobody marked, in the label's cell: two ids, neither taken.
            "an unmarked popover with a bare id beside the label",
            vec![
                item("Client ID", &[5, 4, 3]),
                item(OTHER, &[7, 6, 5, 4, 3]),
                item(ID, &[8, 4, 3]),
                item("API key", &[10, 9, 3]),
                item(KEY, &[11, 9, 3]),
            ],
            ("unreadable", KEY, "missing"),
        ),
        (
            // Prefer the field: the input named by the label, whatever text sits beside the label.
            "a read-only field with an example popover beside its label",
            vec![
                item("Client ID", &[11, 10, 2]),
                item(OTHER, &[12, 10, 2]),
                input(ID, &[13, 10, 2], "text", &["Client ID"]),
                item("API key", &[21, 20, 2]),
                input("", &[22, 20, 2], "password", &["API key"]),
            ],
            (ID, "masked", "missing"),
        ),
        (
            "definition list with help inside the term",
            vec![
                item("Client ID", &[3, 2]),
                marked("?", &[3, 2], &["button"]),
                help("Client ID", &[5, 4, 3, 2]),
                help(&format!("Format: {OTHER}"), &[6, 4, 3, 2]),
                item(ID, &[7, 2]),
                item("API key", &[8, 2]),
                item(KEY, &[9, 2]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // Values split into spans for styling, and a link with no gap glued to one.
            "segments",
            vec![
                item("Client ID", &[3, 2]),
                item(
                    &format!("{SEAM}910a2dec{SEAM}-8902-4cc1-beeb-8da1658eec67{SEAM}"),
                    &[4, 2],
                ),
                item("API key:", &[5, 2]),
                item(&format!("{KEY} {SEAM}Hide{SEAM}"), &[6, 2]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // A value shown in a code box is a value; a code sample holding one is not.
            "code box and code sample",
            vec![
                item("Client ID", &[3, 2]),
                marked(ID, &[4, 2], &["pre"]),
                item("API key", &[5, 2]),
                marked(
                    &format!("curl -u {OTHER}:{KEY} https://…"),
                    &[6, 2],
                    &["pre"],
                ),
            ],
            (ID, "missing", "missing"),
        ),
        (
            // Inline code snippets that copy on click: buttons whose label is the value.
            "values shown as buttons, in rows",
            vec![
                item("Client ID:", &[11, 10, 2]),
                marked(ID, &[12, 10, 2], &["button"]),
                item("API key", &[21, 20, 2]),
                marked(KEY, &[22, 20, 2], &["button"]),
            ],
            (ID, KEY, "missing"),
        ),
        (
            // A Client ID is never read as a key, whatever follows its label.
            "the Client ID after a key label",
            vec![
                item("API key", &[3, 2]),
                item("Client ID", &[4, 2]),
                item(ID, &[5, 2]),
            ],
            (ID, "missing", "missing"),
        ),
    ]
}

#[test]
fn reads_each_structure_or_nothing() {
    for (name, items, (id, key, new)) in pages() {
        let got = outcome(&items);
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2.as_str()),
            (id, key, new),
            "{name}"
        );
    }
}
