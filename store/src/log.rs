//! Reading the log: every reader of events gets them upcast to their
//! current shape and with personal data opened (or marked erased) here, and
//! only here. The projector and the rebuild read in commit order, without
//! gaps:
//!
//! A `global_position` is taken at insert, but transactions commit in another
//! order: a reader that asks for `global_position > checkpoint` can pass an
//! event that commits later with a lower position, and never see it. So a
//! reader takes only events of transactions older than the oldest one still
//! running (`pg_snapshot_xmin`), which every later reader sees as well, in
//! `(transaction_id, global_position)` order, and keeps that pair as its
//! checkpoint.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use casus_domain::{CaseEvent, CaseId, YouthCase};
use chrono::{DateTime, Utc};
use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use cqrs_es::Aggregate;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::privacy::{open_all, DataKey, Keyring};
use crate::Metadata;

/// A place in the log, in commit order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// The inserting transaction's `xid8`, which fits an `i64` for ages to come.
    pub transaction_id: i64,
    pub global_position: i64,
}

/// A stored event, upcast and decoded.
#[derive(Clone, Debug)]
pub struct RecordedEvent {
    pub position: Position,
    pub case_id: CaseId,
    pub sequence: i64,
    pub recorded_at: DateTime<Utc>,
    pub event: CaseEvent,
    /// `None` for events stored without (complete) metadata.
    pub metadata: Option<Metadata>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("event {global_position} ({event_type} {event_version} of case {case_id}) cannot be decoded: {reason}")]
    Undecodable {
        global_position: i64,
        case_id: String,
        event_type: String,
        event_version: String,
        reason: String,
    },
}

// With each event, its subject and their wrapped data key (null once erased).
const SELECT: &str = "
select e.transaction_id::text::bigint as xid, e.global_position, e.aggregate_id, e.sequence, e.event_type,
       e.event_version, e.payload, e.metadata, e.recorded_at, s.subject_id,
       (select k.wrapped from subject_keys k where k.subject_id = s.subject_id) as wrapped
  from events e
  left join case_subjects s on s.case_id = e.aggregate_id::uuid";

const AFTER: &str = "
 where (e.transaction_id, e.global_position) > ($1::bigint::text::xid8, $2)
   and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
 -- The table's columns, not the output's: this order is the index's.
 order by e.transaction_id, e.global_position
 limit $3";

const OF_CASE: &str = "
 where e.aggregate_type = $1 and e.aggregate_id = $2 and e.sequence between $3 and $4
 order by e.sequence";

type Row = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Value,
    Value,
    DateTime<Utc>,
    Option<Uuid>,
    Option<Vec<u8>>,
);

/// Turns stored events into current ones: upcast, personal data opened
/// (or, for a reader that needs none, left sealed).
pub struct Decoder {
    upcasters: Vec<Box<dyn EventUpcaster>>,
    keyring: Option<Keyring>,
}

impl Decoder {
    pub fn new(keyring: Keyring) -> Self {
        Self {
            upcasters: casus_domain::upcasters(),
            keyring: Some(keyring),
        }
    }

    /// A decoder that never opens personal data: every personal value stays
    /// sealed, as after an erasure. For readers that must not see it.
    pub fn sealed() -> Self {
        Self {
            upcasters: casus_domain::upcasters(),
            keyring: None,
        }
    }
}

/// Up to `limit` events after `after` that every later reader will see too.
pub async fn read_after(
    conn: &mut PgConnection,
    after: Position,
    limit: i64,
    decoder: &Decoder,
) -> Result<Vec<RecordedEvent>, ReadError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT}{AFTER}"))
        .bind(after.transaction_id)
        .bind(after.global_position)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    decoder.decode(rows)
}

/// The events of `case` with sequences in `sequences`, in order.
pub async fn read_case(
    conn: &mut PgConnection,
    case: CaseId,
    sequences: std::ops::RangeInclusive<i64>,
    decoder: &Decoder,
) -> Result<Vec<RecordedEvent>, ReadError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT}{OF_CASE}"))
        .bind(YouthCase::TYPE)
        .bind(case.to_string())
        .bind(sequences.start())
        .bind(sequences.end())
        .fetch_all(conn)
        .await?;
    decoder.decode(rows)
}

impl Decoder {
    fn decode(&self, rows: Vec<Row>) -> Result<Vec<RecordedEvent>, ReadError> {
        // A batch holds many events of few cases: open each key once.
        let mut keys: HashMap<Uuid, DataKey> = HashMap::new();
        rows.into_iter()
            .map(|row| decode(row, self, &mut keys))
            .collect()
    }
}

