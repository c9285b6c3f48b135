//! The SCIM 1.1 filter language: parsing into an expression tree, and matching JSON resources.
//!
//! Grammar (draft-scim-api-01 §3.2.2.1, as P14E documents it): `attrPath op value`, `attrPath pr`,
//! `and` binding tighter than `or`, parentheses, double-quoted strings with JSON escapes, numbers,
//! `true`/`false`/`null`. Operators and attribute names are case-insensitive. Attribute paths are
//! `attr`, `attr.sub`, or a schema URN prefix (`urn:scim:schemas:com_pingone:1.0:createTimeStamp`).
//! String comparison ignores case, as SCIM's case-insensitive attributes do; numbers compare as numbers.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// The SCIM core schema: attributes under it are top-level keys.
pub const CORE_SCHEMA: &str = "urn:scim:schemas:core:1.0";

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Present(AttrPath),
    Compare(AttrPath, Op, Literal),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Co,
    Sw,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A literal on the right of an operator.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    Null,
}

/// An attribute path: an optional extension schema URN, then dotted names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrPath {
    pub schema: Option<String>,
    pub names: Vec<String>,
}

/// Why a filter did not parse; the text goes into the 400 answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub message: String,
    pub at: usize,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid filter at character {}: {}",
            self.at, self.message
        )
    }
}

impl std::error::Error for FilterError {}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
    Str(String),
    Num(f64),
}

fn err<T>(message: impl Into<String>, at: usize) -> Result<T, FilterError> {
    Err(FilterError {
        message: message.into(),
        at,
    })
}

fn tokenize(input: &str) -> Result<Vec<(Token, usize)>, FilterError> {
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push((Token::Open, at));
                i += 1;
            }
            ')' => {
                tokens.push((Token::Close, at));
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    let Some(&(pos, c)) = chars.get(i) else {
                        return err("unterminated string", at);
                    };
                    i += 1;
                    match c {
                        '"' => break,
                        '\\' => {
                            let Some(&(_, e)) = chars.get(i) else {
                                return err("unterminated escape", pos);
                            };
                            i += 1;
                            match e {
                                '"' => s.push('"'),
                                '\\' => s.push('\\'),
                                '/' => s.push('/'),
                                'b' => s.push('\u{8}'),
                                'f' => s.push('\u{c}'),
                                'n' => s.push('\n'),
                                'r' => s.push('\r'),
                                't' => s.push('\t'),
                                'u' => {
                                    let hex: String =
                                        chars.iter().skip(i).take(4).map(|&(_, c)| c).collect();
                                    let code = u32::from_str_radix(&hex, 16)
                                        .ok()
                                        .filter(|_| hex.len() == 4)
                                        .ok_or(FilterError {
                                            message: "bad \\u escape".into(),
                                            at: pos,
                                        })?;
                                    i += 4;
                                    // Lone surrogates cannot be a Rust char; they become U+FFFD.
                                    s.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                                }
                                other => return err(format!("unknown escape \\{other}"), pos),
                            }
                        }
                        c => s.push(c),
                    }
                }
                tokens.push((Token::Str(s), at));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|&(_, c)| c.is_ascii_digit() || "+-.eE".contains(c))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().map(|&(_, c)| c).collect();
                let n = text.parse::<f64>().ok().filter(|n| n.is_finite());
                match n {
                    Some(n) => tokens.push((Token::Num(n), at)),
                    None => return err(format!("bad number {text:?}"), at),
                }
            }
            c if is_word_char(c) => {
                let start = i;
                while chars.get(i).is_some_and(|&(_, c)| is_word_char(c)) {
                    i += 1;
                }
                tokens.push((
                    Token::Word(chars[start..i].iter().map(|&(_, c)| c).collect()),
                    at,
                ));
            }
            other => return err(format!("unexpected character {other:?}"), at),
        }
    }
    Ok(tokens)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-' | '$')
}

