//! Personal data of the young person and free-text summaries.
//!
//! Every such value in an event is wrapped in [`Personal`], so the store can
//! seal it with the subject's own key (and erasure can destroy that key)
//! without changing the shape of any event. The aggregate's state never holds
//! personal data: decisions that need it take it from the command.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::values::{Bsn, Text};

/// A value that is personal data. Its `Debug` never prints the value, so it
/// cannot reach a log by accident.
///
/// In JSON an open value is marked `{"$personal": value}`, so the store can
/// find every one and seal it before an event is written; a sealed value is
/// `{"$sealed": "..."}`, which only the store can open (and nobody can, once
/// the subject's key is destroyed). A bare value, as events before sealing
/// were written, reads as open.
#[derive(Clone, PartialEq, Eq)]
pub struct Personal<T>(State<T>);

#[derive(Clone, PartialEq, Eq)]
enum State<T> {
    Open(T),
    Sealed(String),
}

/// The key marking an open personal value in JSON.
pub const OPEN_MARK: &str = "$personal";
/// The key marking a sealed personal value in JSON.
pub const SEALED_MARK: &str = "$sealed";

impl<T> Personal<T> {
    pub fn new(value: T) -> Self {
        Self(State::Open(value))
    }

    /// The value itself, unless it is sealed (not opened, or erased); call
    /// this only where showing it is authorised.
    pub fn expose(&self) -> Option<&T> {
        match &self.0 {
            State::Open(value) => Some(value),
            State::Sealed(_) => None,
        }
    }
}

/// Where in `value` (JSON) an object is keyed by one of `marks`: the path
/// of keys and indexes down to the mark, e.g. `goals.0.description.$sealed`.
pub fn mark_path(value: &serde_json::Value, marks: &[&str]) -> Option<String> {
    match value {
        serde_json::Value::Object(map) => map.iter().find_map(|(key, inner)| {
            if marks.contains(&key.as_str()) {
                Some(key.clone())
            } else {
                mark_path(inner, marks).map(|path| format!("{key}.{path}"))
            }
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, inner)| mark_path(inner, marks).map(|path| format!("{i}.{path}"))),
        _ => None,
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            State::Open(_) => f.write_str("Personal(<redacted>)"),
            State::Sealed(_) => f.write_str("Personal(<sealed>)"),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Repr<T> {
    Open {
        #[serde(rename = "$personal")]
        value: T,
    },
    Sealed {
        #[serde(rename = "$sealed")]
        sealed: String,
    },
    Bare(T),
}

impl<T: Serialize> Serialize for Personal<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let repr: Repr<&T> = match &self.0 {
            State::Open(value) => Repr::Open { value },
            State::Sealed(sealed) => Repr::Sealed {
                sealed: sealed.clone(),
            },
        };
        repr.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Personal<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self(match Repr::deserialize(deserializer)? {
            Repr::Open { value } | Repr::Bare(value) => State::Open(value),
            Repr::Sealed { sealed } => State::Sealed(sealed),
        }))
    }
}

// In the API's documents a personal value has its value's schema. This is
// the trait utoipa's derive writes for a generic type; utoipa keeps it in a
// hidden module, so a release may change it: the workspace holds utoipa at
// 5.5, and the contract test (`tests/e2e/api/contract.rs`) reads the schema.
#[cfg(feature = "openapi")]
impl<T: utoipa::ToSchema> utoipa::__dev::ComposeSchema for Personal<T> {
    fn compose(
        mut generics: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        if generics.is_empty() {
            T::schema()
        } else {
            generics.swap_remove(0)
        }
    }
}

#[cfg(feature = "openapi")]
impl<T: utoipa::ToSchema> utoipa::ToSchema for Personal<T> {
    /// utoipa names it `Personal_<T>`; the API's document joins the two.
    fn name() -> std::borrow::Cow<'static, str> {
        "Personal".into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        T::schemas(schemas);
    }
}

/// Who the young person is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectDetails {
    pub name: Text,
    pub date_of_birth: NaiveDate,
    pub address: Option<Text>,
    pub bsn: Option<Bsn>,
}

impl SubjectDetails {
    /// Age in whole years on `date`; `None` if `date` lies before the birth.
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        date.years_since(self.date_of_birth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let name = Personal::new(Text::parse("Jan Jansen").unwrap());
        assert!(!format!("{name:?}").contains("Jansen"));
    }

    #[test]
    fn an_open_value_is_marked_for_the_store() {
        let name = Personal::new(Text::parse("Jan").unwrap());
        assert_eq!(
            serde_json::to_string(&name).unwrap(),
            r#"{"$personal":"Jan"}"#
        );
    }

    #[test]
    fn reads_marked_bare_and_sealed_values() {
        let read = |json: &str| serde_json::from_str::<Personal<Text>>(json).unwrap();
        assert_eq!(
            read(r#"{"$personal":"Jan"}"#).expose().unwrap().as_str(),
            "Jan"
        );
        assert_eq!(read(r#""Jan""#).expose().unwrap().as_str(), "Jan");
        let sealed = read(r#"{"$sealed":"AAAA"}"#);
        assert!(sealed.expose().is_none());
        assert_eq!(
            serde_json::to_string(&sealed).unwrap(),
            r#"{"$sealed":"AAAA"}"#
        );
    }

    #[test]
    fn details_read_as_a_bare_object_too() {
        let json = r#"{"name":"Jan","date_of_birth":"2010-01-02","address":null,"bsn":null}"#;
        let details: Personal<SubjectDetails> = serde_json::from_str(json).unwrap();
        assert_eq!(details.expose().unwrap().name.as_str(), "Jan");
    }

    #[test]
    fn age_counts_whole_years() {
        let subject = SubjectDetails {
            name: Text::parse("A").unwrap(),
            date_of_birth: NaiveDate::from_ymd_opt(2010, 6, 15).unwrap(),
            address: None,
            bsn: None,
        };
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(subject.age_on(on(2026, 6, 14)), Some(15));
        assert_eq!(subject.age_on(on(2026, 6, 15)), Some(16));
        assert_eq!(subject.age_on(on(2009, 1, 1)), None);
    }
}
