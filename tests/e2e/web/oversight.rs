//! The pages of those who oversee the work, over HTTP: the supervisor's
//! dashboard and bulk reassignment, the auditor's reason, history and
//! access log, the privacy officer's erasure, the analyst's figures under
//! the API's suppression, and the printed case summary.

use reqwest::header;
use uuid::Uuid;

use super::{browser, csrf, get, log_in, post, refer_noah, sent, web_app};
use crate::api::app::{TestApp, User};

async fn workers(app: &TestApp) {
    sqlx::query(
        "insert into workers (id, name, organisation, domain, municipality, team, roles) values
           ('w-mo', 'Mo El Amrani', 'gemeente-rotterdam', 'social', 'GM0599', 'rotterdam-zuid-1', '{case_worker}'),
           ('w-lisa', 'Lisa Jansen', 'gemeente-rotterdam', 'social', 'GM0599', 'rotterdam-zuid-1', '{case_worker}')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// Logs `user` in; the page's form token.
async fn logged_in(app: &TestApp, client: &reqwest::Client, user: &str, page: &str) -> String {
    log_in(app, client, user).await;
    let page = get(client, format!("{}{page}", app.base)).await;
    csrf(&page.text().await.unwrap())
}

/// States the audit session's reason.
async fn reason(app: &TestApp, client: &reqwest::Client, token: &str, reason: &str) {
    let stated = post(
        client,
        format!("{}/controle/reden", app.base),
        &[("_csrf", token), ("reden", reason), ("terug", "/controle")],
    )
    .await;
    assert_eq!(stated.status(), 303);
}

#[tokio::test]
async fn a_supervisor_sees_the_team_and_moves_a_workers_cases_after_a_confirmation() {
    let app = web_app(true).await;
    workers(&app).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, token) = refer_noah(&app, &sanne).await;
    let today = casus_store::clock::today().to_string();
    let steps: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "triage",
            vec![
                ("triage-besluit", "take_on"),
                ("triage-door", "triageoverleg Zuid"),
                ("triage-datum", &today),
            ],
        ),
        ("opnemen", vec![("opnemen-datum", &today)]),
        ("regie", vec![]),
        (
            "medewerker",
            vec![("medewerker-wie", "w-mo"), ("medewerker-rol", "worker")],
        ),
    ];
    for (step, fields) in &steps {
        sent(&app, &sanne, &case, &token, step, fields).await;
    }

    let boss = browser();
    let token = logged_in(&app, &boss, "w-sup", "/team").await;
    let page = get(&boss, format!("{}/team", app.base)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    // The roster: Lisa, without cases, is there too.
    assert!(
        page.contains("Mo El Amrani") && page.contains("Lisa Jansen"),
        "{page}"
    );
    assert!(page.contains("Open casussen per fase") && page.contains("<svg"));
    let mine = get(&boss, format!("{}/team?medewerker=w-mo", app.base)).await;
    assert!(mine
        .text()
        .await
        .unwrap()
        .contains(&format!("/casussen/{case}")));

    let same = [
        ("_csrf", token.as_str()),
        ("overdragen-van", "w-mo"),
        ("overdragen-naar", "w-mo"),
        ("overdragen-reden", "Mo vertrekt"),
    ];
    let refused = post(&boss, format!("{}/team/overdragen", app.base), &same).await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Kies een andere medewerker"));

    let fields = [
        ("_csrf", token.as_str()),
        ("overdragen-van", "w-mo"),
        ("overdragen-naar", "w-lisa"),
        ("overdragen-reden", "Mo vertrekt"),
    ];
    let confirm = post(&boss, format!("{}/team/overdragen", app.base), &fields).await;
    assert_eq!(confirm.status(), 200);
    let confirm = confirm.text().await.unwrap();
    assert!(
        confirm.contains("1 open casus</strong> gaan van Mo El Amrani naar Lisa Jansen"),
        "{confirm}"
    );
    let events_before: i64 =
        sqlx::query_scalar("select count(*) from events where aggregate_id = $1")
            .bind(&case)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(events_before > 0);

    let key = Uuid::now_v7().to_string();
    let mut confirmed = fields.to_vec();
    confirmed.push(("sleutel", &key));
    let moved = post(
        &boss,
        format!("{}/team/overdragen/bevestigen", app.base),
        &confirmed,
    )
    .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(
        moved.headers()[header::LOCATION],
        "/team?verplaatst=1&niet=0"
    );
    // Sent twice (a double click), it moves nothing more.
    let again = post(
        &boss,
        format!("{}/team/overdragen/bevestigen", app.base),
        &confirmed,
    )
    .await;
    assert_eq!(
        again.headers()[header::LOCATION],
        "/team?verplaatst=1&niet=0"
    );
    let types: Vec<String> = sqlx::query_scalar(
        "select event_type from events where aggregate_id = $1 order by sequence offset $2",
    )
    .bind(&case)
    .bind(events_before)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    // The worker's part handed on: once, however often the form was sent.
    assert_eq!(types, ["WorkerUnassigned", "WorkerAssigned"]);
    let worked_by: Vec<String> = sqlx::query_scalar(
        "select payload::text from events where aggregate_id = $1 order by sequence desc limit 1",
    )
    .bind(&case)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(worked_by[0].contains("\"id\": \"w-lisa\""), "{worked_by:?}");
}

