//! Random command sequences: whatever a case is asked, replaying its events
//! from scratch gives the same state, a snapshot round-trips, and the
//! lifecycle only moves along the diagram in DESIGN.md.

use casus_domain::testing::strategies::command;
use casus_domain::testing::*;
use casus_domain::*;
use cqrs_es::Aggregate;
use proptest::prelude::*;
use strum::VariantArray;

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
            if let Ok(events) = case.decide(Command::new(action, today()), &programme) {
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
    for _ in 0..2048 {
        let commands = proptest::collection::vec(command(), 0..80)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let mut case = YouthCase::default();
        for action in std::iter::once(CaseCommand::ReferCase(referral())).chain(commands) {
            if let Ok(events) = case.decide(Command::new(action, today()), &programme) {
                events.into_iter().for_each(|e| case.apply(e));
            }
            reached.extend(case.stage());
        }
    }
    assert_eq!(
        reached.into_iter().collect::<Vec<_>>(),
        Stage::VARIANTS.to_vec()
    );
}
