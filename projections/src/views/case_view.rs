//! `social_case_view` and `justice_case_view`: the case overview as one
//! domain may see it. Content restricted to the other domain never enters.

use casus_domain::{CaseEvent, Domain, LeadRole, Personal, Text};
use futures::future::BoxFuture;
use sqlx::PgConnection;

use super::on_case;
use crate::event::RecordedEvent;
use crate::view::{code, View};
use crate::visibility;

pub struct CaseView {
    domain: Domain,
    sql: Statements,
}

/// The view's statements, written once for its table.
struct Statements {
    insert: String,
    touch: String,
    stage: String,
    signal: String,
    triage: String,
    case_lead: String,
    process_lead: String,
    risk: String,
    contact: String,
    escalation: String,
    transfer: String,
    close: String,
    reopen: String,
    erase: String,
}

impl Statements {
    fn new(table: &str) -> Self {
        let update = |set: &str| {
            format!("update {table} set version = $2, updated_at = $3{set} where case_id = $1")
        };
        Self {
            insert: format!(
                "insert into {table} (case_id, version, updated_at, municipality, focus_area, team,
                    holding_domain, stage, subject_id, subject_name, date_of_birth, referred_on, referred_by,
                    referral_reason, referral_goal)
                 values ($1, $2, $3, $4, $5, $6, $7, 'referred', $8, $9, $10, $11, $12, $13, $14)
                 on conflict (case_id) do nothing"
            ),
            touch: update(""),
            stage: update(", stage = $4"),
            signal: update(", last_signal_kind = $4, last_signal_on = $5, last_signal_summary = $6"),
            triage: update(", stage = $4, triage_decision = $5"),
            case_lead: update(", case_lead_id = $4, case_lead_name = $5"),
            process_lead: update(", process_lead_id = $4, process_lead_name = $5"),
            risk: update(", risk_level = $4, risk_assessed_on = $5"),
            // The latest contact by date; its summary only where the domain may read it.
            contact: update(
                ", last_contact_summary = case when $4 >= coalesce(last_contact_on, $4) then $5
                                               else last_contact_summary end,
                   last_contact_on = greatest(last_contact_on, $4)",
            ),
            escalation: update(", escalated_to = $4, escalated_on = $5, escalation_reason = $6"),
            transfer: update(", municipality = $4, focus_area = $5, team = $6"),
            close: update(", stage = $4, closed_on = $5, result = $6"),
            reopen: update(", stage = $4, closed_on = null, result = null"),
            erase: update(
                ", erased = true, subject_name = null, date_of_birth = null, referral_reason = null,
                   referral_goal = null, last_contact_summary = null, last_signal_summary = null,
                   escalation_reason = null",
            ),
        }
    }
}

impl CaseView {
    pub fn new(domain: Domain) -> Self {
        Self {
            domain,
            sql: Statements::new(Self::table(domain)),
        }
    }

    fn table(domain: Domain) -> &'static str {
        match domain {
            Domain::Social => "social_case_view",
            Domain::Justice => "justice_case_view",
        }
    }

    async fn apply_event(
        &self,
        conn: &mut PgConnection,
        recorded: &RecordedEvent,
    ) -> Result<(), sqlx::Error> {
        use CaseEvent::*;
        let sql = &self.sql;
        let sees_entry = visibility::entry(&recorded.event).by(self.domain);
        let sees_content = visibility::content(&recorded.event).by(self.domain);
        let text = |t: &Personal<Text>| sees_content.then(|| t.expose().as_str().to_owned());
        let stage = recorded.event.stage_after().map(|s| s.as_str());
        let query = match &recorded.event {
            CaseReferred(referral) => {
                let details = referral.details.expose();
                on_case(&sql.insert, recorded)
                    .bind(referral.municipality.as_str())
                    .bind(referral.focus_area.as_str())
                    .bind(referral.team.as_str())
                    .bind(code(&referral.domain))
                    .bind(referral.subject.as_uuid())
                    .bind(details.name.as_str())
                    .bind(details.date_of_birth)
                    .bind(referral.referred_on)
                    .bind(referral.referred_by.as_str())
                    .bind(referral.reason.expose().as_str())
                    .bind(referral.goal.expose().as_str())
            }
            SignalRecorded(signal) if sees_entry => on_case(&sql.signal, recorded)
                .bind(code(&signal.kind))
                .bind(signal.occurred_on)
                .bind(signal.summary.as_ref().and_then(text)),
            TriageDecided(triage) => on_case(&sql.triage, recorded)
                .bind(stage)
                .bind(triage.decision.code()),
            LeadAssigned(assignment) => {
                let statement = match assignment.role {
                    LeadRole::CaseLead => &sql.case_lead,
                    LeadRole::ProcessLead => &sql.process_lead,
                };
                on_case(statement, recorded)
                    .bind(assignment.lead.id.as_str())
                    .bind(assignment.lead.name.as_str())
            }
            RiskAssessed(assessment) => on_case(&sql.risk, recorded)
                .bind(code(&assessment.level))
                .bind(assessment.assessed_on),
            ContactLogged(contact) => on_case(&sql.contact, recorded)
                .bind(contact.contacted_on)
                .bind(text(&contact.summary)),
            CaseEscalated(escalation) => on_case(&sql.escalation, recorded)
                .bind(code(&escalation.to))
                .bind(escalation.escalated_on)
                .bind(text(&escalation.reason)),
            CaseTransferred(transfer) => on_case(&sql.transfer, recorded)
                .bind(transfer.municipality.as_str())
                .bind(transfer.focus_area.as_str())
                .bind(transfer.team.as_str()),
            CaseClosed(closure) => on_case(&sql.close, recorded)
                .bind(stage)
                .bind(closure.closed_on)
                .bind(code(&closure.result)),
            CaseReopened(_) => on_case(&sql.reopen, recorded).bind(stage),
            SubjectErased(_) => on_case(&sql.erase, recorded),
            _ if stage.is_some() => on_case(&sql.stage, recorded).bind(stage),
            _ => on_case(&sql.touch, recorded),
        };
        query.execute(conn).await?;
        Ok(())
    }
}

impl View for CaseView {
    fn name(&self) -> &'static str {
        Self::table(self.domain)
    }

    fn tables(&self) -> &'static [&'static str] {
        match self.domain {
            Domain::Social => &["social_case_view"],
            Domain::Justice => &["justice_case_view"],
        }
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(self.apply_event(conn, event))
    }
}
