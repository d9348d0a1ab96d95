//! The codes a case is filed under and a caller acts with: the domain, the
//! role, the municipality (CBS) and the focus area.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use super::string_schema;
use super::{string_value, ValueError};

/// The two domains that share a case and see it through different views.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = ValueError,
    parse_err_fn = not_a_domain
)]
pub enum Domain {
    Social,
    Justice,
}

fn not_a_domain(_: &str) -> ValueError {
    ValueError::new("domain", "must be social or justice")
}

impl Domain {
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

/// What a user may do in Casus, as the identity provider's `roles` claim says.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = ValueError,
    parse_err_fn = not_a_role
)]
pub enum Role {
    CaseWorker,
    CaseLead,
    Supervisor,
    Auditor,
    PrivacyOfficer,
    Analyst,
    Admin,
}

fn not_a_role(_: &str) -> ValueError {
    ValueError::new("role", "is not a role of Casus")
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

/// A CBS municipality code, `GM` and four digits (e.g. `GM0599` for Rotterdam).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MunicipalityCode(String);

#[cfg(feature = "openapi")]
string_schema!(
    MunicipalityCode,
    "A CBS municipality code: GM and four digits",
    6,
    6,
    "^GM[0-9]{4}$",
    "GM0599"
);

impl MunicipalityCode {
    pub fn parse(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into().trim().to_ascii_uppercase();
        let digits = value.strip_prefix("GM").unwrap_or("");
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::new(
                "municipality",
                "must be a CBS code: GM and four digits",
            ));
        }
        Ok(Self(value))
    }
}

string_value!(MunicipalityCode, Display);

/// A focus area's code: lower-case letters, digits and hyphens (e.g. `rotterdam-zuid`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FocusAreaCode(String);

#[cfg(feature = "openapi")]
string_schema!(
    FocusAreaCode,
    "A focus area of the programme: lower-case letters, digits and inner hyphens",
    2,
    64,
    "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
    "rotterdam-zuid"
);

impl FocusAreaCode {
    pub fn parse(value: impl Into<String>) -> Result<Self, ValueError> {
        let value = value.into();
        let ok = (2..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if !ok {
            return Err(ValueError::new(
                "focus area",
                "must be 2 to 64 lower-case letters, digits and inner hyphens",
            ));
        }
        Ok(Self(value))
    }
}

string_value!(FocusAreaCode, Display);
