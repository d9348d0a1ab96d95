//! Views keep their rows in memory while they apply a batch: load the rows of
//! the cases the batch touches, apply every event in Rust, and write each
//! table back once. A few statements per batch instead of one per event.
//!
//! Rows travel as JSON (`jsonb_agg` out, `jsonb_populate_recordset` in), so a
//! row struct names its table's columns and nothing else has to. Tables are
//! named without a schema: a rebuild's `search_path` finds its copies.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use casus_store::log::RecordedEvent;

/// The distinct cases of a batch.
pub(crate) fn cases(events: &[RecordedEvent]) -> Vec<Uuid> {
    let mut cases: Vec<Uuid> = events.iter().map(|e| e.case_id.as_uuid()).collect();
    cases.sort_unstable();
    cases.dedup();
    cases
}

/// The rows of `table` that belong to `cases`.
pub(crate) async fn load<T: DeserializeOwned>(
    conn: &mut PgConnection,
    table: &str,
    cases: &[Uuid],
) -> Result<Vec<T>, sqlx::Error> {
    let rows: serde_json::Value = sqlx::query_scalar(&format!(
        "select coalesce(jsonb_agg(t), '[]'::jsonb) from {table} t where case_id = any($1)"
    ))
    .bind(cases)
    .fetch_one(conn)
    .await?;
    serde_json::from_value(rows).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A row that belongs to one case.
pub(crate) trait CaseRow: DeserializeOwned {
    fn case_id(&self) -> Uuid;
}

/// The rows of `table` that belong to `cases`, by case.
pub(crate) async fn load_by_case<T: CaseRow>(
    conn: &mut PgConnection,
    table: &str,
    cases: &[Uuid],
) -> Result<HashMap<Uuid, T>, sqlx::Error> {
    let rows: Vec<T> = load(conn, table, cases).await?;
    Ok(rows.into_iter().map(|row| (row.case_id(), row)).collect())
}

/// Makes `rows` the rows of `table` for `cases`.
pub(crate) async fn replace<T: Serialize>(
    conn: &mut PgConnection,
    table: &str,
    cases: &[Uuid],
    rows: &[T],
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("delete from {table} where case_id = any($1)"))
        .bind(cases)
        .execute(&mut *conn)
        .await?;
    insert(conn, table, rows).await
}

/// Adds `rows` to `table`; a row whose key exists already is left as it is.
pub(crate) async fn insert<T: Serialize>(
    conn: &mut PgConnection,
    table: &str,
    rows: &[T],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_value(rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(&format!(
        "insert into {table} select * from jsonb_populate_recordset(null::{table}, $1) on conflict do nothing"
    ))
    .bind(json)
    .execute(conn)
    .await?;
    Ok(())
}

/// The name under which an enum value of the domain is stored: its code,
/// the same as its serde name.
pub(crate) fn code(value: impl Into<&'static str>) -> String {
    value.into().to_owned()
}
