//! Supervision: the caseload of a team, and handing every case of a worker
//! to another at once.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use casus_domain::{CaseCommand, CaseId, Command, Personal, Reassignment, WorkerId};
use casus_projections::queries::{self, CaseloadEntry, CaseloadFilter, WorkerLoad};
use casus_store::idempotency;
use casus_store::Metadata;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::answers::ReadProblems;
use crate::http::answers::{WriteHeaders, WriteProblems};
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path, Query};
use crate::http::reader::{Reader, Seen};
use crate::http::writer::{actor, Writer};
use crate::policy::{self, Action, CaseloadAsked, Facts};
use crate::routes::bodies::BulkReassignmentBody;
use crate::workers::assignable;
use casus_store::audit::access::{AccessAction, Sensitivity};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(caseload))
        .routes(routes!(reassign_all))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct CaseloadParams {
    /// A team; supervisors see their own team only (the default).
    team: Option<String>,
    /// Only the cases of this worker.
    worker: Option<String>,
    /// For auditors with a national scope: the municipality.
    municipality: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Caseload {
    pub municipality: String,
    pub team: Option<String>,
    /// The date overdue reviews and days since contact are counted on.
    pub today: NaiveDate,
    /// Each worker's open cases, overdue reviews, high risks and cases without recent contact.
    pub workers: Vec<WorkerLoad>,
    /// The open cases, overdue reviews first.
    pub cases: Vec<CaseloadEntry>,
}

/// The open cases of a team, per worker
///
/// Supervisors see their own team (its known workers, those without open cases too); auditors a
/// municipality, giving a reason. Each case named is logged.
#[utoipa::path(
    get,
    path = "/api/v1/caseload",
    tag = "supervision",
    params(CaseloadParams),
    responses((status = 200, description = "The caseload", body = Caseload), ReadProblems)
)]
pub async fn caseload(
    reader: Reader,
    Query(params): Query<CaseloadParams>,
) -> Result<Json<Caseload>, ApiError> {
    let asked = CaseloadAsked {
        team: params.team,
        worker: params.worker,
        municipality: params.municipality,
    };
    let (caseload, _) = read_caseload(&reader, asked).await?;
    Ok(Json(caseload))
}

