//! `/health` (the process answers) and `/ready` (the database answers and no
//! view is stopped by an event it cannot apply).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use casus_projections::projector::{status, ViewStatus};
use serde::Serialize;
use sqlx::PgPool;

use crate::problem::Problem;

pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

#[derive(Serialize)]
struct View {
    view: String,
    global_position: i64,
    events_applied: i64,
    lag_ms: Option<i64>,
    error: Option<String>,
}

impl From<ViewStatus> for View {
    fn from(status: ViewStatus) -> Self {
        Self {
            view: status.view,
            global_position: status.global_position,
            events_applied: status.events_applied,
            lag_ms: status.lag_ms,
            error: status.error,
        }
    }
}

pub async fn ready(State(pool): State<PgPool>) -> Response {
    let views: Vec<View> = match status(&pool).await {
        Ok(statuses) => statuses.into_iter().map(View::from).collect(),
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            let problem = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Database unavailable",
                "The database does not answer; try again shortly.",
            );
            return ([(header::RETRY_AFTER, "5")], problem).into_response();
        }
    };
    let stopped: Vec<&str> = views
        .iter()
        .filter(|v| v.error.is_some())
        .map(|v| v.view.as_str())
        .collect();
    if stopped.is_empty() {
        return Json(serde_json::json!({ "status": "ready", "views": views })).into_response();
    }
    let problem = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Views stopped",
        format!(
            "These views are stopped at an event they cannot apply: {}",
            stopped.join(", ")
        ),
    )
    .with("views", &views);
    ([(header::RETRY_AFTER, "30")], problem).into_response()
}
