//! `case_plan`: each case's goals, interventions and reviews, shared by both
//! domains. Kinds, statuses and dates only: no summaries.

use casus_domain::{CaseEvent, Goal};
use futures::future::BoxFuture;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::event::RecordedEvent;
use crate::view::{code, View};

pub struct CasePlan;

impl CasePlan {
    async fn apply_event(
        &self,
        conn: &mut PgConnection,
        recorded: &RecordedEvent,
    ) -> Result<(), sqlx::Error> {
        use CaseEvent::*;
        let case_id = recorded.case_id.as_uuid();
        sqlx::query(
            "insert into case_plan (case_id, version, updated_at) values ($1, $2, $3)
             on conflict (case_id) do update set version = excluded.version, updated_at = excluded.updated_at",
        )
        .bind(case_id)
        .bind(recorded.sequence)
        .bind(recorded.recorded_at)
        .execute(&mut *conn)
        .await?;
        match &recorded.event {
            PlanAgreed(plan) => replace_goals(conn, case_id, &plan.goals).await?,
            PlanRevised(revision) => replace_goals(conn, case_id, &revision.plan.goals).await?,
            GoalAchieved(achievement) => {
                sqlx::query(
                    "update case_goals set achieved_on = $3 where case_id = $1 and goal_id = $2",
                )
                .bind(case_id)
                .bind(achievement.goal_id.as_uuid())
                .bind(achievement.achieved_on)
                .execute(conn)
                .await?;
            }
            CaseReopened(_) => {
                sqlx::query("delete from case_goals where case_id = $1")
                    .bind(case_id)
                    .execute(conn)
                    .await?;
            }
            InterventionPlanned(plan) => {
                sqlx::query(
                    "insert into case_interventions (case_id, intervention_id, kind, provider, domain, status, planned_on)
                     values ($1, $2, $3, $4, $5, 'planned', $6) on conflict do nothing",
                )
                .bind(case_id)
                .bind(plan.intervention_id.as_uuid())
                .bind(code(&plan.kind))
                .bind(plan.provider.as_str())
                .bind(code(&plan.domain))
                .bind(plan.planned_on)
                .execute(conn)
                .await?;
            }
            InterventionStarted(start) => {
                sqlx::query(START_INTERVENTION)
                    .bind(case_id)
                    .bind(start.intervention_id.as_uuid())
                    .bind(start.started_on)
                    .execute(conn)
                    .await?;
            }
            InterventionCompleted(completion) => {
                sqlx::query(COMPLETE_INTERVENTION)
                    .bind(case_id)
                    .bind(completion.intervention_id.as_uuid())
                    .bind(completion.completed_on)
                    .bind(code(&completion.outcome))
                    .execute(conn)
                    .await?;
            }
            InterventionCancelled(cancellation) => {
                sqlx::query(CANCEL_INTERVENTION)
                    .bind(case_id)
                    .bind(cancellation.intervention_id.as_uuid())
                    .bind(cancellation.cancelled_on)
                    .execute(conn)
                    .await?;
            }
            ReviewScheduled(review) => {
                sqlx::query("insert into case_reviews (case_id, review_id, due_on) values ($1, $2, $3) on conflict do nothing")
                    .bind(case_id)
                    .bind(review.review_id.as_uuid())
                    .bind(review.due_on)
                    .execute(conn)
                    .await?;
            }
            ReviewCompleted(completion) => {
                sqlx::query("update case_reviews set completed_on = $3 where case_id = $1 and review_id = $2")
                    .bind(case_id)
                    .bind(completion.review_id.as_uuid())
                    .bind(completion.completed_on)
                    .execute(conn)
                    .await?;
            }
            SubjectErased(_) => {
                sqlx::query("update case_goals set description = null where case_id = $1")
                    .bind(case_id)
                    .execute(conn)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }
}

const START_INTERVENTION: &str = "update case_interventions set status = 'running', started_on = $3
                                   where case_id = $1 and intervention_id = $2";
const COMPLETE_INTERVENTION: &str =
    "update case_interventions set status = 'completed', ended_on = $3, outcome = $4
                                      where case_id = $1 and intervention_id = $2";
const CANCEL_INTERVENTION: &str =
    "update case_interventions set status = 'cancelled', ended_on = $3
                                    where case_id = $1 and intervention_id = $2";

/// The plan's goals become exactly `goals`; an achieved goal that stays keeps its date.
async fn replace_goals(
    conn: &mut PgConnection,
    case_id: Uuid,
    goals: &[Goal],
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = goals.iter().map(|g| g.goal_id.as_uuid()).collect();
    let descriptions: Vec<&str> = goals
        .iter()
        .map(|g| g.description.expose().as_str())
        .collect();
    let targets: Vec<chrono::NaiveDate> = goals.iter().map(|g| g.target_date).collect();
    sqlx::query("delete from case_goals where case_id = $1 and goal_id <> all($2)")
        .bind(case_id)
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into case_goals (case_id, goal_id, description, target_date)
         select $1, * from unnest($2::uuid[], $3::text[], $4::date[])
         on conflict (case_id, goal_id) do update
            set description = excluded.description, target_date = excluded.target_date",
    )
    .bind(case_id)
    .bind(&ids)
    .bind(&descriptions)
    .bind(&targets)
    .execute(conn)
    .await?;
    Ok(())
}

impl View for CasePlan {
    fn name(&self) -> &'static str {
        "case_plan"
    }

    fn tables(&self) -> &'static [&'static str] {
        &[
            "case_plan",
            "case_goals",
            "case_interventions",
            "case_reviews",
        ]
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, Result<(), sqlx::Error>> {
        Box::pin(self.apply_event(conn, event))
    }
}
