//! Reading a case's timeline: the entries a domain may see, with that
//! domain's detail only.

use casus_domain::Domain;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// One entry of a case's timeline, with the detail its reader's domain may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub sequence: i64,
    pub event_type: String,
    pub occurred_on: Option<NaiveDate>,
    pub recorded_at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub actor_organisation: Option<String>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Which of its entries `domain` may see, and the detail it reads.
fn columns(domain: Domain) -> (&'static str, &'static str) {
    match domain {
        Domain::Social => ("social", "detail_social"),
        Domain::Justice => ("justice", "detail_justice"),
    }
}

/// The latest `limit` entries of `case` that `domain` may see, before
/// sequence `before` when given, oldest first; and whether there are
/// earlier ones.
pub async fn timeline_page(
    pool: &PgPool,
    domain: Domain,
    case: Uuid,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<TimelineEntry>, bool), sqlx::Error> {
    let (visible, detail) = columns(domain);
    let sql = format!(
        "select sequence, event_type, occurred_on, recorded_at, actor_id, actor_name, actor_role,
                actor_organisation, title, {detail} as detail
           from case_timeline
          where case_id = $1 and {visible} and ($2::bigint is null or sequence < $2)
          order by sequence desc
          limit $3"
    );
    let mut entries: Vec<TimelineEntry> = sqlx::query_as(&sql)
        .bind(case)
        .bind(before)
        .bind(limit + 1)
        .fetch_all(pool)
        .await?;
    let earlier = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    entries.reverse();
    Ok((entries, earlier))
}
