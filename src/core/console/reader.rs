//! Finding the Client ID and the API key in what a page shows, whatever its layout.
//!
//! The content script sends the page as items in document order — runs of text cut where the page
//! starts a new visual block, and form fields with their accessible names — each with the ids of
//! the blocks around it and a few structural hints (table cell, marks such as `pre` or `del`).
//! Nothing here knows a DOM. Like a password manager's form reader, it collects candidates by
//! several strategies (a "Label: value" line, a label and the value after it in the same row or
//! box, a table column under its header, a field's accessible name), checks each against the shape
//! of the thing (a Client ID is a UUID, a key a long token), drops those in example, help,
//! code-sample or struck-through context, and answers one value per field, or that the field is
//! masked, or not found. When two different values qualify it says so: a wrong value is worse
//! than none.

// The reader works within the content script's own limits: a hostile page (or a forged
// snapshot) cannot make it work harder.
use crate::core::console::page::script::{MAX_ITEMS, MAX_TEXT};
use crate::core::console::page::Item;

/// Which credential field a label names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    ClientId,
    /// The key in force.
    ApiKey,
    /// A renewed key shown before Save (Edit → Renew): not in force yet.
    NewApiKey,
}

/// How a value was found, most trusted first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Via {
    /// A form field whose accessible name is the label.
    FieldName,
    /// A header cell above it in a table column.
    Column,
    /// A label and the value after it, in the same row or box.
    Following,
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

/// How far after a label its value may come (the value box, then copy icons and the like).
const LOOKAHEAD: usize = 6;

