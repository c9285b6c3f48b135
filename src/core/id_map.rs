//! `IdMap`: values by a string id (accounts by Client ID, kept keys by Client ID), as a list
//! sorted by id.
//!
//! An admin has a handful of accounts, so a sorted list does what a B-tree would, in the same
//! order, and costs a fraction of its wasm (each B-tree value type compiled about 7 KB of
//! insertion, removal and rebalancing code; this is a binary search).

use super::codec::{FromJson, ToJson, Unreadable, WRONG_TYPE};
use super::json::{Map, Value};

/// Values by id, iterated in id order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdMap<V>(Vec<(String, V)>);

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap(Vec::new())
    }
}

impl<V> IdMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, id: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(id))
    }

    pub fn get(&self, id: &str) -> Option<&V> {
        let at = self.find(id).ok()?;
        self.0.get(at).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        let at = self.find(id).ok()?;
        self.0.get_mut(at).map(|(_, v)| v)
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    /// The value for `id`, made by `make` when there is none yet.
    pub fn get_or_insert_with(&mut self, id: &str, make: impl FnOnce() -> V) -> &mut V {
        let at = match self.find(id) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (id.to_string(), make()));
                at
            }
        };
        &mut self.0[at].1
    }

    /// Sets `id`'s value; the old one comes back.
    pub fn insert(&mut self, id: String, value: V) -> Option<V> {
        match self.find(&id) {
            Ok(at) => Some(std::mem::replace(&mut self.0[at].1, value)),
            Err(at) => {
                self.0.insert(at, (id, value));
                None
            }
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<V> {
        let at = self.find(id).ok()?;
        Some(self.0.remove(at).1)
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }
}

/// Tests read values as `map["id"]`, which panics on a missing id.
#[cfg(test)]
impl<V> std::ops::Index<&str> for IdMap<V> {
    type Output = V;
    fn index(&self, id: &str) -> &V {
        self.get(id).expect("the id is in the map")
    }
}

/// As a JSON object, in id order.
impl<V: ToJson> ToJson for IdMap<V> {
    fn to_json(&self) -> Value {
        let map: Map = self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
        Value::Object(map)
    }
}

/// From a JSON object; any value that cannot be read makes the whole map unreadable.
impl<V: FromJson> FromJson for IdMap<V> {
    fn from_json(value: &Value) -> Result<Self, Unreadable> {
        let mut map = IdMap::new();
        for (k, v) in value.as_object().ok_or(WRONG_TYPE)? {
            map.insert(k.clone(), V::from_json(v)?);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::codec;
    use crate::core::json::json;

    #[test]
    fn keeps_ids_sorted_and_each_once() {
        let mut map = IdMap::new();
        for (id, v) in [("b", 1), ("a", 2), ("c", 3), ("a", 4)] {
            map.insert(id.to_string(), v);
        }
        assert_eq!(
            map.keys().map(String::as_str).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(map.get("a"), Some(&4));
        assert_eq!(*map.get_or_insert_with("d", || 5), 5);
        assert_eq!(*map.get_or_insert_with("d", || 6), 5);
        assert_eq!(map.remove("b"), Some(1));
        assert_eq!(map.remove("b"), None);
        assert!(!map.contains_key("b"));
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [4, 3, 5]);
    }

    #[test]
    fn reads_and_writes_a_json_object() {
        let map = codec::read::<IdMap<String>>(&json!({"z": "1", "y": "2"})).expect("a map");
        assert_eq!(map.to_json().to_string(), r#"{"y":"2","z":"1"}"#);
        assert_eq!(codec::read::<IdMap<String>>(&json!({"k": 1})), None);
        assert_eq!(codec::read::<IdMap<String>>(&json!(["k"])), None);
    }
}
