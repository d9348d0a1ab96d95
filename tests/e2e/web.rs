//! The web interface over HTTP, as a browser without JavaScript uses it:
//! the demo login only in development, sessions that end, forms that go
//! through the API's own writes, and pages that are logged like API reads.
//! (`tests/browser` drives it in a real Chromium.)

use std::time::Duration;

use casus_api::{Settings, WebSettings};
use reqwest::header;
use reqwest::redirect::Policy;
use uuid::Uuid;

use crate::api::app::TestApp;

mod oversight;

async fn web_app(demo_login: bool) -> TestApp {
    TestApp::spawn_with(Settings {
        read_wait: Duration::from_secs(20),
        web: WebSettings {
            demo_login,
            secure_cookies: false,
            oidc: None,
        },
        ..Settings::default()
    })
    .await
}

/// A browser: keeps its cookies, follows no redirect.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn log_in(app: &TestApp, client: &reqwest::Client, user: &str) -> reqwest::Response {
    post(client, format!("{}/inloggen", app.base), &[("user", user)]).await
}

async fn get(client: &reqwest::Client, url: String) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

async fn post(
    client: &reqwest::Client,
    url: String,
    form: &impl serde::Serialize,
) -> reqwest::Response {
    client.post(url).form(form).send().await.unwrap()
}

/// Refers Noah de Jong through the form: the new case's id, and the form token.
async fn refer_noah(app: &TestApp, client: &reqwest::Client) -> (String, String) {
    let form = get(client, format!("{}/aanmelden", app.base)).await;
    let token = csrf(&form.text().await.unwrap());
    let opened = post(
        client,
        format!("{}/aanmelden", app.base),
        &[
            ("_csrf", token.as_str()),
            ("aanmelding-naam", "Noah de Jong"),
            ("aanmelding-geboortedatum", "2012-05-01"),
            ("aanmelding-gebied", "rotterdam-zuid"),
            ("aanmelding-door", "politie-rotterdam"),
            ("aanmelding-reden", "overlast"),
            ("aanmelding-doel", "terug naar school"),
            ("aanmelding-datum", "2026-11-02"),
        ],
    )
    .await;
    let to = opened.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let case = to["/casussen/".len()..to.find('?').unwrap()].to_owned();
    // The new case's page waits for the views to show it, as a browser would.
    assert_eq!(get(client, format!("{}{to}", app.base)).await.status(), 200);
    (case, token)
}

