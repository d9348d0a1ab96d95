//! The access log: who read, searched, exported, or was refused which case,
//! when, why and on what ground. Append-only, like the events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

/// What was done. The table's CHECK constraints name the same codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AccessAction {
    /// One case, its timeline or its history read.
    Read,
    /// A list that names cases.
    Search,
    Export,
    /// A refused attempt.
    Denied,
    /// A case summary printed (for a case conference): it leaves Casus on paper.
    Print,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Denied,
}

/// How sensitive what was shown is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Sensitivity {
    /// Personal data of a case.
    Case,
    /// History, export, the access log.
    Audit,
    /// Nothing was shown.
    None,
}

/// One access, by one user, to any number of cases (one row each).
#[derive(Clone, Debug)]
pub struct Access {
    pub action: AccessAction,
    pub outcome: Outcome,
    pub user_id: String,
    pub user_name: String,
    pub role: Option<String>,
    pub organisation: String,
    pub domain: String,
    pub purpose: String,
    pub network_address: Option<String>,
    /// Which view or route (e.g. `social_case_view`, `history`, `case_list`).
    pub view: &'static str,
    pub sensitivity: Sensitivity,
    /// assignment, team, partner, audit: <reason>, or why it was denied.
    pub basis: String,
    pub request_id: Uuid,
    /// The caller's municipality, for entries that name no case.
    pub municipality: Option<String>,
}

/// A case an access names, with the municipality it lies in, where the
/// caller knows it (the access's own municipality otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub case_id: Uuid,
    pub municipality: Option<String>,
}

/// Whether an access naming `cases` is logged: one that names a case, or
/// any when `always` (a refusal).
pub fn is_logged(cases: &[Named], always: bool) -> bool {
    always || !cases.is_empty()
}

/// Logs the access once, with each case it names (none when `cases` is
/// empty, and then only if `always` is set), each with its young person as
/// the store knows them (`migrations/0017_compact_access_log.sql`).
pub async fn record<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    access: &Access,
    cases: &[Named],
    always: bool,
) -> Result<(), sqlx::Error> {
    if !is_logged(cases, always) {
        return Ok(());
    }
    let (ids, municipalities): (Vec<Uuid>, Vec<Option<String>>) = cases
        .iter()
        .map(|named| (named.case_id, named.municipality.clone()))
        .unzip();
    sqlx::query(
        "select casus_log_access($1::access_action, $2::access_outcome, $3, $4, $5, $6, $7, $8,
                                 $9, $10, $11, $12::access_sensitivity, $13, $14, $15::uuid[],
                                 $16::text[],
                                 array(select (select s.subject_id from case_subjects s
                                                where s.case_id = c.id)
                                         from unnest($15::uuid[]) with ordinality as c(id, n)
                                        order by c.n))",
    )
    .bind(<&str>::from(access.action))
    .bind(<&str>::from(access.outcome))
    .bind(&access.user_id)
    .bind(&access.user_name)
    .bind(&access.role)
    .bind(&access.organisation)
    .bind(&access.domain)
    .bind(&access.purpose)
    .bind(&access.network_address)
    .bind(&access.municipality)
    .bind(access.view)
    .bind(<&str>::from(access.sensitivity))
    .bind(&access.basis)
    .bind(access.request_id)
    .bind(&ids)
    .bind(&municipalities)
    .execute(executor)
    .await?;
    Ok(())
}

/// An entry of the access log: one case an access named, or an access
/// that named none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    pub id: i64,
    /// The access this entry is part of: a list names its cases in one access.
    pub access_id: i64,
    pub at: DateTime<Utc>,
    pub action: String,
    pub outcome: String,
    pub user_id: String,
    pub user_name: String,
    pub role: Option<String>,
    pub organisation: String,
    pub domain: String,
    pub purpose: String,
    pub network_address: Option<String>,
    pub case_id: Option<Uuid>,
    pub municipality: Option<String>,
    pub subject_id: Option<Uuid>,
    pub view: String,
    pub sensitivity: String,
    pub basis: String,
    pub request_id: Uuid,
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `None`: every municipality (a national scope).
    pub municipality: Option<String>,
    pub case_id: Option<Uuid>,
    pub user_id: Option<String>,
    pub action: Option<AccessAction>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Continue after this entry.
    pub after: Option<i64>,
    pub limit: i64,
}

/// The entries that match, oldest first.
pub async fn entries(pool: &PgPool, filter: &Filter) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "select id, access_id, at, action, outcome, user_id, user_name, role, organisation,
                domain, purpose, network_address, case_id, municipality, subject_id, view,
                sensitivity, basis, request_id
           from access_log
          where ($1::text is null or municipality = $1)
            and ($2::uuid is null or case_id = $2)
            and ($3::text is null or user_id = $3)
            and ($4::text is null or action = $4)
            and ($5::timestamptz is null or at >= $5)
            and ($6::timestamptz is null or at < $6)
            and ($7::bigint is null or id > $7)
          order by id
          limit $8",
    )
    .bind(&filter.municipality)
    .bind(filter.case_id)
    .bind(&filter.user_id)
    .bind(filter.action.map(<&str>::from))
    .bind(filter.from)
    .bind(filter.until)
    .bind(filter.after)
    .bind(filter.limit)
    .fetch_all(pool)
    .await
}
