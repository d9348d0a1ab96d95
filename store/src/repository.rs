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

use std::sync::Arc;

use crate::append::EventRows;
use crate::audit::signature::{self, Signer, StoredSnapshot, SELECT_SNAPSHOTS};
use crate::idempotency::{Idempotency, KeyTaken, METADATA_KEY};
use crate::keys::KeyCache;
use crate::privacy::{seal_events, Keyring, SealError};

pub struct CaseRepository {
    pool: PgPool,
    reader: PostgresEventRepository,
    keyring: Keyring,
    signer: Signer,
    keys: Arc<KeyCache>,
}

impl CaseRepository {
    /// A repository that seals personal data with keys wrapped by `keyring`
    /// and signs what it writes with `signer`.
    pub fn new(pool: PgPool, keyring: Keyring, signer: Signer) -> Self {
        Self {
            reader: PostgresEventRepository::new(pool.clone()),
            pool,
            keyring,
            signer,
            keys: Arc::default(),
        }
    }

    /// The young people's keys it keeps with their cases (off until sized).
    pub(crate) fn keys(&self) -> Arc<KeyCache> {
        self.keys.clone()
    }
}

const UPSERT_SNAPSHOT: &str = "
insert into snapshots (aggregate_type, aggregate_id, last_sequence, current_snapshot, payload, signature)
values ($1, $2, $3, $4, $5::json, $6)
on conflict (aggregate_type, aggregate_id) do update
   set last_sequence = excluded.last_sequence,
       current_snapshot = excluded.current_snapshot,
       payload = excluded.payload,
       signature = excluded.signature
 where snapshots.last_sequence < excluded.last_sequence";

/// The hash of one event.
const EVENT_HASH: &str =
    "select hash from events where aggregate_type = $1 and aggregate_id = $2 and sequence = $3";

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

    /// The snapshot, if its signature holds over its state and the event
    /// hash at its sequence; otherwise none, and the case is loaded from its
    /// events (a snapshot is a cache, never a source of truth).
    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        let snapshot: Option<StoredSnapshot> = sqlx::query_as(&format!(
            "{SELECT_SNAPSHOTS} where s.aggregate_type = $1 and s.aggregate_id = $2"
        ))
        .bind(A::TYPE)
        .bind(aggregate_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?;
        let Some(snapshot) = snapshot else {
            return Ok(None);
        };
        if !snapshot.holds(&self.signer.verifying_key()) {
            tracing::warn!(
                case = aggregate_id,
                last_sequence = snapshot.last_sequence,
                "the snapshot's signature does not hold; the case is loaded from its events"
            );
            return Ok(None);
        }
        Ok(Some(SerializedSnapshot {
            aggregate: serde_json::from_str(&snapshot.payload).map_err(unknown)?,
            aggregate_id: snapshot.aggregate_id,
            current_sequence: usize::try_from(snapshot.last_sequence).map_err(unknown)?,
            current_snapshot: usize::try_from(snapshot.current_snapshot).map_err(unknown)?,
        }))
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
        let mut rows = EventRows::with_capacity(events.len());
        let mut sealed = Vec::with_capacity(events.len());
        for event in events {
            rows.ids.push(event.aggregate_id.clone());
            rows.sequences
                .push(i64::try_from(event.sequence).map_err(unknown)?);
            rows.types.push(event.event_type.clone());
            rows.versions.push(event.event_version.clone());
            sealed.push((event.event_type.as_str(), event.payload.clone()));
            // The events do not keep the idempotency key.
            rows.metadata.push(if idempotency.is_some() {
                without_key(&event.metadata)
            } else {
                event.metadata.clone()
            });
        }
        let case = &first.aggregate_id;
        let before = i64::try_from(first.sequence).map_err(unknown)? - 1;
        let known = self.keys.at(case, before);
        let key = seal_events(&self.keyring, &mut tx, case, &mut sealed, known)
            .await
            .map_err(from_seal)?;
        rows.payloads = sealed.into_iter().map(|(_, payload)| payload).collect();
        let hashes = rows
            .insert(&mut tx, A::TYPE, &self.signer)
            .await
            .map_err(from_sqlx)?;
        if let Some(request) = &idempotency {
            let last = last_sequence(&rows);
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
            let hash = match hashes
                .iter()
                .find(|(sequence, _)| *sequence == last_sequence)
            {
                Some((_, hash)) => hash.clone(),
                None => sqlx::query_scalar(EVENT_HASH)
                    .bind(A::TYPE)
                    .bind(&aggregate_id)
                    .bind(last_sequence)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(from_sqlx)?,
            };
            let state = serde_json::to_string(&aggregate).map_err(unknown)?;
            let text =
                signature::snapshot_text(A::TYPE, &aggregate_id, last_sequence, &hash, &state);
            sqlx::query(UPSERT_SNAPSHOT)
                .bind(A::TYPE)
                .bind(&aggregate_id)
                .bind(last_sequence)
                .bind(i64::try_from(current_snapshot).map_err(unknown)?)
                .bind(&state)
                .bind(self.signer.sign(&text))
                .execute(&mut *tx)
                .await
                .map_err(from_sqlx)?;
        }
        tx.commit().await.map_err(from_sqlx)?;
        match key {
            Some(key) => self.keys.put(case, last_sequence(&rows), key),
            None => self.keys.forget(case),
        }
        Ok(())
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

fn last_sequence(rows: &EventRows) -> i64 {
    rows.sequences.last().copied().unwrap_or_default()
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
