//! The write routes whose body is the domain's record as it is, and the
//! steps on what a case holds: one line each. Each names its command; the
//! policy knows what the command is (`policy::action_of`), `Writer` does the
//! rest.

use axum::response::Response;
use casus_domain::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::answers::{WriteHeaders, WriteProblems};
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path};
use crate::http::writer::{Writer, Written};
use crate::routes::bodies::*;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signals))
        .routes(routes!(information))
        .routes(routes!(include))
        .routes(routes!(unassignments))
        .routes(routes!(contacts))
        .routes(routes!(notes))
        .routes(routes!(partners))
        .routes(routes!(conferences))
        .routes(routes!(escalations))
        .routes(routes!(transfer))
        .routes(routes!(handover))
        .routes(routes!(decline_handover))
        .routes(routes!(aftercare))
        .routes(routes!(close))
        .routes(routes!(reopen))
        .routes(routes!(corrections))
        .routes(routes!(achieve_goal))
        .routes(routes!(start_intervention))
        .routes(routes!(complete_intervention))
        .routes(routes!(cancel_intervention))
        .routes(routes!(withdraw_consent))
}

/// A route whose body is the domain's record as it is.
macro_rules! record {
    ($(#[doc = $doc:literal])* $name:ident, $path:literal, $body:ty, $command:path) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            post,
            path = $path,
            tag = "cases",
            params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
            request_body = $body,
            responses((status = 200, description = "Recorded", body = Written), WriteProblems)
        )]
        pub async fn $name(
            writer: Writer,
            Path(case): Path<CaseId>,
            body: Body<$body>,
        ) -> Result<Response, ApiError> {
            writer
                .record(case, body.digest, Vec::new(), $command(body.value))
                .await
        }
    };
}

/// A route that takes a step on something the case holds, named in the path.
macro_rules! step {
    ($(#[doc = $doc:literal])* $name:ident, $path:literal, $param:literal, $id:ty, $body:ty,
     |$item:ident, $b:ident| $build:expr) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            post,
            path = $path,
            tag = "cases",
            params(
                ("id" = Uuid, Path, description = "The case"),
                ($param = Uuid, Path, description = "What the step is taken on"),
                WriteHeaders
            ),
            request_body = $body,
            responses((status = 200, description = "Recorded", body = Written), WriteProblems)
        )]
        pub async fn $name(
            writer: Writer,
            Path((case, $item)): Path<(CaseId, $id)>,
            body: Body<$body>,
        ) -> Result<Response, ApiError> {
            let $b = body.value;
            let command = $build;
            writer
                .items_in_path()
                .record(case, body.digest, Vec::new(), command)
                .await
        }
    };
}

