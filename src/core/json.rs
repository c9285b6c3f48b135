//! JSON values: the one representation of every message, stored record, API answer and file the
//! core reads or writes. It owns the parser and the printers.
//!
//! It replaces serde_json, which cost about 20 KB of wasm plus a B-tree per object type, for a
//! crate that only ever handles a few document shapes. Two differences are deliberate:
//! - Objects keep their keys in document order (a Vec, not a sorted map), so an exported user reads
//!   as the Directory API wrote it. A key given twice keeps its last value, as `JSON.parse` does.
//! - Text is read as servers and browsers really write it. A Java or JavaScript string can hold a
//!   lone UTF-16 surrogate, which their JSON writers emit as an escape (`"\ud800"`): valid JSON
//!   syntax, but not Unicode. One broken name must not sink a page of 200 users, so each lone
//!   surrogate becomes U+FFFD (the replacement character).
//!
//! Numbers keep their meaning exactly: integers as `u64`/`i64`, and any other number as the text it
//! was written with, printed back unchanged, so no attribute loses digits on its way to an export.

use std::collections::HashSet;
use std::fmt::{self, Write as _};

/// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: u32 = 128;

/// A JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number: an integer that fits 64 bits, or the text of any other number.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// Zero and above.
    Unsigned(u64),
    /// Below zero.
    Negative(i64),
    /// A fraction, an exponent or an integer beyond 64 bits, as written (already checked to be
    /// JSON's number syntax).
    Other(Box<str>),
}

/// A JSON object: its members in order, each key once.
#[derive(Clone, Debug, Default)]
pub struct Map(Vec<(String, Value)>);

/// Why a text is not JSON: what was wrong and the byte offset where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not JSON: {} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for ParseError {}

impl Value {
    /// The member `key` of an object; `None` for a missing key or a value that is no object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(Number::Unsigned(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(Number::Unsigned(n)) => i64::try_from(*n).ok(),
            Value::Number(Number::Negative(n)) => Some(*n),
            _ => None,
        }
    }

    /// The number as the nearest `f64` the simple way (not always correctly rounded in the last
    /// bit: only for numbers that are used approximately, such as a date in milliseconds).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(Number::Unsigned(n)) => Some(*n as f64),
            Value::Number(Number::Negative(n)) => Some(*n as f64),
            Value::Number(Number::Other(text)) => Some(approximate(text)),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// The value printed with two-space indents, one member or item per line.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.print(&mut out, Some(0));
        out
    }

    /// Prints the value; `indent` is the current depth when pretty, `None` when compact.
    fn print(&self, out: &mut String, indent: Option<usize>) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(Number::Unsigned(n)) => {
                let _ = write!(out, "{n}");
            }
            Value::Number(Number::Negative(n)) => {
                let _ = write!(out, "{n}");
            }
            Value::Number(Number::Other(text)) => out.push_str(text),
            Value::String(s) => print_string(out, s),
            Value::Array(items) => print_list(out, indent, b"[]", items.iter().map(|v| (None, v))),
            Value::Object(map) => print_list(
                out,
                indent,
                b"{}",
                map.0.iter().map(|(k, v)| (Some(k.as_str()), v)),
            ),
        }
    }
}

/// An array's items or an object's members between `brackets`, compact or one per line.
fn print_list<'a>(
    out: &mut String,
    indent: Option<usize>,
    brackets: &[u8; 2],
    entries: impl ExactSizeIterator<Item = (Option<&'a str>, &'a Value)>,
) {
    let empty = entries.len() == 0;
    out.push(char::from(brackets[0]));
    let inner = indent.map(|depth| depth + 1);
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        new_line(out, inner);
        if let Some(key) = key {
            print_string(out, key);
            out.push_str(if indent.is_some() { ": " } else { ":" });
        }
        value.print(out, inner);
    }
    if !empty {
        new_line(out, indent);
    }
    out.push(char::from(brackets[1]));
}

fn new_line(out: &mut String, indent: Option<usize>) {
    if let Some(depth) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

/// A string literal: quotes, backslashes and control characters escaped, everything else as is.
fn print_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Compact JSON, as `JSON.stringify` writes it.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.print(&mut out, None);
        f.write_str(&out)
    }
}

