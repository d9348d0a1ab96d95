//! A case's history as stored: every event with its metadata, position,
//! time and hashes; and the case as it was at a version.

use casus_domain::{CaseEvent, CaseId, YouthCase};
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use serde::Serialize;
use sqlx::PgPool;

use super::chain::{StoredEvent, STORED_EVENT};
use crate::privacy::{display, key_for_case, open_all, DataKey, Keyring, SealError};

/// One event of a case's history.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub sequence: i64,
    pub global_position: i64,
    pub event_type: String,
    pub event_version: String,
    pub recorded_at: DateTime<Utc>,
    /// The event as stored: personal data sealed.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// The event for a person to read: personal data opened, or `"[erased]"`
    /// once the young person's key was destroyed.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub content: serde_json::Value,
    /// Who, in which role and organisation, why, and the request.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
    /// The exact text the hash covers, for checking it without Casus.
    pub canonical: String,
}

impl HistoryEntry {
    fn from_stored(event: StoredEvent, key: Option<&DataKey>) -> Result<Self, serde_json::Error> {
        let payload: serde_json::Value = serde_json::from_str(&event.payload)?;
        let mut opened = payload.clone();
        if let Some(key) = key {
            open_all(&mut opened, key);
        }
        Ok(Self {
            canonical: event.canonical(),
            sequence: event.sequence,
            global_position: event.global_position,
            content: display(opened),
            payload,
            metadata: serde_json::from_str(&event.metadata)?,
            event_type: event.event_type,
            event_version: event.event_version,
            recorded_at: event.recorded_at,
            prev_hash: hex::encode(&event.prev_hash),
            hash: hex::encode(&event.hash),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("a stored event of this case cannot be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Keys(#[from] SealError),
}

/// Every event of `case`, in order.
pub async fn history(
    pool: &PgPool,
    keyring: &Keyring,
    case: CaseId,
) -> Result<Vec<HistoryEntry>, HistoryError> {
    let key = match key_for_case(keyring, pool, case.as_uuid()).await? {
        Some((_, key)) => key,
        None => None,
    };
    let sql = format!(
        "select {STORED_EVENT} from events
          where aggregate_type = $1 and aggregate_id = $2 order by sequence"
    );
    let stored: Vec<StoredEvent> = sqlx::query_as(&sql)
        .bind(YouthCase::TYPE)
        .bind(case.to_string())
        .fetch_all(pool)
        .await?;
    stored
        .into_iter()
        .map(|e| {
            HistoryEntry::from_stored(e, key.as_ref())
                .map_err(|e| HistoryError::Unreadable(e.to_string()))
        })
        .collect()
}

/// The case's version at `at`: the number of its events recorded by then.
pub async fn version_at(pool: &PgPool, case: &str, at: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "select count(*) from events
          where aggregate_type = $1 and aggregate_id = $2 and recorded_at <= $3",
    )
    .bind(YouthCase::TYPE)
    .bind(case)
    .bind(at)
    .fetch_one(pool)
    .await
}

/// When the `version`th event of the case was recorded.
pub async fn recorded_at(
    pool: &PgPool,
    case: &str,
    version: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar(
        "select recorded_at from events
          where aggregate_type = $1 and aggregate_id = $2 and sequence = $3",
    )
    .bind(YouthCase::TYPE)
    .bind(case)
    .bind(version)
    .fetch_optional(pool)
    .await
}

/// The case after its first `version` events.
pub fn fold(events: impl IntoIterator<Item = CaseEvent>, version: u64) -> YouthCase {
    let mut case = YouthCase::default();
    for event in events.into_iter().take(version as usize) {
        case.apply(event);
    }
    case
}
