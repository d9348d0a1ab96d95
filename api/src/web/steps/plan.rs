//! The plan form: agreeing the plan, and revising it. The form holds a row
//! per goal (the plan's goals as they are, and an empty row for a new one);
//! a row emptied drops its goal.

use casus_domain::{AgreedWith, GoalId};

use crate::routes::bodies::{GoalBody, PlanBody};
use crate::web::form::{text, Errors, Posted};

/// The rows the form offers. A plan of more goals than this less one (no
/// room for a new goal) is revised through the API; the form is not shown.
pub const ROWS: usize = 8;

/// Each row's fields: the goal, its target date, the id of a goal it keeps.
pub const GOAL: [&str; ROWS] = [
    "plan-doel-1",
    "plan-doel-2",
    "plan-doel-3",
    "plan-doel-4",
    "plan-doel-5",
    "plan-doel-6",
    "plan-doel-7",
    "plan-doel-8",
];
pub const TARGET: [&str; ROWS] = [
    "plan-streefdatum-1",
    "plan-streefdatum-2",
    "plan-streefdatum-3",
    "plan-streefdatum-4",
    "plan-streefdatum-5",
    "plan-streefdatum-6",
    "plan-streefdatum-7",
    "plan-streefdatum-8",
];
pub const ID: [&str; ROWS] = [
    "plan-id-1",
    "plan-id-2",
    "plan-id-3",
    "plan-id-4",
    "plan-id-5",
    "plan-id-6",
    "plan-id-7",
    "plan-id-8",
];

/// Reads the plan as the form sets it. The reason is asked for a revision;
/// whether the case has a plan to revise is the case's to say.
pub fn read(posted: &Posted, errors: &mut Errors) -> Option<PlanBody> {
    let mut goals = Vec::new();
    for row in 0..ROWS {
        let typed = posted.get(GOAL[row]).trim();
        if typed.is_empty() {
            continue;
        }
        let description = errors.read(GOAL[row], text(typed, "het doel"));
        let target = errors.day(posted, TARGET[row], "de streefdatum");
        let goal_id = match posted.get(ID[row]).trim() {
            "" => None,
            id => errors.read(
                GOAL[row],
                id.parse::<GoalId>()
                    .map_err(|_| "Dit doel hoort niet bij dit plan.".to_owned()),
            ),
        };
        if let (Some(description), Some(target_date)) = (description, target) {
            goals.push(GoalBody {
                goal_id,
                description,
                target_date,
            });
        }
    }
    if goals.is_empty() && !errors.any() {
        errors.add(GOAL[0], "Vul ten minste één doel in.");
    }
    let agreed_on = errors.day(posted, "plan-datum", "de datum van de afspraak");
    let reason = errors.optional_text(posted, "plan-reden", "de reden van de herziening");
    Some(PlanBody {
        goals,
        agreed_with: AgreedWith {
            youth: posted.has("plan-met", "youth"),
            parent_or_guardian: posted.has("plan-met", "parent_or_guardian"),
        },
        agreed_on: agreed_on?,
        reason: reason?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(fields: &[(&str, &str)]) -> Posted {
        serde_json::from_value(serde_json::json!(fields)).unwrap()
    }

    #[test]
    fn empty_rows_are_skipped_and_a_kept_goal_keeps_its_id() {
        let id = GoalId::new();
        let form = posted(&[
            ("plan-doel-1", "Gaat weer naar school"),
            ("plan-streefdatum-1", "2027-03-01"),
            ("plan-id-1", &id.to_string()),
            ("plan-doel-2", ""),
            ("plan-streefdatum-2", "2027-03-01"),
            ("plan-doel-3", "Sport bij een club"),
            ("plan-streefdatum-3", "01-06-2027"),
            ("plan-datum", "2026-11-20"),
            ("plan-reden", "Sport erbij"),
        ]);
        let mut errors = Errors::default();
        let plan = read(&form, &mut errors).unwrap();
        assert!(!errors.any(), "{:?}", errors.summary());
        assert_eq!(plan.goals.len(), 2);
        assert_eq!(plan.goals[0].goal_id, Some(id));
        assert_eq!(plan.goals[1].goal_id, None);
        assert!(plan.reason.is_some());
    }

    #[test]
    fn a_plan_without_goals_or_with_a_foreign_id_is_refused_at_the_field() {
        let mut errors = Errors::default();
        read(&posted(&[("plan-datum", "2026-11-20")]), &mut errors);
        assert_eq!(
            errors.on("plan-doel-1"),
            Some("Vul ten minste één doel in.")
        );
        let mut errors = Errors::default();
        let form = posted(&[
            ("plan-doel-2", "Doel"),
            ("plan-streefdatum-2", "2027-01-01"),
            ("plan-id-2", "geen-id"),
            ("plan-datum", "2026-11-20"),
        ]);
        read(&form, &mut errors);
        assert!(errors.on("plan-doel-2").is_some());
    }
}
