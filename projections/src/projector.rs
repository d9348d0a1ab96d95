//! The tracking projector: one per view. Each step reads the next batch of
//! events in commit order, applies it to the view and advances the view's
//! checkpoint in one transaction, so a crash leaves the view as it was before
//! the batch. It wakes on NOTIFY and polls as a fallback; several server
//! instances may run it, and the checkpoint row's lock lets one apply at a time.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use casus_store::privacy::Keyring;
use futures::FutureExt;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use crate::view::View;
use casus_store::log::{read_after, Decoder, Position, ReadError, RecordedEvent};

/// The channel the `events_notify` trigger notifies on each commit of events.
pub const CHANNEL: &str = "casus_events";

/// How soon to look again, at first, when committed events wait behind an older transaction.
const HELD_RETRY: Duration = Duration::from_millis(10);

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("view {view} cannot apply event {sequence} of case {case} (global position {position}): {source}")]
    Apply {
        view: &'static str,
        case: casus_domain::CaseId,
        sequence: i64,
        position: i64,
        source: sqlx::Error,
    },
    #[error("a rebuild of {0} is running already")]
    RebuildRunning(&'static str),
    /// The view's code panicked: a bug, recorded and retried like a failure
    /// rather than ending the projector's task unseen.
    #[error("the view panicked: {0}")]
    Panicked(String),
}

impl From<sqlx::Error> for ProjectionError {
    fn from(error: sqlx::Error) -> Self {
        Self::Read(ReadError::Database(error))
    }
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Applied this many events (0: the view is up to date).
    Applied(usize),
    /// Newer events are committed but not readable yet: a transaction that
    /// began before them is still running. Worth another look soon.
    Held,
    /// Another projector holds the view right now.
    Busy,
}

pub struct Projector {
    pool: PgPool,
    view: Arc<dyn View>,
    decoder: Decoder,
    batch_size: i64,
    poll: Duration,
}

impl Projector {
    /// A projector of `view` that opens personal data with `keyring`.
    pub fn new(pool: PgPool, keyring: Keyring, view: Arc<dyn View>) -> Self {
        Self {
            pool,
            view,
            decoder: Decoder::new(keyring),
            batch_size: 500,
            poll: Duration::from_millis(200),
        }
    }

    pub fn with_batch_size(mut self, batch_size: i64) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// How long to wait for a notification before looking anyway.
    pub fn with_poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    pub fn view(&self) -> &dyn View {
        self.view.as_ref()
    }

    /// A view seen for the first time starts at the beginning of the log.
    pub async fn register(&self) -> Result<(), sqlx::Error> {
        register(&self.pool, self.view.as_ref()).await
    }

    /// Applies the next batch, if any, with its checkpoint in one transaction.
    pub async fn step(&self) -> Result<Step, ProjectionError> {
        let mut tx = self.pool.begin().await?;
        let checkpoint: Option<(i64, i64)> = sqlx::query_as(
            "select transaction_id::text::bigint, global_position from projection_checkpoints
              where view = $1 for update skip locked",
        )
        .bind(self.view.name())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((transaction_id, global_position)) = checkpoint else {
            return Ok(Step::Busy);
        };
        let after = Position {
            transaction_id,
            global_position,
        };
        let events = read_after(&mut tx, after, self.batch_size, &self.decoder).await?;
        let Some(last) = events.last() else {
            return Ok(
                if casus_store::log::committed_after(&mut tx, after).await? {
                    Step::Held
                } else {
                    Step::Applied(0)
                },
            );
        };
        apply(self.view.as_ref(), &mut tx, &events).await?;
        advance(
            &mut tx,
            self.view.name(),
            last.position,
            events.len(),
            Some(last.recorded_at),
        )
        .await?;
        tx.commit().await?;
        Ok(Step::Applied(events.len()))
    }

