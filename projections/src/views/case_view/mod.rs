//! `social_case_view` and `justice_case_view`: the case overview as one
//! domain may see it. Content restricted to the other domain never enters.

pub mod query;

use std::collections::HashMap;

use casus_domain::{CaseEvent, Correction, Domain, LeadRole, Personal, Stage, Text};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::contacts::{self, redate};
use crate::rows::{self, code};
use crate::view::View;
use crate::visibility;
use async_trait::async_trait;
use casus_store::log::RecordedEvent;

pub struct CaseView {
    domain: Domain,
}

/// A row of the table, column by column.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Row {
    case_id: Uuid,
    version: i64,
    municipality: String,
    focus_area: String,
    team: String,
    holding_domain: String,
    stage: String,
    subject_id: Uuid,
    subject_name: Option<String>,
    date_of_birth: Option<NaiveDate>,
    erased: bool,
    referred_on: NaiveDate,
    referred_by: String,
    referral_reason: Option<String>,
    referral_goal: Option<String>,
    triage_decision: Option<String>,
    case_lead_id: Option<String>,
    case_lead_name: Option<String>,
    process_lead_id: Option<String>,
    process_lead_name: Option<String>,
    risk_level: Option<String>,
    risk_assessed_on: Option<NaiveDate>,
    last_contact_on: Option<NaiveDate>,
    last_contact_summary: Option<String>,
    last_signal_kind: Option<String>,
    last_signal_on: Option<NaiveDate>,
    last_signal_summary: Option<String>,
    escalated_to: Option<String>,
    escalated_on: Option<NaiveDate>,
    escalation_reason: Option<String>,
    closed_on: Option<NaiveDate>,
    result: Option<String>,
    updated_at: DateTime<Utc>,
}

/// A contact as the domain may see it, on the day it took place (corrected,
/// if it was): the latest is the overview's last contact.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Contact {
    case_id: Uuid,
    sequence: i64,
    contacted_on: NaiveDate,
    summary: Option<String>,
}

impl rows::CaseRow for Row {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
}

impl CaseView {
    pub fn new(domain: Domain) -> Self {
        Self { domain }
    }

