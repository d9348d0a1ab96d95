//! What happened to a case. Events are facts in the past tense, never changed
//! once stored; each carries a version so that older shapes can be upcast.
//! Most commands carry the same record (`records`) that their event stores.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::ids::TeamId;
use crate::model::*;
use crate::records::*;
use crate::values::{FocusAreaCode, MunicipalityCode};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseEvent {
    CaseReferred(Referral),
    SignalRecorded(Signal),
    TriageDecided(Triage),
    InformationAdded(Information),
    CaseIncluded(Inclusion),
    LeadAssigned(LeadAssignment),
    WorkerAssigned(Worker),
    WorkerUnassigned(Unassignment),
    RiskAssessed(RiskAssessment),
    PlanAgreed(Plan),
    PlanRevised(PlanRevision),
    GoalAchieved(GoalAchievement),
    InterventionPlanned(InterventionPlan),
    InterventionStarted(InterventionStart),
    InterventionCompleted(InterventionCompletion),
    InterventionCancelled(InterventionCancellation),
    ContactLogged(Contact),
    NoteAdded(Note),
    ConsentRecorded(Consent),
    ConsentWithdrawn(ConsentWithdrawal),
    PartnerInvolved(PartnerInvolvement),
    CaseConferenceHeld(Conference),
    ReviewScheduled(Review),
    ReviewCompleted(ReviewCompletion),
    CaseEscalated(Escalation),
    CaseTransferred(Transfer),
    HandoverProposed(HandoverProposal),
    HandoverAccepted(Handover),
    HandoverDeclined(HandoverDecline),
    AftercareStarted(Aftercare),
    CaseClosed(Closure),
    CaseReopened(Reopening),
    EntryCorrected(Correction),
    SubjectErased(Erasure),
}

impl CaseEvent {
    /// The event's name, as stored in `events.event_type`: its variant's.
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// The stage a case moves to with this event, if it moves.
    pub fn stage_after(&self) -> Option<Stage> {
        match self {
            Self::CaseReferred(_) => Some(Stage::Referred),
            Self::TriageDecided(_) => Some(Stage::Triaged),
            Self::CaseIncluded(_) | Self::CaseReopened(_) => Some(Stage::Included),
            Self::PlanAgreed(_) => Some(Stage::Active),
            Self::AftercareStarted(_) => Some(Stage::Aftercare),
            Self::CaseClosed(_) => Some(Stage::Closed),
            _ => None,
        }
    }

    /// Where the case moves with this event, if it moves: its municipality,
    /// focus area and team.
    pub fn moves_to(&self) -> Option<(&MunicipalityCode, &FocusAreaCode, &TeamId)> {
        match self {
            Self::CaseTransferred(t) => Some((&t.municipality, &t.focus_area, &t.team)),
            Self::HandoverAccepted(h) => Some((&h.municipality, &h.focus_area, &h.team)),
            _ => None,
        }
    }

    /// The version of the event's current shape. Raise it when the shape
    /// changes, and add an upcaster (see `upcasters`) for the older one.
    pub fn version(&self) -> &'static str {
        match self {
            Self::SignalRecorded(_) | Self::CaseReferred(_) => "2.0",
            _ => "1.0",
        }
    }
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        self.name().to_owned()
    }

    fn event_version(&self) -> String {
        self.version().to_owned()
    }
}
