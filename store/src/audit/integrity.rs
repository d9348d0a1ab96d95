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
use super::retention;
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

/// One access as stored, with the cases it named in entry order.
#[derive(Debug, sqlx::FromRow)]
struct LoggedAccess {
    chain_position: i64,
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
    municipality: Option<String>,
    view: String,
    sensitivity: String,
    basis: String,
    request_id: Uuid,
    cases: Vec<Uuid>,
    municipalities: Vec<Option<String>>,
    subjects: Vec<Option<Uuid>>,
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
            "casus-access-v2".to_owned(),
            self.chain_position.to_string(),
        ];
        let fields = [
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
            self.municipality.clone(),
            Some(self.view.clone()),
            Some(self.sensitivity.clone()),
            Some(self.basis.clone()),
            Some(self.request_id.to_string()),
        ];
        lines.extend(fields.iter().map(|value| field(value.as_deref())));
        for ((case, municipality), subject) in self
            .cases
            .iter()
            .zip(&self.municipalities)
            .zip(&self.subjects)
        {
            lines.push(field(Some(&case.to_string())));
            lines.push(field(municipality.as_deref()));
            lines.push(field(uuid(*subject).as_deref()));
        }
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
    /// The accesses walked (each with the entries of the cases it named).
    pub accesses: u64,
    pub broken: Option<BrokenAccess>,
}

const PAGE: i64 = 5_000;

/// Where the chain starts: at the beginning, or after the last position a
/// retention run removed (whose record must hold under the audit key).
async fn chain_start(pool: &PgPool, key: &VerifyingKey) -> Result<Start, sqlx::Error> {
    let last = retention::last_removed(pool).await?;
    Ok(match last {
        None => Start::Genesis,
        Some(removed) if removed.holds(key) => Start::After {
            position: removed.through_position,
            hash: removed.through_hash,
        },
        Some(removed) => Start::Unsigned(removed.through_position),
    })
}

enum Start {
    Genesis,
    After {
        position: i64,
        hash: Vec<u8>,
    },
    /// A retention record whose signature does not hold.
    Unsigned(i64),
}

/// Walks the access log's chain in order, a page at a time, up to
/// `through` when given.
pub async fn verify_access_log(
    pool: &PgPool,
    key: &VerifyingKey,
    through: Option<i64>,
) -> Result<AccessVerification, sqlx::Error> {
    let mut report = AccessVerification::default();
    let (mut next, mut prev) = match chain_start(pool, key).await? {
        Start::Genesis => (1_i64, GENESIS.to_vec()),
        Start::After { position, hash } => (position + 1, hash),
        Start::Unsigned(position) => {
            report.broken = Some(BrokenAccess {
                position,
                breach: Breach::BadSignature,
                expected: "a retention record signed by Casus".into(),
                found: "a record its audit key did not sign".into(),
            });
            return Ok(report);
        }
    };
    loop {
        let page: Vec<LoggedAccess> = sqlx::query_as(
            "select a.chain_position, a.at, a.action::text, a.outcome::text, a.user_id,
                    a.user_name, a.role, a.organisation, a.domain, a.purpose, a.network_address,
                    a.municipality, a.view, a.sensitivity::text, a.basis, a.request_id, a.hash,
                    coalesce(c.cases, '{}') as cases,
                    coalesce(c.municipalities, '{}') as municipalities,
                    coalesce(c.subjects, '{}') as subjects
               from accesses a
               left join lateral (
                    select array_agg(c.case_id order by c.entry) as cases,
                           array_agg(c.municipality order by c.entry) as municipalities,
                           array_agg(c.subject_id order by c.entry) as subjects
                      from accessed_cases c where c.access_id = a.id and c.at = a.at) c on true
              where a.chain_position >= $1 and ($3::bigint is null or a.chain_position <= $3)
              order by a.chain_position limit $2",
        )
        .bind(next)
        .bind(PAGE)
        .bind(through)
        .fetch_all(pool)
        .await?;
        if page.is_empty() {
            return Ok(report);
        }
        for row in &page {
            report.accesses += 1;
            let breach = if row.chain_position != next {
                Some((
                    Breach::Missing,
                    next.to_string(),
                    row.chain_position.to_string(),
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
