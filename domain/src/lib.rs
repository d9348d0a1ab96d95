//! The youth case of *Preventie met gezag*: commands, events, rules and the
//! `YouthCase` aggregate. Pure: no IO, no database, no HTTP.

mod case;
mod commands;
pub mod dates;
mod decide;
mod error;
mod events;
mod ids;
mod model;
mod personal;
mod records;
mod reference;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod upcasters;
mod values;

pub use case::{CaseFile, ConsentState, ReviewState, YouthCase};
pub use commands::{CaseCommand, Command, CommandKind};
pub use error::CaseError;
pub use events::*;
pub use ids::*;
pub use model::*;
pub use personal::{mark_path, Personal, SubjectDetails, OPEN_MARK, SEALED_MARK};
pub use records::*;
pub use reference::{FocusArea, Programme};
pub use upcasters::upcasters;
pub use values::*;
