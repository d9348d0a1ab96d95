//! Many cases' events in one insert, for bulk loads (`casus seed`, the
//! bench): the same statement, event format, metadata, sealing and hash
//! chain as a command's append, without loading each case. Each case starts
//! at its referral, and each subject is new.

use std::collections::HashMap;

use casus_domain::{CaseEvent, CaseId, YouthCase};
use cqrs_es::{Aggregate, DomainEvent};
use sqlx::PgPool;
use uuid::Uuid;

use crate::append::EventRows;
use crate::audit::signature::Signer;
use crate::metadata::Metadata;
use crate::privacy::{seal_all, DataKey, Keyring, SealError};

/// Events to append, each stream's in sequence order.
pub struct EventBatch {
    keyring: Keyring,
    signer: Signer,
    /// Each new subject's key, and the same wrapped for storage.
    keys: HashMap<Uuid, (DataKey, Vec<u8>)>,
    /// Each case's subject and municipality.
    subjects: HashMap<CaseId, (Uuid, String)>,
    /// The blind index's entries of each referral's young person.
    index: Vec<(Vec<u8>, Uuid)>,
    rows: EventRows,
}

impl EventBatch {
    pub fn new(keyring: Keyring, signer: Signer) -> Self {
        Self {
            keyring,
            signer,
            keys: HashMap::new(),
            subjects: HashMap::new(),
            index: Vec::new(),
            rows: EventRows::default(),
        }
    }

    pub fn push(
        &mut self,
        case: CaseId,
        sequence: u64,
        event: &CaseEvent,
        metadata: &Metadata,
    ) -> Result<(), SealError> {
        if let CaseEvent::CaseReferred(referral) = event {
            let subject = referral.subject.as_uuid();
            let keyring = &self.keyring;
            self.keys
                .entry(subject)
                .or_insert_with(|| keyring.new_key(subject));
            let municipality = referral.municipality.to_string();
            self.subjects.insert(case, (subject, municipality));
            if let Some(details) = referral.details.expose() {
                let digests = keyring.index().digests(details);
                self.index.extend(digests.into_iter().map(|d| (d, subject)));
            }
        }
        if let Some((to, ..)) = event.moves_to() {
            if let Some((_, municipality)) = self.subjects.get_mut(&case) {
                *municipality = to.to_string();
            }
        }
        let mut payload = serde_json::to_value(event)?;
        let (key, _) = self
            .subjects
            .get(&case)
            .and_then(|(subject, _)| self.keys.get(subject))
            .ok_or_else(|| SealError::NoSubject(case.to_string()))?;
        seal_all(&mut payload, key);
        self.rows.ids.push(case.to_string());
        self.rows.sequences.push(sequence as i64);
        self.rows.types.push(event.event_type());
        self.rows.versions.push(event.event_version());
        self.rows.payloads.push(payload);
        self.rows
            .metadata
            .push(serde_json::to_value(metadata.to_map())?);
        Ok(())
    }

    /// Appends every event, the subjects' keys and the cases' subjects in
    /// one transaction.
    pub async fn write(self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let (subjects, wrapped): (Vec<Uuid>, Vec<Vec<u8>>) = self
            .keys
            .into_iter()
            .map(|(subject, (_, wrapped))| (subject, wrapped))
            .unzip();
        let mut cases = Vec::with_capacity(self.subjects.len());
        let mut case_subjects = Vec::with_capacity(self.subjects.len());
        let mut municipalities = Vec::with_capacity(self.subjects.len());
        for (case, (subject, municipality)) in self.subjects {
            cases.push(case.as_uuid());
            case_subjects.push(subject);
            municipalities.push(municipality);
        }
        let mut tx = pool.begin().await?;
        sqlx::query(
            "insert into subject_keys (subject_id, wrapped, master_key_id)
             select s, w, $3 from unnest($1::uuid[], $2::bytea[]) as k(s, w)",
        )
        .bind(&subjects)
        .bind(&wrapped)
        .bind(self.keyring.master_id())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into case_subjects (case_id, subject_id, municipality)
             select * from unnest($1::uuid[], $2::uuid[], $3::text[])",
        )
        .bind(&cases)
        .bind(&case_subjects)
        .bind(&municipalities)
        .execute(&mut *tx)
        .await?;
        let (digests, indexed): (Vec<Vec<u8>>, Vec<Uuid>) = self.index.into_iter().unzip();
        sqlx::query(
            "insert into subject_index (digest, subject_id)
             select * from unnest($1::bytea[], $2::uuid[]) on conflict do nothing",
        )
        .bind(&digests)
        .bind(&indexed)
        .execute(&mut *tx)
        .await?;
        self.rows
            .insert(&mut tx, YouthCase::TYPE, &self.signer)
            .await?;
        tx.commit().await
    }
}
