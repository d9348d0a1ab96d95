//! The OpenAPI document is whole: version 3.1, the bearer scheme, every
//! operation with its answers, every `$ref` resolvable; and `/metrics`
//! counts what the server did.

use casus_api::{Contact, Settings};
use serde_json::Value;

use super::app::{referral, TestApp, User};
use super::document::operations;

fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target);
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_served_whole() {
    let app = TestApp::spawn().await;
    let answer = app
        .send(None, reqwest::Method::GET, "/openapi.json", None, &[])
        .await;
    assert_eq!(answer.status, 200);
    // Every answer says the API's full version, as the document does.
    assert_eq!(answer.header("api-version"), Some("1.0.0"));
    let health = app
        .send(None, reqwest::Method::GET, "/health", None, &[])
        .await;
    assert_eq!(health.header("api-version"), Some("1.0.0"));
    let document = answer.body;
    assert_eq!(document["info"]["version"], "1.0.0");
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The major version is in the server's URI; the operations endpoints
    // sit at the root.
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    assert_eq!(document["paths"]["/health"]["servers"][0]["url"], "/");
    assert!(
        document["info"].get("contact").is_none(),
        "no contact configured"
    );
    let mut counted = 0;
    for (method, path, operation) in operations(&document) {
        counted += 1;
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path} documents no success"
        );
        if path.starts_with("/api/") {
            for status in ["400", "401", "403", "503"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
        }
        if method == "post" || method == "put" {
            assert!(
                operation["requestBody"].is_object(),
                "{method} {path} documents no body"
            );
        }
    }
    assert_eq!(counted, 56, "operations documented");
    // Each operation says what it does, and who may do it and what refuses it.
    for (method, path, operation) in operations(&document) {
        for part in ["summary", "description"] {
            assert!(
                operation[part].as_str().is_some_and(|text| text.len() > 10),
                "{method} {path} has no {part}"
            );
        }
    }
    // What the server checks beyond the types: no unknown members, no JSON
    // null for a parameter, no NUL in a string parameter, an entity tag.
    assert_eq!(
        document["components"]["schemas"]["Worker"]["additionalProperties"],
        false
    );
    let assign = &document["paths"]["/cases/{id}/assignments"]["post"];
    let if_match = assign["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "If-Match")
        .unwrap();
    assert_eq!(if_match["schema"]["type"], "string", "{if_match}");
    assert!(if_match["schema"]["pattern"].is_string(), "{if_match}");
    let list = &document["paths"]["/cases"]["get"]["parameters"];
    for parameter in list.as_array().unwrap() {
        let schema = &parameter["schema"];
        assert!(!schema.to_string().contains("null"), "{parameter}");
        if schema["type"] == "string" && schema["format"].is_null() {
            assert!(schema["pattern"].is_string(), "{parameter}");
        }
    }
    for (method, path, operation) in operations(&document) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with('2') {
                assert!(
                    response["headers"]["API-Version"].is_object(),
                    "{method} {path} {status} documents no API-Version"
                );
            }
        }
    }
    // Schema names are UpperCamelCase, and every reference resolves (below).
    for name in document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(
            !name.contains('_') && name.starts_with(|c: char| c.is_ascii_uppercase()),
            "schema {name}"
        );
    }
    // Query parameters are lowerCamelCase (the REST API Design Rules).
    for (method, path, operation) in operations(&document) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            if parameter["in"] == "query" {
                assert!(
                    !name.contains('_') && name.starts_with(|c: char| c.is_ascii_lowercase()),
                    "{method} {path}: {name}"
                );
            }
        }
    }
    let read = &document["paths"]["/cases/{id}"]["get"]["parameters"];
    assert!(read.to_string().contains("\"minVersion\""), "{read}");
    // The operations endpoints need no token, and the document says so.
    for path in ["/health", "/ready", "/metrics", "/openapi.json"] {
        assert_eq!(
            document["paths"][path]["get"]["security"],
            serde_json::json!([{}]),
            "{path}"
        );
    }
    let mut targets = Vec::new();
    refs(&document, &mut targets);
    for target in targets {
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(
            document["components"]["schemas"][name].is_object(),
            "dangling reference {target}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_commands_and_views() {
    let app = TestApp::spawn().await;
    let sanne = User::worker("w-sanne", "zuid-1");
    app.record(
        &sanne,
        "/api/v1/cases",
        referral("Jayden Bakker", "2011-03-14"),
    )
    .await;
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    for expected in [
        "casus_http_requests_total{method=\"POST\",route=\"/api/v1/cases\",status=\"201\"}",
        "casus_http_request_duration_seconds_bucket",
        "casus_commands_total{command=\"refer a case\",outcome=\"recorded\"}",
        "casus_projection_global_position{view=\"caseload\"}",
        "casus_projection_lag_seconds{view=\"social_case_view\"}",
    ] {
        assert!(text.contains(expected), "no {expected} in\n{text}");
    }
    app.stop().await;
}

/// What the document says a constrained string may be, the server accepts:
/// strings drawn from each documented pattern and length parse.
#[tokio::test]
async fn every_value_the_document_allows_is_accepted() {
    use casus_domain::{FocusAreaCode, MunicipalityCode, OrganisationId, TeamId, Text, WorkerId};
    use proptest::strategy::{Strategy, ValueTree};
    let app = TestApp::spawn().await;
    let document = app
        .send(None, reqwest::Method::GET, "/openapi.json", None, &[])
        .await
        .body;
    type Parses = fn(String) -> bool;
    let parsers: [(&str, Parses); 6] = [
        ("Text", |s| Text::parse(s).is_ok()),
        ("MunicipalityCode", |s| MunicipalityCode::parse(s).is_ok()),
        ("FocusAreaCode", |s| FocusAreaCode::parse(s).is_ok()),
        ("OrganisationId", |s| OrganisationId::parse(s).is_ok()),
        ("WorkerId", |s| WorkerId::parse(s).is_ok()),
        ("TeamId", |s| TeamId::parse(s).is_ok()),
    ];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for (name, parses) in parsers {
        let schema = &document["components"]["schemas"][name];
        let pattern = schema["pattern"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: {schema}"));
        let (min, max) = (
            schema["minLength"].as_u64().unwrap() as usize,
            schema["maxLength"].as_u64().unwrap() as usize,
        );
        // JSON Schema patterns match anywhere, so ours are anchored; the
        // generator makes whole strings and takes no anchors.
        let anchored = pattern.trim_start_matches('^').trim_end_matches('$');
        let strings = proptest::string::string_regex(anchored).unwrap();
        let mut tried = 0;
        while tried < 300 {
            let value = strings.new_tree(&mut runner).unwrap().current();
            if !(min..=max).contains(&value.chars().count()) {
                continue;
            }
            tried += 1;
            assert!(
                parses(value.clone()),
                "{name} refuses {value:?}, which its schema allows"
            );
        }
    }
}

/// The deployment's contact, where it is configured, is the document's.
#[tokio::test]
async fn the_configured_contact_is_in_the_document() {
    let app = TestApp::spawn_with(Settings {
        contact: Some(Contact {
            name: "Servicedesk Casus".into(),
            email: "casus@gemeente.example".into(),
            url: "https://gemeente.example/casus".into(),
        }),
        ..Settings::default()
    })
    .await;
    let document = app
        .send(None, reqwest::Method::GET, "/openapi.json", None, &[])
        .await
        .body;
    assert_eq!(
        document["info"]["contact"],
        serde_json::json!({
            "name": "Servicedesk Casus",
            "email": "casus@gemeente.example",
            "url": "https://gemeente.example/casus",
        })
    );
}

/// Every request body has an example in the document, and the server
/// reads each example as given (past the parser: no 400 or 422).
#[tokio::test]
async fn every_body_has_an_example_the_server_reads() {
    let app = TestApp::spawn().await;
    let document = app
        .send(None, reqwest::Method::GET, "/openapi.json", None, &[])
        .await
        .body;
    let worker = User::worker("w-sanne", "zuid-1").with_roles(&["case_worker", "case_lead"]);
    let mut bodies = 0;
    for (method, path, operation) in operations(&document) {
        let Some(schema) = operation["requestBody"]["content"]["application/json"].get("schema")
        else {
            continue;
        };
        let name = schema["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
        let example = &document["components"]["schemas"][name]["example"];
        assert!(
            example.is_object(),
            "{method} {path}: {name} has no example"
        );
        let concrete = path
            .replace("{worker_id}", "w-noor")
            .split('/')
            .map(|part| {
                if part.starts_with('{') {
                    uuid::Uuid::now_v7().to_string()
                } else {
                    part.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let answer = app
            .send(Some(&worker), method.clone(), &concrete, Some(example), &[])
            .await;
        assert!(
            ![400, 422].contains(&answer.status.as_u16()),
            "{method} {path} refuses its own example: {answer:?}"
        );
        bodies += 1;
    }
    assert_eq!(bodies, 39);
}