#[tokio::test]
async fn an_auditor_states_a_reason_once_reads_a_history_and_finds_the_reads_in_the_log() {
    let app = web_app(true).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, _) = refer_noah(&app, &sanne).await;
    // A case worker has no audit pages.
    assert_eq!(
        get(&sanne, format!("{}/controle", app.base)).await.status(),
        403
    );

    let auditor = browser();
    let token = logged_in(&app, &auditor, "au-1", "/controle").await;
    let asked = get(&auditor, format!("{}/controle/casussen/{case}", app.base)).await;
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Reden van het onderzoek") && !asked.contains("Gebeurtenis 1"),
        "no history without a reason"
    );
    // Only a path of Casus is a place to go back to.
    let elsewhere = post(
        &auditor,
        format!("{}/controle/reden", app.base),
        &[
            ("_csrf", token.as_str()),
            ("reden", "onderzoek 2026-17"),
            ("terug", "https://evil.example/"),
        ],
    )
    .await;
    assert_eq!(elsewhere.headers()[header::LOCATION], "/controle");
    let broken = post(
        &auditor,
        format!("{}/controle/reden", app.base),
        &[
            ("_csrf", token.as_str()),
            ("reden", "onderzoek 2026-17"),
            ("terug", "/controle\r\nSet-Cookie: x=1"),
        ],
    )
    .await;
    assert_eq!(
        broken.headers()[header::LOCATION],
        "/controle",
        "no header from a form field"
    );
    reason(&app, &auditor, &token, "onderzoek 2026-17").await;

    let history = get(
        &auditor,
        format!("{}/controle/casussen/{case}?versie=1", app.base),
    )
    .await;
    assert_eq!(history.status(), 200);
    let history = history.text().await.unwrap();
    assert!(
        history.contains("Gebeurtenis 1: Aanmelding") && history.contains("Versie 1 van 1"),
        "{history}"
    );
    assert!(history.contains("In orde"), "the case's chain is verified");
    let beyond = get(
        &auditor,
        format!("{}/controle/casussen/{case}?versie=9", app.base),
    )
    .await;
    assert_eq!(beyond.status(), 400);

    let logged: Vec<(String, String)> = sqlx::query_as(
        "select view, purpose from access_log where user_id = 'au-1' and case_id = $1::uuid order by id",
    )
    .bind(&case)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(
        logged.iter().any(|(view, _)| view == "history"),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .all(|(_, purpose)| purpose == "onderzoek 2026-17"),
        "{logged:?}"
    );

    for edge in [
        "tot=262142-12-31",
        "van=262142-12-31",
        "tot=+262142-12-31",
        "tot=2026-02-30",
        "verder=x",
    ] {
        let asked = get(&auditor, format!("{}/controle/toegang?{edge}", app.base)).await;
        let status = asked.status().as_u16();
        assert!([200, 400].contains(&status), "{edge}: {status}");
    }
    let log = get(
        &auditor,
        format!("{}/controle/toegang?casus={case}&gebruiker=au-1", app.base),
    )
    .await;
    let log = log.text().await.unwrap();
    assert!(
        log.contains("history") && log.contains("onderzoek 2026-17"),
        "{log}"
    );
    let verified = get(
        &auditor,
        format!("{}/controle/integriteit?controleren=ja", app.base),
    )
    .await;
    assert!(verified.text().await.unwrap().contains("In orde"));
    let csv = get(
        &auditor,
        format!("{}/controle/toegang.csv?casus={case}", app.base),
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("tijdstip,handeling,uitkomst,gebruiker"),
        "{csv}"
    );
    let read = |l: &&str| l.contains(&case) && l.contains(",history,onderzoek 2026-17,");
    assert!(csv.lines().any(|l| read(&l)), "{csv}");

    // What a caller typed never becomes a formula in the auditor's spreadsheet.
    reason(
        &app,
        &auditor,
        &token,
        "=HYPERLINK(\"https://evil.example\")",
    )
    .await;
    let again = format!("{}/controle/casussen/{case}?versie=1", app.base);
    assert_eq!(get(&auditor, again).await.status(), 200);
    let csv = get(
        &auditor,
        format!("{}/controle/toegang.csv?casus={case}", app.base),
    )
    .await;
    let csv = csv.text().await.unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
}

