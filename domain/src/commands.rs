//! What a worker asks of a case. A command carries everything its decision
//! needs (dates, ids, the young person's age for a Halt referral), so that
//! deciding stays pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::records::*;

/// A command, the day it is given on (Europe/Amsterdam: what happened cannot
/// lie after it), and the version of the case that the caller last saw, if
/// it wants the command refused when the case has changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub expected_version: Option<u64>,
    pub today: NaiveDate,
    pub action: CaseCommand,
}

impl Command {
    pub fn new(action: CaseCommand, today: NaiveDate) -> Self {
        Self {
            expected_version: None,
            today,
            action,
        }
    }

    pub fn expecting(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }
}

/// `CommandKind` names each command without its record: what the access
/// policy decides on, and what a form says it sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(CommandKind), derive(Hash))]
pub enum CaseCommand {
    ReferCase(Referral),
    RecordSignal(Signal),
    DecideTriage(Triage),
    AddInformation(Information),
    IncludeCase(Inclusion),
    AssignLead(LeadAssignment),
    AssignWorker(Worker),
    UnassignWorker(Unassignment),
    /// Hands every part a worker has on the case (assigned worker, case
    /// lead, process lead) to another worker, e.g. when the first one leaves.
    ReassignWorker(Reassignment),
    AssessRisk {
        assessment: RiskAssessment,
        /// A review to schedule with the assessment; a high risk level needs one
        /// within four weeks unless one is already scheduled.
        next_review: Option<Review>,
    },
    AgreePlan(Plan),
    RevisePlan(PlanRevision),
    /// Agree the plan, or revise it once there is one.
    SetPlan(PlanSetting),
    AchieveGoal(GoalAchievement),
    PlanIntervention(InterventionPlan),
    StartIntervention(InterventionStart),
    CompleteIntervention(InterventionCompletion),
    CancelIntervention(InterventionCancellation),
    LogContact(Contact),
    AddNote(Note),
    RecordConsent(Consent),
    WithdrawConsent(ConsentWithdrawal),
    InvolvePartner(PartnerInvolvement),
    HoldConference(Conference),
    ScheduleReview(Review),
    CompleteReview {
        completion: ReviewCompletion,
        next_review: Option<Review>,
    },
    Escalate(Escalation),
    TransferCase(Transfer),
    ProposeHandover(HandoverProposal),
    AcceptHandover(HandoverAcceptance),
    DeclineHandover(HandoverDecline),
    StartAftercare(Aftercare),
    CloseCase(Closure),
    ReopenCase(Reopening),
    CorrectEntry(Correction),
    EraseSubject(Erasure),
}

impl CaseCommand {
    /// This command, given on `today`.
    pub fn on(self, today: NaiveDate) -> Command {
        Command::new(self, today)
    }

    /// Whether the command carries a sealed value: only the store seals, and
    /// a sealed value copied from elsewhere would be opened as this case's.
    pub fn holds_marked_value(&self) -> bool {
        serde_json::to_value(self).is_ok_and(|value| {
            crate::personal::mark_path(&value, &[crate::personal::SEALED_MARK]).is_some()
        })
    }

    /// What the command does, in the words of an error message.
    pub fn describe(&self) -> &'static str {
        match self {
            Self::ReferCase(_) => "refer a case",
            Self::RecordSignal(_) => "record a signal",
            Self::DecideTriage(_) => "decide the triage",
            Self::AddInformation(_) => "add information",
            Self::IncludeCase(_) => "include the case",
            Self::AssignLead(_) => "assign a lead",
            Self::AssignWorker(_) => "assign a worker",
            Self::UnassignWorker(_) => "unassign a worker",
            Self::ReassignWorker(_) => "reassign a worker's part",
            Self::AssessRisk { .. } => "assess the risk",
            Self::AgreePlan(_) => "agree a plan",
            Self::RevisePlan(_) => "revise the plan",
            Self::SetPlan(_) => "set the plan",
            Self::AchieveGoal(_) => "mark a goal achieved",
            Self::PlanIntervention(_) => "plan an intervention",
            Self::StartIntervention(_) => "start an intervention",
            Self::CompleteIntervention(_) => "complete an intervention",
            Self::CancelIntervention(_) => "cancel an intervention",
            Self::LogContact(_) => "log a contact",
            Self::AddNote(_) => "add a note",
            Self::RecordConsent(_) => "record a consent",
            Self::WithdrawConsent(_) => "withdraw a consent",
            Self::InvolvePartner(_) => "involve a partner",
            Self::HoldConference(_) => "record a case conference",
            Self::ScheduleReview(_) => "schedule a review",
            Self::CompleteReview { .. } => "complete a review",
            Self::Escalate(_) => "escalate the case",
            Self::TransferCase(_) => "transfer the case",
            Self::ProposeHandover(_) => "propose a handover",
            Self::AcceptHandover(_) => "accept the handover",
            Self::DeclineHandover(_) => "decline the handover",
            Self::StartAftercare(_) => "start aftercare",
            Self::CloseCase(_) => "close the case",
            Self::ReopenCase(_) => "reopen the case",
            Self::CorrectEntry(_) => "correct an entry",
            Self::EraseSubject(_) => "erase the young person's data",
        }
    }
}
