//! The rules: given the case as it is and a command, which events follow, or
//! why the command is refused. Pure and synchronous.

use crate::case::{CaseFile, YouthCase};
use crate::commands::{CaseCommand, Command};
use crate::error::CaseError;
use crate::events::*;
use crate::model::*;
use crate::records::*;
use crate::reference::Programme;
use crate::values::{FocusAreaCode, MunicipalityCode};

mod checks;

use checks::check_goals;

/// The programme's target group, in years of age on the referral date.
const TARGET_AGES: std::ops::RangeInclusive<u32> = 8..=27;

type Decision = Result<Vec<CaseEvent>, CaseError>;

impl YouthCase {
    /// Decides the events that `command` causes, or refuses it.
    pub fn decide(&self, command: Command, programme: &Programme) -> Decision {
        if let Some(expected) = command.expected_version {
            if expected != self.version() {
                return Err(CaseError::VersionMismatch {
                    expected,
                    actual: self.version(),
                });
            }
        }
        crate::dates::check(&command.action, command.today)?;
        if command.action.holds_marked_value() {
            return Err(CaseError::MarkedValue);
        }
        let action = command.action;
        let Some(file) = self.file() else {
            return match action {
                CaseCommand::ReferCase(referral) => refer(referral, programme),
                _ => Err(CaseError::NotReferred),
            };
        };
        if file.erased {
            return Err(CaseError::Erased);
        }
        let closed_may = matches!(
            action,
            CaseCommand::ReopenCase(_)
                | CaseCommand::CorrectEntry(_)
                | CaseCommand::EraseSubject(_)
        );
        if file.stage == Stage::Closed && !closed_may {
            return Err(CaseError::Closed);
        }
        file.decide(action, self.version(), programme)
    }
}

fn refer(referral: Referral, programme: &Programme) -> Decision {
    check_place(programme, &referral.municipality, &referral.focus_area)?;
    let age = referral
        .details
        .expose()
        .and_then(|details| details.age_on(referral.referred_on))
        .unwrap_or(0);
    if !TARGET_AGES.contains(&age) {
        return Err(CaseError::OutsideTargetGroup { age });
    }
    Ok(vec![CaseEvent::CaseReferred(referral)])
}

fn check_place(
    programme: &Programme,
    municipality: &MunicipalityCode,
    focus_area: &FocusAreaCode,
) -> Result<(), CaseError> {
    let area = programme
        .focus_area(focus_area)
        .ok_or_else(|| CaseError::UnknownFocusArea(focus_area.clone()))?;
    if area.municipality != *municipality {
        return Err(CaseError::FocusAreaOutsideMunicipality {
            focus_area: focus_area.clone(),
            municipality: municipality.clone(),
        });
    }
    Ok(())
}

