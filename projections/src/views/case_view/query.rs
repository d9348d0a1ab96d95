//! A domain's view of cases: the list, one case with its plan, its timeline.
//! The domain picks the table (`social_case_view` or `justice_case_view`)
//! and the timeline's detail column, so a reader never gets the other
//! domain's content.

use casus_domain::Domain;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::views::caseload::people::{people, CasePeople};
use crate::views::caseload::scope::{reach_condition, Reach};

fn view_table(domain: Domain) -> &'static str {
    match domain {
        Domain::Social => "social_case_view",
        Domain::Justice => "justice_case_view",
    }
}

/// A case as its domain's view shows it. Fields the domain may not see are left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseOverview {
    pub case_id: Uuid,
    /// The case's version this view reflects: the sequence of its last event.
    pub version: i64,
    pub municipality: String,
    pub focus_area: String,
    pub team: String,
    /// The domain of the team that holds the case.
    pub holding_domain: String,
    pub stage: String,
    pub subject_id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    /// The young person's data has been erased.
    pub erased: bool,
    pub referred_on: NaiveDate,
    pub referred_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral_goal: Option<String>,
    pub triage_decision: Option<String>,
    pub case_lead_id: Option<String>,
    pub case_lead_name: Option<String>,
    pub process_lead_id: Option<String>,
    pub process_lead_name: Option<String>,
    pub risk_level: Option<String>,
    pub risk_assessed_on: Option<NaiveDate>,
    pub last_contact_on: Option<NaiveDate>,
    /// Social domain only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_contact_summary: Option<String>,
    pub last_signal_kind: Option<String>,
    pub last_signal_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_signal_summary: Option<String>,
    pub escalated_to: Option<String>,
    pub escalated_on: Option<NaiveDate>,
    /// Justice domain only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub result: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalRow {
    pub goal_id: Uuid,
    pub description: Option<String>,
    pub target_date: NaiveDate,
    pub achieved_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterventionRow {
    pub intervention_id: Uuid,
    pub kind: String,
    pub provider: String,
    pub domain: String,
    pub status: String,
    pub planned_on: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub outcome: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRow {
    pub review_id: Uuid,
    pub due_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

/// One case: its overview and its plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    #[serde(flatten)]
    pub overview: CaseOverview,
    pub goals: Vec<GoalRow>,
    pub interventions: Vec<InterventionRow>,
    pub reviews: Vec<ReviewRow>,
    /// Who works on it, and on what ground.
    pub people: CasePeople,
}

/// The case as `domain` sees it on `today`; `None` if the view does not have it (yet).
pub async fn case(
    pool: &PgPool,
    domain: Domain,
    case: Uuid,
    today: NaiveDate,
) -> Result<Option<CaseDetail>, sqlx::Error> {
    let sql = format!("select * from {} where case_id = $1", view_table(domain));
    let Some(overview) = sqlx::query_as::<_, CaseOverview>(&sql)
        .bind(case)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let goals = sqlx::query_as(
        "select goal_id, description, target_date, achieved_on from case_goals
          where case_id = $1 order by target_date, goal_id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?;
    let interventions = sqlx::query_as(
        "select intervention_id, kind, provider, domain, status, planned_on, started_on, ended_on, outcome
           from case_interventions where case_id = $1 order by planned_on, intervention_id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?;
    let reviews = sqlx::query_as(
        "select review_id, due_on, completed_on from case_reviews
          where case_id = $1 order by due_on, review_id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?;
    let people = people(pool, case, today).await?;
    Ok(Some(CaseDetail {
        overview,
        goals,
        interventions,
        reviews,
        people,
    }))
}

/// Which cases to list, besides the caller's reach.
#[derive(Clone, Debug, Default)]
pub struct CaseListFilter {
    pub stage: Option<String>,
    /// Assigned to or led by this worker.
    pub assignee: Option<String>,
    pub team: Option<String>,
    pub focus_area: Option<String>,
    /// Only cases whose next review is (or is not) overdue.
    pub review_overdue: Option<bool>,
    /// Only cases with an open goal due on or before this date.
    pub target_before: Option<NaiveDate>,
    /// Only cases of these young people (a search of the blind index).
    pub subjects: Option<Vec<Uuid>>,
    /// Continue after this case (the cursor).
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// A line of the case list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub case_id: Uuid,
    pub version: i64,
    pub stage: String,
    pub municipality: String,
    pub focus_area: String,
    pub team: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    pub erased: bool,
    pub case_lead_id: Option<String>,
    pub case_lead_name: Option<String>,
    pub risk_level: Option<String>,
    pub referred_on: NaiveDate,
    pub last_contact_on: Option<NaiveDate>,
    pub next_review_on: Option<NaiveDate>,
    pub review_overdue: bool,
    /// The earliest target date of a goal not yet achieved.
    pub next_target_date: Option<NaiveDate>,
}

/// The cases within `reach` that match `filter`, in case order (oldest
/// first), at most `filter.limit`, as `domain` sees them on `today`.
pub async fn list(
    pool: &PgPool,
    domain: Domain,
    reach: &Reach,
    filter: &CaseListFilter,
    today: NaiveDate,
) -> Result<Vec<CaseSummary>, sqlx::Error> {
    // The cases in reach are found in the caseload first and the page is
    // then read from the view by its key, in key order. Joined the other way,
    // the planner walks the whole view in key order when it expects the
    // reach to be met early; a team whose cases are the newest in a
    // municipality then costs a scan of every case (87-160 ms at 3,000 cases).
    let sql = format!(
        "select v.case_id, v.version, v.stage, v.municipality, v.focus_area, v.team, v.subject_name,
                v.date_of_birth, v.erased, v.case_lead_id, v.case_lead_name, v.risk_level, v.referred_on,
                v.last_contact_on, r.next_review_on,
                (v.stage <> 'closed' and coalesce(r.next_review_on < $1, false)) as review_overdue, g.next_target_date
           from {view} v
           left join lateral (select min(due_on) as next_review_on from case_reviews
                               where case_id = v.case_id and completed_on is null) r on true
           left join lateral (select min(target_date) as next_target_date from case_goals
                               where case_id = v.case_id and achieved_on is null) g on true
          where v.case_id = any(array(
                    select c.case_id from caseload c
                     where {reach}
                       and ($11::text is null or c.case_lead_id = $11
                            or exists (select from caseload_assignments a
                                        where a.case_id = c.case_id and a.worker_id = $11))
                       and ($12::text is null or c.team = $12)
                       and ($13::text is null or c.focus_area = $13)
                       and ($16::uuid is null or c.case_id > $16)))
            and ($10::text is null or v.stage = $10)
            and ($14::boolean is null
                 or (v.stage <> 'closed' and coalesce(r.next_review_on < $1, false)) = $14)
            and ($15::date is null or g.next_target_date <= $15)
            and ($16::uuid is null or v.case_id > $16)
            and ($18::uuid[] is null or v.subject_id = any($18))
          order by v.case_id
          limit $17",
        view = view_table(domain),
        reach = reach_condition(2, "$1"),
    );
    sqlx::query_as(&sql)
        .bind(today)
        .bind(&reach.municipality)
        .bind(reach.whole_municipality)
        .bind(&reach.team)
        .bind(&reach.domain)
        .bind(&reach.organisation)
        .bind(&reach.worker)
        .bind(&reach.partner)
        .bind(&reach.receiving)
        .bind(&filter.stage)
        .bind(&filter.assignee)
        .bind(&filter.team)
        .bind(&filter.focus_area)
        .bind(filter.review_overdue)
        .bind(filter.target_before)
        .bind(filter.after)
        .bind(filter.limit)
        .bind(&filter.subjects)
        .fetch_all(pool)
        .await
}

/// Every closed case, as the social view shows it (each case is in both
/// domains' views alike in this): for the retention periods.
pub async fn closed(pool: &PgPool) -> Result<casus_store::privacy::retention::Closed, sqlx::Error> {
    let rows: Vec<(Uuid, NaiveDate, String, bool)> = sqlx::query_as(
        "select case_id, closed_on, result, erased from social_case_view
          where closed_on is not null and result is not null",
    )
    .fetch_all(pool)
    .await?;
    let mut closed = casus_store::privacy::retention::Closed::default();
    for (case_id, closed_on, result, erased) in rows {
        closed.case_ids.push(case_id);
        closed.closed_on.push(closed_on);
        closed.results.push(result);
        closed.erased.push(erased);
    }
    Ok(closed)
}
