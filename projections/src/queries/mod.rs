//! Reading the views. What depends on today's date (a review overdue, days
//! since the last contact) is worked out when read, never stored: a stored
//! flag would go stale on a day without events.

mod caseload;
mod cases;
pub mod retention;
mod scope;
pub mod statistics;
mod suppression;

pub use caseload::{
    caseload, cases_of_worker, workload, CaseloadEntry, CaseloadFilter, WorkerLoad,
};
pub use cases::{
    case, list, timeline, CaseDetail, CaseListFilter, CaseOverview, CaseSummary, GoalRow,
    InterventionRow, ReviewRow, TimelineEntry,
};
pub use scope::{municipalities, scope, CaseScope, Reach};