/// The caseload `asked` for, as the policy grants it, logged; with the
/// filter it was read with, for further figures of the same cases.
pub async fn read_caseload(
    reader: &Reader,
    asked: CaseloadAsked,
) -> Result<(Caseload, CaseloadFilter), ApiError> {
    // A caseload names cases (and their young people's workers): it is
    // logged like a list, one row per case, and auditors give a reason.
    let seen = Seen {
        action: AccessAction::Search,
        view: "caseload",
        sensitivity: Sensitivity::Case,
    };
    let granted = policy::caseload(&reader.caller, asked)
        .and_then(|(filter, role)| Ok((filter, role, reader.ground(role, "team")?)));
    let (filter, role, basis) = match granted {
        Ok(granted) => granted,
        Err(error) => return Err(reader.refuse(seen, None, error).await),
    };
    let pool = &reader.state().pool;
    let today = casus_store::clock::today();
    let workers = queries::workload(pool, &filter, today).await?;
    let cases = queries::caseload(pool, &filter, today).await?;
    let named: Vec<Uuid> = cases.iter().map(|c| c.case_id).collect();
    reader.shown(seen, role, basis, &named).await?;
    let caseload = Caseload {
        municipality: filter.municipality.clone(),
        team: filter.team.clone(),
        today,
        workers,
        cases,
    };
    Ok((caseload, filter))
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Moved {
    pub case_id: Uuid,
    pub version: u64,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct NotMoved {
    pub case_id: Uuid,
    pub status: u16,
    pub detail: String,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct BulkReassignment {
    /// Ties the events of every moved case together in their metadata.
    pub correlation_id: Uuid,
    pub moved: Vec<Moved>,
    /// Cases that could not be moved (e.g. changed meanwhile), and why.
    pub not_moved: Vec<NotMoved>,
}

/// Hand every open case of a worker in the supervisor's team to another worker
///
/// Supervisors only. One step per case, tied by a correlation id; a case that changed meanwhile
/// is reported in `not_moved`. The worker taking over must be known to Casus in the team's
/// municipality, organisation and domain.
#[utoipa::path(
    post,
    path = "/api/v1/workers/{worker_id}/reassign",
    tag = "supervision",
    params(("worker_id" = WorkerId, Path, description = "The worker whose cases move"), WriteHeaders),
    request_body = BulkReassignmentBody,
    responses((status = 200, description = "What moved and what did not", body = BulkReassignment), WriteProblems)
)]
pub async fn reassign_all(
    writer: Writer,
    Path(worker): Path<String>,
    body: Body<BulkReassignmentBody>,
) -> Result<Response, ApiError> {
    match reassign(&writer, worker, body).await? {
        Reassigned::Now(answer) => Ok(Json(answer).into_response()),
        Reassigned::Before(stored) => crate::http::writer::replay(stored),
    }
}

/// What a bulk reassignment answers: done now, or the stored answer to the
/// same request sent before.
pub enum Reassigned {
    Now(BulkReassignment),
    Before(idempotency::StoredAnswer),
}

/// Hands every open case of `worker` in the caller's team on, as the body says.
pub async fn reassign(
    writer: &Writer,
    worker: String,
    body: Body<BulkReassignmentBody>,
) -> Result<Reassigned, ApiError> {
    let caller = &writer.caller;
    let (municipality, team) = match policy::bulk_reassignment(caller) {
        Ok(home) => home,
        Err(refusal) => return Err(writer.denied(None, refusal).await),
    };
    let from = WorkerId::parse(worker).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let state = writer.state().clone();
    let request = writer.idempotency(body.digest, StatusCode::OK);
    if let Some(request) = &request {
        if let Some(stored) = idempotency::replayable(&state.pool, request).await? {
            return Ok(Reassigned::Before(stored));
        }
    }
    let cases = queries::cases_of_worker(
        &state.pool,
        municipality.as_str(),
        team.as_str(),
        caller.domain.as_str(),
        caller.organisation.as_str(),
        from.as_str(),
    )
    .await?;
    let known = state.workers.find(&body.value.to.id).await?;
    let correlation_id = writer.request_id().0;
    let mut answer = BulkReassignment {
        correlation_id,
        moved: Vec::new(),
        not_moved: Vec::new(),
    };
    let today = casus_store::clock::today();
    for case in cases {
        let case = CaseId::from_uuid(case);
        let outcome = state
            .store
            .execute_with(case, None, |aggregate| {
                let file = aggregate.file().ok_or(ApiError::NotFound)?;
                let facts = Facts::of_file(file, today);
                let role = policy::authorize(caller, Action::Assign, &facts)?.role;
                let command = Reassignment {
                    from: from.clone(),
                    to: assignable(&body.value.to, known.as_ref(), file)?,
                    reason: Some(Personal::new(body.value.reason.clone())),
                };
                // The reason is in the sealed event, not in the metadata,
                // which outlives an erasure.
                let metadata = Metadata::new(actor(caller, role), correlation_id);
                Ok::<_, ApiError>((
                    Command::new(CaseCommand::ReassignWorker(command), today),
                    metadata,
                ))
            })
            .await;
        match outcome {
            Ok(committed) => answer.moved.push(Moved {
                case_id: case.as_uuid(),
                version: committed.version,
            }),
            Err(error) => {
                // A refusal of access is logged like any other.
                let error = match error {
                    denied @ (ApiError::NotFound | ApiError::Forbidden(_)) => {
                        writer.denied(Some(case), denied).await
                    }
                    other => other,
                };
                let problem = error.into_problem();
                if problem.status >= 500 {
                    return Err(problem.into());
                }
                answer.not_moved.push(NotMoved {
                    case_id: case.as_uuid(),
                    status: problem.status,
                    detail: problem.detail,
                });
            }
        }
    }
    if let Some(request) = &request {
        let json = serde_json::to_value(&answer).unwrap_or_default();
        idempotency::keep(&state.pool, request, 200, &json).await?;
    }
    Ok(Reassigned::Now(answer))
}
