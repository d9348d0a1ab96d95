//! Runs commands against cases: load the case, let it decide, append its
//! events with their metadata.

use casus_domain::{CaseId, Command, Programme, YouthCase};
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateContext, EventEnvelope, EventStore};
use sqlx::PgPool;

use crate::error::CommandError;
use crate::metadata::Metadata;
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
    events: PersistedEventStore<CaseRepository, YouthCase>,
    programme: Programme,
}

impl CaseStore {
    /// A store that snapshots a case every `snapshot_every` events (0: never).
    pub fn new(pool: PgPool, programme: Programme, snapshot_every: usize) -> Self {
        let repository = CaseRepository::new(pool);
        let events = match snapshot_every {
            0 => PersistedEventStore::new_event_store(repository),
            n => PersistedEventStore::new_snapshot_store(repository, n),
        }
        .with_upcasters(casus_domain::upcasters());
        Self { events, programme }
    }

    /// Runs `command` on `case`. This is cqrs-es's `CqrsFramework::execute`
    /// without its in-process queries (views track the log themselves) and
    /// with the new version returned, so a client can read its own write.
    #[tracing::instrument(skip(self, command, metadata), fields(request_id = %metadata.request_id))]
    pub async fn execute(
        &self,
        case: CaseId,
        command: Command,
        metadata: &Metadata,
    ) -> Result<Committed, CommandError> {
        let mut context = self.events.load_aggregate(&case.to_string()).await?;
        let sink = EventSink::default();
        context
            .aggregate()
            .handle(command, &self.programme, &sink)
            .await
            .map_err(cqrs_es::AggregateError::UserError)?;
        let committed = self
            .events
            .commit(sink.collect().await, context, metadata.to_map())
            .await?;
        let version = committed.last().map_or(0, |e| e.sequence as u64);
        Ok(Committed {
            case,
            version,
            events: committed.len(),
        })
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
