//! The event repository under cqrs-es's `PersistedEventStore`.
//!
//! Reads go through postgres-es's `PostgresEventRepository`. Writes are our
//! own, because postgres-es 0.5 writes a snapshot update after committing its
//! transaction (so a failed snapshot reports a conflict for events that were
//! stored), records a snapshot's sequence as that of the command's last event
//! even when the snapshot stops earlier, and inserts one row per round trip.
//! Here one transaction inserts all events of a command in one statement and
//! replaces the snapshot, or does nothing at all. When the command came with
//! an idempotency key, the same transaction keeps its answer.

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlx::PgPool;

use crate::idempotency::{Idempotency, KeyTaken, METADATA_KEY};
use crate::privacy::{seal_events, Keyring, SealError};

pub struct CaseRepository {
    pool: PgPool,
    reader: PostgresEventRepository,
    keyring: Keyring,
}

impl CaseRepository {
    /// A repository that seals personal data with keys wrapped by `keyring`.
    pub fn new(pool: PgPool, keyring: Keyring) -> Self {
        Self {
            reader: PostgresEventRepository::new(pool.clone()),
            pool,
            keyring,
        }
    }
}

/// Appends events in one statement, in array order (so the chain trigger
/// sees each stream's events in sequence). Also used by `EventBatch`.
pub(crate) const INSERT_EVENTS: &str = "
insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
select $1, e.aggregate_id, e.sequence, e.event_type, e.event_version, e.payload, e.metadata
  from unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[])
       as e(aggregate_id, sequence, event_type, event_version, payload, metadata)";

const UPSERT_SNAPSHOT: &str = "
insert into snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload)
values ($1, $2, $3, $4, $5)
on conflict (aggregate_type, aggregate_id) do update
   set last_sequence = excluded.last_sequence,
       current_snapshot = excluded.current_snapshot,
       payload = excluded.payload
 where snapshots.last_sequence < excluded.last_sequence";

const INSERT_ANSWER: &str = "
insert into idempotency_keys (scope, key, request_hash, status, answer)
values ($1, $2, $3, $4, $5::jsonb || jsonb_build_object('case_id', $6::uuid, 'version', $7::bigint))";

impl PersistedEventRepository for CaseRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.reader
            .get_events::<A>(aggregate_id)
            .await
            .map_err(classify)
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.reader
            .get_last_events::<A>(aggregate_id, last_sequence)
            .await
            .map_err(classify)
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.reader
            .get_snapshot::<A>(aggregate_id)
            .await
            .map_err(classify)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        // The key travels in the metadata (cqrs-es's only channel to here)
        // and is taken out again: the events do not keep it.
        let idempotency: Option<Idempotency> = match first.metadata.get(METADATA_KEY) {
            Some(Value::String(json)) => Some(serde_json::from_str(json).map_err(unknown)?),
            _ => None,
        };
        let mut tx = self.pool.begin().await.map_err(from_sqlx)?;
        let mut sequences = Vec::with_capacity(events.len());
        let mut types = Vec::with_capacity(events.len());
        let mut versions = Vec::with_capacity(events.len());
        let mut sealed = Vec::with_capacity(events.len());
        let mut metadata = Vec::with_capacity(events.len());
        for event in events {
            sequences.push(i64::try_from(event.sequence).map_err(unknown)?);
            types.push(event.event_type.as_str());
            versions.push(event.event_version.as_str());
            sealed.push((event.event_type.as_str(), event.payload.clone()));
            metadata.push(&event.metadata);
        }
        seal_events(&self.keyring, &mut tx, &first.aggregate_id, &mut sealed)
            .await
            .map_err(from_seal)?;
        let payloads: Vec<&Value> = sealed.iter().map(|(_, payload)| payload).collect();
        let stripped: Vec<Value>;
        if idempotency.is_some() {
            stripped = events.iter().map(|e| without_key(&e.metadata)).collect();
            metadata = stripped.iter().collect();
        }
        sqlx::query(INSERT_EVENTS)
            .bind(A::TYPE)
            .bind(vec![first.aggregate_id.as_str(); events.len()])
            .bind(&sequences)
            .bind(&types)
            .bind(&versions)
            .bind(&payloads)
            .bind(&metadata)
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        if let Some(request) = &idempotency {
            let last = sequences.last().copied().unwrap_or_default();
            sqlx::query(INSERT_ANSWER)
                .bind(&request.scope)
                .bind(&request.key)
                .bind(&request.request_hash)
                .bind(request.status as i16)
                .bind(Value::Object(request.answer.clone()))
                .bind(&first.aggregate_id)
                .bind(last)
                .execute(&mut *tx)
                .await
                .map_err(from_sqlx)?;
        }
        if let Some((aggregate_id, aggregate, current_snapshot)) = snapshot_update {
            // The snapshot may stop before the command's last event; the
            // aggregate's own version says where it stops.
            let last_sequence = aggregate
                .get("version")
                .and_then(Value::as_i64)
                .ok_or_else(|| unknown("the snapshot of the aggregate has no version"))?;
            sqlx::query(UPSERT_SNAPSHOT)
                .bind(A::TYPE)
                .bind(&aggregate_id)
                .bind(last_sequence)
                .bind(i64::try_from(current_snapshot).map_err(unknown)?)
                .bind(&aggregate)
                .execute(&mut *tx)
                .await
                .map_err(from_sqlx)?;
        }
        tx.commit().await.map_err(from_sqlx)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        self.reader.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.reader.stream_all_events::<A>().await
    }
}

fn without_key(metadata: &Value) -> Value {
    let mut metadata = metadata.clone();
    if let Some(map) = metadata.as_object_mut() {
        map.remove(METADATA_KEY);
    }
    metadata
}

fn from_seal(error: SealError) -> PersistenceError {
    match error {
        SealError::Database(error) => from_sqlx(error),
        other => PersistenceError::UnknownError(Box::new(other)),
    }
}

fn unknown(error: impl ToString) -> PersistenceError {
    PersistenceError::UnknownError(error.to_string().into())
}

/// Whether the database is out of reach (rather than refusing a query).
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    ) || error
        .as_database_error()
        .and_then(|e| e.code())
        // 57P01..03: the server is shutting down or restarting; 53300: too many connections.
        .is_some_and(|code| code.starts_with("57P") || code == "53300")
}

/// A second writer at the same sequence of the same case is a conflict; a
/// key answered meanwhile is `KeyTaken`; an unreachable database is a
/// connection error; anything else is unexpected.
fn from_sqlx(error: sqlx::Error) -> PersistenceError {
    let duplicate = |constraint| {
        error
            .as_database_error()
            .is_some_and(|e| e.is_unique_violation() && e.constraint() == Some(constraint))
    };
    if duplicate("events_pkey") {
        PersistenceError::OptimisticLockError
    } else if duplicate("idempotency_keys_pkey") {
        PersistenceError::UnknownError(Box::new(KeyTaken))
    } else if is_unavailable(&error) {
        PersistenceError::ConnectionError(Box::new(error))
    } else {
        PersistenceError::UnknownError(Box::new(error))
    }
}

/// postgres-es reports a pool time-out or a restarting server as unknown;
/// sort those among the connection errors where they belong.
fn classify(error: PersistenceError) -> PersistenceError {
    match error {
        PersistenceError::UnknownError(cause)
            if cause
                .downcast_ref::<sqlx::Error>()
                .is_some_and(is_unavailable) =>
        {
            PersistenceError::ConnectionError(cause)
        }
        other => other,
    }
}
