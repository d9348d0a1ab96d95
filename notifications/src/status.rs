//! Where each target stands: for `/ready`, `/metrics`, the subscriptions
//! API and `casus notifications`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TargetStatus {
    pub target: String,
    /// The global position delivered through.
    pub global_position: i64,
    /// How many notifications it acknowledged.
    pub delivered: i64,
    /// Events in the log after its position.
    pub behind: i64,
    /// The last delivery's failure, while it is failing.
    pub error: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
    /// Failures in a row at the notification it stands at.
    pub attempts: i32,
    /// Stopped after too many failures: its dead letter waits for a redelivery.
    pub dead: bool,
    pub updated_at: DateTime<Utc>,
}

const STATUS: &str = "select t.target, t.global_position, t.delivered,
        (select count(*) from events e
          where (e.transaction_id, e.global_position) > (t.transaction_id, t.global_position))
          as behind,
        t.error, t.failed_at, t.attempts, t.dead, t.updated_at
   from notification_targets t";

pub async fn all(pool: &PgPool) -> Result<Vec<TargetStatus>, sqlx::Error> {
    sqlx::query_as(&format!("{STATUS} order by t.target"))
        .fetch_all(pool)
        .await
}

/// Where one target stands, if it has started.
pub async fn of(pool: &PgPool, target: &str) -> Result<Option<TargetStatus>, sqlx::Error> {
    sqlx::query_as(&format!("{STATUS} where t.target = $1"))
        .bind(target)
        .fetch_optional(pool)
        .await
}

/// Sends a target on from where it stopped: a dead one is tried again.
pub async fn redeliver(pool: &PgPool, target: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("update notification_targets set dead = false, attempts = 0 where target = $1")
            .bind(target)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Moves a target back (or on) to just before the event at `position` in
/// commit order, so that it sends everything from there again.
pub async fn replay_from(pool: &PgPool, target: &str, position: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "update notification_targets t
            set transaction_id = e.transaction_id, global_position = e.global_position - 1,
                dead = false, attempts = 0, error = null, failed_at = null, updated_at = now()
           from (select transaction_id, global_position from events
                  where global_position >= $2 order by global_position limit 1) e
          where t.target = $1",
    )
    .bind(target)
    .bind(position)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}
