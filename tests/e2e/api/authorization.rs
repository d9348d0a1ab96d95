//! The authorization matrix: every route × every role × the caller's
//! relation to the case (assigned to it, in its team, in another team, in
//! another municipality, working for an involved partner), with the status
//! each must get. Writes carry `If-Match: "999"`, so an allowed write stops
//! at the version check (412) and changes nothing. The table is written by
//! hand, apart from the code it checks, and must name every route of the
//! OpenAPI document (which the router is built from).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use super::app::{referral, TestApp, User, AMSTERDAM, ROTTERDAM};

const ROLES: [&str; 7] = [
    "case_worker",
    "case_lead",
    "supervisor",
    "auditor",
    "privacy_officer",
    "analyst",
    "admin",
];

/// The relations, in the order of each role's five expectations.
#[derive(Clone, Copy, Debug)]
enum Relation {
    Own,
    Team,
    OtherTeam,
    OtherMunicipality,
    Partner,
}

const RELATIONS: [Relation; 5] = [
    Relation::Own,
    Relation::Team,
    Relation::OtherTeam,
    Relation::OtherMunicipality,
    Relation::Partner,
];

/// One route: method, path (with a query where the route needs one), body, and per role (in `ROLES` order) five
/// expectations (in `RELATIONS` order): W = 412 (allowed write, stopped by
/// If-Match), R = 200, C = 201 would-be create (412 too), S = 201 (a subscription, no case), F = 403,
/// N = 404.
struct Row {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    expect: [&'static str; 7],
}

fn row(method: Method, path: &'static str, body: Option<Value>, expect: [&'static str; 7]) -> Row {
    Row {
        method,
        path,
        body,
        expect,
    }
}

const NO: &str = "FFFFF";