/// Text as a person reads it: every kind of space one space, invisible characters (zero-width,
/// bidi controls, soft hyphens) gone, trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars().take(MAX_TEXT) {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Zero-width characters, bidi controls and the soft hyphen: a page can put them inside a label
/// without changing how it looks.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// A label as the reader compares it: normalised, ASCII lower-case (Unicode lower-casing would let
/// a look-alike such as the Kelvin sign pass for `k`), without trailing colons, required-field
/// stars or icon glyphs ("Client ID ⓘ"), and with `-` and `_` read as spaces.
pub fn label_key(text: &str) -> String {
    let text = normalize(text);
    let text = text.trim_end_matches([':', '：', '*', ' ', '\u{2014}', '-']);
    let mut words: Vec<String> = text
        .chars()
        .map(|c| match c {
            '-' | '_' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect::<String>()
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    // A glyph, not a mask: bullets after a label are a hidden value, not decoration.
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| !has_alphanumeric(w) && !is_mask(w))
    {
        words.pop();
    }
    let joined = words.join(" ");
    joined.trim_end_matches([':', '：', '*']).to_string()
}

fn has_alphanumeric(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The value in a value's text: its one token once glyphs around it (a copy icon "⧉", an arrow)
/// are set aside. Text of more than one real token is returned whole, to fail the shapes.
fn value_token(text: &str) -> &str {
    let tokens: Vec<&str> = text.split(' ').filter(|t| has_alphanumeric(t)).collect();
    match tokens.as_slice() {
        [one] => one,
        _ => text,
    }
}

/// The field a label names, if any. Only whole labels count ("Client ID", "API key:", "New API
/// key"); a sentence that mentions one does not.
pub fn field_of(label: &str) -> Option<Field> {
    let words: Vec<&str> = label.split(' ').collect();
    let (qualifier, rest) = match words.as_slice() {
        ["directory", "api", rest @ ..] | ["directory", rest @ ..] | ["your", rest @ ..] => {
            (None, rest)
        }
        [q @ ("new" | "renewed" | "pending" | "generated"), rest @ ..] => (Some(*q), rest),
        [q @ ("current" | "active" | "old" | "previous"), rest @ ..] => (Some(*q), rest),
        rest => (None, rest),
    };
    let field = match rest {
        ["client", "id"] | ["clientid"] | ["api", "client", "id"] => Field::ClientId,
        ["api", "key"] | ["apikey"] | ["key"] => Field::ApiKey,
        _ => return None,
    };
    Some(match (field, qualifier) {
        (Field::ClientId, None) => Field::ClientId,
        // A "new" or "old" Client ID is nothing P14E shows: not a label Keyward trusts.
        (Field::ClientId, Some(_)) => return None,
        (_, Some("new" | "renewed" | "pending" | "generated")) => Field::NewApiKey,
        (_, Some("old" | "previous")) => return None,
        (field, _) => field,
    })
}

/// Labels of other products' credentials, which make a page a decoy: the SSO for SaaS Apps REST
/// API's "Client ID/Secret", OAuth clients' secrets. Label forms only (a few words): a sentence
/// of help that mentions a secret is not one.
fn is_decoy_label(label: &str) -> bool {
    let words = label.split(' ').count();
    (words <= 4 && label.ends_with("secret"))
        || (words <= 5
            && ["rest api", "oauth", "oidc", "saml", "consumer"]
                .iter()
                .any(|p| label.starts_with(p)))
}

/// Words that mark a value as an example rather than the account's own.
const EXAMPLE_WORDS: [&str; 9] = [
    "example",
    "e.g.",
    "eg:",
    "for instance",
    "sample",
    "placeholder",
    "dummy",
    "such as",
    "looks like",
];

fn mentions_example(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    EXAMPLE_WORDS.iter().any(|w| lower.contains(w))
}

/// A short lead-in that introduces what follows as an example ("For example:", "Sample values").
fn example_lead_in(text: &str) -> bool {
    (text.len() <= 40 || text.trim_end().ends_with(':')) && mentions_example(text)
}

/// Marks that put an item out of the running: code samples, asides, help notes, struck-through
/// text (an old value), inserted text is a renewal's (see [`Field::NewApiKey`]) and stays in.
const DEMOTING_MARKS: [&str; 5] = ["pre", "aside", "help", "struck", "example"];

/// A Client ID: the account's UUID, lower-cased; never a placeholder such as all zeros or
/// `12345678-1234-…`.
pub fn client_id(value: &str) -> Option<String> {
    let v = value.trim();
    let parts: Vec<&str> = v.split('-').collect();
    let shaped = parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()));
    if !shaped {
        return None;
    }
    let id = v.to_ascii_lowercase();
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    let distinct = hex
        .chars()
        .filter_map(|c| c.to_digit(16))
        .fold(0u16, |seen, d| seen | 1 << d)
        .count_ones();
    let counting = "0123456789abcdef0123456789abcdef0123456789abcdef";
    let placeholder = distinct < 4 || counting.contains(&hex[..8]) && counting.contains(&hex[20..]);
    (!placeholder).then_some(id)
}

