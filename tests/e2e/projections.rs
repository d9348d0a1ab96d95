//! The projections: gap-free in commit order, equal to a rebuild, crash-safe,
//! domain-separated, catching up by themselves, and readable after a write.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use casus_domain::testing::*;
use casus_domain::*;
use casus_projections::projector::{status, Projector};
use casus_projections::rebuild::rebuild;
use casus_projections::views::{self, Timeline};
use casus_projections::wait::{wait_for_version, Versioned};
use casus_projections::{RecordedEvent, View};
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;

use crate::support::{dump, TestDb, TABLES};
use crate::workload::{self, metadata};

/// The projector as a server runs it: one reader for every view.
fn projectors(db: &TestDb) -> Vec<Projector> {
    let views = views::all().into_iter().map(Arc::from).collect();
    vec![Projector::of(db.pool.clone(), db.keyring.clone(), views)]
}

/// Runs `projectors` until each has applied every stored event. (A projector
/// applies only what no running transaction can still precede; transaction
/// ids are shared by the whole cluster, so another test's open transaction
/// may hold it back for a while.)
async fn settle(pool: &PgPool, projectors: &[Projector]) {
    let total: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(pool)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    for projector in projectors {
        projector.register().await.unwrap();
        let names: Vec<&str> = projector.views().iter().map(|v| v.name()).collect();
        loop {
            projector.catch_up().await.unwrap();
            let behind: Vec<String> = sqlx::query_scalar(
                "select view from projection_checkpoints
                  where view = any($1) and events_applied <> $2",
            )
            .bind(&names)
            .bind(total)
            .fetch_all(pool)
            .await
            .unwrap();
            if behind.is_empty() {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{behind:?} did not catch up"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn catch_up(db: &TestDb) {
    settle(&db.pool, &projectors(db)).await;
}

/// Runs every projector in the background until the returned sender is dropped or sent to.
fn run_projectors(db: &TestDb) -> (watch::Sender<bool>, Vec<tokio::task::JoinHandle<()>>) {
    let (stop, stopped) = watch::channel(false);
    let handles = projectors(db)
        .into_iter()
        .map(|projector| {
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                projector.register().await.unwrap();
                projector
                    .run(async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await
            })
        })
        .collect();
    (stop, handles)
}

async fn stop(projectors: (watch::Sender<bool>, Vec<tokio::task::JoinHandle<()>>)) {
    projectors.0.send(true).unwrap();
    for handle in projectors.1 {
        handle.await.unwrap();
    }
}

async fn rebuild_all(db: &TestDb) {
    let views = views::all();
    let all: Vec<&dyn View> = views.iter().map(|view| view.as_ref()).collect();
    rebuild(&db.pool, &db.keyring, &all, |_, _| {})
        .await
        .unwrap();
}

async fn event_keys(pool: &PgPool) -> BTreeSet<(String, i64)> {
    sqlx::query_as::<_, (String, i64)>("select aggregate_id, sequence from events")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn timeline_keys(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as("select case_id::text, sequence from case_timeline order by 1, 2")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_views_equal_a_rebuild_after_a_thousand_cases() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(50).await);
    let live = run_projectors(&db);

    let events = workload::run(store, 1_000, 8, 7).await;

    stop(live).await;
    catch_up(&db).await;
    let live = dump(&db.pool).await;
    assert_eq!(live["case_timeline"].len() as u64, events);
    assert_eq!(live["social_case_view"].len(), 1_000);
    rebuild_all(&db).await;
    catch_up(&db).await;
    let rebuilt = dump(&db.pool).await;
    for (table, _) in TABLES {
        assert!(
            live[table] == rebuilt[table],
            "{table} differs between live and rebuilt"
        );
    }
}

/// Writers that take an early position and commit late must not be skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_event_is_skipped_when_transactions_commit_out_of_order() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let live = run_projectors(&db);

    let slow_writers: Vec<_> = (0..6)
        .map(|i| {
            let pool = db.pool.clone();
            tokio::spawn(async move {
                let mut tx = pool.begin().await.unwrap();
                let payload = serde_json::to_value(CaseEvent::CaseReferred(referral())).unwrap();
                let metadata = serde_json::to_value(metadata().to_map()).unwrap();
                sqlx::query(
                    "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
                     values ('YouthCase', $1, 1, 'CaseReferred', '1.0', $2, $3)",
                )
                .bind(CaseId::new().to_string())
                .bind(payload)
                .bind(metadata)
                .execute(&mut *tx)
                .await
                .unwrap();
                // Hold the early position open while others commit after it.
                sqlx::query("select pg_sleep($1)")
                    .bind(0.2 + 0.1 * f64::from(i))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
        .collect();
    workload::run(store, 60, 6, 11).await;
    for writer in slow_writers {
        writer.await.unwrap();
    }

    let total = event_keys(&db.pool).await;
    // Let the running projectors finish by themselves, then check exactly-once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let statuses = status(&db.pool).await.unwrap();
        if statuses
            .iter()
            .all(|s| s.events_applied as usize == total.len())
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "projectors did not catch up: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop(live).await;
    let timeline = timeline_keys(&db.pool).await;
    let unique: BTreeSet<(String, i64)> = timeline.iter().cloned().collect();
    assert_eq!(timeline.len(), unique.len(), "an event was applied twice");
    assert_eq!(unique, total, "every event is in the timeline exactly once");
    for status in status(&db.pool).await.unwrap() {
        assert_eq!(
            status.events_applied as usize,
            total.len(),
            "{}",
            status.view
        );
    }
}

/// A view that fails at one event, in the middle of a batch: once, or again and again.
struct FailOnce {
    inner: Timeline,
    at: i64,
    failed: AtomicBool,
    /// Panic instead of answering an error, as a bug in a view would.
    panics: bool,
    /// Fail every time, not once: an event the view can never apply.
    again: bool,
}

#[async_trait::async_trait]
impl View for FailOnce {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn tables(&self) -> &'static [&'static str] {
        self.inner.tables()
    }

    fn version(&self) -> i32 {
        self.inner.version()
    }

    /// Applies the batch up to the chosen event, then fails (once).
    async fn apply(
        &self,
        conn: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> Result<(), sqlx::Error> {
        let at = events
            .iter()
            .position(|e| e.position.global_position == self.at);
        match at {
            Some(at) if !self.failed.swap(true, Ordering::SeqCst) || self.again => {
                self.inner.apply(conn, &events[..at]).await?;
                assert!(!self.panics, "injected panic");
                Err(sqlx::Error::Protocol("injected failure".into()))
            }
            _ => self.inner.apply(conn, events).await,
        }
    }
}

/// A registered projector of the timeline that fails once (or panics) at
/// the event after the first `offset` of the log.
async fn timeline_failing_once(db: &TestDb, offset: i64, panics: bool) -> Projector {
    timeline_failing(db, offset, panics, false).await
}

/// A registered projector of the timeline that fails at the event after the
/// first `offset` of the log: once, or `again` and again.
async fn timeline_failing(db: &TestDb, offset: i64, panics: bool, again: bool) -> Projector {
    let at: i64 = sqlx::query_scalar(
        "select global_position from events order by global_position offset $1 limit 1",
    )
    .bind(offset)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let view = FailOnce {
        inner: Timeline,
        at,
        failed: AtomicBool::new(false),
        panics,
        again,
    };
    let projector = Projector::new(db.pool.clone(), db.keyring.clone(), Arc::new(view));
    projector.register().await.unwrap();
    projector
}

/// A view that panics (a bug) does not end its projector unseen: the panic
/// is recorded like a failure (so `/ready` says so), the batch rolled back,
/// and the step retried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_view_is_recorded_and_retried() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let events = workload::run(store, 20, 2, 5).await;
    let panicking = timeline_failing_once(&db, 50, true).await;
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let running = tokio::spawn(panicking.run(async move {
        let _ = stop_rx.wait_for(|s| *s).await;
    }));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut seen_error = None;
    loop {
        let timeline = status(&db.pool)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.view == "case_timeline")
            .unwrap();
        if let Some(error) = &timeline.error {
            seen_error = Some(error.clone());
        } else if seen_error.is_some() && timeline.events_applied == events as i64 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not recovered: {timeline:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_tx.send(true).unwrap();
    running
        .await
        .expect("the projector's task survived the panic");
    let error = seen_error.unwrap();
    assert!(
        error.contains("panicked") && error.contains("injected panic"),
        "{error}"
    );
    let rows: i64 = sqlx::query_scalar("select count(*) from case_timeline")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows as u64, events, "every event applied once");
}

/// A view stopped by an event names that event's case and sequence (what
/// `/ready` shows an operator), not just the batch it was in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_view_names_the_case_and_sequence_it_stopped_at() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    workload::run(store, 10, 2, 9).await;
    let (at, case, sequence): (i64, String, i64) = sqlx::query_as(
        "select global_position, aggregate_id, sequence from events
          order by global_position offset 37 limit 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let projector = timeline_failing(&db, 37, false, true).await;
    // A catch-up stops early while an older transaction holds events back
    // (a busy machine): go on until the failing event stops it.
    let (mut stopped, mut before) = (None, 0);
    for _ in 0..200 {
        match projector.catch_up().await {
            Err(error) => {
                stopped = Some(error.to_string());
                break;
            }
            Ok(applied) => {
                before += applied as i64;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
        }
    }
    let error = stopped.expect("the failing event stops the view");
    assert!(
        error.contains(&format!("event {sequence} of case {case}"))
            && error.contains(&format!("global position {at}")),
        "{error}"
    );
    let applied: i64 =
        sqlx::query_scalar("select events_applied from projection_checkpoints where view = $1")
            .bind("case_timeline")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(applied, before, "the failing batch left nothing behind");
}

/// Every command the domain accepts, dates at and past every edge
/// included, yields events that every view applies, and a rebuild gives
/// the same views. (Before dates were bounded, a contact dated in the year
/// 0 or 10000 was accepted and stopped every view.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_accepted_command_reaches_every_view_and_a_rebuild() {
    use casus_store::CommandError;
    use proptest::strategy::{Strategy, ValueTree};
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut accepted, mut out_of_range) = (0, 0);
    for _ in 0..24 {
        let commands = proptest::collection::vec(strategies::command(), 0..60)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let case = CaseId::new();
        let referral = Referral {
            subject: SubjectId::new(),
            ..referral()
        };
        let referral = CaseCommand::ReferCase(referral).on(today());
        store.execute(case, referral, &metadata()).await.unwrap();
        for action in commands {
            match store.execute(case, action.on(today()), &metadata()).await {
                Ok(_) => accepted += 1,
                Err(CommandError::Rejected(CaseError::DateOutOfRange(_))) => out_of_range += 1,
                Err(CommandError::Rejected(_)) => {}
                Err(other) => panic!("{other}"),
            }
        }
    }
    catch_up(&db).await;
    let live = dump(&db.pool).await;
    rebuild_all(&db).await;
    catch_up(&db).await;
    let rebuilt = dump(&db.pool).await;
    for (table, _) in TABLES {
        assert!(
            live[table] == rebuilt[table],
            "{table} differs between live and rebuilt"
        );
    }
    assert!(
        accepted > 100 && out_of_range > 5,
        "{accepted} accepted, {out_of_range} out of range"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_between_apply_and_checkpoint_leaves_no_trace() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    workload::run(store, 40, 4, 3).await;
    let failing = timeline_failing_once(&db, 100, false)
        .await
        .with_batch_size(1_000);

    // The run loop meets the failure, records it, and stops there.
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let running = tokio::spawn(async move {
        failing
            .run(async move {
                let _ = stop_rx.wait_for(|s| *s).await;
            })
            .await
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let stopped = loop {
        let statuses = status(&db.pool).await.unwrap();
        let timeline = statuses
            .into_iter()
            .find(|s| s.view == "case_timeline")
            .unwrap();
        if timeline.error.is_some() {
            break timeline;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the failure was not recorded"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    stop_tx.send(true).unwrap();
    running.await.unwrap();
    assert!(stopped.error.unwrap().contains("injected failure"));
    assert_eq!(
        stopped.events_applied, 0,
        "nothing of the failed batch is counted"
    );
    let rows: i64 = sqlx::query_scalar("select count(*) from case_timeline")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "nothing of the failed batch is applied");

    // After a restart the view catches up, clears the error and equals a rebuild.
    let restarted = Projector::new(db.pool.clone(), db.keyring.clone(), Arc::new(Timeline));
    settle(&db.pool, std::slice::from_ref(&restarted)).await;
    let after = status(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.view == "case_timeline")
        .unwrap();
    assert_eq!(after.error, None);
    let total = event_keys(&db.pool).await;
    assert_eq!(after.events_applied as usize, total.len());
    let live = timeline_keys(&db.pool).await;
    rebuild(&db.pool, &db.keyring, &[&Timeline], |_, _| {})
        .await
        .unwrap();
    settle(&db.pool, std::slice::from_ref(&restarted)).await;
    assert_eq!(timeline_keys(&db.pool).await, live);
    assert_eq!(live.len(), total.len(), "nothing counted twice");
}

/// One reader feeds every view, but a view that fails stops alone: the
/// others apply the whole batch (and what comes after) while it sits out,
/// and when it is tried again it catches up and reads with them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_view_stops_alone_and_rejoins_the_others() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let first = workload::run(store.clone(), 20, 2, 5).await;
    let at: i64 = sqlx::query_scalar(
        "select global_position from events order by global_position offset 50 limit 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let failing = FailOnce {
        inner: Timeline,
        at,
        failed: AtomicBool::new(false),
        panics: false,
        again: false,
    };
    let mut views: Vec<Arc<dyn View>> = views::all()
        .into_iter()
        .filter(|view| view.name() != "case_timeline")
        .map(Arc::from)
        .collect();
    views.push(Arc::new(failing));
    let projector = Projector::of(db.pool.clone(), db.keyring.clone(), views);
    projector.register().await.unwrap();
    let applied = |pool: PgPool| async move {
        sqlx::query_as::<_, (String, i64, Option<String>)>(
            "select view, events_applied, error from projection_checkpoints order by view",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };

    // A catch-up stops early while an older transaction holds events back
    // (a busy machine): go on until the failing event stops the timeline.
    let mut stopped = None;
    for _ in 0..200 {
        match projector.catch_up().await {
            Err(error) => {
                stopped = Some(error.to_string());
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    let error = stopped.expect("the failing event stops the timeline");
    assert!(error.contains("case_timeline"), "{error}");

    // While it sits out, the others go on past it, new events included.
    let second = workload::run(store, 10, 2, 3).await;
    let total = (first + second) as i64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        projector.catch_up().await.unwrap();
        let seen = applied(db.pool.clone()).await;
        let (timeline, others): (Vec<_>, Vec<_>) = seen
            .iter()
            .partition(|(view, _, _)| view == "case_timeline");
        let (_, behind, error) = &timeline[0];
        assert!(*behind < total, "the timeline sat out: {seen:?}");
        assert!(error
            .as_deref()
            .is_some_and(|e| e.contains("injected failure")));
        if others
            .iter()
            .all(|(_, n, error)| *n == total && error.is_none())
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "held back: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rows: i64 = sqlx::query_scalar("select count(*) from case_timeline")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let (_, behind, _) = applied(db.pool.clone())
        .await
        .into_iter()
        .find(|(view, _, _)| view == "case_timeline")
        .unwrap();
    assert_eq!(rows, behind, "nothing of the failed batch stayed");

    // Its pause over, it catches up and its error is cleared.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    settle(&db.pool, std::slice::from_ref(&projector)).await;
    let seen = applied(db.pool.clone()).await;
    assert!(
        seen.iter()
            .all(|(_, n, error)| *n == total && error.is_none()),
        "{seen:?}"
    );
    let live = timeline_keys(&db.pool).await;
    assert_eq!(live.len() as i64, total, "every event once");
    let positions: i64 = sqlx::query_scalar(
        "select count(distinct (transaction_id, global_position)) from projection_checkpoints",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(positions, 1, "one reader again: every view at one position");
}

#[tokio::test]
async fn a_view_added_later_catches_up_on_the_whole_history() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let events = workload::run(store, 30, 2, 5).await;

    // The caseload has never run: no checkpoint yet.
    let caseload = Projector::new(
        db.pool.clone(),
        db.keyring.clone(),
        Arc::new(views::Caseload),
    );
    settle(&db.pool, std::slice::from_ref(&caseload)).await;

    let applied: i64 = sqlx::query_scalar(
        "select events_applied from projection_checkpoints where view = 'caseload'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(applied as u64, events);
    let rows: i64 = sqlx::query_scalar("select count(*) from caseload")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 30);
}

/// A correction of a contact's date corrects what the views show: the
/// supervisor's last contact and the overview's, with the summary of the
/// contact that is now the latest.
#[tokio::test]
async fn a_corrected_contact_date_moves_the_last_contact() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    let contact = |on, summary| {
        CaseCommand::LogContact(Contact {
            kind: ContactKind::HomeVisit,
            with_whom: vec![ContactParty::Youth],
            contacted_on: on,
            summary: personal(summary),
        })
    };
    let mut version = 0;
    for command in [
        CaseCommand::ReferCase(referral()),
        contact(day(2026, 2, 2), "MARK-FIRST"),
        contact(day(2026, 2, 20), "MARK-SECOND"),
    ] {
        version = store
            .execute(case, command.on(today()), &metadata())
            .await
            .unwrap()
            .version;
    }
    let last = |pool: PgPool| async move {
        let seen: (
            Option<chrono::NaiveDate>,
            Option<String>,
            Option<chrono::NaiveDate>,
        ) = sqlx::query_as(
            "select v.last_contact_on, v.last_contact_summary, c.last_contact_on
               from social_case_view v join caseload c using (case_id) where case_id = $1",
        )
        .bind(case.as_uuid())
        .fetch_one(&pool)
        .await
        .unwrap();
        seen
    };
    catch_up(&db).await;
    assert_eq!(
        last(db.pool.clone()).await,
        (
            Some(day(2026, 2, 20)),
            Some("MARK-SECOND".into()),
            Some(day(2026, 2, 20))
        )
    );
    // The second visit was in fact on the 1st: the first is now the latest.
    let correction = CaseCommand::CorrectEntry(Correction {
        sequence: version,
        correction: personal("the visit was on the 1st"),
        contacted_on: Some(day(2026, 2, 1)),
    });
    store
        .execute(case, correction.on(today()), &metadata())
        .await
        .unwrap();
    catch_up(&db).await;
    assert_eq!(
        last(db.pool.clone()).await,
        (
            Some(day(2026, 2, 2)),
            Some("MARK-FIRST".into()),
            Some(day(2026, 2, 2))
        )
    );
    // Later batches compare a new contact with the stored latest alone: an
    // earlier day does not move it, a later one does.
    for (on, summary, latest, shown) in [
        (
            day(2026, 1, 15),
            "MARK-THIRD",
            day(2026, 2, 2),
            "MARK-FIRST",
        ),
        (
            day(2026, 2, 10),
            "MARK-FOURTH",
            day(2026, 2, 10),
            "MARK-FOURTH",
        ),
    ] {
        store
            .execute(case, contact(on, summary).on(today()), &metadata())
            .await
            .unwrap();
        catch_up(&db).await;
        assert_eq!(
            last(db.pool.clone()).await,
            (Some(latest), Some(shown.into()), Some(latest)),
            "after {summary}"
        );
    }
}

/// Tables updated often leave room for HOT updates and are vacuumed early
/// (migration 0015), and a rebuild's swap keeps those settings.
#[tokio::test]
async fn a_rebuild_keeps_the_tables_storage_settings() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    workload::run(store, 5, 1, 3).await;
    let settings = |pool: PgPool| async move {
        let found: Option<Vec<String>> =
            sqlx::query_scalar("select reloptions from pg_class where oid = 'caseload'::regclass")
                .fetch_one(&pool)
                .await
                .unwrap();
        found.unwrap_or_default()
    };
    let before = settings(db.pool.clone()).await;
    assert!(before.contains(&"fillfactor=80".to_owned()), "{before:?}");
    rebuild_all(&db).await;
    assert_eq!(settings(db.pool.clone()).await, before);
}

/// The rows a view holds for each table, by their key, with the
/// transaction that last wrote each (`xmin`).
async fn writers(pool: &PgPool, table: &str, case: CaseId) -> Vec<(String, String)> {
    sqlx::query_as(&format!(
        "select row_to_json(t)::text, t.xmin::text from {table} t where case_id = $1 order by 1"
    ))
    .bind(case.as_uuid())
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A view writes only the rows an event changed: a contact on a case with
/// a plan leaves its goals, interventions and reviews as they were, not
/// rewritten (PostgreSQL would keep a dead row for each), while the rows it
/// does change are written.
#[tokio::test]
async fn a_contact_writes_only_the_rows_it_changes() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    for command in [
        CaseCommand::ReferCase(referral()),
        CaseCommand::DecideTriage(triage(TriageDecision::TakeOn)),
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseCommand::AssignLead(lead(LeadRole::CaseLead, 1)),
        CaseCommand::AgreePlan(plan()),
        CaseCommand::PlanIntervention(intervention(31, InterventionKind::Mentoring)),
        CaseCommand::ScheduleReview(Review {
            review_id: ReviewId::new(),
            due_on: day(2026, 3, 1),
        }),
    ] {
        store
            .execute(case, command.on(today()), &metadata())
            .await
            .unwrap();
    }
    catch_up(&db).await;
    let untouched = [
        "case_goals",
        "case_interventions",
        "case_reviews",
        "caseload_assignments",
    ];
    let mut before = Vec::new();
    for table in untouched {
        before.push(writers(&db.pool, table, case).await);
    }
    assert!(before[..3].iter().all(|rows| !rows.is_empty()));
    let overview = writers(&db.pool, "social_case_view", case).await;
    let contact = Contact {
        kind: ContactKind::HomeVisit,
        with_whom: vec![ContactParty::Youth],
        contacted_on: day(2026, 2, 2),
        summary: personal("talked about school"),
    };
    store
        .execute(
            case,
            CaseCommand::LogContact(contact).on(today()),
            &metadata(),
        )
        .await
        .unwrap();
    catch_up(&db).await;
    for (table, was) in untouched.iter().zip(before) {
        assert_eq!(
            writers(&db.pool, table, case).await,
            was,
            "{table} was rewritten"
        );
    }
    let now = writers(&db.pool, "social_case_view", case).await;
    assert_ne!(now, overview, "the overview shows the contact");
}

/// A view whose projection changed in a release (its version differs from
/// the one stored) is emptied and re-projected from the first event by
/// itself when its projector starts; the same version leaves it alone.
#[tokio::test]
async fn a_view_whose_version_changed_is_reprojected_by_itself() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    workload::run(store, 20, 2, 8).await;
    catch_up(&db).await;
    let before = timeline_keys(&db.pool).await;
    let outcomes: i64 = sqlx::query_scalar("select count(*) from timeline_interventions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(outcomes > 0, "the workload plans interventions");
    // As an earlier release left it: another version, and rows that differ.
    sqlx::query("update projection_checkpoints set view_version = 1 where view = 'case_timeline'")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("delete from case_timeline where sequence % 2 = 0")
        .execute(&db.pool)
        .await
        .unwrap();
    let timeline = Projector::new(
        db.pool.clone(),
        db.keyring.clone(),
        Arc::new(views::Timeline),
    );
    timeline.register().await.unwrap();
    let version: i32 = sqlx::query_scalar(
        "select view_version from projection_checkpoints where view = 'case_timeline'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(version, views::Timeline.version());
    assert!(
        timeline_keys(&db.pool).await.is_empty(),
        "emptied to start again"
    );
    settle(&db.pool, std::slice::from_ref(&timeline)).await;
    assert_eq!(timeline_keys(&db.pool).await, before);
    // Registered again at the same version, nothing is undone.
    timeline.register().await.unwrap();
    assert_eq!(timeline_keys(&db.pool).await, before);
}

/// The outcome of an intervention whose domain the timeline does not know
/// is shown to neither domain: visibility fails closed.
#[tokio::test]
async fn an_outcome_of_an_unknown_intervention_is_shown_to_nobody() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    let mentoring = intervention(31, InterventionKind::Mentoring);
    for command in [
        CaseCommand::ReferCase(referral()),
        CaseCommand::DecideTriage(triage(TriageDecision::TakeOn)),
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseCommand::AssignLead(lead(LeadRole::CaseLead, 1)),
        CaseCommand::AgreePlan(plan()),
        CaseCommand::PlanIntervention(mentoring.clone()),
        CaseCommand::CancelIntervention(InterventionCancellation {
            intervention_id: mentoring.intervention_id,
            reason: personal("MARK-CANCELLED"),
            cancelled_on: day(2026, 2, 12),
        }),
    ] {
        store
            .execute(case, command.on(today()), &metadata())
            .await
            .unwrap();
    }
    let timeline = Projector::new(
        db.pool.clone(),
        db.keyring.clone(),
        Arc::new(views::Timeline),
    );
    timeline.register().await.unwrap();
    // The timeline keeps no record of any intervention.
    let block = "create function forget() returns trigger language plpgsql as $$
                 begin return null; end $$;
                 create trigger forget before insert on timeline_interventions
                 for each row execute function forget()";
    sqlx::raw_sql(block).execute(&db.pool).await.unwrap();
    settle(&db.pool, std::slice::from_ref(&timeline)).await;
    let outcomes: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "select detail_social, detail_justice from case_timeline
          where event_type in ('InterventionCompleted', 'InterventionCancelled')",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(outcomes, vec![(None, None)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_can_wait_for_its_own_write() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    let written = store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(today()),
            &metadata(),
        )
        .await
        .unwrap();

    let short = Duration::from_millis(50);
    assert!(!wait_for_version(
        &db.pool,
        Versioned::SocialCaseView,
        case,
        written.version,
        short
    )
    .await
    .unwrap());
    let live = run_projectors(&db);
    let seen = wait_for_version(
        &db.pool,
        Versioned::SocialCaseView,
        case,
        written.version,
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    stop(live).await;
    assert!(seen);
}

/// Every kind of restricted content, each with its own marker.
fn restricted_events() -> Vec<(CaseCommand, &'static str, Domain)> {
    let signal = |kind, marker: &'static str| Signal {
        kind,
        source_org: org("bron"),
        source_domain: Domain::Social,
        occurred_on: day(2026, 2, 1),
        summary: Some(personal(marker)),
    };
    let note = |confidentiality, marker: &'static str| Note {
        confidentiality,
        text: personal(marker),
    };
    let information = |partner_domain, marker: &'static str| Information {
        partner: org("partner"),
        partner_domain,
        basis: LegalBasis::LegalTask {
            provision: personal("Jeugdwet art. 7.4.0"),
        },
        summary: personal(marker),
        added_on: day(2026, 2, 1),
    };
    vec![
        (
            CaseCommand::RecordSignal(signal(SignalKind::PoliceContact, "MARK-POLICE-SIGNAL")),
            "MARK-POLICE-SIGNAL",
            Domain::Justice,
        ),
        (
            CaseCommand::RecordSignal(signal(SignalKind::Family, "MARK-FAMILY-SIGNAL")),
            "MARK-FAMILY-SIGNAL",
            Domain::Social,
        ),
        (
            CaseCommand::AddNote(note(Confidentiality::Justice, "MARK-JUSTICE-NOTE")),
            "MARK-JUSTICE-NOTE",
            Domain::Justice,
        ),
        (
            CaseCommand::AddNote(note(Confidentiality::Social, "MARK-SOCIAL-NOTE")),
            "MARK-SOCIAL-NOTE",
            Domain::Social,
        ),
        (
            CaseCommand::AddInformation(information(Domain::Justice, "MARK-JUSTICE-INFO")),
            "MARK-JUSTICE-INFO",
            Domain::Justice,
        ),
        (
            CaseCommand::AddInformation(information(Domain::Social, "MARK-SOCIAL-INFO")),
            "MARK-SOCIAL-INFO",
            Domain::Social,
        ),
        (
            CaseCommand::LogContact(Contact {
                kind: ContactKind::HomeVisit,
                with_whom: vec![ContactParty::ParentOrGuardian],
                contacted_on: day(2026, 2, 2),
                summary: personal("MARK-CONTACT"),
            }),
            "MARK-CONTACT",
            Domain::Social,
        ),
        (
            CaseCommand::Escalate(Escalation {
                to: EscalationTarget::Prosecutor,
                reason: personal("MARK-ESCALATION"),
                escalated_on: day(2026, 2, 3),
            }),
            "MARK-ESCALATION",
            Domain::Justice,
        ),
    ]
}

/// Everything a domain can read: its case view and the timeline rows and details it may see.
async fn readable_by(pool: &PgPool, domain: Domain) -> String {
    let view: Vec<String> = sqlx::query_scalar(&format!(
        "select row_to_json(v)::text from {domain}_case_view v"
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    let timeline: Vec<String> = sqlx::query_scalar(&format!(
        "select concat_ws(' ', title, detail_{domain}) from case_timeline where {domain}"
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    format!("{}\n{}", view.join("\n"), timeline.join("\n"))
}

#[tokio::test]
async fn restricted_content_never_reaches_the_other_domain() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(today()),
            &metadata(),
        )
        .await
        .unwrap();
    let restricted = restricted_events();
    for (command, ..) in &restricted {
        store
            .execute(case, command.clone().on(today()), &metadata())
            .await
            .unwrap();
    }
    // Halt: the confession is police detail.
    for command in [
        CaseCommand::DecideTriage(triage(TriageDecision::TakeOn)),
        CaseCommand::IncludeCase(Inclusion {
            included_on: day(2026, 1, 15),
        }),
        CaseCommand::AssignLead(lead(LeadRole::CaseLead, 1)),
        CaseCommand::AgreePlan(plan()),
        CaseCommand::RecordConsent(consent(
            40,
            "halt-rotterdam",
            ConsentPurpose::HaltIntervention,
            ConsentGiver::Youth,
        )),
        CaseCommand::RecordConsent(consent(
            41,
            "halt-rotterdam",
            ConsentPurpose::HaltIntervention,
            ConsentGiver::ParentOrGuardian,
        )),
        CaseCommand::PlanIntervention(intervention(31, InterventionKind::Halt)),
    ] {
        store
            .execute(case, command.on(today()), &metadata())
            .await
            .unwrap();
    }
    catch_up(&db).await;

    let social = readable_by(&db.pool, Domain::Social).await;
    let justice = readable_by(&db.pool, Domain::Justice).await;
    for (_, marker, owner) in &restricted {
        let (own, other) = match owner {
            Domain::Social => (&social, &justice),
            Domain::Justice => (&justice, &social),
        };
        assert!(
            own.contains(marker),
            "{marker} missing from the {owner} domain: {own}"
        );
        assert!(
            !other.contains(marker),
            "{marker} leaked out of the {owner} domain"
        );
    }
    assert!(justice.contains("Confession on 2026-01-05"));
    assert!(
        !social.contains("Confession"),
        "Halt confession leaked to the social domain"
    );
    // Both see that a Halt intervention was planned.
    assert!(
        social.contains("Intervention planned: halt")
            && justice.contains("Intervention planned: halt")
    );
}

#[tokio::test]
async fn the_caseload_shows_overdue_reviews_contact_gaps_and_unassigned_cases() {
    use casus_projections::queries::{caseload, CaseloadFilter};
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let (worked, unassigned, closed) = (CaseId::new(), CaseId::new(), CaseId::new());
    for case in [worked, unassigned, closed] {
        store
            .execute(
                case,
                CaseCommand::ReferCase(referral()).on(today()),
                &metadata(),
            )
            .await
            .unwrap();
    }
    for command in [
        CaseCommand::AssignWorker(worker(3)),
        CaseCommand::ScheduleReview(review(20, day(2026, 3, 1))),
        CaseCommand::LogContact(Contact {
            kind: ContactKind::Phone,
            with_whom: vec![ContactParty::Youth],
            contacted_on: day(2026, 2, 20),
            summary: personal("called"),
        }),
    ] {
        store
            .execute(worked, command.on(today()), &metadata())
            .await
            .unwrap();
    }
    store
        .execute(
            closed,
            CaseCommand::CloseCase(closure(CaseResult::ReferralWithdrawn)).on(today()),
            &metadata(),
        )
        .await
        .unwrap();
    catch_up(&db).await;
    let team = CaseloadFilter {
        municipality: "GM0599".into(),
        team: Some("zuid-1".into()),
        domain: Some("social".into()),
        organisation: Some("gemeente-rotterdam".into()),
        worker: None,
    };

    let entries = caseload(&db.pool, &team, day(2026, 3, 5)).await.unwrap();

    assert_eq!(entries.len(), 2, "the closed case is not in the caseload");
    let first = &entries[0];
    assert_eq!(
        first.case_id,
        worked.as_uuid(),
        "overdue reviews come first"
    );
    assert!(first.review_overdue);
    assert_eq!(first.next_review_on, Some(day(2026, 3, 1)));
    assert_eq!(first.days_since_contact, Some(13));
    assert_eq!(first.workers, vec!["worker-3".to_owned()]);
    assert!(!first.unassigned);
    let second = &entries[1];
    assert_eq!(second.case_id, unassigned.as_uuid());
    assert!(second.unassigned && !second.review_overdue);
    assert_eq!(second.days_since_contact, None);

    let mine = CaseloadFilter {
        worker: Some("worker-3".into()),
        ..team.clone()
    };
    let mine = caseload(&db.pool, &mine, day(2026, 3, 5)).await.unwrap();
    assert_eq!(
        mine.iter().map(|e| e.case_id).collect::<Vec<_>>(),
        vec![worked.as_uuid()]
    );
    let before = caseload(&db.pool, &team, day(2026, 2, 25)).await.unwrap();
    assert!(
        before.iter().all(|e| !e.review_overdue),
        "not overdue before its date"
    );
}

#[tokio::test]
async fn one_rebuild_of_a_view_at_a_time() {
    use casus_projections::projector::ProjectionError;
    let db = TestDb::new().await;
    let mut other = db.pool.acquire().await.unwrap();
    sqlx::query("select pg_advisory_lock(hashtext('casus rebuild case_timeline'))")
        .execute(&mut *other)
        .await
        .unwrap();

    let refused = rebuild(&db.pool, &db.keyring, &[&Timeline], |_, _| {}).await;

    assert!(matches!(
        refused,
        Err(ProjectionError::RebuildRunning("case_timeline"))
    ));
    sqlx::query("select pg_advisory_unlock_all()")
        .execute(&mut *other)
        .await
        .unwrap();
    assert!(rebuild(&db.pool, &db.keyring, &[&Timeline], |_, _| {})
        .await
        .is_ok());
}

/// Two server instances run the same projectors: every event is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_apply_every_event_once() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    let first = run_projectors(&db);
    let second = run_projectors(&db);

    workload::run(store, 80, 4, 13).await;
    settle(&db.pool, &projectors(&db)).await;
    stop(first).await;
    stop(second).await;

    let total = event_keys(&db.pool).await;
    let timeline = timeline_keys(&db.pool).await;
    assert_eq!(
        timeline.len(),
        total.len(),
        "an event was applied twice or not at all"
    );
    for status in status(&db.pool).await.unwrap() {
        assert_eq!(
            status.events_applied as usize,
            total.len(),
            "{}",
            status.view
        );
    }
    let live = dump(&db.pool).await;
    rebuild_all(&db).await;
    catch_up(&db).await;
    assert_eq!(live, dump(&db.pool).await);
}

/// A commit wakes the projector at once; it does not wait for its poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_wakes_the_projector() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let projector = Projector::new(
        db.pool.clone(),
        db.keyring.clone(),
        Arc::new(views::Caseload),
    )
    .with_poll(Duration::from_secs(600));
    projector.register().await.unwrap();
    let (stop_tx, mut stop_rx) = watch::channel(false);
    let running = tokio::spawn(projector.run(async move {
        let _ = stop_rx.wait_for(|s| *s).await;
    }));
    // Let it reach its wait before the write.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let case = CaseId::new();
    let written = store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(today()),
            &metadata(),
        )
        .await
        .unwrap();
    let seen = wait_for_version(
        &db.pool,
        Versioned::Caseload,
        case,
        written.version,
        Duration::from_secs(10),
    )
    .await
    .unwrap();

    stop_tx.send(true).unwrap();
    running.await.unwrap();
    assert!(seen, "the projector slept through the notification");
    // The commit-to-applied lag of that batch is recorded for the view.
    let caseload = status(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.view == "caseload")
        .unwrap();
    let lag = caseload.lag_ms.expect("no lag recorded");
    assert!((0..10_000).contains(&lag), "lag {lag} ms");
}

/// A rebuild while writers write and the live projectors run: the swap loses
/// nothing and doubles nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rebuild_under_load_swaps_in_a_complete_view() {
    let db = TestDb::new().await;
    let store = Arc::new(db.store(0).await);
    workload::run(store.clone(), 100, 4, 17).await;
    let live = run_projectors(&db);

    let writing = tokio::spawn(workload::run(store, 100, 4, 19));
    for _ in 0..2 {
        rebuild_all(&db).await;
    }
    writing.await.unwrap();
    settle(&db.pool, &projectors(&db)).await;
    stop(live).await;

    let total = event_keys(&db.pool).await;
    assert_eq!(timeline_keys(&db.pool).await.len(), total.len());
    let after_load = dump(&db.pool).await;
    rebuild_all(&db).await;
    catch_up(&db).await;
    assert_eq!(after_load, dump(&db.pool).await);
}

/// An event stored in an older shape reaches the views in the current one.
#[tokio::test]
async fn the_views_read_old_events_in_their_current_shape() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    store
        .execute(
            case,
            CaseCommand::ReferCase(referral()).on(today()),
            &metadata(),
        )
        .await
        .unwrap();
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

    catch_up(&db).await;

    let (title, social, justice): (String, bool, bool) = sqlx::query_as(
        "select title, social, justice from case_timeline where case_id = $1 and sequence = 2",
    )
    .bind(case.as_uuid())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(title, "Signal: police contact from politie-rotterdam");
    assert!(
        !social && justice,
        "an upcast police signal is justice-only"
    );
}

/// Every free text is personal: after an erasure none of the texts a
/// worker wrote (reasons of unassignment, reassignment and transfer, the
/// risk instrument, a legal task's provision, who decided the triage) is
/// left in the raw log or in any view, live or rebuilt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_leaves_no_free_text_of_any_command() {
    let db = TestDb::new().await;
    let store = db.store(0).await;
    let case = CaseId::new();
    let subject = SubjectId::new();
    let free = |what: &str| format!("free-text-{what}-7f3a");
    let provision = || LegalBasis::LegalTask {
        provision: personal(&free("provision")),
    };
    let commands = vec![
        CaseCommand::ReferCase(Referral {
            subject,
            ..referral()
        }),
        CaseCommand::DecideTriage(Triage {
            decided_by: personal(&free("decided-by")),
            ..triage(TriageDecision::TakeOn)
        }),
        CaseCommand::AddInformation(Information {
            partner: org("halt-rotterdam"),
            partner_domain: Domain::Justice,
            basis: provision(),
            summary: personal(&free("information")),
            added_on: day(2026, 1, 12),
        }),
        CaseCommand::InvolvePartner(PartnerInvolvement {
            partner: org("halt-rotterdam"),
            partner_domain: Domain::Justice,
            basis: Some(provision()),
            involved_on: day(2026, 1, 12),
        }),
        CaseCommand::AssessRisk {
            assessment: RiskAssessment {
                instrument: personal(&free("instrument")),
                ..assessment(RiskLevel::Low)
            },
            next_review: None,
        },
        CaseCommand::AssignWorker(worker(1)),
        CaseCommand::UnassignWorker(Unassignment {
            worker: worker(1).id,
            reason: Some(personal(&free("unassignment"))),
        }),
        CaseCommand::AssignWorker(worker(2)),
        CaseCommand::ReassignWorker(Reassignment {
            from: worker(2).id,
            to: worker(3),
            reason: Some(personal(&free("reassignment"))),
        }),
        CaseCommand::TransferCase(Transfer {
            municipality: referral().municipality,
            focus_area: referral().focus_area,
            team: TeamId::parse("zuid-2").unwrap(),
            reason: personal(&free("transfer")),
            transferred_on: day(2026, 1, 13),
        }),
    ];
    for command in commands {
        store
            .execute(case, command.on(today()), &metadata())
            .await
            .unwrap();
    }
    let erasure = Erasure {
        reason: text("request of the young person"),
        // The store erases on the real day.
        erased_on: casus_store::clock::today(),
    };
    store
        .erase_subject(subject, &erasure, &metadata(), |_| {
            Ok::<_, casus_store::CommandError>(())
        })
        .await
        .unwrap();
    catch_up(&db).await;
    let raw: String =
        sqlx::query_scalar("select string_agg(payload::text || metadata::text, ' ') from events")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let live = dump(&db.pool).await;
    rebuild_all(&db).await;
    catch_up(&db).await;
    let rebuilt = dump(&db.pool).await;
    for what in [
        "decided-by",
        "information",
        "provision",
        "instrument",
        "unassignment",
        "reassignment",
        "transfer",
    ] {
        let text = free(what);
        assert!(!raw.contains(&text), "{what} is in the raw log");
        for (table, rows) in live.iter().chain(rebuilt.iter()) {
            assert!(
                !rows.iter().any(|row| row.contains(&text)),
                "{what} is left in {table}"
            );
        }
    }
    assert_eq!(live, rebuilt, "the views equal a rebuild after the erasure");
}
