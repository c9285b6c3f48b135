//! Records as JSON, written out by hand: how every stored record, message and answer reads from and
//! writes to the crate's JSON [`Value`].
//!
//! serde's derive compiled a visitor per type, and serde_json's `Value` deserializer per type again
//! (about 80 KB of wasm with the float formatting its errors pulled in); these are plain functions.
//! Each type declares its wire shape beside it, mostly with `json_record!`. Reading is as
//! strict as the derive was: a field that is present but of the wrong type makes the record
//! unreadable, a missing field takes its default where it has one, `null` reads as `None`, and
//! unknown fields are ignored.

use std::fmt;

use super::json::{Map, Value};

/// A value as JSON.
pub trait ToJson {
    fn to_json(&self) -> Value;
}

/// A value read from JSON.
pub trait FromJson: Sized {
    fn from_json(value: &Value) -> Result<Self, Unreadable>;
}

/// Why a value could not be read: the innermost field that is missing or of the wrong type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The field's name; empty when the value itself is of the wrong type.
    pub field: &'static str,
}

/// A value of the wrong type (the field it sits in names it).
pub const WRONG_TYPE: Unreadable = Unreadable { field: "" };

impl Unreadable {
    /// Names the field this happened in, unless a field deeper in already did.
    fn within(self, field: &'static str) -> Unreadable {
        if self.field.is_empty() {
            Unreadable { field }
        } else {
            self
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            "" => f.write_str("a value has the wrong type"),
            field => write!(f, "`{field}` is missing or has the wrong type"),
        }
    }
}

/// `Some` when `value` read as `T`, for lenient callers.
pub fn read<T: FromJson>(value: &Value) -> Option<T> {
    T::from_json(value).ok()
}

/// A record's fields, for reading.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a>(&'a Map);

impl<'a> Fields<'a> {
    pub fn of(value: &'a Value) -> Result<Fields<'a>, Unreadable> {
        value.as_object().map(Fields).ok_or(WRONG_TYPE)
    }

    /// A field that must be present.
    pub fn required<T: FromJson>(&self, name: &'static str) -> Result<T, Unreadable> {
        match self.0.get(name) {
            None => Err(Unreadable { field: name }),
            Some(value) => T::from_json(value).map_err(|e| e.within(name)),
        }
    }

    /// A field that may be missing (then `T::default()`); `Option` fields read this way.
    pub fn or_default<T: FromJson + Default>(&self, name: &'static str) -> Result<T, Unreadable> {
        self.or_else(name, T::default)
    }

    /// A field that may be missing (then `default()`).
    pub fn or_else<T: FromJson>(
        &self,
        name: &'static str,
        default: impl FnOnce() -> T,
    ) -> Result<T, Unreadable> {
        match self.0.get(name) {
            None => Ok(default()),
            Some(value) => T::from_json(value).map_err(|e| e.within(name)),
        }
    }
}

/// A record being written: `record().field("a", &a).done()`.
#[derive(Debug, Default)]
pub struct Record(Map);

/// Starts a record.
pub fn record() -> Record {
    Record::default()
}

impl Record {
    pub fn field<T: ToJson + ?Sized>(mut self, name: &str, value: &T) -> Record {
        self.0.insert(name.to_string(), value.to_json());
        self
    }

    /// A field written only when it is `Some`.
    pub fn some<T: ToJson>(self, name: &str, value: &Option<T>) -> Record {
        match value {
            Some(value) => self.field(name, value),
            None => self,
        }
    }

    /// Every field of `value`, when it is a record (a tagged answer's payload).
    pub fn merge(mut self, value: Value) -> Record {
        if let Value::Object(fields) = value {
            self.0.extend(fields);
        }
        self
    }

    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// `ToJson` and `FromJson` for a record from one list of its fields, each written under its own
/// name and read with the [`Fields`] method named beside it: `required`, or `or_default` (missing
/// gives the type's default; `Option` fields read this way). `write` records get `ToJson` alone
/// (for answers with fields no reader can own, such as `&'static str` labels).
macro_rules! json_record {
    ($ty:ident { $($field:ident: $read:ident),+ $(,)? }) => {
        $crate::core::codec::json_record!(write $ty { $($field),+ });
        impl $crate::core::codec::FromJson for $ty {
            fn from_json(
                value: &crate::core::json::Value,
            ) -> Result<Self, $crate::core::codec::Unreadable> {
                let fields = $crate::core::codec::Fields::of(value)?;
                Ok($ty {
                    $($field: fields.$read(stringify!($field))?,)+
                })
            }
        }
    };
    (write $ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::core::codec::ToJson for $ty {
            fn to_json(&self) -> crate::core::json::Value {
                $crate::core::codec::record()
                    $(.field(stringify!($field), &self.$field))+
                    .done()
            }
        }
    };
}
pub(crate) use json_record;

/// `ToJson` and `FromJson` for a unit enum, each variant by its wire name, plus `wire_name()` and
/// `from_wire_name()` for the places that carry the name outside JSON (an `<option>`'s value).
macro_rules! wire_names {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The name this value has in messages and stored records.
            pub fn wire_name(self) -> &'static str {
                match self {
                    $(<$ty>::$variant => $name,)+
                }
            }