/// An API key: one token of 16 to 128 characters from the alphabets keys are written in (letters,
/// digits, `-._~+/=`), with letters in it; never a mask.
pub fn api_key(value: &str) -> Option<String> {
    let v = value.trim();
    let ok = (16..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && !is_mask(v);
    ok.then(|| v.to_string())
}

/// Bullets, stars or crosses standing in for a hidden value.
pub fn is_mask(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty()
        && v.chars().all(|c| {
            matches!(c, '•' | '●' | '*' | '·' | '∙' | '⁕' | '○' | '◦' | 'x' | 'X')
                || c.is_whitespace()
        })
}

/// What a labelled field holds.
#[derive(Clone, PartialEq, Eq)]
enum Value {
    /// A value of the field's shape.
    Shaped(String),
    Masked,
    /// Something else.
    Unshaped,
}

/// A candidate value for a field.
#[derive(Clone)]
struct Candidate {
    field: Field,
    value: Value,
    at: usize,
    via: Via,
    /// In example, help, code-sample or struck-through context.
    demoted: bool,
}

/// Reads the credential fields of a page.
pub fn read(items: &[Item]) -> Fields {
    let items = &items[..items.len().min(MAX_ITEMS)];
    let texts: Vec<String> = items.iter().map(|i| normalize(&i.text)).collect();
    let labels: Vec<String> = texts.iter().map(|t| label_key(t)).collect();
    let mut candidates = Vec::new();
    let mut decoy = false;
    for (i, item) in items.iter().enumerate() {
        if let Some(input) = &item.input {
            for name in &input.names {
                let name = label_key(name);
                decoy |= is_decoy_label(&name);
                if let Some(field) = field_of(&name) {
                    candidates.extend(shaped(
                        field,
                        &texts[i],
                        input_masked(item),
                        i,
                        Via::FieldName,
                    ));
                }
            }
            continue;
        }
        let label = &labels[i];
        if label.len() <= 40 && is_decoy_label(label) && followed_by_value(items, &texts, i) {
            decoy = true;
        }
        match field_of(label) {
            Some(field) => {
                candidates.extend(following(items, &texts, &labels, i, field));
                candidates.extend(column(items, &texts, i, field));
            }
            None => candidates.extend(inline(&texts[i], i, &mut decoy)),
        }
    }
    for c in &mut candidates {
        c.demoted = demoted(items, &texts, c.at) || label_demoted(items, &texts, c);
    }
    let ignored = candidates.iter().filter(|c| c.demoted).count();
    Fields {
        client_id: decide(&candidates, Field::ClientId),
        key: decide(&candidates, Field::ApiKey),
        new_key: decide(&candidates, Field::NewApiKey),
        decoy,
        ignored,
    }
}

/// A password field, or one showing bullets.
fn input_masked(item: &Item) -> bool {
    item.input
        .as_ref()
        .is_some_and(|i| i.kind.eq_ignore_ascii_case("password"))
        || is_mask(&item.text)
}

/// The candidate for `field` that a labelled value makes: of the field's shape, masked (a key),
/// or neither.
fn shaped(field: Field, value: &str, masked: bool, at: usize, via: Via) -> Option<Candidate> {
    let value = match field {
        Field::ClientId => client_id(value_token(value)).map_or(Value::Unshaped, Value::Shaped),
        Field::ApiKey | Field::NewApiKey if masked => Value::Masked,
        Field::ApiKey | Field::NewApiKey => {
            api_key(value_token(value)).map_or(Value::Unshaped, Value::Shaped)
        }
    };
    Some(Candidate {
        field,
        value,
        at,
        via,
        demoted: false,
    })
}

/// The ids two items' containers share: the nearest common block, as a distance from `a` (0: the
/// same block, 1: sibling blocks in one parent, …).
fn distance(a: &Item, b: &Item) -> Option<usize> {
    a.path
        .iter()
        .position(|id| b.path.contains(id))
        .filter(|_| !a.path.is_empty())
}

/// The value after a label in the same row or box: the first non-empty item within a few, whose
/// nearest common block with the label is the label's own, its parent's or its grandparent's, and
/// before any other label.
fn following(
    items: &[Item],
    texts: &[String],
    labels: &[String],
    at: usize,
    field: Field,
) -> Option<Candidate> {
    let label = &items[at];
    for j in at + 1..(at + 1 + LOOKAHEAD).min(items.len()) {
        let item = &items[j];
        // An empty run is nothing; an empty field (a password field's value is never sent) is one.
        if texts[j].is_empty() && item.input.is_none() {
            continue;
        }
        // Another label ("API key", "Region:") starts another field.
        if item.input.is_none() && (field_of(&labels[j]).is_some() || texts[j].ends_with(':')) {
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
        return shaped(field, &texts[j], input_masked(item), j, Via::Following);
    }
    None
}

/// Whether a label is followed by a value in its row or box (for decoy labels, whose values the
/// reader has no shape for).
fn followed_by_value(items: &[Item], texts: &[String], at: usize) -> bool {
    (at + 1..(at + 1 + LOOKAHEAD).min(items.len()))
        .find(|j| !texts[*j].is_empty())
        .is_some_and(|j| distance(&items[at], &items[j]).is_some_and(|d| d <= 2))
}

/// The value under a header cell (a `th`, or any cell of a table's first row): the first
/// non-empty cell below it in its column.
fn column(items: &[Item], texts: &[String], at: usize, field: Field) -> Option<Candidate> {
    let head = items[at].cell.as_ref().filter(|c| c.head || c.row == 0)?;
    let j = items
        .iter()
        .enumerate()
        .skip(at + 1)
        .find_map(|(j, item)| {
            let cell = item.cell.as_ref()?;
            (cell.table == head.table && cell.col == head.col && cell.row > head.row && !cell.head)
                .then_some(j)
                .filter(|j| !texts[*j].is_empty())
        })?;
    shaped(field, &texts[j], input_masked(&items[j]), j, Via::Column)
}

/// "Client ID: 8c4b…" in one line: a label, a separator, and one token of the field's shape.
fn inline(text: &str, at: usize, decoy: &mut bool) -> Option<Candidate> {
    let (label, rest) = text.split_once([':', '：', '='])?;
    let label = label_key(label);
    if label.len() > 40 {
        return None;
    }
    let value = rest.split_whitespace().next()?;
    if is_decoy_label(&label) {
        *decoy = true;
        return None;
    }
    let field = field_of(&label)?;
    shaped(field, value, is_mask(value), at, Via::Inline)
}

/// An item in a context that says its value is not the account's own: marked by the page
/// (`pre`, `aside`, a help note, struck through) or introduced as an example in its own text or in
/// the text just before it in its box.
fn demoted(items: &[Item], texts: &[String], at: usize) -> bool {
    let item = &items[at];
    if item
        .marks
        .iter()
        .any(|m| DEMOTING_MARKS.contains(&m.as_str()))
    {
        return true;
    }
    if mentions_example(&texts[at]) {
        return true;
    }
    // A lead-in before it in the same box ("For example:"), up to two items back.
    (at.saturating_sub(2)..at)
        .any(|j| example_lead_in(&texts[j]) && distance(&items[j], item).is_some_and(|d| d <= 1))
}

/// A candidate whose label is itself in such a context (the label of a value in a code sample).
fn label_demoted(items: &[Item], texts: &[String], c: &Candidate) -> bool {
    c.via == Via::Following
        && (c.at.saturating_sub(LOOKAHEAD)..c.at)
            .rev()
            .find(|j| field_of(&label_key(&texts[*j])) == Some(c.field))
            .is_some_and(|j| demoted(items, texts, j))
}

/// One answer for a field from its candidates in good standing: one value, or masked, or — when
/// different values qualify — ambiguous.
fn decide(candidates: &[Candidate], field: Field) -> Found {
    let good: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.field == field && !c.demoted)
        .collect();
    let shaped: Vec<&&Candidate> = good
        .iter()
        .filter(|c| matches!(c.value, Value::Shaped(_)))
        .collect();
    let Some(first) = shaped.first() else {
        return match good.iter().find(|c| c.value == Value::Masked) {
            Some(c) => Found::Masked { at: c.at },
            None => good
                .first()
                .map_or(Found::Missing, |c| Found::Unreadable { at: c.at }),
        };
    };
    if shaped.iter().any(|c| c.value != first.value) {
        return Found::Ambiguous;
    }
    // The most trusted way it was found names the anchor and the confidence.
    let best = shaped.iter().min_by_key(|c| c.via).unwrap_or(first);
    let Value::Shaped(value) = &best.value else {
        return Found::Missing;
    };
    Found::Value {
        value: value.clone(),
        at: best.at,
        confidence: match best.via {
            Via::Inline => Confidence::InText,
            _ => Confidence::Labelled,
        },
    }
}
