//! One case from referral to closure through HTTP, as its users work on it:
//! a social-domain worker, the case lead, the team's supervisor, and Halt (a
//! justice partner), checking both domain views, the timeline and the
//! caseload on the way.

use serde_json::{json, Value};

use super::app::{referral, Answer, TestApp, User, ROTTERDAM};

fn lead() -> User {
    User::worker("w-lead", "zuid-1").with_roles(&["case_lead"])
}

fn supervisor() -> User {
    User::worker("w-sup", "zuid-1").with_roles(&["supervisor"])
}

fn halt() -> User {
    User {
        sub: "h-1",
        org: "halt-rotterdam",
        domain: "justice",
        roles: &["case_worker"],
        municipality: Some(ROTTERDAM),
        team: Some("halt-zuid"),
    }
}

fn worker_record(id: &str) -> Value {
    json!({ "id": id, "name": format!("Worker {id}"), "team": "zuid-1" })
}

async fn view(app: &TestApp, user: &User, case: &str, version: u64) -> Answer {
    app.get(user, &format!("/api/v1/cases/{case}?minVersion={version}"))
        .await
}

async fn timeline(app: &TestApp, user: &User, case: &str, version: u64) -> Vec<Value> {
    let answer = app
        .get(
            user,
            &format!("/api/v1/cases/{case}/timeline?minVersion={version}"),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["entries"].as_array().unwrap().clone()
}

fn has_text(entries: &[Value], text: &str) -> bool {
    entries.iter().any(|e| e.to_string().contains(text))
}

#[tokio::test]
async fn a_case_from_referral_to_closure() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let (lead, supervisor, halt) = (lead(), supervisor(), halt());
    // The workers assigned below have signed in before.
    for user in [&lead, &User::worker("w-noor", "zuid-1")] {
        app.sign_in(user).await;
    }

    // Referral: the worker opens the case; the social view has the young person.
    let opened = app
        .record(
            &sanne,
            "/api/v1/cases",
            referral("Jayden Bakker", "2011-03-14"),
        )
        .await;
    assert_eq!(opened.status, 201);
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    assert_eq!(
        opened.header("location"),
        Some(format!("/api/v1/cases/{case}").as_str())
    );
    let path = |tail: &str| format!("/api/v1/cases/{case}{tail}");
    let social = view(&app, &sanne, &case, 1).await;
    assert_eq!(social.status, 200, "{}", social.body);
    assert_eq!(social.body["subject_name"], "Jayden Bakker");
    assert_eq!(social.body["stage"], "referred");
    assert_eq!(social.header("etag"), Some("\"1\""));
    // Halt is not involved yet: the case is not theirs to see.
    assert_eq!(view(&app, &halt, &case, 1).await.status, 404);

    // The supervisor sees it on the team's caseload, unassigned.
    let caseload = app.get(&supervisor, "/api/v1/caseload").await;
    assert_eq!(caseload.status, 200, "{}", caseload.body);
    assert_eq!(caseload.body["cases"][0]["case_id"], case.as_str());
    assert_eq!(caseload.body["cases"][0]["unassigned"], true);

    // A police signal: the justice domain's detail, not the social one's.
    app.record(
        &sanne,
        &path("/signals"),
        json!({ "kind": "police_contact", "source_org": "politie-rotterdam", "source_domain": "justice",
                "occurred_on": "2026-11-01", "summary": "caught spraying graffiti at the station" }),
    )
    .await;
    app.record(
        &sanne,
        &path("/triage"),
        json!({ "decision": "take_on", "decided_by": "triage meeting Zuid", "decided_on": "2026-11-03" }),
    )
    .await;
    app.record(
        &sanne,
        &path("/include"),
        json!({ "included_on": "2026-11-04" }),
    )
    .await;
    app.record(
        &supervisor,
        &path("/leads"),
        json!({ "role": "case_lead", "lead": worker_record("w-lead") }),
    )
    .await;
    let assigned = app
        .record(&sanne, &path("/assignments"), worker_record("w-sanne"))
        .await;
    let entries = timeline(&app, &sanne, &case, assigned.version()).await;
    assert!(
        !has_text(&entries, "graffiti"),
        "police detail reached the social timeline"
    );

    // Risk, consents for Halt (the youth is 15: a parent's too), Halt involved.
    app.record(
        &lead,
        &path("/risk-assessments"),
        json!({ "assessment": { "instrument": "LIJ", "level": "high",
                  "scores": { "school": 3, "family": 2, "peers": 3, "substance_use": 1, "offending": 3 },
                  "rationale": "escalating nuisance, truancy", "assessed_on": "2026-11-05" },
                "next_review_on": "2026-11-19" }),
    )
    .await;
    let mut consents = Vec::new();
    for given_by in ["youth", "parent_or_guardian"] {
        let answer = app
            .record(
                &lead,
                &path("/consents"),
                json!({ "partner": "halt-rotterdam", "purpose": "halt_intervention", "given_by": given_by,
                        "given_on": "2026-11-05", "valid_until": "2027-05-05" }),
            )
            .await;
        consents.push(answer.body["ids"][0].as_str().unwrap().to_owned());
    }
    app.record(
        &lead,
        &path("/partners"),
        json!({ "partner": "halt-rotterdam", "partner_domain": "justice",
                "basis": { "basis": "consent", "consent_id": consents[0] }, "involved_on": "2026-11-05" }),
    )
    .await;
    let planned = app
        .put(
            &lead,
            &path("/plan"),
            json!({ "goals": [{ "description": "attends school 90% of the time", "target_date": "2027-02-01" }],
                    "agreed_with": { "youth": true, "parent_or_guardian": true }, "agreed_on": "2026-11-06" }),
        )
        .await;
    assert_eq!(planned.status, 200, "{}", planned.body);
    let halt_plan = app
        .record(
            &lead,
            &path("/interventions"),
            json!({ "kind": "halt", "provider": "halt-rotterdam", "domain": "justice",
                    "planned_on": "2026-11-10", "halt_confession_on": "2026-11-01" }),
        )
        .await;
    let intervention = halt_plan.body["ids"][0].as_str().unwrap().to_owned();

    // Halt now sees the case, in the justice view.
    let justice = view(&app, &halt, &case, halt_plan.version()).await;
    assert_eq!(justice.status, 200, "{}", justice.body);
    assert_eq!(justice.body["stage"], "active");
    assert_eq!(justice.body["interventions"][0]["kind"], "halt");
    assert_eq!(justice.body["risk_level"], "high");

    // Halt takes its intervention a step and logs a contact; it may not close the case.
    app.record(
        &halt,
        &path(&format!("/interventions/{intervention}/start")),
        json!({ "started_on": "2026-11-10" }),
    )
    .await;
    app.record(
        &halt,
        &path("/notes"),
        json!({ "confidentiality": "justice", "text": "admitted the graffiti in the Halt talk" }),
    )
    .await;
    let refused = app
        .post(
            &halt,
            &path("/close"),
            json!({ "result": "goals_achieved", "summary": null, "closed_on": "2026-11-11" }),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // The worker's contact: its summary in the social view only.
    let contact = app
        .record(
            &sanne,
            &path("/contacts"),
            json!({ "kind": "home_visit", "with_whom": ["youth", "parent_or_guardian"],
                    "contacted_on": "2026-11-12", "summary": "mother worried about the older brother" }),
        )
        .await;
    let social = view(&app, &sanne, &case, contact.version()).await;
    assert_eq!(
        social.body["last_contact_summary"],
        "mother worried about the older brother"
    );
    let justice = view(&app, &halt, &case, contact.version()).await;
    assert_eq!(justice.body["last_contact_on"], "2026-11-12");
    assert!(justice.body.get("last_contact_summary").is_none());
    let social_entries = timeline(&app, &sanne, &case, contact.version()).await;
    let justice_entries = timeline(&app, &halt, &case, contact.version()).await;
    assert!(!has_text(&social_entries, "admitted the graffiti"));
    assert!(has_text(&justice_entries, "admitted the graffiti"));
    assert!(has_text(&justice_entries, "caught spraying graffiti"));
    assert!(!has_text(&justice_entries, "older brother"));
    assert!(has_text(&social_entries, "older brother"));

    // Sanne leaves: the supervisor moves all her cases to a colleague.
    let load = app.get(&supervisor, "/api/v1/caseload").await;
    let sanne_load = load.body["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["worker_id"] == "w-sanne")
        .expect("Sanne is on the caseload")
        .clone();
    assert_eq!(sanne_load["open_cases"], 1);
    let moved = app
        .record(
            &supervisor,
            "/api/v1/workers/w-sanne/reassign",
            json!({ "to": worker_record("w-noor"), "reason": "Sanne leaves the team" }),
        )
        .await;
    assert_eq!(moved.body["moved"][0]["case_id"], case.as_str());
    let after_move = moved.body["moved"][0]["version"].as_u64().unwrap();
    view(&app, &supervisor, &case, after_move).await;
    let load = app.get(&supervisor, "/api/v1/caseload").await;
    assert_eq!(load.body["cases"][0]["workers"], json!(["w-noor"]));
    // Sanne is still on the team, with no open case: listed with 0.
    let sanne_now = load.body["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["worker_id"] == "w-sanne")
        .expect("a worker without open cases is on the caseload too")
        .clone();
    assert_eq!(sanne_now["open_cases"], 0, "{sanne_now}");
    // Sanne no longer works on the case: the team still sees it, but not as hers.
    let mine = app.get(&sanne, "/api/v1/cases?assignee=w-sanne").await;
    assert_eq!(mine.body["items"], json!([]));

    // Halt completes; the lead closes the case with its result.
    app.record(
        &halt,
        &path(&format!("/interventions/{intervention}/complete")),
        json!({ "outcome": "successful", "summary": "apology letter, cleaned the wall", "completed_on": "2026-11-20" }),
    )
    .await;
    let closed = app
        .record(
            &lead,
            &path("/close"),
            json!({ "result": "goals_achieved", "summary": "back at school", "closed_on": "2026-11-25" }),
        )
        .await;
    for user in [&lead, &halt] {
        let seen = view(&app, user, &case, closed.version()).await;
        assert_eq!(seen.body["stage"], "closed");
        assert_eq!(seen.body["result"], "goals_achieved");
    }
    let load = app.get(&supervisor, "/api/v1/caseload").await;
    assert_eq!(load.body["cases"], json!([]));
    app.stop().await;
}

/// The team's roster counts a worker's open cases as the bulk move moves
/// them: those they are assigned to and those they lead. (It counted
/// assignments only: a case lead with one case showed 0 on the dashboard
/// while "3 open cases" stood above a roster that added up to 1.)
#[tokio::test]
async fn the_roster_counts_the_cases_a_worker_leads() {
    let app = TestApp::spawn().await;
    let (lead, supervisor) = (lead(), supervisor());
    app.sign_in(&lead).await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let (case, _) = app.open_case(&sanne).await;
    let path = |tail: &str| format!("/api/v1/cases/{case}{tail}");
    app.record(
        &sanne,
        &path("/triage"),
        json!({ "decision": "take_on", "decided_by": "triage meeting Zuid", "decided_on": "2026-11-03" }),
    )
    .await;
    app.record(
        &sanne,
        &path("/include"),
        json!({ "included_on": "2026-11-04" }),
    )
    .await;
    let led = app
        .record(
            &supervisor,
            &path("/leads"),
            json!({ "role": "case_lead", "lead": worker_record("w-lead") }),
        )
        .await;
    view(&app, &supervisor, &case, led.version()).await;

    let load = app.get(&supervisor, "/api/v1/caseload").await;
    assert_eq!(load.status, 200, "{}", load.body);
    let roster = load.body["workers"].as_array().unwrap();
    let of_lead = roster.iter().find(|w| w["worker_id"] == "w-lead");
    assert_eq!(
        of_lead.map(|w| w["open_cases"].clone()),
        Some(json!(1)),
        "{roster:?}"
    );
    app.stop().await;
}
