//! `/metrics` in the Prometheus text format: requests by route and status,
//! latency histograms, commands by type and outcome, and each view's
//! position and lag (read from its checkpoint when scraped).

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::http::error::ApiError;
use crate::AppState;

/// The process's one metrics recorder (a process may serve several routers, e.g. in tests).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("duration_seconds".into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ],
            )
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will be empty");
        }
        handle
    })
}

/// Counts a command by its kind and how it ended.
pub fn command(kind: &'static str, outcome: &'static str) {
    metrics::counter!("casus_commands_total", "command" => kind, "outcome" => outcome).increment(1);
}

/// Metrics for Prometheus
///
/// Requests by route and status with their latency, commands by kind and outcome, and each
/// view's position and lag, and each notification target's position,
/// backlog and failure.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    // Open to anyone who reaches the server: no token.
    security(()),
    responses(
        (status = 200, description = "Metrics in the Prometheus text format", content_type = "text/plain", body = String),
        (status = 503, description = "The database does not answer", body = crate::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    for view in casus_projections::projector::status(&state.pool).await? {
        let label = [("view", view.view)];
        metrics::gauge!("casus_projection_global_position", &label)
            .set(view.global_position as f64);
        metrics::gauge!("casus_projection_events_applied", &label).set(view.events_applied as f64);
        metrics::gauge!("casus_projection_lag_seconds", &label)
            .set(view.lag_ms.unwrap_or_default() as f64 / 1000.0);
        metrics::gauge!("casus_projection_stopped", &label).set(if view.error.is_some() {
            1.0
        } else {
            0.0
        });
    }
    let (cached, room) = state.store.cached();
    metrics::gauge!("casus_case_cache_cases").set(cached as f64);
    metrics::gauge!("casus_case_cache_capacity").set(room as f64);
    metrics::gauge!("casus_case_cache_keys").set(state.store.kept_keys() as f64);
    for target in casus_notifications::status::all(&state.pool).await? {
        let label = [("target", target.target)];
        metrics::gauge!("casus_notification_global_position", &label)
            .set(target.global_position as f64);
        metrics::gauge!("casus_notification_delivered", &label).set(target.delivered as f64);
        metrics::gauge!("casus_notification_behind", &label).set(target.behind as f64);
        metrics::gauge!("casus_notification_failing", &label)
            .set(f64::from(u8::from(target.error.is_some())));
        metrics::gauge!("casus_notification_dead", &label).set(f64::from(u8::from(target.dead)));
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response())
}
