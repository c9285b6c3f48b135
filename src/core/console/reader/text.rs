//! The words of a page as the reader compares them: text as a person reads it, labels and the field
//! each names, the shapes of a Client ID and an API key, and the one value a value's text holds.
//!
//! The content script marks where an inline element starts or ends with U+001F when the page
//! leaves no visible gap there (a gap becomes a space): a value split into spans for styling is
//! one word, and "KEY" beside a "Hide" link with a margin between them is two.

use crate::core::console::snapshot::script::MAX_TEXT;

/// Which credential field a label names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    ClientId,
    /// The key in force.
    ApiKey,
    /// A renewed key shown before Save (Edit → Renew): not in force yet.
    NewApiKey,
}

/// Where the content script saw an inline element start or end with no gap between.
pub const SEGMENT: char = '\u{1f}';

/// Zero-width characters, bidi controls, the soft hyphen and the content script's segment mark: a
/// page can put the others inside a label without changing how it looks.
pub fn is_invisible(c: char) -> bool {
    matches!(c, SEGMENT | '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Text as a person reads it: every kind of space one space, invisible characters gone, trimmed.
pub fn normalize(text: &str) -> String {
    squeeze(text, false)
}

/// Like [`normalize`], but keeping the segment marks (for reading values).
fn squeeze(text: &str, keep_segments: bool) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars().take(MAX_TEXT) {
        if is_invisible(c) && !(keep_segments && c == SEGMENT) {
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
pub fn is_decoy_label(label: &str) -> bool {
    let words = label.split(' ').count();
    (words <= 4 && label.ends_with("secret"))
        || (words <= 5
            && ["rest api", "oauth", "oidc", "saml", "consumer"]
                .iter()
                .any(|p| label.starts_with(p)))
}

/// Words that mark a value as an example rather than the account's own.
const EXAMPLE_WORDS: [&str; 10] = [
    "example",
    "e.g.",
    "eg:",
    "for instance",
    "sample",
    "placeholder",
    "dummy",
    "such as",
    "looks like",
    "format:",
];

/// Whether a text introduces an example. Words count whole, and not inside an address
/// ("jane@acme.example" mentions no example).
pub fn mentions_example(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let joins = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'@';
    EXAMPLE_WORDS.iter().any(|w| {
        lower.match_indices(w).any(|(at, _)| {
            let end = at + w.len();
            // A word ending in punctuation ("e.g.") stands on its own.
            let whole_end = !w.ends_with(|c: char| c.is_ascii_alphabetic())
                || bytes.get(end).is_none_or(|b| !joins(*b));
            (at == 0 || !joins(bytes[at - 1])) && whole_end
        })
    })
}

/// A short lead-in that introduces what follows as an example ("For example:", "Sample values").
pub fn example_lead_in(text: &str) -> bool {
    (text.len() <= 40 || text.trim_end().ends_with(':')) && mentions_example(text)
}

/// Whether a token is written as a UUID (8-4-4-4-12 hex digits).
fn uuid_shaped(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Client ID: the account's UUID, lower-cased; never a placeholder such as all zeros or
/// `12345678-1234-…`.
pub fn client_id(value: &str) -> Option<String> {
    let v = value.trim();
    if !uuid_shaped(v) {
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
/// digits, `-._~+/=`), random-looking (a digit in it, or letters of both cases: a long English
/// word is no key), never a mask, and never a UUID (that is a Client ID's shape: a page's Client
/// ID is never taken for its key).
pub fn api_key(value: &str) -> Option<String> {
    let v = value.trim();
    if uuid_shaped(v) {
        return None;
    }
    let has = |f: fn(&u8) -> bool| v.bytes().any(|b| f(&b));
    let ok = (16..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
        && has(u8::is_ascii_alphabetic)
        && (has(u8::is_ascii_digit)
            || (has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase)))
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

/// What a value's text holds for a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A value of the field's shape.
    Shaped(String),
    Masked,
    /// Something else: no value of the field's shape, or more than one.
    Unshaped,
}

/// Words a value's text may hold at most: a value, a "Show" link, a note of when it was made.
/// More is a sentence, which is no field's value.
const VALUE_WORDS: usize = 12;

/// The value of `field` in a value's text: the one word of its shape, or of the one word a run of
/// segments makes (a value split into spans), once glyphs such as a copy icon are set aside;
/// bullets when no word has the shape and one is a mask.
pub fn value_in(field: Field, text: &str, masked: bool) -> Value {
    let shape = |w: &str| match field {
        Field::ClientId => client_id(w),
        Field::ApiKey | Field::NewApiKey => api_key(w),
    };
    let text = squeeze(text, true);
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    if masked && field != Field::ClientId {
        return Value::Masked;
    }
    let mut found: Vec<String> = Vec::new();
    let mut note = |v: String| {
        if !found.contains(&v) {
            found.push(v);
        }
    };
    // A glyph glued to a value ("⧉", "→") is no part of it.
    let bare = |w: &str| -> String {
        w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && !"-._~+/=".contains(c))
            .to_string()
    };
    for word in &words {
        // A word the page split into spans is read whole; only when the whole is no value may one
        // of its pieces be (a value with a note glued to it).
        let joined: String = word.chars().filter(|c| *c != SEGMENT).collect();
        if let Some(v) = shape(&bare(&joined)) {
            note(v);
            continue;
        }
        for part in word.split(SEGMENT) {
            if let Some(v) = shape(&bare(part)) {
                note(v);
            }
        }
    }
    // Glyphs and seams are no words.
    let wordy = words.iter().filter(|w| has_alphanumeric(w)).count();
    match found.as_slice() {
        [one] if wordy <= VALUE_WORDS => Value::Shaped(one.clone()),
        [] if field != Field::ClientId
            && words.iter().any(|w| {
                let w: String = w.chars().filter(|c| *c != SEGMENT).collect();
                w.chars().count() >= 3 && is_mask(&w)
            }) =>
        {
            Value::Masked
        }
        _ => Value::Unshaped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "910a2dec-8902-4cc1-beeb-8da1658eec67";
    const KEY: &str = "ypXgXhWmbuoCGLzxQiqkDEVP9ZTmIs";

    #[test]
    fn a_value_is_the_one_word_of_its_shape() {
        let s = SEGMENT;
        let cases: Vec<(Field, String, Value)> = vec![
            (Field::ApiKey, KEY.into(), Value::Shaped(KEY.into())),
            (Field::ApiKey, format!("{KEY} Hide"), Value::Shaped(KEY.into())),
            (Field::ApiKey, format!("{s}{KEY}{s} (generated Mar 14, 2024 by jane.doe@acme.example)"), Value::Shaped(KEY.into())),
            // A piece that has no gap to the next reads as one word with it, as a person reads it.
            (Field::ApiKey, format!("{KEY}{s}Hide{s}"), Value::Shaped(format!("{KEY}Hide"))),
            (Field::ApiKey, format!("{}{s}{s}{}", &KEY[..18], &KEY[18..]), Value::Shaped(KEY.into())),
            // A value with a note glued to it that makes the whole no value.
            (Field::ClientId, format!("{ID}{s}(generated){s}"), Value::Shaped(ID.into())),
            // A value split into spans for styling is one word.
            (Field::ClientId, format!("{s}910a2dec{s}-8902-{s}4cc1-beeb-8da1658eec67{s}"), Value::Shaped(ID.into())),
            (Field::ClientId, format!("{ID} ⧉"), Value::Shaped(ID.into())),
            (Field::ClientId, format!("{ID} {}", ID.replace('9', "8")), Value::Unshaped),
            (Field::ApiKey, "•••••••••••• Show".into(), Value::Masked),
            (Field::ApiKey, format!("••••••••••••{s} Show {s}"), Value::Masked),
            (Field::ClientId, "not a uuid".into(), Value::Unshaped),
            (Field::ApiKey, format!("Paste {KEY} into every integration that calls the Directory API on behalf of this account"), Value::Unshaped),
            // Long words are not keys; random ones are.
            (Field::ApiKey, "internationalization".into(), Value::Unshaped),
            // A Client ID is never a key.
            (Field::ApiKey, ID.into(), Value::Unshaped),
            (Field::ApiKey, "Internationalization".into(), Value::Shaped("Internationalization".into())),
        ];
        for (field, text, want) in cases {
            assert_eq!(value_in(field, &text, false), want, "{field:?} {text:?}");
        }
    }

    #[test]
    fn examples_are_introduced_by_whole_words() {
        for (text, example) in [
            ("For example: 8c4b…", true),
            ("e.g. 8c4b…", true),
            ("Sample values", true),
            ("(generated by jane.doe@acme.example)", false),
            ("see docs.example.com", false),
            ("counterexample", false),
            ("Format: xxxxxxxx-xxxx", true),
        ] {
            assert_eq!(mentions_example(text), example, "{text}");
        }
    }

    #[test]
    fn labels_read_through_segments_and_invisible_characters() {
        assert_eq!(
            label_key(&format!("Cli{SEGMENT}ent{SEGMENT} ID:")),
            "client id"
        );
        assert_eq!(
            field_of(&label_key("Directory API Client ID *")),
            Some(Field::ClientId)
        );
        assert_eq!(
            field_of(&label_key("New\u{200b} API Key")),
            Some(Field::NewApiKey)
        );
        assert_eq!(field_of(&label_key("Client secret")), None);
        assert!(is_decoy_label(&label_key("REST API Client Secret")));
    }
}
