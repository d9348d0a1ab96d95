//! What the database wrote in each minute of the mixed load: its WAL and
//! the checkpoints it began. A checkpoint makes the next change of every
//! page write the whole page to the WAL again, so a run's throughput can
//! fall after one for reasons outside Casus; these figures say whether it
//! did.

use sqlx::PgPool;

use crate::figures::figure;
use crate::measure::Figure;

/// The WAL written so far (bytes) and the checkpoints begun so far.
#[derive(Clone, Copy)]
pub struct Sample {
    wal: f64,
    checkpoints: i64,
}

/// The statement that samples this server, chosen once for its version.
pub struct Sampler(String);

impl Sampler {
    pub async fn for_server(pool: &PgPool) -> sqlx::Result<Self> {
        // PostgreSQL 17 moved the checkpoint counters to their own view.
        let checkpointer: bool =
            sqlx::query_scalar("select to_regclass('pg_catalog.pg_stat_checkpointer') is not null")
                .fetch_one(pool)
                .await?;
        let checkpoints = if checkpointer {
            "select num_timed + num_requested from pg_stat_checkpointer"
        } else {
            "select checkpoints_timed + checkpoints_req from pg_stat_bgwriter"
        };
        Ok(Self(format!(
            "select (select wal_bytes::float8 from pg_stat_wal), ({checkpoints})"
        )))
    }

    pub async fn sample(&self, pool: &PgPool) -> sqlx::Result<Sample> {
        let (wal, checkpoints) = sqlx::query_as(&self.0).fetch_one(pool).await?;
        Ok(Sample { wal, checkpoints })
    }
}

/// The WAL in MB and the checkpoints begun, in each minute between samples.
pub fn per_minute(samples: &[Sample]) -> Figure {
    let minutes: Vec<String> = samples
        .windows(2)
        .map(|pair| {
            let megabytes = (pair[1].wal - pair[0].wal) / 1e6;
            match pair[1].checkpoints - pair[0].checkpoints {
                0 => format!("{megabytes:.0}"),
                1 => format!("{megabytes:.0} (checkpoint)"),
                n => format!("{megabytes:.0} ({n} checkpoints)"),
            }
        })
        .collect();
    figure(
        "mixed load: the database's WAL in each minute, MB, and the checkpoints begun",
        minutes.join(", "),
        "–".into(),
        "–".into(),
        "",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_minute_shows_its_wal_and_the_checkpoints_begun_in_it() {
        let at = |wal: f64, checkpoints| Sample { wal, checkpoints };
        let samples = [at(0.0, 3), at(248e6, 3), at(503e6, 4), at(744e6, 6)];
        assert_eq!(
            per_minute(&samples).casus,
            "248, 255 (checkpoint), 241 (2 checkpoints)"
        );
    }
}