    fn table(&self) -> &'static str {
        self.tables()[0]
    }

    fn contacts_table(&self) -> &'static str {
        self.tables()[1]
    }

    fn apply_event(
        &self,
        rows: &mut HashMap<Uuid, Row>,
        contacts: &mut Vec<Contact>,
        recorded: &RecordedEvent,
    ) {
        use CaseEvent::*;
        let case_id = recorded.case_id.as_uuid();
        if let CaseReferred(referral) = &recorded.event {
            let details = referral.details.expose();
            rows.entry(case_id).or_insert_with(|| Row {
                case_id,
                version: recorded.sequence,
                municipality: referral.municipality.to_string(),
                focus_area: referral.focus_area.to_string(),
                team: referral.team.to_string(),
                holding_domain: code(referral.domain),
                stage: Stage::Referred.to_string(),
                subject_id: referral.subject.as_uuid(),
                subject_name: details.map(|d| d.name.as_str().into()),
                date_of_birth: details.map(|d| d.date_of_birth),
                erased: false,
                referred_on: referral.referred_on,
                referred_by: referral.referred_by.to_string(),
                referral_reason: referral.reason.expose().map(|t| t.as_str().into()),
                referral_goal: referral.goal.expose().map(|t| t.as_str().into()),
                triage_decision: None,
                case_lead_id: None,
                case_lead_name: None,
                process_lead_id: None,
                process_lead_name: None,
                risk_level: None,
                risk_assessed_on: None,
                last_contact_on: None,
                last_contact_summary: None,
                last_signal_kind: None,
                last_signal_on: None,
                last_signal_summary: None,
                escalated_to: None,
                escalated_on: None,
                escalation_reason: None,
                closed_on: None,
                result: None,
                updated_at: recorded.recorded_at,
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
        }
        let sees_entry = visibility::entry(&recorded.event).by(self.domain);
        let sees_content = visibility::content(&recorded.event).by(self.domain);
        let text = |t: &Personal<Text>| {
            t.expose()
                .filter(|_| sees_content)
                .map(|t| t.as_str().to_owned())
        };
        match &recorded.event {
            SignalRecorded(signal) if sees_entry => {
                row.last_signal_kind = Some(code(signal.kind));
                row.last_signal_on = Some(signal.occurred_on);
                row.last_signal_summary = signal.summary.as_ref().and_then(text);
            }
            TriageDecided(triage) => row.triage_decision = Some(triage.decision.code().into()),
            LeadAssigned(assignment) => {
                let (id, name) = (
                    Some(assignment.lead.id.to_string()),
                    Some(assignment.lead.name.as_str().into()),
                );
                match assignment.role {
                    LeadRole::CaseLead => (row.case_lead_id, row.case_lead_name) = (id, name),
                    LeadRole::ProcessLead => {
                        (row.process_lead_id, row.process_lead_name) = (id, name)
                    }
                }
            }
            RiskAssessed(assessment) => {
                row.risk_level = Some(code(assessment.level));
                row.risk_assessed_on = Some(assessment.assessed_on);
            }
            // The latest contact by date; its summary only where the domain may read it.
            ContactLogged(contact) => {
                contacts.push(Contact {
                    case_id,
                    sequence: recorded.sequence,
                    contacted_on: contact.contacted_on,
                    summary: text(&contact.summary),
                });
                last_contact(row, contacts);
            }
            EntryCorrected(Correction {
                sequence,
                contacted_on: Some(on),
                ..
            }) if redate(days(contacts), case_id, *sequence, *on) => last_contact(row, contacts),
            CaseEscalated(escalation) => {
                row.escalated_to = Some(code(escalation.to));
                row.escalated_on = Some(escalation.escalated_on);
                row.escalation_reason = text(&escalation.reason);
            }
            CaseTransferred(_) | HandoverAccepted(_) => {
                let (municipality, focus_area, team) = recorded.event.moves_to().expect("a move");
                row.municipality = municipality.to_string();
                row.focus_area = focus_area.to_string();
                row.team = team.to_string();
            }
            CaseClosed(closure) => {
                row.closed_on = Some(closure.closed_on);
                row.result = Some(code(closure.result));
            }
            CaseReopened(_) => (row.closed_on, row.result) = (None, None),
            SubjectErased(_) => {
                row.erased = true;
                row.subject_name = None;
                row.date_of_birth = None;
                row.referral_reason = None;
                row.referral_goal = None;
                row.last_contact_summary = None;
                row.last_signal_summary = None;
                row.escalation_reason = None;
                for contact in contacts.iter_mut().filter(|c| c.case_id == case_id) {
                    contact.summary = None;
                }
            }
            _ => {}
        }
    }
}

/// The overview's last contact: the latest of the case's by day (the later
/// entry of two on one day).
fn last_contact(row: &mut Row, contacts: &[Contact]) {
    let last = contacts
        .iter()
        .filter(|c| c.case_id == row.case_id)
        .max_by_key(|c| (c.contacted_on, c.sequence));
    row.last_contact_on = last.map(|c| c.contacted_on);
    row.last_contact_summary = last.and_then(|c| c.summary.clone());
}

#[async_trait]
impl View for CaseView {
    fn name(&self) -> &'static str {
        self.table()
    }

    fn tables(&self) -> &'static [&'static str] {
        match self.domain {
            Domain::Social => &["social_case_view", "social_case_contacts"],
            Domain::Justice => &["justice_case_view", "justice_case_contacts"],
        }
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
        let mut rows: HashMap<Uuid, Row> = batch.load_by_case(conn, self.table()).await?;
        let mut contacts: Vec<Contact> =
            contacts::load(&mut batch, conn, self.contacts_table(), events).await?;
        for event in events {
            self.apply_event(&mut rows, &mut contacts, event);
        }
        let rows: Vec<Row> = rows.into_values().collect();
        batch.store(conn, self.table(), &rows).await?;
        batch.store(conn, self.contacts_table(), &contacts).await
    }
}

/// Each contact's case, sequence and day, to move one.
fn days(contacts: &mut [Contact]) -> impl Iterator<Item = (Uuid, i64, &mut NaiveDate)> {
    contacts
        .iter_mut()
        .map(|c| (c.case_id, c.sequence, &mut c.contacted_on))
}
