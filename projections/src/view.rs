//! What a view is to the projector: a name, its tables, and how one event
//! changes them.

use futures::future::BoxFuture;
use sqlx::PgConnection;

use crate::event::RecordedEvent;

pub trait View: Send + Sync {
    /// The view's name, as `casus rebuild` and the checkpoints know it.
    fn name(&self) -> &'static str;

    /// Its tables; a rebuild fills copies of these and swaps them in together.
    fn tables(&self) -> &'static [&'static str];

    /// Applies one event, inside the projector's transaction. Tables are named
    /// without a schema: a rebuild points `search_path` at its copies.
    fn apply<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>>;
}

/// The name under which an enum value of the domain is stored: its serde name.
pub(crate) fn code<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("a domain code serialises as a string, not {other:?}"),
    }
}
