//! The one clock of Casus: what day it is for the programme, in the
//! Netherlands, whatever time zone the server runs in.

use chrono::{NaiveDate, Utc};

/// Today in Europe/Amsterdam.
pub fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive()
}
