//! The tracking projector. One reader feeds every view: each step reads the
//! next batch of events in commit order once (and opens it once), then
//! applies it to the views side by side, each in its own transaction that
//! moves its own checkpoint, so a crash leaves each view as it was before the
//! batch. (One transaction for all views was tried first: the views' work
//! then ran one after another on one connection, and a step of ten events
//! took 15-20 ms under load; see docs/performance.md.) It wakes on NOTIFY and
//! polls as a fallback; several server instances may run it, and each
//! checkpoint row's lock lets one apply to a view at a time.
//!
//! A view that fails is rolled back alone, its failure recorded in its
//! checkpoint, and it sits out with a growing pause while the others go on.
//! When it is tried again it is behind them; a view behind reads for itself,
//! up to where the others stand, and from then on reads with them again.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use casus_store::privacy::Keyring;
use futures::future::join_all;
use futures::FutureExt;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use crate::view::View;
use casus_store::log::{read_after, Decoder, Position, ReadError, RecordedEvent};

/// The channel the `events_notify` trigger notifies on each commit of events.
pub const CHANNEL: &str = "casus_events";

/// How soon to look again, at first, when committed events wait behind an older transaction.
const HELD_RETRY: Duration = Duration::from_millis(10);

/// The first pause after a failure; it doubles up to `LONGEST_PAUSE`.
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(60);

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
    /// A view's code panicked: a bug, recorded and retried like a failure
    /// rather than ending the projector's task unseen.
    #[error("view {view} panicked: {message}")]
    Panicked { view: &'static str, message: String },
}

impl ProjectionError {
    /// The view a failure belongs to alone; `None` when it stops every view
    /// (the log cannot be read).
    fn view(&self) -> Option<&'static str> {
        match self {
            Self::Apply { view, .. } | Self::Panicked { view, .. } => Some(view),
            Self::Read(_) | Self::RebuildRunning(_) => None,
        }
    }
}

impl From<sqlx::Error> for ProjectionError {
    fn from(error: sqlx::Error) -> Self {
        Self::Read(ReadError::Database(error))
    }
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Read this many events (0: every view is up to date).
    Applied(usize),
    /// Newer events are committed but not readable yet: a transaction that
    /// began before them is still running. Worth another look soon.
    Held,
    /// Other projectors hold every view right now.
    Busy,
}

/// A view sitting out after a failure: until when, and the pause after the next one.
#[derive(Clone, Copy)]
struct Pause {
    until: Instant,
    next: Duration,
}

pub struct Projector {
    pool: PgPool,
    views: Vec<Arc<dyn View>>,
    decoder: Decoder,
    batch_size: i64,
    poll: Duration,
    paused: Mutex<HashMap<&'static str, Pause>>,
}

impl Projector {
    /// A projector of one view that opens personal data with `keyring`.
    pub fn new(pool: PgPool, keyring: Keyring, view: Arc<dyn View>) -> Self {
        Self::of(pool, keyring, vec![view])
    }

