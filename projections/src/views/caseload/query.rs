//! Supervisors' caseload: the open cases of a team or a worker, and the
//! load of each worker.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// Which open cases of a municipality to list.
#[derive(Clone, Debug, Default)]
pub struct CaseloadFilter {
    pub municipality: String,
    pub team: Option<String>,
    /// The domain and organisation of `team`: a team is known by its
    /// municipality, organisation, domain and name together.
    pub domain: Option<String>,
    pub organisation: Option<String>,
    pub worker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadEntry {
    pub case_id: Uuid,
    pub version: i64,
    pub focus_area: String,
    pub team: String,
    pub stage: String,
    pub risk_level: Option<String>,
    pub case_lead_id: Option<String>,
    pub case_lead_name: Option<String>,
    /// Assigned workers, by id.
    pub workers: Vec<String>,
    pub next_review_on: Option<NaiveDate>,
    pub review_overdue: bool,
    pub last_contact_on: Option<NaiveDate>,
    pub days_since_contact: Option<i32>,
    /// The earliest target date of a goal not yet achieved.
    pub next_target_date: Option<NaiveDate>,
    /// No worker and no case lead.
    pub unassigned: bool,
}

const CASELOAD: &str = "
select c.case_id, c.version, c.focus_area, c.team, c.stage, c.risk_level, c.case_lead_id, c.case_lead_name,
       coalesce(array_agg(a.worker_id order by a.worker_id) filter (where a.worker_id is not null), '{}') as workers,
       r.next_review_on,
       coalesce(r.next_review_on < $4, false) as review_overdue,
       c.last_contact_on,
       $4 - c.last_contact_on as days_since_contact,
       g.next_target_date,
       count(a.worker_id) = 0 and c.case_lead_id is null as unassigned
  from caseload c
  left join caseload_assignments a on a.case_id = c.case_id
  left join lateral (select min(due_on) as next_review_on from case_reviews
                      where case_id = c.case_id and completed_on is null) r on true
  left join lateral (select min(target_date) as next_target_date from case_goals
                      where case_id = c.case_id and achieved_on is null) g on true
 where c.municipality = $1
   and c.stage <> 'closed'
   and ($2::text is null or c.team = $2)
   and ($5::text is null or c.domain = $5)
   and ($6::text is null or c.organisation = $6)
   and ($3::text is null or exists (select from caseload_assignments w
                                     where w.case_id = c.case_id and w.worker_id = $3))
 group by c.case_id, r.next_review_on, g.next_target_date
 order by review_overdue desc, r.next_review_on nulls last, c.case_id";

/// The open cases of a municipality, optionally of one team or one worker,
/// overdue reviews first, as they stand on `today`.
pub async fn caseload(
    pool: &PgPool,
    filter: &CaseloadFilter,
    today: NaiveDate,
) -> Result<Vec<CaseloadEntry>, sqlx::Error> {
    filtered(CASELOAD, filter, today).fetch_all(pool).await
}

/// The open cases of one worker of a team: those they are assigned to or lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkerLoad {
    pub worker_id: String,
    pub worker_name: String,
    pub team: String,
    pub open_cases: i64,
    pub reviews_overdue: i64,
    pub high_risk: i64,
    /// Open cases without a contact for 30 days or more (or never).
    pub without_recent_contact: i64,
}

// The municipality's open cases first, then who works on them: read the
// other way round (every assignment and every lead of every municipality,
// then the join), a supervisor's dashboard cost 5-14 ms at 3,000 cases.
const WORKLOAD: &str = "
with open as (
select c.case_id, c.team, c.case_lead_id, c.process_lead_id, c.risk_level, c.last_contact_on
  from caseload c
 where c.municipality = $1
   and c.stage <> 'closed'
   and ($5::text is null or c.domain = $5)
   and ($6::text is null or c.organisation = $6)),
