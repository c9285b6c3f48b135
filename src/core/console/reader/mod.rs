//! Finding the Client ID and the API key in what a page shows, whatever its layout.
//!
//! The content script sends the page as items in document order — runs of text cut where the page
//! starts a new visual block, buttons, and form fields with their accessible names — each with the
//! ids of the blocks around it and a few structural hints (table cell, marks such as `pre` or
//! `help`). Nothing here knows a DOM. Like a password manager's form reader, it collects
//! candidates by several strategies ([`find`]: a field's accessible name, the box a label shares
//! with one value, the value after a label, a column of labels beside a column of values, a
//! single-record table's column, "Label: value" text), checks each against the shape of the thing
//! ([`text`]: a Client ID is a UUID, a key a long random token), drops those in example, help or
//! code-sample context, and answers one value per field, or that the field is masked, or not
//! found. When two different values qualify it says so: a wrong value is worse than none.

mod find;
pub mod text;

pub use text::{
    api_key, client_id, is_invisible, is_mask, label_key, normalize, value_in, Field, Value,
};

use crate::core::console::snapshot::script::MAX_ITEMS;
use crate::core::console::snapshot::Item;
use find::Page;

/// How a value was found, most trusted first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Via {
    /// A form field whose accessible name is the label.
    FieldName,
    /// The one value in the box the label shares with nothing else (a card, a table row, a list
    /// item, a field's wrapper), before or after the label.
    Unit,
    /// A header cell above it in a single-record table.
    Column,
    /// A label and the value after it, in the same row or box.
    Following,
    /// A column of labels beside a column of values, paired in order.
    Parallel,
    /// "Label: value" in one line of text.
    Inline,
}

/// How sure the reader is of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    /// Labelled by markup (a field's name, a table header, its own row or box).
    Labelled,
    /// Found in a line of text ("Client ID: …").
    InText,
}

/// What the reader concluded about one field.
#[derive(Clone, PartialEq, Eq)]
pub enum Found {
    /// One value, at an item (where helpers anchor).
    Value {
        value: String,
        at: usize,
        confidence: Confidence,
    },
    /// A labelled field whose value is masked (a password field, bullets).
    Masked { at: usize },
    /// A labelled field whose value is not of the field's shape ("n/a", a sentence).
    Unreadable { at: usize },
    /// Different values qualify: none is taken.
    Ambiguous,
    /// No label for the field.
    Missing,
}

/// Values may be the key: they never print.
impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Found::Value { at, confidence, .. } => f
                .debug_struct("Value")
                .field("value", &"<redacted>")
                .field("at", at)
                .field("confidence", confidence)
                .finish(),
            Found::Masked { at } => f.debug_struct("Masked").field("at", at).finish(),
            Found::Unreadable { at } => f.debug_struct("Unreadable").field("at", at).finish(),
            Found::Ambiguous => f.write_str("Ambiguous"),
            Found::Missing => f.write_str("Missing"),
        }
    }
}

/// Everything the reader found on a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    pub client_id: Found,
    pub key: Found,
    pub new_key: Found,
    /// A label of another product's credential (a client secret, the SSO REST API's): the page is
    /// not the Directory credential's.
    pub decoy: bool,
    /// Candidates dropped for their context (examples, help, code samples, struck through).
    pub ignored: usize,
}

/// A candidate value for a field.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub field: Field,
    pub value: Value,
    pub at: usize,
    pub via: Via,
    /// In example, help, code-sample or struck-through context.
    pub demoted: bool,
}

/// Reads the credential fields of a page.
pub fn read(items: &[Item]) -> Fields {
    let page = Page::new(&items[..items.len().min(MAX_ITEMS)]);
    let (candidates, decoy) = page.candidates();
    let ignored = candidates.iter().filter(|c| c.demoted).count();
    Fields {
        client_id: one_answer(&candidates, Field::ClientId),
        key: one_answer(&candidates, Field::ApiKey),
        new_key: one_answer(&candidates, Field::NewApiKey),
        decoy,
        ignored,
    }
}

/// Whether a page shows one Client ID-shaped value and a key (or a hidden value) outside code
/// samples and help, whatever labels it has: a credentials page Keyward could not read (in another
/// language, say), which the admin may show it. A page listing ids (a table of users) shows many.
pub fn shows_unlabelled_credential(items: &[Item]) -> bool {
    let page = Page::new(&items[..items.len().min(MAX_ITEMS)]);
    page.shows_unlabelled_credential()
}

/// Every candidate, one line each (values redacted to their first characters), for working on
/// the reader.
#[doc(hidden)]
pub fn debug_candidates(items: &[Item]) -> Vec<String> {
    let page = Page::new(&items[..items.len().min(MAX_ITEMS)]);
    page.candidates()
        .0
        .iter()
        .map(|c| {
            let value = match &c.value {
                Value::Shaped(v) => format!("Shaped({}…)", v.chars().take(8).collect::<String>()),
                other => format!("{other:?}").chars().take(9).collect(),
            };
            format!(
                "{:?} {value} at {} via {:?} demoted {}",
                c.field, c.at, c.via, c.demoted
            )
        })
        .collect()
}

/// One answer for a field from its candidates in good standing: one value, or masked, or — when
/// different values qualify — ambiguous.
fn one_answer(candidates: &[Candidate], field: Field) -> Found {
    let good: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.field == field && !c.demoted)
        .collect();
    let shaped: Vec<(&Candidate, &String)> = good
        .iter()
        .filter_map(|c| match &c.value {
            Value::Shaped(v) => Some((*c, v)),
            _ => None,
        })
        .collect();
    let Some((_, first)) = shaped.first() else {
        return match good.iter().find(|c| c.value == Value::Masked) {
            Some(c) => Found::Masked { at: c.at },
            None => good
                .first()
                .map_or(Found::Missing, |c| Found::Unreadable { at: c.at }),
        };
    };
    if shaped.iter().any(|(_, v)| v != first) {
        return Found::Ambiguous;
    }
    // The most trusted way it was found names the anchor and the confidence.
    let Some((best, value)) = shaped.iter().min_by_key(|(c, _)| c.via) else {
        return Found::Missing;
    };
    Found::Value {
        value: (*value).clone(),
        at: best.at,
        confidence: match best.via {
            Via::Inline => Confidence::InText,
            _ => Confidence::Labelled,
        },
    }
}

#[cfg(test)]
mod tests;
