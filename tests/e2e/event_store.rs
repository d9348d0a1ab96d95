//! The event store: concurrency, append-only, snapshots, global order,
//! metadata and upcasting, through the real store on a real PostgreSQL.

use std::collections::BTreeSet;
use std::sync::Arc;

use casus_domain::testing::*;
use casus_domain::*;
use casus_store::{CaseStore, CommandError, Conflict, Metadata};
use tokio::sync::Barrier;
use uuid::Uuid;

use crate::support::TestDb;
use crate::workload::metadata;

fn note(text: &str) -> Command {
    CaseCommand::AddNote(Note {
        confidentiality: Confidentiality::Shared,
        text: personal(text),
    })
    .on(today())
}

async fn open_case(store: &CaseStore) -> CaseId {
    let case = CaseId::new();
    store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(today()),
            &metadata(),
        )
        .await
        .expect("referral");
    case
}

/// (sequence, note text) of every stored note of a case, in order.
async fn stored_notes(db: &TestDb, case: CaseId) -> Vec<(i64, String)> {
    // The history opens the sealed texts with the case's key.
    casus_store::audit::history::history(&db.pool, &db.keyring, case)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_type == "NoteAdded")
        .map(|e| {
            let text = e.content["NoteAdded"]["text"].as_str().unwrap().to_owned();
            (e.sequence, text)
        })
        .collect()
}

