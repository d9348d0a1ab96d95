//! Runs commands against cases: load the case, let it decide, append its
//! events with their metadata.

use std::sync::Arc;

use casus_domain::{CaseEvent, CaseId, Command, Programme, Referral, YouthCase};
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateContext, EventEnvelope, EventStore};
use sqlx::PgPool;

use crate::audit::signature::Signer;
use crate::cache::{Cached, CaseCache};
use crate::error::{CommandError, Conflict};
use crate::idempotency::{self, Idempotency, StoredAnswer, METADATA_KEY};
use crate::keys::KeyCache;
use crate::log::{self, Decoder, ReadError};
use crate::metadata::Metadata;
use crate::privacy::Keyring;
use crate::repository::CaseRepository;

/// What a successful command left behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    pub case: CaseId,
    /// The case's version after the command: the sequence of its last event.
    pub version: u64,
    pub events: usize,
}

pub struct CaseStore {
    pub(crate) events: PersistedEventStore<CaseRepository, YouthCase>,
    pub(crate) programme: Programme,
    pub(crate) pool: PgPool,
    pub(crate) keyring: Keyring,
    pub(crate) signer: Signer,
    snapshot_every: usize,
    cache: Option<CaseCache>,
    /// The young people's keys, kept by the repository with their cases.
    pub(crate) keys: Arc<KeyCache>,
}

impl CaseStore {
    /// The programme's focus areas, as the store decides with them.
    pub fn programme(&self) -> &Programme {
        &self.programme
    }

    /// A store that seals with `keyring`, signs with `signer`, and snapshots
    /// a case every `snapshot_every` events (0: never).
    pub fn new(
        pool: PgPool,
        keyring: Keyring,
        signer: Signer,
        programme: Programme,
        snapshot_every: usize,
    ) -> Self {
        let repository = CaseRepository::new(pool.clone(), keyring.clone(), signer.clone());
        let keys = repository.keys();
        let events = match snapshot_every {
            0 => PersistedEventStore::new_event_store(repository),
            n => PersistedEventStore::new_snapshot_store(repository, n),
        }
        .with_upcasters(casus_domain::upcasters());
        Self {
            events,
            programme,
            pool,
            keyring,
            signer,
            snapshot_every,
            cache: None,
            keys,
        }
    }

    /// Keeps up to `cases` cases, and their young people's keys, in memory
    /// between commands (0: none).
    pub fn with_cache(mut self, cases: usize) -> Self {
        self.cache = CaseCache::new(cases);
        self.keys.resize(cases);
        self
    }

    /// Drops what is kept of `case`: its state and its key.
    pub(crate) fn forget(&self, case: CaseId) {
        if let Some(cache) = &self.cache {
            cache.forget(case);
        }
        self.keys.forget(&case.to_string());
    }

    /// How many cases the cache holds, and may hold.
    pub fn cached(&self) -> (usize, usize) {
        self.cache.as_ref().map_or((0, 0), CaseCache::size)
    }

    /// How many young people's keys are kept with their cases.
    pub fn kept_keys(&self) -> usize {
        self.keys.len()
    }

