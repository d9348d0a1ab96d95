//! Which young people are past their retention period: every case about
//! them closed, each kept its result's period (`retention_periods`) by then.
//! When and how each case closed is the views' knowledge; the caller passes
//! it in (`Closed`), so the store reads only its own tables.

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

/// The closed cases, as the views show them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Closed {
    pub case_ids: Vec<Uuid>,
    pub closed_on: Vec<NaiveDate>,
    pub results: Vec<String>,
    /// Whether the case's young person was erased already.
    pub erased: Vec<bool>,
}

/// The young people due for erasure on `as_of`, their key not yet destroyed.
/// A case not among `closed` keeps its subject; so does a result without a
/// period.
pub async fn due(
    pool: &PgPool,
    closed: &Closed,
    as_of: NaiveDate,
) -> Result<Vec<Due>, sqlx::Error> {
    sqlx::query_as(
        "select s.subject_id, count(*) as cases,
                array_agg(s.case_id::text || ' (' || s.municipality || ')' order by s.case_id) as case_ids,
                max(v.closed_on) as last_closed,
                max((v.closed_on + p.keep)::date) as kept_until,
                array_agg(distinct v.result) as results
           from case_subjects s
           join subject_keys k on k.subject_id = s.subject_id and k.wrapped is not null
           left join unnest($2::uuid[], $3::date[], $4::text[], $5::boolean[])
                  as v(case_id, closed_on, result, erased) on v.case_id = s.case_id
           left join retention_periods p on p.result = v.result
          group by s.subject_id
         having bool_and(v.closed_on is not null and p.keep is not null and not v.erased)
            and max((v.closed_on + p.keep)::date) <= $1
          order by max(v.closed_on), s.subject_id",
    )
    .bind(as_of)
    .bind(&closed.case_ids)
    .bind(&closed.closed_on)
    .bind(&closed.results)
    .bind(&closed.erased)
    .fetch_all(pool)
    .await
}
