//! Every error is application/problem+json, with the status that says whose
//! problem it is, and changes nothing.

use reqwest::Method;
use serde_json::json;

use super::app::{referral, Answer, TestApp, User};

fn is_problem(answer: &Answer, status: u16) {
    assert_eq!(answer.status.as_u16(), status, "{answer:?}");
    assert_eq!(
        answer.header("content-type"),
        Some("application/problem+json"),
        "{answer:?}"
    );
    assert_eq!(answer.body["status"], status, "{answer:?}");
    assert!(
        answer.body["title"].is_string() && answer.body["detail"].is_string(),
        "{answer:?}"
    );
}

async fn raw(app: &TestApp, user: &User, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let response = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(app.token(user))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or_default();
    Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn bad_requests_are_problems_and_change_nothing() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let opened = app
        .record(
            &sanne,
            "/api/v1/cases",
            referral("Jayden Bakker", "2011-03-14"),
        )
        .await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let before = app.events().await;
    let signals = format!("/api/v1/cases/{case}/signals");

    let malformed = raw(
        &app,
        &sanne,
        &signals,
        "application/json",
        b"{\"kind\": ".to_vec(),
    )
    .await;
    is_problem(&malformed, 400);
    // Every answer, error or not, says it must not be cached, sniffed or framed.
    for (header, value) in [
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(malformed.header(header), Some(value), "{header}");
        assert_eq!(opened.header(header), Some(value), "{header}");
    }
    assert!(malformed.header("x-request-id").is_some());
    let not_json = raw(&app, &sanne, &signals, "text/plain", b"hello".to_vec()).await;
    is_problem(&not_json, 415);
    let huge = format!("{{\"summary\": \"{}\"}}", "x".repeat(70 * 1024));
    is_problem(
        &raw(
            &app,
            &sanne,
            &signals,
            "application/json",
            huge.into_bytes(),
        )
        .await,
        413,
    );
    let unknown = app
        .post(
            &sanne,
            &signals,
            json!({ "kind": "nuisance", "source_org": "politie", "source_domain": "justice",
                    "occurred_on": "2026-11-03", "summary": null, "colour": "red" }),
        )
        .await;
    is_problem(&unknown, 422);
    assert!(unknown.body["detail"].as_str().unwrap().contains("colour"));
    let wrong_value = app
        .post(&sanne, &signals, json!({ "kind": "shoplifting", "source_org": "politie", "source_domain": "justice", "occurred_on": "2026-11-03" }))
        .await;
    is_problem(&wrong_value, 422);
    let not_a_uuid = app
        .post(&sanne, "/api/v1/cases/not-a-uuid/signals", json!({}))
        .await;
    is_problem(&not_a_uuid, 400);
    is_problem(&app.get(&sanne, "/api/v1/cases?limit=0").await, 400);
    is_problem(&app.get(&sanne, "/api/v1/cases?cursor=!!").await, 400);
    is_problem(&app.get(&sanne, "/api/v1/cases?colour=red").await, 400);
    let put_on_post = app
        .send(Some(&sanne), Method::DELETE, &signals, None, &[])
        .await;
    is_problem(&put_on_post, 405);
    is_problem(
        &app.send(None, Method::GET, "/api/v1/cases", None, &[])
            .await,
        401,
    );
    let bad_if_match = app
        .send(
            Some(&sanne),
            Method::POST,
            &format!("/api/v1/cases/{case}/include"),
            Some(&json!({ "included_on": "2026-11-04" })),
            &[("if-match", "seven")],
        )
        .await;
    is_problem(&bad_if_match, 400);
    assert_eq!(app.events().await, before, "a bad request stored events");
    app.stop().await;
}

