//! The write routes: one per thing a worker records on a case. Each names
//! its action for the access policy and builds its command; `Writer` does
//! the rest.

use axum::response::Response;
use casus_domain::*;

use crate::bodies::*;
use crate::error::ApiError;
use crate::extract::{Body, Path};
use crate::policy::Action;
use crate::workers::assignable;
use crate::write::{Target, WriteHeaders, WriteProblems, Writer, Written};

/// A route whose body is the domain's record as it is.
macro_rules! record {
    ($(#[doc = $doc:literal])* $name:ident, $path:literal, $body:ty, $action:ident, $command:path) => {
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
                .record(case, Action::$action, body.digest, Vec::new(), $command(body.value))
                .await
        }
    };
}

/// A route that takes a step on something the case holds, named in the path.
macro_rules! step {
    ($(#[doc = $doc:literal])* $name:ident, $path:literal, $param:literal, $id:ty, $body:ty, $action:ident,
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
                .record(case, Action::$action, body.digest, Vec::new(), command)
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
    signals, "/api/v1/cases/{id}/signals", Signal, Work, CaseCommand::RecordSignal
);
record!(
    /// Add information from a partner, with its legal basis
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Information from the other domain needs its legal basis
    /// (consent or a legal task).
    information, "/api/v1/cases/{id}/information", Information, Work, CaseCommand::AddInformation
);
record!(
    /// Include the case after a triage that took it on
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Refused (409) before a triage that took the case on.
    include, "/api/v1/cases/{id}/include", Inclusion, Work, CaseCommand::IncludeCase
);
record!(
    /// Unassign a worker
    ///
    /// Case workers and leads of the case, or a supervisor of its team. The reason is personal
    /// data and sealed.
    unassignments, "/api/v1/cases/{id}/unassignments", Unassignment, Assign, CaseCommand::UnassignWorker
);
record!(
    /// Log a contact (home visit, school, phone, ...)
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. The date lies between 1900-01-01 and today; the summary is visible to the
    /// social domain.
    contacts, "/api/v1/cases/{id}/contacts", Contact, Contribute, CaseCommand::LogContact
);
record!(
    /// Add a note, readable by the social domain, the justice domain or both
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. Its confidentiality decides which domain's view shows its text.
    notes, "/api/v1/cases/{id}/notes", Note, Contribute, CaseCommand::AddNote
);
record!(
    /// Involve a partner organisation; one of the other domain needs a legal basis
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). The partner then reads the case and logs contacts and notes, as
    /// long as the basis holds (a withdrawn or expired consent ends it).
    partners, "/api/v1/cases/{id}/partners", PartnerInvolvement, Work, CaseCommand::InvolvePartner
);
record!(
    /// Record a case conference
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads).
    conferences, "/api/v1/cases/{id}/conferences", Conference, Work, CaseCommand::HoldConference
);
record!(
    /// Escalate the case (to the administrators, police, prosecutor or Child Protection Board)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads).
    escalations, "/api/v1/cases/{id}/escalations", Escalation, Work, CaseCommand::Escalate
);
record!(
    /// Transfer the case to another focus area and team
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Within the case's municipality only; to another municipality a
    /// case moves by a handover (422 otherwise).
    transfer, "/api/v1/cases/{id}/transfer", Transfer, Work, CaseCommand::TransferCase
);
record!(
    /// Propose to hand the case over to another municipality (the case lead or a supervisor)
    ///
    /// The case lead assigned to the case, or a supervisor of its team. One handover at a time;
    /// the receiving municipality's supervisors of the case's domain then find the case in
    /// their list and may read it.
    handover, "/api/v1/cases/{id}/handover", HandoverProposal, ProposeHandover, CaseCommand::ProposeHandover
);
record!(
    /// Decline a proposed handover (the receiving municipality's supervisor), or withdraw it (the sending side)
    ///
    /// A supervisor of the receiving municipality declines; the case lead or a supervisor of
    /// the sending team withdraws. The case stays where it is.
    decline_handover, "/api/v1/cases/{id}/handover/decline", HandoverDecline, DeclineHandover, CaseCommand::DeclineHandover
);
record!(
    /// Start aftercare
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Refused (409) while an intervention runs: complete or cancel it
    /// first.
    aftercare, "/api/v1/cases/{id}/aftercare", Aftercare, Work, CaseCommand::StartAftercare
);
record!(
    /// Close the case with its result
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). Refused (409) while an intervention runs. The result starts the
    /// retention period.
    close, "/api/v1/cases/{id}/close", Closure, Work, CaseCommand::CloseCase
);
record!(
    /// Reopen a closed case, with the reason
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). A reopened case needs a new plan.
    reopen, "/api/v1/cases/{id}/reopen", Reopening, Work, CaseCommand::ReopenCase
);
record!(
    /// Correct an earlier entry (the entry stays; this one says what was wrong)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). The corrected entry is named by its sequence; the correction is
    /// seen by those who see that entry.
    corrections, "/api/v1/cases/{id}/corrections", Correction, Work, CaseCommand::CorrectEntry
);

