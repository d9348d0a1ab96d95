//! Identifiers. Entity ids are UUIDs (v7 when Casus makes them); references to
//! organisations, workers and teams are the codes the identity provider uses.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::values::{string_value, ValueError};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        // No `Default`: a default id would be a new random one, which
        // `unwrap_or_default()` would hide; `new` says so.
        #[allow(clippy::new_without_default)]
        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| ValueError::new(stringify!($name), "is not a UUID"))
            }
        }
    };
}

uuid_id!(
    /// A youth case: one stream of events.
    CaseId
);
uuid_id!(
    /// The young person, across cases. Personal data is keyed by this id, so
    /// that erasing it reaches every case of the same person.
    SubjectId
);
uuid_id!(InterventionId);
uuid_id!(GoalId);
uuid_id!(ConsentId);
uuid_id!(ReviewId);

macro_rules! code_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        #[cfg(feature = "openapi")]
        crate::values::string_schema!(
            $name,
            "A code of the identity provider: 1 to 200 characters, no control characters, \
             no spaces at either end",
            1,
            200,
            r"^[^\s\u0000-\u001f\u007f-\u009f]([^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f])?$",
            "zuid-1"
        );

        impl $name {
            pub fn parse(value: impl Into<String>) -> Result<Self, ValueError> {
                let value = value.into();
                let trimmed = value.trim();
                if trimmed.is_empty()
                    || trimmed.chars().count() > 200
                    || trimmed.chars().any(char::is_control)
                {
                    return Err(ValueError::new(
                        stringify!($name),
                        "must be 1 to 200 characters without control characters",
                    ));
                }
                Ok(Self(trimmed.to_owned()))
            }
        }

        string_value!($name, Display);
    };
}

code_id!(
    /// An organisation (municipality department, police unit, school, Halt office, ...).
    OrganisationId
);
code_id!(
    /// A worker: the `sub` of the identity provider.
    WorkerId
);
code_id!(TeamId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_and_must_not_be_empty() {
        assert_eq!(
            OrganisationId::parse("  halt-zuid ").unwrap().as_str(),
            "halt-zuid"
        );
        assert!(OrganisationId::parse("   ").is_err());
        assert!(TeamId::parse("a\u{0}b").is_err());
        assert!(WorkerId::parse("x".repeat(201)).is_err());
    }

    #[test]
    fn uuid_ids_parse_and_refuse_garbage() {
        let id = CaseId::new();
        assert_eq!(id.to_string().parse::<CaseId>().unwrap(), id);
        assert!("not-a-uuid".parse::<CaseId>().is_err());
    }
}
