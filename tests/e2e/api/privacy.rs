//! Personal data is sealed in the log, and erasure takes it out of every
//! view, timeline, history and export while the audit trail holds.

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use super::app::{referral, TestApp, User, AMSTERDAM};

const NAME: &str = "Jantje Zonderland";
const BORN: &str = "2011-03-14";
const SUMMARY: &str = "spoke with Jantje about the scooter theft";

fn officer() -> User {
    User::worker("po-1", "zuid-1").with_roles(&["privacy_officer"])
}

fn auditor() -> User {
    User::worker("au-1", "zuid-1").with_roles(&["auditor"])
}

/// Opens a case about `subject` and logs a contact on it; answers the case id and version.
async fn case_about(app: &TestApp, worker: &User, subject: Uuid) -> (String, u64) {
    let mut body = referral(NAME, BORN);
    body["subject_id"] = json!(subject);
    let opened = app.record(worker, "/api/v1/cases", body).await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let contact = json!({ "kind": "home_visit", "with_whom": ["youth"],
                          "contacted_on": "2026-11-10", "summary": SUMMARY });
    let logged = app
        .record(worker, &format!("/api/v1/cases/{case}/contacts"), contact)
        .await;
    (case, logged.version())
}

async fn audit_read(app: &TestApp, path: &str) -> Value {
    let answer = app
        .send(
            Some(&auditor()),
            Method::GET,
            path,
            None,
            &[("x-audit-reason", "privacy test")],
        )
        .await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.body
}

#[tokio::test]
async fn personal_data_never_reaches_the_events_table() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let (case, version) = case_about(&app, &worker, Uuid::now_v7()).await;

    let stored: Vec<String> =
        sqlx::query_scalar("select payload::text || ' ' || metadata::text from events")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 2);
    for text in &stored {
        for secret in [NAME, "Zonderland", BORN, SUMMARY, "scooter"] {
            assert!(!text.contains(secret), "{secret:?} is in the log: {text}");
        }
        assert!(!text.contains("$personal"), "an unsealed value: {text}");
    }
    assert!(stored[0].contains("$sealed"));

    // The views open it for those who may see it.
    let view = app
        .get(
            &worker,
            &format!("/api/v1/cases/{case}?minVersion={version}"),
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.body["subject_name"], NAME);
    assert_eq!(view.body["date_of_birth"], BORN);
    assert_eq!(view.body["last_contact_summary"], SUMMARY);
    app.stop().await;
}

#[tokio::test]
async fn erasure_takes_the_person_out_of_every_read_and_keeps_the_chain() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let subject = Uuid::now_v7();
    let (first, _) = case_about(&app, &worker, subject).await;
    let (second, _) = case_about(&app, &worker, subject).await;
    let (other, other_version) = case_about(&app, &worker, Uuid::now_v7()).await;
    // Halt reads both cases through the justice view, on a legal task.
    let halt = User {
        org: "halt-rotterdam",
        domain: "justice",
        ..User::worker("halt-1", "halt-zuid")
    };
    for case in [&first, &second] {
        app.record(
            &worker,
            &format!("/api/v1/cases/{case}/partners"),
            json!({ "partner": "halt-rotterdam", "partner_domain": "justice",
                    "basis": { "basis": "legal_task", "provision": "Wetboek van Strafrecht art. 77e" },
                    "involved_on": "2026-11-04" }),
        )
        .await;
    }
    let erasure = format!("/api/v1/subjects/{subject}/erasure");
    let body = json!({ "reason": "request under Art. 17 AVG of 2026-11-20" });

    // Only a privacy officer of the cases' municipality erases.
    assert_eq!(app.post(&worker, &erasure, body.clone()).await.status, 403);
    let elsewhere = User {
        municipality: Some(AMSTERDAM),
        ..officer()
    };
    assert_eq!(
        app.post(&elsewhere, &erasure, body.clone()).await.status,
        404
    );
    let unknown = format!("/api/v1/subjects/{}/erasure", Uuid::now_v7());
    assert_eq!(
        app.post(&officer(), &unknown, body.clone()).await.status,
        404
    );
    assert_eq!(
        app.post(&officer(), &erasure, json!({ "reason": "" }))
            .await
            .status,
        422
    );

    let erased = app.record(&officer(), &erasure, body.clone()).await;
    assert_eq!(
        erased.body["erased"].as_array().unwrap().len(),
        2,
        "{}",
        erased.body
    );
    let versions: Vec<(String, u64)> = erased.body["erased"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["case_id"].as_str().unwrap().to_owned(),
                c["version"].as_u64().unwrap(),
            )
        })
        .collect();
    let key_left: Option<Vec<u8>> =
        sqlx::query_scalar("select wrapped from subject_keys where subject_id = $1")
            .bind(subject)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(key_left.is_none(), "the data key is destroyed");
    let indexed: i64 =
        sqlx::query_scalar("select count(*) from subject_index where subject_id = $1")
            .bind(subject)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(indexed, 0, "the blind index forgets the young person");

    // Repeating it erases nothing more.
    let again = app.record(&officer(), &erasure, body).await;
    assert_eq!(again.body["erased"], json!([]));
    assert_eq!(again.body["already_erased"].as_array().unwrap().len(), 2);

    for (case, version) in &versions {
        for user in [worker.clone(), halt.clone()] {
            let view = app
                .get(&user, &format!("/api/v1/cases/{case}?minVersion={version}"))
                .await;
            assert_eq!(view.status, 200, "{}", view.body);
            assert_eq!(view.body["erased"], true);
            assert_eq!(view.body["subject_name"], Value::Null);
            assert_eq!(view.body["date_of_birth"], Value::Null);
            assert_no_person(&view.body, "view");
            let timeline = app
                .get(
                    &user,
                    &format!("/api/v1/cases/{case}/timeline?minVersion={version}"),
                )
                .await;
            assert_eq!(timeline.status, 200);
            assert_no_person(&timeline.body, "timeline");
            assert!(timeline
                .body
                .to_string()
                .contains("personal data was erased"));
        }
        let history = audit_read(&app, &format!("/api/v1/cases/{case}/history")).await;
        assert_no_person(&history, "history");
        assert!(history.to_string().contains("[erased]"));
        let export = audit_read(&app, &format!("/api/v1/cases/{case}/export")).await;
        assert_no_person(&export, "export");
        assert_eq!(
            export["verification"]["ok"], true,
            "{}",
            export["verification"]
        );

        // The case keeps its record but takes nothing new.
        let note = app
            .post(
                &worker,
                &format!("/api/v1/cases/{case}/notes"),
                json!({ "confidentiality": "shared", "text": "after" }),
            )
            .await;
        assert_eq!(note.status, 409, "{}", note.body);
    }
    assert!(versions.iter().any(|(c, _)| *c == first));
    assert!(versions.iter().any(|(c, _)| *c == second));

    let verify = audit_read(&app, "/api/v1/audit/verify").await;
    assert_eq!(verify["ok"], true, "{verify}");

    // Another young person is untouched.
    let view = app
        .get(
            &worker,
            &format!("/api/v1/cases/{other}?minVersion={other_version}"),
        )
        .await;
    assert_eq!(view.body["subject_name"], NAME);
    assert_eq!(view.body["erased"], false);
    app.stop().await;
}