/// Open a case with a referral
///
/// Case workers and case leads open a case in their own municipality, team, domain and
/// organisation. A referral may name a young person Casus knows by `subject_id` only where a
/// case about them lies in that municipality (404 otherwise). The young person is 8 to 27 on
/// the referral date.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    params(WriteHeaders),
    request_body = ReferralBody,
    responses((status = 201, description = "Opened", body = Written), WriteProblems)
)]
pub async fn open(writer: Writer, body: Body<ReferralBody>) -> Result<Response, ApiError> {
    let case = CaseId::new();
    let b = body.value;
    let subject = b.subject_id.unwrap_or_default();
    let caller = &writer.caller;
    let (Some(municipality), Some(team)) = (caller.municipality.clone(), caller.team.clone())
    else {
        return Err(ApiError::Forbidden(
            "opening a case needs a municipality and a team in your token".into(),
        ));
    };
    let referral = Referral {
        subject,
        details: Personal::new(b.subject),
        municipality,
        focus_area: b.focus_area,
        team,
        domain: caller.domain,
        organisation: caller.organisation.clone(),
        referred_by: b.referred_by,
        reason: Personal::new(b.reason),
        goal: Personal::new(b.goal),
        referred_on: b.referred_on,
    };
    let ids = vec![case.as_uuid(), subject.as_uuid()];
    writer
        .run(Target::New(case), body.digest, ids, |_| {
            Ok(CaseCommand::ReferCase(referral))
        })
        .await
}

/// An assignment of `named`: a known worker of the case's municipality,
/// organisation and domain, recorded with their name and team as Casus knows
/// them (422 otherwise).
async fn assign(
    writer: Writer,
    case: CaseId,
    digest: String,
    named: Worker,
    command: impl FnOnce(Worker) -> CaseCommand,
) -> Result<Response, ApiError> {
    let known = writer.state().workers.find(&named.id).await?;
    writer
        .run(
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
    .await
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
    .await
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
        CaseCommand::ReassignWorker(Reassignment { from, to, reason })
    })
    .await
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
    writer
        .record(
            case,
            Action::AcceptHandover,
            body.digest,
            Vec::new(),
            command,
        )
        .await
}

/// Decide the triage: take the case on, hand it over to a partner, or give advice only
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads). Only a hand-over names a `partner`, and a hand-over names one (422
/// otherwise).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/triage",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = TriageBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn triage(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<TriageBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let decision = match (b.decision, b.partner) {
        (TriageChoice::TakeOn, None) => TriageDecision::TakeOn,
        (TriageChoice::AdviceOnly, None) => TriageDecision::AdviceOnly,
        (TriageChoice::HandOver, Some(partner)) => TriageDecision::HandOver { partner },
        (TriageChoice::HandOver, None) => {
            return Err(ApiError::Unprocessable(
                "a hand-over names the `partner` it goes to".into(),
            ))
        }
        (_, Some(_)) => {
            return Err(ApiError::Unprocessable(
                "only a hand-over names a `partner`".into(),
            ))
        }
    };
    let command = CaseCommand::DecideTriage(Triage {
        decision,
        decided_by: Personal::new(b.decided_by),
        decided_on: b.decided_on,
    });
    writer
        .record(case, Action::Work, body.digest, Vec::new(), command)
        .await
}

/// Assess the risk, optionally scheduling the next review
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads). A high risk needs a review within four weeks (409 otherwise).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/risk-assessments",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = RiskBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn risk_assessments(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<RiskBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let next_review = b.next_review_on.map(|due_on| Review {
        review_id: ReviewId::new(),
        due_on,
    });
    let ids = next_review.iter().map(|r| r.review_id.as_uuid()).collect();
    let command = CaseCommand::AssessRisk {
        assessment: b.assessment,
        next_review,
    };
    writer
        .record(case, Action::Work, body.digest, ids, command)
        .await
}

/// Agree the plan of action, or revise it (with a reason)
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads). Needs a case lead; a plan has at least one goal, each once.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/plan",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = PlanBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn plan(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<PlanBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let goals: Vec<Goal> = b
        .goals
        .into_iter()
        .map(|g| Goal {
            goal_id: g.goal_id.unwrap_or_default(),
            description: Personal::new(g.description),
            target_date: g.target_date,
        })
        .collect();
    let ids = goals.iter().map(|g| g.goal_id.as_uuid()).collect();
    let plan = Plan {
        goals,
        agreed_with: b.agreed_with,
        agreed_on: b.agreed_on,
    };
    let reason = b.reason;
    writer
        .run(Target::Case(case, Action::Work), body.digest, ids, |file| {
            let file = file.ok_or(ApiError::NotFound)?;
            if file.goals.is_empty() {
                return Ok(CaseCommand::AgreePlan(plan));
            }
            let reason = reason.ok_or_else(|| {
                ApiError::Unprocessable("the case has a plan: give a `reason` to revise it".into())
            })?;
            Ok(CaseCommand::RevisePlan(PlanRevision {
                plan,
                reason: Personal::new(reason),
            }))
        })
        .await
}