/// The form token on a page.
fn csrf(page: &str) -> String {
    let at = page.find("name=\"_csrf\" value=\"").expect("a form token") + 20;
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_referral_in_the_web_interface_opens_a_case_whose_page_is_in_the_access_log() {
    let app = web_app(true).await;
    let client = browser();
    let login = log_in(&app, &client, "w-sanne").await;
    assert_eq!(login.status(), 303);
    let cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("casus_sessie="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let form = get(&client, format!("{}/aanmelden", app.base)).await;
    assert_eq!(form.status(), 200);
    let token = csrf(&form.text().await.unwrap());
    let fields = [
        ("_csrf", token.as_str()),
        ("sleutel", &Uuid::now_v7().to_string()),
        ("aanmelding-naam", "Jayden Bakker"),
        ("aanmelding-geboortedatum", "14-03-2011"),
        ("aanmelding-gebied", "rotterdam-zuid"),
        ("aanmelding-door", "politie-rotterdam"),
        ("aanmelding-reden", "overlast bij het metrostation"),
        ("aanmelding-doel", "terug naar school"),
        ("aanmelding-datum", "2026-11-02"),
    ];
    let opened = post(&client, format!("{}/aanmelden", app.base), &fields).await;
    assert_eq!(opened.status(), 303);
    let to = opened.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(to.ends_with("?versie=1"), "{to}");
    let case: Uuid = to["/casussen/".len()..to.find('?').unwrap()]
        .parse()
        .unwrap();

    // Sent twice (a double click): one case, the same answer.
    let again = post(&client, format!("{}/aanmelden", app.base), &fields).await;
    assert_eq!(again.headers()[header::LOCATION], to.as_str());
    // The same form's key with other content is not the same request.
    let mut changed = fields;
    changed[6] = ("aanmelding-reden", "iets anders");
    let reused = post(&client, format!("{}/aanmelden", app.base), &changed).await;
    assert_eq!(reused.status(), 400);
    assert!(reused
        .text()
        .await
        .unwrap()
        .contains("al verstuurd met andere inhoud"));
    let referrals: i64 =
        sqlx::query_scalar("select count(*) from events where event_type = 'CaseReferred'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(referrals, 1);

    let page = get(&client, format!("{}{to}", app.base)).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Jayden Bakker"));
    let logged: Vec<(String, String)> = sqlx::query_as(
        "select view, action from access_log where user_id = 'w-sanne' and case_id = $1 order by id",
    )
    .bind(case)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        logged,
        [
            ("social_case_view".to_owned(), "read".to_owned()),
            ("case_timeline".to_owned(), "read".to_owned())
        ]
    );

    // The case's own rules, in Dutch by the field: a contact tomorrow.
    let tomorrow = (casus_store::clock::today() + chrono::Days::new(1)).to_string();
    let contact = |date: String, version: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("sleutel", Uuid::now_v7().to_string()),
            ("versie", version.to_owned()),
            ("contact-soort", "home_visit".to_owned()),
            ("contact-met", "youth".to_owned()),
            ("contact-met", "parent_or_guardian".to_owned()),
            ("contact-datum", date),
            ("contact-verslag", "moeder maakt zich zorgen".to_owned()),
        ]
    };
    let future = post(
        &client,
        format!("{}/casussen/{case}/contact", app.base),
        &contact(tomorrow, "1"),
    )
    .await;
    assert_eq!(future.status(), 422);
    let page = future.text().await.unwrap();
    assert!(page.contains(r#"<p class="utrecht-form-field-error-message" id="contact-datum-fout">De datum moet tussen"#), "{page}");
    assert!(
        page.contains("moeder maakt zich zorgen"),
        "the input is kept"
    );

    // A form of a version the case has left: said so, nothing written.
    let today = casus_store::clock::today().to_string();
    let first = post(
        &client,
        format!("{}/casussen/{case}/contact", app.base),
        &contact(today.clone(), "1"),
    )
    .await;
    assert_eq!(first.status(), 303);
    let stale = post(
        &client,
        format!("{}/casussen/{case}/contact", app.base),
        &contact(today, "1"),
    )
    .await;
    assert_eq!(stale.status(), 422);
    assert!(stale
        .text()
        .await
        .unwrap()
        .contains("De casus is intussen gewijzigd"));
    assert_eq!(app.events().await, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_refused_form_keeps_the_input_and_says_in_dutch_what_to_change() {
    let app = web_app(true).await;
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let form = get(&client, format!("{}/aanmelden", app.base)).await;
    let token = csrf(&form.text().await.unwrap());
    // Born in 1990, with no goal.
    let referral = |goal: &'static str| {
        [
            ("_csrf", token.clone()),
            ("aanmelding-naam", "Jayden Bakker".into()),
            ("aanmelding-geboortedatum", "1990-03-14".into()),
            ("aanmelding-gebied", "rotterdam-zuid".into()),
            ("aanmelding-door", "politie-rotterdam".into()),
            ("aanmelding-reden", "overlast".into()),
            ("aanmelding-doel", goal.into()),
            ("aanmelding-datum", "2026-11-02".into()),
        ]
    };
    let refused = post(&client, format!("{}/aanmelden", app.base), &referral("")).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Vul het doel in."), "{page}");
    assert!(page.contains(r#"id="aanmelding-doel" name="aanmelding-doel" value="" aria-describedby="aanmelding-doel-uitleg aanmelding-doel-fout" aria-invalid="true""#), "{page}");
    assert!(page.contains(r#"value="Jayden Bakker""#), "{page}");

    // The rules of the case, in Dutch by their field: 36 on the referral date.
    let too_old = post(
        &client,
        format!("{}/aanmelden", app.base),
        &referral("terug naar school"),
    )
    .await;
    let status = too_old.status();
    let page = too_old.text().await.unwrap();
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("deze jongere is 36 op de datum van aanmelding"),
        "{page}"
    );
    assert_eq!(app.events().await, 0, "nothing was written");
    app.stop().await;
}

#[tokio::test]
async fn the_demo_login_is_only_there_in_development() {
    let app = web_app(false).await;
    let client = browser();
    let page = get(&client, format!("{}/inloggen", app.base)).await;
    assert_eq!(page.status(), 200);
    assert!(!page.text().await.unwrap().contains("Inloggen als"));
    let refused = log_in(&app, &client, "w-sanne").await;
    assert_eq!(refused.status(), 404);
    assert!(refused.headers().get(header::SET_COOKIE).is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_at_logout() {
    let app = web_app(true).await;
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let list = get(&client, format!("{}/casussen", app.base)).await;
    assert_eq!(list.status(), 200);
    sqlx::query("update web_sessions set seen_at = now() - interval '31 minutes'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let idle = get(&client, format!("{}/casussen", app.base)).await;
    assert_eq!(idle.status(), 303);
    assert_eq!(idle.headers()[header::LOCATION], "/inloggen");

    // A new login is a new session; logout removes it.
    log_in(&app, &client, "w-sanne").await;
    let page = get(&client, format!("{}/casussen", app.base)).await;
    let token = csrf(&page.text().await.unwrap());
    let out = post(
        &client,
        format!("{}/uitloggen", app.base),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(out.status(), 303);
    let live: i64 = sqlx::query_scalar(
        "select count(*) from web_sessions where seen_at > now() - interval '30 minutes'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(live, 0);
    app.stop().await;
}

#[tokio::test]
async fn the_case_pages_forms_record_what_the_api_records() {
    let app = web_app(true).await;
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let (case, token) = refer_noah(&app, &client).await;
    let case = case.as_str();
    let today = casus_store::clock::today().to_string();
    let steps: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "toestemming",
            vec![
                ("toestemming-partner", "halt-rotterdam"),
                ("toestemming-doel", "information_sharing"),
                ("toestemming-door", "parent_or_guardian"),
                ("toestemming-datum", &today),
            ],
        ),
        (
            "overleg",
            vec![
                ("overleg-aanwezig", "politie-rotterdam, halt-rotterdam"),
                ("overleg-afspraken", "school meldt verzuim direct"),
                ("overleg-datum", &today),
            ],
        ),
        (
            "opschalen",
            vec![
                ("opschalen-naar", "prosecutor"),
                ("opschalen-reden", "nieuw strafbaar feit"),
                ("opschalen-datum", &today),
            ],
        ),
        (
            "notitie",
            vec![
                ("notitie-zichtbaar", "shared"),
                ("notitie-tekst", "besproken in het teamoverleg"),
            ],
        ),
    ];
    for (step, fields) in steps {
        let mut fields = fields;
        fields.push(("_csrf", &token));
        let sent = post(
            &client,
            format!("{}/casussen/{case}/{step}", app.base),
            &fields,
        )
        .await;
        assert_eq!(sent.status(), 303, "{step}: {}", sent.text().await.unwrap());
    }
    let recorded: Vec<String> = sqlx::query_scalar(
        "select event_type from events where aggregate_id = $1 order by sequence",
    )
    .bind(case)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        recorded,
        [
            "CaseReferred",
            "ConsentRecorded",
            "CaseConferenceHeld",
            "CaseEscalated",
            "NoteAdded"
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_demo_session_opens_nothing_once_the_demo_login_is_off() {
    // A session made in development, in a database a production Casus now serves.
    let app = web_app(false).await;
    sqlx::query(
        "insert into web_sessions (token_hash, claims, csrf, expires_at)
         values (sha256('demo-token'::bytea),
                 '{\"sub\": \"w-sanne\", \"name\": \"Sanne de Vries\", \"org\": \"gemeente-rotterdam\",
                   \"domain\": \"social\", \"roles\": [\"case_worker\"], \"municipality\": \"GM0599\",
                   \"team\": \"rotterdam-zuid-1\", \"iss\": \"casus-demo\", \"aud\": \"casus\", \"exp\": 0}',
                 'x', now() + interval '1 hour')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let page = browser()
        .get(format!("{}/casussen", app.base))
        .header(header::COOKIE, "casus_sessie=demo-token")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()[header::LOCATION], "/inloggen");
    app.stop().await;
}

#[tokio::test]
async fn a_worker_of_another_municipality_writes_nothing_through_a_form() {
    let app = web_app(true).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, _) = refer_noah(&app, &sanne).await;
    let case = case.as_str();

    let daan = browser();
    log_in(&app, &daan, "w-amsterdam").await;
    let own = get(&daan, format!("{}/casussen", app.base)).await;
    let daans_token = csrf(&own.text().await.unwrap());
    let today = casus_store::clock::today().to_string();
    let refused = post(
        &daan,
        format!("{}/casussen/{case}/notitie", app.base),
        &[
            ("_csrf", daans_token.as_str()),
            ("notitie-zichtbaar", "shared"),
            ("notitie-tekst", "van buiten"),
            ("contact-datum", today.as_str()),
        ],
    )
    .await;
    assert_eq!(refused.status(), 404);
    assert!(!refused.text().await.unwrap().contains("Noah"));
    assert_eq!(app.events().await, 1, "nothing was written");
    let denied: i64 = sqlx::query_scalar(
        "select count(*) from access_log where user_id = 'w-amsterdam' and outcome = 'denied'
          and case_id = $1::uuid",
    )
    .bind(case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1, "the refusal is logged");
    app.stop().await;
}

/// Sends the case page's form `step` with `fields` and the form token: the answer.
async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    case: &str,
    token: &str,
    step: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.push(("_csrf", token));
    post(
        client,
        format!("{}/casussen/{case}/{step}", app.base),
        &form,
    )
    .await
}

/// Sends a form that is recorded, and opens the page it leads to (which
/// waits for the views to show the write).
async fn sent(
    app: &TestApp,
    client: &reqwest::Client,
    case: &str,
    token: &str,
    step: &str,
    fields: &[(&str, &str)],
) {
    let answer = send(app, client, case, token, step, fields).await;
    let status = answer.status();
    let to = answer.headers().get(header::LOCATION).cloned();
    assert_eq!(status, 303, "{step}: {}", answer.text().await.unwrap());
    let to = to.unwrap().to_str().unwrap().to_owned();
    assert_eq!(get(client, format!("{}{to}", app.base)).await.status(), 200);
}

#[tokio::test]
async fn a_case_is_worked_from_triage_to_correction_through_its_forms() {
    let app = web_app(true).await;
    // A colleague in another team of Sanne's organisation, known to Casus.
    sqlx::query(
        "insert into workers (id, name, organisation, domain, municipality, team, roles)
         values ('w-mo', 'Mo El Amrani', 'gemeente-rotterdam', 'social', 'GM0599',
                 'rotterdam-zuid-2', '{case_worker}')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let (case, token) = refer_noah(&app, &client).await;
    let (case, token) = (case.as_str(), token.as_str());
    let today = casus_store::clock::today().to_string();
    let today = today.as_str();
    let id = |sql: &'static str| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(sql)
                .bind(case.parse::<Uuid>().unwrap())
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };

    sent(
        &app,
        &client,
        case,
        token,
        "triage",
        &[
            ("triage-besluit", "take_on"),
            ("triage-door", "triageoverleg Zuid"),
            ("triage-datum", today),
        ],
    )
    .await;
    sent(
        &app,
        &client,
        case,
        token,
        "opnemen",
        &[("opnemen-datum", today)],
    )
    .await;
    sent(&app, &client, case, token, "regie", &[]).await;
    sent(
        &app,
        &client,
        case,
        token,
        "plan",
        &[
            ("plan-doel-1", "gaat weer naar school"),
            ("plan-streefdatum-1", "2027-06-01"),
            ("plan-met", "youth"),
            ("plan-datum", today),
        ],
    )
    .await;

    // A high risk without a review: refused by the case, at the field.
    let risk = |review: &'static str| {
        vec![
            ("risico-instrument", "LIJ"),
            ("risico-niveau", "high"),
            ("risico-school", "3"),
            ("risico-gezin", "2"),
            ("risico-vrienden", "4"),
            ("risico-middelen", "1"),
            ("risico-delicten", "3"),
            ("risico-onderbouwing", "meerdere incidenten met vrienden"),
            ("risico-datum", today),
            ("risico-evaluatie", review),
        ]
    };
    let refused = send(&app, &client, case, token, "risico", &risk("")).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(r#"id="risico-evaluatie-fout">Bij een hoog risico"#),
        "{page}"
    );
    let review = (casus_store::clock::today() + chrono::Days::new(14)).to_string();
    let review: &'static str = review.leak();
    sent(&app, &client, case, token, "risico", &risk(review)).await;

    sent(
        &app,
        &client,
        case,
        token,
        "toestemming",
        &[
            ("toestemming-partner", "leerplicht-rotterdam"),
            ("toestemming-doel", "information_sharing"),
            ("toestemming-door", "parent_or_guardian"),
            ("toestemming-datum", today),
        ],
    )
    .await;
    let consent = id("select consent_id::text from caseload_consents where case_id = $1").await;
    sent(
        &app,
        &client,
        case,
        token,
        "informatie",
        &[
            ("informatie-partner", "leerplicht-rotterdam"),
            ("informatie-domein", "social"),
            ("informatie-grondslag", &consent),
            ("informatie-verslag", "verzuim sinds september"),
            ("informatie-datum", today),
        ],
    )
    .await;

    // Only a worker Casus knows in the organisation is offered, and assigned.
    let page = get(&client, format!("{}/casussen/{case}", app.base)).await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains(r#"<option value="w-mo">Mo El Amrani</option>"#),
        "{page}"
    );
    sent(
        &app,
        &client,
        case,
        token,
        "medewerker",
        &[("medewerker-wie", "w-mo"), ("medewerker-rol", "worker")],
    )
    .await;
    sent(
        &app,
        &client,
        case,
        token,
        "medewerker-afmelden",
        &[
            ("medewerker-afmelden-wie", "w-mo"),
            ("medewerker-afmelden-reden", "ander team"),
        ],
    )
    .await;

    // The plan revised: its goal kept by its id, one added, with a reason.
    let goal = id("select goal_id::text from case_goals where case_id = $1").await;
    sent(
        &app,
        &client,
        case,
        token,
        "plan",
        &[
            ("plan-doel-1", "gaat weer naar school"),
            ("plan-streefdatum-1", "2027-06-01"),
            ("plan-id-1", &goal),
            ("plan-doel-2", "sport bij een club"),
            ("plan-streefdatum-2", "2027-03-01"),
            ("plan-datum", today),
            ("plan-reden", "sport helpt bij de vrienden"),
        ],
    )
    .await;
    sent(
        &app,
        &client,
        case,
        token,
        "toestemming-intrekken",
        &[
            ("toestemming-intrekken-welke", &consent),
            ("toestemming-intrekken-datum", today),
        ],
    )
    .await;
    sent(
        &app,
        &client,
        case,
        token,
        "overdragen",
        &[
            ("overdragen-gemeente", "GM0599"),
            ("overdragen-gebied", "rotterdam-zuid"),
            ("overdragen-team", "rotterdam-zuid-2"),
            ("overdragen-reden", "het team van Mo neemt de wijk over"),
            ("overdragen-datum", today),
        ],
    )
    .await;
    sent(
        &app,
        &client,
        case,
        token,
        "contact",
        &[
            ("contact-soort", "home_visit"),
            ("contact-met", "youth"),
            ("contact-datum", today),
            ("contact-verslag", "gesprek thuis"),
        ],
    )
    .await;
    let contact: i64 = sqlx::query_scalar(
        "select sequence from events where aggregate_id = $1 and event_type = 'ContactLogged'",
    )
    .bind(case)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let contact = contact.to_string();
    let yesterday = (casus_store::clock::today() - chrono::Days::new(1)).to_string();
    sent(
        &app,
        &client,
        case,
        token,
        "corrigeren",
        &[
            ("corrigeren-welke", &contact),
            ("corrigeren-tekst", "het gesprek was een dag eerder"),
            ("corrigeren-contactdatum", &yesterday),
        ],
    )
    .await;

    let recorded: Vec<String> = sqlx::query_scalar(
        "select event_type from events where aggregate_id = $1 order by sequence",
    )
    .bind(case)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        recorded,
        [
            "CaseReferred",
            "TriageDecided",
            "CaseIncluded",
            "LeadAssigned",
            "PlanAgreed",
            "RiskAssessed",
            "ReviewScheduled",
            "ConsentRecorded",
            "InformationAdded",
            "WorkerAssigned",
            "WorkerUnassigned",
            "PlanRevised",
            "ConsentWithdrawn",
            "CaseTransferred",
            "ContactLogged",
            "EntryCorrected",
        ]
    );

    // Who works on it, and the consent's end, on the page.
    let page = get(&client, format!("{}/casussen/{case}", app.base)).await;
    let page = page.text().await.unwrap();
    assert!(page.contains("Wie werken aan de casus"), "{page}");
    assert!(page.contains("ingetrokken op"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn a_partner_is_offered_the_forms_of_a_partner_only() {
    let app = web_app(true).await;
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, token) = refer_noah(&app, &sanne).await;
    let (case, token) = (case.as_str(), token.as_str());
    let today = casus_store::clock::today().to_string();
    sent(
        &app,
        &sanne,
        case,
        token,
        "partner",
        &[
            ("partner-organisatie", "halt-rotterdam"),
            ("partner-domein", "justice"),
            ("partner-wet", "Wetboek van Strafrecht art. 77e"),
            ("partner-datum", &today),
        ],
    )
    .await;
    let own = get(&sanne, format!("{}/casussen/{case}", app.base)).await;
    let own = own.text().await.unwrap();
    assert!(own.contains("Triagebesluit") && own.contains("Casus afsluiten"));
    assert!(
        own.contains("halt-rotterdam: op een wettelijke taak"),
        "who works on it, and on what ground: {own}"
    );

    let halt = browser();
    log_in(&app, &halt, "h-1").await;
    let page = get(&halt, format!("{}/casussen/{case}", app.base)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Contact vastleggen") && page.contains("Notitie toevoegen"),
        "{page}"
    );
    for theirs in [
        "Triagebesluit",
        "Casus afsluiten",
        "Ketenpartner betrekken",
        "Signaal vastleggen",
    ] {
        assert!(!page.contains(theirs), "{theirs} is not Halt's to send");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_known_young_person_is_named_before_a_second_referral_and_found_by_search() {
    let app = web_app(true).await;
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let (case, token) = refer_noah(&app, &client).await;
    let shown = get(&client, format!("{}/casussen/{case}?versie=1", app.base)).await;
    assert_eq!(shown.status(), 200);
    let noah = [
        ("_csrf", token.as_str()),
        ("sleutel", "0193a0c0-0000-7000-8000-000000000001"),
        ("aanmelding-naam", "noah DE jong"),
        ("aanmelding-geboortedatum", "01-05-2012"),
        ("aanmelding-gebied", "rotterdam-zuid"),
        ("aanmelding-door", "leerplicht-rotterdam"),
        ("aanmelding-reden", "verzuim"),
        ("aanmelding-doel", "terug naar school"),
        ("aanmelding-datum", "2026-11-03"),
    ];
    let checked = post(&client, format!("{}/aanmelden", app.base), &noah).await;
    assert_eq!(checked.status(), 200);
    let page = checked.text().await.unwrap();
    assert!(
        page.contains("Deze jongere heeft al een lopende casus in uw gemeente"),
        "{page}"
    );
    assert!(
        page.contains("team rotterdam-zuid-1 (gemeente-rotterdam)"),
        "{page}"
    );
    assert!(page.contains("verzuim"), "the input is kept");
    assert_eq!(app.events().await, 1, "nothing referred yet");

    // Referred all the same: a second case about the same young person.
    let mut anyway = noah.to_vec();
    anyway.push(("aanmelding-toch", "ja"));
    let referred = post(&client, format!("{}/aanmelden", app.base), &anyway).await;
    assert_eq!(referred.status(), 303);
    let to = referred.headers()[header::LOCATION].to_str().unwrap();
    assert_eq!(
        get(&client, format!("{}{to}", app.base)).await.status(),
        200
    );
    let subjects: Vec<Uuid> = sqlx::query_scalar("select distinct subject_id from case_subjects")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        subjects.len(),
        1,
        "both cases are about the one young person"
    );
    let checks: Vec<String> = sqlx::query_scalar(
        "select view from access_log where user_id = 'w-sanne' and view like 'known_person_check%'
          and case_id is not null order by id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        checks,
        ["known_person_check", "known_person_check, referred anyway"]
    );

    // The search finds both, by name and date of birth, without them in a URL.
    let found = post(
        &client,
        format!("{}/casussen/zoeken", app.base),
        &[
            ("_csrf", token.as_str()),
            ("zoek-naam", "Noah de Jong"),
            ("zoek-geboortedatum", "2012-05-01"),
        ],
    )
    .await;
    assert_eq!(found.status(), 200);
    let page = found.text().await.unwrap();
    assert_eq!(
        page.matches("<a class=\"utrecht-link\" href=\"/casussen/")
            .count(),
        2,
        "{page}"
    );
    let unnamed = post(
        &client,
        format!("{}/casussen/zoeken", app.base),
        &[("_csrf", token.as_str()), ("zoek-naam", "Noah de Jong")],
    )
    .await;
    assert_eq!(unnamed.status(), 422);
    assert!(unnamed
        .text()
        .await
        .unwrap()
        .contains("Vul de geboortedatum in"));
    let forged = post(
        &client,
        format!("{}/casussen/zoeken", app.base),
        &[("zoek-bsn", "111222333")],
    )
    .await;
    assert_eq!(forged.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn work_is_handed_on_and_a_case_handed_over_to_another_municipality_through_forms() {
    let app = web_app(true).await;
    sqlx::query(
        "insert into workers (id, name, organisation, domain, municipality, team, roles) values
           ('w-mo', 'Mo El Amrani', 'gemeente-rotterdam', 'social', 'GM0599', 'rotterdam-zuid-1', '{case_worker}'),
           ('w-lisa', 'Lisa Jansen', 'gemeente-rotterdam', 'social', 'GM0599', 'rotterdam-zuid-1', '{case_worker}')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let sanne = browser();
    log_in(&app, &sanne, "w-sanne").await;
    let (case, token) = refer_noah(&app, &sanne).await;
    let (case, token) = (case.as_str(), token.as_str());
    let today = casus_store::clock::today().to_string();
    let today = today.as_str();
    sent(
        &app,
        &sanne,
        case,
        token,
        "triage",
        &[
            ("triage-besluit", "take_on"),
            ("triage-door", "triageoverleg Zuid"),
            ("triage-datum", today),
        ],
    )
    .await;
    sent(
        &app,
        &sanne,
        case,
        token,
        "opnemen",
        &[("opnemen-datum", today)],
    )
    .await;
    sent(&app, &sanne, case, token, "regie", &[]).await;
    sent(
        &app,
        &sanne,
        case,
        token,
        "medewerker",
        &[
            ("medewerker-wie", "w-mo"),
            ("medewerker-rol", "process_lead"),
        ],
    )
    .await;
    sent(
        &app,
        &sanne,
        case,
        token,
        "werk-overdragen",
        &[
            ("werk-overdragen-van", "w-mo"),
            ("werk-overdragen-naar", "w-lisa"),
            ("werk-overdragen-reden", "Mo gaat met verlof"),
        ],
    )
    .await;
    sent(
        &app,
        &sanne,
        case,
        token,
        "overdracht-voorstellen",
        &[
            ("overdracht-voorstellen-gemeente", "GM0363"),
            ("overdracht-voorstellen-reden", "het gezin is verhuisd"),
            ("overdracht-voorstellen-datum", today),
        ],
    )
    .await;
    let page = get(&sanne, format!("{}/casussen/{case}", app.base)).await;
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("voorgesteld aan Amsterdam"));

    // A supervisor of Amsterdam (a session as the demo login makes one)
    // finds the accept form on the case page, and takes the case in.
    sqlx::query(
        "insert into web_sessions (token_hash, claims, csrf, expires_at)
         values (sha256('amsterdam'::bytea),
                 '{\"sub\": \"sup-ams\", \"name\": \"Teamleider Zuidoost\", \"org\": \"gemeente-amsterdam\",
                   \"domain\": \"social\", \"roles\": [\"supervisor\"], \"municipality\": \"GM0363\",
                   \"team\": \"amsterdam-zuidoost-1\", \"iss\": \"casus-demo\", \"aud\": \"casus\", \"exp\": 0}',
                 'ams-token', now() + interval '1 hour')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let amsterdam = reqwest::Client::builder()
        .redirect(Policy::none())
        .default_headers(
            [(header::COOKIE, "casus_sessie=amsterdam".parse().unwrap())]
                .into_iter()
                .collect(),
        )
        .build()
        .unwrap();
    let page = get(&amsterdam, format!("{}/casussen/{case}", app.base)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Overdracht aanvaarden"), "{page}");
    assert!(
        !page.contains("Contact vastleggen"),
        "not the receiving side's work yet"
    );
    sent(
        &app,
        &amsterdam,
        case,
        "ams-token",
        "overdracht-aanvaarden",
        &[
            ("overdracht-aanvaarden-gebied", "amsterdam-zuidoost"),
            ("overdracht-aanvaarden-team", "amsterdam-zuidoost-1"),
            ("overdracht-aanvaarden-datum", today),
        ],
    )
    .await;

    let recorded: Vec<String> = sqlx::query_scalar(
        "select event_type from events where aggregate_id = $1 order by sequence",
    )
    .bind(case)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        recorded,
        [
            "CaseReferred",
            "TriageDecided",
            "CaseIncluded",
            "LeadAssigned",
            "LeadAssigned",
            // Mo's process lead, now Lisa's.
            "LeadAssigned",
            "HandoverProposed",
            "HandoverAccepted",
        ]
    );
    app.stop().await;
}

/// A long case's page shows its latest timeline entries, with a way back to
/// the earlier ones, rather than its whole history at once.
#[tokio::test]
async fn a_long_timeline_is_shown_a_page_at_a_time() {
    let app = web_app(true).await;
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let (case, token) = refer_noah(&app, &client).await;
    let mut latest = String::new();
    for n in 1..=104 {
        let text = format!("notitie #{n}.");
        let fields = [("notitie-zichtbaar", "shared"), ("notitie-tekst", &text)];
        let sent = send(&app, &client, &case, &token, "notitie", &fields).await;
        assert_eq!(sent.status(), 303);
        latest = sent.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
    }
    // The referral and 104 notes: the latest 100 are notes 5 to 104.
    let page = get(&client, format!("{}{latest}", app.base)).await;
    let page = page.text().await.unwrap();
    assert!(page.contains("notitie #104.") && page.contains("notitie #5."));
    assert!(!page.contains("notitie #4."), "only the latest 100 entries");
    let back = format!("/casussen/{case}?voor=6#tijdlijn");
    assert!(page.contains(&back), "a link to the earlier entries");
    assert!(!page.contains("Naar de nieuwste"));

    let earlier = get(&client, format!("{}/casussen/{case}?voor=6", app.base)).await;
    let earlier = earlier.text().await.unwrap();
    assert!(earlier.contains("notitie #4.") && earlier.contains("notitie #1."));
    assert!(!earlier.contains("notitie #5."));
    assert!(!earlier.contains("?voor="), "nothing before the referral");
    assert!(earlier.contains("Naar de nieuwste gebeurtenissen"));

    // A printed summary says it holds only the latest entries, and links nowhere.
    let printed = get(&client, format!("{}/casussen/{case}/afdrukken", app.base)).await;
    let printed = printed.text().await.unwrap();
    assert!(printed.contains("Alleen de laatste gebeurtenissen zijn afgedrukt"));
    assert!(!printed.contains("?voor="));

    // A position that names no entry shows the latest page.
    let odd = get(&client, format!("{}/casussen/{case}?voor=-3", app.base)).await;
    assert!(odd.text().await.unwrap().contains("notitie #104."));
    app.stop().await;
}

#[tokio::test]
async fn a_malformed_value_in_the_address_gets_a_dutch_page_and_changes_nothing() {
    let app = web_app(true).await;
    let client = browser();
    log_in(&app, &client, "w-sanne").await;
    let (case, _) = refer_noah(&app, &client).await;
    let events = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from events")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
    };
    let before = events().await;
    for address in [
        format!("/casussen/{case}?voor=abc"),
        format!("/casussen/{case}?versie=-1"),
        "/casussen?fase=%00".to_owned(),
        "/team?verplaatst=veel".to_owned(),
    ] {
        let answer = get(&client, format!("{}{address}", app.base)).await;
        assert_eq!(answer.status(), 400, "{address}");
        let kind = answer.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(kind.starts_with("text/html"), "{address}: {kind}");
        let page = answer.text().await.unwrap();
        assert!(page.contains("Ongeldig verzoek"), "{address}: {page}");
        assert!(
            page.contains("een waarde in het adres"),
            "{address}: {page}"
        );
    }
    assert_eq!(events().await, before);
    app.stop().await;
}
