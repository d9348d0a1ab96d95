//! Erasing a young person: every case about them records `SubjectErased`,
//! and their data key is destroyed, in one transaction. Nothing else of the
//! log changes; what the key sealed can no longer be read by anyone.

use casus_domain::{CaseCommand, CaseError, CaseId, Command, Erasure, SubjectId, YouthCase};
use cqrs_es::{Aggregate, AggregateContext, DomainEvent, EventStore};
use serde_json::Value;
use uuid::Uuid;

use crate::append::EventRows;
use crate::case_store::CaseStore;
use crate::error::{CommandError, Conflict};
use crate::metadata::Metadata;
use crate::privacy::seal_events;

/// What an erasure did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// The cases that recorded the erasure now, with their new version.
    pub cases: Vec<(CaseId, u64)>,
    /// The cases that had recorded it before.
    pub already: Vec<CaseId>,
}

/// How often an erasure starts again when a case changed under it.
const ATTEMPTS: usize = 5;

impl CaseStore {
    /// The cases about `subject`.
    pub async fn cases_of_subject(&self, subject: SubjectId) -> Result<Vec<CaseId>, CommandError> {
        let cases: Vec<Uuid> = sqlx::query_scalar(
            "select case_id from case_subjects where subject_id = $1 order by case_id",
        )
        .bind(subject.as_uuid())
        .fetch_all(&self.pool)
        .await
        .map_err(CommandError::from_sqlx)?;
        Ok(cases.into_iter().map(CaseId::from_uuid).collect())
    }

    /// Erases `subject` from every case about them, if `check` allows it on
    /// each case as loaded. Running it again after a failure finishes what
    /// is left; `Ok` with no cases means there is no such subject.
    pub async fn erase_subject<E: From<CommandError>>(
        &self,
        subject: SubjectId,
        erasure: &Erasure,
        metadata: &Metadata,
        check: impl Fn(&YouthCase) -> Result<(), E>,
    ) -> Result<Erased, E> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_erase(subject, erasure, metadata, &check).await {
                Err(CommandError::Conflict(_)) if attempt < ATTEMPTS => continue,
                Err(error) => return Err(error.into()),
                Ok(checked) => return checked,
            }
        }
    }

    /// One attempt; the inner result is `check`'s refusal, if any.
    async fn try_erase<E>(
        &self,
        subject: SubjectId,
        erasure: &Erasure,
        metadata: &Metadata,
        check: &impl Fn(&YouthCase) -> Result<(), E>,
    ) -> Result<Result<Erased, E>, CommandError> {
        let mut erased = Erased::default();
        let mut tx = self.pool.begin().await.map_err(CommandError::from_sqlx)?;
        let map = serde_json::to_value(metadata.to_map())
            .map_err(|e| CommandError::Internal(e.into()))?;
        for case in self.cases_of_subject(subject).await? {
            let mut context = self.events.load_aggregate(&case.to_string()).await?;
            let state = context.aggregate();
            if let Err(refusal) = check(state) {
                return Ok(Err(refusal));
            }
            let command = Command::new(
                CaseCommand::EraseSubject(erasure.clone()),
                crate::clock::today(),
            );
            let events = match state.decide(command, &self.programme) {
                Ok(events) => events,
                Err(CaseError::Erased) => {
                    erased.already.push(case);
                    continue;
                }
                Err(refusal) => return Err(CommandError::Rejected(refusal)),
            };
            let version = state.version();
            let mut payloads: Vec<(&str, Value)> = Vec::with_capacity(events.len());
            let names: Vec<String> = events.iter().map(DomainEvent::event_type).collect();
            for (event, name) in events.iter().zip(&names) {
                let payload =
                    serde_json::to_value(event).map_err(|e| CommandError::Internal(e.into()))?;
                payloads.push((name.as_str(), payload));
            }
            seal_events(
                &self.keyring,
                &mut tx,
                &case.to_string(),
                &mut payloads,
                None,
            )
            .await
            .map_err(CommandError::from_seal)?;
            let count = events.len();
            let sequences: Vec<i64> = (1..=count as i64).map(|i| version as i64 + i).collect();
            let versions: Vec<String> = events.iter().map(DomainEvent::event_version).collect();
            let rows = EventRows {
                ids: vec![case.to_string(); count],
                sequences,
                types: names.clone(),
                versions,
                payloads: payloads.into_iter().map(|(_, payload)| payload).collect(),
                metadata: vec![map.clone(); count],
            };
            let inserted = rows.insert(&mut tx, YouthCase::TYPE, &self.signer).await;
            if let Err(error) = inserted {
                let conflict = error
                    .as_database_error()
                    .is_some_and(|e| e.is_unique_violation());
                return Err(if conflict {
                    CommandError::Conflict(Conflict::ConcurrentWrite)
                } else {
                    CommandError::from_sqlx(error)
                });
            }
            erased.cases.push((case, version + count as u64));
        }
        tx.commit().await.map_err(CommandError::from_sqlx)?;
        // Kept copies could no longer be used (each case moved on), but
        // the key should not stay in this instance's memory either.
        for (case, _) in &erased.cases {
            self.forget(*case);
        }
        Ok(Ok(erased))
    }
}
