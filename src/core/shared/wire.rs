//! What serde's derive does not say by itself: reading a collection leniently (one bad entry does not
//! sink the rest), and a unit enum's wire name where it travels outside JSON (an `<option>`'s value,
//! a `data-` attribute). Every record's shape is declared by its own derive attributes.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value read leniently: `None` when it does not have `T`'s shape, so the record around it still
/// loads (an account that cannot be read is left out; the others load).
///
/// The failed value must be a whole value of its own, as it is when reading a JS object through
/// serde-wasm-bindgen or a `serde_json::Value`; a streaming parser cannot skip the rest of it, and
/// then the whole record fails instead (never a wrong value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lenient<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Lenient(T::deserialize(deserializer).ok()))
    }
}

impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// A record read from storage, which any content script could have written in Firefox (and in
/// Chrome before the worker closed it): checked as if typed in, with a note for each value that was
/// out of bounds and replaced by its default (the options page shows them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked<T> {
    pub value: T,
    pub reset: Vec<String>,
}

/// A unit enum's wire name, as its derive writes it (`SearchKind::Users` → `users`).
pub fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// The unit enum value with this wire name.
pub fn from_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        DueSoon,
        Overdue,
    }

    #[test]
    fn unit_enums_travel_by_their_wire_names() {
        assert_eq!(name(&Kind::DueSoon), "due_soon");
        assert_eq!(from_name::<Kind>("overdue"), Some(Kind::Overdue));
        assert_eq!(from_name::<Kind>("Overdue"), None);
    }

    #[test]
    fn lenient_entries_fail_alone() {
        let read: Vec<Lenient<u32>> =
            serde_json::from_value(json!([1, "two", 3, -4, null])).expect("a list");
        let read: Vec<Option<u32>> = read.into_iter().map(|l| l.0).collect();
        assert_eq!(read, [Some(1), None, Some(3), None, None]);
    }
}
