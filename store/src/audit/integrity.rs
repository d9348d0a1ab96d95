//! What `verify` checks beside the event chains: that every snapshot is
//! Casus's own over the events the log holds, and that the access log's
//! chain holds (`migrations/0010_signatures.sql`), recomputed here from the
//! stored columns without trusting the database's functions.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use futures::TryStreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::chain::{Breach, GENESIS};
use super::signature::{StoredSnapshot, SELECT_SNAPSHOTS};

/// The cases whose snapshot does not hold (Casus ignores those and loads the
/// case from its events), or, with `case`, that case's.
pub async fn broken_snapshots(
    pool: &PgPool,
    key: &VerifyingKey,
    case: Option<&str>,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("{SELECT_SNAPSHOTS} where $1::text is null or s.aggregate_id = $1");
    let mut rows = sqlx::query_as::<_, StoredSnapshot>(&sql)
        .bind(case)
        .fetch(pool);
    let mut broken = Vec::new();
    while let Some(snapshot) = rows.try_next().await? {
        if !snapshot.holds(key) {
            broken.push(snapshot.aggregate_id);
        }
    }
    Ok(broken)
}

/// One row of the access log as stored.
#[derive(Debug, sqlx::FromRow)]
struct LoggedAccess {
    chain_position: i64,
    entry_id: Uuid,
    at: DateTime<Utc>,
    action: String,
    outcome: String,
    user_id: String,
    user_name: String,
    role: Option<String>,
    organisation: String,
    domain: String,
    purpose: String,
    network_address: Option<String>,
    case_id: Option<Uuid>,
    municipality: Option<String>,
    subject_id: Option<Uuid>,
    view: String,
    sensitivity: String,
    basis: String,
    request_id: Uuid,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

fn field(value: Option<&str>) -> String {
    value.map_or_else(|| "-".into(), |v| format!("{}:{v}", v.len()))
}

impl LoggedAccess {
    fn canonical(&self) -> String {
        let uuid = |id: Option<Uuid>| id.map(|id| id.to_string());
        let at = self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let mut lines = vec![
            "casus-access-v1".to_owned(),
            self.chain_position.to_string(),
        ];
        lines.extend(
            [
                Some(self.entry_id.to_string()),
                Some(at),
                Some(self.action.clone()),
                Some(self.outcome.clone()),
                Some(self.user_id.clone()),
                Some(self.user_name.clone()),
                self.role.clone(),
                Some(self.organisation.clone()),
                Some(self.domain.clone()),
                Some(self.purpose.clone()),
                self.network_address.clone(),
                uuid(self.case_id),
                self.municipality.clone(),
                uuid(self.subject_id),
                Some(self.view.clone()),
                Some(self.sensitivity.clone()),
                Some(self.basis.clone()),
                Some(self.request_id.to_string()),
            ]
            .iter()
            .map(|value| field(value.as_deref())),
        );
        lines.join("\n")
    }
}

/// The access log's first broken link, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokenAccess {
    pub position: i64,
    pub breach: Breach,
    pub expected: String,
    pub found: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessVerification {
    pub entries: u64,
    pub broken: Option<BrokenAccess>,
}

const PAGE: i64 = 5_000;

/// Walks the access log's chain in order, a page at a time.
pub async fn verify_access_log(pool: &PgPool) -> Result<AccessVerification, sqlx::Error> {
    let mut report = AccessVerification::default();
    let mut prev = GENESIS.to_vec();
    let mut next = 1_i64;
    loop {
        let page: Vec<LoggedAccess> = sqlx::query_as(
            "select chain_position, entry_id, at, action, outcome, user_id, user_name, role,
                    organisation, domain, purpose, network_address, case_id, municipality,
                    subject_id, view, sensitivity, basis, request_id, prev_hash, hash
               from access_log where chain_position >= $1 order by chain_position limit $2",
        )
        .bind(next)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        if page.is_empty() {
            return Ok(report);
        }
        for row in &page {
            report.entries += 1;
            let breach = if row.chain_position != next {
                Some((
                    Breach::Missing,
                    next.to_string(),
                    row.chain_position.to_string(),
                ))
            } else if row.prev_hash != prev {
                Some((
                    Breach::BrokenLink,
                    hex::encode(&prev),
                    hex::encode(&row.prev_hash),
                ))
            } else {
                let mut hasher = Sha256::new();
                hasher.update(&prev);
                hasher.update(row.canonical().as_bytes());
                let expected = hasher.finalize().to_vec();
                (expected != row.hash).then(|| {
                    (
                        Breach::Changed,
                        hex::encode(&expected),
                        hex::encode(&row.hash),
                    )
                })
            };
            if let Some((breach, expected, found)) = breach {
                report.broken = Some(BrokenAccess {
                    position: next,
                    breach,
                    expected,
                    found,
                });
                return Ok(report);
            }
            prev = row.hash.clone();
            next += 1;
        }
    }
}