fn assert_no_person(body: &Value, what: &str) {
    let text = body.to_string();
    for secret in [NAME, "Zonderland", BORN, SUMMARY, "scooter"] {
        assert!(
            !text.contains(secret),
            "{what} still shows {secret:?}: {text}"
        );
    }
}

/// Halt, a justice partner, is involved in a social case on the youth's
/// consent: it reads the case while the consent holds, and not once it is
/// withdrawn; the access log shows both, with the basis.
#[tokio::test]
async fn withdrawn_consent_ends_a_partners_access_at_once() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let halt = User {
        sub: "halt-1",
        org: "halt-rotterdam",
        domain: "justice",
        ..User::worker("halt-1", "halt-zuid")
    };
    let opened = app
        .record(&worker, "/api/v1/cases", referral(NAME, BORN))
        .await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let path = |p: &str| format!("/api/v1/cases/{case}{p}");
    let consent = app
        .record(
            &worker,
            &path("/consents"),
            json!({ "partner": "halt-rotterdam", "purpose": "information_sharing",
                    "given_by": "youth", "given_on": "2026-11-03", "valid_until": null }),
        )
        .await;
    let consent_id = consent.body["ids"][0].as_str().unwrap().to_owned();
    let involved = app
        .record(
            &worker,
            &path("/partners"),
            json!({ "partner": "halt-rotterdam", "partner_domain": "justice",
                    "basis": { "basis": "consent", "consent_id": consent_id },
                    "involved_on": "2026-11-04" }),
        )
        .await;

    let read = app
        .get(&halt, &path(&format!("?minVersion={}", involved.version())))
        .await;
    assert_eq!(read.status, 200, "{}", read.body);

    let today = casus_store::clock::today().to_string();
    let withdrawn = app
        .record(
            &worker,
            &path(&format!("/consents/{consent_id}/withdraw")),
            json!({ "withdrawn_on": today }),
        )
        .await;
    // The very next read, without asking for the withdrawal's version,
    // is already refused: access is judged on facts as new as the log.
    let at_once = app.get(&halt, &path("")).await;
    assert_eq!(at_once.status, 404, "{}", at_once.body);
    let refused = app
        .get(
            &halt,
            &path(&format!("?minVersion={}", withdrawn.version())),
        )
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let contact = app
        .post(
            &halt,
            &path("/contacts"),
            json!({ "kind": "phone", "with_whom": ["youth"], "contacted_on": today, "summary": "x" }),
        )
        .await;
    assert_eq!(
        contact.status, 404,
        "a write on the withdrawn consent: {}",
        contact.body
    );
    // The case's own worker still reads it.
    assert_eq!(app.get(&worker, &path("")).await.status, 200);

    // A consent that has expired ends the share as a withdrawal does.
    let expired = app
        .record(
            &worker,
            &path("/consents"),
            json!({ "partner": "halt-rotterdam", "purpose": "information_sharing",
                    "given_by": "youth", "given_on": "2026-01-05", "valid_until": "2026-06-30" }),
        )
        .await;
    let expired_id = expired.body["ids"][0].as_str().unwrap().to_owned();
    let again = app
        .record(
            &worker,
            &path("/partners"),
            json!({ "partner": "halt-rotterdam", "partner_domain": "justice",
                    "basis": { "basis": "consent", "consent_id": expired_id },
                    "involved_on": "2026-02-01" }),
        )
        .await;
    let after_expiry = app
        .get(&halt, &path(&format!("?minVersion={}", again.version())))
        .await;
    assert_eq!(after_expiry.status, 404, "{}", after_expiry.body);

    let logged: Vec<(String, String)> = sqlx::query_as(
        "select outcome, basis from access_log
          where user_id = 'halt-1' and case_id = $1 order by id",
    )
    .bind(case.parse::<Uuid>().unwrap())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    // One allowed read, then four refused: at once after the withdrawal,
    // at its version, the contact, and after the expiry.
    assert_eq!(logged.len(), 5, "{logged:?}");
    assert_eq!(logged[0].0, "allowed");
    assert_eq!(logged[0].1, format!("partner on consent {consent_id}"));
    assert!(
        logged[1..].iter().all(|(outcome, _)| outcome == "denied"),
        "{logged:?}"
    );
    app.stop().await;
}

