//! The records commands carry and events store: a referral, a contact, a
//! plan, a consent, ... Each is what a worker states, checked by its types.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{
    ConsentId, GoalId, InterventionId, OrganisationId, ReviewId, SubjectId, TeamId, WorkerId,
};
use crate::model::*;
use crate::personal::{Personal, SubjectDetails};
use crate::values::{Domain, FocusAreaCode, MunicipalityCode, Text};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub subject: SubjectId,
    pub details: Personal<SubjectDetails>,
    pub municipality: MunicipalityCode,
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    /// The domain of the team that holds the case.
    pub domain: Domain,
    /// The organisation of the team that holds the case: a team is known by
    /// its municipality, organisation, domain and name together.
    pub organisation: OrganisationId,
    pub referred_by: OrganisationId,
    pub reason: Personal<Text>,
    pub goal: Personal<Text>,
    pub referred_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Triage {
    pub decision: TriageDecision,
    /// The person or body that decided (e.g. "triage meeting Zuid").
    pub decided_by: Personal<Text>,
    pub decided_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"partner": "halt-rotterdam", "partner_domain": "justice", "basis": {"basis": "legal_task", "provision": "Wetboek van Strafrecht art. 77e"}, "summary": "a Halt referral in 2025, completed", "added_on": "2026-11-05"})))]
pub struct Information {
    pub partner: OrganisationId,
    pub partner_domain: Domain,
    pub basis: LegalBasis,
    pub summary: Personal<Text>,
    pub added_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"included_on": "2026-11-04"})))]
pub struct Inclusion {
    pub included_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"role": "case_lead", "lead": {"id": "w-sanne", "name": "Sanne de Vries", "team": "zuid-1"}})))]
pub struct LeadAssignment {
    pub role: LeadRole,
    pub lead: Worker,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"worker": "w-noor", "reason": "Noor leaves the team"})))]
pub struct Unassignment {
    pub worker: WorkerId,
    pub reason: Option<Personal<Text>>,
}

/// What a reassignment moves: the parts `from` has on the case go to `to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"from": "w-sanne", "to": {"id": "w-noor", "name": "Noor Bakker", "team": "zuid-1"}, "reason": "Sanne leaves the team"})))]
pub struct Reassignment {
    pub from: WorkerId,
    pub to: Worker,
    pub reason: Option<Personal<Text>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskAssessment {
    /// The instrument used (e.g. "LIJ", "ERIT").
    pub instrument: Personal<Text>,
    pub level: RiskLevel,
    pub scores: AreaScores,
    pub rationale: Personal<Text>,
    pub assessed_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub goals: Vec<Goal>,
    pub agreed_with: AgreedWith,
    pub agreed_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanRevision {
    pub plan: Plan,
    pub reason: Personal<Text>,
}

/// The plan as it is to be: agreed if the case has none, else revised, for
/// which a reason is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSetting {
    pub plan: Plan,
    pub reason: Option<Personal<Text>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalAchievement {
    pub goal_id: GoalId,
    pub achieved_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterventionPlan {
    pub intervention_id: InterventionId,
    pub kind: InterventionKind,
    pub provider: OrganisationId,
    pub domain: Domain,
    pub planned_on: NaiveDate,
    pub halt: Option<HaltGrounds>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterventionStart {
    pub intervention_id: InterventionId,
    pub started_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterventionCompletion {
    pub intervention_id: InterventionId,
    pub outcome: InterventionOutcome,
    pub summary: Option<Personal<Text>>,
    pub completed_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterventionCancellation {
    pub intervention_id: InterventionId,
    pub reason: Personal<Text>,
    pub cancelled_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "home_visit", "with_whom": ["youth", "parent_or_guardian"], "contacted_on": "2026-11-07", "summary": "mother worried about the older brother"})))]
pub struct Contact {
    pub kind: ContactKind,
    pub with_whom: Vec<ContactParty>,
    pub contacted_on: NaiveDate,
    pub summary: Personal<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"confidentiality": "social", "text": "discussed in the team meeting"})))]
