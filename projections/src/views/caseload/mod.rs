//! `caseload`: one row per case for supervisors, who is assigned to it and
//! which partners are involved; the API finds who may see a case here.
//! Review and target dates come from `case_plan` when the caseload is read.

pub mod people;
pub mod query;
pub mod scope;
pub mod trend;

use std::collections::{BTreeMap, HashMap};

use casus_domain::{CaseEvent, Correction, LeadRole, LegalBasis, Stage};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::contacts::{self, redate};
use crate::rows::{self, code};
use crate::view::View;
use async_trait::async_trait;
use casus_store::log::RecordedEvent;

pub struct Caseload;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Row {
    case_id: Uuid,
    version: i64,
    municipality: String,
    focus_area: String,
    team: String,
    /// The domain of the holding team.
    domain: String,
    /// The organisation of the holding team.
    organisation: String,
    stage: String,
    risk_level: Option<String>,
    case_lead_id: Option<String>,
    case_lead_name: Option<String>,
    process_lead_id: Option<String>,
    referred_on: NaiveDate,
    last_contact_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    updated_at: DateTime<Utc>,
    /// The municipality a proposed handover would move the case to.
    handover_to: Option<String>,
    /// Each municipality that handed the case over, and the case's version
    /// when it did: its auditors read the history up to there.
    former: BTreeMap<String, i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Assignment {
    case_id: Uuid,
    worker_id: String,
    worker_name: String,
    team: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Partner {
    case_id: Uuid,
    partner: String,
    domain: String,
    /// What the involvement rests on, for the access log.
    basis: String,
    /// The consent it rests on, if it does: it ends the partner's access
    /// when withdrawn or expired.
    consent_id: Option<Uuid>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Consent {
    case_id: Uuid,
    consent_id: Uuid,
    partner: String,
    given_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
}

/// A contact, on the day it took place (corrected, if it was).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Contact {
    case_id: Uuid,
    sequence: i64,
    contacted_on: NaiveDate,
}

/// What each table of the view holds for the cases of a batch.
struct Tables {
    rows: HashMap<Uuid, Row>,
    assignments: Vec<Assignment>,
    partners: Vec<Partner>,
    consents: Vec<Consent>,
    contacts: Vec<Contact>,
}

impl rows::CaseRow for Row {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
}

/// The day of the case's latest contact.
fn last_contact(contacts: &[Contact], case_id: Uuid) -> Option<NaiveDate> {
    contacts
        .iter()
        .filter(|c| c.case_id == case_id)
        .map(|c| c.contacted_on)
        .max()
}

fn apply(tables: &mut Tables, recorded: &RecordedEvent) {
    use CaseEvent::*;
    let case_id = recorded.case_id.as_uuid();
    let Tables {
        rows,
        assignments,
        partners,
        consents,
        contacts,
    } = tables;
    if let CaseReferred(referral) = &recorded.event {
        rows.entry(case_id).or_insert_with(|| Row {
            case_id,
            version: recorded.sequence,
            municipality: referral.municipality.to_string(),
            focus_area: referral.focus_area.to_string(),
            team: referral.team.to_string(),
            domain: referral.domain.to_string(),
            organisation: referral.organisation.to_string(),
            stage: Stage::Referred.to_string(),
            risk_level: None,
            case_lead_id: None,
            case_lead_name: None,
            process_lead_id: None,
            referred_on: referral.referred_on,
            last_contact_on: None,
            closed_on: None,
            updated_at: recorded.recorded_at,
            handover_to: None,
            former: BTreeMap::new(),
        });
        return;
    }
    let Some(row) = rows.get_mut(&case_id) else {
        return;
    };
    row.version = recorded.sequence;
    row.updated_at = recorded.recorded_at;
    if let Some(stage) = recorded.event.stage_after() {
        row.stage = stage.as_str().into();
        row.closed_on = match &recorded.event {
            CaseClosed(closure) => Some(closure.closed_on),
            _ => None,
        };
    }
    match &recorded.event {
        LeadAssigned(assignment) if assignment.role == LeadRole::CaseLead => {
            row.case_lead_id = Some(assignment.lead.id.to_string());
            row.case_lead_name = Some(assignment.lead.name.as_str().into());
        }
        LeadAssigned(assignment) => row.process_lead_id = Some(assignment.lead.id.to_string()),
        RiskAssessed(assessment) => row.risk_level = Some(code(assessment.level)),
        ContactLogged(contact) => {
            contacts.push(Contact {
                case_id,
                sequence: recorded.sequence,
                contacted_on: contact.contacted_on,
            });
            row.last_contact_on = last_contact(contacts, case_id);
        }
        EntryCorrected(Correction {
            sequence,
            contacted_on: Some(on),
            ..
        }) if redate(days(contacts), case_id, *sequence, *on) => {
            row.last_contact_on = last_contact(contacts, case_id)
        }
        CaseTransferred(_) | HandoverAccepted(_) => {
            let (municipality, focus_area, team) = recorded.event.moves_to().expect("a move");
            if row.municipality != municipality.as_str() {
                // The sending municipality's auditors keep the history up to here.
                row.former
                    .insert(row.municipality.clone(), recorded.sequence);
            }
            row.municipality = municipality.to_string();
            row.focus_area = focus_area.to_string();
            row.team = team.to_string();
            row.handover_to = None;
            if let HandoverAccepted(handover) = &recorded.event {
                row.organisation = handover.organisation.to_string();
            }
        }
        HandoverProposed(proposal) => row.handover_to = Some(proposal.municipality.to_string()),
        HandoverDeclined(_) => row.handover_to = None,
        WorkerAssigned(worker) => assignments.push(Assignment {
            case_id,
            worker_id: worker.id.to_string(),
            worker_name: worker.name.as_str().into(),
            team: worker.team.to_string(),
        }),
        WorkerUnassigned(unassignment) => assignments
            .retain(|a| !(a.case_id == case_id && a.worker_id == unassignment.worker.as_str())),
        PartnerInvolved(involvement) => {
            let partner = involvement.partner.as_str();
            // A later involvement of the same partner replaces its basis.
            partners.retain(|p| !(p.case_id == case_id && p.partner == partner));
            let (basis, consent_id) = match &involvement.basis {
                Some(LegalBasis::Consent { consent_id }) => {
                    (format!("consent {consent_id}"), Some(consent_id.as_uuid()))
                }
                // The provision's text is sealed with the young person's
                // data, and an erasure must not leave it here.
                Some(LegalBasis::LegalTask { .. }) => ("legal task".to_owned(), None),
                None => ("involved in the case's own domain".to_owned(), None),
            };
            partners.push(Partner {
                case_id,
                partner: partner.into(),
                domain: involvement.partner_domain.to_string(),
                basis,
                consent_id,
            });
        }
        ConsentRecorded(consent) => consents.push(Consent {
            case_id,
            consent_id: consent.consent_id.as_uuid(),
            partner: consent.partner.to_string(),
            given_on: consent.given_on,
            valid_until: consent.valid_until,
            withdrawn_on: None,
        }),
        ConsentWithdrawn(withdrawal) => {
            let id = withdrawal.consent_id.as_uuid();
            if let Some(consent) = consents
                .iter_mut()
                .find(|c| c.case_id == case_id && c.consent_id == id)
            {
                consent.withdrawn_on = Some(withdrawal.withdrawn_on);
            }
        }
        _ => {}
    }
}

#[async_trait]
impl View for Caseload {
    fn name(&self) -> &'static str {
        "caseload"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "caseload",
            "caseload_assignments",
            "caseload_partners",
            "caseload_consents",
            "caseload_contacts",
        ]
    }

