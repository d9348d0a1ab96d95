//! Rebuilding views from position zero while the live ones keep serving:
//! the log is read once and each batch replayed into copies of every
//! rebuilt view's tables in schema `casus_rebuild`; then, with the views'
//! checkpoints locked (so the projector passes them by), the copies catch up
//! on the last events and take the live tables' place in one transaction.

use casus_store::privacy::Keyring;
use sqlx::{PgConnection, PgPool};

use crate::projector::{advance, apply, register, ProjectionError};
use crate::view::View;
use casus_store::log::{read_after, Decoder, Position, RecordedEvent};
use futures::future::try_join_all;

const BATCH: i64 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rebuilt {
    pub events: u64,
    pub position: Position,
}

/// Rebuilds `views` in one pass over the log; `progress(applied, total)` is
/// called after each batch. If one fails, none is swapped in.
pub async fn rebuild(
    pool: &PgPool,
    keyring: &Keyring,
    views: &[&dyn View],
    mut progress: impl FnMut(u64, u64),
) -> Result<Rebuilt, ProjectionError> {
    let decoder = Decoder::new(keyring.clone());
    for view in views {
        register(pool, *view).await?;
    }
    let total = casus_store::log::count(pool).await?;
    let total = total as u64;

    let mut conn = pool.acquire().await?;
    // Two rebuilds of one view would share its copies: one at a time. The
    // locks are the session's, so they go with the connection.
    let (mut refused, mut taken) = (None, Vec::new());
    for view in views {
        let lock = format!("casus rebuild {}", view.name());
        let locked: bool = sqlx::query_scalar("select pg_try_advisory_lock(hashtext($1))")
            .bind(&lock)
            .fetch_one(&mut *conn)
            .await?;
        if !locked {
            refused = Some(ProjectionError::RebuildRunning(view.name()));
            break;
        }
        taken.push(lock);
    }
    let rebuilt = match refused {
        Some(refused) => Err(refused),
        None => replay_and_swap(pool, &mut conn, views, total, &decoder, &mut progress).await,
    };
    sqlx::query("select pg_advisory_unlock(hashtext(name)) from unnest($1::text[]) as name")
        .bind(&taken)
        .execute(&mut *conn)
        .await?;
    rebuilt
}

async fn replay_and_swap(
    pool: &PgPool,
    conn: &mut PgConnection,
    views: &[&dyn View],
    total: u64,
    decoder: &Decoder,
    progress: &mut impl FnMut(u64, u64),
) -> Result<Rebuilt, ProjectionError> {
    let tables = || views.iter().flat_map(|view| view.tables());
    for table in tables() {
        sqlx::raw_sql(&format!(
            "drop table if exists casus_rebuild.{table}; create table casus_rebuild.{table} (like public.{table} including all)"
        ))
        .execute(&mut *conn)
        .await?;
        // `like` copies no storage settings (fillfactor, autovacuum): the
        // copy takes the live table's, or they would go with the swap.
        let settings: Option<Vec<String>> =
            sqlx::query_scalar("select reloptions from pg_class where oid = $1::regclass")
                .bind(format!("public.{table}"))
                .fetch_one(&mut *conn)
                .await?;
        if let Some(settings) = settings.filter(|s| !s.is_empty()) {
            sqlx::raw_sql(&format!(
                "alter table casus_rebuild.{table} set ({})",
                settings.join(", ")
            ))
            .execute(&mut *conn)
            .await?;
        }
    }
    let mut position = Position::default();
    let mut applied = 0;
    // Read once, each view's copies filled side by side on a connection of its own.
    loop {
        let events = read_after(&mut *conn, position, BATCH, decoder).await?;
        let Some(last) = events.last() else {
            break;
        };
        try_join_all(views.iter().map(|view| replay_into(pool, *view, &events))).await?;
        position = last.position;
        applied += events.len() as u64;
        progress(applied, total.max(applied));
    }
    // Fresh tables have no statistics: without them the planner picks plans
    // that scan whole views (seen: a case list of 1.5 s instead of 3 ms).
    for table in tables() {
        sqlx::raw_sql(&format!("analyze casus_rebuild.{table}"))
            .execute(&mut *conn)
            .await?;
    }

    let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
    let names: Vec<&str> = views.iter().map(|view| view.name()).collect();
    sqlx::query("select 1 from projection_checkpoints where view = any($1) for update")
        .bind(&names)
        .execute(&mut *tx)
        .await?;
    loop {
        let n = replay_batch(&mut tx, views, &mut position, decoder).await?;
        applied += n;
        if n == 0 {
            break;
        }
    }
    for table in tables() {
        sqlx::raw_sql(&format!(
            "alter table public.{table} set schema casus_retired;
             alter table casus_rebuild.{table} set schema public;
             drop table casus_retired.{table}"
        ))
        .execute(&mut *tx)
        .await?;
    }
    for view in views {
        sqlx::query(
            "update projection_checkpoints set events_applied = 0, view_version = $2 where view = $1",
        )
        .bind(view.name())
        .bind(view.version())
        .execute(&mut *tx)
        .await?;
    }
    advance(&mut tx, &names, position, applied as usize, None).await?;
    tx.commit().await?;
    progress(applied, total.max(applied));
    Ok(Rebuilt {
        events: applied,
        position,
    })
}

/// Applies `events` to `view`'s copies in a transaction of its own.
async fn replay_into(
    pool: &PgPool,
    view: &dyn View,
    events: &[RecordedEvent],
) -> Result<(), ProjectionError> {
    let mut tx = pool.begin().await?;
    sqlx::query("set local search_path = casus_rebuild, public")
        .execute(&mut *tx)
        .await?;
    apply(view, &mut tx, events).await?;
    Ok(tx.commit().await?)
}

/// Applies the next batch to every view's copies (the transaction's
/// `search_path` finds them first) and moves `position` past it.
async fn replay_batch(
    conn: &mut PgConnection,
    views: &[&dyn View],
    position: &mut Position,
    decoder: &Decoder,
) -> Result<u64, ProjectionError> {
    sqlx::query("set local search_path = casus_rebuild, public")
        .execute(&mut *conn)
        .await?;
    let events = read_after(&mut *conn, *position, BATCH, decoder).await?;
    for view in views {
        apply(*view, &mut *conn, &events).await?;
    }
    if let Some(last) = events.last() {
        *position = last.position;
    }
    Ok(events.len() as u64)
}
