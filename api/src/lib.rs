//! The HTTP layer of Casus (API v1): bearer-token authentication, the
//! authorization policy, command and query routes over the event store and
//! the views, problem+json errors, idempotent writes, the OpenAPI document,
//! and the operations endpoints.

pub mod audit;
pub mod auth;
mod bodies;
mod caseload;
mod cases;
mod commands;
mod error;
mod extract;
pub mod metrics;
mod observe;
mod openapi;
mod operations;
mod policy;
mod privacy;
mod problem;
mod reader;
mod statistics;
mod workers;
mod write;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::http::{StatusCode, Uri};
use axum::Router;
use casus_store::privacy::Keyring;
use casus_store::CaseStore;
use sqlx::PgPool;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::Authenticator;
pub use observe::around;
pub use openapi::Contact;
pub use problem::Problem;
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            read_wait: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            stats_threshold: 5,
            contact: None,
        }
    }
}

/// Every route, each with its OpenAPI description. Routes are added only
/// through `routes!`, so the document and the router cannot differ.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::document())
        .routes(routes!(operations::health))
        .routes(routes!(operations::ready))
        .routes(routes!(metrics::metrics))
        .routes(routes!(operations::openapi_json))
        .routes(routes!(cases::list, commands::open))
        .routes(routes!(cases::case))
        .routes(routes!(cases::timeline))
        .routes(routes!(caseload::caseload))
        .routes(routes!(caseload::reassign_all))
        .routes(routes!(commands::signals))
        .routes(routes!(commands::triage))
        .routes(routes!(commands::information))
        .routes(routes!(commands::include))
        .routes(routes!(commands::leads))
        .routes(routes!(commands::assignments))
        .routes(routes!(commands::unassignments))
        .routes(routes!(commands::reassign))
        .routes(routes!(commands::risk_assessments))
        .routes(routes!(commands::plan))
        .routes(routes!(commands::achieve_goal))
        .routes(routes!(commands::interventions))
        .routes(routes!(commands::start_intervention))
        .routes(routes!(commands::complete_intervention))
        .routes(routes!(commands::cancel_intervention))
        .routes(routes!(commands::contacts))
        .routes(routes!(commands::notes))
        .routes(routes!(commands::consents))
        .routes(routes!(commands::withdraw_consent))
        .routes(routes!(commands::partners))
        .routes(routes!(commands::conferences))
        .routes(routes!(commands::reviews))
        .routes(routes!(commands::complete_review))
        .routes(routes!(commands::escalations))
        .routes(routes!(commands::transfer))
        .routes(routes!(commands::handover))
        .routes(routes!(commands::accept_handover))
        .routes(routes!(commands::decline_handover))
        .routes(routes!(commands::aftercare))
        .routes(routes!(commands::close))
        .routes(routes!(commands::reopen))
        .routes(routes!(commands::corrections))
        .routes(routes!(audit::case_history))
        .routes(routes!(audit::state))
        .routes(routes!(audit::export))
        .routes(routes!(audit::access_log))
        .routes(routes!(audit::verify))
        .routes(routes!(privacy::erasure))
        .routes(routes!(statistics::stats))
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
    let routes = api().split_for_parts().0.fallback(not_found);
    observe::around(routes, timeout).with_state(state)
}

async fn not_found(uri: Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "Not found",
        format!("There is nothing at {}.", uri.path()),
    )
}
