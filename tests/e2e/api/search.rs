//! Finding a young person through the blind index: by name and date of
//! birth or by BSN, only among the cases the caller may see, and the
//! known-person check before a referral, which names whom to contact.

use serde_json::json;
use uuid::Uuid;

use super::app::{referral, TestApp, User, AMSTERDAM};

fn sanne() -> User {
    User::worker("w-sanne", "zuid-1")
}

fn found(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until the views hold the new case.
async fn seen(app: &TestApp, case: &str) {
    let read = app
        .get(&sanne(), &format!("/api/v1/cases/{case}?minVersion=1"))
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
}

#[tokio::test]
async fn a_young_person_is_found_by_name_and_birth_or_bsn_within_the_callers_scope() {
    let app = TestApp::spawn().await;
    let (jayden, _) = app.open_case(&sanne()).await;
    let mut with_bsn = referral("Noah de Jong", "2012-05-01");
    with_bsn["subject"]["bsn"] = json!("111222333");
    let noah = app.record(&sanne(), "/api/v1/cases", with_bsn).await;
    let noah = noah.body["case_id"].as_str().unwrap().to_owned();
    for case in [&jayden, &noah] {
        seen(&app, case).await;
    }

    // The name as typed another way: case, spaces and accents do not matter.
    let sanne = sanne();
    let search = |body| app.post(&sanne, "/api/v1/cases/search", body);
    let hit = search(json!({"name": "  jayden BAKKÉR", "date_of_birth": "2011-03-14"})).await;
    assert_eq!(hit.status, 200, "{}", hit.body);
    assert_eq!(found(&hit.body), std::slice::from_ref(&jayden));
    let other_day = search(json!({"name": "Jayden Bakker", "date_of_birth": "2011-03-15"})).await;
    assert_eq!(found(&other_day.body), Vec::<String>::new());
    let by_bsn = search(json!({"bsn": "111222333"})).await;
    assert_eq!(found(&by_bsn.body), [noah]);
    let both = json!({"name": "Jayden Bakker", "date_of_birth": "2011-03-14", "bsn": "111222333"});
    for half in [
        json!({"name": "Jayden Bakker"}),
        json!({"date_of_birth": "2011-03-14"}),
        json!({}),
        both,
    ] {
        let refused = search(half).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body["detail"]
                .as_str()
                .unwrap()
                .contains("`name` and `date_of_birth` together, or by `bsn` alone"),
            "{}",
            refused.body
        );
    }

    // A worker elsewhere finds nothing of it.
    let daan = User {
        municipality: Some(AMSTERDAM),
        ..User::worker("w-daan", "zuidoost-1")
    };
    let elsewhere = app
        .post(
            &daan,
            "/api/v1/cases/search",
            json!({"name": "Jayden Bakker", "date_of_birth": "2011-03-14"}),
        )
        .await;
    assert_eq!(found(&elsewhere.body), Vec::<String>::new());

    // The index holds keyed digests only; the search is logged with what it named.
    let digests: Vec<Vec<u8>> = sqlx::query_scalar("select digest from subject_index")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(digests.len(), 3, "name and birth twice, one BSN");
    assert!(digests.iter().all(|d| d.len() == 32));
    let logged: i64 = sqlx::query_scalar(
        "select count(*) from access_log where user_id = 'w-sanne' and view = 'case_search'
            and case_id = $1::uuid",
    )
    .bind(&jayden)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_known_person_check_names_whom_to_contact_in_the_municipality_only() {
    let app = TestApp::spawn().await;
    let (case, _) = app.open_case(&sanne()).await;
    seen(&app, &case).await;
    let subject: Uuid =
        sqlx::query_scalar("select subject_id from case_subjects where case_id = $1::uuid")
            .bind(&case)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let person = json!({"name": "Jayden Bakker", "date_of_birth": "2011-03-14"});

    // A worker of another team, who cannot see the case, learns it exists and whose it is.
    let other = User::worker("w-noor", "noord-1");
    let checked = app
        .post(&other, "/api/v1/cases/known-person", person.clone())
        .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.body["subject_id"], json!(subject));
    let open = checked.body["open_cases"].as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["team"], "zuid-1");
    assert!(open[0].get("subject_name").is_none() && open[0].get("stage").is_none());
    assert_eq!(
        app.get(&other, &format!("/api/v1/cases/{case}"))
            .await
            .status,
        404
    );

    let daan = User {
        municipality: Some(AMSTERDAM),
        ..User::worker("w-daan", "zuidoost-1")
    };
    let elsewhere = app
        .post(&daan, "/api/v1/cases/known-person", person.clone())
        .await;
    assert_eq!(elsewhere.body["open_cases"], json!([]));
    assert_eq!(elsewhere.body["subject_id"], json!(null));

    // Who may not refer does not check.
    let auditor = User::worker("au-1", "zuid-1").with_roles(&["auditor"]);
    assert_eq!(
        app.post(&auditor, "/api/v1/cases/known-person", person)
            .await
            .status,
        403
    );
    let logged: i64 = sqlx::query_scalar(
        "select count(*) from access_log where user_id = 'w-noor' and view = 'known_person_check'
            and case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);
    app.stop().await;
}
