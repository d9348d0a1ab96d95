//! The views, each in its own module with its SQL and apply logic side by side.

mod case_plan;
mod case_view;
mod caseload;
mod statistics;
mod timeline;

pub use case_plan::CasePlan;
pub use case_view::CaseView;
pub use caseload::Caseload;
pub(crate) use statistics::Measure;
pub use statistics::Statistics;
pub use timeline::Timeline;

use crate::view::View;
use casus_domain::Domain;

/// Every view of Casus.
pub fn all() -> Vec<Box<dyn View>> {
    vec![
        Box::new(CaseView::new(Domain::Social)),
        Box::new(CaseView::new(Domain::Justice)),
        Box::new(CasePlan),
        Box::new(Timeline),
        Box::new(Caseload),
        Box::new(Statistics),
    ]
}
