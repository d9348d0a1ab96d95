//! The publisher: a tracking reader of the log per target, on the
//! projector's machinery (`read_after`: commit order, gap-free). Each step
//! locks the target's checkpoint row (`for update skip locked`: one active
//! publisher per target across instances), reads the next batch, makes its
//! notifications, hands those the target wants to it, and moves the
//! checkpoint past what the target acknowledged, in one transaction.
//! A crash between the acknowledgement and the commit sends the batch again:
//! at least once, each notification with the same id.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use casus_domain::{CaseId, YouthCase};
use casus_store::log::{read_after, read_case, Decoder, Position, ReadError, RecordedEvent};
use cqrs_es::Aggregate;
use sqlx::{PgConnection, PgPool};

use crate::message::Notification;
use crate::public::public;

/// What a target did with a batch.
#[derive(Debug)]
pub enum Delivery {
    /// Every notification acknowledged.
    Done,
    /// The first `delivered` were acknowledged, then this went wrong.
    Failed { delivered: usize, error: String },
}

/// Where notifications go.
#[async_trait]
pub trait Target: Send + Sync {
    /// The name its checkpoint is kept under: `nats`, or `webhook:<id>`.
    fn name(&self) -> String;
    /// Whether it takes `notification` at all (its subscription's filter).
    fn wants(&self, notification: &Notification) -> bool;
    /// Delivers `batch` in order, and says how far it got.
    async fn deliver(&self, batch: &[Notification]) -> Delivery;
    /// After this many failures in a row the target stops until an
    /// operator asks again (its dead letter); `None`: it retries forever.
    fn gives_up_after(&self) -> Option<i32> {
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{0}")]
    Delivery(String),
}

impl From<sqlx::Error> for PublishError {
    fn from(error: sqlx::Error) -> Self {
        Self::Read(ReadError::Database(error))
    }
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Read this many events (0: up to date).
    Read(usize),
    /// Committed events wait behind an older transaction.
    Held,
    /// Another instance publishes to this target now, or it is stopped.
    Busy,
}

pub struct Publisher {
    pool: PgPool,
    decoder: Decoder,
    target: Arc<dyn Target>,
    batch_size: i64,
    poll: Duration,
    /// The cases as of the checkpoint this publisher last moved, so that a
    /// batch need not read their earlier events again.
    known: std::sync::Mutex<Option<Known>>,
}

/// Cases folded through `through`: good only while the checkpoint is there
/// (another instance may have moved it, or a failure left it behind).
struct Known {
    through: Position,
    cases: HashMap<CaseId, YouthCase>,
}

/// At most this many cases are kept between batches; beyond, they are read again.
const KNOWN_CASES: usize = 20_000;

impl Publisher {
    /// A publisher to `target`. It reads the log without opening any
    /// personal data (`Decoder::sealed`): what it cannot read, it cannot send.
    pub fn new(pool: PgPool, target: Arc<dyn Target>) -> Self {
        Self {
            pool,
            decoder: Decoder::sealed(),
            target,
            batch_size: 200,
            poll: Duration::from_millis(200),
            known: std::sync::Mutex::new(None),
        }
    }

    pub fn with_batch_size(mut self, batch_size: i64) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// A target seen for the first time starts at the end of the log: it
    /// hears of what happens from now on (`casus notifications replay` sends
    /// the past).
    pub async fn register(&self) -> Result<(), sqlx::Error> {
        register(&self.pool, &self.target.name()).await
    }

    /// Publishes the next batch, if any.
    pub async fn step(&self) -> Result<Step, PublishError> {
        let name = self.target.name();
        let mut tx = self.pool.begin().await?;
        let checkpoint: Option<(i64, i64)> = sqlx::query_as(
            "select transaction_id::text::bigint, global_position from notification_targets
              where target = $1 and not dead for update skip locked",
        )
        .bind(&name)
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
        if events.is_empty() {
            let held = casus_store::log::committed_after(&mut tx, after).await?;
            return Ok(if held { Step::Held } else { Step::Read(0) });
        }
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut cases = match known {
            Some(known) if known.through == after && known.cases.len() < KNOWN_CASES => known.cases,
            _ => HashMap::new(),
        };
        let notifications = notifications(&mut tx, &self.decoder, &events, &mut cases).await?;
        let wanted: Vec<Notification> = notifications
            .into_iter()
            .filter(|n| self.target.wants(n))
            .collect();
        let (reached, failure) = match self.target.deliver(&wanted).await {
            Delivery::Done => (events.last().map(|e| e.position), None),
            Delivery::Failed { delivered, error } => {
                (delivered_through(&events, &wanted, delivered), Some(error))
            }
        };
        if let Some(to) = reached {
            let count = wanted
                .iter()
                .filter(|n| n.position <= to.global_position)
                .count();
            advance(&mut tx, &name, to, count).await?;
        }
        tx.commit().await?;
        match failure {
            None => {
                let through = events.last().map_or(after, |e| e.position);
                *self.known.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(Known { through, cases });
                Ok(Step::Read(events.len()))
            }
            Some(error) => Err(PublishError::Delivery(error)),
        }
    }

