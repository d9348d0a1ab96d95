//! The `YouthCase` aggregate: the state its decisions need, and how each
//! event changes it. The state holds no personal data, so neither do snapshots.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use crate::commands::Command;
use crate::error::CaseError;
use crate::events::CaseEvent;
use crate::ids::{
    ConsentId, GoalId, InterventionId, OrganisationId, ReviewId, SubjectId, TeamId, WorkerId,
};
use crate::model::{
    ConsentGiver, ConsentPurpose, InterventionStatus, LeadRole, LegalBasis, RiskLevel, Stage,
    TriageDecision,
};
use crate::records::Consent;
use crate::reference::Programme;
use crate::values::{Domain, FocusAreaCode, MunicipalityCode};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YouthCase {
    /// The number of events applied: the sequence of the last one.
    version: u64,
    /// `None` until the case is referred.
    file: Option<CaseFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    pub stage: Stage,
    pub subject: SubjectId,
    pub municipality: MunicipalityCode,
    pub focus_area: FocusAreaCode,
    pub team: TeamId,
    pub domain: Domain,
    /// The holding team's organisation.
    pub organisation: OrganisationId,
    pub triage: Option<TriageDecision>,
    pub process_lead: Option<WorkerId>,
    pub case_lead: Option<WorkerId>,
    pub workers: BTreeSet<WorkerId>,
    /// Goals of the current plan, and whether each was achieved.
    pub goals: BTreeMap<GoalId, bool>,
    pub interventions: BTreeMap<InterventionId, InterventionStatus>,
    pub consents: BTreeMap<ConsentId, ConsentState>,
    pub reviews: BTreeMap<ReviewId, ReviewState>,
    pub risk: Option<RiskLevel>,
    /// Partner organisations involved with the case, and their domain.
    /// (Absent from snapshots taken before partners were kept.)
    #[serde(default)]
    pub partners: BTreeMap<OrganisationId, Domain>,
    /// The partners involved on consent, and which: they act only while it holds.
    #[serde(default)]
    pub partner_consents: BTreeMap<OrganisationId, ConsentId>,
    /// The municipality a proposed handover would move the case to.
    #[serde(default)]
    pub handover_to: Option<MunicipalityCode>,
    /// The sequences of the case's contacts, whose date a correction may
    /// set; `None` in a snapshot from before they were kept (a correction's
    /// date is then taken for a contact's, and the views pass over it
    /// otherwise).
    #[serde(default)]
    pub contacts: Option<BTreeSet<u64>>,
    pub erased: bool,
}

