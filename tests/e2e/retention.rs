//! `casus retention`: only the young people whose every case is closed past
//! its result's period are erased; `--dry-run` changes nothing.

use std::process::Command;

use serde_json::json;
use uuid::Uuid;

use crate::api::app::{referral, TestApp, User};

/// Opens a case about `subject` and, if `closed_on` is given, closes it
/// after an advice-only triage. Answers the case id and its last version.
async fn case(app: &TestApp, subject: Uuid, closed_on: Option<&str>) -> (String, u64) {
    let worker = User::worker("w-1", "zuid-1");
    let mut body = referral("Bram Bewaartermijn", "2010-02-02");
    body["subject_id"] = json!(subject);
    let opened = app.record(&worker, "/api/v1/cases", body).await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let Some(closed_on) = closed_on else {
        return (case, opened.version());
    };
    let path = |p: &str| format!("/api/v1/cases/{case}{p}");
    app.record(
        &worker,
        &path("/triage"),
        json!({ "decision": "advice_only", "decided_by": "triage", "decided_on": "2026-11-03" }),
    )
    .await;
    let closed = app
        .record(
            &worker,
            &path("/close"),
            json!({ "result": "advice_given", "summary": "advice given to the parents", "closed_on": closed_on }),
        )
        .await;
    (case, closed.version())
}

fn retention(app: &TestApp, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_casus"))
        .arg("retention")
        .args(args)
        .envs(app.db.env())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn erased(app: &TestApp) -> Vec<Uuid> {
    sqlx::query_scalar("select subject_id from subject_keys where wrapped is null order by 1")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

async fn erasure_events(app: &TestApp, case: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from events where aggregate_id = $1 and event_type = 'SubjectErased'",
    )
    .bind(case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn only_subjects_past_their_period_are_erased() {
    let app = TestApp::spawn().await;
    let (early, late, half_open) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let (early_case, _) = case(&app, early, Some("2026-11-05")).await;
    let (late_case, _) = case(&app, late, Some("2026-11-06")).await;
    case(&app, half_open, Some("2026-11-05")).await;
    let (open_case, version) = case(&app, half_open, None).await;
    // The views must show the closures before the job reads them.
    let worker = User::worker("w-1", "zuid-1");
    let seen = app
        .get(&worker, &format!("/api/v1/cases/{late_case}?minVersion=3"))
        .await;
    assert_eq!(seen.status, 200);
    let seen = app
        .get(
            &worker,
            &format!("/api/v1/cases/{open_case}?minVersion={version}"),
        )
        .await;
    assert_eq!(seen.status, 200);
    let events_before = app.events().await;

    // advice_given is kept 5 years: on 2031-11-05 only the early one is due.
    let dry = retention(&app, &["--dry-run", "--as-of", "2031-11-05"]);
    assert!(
        dry.contains(&format!(
            "would erase young person {early}: 1 case: {early_case} (GM0599)"
        )),
        "{dry}"
    );
    assert!(
        !dry.contains(&late.to_string()) && !dry.contains(&half_open.to_string()),
        "{dry}"
    );
    assert!(
        dry.contains("1 young person with 1 case due; nothing changed"),
        "{dry}"
    );
    assert_eq!(app.events().await, events_before, "a dry run wrote events");
    assert!(erased(&app).await.is_empty(), "a dry run destroyed a key");

    let one_day_early = retention(&app, &["--as-of", "2031-11-04"]);
    assert!(
        one_day_early.contains("0 young people due, 0 cases erased"),
        "{one_day_early}"
    );
    assert!(erased(&app).await.is_empty());

    let run = retention(&app, &["--as-of", "2031-11-05"]);
    assert!(run.contains("1 young person due, 1 case erased"), "{run}");
    assert_eq!(erased(&app).await, vec![early]);
    assert_eq!(erasure_events(&app, &early_case).await, 1);
    assert_eq!(erasure_events(&app, &late_case).await, 0);

    // Years later the late one goes too; a young person with an open case never.
    let later = retention(&app, &["--as-of", "2040-01-01"]);
    assert!(
        later.contains("1 young person due, 1 case erased"),
        "{later}"
    );
    let mut expected = vec![early, late];
    expected.sort();
    assert_eq!(erased(&app).await, expected);
    assert_eq!(erasure_events(&app, &open_case).await, 0);
    app.stop().await;
}
