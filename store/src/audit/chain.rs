//! Verifying the hash chain. Every event's `hash` is
//! `sha256(prev_hash ‖ canonical event)`, set by the database on insert
//! (`migrations/0005_audit.sql`); here Casus recomputes it from the stored
//! columns, without trusting the database's own function, a page of events
//! at a time, and checks each event's signature by Casus's audit key
//! (`signature.rs`), which the database does not hold.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::integrity::{self, AccessVerification};
use super::signature::{self, EventText};

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
    pub signature: Option<Vec<u8>>,
}

/// The columns of `StoredEvent`, for queries.
pub const STORED_EVENT: &str = "aggregate_type, aggregate_id, sequence, event_type, event_version,
    recorded_at, payload::text as payload, metadata::text as metadata, prev_hash, hash, global_position,
    signature";

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

    /// Whether Casus signed the event as it stands.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let (Some(signature), Ok(payload), Ok(metadata)) = (
            &self.signature,
            serde_json::from_str(&self.payload),
            serde_json::from_str(&self.metadata),
        ) else {
            return false;
        };
        let text = EventText {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            recorded_at: self.recorded_at,
            payload: &payload,
            metadata: &metadata,
        };
        signature::holds(key, &text.canonical(), signature)
    }
}

/// What is wrong at the first broken link of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// The event's content no longer gives its hash: it was changed.
    Changed,
    /// The event does not point at the hash of the one before it.
    BrokenLink,
    /// An event is missing: the sequence jumps.
    Missing,
    /// The event carries no signature: Casus did not append it.
    Unsigned,
    /// The event's signature does not hold: it was forged or changed.
    BadSignature,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokenLink {
    pub case_id: String,
    pub sequence: i64,
    pub breach: Breach,
    /// Hex; for a missing event, the sequence expected.
    pub expected: String,
    pub found: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub ok: bool,
    pub streams: u64,
    pub events: u64,
    /// Events stored before Casus signed its events (chained, not signed).
    pub unsigned_before_signing: u64,
    /// The first broken link of each case that has one.
    pub broken: Vec<BrokenLink>,
    /// The cases whose snapshot Casus did not sign over these events (it
    /// ignores them and loads the case from its events).
    pub broken_snapshots: Vec<String>,
    /// The access log's chain; when one case is verified, not walked.
    pub access_log: Option<AccessVerification>,
}

/// Walks one stream's events in order.
struct Walk<'a> {
    key: &'a VerifyingKey,
    /// Events up to this global position were stored before signing began.
    unsigned_through: i64,
    stream: Option<(String, String)>,
    next_sequence: i64,
    prev: Vec<u8>,
    broken: bool,
}

impl Walk<'_> {
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
            if expected != event.hash {
                Some((
                    Breach::Changed,
                    hex::encode(&expected),
                    hex::encode(&event.hash),
                ))
            } else {
                self.signature(event, report)
            }
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

    /// What is wrong with the event's signature, if anything.
    fn signature(
        &self,
        event: &StoredEvent,
        report: &mut Verification,
    ) -> Option<(Breach, String, String)> {
        let expected = hex::encode(self.key.as_bytes());
        match &event.signature {
            None if event.global_position <= self.unsigned_through => {
                report.unsigned_before_signing += 1;
                None
            }
            None => Some((Breach::Unsigned, expected, String::new())),
            Some(found) if !event.signed_by(self.key) => {
                Some((Breach::BadSignature, expected, hex::encode(found)))
            }
            Some(_) => None,
        }
    }
}

/// How many events one page holds: memory stays bounded, and no read
/// transaction is held open long enough to hold the projectors back.
const PAGE: i64 = 5_000;

/// Verifies every stream (or one case's), each event's signature by `key`
/// included, calling `progress` with the number of events verified so far.
pub async fn verify(
    pool: &PgPool,
    key: &VerifyingKey,
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
    let mut walk = Walk {
        key,
        // Both bounds: the row the migration wrote can be raised by whoever
        // can write the database, the first signed event cannot be moved.
        unsigned_through: sqlx::query_scalar(
            "select least(s.unsigned_through,
                          coalesce((select min(global_position) - 1 from events
                                     where signature is not null), s.unsigned_through))
               from event_signing s",
        )
        .fetch_one(pool)
        .await?,
        stream: None,
        next_sequence: 0,
        prev: Vec::new(),
        broken: false,
    };
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
    report.broken_snapshots = integrity::broken_snapshots(pool, key, case).await?;
    if case.is_none() {
        report.access_log = Some(integrity::verify_access_log(pool, key, None).await?);
    }
    report.ok = report.broken.is_empty()
        && report.broken_snapshots.is_empty()
        && report
            .access_log
            .as_ref()
            .is_none_or(|log| log.broken.is_none());
    Ok(report)
}

/// How many events verification will walk (for a progress bar).
pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from events")
        .fetch_one(pool)
        .await
}
