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
#[schema(example = json!({"subject": {"name": "Jayden Bakker", "date_of_birth": "2011-03-14", "address": null, "bsn": null}, "focus_area": "rotterdam-zuid", "referred_by": "politie-rotterdam", "reason": "repeated nuisance near the metro station", "goal": "back to school", "referred_on": "2026-11-02"}))]
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
#[schema(example = json!({"focus_area": "amsterdam-zuidoost", "team": "zuidoost-1", "accepted_on": "2026-11-11"}))]
pub struct AcceptanceBody {
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    pub accepted_on: NaiveDate,
}

#[derive(Clone, Copy, Deserialize, ToSchema, strum::IntoStaticStr, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TriageChoice {
    TakeOn,
    HandOver,
    AdviceOnly,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"decision": "take_on", "decided_by": "triage meeting Zuid", "decided_on": "2026-11-03"}))]
pub struct TriageBody {
    pub decision: TriageChoice,
    /// The partner the case is handed over to (with `hand_over` only).
    pub partner: Option<OrganisationId>,
    /// The person or body that decided (e.g. "triage meeting Zuid").
    pub decided_by: Text,
    pub decided_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"assessment": {"instrument": "LIJ", "level": "medium", "scores": {"school": 2, "family": 1, "peers": 3, "substance_use": 0, "offending": 2}, "rationale": "truancy and a worrying group of friends", "assessed_on": "2026-11-05"}, "next_review_on": "2026-12-03"}))]
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
#[schema(example = json!({"goals": [{"description": "attends school 90% of the time", "target_date": "2027-02-01"}], "agreed_with": {"youth": true, "parent_or_guardian": true}, "agreed_on": "2026-11-05"}))]
pub struct PlanBody {
    pub goals: Vec<GoalBody>,
    pub agreed_with: AgreedWith,
    pub agreed_on: NaiveDate,
    /// Why the plan changes; required for a revision.
    pub reason: Option<Text>,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"achieved_on": "2026-11-20"}))]
pub struct AchievementBody {
    pub achieved_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"kind": "mentoring", "provider": "jongerenwerk-zuid", "domain": "social", "planned_on": "2026-11-06"}))]
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
#[schema(example = json!({"started_on": "2026-11-06"}))]
pub struct StartBody {
    pub started_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "successful", "summary": "met every week, goals reached", "completed_on": "2026-11-20"}))]
pub struct CompletionBody {
    pub outcome: InterventionOutcome,
    pub summary: Option<Text>,
    pub completed_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"reason": "the young person moved", "cancelled_on": "2026-11-19"}))]
pub struct CancellationBody {
    pub reason: Text,
    pub cancelled_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"partner": "halt-rotterdam", "purpose": "information_sharing", "given_by": "youth", "given_on": "2026-11-04", "valid_until": "2027-05-04"}))]
pub struct ConsentBody {
    pub consent_id: Option<ConsentId>,
    pub partner: OrganisationId,
    pub purpose: ConsentPurpose,
    pub given_by: ConsentGiver,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"withdrawn_on": "2026-11-18"}))]
pub struct WithdrawalBody {
    pub withdrawn_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"due_on": "2026-12-15"}))]
pub struct ReviewBody {
    pub review_id: Option<ReviewId>,
    pub due_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"completed_on": "2026-11-26", "summary": "going better at school", "next_review_on": "2026-12-20"}))]
pub struct ReviewCompletionBody {
    pub completed_on: NaiveDate,
    pub summary: Text,
    /// The next review to schedule with it.
    pub next_review_on: Option<NaiveDate>,
}

/// Every open case of one worker to another, e.g. when the first one leaves.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"to": {"id": "w-noor", "name": "Noor Bakker", "team": "zuid-1"}, "reason": "Sanne leaves the team"}))]
pub struct BulkReassignmentBody {
    pub to: Worker,
    pub reason: Text,
}
