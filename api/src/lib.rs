//! The HTTP layer of Casus (API v1): bearer-token authentication, the
//! authorization policy, command and query routes over the event store and
//! the views, problem+json errors, idempotent writes, the OpenAPI document,
//! and the operations endpoints.

pub mod auth;
mod http;
pub mod metrics;
mod openapi;
mod policy;
mod routes;
mod web;
mod workers;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::http::{StatusCode, Uri};
use axum::Router;
use casus_store::privacy::Keyring;
use casus_store::CaseStore;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;

pub use auth::Authenticator;
pub use http::access_log::AccessLog;
pub use http::observe::around;
pub use http::problem::Problem;
pub use openapi::Contact;
pub use web::oidc::{OidcSettings, Provider as OidcProvider};
pub use web::WebSettings;

pub use workers::Registry;

/// The largest request body Casus reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// What the routes share.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub store: Arc<CaseStore>,
    pub auth: Arc<Authenticator>,
    pub settings: Arc<Settings>,
    /// Opens personal data for the audit history and exports.
    pub keyring: Keyring,
    /// The workers Casus knows, from their tokens.
    pub workers: Arc<Registry>,
    /// Where reads log what they showed.
    pub access_log: AccessLog,
}

impl FromRef<AppState> for Arc<Authenticator> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

impl FromRef<AppState> for Arc<Registry> {
    fn from_ref(state: &AppState) -> Self {
        state.workers.clone()
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// How long a read waits for a view to reach `min_version`.
    pub read_wait: Duration,
    /// Requests that take longer are answered 408.
    pub request_timeout: Duration,
    /// Programme statistics suppress counts under this.
    pub stats_threshold: i64,
    /// Who answers questions about this deployment's API, in the document.
    pub contact: Option<openapi::Contact>,
    pub web: web::WebSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            read_wait: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            stats_threshold: 5,
            contact: None,
            web: web::WebSettings::default(),
        }
    }
}

/// Every route, each with its OpenAPI description (see `routes`).
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::document()).merge(routes::all())
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = api().into_openapi();
    utoipa::Modify::modify(&openapi::WhatTheServerChecks, &mut document);
    utoipa::Modify::modify(&openapi::VersionHeader, &mut document);
    utoipa::Modify::modify(&openapi::SchemaNames, &mut document);
    // Last: the others find the operations under their full paths.
    utoipa::Modify::modify(&openapi::Servers, &mut document);
    document
}

pub fn router(state: AppState) -> Router {
    metrics::handle();
    let timeout = state.settings.request_timeout;
    let routes = api()
        .split_for_parts()
        .0
        .merge(web::router(&state))
        .fallback(not_found);
    http::observe::around(routes, timeout).with_state(state)
}

/// Nothing at this path: problem+json for the API and the operations
/// endpoints, a Dutch page elsewhere.
async fn not_found(uri: Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    let api = ["/api/", "/health", "/ready", "/metrics", "/openapi"];
    if api.iter().any(|p| path.starts_with(p)) {
        Problem::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("There is nothing at {path}."),
        )
        .into_response()
    } else {
        web::Refusal::NotFound.into_response()
    }
}
