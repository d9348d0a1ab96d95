//! The HTTP layer of Casus. For now the operations endpoints; the case
//! routes, authentication and authorization follow.

mod operations;
mod problem;

use axum::routing::get;
use axum::Router;
use sqlx::PgPool;

pub use problem::Problem;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/health", get(operations::health))
        .route("/ready", get(operations::ready))
        .with_state(pool)
}