/// Parses a filter. Nesting deeper than 64 levels is refused, so hostile input cannot overflow the stack.
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: input.len(),
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return err("empty filter", 0);
    }
    let filter = parser.or()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(filter),
        Some((_, at)) => err("unexpected text after the filter", *at),
    }
}

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(_, at)| *at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some((Token::Word(w), _)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.term()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Filter, FilterError> {
        let at = self.at();
        match self.next() {
            Some(Token::Open) => {
                self.depth += 1;
                if self.depth > 64 {
                    return err("filter nested too deeply", at);
                }
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => err("missing closing parenthesis", self.at()),
                }
            }
            Some(Token::Word(word)) => {
                let path = attr_path(&word).ok_or(FilterError {
                    message: format!("bad attribute path {word:?}"),
                    at,
                })?;
                let op_at = self.at();
                let op = match self.next() {
                    Some(Token::Word(op)) => op.to_ascii_lowercase(),
                    _ => return err("expected an operator", op_at),
                };
                let op = match op.as_str() {
                    "pr" => return Ok(Filter::Present(path)),
                    "eq" => Op::Eq,
                    "co" => Op::Co,
                    "sw" => Op::Sw,
                    "gt" => Op::Gt,
                    "ge" => Op::Ge,
                    "lt" => Op::Lt,
                    "le" => Op::Le,
                    other => return err(format!("unknown operator {other:?}"), op_at),
                };
                let value_at = self.at();
                let literal = match self.next() {
                    Some(Token::Str(s)) => Literal::String(s),
                    Some(Token::Num(n)) => Literal::Number(n),
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
                    _ => {
                        return err(
                            "expected a value (a quoted string, number, true, false or null)",
                            value_at,
                        )
                    }
                };
                Ok(Filter::Compare(path, op, literal))
            }
            Some(_) => err("expected an attribute or '('", at),
            None => err("filter ends too early", at),
        }
    }
}

fn attr_path(word: &str) -> Option<AttrPath> {
    let (schema, rest) = if word.len() > 4 && word[..4].eq_ignore_ascii_case("urn:") {
        let (schema, attr) = word.rsplit_once(':')?;
        let schema = (!schema.eq_ignore_ascii_case(CORE_SCHEMA)).then(|| schema.to_string());
        (schema, attr)
    } else {
        (None, word)
    };
    let names: Vec<String> = rest.split('.').map(str::to_string).collect();
    let valid = names.iter().all(|n| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    });
    valid.then_some(AttrPath { schema, names })
}

/// Looks up a key case-insensitively (exact match first).
fn get_ci<'a>(object: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Every value an attribute path reaches in `resource`. Multi-valued attributes fan out; a complex
/// multi-valued attribute without a sub-attribute means its `value` (so `emails co "x"` works).
pub fn values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let mut current: Vec<&Value> = vec![resource];
    if let Some(schema) = &path.schema {
        current = current
            .into_iter()
            .filter_map(|v| v.as_object().and_then(|o| get_ci(o, schema)))
            .collect();
    }
    for name in &path.names {
        current = current
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            })
            .filter_map(|v| v.as_object().and_then(|o| get_ci(o, name)))
            .collect();
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        })
        .map(|v| match v {
            // A complex value compares by its `value` sub-attribute; without one it stands for
            // itself (so `name pr` holds, while `name eq "x"` does not match).
            Value::Object(o) => get_ci(o, "value").unwrap_or(v),
            other => other,
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// Does `resource` match the filter? `eq` compares with case when `case_sensitive_eq`.
pub fn matches(filter: &Filter, resource: &Value, case_sensitive_eq: bool) -> bool {
    let either = |f: &Filter| matches(f, resource, case_sensitive_eq);
    match filter {
        Filter::And(a, b) => either(a) && either(b),
        Filter::Or(a, b) => either(a) || either(b),
        Filter::Present(path) => values(resource, path).iter().any(|v| match v {
            Value::String(s) => !s.is_empty(),
            _ => true,
        }),
        Filter::Compare(path, op, literal) => values(resource, path)
            .iter()
            .any(|v| compare(v, *op, literal, case_sensitive_eq)),
    }
}

fn compare(value: &Value, op: Op, literal: &Literal, case_sensitive_eq: bool) -> bool {
    match (value, literal) {
        (Value::String(s), Literal::String(l)) if op == Op::Eq && case_sensitive_eq => s == l,
        (Value::String(s), Literal::String(l)) => {
            let (s, l) = (s.to_lowercase(), l.to_lowercase());
            match op {
                Op::Eq => s == l,
                Op::Co => s.contains(&l),
                Op::Sw => s.starts_with(&l),
                _ => ordered(s.cmp(&l), op),
            }
        }
        (Value::Number(n), Literal::Number(l)) => match n.as_f64().and_then(|n| n.partial_cmp(l)) {
            Some(ord) => ordered(ord, op),
            None => false,
        },
        (Value::Number(n), Literal::String(l)) => {
            // A number compared with a quoted number still compares numerically.
            match (n.as_f64(), l.trim().parse::<f64>().ok()) {
                (Some(n), Some(l)) => n.partial_cmp(&l).is_some_and(|o| ordered(o, op)),
                _ => false,
            }
        }
        (Value::Bool(b), Literal::Bool(l)) => op == Op::Eq && b == l,
        (Value::Bool(b), Literal::String(l)) => {
            op == Op::Eq && l.eq_ignore_ascii_case(&b.to_string())
        }
        _ => false,
    }
}

fn ordered(ord: Ordering, op: Op) -> bool {
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Co | Op::Sw => false,
    }
}

/// The sort key of a resource for `sortBy`: its first value at the path (for multi-valued
/// attributes, the primary one when marked).
pub fn sort_key<'a>(resource: &'a Value, path: &AttrPath) -> Option<&'a Value> {
    values(resource, path).into_iter().next()
}

