//! The views, each in its own module with its SQL and apply logic side by side.

mod case_plan;
mod case_view;
mod caseload;
mod timeline;

pub use case_plan::CasePlan;
pub use case_view::CaseView;
pub use caseload::Caseload;
pub use timeline::Timeline;

use casus_domain::Domain;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::Postgres;

use crate::event::RecordedEvent;
use crate::view::View;

/// Every view of Casus.
pub fn all() -> Vec<Box<dyn View>> {
    vec![
        Box::new(CaseView::new(Domain::Social)),
        Box::new(CaseView::new(Domain::Justice)),
        Box::new(CasePlan),
        Box::new(Timeline),
        Box::new(Caseload),
    ]
}

/// A statement on one case's row: binds `$1` case id, `$2` version and `$3`
/// the event's time; the statement's own values follow from `$4`.
pub(crate) fn on_case<'q>(
    sql: &'q str,
    recorded: &RecordedEvent,
) -> Query<'q, Postgres, PgArguments> {
    sqlx::query(sql)
        .bind(recorded.case_id.as_uuid())
        .bind(recorded.sequence)
        .bind(recorded.recorded_at)
}
