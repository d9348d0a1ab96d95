//! `caseload`: one row per case for supervisors, and who is assigned to it.
//! Review and target dates come from `case_plan` when the caseload is read.

use casus_domain::{CaseEvent, LeadRole};
use futures::future::BoxFuture;
use sqlx::PgConnection;

use super::on_case;
use crate::event::RecordedEvent;
use crate::view::{code, View};

pub struct Caseload;

const INSERT: &str = "
insert into caseload (case_id, version, updated_at, municipality, focus_area, team, stage, referred_on)
values ($1, $2, $3, $4, $5, $6, 'referred', $7) on conflict (case_id) do nothing";
const TOUCH: &str = "update caseload set version = $2, updated_at = $3 where case_id = $1";
const CASE_LEAD: &str =
    "update caseload set version = $2, updated_at = $3, case_lead_id = $4, case_lead_name = $5
                          where case_id = $1";
const RISK: &str =
    "update caseload set version = $2, updated_at = $3, risk_level = $4 where case_id = $1";
const CONTACT: &str = "update caseload set version = $2, updated_at = $3, last_contact_on = greatest(last_contact_on, $4)
                        where case_id = $1";
const TRANSFER: &str = "update caseload set version = $2, updated_at = $3, municipality = $4, focus_area = $5, team = $6
                         where case_id = $1";
const STAGE: &str = "update caseload set version = $2, updated_at = $3, stage = $4, closed_on = $5 where case_id = $1";
const ASSIGN: &str = "insert into caseload_assignments (case_id, worker_id, worker_name, team) values ($1, $2, $3, $4)
                       on conflict do nothing";
const UNASSIGN: &str = "delete from caseload_assignments where case_id = $1 and worker_id = $2";

impl Caseload {
    async fn apply_event(
        &self,
        conn: &mut PgConnection,
        recorded: &RecordedEvent,
    ) -> Result<(), sqlx::Error> {
        use CaseEvent::*;
        let case_id = recorded.case_id.as_uuid();
        let query = match &recorded.event {
            CaseReferred(referral) => on_case(INSERT, recorded)
                .bind(referral.municipality.as_str())
                .bind(referral.focus_area.as_str())
                .bind(referral.team.as_str())
                .bind(referral.referred_on),
            LeadAssigned(assignment) if assignment.role == LeadRole::CaseLead => {
                on_case(CASE_LEAD, recorded)
                    .bind(assignment.lead.id.as_str())
                    .bind(assignment.lead.name.as_str())
            }
            RiskAssessed(assessment) => on_case(RISK, recorded).bind(code(&assessment.level)),
            ContactLogged(contact) => on_case(CONTACT, recorded).bind(contact.contacted_on),
            CaseTransferred(transfer) => on_case(TRANSFER, recorded)
                .bind(transfer.municipality.as_str())
                .bind(transfer.focus_area.as_str())
                .bind(transfer.team.as_str()),
            event => match event.stage_after() {
                Some(stage) => {
                    let closed_on = match event {
                        CaseClosed(closure) => Some(closure.closed_on),
                        _ => None,
                    };
                    on_case(STAGE, recorded)
                        .bind(stage.as_str())
                        .bind(closed_on)
                }
                None => on_case(TOUCH, recorded),
            },
        };
        query.execute(&mut *conn).await?;
        match &recorded.event {
            WorkerAssigned(worker) => {
                sqlx::query(ASSIGN)
                    .bind(case_id)
                    .bind(worker.id.as_str())
                    .bind(worker.name.as_str())
                    .bind(worker.team.as_str())
                    .execute(conn)
                    .await?;
            }
            WorkerUnassigned(unassignment) => {
                sqlx::query(UNASSIGN)
                    .bind(case_id)
                    .bind(unassignment.worker.as_str())
                    .execute(conn)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

impl View for Caseload {
    fn name(&self) -> &'static str {
        "caseload"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["caseload", "caseload_assignments"]
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(self.apply_event(conn, event))
    }
}
