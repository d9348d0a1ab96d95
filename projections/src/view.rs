//! What a view is to the projector: a name, its tables, and how a batch of
//! events changes them.

use async_trait::async_trait;
use sqlx::PgConnection;

use casus_store::log::RecordedEvent;

#[async_trait]
pub trait View: Send + Sync {
    /// The view's name, as `casus rebuild` and the checkpoints know it.
    fn name(&self) -> &'static str;

    /// Its tables; a rebuild fills copies of these and swaps them in together.
    fn tables(&self) -> &'static [&'static str];

    /// The version of what the view keeps. Raise it when a release changes
    /// that: the projector then re-projects the view from the start.
    fn version(&self) -> i32;

    /// Applies a batch of events, in order, inside the projector's
    /// transaction. Tables are named without a schema: a rebuild points
    /// `search_path` at its copies.
    async fn apply(
        &self,
        conn: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<(), sqlx::Error>;
}
