//! Which young person a case is about, and their data key.

use std::sync::Arc;

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::index;
use super::keyring::{DataKey, Keyring, KeyringError};
use super::marks::{contains_open, seal_all};
use crate::keys::SubjectKey;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the young person's personal data has been erased: nothing personal can be recorded for them again")]
    Erased,
    #[error("case {0} has no young person on record to seal its personal data for")]
    NoSubject(String),
    #[error("the young person named belongs to another municipality's cases")]
    SubjectElsewhere,
    #[error("the referral's payload names no subject")]
    Malformed,
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Seals the personal values of a command's events for `case`, in the
/// transaction that appends them. A referral records the case's subject and
/// makes their key if they have none; an erasure destroys the key after the
/// events are sealed, so the two happen together or not at all. `known` is
/// the case's key as kept from its last event (see `keys`): then it is not
/// read again. Returns the key that holds after these events, if known.
pub(crate) async fn seal_events(
    keyring: &Keyring,
    tx: &mut PgConnection,
    case: &str,
    events: &mut [(&str, Value)],
    known: Option<SubjectKey>,
) -> Result<Option<SubjectKey>, SealError> {
    let referral = match events.first() {
        Some((name, payload)) if *name == "CaseReferred" => Some((
            payload["CaseReferred"]["subject"]
                .as_str()
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or(SealError::Malformed)?,
            payload["CaseReferred"]["municipality"]
                .as_str()
                .ok_or(SealError::Malformed)?
                .to_owned(),
        )),
        _ => None,
    };
    // A transfer or an accepted handover moves the case (and so its link).
    let transferred_to = events.iter().rev().find_map(|(name, payload)| {
        matches!(*name, "CaseTransferred" | "HandoverAccepted")
            .then(|| payload[*name]["municipality"].as_str())
            .flatten()
            .map(str::to_owned)
    });
    let erasing = events.iter().any(|(name, _)| *name == "SubjectErased");
    let open = events.iter().any(|(_, payload)| contains_open(payload));
    if referral.is_none() && transferred_to.is_none() && !erasing && !open {
        return Ok(known);
    }
    let case_id: Uuid = case
        .parse()
        .map_err(|_| SealError::NoSubject(case.into()))?;
    if let Some(municipality) = &transferred_to {
        sqlx::query("update case_subjects set municipality = $2 where case_id = $1")
            .bind(case_id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?;
    }
    let referring = referral.is_some();
    let (subject, key) = match (referral, known) {
        (Some((subject, municipality)), _) => {
            link_subject(tx, case_id, subject, &municipality).await?;
            let stored =
                sqlx::query_scalar("select wrapped from subject_keys where subject_id = $1")
                    .bind(subject)
                    .fetch_optional(&mut *tx)
                    .await?;
            let stored = StoredKey::from_row(stored);
            (subject, subject_key(keyring, tx, subject, stored).await?)
        }
        (None, Some(known)) => (known.subject, Some(known.key)),
        (None, None) => {
            let (subject, stored) = case_key(tx, case_id)
                .await?
                .ok_or_else(|| SealError::NoSubject(case.into()))?;
            (subject, subject_key(keyring, tx, subject, stored).await?)
        }
    };
    if referring {
        // Indexed while the details are open, in the same transaction.
        if let Some(details) = events.first().and_then(|(_, p)| index::referred(p, None)) {
            index::add(tx, &keyring.index(), subject, &details).await?;
        }
    }
    if open {
        let key = key.as_ref().ok_or(SealError::Erased)?;
        for (_, payload) in events.iter_mut() {
            seal_all(payload, key);
        }
    }
    if erasing {
        destroy_key(tx, subject).await?;
        index::remove(tx, subject).await?;
        return Ok(None);
    }
    Ok(key.map(|key| SubjectKey { subject, key }))
}

/// What the store holds of a subject's data key.
enum StoredKey {
    /// None made yet.
    Missing,
    /// Wrapped with the master key.
    Live(Vec<u8>),
    /// Destroyed by an erasure.
    Destroyed,
}

impl StoredKey {
    /// From a `subject_keys` row, if any, and its `wrapped` column.
    fn from_row(row: Option<Option<Vec<u8>>>) -> Self {
        match row {
            None => Self::Missing,
            Some(Some(wrapped)) => Self::Live(wrapped),
            Some(None) => Self::Destroyed,
        }
    }
}

/// The subject of `case` and their stored key. One query, on the write path.
async fn case_key(
    conn: &mut PgConnection,
    case: Uuid,
) -> Result<Option<(Uuid, StoredKey)>, sqlx::Error> {
    let row: Option<(Uuid, bool, Option<Vec<u8>>)> = sqlx::query_as(
        "select s.subject_id, k.subject_id is not null, k.wrapped
           from case_subjects s left join subject_keys k using (subject_id)
          where s.case_id = $1",
    )
    .bind(case)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(subject, has_key, wrapped)| {
        (subject, StoredKey::from_row(has_key.then_some(wrapped)))
    }))
}