/// A sort key read once per resource, so sorting 100,000 users does not re-read and re-lower-case
/// each key on every comparison. Strings order case-insensitively, numbers numerically, values of
/// different types by their JSON text; a missing value sorts last.
#[derive(Clone, Debug)]
pub enum SortKey {
    Missing,
    Number(Option<f64>),
    /// The lower-cased string, and the JSON text for comparisons with other types.
    String(String, String),
    Other(String),
}

impl SortKey {
    pub fn of(value: Option<&Value>) -> SortKey {
        match value {
            None => SortKey::Missing,
            Some(Value::Number(n)) => SortKey::Number(n.as_f64()),
            Some(v @ Value::String(s)) => SortKey::String(s.to_lowercase(), v.to_string()),
            Some(v) => SortKey::Other(v.to_string()),
        }
    }

    fn text(&self) -> String {
        match self {
            SortKey::Missing => String::new(),
            SortKey::Number(n) => n.map(|n| Value::from(n).to_string()).unwrap_or_default(),
            SortKey::String(_, text) | SortKey::Other(text) => text.clone(),
        }
    }

    pub fn compare(&self, other: &SortKey) -> Ordering {
        match (self, other) {
            (SortKey::Missing, SortKey::Missing) => Ordering::Equal,
            (SortKey::Missing, _) => Ordering::Greater,
            (_, SortKey::Missing) => Ordering::Less,
            (SortKey::Number(x), SortKey::Number(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
            (SortKey::String(x, _), SortKey::String(y, _)) => x.cmp(y),
            (x, y) => x.text().cmp(&y.text()),
        }
    }
}

/// Parses a `sortBy` value as an attribute path.
pub fn parse_attr_path(text: &str) -> Option<AttrPath> {
    attr_path(text.trim())
}

/// Filters a server refuses (400), as one that supports fewer attributes or operators than SCIM.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusals {
    /// Attribute paths, `name.givenName` (case-insensitive).
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Operators, `co` (case-insensitive).
    #[serde(default)]
    pub operators: Vec<String>,
}

impl Refusals {
    /// Why this filter is refused, if it is.
    pub fn refuses(&self, filter: &Filter) -> Option<String> {
        match filter {
            Filter::And(a, b) | Filter::Or(a, b) => self.refuses(a).or_else(|| self.refuses(b)),
            Filter::Present(path) => self.refuses_path(path),
            Filter::Compare(path, op, _) => self.refuses_path(path).or_else(|| {
                let name = op_name(*op);
                self.operators
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(name))
                    .then(|| format!("Unsupported filter operator: {name}"))
            }),
        }
    }

    fn refuses_path(&self, path: &AttrPath) -> Option<String> {
        let dotted = path.names.join(".");
        self.attributes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&dotted))
            .then(|| format!("Unsupported filter attribute: {dotted}"))
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Eq => "eq",
        Op::Co => "co",
        Op::Sw => "sw",
        Op::Gt => "gt",
        Op::Ge => "ge",
        Op::Lt => "lt",
        Op::Le => "le",
    }
}