            /// The value with this wire name.
            pub fn from_wire_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(<$ty>::$variant),)+
                    _ => None,
                }
            }
        }
        impl $crate::core::codec::ToJson for $ty {
            fn to_json(&self) -> crate::core::json::Value {
                crate::core::json::Value::from(self.wire_name())
            }
        }
        impl $crate::core::codec::FromJson for $ty {
            fn from_json(
                value: &crate::core::json::Value,
            ) -> Result<Self, $crate::core::codec::Unreadable> {
                value
                    .as_str()
                    .and_then(<$ty>::from_wire_name)
                    .ok_or($crate::core::codec::WRONG_TYPE)
            }
        }
    };
}
pub(crate) use wire_names;

impl ToJson for str {
    fn to_json(&self) -> Value {
        Value::from(self)
    }
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl FromJson for String {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        value.as_str().map(str::to_string).ok_or(WRONG_TYPE)
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        value.as_bool().ok_or(WRONG_TYPE)
    }
}

/// Unsigned integers read from JSON integers that fit; never from fractions or strings.
macro_rules! unsigned {
    ($($ty:ty),+) => {$(
        impl ToJson for $ty {
            fn to_json(&self) -> Value {
                Value::from(*self as u64)
            }
        }
        impl FromJson for $ty {
            fn from_json(value: &Value) -> Result<Self, Unreadable> {
                value
                    .as_u64()
                    .and_then(|n| <$ty>::try_from(n).ok())
                    .ok_or(WRONG_TYPE)
            }
        }
    )+};
}
unsigned!(u32, u64, usize);

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FromJson for i64 {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        value.as_i64().ok_or(WRONG_TYPE)
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn to_json(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToJson::to_json)
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        match value {
            Value::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        self.as_slice().to_json()
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        // A loop rather than `collect::<Result<_, _>>()`, whose adapter costs wasm per item type.
        let items = value.as_array().ok_or(WRONG_TYPE)?;
        let mut read = Vec::with_capacity(items.len());
        for item in items {
            read.push(T::from_json(item)?);
        }
        Ok(read)
    }
}

/// Pairs travel as two-element arrays.
impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn to_json(&self) -> Value {
        Value::Array(vec![self.0.to_json(), self.1.to_json()])
    }
}

impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        match value.as_array().map(Vec::as_slice) {
            Some([a, b]) => Ok((A::from_json(a)?, B::from_json(b)?)),
            _ => Err(WRONG_TYPE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json::json;

    #[derive(Debug, PartialEq)]
    struct Sample {
        name: String,
        count: u32,
        note: Option<String>,
        on: bool,
    }

    impl FromJson for Sample {
        fn from_json(value: &Value) -> Result<Sample, Unreadable> {
            let f = Fields::of(value)?;
            Ok(Sample {
                name: f.required("name")?,
                count: f.required("count")?,
                note: f.or_default("note")?,
                on: f.or_else("on", || true)?,
            })
        }
    }

    #[test]
    fn records_read_as_strictly_as_serde_derive_did() {
        let ok = |name: &str, count, note: Option<&str>, on| {
            Ok(Sample {
                name: name.into(),
                count,
                note: note.map(Into::into),
                on,
            })
        };
        let cases = [
            (json!({"name": "a", "count": 1}), ok("a", 1, None, true)),
            (
                json!({"name": "a", "count": 1, "note": null, "on": false, "extra": [1]}),
                ok("a", 1, None, false),
            ),
            (
                json!({"name": "a", "count": 1, "note": "n"}),
                ok("a", 1, Some("n"), true),
            ),
            (json!({"count": 1}), Err(Unreadable { field: "name" })),
            (
                crate::core::json::parse_str(r#"{"name": "a", "count": 1.5}"#).expect("json"),
                Err(Unreadable { field: "count" }),
            ),
            (
                json!({"name": "a", "count": 4_294_967_296u64}),
                Err(Unreadable { field: "count" }),
            ),
            (
                json!({"name": "a", "count": -1}),
                Err(Unreadable { field: "count" }),
            ),
            (
                json!({"name": "a", "count": "1"}),
                Err(Unreadable { field: "count" }),
            ),
            (
                json!({"name": "a", "count": 1, "note": 3}),
                Err(Unreadable { field: "note" }),
            ),
            (
                json!({"name": "a", "count": 1, "on": null}),
                Err(Unreadable { field: "on" }),
            ),
            (json!([1]), Err(WRONG_TYPE)),
        ];
        for (value, expected) in cases {
            assert_eq!(Sample::from_json(&value), expected, "{value}");
        }
        let nested = json!({"inner": {"name": "a", "count": "x"}});
        assert_eq!(
            Fields::of(&nested).and_then(|f| f.required::<Sample>("inner")),
            Err(Unreadable { field: "count" }),
            "the innermost field is named"
        );
    }

    #[test]
    fn containers_read_all_or_nothing() {
        assert_eq!(read::<Vec<u64>>(&json!([1, 2])), Some(vec![1, 2]));
        assert_eq!(read::<Vec<u64>>(&json!([1, "2"])), None);
        assert_eq!(
            read::<(String, i64)>(&json!(["a", -3])),
            Some(("a".into(), -3))
        );
        assert_eq!(read::<(String, i64)>(&json!(["a", -3, 4])), None);
    }

    #[test]
    fn records_write_every_field_and_some_only_when_set() {
        let written = record()
            .field("a", "x")
            .field("n", &Some(2u64))
            .field("none", &None::<u64>)
            .some("skipped", &None::<String>)
            .some("kept", &Some(true))
            .merge(json!({"b": [1]}))
            .done();
        assert_eq!(
            written,
            json!({"a": "x", "n": 2, "none": null, "kept": true, "b": [1]})
        );
    }
}