/// The subject's data key from what is `stored` (made now if they have
/// none yet); `None` once destroyed.
async fn subject_key(
    keyring: &Keyring,
    conn: &mut PgConnection,
    subject: Uuid,
    stored: StoredKey,
) -> Result<Option<Arc<DataKey>>, SealError> {
    Ok(unwrapped(keyring, conn, subject, stored)
        .await?
        .map(Arc::new))
}

async fn unwrapped(
    keyring: &Keyring,
    conn: &mut PgConnection,
    subject: Uuid,
    stored: StoredKey,
) -> Result<Option<DataKey>, SealError> {
    match stored {
        StoredKey::Live(wrapped) => Ok(Some(keyring.unwrap(subject, &wrapped)?)),
        StoredKey::Destroyed => Ok(None),
        StoredKey::Missing => {
            let (key, wrapped) = keyring.new_key(subject);
            let made = sqlx::query(
                "insert into subject_keys (subject_id, wrapped, master_key_id) values ($1, $2, $3)
                 on conflict do nothing",
            )
            .bind(subject)
            .bind(&wrapped)
            .bind(keyring.master_id())
            .execute(&mut *conn)
            .await?;
            if made.rows_affected() == 1 {
                return Ok(Some(key));
            }
            // Another referral of the same person made one first: use theirs.
            let wrapped: Option<Vec<u8>> =
                sqlx::query_scalar("select wrapped from subject_keys where subject_id = $1")
                    .bind(subject)
                    .fetch_one(conn)
                    .await?;
            wrapped
                .map(|w| keyring.unwrap(subject, &w))
                .transpose()
                .map_err(SealError::from)
        }
    }
}

/// Records that `case` is about `subject`, in `municipality`. A referral may
/// name a young person only where a case about them lies: in another
/// municipality the id was copied or guessed, and is refused as if there
/// were no such person. (After one of their cases was handed over, both
/// municipalities hold a case about them, and either may refer them again.)
async fn link_subject(
    tx: &mut PgConnection,
    case: Uuid,
    subject: Uuid,
    municipality: &str,
) -> Result<(), SealError> {
    // Serialises referrals of one young person, so two in different
    // municipalities cannot both pass the check.
    sqlx::query("select pg_advisory_xact_lock(hashtext('casus subject ' || $1::text))")
        .bind(subject)
        .execute(&mut *tx)
        .await?;
    let elsewhere: bool = sqlx::query_scalar(
        "select exists (select from case_subjects where subject_id = $1)
            and not exists (select from case_subjects
                             where subject_id = $1 and municipality = $2)",
    )
    .bind(subject)
    .bind(municipality)
    .fetch_one(&mut *tx)
    .await?;
    if elsewhere {
        return Err(SealError::SubjectElsewhere);
    }
    sqlx::query(
        "insert into case_subjects (case_id, subject_id, municipality) values ($1, $2, $3)",
    )
    .bind(case)
    .bind(subject)
    .bind(municipality)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The subject of `case`, and their key unless it was destroyed (or never made).
pub async fn key_for_case(
    keyring: &Keyring,
    pool: &PgPool,
    case: Uuid,
) -> Result<Option<(Uuid, Option<DataKey>)>, SealError> {
    let Some((subject, stored)) = case_key(&mut *pool.acquire().await?, case).await? else {
        return Ok(None);
    };
    let key = match stored {
        StoredKey::Live(wrapped) => Some(keyring.unwrap(subject, &wrapped)?),
        StoredKey::Missing | StoredKey::Destroyed => None,
    };
    Ok(Some((subject, key)))
}

/// Destroys the subject's data key: what it sealed can never be read again.
async fn destroy_key(conn: &mut PgConnection, subject: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update subject_keys set wrapped = null, erased_at = now()
          where subject_id = $1 and wrapped is not null",
    )
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

/// Refuses a master key other than the one that wrapped the stored data keys.
pub async fn check_master_key(pool: &PgPool, keyring: &Keyring) -> Result<(), SealError> {
    let other: Option<String> = sqlx::query_scalar(
        "select master_key_id from subject_keys
          where master_key_id <> $1 and wrapped is not null limit 1",
    )
    .bind(keyring.master_id())
    .fetch_optional(pool)
    .await?;
    match other {
        Some(_) => Err(KeyringError::WrongMaster.into()),
        None => Ok(()),
    }
}
