//! The attacks of the outside review (issue "hostile input"), each answered
//! with a clear refusal that changes nothing.

use std::time::{Duration, Instant};

use proptest::sample::select;
use proptest::strategy::{Strategy, ValueTree};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use super::app::{referral, TestApp, User, AMSTERDAM};

/// An Amsterdam case worker of team zuidoost-1.
fn amsterdam(sub: &'static str) -> User {
    User {
        municipality: Some(AMSTERDAM),
        org: "gemeente-amsterdam",
        ..User::worker(sub, "zuidoost-1")
    }
}

/// A referral of `name` in Amsterdam Zuidoost.
fn amsterdam_referral(name: &str) -> Value {
    let mut body = referral(name, "2011-01-01");
    body["focus_area"] = json!("amsterdam-zuidoost");
    body
}

/// A Rotterdam worker's case, triaged and included; answers its path.
async fn included_case(app: &TestApp, worker: &User) -> String {
    let opened = app
        .record(
            worker,
            "/api/v1/cases",
            referral("Noor Visser", "2012-05-01"),
        )
        .await;
    let case = format!("/api/v1/cases/{}", opened.body["case_id"].as_str().unwrap());
    app.record(
        worker,
        &format!("{case}/triage"),
        json!({"decision": "take_on", "decided_by": "triage Zuid", "decided_on": "2026-11-03"}),
    )
    .await;
    case
}

#[tokio::test]
async fn dates_that_cannot_be_true_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let case = included_case(&app, &worker).await;
    let today = casus_store::clock::today();
    let tomorrow = today.succ_opt().unwrap().to_string();
    let before = app.events().await;
    for date in [
        "0000-01-01",
        "-0001-01-01",
        "+10000-01-01",
        "1899-12-31",
        &tomorrow,
    ] {
        let contact = json!({"kind": "phone", "with_whom": ["youth"],
                             "contacted_on": date, "summary": "called"});
        let answer = app
            .post(&worker, &format!("{case}/contacts"), contact)
            .await;
        // chrono cannot read some of these at all: then the body is invalid (422) too.
        assert_eq!(answer.status, 422, "{date}: {}", answer.body);
        let detail = answer.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("contacted_on"), "{date}: {detail}");
    }
    let signal = json!({"kind": "nuisance", "source_org": "politie-rotterdam",
                        "source_domain": "justice", "occurred_on": "0000-01-01"});
    let answer = app.post(&worker, &format!("{case}/signals"), signal).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(answer.body["field"], "occurred_on", "{}", answer.body);
    assert_eq!(app.events().await, before, "nothing was stored");
}

#[tokio::test]
async fn clients_cannot_send_sealed_or_marked_values() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let subject = Uuid::now_v7();
    let mut first = referral("Noor Visser", "2012-05-01");
    first["subject_id"] = json!(subject);
    let opened = app.record(&worker, "/api/v1/cases", first).await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    // A sealed value as the log holds it, copied from the first case.
    let sealed: Value = sqlx::query_scalar(
        "select payload->'CaseReferred'->'reason' from events where aggregate_id = $1",
    )
    .bind(&case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(sealed.get("$sealed").is_some(), "{sealed}");
    let mut second = referral("Noor Visser", "2012-05-01");
    second["subject_id"] = json!(subject);
    let other = app.record(&worker, "/api/v1/cases", second).await;
    let other = other.body["case_id"].as_str().unwrap().to_owned();

    let before = app.events().await;
    let texts = [
        (sealed, "text.$sealed"),
        (json!({"$sealed": "a\u{0}b"}), "text.$sealed"),
        (json!({"$sealed": 42}), "text.$sealed"),
        (json!({"$personal": "plain"}), "text.$personal"),
    ];
    for (text, field) in texts {
        let note = json!({"confidentiality": "shared", "text": text});
        let answer = app
            .post(
                &worker,
                &format!("/api/v1/cases/{other}/notes"),
                note.clone(),
            )
            .await;
        assert_eq!(answer.status, 422, "{note}: {}", answer.body);
        assert_eq!(answer.body["field"], field, "{note}");
    }
    assert_eq!(app.events().await, before, "nothing was stored");
}

