//! Faults from outside, with real processes: the database restarting under
//! write load, its connections cut mid-command, the server killed in the
//! middle of projecting a backlog; and many writers on a few shared cases.
//! Each fault test runs a PostgreSQL cluster of its own and `casus serve` as
//! a child process; every run is bounded in time.

mod rig;
mod soak;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{Connection, PgPool};
use tokio::task::JoinHandle;

use crate::api::app::referral;
use crate::support::dump;
use rig::{Api, Reply, Rig, REQUEST_TIMEOUT};

/// One request a writer sent, and what it was told.
struct Sent {
    path: String,
    body: Value,
    key: String,
    reply: Reply,
}

/// Writers, each adding notes to a case of its own (so only the fault can
/// refuse them), every note with its own idempotency key.
struct Writers {
    stop: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<Vec<Sent>>>,
}

impl Writers {
    fn start(api: &Api, cases: &[String]) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = cases
            .iter()
            .map(|case| {
                let (api, stop, case) = (api.clone(), stop.clone(), case.clone());
                tokio::spawn(async move {
                    let mut sent = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let path = format!("/api/v1/cases/{case}/notes");
                        let body = json!({ "confidentiality": "shared", "text": "under fault" });
                        let key = uuid::Uuid::now_v7().to_string();
                        let reply = api.post(&path, &body, Some(&key)).await;
                        if reply.status.is_none_or(|s| !s.is_success()) {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        sent.push(Sent {
                            path,
                            body,
                            key,
                            reply,
                        });
                    }
                    sent
                })
            })
            .collect();
        Self { stop, tasks }
    }

    async fn finish(self) -> Vec<Sent> {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for task in self.tasks {
            all.extend(task.await.unwrap());
        }
        all
    }
}

async fn open_cases(api: &Api, n: usize) -> Vec<String> {
    let mut cases = Vec::new();
    for _ in 0..n {
        let opened = api
            .post("/api/v1/cases", &referral("Fault Case", "2011-01-01"), None)
            .await;
        assert_eq!(opened.status, Some(StatusCode::CREATED), "{opened:?}");
        cases.push(opened.body["case_id"].as_str().unwrap().to_owned());
    }
    cases
}

/// Every answer under the fault was a success or a 503 with `Retry-After`,
/// in time; answers how many were 503.
fn answered_well(sent: &[Sent]) -> usize {
    let mut unavailable = 0;
    for s in sent {
        let status = s
            .reply
            .status
            .unwrap_or_else(|| panic!("no answer at all: {:?}", s.reply));
        assert!(
            status.is_success()
                || (status == StatusCode::SERVICE_UNAVAILABLE && s.reply.retry_after),
            "a fault must answer 503 with Retry-After, not {status}: {}",
            s.reply.body
        );
        assert!(
            s.reply.took < Duration::from_secs(REQUEST_TIMEOUT + 2),
            "a request hung for {:?}",
            s.reply.took
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            unavailable += 1;
        }
    }
    unavailable
}

