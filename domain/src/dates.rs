//! Which dates a command may carry. What happened (a contact, a withdrawal,
//! a referral) lies between 1900 and today; what is planned ahead (a goal's
//! target, a review, a consent's end) lies before a horizon of ten years
//! from today. The bounds are the case's rules, and they also keep every
//! stored date within what the views (PostgreSQL's `date`) can hold: one
//! event a view cannot apply would stop that view for every case.

use chrono::{Months, NaiveDate};

use crate::commands::CaseCommand;
use crate::error::CaseError;

/// The earliest date any command may carry.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(day) => day,
    None => unreachable!(),
};

/// How far ahead a planned date may lie.
pub const HORIZON_YEARS: u32 = 10;

/// Whether a date says when something happened or when it is planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Happened,
    Planned,
}

/// A date out of its range: the field as the request names it, and the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateRule {
    pub field: &'static str,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

impl std::fmt::Display for DateRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` must lie between {} and {}",
            self.field, self.earliest, self.latest
        )
    }
}

/// The latest date of its kind, judged on `today`.
pub fn latest(when: When, today: NaiveDate) -> NaiveDate {
    match when {
        When::Happened => today,
        When::Planned => today
            .checked_add_months(Months::new(12 * HORIZON_YEARS))
            .unwrap_or(today),
    }
}

/// Refuses a command with a date outside its range on `today`.
pub fn check(command: &CaseCommand, today: NaiveDate) -> Result<(), CaseError> {
    for (field, date, when) in dates(command) {
        let latest = latest(when, today);
        if date < EARLIEST || date > latest {
            return Err(CaseError::DateOutOfRange(DateRule {
                field,
                earliest: EARLIEST,
                latest,
            }));
        }
    }
    Ok(())
}

/// Every date a command carries, with its field's name in the request.
fn dates(command: &CaseCommand) -> Vec<(&'static str, NaiveDate, When)> {
    use CaseCommand::*;
    use When::*;
    let mut dates = Vec::new();
    match command {
        ReferCase(r) => {
            dates.push(("referred_on", r.referred_on, Happened));
            if let Some(details) = r.details.expose() {
                dates.push(("subject.date_of_birth", details.date_of_birth, Happened));
            }
        }
        RecordSignal(s) => dates.push(("occurred_on", s.occurred_on, Happened)),
        DecideTriage(t) => dates.push(("decided_on", t.decided_on, Happened)),
        AddInformation(i) => dates.push(("added_on", i.added_on, Happened)),
        IncludeCase(i) => dates.push(("included_on", i.included_on, Happened)),
        AssignLead(_) | AssignWorker(_) | UnassignWorker(_) | ReassignWorker(_) => {}
        AssessRisk {
            assessment,
            next_review,
        } => {
            dates.push(("assessed_on", assessment.assessed_on, Happened));
            if let Some(review) = next_review {
                dates.push(("next_review.due_on", review.due_on, Planned));
            }
        }
        AgreePlan(plan) => plan_dates(plan, &mut dates),
        RevisePlan(revision) => plan_dates(&revision.plan, &mut dates),
        SetPlan(setting) => plan_dates(&setting.plan, &mut dates),
        AchieveGoal(a) => dates.push(("achieved_on", a.achieved_on, Happened)),
        PlanIntervention(p) => {
            dates.push(("planned_on", p.planned_on, Planned));
            if let Some(halt) = &p.halt {
                dates.push(("halt.confession_on", halt.confession_on, Happened));
            }
        }
        StartIntervention(s) => dates.push(("started_on", s.started_on, Happened)),
        CompleteIntervention(c) => dates.push(("completed_on", c.completed_on, Happened)),
        CancelIntervention(c) => dates.push(("cancelled_on", c.cancelled_on, Happened)),
        LogContact(c) => dates.push(("contacted_on", c.contacted_on, Happened)),
        AddNote(_) => {}
        RecordConsent(c) => {
            dates.push(("given_on", c.given_on, Happened));
            if let Some(until) = c.valid_until {
                dates.push(("valid_until", until, Planned));
            }
        }
        WithdrawConsent(w) => dates.push(("withdrawn_on", w.withdrawn_on, Happened)),
        InvolvePartner(p) => dates.push(("involved_on", p.involved_on, Happened)),
        HoldConference(c) => dates.push(("held_on", c.held_on, Happened)),
        ScheduleReview(r) => dates.push(("due_on", r.due_on, Planned)),
        CompleteReview {
            completion,
            next_review,
        } => {
            dates.push(("completed_on", completion.completed_on, Happened));
            if let Some(review) = next_review {
                dates.push(("next_review.due_on", review.due_on, Planned));
            }
        }
        Escalate(e) => dates.push(("escalated_on", e.escalated_on, Happened)),
        TransferCase(t) => dates.push(("transferred_on", t.transferred_on, Happened)),
        ProposeHandover(p) => dates.push(("proposed_on", p.proposed_on, Happened)),
        AcceptHandover(a) => dates.push(("accepted_on", a.accepted_on, Happened)),
        DeclineHandover(d) => dates.push(("declined_on", d.declined_on, Happened)),
        StartAftercare(a) => dates.push(("started_on", a.started_on, Happened)),
        CloseCase(c) => dates.push(("closed_on", c.closed_on, Happened)),
        ReopenCase(r) => dates.push(("reopened_on", r.reopened_on, Happened)),
        CorrectEntry(c) => dates.extend(c.contacted_on.map(|on| ("contacted_on", on, Happened))),
        EraseSubject(e) => dates.push(("erased_on", e.erased_on, Happened)),
    }
    dates
}

fn plan_dates(plan: &crate::records::Plan, dates: &mut Vec<(&'static str, NaiveDate, When)>) {
    dates.push(("agreed_on", plan.agreed_on, When::Happened));
    for goal in &plan.goals {
        dates.push(("goals[].target_date", goal.target_date, When::Planned));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContactKind;
    use crate::personal::Personal;
    use crate::records::{Contact, Review};
    use crate::values::Text;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn contact(on: NaiveDate) -> CaseCommand {
        CaseCommand::LogContact(Contact {
            kind: ContactKind::Phone,
            with_whom: vec![],
            contacted_on: on,
            summary: Personal::new(Text::parse("called").unwrap()),
        })
    }

    #[test]
    fn what_happened_lies_between_1900_and_today() {
        let today = day(2026, 11, 29);
        assert_eq!(check(&contact(today), today), Ok(()));
        assert_eq!(check(&contact(EARLIEST), today), Ok(()));
        for bad in [
            day(2026, 11, 30),
            day(1899, 12, 31),
            day(0, 1, 1),
            day(-1, 1, 1),
            day(10000, 1, 1),
        ] {
            let Err(CaseError::DateOutOfRange(rule)) = check(&contact(bad), today) else {
                panic!("{bad} was accepted");
            };
            assert_eq!(rule.field, "contacted_on");
            assert_eq!(rule.latest, today);
        }
    }

    #[test]
    fn what_is_planned_lies_within_ten_years() {
        let today = day(2026, 11, 29);
        let review = |on| {
            CaseCommand::ScheduleReview(Review {
                review_id: crate::ReviewId::new(),
                due_on: on,
            })
        };
        assert_eq!(check(&review(day(2036, 11, 29)), today), Ok(()));
        let Err(CaseError::DateOutOfRange(rule)) = check(&review(day(2036, 11, 30)), today) else {
            panic!("a review eleven years ahead was accepted");
        };
        assert_eq!(rule.field, "due_on");
        assert_eq!(
            rule.to_string(),
            "`due_on` must lie between 1900-01-01 and 2036-11-29"
        );
    }
}
