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
    record_all(executor, &[(access, cases, always)]).await
}

/// Logs each access as `record` does, in their order, in one statement
/// (`migrations/0026_access_log_groups.sql`).
pub async fn record_all<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    accesses: &[(&Access, &[Named], bool)],
) -> Result<(), sqlx::Error> {
    let logged: Vec<(&Access, &[Named])> = accesses
        .iter()
        .filter(|(_, cases, always)| is_logged(cases, *always))
        .map(|(access, cases, _)| (*access, *cases))
        .collect();
    if logged.is_empty() {
        return Ok(());
    }
    let field = |of: fn(&Access) -> Option<&str>| -> Vec<Option<&str>> {
        logged.iter().map(|(access, _)| of(access)).collect()
    };
    let named = logged.iter().flat_map(|(_, cases)| cases.iter());
    sqlx::query(
        "select casus_log_accesses($1::access_action[], $2::access_outcome[], $3, $4, $5, $6, $7,
                                   $8, $9, $10, $11, $12::access_sensitivity[], $13, $14, $15,
                                   $16, $17)",
    )
    .bind(field(|a| Some(a.action.into())))
    .bind(field(|a| Some(a.outcome.into())))
    .bind(field(|a| Some(&a.user_id)))
    .bind(field(|a| Some(&a.user_name)))
    .bind(field(|a| a.role.as_deref()))
    .bind(field(|a| Some(&a.organisation)))
    .bind(field(|a| Some(&a.domain)))
    .bind(field(|a| Some(&a.purpose)))
    .bind(field(|a| a.network_address.as_deref()))
    .bind(field(|a| a.municipality.as_deref()))
    .bind(field(|a| Some(a.view)))
    .bind(field(|a| Some(a.sensitivity.into())))
    .bind(field(|a| Some(&a.basis)))
    .bind(logged.iter().map(|(a, _)| a.request_id).collect::<Vec<_>>())
    .bind(
        logged
            .iter()
            .map(|(_, cases)| i32::try_from(cases.len()).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )
    .bind(named.clone().map(|n| n.case_id).collect::<Vec<_>>())
    .bind(named.map(|n| n.municipality.as_deref()).collect::<Vec<_>>())
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
