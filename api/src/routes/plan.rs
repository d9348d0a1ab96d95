//! The work on a case whose bodies are not the domain's records as they
//! are: the triage, the risk and its review, the plan, interventions,
//! consents and reviews. A body makes its command and the ids of what it
//! creates (`IntoCommand`); the two that need more (the age for Halt, the
//! review named in the path) are written out.

use axum::response::Response;
use casus_domain::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::http::answers::{WriteHeaders, WriteProblems};
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path};
use crate::http::writer::{Writer, Written, Wrote};
use crate::routes::bodies::*;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(triage))
        .routes(routes!(risk_assessments))
        .routes(routes!(plan))
        .routes(routes!(interventions))
        .routes(routes!(consents))
        .routes(routes!(reviews))
        .routes(routes!(complete_review))
}

/// A body that makes its command, with the ids of what it creates.
pub(crate) trait IntoCommand {
    fn into_command(self) -> Result<(CaseCommand, Vec<Uuid>), ApiError>;
}

/// A route whose body makes its command (`IntoCommand`).
macro_rules! made {
    ($(#[doc = $doc:literal])* $method:ident $name:ident, $path:literal, $body:ty) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            $method,
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
            let (command, ids) = body.value.into_command()?;
            writer
                .record(case, body.digest, ids, command)
                .await
        }
    };
}

made!(
    /// Decide the triage: take the case on, hand it over to a partner, or give advice only
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case workers
    /// and case leads). Only a hand-over names a `partner`, and a hand-over names one (422
    /// otherwise).
    post triage, "/api/v1/cases/{id}/triage", TriageBody
);
made!(
    /// Assess the risk, optionally scheduling the next review
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case workers
    /// and case leads). A high risk needs a review within four weeks (409 otherwise).
    post risk_assessments, "/api/v1/cases/{id}/risk-assessments", RiskBody
);
made!(
    /// Agree the plan of action, or revise it (with a reason)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case workers
    /// and case leads). Needs a case lead; a plan has at least one goal, each once. Once the case
    /// has a plan, setting it again revises it, and needs a `reason` (422 otherwise).
    put plan, "/api/v1/cases/{id}/plan", PlanBody
);
made!(
    /// Record a consent (for a partner and a purpose, given by the youth or a parent)
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case workers
    /// and case leads).
    post consents, "/api/v1/cases/{id}/consents", ConsentBody
);
made!(
    /// Schedule a review
    ///
    /// The case's own workers record it: assigned to it, or in the team that holds it (case workers
    /// and case leads). The due date lies at most ten years ahead.
    post reviews, "/api/v1/cases/{id}/reviews", ReviewBody
);

impl IntoCommand for TriageBody {
    fn into_command(self) -> Result<(CaseCommand, Vec<Uuid>), ApiError> {
        let decision = match (self.decision, self.partner) {
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
            decided_by: Personal::new(self.decided_by),
            decided_on: self.decided_on,
        });
        Ok((command, Vec::new()))
    }
}

impl IntoCommand for RiskBody {
    fn into_command(self) -> Result<(CaseCommand, Vec<Uuid>), ApiError> {
        let next_review = self.next_review_on.map(|due_on| Review {
            review_id: ReviewId::new(),
            due_on,
        });
        let ids = next_review.iter().map(|r| r.review_id.as_uuid()).collect();
        let command = CaseCommand::AssessRisk {
            assessment: self.assessment,
            next_review,
        };
        Ok((command, ids))
    }
}

impl IntoCommand for PlanBody {
    fn into_command(self) -> Result<(CaseCommand, Vec<Uuid>), ApiError> {
        let goals: Vec<Goal> = self
            .goals
            .into_iter()
            .map(|g| Goal {
                goal_id: g.goal_id.unwrap_or_else(GoalId::new),
                description: Personal::new(g.description),
                target_date: g.target_date,
            })
            .collect();
        let ids = goals.iter().map(|g| g.goal_id.as_uuid()).collect();
        let plan = Plan {
            goals,
            agreed_with: self.agreed_with,
            agreed_on: self.agreed_on,
        };
        let reason = self.reason.map(Personal::new);
        Ok((CaseCommand::SetPlan(PlanSetting { plan, reason }), ids))
    }
}

impl IntoCommand for ConsentBody {
    fn into_command(self) -> Result<(CaseCommand, Vec<Uuid>), ApiError> {
        let consent = Consent {
            consent_id: self.consent_id.unwrap_or_else(ConsentId::new),
            partner: self.partner,
            purpose: self.purpose,
            given_by: self.given_by,
            given_on: self.given_on,
            valid_until: self.valid_until,
        };
        let ids = vec![consent.consent_id.as_uuid()];
        Ok((CaseCommand::RecordConsent(consent), ids))
    }
}

impl IntoCommand for ReviewBody {
    fn into_command(self) -> Result<(CaseCommand, Vec<Uuid>), ApiError> {
        let review = Review {
            review_id: self.review_id.unwrap_or_else(ReviewId::new),
            due_on: self.due_on,
        };
        let ids = vec![review.review_id.as_uuid()];
        Ok((CaseCommand::ScheduleReview(review), ids))
    }
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
    plan_intervention(writer, case, body.digest, body.value)
        .await?
        .into_response()
}

/// Plans an intervention; a Halt one with the young person's age on the
/// planned day, from the referral's date of birth.
pub(crate) async fn plan_intervention(
    writer: Writer,
    case: CaseId,
    digest: String,
    b: InterventionBody,
) -> Result<Wrote, ApiError> {
    let halt = match (b.kind, b.halt_confession_on) {
        (InterventionKind::Halt, Some(confession_on)) => {
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
        intervention_id: b.intervention_id.unwrap_or_else(InterventionId::new),
        kind: b.kind,
        provider: b.provider,
        domain: b.domain,
        planned_on: b.planned_on,
        halt,
    };
    let ids = vec![plan.intervention_id.as_uuid()];
    writer
        .put(case, digest, ids, CaseCommand::PlanIntervention(plan))
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
        .record(case, body.digest, ids, command)
        .await
}
