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
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself; call this only where showing it is authorised.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Personal(<redacted>)")
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
    fn serialises_as_the_bare_value() {
        let name = Personal::new(Text::parse("Jan").unwrap());
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"Jan\"");
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