/// Repeats every request that was not acknowledged, with its key, until it
/// is: the answer either replays the stored one or stores it now. Answers
/// the number of distinct requests, each now acknowledged once.
async fn settle(api: &Api, sent: &[Sent]) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    for s in sent
        .iter()
        .filter(|s| s.reply.status.is_none_or(|st| !st.is_success()))
    {
        loop {
            let again = api.post(&s.path, &s.body, Some(&s.key)).await;
            if again.status.is_some_and(|st| st.is_success()) {
                break;
            }
            assert!(Instant::now() < deadline, "never acknowledged: {again:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    sent.len()
}

/// The notes in the log, asked until the database answers.
async fn stored_notes(pool: &PgPool) -> usize {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let counted: Result<i64, _> =
            sqlx::query_scalar("select count(*) from events where event_type = 'NoteAdded'")
                .fetch_one(pool)
                .await;
        match counted {
            Ok(n) => return n as usize,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(e) => panic!("the database did not come back: {e}"),
        }
    }
}

/// The views the server kept equal the views a rebuild makes.
async fn views_equal_a_rebuild(rig: &Rig) {
    rig.caught_up().await;
    let live = dump(&rig.pool).await;
    rig.rebuild();
    assert!(
        live == dump(&rig.pool).await,
        "the live views differ from a rebuild"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_restart_under_load_loses_no_acknowledged_command() {
    let mut rig = Rig::new().await;
    rig.serve().await;
    let cases = open_cases(&rig.api, 6).await;
    let writers = Writers::start(&rig.api, &cases);
    tokio::time::sleep(Duration::from_secs(1)).await;
    rig.stop_database();
    tokio::time::sleep(Duration::from_secs(3)).await;
    rig.start_database();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent = writers.finish().await;

    let unavailable = answered_well(&sent);
    assert!(unavailable > 0, "the outage was never noticed");
    assert!(
        sent.last()
            .is_some_and(|s| s.reply.status.is_some_and(|st| st.is_success())),
        "the server did not recover by itself"
    );
    let requests = settle(&rig.api, &sent).await;
    let stored = stored_notes(&rig.pool).await;
    println!(
        "restart: {requests} commands sent, {} acknowledged at once, {unavailable} answered 503, \
         {stored} stored after repeating the rest with their keys",
        requests - unavailable
    );
    assert_eq!(stored, requests, "acknowledged vs stored");
    views_equal_a_rebuild(&rig).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_cut_mid_command_leave_the_log_as_the_clients_were_told() {
    let mut rig = Rig::new().await;
    rig.serve().await;
    let cases = open_cases(&rig.api, 6).await;
    let writers = Writers::start(&rig.api, &cases);
    let mut killer = sqlx::PgConnection::connect_with(&rig.pool.connect_options())
        .await
        .unwrap();
    let mut cut = 0_i64;
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        let n: i64 = sqlx::query_scalar(
            "select count(*) filter (where pg_terminate_backend(pid))
               from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid()",
        )
        .fetch_one(&mut killer)
        .await
        .unwrap();
        cut += n;
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent = writers.finish().await;

    assert!(cut > 10, "only {cut} connections were cut");
    let unavailable = answered_well(&sent);
    let requests = settle(&rig.api, &sent).await;
    let stored = stored_notes(&rig.pool).await;
    println!(
        "cut: {cut} connections terminated; {requests} commands sent, {unavailable} answered 503, \
         {stored} stored after repeating those with their keys"
    );
    assert_eq!(stored, requests, "acknowledged vs stored");
    views_equal_a_rebuild(&rig).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_while_projecting_a_backlog_resumes_without_a_trace() {
    let mut rig = Rig::new().await;
    let seeded = rig
        .casus()
        .args(["seed", "--cases", "1500"])
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let events: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&rig.pool)
        .await
        .unwrap();

    rig.serve().await;
    // Kill it once the views are under way, but not done.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let applied: Option<i64> =
            sqlx::query_scalar("select min(events_applied) from projection_checkpoints")
                .fetch_one(&rig.pool)
                .await
                .unwrap();
        if applied.is_some_and(|n| n > 0) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    rig.kill();
    let at_kill: i64 =
        sqlx::query_scalar("select coalesce(max(events_applied), 0) from projection_checkpoints")
            .fetch_one(&rig.pool)
            .await
            .unwrap();
    assert!(at_kill < events, "the views were done before the kill");
    println!("kill -9: at {at_kill} of {events} events applied");

    rig.serve().await;
    rig.caught_up().await;
    let applied: Vec<i64> = sqlx::query_scalar("select events_applied from projection_checkpoints")
        .fetch_all(&rig.pool)
        .await
        .unwrap();
    assert!(
        applied.iter().all(|n| *n == events),
        "applied twice or not at all: {applied:?} of {events}"
    );
    views_equal_a_rebuild(&rig).await;
}
