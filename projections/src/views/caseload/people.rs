//! Who works on one case, as the caseload view keeps it: the workers
//! assigned, the partners involved with what each rests on, and the
//! consents recorded with their validity. Codes and dates only: the
//! provision of a legal task is sealed with the young person's data and
//! stays in the case's events.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::PgPool;
use uuid::Uuid;

use super::scope::sharing;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePeople {
    /// The municipality a proposed handover would move the case to.
    pub handover_to: Option<String>,
    pub workers: Vec<WorkerRow>,
    pub partners: Vec<PartnerRow>,
    pub consents: Vec<ConsentRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerRow {
    pub worker_id: String,
    pub worker_name: String,
    pub team: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerRow {
    pub partner: String,
    pub domain: String,
    /// What the involvement rests on: `consent`, `legal_task`, or
    /// `own_domain` (a partner of the case's own domain needs no more).
    pub basis: String,
    /// The consent it rests on, if it does.
    pub consent_id: Option<Uuid>,
    /// Whether the partner may see the case today (its basis holds).
    pub sees_case: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRow {
    pub consent_id: Uuid,
    pub partner: String,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    /// Whether it holds today: given, not expired, not withdrawn.
    pub holds: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    handover_to: Option<String>,
    workers: Json<Vec<WorkerRow>>,
    partners: Json<Vec<PartnerRow>>,
    consents: Json<Vec<ConsentRow>>,
}

/// Who works on `case` on `today`, in one query. Empty while the caseload
/// view does not have the case yet.
pub async fn people(
    pool: &PgPool,
    case: Uuid,
    today: NaiveDate,
) -> Result<CasePeople, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
            "select c.handover_to,
                    coalesce((select json_agg(json_build_object(
                                'worker_id', a.worker_id, 'worker_name', a.worker_name, 'team', a.team)
                                order by a.worker_name, a.worker_id)
                                from caseload_assignments a where a.case_id = c.case_id), '[]') as workers,
                    coalesce((select json_agg(json_build_object(
                                'partner', p.partner, 'domain', p.domain,
                                'basis', case when p.consent_id is not null then 'consent'
                                              when p.basis = 'legal task' then 'legal_task'
                                              else 'own_domain' end,
                                'consent_id', p.consent_id, 'sees_case', {sharing})
                                order by p.partner)
                                from caseload_partners p where p.case_id = c.case_id), '[]') as partners,
                    coalesce((select json_agg(json_build_object(
                                'consent_id', g.consent_id, 'partner', g.partner,
                                'given_on', g.given_on, 'valid_until', g.valid_until,
                                'withdrawn_on', g.withdrawn_on,
                                'holds', g.given_on <= $2::date
                                         and (g.valid_until is null or $2::date <= g.valid_until)
                                         and (g.withdrawn_on is null or $2::date < g.withdrawn_on))
                                order by g.given_on, g.consent_id)
                                from caseload_consents g where g.case_id = c.case_id), '[]') as consents
               from caseload c where c.case_id = $1",
            sharing = sharing("$2")
        ))
        .bind(case)
        .bind(today)
        .fetch_optional(pool)
        .await?;
    Ok(row.map_or_else(CasePeople::default, |row| CasePeople {
        handover_to: row.handover_to,
        workers: row.workers.0,
        partners: row.partners.0,
        consents: row.consents.0,
    }))
}