fn decode(
    row: Row,
    decoder: &Decoder,
    keys: &mut HashMap<Uuid, DataKey>,
) -> Result<RecordedEvent, ReadError> {
    let (
        transaction_id,
        global_position,
        aggregate_id,
        sequence,
        event_type,
        event_version,
        mut payload,
        metadata,
        recorded_at,
        subject,
        wrapped,
    ) = row;
    let undecodable = |reason: String| ReadError::Undecodable {
        global_position,
        case_id: aggregate_id.clone(),
        event_type: event_type.clone(),
        event_version: event_version.clone(),
        reason,
    };
    let case_id = aggregate_id
        .parse()
        .map_err(|e: casus_domain::ValueError| undecodable(e.to_string()))?;
    if let (Some(keyring), Some(subject), Some(wrapped)) = (&decoder.keyring, subject, wrapped) {
        let key = match keys.entry(subject) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(
                keyring
                    .unwrap(subject, &wrapped)
                    .map_err(|e| undecodable(e.to_string()))?,
            ),
        };
        open_all(&mut payload, key);
    }
    let payload = upcast(
        &decoder.upcasters,
        &aggregate_id,
        sequence,
        &event_type,
        &event_version,
        payload,
        &metadata,
    );
    let event = serde_json::from_value(payload).map_err(|e| undecodable(e.to_string()))?;
    let metadata = serde_json::from_value::<HashMap<String, String>>(metadata)
        .ok()
        .and_then(|map| Metadata::from_map(&map));
    Ok(RecordedEvent {
        position: Position {
            transaction_id,
            global_position,
        },
        case_id,
        sequence,
        recorded_at,
        event,
        metadata,
    })
}

/// The payload in its current shape. Most events are current already; only
/// an event an upcaster claims is wrapped for it (cqrs-es's own upcasting is
/// not public; it upcasts what the repository loads).
fn upcast(
    upcasters: &[Box<dyn EventUpcaster>],
    aggregate_id: &str,
    sequence: i64,
    event_type: &str,
    event_version: &str,
    payload: Value,
    metadata: &Value,
) -> Value {
    if !upcasters
        .iter()
        .any(|u| u.can_upcast(event_type, event_version))
    {
        return payload;
    }
    let stored = SerializedEvent::new(
        aggregate_id.to_owned(),
        usize::try_from(sequence).unwrap_or_default(),
        YouthCase::TYPE.to_owned(),
        event_type.to_owned(),
        event_version.to_owned(),
        payload,
        // An upcaster may take what an old event lacks from its metadata.
        metadata.clone(),
    );
    let current = upcasters.iter().fold(stored, |event, upcaster| {
        if upcaster.can_upcast(&event.event_type, &event.event_version) {
            upcaster.upcast(event)
        } else {
            event
        }
    });
    current.payload
}

/// Whether any committed event lies past `after`, readable or not.
pub async fn committed_after(
    conn: &mut PgConnection,
    after: Position,
) -> Result<bool, sqlx::Error> {
    // Ordered with a limit, not `exists`: PostgreSQL's generic plan for an
    // `exists` here (used once a prepared statement has run five times) is a
    // scan of the whole log; with `order by .. limit 1` it stays on the index.
    sqlx::query_scalar(
        "select (select e.global_position from events e
                  where (e.transaction_id, e.global_position) > ($1::bigint::text::xid8, $2)
                  order by e.transaction_id, e.global_position limit 1) is not null",
    )
    .bind(after.transaction_id)
    .bind(after.global_position)
    .fetch_one(conn)
    .await
}

/// The version of `case` in the log: its last committed event's sequence,
/// 0 if there is no such case.
pub async fn case_version(pool: &PgPool, case: CaseId) -> Result<u64, sqlx::Error> {
    let version: i64 = sqlx::query_scalar(
        "select coalesce(max(sequence), 0) from events
          where aggregate_type = $1 and aggregate_id = $2",
    )
    .bind(YouthCase::TYPE)
    .bind(case.to_string())
    .fetch_one(pool)
    .await?;
    Ok(version as u64)
}

/// The global position of the last event stored (0 for an empty log).
pub async fn last_position(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select coalesce(max(global_position), 0) from events")
        .fetch_one(pool)
        .await
}

/// How many events the log holds.
pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from events")
        .fetch_one(pool)
        .await
}
