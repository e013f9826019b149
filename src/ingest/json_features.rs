//! Streaming a GeoJSON file's features: a `FeatureCollection`'s `features` are parsed and
//! handed over one at a time, so that a whole slide's million nuclei never stand in memory as
//! one JSON tree (which takes several times the file's size). A single `Feature`, or a bare
//! list of features, is read the same way.

use crate::error::{Error, Location, Problem, Result};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;
use std::path::Path;

/// Calls `each` with every feature of the GeoJSON file at `path` and its JSON pointer
/// (`/features/12`; `` for a file that is one Feature; `/12` for a bare list), in file order.
/// The first error `each` returns stops the reading and is returned.
pub(crate) fn for_each_feature(
    path: &Path,
    mut each: impl FnMut(&str, &Value) -> Result<()>,
) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let state = State {
        each: RefCell::new(&mut each),
        failure: RefCell::new(None),
    };
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let parsed = (&mut deserializer)
        .deserialize_any(TopVisitor { state: &state })
        .and_then(|top| deserializer.end().map(|()| top));
    if let Some(error) = state.failure.into_inner() {
        return Err(error);
    }
    let top = parsed.map_err(|e| {
        Error::input(
            Location::row(path, e.line() as u64),
            Problem::Invalid {
                message: format!("not valid JSON: {e}"),
            },
        )
    })?;
    match top {
        Top::Streamed => Ok(()),
        Top::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("Feature") {
                each("", &Value::Object(map))
            } else {
                Err(super::json::expected(
                    path,
                    "/features",
                    "a FeatureCollection's list of features",
                    map.get("features"),
                ))
            }
        }
        Top::Other(value) => Err(super::json::expected(
            path,
            "",
            "a FeatureCollection",
            Some(&value),
        )),
    }
}

type Each<'a> = dyn FnMut(&str, &Value) -> Result<()> + 'a;

struct State<'e, 'f> {
    each: RefCell<&'e mut Each<'f>>,
    failure: RefCell<Option<Error>>,
}

impl State<'_, '_> {
    /// Hands one feature over; an error is kept and reading stops.
    fn feature<E: serde::de::Error>(&self, pointer: &str, feature: &Value) -> Result<(), E> {
        let result = (self.each.borrow_mut())(pointer, feature);
        result.map_err(|error| {
            *self.failure.borrow_mut() = Some(error);
            E::custom("stopped")
        })
    }
}

/// What the top level turned out to be.
enum Top {
    /// Its features were handed over.
    Streamed,
    /// An object without a list of features (a single Feature, or an error).
    Object(Map<String, Value>),
    /// Neither an object nor a list.
    Other(Value),
}

struct TopVisitor<'s, 'e, 'f> {
    state: &'s State<'e, 'f>,
}

impl<'de> Visitor<'de> for TopVisitor<'_, '_, '_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut kept = Map::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "features" && !streamed {
                match map.next_value_seed(FeaturesSeed {
                    state: self.state,
                    base: "/features",
                })? {
                    Some(other) => {
                        kept.insert(key, other);
                    }
                    None => streamed = true,
                }
            } else if streamed {
                map.next_value::<IgnoredAny>()?;
            } else {
                kept.insert(key, map.next_value::<Value>()?);
            }
        }
        Ok(if streamed {
            Top::Streamed
        } else {
            Top::Object(kept)
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        stream(self.state, "", seq).map(|()| Top::Streamed)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Top, E> {
        Ok(Top::Other(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Top, E> {
        Ok(Top::Other(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Top, E> {
        Ok(Top::Other(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Top, E> {
        Ok(Top::Other(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Top, E> {
        Ok(Top::Other(Value::from(v)))
    }

    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::Other(Value::Null))
    }
}

fn stream<'de, A: SeqAccess<'de>>(state: &State, base: &str, mut seq: A) -> Result<(), A::Error> {
    let mut index = 0usize;
    while let Some(feature) = seq.next_element::<Value>()? {
        state.feature(&format!("{base}/{index}"), &feature)?;
        index += 1;
    }
    Ok(())
}

/// The value of `features`: streamed when a list (`None`), else kept as it is, for the error.
struct FeaturesSeed<'s, 'e, 'f> {
    state: &'s State<'e, 'f>,
    base: &'static str,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_, '_, '_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Value>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_, '_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Value>, A::Error> {
        stream(self.state, self.base, seq).map(|()| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        let value = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(value))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_unit<E>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::json::at;

    fn read(text: &str) -> Result<Vec<(String, Value)>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.geojson");
        std::fs::write(&path, text).unwrap();
        let mut seen = Vec::new();
        for_each_feature(&path, |pointer, feature| {
            seen.push((pointer.to_string(), feature.clone()));
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn collections_single_features_and_lists_are_streamed_with_their_pointers() {
        let collection = read(
            r#"{"features": [{"type": "Feature", "id": 1}, {"type": "Feature", "id": 2}],
                "type": "FeatureCollection", "crs": {"x": [1, 2]}}"#,
        )
        .unwrap();
        let pointers: Vec<&str> = collection.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/features/0", "/features/1"]);
        assert_eq!(collection[1].1["id"], 2);
        let single = read(r#"{"type": "Feature", "id": 7}"#).unwrap();
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].0, "");
        assert_eq!(single[0].1["id"], 7);
        let list = read(r#"[{"type": "Feature"}, {"type": "Feature"}]"#).unwrap();
        assert_eq!(list[1].0, "/1");
    }

    #[test]
    fn errors_name_the_place() {
        let not_a_list = read(r#"{"type": "FeatureCollection", "features": {"a": 1}}"#)
            .unwrap_err()
            .to_string();
        assert!(not_a_list.contains("/features"), "{not_a_list}");
        assert!(not_a_list.contains("list of features"), "{not_a_list}");
        let broken = read("{\"features\": [\n{\"type\": \"Feature\"},\n{\"type\": ]}")
            .unwrap_err()
            .to_string();
        assert!(
            broken.contains("row 3") || broken.contains("line 3"),
            "{broken}"
        );
        let scalar = read("3").unwrap_err().to_string();
        assert!(scalar.contains("a FeatureCollection"), "{scalar}");
        // The callback's own error comes back as it was.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.geojson");
        std::fs::write(&path, r#"[{"a": 1}, {"a": 2}]"#).unwrap();
        let mut calls = 0;
        let error = for_each_feature(&path, |pointer, _| {
            calls += 1;
            Err(crate::error::Error::input(
                at(&path, pointer),
                Problem::Invalid {
                    message: "no".into(),
                },
            ))
        })
        .unwrap_err();
        assert_eq!(calls, 1);
        assert!(error.to_string().contains("/0"), "{error}");
    }
}
