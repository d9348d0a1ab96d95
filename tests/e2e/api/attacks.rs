//! Hostile input: injection strings, over-long and malformed values in every
//! path and query parameter of every route, guessed ids, and clients too
//! slow to finish a request. Never a 5xx, never a leak, never a change.

use std::time::{Duration, Instant};

use casus_api::Settings;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::app::{referral, TestApp, User};

/// What an attacker puts where an id or a filter goes.
fn nasty() -> Vec<String> {
    vec![
        "' OR '1'='1".into(),
        "1; drop table events; --".into(),
        "\") or 1=1 --".into(),
        "../../etc/passwd".into(),
        "<script>alert(1)</script>".into(),
        "%00".into(),
        "\0".into(),
        "a\u{0}b".into(),
        "-1".into(),
        "99999999999999999999999".into(),
        "ｇｍ０５９９".into(),
        "a".repeat(8 * 1024),
        "00000000-0000-0000-0000-000000000000' --".into(),
    ]
}

/// Percent-encodes everything but letters and digits.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every operation of the document: method, path template, query parameter names.
async fn operations(app: &TestApp) -> Vec<(Method, String, Vec<String>)> {
    let document: Value = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    super::document::operations(&document)
        .into_iter()
        .map(|(method, path, operation)| {
            let query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            (method.to_uppercase().parse().unwrap(), path, query)
        })
        .collect()
}

/// `path` with every `{placeholder}` a fresh UUID but `target`, which gets `value`.
fn fill(path: &str, target: Option<&str>, value: &str) -> String {
    let mut filled = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').unwrap() + open;
        filled += &rest[..open];
        let name = &rest[open + 1..close];
        if Some(name) == target {
            filled += value;
        } else {
            filled += &uuid::Uuid::now_v7().to_string();
        }
        rest = &rest[close + 1..];
    }
    filled + rest
}

fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .map(|p| p.split('}').next().unwrap())
        .collect()
}

#[tokio::test]
async fn hostile_parameters_get_a_clean_refusal_and_change_nothing() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    app.record(
        &worker,
        "/api/v1/cases",
        referral("Target Case", "2011-01-01"),
    )
    .await;
    let before = app.events().await;
    let callers = [
        worker.clone(),
        worker.clone().with_roles(&["auditor"]),
        worker.clone().with_roles(&["privacy_officer"]),
        worker.clone().with_roles(&["analyst"]),
    ];
    let headers = [("x-audit-reason", "attack test")];
    let mut failures = Vec::new();
    let mut sent = 0;
    for (method, path, query) in operations(&app).await {
        let body = matches!(method, Method::POST | Method::PUT).then(|| json!({}));
        let mut targets: Vec<String> = Vec::new();
        for name in placeholders(&path) {
            for value in nasty() {
                targets.push(fill(&path, Some(name), &encode(&value)));
            }
        }
        for name in &query {
            for value in nasty() {
                targets.push(format!(
                    "{}?{name}={}",
                    fill(&path, None, ""),
                    encode(&value)
                ));
            }
        }
        for target in &targets {
            for caller in &callers {
                let answer = app
                    .send(
                        Some(caller),
                        method.clone(),
                        target,
                        body.as_ref(),
                        &headers,
                    )
                    .await;
                sent += 1;
                let text = answer.body.to_string().to_lowercase();
                let leaks = [
                    "sqlx",
                    "postgres",
                    "sqlstate",
                    "syntax error",
                    "panicked",
                    "relation \"",
                ]
                .iter()
                .any(|word| text.contains(word));
                if answer.status.is_server_error() || leaks {
                    failures.push(format!(
                        "{method} {} as {:?}: {} {text}",
                        &target[..target.len().min(120)],
                        caller.roles,
                        answer.status
                    ));
                }
            }
        }
    }
    assert!(sent > 1000, "only {sent} requests");
    assert!(
        failures.is_empty(),
        "{} of {sent}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        app.events().await,
        before,
        "a hostile request changed the log"
    );
    app.stop().await;
}

