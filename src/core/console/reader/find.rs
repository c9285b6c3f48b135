//! The strategies that pair a label with its value, over the items of one page. Each looks at
//! structure only (the blocks items share, table cells, order), never at a kit's markup:
//! - a form field named by the label (its accessible name);
//! - the box the label shares with nothing but its value — a card, a table row, a list item, a
//!   field's wrapper — whichever comes first, value or label (a caption under its value);
//! - the value after the label in its row or box (definition lists, grids);
//! - a column of labels beside a column of values, paired in order;
//! - the one data cell under a header cell (a table listing many rows is a list of other things,
//!   not the account's own value);
//! - "Label: value" in one run of text.

use crate::core::console::reader::text::{
    example_lead_in, field_of, is_decoy_label, is_mask, label_key, mentions_example, normalize,
    value_in, Field, Value, SEGMENT,
};
use crate::core::console::reader::{Candidate, Via};
use crate::core::console::snapshot::{Cell, Item};

/// How far after a label its value may come (the value box, then copy icons and the like).
const LOOKAHEAD: usize = 6;
/// Levels above a label where the box it shares with its value may be.
const UNIT_LEVELS: usize = 4;
/// Items a label's box may hold (label, value, a link, a note, copy buttons…): more is a section.
const UNIT_ITEMS: usize = 8;
/// Marks that put an item out of the running: code samples, asides, help notes, struck-through
/// text (an old value). Inserted text is a renewal's and stays in.
const DEMOTING_MARKS: [&str; 4] = ["aside", "help", "struck", "example"];

/// One page's items, read once.
pub(super) struct Page<'a> {
    items: &'a [Item],
    /// Each item's text as a person reads it.
    texts: Vec<String>,
    /// The field each item's text names, as a label (never a field's value or a button).
    fields: Vec<Option<Field>>,
}

