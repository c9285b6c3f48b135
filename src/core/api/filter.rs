//! Building SCIM 1.1 filters from user input, safely.
//!
//! User text only ever becomes a quoted string literal, with `"` and `\` escaped, so no input can
//! change a filter's structure (close the quote, add `or`, open a parenthesis). Attribute paths come
//! from our own constants, never from input.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// `attr op "literal"`.
    Compare(&'static str, Op, String),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

/// The string operators Keyward uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Co,
    Sw,
}

impl Filter {
    pub fn eq(attr: &'static str, value: &str) -> Filter {
        Filter::Compare(attr, Op::Eq, value.to_string())
    }
    pub fn co(attr: &'static str, value: &str) -> Filter {
        Filter::Compare(attr, Op::Co, value.to_string())
    }
    pub fn sw(attr: &'static str, value: &str) -> Filter {
        Filter::Compare(attr, Op::Sw, value.to_string())
    }
    pub fn and(self, other: Filter) -> Filter {
        Filter::And(Box::new(self), Box::new(other))
    }
    pub fn or(self, other: Filter) -> Filter {
        Filter::Or(Box::new(self), Box::new(other))
    }
}

/// Quotes a literal: `"` and `\` are escaped, control characters become `\uXXXX`.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare(attr, op, value) => {
                let op = match op {
                    Op::Eq => "eq",
                    Op::Co => "co",
                    Op::Sw => "sw",
                };
                write!(f, "{attr} {op} {}", quote(value))
            }
            // Parenthesised always: the reader never has to know SCIM's precedence.
            Filter::And(a, b) => write!(f, "({a}) and ({b})"),
            Filter::Or(a, b) => write!(f, "({a}) or ({b})"),
        }
    }
}

/// What a popup search looks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    #[default]
    Users,
    Groups,
}

/// The search text as Keyward sends it: a double quote, a backslash or a control character (a
/// pasted tab) becomes a space. A filter value can carry them only JSON-escaped, and whether P14E's
/// parser takes escapes is undocumented (a strict one answers 400); the rest of the text is searched.
pub fn searchable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Whether [`searchable`] changes `text` (the results then say so).
pub fn loses_characters(text: &str) -> bool {
    searchable(text) != text
}

/// Words of a search that narrow it, at most: a filter stays a few hundred bytes whatever is typed.
const MAX_WORDS: usize = 4;

/// Letters with the accented forms names carry, listed once: a typed word is read without its
/// accents through it, and spelled with one accent through it.
const ACCENTED: [(char, &str); 20] = [
    ('a', "áàâäãåā"),
    ('c', "çčć"),
    ('e', "éèêëēėę"),
    ('i', "íìîïī"),
    ('n', "ñń"),
    ('o', "óòôöõøō"),
    ('s', "šś"),
    ('u', "úùûüū"),
    ('y', "ýÿ"),
    ('z', "žźż"),
    ('A', "ÁÀÂÄÃÅĀ"),
    ('C', "ÇČĆ"),
    ('E', "ÉÈÊËĒĖĘ"),
    ('I', "ÍÌÎÏĪ"),
    ('N', "ÑŃ"),
    ('O', "ÓÒÔÖÕØŌ"),
    ('S', "ŠŚ"),
    ('U', "ÚÙÛÜŪ"),
    ('Y', "ÝŸ"),
    ('Z', "ŽŹŻ"),
];

/// How many spellings of its words a search sends, at most (a filter stays a few KB).
const MAX_SPELLINGS: usize = 24;

/// A letter without its accent (itself when it has none, or one this table does not know).
fn unaccented(c: char) -> char {
    ACCENTED
        .iter()
        .find(|(_, forms)| forms.contains(c))
        .map_or(c, |(base, _)| *base)
}

/// The spellings a name word is searched by: as typed, without its accents, and — P14E compares
/// accents exactly — with one accent on any letter that may carry one, so "Siobhan" finds
/// "Siobhán" and "Siobhán" finds "Siobhan". At most `budget` of them beyond the first.
fn spellings(word: &str, budget: &mut usize) -> Vec<String> {
    let plain: String = word.chars().map(unaccented).collect();
    let mut out = vec![word.to_string()];
    if plain != word && *budget > 0 {
        out.push(plain.clone());
        *budget -= 1;
    }
    for (at, c) in plain.char_indices() {
        let Some((_, forms)) = ACCENTED.iter().find(|(base, _)| *base == c) else {
            continue;
        };
        for form in forms.chars() {
            if *budget == 0 {
                return out;
            }
            let spelled = format!("{}{form}{}", &plain[..at], &plain[at + c.len_utf8()..]);
            if !out.contains(&spelled) {
                out.push(spelled);
                *budget -= 1;
            }
        }
    }
    out
}

/// The filter for a search box's text: users by userName, email, given or family name; groups by
/// displayName. `None` for blank input (list without a filter instead).
///
/// Real P14E users carry `name.givenName` and `name.familyName` (not `name.formatted`), so each
/// word typed must start the userName or one of those names, or be in an email: "Sam Tester",
/// "Tester" and "sam.t" all find Sam Tester, and each further word narrows. The whole text may also
/// start a userName or be in an email as typed (a userName with a space in it is still found).
pub fn search(kind: SearchKind, text: &str) -> Option<Filter> {
    let cleaned = searchable(text);
    let text = cleaned.trim();
    if text.is_empty() {
        return None;
    }
    if kind == SearchKind::Groups {
        return Some(Filter::co("displayName", text));
    }
    // "Mensah, James" is two words, as a directory lists names: a comma separates them too.
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .collect();
    let mut budget = MAX_SPELLINGS;
    let mut word = |w: &str| {
        let names = spellings(w, &mut budget)
            .into_iter()
            .map(|w| Filter::sw("name.givenName", &w).or(Filter::sw("name.familyName", &w)))
            .reduce(Filter::or);
        let found = Filter::sw("userName", w).or(Filter::co("emails", w));
        match names {
            Some(names) => found.or(names),
            None => found,
        }
    };
    Some(match words.as_slice() {
        [one] if *one == text => word(text),
        _ => {
            let all = words
                .iter()
                .map(|w| word(w))
                .reduce(Filter::and)
                .unwrap_or_else(|| word(text));
            Filter::sw("userName", text)
                .or(Filter::co("emails", text))
                .or(all)
        }
    })
}

