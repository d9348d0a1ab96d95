//! `/health` (the process answers), `/ready` (the database answers and no
//! view is stopped by an event it cannot apply), `/openapi.json`.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use casus_notifications::status::TargetStatus;
use casus_projections::projector::{status, ViewStatus};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::{unavailable, Problem};
use crate::AppState;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(crate::metrics::metrics))
        .routes(routes!(openapi_json))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
}

/// Whether the process answers
///
/// For a load balancer's liveness check: answers while the process runs, even when the
/// database does not, and has a reserve of connections of its own.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    // Open to anyone who reaches the server: no token.
    security(()),
    responses((status = 200, description = "The process answers", body = Health))
)]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// A view's progress through the log.
#[derive(Serialize, ToSchema)]
pub struct View {
    view: String,
    global_position: i64,
    events_applied: i64,
    /// How far behind the log, in milliseconds: 0 when every committed
    /// event is applied; else the lag of the last batch plus the time since.
    lag_ms: Option<i64>,
    /// Why the view is stopped, if it is.
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

/// A notification target's progress (NATS, or a webhook subscription).
#[derive(Serialize, ToSchema)]
pub struct NotificationTarget {
    target: String,
    global_position: i64,
    delivered: i64,
    /// Events in the log after its position.
    behind: i64,
    /// The last delivery's failure, while it is failing.
    error: Option<String>,
    /// Stopped after too many failures, until redelivered.
    dead: bool,
}

impl From<TargetStatus> for NotificationTarget {
    fn from(status: TargetStatus) -> Self {
        Self {
            target: status.target,
            global_position: status.global_position,
            delivered: status.delivered,
            behind: status.behind,
            error: status.error,
            dead: status.dead,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// Always `ready`.
    status: &'static str,
    views: Vec<View>,
    /// Where notifications to partners stand. A target that cannot deliver
    /// is named here with its error, but does not make Casus unready: a
    /// partner's receiver being down must not take Casus out of service.
    notifications: Vec<NotificationTarget>,
}

/// Whether Casus can serve
///
/// 200 while the database answers and no view is stopped, with each view's position and how
/// far behind the log it is (0 when caught up); 503 naming a stopped view and where it stopped.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "operations",
    // Open to anyone who reaches the server: no token.
    security(()),
    responses(
        (status = 200, description = "The database answers and every view is applying events", body = Ready),
        (status = 503, description = "The database does not answer, or a view is stopped", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn ready(State(state): State<AppState>) -> Response {
    let views: Vec<View> = match status(&state.pool).await {
        Ok(statuses) => statuses.into_iter().map(View::from).collect(),
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            return unavailable().into_response();
        }
    };
    let notifications: Vec<NotificationTarget> =
        match casus_notifications::status::all(&state.pool).await {
            Ok(targets) => targets.into_iter().map(NotificationTarget::from).collect(),
            Err(error) => {
                tracing::warn!(%error, "readiness: the database does not answer");
                return unavailable().into_response();
            }
        };
    let stopped: Vec<String> = views
        .iter()
        .filter_map(|v| {
            v.error
                .as_ref()
                .map(|error| format!("{} ({error})", v.view))
        })
        .collect();
    if stopped.is_empty() {
        return Json(Ready {
            status: "ready",
            views,
            notifications,
        })
        .into_response();
    }
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Views stopped",
        format!(
            "These views are stopped at an event they cannot apply: {}. The event stays in the \
             log; see the README's Reliability section for what to do.",
            stopped.join("; ")
        ),
    )
    .with("views", &views)
    .with_header(header::RETRY_AFTER, "30")
    .into_response()
}

/// This document
///
/// The contract, generated from the code: every route, its parameters, bodies and answers.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    // Open to anyone who reaches the server: no token.
    security(()),
    responses((status = 200, description = "This document", body = Object))
)]
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    let document = DOCUMENT.get_or_init(crate::openapi);
    let json = match &state.settings.contact {
        None => document.to_pretty_json(),
        Some(contact) => {
            let mut document = document.clone();
            document.info.contact = Some(
                utoipa::openapi::ContactBuilder::new()
                    .name(Some(&contact.name))
                    .email(Some(&contact.email))
                    .url(Some(&contact.url))
                    .build(),
            );
            document.to_pretty_json()
        }
    };
    let json = json.expect("the OpenAPI document serialises");
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}