#[tokio::test]
async fn refusals_conflicts_and_versions() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let opened = app
        .record(
            &sanne,
            "/api/v1/cases",
            referral("Jayden Bakker", "2011-03-14"),
        )
        .await;
    let case = opened.body["case_id"].as_str().unwrap().to_owned();
    let before = app.events().await;

    // The case's state refuses: include before triage is a conflict (409) with the domain's words.
    let early = app
        .post(
            &sanne,
            &format!("/api/v1/cases/{case}/include"),
            json!({ "included_on": "2026-11-04" }),
        )
        .await;
    is_problem(&early, 409);
    assert_eq!(
        early.body["detail"],
        "decide the triage before including the case"
    );
    assert_eq!(early.body["type"], "urn:casus:problem:refused");
    // The request can never be accepted as it is (422): too young for the programme.
    let young = app
        .post(
            &sanne,
            "/api/v1/cases",
            referral("Little One", "2022-01-01"),
        )
        .await;
    is_problem(&young, 422);
    assert!(young.body["detail"].as_str().unwrap().contains("8 to 27"));

    // If-Match with an old version: 412, nothing stored; with the current one: recorded.
    let triage = json!({ "decision": "take_on", "decided_by": "triage meeting", "decided_on": "2026-11-03" });
    let path = format!("/api/v1/cases/{case}/triage");
    let stale = app
        .send(
            Some(&sanne),
            Method::POST,
            &path,
            Some(&triage),
            &[("if-match", "\"0\"")],
        )
        .await;
    is_problem(&stale, 412);
    assert_eq!(app.events().await, before);
    let current = app
        .send(
            Some(&sanne),
            Method::POST,
            &path,
            Some(&triage),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(current.status, 200, "{current:?}");
    assert_eq!(current.body["version"], 2);
    assert_eq!(current.header("etag"), Some("\"2\""));
    app.stop().await;
}

#[tokio::test]
async fn an_unreachable_database_is_503_with_retry_after() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let db = crate::support::TestDb::new().await;
    let key = super::app::dev_key();
    let router = super::app::router(&db, &key).await;
    db.pool.close().await;
    let token = key.sign(&User::worker("w-sanne", "zuid-1").claims());
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/cases",
            referral("Jayden Bakker", "2011-03-14").to_string(),
        ),
        ("GET", "/api/v1/cases", String::new()),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 503, "{method} {path}");
        assert_eq!(response.headers()["retry-after"], "5");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(
            !text.contains("pool") && !text.contains("sqlx"),
            "internal text leaked: {text}"
        );
    }
}

/// A read waits for its case once, up to `read_wait` in all: the access
/// facts and then the views share one deadline. Here the access facts
/// arrive after 1.2 s and the case's view never does; with a wait of 2 s
/// each the read would answer after 3.2 s, with one wait after 2 s.
#[tokio::test]
async fn a_read_waits_once_for_its_version() {
    use axum::body::Body;
    use axum::http::Request;
    use casus_projections::projector::Projector;
    use tower::ServiceExt;

    let db = crate::support::TestDb::new().await;
    let key = super::app::dev_key();
    let wait = std::time::Duration::from_secs(2);
    let settings = casus_api::Settings {
        read_wait: wait,
        ..casus_api::Settings::default()
    };
    let router = super::app::router_with(&db, &key, settings).await;
    let token = key.sign(&User::worker("w-sanne", "zuid-1").claims());
    let request = |method: &str, path: &str, body: String| {
        Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let body = referral("Jayden Bakker", "2011-03-14").to_string();
    let opened = router
        .clone()
        .oneshot(request("POST", "/api/v1/cases", body))
        .await
        .unwrap();
    assert_eq!(opened.status(), 201);
    let location = opened.headers()["location"].to_str().unwrap().to_owned();
    let caseload = casus_projections::views::all()
        .into_iter()
        .find(|view| view.name() == "caseload")
        .expect("the caseload view");
    let projector = Projector::new(db.pool.clone(), db.keyring.clone(), caseload.into());
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
        projector.register().await.unwrap();
        while projector.catch_up().await.unwrap() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    });
    let began = std::time::Instant::now();
    let read = router
        .oneshot(request(
            "GET",
            &format!("{location}?minVersion=1"),
            String::new(),
        ))
        .await
        .unwrap();
    let took = began.elapsed();
    assert_eq!(read.status(), 503);
    assert!(took >= wait, "answered before the wait was over: {took:?}");
    assert!(
        took < wait + std::time::Duration::from_millis(800),
        "waited twice: {took:?}"
    );
}

/// A handler that panics answers a problem+json 500 (the connection is not
/// dropped), with the headers of every answer; the request id is always
/// Casus's own, whatever the client sent.
#[tokio::test]
async fn a_panicking_handler_is_a_problem_500_with_the_usual_headers() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let routes: axum::Router = axum::Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            panic!("a fault in a handler");
            #[allow(unreachable_code)]
            ()
        }),
    );
    let app = casus_api::around(routes, std::time::Duration::from_secs(5));
    let request = Request::get("/boom")
        .header("x-request-id", "chosen-by-the-client")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 500);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(headers["api-version"], "1.0.0");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let id = headers["x-request-id"].to_str().unwrap();
    assert!(id.parse::<uuid::Uuid>().is_ok(), "{id}");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["status"], 500);
    assert!(!problem.to_string().contains("a fault in a handler"));
}

