//! Read-your-writes: a client that wrote version N of a case may ask to read
//! a view only once it reflects at least N.

use std::time::{Duration, Instant};

use casus_domain::CaseId;
use sqlx::PgPool;

/// The view tables that record the case version they reflect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioned {
    SocialCaseView,
    JusticeCaseView,
    CasePlan,
    Caseload,
    Timeline,
}

impl Versioned {
    /// The table and the column that holds the version it reflects.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Self::SocialCaseView => ("social_case_view", "version"),
            Self::JusticeCaseView => ("justice_case_view", "version"),
            Self::CasePlan => ("case_plan", "version"),
            Self::Caseload => ("caseload", "version"),
            Self::Timeline => ("case_timeline", "sequence"),
        }
    }
}

/// Waits until `table` reflects at least `version` of `case`, for at most
/// `timeout`. Answers whether it does.
pub async fn wait_for_version(
    pool: &PgPool,
    table: Versioned,
    case: CaseId,
    version: u64,
    timeout: Duration,
) -> Result<bool, sqlx::Error> {
    let (table, column) = table.source();
    let sql = format!("select coalesce(max({column}), 0) from {table} where case_id = $1");
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(2);
    loop {
        let reflected: i64 = sqlx::query_scalar(&sql)
            .bind(case.as_uuid())
            .fetch_one(pool)
            .await?;
        if reflected as u64 >= version {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
