//! The views, each a folder: how it applies events (mod.rs) and how it is
//! read (query.rs), its tables named in both and nowhere else but `wait`.

mod case_plan;
pub(crate) mod case_view;
pub(crate) mod caseload;
mod contacts;
pub(crate) mod statistics;
pub(crate) mod timeline;

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
