//! Answers kept for an `Idempotency-Key`: a repeated request gets the first
//! answer, and no second event.
//!
//! A command's answer is written in the transaction of its events (see
//! `CaseRepository::persist`), so a crash can never leave events without
//! their answer, or an answer without its events. A refusal changes nothing
//! and is kept afterwards. Answers are kept until `expire` removes them.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::PgPool;

use crate::error::CommandError;

/// Where `CaseStore` hands the key to the repository in a command's metadata.
pub(crate) const METADATA_KEY: &str = "idempotency";

/// Another request with the same key was answered first; nothing was stored.
#[derive(Debug, thiserror::Error)]
#[error("another request with this idempotency key was answered first")]
pub struct KeyTaken;

/// The request a key was first used for, and what to answer when a command
/// it carries succeeds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Idempotency {
    /// Whose key it is (the caller), so callers never see each other's answers.
    pub scope: String,
    pub key: String,
    /// A digest of the request, to refuse the same key with another request.
    pub request_hash: String,
    /// The status of a success.
    pub status: u16,
    /// The fields of a success's answer besides `case_id` and `version`,
    /// which the store adds.
    pub answer: Map<String, Value>,
}

/// What was answered the first time.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub status: i16,
    pub answer: Value,
}

/// The answer kept for `scope` and `key`, if any.
pub async fn find(
    pool: &PgPool,
    scope: &str,
    key: &str,
) -> Result<Option<StoredAnswer>, sqlx::Error> {
    sqlx::query_as(
        "select request_hash, status, answer from idempotency_keys where scope = $1 and key = $2",
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(pool)
    .await
}

/// The answer to repeat for `request`, if its key was used before: for the
/// same request only (`KeyReused` for another one).
pub async fn replayable(
    pool: &PgPool,
    request: &Idempotency,
) -> Result<Option<StoredAnswer>, CommandError> {
    let stored = find(pool, &request.scope, &request.key)
        .await
        .map_err(CommandError::from_sqlx)?;
    match stored {
        Some(stored) if stored.request_hash != request.request_hash => Err(CommandError::KeyReused),
        stored => Ok(stored),
    }
}

/// Keeps an answer that wrote no events (a refusal). If the key has been
/// used meanwhile, the first answer stays.
pub async fn keep(
    pool: &PgPool,
    request: &Idempotency,
    status: u16,
    answer: &Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into idempotency_keys (scope, key, request_hash, status, answer)
         values ($1, $2, $3, $4, $5)
         on conflict (scope, key) do nothing",
    )
    .bind(&request.scope)
    .bind(&request.key)
    .bind(&request.request_hash)
    .bind(status as i16)
    .bind(answer)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets the answers older than `keep`; answers how many.
pub async fn expire(pool: &PgPool, keep: Duration) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "delete from idempotency_keys where created_at <= now() - make_interval(secs => $1)",
    )
    .bind(keep.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