    /// Steps until everything visible now is delivered.
    pub async fn catch_up(&self) -> Result<(), PublishError> {
        loop {
            match self.step().await? {
                Step::Read(0) | Step::Held => return Ok(()),
                Step::Read(_) => {}
                Step::Busy => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// Publishes until `shutdown`. A failure stops the target at the
    /// notification that failed, is recorded (`/ready`, `/metrics`, `casus
    /// notifications`), and retried with a growing pause; a target that
    /// gives up after N failures is marked dead until redelivered.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let name = self.target.name();
        let mut listener = casus_projections::projector::listener(&self.pool)
            .await
            .ok();
        let mut pause = Duration::from_millis(500);
        loop {
            let wait = match self.step().await {
                Ok(Step::Read(n)) if n as i64 == self.batch_size => continue,
                Ok(_) => {
                    pause = Duration::from_millis(500);
                    self.poll
                }
                Err(error) => {
                    tracing::warn!(target = %name, %error, "notifications stopped at a delivery; retrying in {pause:?}");
                    if let Err(record) = self.record_failure(&error).await {
                        tracing::error!(target = %name, error = %record, "cannot record the failure");
                    }
                    let this = pause;
                    pause = (pause * 2).min(Duration::from_secs(60));
                    this
                }
            };
            let notified = async {
                match listener.as_mut() {
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
                _ = notified, if wait == self.poll => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn record_failure(&self, error: &PublishError) -> Result<(), sqlx::Error> {
        sqlx::query(
            "update notification_targets
                set error = $2, failed_at = now(), attempts = attempts + 1,
                    dead = coalesce(attempts + 1 >= $3, false)
              where target = $1",
        )
        .bind(self.target.name())
        .bind(error.to_string())
        .bind(self.target.gives_up_after())
        .execute(&self.pool)
        .await
        .map(drop)
    }
}

/// The position of the last event whose wanted notifications are all among
/// the first `delivered`; `None` if not even the first event's are.
fn delivered_through(
    events: &[RecordedEvent],
    wanted: &[Notification],
    delivered: usize,
) -> Option<Position> {
    let first_undelivered = wanted.get(delivered).map(|n| n.position);
    let mut through = None;
    for event in events {
        if first_undelivered.is_some_and(|p| event.position.global_position >= p) {
            break;
        }
        through = Some(event.position);
    }
    through
}

/// The notifications `events` make, in order. Whom a notification reaches
/// depends on the case at that event: a case not in `cases` is folded up to
/// its first event in the batch, then each is folded event by event.
pub async fn notifications(
    conn: &mut PgConnection,
    decoder: &Decoder,
    events: &[RecordedEvent],
    cases: &mut HashMap<CaseId, YouthCase>,
) -> Result<Vec<Notification>, ReadError> {
    let mut out = Vec::new();
    for event in events {
        let case = match cases.entry(event.case_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let mut case = YouthCase::default();
                if event.sequence > 1 {
                    let earlier = 1..=event.sequence - 1;
                    for earlier in read_case(conn, event.case_id, earlier, decoder).await? {
                        case.apply(earlier.event);
                    }
                }
                slot.insert(case)
            }
        };
        let before = case.file().cloned();
        case.apply(event.event.clone());
        let Some(after) = case.file() else { continue };
        let on = event
            .recorded_at
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .date_naive();
        let Some(public) = public(&event.event, before.as_ref(), after, on) else {
            continue;
        };
        for recipient in public.recipients {
            out.push(Notification::new(
                public.kind,
                recipient,
                event.case_id.as_uuid(),
                event.sequence,
                event.position.global_position,
                event.recorded_at,
                public.data.clone(),
            ));
        }
    }
    Ok(out)
}

async fn register(pool: &PgPool, target: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into notification_targets (target, transaction_id, global_position)
         select $1, coalesce(e.transaction_id, '0'::xid8), coalesce(e.global_position, 0)
           from (select 1) one
           left join lateral (select transaction_id, global_position from events
                               order by transaction_id desc, global_position desc limit 1) e on true
         on conflict do nothing",
    )
    .bind(target)
    .execute(pool)
    .await
    .map(drop)
}

async fn advance(
    conn: &mut PgConnection,
    target: &str,
    to: Position,
    delivered: usize,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update notification_targets
            set transaction_id = $2::bigint::text::xid8, global_position = $3,
                delivered = delivered + $4, updated_at = now(),
                error = null, failed_at = null, attempts = 0
          where target = $1",
    )
    .bind(target)
    .bind(to.transaction_id)
    .bind(to.global_position)
    .bind(delivered as i64)
    .execute(conn)
    .await
    .map(drop)
}