#[tokio::test]
async fn guessed_and_foreign_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    for _ in 0..20 {
        let guess = uuid::Uuid::from_u128(rand::random());
        for path in ["", "/timeline"] {
            let answer = app
                .get(&worker, &format!("/api/v1/cases/{guess}{path}"))
                .await;
            assert_eq!(answer.status, 404, "{}", answer.body);
        }
    }
    app.stop().await;
}

/// A client that sends half a request head and waits, or trickles its body,
/// is cut off: it cannot hold a connection (or a worker) for ever.
#[tokio::test]
async fn slow_clients_are_cut_off_by_the_request_timeout() {
    let app = TestApp::spawn_with(Settings {
        request_timeout: Duration::from_secs(2),
        ..Settings::default()
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();

    let mut head = tokio::net::TcpStream::connect(&address).await.unwrap();
    head.write_all(b"GET /health HTTP/1.1\r\nHost: casus\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), head.read_to_end(&mut rest))
        .await
        .expect("a half-sent head held the connection open")
        .ok();
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );

    let token = app.token(&User::worker("w-1", "zuid-1"));
    let mut body = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: casus\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
    );
    body.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), body.read_to_end(&mut answer))
        .await
        .expect("a trickled body held the connection open")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(6));
    app.stop().await;
}

/// PostgreSQL refuses NUL in text: a body or token holding one is refused
/// up front (the outside fuzzer found it in a query parameter first).
#[tokio::test]
async fn nul_characters_are_refused_before_they_reach_the_database() {
    let app = TestApp::spawn().await;
    let worker = User::worker("w-1", "zuid-1");
    let opened = app
        .record(&worker, "/api/v1/cases", referral("Nul Case", "2011-01-01"))
        .await;
    let case = opened.body["case_id"].as_str().unwrap();
    let note = app
        .post(
            &worker,
            &format!("/api/v1/cases/{case}/notes"),
            json!({ "confidentiality": "shared", "text": "a\u{0}b" }),
        )
        .await;
    assert_eq!(note.status, 422, "{}", note.body);
    let mut claims = worker.claims();
    claims.name = "Nul\u{0}Name".into();
    let token = app.key.sign(&claims);
    let answer = app
        .client
        .get(format!("{}/api/v1/cases/{case}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(app.events().await, 1);
    app.stop().await;
}

/// Idle sockets (never a byte sent, or a keep-alive left open) are closed,
/// and a flood of them leaves `/health` answering.
#[tokio::test]
async fn idle_connections_are_closed_and_health_answers_through_a_flood() {
    let limits = casus::http::Limits {
        total: 8,
        per_address: 4,
        reserve: 2,
        idle: Duration::from_secs(3),
    };
    let settings = Settings {
        request_timeout: Duration::from_secs(1),
        ..Settings::default()
    };
    let app = TestApp::spawn_limited(settings, limits).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..12 {
        idle.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    // A keep-alive connection left open after one answer.
    let mut kept = tokio::net::TcpStream::connect(&address).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: casus\r\n\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    let health = loop {
        let mut probe = tokio::net::TcpStream::connect(&address).await.unwrap();
        let mut answer = Vec::new();
        if probe
            .write_all(b"GET /health HTTP/1.1\r\nHost: casus\r\nConnection: close\r\n\r\n")
            .await
            .is_ok()
        {
            let _ =
                tokio::time::timeout(Duration::from_secs(2), probe.read_to_end(&mut answer)).await;
        }
        let answer = String::from_utf8_lossy(&answer).into_owned();
        if answer.starts_with("HTTP/1.1 200") || started.elapsed() > Duration::from_secs(10) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    // Idle for the idle time (at least the request timeout and 5 s): closed.
    let deadline = Duration::from_secs(15);
    for mut socket in idle.into_iter().chain([kept]) {
        let mut rest = Vec::new();
        tokio::time::timeout(deadline, socket.read_to_end(&mut rest))
            .await
            .expect("an idle connection was kept open")
            .ok();
    }
    app.stop().await;
}
