//! What the views that keep a case's contacts share: which contacts a batch
//! needs, and moving a contact to the day a correction gives it.

use casus_domain::{CaseEvent, Correction};
use casus_store::log::RecordedEvent;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::rows::Batch;

/// The contacts of `table` that `events` need: of most cases only the
/// latest (a new contact is compared with it), but every contact of a case
/// whose contact a correction moves (any may become the latest) or whose
/// young person is erased (every summary goes). A case of hundreds of
/// contacts is not read whole for each new one.
pub(crate) async fn load<T: DeserializeOwned + Serialize>(
    batch: &mut Batch,
    conn: &mut PgConnection,
    table: &'static str,
    events: &[RecordedEvent],
) -> Result<Vec<T>, sqlx::Error> {
    let mut whole: Vec<Uuid> = events
        .iter()
        .filter(|recorded| match &recorded.event {
            CaseEvent::EntryCorrected(Correction { contacted_on, .. }) => contacted_on.is_some(),
            CaseEvent::SubjectErased(_) => true,
            _ => false,
        })
        .map(|recorded| recorded.case_id.as_uuid())
        .collect();
    whole.sort_unstable();
    whole.dedup();
    batch
        .load_first(conn, table, "contacted_on desc, sequence desc", &whole)
        .await
}

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
