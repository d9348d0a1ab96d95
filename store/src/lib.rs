//! The write side of Casus: the event store (cqrs-es over postgres-es on
//! PostgreSQL), the metadata every event carries, and the migrations.

mod append;
pub mod audit;
mod batch;
pub mod cache;
mod case_store;
pub mod clock;
mod db;
mod erasure;
mod error;
pub mod idempotency;
mod keys;
pub mod log;
mod metadata;
pub mod privacy;
mod reference;
mod repository;

pub use batch::EventBatch;
pub use case_store::{CaseStore, Committed, Once};
pub use db::{connect, migrate, MIGRATOR};
pub use erasure::Erased;
pub use error::{CommandError, Conflict};
pub use metadata::{Actor, Metadata};
pub use reference::{load_programme, ReferenceError};
pub use repository::{is_unavailable, CaseRepository};
