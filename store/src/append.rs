//! The one statement that appends events, for a command's events
//! (`CaseRepository`) and a bulk load (`EventBatch`) alike: signed by Casus,
//! chained by the database.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;

use crate::audit::signature::{self, EventText, Signer};

/// Appends events in one statement, in array order (so the chain trigger
/// sees each stream's events in sequence), and answers each one's hash.
const INSERT_EVENTS: &str = "
insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata,
                    recorded_at, signature)
select $1, e.aggregate_id, e.sequence, e.event_type, e.event_version, e.payload, e.metadata, $8, e.signature
  from unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $9::bytea[])
       as e(aggregate_id, sequence, event_type, event_version, payload, metadata, signature)
returning sequence, hash";

/// Events to append, column by column, each stream's in sequence order.
#[derive(Default)]
pub(crate) struct EventRows {
    pub ids: Vec<String>,
    pub sequences: Vec<i64>,
    pub types: Vec<String>,
    pub versions: Vec<String>,
    /// Sealed already.
    pub payloads: Vec<Value>,
    pub metadata: Vec<Value>,
}

impl EventRows {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            ids: Vec::with_capacity(n),
            sequences: Vec::with_capacity(n),
            types: Vec::with_capacity(n),
            versions: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
            metadata: Vec::with_capacity(n),
        }
    }

    fn signatures(
        &self,
        signer: &Signer,
        aggregate_type: &str,
        recorded_at: DateTime<Utc>,
    ) -> Vec<Vec<u8>> {
        (0..self.ids.len())
            .map(|i| {
                signer.sign(
                    &EventText {
                        aggregate_type,
                        aggregate_id: &self.ids[i],
                        sequence: self.sequences[i],
                        event_type: &self.types[i],
                        event_version: &self.versions[i],
                        recorded_at,
                        payload: &self.payloads[i],
                        metadata: &self.metadata[i],
                    }
                    .canonical(),
                )
            })
            .collect()
    }

    /// Inserts the events, recorded now and signed; answers each event's
    /// sequence and hash.
    pub async fn insert(
        &self,
        connection: &mut PgConnection,
        aggregate_type: &str,
        signer: &Signer,
    ) -> Result<Vec<(i64, Vec<u8>)>, sqlx::Error> {
        let recorded_at = signature::stored_time(Utc::now());
        let signatures = self.signatures(signer, aggregate_type, recorded_at);
        sqlx::query_as(INSERT_EVENTS)
            .bind(aggregate_type)
            .bind(&self.ids)
            .bind(&self.sequences)
            .bind(&self.types)
            .bind(&self.versions)
            .bind(&self.payloads)
            .bind(&self.metadata)
            .bind(recorded_at)
            .bind(&signatures)
            .fetch_all(connection)
            .await
    }
}
