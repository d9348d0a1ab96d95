//! The write side of Casus: the event store (cqrs-es over postgres-es on
//! PostgreSQL), the metadata every event carries, and the migrations.

pub mod audit;
mod batch;
mod case_store;
mod db;
mod error;
pub mod idempotency;
mod metadata;
mod reference;
mod repository;

pub use batch::EventBatch;
pub use case_store::{CaseStore, Committed};
pub use db::{connect, migrate, MIGRATOR};
pub use error::{CommandError, Conflict};
pub use metadata::{Actor, Metadata};
pub use reference::{load_programme, ReferenceError};
pub use repository::{is_unavailable, CaseRepository};
