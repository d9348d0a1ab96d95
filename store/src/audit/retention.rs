//! The access log's retention: a month's entries go whole, by dropping its
//! two partitions (`migrations/0017_compact_access_log.sql`), once the month
//! lies before the period kept. Before a month goes, its stretch of the
//! chain is verified; what went is recorded with the chain's last position
//! and hash in it, signed with the audit key, so that verification starts
//! the chain there.

use chrono::{Datelike, Months, NaiveDate};
use ed25519_dalek::VerifyingKey;
use sqlx::PgPool;

use super::integrity::{verify_access_log, BrokenAccess};
use super::signature::{holds, Signer};

/// A month removed from the access log.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Removed {
    /// Its first day.
    pub month: NaiveDate,
    pub accesses: i64,
    pub entries: i64,
    pub through_position: i64,
    pub through_hash: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Removed {
    /// The text the audit key signs.
    fn text(&self) -> String {
        format!(
            "casus-access-retention-v1\n{}\n{}\n{}\n{}\n{}",
            self.month,
            self.accesses,
            self.entries,
            self.through_position,
            hex::encode(&self.through_hash)
        )
    }

    pub fn holds(&self, key: &VerifyingKey) -> bool {
        holds(key, self.text().as_bytes(), &self.signature)
    }
}

/// The last month removed, if any.
pub async fn last_removed(pool: &PgPool) -> Result<Option<Removed>, sqlx::Error> {
    sqlx::query_as(
        "select month, accesses, entries, through_position, through_hash, signature
           from access_log_retention order by through_position desc limit 1",
    )
    .fetch_optional(pool)
    .await
}

/// The first month kept when `months` are kept back from `as_of`'s month;
/// never later than `today`'s month, which is still being written.
pub fn keep_from(as_of: NaiveDate, months: u32, today: NaiveDate) -> NaiveDate {
    let first = |day: NaiveDate| day.with_day0(0).unwrap_or(day);
    (first(as_of) - Months::new(months)).min(first(today))
}

/// The months the access log holds before `keep_from`, oldest first.
pub async fn months_before(
    pool: &PgPool,
    keep_from: NaiveDate,
) -> Result<Vec<NaiveDate>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'accesses'::regclass order by 1",
    )
    .fetch_all(pool)
    .await?;
    Ok(names
        .iter()
        .filter_map(|name| month_of(name))
        .filter(|month| *month < keep_from)
        .collect())
}

/// `accesses_2026_11` is November 2026.
fn month_of(partition: &str) -> Option<NaiveDate> {
    let suffix = partition.strip_prefix("accesses_")?;
    NaiveDate::parse_from_str(&format!("{suffix}_01"), "%Y_%m_%d").ok()
}

#[derive(Debug, thiserror::Error)]
pub enum RemoveError {
    #[error("the access log's chain does not hold at position {}: {:?}; nothing removed", .0.position, .0.breach)]
    Broken(BrokenAccess),
    #[error("the month's entries are not one stretch of the chain after the last removed (positions {0}); nothing removed")]
    NotAStretch(String),
    #[error("the month was written to while it was being removed; nothing removed")]
    StillWritten,
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// Removes one month, the oldest the log holds: verifies its stretch of the
/// chain, records and signs what goes, and drops its partitions, in one
/// transaction under the chain's lock.
pub async fn remove_month(
    pool: &PgPool,
    signer: &Signer,
    month: NaiveDate,
) -> Result<Removed, RemoveError> {
    let suffix = month.format("%Y_%m").to_string();
    let (accesses, cases) = (
        format!("accesses_{suffix}"),
        format!("accessed_cases_{suffix}"),
    );
    let (after, after_hash) = last_removed(pool).await?.map_or_else(
        || (0, super::chain::GENESIS.to_vec()),
        |removed| (removed.through_position, removed.through_hash),
    );
    let stretch =
        format!("select min(chain_position), max(chain_position), count(*) from {accesses}");
    let (first, last, count): (Option<i64>, Option<i64>, i64) =
        sqlx::query_as(&stretch).fetch_one(pool).await?;
    let through = last.unwrap_or(after);
    if count > 0 && (first != Some(after + 1) || through - after != count) {
        return Err(RemoveError::NotAStretch(format!(
            "{} to {through}, after {after}",
            first.unwrap_or_default()
        )));
    }
    if count > 0 {
        let verified = verify_access_log(pool, &signer.verifying_key(), Some(through)).await?;
        if let Some(broken) = verified.broken {
            return Err(RemoveError::Broken(broken));
        }
    }
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(hashtext('casus access log chain'))")
        .execute(&mut *tx)
        .await?;
    let still: (Option<i64>, Option<i64>, i64) =
        sqlx::query_as(&stretch).fetch_one(&mut *tx).await?;
    if still != (first, last, count) {
        return Err(RemoveError::StillWritten);
    }
    let through_hash: Vec<u8> = if count > 0 {
        sqlx::query_scalar(&format!(
            "select hash from {accesses} where chain_position = $1"
        ))
        .bind(through)
        .fetch_one(&mut *tx)
        .await?
    } else {
        after_hash
    };
    let entries: i64 = sqlx::query_scalar(&format!(
        "select (select count(*) from {cases})
              + (select count(*) from {accesses} a
                  where not exists (select 1 from {cases} c where c.access_id = a.id))"
    ))
    .fetch_one(&mut *tx)
    .await?;
    let mut removed = Removed {
        month,
        accesses: count,
        entries,
        through_position: through,
        through_hash,
        signature: Vec::new(),
    };
    removed.signature = signer.sign(removed.text().as_bytes());
    sqlx::query(
        "insert into access_log_retention
             (month, accesses, entries, through_position, through_hash, signature)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(removed.month)
    .bind(removed.accesses)
    .bind(removed.entries)
    .bind(removed.through_position)
    .bind(&removed.through_hash)
    .bind(&removed.signature)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("drop table {cases}, {accesses}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_whole_months_back_from_the_day() {
        let day = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = day("2026-11-30");
        assert_eq!(keep_from(today, 60, today), day("2021-11-01"));
        assert_eq!(keep_from(day("2026-03-01"), 1, today), day("2026-02-01"));
        // A month still being written is never removed.
        assert_eq!(keep_from(day("2040-01-01"), 1, today), day("2026-11-01"));
    }

    #[test]
    fn reads_the_month_from_a_partition_name() {
        assert_eq!(
            month_of("accesses_2026_11"),
            NaiveDate::from_ymd_opt(2026, 11, 1)
        );
        assert_eq!(month_of("accessed_cases_2026_11"), None);
        assert_eq!(month_of("accesses_default"), None);
    }
}
