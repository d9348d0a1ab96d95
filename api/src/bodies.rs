//! Request bodies that differ from the domain's records: those whose ids
//! Casus makes when the client leaves them out, and those whose ids are in
//! the path. Other routes take the domain's record as it is.

use casus_domain::{
    AgreedWith, ConsentGiver, ConsentId, ConsentPurpose, Domain, FocusAreaCode, GoalId,
    InterventionId, InterventionKind, InterventionOutcome, OrganisationId, ReviewId,
    RiskAssessment, SubjectDetails, SubjectId, TeamId, Text, Worker,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

/// A referral: the young person, why and by whom. The case gets the
/// caller's municipality, team and domain.
#[derive(Deserialize, ToSchema)]
pub struct ReferralBody {
    /// The young person's id, if Casus knows them from another case; a new one otherwise.
    pub subject_id: Option<SubjectId>,
    pub subject: SubjectDetails,
    /// The programme's code of the focus area, e.g. `GM0599-ZUID`.
    pub focus_area: FocusAreaCode,
    pub referred_by: OrganisationId,
    pub reason: Text,
    pub goal: Text,
    pub referred_on: NaiveDate,
}

/// A handover accepted into one of the receiving municipality's focus
/// areas and a team of the accepting supervisor's organisation.
#[derive(Deserialize, ToSchema)]
pub struct AcceptanceBody {
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    pub accepted_on: NaiveDate,
}

#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriageChoice {
    TakeOn,
    HandOver,
    AdviceOnly,
}

#[derive(Deserialize, ToSchema)]
pub struct TriageBody {
    pub decision: TriageChoice,
    /// The partner the case is handed over to (with `hand_over` only).
    pub partner: Option<OrganisationId>,
    /// The person or body that decided (e.g. "triage meeting Zuid").
    pub decided_by: Text,
    pub decided_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct RiskBody {
    pub assessment: RiskAssessment,
    /// A review to schedule with it; a high risk needs one within four weeks.
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
pub struct GoalBody {
    /// Keep a goal's id when revising a plan; leave it out for a new goal.
    pub goal_id: Option<GoalId>,
    pub description: Text,
    pub target_date: NaiveDate,
}

/// The plan of action: agreed the first time, revised after.
#[derive(Deserialize, ToSchema)]
pub struct PlanBody {
    pub goals: Vec<GoalBody>,
    pub agreed_with: AgreedWith,
    pub agreed_on: NaiveDate,
    /// Why the plan changes; required for a revision.
    pub reason: Option<Text>,
}

#[derive(Deserialize, ToSchema)]
pub struct AchievementBody {
    pub achieved_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct InterventionBody {
    pub intervention_id: Option<InterventionId>,
    pub kind: InterventionKind,
    pub provider: OrganisationId,
    pub domain: Domain,
    pub planned_on: NaiveDate,
    /// For Halt: the date of the young person's confession. Casus works out
    /// their age on the planned date from the referral.
    pub halt_confession_on: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
pub struct StartBody {
    pub started_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct CompletionBody {
    pub outcome: InterventionOutcome,
    pub summary: Option<Text>,
    pub completed_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct CancellationBody {
    pub reason: Text,
    pub cancelled_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct ConsentBody {
    pub consent_id: Option<ConsentId>,
    pub partner: OrganisationId,
    pub purpose: ConsentPurpose,
    pub given_by: ConsentGiver,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
pub struct WithdrawalBody {
    pub withdrawn_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    pub review_id: Option<ReviewId>,
    pub due_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewCompletionBody {
    pub completed_on: NaiveDate,
    pub summary: Text,
    /// The next review to schedule with it.
    pub next_review_on: Option<NaiveDate>,
}

/// Every open case of one worker to another, e.g. when the first one leaves.
#[derive(Deserialize, ToSchema)]
pub struct BulkReassignmentBody {
    pub to: Worker,
    pub reason: Text,
}