#[tokio::test]
async fn tokens_that_do_not_hold_are_401() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let mut expired = sanne.claims();
    expired.exp = chrono::Utc::now().timestamp() - 3600;
    let mut early = sanne.claims();
    early.nbf = Some(chrono::Utc::now().timestamp() + 3600);
    let mut issuer = sanne.claims();
    issuer.iss = "someone-else".into();
    let mut audience = sanne.claims();
    audience.aud = "another-app".into();
    let mut role = sanne.claims();
    role.roles = vec!["superuser".into()];
    let other_dir = tempfile::tempdir().unwrap();
    let other_key = casus_api::auth::dev::DevKey::load_or_create(other_dir.path()).unwrap();
    let unsigned = {
        use base64::Engine;
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        format!(
            "{}.{}.",
            b64(&json!({ "alg": "none", "typ": "JWT" })),
            b64(&serde_json::to_value(sanne.claims()).unwrap())
        )
    };
    let tokens = [
        ("expired", app.key.sign(&expired)),
        ("not yet valid", app.key.sign(&early)),
        ("wrong issuer", app.key.sign(&issuer)),
        ("wrong audience", app.key.sign(&audience)),
        ("unknown role", app.key.sign(&role)),
        ("another key", other_key.sign(&sanne.claims())),
        ("alg none", unsigned),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (what, token) in tokens {
        let answer = app
            .client
            .get(format!("{}/api/v1/cases", app.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 401, "{what}");
        assert_eq!(answer.headers()["www-authenticate"], "Bearer", "{what}");
    }
    app.stop().await;
}

/// `/ready` reports a view caught up with the log as 0 ms behind, not the
/// lag of its last batch long after (it showed 1.5 s for good).
#[tokio::test]
async fn ready_reports_no_lag_once_the_views_caught_up() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let (case, version) = app.open_case(&sanne).await;
    let timeline = app
        .get(
            &sanne,
            &format!("/api/v1/cases/{case}/timeline?minVersion={version}"),
        )
        .await;
    assert_eq!(timeline.status, 200, "{timeline:?}");
    // Every view applies the referral; then none is behind.
    let mut lags = Vec::new();
    for _ in 0..100 {
        let ready = app.send(None, Method::GET, "/ready", None, &[]).await;
        assert_eq!(ready.status, 200, "{ready:?}");
        lags = ready.body["views"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["lag_ms"].as_i64())
            .collect();
        if lags.iter().all(|lag| *lag == Some(0)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(lags.iter().all(|lag| *lag == Some(0)), "{lags:?}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let later = app.send(None, Method::GET, "/ready", None, &[]).await;
    assert!(
        later.body["views"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["lag_ms"] == 0),
        "{later:?}"
    );
}

/// A value of the wrong form is refused naming its field, and a date says
/// how it is written (it answered "trailing input at line 1 column 75").
#[tokio::test]
async fn a_wrong_value_names_its_field_and_a_date_its_form() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let mut body = referral("Jayden Bakker", "2011-03-14");
    body["referred_on"] = json!("02-11-2026");
    let refused = app.post(&sanne, "/api/v1/cases", body).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.starts_with("`referred_on`: "), "{detail}");
    assert!(detail.contains("YYYY-MM-DD"), "{detail}");
    assert!(!detail.contains("line 1"), "{detail}");
    assert_eq!(refused.body["field"], "referred_on");

    let mut body = referral("Jayden Bakker", "2011-03-14");
    body["subject"]["name"] = json!(42);
    let refused = app.post(&sanne, "/api/v1/cases", body).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.starts_with("`subject.name`: "), "{detail}");
    assert!(!detail.contains("YYYY-MM-DD"), "{detail}");
}

/// An item named in the path that the case does not hold is not found, as
/// any path that names nothing (it answered 422), in the case's words.
#[tokio::test]
async fn an_item_the_case_does_not_hold_is_404() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    let (case, _) = app.open_case(&sanne).await;
    let missing = uuid::Uuid::now_v7();
    let answer = app
        .post(
            &sanne,
            &format!("/api/v1/cases/{case}/interventions/{missing}/start"),
            json!({ "started_on": "2026-11-10" }),
        )
        .await;
    assert_eq!(answer.status, 404, "{answer:?}");
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("there is no intervention {missing}")),
        "{answer:?}"
    );
}
