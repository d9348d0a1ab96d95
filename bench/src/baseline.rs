//! What PostgreSQL itself does on this machine, in the same run: the
//! figures Casus's own are divided by.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::measure::{clients, Rate};

const SHAPE: &str = "
create table if not exists bench_events (
    aggregate_type text not null, aggregate_id text not null, sequence bigint not null,
    event_type text not null, event_version text not null, payload jsonb not null,
    metadata jsonb not null,
    global_position bigint generated always as identity,
    transaction_id xid8 not null default pg_current_xact_id(),
    recorded_at timestamptz not null default now(),
    primary key (aggregate_type, aggregate_id, sequence))";

const PAYLOAD: &str = r#"{"ContactLogged": {"kind": "phone", "with_whom": ["youth"], "contacted_on": "2026-11-02", "summary": "talked about school attendance and the weekend"}}"#;
const METADATA: &str = r#"{"actor_id": "w-1", "actor_name": "Anouk Bakker", "role": "case_worker", "organisation": "gemeente-rotterdam", "domain": "social", "correlation_id": "x", "request_id": "x"}"#;

pub async fn prepare(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query(SHAPE).execute(pool).await?;
    Ok(())
}

/// (a) one-event INSERT transactions into a table shaped like `events`.
pub async fn inserts(pool: &PgPool, concurrency: usize, run: Duration) -> anyhow::Result<Rate> {
    let pool = pool.clone();
    clients(concurrency, run, move |client, n| {
        let pool = pool.clone();
        async move {
            sqlx::query(
                "insert into bench_events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                 values ('B', $1, $2, 'ContactLogged', '1.0', $3::jsonb, $4::jsonb)",
            )
            .bind(format!("insert-{concurrency}-{client}"))
            .bind(n as i64)
            .bind(PAYLOAD)
            .bind(METADATA)
            .execute(&pool)
            .await?;
            Ok(())
        }
    })
    .await
}

/// (b) read a stream of 20 events, then append one, in one transaction.
pub async fn read_then_append(
    pool: &PgPool,
    concurrency: usize,
    run: Duration,
) -> anyhow::Result<Rate> {
    let pool = pool.clone();
    clients(concurrency, run, move |client, n| {
        let pool = pool.clone();
        async move {
            let stream = format!("stream-{concurrency}-{client}-{}", n / 20);
            let mut tx = pool.begin().await?;
            let rows: Vec<(serde_json::Value,)> = sqlx::query_as(
                "select payload from bench_events where aggregate_type = 'B' and aggregate_id = $1 order by sequence",
            )
            .bind(&stream)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query(
                "insert into bench_events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                 values ('B', $1, $2, 'ContactLogged', '1.0', $3::jsonb, $4::jsonb)",
            )
            .bind(&stream)
            .bind(rows.len() as i64 + 1)
            .bind(PAYLOAD)
            .bind(METADATA)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }
    })
    .await
}

/// (c) an ordered sequential read of the whole event table, in rows/s.
pub async fn ordered_read(pool: &PgPool) -> anyhow::Result<f64> {
    use futures::TryStreamExt;
    let started = Instant::now();
    let mut rows = sqlx::query_as::<_, (i64, serde_json::Value, serde_json::Value)>(
        "select global_position, payload, metadata from events order by transaction_id, global_position",
    )
    .fetch(pool);
    let mut count = 0_u64;
    while rows.try_next().await?.is_some() {
        count += 1;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}
