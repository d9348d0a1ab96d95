//! Finding the personal values in an event's JSON: the domain marks an open
//! one `{"$personal": value}` and a sealed one `{"$sealed": "..."}`.

use casus_domain::{OPEN_MARK, SEALED_MARK};
use serde_json::{Map, Value};

use super::keyring::DataKey;

/// What a reader is shown for a value whose key was destroyed.
pub const ERASED: &str = "[erased]";

/// The value under `mark` if `value` is exactly such a mark.
fn marked<'a>(value: &'a Value, mark: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get(mark),
        _ => None,
    }
}

/// Calls `change` on every marked value (outermost first) until it returns
/// true; descends into the rest.
fn walk(value: &mut Value, change: &mut impl FnMut(&mut Value) -> bool) {
    if change(value) {
        return;
    }
    match value {
        Value::Object(map) => map.values_mut().for_each(|v| walk(v, change)),
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, change)),
        _ => {}
    }
}

fn mark(name: &str, value: Value) -> Value {
    Value::Object(Map::from_iter([(name.to_owned(), value)]))
}

/// Whether `value` holds a personal value that is not sealed.
pub(crate) fn contains_open(value: &Value) -> bool {
    match value {
        Value::Object(map) => marked(value, OPEN_MARK).is_some() || map.values().any(contains_open),
        Value::Array(items) => items.iter().any(contains_open),
        _ => false,
    }
}

/// Seals every open personal value in `value` with `key`.
pub(crate) fn seal_all(value: &mut Value, key: &DataKey) {
    walk(value, &mut |v| match marked(v, OPEN_MARK) {
        Some(plain) => {
            *v = mark(SEALED_MARK, Value::String(key.seal(plain)));
            true
        }
        None => false,
    });
}

/// Opens every sealed personal value in `value` that `key` opens; the rest
/// (erased, or damaged) stay sealed.
pub fn open_all(value: &mut Value, key: &DataKey) {
    walk(value, &mut |v| match marked(v, SEALED_MARK) {
        Some(Value::String(sealed)) => {
            if let Ok(plain) = key.open(sealed) {
                *v = mark(OPEN_MARK, plain);
            }
            true
        }
        _ => false,
    });
}

/// `value` for a person to read: open personal values bare, sealed ones as
/// [`ERASED`].
pub fn display(mut value: Value) -> Value {
    walk(&mut value, &mut |v| {
        if let Some(plain) = marked(v, OPEN_MARK) {
            *v = plain.clone();
            true
        } else if marked(v, SEALED_MARK).is_some() {
            *v = Value::from(ERASED);
            true
        } else {
            false
        }
    });
    value
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;
    use crate::privacy::Keyring;

    #[test]
    fn seals_opens_and_shows_every_marked_value() {
        let keyring = Keyring::ephemeral();
        let (key, _) = keyring.new_key(Uuid::now_v7());
        let event = json!({"ContactLogged": {
            "kind": "home_visit",
            "summary": {"$personal": "Spoke with Jan"},
            "goals": [{"description": {"$personal": {"text": "school"}}}]
        }});
        let mut sealed = event.clone();
        seal_all(&mut sealed, &key);
        assert!(!contains_open(&sealed));
        assert!(!sealed.to_string().contains("Jan"));
        assert!(sealed.to_string().contains("home_visit"));
        assert_eq!(display(sealed.clone())["ContactLogged"]["summary"], ERASED);
        let mut opened = sealed;
        open_all(&mut opened, &key);
        assert_eq!(opened, event);
        assert_eq!(
            display(opened)["ContactLogged"]["summary"],
            json!("Spoke with Jan")
        );
    }
}