impl CaseFile {
    fn decide(&self, action: CaseCommand, version: u64, programme: &Programme) -> Decision {
        use CaseCommand::*;
        let describe = action.describe();
        let events = match action {
            ReferCase(_) => return Err(CaseError::AlreadyReferred),
            RecordSignal(signal) => vec![CaseEvent::SignalRecorded(signal)],
            DecideTriage(triage) => {
                self.require_stage(&[Stage::Referred], describe)?;
                vec![CaseEvent::TriageDecided(triage)]
            }
            AddInformation(information) => {
                self.check_basis(
                    &information.basis,
                    &information.partner,
                    information.added_on,
                )?;
                vec![CaseEvent::InformationAdded(information)]
            }
            IncludeCase(inclusion) => {
                match (self.stage, &self.triage) {
                    (Stage::Referred, _) => return Err(CaseError::TriageRequired),
                    (Stage::Triaged, Some(TriageDecision::TakeOn)) => {}
                    (Stage::Triaged, Some(other)) => {
                        return Err(CaseError::NotTakenOn(other.clone()))
                    }
                    (stage, _) => {
                        return Err(CaseError::NotInStage {
                            action: describe,
                            stage,
                        })
                    }
                }
                vec![CaseEvent::CaseIncluded(inclusion)]
            }
            AssignLead(assignment) => vec![CaseEvent::LeadAssigned(assignment)],
            AssignWorker(worker) => {
                if self.workers.contains(&worker.id) {
                    return Err(CaseError::AlreadyAssigned(worker.id));
                }
                vec![CaseEvent::WorkerAssigned(worker)]
            }
            UnassignWorker(unassignment) => {
                if !self.workers.contains(&unassignment.worker) {
                    return Err(CaseError::NotAssigned(unassignment.worker));
                }
                vec![CaseEvent::WorkerUnassigned(unassignment)]
            }
            ReassignWorker(reassignment) => self.reassign(reassignment)?,
            AssessRisk {
                assessment,
                next_review,
            } => {
                self.check_new_review(next_review.as_ref())?;
                if assessment.level == RiskLevel::High {
                    self.require_review_after(assessment.assessed_on, next_review.as_ref(), None)?;
                }
                let mut events = vec![CaseEvent::RiskAssessed(assessment)];
                events.extend(next_review.map(CaseEvent::ReviewScheduled));
                events
            }
            AgreePlan(plan) => {
                self.require_stage(&[Stage::Included], describe)?;
                if self.case_lead.is_none() {
                    return Err(CaseError::CaseLeadRequired);
                }
                check_goals(&plan)?;
                vec![CaseEvent::PlanAgreed(plan)]
            }
            RevisePlan(revision) => {
                self.require_plan(describe)?;
                check_goals(&revision.plan)?;
                vec![CaseEvent::PlanRevised(revision)]
            }
            SetPlan(PlanSetting { plan, reason }) => {
                let set = if self.require_plan(describe).is_ok() {
                    let reason = reason.ok_or(CaseError::RevisionWithoutReason)?;
                    RevisePlan(PlanRevision { plan, reason })
                } else {
                    AgreePlan(plan)
                };
                return self.decide(set, version, programme);
            }
            AchieveGoal(achievement) => {
                self.require_plan(describe)?;
                match self.goals.get(&achievement.goal_id) {
                    None => return Err(CaseError::UnknownGoal(achievement.goal_id)),
                    Some(true) => return Err(CaseError::GoalAlreadyAchieved(achievement.goal_id)),
                    Some(false) => {}
                }
                vec![CaseEvent::GoalAchieved(achievement)]
            }
            PlanIntervention(plan) => {
                self.require_plan(describe)?;
                if self.interventions.contains_key(&plan.intervention_id) {
                    return Err(CaseError::InterventionExists(plan.intervention_id));
                }
                if plan.kind == InterventionKind::Halt {
                    self.check_halt(&plan)?;
                }
                vec![CaseEvent::InterventionPlanned(plan)]
            }
            StartIntervention(start) => {
                self.require_intervention(
                    start.intervention_id,
                    &[InterventionStatus::Planned],
                    describe,
                )?;
                vec![CaseEvent::InterventionStarted(start)]
            }
            CompleteIntervention(completion) => {
                self.require_intervention(
                    completion.intervention_id,
                    &[InterventionStatus::Running],
                    describe,
                )?;
                vec![CaseEvent::InterventionCompleted(completion)]
            }
            CancelIntervention(cancellation) => {
                self.require_intervention(
                    cancellation.intervention_id,
                    &[InterventionStatus::Planned, InterventionStatus::Running],
                    describe,
                )?;
                vec![CaseEvent::InterventionCancelled(cancellation)]
            }
            LogContact(contact) => vec![CaseEvent::ContactLogged(contact)],
            AddNote(note) => vec![CaseEvent::NoteAdded(note)],
            RecordConsent(consent) => {
                if self.consents.contains_key(&consent.consent_id) {
                    return Err(CaseError::ConsentExists(consent.consent_id));
                }
                vec![CaseEvent::ConsentRecorded(consent)]
            }
            WithdrawConsent(withdrawal) => {
                let consent = self
                    .consents
                    .get(&withdrawal.consent_id)
                    .ok_or(CaseError::UnknownConsent(withdrawal.consent_id))?;
                if consent.withdrawn_on.is_some() {
                    return Err(CaseError::ConsentAlreadyWithdrawn(withdrawal.consent_id));
                }
                vec![CaseEvent::ConsentWithdrawn(withdrawal)]
            }
            InvolvePartner(involvement) => {
                match &involvement.basis {
                    Some(basis) => {
                        self.check_basis(basis, &involvement.partner, involvement.involved_on)?
                    }
                    None if involvement.partner_domain != self.domain => {
                        return Err(CaseError::LegalBasisRequired {
                            partner: involvement.partner,
                            partner_domain: involvement.partner_domain,
                        })
                    }
                    None => {}
                }
                vec![CaseEvent::PartnerInvolved(involvement)]
            }
            HoldConference(conference) => vec![CaseEvent::CaseConferenceHeld(conference)],
            ScheduleReview(review) => {
                self.check_new_review(Some(&review))?;
                vec![CaseEvent::ReviewScheduled(review)]
            }
            CompleteReview {
                completion,
                next_review,
            } => {
                match self.reviews.get(&completion.review_id) {
                    None => return Err(CaseError::UnknownReview(completion.review_id)),
                    Some(review) if review.completed => {
                        return Err(CaseError::ReviewAlreadyCompleted(completion.review_id))
                    }
                    Some(_) => {}
                }
                self.check_new_review(next_review.as_ref())?;
                if self.risk == Some(RiskLevel::High) {
                    self.require_review_after(
                        completion.completed_on,
                        next_review.as_ref(),
                        Some(completion.review_id),
                    )?;
                }
                let mut events = vec![CaseEvent::ReviewCompleted(completion)];
                events.extend(next_review.map(CaseEvent::ReviewScheduled));
                events
            }
            Escalate(escalation) => vec![CaseEvent::CaseEscalated(escalation)],
            TransferCase(transfer) => {
                if transfer.municipality != self.municipality {
                    return Err(CaseError::HandoverRequired(transfer.municipality));
                }
                check_place(programme, &transfer.municipality, &transfer.focus_area)?;
                vec![CaseEvent::CaseTransferred(transfer)]
            }
            ProposeHandover(proposal) => {
                if let Some(pending) = &self.handover_to {
                    return Err(CaseError::HandoverPending(pending.clone()));
                }
                if proposal.municipality == self.municipality {
                    return Err(CaseError::SameMunicipality(proposal.municipality));
                }
                if !programme.has_municipality(&proposal.municipality) {
                    return Err(CaseError::UnknownMunicipality(proposal.municipality));
                }
                vec![CaseEvent::HandoverProposed(proposal)]
            }
            AcceptHandover(acceptance) => {
                let municipality = self.handover_to.clone().ok_or(CaseError::NoHandover)?;
                check_place(programme, &municipality, &acceptance.focus_area)?;
                vec![CaseEvent::HandoverAccepted(Handover {
                    municipality,
                    focus_area: acceptance.focus_area,
                    team: acceptance.team,
                    organisation: acceptance.organisation,
                    accepted_on: acceptance.accepted_on,
                })]
            }
            DeclineHandover(decline) => {
                if self.handover_to.is_none() {
                    return Err(CaseError::NoHandover);
                }
                vec![CaseEvent::HandoverDeclined(decline)]
            }
            StartAftercare(aftercare) => {
                self.require_stage(&[Stage::Active], describe)?;
                // Aftercare leads to closing, which a running intervention
                // stands in the way of: refuse where the worker can act.
                self.require_nothing_running()?;
                vec![CaseEvent::AftercareStarted(aftercare)]
            }
            CloseCase(closure) => {
                self.require_nothing_running()?;
                vec![CaseEvent::CaseClosed(closure)]
            }
            ReopenCase(reopening) => {
                self.require_stage(&[Stage::Closed], describe)?;
                vec![CaseEvent::CaseReopened(reopening)]
            }
            CorrectEntry(correction) => {
                if correction.sequence == 0 || correction.sequence > version {
                    return Err(CaseError::UnknownEntry(correction.sequence));
                }
                let known = self.contacts.as_ref();
                if correction.contacted_on.is_some()
                    && known.is_some_and(|contacts| !contacts.contains(&correction.sequence))
                {
                    return Err(CaseError::NotAContact(correction.sequence));
                }
                vec![CaseEvent::EntryCorrected(correction)]
            }
            EraseSubject(erasure) => vec![CaseEvent::SubjectErased(erasure)],
        };
        Ok(events)
    }
}
