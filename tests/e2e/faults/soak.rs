//! Many writers over a few shared cases for a bounded time, through the API.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::app::{referral, TestApp, User};
use crate::support::{caught_up, dump};

/// How long the soak runs here; `CASUS_SOAK_SECONDS` runs it longer.
fn soak_time() -> Duration {
    let seconds = std::env::var("CASUS_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    Duration::from_secs(seconds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_on_few_cases_lose_and_double_nothing() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let mut cases = Vec::new();
    for _ in 0..3 {
        let opened = app
            .record(
                &worker,
                "/api/v1/cases",
                referral("Soak Case", "2012-02-02"),
            )
            .await;
        cases.push(opened.body["case_id"].as_str().unwrap().to_owned());
    }
    let until = Instant::now() + soak_time();
    let app = std::sync::Arc::new(app);
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (app, worker, case) = (app.clone(), worker.clone(), cases[w % 3].clone());
            tokio::spawn(async move {
                let (mut acked, mut conflicts) = (0_i64, 0_i64);
                while Instant::now() < until {
                    let note =
                        json!({ "confidentiality": "shared", "text": format!("writer {w}") });
                    let answer = app
                        .post(&worker, &format!("/api/v1/cases/{case}/notes"), note)
                        .await;
                    match answer.status.as_u16() {
                        200 => acked += 1,
                        409 => conflicts += 1,
                        other => panic!("a writer got {other}: {}", answer.body),
                    }
                }
                (case, acked, conflicts)
            })
        })
        .collect();
    let mut acked: BTreeMap<String, i64> = BTreeMap::new();
    let mut conflicts = 0;
    for writer in writers {
        let (case, a, c) = writer.await.unwrap();
        *acked.entry(case).or_default() += a;
        conflicts += c;
    }
    assert!(conflicts > 0, "16 writers on 3 cases never collided");
    println!(
        "soak: {} notes acknowledged, {conflicts} concurrent writes answered 409",
        acked.values().sum::<i64>()
    );

    for (case, acked) in &acked {
        let (notes, events, last): (i64, i64, i64) = sqlx::query_as(
            "select count(*) filter (where event_type = 'NoteAdded'), count(*), max(sequence)
               from events where aggregate_id = $1",
        )
        .bind(case)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(notes, *acked, "case {case}: acknowledged vs stored notes");
        assert_eq!(
            events, last,
            "case {case}: sequences 1..{last} without a gap"
        );
    }
    // Views equal a rebuild once caught up with the last write.
    for case in &cases {
        let version: i64 =
            sqlx::query_scalar("select max(sequence) from events where aggregate_id = $1")
                .bind(case)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        for path in ["", "/timeline"] {
            let read = app
                .get(
                    &worker,
                    &format!("/api/v1/cases/{case}{path}?minVersion={version}"),
                )
                .await;
            assert_eq!(read.status, 200, "{}", read.body);
        }
    }
    caught_up(&app.db.pool).await;
    let live = dump(&app.db.pool).await;
    let views = casus_projections::views::all();
    let all: Vec<_> = views.iter().map(|view| view.as_ref()).collect();
    casus_projections::rebuild::rebuild(&app.db.pool, &app.db.keyring, &all, |_, _| {})
        .await
        .unwrap();
    assert!(
        live == dump(&app.db.pool).await,
        "the live views differ from a rebuild"
    );
}
