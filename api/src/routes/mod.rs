//! The routes, one file per resource, each with its `router()`: every
//! route is added only through `routes!`, so the OpenAPI document and the
//! router cannot differ.

pub(crate) mod audit;
pub(crate) mod bodies;
pub(crate) mod cases;
pub(crate) mod erasure;
mod operations;
pub(crate) mod people;
pub(crate) mod people_search;
pub(crate) mod plan;
pub(crate) mod statistics;
mod subscriptions;
pub(crate) mod supervision;
mod work;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn all() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(operations::router())
        .merge(cases::router())
        .merge(supervision::router())
        .merge(work::router())
        .merge(people::router())
        .merge(people_search::router())
        .merge(plan::router())
        .merge(audit::router())
        .merge(erasure::router())
        .merge(statistics::router())
        .merge(subscriptions::router())
}
