//! The checks the decisions share: stages, plans, interventions, legal
//! bases, Halt's conditions, reviews, goals, and moving a worker's parts.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

use crate::case::CaseFile;
use crate::error::CaseError;
use crate::events::*;
use crate::ids::{InterventionId, OrganisationId, ReviewId};
use crate::model::*;
use crate::records::*;

/// Below this age a Halt intervention also needs a parent's consent.
const HALT_PARENTAL_CONSENT_BELOW: u8 = 16;
/// A high risk level needs a review within this many days.
const HIGH_RISK_REVIEW_DAYS: u64 = 28;

impl CaseFile {
    pub(super) fn require_nothing_running(&self) -> Result<(), CaseError> {
        let running = self
            .interventions
            .iter()
            .find(|(_, status)| **status == InterventionStatus::Running);
        match running {
            Some((id, _)) => Err(CaseError::InterventionRunning(*id)),
            None => Ok(()),
        }
    }

    /// The worker's assignment and leads go to `to`, in one decision, so the
    /// case is never without the parts it had.
    pub(super) fn reassign(&self, reassignment: Reassignment) -> Result<Vec<CaseEvent>, CaseError> {
        let Reassignment { from, to, reason } = reassignment;
        if from == to.id {
            return Err(CaseError::AlreadyAssigned(to.id));
        }
        let mut events = Vec::new();
        if self.workers.contains(&from) {
            events.push(CaseEvent::WorkerUnassigned(Unassignment {
                worker: from.clone(),
                reason,
            }));
            if !self.workers.contains(&to.id) {
                events.push(CaseEvent::WorkerAssigned(to.clone()));
            }
        }
        let leads = [
            (LeadRole::CaseLead, &self.case_lead),
            (LeadRole::ProcessLead, &self.process_lead),
        ];
        for (role, lead) in leads {
            if lead.as_ref() == Some(&from) {
                events.push(CaseEvent::LeadAssigned(LeadAssignment {
                    role,
                    lead: to.clone(),
                }));
            }
        }
        if events.is_empty() {
            return Err(CaseError::NotAssigned(from));
        }
        Ok(events)
    }

    pub(super) fn require_stage(
        &self,
        allowed: &[Stage],
        action: &'static str,
    ) -> Result<(), CaseError> {
        if allowed.contains(&self.stage) {
            Ok(())
        } else {
            Err(CaseError::NotInStage {
                action,
                stage: self.stage,
            })
        }
    }

    /// Interventions and goals need an agreed plan: the case is active or in aftercare.
    pub(super) fn require_plan(&self, action: &'static str) -> Result<(), CaseError> {
        if matches!(self.stage, Stage::Active | Stage::Aftercare) {
            Ok(())
        } else {
            Err(CaseError::PlanRequired(action))
        }
    }

    pub(super) fn require_intervention(
        &self,
        id: InterventionId,
        allowed: &[InterventionStatus],
        action: &'static str,
    ) -> Result<(), CaseError> {
        let status = *self
            .interventions
            .get(&id)
            .ok_or(CaseError::UnknownIntervention(id))?;
        if allowed.contains(&status) {
            Ok(())
        } else {
            Err(CaseError::InterventionIs { id, status, action })
        }
    }

    pub(super) fn check_basis(
        &self,
        basis: &LegalBasis,
        partner: &OrganisationId,
        on: NaiveDate,
    ) -> Result<(), CaseError> {
        match basis {
            LegalBasis::LegalTask { .. } => Ok(()),
            LegalBasis::Consent { consent_id } => {
                let consent = self
                    .consents
                    .get(consent_id)
                    .ok_or(CaseError::UnknownConsent(*consent_id))?;
                if consent.covers(partner, on) {
                    Ok(())
                } else {
                    Err(CaseError::ConsentNotValid {
                        consent: *consent_id,
                        partner: partner.clone(),
                        on,
                    })
                }
            }
        }
    }

    pub(super) fn check_halt(&self, plan: &InterventionPlan) -> Result<(), CaseError> {
        let grounds = plan
            .halt
            .filter(|g| g.confession_on <= plan.planned_on)
            .ok_or(CaseError::HaltNeedsConfession)?;
        let consented = |giver: ConsentGiver| {
            self.consents.values().any(|c| {
                c.purpose == ConsentPurpose::HaltIntervention
                    && c.given_by == giver
                    && c.covers(&plan.provider, plan.planned_on)
            })
        };
        if !consented(ConsentGiver::Youth) {
            return Err(CaseError::HaltNeedsConsent);
        }
        if grounds.youth_age < HALT_PARENTAL_CONSENT_BELOW
            && !consented(ConsentGiver::ParentOrGuardian)
        {
            return Err(CaseError::HaltNeedsParentalConsent);
        }
        Ok(())
    }

    pub(super) fn check_new_review(&self, review: Option<&Review>) -> Result<(), CaseError> {
        match review {
            Some(review) if self.reviews.contains_key(&review.review_id) => {
                Err(CaseError::ReviewExists(review.review_id))
            }
            _ => Ok(()),
        }
    }

    /// A high risk level needs an open review due within four weeks of `from`:
    /// the one this command schedules, or one already scheduled (other than
    /// the one being completed).
    pub(super) fn require_review_after(
        &self,
        from: NaiveDate,
        new: Option<&Review>,
        completing: Option<ReviewId>,
    ) -> Result<(), CaseError> {
        let by = from + Days::new(HIGH_RISK_REVIEW_DAYS);
        let scheduled = self
            .reviews
            .iter()
            .any(|(id, r)| Some(*id) != completing && !r.completed && r.due_on <= by);
        if scheduled || new.is_some_and(|r| r.due_on <= by) {
            Ok(())
        } else {
            Err(CaseError::HighRiskNeedsReview { by })
        }
    }
}

pub(super) fn check_goals(plan: &Plan) -> Result<(), CaseError> {
    if plan.goals.is_empty() {
        return Err(CaseError::PlanNeedsGoals);
    }
    let mut seen = BTreeSet::new();
    match plan.goals.iter().find(|g| !seen.insert(g.goal_id)) {
        Some(goal) => Err(CaseError::DuplicateGoal(goal.goal_id)),
        None => Ok(()),
    }
}
