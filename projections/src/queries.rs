//! Reading the views. What depends on today's date (a review overdue, days
//! since the last contact) is worked out when read, never stored: a stored
//! flag would go stale on a day without events.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

/// Which open cases of a municipality to list.
#[derive(Clone, Debug, Default)]
pub struct CaseloadFilter {
    pub municipality: String,
    pub team: Option<String>,
    pub worker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
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
    sqlx::query_as(CASELOAD)
        .bind(&filter.municipality)
        .bind(&filter.team)
        .bind(&filter.worker)
        .bind(today)
        .fetch_all(pool)
        .await
}
