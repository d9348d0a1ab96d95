//! The case cache with two Casus instances on one database: writers on
//! both, every acknowledged write stored and none lost, and no command
//! decided on a case the other instance had moved on.

use serde_json::{json, Value};

use super::app::{TestApp, User};

fn worker() -> User {
    User::worker("w-1", "zuid-1")
}

/// Posts `body` to `path` at the Casus at `base`.
async fn post(app: &TestApp, base: &str, path: &str, body: &Value) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(app.token(&worker()))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

fn note(n: usize) -> Value {
    json!({"confidentiality": "shared", "text": format!("note {n}")})
}

#[tokio::test]
async fn writers_on_two_instances_lose_nothing_they_were_told_was_stored() {
    let app = TestApp::spawn().await;
    let (other, server) = app.second().await;
    let (case, _) = app.open_case(&worker()).await;
    let path = format!("/api/v1/cases/{case}/notes");
    // In turn: each instance remembers the case as it last wrote it, and
    // the other has moved it on since. The stale copy costs a retry, never
    // a refusal.
    for n in 0..20 {
        let base = if n % 2 == 0 { &app.base } else { &other };
        let (status, body) = post(&app, base, &path, &note(n)).await;
        assert_eq!(status, 200, "write {n}: {body}");
    }
    // At once: some conflict (409, told so), none is lost.
    let writes = (0..40).map(|n| {
        let base = if n % 2 == 0 {
            app.base.clone()
        } else {
            other.clone()
        };
        let (app, path) = (&app, path.clone());
        async move { post(app, &base, &path, &note(n)).await }
    });
    let answers = futures::future::join_all(writes).await;
    let stored = answers.iter().filter(|(status, _)| *status == 200).count();
    for (status, body) in &answers {
        assert!(
            *status == 200 || *status == 409,
            "a write answered {status}: {body}"
        );
    }
    let notes: i64 = sqlx::query_scalar(
        "select count(*) from events where aggregate_id = $1 and event_type = 'NoteAdded'",
    )
    .bind(&case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(notes as usize, 20 + stored, "acknowledged = stored");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_case_closed_on_one_instance_refuses_a_note_on_the_other() {
    let app = TestApp::spawn().await;
    let (other, server) = app.second().await;
    let (case, _) = app.open_case(&worker()).await;
    let path = |p: &str| format!("/api/v1/cases/{case}{p}");
    // The first instance holds the open case in memory.
    let (status, _) = post(&app, &app.base, &path("/notes"), &note(1)).await;
    assert_eq!(status, 200);
    // The other closes it.
    let triage = json!({"decision": "advice_only", "decided_by": "t", "decided_on": "2026-11-03"});
    assert_eq!(post(&app, &other, &path("/triage"), &triage).await.0, 200);
    let close = json!({"result": "advice_given", "summary": null, "closed_on": "2026-11-05"});
    assert_eq!(post(&app, &other, &path("/close"), &close).await.0, 200);
    // The first decides on the case as it is now, not as it remembers it.
    let (status, body) = post(&app, &app.base, &path("/notes"), &note(2)).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("closed"),
        "{body}"
    );
    let last: String = sqlx::query_scalar(
        "select event_type from events where aggregate_id = $1 order by sequence desc limit 1",
    )
    .bind(&case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(last, "CaseClosed");
    server.stop().await.unwrap();
}
