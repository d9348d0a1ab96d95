//! `case_plan`: each case's goals, interventions and reviews, shared by both
//! domains. Kinds, statuses and dates only: no summaries.

use std::collections::HashMap;

use casus_domain::{CaseEvent, Goal, InterventionStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::rows::{self, code};
use crate::view::View;
use async_trait::async_trait;
use casus_store::log::RecordedEvent;

pub struct CasePlan;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct PlanRow {
    case_id: Uuid,
    version: i64,
    updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct GoalRow {
    case_id: Uuid,
    goal_id: Uuid,
    description: Option<String>,
    target_date: NaiveDate,
    achieved_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct InterventionRow {
    case_id: Uuid,
    intervention_id: Uuid,
    kind: String,
    provider: String,
    domain: String,
    status: String,
    planned_on: NaiveDate,
    started_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    outcome: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct ReviewRow {
    case_id: Uuid,
    review_id: Uuid,
    due_on: NaiveDate,
    completed_on: Option<NaiveDate>,
}

/// One case's plan while a batch is applied.
struct Plan {
    row: PlanRow,
    goals: Vec<GoalRow>,
    interventions: Vec<InterventionRow>,
    reviews: Vec<ReviewRow>,
}

impl rows::CaseRow for PlanRow {
    fn case_id(&self) -> Uuid {
        self.case_id
    }
}

impl Plan {
    fn new(row: PlanRow) -> Self {
        Self {
            row,
            goals: vec![],
            interventions: vec![],
            reviews: vec![],
        }
    }

    fn apply(&mut self, recorded: &RecordedEvent) {
        use CaseEvent::*;
        let case_id = self.row.case_id;
        self.row.version = recorded.sequence;
        self.row.updated_at = recorded.recorded_at;
        match &recorded.event {
            PlanAgreed(plan) => self.replace_goals(&plan.goals),
            PlanRevised(revision) => self.replace_goals(&revision.plan.goals),
            GoalAchieved(achievement) => {
                if let Some(goal) = self
                    .goals
                    .iter_mut()
                    .find(|g| g.goal_id == achievement.goal_id.as_uuid())
                {
                    goal.achieved_on = Some(achievement.achieved_on);
                }
            }
            // A reopened case needs a new plan.
            CaseReopened(_) => self.goals.clear(),
            InterventionPlanned(plan) => self.interventions.push(InterventionRow {
                case_id,
                intervention_id: plan.intervention_id.as_uuid(),
                kind: code(plan.kind),
                provider: plan.provider.to_string(),
                domain: code(plan.domain),
                status: InterventionStatus::Planned.to_string(),
                planned_on: plan.planned_on,
                started_on: None,
                ended_on: None,
                outcome: None,
            }),
            InterventionStarted(start) => {
                if let Some(i) = self.intervention(start.intervention_id.as_uuid()) {
                    i.status = InterventionStatus::Running.to_string();
                    i.started_on = Some(start.started_on);
                }
            }
            InterventionCompleted(completion) => {
                if let Some(i) = self.intervention(completion.intervention_id.as_uuid()) {
                    i.status = InterventionStatus::Completed.to_string();
                    i.ended_on = Some(completion.completed_on);
                    i.outcome = Some(code(completion.outcome));
                }
            }
            InterventionCancelled(cancellation) => {
                if let Some(i) = self.intervention(cancellation.intervention_id.as_uuid()) {
                    i.status = InterventionStatus::Cancelled.to_string();
                    i.ended_on = Some(cancellation.cancelled_on);
                }
            }
            ReviewScheduled(review) => self.reviews.push(ReviewRow {
                case_id,
                review_id: review.review_id.as_uuid(),
                due_on: review.due_on,
                completed_on: None,
            }),
            ReviewCompleted(completion) => {
                if let Some(r) = self
                    .reviews
                    .iter_mut()
                    .find(|r| r.review_id == completion.review_id.as_uuid())
                {
                    r.completed_on = Some(completion.completed_on);
                }
            }
            SubjectErased(_) => self.goals.iter_mut().for_each(|g| g.description = None),
            _ => {}
        }
    }

    fn intervention(&mut self, id: Uuid) -> Option<&mut InterventionRow> {
        self.interventions
            .iter_mut()
            .find(|i| i.intervention_id == id)
    }

    /// The plan's goals become exactly `goals`; an achieved goal that stays keeps its date.
    fn replace_goals(&mut self, goals: &[Goal]) {
        let achieved: HashMap<Uuid, Option<NaiveDate>> = self
            .goals
            .iter()
            .map(|g| (g.goal_id, g.achieved_on))
            .collect();
        self.goals = goals
            .iter()
            .map(|g| GoalRow {
                case_id: self.row.case_id,
                goal_id: g.goal_id.as_uuid(),
                description: g.description.expose().map(|t| t.as_str().into()),
                target_date: g.target_date,
                achieved_on: achieved.get(&g.goal_id.as_uuid()).copied().flatten(),
            })
            .collect();
    }
}

#[async_trait]
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

    fn version(&self) -> i32 {
        1
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<(), sqlx::Error> {
        let mut batch = rows::Batch::new(events);
        let headers: HashMap<Uuid, PlanRow> = batch.load_by_case(conn, "case_plan").await?;
        let mut plans: HashMap<Uuid, Plan> = headers
            .into_iter()
            .map(|(case_id, row)| (case_id, Plan::new(row)))
            .collect();
        for goal in batch.load::<GoalRow>(conn, "case_goals").await? {
            if let Some(plan) = plans.get_mut(&goal.case_id) {
                plan.goals.push(goal);
            }
        }
        for intervention in batch
            .load::<InterventionRow>(conn, "case_interventions")
            .await?
        {
            if let Some(plan) = plans.get_mut(&intervention.case_id) {
                plan.interventions.push(intervention);
            }
        }
        for review in batch.load::<ReviewRow>(conn, "case_reviews").await? {
            if let Some(plan) = plans.get_mut(&review.case_id) {
                plan.reviews.push(review);
            }
        }
        for event in events {
            let case_id = event.case_id.as_uuid();
            let plan = plans.entry(case_id).or_insert_with(|| {
                Plan::new(PlanRow {
                    case_id,
                    version: 0,
                    updated_at: event.recorded_at,
                })
            });
            plan.apply(event);
        }
        let plans: Vec<Plan> = plans.into_values().collect();
        let headers: Vec<PlanRow> = plans.iter().map(|p| p.row.clone()).collect();
        batch.store(conn, "case_plan", &headers).await?;
        let goals: Vec<GoalRow> = plans.iter().flat_map(|p| p.goals.clone()).collect();
        batch.store(conn, "case_goals", &goals).await?;
        let interventions: Vec<InterventionRow> =
            plans.iter().flat_map(|p| p.interventions.clone()).collect();
        batch
            .store(conn, "case_interventions", &interventions)
            .await?;
        let reviews: Vec<ReviewRow> = plans.iter().flat_map(|p| p.reviews.clone()).collect();
        batch.store(conn, "case_reviews", &reviews).await
    }
}