    /// One projector, one reader, for all of `views`.
    pub fn of(pool: PgPool, keyring: Keyring, views: Vec<Arc<dyn View>>) -> Self {
        Self {
            pool,
            views,
            decoder: Decoder::new(keyring),
            batch_size: 500,
            poll: Duration::from_millis(200),
            paused: Mutex::default(),
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

    pub fn views(&self) -> &[Arc<dyn View>] {
        &self.views
    }

    /// A view seen for the first time starts at the beginning of the log.
    pub async fn register(&self) -> Result<(), sqlx::Error> {
        for view in &self.views {
            register(&self.pool, view.as_ref()).await?;
        }
        Ok(())
    }

    /// Reads the next batch once and applies it to every view that is not
    /// sitting out, each in its own transaction with its checkpoint, side
    /// by side. A view that fails is rolled back alone and its failure
    /// recorded; the others' work is committed, and the failure returned.
    pub async fn step(&self) -> Result<Step, ProjectionError> {
        let started = Instant::now();
        let due = self.due();
        if due.is_empty() {
            return Ok(Step::Applied(0));
        }
        let mut conn = self.pool.acquire().await?;
        // Where each stands; each view's own transaction checks it again.
        let checkpoints: Vec<(String, i64, i64)> = sqlx::query_as(
            "select view, transaction_id::text::bigint, global_position
               from projection_checkpoints where view = any($1)",
        )
        .bind(&due)
        .fetch_all(&mut *conn)
        .await?;
        // Views at one position read together: normally all of them.
        let mut readers: BTreeMap<Position, Vec<&dyn View>> = BTreeMap::new();
        for (name, transaction_id, global_position) in &checkpoints {
            if let Some(view) = self.views.iter().find(|v| v.name() == name) {
                let at = Position {
                    transaction_id: *transaction_id,
                    global_position: *global_position,
                };
                readers.entry(at).or_default().push(view.as_ref());
            }
        }
        let Some(&front) = readers.keys().next_back() else {
            return Ok(Step::Applied(0));
        };
        let (mut most, mut held, mut busy) = (0, false, true);
        let (mut stepped, mut failures) = (Vec::new(), Vec::new());
        for (after, views) in readers {
            let mut events = read_after(&mut conn, after, self.batch_size, &self.decoder).await?;
            // Views behind go no further than the front, to read with it from then on.
            events.retain(|event| after == front || event.position <= front);
            most = most.max(events.len());
            if events.is_empty() {
                held |= casus_store::log::committed_after(&mut conn, after).await?;
                busy = false;
                continue;
            }
            let applied = views
                .iter()
                .map(|view| self.apply_to(*view, after, &events));
            for (view, outcome) in views.iter().zip(join_all(applied).await) {
                match outcome {
                    Ok(false) => continue,
                    Ok(true) => stepped.push(view.name()),
                    Err(error) if error.view().is_some() => {
                        stepped.push(view.name());
                        failures.push(error);
                    }
                    Err(error) => return Err(error),
                }
                busy = false;
            }
        }
        tracing::debug!(events = most, held, took = ?started.elapsed(), "projector step");
        self.resume_or_pause(&stepped, &failures);
        if let Some(failure) = failures.into_iter().next() {
            return Err(failure);
        }
        Ok(match (most, held, busy) {
            (_, _, true) => Step::Busy,
            (0, true, _) => Step::Held,
            (n, _, _) => Step::Applied(n),
        })
    }

    /// Applies `events`, read after `after`, to `view` in a transaction of
    /// its own that moves its checkpoint. `false` when another projector
    /// holds the view or moved it on meanwhile.
    async fn apply_to(
        &self,
        view: &dyn View,
        after: Position,
        events: &[RecordedEvent],
    ) -> Result<bool, ProjectionError> {
        let Some(last) = events.last() else {
            return Ok(true);
        };
        let mut tx = self.pool.begin().await?;
        let at: Option<(i64, i64)> = sqlx::query_as(
            "select transaction_id::text::bigint, global_position from projection_checkpoints
              where view = $1 for update skip locked",
        )
        .bind(view.name())
        .fetch_optional(&mut *tx)
        .await?;
        if at != Some((after.transaction_id, after.global_position)) {
            return Ok(false);
        }
        let applied = AssertUnwindSafe(apply(view, &mut tx, events))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| {
                Err(ProjectionError::Panicked {
                    view: view.name(),
                    message: panic_message(&*panic),
                })
            });
        match applied {
            Ok(()) => {
                let name = [view.name()];
                advance(
                    &mut tx,
                    &name,
                    last.position,
                    events.len(),
                    Some(last.recorded_at),
                )
                .await?;
                tx.commit().await?;
                Ok(true)
            }
            Err(error) => {
                record_failure(&mut tx, &[view.name()], &error).await?;
                tx.commit().await?;
                Err(error)
            }
        }
    }

    /// Steps until every view has applied everything visible now (a view
    /// sitting out after a failure excepted).
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

    /// Keeps the views up to date until `shutdown` completes. A view that
    /// fails stops where it is (recorded in its checkpoint and logged) and
    /// is tried again after a growing pause while the others go on; a log
    /// that cannot be read pauses them all. No event is ever skipped.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut listener = match listener(&self.pool).await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for new events; polling only");
                None
            }
        };
        let mut pause = FIRST_PAUSE;
        let mut held = HELD_RETRY;
        loop {
            let stepped = AssertUnwindSafe(self.step())
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| {
                    Err(ProjectionError::Read(ReadError::Database(
                        sqlx::Error::Protocol(format!(
                            "the projector panicked: {}",
                            panic_message(&*panic)
                        )),
                    )))
                });
            let (wait, wake_on_events) = match stepped {
                Ok(Step::Applied(n)) if n as i64 == self.batch_size => continue,
                // Soon, then less often: the transaction in front may be a long one.
                Ok(Step::Held) => {
                    let this = held;
                    held = (held * 2).min(self.poll);
                    (this, true)
                }
                Ok(_) => {
                    pause = FIRST_PAUSE;
                    held = HELD_RETRY;
                    (self.until_due(self.poll), true)
                }
                Err(error) if error.view().is_some() => {
                    tracing::error!(%error, "a view stopped at a failing event; the others go on");
                    (self.until_due(self.poll), true)
                }
                // After a failure of all, only the pause (or shutdown) ends
                // the wait: new events must not hurry the retry.
                Err(error) => {
                    tracing::error!(%error, "projection stopped; retrying in {pause:?}");
                    let names: Vec<_> = self.views.iter().map(|v| v.name()).collect();
                    let recorded = match self.pool.acquire().await {
                        Ok(mut conn) => record_failure(&mut conn, &names, &error).await,
                        Err(error) => Err(error),
                    };
                    if let Err(recorded) = recorded {
                        tracing::error!(error = %recorded, "cannot record the failure");
                    }
                    let this = pause;
                    pause = (pause * 2).min(LONGEST_PAUSE);
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

    /// The views not sitting out.
    fn due(&self) -> Vec<&'static str> {
        let paused = self.paused.lock().expect("the pauses are never poisoned");
        let now = Instant::now();
        self.views
            .iter()
            .map(|view| view.name())
            .filter(|name| paused.get(name).is_none_or(|p| p.until <= now))
            .collect()
    }

    /// `wait`, or less if a view sitting out is due sooner.
    fn until_due(&self, wait: Duration) -> Duration {
        let paused = self.paused.lock().expect("the pauses are never poisoned");
        let now = Instant::now();
        paused
            .values()
            .map(|p| p.until.saturating_duration_since(now))
            .fold(wait, Duration::min)
    }

    /// After a step over `stepped`: each view that failed sits out longer
    /// than last time; the others are back.
    fn resume_or_pause(&self, stepped: &[&'static str], failures: &[ProjectionError]) {
        let mut paused = self.paused.lock().expect("the pauses are never poisoned");
        for name in stepped {
            if !failures.iter().any(|f| f.view() == Some(name)) {
                paused.remove(name);
                continue;
            }
            let this = paused.get(name).map_or(FIRST_PAUSE, |p| p.next);
            paused.insert(
                name,
                Pause {
                    until: Instant::now() + this,
                    next: (this * 2).min(LONGEST_PAUSE),
                },
            );
        }
    }
}

/// Records why `views` stopped, in the caller's transaction or session.
async fn record_failure(
    conn: &mut sqlx::PgConnection,
    views: &[&str],
    error: &ProjectionError,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update projection_checkpoints set error = $2, failed_at = now() where view = any($1)",
    )
    .bind(views)
    .bind(error.to_string())
    .execute(conn)
    .await
    .map(drop)
}

/// A listener woken by each commit of events: for every tracking reader.
pub async fn listener(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Applies a batch to a view in a savepoint. If the batch fails, its events
/// are applied one at a time (each in a savepoint) to name the event that
/// fails, so an operator is told which case and sequence stop the view; the
/// view is then left as it was before the batch.
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
    let mut each = conn.begin().await?;
    for event in events {
        let mut one = each.begin().await?;
        if let Err(source) = view.apply(&mut one, std::slice::from_ref(event)).await {
            one.rollback().await?;
            each.rollback().await?;
            return Err(failed(view, event, source));
        }
        one.commit().await?;
    }
    each.rollback().await?;
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

/// Moves the checkpoints of `views` to `to`, inside the caller's transaction.
pub(crate) async fn advance(
    conn: &mut sqlx::PgConnection,
    views: &[&str],
    to: Position,
    applied: usize,
    last_recorded_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), sqlx::Error> {
    if views.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "update projection_checkpoints
            set transaction_id = $2::bigint::text::xid8, global_position = $3,
                events_applied = events_applied + $4,
                lag_ms = (extract(epoch from clock_timestamp() - $5) * 1000)::bigint,
                updated_at = now(), error = null, failed_at = null
          where view = any($1)",
    )
    .bind(views)
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
