//! Erasure of a young person's personal data, on a privacy officer's decision.

use axum::Json;
use casus_domain::{CaseId, Erasure, Role, SubjectId, Text};
use casus_store::Metadata;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::error::ApiError;
use crate::http::extract::{Body, Path};
use crate::http::problem::Problem;
use crate::http::writer::{actor, Writer};
use crate::policy::{self, Action, Facts};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new().routes(routes!(erasure))
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"reason": "request of the young person (AVG art. 17)"}))]
pub struct ErasureBody {
    /// Why: the request under Art. 17 AVG, or the decision that orders it.
    /// Kept readable in the audit trail for good: do not name the young person.
    pub reason: Text,
}

/// What the erasure did.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErasureAnswer {
    pub subject_id: Uuid,
    /// The cases that recorded the erasure now, with their new version.
    pub erased: Vec<ErasedCase>,
    /// The cases that had recorded it already.
    pub already_erased: Vec<Uuid>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ErasedCase {
    pub case_id: Uuid,
    pub version: u64,
}

/// Erase a young person's personal data from every case about them
///
/// Destroys their data key and records `SubjectErased` on each case, in one
/// transaction. The events stay, sealed and unreadable; views, timelines,
/// history and exports show that the data was erased; the hash chain holds.
/// Irreversible. Every case of the subject must be in the officer's scope
/// (404 otherwise, as for a subject that does not exist). Repeating it
/// finishes an erasure that was interrupted and changes nothing else.
#[utoipa::path(
    post,
    path = "/api/v1/subjects/{subject_id}/erasure",
    tag = "privacy",
    params(("subject_id" = Uuid, Path, description = "The young person")),
    request_body = ErasureBody,
    responses(
        (status = 200, description = "Erased", body = ErasureAnswer),
        (status = 400, description = "Malformed JSON, header or path", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only a privacy officer erases", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subject in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The cases kept changing; try again", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the given seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn erasure(
    writer: Writer,
    Path(subject): Path<Uuid>,
    body: Body<ErasureBody>,
) -> Result<Json<ErasureAnswer>, ApiError> {
    Ok(Json(erase(&writer, subject, body.value.reason).await?))
}

/// Erases `subject` from every case about them, for `reason`.
pub async fn erase(
    writer: &Writer,
    subject: Uuid,
    reason: Text,
) -> Result<ErasureAnswer, ApiError> {
    if let Err(error) = policy::require_role(&writer.caller, Action::Erase) {
        return Err(writer.denied(None, error).await);
    }
    let today = casus_store::clock::today();
    let erasure = Erasure {
        reason: reason.clone(),
        erased_on: today,
    };
    let metadata = Metadata::new(
        actor(&writer.caller, Role::PrivacyOfficer),
        writer.request_id().0,
    )
    .with_reason(reason.as_str());
    let caller = &writer.caller;
    let outcome = writer
        .state()
        .store
        .erase_subject(SubjectId::from_uuid(subject), &erasure, &metadata, |case| {
            let file = case.file().ok_or(ApiError::NotFound)?;
            policy::authorize(caller, Action::Erase, &Facts::of_file(file, today)).map(|_| ())
        })
        .await;
    let erased = match outcome {
        Ok(erased) => erased,
        Err(error @ (ApiError::NotFound | ApiError::Forbidden(_))) => {
            return Err(writer.denied(None, error).await);
        }
        Err(other) => return Err(other),
    };
    if erased.cases.is_empty() && erased.already.is_empty() {
        return Err(ApiError::NotFound);
    }
    crate::metrics::command("erase the young person's data", "recorded");
    Ok(ErasureAnswer {
        subject_id: subject,
        erased: erased
            .cases
            .iter()
            .map(|(case, version)| ErasedCase {
                case_id: case.as_uuid(),
                version: *version,
            })
            .collect(),
        already_erased: erased.already.iter().map(CaseId::as_uuid).collect(),
    })
}
