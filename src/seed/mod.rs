//! `casus seed --cases N`: realistic programme data, reproducible from a
//! seed. Each case's commands are decided by the domain itself (so every
//! event is one the rules accept) and the events are written in large
//! batches through the same insert, event format and hash chain as real
//! writes. The views catch up when `casus` serves, or with `casus rebuild`.

mod script;

use std::time::Instant;

use anyhow::Context;
use casus_domain::{CaseEvent, CaseId, Command, YouthCase};
use casus_store::Metadata;
use cqrs_es::{Aggregate, DomainEvent};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sqlx::PgPool;

/// How many cases one insert statement carries.
const BATCH: usize = 250;

const INSERT: &str = "
insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
select $1, e.aggregate_id, e.sequence, e.event_type, e.event_version, e.payload, e.metadata
  from unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[])
       as e(aggregate_id, sequence, event_type, event_version, payload, metadata)";

#[derive(Default)]
pub struct Batch {
    ids: Vec<String>,
    sequences: Vec<i64>,
    types: Vec<String>,
    versions: Vec<String>,
    payloads: Vec<serde_json::Value>,
    metadata: Vec<serde_json::Value>,
}

impl Batch {
    pub fn push(
        &mut self,
        case: CaseId,
        sequence: u64,
        event: &CaseEvent,
        metadata: &Metadata,
    ) -> anyhow::Result<()> {
        self.ids.push(case.to_string());
        self.sequences.push(sequence as i64);
        self.types.push(event.event_type());
        self.versions.push(event.event_version());
        self.payloads.push(serde_json::to_value(event)?);
        self.metadata.push(serde_json::to_value(metadata.to_map())?);
        Ok(())
    }

    pub async fn write(self, pool: &PgPool) -> anyhow::Result<()> {
        sqlx::query(INSERT)
            .bind(YouthCase::TYPE)
            .bind(&self.ids)
            .bind(&self.sequences)
            .bind(&self.types)
            .bind(&self.versions)
            .bind(&self.payloads)
            .bind(&self.metadata)
            .execute(pool)
            .await
            .context("cannot write seeded events")?;
        Ok(())
    }
}

/// Seeds `cases` cases from `seed`; prints how many events and how fast.
pub async fn run(pool: &PgPool, cases: usize, seed: u64) -> anyhow::Result<()> {
    let (events, seconds) = write(pool, cases, seed).await?;
    println!(
        "seeded {cases} cases, {events} events in {seconds:.1} s ({:.0} events/s); \
         the views catch up when casus serves, or run `casus rebuild`",
        events as f64 / seconds
    );
    Ok(())
}

/// Writes the cases with a progress bar; answers the events written and the seconds taken.
pub async fn write(pool: &PgPool, cases: usize, seed: u64) -> anyhow::Result<(u64, f64)> {
    let programme = casus_store::load_programme(pool).await?;
    let mut rng = StdRng::seed_from_u64(seed);
    let bar = ProgressBar::new(cases as u64).with_style(
        ProgressStyle::with_template("seed {bar:40} {pos}/{len} cases, {msg} ({per_sec})")
            .expect("a valid template"),
    );
    let started = Instant::now();
    let mut events = 0_u64;
    let mut pending: Option<tokio::task::JoinHandle<anyhow::Result<()>>> = None;
    let mut done = 0;
    while done < cases {
        let mut batch = Batch::default();
        for _ in 0..BATCH.min(cases - done) {
            let case = CaseId::new();
            let mut state = YouthCase::default();
            for (action, metadata) in script::case(&mut rng, &programme) {
                let Ok(decided) = state.decide(Command::new(action), &programme) else {
                    continue;
                };
                for event in decided {
                    batch.push(case, state.version() + 1, &event, &metadata)?;
                    state.apply(event);
                    events += 1;
                }
            }
            done += 1;
        }
        // Write one batch while the next is made.
        if let Some(previous) = pending.take() {
            previous.await??;
        }
        let pool = pool.clone();
        pending = Some(tokio::spawn(async move { batch.write(&pool).await }));
        bar.set_position(done as u64);
        bar.set_message(format!("{events} events"));
    }
    if let Some(last) = pending {
        last.await??;
    }
    // A million fresh rows without statistics: the projectors' queries on
    // `events` would scan it whole until autovacuum got round to it.
    sqlx::query("analyze events").execute(pool).await?;
    bar.finish_and_clear();
    Ok((events, started.elapsed().as_secs_f64()))
}
