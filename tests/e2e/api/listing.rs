//! The case list: the caller's scope, filters, and a cursor through pages.

use serde_json::{json, Value};

use super::app::{referral, TestApp, User};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_filter_and_page_within_the_callers_scope() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let other_team = User::worker("w-omar", "zuid-2");
    let mut cases = Vec::new();
    for n in 0..5 {
        let answer = app
            .record(
                &sanne,
                "/api/v1/cases",
                referral(&format!("Youth {n}"), "2010-01-01"),
            )
            .await;
        cases.push(answer.body["case_id"].as_str().unwrap().to_owned());
    }
    // Case 0 is taken on and assigned to Noor; case 1 has a review that is overdue.
    let noor = json!({ "id": "w-noor", "name": "Noor", "team": "zuid-1" });
    app.sign_in(&User::worker("w-noor", "zuid-1")).await;
    app.record(
        &sanne,
        &format!("/api/v1/cases/{}/triage", cases[0]),
        json!({ "decision": "take_on", "decided_by": "triage", "decided_on": "2026-11-03" }),
    )
    .await;
    app.record(
        &sanne,
        &format!("/api/v1/cases/{}/assignments", cases[0]),
        noor.clone(),
    )
    .await;
    // Case 0 also gets a plan with a goal due early in 2027.
    let case0 = |tail: &str| format!("/api/v1/cases/{}{tail}", cases[0]);
    app.record(
        &sanne,
        &case0("/include"),
        json!({ "included_on": "2026-11-04" }),
    )
    .await;
    app.record(
        &sanne,
        &case0("/leads"),
        json!({ "role": "case_lead", "lead": noor }),
    )
    .await;
    let planned = app
        .put(
            &sanne,
            &case0("/plan"),
            json!({ "goals": [{ "description": "school", "target_date": "2027-01-15" }],
                    "agreed_with": { "youth": true, "parent_or_guardian": true }, "agreed_on": "2026-11-05" }),
        )
        .await;
    assert_eq!(planned.status, 200, "{planned:?}");
    let last = app
        .record(
            &sanne,
            &format!("/api/v1/cases/{}/reviews", cases[1]),
            json!({ "due_on": "2026-01-01" }),
        )
        .await;
    app.get(
        &sanne,
        &format!("/api/v1/cases/{}?minVersion={}", cases[1], last.version()),
    )
    .await;
    app.get(
        &sanne,
        &format!(
            "/api/v1/cases/{}?minVersion={}",
            cases[0],
            planned.version()
        ),
    )
    .await;

    // Two at a time, in case order, to the end.
    let mut seen = Vec::new();
    let mut path = "/api/v1/cases?limit=2".to_owned();
    loop {
        let page = app.get(&sanne, &path).await;
        assert_eq!(page.status, 200, "{page:?}");
        seen.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/cases?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, cases);

    let only = |query: &str| {
        let path = format!("/api/v1/cases?{query}");
        let app = &app;
        let sanne = &sanne;
        async move { ids(&app.get(sanne, &path).await.body) }
    };
    assert_eq!(only("stage=active").await, [cases[0].clone()]);
    assert_eq!(only("assignee=w-noor").await, [cases[0].clone()]);
    assert_eq!(only("reviewOverdue=true").await, [cases[1].clone()]);
    assert_eq!(only("team=zuid-2").await, Vec::<String>::new());
    assert_eq!(
        only("focusArea=rotterdam-zuid&stage=referred").await.len(),
        4
    );
    assert_eq!(only("targetBefore=2027-02-01").await, [cases[0].clone()]);
    assert_eq!(only("targetBefore=2027-01-01").await, Vec::<String>::new());
    // A closed case has no overdue review, though one was never held.
    let closed = app
        .record(
            &sanne,
            &format!("/api/v1/cases/{}/close", cases[1]),
            json!({ "result": "moved", "summary": null, "closed_on": "2026-11-06" }),
        )
        .await;
    app.get(
        &sanne,
        &format!("/api/v1/cases/{}?minVersion={}", cases[1], closed.version()),
    )
    .await;
    assert_eq!(only("reviewOverdue=true").await, Vec::<String>::new());

    // Another team sees none of them; an auditor of the municipality sees all.
    assert_eq!(
        ids(&app.get(&other_team, "/api/v1/cases").await.body),
        Vec::<String>::new()
    );
    let auditor = User::worker("a-1", "audit").with_roles(&["auditor"]);
    let audited = app
        .send(
            Some(&auditor),
            reqwest::Method::GET,
            "/api/v1/cases",
            None,
            &[("x-audit-reason", "inquiry 2026-17")],
        )
        .await;
    assert_eq!(ids(&audited.body), cases);
    app.stop().await;
}

/// A timeline answers its latest entries, oldest first, and leads back page
/// by page to the case's start; the pages together are the whole timeline.
#[tokio::test]
async fn a_timeline_pages_back_from_its_latest_entries() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let (case, mut version) = app.open_case(&sanne).await;
    for day in 10..15 {
        version = app
            .record(
                &sanne,
                &format!("/api/v1/cases/{case}/contacts"),
                json!({ "kind": "phone", "with_whom": ["youth"],
                        "contacted_on": format!("2026-11-{day}"), "summary": "school" }),
            )
            .await
            .version();
    }
    let path = format!("/api/v1/cases/{case}/timeline?minVersion={version}");
    let whole = app.get(&sanne, &path).await;
    assert_eq!(whole.status, 200, "{whole:?}");
    let whole: Vec<i64> = sequences(&whole.body);
    assert!(whole.len() >= 6, "{whole:?}");
    assert!(whole.windows(2).all(|w| w[0] < w[1]), "{whole:?}");

    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = match before {
            None => app.get(&sanne, &format!("{path}&limit=2")).await,
            Some(b) => app.get(&sanne, &format!("{path}&limit=2&before={b}")).await,
        };
        assert_eq!(page.status, 200, "{page:?}");
        let entries = sequences(&page.body);
        assert!(entries.len() <= 2 && !entries.is_empty(), "{page:?}");
        pages.push(entries.clone());
        match page.body.get("earlier") {
            Some(earlier) => {
                assert_eq!(earlier.as_i64(), entries.first().copied(), "{page:?}");
                before = earlier.as_i64();
            }
            None => break,
        }
    }
    // The first page is the latest; going back, the pages join into the whole.
    assert_eq!(pages[0], whole[whole.len() - 2..]);
    let joined: Vec<i64> = pages.into_iter().rev().flatten().collect();
    assert_eq!(joined, whole);

    for bad in ["limit=0", "limit=501", "before=0", "after=3"] {
        let refused = app.get(&sanne, &format!("{path}&{bad}")).await;
        assert_eq!(refused.status, 400, "{bad}: {refused:?}");
    }
}

fn sequences(timeline: &Value) -> Vec<i64> {
    timeline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect()
}
