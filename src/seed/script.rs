//! One case's life, as a plausible sequence of commands with who gave them:
//! referral, triage (most taken on), inclusion, leads and workers, a risk
//! assessment, consents and partners, a plan, interventions, contacts,
//! notes, reviews, now and then an escalation, and for most a closure.

use casus_domain::*;
use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

use super::people::*;

/// The commands of one case as of the day `as_of`, in order. About a third
/// of the cases are open: referred up to ten months before, with contacts
/// until the last days and a review due soon (some overdue), as a real
/// caseload looks; the others were closed in the five years before. A few
/// commands will be refused by the case's rules (or fall after `as_of`);
/// the caller skips those, as a worker would correct a mistake.
pub fn case(
    rng: &mut StdRng,
    programme: &Programme,
    places: &Places,
    as_of: NaiveDate,
) -> Vec<Step> {
    let team = Team::pick(rng, programme, places);
    let worker = team.workers[rng.gen_range(0..team.workers.len())].clone();
    let lead = team.workers[rng.gen_range(0..team.workers.len())].clone();
    let as_worker = team.by(&worker, Role::CaseWorker);
    let as_lead = team.by(&lead, Role::CaseLead);
    let open = rng.gen_bool(0.35);
    // A closed case's whole life (at most about 420 days) lies before `as_of`.
    let start = as_of
        - Days::new(if open {
            rng.gen_range(30..=240)
        } else {
            rng.gen_range(430..=1800)
        });
    let mut day = start;
    let mut next = |rng: &mut StdRng, gap: u64| {
        day = day + Days::new(rng.gen_range(1..=gap));
        day
    };
    let age = rng.gen_range(10..=22);
    let born = start - Days::new(age * 365 + rng.gen_range(0..300));
    let name = format!(
        "{} {}",
        FIRST_NAMES.choose(rng).expect("names"),
        LAST_NAMES.choose(rng).expect("names")
    );
    let mut steps: Vec<Step> = vec![(
        CaseCommand::ReferCase(Referral {
            subject: SubjectId::from_uuid(uuid_from(rng)),
            details: Personal::new(SubjectDetails {
                name: text(&name),
                date_of_birth: born,
                address: None,
                bsn: None,
            }),
            municipality: team.area.municipality.clone(),
            focus_area: team.area.code.clone(),
            team: team.id.clone(),
            domain: team.domain,
            organisation: team.organisation(),
            referred_by: code(OrganisationId::parse, "politie".into()),
            reason: personal("repeated nuisance and school absence"),
            goal: personal("stop the nuisance, back to school"),
            referred_on: start,
        }),
        as_worker.clone(),
    )];
    let kinds = [
        SignalKind::PoliceContact,
        SignalKind::SchoolAbsence,
        SignalKind::Nuisance,
        SignalKind::Family,
    ];
    for _ in 0..rng.gen_range(1..=3) {
        let kind = *kinds.choose(rng).expect("kinds");
        let on = next(rng, 5);
        steps.push((
            CaseCommand::RecordSignal(Signal {
                kind,
                source_org: code(OrganisationId::parse, "politie".into()),
                source_domain: if kind == SignalKind::PoliceContact {
                    Domain::Justice
                } else {
                    Domain::Social
                },
                occurred_on: on,
                summary: Some(personal("seen with older boys at the station at night")),
            }),
            as_worker.clone(),
        ));
    }
    let take_on = rng.gen_bool(0.85);
    steps.push((
        CaseCommand::DecideTriage(Triage {
            decision: if take_on {
                TriageDecision::TakeOn
            } else {
                TriageDecision::AdviceOnly
            },
            decided_by: personal("triage meeting"),
            decided_on: next(rng, 7),
        }),
        as_worker.clone(),
    ));
    if !take_on {
        steps.push((
            CaseCommand::CloseCase(Closure {
                result: CaseResult::AdviceGiven,
                summary: None,
                closed_on: next(rng, 7),
            }),
            as_worker.clone(),
        ));
        return steps;
    }
    steps.push((
        CaseCommand::IncludeCase(Inclusion {
            included_on: next(rng, 7),
        }),
        as_worker.clone(),
    ));
    steps.push((
        CaseCommand::AssignLead(LeadAssignment {
            role: LeadRole::CaseLead,
            lead: lead.clone(),
        }),
        as_lead.clone(),
    ));
    steps.push((CaseCommand::AssignWorker(worker.clone()), as_lead.clone()));
    let level = *[RiskLevel::Low, RiskLevel::Medium, RiskLevel::High]
        .choose(rng)
        .expect("levels");
    let assessed_on = next(rng, 10);
    let first_review = ReviewId::from_uuid(uuid_from(rng));
    let score = |rng: &mut StdRng| Score::parse(rng.gen_range(0..=4)).expect("a score");
    steps.push((
        CaseCommand::AssessRisk {
            assessment: RiskAssessment {
                instrument: personal("LIJ"),
                level,
                scores: AreaScores {
                    school: score(rng),
                    family: score(rng),
                    peers: score(rng),
                    substance_use: score(rng),
                    offending: score(rng),
                },
                rationale: personal("truancy and a worrying group of friends"),
                assessed_on,
            },
            next_review: Some(Review {
                review_id: first_review,
                due_on: assessed_on + Days::new(21),
            }),
        },
        as_lead.clone(),
    ));
    let goals: Vec<Goal> = (0..rng.gen_range(1..=3))
        .map(|n| Goal {
            goal_id: GoalId::from_uuid(uuid_from(rng)),
            description: personal(
                [
                    "attends school 90% of the time",
                    "joins a sports club",
                    "no new police contacts",
                ][n],
            ),
            target_date: assessed_on + Days::new(rng.gen_range(60..240)),
        })
        .collect();
    steps.push((
        CaseCommand::AgreePlan(Plan {
            goals: goals.clone(),
            agreed_with: AgreedWith {
                youth: true,
                parent_or_guardian: true,
            },
            agreed_on: next(rng, 7),
        }),
        as_lead.clone(),
    ));
    let intervention_kinds = [
        InterventionKind::Mentoring,
        InterventionKind::SchoolAttendance,
        InterventionKind::SportsAndLeisure,
        InterventionKind::FamilyCoaching,
        InterventionKind::JobCoaching,
    ];
    let mut running = Vec::new();
    for _ in 0..rng.gen_range(1..=3) {
        let id = InterventionId::from_uuid(uuid_from(rng));
        let planned_on = next(rng, 10);
        steps.push((
            CaseCommand::PlanIntervention(InterventionPlan {
                intervention_id: id,
                kind: *intervention_kinds.choose(rng).expect("kinds"),
                provider: code(OrganisationId::parse, "jongerenwerk".into()),
                domain: Domain::Social,
                planned_on,
                halt: None,
            }),
            as_lead.clone(),
        ));
        steps.push((
            CaseCommand::StartIntervention(InterventionStart {
                intervention_id: id,
                started_on: next(rng, 14),
            }),
            as_worker.clone(),
        ));
        running.push(id);
    }
    // An open case is visited until these last days; a closed one was a while.
    let contacts = if open { 40 } else { rng.gen_range(3..=15) };
    for n in 0..contacts {
        let contacted_on = next(rng, 14);
        if contacted_on > as_of {
            break;
        }
        steps.push((
            CaseCommand::LogContact(Contact {
                kind: *[
                    ContactKind::HomeVisit,
                    ContactKind::School,
                    ContactKind::Phone,
                    ContactKind::Office,
                ]
                .choose(rng)
                .expect("kinds"),
                with_whom: vec![ContactParty::Youth],
                contacted_on,
                summary: personal(SUMMARIES[n % SUMMARIES.len()]),
            }),
            as_worker.clone(),
        ));
        if rng.gen_bool(0.3) {
            steps.push((
                CaseCommand::AddNote(Note {
                    confidentiality: *[
                        Confidentiality::Social,
                        Confidentiality::Justice,
                        Confidentiality::Shared,
                    ]
                    .choose(rng)
                    .expect("levels"),
                    text: personal("discussed in the team meeting"),
                }),
                as_worker.clone(),
            ));
        }
    }
    if rng.gen_bool(0.05) {
        steps.push((
            CaseCommand::Escalate(Escalation {
                to: EscalationTarget::Administrators,
                reason: personal("no progress after three months"),
                escalated_on: next(rng, 7),
            }),
            as_lead.clone(),
        ));
    }
    if open {
        // Still open: the last review held lately, the next due within four
        // weeks of it, so some are due soon and a few overdue.
        let held = as_of - Days::new(rng.gen_range(0..=21));
        if assessed_on + Days::new(21) <= held {
            steps.push((
                CaseCommand::CompleteReview {
                    completion: ReviewCompletion {
                        review_id: first_review,
                        completed_on: held,
                        summary: personal("going better at school, keep the mentoring on"),
                    },
                    next_review: Some(Review {
                        review_id: ReviewId::from_uuid(uuid_from(rng)),
                        due_on: held + Days::new(rng.gen_range(7..=28)),
                    }),
                },
                as_lead.clone(),
            ));
        }
        return steps;
    }
    let end = next(rng, 30);
    for id in running {
        steps.push((
            CaseCommand::CompleteIntervention(InterventionCompletion {
                intervention_id: id,
                outcome: *[
                    InterventionOutcome::Successful,
                    InterventionOutcome::PartlySuccessful,
                    InterventionOutcome::NotSuccessful,
                ]
                .choose(rng)
                .expect("outcomes"),
                summary: None,
                completed_on: end,
            }),
            as_worker.clone(),
        ));
    }
    for goal in goals.iter().filter(|_| rng.gen_bool(0.6)) {
        steps.push((
            CaseCommand::AchieveGoal(GoalAchievement {
                goal_id: goal.goal_id,
                achieved_on: end,
            }),
            as_lead.clone(),
        ));
    }
    if rng.gen_bool(0.4) {
        steps.push((
            CaseCommand::StartAftercare(Aftercare {
                started_on: next(rng, 14),
            }),
            as_lead.clone(),
        ));
    }
    let result = *[
        CaseResult::GoalsAchieved,
        CaseResult::GoalsPartlyAchieved,
        CaseResult::GoalsNotAchieved,
        CaseResult::Moved,
    ]
    .choose(rng)
    .expect("results");
    steps.push((
        CaseCommand::CloseCase(Closure {
            result,
            summary: Some(personal("back at school")),
            closed_on: next(rng, 30),
        }),
        as_lead.clone(),
    ));
    steps
}
