//! Casus's signature on what it writes: every event it appends and every
//! snapshot it takes is signed with its audit key (Ed25519), a key from
//! configuration that the database never holds. An event added by plain
//! `INSERT` is chained by the database like a real one, but carries no valid
//! signature; a snapshot changed in the database no longer matches its own.
//!
//! An event is signed over Casus's own canonical text (below), not
//! PostgreSQL's rendering of jsonb, so that it is known before the insert:
//! JSON values in the JSON Canonicalization Scheme (RFC 8785), which a jsonb
//! round trip keeps. A snapshot's state is stored as `json`, the very text
//! signed, so a load checks it without encoding it again.

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use serde_json::Value;

/// Signs with the audit key; cheap to clone.
#[derive(Clone)]
pub struct Signer(Arc<SigningKey>);

impl Signer {
    pub fn new(key: SigningKey) -> Self {
        Self(Arc::new(key))
    }

    /// A key of its own, for a database that lives as long as the process
    /// (the benchmark's).
    pub fn ephemeral() -> Self {
        Self::new(SigningKey::generate(&mut chacha20poly1305::aead::OsRng))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    pub fn sign(&self, text: &[u8]) -> Vec<u8> {
        self.0.sign(text).to_bytes().to_vec()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Signer({})",
            hex::encode(self.verifying_key().as_bytes())
        )
    }
}

/// Whether `signature` is `key`'s over `text`.
pub fn holds(key: &VerifyingKey, text: &[u8], signature: &[u8]) -> bool {
    <[u8; 64]>::try_from(signature)
        .is_ok_and(|bytes| key.verify(text, &Signature::from_bytes(&bytes)).is_ok())
}

/// A timestamp as stored: PostgreSQL keeps microseconds.
pub fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

fn timestamp(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn canonical_json(value: &Value) -> String {
    serde_json_canonicalizer::to_string(value).expect("a JSON value serialises")
}

/// The fields of an event that its signature covers.
pub struct EventText<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    pub event_type: &'a str,
    pub event_version: &'a str,
    pub recorded_at: DateTime<Utc>,
    pub payload: &'a Value,
    pub metadata: &'a Value,
}

impl EventText<'_> {
    /// Lines joined by "\n": casus-event-signature-v1, aggregate type and id,
    /// sequence, event type and version, recorded_at as in the chain, and the
    /// payload and metadata in canonical JSON.
    pub fn canonical(&self) -> Vec<u8> {
        [
            "casus-event-signature-v1",
            self.aggregate_type,
            self.aggregate_id,
            &self.sequence.to_string(),
            self.event_type,
            self.event_version,
            &timestamp(&self.recorded_at),
            &canonical_json(self.payload),
            &canonical_json(self.metadata),
        ]
        .join("\n")
        .into_bytes()
    }
}

/// A snapshot as stored, with the hash of the event at its sequence (none
/// when there is no such event).
#[derive(Debug, sqlx::FromRow)]
pub struct StoredSnapshot {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub last_sequence: i64,
    pub current_snapshot: i64,
    /// The state as the text that was signed.
    pub payload: String,
    pub signature: Vec<u8>,
    pub event_hash: Option<Vec<u8>>,
}

/// Selects `StoredSnapshot`s; add the condition.
pub const SELECT_SNAPSHOTS: &str = "
select s.aggregate_type, s.aggregate_id, s.last_sequence, s.current_snapshot, s.payload::text as payload,
       s.signature,
       e.hash as event_hash
  from snapshots s
  left join events e on e.aggregate_type = s.aggregate_type and e.aggregate_id = s.aggregate_id
                    and e.sequence = s.last_sequence";

impl StoredSnapshot {
    /// Whether Casus signed this state at the event the log holds at its
    /// sequence.
    pub fn holds(&self, key: &VerifyingKey) -> bool {
        self.event_hash.as_deref().is_some_and(|hash| {
            let text = snapshot_text(
                &self.aggregate_type,
                &self.aggregate_id,
                self.last_sequence,
                hash,
                &self.payload,
            );
            holds(key, &text, &self.signature)
        })
    }
}

/// What a snapshot's signature covers: the case, the sequence it stops at,
/// the hash of the event there, and the state's JSON text as stored.
pub fn snapshot_text(
    aggregate_type: &str,
    aggregate_id: &str,
    last_sequence: i64,
    event_hash: &[u8],
    state: &str,
) -> Vec<u8> {
    [
        "casus-snapshot-v1",
        aggregate_type,
        aggregate_id,
        &last_sequence.to_string(),
        &hex::encode(event_hash),
        state,
    ]
    .join("\n")
    .into_bytes()
}