#[tokio::test]
async fn a_privacy_officer_erases_a_young_person_after_confirming_and_the_worker_sees_it_erased() {
    let app = web_app(true).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, _) = refer_noah(&app, &sanne).await;

    let officer = browser();
    let token = logged_in(&app, &officer, "po-1", "/controle").await;
    reason(&app, &officer, &token, "AVG-verzoek 2026-3").await;
    let found = post(
        &officer,
        format!("{}/privacy", app.base),
        &[
            ("_csrf", token.as_str()),
            ("zoek-naam", "Noah de Jong"),
            ("zoek-geboortedatum", "01-05-2012"),
        ],
    )
    .await;
    assert_eq!(found.status(), 200);
    let found = found.text().await.unwrap();
    let at = found
        .find("/privacy/jongeren/")
        .expect("the young person found")
        + 18;
    let subject = &found[at..at + 36];
    assert!(found.contains(&case));

    let erase = format!("{}/privacy/jongeren/{subject}/wissen", app.base);
    let unconfirmed = post(
        &officer,
        erase.clone(),
        &[
            ("_csrf", token.as_str()),
            ("wissen-reden", "verzoek AVG art. 17"),
        ],
    )
    .await;
    assert_eq!(unconfirmed.status(), 422);
    assert!(unconfirmed
        .text()
        .await
        .unwrap()
        .contains("niet terug te draaien"));
    let key: Option<Vec<u8>> =
        sqlx::query_scalar("select wrapped from subject_keys where subject_id = $1::uuid")
            .bind(subject)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(key.is_some(), "nothing erased without the confirmation");

    let erased = post(
        &officer,
        erase,
        &[
            ("_csrf", token.as_str()),
            ("wissen-reden", "verzoek AVG art. 17"),
            ("wissen-zeker", "ja"),
        ],
    )
    .await;
    assert_eq!(erased.status(), 303);
    let shown = get(&officer, format!("{}/privacy/jongeren/{subject}", app.base)).await;
    assert!(shown.text().await.unwrap().contains("zijn gewist"));
    let worker = get(&sanne, format!("{}/casussen/{case}", app.base)).await;
    let worker = worker.text().await.unwrap();
    assert!(
        worker.contains("Gegevens gewist") && !worker.contains("Noah de Jong"),
        "{worker}"
    );
}