leads as (
select o.case_id, o.case_lead_id as worker_id, o.team from open o where o.case_lead_id is not null
union all
select o.case_id, o.process_lead_id, o.team from open o where o.process_lead_id is not null),
involved as (
select a.case_id, a.worker_id, a.worker_name, a.team
  from open o
  join caseload_assignments a on a.case_id = o.case_id
union
-- A lead counts as the bulk move moves: in the team they work in.
select l.case_id, l.worker_id, coalesce(w.name, l.worker_id), coalesce(w.team, l.team)
  from leads l
  left join workers w on w.id = l.worker_id),
busy as (
select i.worker_id, max(i.worker_name) as worker_name, i.team,
       count(distinct o.case_id) as open_cases,
       count(distinct o.case_id) filter (where exists (select from case_reviews r where r.case_id = o.case_id
                                        and r.completed_on is null and r.due_on < $4)) as reviews_overdue,
       count(distinct o.case_id) filter (where o.risk_level = 'high') as high_risk,
       count(distinct o.case_id) filter (where o.last_contact_on is null or o.last_contact_on <= $4 - 30) as without_recent_contact
  from involved i
  join open o on o.case_id = i.case_id
 where ($2::text is null or i.team = $2)
   and ($3::text is null or i.worker_id = $3)
 group by i.worker_id, i.team)
select * from busy
union all
select w.id, w.name, w.team, 0, 0, 0, 0
  from workers w
 where w.municipality = $1 and w.team is not null
   and ($2::text is null or w.team = $2)
   and ($5::text is null or w.domain = $5)
   and ($6::text is null or w.organisation = $6)
   and ($3::text is null or w.id = $3)
   and w.roles && array['case_worker', 'case_lead']
   and not exists (select from busy b where b.worker_id = w.id)
 order by team, worker_id";

/// The load of each worker in the municipality, optionally of one team or
/// one worker, on `today`: those with open cases, and the known workers of
/// the team (from their tokens) with none.
pub async fn workload(
    pool: &PgPool,
    filter: &CaseloadFilter,
    today: NaiveDate,
) -> Result<Vec<WorkerLoad>, sqlx::Error> {
    filtered(WORKLOAD, filter, today).fetch_all(pool).await
}

/// `sql` with `filter` and `today` bound as both caseload queries take them.
fn filtered<'q, O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>>(
    sql: &'q str,
    filter: &'q CaseloadFilter,
    today: NaiveDate,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    sqlx::query_as(sql)
        .bind(&filter.municipality)
        .bind(&filter.team)
        .bind(&filter.worker)
        .bind(today)
        .bind(&filter.domain)
        .bind(&filter.organisation)
}

/// The open cases of a team that `worker` is assigned to or leads.
pub async fn cases_of_worker(
    pool: &PgPool,
    municipality: &str,
    team: &str,
    domain: &str,
    organisation: &str,
    worker: &str,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "select c.case_id from caseload c
          where c.municipality = $1 and c.team = $2 and c.domain = $4 and c.organisation = $5
            and c.stage <> 'closed'
            and (c.case_lead_id = $3 or c.process_lead_id = $3
                 or exists (select from caseload_assignments a
                             where a.case_id = c.case_id and a.worker_id = $3))
          order by c.case_id",
    )
    .bind(municipality)
    .bind(team)
    .bind(worker)
    .bind(domain)
    .bind(organisation)
    .fetch_all(pool)
    .await
}

/// An open case of a young person a referral names: whom to contact about
/// it, never what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnownCase {
    pub case_id: Uuid,
    /// The young person the case is about.
    pub subject_id: Uuid,
    pub focus_area: String,
    pub team: String,
    pub organisation: Option<String>,
    pub case_lead_name: Option<String>,
}

/// The open cases in `municipality` of any of `subjects`.
pub async fn known(
    pool: &PgPool,
    subjects: &[Uuid],
    municipality: &str,
) -> Result<Vec<KnownCase>, sqlx::Error> {
    sqlx::query_as(
        "select c.case_id, s.subject_id, c.focus_area, c.team, c.organisation, c.case_lead_name
           from case_subjects s join caseload c using (case_id)
          where s.subject_id = any($1) and c.municipality = $2 and c.stage <> 'closed'
          order by s.subject_id, c.case_id",
    )
    .bind(subjects)
    .bind(municipality)
    .fetch_all(pool)
    .await
}