    /// Steps until the view has applied everything visible now.
    pub async fn catch_up(&self) -> Result<u64, ProjectionError> {
        let mut applied = 0;
        loop {
            match self.step().await? {
                Step::Applied(0) | Step::Held => return Ok(applied),
                Step::Applied(n) => applied += n as u64,
                Step::Busy => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// Keeps the view up to date until `shutdown` completes. A failure stops
    /// the view where it is (recorded in its checkpoint and logged) and is
    /// retried with a growing pause; no event is ever skipped.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let name = self.view.name();
        let mut listener = match self.listen().await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(view = name, %error, "cannot listen for new events; polling only");
                None
            }
        };
        let mut pause = Duration::from_secs(1);
        let mut held = HELD_RETRY;
        loop {
            // After a failure, only the pause (or shutdown) ends the wait: new
            // events must not hurry the retry.
            let stepped = AssertUnwindSafe(self.step())
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(ProjectionError::Panicked(panic_message(&*panic))));
            let (wait, wake_on_events) = match stepped {
                Ok(Step::Applied(n)) if n as i64 == self.batch_size => continue,
                // Soon, then less often: the transaction in front may be a long one.
                Ok(Step::Held) => {
                    let this = held;
                    held = (held * 2).min(self.poll);
                    (this, true)
                }
                Ok(_) => {
                    pause = Duration::from_secs(1);
                    held = HELD_RETRY;
                    (self.poll, true)
                }
                Err(error) => {
                    tracing::error!(view = name, %error, "projection stopped at a failing event; retrying in {pause:?}");
                    if let Err(record) = self.record_failure(&error).await {
                        tracing::error!(view = name, error = %record, "cannot record the failure");
                    }
                    let this = pause;
                    pause = (pause * 2).min(Duration::from_secs(60));
                    (this, false)
                }
            };
            let notified = async {
                match listener.as_mut().filter(|_| wake_on_events) {
                    Some(listener) => {
                        if listener.recv().await.is_err() {
                            tokio::time::sleep(wait).await;
                        }
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = &mut shutdown => return,
                _ = notified => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn listen(&self) -> Result<PgListener, sqlx::Error> {
        listener(&self.pool).await
    }

    async fn record_failure(&self, error: &ProjectionError) -> Result<(), sqlx::Error> {
        sqlx::query(
            "update projection_checkpoints set error = $2, failed_at = now() where view = $1",
        )
        .bind(self.view.name())
        .bind(error.to_string())
        .execute(&self.pool)
        .await
        .map(drop)
    }
}

/// A listener woken by each commit of events: for every tracking reader.
pub async fn listener(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Applies a batch to a view. If the batch fails, its events are applied
/// one at a time (each in a savepoint) to name the event that fails, so an
/// operator is told which case and sequence stop the view.
pub(crate) async fn apply(
    view: &dyn View,
    conn: &mut sqlx::PgConnection,
    events: &[RecordedEvent],
) -> Result<(), ProjectionError> {
    use sqlx::Connection;
    let mut batch = conn.begin().await?;
    let Err(batch_error) = view.apply(&mut batch, events).await else {
        return Ok(batch.commit().await?);
    };
    batch.rollback().await?;
    for event in events {
        let mut one = conn.begin().await?;
        if let Err(source) = view.apply(&mut one, std::slice::from_ref(event)).await {
            one.rollback().await?;
            return Err(failed(view, event, source));
        }
        one.commit().await?;
    }
    // Each event applies alone but not the batch: name its last event.
    match events.last() {
        Some(last) => Err(failed(view, last, batch_error)),
        None => Err(batch_error.into()),
    }
}

fn failed(view: &dyn View, event: &RecordedEvent, source: sqlx::Error) -> ProjectionError {
    ProjectionError::Apply {
        view: view.name(),
        case: event.case_id,
        sequence: event.sequence,
        position: event.position.global_position,
        source,
    }
}

/// Makes `view`'s checkpoint, if it has none. A view whose stored version
/// is not this release's is emptied and starts again from the first event
/// (its projector fills it; `/ready` shows the lag meanwhile).
pub(crate) async fn register(pool: &PgPool, view: &dyn View) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "insert into projection_checkpoints (view, view_version) values ($1, $2)
         on conflict do nothing",
    )
    .bind(view.name())
    .bind(view.version())
    .execute(&mut *tx)
    .await?;
    let stored: i32 = sqlx::query_scalar(
        "select view_version from projection_checkpoints where view = $1 for update",
    )
    .bind(view.name())
    .fetch_one(&mut *tx)
    .await?;
    if stored != view.version() {
        tracing::info!(
            view = view.name(),
            from = stored,
            to = view.version(),
            "the view's projection changed: re-projecting it from the first event"
        );
        for table in view.tables() {
            sqlx::query(&format!("delete from {table}"))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "update projection_checkpoints
                set view_version = $2, transaction_id = '0', global_position = 0,
                    events_applied = 0, lag_ms = null, error = null, failed_at = null,
                    updated_at = now()
              where view = $1",
        )
        .bind(view.name())
        .bind(view.version())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// Moves a view's checkpoint to `to`, inside the caller's transaction.
pub(crate) async fn advance(
    conn: &mut sqlx::PgConnection,
    view: &str,
    to: Position,
    applied: usize,
    last_recorded_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update projection_checkpoints
            set transaction_id = $2::bigint::text::xid8, global_position = $3,
                events_applied = events_applied + $4,
                lag_ms = (extract(epoch from clock_timestamp() - $5) * 1000)::bigint,
                updated_at = now(), error = null, failed_at = null
          where view = $1",
    )
    .bind(view)
    .bind(to.transaction_id)
    .bind(to.global_position)
    .bind(applied as i64)
    .bind(last_recorded_at)
    .execute(conn)
    .await
    .map(drop)
}

/// Where a view stands, for `/ready`, metrics and operators.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ViewStatus {
    pub view: String,
    pub global_position: i64,
    pub events_applied: i64,
    /// How far behind the log the view is: 0 when it has applied every
    /// committed event; else the lag of its last batch plus the time since.
    pub lag_ms: Option<i64>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub error: Option<String>,
    pub failed_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn status(pool: &PgPool) -> Result<Vec<ViewStatus>, sqlx::Error> {
    sqlx::query_as(
        "select view, global_position, events_applied,
                case when global_position >= $1
                     then 0
                     else lag_ms + (extract(epoch from clock_timestamp() - updated_at) * 1000)::bigint
                end as lag_ms,
                updated_at, error, failed_at
           from projection_checkpoints order by view",
    )
    .bind(casus_store::log::last_position(pool).await?)
    .fetch_all(pool)
    .await
}

/// What a panic said, if it said it in words.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}
