//! A JSON reader that sees what `serde_json::Value` hides: a key written twice in one object.
//!
//! `serde_json` keeps the last of two equal keys silently, so a model that says
//! `"traits": {...}` twice loses the first set of traits without a word. This reader builds the
//! same `Value` and records every duplicate key with the JSON pointer of its object.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A key that occurs more than once in one JSON object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON pointer of the object holding the key.
    pub pointer: String,
    /// The repeated key.
    pub key: String,
}

/// Parses `text`, returning the value and every duplicate key in document order.
pub fn parse(text: &str) -> Result<(Value, Vec<DuplicateKey>), serde_json::Error> {
    let duplicates = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed { pointer: String::new(), duplicates: &duplicates }.deserialize(&mut de)?;
    de.end()?;
    Ok((value, duplicates.into_inner()))
}

struct Seed<'a> {
    pointer: String,
    duplicates: &'a RefCell<Vec<DuplicateKey>>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let pointer = format!("{}/{}", self.pointer, items.len());
            match seq.next_element_seed(Seed { pointer, duplicates: self.duplicates })? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, escape(&key));
            let value = access.next_value_seed(Seed { pointer, duplicates: self.duplicates })?;
            if map.contains_key(&key) {
                self.duplicates.borrow_mut().push(DuplicateKey { pointer: self.pointer.clone(), key: key.clone() });
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_with_their_object() {
        let (v, d) = parse(r#"{"a":{"x":1,"y":[{"k":1,"k":2}],"x":3},"b":true}"#).unwrap();
        assert_eq!(v["a"]["x"], 3);
        assert_eq!(
            d,
            [
                DuplicateKey { pointer: "/a/y/0".into(), key: "k".into() },
                DuplicateKey { pointer: "/a".into(), key: "x".into() }
            ]
        );
        assert!(parse("{} x").is_err());
        assert_eq!(parse("[1.5, null, \"s\"]").unwrap().1, []);
    }
}