    /// Runs `command` on `case`. This is cqrs-es's `CqrsFramework::execute`
    /// without its in-process queries (views track the log themselves) and
    /// with the new version returned, so a client can read its own write.
    pub async fn execute(
        &self,
        case: CaseId,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Committed, CommandError> {
        self.execute_with(case, None, |_| Ok((command.clone(), metadata.clone())))
            .await
    }

    /// The whole idempotency protocol around `execute_with`, for a write
    /// that sent a key (`request`): an answer kept for the key is replayed
    /// and nothing is decided; a success keeps its answer in the events'
    /// transaction; a key another request took meanwhile replays that
    /// request's answer; a refusal is kept with the answer `refusal` gives
    /// it (`None`: not kept, e.g. an outage, which a retry may get past).
    pub async fn execute_once<E: From<CommandError>>(
        &self,
        case: CaseId,
        request: Option<&Idempotency>,
        prepare: impl FnMut(&YouthCase) -> Result<(Command, Metadata), E>,
        refusal: impl FnOnce(&E) -> Option<(u16, serde_json::Value)>,
    ) -> Result<Once<Committed>, E> {
        let Some(request) = request else {
            return self.execute_with(case, None, prepare).await.map(Once::Done);
        };
        if let Some(stored) = idempotency::replayable(&self.pool, request).await? {
            return Ok(Once::Replayed(stored));
        }
        match self.execute_inner(case, Some(request), prepare).await {
            Ok(committed) => Ok(Once::Done(committed)),
            Err(Failure::Command(CommandError::KeyTaken(taken))) => {
                match idempotency::replayable(&self.pool, request).await? {
                    Some(stored) => Ok(Once::Replayed(stored)),
                    None => Err(CommandError::KeyTaken(taken).into()),
                }
            }
            Err(failure) => {
                let error = failure.into_error();
                if let Some((status, answer)) = refusal(&error) {
                    idempotency::keep(&self.pool, request, status, &answer)
                        .await
                        .map_err(CommandError::from_sqlx)?;
                }
                Err(error)
            }
        }
    }

    /// Runs the command that `prepare` makes, with its metadata, from the
    /// case as it stands. `prepare` sees the very state the command is
    /// decided on, so a caller authorised there cannot lose that right
    /// before the append (the append fails if the case moved on). With
    /// `idempotency`, the answer is kept in the transaction of the events.
    /// `prepare` runs again when a case decided on from the cache had moved
    /// on: then on the case as loaded.
    #[tracing::instrument(skip_all, fields(%case))]
    pub async fn execute_with<E: From<CommandError>>(
        &self,
        case: CaseId,
        idempotency: Option<&Idempotency>,
        prepare: impl FnMut(&YouthCase) -> Result<(Command, Metadata), E>,
    ) -> Result<Committed, E> {
        self.execute_inner(case, idempotency, prepare)
            .await
            .map_err(Failure::into_error)
    }

    async fn execute_inner<E: From<CommandError>>(
        &self,
        case: CaseId,
        idempotency: Option<&Idempotency>,
        mut prepare: impl FnMut(&YouthCase) -> Result<(Command, Metadata), E>,
    ) -> Result<Committed, Failure<E>> {
        let cached = self.cache.as_ref().and_then(|cache| cache.get(case));
        let from_cache = cached.is_some();
        match self.attempt(case, idempotency, &mut prepare, cached).await {
            // Decided on a case that had moved on: nothing was written.
            // Load it and decide again, once.
            Err(Failure::Command(CommandError::Conflict(Conflict::ConcurrentWrite)))
                if from_cache =>
            {
                self.attempt(case, idempotency, &mut prepare, None).await
            }
            outcome => outcome,
        }
    }

    async fn attempt<E: From<CommandError>>(
        &self,
        case: CaseId,
        idempotency: Option<&Idempotency>,
        prepare: &mut impl FnMut(&YouthCase) -> Result<(Command, Metadata), E>,
        cached: Option<Cached>,
    ) -> Result<Committed, Failure<E>> {
        let mut context = match cached {
            Some(cached) => EventStoreAggregateContext {
                aggregate_id: case.to_string(),
                aggregate: cached.aggregate,
                current_sequence: cached.sequence,
                current_snapshot: cached.snapshot,
            },
            None => self
                .events
                .load_aggregate(&case.to_string())
                .await
                .map_err(CommandError::from)?,
        };
        let (command, metadata) = prepare(context.aggregate()).map_err(Failure::Prepare)?;
        let sink = EventSink::default();
        context
            .aggregate()
            .handle(command, &self.programme, &sink)
            .await
            .map_err(|e| CommandError::from(cqrs_es::AggregateError::UserError(e)))?;
        let mut map = metadata.to_map();
        if let Some(request) = idempotency {
            let request =
                serde_json::to_string(request).map_err(|e| CommandError::Internal(e.into()))?;
            map.insert(METADATA_KEY.to_owned(), request);
        }
        let kept = self.cache.as_ref().map(|_| {
            let state = context.aggregate.clone();
            (state, context.current_sequence, context.current_snapshot)
        });
        let committed = match self.events.commit(sink.collect().await, context, map).await {
            Ok(committed) => committed,
            Err(error) => {
                self.forget(case);
                return Err(CommandError::from(error).into());
            }
        };
        if let (Some(cache), Some((mut aggregate, sequence, snapshot))) = (&self.cache, kept) {
            for event in &committed {
                aggregate.apply(event.payload.clone());
            }
            let after = sequence + committed.len();
            // cqrs-es snapshots when the sequence crosses a multiple of its interval.
            let crossed = self.snapshot_every > 0
                && after / self.snapshot_every > sequence / self.snapshot_every;
            let snapshot = if crossed {
                Some(snapshot.map_or(1, |s| s + 1))
            } else {
                snapshot
            };
            cache.put(
                case,
                Cached {
                    aggregate,
                    sequence: after,
                    snapshot,
                },
            );
        }
        let version = committed.last().map_or(0, |e| e.sequence as u64);
        Ok(Committed {
            case,
            version,
            events: committed.len(),
        })
    }

    /// The key that checks Casus's signatures on events and snapshots.
    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.signer.verifying_key()
    }

    /// The referral that opened the case (its first event), if any, with the
    /// young person's details opened unless they were erased.
    pub async fn referral(&self, case: CaseId) -> Result<Option<Referral>, CommandError> {
        let decoder = Decoder::new(self.keyring.clone());
        let mut conn = self.pool.acquire().await.map_err(CommandError::from_sqlx)?;
        let first = log::read_case(&mut conn, case, 1..=1, &decoder)
            .await
            .map_err(|error| match error {
                ReadError::Database(error) => CommandError::from_sqlx(error),
                undecodable => CommandError::Unreadable(undecodable.into()),
            })?;
        Ok(first.into_iter().find_map(|recorded| match recorded.event {
            CaseEvent::CaseReferred(referral) => Some(referral),
            _ => None,
        }))
    }

    /// Every event of the case, in order, upcast to its current shape.
    pub async fn events(
        &self,
        case: CaseId,
    ) -> Result<Vec<EventEnvelope<YouthCase>>, CommandError> {
        Ok(self.events.load_events(&case.to_string()).await?)
    }

    /// The case as its events (and snapshot) make it; `None` if never referred.
    pub async fn load(&self, case: CaseId) -> Result<Option<YouthCase>, CommandError> {
        let context = self.events.load_aggregate(&case.to_string()).await?;
        Ok(Some(context.aggregate).filter(|c| c.version() > 0))
    }
}

/// What a write with an idempotency key came to.
#[derive(Debug)]
pub enum Once<T> {
    Done(T),
    /// The answer kept for the key, from the request that first used it.
    Replayed(StoredAnswer),
}

/// Why a write failed: its caller's `prepare` refused, or the store did.
enum Failure<E> {
    Prepare(E),
    Command(CommandError),
}

impl<E> From<CommandError> for Failure<E> {
    fn from(error: CommandError) -> Self {
        Self::Command(error)
    }
}

impl<E: From<CommandError>> Failure<E> {
    fn into_error(self) -> E {
        match self {
            Self::Prepare(error) => error,
            Self::Command(error) => error.into(),
        }
    }
}
