//! The snapshot a content script sends of a console page: its glance (heading, text, address,
//! title), the items of a full read in document order, and the limits both sides apply, written
//! once here. Below the reader and the page classifier, which both read it.

use serde::{Deserialize, Serialize};

/// What the content script reads and how often, written once here: the build writes these numbers
/// into `extension/content.js` (plain JS cannot import them), and the reader applies the same
/// limits to whatever a page sends.
pub mod script {
    /// Text runs and inputs a full read collects at most.
    pub const MAX_ITEMS: usize = 2_000;
    /// Nodes a read visits at most (a hostile page cannot make it work hard).
    pub const MAX_NODES: usize = 20_000;
    /// Levels of structure kept per item.
    pub const MAX_PATH: usize = 12;
    /// Characters kept of one text run, label or value.
    pub const MAX_TEXT: usize = 512;
    /// Characters of the page's text a glance sends.
    pub const MAX_PAGE_TEXT: usize = 65_536;
    /// Headings a read sends (and the worker reads) at most.
    pub const MAX_HEADINGS: usize = 50;
    /// Buttons a read sends (and the worker reads) at most.
    pub const MAX_BUTTONS: usize = 100;
    /// Characters of a clicked button's label, and of a page's name, kept.
    pub const MAX_LABEL: usize = 80;
    /// Steps of a locator (an element's place in the page) at most.
    pub const MAX_STEPS: usize = 128;
    /// Quiet time after a DOM change before the page is read again.
    pub const DEBOUNCE_MS: u64 = 120;
    /// A page whose text alone keeps changing is glanced at no more often than this.
    pub const TEXT_ONLY_MS: u64 = 1_000;
}

/// What the content script saw. Every field is optional so odd pages still decode. Its `Debug`
/// shows the page's address and the shape of what it read, never its text (the key is in it).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    pub url: String,
    pub title: String,
    pub headings: Vec<String>,
    pub buttons: Vec<String>,
    /// What the page shows, in document order (a full read; empty in a glance).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// The page's text (its body's `textContent`, and its same-origin frames'), cut at the content
    /// script's limit.
    pub text: String,
    /// `text` was cut short.
    pub text_truncated: bool,
    /// Only a glance: the content script read no buttons and no items.
    pub glance: bool,
}

/// One piece of what a page shows: a run of text (the text of a block up to the next block inside
/// it, inline elements and all) or a form field's value.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Item {
    pub text: String,
    /// Ids of the blocks around it, nearest first (a few): items that share one share a box.
    pub path: Vec<u32>,
    /// The nearest block's tag, lower-case (`td`, `dt`, `label`, `div`…).
    pub tag: String,
    /// A table cell: which table, row and column, and whether it is a header cell.
    pub cell: Option<Cell>,
    /// A form field: its type and accessible names.
    pub input: Option<Input>,
    /// Where it sits: `pre` (a code sample), `aside`, `help`, `struck`, `inserted`, `frame`,
    /// `shadow`; what it is: `button` (its text is the button's label), `heading` (it names what
    /// is shown: a heading, a dialog's title, the selected tab), `located` (what a taught layout's
    /// locator found, after the page's items: the Client ID's place, then the key's; with
    /// `missing` when nothing is there). Unknown marks are ignored.
    pub marks: Vec<String>,
}

impl Item {
    pub(crate) fn marked(&self, mark: &str) -> bool {
        self.marks.iter().any(|m| m == mark)
    }

    /// A button's label.
    pub fn is_button(&self) -> bool {
        self.marked("button")
    }

    /// What a taught layout's locator found (see `marks`).
    pub fn is_located(&self) -> bool {
        self.marked("located")
    }

    /// A heading, a dialog's title or the selected tab: a name of what the page shows.
    pub fn is_heading(&self) -> bool {
        self.marked("heading") || matches!(self.tag.as_str(), "h1" | "h2" | "h3" | "h4")
    }
}

/// Where a table cell is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cell {
    pub table: u32,
    pub row: u32,
    pub col: u32,
    /// A header cell (`th`, or a cell of `thead`).
    pub head: bool,
}

/// A form field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Input {
    /// Its `type` (`text`, `password`…), lower-case.
    pub kind: String,
    /// Its accessible names, in the order a screen reader would take them: `aria-labelledby`,
    /// `aria-label`, `<label for>`, a wrapping `<label>`, `title`, `placeholder`.
    pub names: Vec<String>,
}

/// Page text in a `Debug` line: its length only, so no log line can show a key that was in it.
struct Redacted<'a>(&'a str);

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} chars>", self.0.chars().count())
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn redacted(texts: &[String]) -> Vec<Redacted<'_>> {
            texts.iter().map(|t| Redacted(t)).collect()
        }
        f.debug_struct("Snapshot")
            .field("url", &self.url)
            .field("title", &Redacted(&self.title))
            .field("headings", &redacted(&self.headings))
            .field("buttons", &redacted(&self.buttons))
            .field("items", &self.items)
            .field("text", &Redacted(&self.text))
            .field("text_truncated", &self.text_truncated)
            .field("glance", &self.glance)
            .finish()
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Item")
            .field("text", &Redacted(&self.text))
            .field("path", &self.path)
            .field("tag", &self.tag)
            .field("cell", &self.cell)
            .field("input", &self.input)
            .field("marks", &self.marks)
            .finish()
    }
}

/// Label and value rows as the items a content script sends for them (each row its own block; a
/// value with an input type is a form field): for tests and fixtures, which describe pages so.
pub fn row_items(rows: &[(&str, &str, Option<&str>)]) -> Vec<Item> {
    rows.iter()
        .enumerate()
        .flat_map(|(i, (label, value, input))| {
            let row = vec![1_000 + i as u32];
            let label = Item {
                text: label.to_string(),
                path: row.clone(),
                tag: "span".into(),
                ..Item::default()
            };
            let value = Item {
                text: value.to_string(),
                path: row,
                tag: "span".into(),
                input: input.map(|kind| Input {
                    kind: kind.to_ascii_lowercase(),
                    names: Vec::new(),
                }),
                ..Item::default()
            };
            [label, value]
        })
        .collect()
}
