//! Views keep their rows in memory while they apply a batch: load the rows of
//! the cases the batch touches, apply every event in Rust, and write back
//! once what changed. A few statements per batch instead of one per event,
//! and no row written that an event did not change.
//!
//! Rows travel as JSON (`jsonb_agg` out, `jsonb_populate_recordset` in), so a
//! row struct names its table's columns and nothing else has to. Tables are
//! named without a schema: a rebuild's `search_path` finds its copies.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use casus_store::log::RecordedEvent;

/// The rows of the tables a batch touches, as loaded, so that only what
/// changed is written back: an updated or new row is upserted, a row that
/// went away is deleted, and a row an event did not change is not touched
/// (a rewrite of every row of a case left PostgreSQL a dead row for each).
pub(crate) struct Batch {
    /// The distinct cases of the batch.
    pub cases: Vec<Uuid>,
    /// Per table, each loaded row as JSON by its key.
    loaded: HashMap<&'static str, HashMap<String, Value>>,
}

impl Batch {
    pub fn new(events: &[RecordedEvent]) -> Self {
        let mut cases: Vec<Uuid> = events.iter().map(|e| e.case_id.as_uuid()).collect();
        cases.sort_unstable();
        cases.dedup();
        Self {
            cases,
            loaded: HashMap::new(),
        }
    }

    /// The rows of `table` that belong to the batch's cases.
    pub async fn load<T: DeserializeOwned + Serialize>(
        &mut self,
        conn: &mut PgConnection,
        table: &'static str,
    ) -> Result<Vec<T>, sqlx::Error> {
        let found: Value = sqlx::query_scalar(&format!(
            "select coalesce(jsonb_agg(t), '[]'::jsonb) from {table} t where case_id = any($1)"
        ))
        .bind(&self.cases)
        .fetch_one(&mut *conn)
        .await?;
        self.remember(conn, table, found).await
    }

    /// Of `table`, every row of the cases in `whole`, and of the batch's
    /// other cases only the first by `order`: for a view that compares a
    /// new row with the latest and needs the rest only now and then.
    pub async fn load_first<T: DeserializeOwned + Serialize>(
        &mut self,
        conn: &mut PgConnection,
        table: &'static str,
        order: &str,
        whole: &[Uuid],
    ) -> Result<Vec<T>, sqlx::Error> {
        // One probe of an index on (case_id, the order's columns) per case.
        let found: Value = sqlx::query_scalar(&format!(
            "select coalesce(jsonb_agg(t), '[]'::jsonb) from (
               select * from {table} where case_id = any($1)
               union all
               select first.* from unnest($2::uuid[]) as c(case_id)
                 cross join lateral (
                   select * from {table} t
                    where t.case_id = c.case_id
                    order by {order} limit 1
                 ) first
                where c.case_id <> all($1)
             ) t"
        ))
        .bind(whole)
        .bind(&self.cases)
        .fetch_one(&mut *conn)
        .await?;
        self.remember(conn, table, found).await
    }

    /// Keeps `found`, rows of `table` as loaded, to compare with on `store`.
    async fn remember<T: DeserializeOwned + Serialize>(
        &mut self,
        conn: &mut PgConnection,
        table: &'static str,
        found: Value,
    ) -> Result<Vec<T>, sqlx::Error> {
        let rows: Vec<T> = serde_json::from_value(found).map_err(decode)?;
        let key = primary_key(conn, table).await?;
        // As the row type writes them, so that an unchanged row compares equal.
        let mut loaded = HashMap::new();
        for row in &rows {
            let json = serde_json::to_value(row).map_err(encode)?;
            loaded.insert(key_of(&key, &json), json);
        }
        self.loaded.insert(table, loaded);
        Ok(rows)
    }

    /// The rows of `table` that belong to the batch's cases, by case.
    pub async fn load_by_case<T: CaseRow + Serialize>(
        &mut self,
        conn: &mut PgConnection,
        table: &'static str,
    ) -> Result<HashMap<Uuid, T>, sqlx::Error> {
        let rows: Vec<T> = self.load(conn, table).await?;
        Ok(rows.into_iter().map(|row| (row.case_id(), row)).collect())
    }

    /// Makes `rows` the rows of `table` for the batch's cases, writing only
    /// what differs from what was loaded.
    pub async fn store<T: Serialize>(
        &mut self,
        conn: &mut PgConnection,
        table: &'static str,
        rows: &[T],
    ) -> Result<(), sqlx::Error> {
        let mut before = self.loaded.remove(table).unwrap_or_default();
        let key = primary_key(conn, table).await?;
        let mut changed = Vec::new();
        for row in rows {
            let json = serde_json::to_value(row).map_err(encode)?;
            match before.remove(&key_of(&key, &json)) {
                Some(was) if was == json => {}
                _ => changed.push(json),
            }
        }
        let gone: Vec<Value> = before.into_values().collect();
        if !gone.is_empty() {
            let matches = key
                .iter()
                .map(|column| format!("t.{column} = g.{column}"))
                .collect::<Vec<_>>()
                .join(" and ");
            sqlx::query(&format!(
                "delete from {table} t using jsonb_populate_recordset(null::{table}, $1) g
                  where {matches}"
            ))
            .bind(Value::Array(gone))
            .execute(&mut *conn)
            .await?;
        }
        let Some(Value::Object(first)) = changed.first() else {
            return Ok(());
        };
        let columns: Vec<&String> = first.keys().filter(|c| !key.contains(*c)).collect();
        let update = if columns.is_empty() {
            "nothing".to_owned()
        } else {
            let list = |prefix: &str| {
                columns
                    .iter()
                    .map(|c| format!("{prefix}{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("update set ({}) = row({})", list(""), list("excluded."))
        };
        sqlx::query(&format!(
            "insert into {table} select * from jsonb_populate_recordset(null::{table}, $1)
             on conflict ({}) do {update}",
            key.join(", ")
        ))
        .bind(Value::Array(changed))
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// A row that belongs to one case.
pub(crate) trait CaseRow: DeserializeOwned {
    fn case_id(&self) -> Uuid;
}

/// The columns of `table`'s primary key, as the database has them (asked
/// once per table: a rebuild's copies have the same).
async fn primary_key(
    conn: &mut PgConnection,
    table: &'static str,
) -> Result<Vec<String>, sqlx::Error> {
    static KEYS: OnceLock<Mutex<HashMap<&'static str, Vec<String>>>> = OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    if let Some(key) = keys.lock().expect("not poisoned").get(table) {
        return Ok(key.clone());
    }
    let key: Vec<String> = sqlx::query_scalar(
        "select a.attname::text
           from pg_index i
           join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
          where i.indrelid = $1::regclass and i.indisprimary
          order by array_position(i.indkey, a.attnum)",
    )
    .bind(table)
    .fetch_all(conn)
    .await?;
    if key.is_empty() {
        return Err(sqlx::Error::Protocol(format!("{table} has no primary key")));
    }
    keys.lock()
        .expect("not poisoned")
        .insert(table, key.clone());
    Ok(key)
}

/// A row's key: its key columns' values, as JSON, side by side.
fn key_of(key: &[String], row: &Value) -> String {
    key.iter()
        .map(|column| row[column.as_str()].to_string())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn decode(error: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(error))
}

fn encode(error: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Encode(Box::new(error))
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
