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

/// The filter for a search box's text: users by userName, email or name; groups by displayName.
/// `None` for blank input (list without a filter instead).
pub fn search(kind: SearchKind, text: &str) -> Option<Filter> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(match kind {
        SearchKind::Users => Filter::sw("userName", text)
            .or(Filter::co("emails", text))
            .or(Filter::co("name.formatted", text)),
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
    fn searches() {
        assert_eq!(search(SearchKind::Users, "  "), None);
        assert_eq!(
            search(SearchKind::Users, "mer")
                .map(|f| f.to_string())
                .as_deref(),
            Some(r#"((userName sw "mer") or (emails co "mer")) or (name.formatted co "mer")"#)
        );
        assert_eq!(
            search(SearchKind::Groups, "dev")
                .map(|f| f.to_string())
                .as_deref(),
            Some(r#"displayName co "dev""#)
        );
    }
}