/// `text` (JSON number syntax) as an `f64`, digit by digit.
fn approximate(text: &str) -> f64 {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (
            text.get(..at).unwrap_or(""),
            text.get(at + 1..).unwrap_or(""),
        ),
        None => (text, ""),
    };
    // An exponent beyond any f64 saturates; its sign is all that matters then.
    let mut exp = match exponent.trim_start_matches('+').parse::<i32>() {
        Ok(exp) => exp,
        Err(_) if exponent.is_empty() => 0,
        Err(_) if exponent.starts_with('-') => -9999,
        Err(_) => 9999,
    };
    let mut value = 0.0_f64;
    let mut after_point = false;
    for b in mantissa.bytes() {
        match b {
            b'0'..=b'9' => {
                value = value * 10.0 + f64::from(b - b'0');
                if after_point {
                    exp = exp.saturating_sub(1);
                }
            }
            b'.' => after_point = true,
            _ => {}
        }
    }
    // Two steps, so that a long mantissa with a large negative exponent does not become inf × 0.
    let half = exp / 2;
    let value = value * 10f64.powi(half) * 10f64.powi(exp - half);
    if mantissa.starts_with('-') {
        -value
    } else {
        value
    }
}

impl Map {
    pub fn new() -> Map {
        Map(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, in place when it is already there (then the old value comes back).
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.get_mut(&key) {
            Some(old) => Some(std::mem::replace(old, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Members as parsed: a key given twice keeps its last value, at its last place.
    fn from_members(mut members: Vec<(String, Value)>) -> Map {
        // Most objects are small and give each key once: look without allocating first.
        let small_and_unique = members.len() <= 32
            && members
                .iter()
                .enumerate()
                .all(|(i, (key, _))| members[..i].iter().all(|(earlier, _)| earlier != key));
        if !small_and_unique {
            let mut seen = HashSet::new();
            let mut keep = vec![true; members.len()];
            for (i, (key, _)) in members.iter().enumerate().rev() {
                keep[i] = seen.insert(key.clone());
            }
            let mut flags = keep.into_iter();
            members.retain(|_| flags.next().unwrap_or(true));
        }
        Map(members)
    }
}

/// Two objects are equal when they have the same members, in any order.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Extend<(String, Value)> for Map {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, members: I) {
        for (key, value) in members {
            self.insert(key, value);
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(members: I) -> Map {
        let mut map = Map::new();
        map.extend(members);
        map
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::String(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(Number::Unsigned(n))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        match u64::try_from(n) {
            Ok(n) => Value::from(n),
            Err(_) => Value::Number(Number::Negative(n)),
        }
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::from(u64::from(n))
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::from(i64::from(n))
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::from(n as u64)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// Tests read and edit members as `value["a"]["b"]`, as with serde_json: a missing member reads as
/// `null`. Only tests: the product never indexes into data it did not check.
#[cfg(test)]
mod indexing {
    use super::{Map, Value};

    static NULL: Value = Value::Null;

    impl std::ops::Index<&str> for Value {
        type Output = Value;
        fn index(&self, key: &str) -> &Value {
            self.get(key).unwrap_or(&NULL)
        }
    }

    impl std::ops::IndexMut<&str> for Value {
        fn index_mut(&mut self, key: &str) -> &mut Value {
            if !self.is_object() {
                *self = Value::Object(Map::new());
            }
            let map = self.as_object_mut().expect("an object");
            if !map.contains_key(key) {
                map.insert(key.to_string(), Value::Null);
            }
            map.get_mut(key).expect("just inserted")
        }
    }

    impl PartialEq<bool> for Value {
        fn eq(&self, other: &bool) -> bool {
            self.as_bool() == Some(*other)
        }
    }

    impl PartialEq<&str> for Value {
        fn eq(&self, other: &&str) -> bool {
            self.as_str() == Some(*other)
        }
    }
}

/// `json!({"key": value, "list": [1, 2], "none": null})`: a value from JSON-like syntax whose
/// leaves are Rust expressions (anything `Into<Value>`). A key is a string literal or a `&str` name.
macro_rules! json {
    // Array items, one at a time: nested arrays, objects and `null` first, then any expression.
    (@items [$($done:expr,)*]) => { vec![$($done,)*] };
    (@items [$($done:expr,)*] null $(, $($rest:tt)*)?) => {
        $crate::core::json::json!(@items [$($done,)* $crate::core::json::Value::Null,] $($($rest)*)?)
    };
    (@items [$($done:expr,)*] [$($inner:tt)*] $(, $($rest:tt)*)?) => {
        $crate::core::json::json!(@items [$($done,)* $crate::core::json::json!([$($inner)*]),] $($($rest)*)?)
    };
    (@items [$($done:expr,)*] {$($inner:tt)*} $(, $($rest:tt)*)?) => {
        $crate::core::json::json!(@items [$($done,)* $crate::core::json::json!({$($inner)*}),] $($($rest)*)?)
    };
    (@items [$($done:expr,)*] $next:expr $(, $($rest:tt)*)?) => {
        $crate::core::json::json!(@items [$($done,)* $crate::core::json::Value::from($next),] $($($rest)*)?)
    };

    // Object members, one at a time, inserted into `$map`.
    (@members $map:ident) => {};
    (@members $map:ident $key:tt : null $(, $($rest:tt)*)?) => {
        $map.insert(String::from($key), $crate::core::json::Value::Null);
        $crate::core::json::json!(@members $map $($($rest)*)?);
    };
    (@members $map:ident $key:tt : [$($inner:tt)*] $(, $($rest:tt)*)?) => {
        $map.insert(String::from($key), $crate::core::json::json!([$($inner)*]));
        $crate::core::json::json!(@members $map $($($rest)*)?);
    };
    (@members $map:ident $key:tt : {$($inner:tt)*} $(, $($rest:tt)*)?) => {
        $map.insert(String::from($key), $crate::core::json::json!({$($inner)*}));
        $crate::core::json::json!(@members $map $($($rest)*)?);
    };
    (@members $map:ident $key:tt : $value:expr $(, $($rest:tt)*)?) => {
        $map.insert(String::from($key), $crate::core::json::Value::from($value));
        $crate::core::json::json!(@members $map $($($rest)*)?);
    };

    (null) => { $crate::core::json::Value::Null };
    ([ $($items:tt)* ]) => {
        $crate::core::json::Value::Array($crate::core::json::json!(@items [] $($items)*))
    };
    ({ $($members:tt)* }) => {{
        #[allow(unused_mut)]
        let mut map = $crate::core::json::Map::new();
        $crate::core::json::json!(@members map $($members)*);
        $crate::core::json::Value::Object(map)
    }};
    ($other:expr) => { $crate::core::json::Value::from($other) };
}
pub(crate) use json;

/// Parses a JSON text (UTF-8), with lone surrogate escapes read as U+FFFD.
pub fn parse(bytes: &[u8]) -> Result<Value, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError {
        offset: e.valid_up_to(),
        reason: "invalid UTF-8",
    })?;
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_space();
    match parser.at == text.len() {
        true => Ok(value),
        false => Err(parser.error("text after the value")),
    }
}

/// [`parse`] of a `&str`.
pub fn parse_str(text: &str) -> Result<Value, ParseError> {
    parse(text.as_bytes())
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: u32,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> ParseError {
        ParseError {
            offset: self.at,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.at += 1;
        }
        found
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        self.skip_space();
        match self.peek() {
            Some(b'{') => self.nested(Parser::object),
            Some(b'[') => self.nested(Parser::array),
            Some(b'"') => {
                self.at += 1;
                self.string().map(Value::String)
            }
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end")),
        }
    }

    /// Runs `inner` one level deeper, past the opening bracket.
    fn nested(
        &mut self,
        inner: fn(&mut Self) -> Result<Value, ParseError>,
    ) -> Result<Value, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        self.at += 1;
        let value = inner(self);
        self.depth -= 1;
        value
    }

    /// After `[`.
    fn array(&mut self) -> Result<Value, ParseError> {
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_space();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected , or ] in an array"));
            }
        }
    }

    /// After `{`.
    fn object(&mut self) -> Result<Value, ParseError> {
        let mut members = Vec::new();
        self.skip_space();
        if self.eat(b'}') {
            return Ok(Value::Object(Map::new()));
        }
        loop {
            self.skip_space();
            if !self.eat(b'"') {
                return Err(self.error("expected a key"));
            }
            let key = self.string()?;
            self.skip_space();
            if !self.eat(b':') {
                return Err(self.error("expected : after a key"));
            }
            members.push((key, self.value()?));
            self.skip_space();
            if self.eat(b'}') {
                return Ok(Value::Object(Map::from_members(members)));
            }
            if !self.eat(b',') {
                return Err(self.error("expected , or } in an object"));
            }
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        match self.text.get(self.at..self.at + word.len()) == Some(word) {
            true => {
                self.at += word.len();
                Ok(value)
            }
            false => Err(self.error("expected a value")),
        }
    }

    /// After the opening quote, through the closing one.
    fn string(&mut self) -> Result<String, ParseError> {
        let mut out = String::new();
        loop {
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= b' ') {
                self.at += 1;
            }
            // The run ends at an ASCII byte, so both ends are character boundaries.
            out.push_str(self.text.get(start..self.at).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.at += 1,
                Some(_) => return Err(self.error("a control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
            let escape = self.at;
            let c = match self.next() {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => self.unicode_escape()?,
                _ => {
                    self.at = escape;
                    return Err(self.error("an unknown escape"));
                }
            };
            out.push(c);
        }
    }

    /// After `\u`: one character, from a surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let unit = self.hex4()?;
        if (0xD800..0xDC00).contains(&unit) && self.text.get(self.at..self.at + 2) == Some("\\u") {
            let after_high = self.at;
            self.at += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            // Not a pair: the high half stands alone, and the next escape is read on its own.
            self.at = after_high;
        }
        Ok(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("a bad \\u escape"))?;
            self.at += 1;
            unit = unit * 16 + digit;
        }
        Ok(unit)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.at;
        let negative = self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("a bad number")),
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            if self.digits() == 0 {
                return Err(self.error("a bad number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("a bad number"));
            }
        }
        let text = self.text.get(start..self.at).unwrap_or("");
        if integer {
            let parsed = match negative {
                false => text.parse::<u64>().ok().map(Number::Unsigned),
                // `-0` stays as written: it is no integer below zero.
                true => text
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n < 0)
                    .map(Number::Negative),
            };
            if let Some(number) = parsed {
                return Ok(Value::Number(number));
            }
        }
        Ok(Value::Number(Number::Other(text.into())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_kind_of_value() {
        let text = r#"{"s":"a\"b\\c\n\u00e9\u0001","n":[0,-1,18446744073709551615,-9223372036854775808,1.50,2e3,-0.5E-2,18446744073709551616],"b":[true,false,null],"o":{},"a":[]}"#;
        let value = parse_str(text).expect("json");
        assert_eq!(
            value.get("s").and_then(Value::as_str),
            Some("a\"b\\c\né\u{1}")
        );
        let numbers = value.get("n").and_then(Value::as_array).expect("n");
        assert_eq!(numbers[0].as_u64(), Some(0));
        assert_eq!(numbers[1].as_i64(), Some(-1));
        assert_eq!(numbers[1].as_u64(), None);
        assert_eq!(numbers[2].as_u64(), Some(u64::MAX));
        assert_eq!(numbers[2].as_i64(), None);
        assert_eq!(numbers[3].as_i64(), Some(i64::MIN));
        assert_eq!(numbers[4].as_u64(), None, "a fraction is no integer");
        assert_eq!(numbers[4].as_f64(), Some(1.5));
        assert_eq!(numbers[5].as_f64(), Some(2000.0));
        assert_eq!(numbers[6].as_f64(), Some(-0.005));
        assert_eq!(numbers[7].as_u64(), None, "beyond u64");
        // Printed back, every number reads as it was written, and the members keep their order.
        assert_eq!(
            value.to_string(),
            // `é` comes back as itself; the control character stays escaped.
            text.replace(r"\u00e9", "é")
        );
    }

    #[test]
    fn pretty_printing_indents_by_two() {
        let value = json!({"a": 1, "b": [true, {}], "c": [], "d": {"e": null}});
        assert_eq!(
            value.to_pretty(),
            "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    {}\n  ],\n  \"c\": [],\n  \"d\": {\n    \"e\": null\n  }\n}"
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let cases = [
            (r#""x\ud800y""#, "x\u{fffd}y"),
            (r#""x\uDC00""#, "x\u{fffd}"),
            (r#""\ud800\ud800\udc00""#, "\u{fffd}\u{10000}"),
            (r#""\ud83d\ude00""#, "\u{1f600}"),
            (r#""\ud800\n""#, "\u{fffd}\n"),
            (r#""\\ud800""#, "\\ud800"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_str(text), Ok(Value::from(expected)), "{text}");
        }
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_value() {
        let value = parse_str(r#"{"a":1,"b":2,"a":3}"#).expect("json");
        assert_eq!(value.to_string(), r#"{"b":2,"a":3}"#);
        // A large object takes another path to the same rule.
        let members: Vec<String> = (0..40).map(|i| format!(r#""k{}":{i}"#, i % 30)).collect();
        let large = parse_str(&format!("{{{}}}", members.join(","))).expect("json");
        let map = large.as_object().expect("an object");
        assert_eq!(map.len(), 30);
        assert_eq!(map.get("k0").and_then(Value::as_u64), Some(30));
        assert_eq!(map.get("k29").and_then(Value::as_u64), Some(29));
        assert_eq!(map.keys().next().map(String::as_str), Some("k10"));
        let mut map = Map::new();
        assert_eq!(map.insert("k".into(), json!(1)), None);
        assert_eq!(map.insert("k".into(), json!(2)), Some(json!(1)));
        assert_eq!(map.len(), 1);
        assert_eq!(
            json!({"a": 1, "b": 2}),
            json!({"b": 2, "a": 1}),
            "order does not matter"
        );
    }

    #[test]
    fn broken_text_is_refused_with_where() {
        let cases = [
            ("", 0),
            ("  ", 2),
            ("{", 1),
            (r#"{"a" 1}"#, 5),
            (r#"{"a":1,}"#, 7),
            ("[1,]", 3),
            ("[1 2]", 3),
            ("01", 1),
            ("-", 1),
            ("1.", 2),
            ("1e", 2),
            ("nul", 0),
            ("tru", 0),
            ("\"a", 2),
            ("\"a\u{1}\"", 2),
            (r#""\x""#, 2),
            (r#""\u12g4""#, 5),
            (r#""\ud800\u12""#, 11),
            ("1 2", 2),
            ("{'a':1}", 1),
        ];
        for (text, offset) in cases {
            assert_eq!(
                parse_str(text).map_err(|e| e.offset),
                Err(offset),
                "{text:?}"
            );
        }
        assert_eq!(
            parse(b"\"\xff\"").map_err(|e| e.reason),
            Err("invalid UTF-8")
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let depth = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(parse_str(&depth(MAX_DEPTH as usize)).is_ok());
        assert!(parse_str(&depth(MAX_DEPTH as usize + 1)).is_err());
        assert!(parse_str(&"{\"a\":".repeat(100_000)).is_err());
    }

    #[test]
    fn the_macro_takes_expressions_and_nesting() {
        let name = String::from("n");
        let value = json!({
            "name": name,
            "count": 2u32 + 1,
            "neg": -4,
            "none": None::<u64>,
            "list": [1, "two", null, [3], {"four": 4}],
            "nested": {"deep": {"deeper": true}},
        });
        assert_eq!(
            value.to_string(),
            r#"{"name":"n","count":3,"neg":-4,"none":null,"list":[1,"two",null,[3],{"four":4}],"nested":{"deep":{"deeper":true}}}"#
        );
        assert_eq!(json!([]), Value::Array(vec![]));
        assert_eq!(json!(null), Value::Null);
    }
}
