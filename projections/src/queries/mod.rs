//! Reading the views, for the API and the command line: each query lives
//! with its view (`views/<name>/query.rs`) and is named here. What depends
//! on today's date (a review overdue, days since the last contact) is worked
//! out when read, never stored: a stored flag would go stale on a day
//! without events.

pub use crate::views::case_view::query::{
    case, closed, list, CaseDetail, CaseListFilter, CaseOverview, CaseSummary, GoalRow,
    InterventionRow, ReviewRow,
};
pub use crate::views::caseload::people::{people, CasePeople, ConsentRow, PartnerRow, WorkerRow};
pub use crate::views::caseload::query::{
    caseload, cases_of_worker, known, workload, CaseloadEntry, CaseloadFilter, KnownCase,
    WorkerLoad,
};
pub use crate::views::caseload::scope::{municipalities, scope, CaseScope, Reach};
pub use crate::views::caseload::trend::{consents_ending, flow, MonthFlow};
pub use crate::views::timeline::entry::label as timeline_label;
pub use crate::views::timeline::query::{timeline_page, TimelineEntry};

pub mod statistics {
    //! The programme figures, suppressed.
    pub use crate::views::statistics::query::*;
}
