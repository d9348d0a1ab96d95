//! Verifying the hash chain. Every event's `hash` is
//! `sha256(prev_hash ‖ canonical event)`, set by the database on insert
//! (`migrations/0005_audit.sql`); here Casus recomputes it from the stored
//! columns, without trusting the database's own function, a page of events
//! at a time.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// The `prev_hash` of a stream's first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// An event as stored, with its payload and metadata as PostgreSQL prints jsonb.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredEvent {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub recorded_at: DateTime<Utc>,
    pub payload: String,
    pub metadata: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    pub global_position: i64,
}

/// The columns of `StoredEvent`, for queries.
pub const STORED_EVENT: &str = "aggregate_type, aggregate_id, sequence, event_type, event_version,
    recorded_at, payload::text as payload, metadata::text as metadata, prev_hash, hash, global_position";

impl StoredEvent {
    /// The bytes the hash covers (see the migration and the README).
    pub fn canonical(&self) -> String {
        [
            "casus-event-v1",
            &self.aggregate_type,
            &self.aggregate_id,
            &self.sequence.to_string(),
            &self.event_type,
            &self.event_version,
            &self
                .recorded_at
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
            &self.payload,
            &self.metadata,
        ]
        .join("\n")
    }

    /// What the hash must be after `prev`.
    pub fn expected_hash(&self, prev: &[u8]) -> Vec<u8> {
        let mut hasher = Sha256::new();
        hasher.update(prev);
        hasher.update(self.canonical().as_bytes());
        hasher.finalize().to_vec()
    }
}

/// What is wrong at the first broken link of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// The event's content no longer gives its hash: it was changed.
    Changed,
    /// The event does not point at the hash of the one before it.
    BrokenLink,
    /// An event is missing: the sequence jumps.
    Missing,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BrokenLink {
    pub case_id: String,
    pub sequence: i64,
    pub breach: Breach,
    /// Hex; for a missing event, the sequence expected.
    pub expected: String,
    pub found: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub streams: u64,
    pub events: u64,
    /// The first broken link of each case that has one.
    pub broken: Vec<BrokenLink>,
}

/// Walks one stream's events in order.
#[derive(Default)]
struct Walk {
    stream: Option<(String, String)>,
    next_sequence: i64,
    prev: Vec<u8>,
    broken: bool,
}

impl Walk {
    fn step(&mut self, event: &StoredEvent, report: &mut Verification) {
        let stream = (event.aggregate_type.clone(), event.aggregate_id.clone());
        if self.stream.as_ref() != Some(&stream) {
            self.stream = Some(stream);
            self.next_sequence = 1;
            self.prev = GENESIS.to_vec();
            self.broken = false;
            report.streams += 1;
        }
        report.events += 1;
        if self.broken {
            return;
        }
        let breach = if event.sequence != self.next_sequence {
            Some((
                Breach::Missing,
                self.next_sequence.to_string(),
                event.sequence.to_string(),
            ))
        } else if event.prev_hash != self.prev {
            Some((
                Breach::BrokenLink,
                hex::encode(&self.prev),
                hex::encode(&event.prev_hash),
            ))
        } else {
            let expected = event.expected_hash(&self.prev);
            (expected != event.hash).then(|| {
                (
                    Breach::Changed,
                    hex::encode(&expected),
                    hex::encode(&event.hash),
                )
            })
        };
        match breach {
            Some((breach, expected, found)) => {
                self.broken = true;
                report.broken.push(BrokenLink {
                    case_id: event.aggregate_id.clone(),
                    sequence: if breach == Breach::Missing {
                        self.next_sequence
                    } else {
                        event.sequence
                    },
                    breach,
                    expected,
                    found,
                });
            }
            None => {
                self.next_sequence += 1;
                self.prev = event.hash.clone();
            }
        }
    }
}

/// How many events one page holds: memory stays bounded, and no read
/// transaction is held open long enough to hold the projectors back.
const PAGE: i64 = 5_000;

/// Verifies every stream (or one case's), calling `progress` with the
/// number of events verified so far.
pub async fn verify(
    pool: &PgPool,
    case: Option<&str>,
    mut progress: impl FnMut(u64),
) -> Result<Verification, sqlx::Error> {
    let sql = format!(
        "select {STORED_EVENT} from events
          where ($1::text is null or aggregate_id = $1)
            and (aggregate_type, aggregate_id, sequence) > ($2, $3, $4)
          order by aggregate_type, aggregate_id, sequence
          limit $5"
    );
    let mut report = Verification::default();
    let mut walk = Walk::default();
    let mut after = (String::new(), String::new(), 0_i64);
    loop {
        let page: Vec<StoredEvent> = sqlx::query_as(&sql)
            .bind(case)
            .bind(&after.0)
            .bind(&after.1)
            .bind(after.2)
            .bind(PAGE)
            .fetch_all(pool)
            .await?;
        let Some(last) = page.last() else { break };
        after = (
            last.aggregate_type.clone(),
            last.aggregate_id.clone(),
            last.sequence,
        );
        for event in &page {
            walk.step(event, &mut report);
        }
        progress(report.events);
    }
    report.ok = report.broken.is_empty();
    Ok(report)
}

/// How many events verification will walk (for a progress bar).
pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from events")
        .fetch_one(pool)
        .await
}
