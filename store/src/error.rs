//! How a command can fail, sorted by whose problem it is: the worker's (the
//! case refuses), a race (conflict: reload and retry), the database's
//! (unavailable: try later), or ours.

use casus_domain::CaseError;
use cqrs_es::AggregateError;

use crate::idempotency::KeyTaken;
use crate::privacy::SealError;

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The case refuses the command under one of its rules.
    #[error(transparent)]
    Rejected(CaseError),
    #[error(transparent)]
    Conflict(Conflict),
    /// Another request with the same idempotency key was answered first.
    #[error(transparent)]
    KeyTaken(KeyTaken),
    /// The idempotency key was first used for another request.
    #[error("this Idempotency-Key was used for another request; use a new key for a new request")]
    KeyReused,
    /// The command names something outside the case's municipality (a
    /// young person of another one).
    #[error("the command names something outside the case's municipality")]
    OutOfScope,
    #[error("the database is unavailable: {0}")]
    Unavailable(Cause),
    #[error("the stored events of this case cannot be read: {0}")]
    Unreadable(Cause),
    #[error("unexpected error in the event store: {0}")]
    Internal(Cause),
}

/// Another writer got there first. Nothing was stored; reload and try again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("you saw version {expected} of this case, but it is now at version {actual}; reload it and try again")]
    Stale { expected: u64, actual: u64 },
    #[error("someone else changed this case at the same moment; reload it and try again")]
    ConcurrentWrite,
}

impl From<AggregateError<CaseError>> for CommandError {
    fn from(error: AggregateError<CaseError>) -> Self {
        match error {
            AggregateError::UserError(CaseError::VersionMismatch { expected, actual }) => {
                Self::Conflict(Conflict::Stale { expected, actual })
            }
            AggregateError::UserError(refusal) => Self::Rejected(refusal),
            AggregateError::AggregateConflict => Self::Conflict(Conflict::ConcurrentWrite),
            AggregateError::DatabaseConnectionError(cause) => Self::Unavailable(cause),
            AggregateError::DeserializationError(cause) => Self::Unreadable(cause),
            AggregateError::UnexpectedError(cause) if cause.is::<KeyTaken>() => {
                Self::KeyTaken(KeyTaken)
            }
            // A key destroyed while the command was decided: the case is
            // being erased, and takes nothing personal any more.
            AggregateError::UnexpectedError(cause)
                if matches!(cause.downcast_ref(), Some(SealError::Erased)) =>
            {
                Self::Rejected(CaseError::Erased)
            }
            AggregateError::UnexpectedError(cause)
                if matches!(cause.downcast_ref(), Some(SealError::SubjectElsewhere)) =>
            {
                Self::OutOfScope
            }
            AggregateError::UnexpectedError(cause) => Self::Internal(cause),
        }
    }
}

impl CommandError {
    /// Sorts an error of sealing or opening personal data.
    pub fn from_seal(error: SealError) -> Self {
        match error {
            SealError::Database(error) => Self::from_sqlx(error),
            SealError::Erased => Self::Rejected(CaseError::Erased),
            SealError::SubjectElsewhere => Self::OutOfScope,
            other => Self::Internal(Box::new(other)),
        }
    }

    /// Sorts a database error of our own queries like those of the store.
    pub fn from_sqlx(error: sqlx::Error) -> Self {
        if crate::repository::is_unavailable(&error) {
            Self::Unavailable(Box::new(error))
        } else {
            Self::Internal(Box::new(error))
        }
    }
}
