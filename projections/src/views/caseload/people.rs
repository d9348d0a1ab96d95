//! Who works on one case, as the caseload view keeps it: the workers
//! assigned, the partners involved with what each rests on, and the
//! consents recorded with their validity. Codes and dates only: the
//! provision of a legal task is sealed with the young person's data and
//! stays in the case's events.

use chrono::NaiveDate;
use serde::Serialize;
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerRow {
    pub worker_id: String,
    pub worker_name: String,
    pub team: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
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

/// Who works on `case` on `today`.
pub async fn people(
    pool: &PgPool,
    case: Uuid,
    today: NaiveDate,
) -> Result<CasePeople, sqlx::Error> {
    let handover_to: Option<Option<String>> =
        sqlx::query_scalar("select handover_to from caseload where case_id = $1")
            .bind(case)
            .fetch_optional(pool)
            .await?;
    let workers = sqlx::query_as(
        "select worker_id, worker_name, team from caseload_assignments
          where case_id = $1 order by worker_name, worker_id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?;
    let partners = sqlx::query_as(&format!(
        "select p.partner, p.domain,
                case when p.consent_id is not null then 'consent'
                     when p.basis = 'legal task' then 'legal_task'
                     else 'own_domain' end as basis,
                p.consent_id, {} as sees_case
           from caseload_partners p where p.case_id = $1 order by p.partner",
        sharing("$2")
    ))
    .bind(case)
    .bind(today)
    .fetch_all(pool)
    .await?;
    let consents = sqlx::query_as(
        "select consent_id, partner, given_on, valid_until, withdrawn_on,
                given_on <= $2::date
                and (valid_until is null or $2::date <= valid_until)
                and (withdrawn_on is null or $2::date < withdrawn_on) as holds
           from caseload_consents where case_id = $1 order by given_on, consent_id",
    )
    .bind(case)
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(CasePeople {
        handover_to: handover_to.flatten(),
        workers,
        partners,
        consents,
    })
}
