//! The HTTP layer of Casus. For now the operations endpoints; the case
//! routes, authentication and authorization follow.

mod operations;
mod problem;

use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;

pub use problem::Problem;

pub fn router(pool: PgPool) -> Router {
    Router::new()
        .route("/health", get(operations::health))
        .route("/ready", get(operations::ready))
        .fallback(not_found)
        .with_state(pool)
}

async fn not_found(uri: Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "Not found",
        format!("There is nothing at {}.", uri.path()),
    )
}