async fn sequences(db: &TestDb, case: CaseId) -> Vec<i64> {
    sqlx::query_scalar("select sequence from events where aggregate_id = $1 order by sequence")
        .bind(case.to_string())
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

/// Runs `commands` on one case all at once, released together by a barrier.
async fn race(
    store: Arc<CaseStore>,
    case: CaseId,
    commands: Vec<Command>,
) -> Vec<(Command, Result<u64, CommandError>)> {
    let barrier = Arc::new(Barrier::new(commands.len()));
    let tasks: Vec<_> = commands
        .into_iter()
        .map(|command| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let result = store.execute(case, command.clone(), &metadata()).await;
                (command, result.map(|c| c.version))
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn note_text(command: &Command) -> String {
    match &command.action {
        CaseCommand::AddNote(note) => note
            .text
            .expose()
            .expect("an open note")
            .as_str()
            .to_owned(),
        other => panic!("not a note: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_lose_or_duplicate_an_event() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let case = open_case(&store).await;
    let commands = (0..20).map(|i| note(&format!("note {i}"))).collect();

    let results = race(store, case, commands).await;

    let mut accepted = BTreeSet::new();
    for (command, result) in &results {
        match result {
            Ok(_) => assert!(accepted.insert(note_text(command))),
            Err(CommandError::Conflict(Conflict::ConcurrentWrite)) => {}
            Err(other) => panic!("a loser must get the typed conflict, got {other:?}"),
        }
    }
    assert!(!accepted.is_empty());
    let stored = stored_notes(&db, case).await;
    let stored_texts: BTreeSet<String> = stored.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(
        stored.len(),
        accepted.len(),
        "every accepted note stored exactly once"
    );
    assert_eq!(stored_texts, accepted, "only accepted notes are stored");
    let expected: Vec<i64> = (1..=1 + accepted.len() as i64).collect();
    assert_eq!(sequences(&db, case).await, expected, "sequences are dense");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_an_expected_version_exactly_one_of_twenty_writers_wins() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let case = open_case(&store).await;
    let commands = (0..20)
        .map(|i| note(&format!("note {i}")).expecting(1))
        .collect();

    let results = race(store, case, commands).await;

    let winners: Vec<_> = results.iter().filter(|(_, r)| r.is_ok()).collect();
    assert_eq!(winners.len(), 1);
    assert_eq!(winners[0].1.as_ref().unwrap(), &2);
    for (_, result) in &results {
        match result {
            Ok(_)
            | Err(CommandError::Conflict(Conflict::ConcurrentWrite))
            | Err(CommandError::Conflict(Conflict::Stale {
                expected: 1,
                actual: 2,
            })) => {}
            Err(other) => panic!("expected a typed conflict, got {other:?}"),
        }
    }
    assert_eq!(
        stored_notes(&db, case).await,
        vec![(2, note_text(&winners[0].0))]
    );
    assert_eq!(sequences(&db, case).await, vec![1, 2]);
}

#[tokio::test]
async fn a_stale_version_is_a_typed_conflict_and_stores_nothing() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = open_case(&store).await;
    store
        .execute(case, note("first"), &metadata())
        .await
        .unwrap();

    let stale = store
        .execute(case, note("second").expecting(1), &metadata())
        .await;

    assert!(matches!(
        stale,
        Err(CommandError::Conflict(Conflict::Stale {
            expected: 1,
            actual: 2
        }))
    ));
    assert_eq!(sequences(&db, case).await, vec![1, 2]);
}

#[tokio::test]
async fn a_refused_command_stores_nothing() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = open_case(&store).await;

    let refused = store
        .execute(
            case,
            CaseCommand::AgreePlan(plan()).on(today()),
            &metadata(),
        )
        .await;

    assert!(matches!(
        refused,
        Err(CommandError::Rejected(CaseError::NotInStage {
            stage: Stage::Referred,
            ..
        }))
    ));
    assert_eq!(sequences(&db, case).await, vec![1]);
}

#[tokio::test]
async fn the_database_refuses_update_delete_and_truncate_of_events() {
    let db = TestDb::new().await;
    // On an empty log too: the refusal does not depend on a row matching.
    for statement in [
        "update events set payload = '{}'",
        "delete from events",
        "truncate events",
    ] {
        let error = sqlx::query(statement).execute(&db.pool).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    let store = db.store(0).await;
    let case = open_case(&store).await;
    for statement in [
        "update events set payload = '{}' where aggregate_id = $1",
        "delete from events where aggregate_id = $1",
    ] {
        let error = sqlx::query(statement)
            .bind(case.to_string())
            .execute(&db.pool)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("the event log is append-only"),
            "{statement}: {error}"
        );
    }
    assert_eq!(sequences(&db, case).await, vec![1]);
}

/// Commands that walk a case through many states, repeating until `n` events.
fn busy_case_commands(n: u64) -> impl Iterator<Item = CaseCommand> {
    let setup = vec![
        CaseCommand::ReferCase(referral()),
        CaseCommand::DecideTriage(triage(TriageDecision::TakeOn)),
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseCommand::AssignLead(lead(LeadRole::CaseLead, 1)),
        CaseCommand::AgreePlan(plan()),
    ];
    let rounds = (0u32..).flat_map(|round| {
        let due = day(2026, 2, 1) + chrono::Days::new(u64::from(round));
        let review_id = ReviewId::from_uuid(Uuid::from_u128(u128::from(round) + 1));
        let next_id = ReviewId::from_uuid(Uuid::from_u128(u128::from(round) + 1_000_000));
        let intervention_id =
            InterventionId::from_uuid(Uuid::from_u128(u128::from(round) + 2_000_000));
        let worker_n = (round % 250) as u8;
        let mut planned = intervention(0, InterventionKind::Mentoring);
        planned.intervention_id = intervention_id;
        [
            CaseCommand::AssignWorker(worker(worker_n)),
            // Two events in one command, so some commands straddle a snapshot.
            CaseCommand::AssessRisk {
                assessment: assessment(if round % 2 == 0 {
                    RiskLevel::Medium
                } else {
                    RiskLevel::Low
                }),
                next_review: Some(Review {
                    review_id,
                    due_on: due,
                }),
            },
            CaseCommand::CompleteReview {
                completion: ReviewCompletion {
                    review_id,
                    completed_on: due,
                    summary: personal("ok"),
                },
                next_review: Some(Review {
                    review_id: next_id,
                    due_on: due,
                }),
            },
            CaseCommand::PlanIntervention(planned),
            CaseCommand::StartIntervention(InterventionStart {
                intervention_id,
                started_on: due,
            }),
            CaseCommand::CompleteIntervention(InterventionCompletion {
                intervention_id,
                outcome: InterventionOutcome::Successful,
                summary: None,
                completed_on: due,
            }),
            CaseCommand::UnassignWorker(Unassignment {
                worker: worker(worker_n).id,
                reason: None,
            }),
        ]
    });
    let mut events = 0;
    setup.into_iter().chain(rounds).take_while(move |command| {
        events += match command {
            CaseCommand::AssessRisk { .. } | CaseCommand::CompleteReview { .. } => 2,
            _ => 1,
        };
        events <= n
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_of_a_thousand_events_loads_the_same_with_and_without_snapshots() {
    let db = TestDb::new().await;
    let with_snapshots = db.store(100).await;
    let case = CaseId::new();
    for command in busy_case_commands(1_000) {
        with_snapshots
            .execute(case, command.on(today()), &metadata())
            .await
            .expect("command");
    }

    let from_snapshot = with_snapshots.load(case).await.unwrap().unwrap();
    let from_events = db.store(0).await.load(case).await.unwrap().unwrap();

    assert!(
        from_events.version() > 990,
        "version {}",
        from_events.version()
    );
    assert_eq!(from_snapshot.version(), from_events.version());
    assert_eq!(from_snapshot, from_events);
    let (last_sequence, count): (i64, i64) = sqlx::query_as(
        "select max(last_sequence), count(*) from snapshots where aggregate_id = $1",
    )
    .bind(case.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(count, 1, "one snapshot per case");
    assert!(last_sequence >= 900, "snapshot at {last_sequence}");
    // The snapshot itself is the state at its sequence, each event counted once.
    let snapshot: serde_json::Value =
        sqlx::query_scalar("select payload from snapshots where aggregate_id = $1")
            .bind(case.to_string())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(snapshot["version"].as_i64(), Some(last_sequence));
}

#[tokio::test]
async fn every_event_gets_a_unique_global_position_a_transaction_and_a_time() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    for _ in 0..3 {
        let case = open_case(&store).await;
        store
            .execute(
                case,
                CaseCommand::AssessRisk {
                    assessment: assessment(RiskLevel::High),
                    next_review: Some(review(20, day(2026, 2, 1))),
                }
                .on(today()),
                &metadata(),
            )
            .await
            .unwrap();
    }
    let (events, positions, unfilled, transactions): (i64, i64, i64, i64) = sqlx::query_as(
        "select count(*), count(distinct global_position),
                count(*) filter (where global_position is null or transaction_id is null or recorded_at is null),
                count(distinct transaction_id)
           from events",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(events, 9);
    assert_eq!(positions, 9);
    assert_eq!(unfilled, 0);
    // One transaction per command: three referrals, three two-event assessments.
    assert_eq!(transactions, 6);
}

#[tokio::test]
async fn every_event_carries_the_full_metadata() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    let who = metadata().with_reason("referral by the police");
    store
        .execute(case, CaseCommand::ReferCase(referral()).on(today()), &who)
        .await
        .unwrap();

    let stored: serde_json::Value =
        sqlx::query_scalar("select metadata from events where aggregate_id = $1")
            .bind(case.to_string())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let map = serde_json::from_value(stored).unwrap();
    assert_eq!(Metadata::from_map(&map), Some(who));
}

#[tokio::test]
async fn an_old_signal_recorded_loads_as_the_current_version() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = open_case(&store).await;
    // SignalRecorded as version 1.0 stored it, before the source was split
    // into organisation and domain.
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         values ('YouthCase', $1, 2, 'SignalRecorded', '1.0', $2, '{}')",
    )
    .bind(case.to_string())
    .bind(serde_json::json!({
        "SignalRecorded": { "kind": "police_contact", "source": "politie-rotterdam", "date": "2025-12-24" }
    }))
    .execute(&db.pool)
    .await
    .unwrap();

    let events = store.events(case).await.unwrap();

    assert_eq!(
        events[1].payload,
        CaseEvent::SignalRecorded(Signal {
            kind: SignalKind::PoliceContact,
            source_org: org("politie-rotterdam"),
            source_domain: Domain::Justice,
            occurred_on: day(2025, 12, 24),
            summary: None,
        })
    );
    // The stored row is untouched; the case loads and takes new commands.
    let stored_version: String = sqlx::query_scalar(
        "select event_version from events where aggregate_id = $1 and sequence = 2",
    )
    .bind(case.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(stored_version, "1.0");
    let next = store
        .execute(case, note("after the old signal"), &metadata())
        .await
        .unwrap();
    assert_eq!(next.version, 3);
}

/// A young person's key kept with their case on one instance is never used
/// after an erasure on another: the erasure moved the case on, so the kept
/// copy's append fails on the log's primary key, the case is loaded again
/// (erased: refused), and the key leaves this instance's memory.
#[tokio::test]
async fn a_kept_key_is_never_used_after_an_erasure_on_another_instance() {
    let db = TestDb::new().await;
    let keeping = db.store(0).await.with_cache(100);
    let erasing = db.store(0).await;
    let subject = SubjectId::new();
    let case = CaseId::new();
    let referral = Referral {
        subject,
        ..referral()
    };
    keeping
        .execute(
            case,
            CaseCommand::ReferCase(referral).on(today()),
            &metadata(),
        )
        .await
        .unwrap();
    keeping
        .execute(case, note("kept"), &metadata())
        .await
        .unwrap();
    assert_eq!(keeping.kept_keys(), 1, "the key is kept with the case");

    let erasure = Erasure {
        reason: text("request of the young person"),
        erased_on: casus_store::clock::today(),
    };
    erasing
        .erase_subject(
            subject,
            &erasure,
            &metadata(),
            |_| Ok::<_, CommandError>(()),
        )
        .await
        .unwrap();
    let refused = keeping
        .execute(case, note("after the erasure"), &metadata())
        .await;

    assert!(
        matches!(refused, Err(CommandError::Rejected(CaseError::Erased))),
        "{refused:?}"
    );
    let types: Vec<String> = sqlx::query_scalar(
        "select event_type from events where aggregate_id = $1 order by sequence",
    )
    .bind(case.to_string())
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(types, ["CaseReferred", "NoteAdded", "SubjectErased"]);
    assert_eq!(keeping.kept_keys(), 0, "the destroyed key is not kept");
}
