//! `Idempotency-Key`: the same key and body replay the first answer without
//! a second event; the same key with another body is 422; concurrent
//! repeats store one event.

use reqwest::Method;
use serde_json::json;

use super::app::{referral, TestApp, User};

#[tokio::test]
async fn a_repeated_request_gets_the_first_answer_and_no_second_event() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let body = referral("Jayden Bakker", "2011-03-14");
    let key = [("idempotency-key", "referral-0001")];
    let first = app
        .send(
            Some(&sanne),
            Method::POST,
            "/api/v1/cases",
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(first.status, 201);
    let again = app
        .send(
            Some(&sanne),
            Method::POST,
            "/api/v1/cases",
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.events().await, 1);

    let other = referral("Someone Else", "2010-01-01");
    let reused = app
        .send(
            Some(&sanne),
            Method::POST,
            "/api/v1/cases",
            Some(&other),
            &key,
        )
        .await;
    assert_eq!(reused.status, 422);
    assert_eq!(
        reused.body["type"],
        "urn:casus:problem:idempotency-key-reused"
    );
    assert_eq!(app.events().await, 1);

    // Another caller's same key is their own.
    let noor = User::worker("w-noor", "zuid-1");
    let theirs = app
        .send(
            Some(&noor),
            Method::POST,
            "/api/v1/cases",
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body["case_id"], first.body["case_id"]);
    app.stop().await;
}

#[tokio::test]
async fn a_refusal_is_replayed_too() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let opened = app
        .record(
            &sanne,
            "/api/v1/cases",
            referral("Jayden Bakker", "2011-03-14"),
        )
        .await;
    let path = format!(
        "/api/v1/cases/{}/include",
        opened.body["case_id"].as_str().unwrap()
    );
    let body = json!({ "included_on": "2026-11-04" });
    let key = [("idempotency-key", "include-1")];
    let first = app
        .send(Some(&sanne), Method::POST, &path, Some(&body), &key)
        .await;
    assert_eq!(first.status, 409);
    let again = app
        .send(Some(&sanne), Method::POST, &path, Some(&body), &key)
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body, first.body);
    assert_eq!(
        again.header("content-type"),
        Some("application/problem+json")
    );
    app.stop().await;
}

#[tokio::test]
async fn concurrent_repeats_store_one_event() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let body = referral("Jayden Bakker", "2011-03-14");
    let key = [("idempotency-key", "burst")];
    let answers = futures::future::join_all((0..8).map(|_| {
        app.send(
            Some(&sanne),
            Method::POST,
            "/api/v1/cases",
            Some(&body),
            &key,
        )
    }))
    .await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .inspect(|a| assert_eq!(a.status, 201, "{a:?}"))
        .map(|a| a.body["case_id"].to_string())
        .collect();
    assert_eq!(ids.len(), 1, "every repeat names the same case");
    assert_eq!(app.events().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn keys_are_forgotten_after_their_period() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let key = [("idempotency-key", "kept-a-while")];
    let body = referral("Jayden Bakker", "2011-03-14");
    let first = app
        .send(
            Some(&sanne),
            Method::POST,
            "/api/v1/cases",
            Some(&body),
            &key,
        )
        .await;
    assert_eq!(first.status, 201);
    // Within the period nothing is forgotten; past it, the key is free again.
    let kept = casus_store::idempotency::expire(&app.db.pool, std::time::Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(kept, 0);
    let forgotten = casus_store::idempotency::expire(&app.db.pool, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    let other = referral("Someone Else", "2010-01-01");
    let again = app
        .send(
            Some(&sanne),
            Method::POST,
            "/api/v1/cases",
            Some(&other),
            &key,
        )
        .await;
    assert_eq!(again.status, 201, "{again:?}");
    assert_ne!(again.body["case_id"], first.body["case_id"]);
    app.stop().await;
}