/// Plan an intervention (mentoring, Halt, family coaching, ...)
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads). Halt needs a confession before the planned date and the young person's
/// consent for Halt (under 16 a parent's too).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/interventions",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = InterventionBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn interventions(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<InterventionBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let halt = match (b.kind, b.halt_confession_on) {
        (InterventionKind::Halt, Some(confession_on)) => {
            // The age on the planned date, from the referral's date of birth.
            let referral = writer.state().store.referral(case).await?;
            referral
                .and_then(|r| r.details.expose()?.age_on(b.planned_on))
                .map(|age| HaltGrounds {
                    confession_on,
                    youth_age: u8::try_from(age).unwrap_or(u8::MAX),
                })
        }
        _ => None,
    };
    let plan = InterventionPlan {
        intervention_id: b.intervention_id.unwrap_or_default(),
        kind: b.kind,
        provider: b.provider,
        domain: b.domain,
        planned_on: b.planned_on,
        halt,
    };
    let ids = vec![plan.intervention_id.as_uuid()];
    writer
        .record(
            case,
            Action::Work,
            body.digest,
            ids,
            CaseCommand::PlanIntervention(plan),
        )
        .await
}

/// Record a consent (for a partner and a purpose, given by the youth or a parent)
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/consents",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = ConsentBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn consents(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<ConsentBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let consent = Consent {
        consent_id: b.consent_id.unwrap_or_default(),
        partner: b.partner,
        purpose: b.purpose,
        given_by: b.given_by,
        given_on: b.given_on,
        valid_until: b.valid_until,
    };
    let ids = vec![consent.consent_id.as_uuid()];
    writer
        .record(
            case,
            Action::Work,
            body.digest,
            ids,
            CaseCommand::RecordConsent(consent),
        )
        .await
}

/// Schedule a review
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads). The due date lies at most ten years ahead.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/reviews",
    tag = "cases",
    params(("id" = Uuid, Path, description = "The case"), WriteHeaders),
    request_body = ReviewBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn reviews(
    writer: Writer,
    Path(case): Path<CaseId>,
    body: Body<ReviewBody>,
) -> Result<Response, ApiError> {
    let review = Review {
        review_id: body.value.review_id.unwrap_or_default(),
        due_on: body.value.due_on,
    };
    let ids = vec![review.review_id.as_uuid()];
    writer
        .record(
            case,
            Action::Work,
            body.digest,
            ids,
            CaseCommand::ScheduleReview(review),
        )
        .await
}

/// Complete a review, optionally scheduling the next one
///
/// The case's own workers record it: assigned to it, or in the team that holds it (case workers
/// and case leads). A review the case does not hold is 404.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/reviews/{review_id}/complete",
    tag = "cases",
    params(
        ("id" = Uuid, Path, description = "The case"),
        ("review_id" = Uuid, Path, description = "The review"),
        WriteHeaders
    ),
    request_body = ReviewCompletionBody,
    responses((status = 200, description = "Recorded", body = Written), WriteProblems)
)]
pub async fn complete_review(
    writer: Writer,
    Path((case, review_id)): Path<(CaseId, ReviewId)>,
    body: Body<ReviewCompletionBody>,
) -> Result<Response, ApiError> {
    let b = body.value;
    let next_review = b.next_review_on.map(|due_on| Review {
        review_id: ReviewId::new(),
        due_on,
    });
    let ids = next_review.iter().map(|r| r.review_id.as_uuid()).collect();
    let command = CaseCommand::CompleteReview {
        completion: ReviewCompletion {
            review_id,
            completed_on: b.completed_on,
            summary: Personal::new(b.summary),
        },
        next_review,
    };
    writer
        .items_in_path()
        .record(case, Action::Work, body.digest, ids, command)
        .await
}

step!(
    /// Mark a goal of the plan achieved
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case
    /// workers and case leads). A goal the plan does not hold is 404.
    achieve_goal, "/api/v1/cases/{id}/goals/{goal_id}/achieve", "goal_id", GoalId,
    AchievementBody, Work,
    |goal_id, b| CaseCommand::AchieveGoal(GoalAchievement { goal_id, achieved_on: b.achieved_on })
);
step!(
    /// Start a planned intervention
    ///
    /// The case's own workers, and a partner organisation involved on a basis that holds,
    /// record it. An intervention the case does not hold is 404.
    start_intervention, "/api/v1/cases/{id}/interventions/{intervention_id}/start", "intervention_id",
    InterventionId, StartBody, Contribute,
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
    "intervention_id", InterventionId, CompletionBody, Contribute,
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
    "intervention_id", InterventionId, CancellationBody, Contribute,
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
    WithdrawalBody, Work,
    |consent_id, b| CaseCommand::WithdrawConsent(ConsentWithdrawal {
        consent_id,
        withdrawn_on: b.withdrawn_on,
    })
);