impl<'a> Page<'a> {
    pub fn new(items: &'a [Item]) -> Page<'a> {
        let texts: Vec<String> = items.iter().map(|i| normalize(&i.text)).collect();
        let fields = items
            .iter()
            .zip(&texts)
            .map(|(item, text)| {
                (item.input.is_none() && !item.is_button())
                    .then(|| field_of(&label_key(text)))
                    .flatten()
            })
            .collect();
        Page {
            items,
            texts,
            fields,
        }
    }

    /// Every candidate value, and whether a decoy label was seen.
    pub fn candidates(&self) -> (Vec<Candidate>, bool) {
        let mut candidates = Vec::new();
        let mut decoy = false;
        for (i, item) in self.items.iter().enumerate() {
            if let Some(input) = &item.input {
                for name in &input.names {
                    let name = label_key(name);
                    decoy |= is_decoy_label(&name);
                    if let Some(field) = field_of(&name) {
                        candidates.push(self.candidate(field, i, Via::FieldName));
                    }
                }
                continue;
            }
            if item.is_button() {
                continue;
            }
            let label = label_key(&self.texts[i]);
            if label.len() <= 40 && is_decoy_label(&label) && self.followed_by_value(i) {
                decoy = true;
            }
            match self.fields[i] {
                Some(field) => {
                    // A label in a column of labels has its value in the column beside, never
                    // after it (the next item is the first value of the column beside).
                    // And a label whose box holds its value has it there, not in the next box.
                    let parallel = self.parallel(i, field);
                    let unit = match parallel {
                        Parallel::NotAColumn => self.unit(i, field),
                        Parallel::Column(_) => None,
                    };
                    let following = match (&parallel, &unit) {
                        (Parallel::NotAColumn, None) => self.following(i, field),
                        _ => None,
                    };
                    let found = [unit, following, self.column(i, field), parallel.candidate()];
                    for mut c in found.into_iter().flatten() {
                        c.demoted |= c.via != Via::Column && self.demoted(i);
                        candidates.push(c);
                    }
                }
                None => candidates.extend(self.inline(i, &mut decoy)),
            }
        }
        for c in &mut candidates {
            c.demoted |= self.demoted(c.at);
        }
        (candidates, decoy)
    }

    /// See [`super::shows_unlabelled_credential`].
    pub fn shows_unlabelled_credential(&self) -> bool {
        let mut ids = Vec::new();
        let mut key = false;
        for (i, item) in self.items.iter().enumerate() {
            if self.demoted(i) || item.marks.iter().any(|m| m == "pre") {
                continue;
            }
            for word in self.texts[i].split(' ') {
                if let Value::Shaped(id) = value_in(Field::ClientId, word, false) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            let c = self.candidate(Field::ApiKey, i, Via::Inline);
            key |= matches!(c.value, Value::Shaped(_) | Value::Masked);
        }
        ids.len() == 1 && key
    }

    /// The candidate item `at` makes for `field`.
    fn candidate(&self, field: Field, at: usize, via: Via) -> Candidate {
        let item = &self.items[at];
        let masked = item
            .input
            .as_ref()
            .is_some_and(|i| i.kind.eq_ignore_ascii_case("password"))
            || is_mask(&self.texts[at]);
        Candidate {
            field,
            value: value_in(field, &item.text, masked),
            at,
            via,
            demoted: false,
        }
    }

    /// Nothing to read: an empty run, or a button that is not itself a value (a copy button
    /// that shows the value is one).
    fn blank(&self, at: usize, field: Field) -> bool {
        let item = &self.items[at];
        if item.input.is_some() {
            return false;
        }
        self.texts[at].is_empty()
            || (item.is_button() && !matches!(value_in(field, &item.text, false), Value::Shaped(_)))
    }

    /// The items of the block `id` around item `at`: a run of neighbours whose paths hold it.
    fn span(&self, at: usize, id: u32) -> (usize, usize) {
        let holds = |j: usize| self.items[j].path.contains(&id);
        let mut lo = at;
        while lo > 0 && holds(lo - 1) {
            lo -= 1;
        }
        let mut hi = at;
        while hi + 1 < self.items.len() && holds(hi + 1) {
            hi += 1;
        }
        (lo, hi)
    }

    /// A cell of a table row that holds header cells only.
    fn in_header_row(&self, at: usize) -> bool {
        let Some(cell) = &self.items[at].cell else {
            return false;
        };
        cell.head
            && self.items.iter().all(|i| {
                i.cell
                    .as_ref()
                    .is_none_or(|c| c.table != cell.table || c.row != cell.row || c.head)
            })
    }

    /// A form field whose accessible name is a label of `field`.
    fn names(&self, at: usize, field: Field) -> bool {
        self.items[at].input.as_ref().is_some_and(|i| {
            i.names
                .iter()
                .any(|n| field_of(&label_key(n)) == Some(field))
        })
    }

    /// A label of a credential field, as text or as a field's accessible name.
    fn is_label(&self, at: usize) -> bool {
        self.fields[at].is_some()
            || self.items[at]
                .input
                .as_ref()
                .is_some_and(|i| i.names.iter().any(|n| field_of(&label_key(n)).is_some()))
    }

    /// The box the label at `at` shares with its value and nothing else: the nearest block around
    /// it holding more than the label, provided it holds no other credential label and a few
    /// items at most. In it, a form field is the value; else the one text of the field's shape,
    /// which must also be the only one in every larger box up to the one another label shares (a
    /// popover beside the label holding another id makes the field unreadable, never wrong).
    fn unit(&self, at: usize, field: Field) -> Option<Candidate> {
        let item = &self.items[at];
        // A cell of a header row labels a column, not a box.
        if self.in_header_row(at) {
            return None;
        }
        let mut nearest: Option<Vec<usize>> = None;
        let mut around: Vec<usize> = Vec::new();
        for &id in item.path.iter().take(UNIT_LEVELS) {
            let (lo, hi) = self.span(at, id);
            let others: Vec<usize> = (lo..=hi)
                .filter(|&j| j != at && !self.blank(j, field))
                .collect();
            if others.len() >= UNIT_ITEMS {
                break;
            }
            // Help beside the label (a popover, an example, even one that names the field) is
            // neither its value nor another label.
            let others: Vec<usize> = others.into_iter().filter(|&j| !self.demoted(j)).collect();
            // Another label, or a field named for another one (a field of its own is its value).
            if others
                .iter()
                .any(|&j| self.is_label(j) && !self.names(j, field))
            {
                break;
            }
            if !others.is_empty() {
                nearest.get_or_insert_with(|| others.clone());
                around = others;
            }
        }
        let nearest = nearest?;
        let inputs: Vec<usize> = around
            .iter()
            .copied()
            .filter(|&j| self.items[j].input.is_some())
            .collect();
        if let [input] = inputs.as_slice() {
            return Some(self.candidate(field, *input, Via::Unit));
        }
        let shaped = around
            .iter()
            .any(|&j| matches!(self.candidate(field, j, Via::Unit).value, Value::Shaped(_)));
        // Nothing of the field's shape around it: what the nearest box shows says why.
        self.one_value(field, if shaped { &around } else { &nearest }, Via::Unit)
    }

    /// The value one box holds among its items: its one form field, else its one text of the
    /// field's shape (several texts of one value count once), else bullets, else the first text.
    fn one_value(&self, field: Field, items: &[usize], via: Via) -> Option<Candidate> {
        let inputs: Vec<usize> = items
            .iter()
            .copied()
            .filter(|&j| self.items[j].input.is_some())
            .collect();
        if let [input] = inputs.as_slice() {
            return Some(self.candidate(field, *input, via));
        }
        let values: Vec<Candidate> = items
            .iter()
            .map(|&j| self.candidate(field, j, via))
            .collect();
        let shaped: Vec<&Candidate> = values
            .iter()
            .filter(|c| matches!(c.value, Value::Shaped(_)))
            .collect();
        match shaped.as_slice() {
            [] => values
                .iter()
                .find(|c| c.value == Value::Masked)
                .or(values.first())
                .cloned(),
            [first, ..] if shaped.iter().all(|c| c.value == first.value) => Some((*first).clone()),
            [first, ..] => Some(Candidate {
                value: Value::Unshaped,
                ..(*first).clone()
            }),
        }
    }

    /// The value after a label in the same row or box: the first item within a few that holds
    /// something (help notes and examples on the way are passed over), whose nearest common block
    /// with the label is the label's own, its parent's or its grandparent's, and before any other
    /// label.
    fn following(&self, at: usize, field: Field) -> Option<Candidate> {
        let label = &self.items[at];
        let mut seen = 0;
        for j in at + 1..self.items.len() {
            let item = &self.items[j];
            if self.blank(j, field) {
                continue;
            }
            seen += 1;
            if seen > LOOKAHEAD {
                return None;
            }
            // Help on the way (a popover, even one that names the field) is passed over.
            if self.demoted(j) && item.input.is_none() {
                if distance(label, item).is_none_or(|d| d > 2) {
                    return None;
                }
                continue;
            }
            // Another label ("API key", "Region:") starts another field.
            if item.input.is_none() && (self.fields[j].is_some() || self.texts[j].ends_with(':')) {
                return None;
            }
            if distance(label, item).is_none_or(|d| d > 2) {
                return None;
            }
            // A table's cells: the value is in the label's own row.
            if let (Some(a), Some(b)) = (&label.cell, &item.cell) {
                if a.table != b.table || a.row != b.row {
                    return None;
                }
            }
            return Some(self.candidate(field, j, Via::Following));
        }
        None
    }

    /// Whether a label is followed by a value in its row or box (for decoy labels, whose values the
    /// reader has no shape for).
    fn followed_by_value(&self, at: usize) -> bool {
        (at + 1..(at + 1 + LOOKAHEAD).min(self.items.len()))
            .find(|j| !self.texts[*j].is_empty())
            .is_some_and(|j| distance(&self.items[at], &self.items[j]).is_some_and(|d| d <= 2))
    }

    /// The value under a header cell (a `th`, or any cell of a table's first row), when the
    /// column holds one value: a table of many rows under "Client ID" lists other clients.
    fn column(&self, at: usize, field: Field) -> Option<Candidate> {
        let head = self.items[at]
            .cell
            .as_ref()
            .filter(|c| c.head || c.row == 0)?;
        let below = |cell: &Cell| {
            cell.table == head.table && cell.col == head.col && cell.row > head.row && !cell.head
        };
        let cells: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .skip(at + 1)
            .filter(|(j, item)| item.cell.as_ref().is_some_and(below) && !self.texts[*j].is_empty())
            .map(|(j, _)| j)
            .collect();
        let rows = |j: &usize| self.items[*j].cell.as_ref().map(|c| c.row);
        let first = *cells.first()?;
        cells
            .iter()
            .all(|j| rows(j) == rows(&first))
            .then(|| self.candidate(field, first, Via::Column))
    }

    /// Labels stacked in one block and values stacked in the block beside it, as many of each:
    /// the n-th label's value is the n-th value.
    fn parallel(&self, at: usize, field: Field) -> Parallel {
        let path = &self.items[at].path;
        for (level, &id) in path.iter().enumerate().take(UNIT_LEVELS) {
            let (lo, hi) = self.span(at, id);
            // Buttons are no labels; one that shows a value is no label either.
            let present: Vec<usize> = (lo..=hi)
                .filter(|&j| !self.blank(j, Field::ClientId) || !self.blank(j, Field::ApiKey))
                .collect();
            // What a label's own box holds inside it (a popover beside its text) is the label's.
            let in_label = |j: usize| {
                (lo..j).any(|l| {
                    self.fields[l].is_some()
                        && self.items[l].path.first().is_some_and(|own| {
                            self.items[j].path.iter().skip(1).any(|id| id == own)
                        })
                })
            };
            if present
                .iter()
                .any(|&j| self.fields[j].is_none() && !self.demoted(j) && !in_label(j))
            {
                return Parallel::NotAColumn;
            }
            // Help beside a label (a popover that names the field too) is no label of the column.
            let labels: Vec<usize> = present
                .iter()
                .copied()
                .filter(|&j| self.fields[j].is_some() && !self.demoted(j))
                .collect();
            if labels.len() < 2 {
                continue;
            }
            return Parallel::Column(self.beside(at, level, hi, &labels, field));
        }
        Parallel::NotAColumn
    }

    /// The value beside the label at `at` in a column of `labels` that ends at item `hi`, its
    /// block `level`s above the label: the block after it in the same parent, holding as many
    /// values (a value is a block of the column, or a text directly in it).
    fn beside(
        &self,
        at: usize,
        level: usize,
        hi: usize,
        labels: &[usize],
        field: Field,
    ) -> Option<Candidate> {
        let parent = *self.items[at].path.get(level + 1)?;
        let start = hi + 1;
        let next = self.items.get(start)?;
        let pos = next.path.iter().position(|id| *id == parent)?;
        let column = *next.path.get(pos.checked_sub(1)?)?;
        let (lo, hi) = self.span(start, column);
        // The column's values, grouped by the block of the column each is in.
        let mut groups: Vec<(Option<u32>, Vec<usize>)> = Vec::new();
        for j in (lo..=hi).filter(|&j| !self.blank(j, field) && !self.demoted(j)) {
            let path = &self.items[j].path;
            let row = path
                .iter()
                .position(|id| *id == column)
                .and_then(|p| p.checked_sub(1))
                .map(|p| path[p]);
            match groups.last_mut() {
                Some((last, members)) if row.is_some() && *last == row => members.push(j),
                _ => groups.push((row, vec![j])),
            }
        }
        if groups.len() != labels.len() {
            return None;
        }
        let nth = labels.iter().position(|&j| j == at)?;
        self.one_value(field, &groups[nth].1, Via::Parallel)
    }

    /// "Client ID: 8c4b…" in one line: a label, a separator, and one word of the field's shape.
    fn inline(&self, at: usize, decoy: &mut bool) -> Option<Candidate> {
        let raw = &self.items[at].text;
        let (label, rest) = raw.split_once([':', '：', '='])?;
        let label = label_key(label);
        if label.len() > 40 {
            return None;
        }
        let value = rest
            .split_whitespace()
            .find(|w| w.chars().any(|c| c != SEGMENT))?;
        if is_decoy_label(&label) {
            *decoy = true;
            return None;
        }
        let field = field_of(&label)?;
        Some(Candidate {
            field,
            value: value_in(field, value, is_mask(value)),
            at,
            via: Via::Inline,
            demoted: false,
        })
    }

    /// An item in a context that says its value is not the account's own: marked by the page (an
    /// aside, a help note, struck through; a code sample, unless the code is one word — a value
    /// shown in a code box), or introduced as an example in its own text or in the text just
    /// before it in its box.
    fn demoted(&self, at: usize) -> bool {
        let item = &self.items[at];
        let text = &self.texts[at];
        if item
            .marks
            .iter()
            .any(|m| DEMOTING_MARKS.contains(&m.as_str()))
        {
            return true;
        }
        if item.marks.iter().any(|m| m == "pre") && text.split(' ').count() > 1 {
            return true;
        }
        if mentions_example(text) {
            return true;
        }
        (at.saturating_sub(2)..at).any(|j| {
            example_lead_in(&self.texts[j])
                && distance(&self.items[j], item).is_some_and(|d| d <= 1)
        })
    }
}

/// Whether a label stands in a column of labels, and the value beside it if one is.
enum Parallel {
    NotAColumn,
    Column(Option<Candidate>),
}

impl Parallel {
    fn candidate(self) -> Option<Candidate> {
        match self {
            Parallel::Column(c) => c,
            Parallel::NotAColumn => None,
        }
    }
}

/// The ids two items' containers share: the nearest common block, as a distance from `a` (0: the
/// same block, 1: sibling blocks in one parent, …).
fn distance(a: &Item, b: &Item) -> Option<usize> {
    a.path
        .iter()
        .position(|id| b.path.contains(id))
        .filter(|_| !a.path.is_empty())
}
