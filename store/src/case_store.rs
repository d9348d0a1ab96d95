//! Runs commands against cases: load the case, let it decide, append its
//! events with their metadata.

use casus_domain::{CaseEvent, CaseId, Command, Programme, Referral, YouthCase};
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateContext, EventEnvelope, EventStore};
use sqlx::PgPool;

use crate::audit::signature::Signer;
use crate::error::CommandError;
use crate::idempotency::{Idempotency, METADATA_KEY};
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
}

impl CaseStore {
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
        }
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
        self.execute_with(case, None, |_| Ok((command, metadata.clone())))
            .await
    }

    /// Runs the command that `prepare` makes, with its metadata, from the
    /// case as it stands. `prepare` sees the very state the command is
    /// decided on, so a caller authorised there cannot lose that right
    /// before the append (the append fails if the case moved on). With
    /// `idempotency`, the answer is kept in the transaction of the events.
    #[tracing::instrument(skip_all, fields(%case))]
    pub async fn execute_with<E: From<CommandError>>(
        &self,
        case: CaseId,
        idempotency: Option<&Idempotency>,
        prepare: impl FnOnce(&YouthCase) -> Result<(Command, Metadata), E>,
    ) -> Result<Committed, E> {
        let mut context = self
            .events
            .load_aggregate(&case.to_string())
            .await
            .map_err(CommandError::from)?;
        let (command, metadata) = prepare(context.aggregate())?;
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
        let committed = self
            .events
            .commit(sink.collect().await, context, map)
            .await
            .map_err(CommandError::from)?;
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
