//! The read side of Casus: a tracking projector that reads the event log in
//! commit order without gaps and keeps each view's tables and checkpoint in
//! one transaction; the views themselves; their rebuild; and read-your-writes.

pub mod projector;
pub mod queries;
pub mod rebuild;
mod rows;
mod view;
pub mod views;
pub mod visibility;
pub mod wait;

pub use casus_store::log::{Position, RecordedEvent};
pub use projector::{Projector, Step};
pub use view::View;
