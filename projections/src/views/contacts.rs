//! What the views that keep a case's contacts share: moving a contact to
//! the day a correction gives it.

use chrono::NaiveDate;
use uuid::Uuid;

/// Moves the contact at `sequence` of `case`, among `contacts` (each its
/// case, sequence and day), to `on`; whether the view holds it.
pub(crate) fn redate<'a>(
    contacts: impl IntoIterator<Item = (Uuid, i64, &'a mut NaiveDate)>,
    case: Uuid,
    sequence: u64,
    on: NaiveDate,
) -> bool {
    let sequence = i64::try_from(sequence).unwrap_or(i64::MAX);
    match contacts
        .into_iter()
        .find(|(c, s, _)| (*c, *s) == (case, sequence))
    {
        Some((_, _, day)) => {
            *day = on;
            true
        }
        None => false,
    }
}
