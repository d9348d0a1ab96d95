//! Signed receipts: a statement, signed with Ed25519, of how far the log
//! reached (every event of a transaction below a horizon) and one head hash
//! over the last hash of every stream at that point. An auditor keeps
//! receipts outside the database; a later check proves that the log still
//! extends the receipt unchanged, even if someone rewrote a whole chain.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::signature::Signer;

/// What a receipt states.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub format: String,
    pub made_at: DateTime<Utc>,
    /// Every event of a transaction below this id (`xid8`) is covered.
    pub transaction_horizon: String,
    /// The highest global position covered.
    pub global_position: i64,
    pub streams: i64,
    pub events: i64,
    /// sha256 over a line `type/id sequence hash` per stream, in stream order.
    pub head: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub statement: Statement,
    /// Hex of the Ed25519 public key that signed it.
    pub public_key: String,
    /// Hex of the Ed25519 signature over the statement's JSON.
    pub signature: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the receipt is not signed by this Casus's audit key")]
    ForeignKey,
    #[error("the receipt's signature does not hold: it was altered")]
    BadSignature,
    #[error("the receipt is not a Casus receipt: {0}")]
    Malformed(String),
}

const FORMAT: &str = "casus-receipt-v1";

/// The head of every stream over the events of transactions below `horizon`.
async fn head(pool: &PgPool, horizon: &str) -> Result<(String, i64, i64, i64), sqlx::Error> {
    let mut rows = sqlx::query_as::<_, (String, String, i64, Vec<u8>, i64, i64)>(
        "select distinct on (aggregate_type, aggregate_id)
                aggregate_type, aggregate_id, sequence, hash,
                max(global_position) over (partition by aggregate_type, aggregate_id),
                count(*) over (partition by aggregate_type, aggregate_id)
           from events
          where transaction_id < $1::xid8
          order by aggregate_type, aggregate_id, sequence desc",
    )
    .bind(horizon)
    .fetch(pool);
    let mut hasher = Sha256::new();
    let (mut streams, mut events, mut position) = (0, 0, 0);
    while let Some((kind, id, sequence, hash, last_position, count)) = rows.try_next().await? {
        hasher.update(format!("{kind}/{id} {sequence} {}\n", hex::encode(&hash)));
        streams += 1;
        events += count;
        position = position.max(last_position);
    }
    Ok((hex::encode(hasher.finalize()), position, streams, events))
}

fn signed_bytes(statement: &Statement) -> Vec<u8> {
    serde_json::to_vec(statement).expect("a statement serialises")
}

/// A receipt of the log as it stands: everything committed before the
/// oldest transaction still running.
pub async fn make(pool: &PgPool, key: &Signer) -> Result<Receipt, ReceiptError> {
    let horizon: String =
        sqlx::query_scalar("select pg_snapshot_xmin(pg_current_snapshot())::text")
            .fetch_one(pool)
            .await?;
    let (head, global_position, streams, events) = head(pool, &horizon).await?;
    let statement = Statement {
        format: FORMAT.into(),
        made_at: Utc::now(),
        transaction_horizon: horizon,
        global_position,
        streams,
        events,
        head,
    };
    let signature = key.sign(&signed_bytes(&statement));
    Ok(Receipt {
        statement,
        public_key: hex::encode(key.verifying_key().as_bytes()),
        signature: hex::encode(signature),
    })
}

/// Whether the log still holds, unchanged, what `receipt` covers: the head
/// recomputed over the same transactions. `Ok(None)` if it does; otherwise
/// the head found.
pub async fn check(
    pool: &PgPool,
    key: &VerifyingKey,
    receipt: &Receipt,
) -> Result<Option<String>, ReceiptError> {
    if receipt.statement.format != FORMAT {
        return Err(ReceiptError::Malformed(format!(
            "format {}",
            receipt.statement.format
        )));
    }
    if receipt.public_key != hex::encode(key.as_bytes()) {
        return Err(ReceiptError::ForeignKey);
    }
    let bytes = hex::decode(&receipt.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| ReceiptError::Malformed("the signature is not 64 bytes of hex".into()))?;
    key.verify(
        &signed_bytes(&receipt.statement),
        &Signature::from_bytes(&bytes),
    )
    .map_err(|_| ReceiptError::BadSignature)?;
    let (head, ..) = head(pool, &receipt.statement.transaction_horizon).await?;
    Ok((head != receipt.statement.head).then_some(head))
}