#[tokio::test]
async fn the_analysts_figures_hold_back_what_the_api_holds_back_in_the_page_and_the_csv() {
    let app = web_app(true).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    // One referral this month: a count under the threshold.
    refer_noah(&app, &sanne).await;

    let api_analyst = User {
        sub: "an-api",
        org: "programma-lv",
        domain: "social",
        roles: &["analyst"],
        municipality: None,
        team: None,
    };
    // The figures are a view: wait until it counts the referral.
    let month = casus_store::clock::today().format("%Y-%m").to_string();
    let mut stats = app
        .get(&api_analyst, "/api/v1/stats?municipality=GM0599")
        .await;
    for _ in 0..100 {
        let rows = stats.body["municipalities"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let this = rows.iter().find(|r| r["month"] == month.as_str());
        if this.is_some_and(|r| r["referred"].is_null()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stats = app
            .get(&api_analyst, "/api/v1/stats?municipality=GM0599")
            .await;
    }
    assert_eq!(stats.status, 200);

    let analyst = browser();
    log_in(&app, &analyst, "an-1").await;
    let page = get(&analyst, format!("{}/cijfers?gemeente=GM0599", app.base)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("casus-suppressed") && page.contains("&lt; 5"),
        "{page}"
    );
    let csv = get(
        &analyst,
        format!("{}/cijfers.csv?gemeente=GM0599", app.base),
    )
    .await;
    let csv = csv.text().await.unwrap();
    let rows = stats.body["municipalities"].as_array().unwrap();
    assert!(!rows.is_empty());
    let lines: Vec<&str> = csv.lines().filter(|l| l.starts_with("GM0599,,")).collect();
    assert_eq!(lines.len(), rows.len(), "{csv}");
    let shown = |value: &serde_json::Value| match value.as_i64() {
        Some(n) => n.to_string(),
        None => "< 5".to_owned(),
    };
    for (line, row) in lines.iter().zip(rows) {
        let cells: Vec<&str> = line.split(',').skip(3).collect();
        let expected = [
            shown(&row["referred"]),
            shown(&row["included"]),
            shown(&row["closed"]),
        ];
        assert_eq!(cells, expected, "{line} against {row}");
    }
    assert!(
        csv.contains("< 5"),
        "this month's single referral is held back: {csv}"
    );
}

#[tokio::test]
async fn a_printed_case_summary_has_no_forms_and_is_logged_as_a_print() {
    let app = web_app(true).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, _) = refer_noah(&app, &sanne).await;
    let logged = |after: i64| {
        let (pool, case) = (&app.db.pool, &case);
        async move {
            sqlx::query_as::<_, (i64, String, String)>(
                "select id, action, view from access_log
                  where user_id = 'w-sanne' and case_id = $1::uuid and id > $2 order by id",
            )
            .bind(case)
            .bind(after)
            .fetch_all(pool)
            .await
            .unwrap()
        }
    };
    let before = logged(0).await.last().map_or(0, |(id, ..)| *id);
    let printed = get(&sanne, format!("{}/casussen/{case}/afdrukken", app.base)).await;
    assert_eq!(printed.status(), 200);
    let printed = printed.text().await.unwrap();
    assert!(
        printed.contains("Casusoverzicht voor een casusoverleg")
            && printed.contains("Noah de Jong")
    );
    assert!(
        !printed.contains(&format!("action=\"/casussen/{case}/")),
        "no forms on paper"
    );
    // What is on paper is logged as printed: the case and its timeline.
    let entries = logged(before).await;
    let views: Vec<&str> = entries.iter().map(|(_, _, view)| view.as_str()).collect();
    assert_eq!(views, ["social_case_view", "case_timeline"], "{entries:?}");
    assert!(
        entries.iter().all(|(_, action, _)| action == "print"),
        "{entries:?}"
    );
}
