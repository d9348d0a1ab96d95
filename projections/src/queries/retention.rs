//! Which young people are past their retention period: every case about
//! them closed, each kept its result's period (`retention_periods`) by then.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

/// A young person due for erasure.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Due {
    pub subject_id: Uuid,
    pub cases: i64,
    /// Each case as `<case id> (<municipality>)`, for the operator to recognise.
    pub case_ids: Vec<String>,
    pub last_closed: NaiveDate,
    /// The day the last case's period ended.
    pub kept_until: NaiveDate,
    pub results: Vec<String>,
}

/// The young people due for erasure on `as_of`, their key not yet destroyed.
/// A case the view does not show closed (or not yet at all) keeps its
/// subject; so does a result without a period.
pub async fn due(pool: &PgPool, as_of: NaiveDate) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "select s.subject_id, count(*) as cases,
                array_agg(s.case_id::text || ' (' || s.municipality || ')' order by s.case_id) as case_ids,
                max(v.closed_on) as last_closed,
                max((v.closed_on + p.keep)::date) as kept_until,
                array_agg(distinct v.result) as results
           from case_subjects s
           join subject_keys k on k.subject_id = s.subject_id and k.wrapped is not null
           left join social_case_view v on v.case_id = s.case_id
           left join retention_periods p on p.result = v.result
          group by s.subject_id
         having bool_and(v.closed_on is not null and p.keep is not null and not v.erased)
            and max((v.closed_on + p.keep)::date) <= $1
          order by max(v.closed_on), s.subject_id",
    )
    .bind(as_of)
    .fetch_all(pool)
    .await
}
