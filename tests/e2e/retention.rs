//! `casus retention`: only the young people whose every case is closed past
//! its result's period are erased, and only the access log's months before
//! the period it keeps are removed; `--dry-run` changes nothing.

use std::process::Command;

use casus_store::audit::chain::{self, Breach};
use casus_store::audit::integrity::AccessVerification;
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

/// Logs five reads of one case in January and February 2020, chained as
/// Casus chains them (positions 1 to 5), before anything else is logged.
async fn old_accesses(app: &TestApp, case: Uuid) {
    sqlx::query(&format!(
        r"do $$
        declare
            previous bytea := '\x{zero}'::bytea;
            logged_at timestamptz;
            request uuid;
            access bigint;
        begin
            for i in 1..5 loop
                logged_at := case when i <= 3 then timestamptz '2020-01-10 12:00Z'
                                  else timestamptz '2020-02-10 12:00Z' end + i * interval '1 minute';
                request := gen_random_uuid();
                perform casus_access_month(logged_at);
                previous := sha256(previous || casus_access_canonical(i, logged_at, 'read',
                    'allowed', 'w-old', 'Oud', null, 'gemeente', 'social', 'work', null, 'GM0599',
                    'social_case_view', 'case', 'team', request, array['{case}'::uuid],
                    array['GM0599'], array[null::uuid]));
                insert into accesses (at, chain_position, request_id, action, outcome, sensitivity,
                                      hash, user_id, user_name, organisation, domain, purpose,
                                      municipality, view, basis)
                values (logged_at, i, request, 'read', 'allowed', 'case', previous, 'w-old', 'Oud',
                        'gemeente', 'social', 'work', 'GM0599', 'social_case_view', 'team')
                returning id into access;
                insert into accessed_cases (at, access_id, case_id, municipality)
                values (logged_at, access, '{case}', 'GM0599');
            end loop;
        end $$",
        zero = "00".repeat(32)
    ))
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn partition_exists(app: &TestApp, name: &str) -> bool {
    sqlx::query_scalar("select to_regclass($1) is not null")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn access_log_verified(app: &TestApp) -> AccessVerification {
    chain::verify(&app.db.pool, &app.db.signer.verifying_key(), None, |_| {})
        .await
        .unwrap()
        .access_log
        .expect("the access log is walked")
}

#[tokio::test]
async fn the_access_log_keeps_its_period_and_removes_older_months_whole() {
    let app = TestApp::spawn().await;
    let case = Uuid::now_v7();
    old_accesses(&app, case).await;
    // A read of today, chained after them.
    let worker = User::worker("w-1", "zuid-1");
    let (today_case, version) = self::case(&app, Uuid::now_v7(), None).await;
    let read = app
        .get(
            &worker,
            &format!("/api/v1/cases/{today_case}?minVersion={version}"),
        )
        .await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(access_log_verified(&app).await.accesses, 6);

    // Five years kept back from November 2026: both months of 2020 are due.
    let dry = retention(&app, &["--dry-run", "--as-of", "2026-11-30"]);
    assert!(
        dry.contains(
            "would remove the access log of 2020-01\nwould remove the access log of 2020-02\n"
        ),
        "{dry}"
    );
    assert!(
        dry.contains("access log kept from 2021-11: 2 months due; nothing changed"),
        "{dry}"
    );
    assert!(partition_exists(&app, "accesses_2020_01").await);

    let run = retention(&app, &["--as-of", "2026-11-30"]);
    assert!(
        run.contains(
            "removed the access log of 2020-01: 3 accesses, 3 entries, through position 3"
        ),
        "{run}"
    );
    assert!(
        run.contains(
            "removed the access log of 2020-02: 2 accesses, 2 entries, through position 5"
        ),
        "{run}"
    );
    for gone in [
        "accesses_2020_01",
        "accessed_cases_2020_01",
        "accesses_2020_02",
        "accessed_cases_2020_02",
    ] {
        assert!(!partition_exists(&app, gone).await, "{gone}");
    }
    // The chain now starts after the last position removed, and goes on.
    let verified = access_log_verified(&app).await;
    assert_eq!((verified.accesses, verified.broken), (1, None));
    let again = app
        .get(&worker, &format!("/api/v1/cases/{today_case}"))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(access_log_verified(&app).await.accesses, 2);
    let rerun = retention(&app, &["--as-of", "2026-11-30"]);
    assert!(rerun.contains("0 months removed"), "{rerun}");

    // A retention record Casus did not sign does not move the chain's start.
    sqlx::query(
        "insert into access_log_retention
             (month, accesses, entries, through_position, through_hash, signature)
         select '2020-03-01', 9, 9, 9, through_hash, signature
           from access_log_retention where month = '2020-02-01'",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let broken = access_log_verified(&app)
        .await
        .broken
        .expect("an unsigned start");
    assert_eq!((broken.position, broken.breach), (9, Breach::BadSignature));
    app.stop().await;
}

#[tokio::test]
async fn a_month_whose_chain_does_not_hold_is_not_removed() {
    let app = TestApp::spawn().await;
    old_accesses(&app, Uuid::now_v7()).await;
    let mut tx = app.db.pool.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update accesses set purpose = 'nothing to see' where chain_position = 2")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(["retention", "--as-of", "2026-11-30"])
        .envs(app.db.env())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("removing the access log of 2020-01 failed"),
        "{stderr}"
    );
    assert!(stderr.contains("does not hold at position 2"), "{stderr}");
    assert!(partition_exists(&app, "accesses_2020_01").await);
    let kept: i64 = sqlx::query_scalar("select count(*) from access_log_retention")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, 0);
    app.stop().await;
}
