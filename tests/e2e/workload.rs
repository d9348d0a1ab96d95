//! A randomized but reproducible workload: cases that walk their lifecycle
//! with signals, contacts, notes, risks, interventions, consents, reviews,
//! escalations, closures, reopenings and erasures along the way.

use casus_domain::testing::*;
use casus_domain::*;
use casus_store::{Actor, CaseStore, CommandError, Metadata};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

pub fn metadata() -> Metadata {
    Metadata::new(
        Actor {
            id: WorkerId::parse("w-1").unwrap(),
            name: "Anouk Bakker".into(),
            role: Role::CaseWorker,
            organisation: OrganisationId::parse("gemeente-rotterdam").unwrap(),
            domain: Domain::Social,
            municipality: Some(MunicipalityCode::parse("GM0599").unwrap()),
        },
        Uuid::now_v7(),
    )
}

fn uuid(rng: &mut StdRng) -> Uuid {
    Uuid::from_u128(rng.gen())
}

/// The commands of one case, in order. Some will be refused by the case's
/// rules (as a worker's mistakes would be); that is part of the workload.
pub fn case_script(rng: &mut StdRng) -> Vec<CaseCommand> {
    let mut commands = vec![
        // A young person of their own: erasing one case's subject must not
        // touch another's.
        CaseCommand::ReferCase(Referral {
            subject: SubjectId::from_uuid(Uuid::from_u128(rng.gen())),
            ..referral()
        }),
        CaseCommand::DecideTriage(triage(if rng.gen_bool(0.85) {
            TriageDecision::TakeOn
        } else {
            TriageDecision::AdviceOnly
        })),
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseCommand::AssignWorker(worker(rng.gen_range(1..20))),
        CaseCommand::AssignLead(lead(LeadRole::CaseLead, rng.gen_range(1..20))),
    ];
    if rng.gen_bool(0.8) {
        commands.push(CaseCommand::AgreePlan(plan()));
    }
    let mut interventions = Vec::new();
    for _ in 0..rng.gen_range(0..8) {
        let when = day(2026, 2, 1) + chrono::Days::new(rng.gen_range(0..200));
        let command = match rng.gen_range(0..10) {
            0 => CaseCommand::RecordSignal(Signal {
                kind: [
                    SignalKind::PoliceContact,
                    SignalKind::Family,
                    SignalKind::SchoolAbsence,
                ][rng.gen_range(0..3)],
                source_org: org("politie-rotterdam"),
                source_domain: Domain::Justice,
                occurred_on: when,
                summary: Some(personal("signal summary")),
            }),
            1 => CaseCommand::LogContact(Contact {
                kind: ContactKind::HomeVisit,
                with_whom: vec![ContactParty::Youth],
                contacted_on: when,
                summary: personal("contact summary"),
            }),
            2 => CaseCommand::AddNote(Note {
                confidentiality: [
                    Confidentiality::Social,
                    Confidentiality::Justice,
                    Confidentiality::Shared,
                ][rng.gen_range(0..3)],
                text: personal("a note"),
            }),
            3 => CaseCommand::AssessRisk {
                assessment: assessment(if rng.gen_bool(0.3) {
                    RiskLevel::High
                } else {
                    RiskLevel::Medium
                }),
                next_review: Some(Review {
                    review_id: ReviewId::from_uuid(uuid(rng)),
                    due_on: day(2026, 2, 10),
                }),
            },
            4 => {
                let id = InterventionId::from_uuid(uuid(rng));
                interventions.push(id);
                let mut planned = intervention(0, InterventionKind::Mentoring);
                planned.intervention_id = id;
                CaseCommand::PlanIntervention(planned)
            }
            5 => match interventions.last() {
                Some(&intervention_id) => CaseCommand::StartIntervention(InterventionStart {
                    intervention_id,
                    started_on: when,
                }),
                None => continue,
            },
            6 => match interventions.last() {
                Some(&intervention_id) => {
                    CaseCommand::CompleteIntervention(InterventionCompletion {
                        intervention_id,
                        outcome: InterventionOutcome::Successful,
                        summary: Some(personal("went well")),
                        completed_on: when,
                    })
                }
                None => continue,
            },
            7 => CaseCommand::Escalate(Escalation {
                to: EscalationTarget::Administrators,
                reason: personal("stuck"),
                escalated_on: when,
            }),
            8 => CaseCommand::AchieveGoal(GoalAchievement {
                goal_id: id(10),
                achieved_on: when,
            }),
            _ => CaseCommand::ScheduleReview(Review {
                review_id: ReviewId::from_uuid(uuid(rng)),
                due_on: when,
            }),
        };
        commands.push(command);
    }
    if rng.gen_bool(0.4) {
        commands.push(CaseCommand::StartAftercare(Aftercare {
            started_on: day(2026, 9, 1),
        }));
        commands.push(CaseCommand::CloseCase(closure(CaseResult::GoalsAchieved)));
        if rng.gen_bool(0.2) {
            commands.push(CaseCommand::ReopenCase(Reopening {
                reason: personal("again"),
                reopened_on: day(2026, 10, 1),
            }));
        }
        if rng.gen_bool(0.1) {
            commands.push(CaseCommand::EraseSubject(Erasure {
                reason: text("request"),
                erased_on: day(2026, 11, 1),
            }));
        }
    }
    commands
}

/// Runs `cases` scripted cases through `store`, `parallel` cases at a time.
/// Answers the number of events stored.
pub async fn run(
    store: std::sync::Arc<CaseStore>,
    cases: usize,
    parallel: usize,
    seed: u64,
) -> u64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let scripts: Vec<Vec<CaseCommand>> = (0..cases).map(|_| case_script(&mut rng)).collect();
    let chunks: Vec<Vec<Vec<CaseCommand>>> = scripts
        .chunks(cases.div_ceil(parallel).max(1))
        .map(|c| c.to_vec())
        .collect();
    let tasks: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut events = 0;
                for script in chunk {
                    let case = CaseId::new();
                    for command in script {
                        match store.execute(case, command.on(today()), &metadata()).await {
                            Ok(committed) => events += committed.events as u64,
                            Err(CommandError::Rejected(_)) => {}
                            Err(other) => panic!("workload command failed: {other}"),
                        }
                    }
                }
                events
            })
        })
        .collect();
    let mut events = 0;
    for task in tasks {
        events += task.await.unwrap();
    }
    events
}
