//! Why a case refuses a command, in words a case worker understands.

use chrono::NaiveDate;

use crate::dates::DateRule;
use crate::ids::{ConsentId, GoalId, InterventionId, OrganisationId, ReviewId, WorkerId};
use crate::model::{InterventionStatus, Stage, TriageDecision};
use crate::values::{Domain, FocusAreaCode, MunicipalityCode};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("this case has already been referred")]
    AlreadyReferred,
    #[error("there is no case with this id: refer it first")]
    NotReferred,
    #[error("you saw version {expected} of this case, but it has changed since (now version {actual}); reload it and try again")]
    VersionMismatch { expected: u64, actual: u64 },
    #[error("the case is closed: it can only be reopened, corrected or erased")]
    Closed,
    #[error("the young person's data has been erased from this case: it takes no further changes")]
    Erased,
    #[error("cannot {action} while the case is {stage}")]
    NotInStage { action: &'static str, stage: Stage },
    #[error("focus area {0} is not part of the programme")]
    UnknownFocusArea(FocusAreaCode),
    #[error("focus area {focus_area} does not lie in municipality {municipality}")]
    FocusAreaOutsideMunicipality {
        focus_area: FocusAreaCode,
        municipality: MunicipalityCode,
    },
    #[error("the programme is for young people of 8 to 27; on the referral date this young person is {age}")]
    OutsideTargetGroup { age: u32 },
    #[error("decide the triage before including the case")]
    TriageRequired,
    #[error("the triage decided to {0}; only a case that was taken on can be included")]
    NotTakenOn(TriageDecision),
    #[error("assign a case lead before agreeing a plan")]
    CaseLeadRequired,
    #[error("a plan needs at least one goal")]
    PlanNeedsGoals,
    #[error("goal {0} appears twice in the plan")]
    DuplicateGoal(GoalId),
    #[error("agree a plan before you {0}")]
    PlanRequired(&'static str),
    #[error("the case has a plan: give a `reason` to revise it")]
    RevisionWithoutReason,
    #[error("goal {0} is not in the current plan")]
    UnknownGoal(GoalId),
    #[error("goal {0} has already been achieved")]
    GoalAlreadyAchieved(GoalId),
    #[error("an intervention with id {0} already exists on this case")]
    InterventionExists(InterventionId),
    #[error("there is no intervention {0} on this case")]
    UnknownIntervention(InterventionId),
    #[error("intervention {id} is {status}: cannot {action}")]
    InterventionIs {
        id: InterventionId,
        status: InterventionStatus,
        action: &'static str,
    },
    #[error("a Halt intervention needs a recorded confession")]
    HaltNeedsConfession,
    #[error("a Halt intervention needs the young person's own consent for Halt, valid on the planned date")]
    HaltNeedsConsent,
    #[error("the young person is under 16: a Halt intervention also needs the consent of a parent or guardian")]
    HaltNeedsParentalConsent,
    #[error("intervention {0} is still running: complete or cancel it before aftercare or closing the case")]
    InterventionRunning(InterventionId),
    #[error("worker {0} is already assigned to this case")]
    AlreadyAssigned(WorkerId),
    #[error("worker {0} is not assigned to this case")]
    NotAssigned(WorkerId),
    #[error("a consent with id {0} already exists on this case")]
    ConsentExists(ConsentId),
    #[error("there is no consent {0} on this case")]
    UnknownConsent(ConsentId),
    #[error("consent {0} has already been withdrawn")]
    ConsentAlreadyWithdrawn(ConsentId),
    #[error("consent {consent} does not cover {partner} on {on}: it is for another partner, withdrawn or expired")]
    ConsentNotValid {
        consent: ConsentId,
        partner: OrganisationId,
        on: NaiveDate,
    },
    #[error("{partner} works in the {partner_domain} domain: sharing with it needs a recorded legal basis (consent or a legal task)")]
    LegalBasisRequired {
        partner: OrganisationId,
        partner_domain: Domain,
    },
    #[error("a high risk level needs a review within four weeks: schedule one on or before {by}")]
    HighRiskNeedsReview { by: NaiveDate },
    #[error("a review with id {0} already exists on this case")]
    ReviewExists(ReviewId),
    #[error("there is no review {0} on this case")]
    UnknownReview(ReviewId),
    #[error("review {0} has already been completed")]
    ReviewAlreadyCompleted(ReviewId),
    #[error("{0}")]
    DateOutOfRange(DateRule),
    #[error("personal values are sent as plain values; `$sealed` and `$personal` are the store's own marks")]
    MarkedValue,
    #[error("this case has no entry {0} to correct")]
    UnknownEntry(u64),
    #[error("entry {0} is not a contact: only a contact's date can be corrected")]
    NotAContact(u64),
    #[error("the case belongs to {0} already: within its municipality a transfer moves it")]
    SameMunicipality(MunicipalityCode),
    #[error("a case moves to municipality {0} by a handover that its supervisor accepts, not by a transfer")]
    HandoverRequired(MunicipalityCode),
    #[error("municipality {0} is not part of the programme")]
    UnknownMunicipality(MunicipalityCode),
    #[error("a handover to {0} is proposed already: it is accepted or declined first")]
    HandoverPending(MunicipalityCode),
    #[error("no handover of this case is proposed")]
    NoHandover,
}
