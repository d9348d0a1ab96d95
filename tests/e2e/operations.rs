//! `/health` and `/ready`, through the router on a real database.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::TestDb;

async fn get(db: &TestDb, path: &str) -> (StatusCode, String, serde_json::Value) {
    let response = crate::api::app::router(db, &crate::api::app::dev_key())
        .await
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn health_answers_ok() {
    let db = TestDb::new().await;
    let (status, _, body) = get(&db, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn ready_lists_the_views_and_turns_503_when_one_is_stopped() {
    let db = TestDb::new().await;
    sqlx::query("insert into projection_checkpoints (view) values ('case_timeline'), ('caseload')")
        .execute(&db.pool)
        .await
        .unwrap();
    let (status, _, body) = get(&db, "/ready").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["views"].as_array().unwrap().len(), 2);

    sqlx::query("update projection_checkpoints set error = 'cannot apply event 7', failed_at = now() where view = 'caseload'")
        .execute(&db.pool)
        .await
        .unwrap();
    let (status, content_type, body) = get(&db, "/ready").await;

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["status"], 503);
    assert!(body["detail"].as_str().unwrap().contains("caseload"));
    assert_eq!(body["views"][0]["view"], "case_timeline");
    assert_eq!(body["views"][1]["error"], "cannot apply event 7");
}

#[tokio::test]
async fn ready_is_503_with_retry_after_when_the_database_is_gone() {
    let db = TestDb::new().await;
    let router = crate::api::app::router(&db, &crate::api::app::dev_key()).await;
    db.pool.close().await;
    let response = router
        .oneshot(Request::get("/ready").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "5");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn an_unknown_path_is_a_problem_not_an_empty_404() {
    let db = TestDb::new().await;
    let (status, content_type, body) = get(&db, "/api/v0/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["detail"], "There is nothing at /api/v0/nothing.");
}
