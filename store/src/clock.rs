//! The one clock of Casus: what day it is for the programme, in the
//! Netherlands, whatever time zone the server runs in.

use chrono::{DateTime, NaiveDate, Utc};

/// Today in Europe/Amsterdam.
pub fn today() -> NaiveDate {
    day_of(Utc::now())
}

/// The day `at` falls on in Europe/Amsterdam.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()
}
