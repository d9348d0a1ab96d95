//! What a supervisor's dashboard shows beyond the open cases: the team's
//! inflow and outflow per month, and the consents about to lapse.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use super::query::CaseloadFilter;

/// Cases referred and closed in a month.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MonthFlow {
    /// The month's first day.
    pub month: NaiveDate,
    pub referred: i64,
    pub closed: i64,
}

/// The cases of `filter`'s team referred and closed in each month from
/// `from` (a first day) through `to`'s month, every month listed.
pub async fn flow(
    pool: &PgPool,
    filter: &CaseloadFilter,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MonthFlow>, sqlx::Error> {
    sqlx::query_as(
        "with team as (
           select referred_on, closed_on from caseload c
            where c.municipality = $1 and ($2::text is null or c.team = $2)
              and ($3::text is null or c.domain = $3)
              and ($4::text is null or c.organisation = $4))
         select m::date as month,
                (select count(*) from team where date_trunc('month', referred_on) = m) as referred,
                (select count(*) from team where date_trunc('month', closed_on) = m) as closed
           from generate_series(date_trunc('month', $5::date), date_trunc('month', $6::date),
                                interval '1 month') m
          order by m",
    )
    .bind(&filter.municipality)
    .bind(&filter.team)
    .bind(&filter.domain)
    .bind(&filter.organisation)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
}

/// The open cases of `filter`'s team with a consent, not withdrawn, whose
/// end falls from `today` through `until`.
pub async fn consents_ending(
    pool: &PgPool,
    filter: &CaseloadFilter,
    today: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "select distinct c.case_id from caseload c
           join caseload_consents k on k.case_id = c.case_id
          where c.municipality = $1 and ($2::text is null or c.team = $2)
            and ($3::text is null or c.domain = $3)
            and ($4::text is null or c.organisation = $4)
            and c.stage <> 'closed' and k.withdrawn_on is null
            and k.valid_until between $5 and $6
          order by c.case_id",
    )
    .bind(&filter.municipality)
    .bind(&filter.team)
    .bind(&filter.domain)
    .bind(&filter.organisation)
    .bind(today)
    .bind(until)
    .fetch_all(pool)
    .await
}