impl CaseFile {
    /// The partners that may see and act on the case on `on`: involved, on
    /// a legal task, in the case's own domain, or on a consent that holds
    /// (not withdrawn, not expired).
    pub fn sharing_partners(&self, on: NaiveDate) -> impl Iterator<Item = &OrganisationId> {
        self.partners
            .keys()
            .filter(move |partner| match self.partner_consents.get(*partner) {
                None => true,
                Some(consent) => self
                    .consents
                    .get(consent)
                    .is_some_and(|c| c.covers(partner, on)),
            })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentState {
    pub partner: OrganisationId,
    pub purpose: ConsentPurpose,
    pub given_by: ConsentGiver,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

impl ConsentState {
    /// Whether this consent lets `partner` act on `on`.
    pub fn covers(&self, partner: &OrganisationId, on: NaiveDate) -> bool {
        self.partner == *partner
            && self.given_on <= on
            && self.valid_until.is_none_or(|until| on <= until)
            && self.withdrawn_on.is_none_or(|withdrawn| on < withdrawn)
    }
}

impl From<&Consent> for ConsentState {
    fn from(consent: &Consent) -> Self {
        Self {
            partner: consent.partner.clone(),
            purpose: consent.purpose,
            given_by: consent.given_by,
            given_on: consent.given_on,
            valid_until: consent.valid_until,
            withdrawn_on: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewState {
    pub due_on: NaiveDate,
    pub completed: bool,
}

impl YouthCase {
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn file(&self) -> Option<&CaseFile> {
        self.file.as_ref()
    }

    pub fn stage(&self) -> Option<Stage> {
        self.file.as_ref().map(|f| f.stage)
    }
}

impl Aggregate for YouthCase {
    const TYPE: &'static str = "YouthCase";
    type Command = Command;
    type Event = CaseEvent;
    type Error = CaseError;
    type Services = Programme;

    async fn handle(
        &mut self,
        command: Command,
        programme: &Programme,
        sink: &EventSink<Self>,
    ) -> Result<(), CaseError> {
        let events = self.decide(command, programme)?;
        // The sink applies each event to the aggregate it is given, and
        // cqrs-es 0.5's snapshot store later applies the same events to the
        // loaded aggregate once more when it writes a snapshot. Writing through
        // a scratch copy keeps the loaded state as loaded, so a snapshot holds
        // every event exactly once.
        let mut scratch = self.clone();
        for event in events {
            sink.write(event, &mut scratch).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: CaseEvent) {
        self.version += 1;
        if let CaseEvent::CaseReferred(referral) = &event {
            self.file = Some(CaseFile {
                stage: Stage::Referred,
                subject: referral.subject,
                municipality: referral.municipality.clone(),
                focus_area: referral.focus_area.clone(),
                team: referral.team.clone(),
                domain: referral.domain,
                organisation: referral.organisation.clone(),
                triage: None,
                process_lead: None,
                case_lead: None,
                workers: BTreeSet::new(),
                goals: BTreeMap::new(),
                interventions: BTreeMap::new(),
                consents: BTreeMap::new(),
                reviews: BTreeMap::new(),
                risk: None,
                partners: BTreeMap::new(),
                partner_consents: BTreeMap::new(),
                handover_to: None,
                contacts: Some(BTreeSet::new()),
                erased: false,
            });
        } else if let Some(file) = self.file.as_mut() {
            if matches!(event, CaseEvent::ContactLogged(_)) {
                if let Some(contacts) = file.contacts.as_mut() {
                    contacts.insert(self.version);
                }
            }
            file.apply(event);
        }
    }
}

impl CaseFile {
    fn apply(&mut self, event: CaseEvent) {
        use CaseEvent::*;
        if let Some(stage) = event.stage_after() {
            self.stage = stage;
        }
        match event {
            TriageDecided(triage) => self.triage = Some(triage.decision),
            LeadAssigned(assignment) => match assignment.role {
                LeadRole::ProcessLead => self.process_lead = Some(assignment.lead.id),
                LeadRole::CaseLead => self.case_lead = Some(assignment.lead.id),
            },
            WorkerAssigned(worker) => {
                self.workers.insert(worker.id);
            }
            WorkerUnassigned(unassignment) => {
                self.workers.remove(&unassignment.worker);
            }
            RiskAssessed(assessment) => self.risk = Some(assessment.level),
            PartnerInvolved(involvement) => {
                match involvement.basis {
                    Some(LegalBasis::Consent { consent_id }) => self
                        .partner_consents
                        .insert(involvement.partner.clone(), consent_id),
                    _ => self.partner_consents.remove(&involvement.partner),
                };
                self.partners
                    .insert(involvement.partner, involvement.partner_domain);
            }
            PlanAgreed(plan) => {
                self.goals = plan.goals.iter().map(|g| (g.goal_id, false)).collect();
            }
            PlanRevised(revision) => {
                let achieved: BTreeSet<GoalId> = self
                    .goals
                    .iter()
                    .filter(|(_, done)| **done)
                    .map(|(id, _)| *id)
                    .collect();
                self.goals = revision
                    .plan
                    .goals
                    .iter()
                    .map(|g| (g.goal_id, achieved.contains(&g.goal_id)))
                    .collect();
            }
            GoalAchieved(achievement) => {
                self.goals.insert(achievement.goal_id, true);
            }
            InterventionPlanned(plan) => {
                self.interventions
                    .insert(plan.intervention_id, InterventionStatus::Planned);
            }
            InterventionStarted(start) => {
                self.interventions
                    .insert(start.intervention_id, InterventionStatus::Running);
            }
            InterventionCompleted(completion) => {
                self.interventions
                    .insert(completion.intervention_id, InterventionStatus::Completed);
            }
            InterventionCancelled(cancellation) => {
                self.interventions
                    .insert(cancellation.intervention_id, InterventionStatus::Cancelled);
            }
            ConsentRecorded(consent) => {
                self.consents.insert(consent.consent_id, (&consent).into());
            }
            ConsentWithdrawn(withdrawal) => {
                if let Some(consent) = self.consents.get_mut(&withdrawal.consent_id) {
                    consent.withdrawn_on = Some(withdrawal.withdrawn_on);
                }
            }
            ReviewScheduled(review) => {
                self.reviews.insert(
                    review.review_id,
                    ReviewState {
                        due_on: review.due_on,
                        completed: false,
                    },
                );
            }
            ReviewCompleted(completion) => {
                if let Some(review) = self.reviews.get_mut(&completion.review_id) {
                    review.completed = true;
                }
            }
            CaseTransferred(transfer) => {
                self.municipality = transfer.municipality;
                self.focus_area = transfer.focus_area;
                self.team = transfer.team;
            }
            HandoverProposed(proposal) => self.handover_to = Some(proposal.municipality),
            HandoverAccepted(handover) => {
                self.municipality = handover.municipality;
                self.focus_area = handover.focus_area;
                self.team = handover.team;
                self.organisation = handover.organisation;
                self.handover_to = None;
            }
            HandoverDeclined(_) => self.handover_to = None,
            // A reopened case needs a new plan.
            CaseReopened(_) => self.goals.clear(),
            SubjectErased(_) => self.erased = true,
            CaseReferred(_)
            | CaseIncluded(_)
            | AftercareStarted(_)
            | CaseClosed(_)
            | SignalRecorded(_)
            | InformationAdded(_)
            | ContactLogged(_)
            | NoteAdded(_)
            | CaseConferenceHeld(_)
            | CaseEscalated(_)
            | EntryCorrected(_) => {}
        }
    }
}
