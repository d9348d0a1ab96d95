//! Many cases' events in one insert, for bulk loads (`casus seed`, the
//! bench): the same statement, event format, metadata and hash chain as a
//! command's append, without loading each case.

use casus_domain::{CaseEvent, CaseId, YouthCase};
use cqrs_es::{Aggregate, DomainEvent};
use sqlx::PgPool;

use crate::metadata::Metadata;
use crate::repository::INSERT_EVENTS;

/// Events to append, each stream's in sequence order.
#[derive(Default)]
pub struct EventBatch {
    ids: Vec<String>,
    sequences: Vec<i64>,
    types: Vec<String>,
    versions: Vec<String>,
    payloads: Vec<serde_json::Value>,
    metadata: Vec<serde_json::Value>,
}

impl EventBatch {
    pub fn push(
        &mut self,
        case: CaseId,
        sequence: u64,
        event: &CaseEvent,
        metadata: &Metadata,
    ) -> Result<(), serde_json::Error> {
        self.ids.push(case.to_string());
        self.sequences.push(sequence as i64);
        self.types.push(event.event_type());
        self.versions.push(event.event_version());
        self.payloads.push(serde_json::to_value(event)?);
        self.metadata.push(serde_json::to_value(metadata.to_map())?);
        Ok(())
    }

    /// Appends every event in one statement (and transaction).
    pub async fn write(self, pool: &PgPool) -> Result<(), sqlx::Error> {
        sqlx::query(INSERT_EVENTS)
            .bind(YouthCase::TYPE)
            .bind(&self.ids)
            .bind(&self.sequences)
            .bind(&self.types)
            .bind(&self.versions)
            .bind(&self.payloads)
            .bind(&self.metadata)
            .execute(pool)
            .await?;
        Ok(())
    }
}
