//! Who works on a case: its leads, its workers, and the receiving side of a
//! hand-over. Each names a worker Casus knows (see `workers`).

use axum::response::Response;
use casus_domain::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::answers::{WriteHeaders, WriteProblems};
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path};
use crate::http::writer::{Target, Writer, Written, Wrote};
use crate::policy::Action;
use crate::routes::bodies::*;
use crate::workers::assignable;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(leads))
        .routes(routes!(assignments))
        .routes(routes!(reassign))
        .routes(routes!(accept_handover))
}

/// An assignment of `named`: a known worker of the case's municipality,
/// organisation and domain, recorded with their name and team as Casus knows
/// them (422 otherwise).
pub(crate) async fn assign(
    writer: Writer,
    case: CaseId,
    digest: String,
    named: Worker,
    command: impl Fn(Worker) -> CaseCommand,
) -> Result<Wrote, ApiError> {
    let known = writer.state().workers.find(&named.id).await?;
    writer
        .write(
            Target::Case(case, Action::Assign),
            digest,
            Vec::new(),
            |file| {
                let file = file.ok_or(ApiError::NotFound)?;
                Ok(command(assignable(&named, known.as_ref(), file)?))
            },
        )
        .await
}

/// Assign the case lead or the process lead
///
/// Case workers and leads of the case, or a supervisor of its team; the worker named must be
/// known to Casus (signed in once, or seeded) in the case's municipality, organisation and
/// domain, else 422.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/leads",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = LeadAssignment,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn leads(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<LeadAssignment>,
) -> Result<Response, ApiError> {
    let role = body.value.role;
    assign(writer, case, body.digest, body.value.lead, |lead| {
        CaseCommand::AssignLead(LeadAssignment { role, lead })
    })
    .await?
    .into_response()
}

/// Assign a worker
///
/// Case workers and leads of the case, or a supervisor of its team; the worker named must be
/// known to Casus (signed in once, or seeded) in the case's municipality, organisation and
/// domain, else 422.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/assignments",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = Worker,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn assignments(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<Worker>,
) -> Result<Response, ApiError> {
    assign(
        writer,
        case,
        body.digest,
        body.value,
        CaseCommand::AssignWorker,
    )
    .await?
    .into_response()
}

/// Hand a worker's assignment and leads on this case to another worker
///
/// Case workers and leads of the case, or a supervisor of its team; the worker named must be
/// known to Casus (signed in once, or seeded) in the case's municipality, organisation and
/// domain, else 422.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/reassign",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = Reassignment,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn reassign(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<Reassignment>,
) -> Result<Response, ApiError> {
    let Reassignment { from, to, reason } = body.value;
    assign(writer, case, body.digest, to, |to| {
        CaseCommand::ReassignWorker(Reassignment {
            from: from.clone(),
            to,
            reason: reason.clone(),
        })
    })
    .await?
    .into_response()
}

/// Accept a proposed handover into a focus area and team of your organisation (a supervisor of the receiving municipality)
///
/// A supervisor of the municipality the handover is proposed to, of the case's domain. The case
/// then belongs to that municipality, focus area and team; the sending municipality's auditors
/// keep reading its history up to here.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/handover/accept",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = AcceptanceBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn accept_handover(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<AcceptanceBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let command = CaseCommand::AcceptHandover(HandoverAcceptance {
        focus_area: b.focus_area,
        team: b.team,
        organisation: writer.caller.organisation.clone(),
        accepted_on: b.accepted_on,
    });
    writer.record(case, body.digest, Vec::new(), command).await
}