/// Amsterdam in November: 3 referrals in Zuidoost, 7 in Nieuw-West, 2 of
/// those closed. The 3 is under the threshold; with the total of 10 shown,
/// the 7 would give it away, so the 7 is hidden too.
#[tokio::test]
async fn statistics_suppress_small_cells_and_what_would_reveal_them() {
    let app = TestApp::spawn().await;
    let worker = User {
        municipality: Some(AMSTERDAM),
        ..User::worker("w-a", "amsterdam-1")
    };
    let mut cases = Vec::new();
    for (area, n) in [("amsterdam-zuidoost", 3), ("amsterdam-nieuw-west", 7)] {
        for _ in 0..n {
            let mut body = referral(NAME, BORN);
            body["focus_area"] = json!(area);
            let opened = app.record(&worker, "/api/v1/cases", body).await;
            cases.push(opened.body["case_id"].as_str().unwrap().to_owned());
        }
    }
    for case in &cases[8..] {
        let path = |p: &str| format!("/api/v1/cases/{case}{p}");
        let triage =
            json!({ "decision": "advice_only", "decided_by": "t", "decided_on": "2026-11-03" });
        app.record(&worker, &path("/triage"), triage).await;
        let close = json!({ "result": "advice_given", "summary": null, "closed_on": "2026-11-05" });
        app.record(&worker, &path("/close"), close).await;
    }
    let analyst = User {
        municipality: Some(AMSTERDAM),
        ..User::worker("an-1", "analysis").with_roles(&["analyst"])
    };
    let query = "/api/v1/stats?from=2026-11&to=2026-11";
    // The statistics view follows the log; wait until it has every fact.
    let mut figures = Value::Null;
    for _ in 0..200 {
        figures = app.get(&analyst, query).await.body;
        if figures["breakdowns"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let total = &figures["municipalities"][0];
    assert_eq!(total["municipality"], AMSTERDAM, "{figures}");
    assert_eq!(total["referred"], 10, "{figures}");
    assert_eq!(
        total["closed"],
        Value::Null,
        "2 closures are under the threshold"
    );
    assert_eq!(total["median_days_to_close"], Value::Null);
    let areas = figures["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 2, "{figures}");
    for area in areas {
        assert_eq!(area["referred"], Value::Null, "{area}");
    }
    let results: Vec<&Value> = figures["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["measure"] == "result")
        .collect();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["category"], "advice_given");
    assert_eq!(results[0]["count"], Value::Null);
    // Never a person, never a case.
    let text = figures.to_string();
    assert!(!text.contains("Zonderland"));
    assert!(cases.iter().all(|c| !text.contains(c.as_str())));

    // Only analysts, each of their own municipality; months are months.
    assert_eq!(app.get(&worker, query).await.status, 403);
    let other = app.get(&analyst, "/api/v1/stats?municipality=GM0599").await;
    assert_eq!(other.status, 403);
    assert_eq!(
        app.get(&analyst, "/api/v1/stats?from=2026-13").await.status,
        400
    );
    assert_eq!(
        app.get(&analyst, "/api/v1/stats?from=2026-11&to=2026-10")
            .await
            .status,
        400
    );
    app.stop().await;
}