/// The simplest filter a server refusing [`search`]'s compound form may still take: the userName
/// starts with the text as typed.
pub fn simple_search(kind: SearchKind, text: &str) -> Option<Filter> {
    let cleaned = searchable(text);
    let text = cleaned.trim();
    if text.is_empty() {
        return None;
    }
    Some(match kind {
        SearchKind::Users => Filter::sw("userName", text),
        SearchKind::Groups => Filter::co("displayName", text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped() {
        let cases = [
            ("marcher", r#"userName eq "marcher""#),
            (r#"a"b"#, r#"userName eq "a\"b""#),
            (r"a\b", r#"userName eq "a\\b""#),
            (
                r#"x" or userName pr or "y"#,
                r#"userName eq "x\" or userName pr or \"y""#,
            ),
            ("tab\there", r#"userName eq "tab\u0009here""#),
            ("Zoë 山田", r#"userName eq "Zoë 山田""#),
        ];
        for (input, expected) in cases {
            assert_eq!(Filter::eq("userName", input).to_string(), expected);
        }
    }

    #[test]
    fn text_a_filter_cannot_carry_safely_is_searched_without_it() {
        let typed = "O\"Neil\\x";
        assert!(loses_characters(typed) && loses_characters("Sam\tTester"));
        assert!(!loses_characters(" Siobhán Mensah "));
        let sent = search(SearchKind::Users, typed).map(|f| f.to_string());
        let sent = sent.unwrap_or_default();
        assert!(!sent.contains('\\'), "no escape is sent: {sent}");
        assert!(sent.contains(r#"(name.familyName sw "Neil")"#), "{sent}");
        assert_eq!(
            simple_search(SearchKind::Groups, "a\tb\"").map(|f| f.to_string()),
            Some(r#"displayName co "a b""#.to_string())
        );
    }

    #[test]
    fn last_comma_first_is_two_words() {
        let sent = search(SearchKind::Users, "Mensah, James").map(|f| f.to_string());
        let sent = sent.unwrap_or_default();
        assert!(sent.contains(r#"(name.familyName sw "Mensah")"#), "{sent}");
        assert!(sent.contains(r#"(name.givenName sw "James")"#), "{sent}");
        assert!(!sent.contains(r#"sw "Mensah,""#), "{sent}");
    }

    #[test]
    fn searches() {
        assert_eq!(search(SearchKind::Users, "  "), None);
        assert_eq!(
            search(SearchKind::Users, "drk")
                .map(|f| f.to_string())
                .as_deref(),
            Some(
                r#"((userName sw "drk") or (emails co "drk")) or ((name.givenName sw "drk") or (name.familyName sw "drk"))"#
            )
        );
        let two = search(SearchKind::Users, " Sam  Tester ")
            .map(|f| f.to_string())
            .unwrap_or_default();
        assert!(
            two.starts_with(r#"((userName sw "Sam  Tester") or (emails co "Sam  Tester")) or (("#),
            "{two}"
        );
        assert!(two.contains(r#"(name.givenName sw "Sam")"#), "{two}");
        assert!(two.contains(r#"(name.familyName sw "Tester")"#), "{two}");
        assert!(!two.contains("formatted"), "{two}");
        let many = search(SearchKind::Users, "a b c d e f g h").map(|f| f.to_string());
        assert!(
            !many.unwrap_or_default().contains(r#"sw "e""#),
            "at most four words narrow"
        );
        assert_eq!(
            simple_search(SearchKind::Users, " Sam Tester ").map(|f| f.to_string()),
            Some(r#"userName sw "Sam Tester""#.to_string())
        );
        assert_eq!(
            search(SearchKind::Groups, "dev")
                .map(|f| f.to_string())
                .as_deref(),
            Some(r#"displayName co "dev""#)
        );
    }

    #[test]
    fn names_are_found_whatever_their_accents() {
        let sent = |text: &str| {
            search(SearchKind::Users, text)
                .map(|f| f.to_string())
                .unwrap_or_default()
        };
        // Typed without the accent the name carries, and with an accent typed that it lacks.
        assert!(sent("Siobhan").contains(r#"(name.givenName sw "Siobhán")"#));
        assert!(sent("Siobhán").contains(r#"(name.givenName sw "Siobhan")"#));
        assert!(sent("amelie").contains(r#"(name.givenName sw "amélie")"#));
        assert!(sent("ZOE").contains(r#"(name.familyName sw "ZOË")"#));
        // Other alphabets are searched as typed.
        assert!(sent("山田").contains(r#"(name.familyName sw "山田")"#));
        // Bounded, whatever is typed: a filter stays a few KB.
        let long = sent("aaaaaaaaaaaa eeeeeeeeeeee iiiiiiiiiii ooooooooooo");
        assert_eq!(long.matches("name.givenName sw").count(), 4 + MAX_SPELLINGS);
        assert!(long.len() < 4_000, "{} bytes", long.len());
        let mut budget = 1_000;
        assert_eq!(spellings("drk", &mut budget), ["drk"]);
        assert_eq!(budget, 1_000);
    }
}