record!(
    /// Record a signal (police contact, school absence, nuisance, ...)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). A police contact comes from the justice domain; its summary is
    /// for the social domain only.
    signals, "/api/v1/cases/{id}/signals", Signal, CaseCommand::RecordSignal
);
record!(
    /// Add information from a partner, with its legal basis
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Information from the other domain needs its legal basis
    /// (consent or a legal task).
    information, "/api/v1/cases/{id}/information", Information, CaseCommand::AddInformation
);
record!(
    /// Include the case after a triage that took it on
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Refused (409) before a triage that took the case on.
    include, "/api/v1/cases/{id}/include", Inclusion, CaseCommand::IncludeCase
);
record!(
    /// Unassign a worker
    ///
    /// Case workers and leads of the case, or a supervisor of its team. The reason is personal
    /// data and sealed.
    unassignments, "/api/v1/cases/{id}/unassignments", Unassignment, CaseCommand::UnassignWorker
);
record!(
    /// Log a contact (home visit, school, phone, ...)
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. The date lies between 1900-01-01 and today; the summary is visible to the
    /// social domain.
    contacts, "/api/v1/cases/{id}/contacts", Contact, CaseCommand::LogContact
);
record!(
    /// Add a note, readable by the social domain, the justice domain or both
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. Its confidentiality decides which domain's view shows its text.
    notes, "/api/v1/cases/{id}/notes", Note, CaseCommand::AddNote
);
record!(
    /// Involve a partner organisation; one of the other domain needs a legal basis
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). The partner then reads the case and logs contacts and notes, as
    /// long as the basis holds (a withdrawn or expired consent ends it).
    partners, "/api/v1/cases/{id}/partners", PartnerInvolvement, CaseCommand::InvolvePartner
);
record!(
    /// Record a case conference
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads).
    conferences, "/api/v1/cases/{id}/conferences", Conference, CaseCommand::HoldConference
);
record!(
    /// Escalate the case (to the administrators, police, prosecutor or Child Protection Board)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads).
    escalations, "/api/v1/cases/{id}/escalations", Escalation, CaseCommand::Escalate
);
record!(
    /// Transfer the case to another focus area and team
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Within the case's municipality only; to another municipality a
    /// case moves by a handover (422 otherwise).
    transfer, "/api/v1/cases/{id}/transfer", Transfer, CaseCommand::TransferCase
);
record!(
    /// Propose to hand the case over to another municipality (the case lead or a supervisor)
    ///
    /// The case lead assigned to the case, or a supervisor of its team. One handover at a time;
    /// the receiving municipality's supervisors of the case's domain then find the case in
    /// their list and may read it.
    handover, "/api/v1/cases/{id}/handover", HandoverProposal, CaseCommand::ProposeHandover
);
record!(
    /// Decline a proposed handover (the receiving municipality's supervisor), or withdraw it (the sending side)
    ///
    /// A supervisor of the receiving municipality declines; the case lead or a supervisor of
    /// the sending team withdraws. The case stays where it is.
    decline_handover, "/api/v1/cases/{id}/handover/decline", HandoverDecline, CaseCommand::DeclineHandover
);
record!(
    /// Start aftercare
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Refused (409) while an intervention runs: complete or cancel it
    /// first.
    aftercare, "/api/v1/cases/{id}/aftercare", Aftercare, CaseCommand::StartAftercare
);
record!(
    /// Close the case with its result
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Refused (409) while an intervention runs. The result starts the
    /// retention period.
    close, "/api/v1/cases/{id}/close", Closure, CaseCommand::CloseCase
);
record!(
    /// Reopen a closed case, with the reason
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). A reopened case needs a new plan.
    reopen, "/api/v1/cases/{id}/reopen", Reopening, CaseCommand::ReopenCase
);
record!(
    /// Correct an earlier entry (the entry stays; this one says what was wrong)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). The corrected entry is named by its sequence; the correction is
    /// seen by those who see that entry.
    corrections, "/api/v1/cases/{id}/corrections", Correction, CaseCommand::CorrectEntry
);

step!(
    /// Mark a goal of the plan achieved
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). A goal the plan does not hold is 404.
    achieve_goal, "/api/v1/cases/{id}/goals/{goal_id}/achieve", "goal_id", GoalId,
    AchievementBody,
    |goal_id, b| CaseCommand::AchieveGoal(GoalAchievement { goal_id, achieved_on: b.achieved_on })
);
step!(
    /// Start a planned intervention
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. An intervention the case does not hold is 404.
    start_intervention, "/api/v1/cases/{id}/interventions/{intervention_id}/start", "intervention_id",
    InterventionId, StartBody,
    |intervention_id, b| CaseCommand::StartIntervention(InterventionStart {
        intervention_id,
        started_on: b.started_on,
    })
);
step!(
    /// Complete a running intervention with its outcome
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. An intervention the case does not hold is 404.
    complete_intervention, "/api/v1/cases/{id}/interventions/{intervention_id}/complete",
    "intervention_id", InterventionId, CompletionBody,
    |intervention_id, b| CaseCommand::CompleteIntervention(InterventionCompletion {
        intervention_id,
        outcome: b.outcome,
        summary: b.summary.map(Personal::new),
        completed_on: b.completed_on,
    })
);
step!(
    /// Cancel an intervention, with the reason
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. An intervention the case does not hold is 404.
    cancel_intervention, "/api/v1/cases/{id}/interventions/{intervention_id}/cancel",
    "intervention_id", InterventionId, CancellationBody,
    |intervention_id, b| CaseCommand::CancelIntervention(InterventionCancellation {
        intervention_id,
        reason: Personal::new(b.reason),
        cancelled_on: b.cancelled_on,
    })
);
step!(
    /// Withdraw a consent
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). The partners involved on it lose their access at once; a
    /// consent the case does not hold is 404.
    withdraw_consent, "/api/v1/cases/{id}/consents/{consent_id}/withdraw", "consent_id", ConsentId,
    WithdrawalBody,
    |consent_id, b| CaseCommand::WithdrawConsent(ConsentWithdrawal {
        consent_id,
        withdrawn_on: b.withdrawn_on,
    })
);