#[tokio::test]
async fn a_referral_cannot_name_another_municipalitys_young_person() {
    let app = TestApp::spawn().await;
    let amsterdam = amsterdam("w-a");
    let theirs = amsterdam_referral("Sem de Jong");
    let opened = app.record(&amsterdam, "/api/v1/cases", theirs).await;
    let subject = opened.body["ids"][1].as_str().unwrap().to_owned();

    let rotterdam = User::worker("w-r", "zuid-1");
    let mut ours = referral("Sem de Jong", "2011-01-01");
    ours["subject_id"] = json!(subject);
    let before = app.events().await;
    let answer = app.post(&rotterdam, "/api/v1/cases", ours.clone()).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(app.events().await, before, "no case was opened");

    // Within Amsterdam, a second case about the same young person is fine,
    // and Amsterdam's privacy officer erases both.
    let mut again = referral("Sem de Jong", "2011-01-01");
    again["focus_area"] = json!("amsterdam-zuidoost");
    again["subject_id"] = json!(subject);
    app.record(&amsterdam, "/api/v1/cases", again).await;
    let officer = User {
        roles: &["privacy_officer"],
        ..amsterdam.clone()
    };
    let erased = app
        .record(
            &officer,
            &format!("/api/v1/subjects/{subject}/erasure"),
            json!({"reason": "request of the young person"}),
        )
        .await;
    assert_eq!(erased.body["erased"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn only_national_auditors_and_analysts_work_without_a_municipality() {
    let app = TestApp::spawn().await;
    let national = |roles| User {
        municipality: None,
        team: None,
        roles,
        ..User::worker("x-1", "zuid-1")
    };
    let officer = app
        .get(&national(&["privacy_officer"]), "/api/v1/audit/access-log")
        .await;
    assert_eq!(officer.status, 401, "{}", officer.body);
    assert!(officer.body["detail"]
        .as_str()
        .unwrap()
        .contains("municipality"));
    let auditor = app
        .send(
            Some(&national(&["auditor"])),
            Method::GET,
            "/api/v1/audit/verify",
            None,
            &[("x-audit-reason", "jaarcontrole")],
        )
        .await;
    assert_eq!(auditor.status, 200, "{}", auditor.body);

    let spaced = User {
        sub: "w-1 ",
        ..User::worker("w-1", "zuid-1")
    };
    assert_eq!(app.get(&spaced, "/api/v1/cases").await.status, 401);
}

#[tokio::test]
async fn a_version_the_case_does_not_have_is_answered_at_once() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let case = included_case(&app, &worker).await;
    let began = Instant::now();
    let answer = app.get(&worker, &format!("{case}?minVersion=99")).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "{:?}",
        began.elapsed()
    );
    let reason = "onderzoek naar ë en ü";
    let auditor = User::worker("au-1", "zuid-1").with_roles(&["auditor"]);
    let mut request = app
        .client
        .get(format!("{}{case}/history", app.base))
        .bearer_auth(app.token(&auditor));
    request = request.header(
        "x-audit-reason",
        reqwest::header::HeaderValue::from_bytes(reason.as_bytes()).unwrap(),
    );
    let read = request.send().await.unwrap();
    assert_eq!(read.status(), 200);
    let logged: String = sqlx::query_scalar(
        "select purpose from access_log where user_id = 'au-1' order by at desc limit 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(logged, reason);
}

#[tokio::test]
async fn the_caseload_read_is_in_the_access_log_and_auditors_give_a_reason() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let case = included_case(&app, &worker).await;
    let case_id = case.trim_start_matches("/api/v1/cases/").to_owned();
    let supervisor = User::worker("s-1", "zuid-1").with_roles(&["supervisor"]);
    // The caseload view may lag a busy machine: read until it names the case.
    let began = Instant::now();
    loop {
        let load = app.get(&supervisor, "/api/v1/caseload").await;
        assert_eq!(load.status, 200, "{}", load.body);
        if load.body["cases"].to_string().contains(&case_id) {
            break;
        }
        assert!(began.elapsed() < Duration::from_secs(20), "{}", load.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logged: Vec<(String, String)> = sqlx::query_as(
        "select distinct user_id, outcome from access_log
          where view = 'caseload' and case_id = $1::uuid",
    )
    .bind(&case_id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(logged, [("s-1".to_owned(), "allowed".to_owned())]);

    let auditor = User::worker("au-1", "zuid-1").with_roles(&["auditor"]);
    let unexplained = app.get(&auditor, "/api/v1/caseload").await;
    assert_eq!(unexplained.status, 400, "{}", unexplained.body);
    let denied: i64 = sqlx::query_scalar(
        "select count(*) from access_log where user_id = 'au-1' and outcome = 'denied'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);
}

/// The roles a random caller has.
const ROLE_SETS: &[&[&str]] = &[
    &["case_worker"],
    &["case_lead"],
    &["supervisor"],
    &["auditor"],
    &["case_worker", "supervisor"],
];

/// What `caller` lists is exactly what they may read, of `cases` (an
/// auditor giving a reason).
async fn listed_is_readable(app: &TestApp, caller: &User, cases: &[String]) {
    let get = |path: String| async move {
        app.send(
            Some(caller),
            Method::GET,
            &path,
            None,
            &[("x-audit-reason", "inquiry 9")],
        )
        .await
    };
    let page = get("/api/v1/cases?limit=200".into()).await;
    if page.status == 403 {
        // A role that lists nothing reads nothing either.
        for case in cases {
            let read = get(format!("/api/v1/cases/{case}")).await;
            assert_ne!(
                read.status, 200,
                "{caller:?} reads {case} but lists nothing"
            );
        }
        return;
    }
    assert_eq!(page.status, 200, "{caller:?}: {}", page.body);
    let mut listed: Vec<String> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_owned())
        .filter(|case| cases.contains(case))
        .collect();
    listed.sort();
    let mut readable = Vec::new();
    for case in cases {
        if get(format!("/api/v1/cases/{case}")).await.status == 200 {
            readable.push(case.clone());
        }
    }
    readable.sort();
    assert_eq!(listed, readable, "{caller:?} lists what it can read");
}

/// A team is known by its municipality, organisation, domain and name
/// together, and an assignment's free-text team gives nobody rights: for
/// every caller, the cases listed are exactly the cases readable.
#[tokio::test]
async fn listed_is_readable_and_a_team_name_alone_gives_no_rights() {
    let app = TestApp::spawn().await;
    let social = User::worker("w-1", "zuid-1");
    let other_team = User::worker("w-2", "zuid-2");
    let police = User {
        org: "politie-rotterdam",
        domain: "justice",
        ..User::worker("p-1", "zuid-1")
    };
    let halt = User {
        org: "halt-rotterdam",
        domain: "justice",
        ..User::worker("h-1", "halt-zuid")
    };
    let mut cases = Vec::new();
    for owner in [&social, &other_team, &halt] {
        let opened = app
            .record(owner, "/api/v1/cases", referral("Lisa Smit", "2010-02-02"))
            .await;
        cases.push((opened.body["case_id"].as_str().unwrap().to_owned(), owner));
    }
    let first = format!("/api/v1/cases/{}", cases[0].0);
    // Someone named as of team zuid-2 on zuid-1's case, and Halt on a legal task.
    let supervisor = User::worker("s-1", "zuid-1").with_roles(&["supervisor"]);
    app.sign_in(&User::worker("w-9", "zuid-2")).await;
    app.record(
        &supervisor,
        &format!("{first}/assignments"),
        json!({"id": "w-9", "name": "Named Elsewhere", "team": "zuid-2"}),
    )
    .await;
    let involved = app
        .record(
            &social,
            &format!("{first}/partners"),
            json!({"partner": "halt-rotterdam", "partner_domain": "justice",
                   "basis": {"basis": "legal_task", "provision": "Wetboek van Strafrecht art. 77e"},
                   "involved_on": "2026-11-04"}),
        )
        .await;
    // Every view has the last write before anyone lists.
    let settled = app
        .get(
            &social,
            &format!("{first}?minVersion={}", involved.version()),
        )
        .await;
    assert_eq!(settled.status, 200, "{}", settled.body);

    let police_supervisor = User {
        roles: &["supervisor"],
        ..police.clone()
    };
    // A team of another organisation with the same name, and an Amsterdam
    // case whose handover to Rotterdam is proposed.
    let wijkteam = User {
        org: "wijkteam-zuid",
        ..User::worker("k-1", "zuid-1")
    };
    let opened = app
        .record(
            &wijkteam,
            "/api/v1/cases",
            referral("Mo Haddou", "2010-02-02"),
        )
        .await;
    cases.push((
        opened.body["case_id"].as_str().unwrap().to_owned(),
        &wijkteam,
    ));
    let theirs = amsterdam_referral("Sem de Jong");
    let amsterdam = amsterdam("w-a");
    let opened = app.record(&amsterdam, "/api/v1/cases", theirs).await;
    let moving = opened.body["case_id"].as_str().unwrap().to_owned();
    let proposed = app
        .record(
            &amsterdam_supervisor(),
            &format!("/api/v1/cases/{moving}/handover"),
            json!({"municipality": "GM0599", "reason": "moved", "proposed_on": "2026-11-10"}),
        )
        .await;
    let settled = app
        .get(
            &amsterdam,
            &format!("/api/v1/cases/{moving}?minVersion={}", proposed.version()),
        )
        .await;
    assert_eq!(settled.status, 200, "{}", settled.body);
    cases.push((moving, &amsterdam));
    let cases: Vec<String> = cases.into_iter().map(|(case, _)| case).collect();
    let worker_and_auditor = User::worker("w-2", "zuid-2").with_roles(&["case_worker", "auditor"]);

    for caller in [
        &social,
        &other_team,
        &police,
        &halt,
        &supervisor,
        &police_supervisor,
        &wijkteam,
        &worker_and_auditor,
    ] {
        listed_is_readable(&app, caller, &cases).await;
    }
    // A worker who is also an auditor lists the whole municipality as an
    // auditor, and so only on a reason.
    let unreasoned = app.get(&worker_and_auditor, "/api/v1/cases").await;
    assert_eq!(unreasoned.status, 400, "{}", unreasoned.body);
    // And for callers of any organisation, domain, municipality, team and roles.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let callers = (
        select(&["w-1", "w-9", "k-1", "s-1", "x-1"][..]),
        select(
            &[
                "gemeente-rotterdam",
                "wijkteam-zuid",
                "politie-rotterdam",
                "halt-rotterdam",
            ][..],
        ),
        select(&["social", "justice"][..]),
        select(&[Some("GM0599"), Some("GM0363")][..]),
        select(&[Some("zuid-1"), Some("zuid-2"), Some("zuidoost-1"), None][..]),
        select(ROLE_SETS),
    );
    for _ in 0..40 {
        let (sub, org, domain, municipality, team, roles) =
            callers.new_tree(&mut runner).unwrap().current();
        let caller = User {
            sub,
            org,
            domain,
            roles,
            municipality,
            team,
        };
        listed_is_readable(&app, &caller, &cases).await;
    }
    // The police officer of a team also called zuid-1 has no part in it,
    // nor the wijkteam's zuid-1.
    assert_eq!(app.get(&police, &first).await.status, 404);
    assert_eq!(app.get(&wijkteam, &first).await.status, 404);
    let escalation = json!({"to": "police", "reason": "no progress", "escalated_on": "2026-11-05"});
    let refused = app
        .post(&police, &format!("{first}/escalations"), escalation)
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let load = app.get(&police_supervisor, "/api/v1/caseload").await;
    assert_eq!(load.status, 200, "{}", load.body);
    assert!(
        !load.body["cases"].to_string().contains(&cases[0]),
        "{}",
        load.body
    );
    // zuid-2 does not see zuid-1's case for a name typed in an assignment.
    assert_eq!(app.get(&other_team, &first).await.status, 404);
}

/// An Amsterdam supervisor of team zuidoost-1.
fn amsterdam_supervisor() -> User {
    amsterdam("s-a").with_roles(&["supervisor"])
}

/// A Rotterdam supervisor of team zuid-1.
fn rotterdam_supervisor() -> User {
    User::worker("s-r", "zuid-1").with_roles(&["supervisor"])
}

/// Hands the Amsterdam case `case` over to Rotterdam, into `focus_area`;
/// answers the version of the acceptance.
async fn hand_over(app: &TestApp, case: &str, focus_area: &str) -> u64 {
    app.record(
        &amsterdam_supervisor(),
        &format!("/api/v1/cases/{case}/handover"),
        json!({"municipality": "GM0599", "reason": "the family moved to Rotterdam",
               "proposed_on": "2026-11-10"}),
    )
    .await;
    app.record(
        &rotterdam_supervisor(),
        &format!("/api/v1/cases/{case}/handover/accept"),
        json!({"focus_area": focus_area, "team": "zuid-1", "accepted_on": "2026-11-11"}),
    )
    .await
    .version()
}

/// A case moves to another municipality only by a handover: proposed by the
/// sending side's case lead or supervisor, accepted by a supervisor of the
/// receiving municipality (who may read the case to decide, and finds it
/// in their list); afterwards the sending municipality's auditors read the
/// history up to the handover and no further.
#[tokio::test]
async fn a_case_moves_to_another_municipality_only_by_an_accepted_handover() {
    let app = TestApp::spawn().await;
    let worker = amsterdam("w-a");
    let body = amsterdam_referral("Sem de Jong");
    let opened = app.record(&worker, "/api/v1/cases", body).await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{case}");

    // A worker alone moves it nowhere.
    let before = app.events().await;
    let moved = app
        .post(
            &worker,
            &format!("{path}/transfer"),
            json!({"municipality": "GM0599", "focus_area": "rotterdam-zuid", "team": "zuid-1",
                   "reason": "moved", "transferred_on": "2026-11-10"}),
        )
        .await;
    assert_eq!(moved.status, 422, "{}", moved.body);
    let proposal =
        json!({"municipality": "GM0599", "reason": "moved", "proposed_on": "2026-11-10"});
    let by_worker = app
        .post(&worker, &format!("{path}/handover"), proposal.clone())
        .await;
    assert_eq!(by_worker.status, 403, "{}", by_worker.body);
    assert_eq!(app.events().await, before);

    // Proposed by the supervisor; until accepted, the case stays in Amsterdam.
    let proposed = app
        .record(
            &amsterdam_supervisor(),
            &format!("{path}/handover"),
            proposal,
        )
        .await;
    let receiving = rotterdam_supervisor();
    let rotterdam_worker = User::worker("w-r", "zuid-1");
    let utrecht_supervisor = User {
        municipality: Some("GM0344"),
        org: "gemeente-utrecht",
        ..User::worker("s-u", "overvecht-1").with_roles(&["supervisor"])
    };
    let read = format!("{path}?minVersion={}", proposed.version());
    assert_eq!(app.get(&receiving, &read).await.status, 200);
    let listed = app.get(&receiving, "/api/v1/cases").await;
    assert!(listed.body.to_string().contains(&case), "{}", listed.body);
    assert_eq!(app.get(&rotterdam_worker, &read).await.status, 404);
    assert_eq!(app.get(&utrecht_supervisor, &read).await.status, 404);
    let acceptance =
        json!({"focus_area": "rotterdam-zuid", "team": "zuid-1", "accepted_on": "2026-11-11"});
    let by_utrecht = app
        .post(
            &utrecht_supervisor,
            &format!("{path}/handover/accept"),
            acceptance.clone(),
        )
        .await;
    assert_eq!(by_utrecht.status, 404, "{}", by_utrecht.body);
    let by_sender = app
        .post(
            &amsterdam_supervisor(),
            &format!("{path}/handover/accept"),
            acceptance.clone(),
        )
        .await;
    assert_eq!(by_sender.status, 403, "{}", by_sender.body);
    // Accepting into another municipality's focus area is refused.
    let elsewhere = app
        .post(
            &receiving,
            &format!("{path}/handover/accept"),
            json!({"focus_area": "amsterdam-zuidoost", "team": "zuid-1", "accepted_on": "2026-11-11"}),
        )
        .await;
    assert_eq!(elsewhere.status, 422, "{}", elsewhere.body);
    let accepted = app
        .record(&receiving, &format!("{path}/handover/accept"), acceptance)
        .await;
    let handed_over = accepted.version();

    // Now Rotterdam's: its team works on it, Amsterdam's worker no longer sees it.
    let note = app
        .record(
            &rotterdam_worker,
            &format!("{path}/notes"),
            json!({"confidentiality": "shared", "text": "first visit in Rotterdam"}),
        )
        .await;
    let now = format!("{path}?minVersion={}", note.version());
    assert_eq!(app.get(&rotterdam_worker, &now).await.status, 200);
    assert_eq!(app.get(&worker, &now).await.status, 404);

    // Amsterdam's auditor reads the history up to the handover, no further.
    let auditor = |municipality, org| User {
        municipality: Some(municipality),
        org,
        ..User::worker("a-1", "audit").with_roles(&["auditor"])
    };
    let audit = |user: User, path: String| {
        let app = &app;
        async move {
            app.send(
                Some(&user),
                Method::GET,
                &path,
                None,
                &[("x-audit-reason", "inquiry 7")],
            )
            .await
        }
    };
    let amsterdam_auditor = auditor(AMSTERDAM, "gemeente-amsterdam");
    let theirs = audit(amsterdam_auditor.clone(), format!("{path}/history")).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    let sequences: Vec<u64> = theirs.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(sequences, (1..=handed_over).collect::<Vec<_>>());
    let later = audit(
        amsterdam_auditor.clone(),
        format!("{path}/state?version={}", handed_over + 1),
    )
    .await;
    assert_eq!(later.status, 400, "{}", later.body);
    let export = audit(amsterdam_auditor.clone(), format!("{path}/export")).await;
    assert_eq!(
        export.body["events"].as_array().unwrap().len() as u64,
        handed_over
    );
    assert_eq!(
        export.body["verification"]["events"], handed_over,
        "the export says nothing of what came after"
    );
    // They audit; they do not read the case as it is now.
    assert_eq!(audit(amsterdam_auditor, now.clone()).await.status, 404);
    let rotterdam_auditor = auditor("GM0599", "gemeente-rotterdam");
    let all = audit(rotterdam_auditor, format!("{path}/history")).await;
    assert_eq!(
        all.body["events"].as_array().unwrap().len() as u64,
        note.version()
    );
    let utrecht = audit(
        auditor("GM0344", "gemeente-utrecht"),
        format!("{path}/history"),
    )
    .await;
    assert_eq!(utrecht.status, 404);
}

/// After one of a young person's cases moved to another municipality, both
/// municipalities hold a case about them, and either may refer them again;
/// a third may not.
#[tokio::test]
async fn a_handed_over_case_lets_the_receiving_municipality_refer_the_person() {
    let app = TestApp::spawn().await;
    let amsterdam = amsterdam("w-a");
    let mut theirs = amsterdam_referral("Sem de Jong");
    let opened = app
        .record(&amsterdam, "/api/v1/cases", theirs.clone())
        .await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let subject = opened.body["ids"][1].as_str().unwrap().to_owned();
    // A second case in Amsterdam stays there.
    theirs["subject_id"] = json!(subject);
    app.record(&amsterdam, "/api/v1/cases", theirs).await;
    hand_over(&app, &case, "rotterdam-zuid").await;
    let again = |focus_area: &str| {
        let mut body = referral("Sem de Jong", "2011-01-01");
        body["focus_area"] = json!(focus_area);
        body["subject_id"] = json!(subject);
        body
    };
    let rotterdam = User::worker("w-r", "zuid-1");
    app.record(&rotterdam, "/api/v1/cases", again("rotterdam-zuid"))
        .await;
    app.record(&amsterdam, "/api/v1/cases", again("amsterdam-zuidoost"))
        .await;
    let utrecht = User {
        municipality: Some("GM0344"),
        org: "gemeente-utrecht",
        ..User::worker("w-u", "overvecht-1")
    };
    let refused = app
        .post(&utrecht, "/api/v1/cases", again("utrecht-overvecht"))
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
}

/// Casus learns its workers from their tokens (and again when their claims
/// change); an assignment names a known worker of the case's municipality,
/// organisation and domain, recorded as Casus knows them. A justice worker
/// assigned by name got full work rights on a social case with no basis.
#[tokio::test]
async fn only_a_known_worker_of_the_cases_place_is_assigned() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let case = included_case(&app, &worker).await;
    let assign = |id: &str| json!({"id": id, "name": "Typed Name", "team": "zuid-9"});

    let before = app.events().await;
    let unknown = app
        .post(&worker, &format!("{case}/assignments"), assign("w-new"))
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(unknown.body["detail"].as_str().unwrap().contains("w-new"));
    let elsewhere = [
        User {
            org: "politie-rotterdam",
            domain: "justice",
            ..User::worker("p-1", "zuid-1")
        },
        User {
            org: "wijkteam-zuid",
            ..User::worker("k-1", "zuid-1")
        },
        amsterdam("a-1"),
    ];
    for other in &elsewhere {
        app.sign_in(other).await;
        for route in ["assignments", "reassign", "leads"] {
            let body = match route {
                "assignments" => assign(other.sub),
                "reassign" => json!({"from": "w-1", "to": assign(other.sub), "reason": null}),
                _ => json!({"role": "case_lead", "lead": assign(other.sub)}),
            };
            let refused = app.post(&worker, &format!("{case}/{route}"), body).await;
            assert_eq!(
                refused.status, 422,
                "{route} {}: {}",
                other.sub, refused.body
            );
        }
    }
    assert_eq!(app.events().await, before, "nothing was recorded");

    // A colleague of the case's place, recorded with the name and team of their token.
    let colleague = User::worker("w-2", "zuid-2");
    app.sign_in(&colleague).await;
    let assigned = app
        .record(&worker, &format!("{case}/assignments"), assign("w-2"))
        .await;
    let recorded: Value = sqlx::query_scalar(
        "select payload->'WorkerAssigned' from events where aggregate_id = $1 and sequence = $2",
    )
    .bind(case.trim_start_matches("/api/v1/cases/"))
    .bind(assigned.version() as i64)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(recorded["team"], "zuid-2", "{recorded}");
    assert_eq!(recorded["name"], "User w-2", "{recorded}");

    // A change of claims is recorded at the next request.
    let moved_team = User::worker("w-2", "zuid-3");
    app.sign_in(&moved_team).await;
    let (team, organisation, domain, municipality): (String, String, String, String) =
        sqlx::query_as(
            "select team, organisation, domain, municipality from workers where id = 'w-2'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        (
            team.as_str(),
            organisation.as_str(),
            domain.as_str(),
            municipality.as_str()
        ),
        ("zuid-3", "gemeente-rotterdam", "social", "GM0599")
    );
}
