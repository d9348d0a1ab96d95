//! How each failure reaches a client: a user error is 4xx with a message it
//! can act on, a race is 409/412, an outage 503 with `Retry-After`, anything
//! else 500 with the cause logged under the request id and never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casus_domain::CaseError;
use casus_store::{CommandError, Conflict};

use crate::http::problem::{internal, unavailable, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Not there, or not for this caller: the same answer, so a case's
    /// existence does not leak.
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error(transparent)]
    Command(CommandError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A ready-made answer (e.g. from an extractor).
    #[error("{}", .0.detail)]
    Problem(Problem),
}

impl From<casus_store::audit::history::HistoryError> for ApiError {
    fn from(error: casus_store::audit::history::HistoryError) -> Self {
        use casus_store::audit::history::HistoryError;
        match error {
            HistoryError::Database(error) => Self::Database(error),
            HistoryError::Unreadable(cause) => {
                Self::Command(CommandError::Unreadable(cause.into()))
            }
            HistoryError::Keys(error) => Self::Command(CommandError::from_seal(error)),
        }
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self::Problem(problem)
    }
}

impl ApiError {
    pub fn into_problem(self) -> Problem {
        match self {
            Self::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such case, or it is not in your scope.",
            ),
            Self::Forbidden(detail) => Problem::new(StatusCode::FORBIDDEN, "Forbidden", detail),
            Self::BadRequest(detail) => {
                Problem::new(StatusCode::BAD_REQUEST, "Bad request", detail)
            }
            Self::Unprocessable(detail) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request", detail)
            }
            Self::Command(error) => command_problem(error),
            Self::Database(error) => {
                if casus_store::is_unavailable(&error) {
                    tracing::warn!(%error, "the database is unavailable");
                    unavailable()
                } else {
                    tracing::error!(%error, "database error");
                    internal()
                }
            }
            Self::Problem(problem) => problem,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_problem().into_response()
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        match error {
            // Named something out of the caller's scope: as for any id, 404.
            CommandError::OutOfScope => Self::NotFound,
            other => Self::Command(other),
        }
    }
}

fn command_problem(error: CommandError) -> Problem {
    match error {
        CommandError::Rejected(refusal) => refused(refusal),
        CommandError::Conflict(conflict @ Conflict::Stale { .. }) => Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "Version mismatch",
            conflict.to_string(),
        )
        .kind("urn:casus:problem:stale-version"),
        CommandError::Conflict(conflict @ Conflict::ConcurrentWrite) => Problem::new(
            StatusCode::CONFLICT,
            "Concurrent change",
            conflict.to_string(),
        )
        .kind("urn:casus:problem:concurrent-write"),
        CommandError::KeyTaken(taken) => Problem::new(
            StatusCode::CONFLICT,
            "Idempotency key in use",
            taken.to_string(),
        ),
        CommandError::KeyReused => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Idempotency key reused",
            "This Idempotency-Key was used for another request; use a new key for a new request.",
        )
        .kind("urn:casus:problem:idempotency-key-reused"),
        CommandError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "the database is unavailable");
            unavailable()
        }
        CommandError::Unreadable(cause) => {
            tracing::error!(error = %cause, "stored events cannot be read");
            internal()
        }
        CommandError::OutOfScope => ApiError::NotFound.into_problem(),
        CommandError::Internal(cause) => {
            tracing::error!(error = %cause, "unexpected error in the event store");
            internal()
        }
    }
}

/// A case's refusal: 409 when the case's state stands in the way (it may
/// change), 422 when the request itself can never be accepted as it is.
fn refused(refusal: CaseError) -> Problem {
    use CaseError::*;
    let status = match &refusal {
        AlreadyReferred
        | NotReferred
        | VersionMismatch { .. }
        | Closed
        | Erased
        | NotInStage { .. }
        | TriageRequired
        | NotTakenOn(_)
        | CaseLeadRequired
        | PlanRequired(_)
        | GoalAlreadyAchieved(_)
        | InterventionExists(_)
        | InterventionIs { .. }
        | InterventionRunning(_)
        | AlreadyAssigned(_)
        | NotAssigned(_)
        | ConsentExists(_)
        | ConsentAlreadyWithdrawn(_)
        | ReviewExists(_)
        | ReviewAlreadyCompleted(_)
        | HaltNeedsConsent
        | HaltNeedsParentalConsent
        | HandoverPending(_)
        | NoHandover => StatusCode::CONFLICT,
        UnknownFocusArea(_)
        | FocusAreaOutsideMunicipality { .. }
        | OutsideTargetGroup { .. }
        | PlanNeedsGoals
        | DuplicateGoal(_)
        | UnknownGoal(_)
        | UnknownIntervention(_)
        | HaltNeedsConfession
        | UnknownConsent(_)
        | ConsentNotValid { .. }
        | LegalBasisRequired { .. }
        | HighRiskNeedsReview { .. }
        | UnknownReview(_)
        | UnknownEntry(_)
        | RevisionWithoutReason
        | NotAContact(_)
        | SameMunicipality(_)
        | HandoverRequired(_)
        | UnknownMunicipality(_)
        | DateOutOfRange(_)
        | MarkedValue => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let problem = Problem::new(status, "The case refuses this", refusal.to_string())
        .kind("urn:casus:problem:refused");
    match &refusal {
        DateOutOfRange(rule) => problem
            .with("field", rule.field)
            .with("earliest", rule.earliest)
            .with("latest", rule.latest),
        _ => problem,
    }
}
