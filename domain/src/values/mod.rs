//! Constrained values. Each has a private field and a `parse`, so a command
//! never holds an unchecked string (parse, don't validate).

use std::fmt;

use serde::{Deserialize, Serialize};

mod codes;

pub use codes::{Domain, FocusAreaCode, MunicipalityCode, Role};

/// A value that does not meet its constraints; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct ValueError {
    field: &'static str,
    problem: &'static str,
}

impl ValueError {
    pub fn new(field: &'static str, problem: &'static str) -> Self {
        Self { field, problem }
    }
}

/// For a string newtype whose `parse` checks its invariant: `as_str`,
/// `TryFrom<String>` through `parse` (so serde checks it too) and back.
macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::values::ValueError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
    ($name:ident, Display) => {
        string_value!($name);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use string_value;

/// The OpenAPI schema of a constrained string: what `parse` checks, as far
/// as a JSON Schema can say it, so that generated clients and validators
/// agree with the server.
#[cfg(feature = "openapi")]
macro_rules! string_schema {
    ($name:ident, $description:expr, $min:expr, $max:expr, $pattern:expr, $example:expr) => {
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .min_length(Some($min))
                    .max_length(Some($max))
                    .pattern(Some($pattern))
                    .examples([$example])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
#[cfg(feature = "openapi")]
pub(crate) use string_schema;

/// Free text written by a worker: trimmed, not empty, at most 10,000 characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

#[cfg(feature = "openapi")]
string_schema!(
    Text,
    "Free text: not only spaces, at most 10,000 characters, no NUL",
    1,
    Text::MAX_CHARS,
    r"^[^\u0000]*[^\s\u0000][^\u0000]*$",
    "home visit, mother present"
);

impl Text {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(ValueError::new("text", "must not be empty"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new("text", "must be at most 10,000 characters"));
        }
        // PostgreSQL refuses NUL in text and JSON, so no stored event holds
        // one; other control characters are kept, as events may hold them.
        if trimmed.contains('\0') {
            return Err(ValueError::new("text", "must not hold a NUL character"));
        }
        Ok(Self(trimmed.to_owned()))
    }
}

string_value!(Text);

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({:?})", self.0)
    }
}

/// A whole number as JSON may write it, `3` or `3.0`: JSON Schema's
/// `integer` takes both, so a client that writes either is understood.
pub fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    struct Whole;

    impl serde::de::Visitor<'_> for Whole {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number, 0 or more")
        }

        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<u64, E> {
            Ok(n)
        }

        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<u64, E> {
            u64::try_from(n).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))
        }

        fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<u64, E> {
            if n.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&n) {
                Ok(n as u64)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(n), &self))
            }
        }
    }

    deserializer.deserialize_any(Whole)
}

/// A risk score for one area of life, 0 (no concern) to 4 (severe concern).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Score(u8);

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = whole_number(deserializer)?;
        u8::try_from(n)
            .map_err(|_| ValueError::new("score", "must be 0 to 4"))
            .and_then(Self::parse)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Score {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .description(Some("0 (no concern) to 4 (severe concern)"))
            .minimum(Some(0))
            .maximum(Some(Score::MAX))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Score {}

impl Score {
    pub const MAX: u8 = 4;

    pub fn parse(value: u8) -> Result<Self, ValueError> {
        if value > Self::MAX {
            return Err(ValueError::new("score", "must be 0 to 4"));
        }
        Ok(Self(value))
    }
}

impl From<Score> for u8 {
    fn from(value: Score) -> Self {
        value.0
    }
}

/// A Dutch citizen service number (BSN): nine digits that pass the eleven test.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bsn(String);

#[cfg(feature = "openapi")]
string_schema!(
    Bsn,
    "A citizen service number (BSN): nine digits, not all zeros, that pass the eleven test",
    9,
    9,
    "^[0-9]{9}$",
    "111222333"
);

impl Bsn {
    pub fn parse(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
        if value.len() != 9 || digits.len() != 9 {
            return Err(ValueError::new("bsn", "must be nine digits"));
        }
        let sum: i64 = digits
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                let weight = if i == 8 { -1 } else { 9 - i as i64 };
                weight * i64::from(d)
            })
            .sum();
        if sum == 0 || sum % 11 != 0 {
            return Err(ValueError::new("bsn", "does not pass the eleven test"));
        }
        Ok(Self(value))
    }
}

string_value!(Bsn);

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn(*********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::parse("  hallo ").unwrap().as_str(), "hallo");
        assert!(Text::parse(" \n ").is_err());
        assert!(Text::parse("x".repeat(Text::MAX_CHARS + 1)).is_err());
        assert!(Text::parse("x".repeat(Text::MAX_CHARS)).is_ok());
    }

    #[test]
    fn text_refuses_nul() {
        assert!(Text::parse("one\ntwo\tthree").is_ok());
        assert!(Text::parse("nul\0byte").is_err());
    }

    #[test]
    fn text_refuses_empty_json() {
        assert!(serde_json::from_str::<Text>("\"\"").is_err());
    }

    #[test]
    fn municipality_codes_are_cbs_codes() {
        assert_eq!(
            MunicipalityCode::parse("gm0599").unwrap().as_str(),
            "GM0599"
        );
        assert!(MunicipalityCode::parse("GM59").is_err());
        assert!(MunicipalityCode::parse("0599").is_err());
        assert!(MunicipalityCode::parse("GM05a9").is_err());
    }

    #[test]
    fn focus_area_codes_are_slugs() {
        assert!(FocusAreaCode::parse("rotterdam-zuid").is_ok());
        assert!(FocusAreaCode::parse("Rotterdam Zuid").is_err());
        assert!(FocusAreaCode::parse("-zuid").is_err());
    }

    #[test]
    fn scores_run_from_zero_to_four() {
        assert!(Score::parse(4).is_ok());
        assert!(Score::parse(5).is_err());
        assert!(serde_json::from_str::<Score>("7").is_err());
    }

    #[test]
    fn roles_and_domains_round_trip_through_their_names() {
        for role in [Role::CaseWorker, Role::PrivacyOfficer, Role::Admin] {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("superuser".parse::<Role>().is_err());
        assert_eq!("justice".parse::<Domain>().unwrap(), Domain::Justice);
        assert!("police".parse::<Domain>().is_err());
    }

    #[test]
    fn bsn_passes_the_eleven_test() {
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("123456789").is_err());
        assert!(Bsn::parse("11122233").is_err());
        assert!(Bsn::parse("000000000").is_err());
        assert_eq!(
            format!("{:?}", Bsn::parse("111222333").unwrap()),
            "Bsn(*********)"
        );
    }
}