pub struct Note {
    pub confidentiality: Confidentiality,
    pub text: Personal<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    pub consent_id: ConsentId,
    pub partner: OrganisationId,
    pub purpose: ConsentPurpose,
    pub given_by: ConsentGiver,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentWithdrawal {
    pub consent_id: ConsentId,
    pub withdrawn_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"partner": "halt-rotterdam", "partner_domain": "justice", "basis": {"basis": "legal_task", "provision": "Wetboek van Strafrecht art. 77e"}, "involved_on": "2026-11-04"})))]
pub struct PartnerInvolvement {
    pub partner: OrganisationId,
    pub partner_domain: Domain,
    /// Required when the partner works in the other domain than the case.
    pub basis: Option<LegalBasis>,
    pub involved_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"held_on": "2026-11-12", "partners_present": ["halt-rotterdam", "wijkteam-zuid"], "agreements": "weekly check at school"})))]
pub struct Conference {
    pub held_on: NaiveDate,
    pub partners_present: Vec<OrganisationId>,
    pub agreements: Personal<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub review_id: ReviewId,
    pub due_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewCompletion {
    pub review_id: ReviewId,
    pub completed_on: NaiveDate,
    pub summary: Personal<Text>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"to": "administrators", "reason": "no progress after three months", "escalated_on": "2026-11-15"})))]
pub struct Escalation {
    pub to: EscalationTarget,
    pub reason: Personal<Text>,
    pub escalated_on: NaiveDate,
}

/// The case moves to another focus area and team of its municipality. A
/// move to another municipality is a handover (below).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"municipality": "GM0599", "focus_area": "rotterdam-zuid", "team": "zuid-2", "reason": "moved across town", "transferred_on": "2026-11-14"})))]
pub struct Transfer {
    pub municipality: MunicipalityCode,
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    pub reason: Personal<Text>,
    pub transferred_on: NaiveDate,
}

/// The case lead or a supervisor proposes to hand the case over to another
/// municipality, e.g. when the young person moved there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"municipality": "GM0363", "reason": "the family moved to Amsterdam", "proposed_on": "2026-11-10"})))]
pub struct HandoverProposal {
    pub municipality: MunicipalityCode,
    pub reason: Personal<Text>,
    pub proposed_on: NaiveDate,
}

/// A supervisor of the receiving municipality takes the case into one of its
/// focus areas and teams.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverAcceptance {
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    /// The receiving team's organisation: the accepting supervisor's.
    pub organisation: OrganisationId,
    pub accepted_on: NaiveDate,
}

/// The handover as accepted: the case now belongs to this municipality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handover {
    pub municipality: MunicipalityCode,
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    pub organisation: OrganisationId,
    pub accepted_on: NaiveDate,
}

/// The receiving municipality declines the handover, or the sending side
/// withdraws it; the case stays where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"reason": "the family did not move after all", "declined_on": "2026-11-12"})))]
pub struct HandoverDecline {
    pub reason: Personal<Text>,
    pub declined_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"started_on": "2026-11-20"})))]
pub struct Aftercare {
    pub started_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"result": "goals_achieved", "summary": "back at school, no new police contacts", "closed_on": "2026-11-25"})))]
pub struct Closure {
    pub result: CaseResult,
    pub summary: Option<Personal<Text>>,
    pub closed_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"reason": "new police contacts", "reopened_on": "2026-11-28"})))]
pub struct Reopening {
    pub reason: Personal<Text>,
    pub reopened_on: NaiveDate,
}

/// A correction of an earlier entry: the entry stays, this one says what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"sequence": 7, "correction": "the visit was at school, not at home"})))]
pub struct Correction {
    /// The sequence number of the corrected event in this case.
    #[serde(deserialize_with = "crate::values::whole_number")]
    pub sequence: u64,
    pub correction: Personal<Text>,
    /// For a contact: the day it really took place. The views then count
    /// the contact on that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacted_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erasure {
    pub reason: Text,
    pub erased_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "police_contact", "source_org": "politie-rotterdam", "source_domain": "justice", "occurred_on": "2026-11-01", "summary": "seen with older boys at the station at night"})))]
pub struct Signal {
    pub kind: SignalKind,
    pub source_org: OrganisationId,
    pub source_domain: Domain,
    pub occurred_on: NaiveDate,
    pub summary: Option<Personal<Text>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "w-noor", "name": "Noor Bakker", "team": "zuid-1"})))]
pub struct Worker {
    pub id: WorkerId,
    pub name: Text,
    pub team: TeamId,
}