fn table() -> Vec<Row> {
    let worker = json!({ "id": "w-other", "name": "Other", "team": "zuid-1" });
    let date = "2026-11-20";
    // Expectations by kind of action.
    let work = ["WWNNF", "WWNNF", NO, NO, NO, NO, NO];
    let contribute = ["WWNNW", "WWNNW", NO, NO, NO, NO, NO];
    let assign = ["WWNNF", "WWNNF", "WWNNN", NO, NO, NO, NO];
    let read = ["RRNNR", "RRNNR", "RRNNN", "RRRNR", NO, NO, NO];
    let audit = [NO, NO, NO, "RRRNR", "RRRNR", NO, NO];
    // The case lead assigned to the case, or a supervisor of its team.
    let handover = [NO, "WFNNF", "WWNNN", NO, NO, NO, NO];
    let post = |path, body, expect| row(Method::POST, path, Some(body), expect);
    vec![
        row(Method::GET, "/health", None, ["RRRRR"; 7]),
        row(Method::GET, "/ready", None, ["RRRRR"; 7]),
        row(Method::GET, "/metrics", None, ["RRRRR"; 7]),
        row(Method::GET, "/openapi.json", None, ["RRRRR"; 7]),
        row(
            Method::GET,
            "/api/v1/cases",
            None,
            ["RRRRR", "RRRRR", "RRRRR", "RRRRR", NO, NO, NO],
        ),
        post(
            "/api/v1/cases",
            referral("New Case", "2012-01-01"),
            ["CCCCC", "CCCCC", NO, NO, NO, NO, NO],
        ),
        post(
            "/api/v1/cases/search",
            json!({ "name": "Matrix Case", "date_of_birth": "2010-05-05" }),
            ["RRRRR", "RRRRR", "RRRRR", "RRRRR", NO, NO, NO],
        ),
        post(
            "/api/v1/cases/known-person",
            json!({ "name": "Matrix Case", "date_of_birth": "2010-05-05" }),
            ["RRRRR", "RRRRR", NO, NO, NO, NO, NO],
        ),
        row(Method::GET, "/api/v1/cases/{id}", None, read),
        row(Method::GET, "/api/v1/cases/{id}/timeline", None, read),
        row(
            Method::GET,
            "/api/v1/caseload",
            None,
            [NO, NO, "RRRRR", "RRRRR", NO, NO, NO],
        ),
        post(
            "/api/v1/workers/{worker_id}/reassign",
            json!({ "to": worker, "reason": "leaves" }),
            [NO, NO, "RRRRR", NO, NO, NO, NO],
        ),
        post(
            "/api/v1/cases/{id}/signals",
            json!({ "kind": "nuisance", "source_org": "politie", "source_domain": "justice", "occurred_on": date, "summary": null }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/triage",
            json!({ "decision": "take_on", "decided_by": "triage", "decided_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/information",
            json!({ "partner": "school", "partner_domain": "social", "basis": { "basis": "legal_task", "provision": "Jeugdwet 7.4.0" }, "summary": "x", "added_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/include",
            json!({ "included_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/leads",
            json!({ "role": "case_lead", "lead": worker }),
            assign,
        ),
        post("/api/v1/cases/{id}/assignments", worker.clone(), assign),
        post(
            "/api/v1/cases/{id}/unassignments",
            json!({ "worker": "w-other", "reason": null }),
            assign,
        ),
        post(
            "/api/v1/cases/{id}/reassign",
            json!({ "from": "w-me", "to": worker, "reason": null }),
            assign,
        ),
        post(
            "/api/v1/cases/{id}/risk-assessments",
            json!({ "assessment": { "instrument": "LIJ", "level": "low",
                "scores": { "school": 1, "family": 1, "peers": 1, "substance_use": 0, "offending": 1 },
                "rationale": "x", "assessed_on": date }, "next_review_on": null }),
            work,
        ),
        row(
            Method::PUT,
            "/api/v1/cases/{id}/plan",
            Some(
                json!({ "goals": [{ "description": "x", "target_date": "2027-01-01" }],
                         "agreed_with": { "youth": true, "parent_or_guardian": false }, "agreed_on": date }),
            ),
            work,
        ),
        post(
            "/api/v1/cases/{id}/goals/{goal_id}/achieve",
            json!({ "achieved_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/interventions",
            json!({ "kind": "mentoring", "provider": "jongerenwerk", "domain": "social", "planned_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/interventions/{intervention_id}/start",
            json!({ "started_on": date }),
            contribute,
        ),
        post(
            "/api/v1/cases/{id}/interventions/{intervention_id}/complete",
            json!({ "outcome": "successful", "completed_on": date }),
            contribute,
        ),
        post(
            "/api/v1/cases/{id}/interventions/{intervention_id}/cancel",
            json!({ "reason": "x", "cancelled_on": date }),
            contribute,
        ),
        post(
            "/api/v1/cases/{id}/contacts",
            json!({ "kind": "phone", "with_whom": ["youth"], "contacted_on": date, "summary": "x" }),
            contribute,
        ),
        post(
            "/api/v1/cases/{id}/notes",
            json!({ "confidentiality": "shared", "text": "x" }),
            contribute,
        ),
        post(
            "/api/v1/cases/{id}/consents",
            json!({ "partner": "halt", "purpose": "halt_intervention", "given_by": "youth", "given_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/consents/{consent_id}/withdraw",
            json!({ "withdrawn_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/partners",
            json!({ "partner": "school", "partner_domain": "social", "basis": null, "involved_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/conferences",
            json!({ "held_on": date, "partners_present": ["school"], "agreements": "x" }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/reviews",
            json!({ "due_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/reviews/{review_id}/complete",
            json!({ "completed_on": date, "summary": "x" }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/escalations",
            json!({ "to": "administrators", "reason": "x", "escalated_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/transfer",
            json!({ "municipality": ROTTERDAM, "focus_area": "rotterdam-zuid", "team": "zuid-2", "reason": "moved", "transferred_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/handover",
            json!({ "municipality": AMSTERDAM, "reason": "moved", "proposed_on": date }),
            handover,
        ),
        post(
            "/api/v1/cases/{id}/handover/accept",
            json!({ "focus_area": "amsterdam-zuidoost", "team": "zuidoost-1", "accepted_on": date }),
            // Only a supervisor of the municipality a handover is proposed to.
            [NO, NO, "FFNNN", NO, NO, NO, NO],
        ),
        post(
            "/api/v1/cases/{id}/handover/decline",
            json!({ "reason": "not here", "declined_on": date }),
            handover,
        ),
        post(
            "/api/v1/cases/{id}/aftercare",
            json!({ "started_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/close",
            json!({ "result": "moved", "summary": null, "closed_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/reopen",
            json!({ "reason": "x", "reopened_on": date }),
            work,
        ),
        post(
            "/api/v1/cases/{id}/corrections",
            json!({ "sequence": 1, "correction": "x" }),
            work,
        ),
        row(Method::GET, "/api/v1/cases/{id}/history", None, audit),
        row(
            Method::GET,
            "/api/v1/cases/{id}/state?version=1",
            None,
            audit,
        ),
        row(Method::GET, "/api/v1/cases/{id}/export", None, audit),
        row(
            Method::GET,
            "/api/v1/audit/access-log",
            None,
            [NO, NO, NO, "RRRRR", "RRRRR", NO, NO],
        ),
        row(
            Method::GET,
            "/api/v1/audit/verify",
            None,
            [NO, NO, NO, "RRRRR", "RRRRR", NO, NO],
        ),
        row(
            Method::GET,
            "/api/v1/stats",
            None,
            [NO, NO, NO, NO, NO, "RRRRR", NO],
        ),
        // An unknown subject: a privacy officer passes the role check and
        // finds nothing; erasing for real is the privacy tests' work.
        post(
            "/api/v1/subjects/{subject_id}/erasure",
            json!({ "reason": "matrix" }),
            [NO, NO, NO, NO, "NNNNN", NO, NO],
        ),
        // Subscriptions to notifications: administrators only. The matrix's
        // case ids name no subscription.
        row(
            Method::GET,
            "/api/v1/subscriptions",
            None,
            [NO, NO, NO, NO, NO, NO, "RRRRR"],
        ),
        post(
            "/api/v1/subscriptions",
            json!({ "callback_url": "https://partner.example/casus", "partner": "halt-rotterdam" }),
            [NO, NO, NO, NO, NO, NO, "SSSSS"],
        ),
        row(
            Method::GET,
            "/api/v1/subscriptions/{id}",
            None,
            [NO, NO, NO, NO, NO, NO, "NNNNN"],
        ),
        row(
            Method::DELETE,
            "/api/v1/subscriptions/{id}",
            None,
            [NO, NO, NO, NO, NO, NO, "NNNNN"],
        ),
        post(
            "/api/v1/subscriptions/{id}/redeliveries",
            json!({}),
            [NO, NO, NO, NO, NO, NO, "NNNNN"],
        ),
    ]
}

fn status_of(code: char) -> u16 {
    match code {
        'W' | 'C' => 412,
        'R' => 200,
        // A subscription is no case: made, whatever If-Match says.
        'S' => 201,
        'F' => 403,
        'N' => 404,
        other => panic!("unknown expectation {other}"),
    }
}

/// The caller in `role`: assigned to the "own" case, in team zuid-1, working
/// for the organisation involved as a partner in the "partner" case.
fn caller(role: &'static str) -> User {
    let roles: &'static [&'static str] = match role {
        "case_worker" => &["case_worker"],
        "case_lead" => &["case_lead"],
        "supervisor" => &["supervisor"],
        "auditor" => &["auditor"],
        "privacy_officer" => &["privacy_officer"],
        "analyst" => &["analyst"],
        _ => &["admin"],
    };
    User {
        sub: "w-me",
        org: "wijkteam-zuid",
        domain: "social",
        roles,
        municipality: Some(ROTTERDAM),
        team: Some("zuid-1"),
    }
}

struct Cases {
    own: String,
    team: String,
    other_team: String,
    other_municipality: String,
    partner: String,
}

impl Cases {
    fn of(&self, relation: Relation) -> &str {
        match relation {
            Relation::Own => &self.own,
            Relation::Team => &self.team,
            Relation::OtherTeam => &self.other_team,
            Relation::OtherMunicipality => &self.other_municipality,
            Relation::Partner => &self.partner,
        }
    }

    fn all(&self) -> [&str; 5] {
        RELATIONS.map(|r| self.of(r))
    }
}

async fn open(app: &TestApp, by: &User, focus_area: &str) -> String {
    let mut body = referral("Matrix Case", "2010-05-05");
    body["focus_area"] = json!(focus_area);
    let answer = app.record(by, "/api/v1/cases", body).await;
    answer.body["case_id"].as_str().unwrap().to_owned()
}

async fn fixture(app: &TestApp) -> Cases {
    // The caller's team is wijkteam-zuid's zuid-1; gemeente-rotterdam's
    // zuid-2 holds the other team's case and involves wijkteam-zuid.
    let zuid1 = User {
        org: "wijkteam-zuid",
        ..User::worker("w-setup-1", "zuid-1")
    };
    let zuid2 = User::worker("w-setup-2", "zuid-2");
    let amsterdam = User {
        municipality: Some(AMSTERDAM),
        ..User::worker("w-setup-3", "zuidoost-1")
    };
    let cases = Cases {
        own: open(app, &zuid1, "rotterdam-zuid").await,
        team: open(app, &zuid1, "rotterdam-zuid").await,
        other_team: open(app, &zuid2, "rotterdam-zuid").await,
        other_municipality: open(app, &amsterdam, "amsterdam-zuidoost").await,
        partner: open(app, &zuid2, "rotterdam-zuid").await,
    };
    // Assignable once known: the caller, and the worker the writes name.
    app.sign_in(&caller("case_worker")).await;
    app.sign_in(&User {
        org: "wijkteam-zuid",
        ..User::worker("w-other", "zuid-1")
    })
    .await;
    app.record(
        &zuid1,
        &format!("/api/v1/cases/{}/assignments", cases.own),
        json!({ "id": "w-me", "name": "Me", "team": "zuid-1" }),
    )
    .await;
    app.record(
        &zuid2,
        &format!("/api/v1/cases/{}/partners", cases.partner),
        json!({ "partner": "wijkteam-zuid", "partner_domain": "social", "basis": null, "involved_on": "2026-11-03" }),
    )
    .await;
    // Reads must see every case's latest version.
    for case in cases.all() {
        let version = if case == cases.own || case == cases.partner {
            2
        } else {
            1
        };
        let auditor = zuid1.clone().with_roles(&["auditor"]);
        let path = format!("/api/v1/cases/{case}?minVersion={version}");
        let reason = [("x-audit-reason", "fixture")];
        let seen = app
            .send(Some(&auditor), Method::GET, &path, None, &reason)
            .await;
        assert!(seen.status == 200 || seen.status == 404, "{seen:?}");
    }
    cases
}

fn fill(path: &str, case: &str) -> String {
    path.replace("{id}", case)
        .replace("{worker_id}", "w-nobody")
        .replace("{goal_id}", "01900000-0000-7000-8000-000000000001")
        .replace("{intervention_id}", "01900000-0000-7000-8000-000000000002")
        .replace("{consent_id}", "01900000-0000-7000-8000-000000000003")
        .replace("{review_id}", "01900000-0000-7000-8000-000000000004")
        .replace("{subject_id}", "01900000-0000-7000-8000-000000000005")
}

#[tokio::test]
async fn every_route_role_and_relation_gets_its_status() {
    let app = TestApp::spawn().await;
    let cases = fixture(&app).await;
    let versions_before = versions(&app, &cases).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in table() {
        for (r, role) in ROLES.iter().enumerate() {
            let expect: Vec<char> = row.expect[r].chars().collect();
            assert_eq!(
                expect.len(),
                5,
                "{} {}: five expectations per role",
                row.method,
                row.path
            );
            let user = caller(role);
            for (i, relation) in RELATIONS.iter().enumerate() {
                let path = fill(row.path, cases.of(*relation));
                let answer = app
                    .send(
                        Some(&user),
                        row.method.clone(),
                        &path,
                        row.body.as_ref(),
                        &[
                            ("if-match", "\"999\""),
                            ("x-audit-reason", "authorization matrix"),
                        ],
                    )
                    .await;
                checked += 1;
                let wanted = status_of(expect[i]);
                if answer.status.as_u16() != wanted {
                    failures.push(format!(
                        "{} {} as {role} on {relation:?}: wanted {wanted}, got {} {}",
                        row.method, row.path, answer.status, answer.body
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        versions(&app, &cases).await,
        versions_before,
        "a refused write changed a case"
    );
    app.stop().await;
}

async fn versions(app: &TestApp, cases: &Cases) -> Vec<i64> {
    let mut versions = Vec::new();
    for case in cases.all() {
        let version: i64 = sqlx::query_scalar(
            "select coalesce(max(sequence), 0) from events where aggregate_id = $1",
        )
        .bind(case)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        versions.push(version);
    }
    versions
}

#[tokio::test]
async fn the_table_names_every_documented_route_and_no_other() {
    let document: Value = serde_json::from_str(&casus_api::openapi().to_json().unwrap()).unwrap();
    let documented: BTreeSet<(String, String)> = super::document::operations(&document)
        .into_iter()
        .map(|(method, path, _)| (method.to_uppercase(), path))
        .collect();
    let tabled: BTreeSet<(String, String)> = table()
        .iter()
        .map(|row| {
            (
                row.method.to_string(),
                row.path.split('?').next().unwrap().to_owned(),
            )
        })
        .collect();
    let untabled: Vec<_> = documented.difference(&tabled).collect();
    let undocumented: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        untabled.is_empty(),
        "routes without a row in the matrix: {untabled:?}"
    );
    assert!(
        undocumented.is_empty(),
        "rows for routes the API lacks: {undocumented:?}"
    );
}
