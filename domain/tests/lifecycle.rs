//! Random command sequences: whatever a case is asked, replaying its events
//! from scratch gives the same state, a snapshot round-trips, and the
//! lifecycle only moves along the diagram in DESIGN.md.

use casus_domain::testing::*;
use casus_domain::*;
use cqrs_es::Aggregate;
use proptest::prelude::*;

/// The moves the lifecycle diagram allows, written out independently of the
/// aggregate. Closing from `included` and `active` is allowed too (a young
/// person who moves away or refuses); the diagram leaves those arrows out.
fn allowed(from: Option<Stage>, to: Option<Stage>) -> bool {
    use Stage::*;
    match (from, to) {
        (a, b) if a == b => true,
        (None, Some(Referred)) => true,
        (Some(from), Some(to)) => matches!(
            (from, to),
            (Referred, Triaged)
                | (Triaged, Included)
                | (Included, Active)
                | (Active, Aftercare)
                | (Referred | Triaged | Included | Active | Aftercare, Closed)
                | (Closed, Included)
        ),
        _ => false,
    }
}

fn date() -> impl Strategy<Value = chrono::NaiveDate> {
    (0u64..120).prop_map(|d| day(2026, 1, 10) + chrono::Days::new(d))
}

fn command() -> impl Strategy<Value = CaseCommand> {
    let small = || 0u8..3;
    prop_oneof![
        prop_oneof![
            Just(TriageDecision::TakeOn),
            Just(TriageDecision::AdviceOnly),
            Just(TriageDecision::HandOver {
                partner: org("wijkteam-zuid")
            }),
        ]
        .prop_map(|d| CaseCommand::DecideTriage(triage(d))),
        date().prop_map(|d| CaseCommand::IncludeCase(Inclusion { included_on: d })),
        (small(), any::<bool>()).prop_map(|(n, case_lead)| CaseCommand::AssignLead(lead(
            if case_lead {
                LeadRole::CaseLead
            } else {
                LeadRole::ProcessLead
            },
            n
        ))),
        small().prop_map(|n| CaseCommand::AssignWorker(worker(n))),
        small().prop_map(|n| CaseCommand::UnassignWorker(Unassignment {
            worker: worker(n).id,
            reason: None
        })),
        (small(), small()).prop_map(|(from, to)| CaseCommand::ReassignWorker(Reassignment {
            from: worker(from).id,
            to: worker(to),
            reason: None
        })),
        (
            prop_oneof![Just(RiskLevel::Low), Just(RiskLevel::High)],
            small(),
            date()
        )
            .prop_map(|(level, n, due)| {
                CaseCommand::AssessRisk {
                    assessment: assessment(level),
                    next_review: Some(review(20 + n, due)),
                }
            }),
        Just(CaseCommand::AgreePlan(plan())),
        Just(CaseCommand::RevisePlan(PlanRevision {
            plan: plan(),
            reason: personal("new dates")
        })),
        date().prop_map(|d| CaseCommand::AchieveGoal(GoalAchievement {
            goal_id: id(10),
            achieved_on: d
        })),
        (small(), any::<bool>()).prop_map(|(n, halt)| CaseCommand::PlanIntervention(intervention(
            30 + n,
            if halt {
                InterventionKind::Halt
            } else {
                InterventionKind::Mentoring
            }
        ))),
        (small(), date()).prop_map(|(n, d)| CaseCommand::StartIntervention(InterventionStart {
            intervention_id: id(30 + n),
            started_on: d
        })),
        (small(), date()).prop_map(|(n, d)| CaseCommand::CompleteIntervention(
            InterventionCompletion {
                intervention_id: id(30 + n),
                outcome: InterventionOutcome::PartlySuccessful,
                summary: None,
                completed_on: d
            }
        )),
        (small(), date()).prop_map(|(n, d)| CaseCommand::CancelIntervention(
            InterventionCancellation {
                intervention_id: id(30 + n),
                reason: personal("stopped"),
                cancelled_on: d
            }
        )),
        (small(), any::<bool>()).prop_map(|(n, parent)| CaseCommand::RecordConsent(consent(
            40 + n,
            "halt-rotterdam",
            ConsentPurpose::HaltIntervention,
            if parent {
                ConsentGiver::ParentOrGuardian
            } else {
                ConsentGiver::Youth
            }
        ))),
        (small(), date()).prop_map(|(n, d)| CaseCommand::WithdrawConsent(ConsentWithdrawal {
            consent_id: id(40 + n),
            withdrawn_on: d
        })),
        (small(), date()).prop_map(|(n, d)| CaseCommand::ScheduleReview(review(20 + n, d))),
        (small(), small(), date()).prop_map(|(n, m, d)| CaseCommand::CompleteReview {
            completion: ReviewCompletion {
                review_id: id(20 + n),
                completed_on: d,
                summary: personal("ok")
            },
            next_review: Some(review(23 + m, d + chrono::Days::new(14))),
        }),
        date().prop_map(|d| CaseCommand::StartAftercare(Aftercare { started_on: d })),
        prop_oneof![Just(CaseResult::GoalsAchieved), Just(CaseResult::Refused)]
            .prop_map(|r| CaseCommand::CloseCase(closure(r))),
        date().prop_map(|d| CaseCommand::ReopenCase(Reopening {
            reason: personal("again"),
            reopened_on: d
        })),
        (1u64..40).prop_map(|s| CaseCommand::CorrectEntry(Correction {
            sequence: s,
            correction: personal("fix")
        })),
        Just(CaseCommand::EraseSubject(Erasure {
            reason: text("request"),
            erased_on: day(2026, 12, 1)
        })),
        Just(CaseCommand::AddNote(Note {
            confidentiality: Confidentiality::Social,
            text: personal("note")
        })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn replay_equals_state_and_the_lifecycle_follows_the_diagram(
        commands in proptest::collection::vec(command(), 0..80)
    ) {
        let programme = programme();
        let mut case = YouthCase::default();
        let mut log = Vec::new();
        let mut stages = std::collections::BTreeSet::new();
        for action in std::iter::once(CaseCommand::ReferCase(referral())).chain(commands) {
            let before = case.stage();
            if let Ok(events) = case.decide(Command::new(action), &programme) {
                prop_assert!(!events.is_empty());
                for event in events {
                    case.apply(event.clone());
                    log.push(event);
                }
            }
            prop_assert!(allowed(before, case.stage()), "{before:?} -> {:?}", case.stage());
            stages.extend(case.stage());
        }
        prop_assert_eq!(case.version(), log.len() as u64);

        let mut replayed = YouthCase::default();
        for event in log {
            replayed.apply(event);
        }
        prop_assert_eq!(&replayed, &case);

        let snapshot = serde_json::to_value(&case).unwrap();
        prop_assert_eq!(serde_json::from_value::<YouthCase>(snapshot).unwrap(), case);
    }
}

/// The random sequences must reach deep into the lifecycle, or the property
/// above proves little.
#[test]
fn random_sequences_reach_every_stage() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let programme = programme();
    let mut runner = TestRunner::deterministic();
    let mut reached = std::collections::BTreeSet::new();
    for _ in 0..512 {
        let commands = proptest::collection::vec(command(), 0..80)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut case = YouthCase::default();
        for action in std::iter::once(CaseCommand::ReferCase(referral())).chain(commands) {
            if let Ok(events) = case.decide(Command::new(action), &programme) {
                events.into_iter().for_each(|e| case.apply(e));
            }
            reached.extend(case.stage());
        }
    }
    assert_eq!(reached.into_iter().collect::<Vec<_>>(), Stage::ALL.to_vec());
}