    /// 2: contacts kept one by one, so a corrected date counts.
    fn version(&self) -> i32 {
        2
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<(), sqlx::Error> {
        let mut batch = rows::Batch::new(events);
        let mut tables = Tables {
            rows: batch.load_by_case(conn, "caseload").await?,
            assignments: batch.load(conn, "caseload_assignments").await?,
            partners: batch.load(conn, "caseload_partners").await?,
            consents: batch.load(conn, "caseload_consents").await?,
            contacts: contacts::load(&mut batch, conn, "caseload_contacts", events).await?,
        };
        for event in events {
            apply(&mut tables, event);
        }
        let rows: Vec<Row> = tables.rows.into_values().collect();
        batch.store(conn, "caseload", &rows).await?;
        batch
            .store(conn, "caseload_assignments", &tables.assignments)
            .await?;
        batch
            .store(conn, "caseload_partners", &tables.partners)
            .await?;
        batch
            .store(conn, "caseload_consents", &tables.consents)
            .await?;
        batch
            .store(conn, "caseload_contacts", &tables.contacts)
            .await
    }
}

/// Each contact's case, sequence and day, to move one.
fn days(contacts: &mut [Contact]) -> impl Iterator<Item = (Uuid, i64, &mut NaiveDate)> {
    contacts
        .iter_mut()
        .map(|c| (c.case_id, c.sequence, &mut c.contacted_on))
}
