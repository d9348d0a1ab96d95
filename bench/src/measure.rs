//! The run: a scratch database, the measurements, the table; and what the
//! measurements share (clients in a loop, percentiles).

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context;
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// How much to measure.
pub struct Runs {
    pub quick: bool,
    pub cases: Option<usize>,
    pub seconds: Option<u64>,
    /// Only the mixed load, for this many minutes.
    pub mixed: Option<u64>,
    /// The NATS to measure notifications on (else one of the run's own).
    pub nats_url: Option<String>,
}

/// Throughput and latency of a measured run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rate {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Runs `concurrency` clients, each calling `call(client, n)` in a loop for
/// `run`; every call's latency counts.
pub async fn clients<F, Fut>(concurrency: usize, run: Duration, call: F) -> anyhow::Result<Rate>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Instant::now();
    let deadline = started + run;
    let tasks: Vec<_> = (0..concurrency)
        .map(|client| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut n = 0;
                while Instant::now() < deadline {
                    let began = Instant::now();
                    call(client, n).await?;
                    latencies.push(began.elapsed().as_secs_f64() * 1000.0);
                    n += 1;
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    Ok(Rate {
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    })
}

/// One line of the table.
pub struct Figure {
    pub what: String,
    pub casus: String,
    pub baseline: String,
    pub ratio: String,
    pub target: &'static str,
}

pub async fn run(server: PgConnectOptions, args: Runs) -> anyhow::Result<()> {
    let cases = args.cases.unwrap_or(match (args.mixed, args.quick) {
        (Some(_), _) => 3_000,
        (None, true) => 300,
        (None, false) => 40_000,
    });
    let seconds = Duration::from_secs(args.seconds.unwrap_or(if args.quick { 2 } else { 10 }));
    let name = format!("casus_bench_{}", std::process::id());
    let mut admin = server
        .connect()
        .await
        .context("cannot connect to PostgreSQL")?;
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await
        .context("cannot create the scratch database")?;
    let pool = casus_store::connect(server.clone().database(&name), 80).await?;
    let outcome = async {
        casus_store::migrate(&pool).await?;
        let (keyring, signer) = (Keyring::ephemeral(), Signer::ephemeral());
        match args.mixed {
            Some(minutes) => {
                let seeded = casus::seed::write(
                    &pool,
                    &keyring,
                    &signer,
                    cases,
                    1,
                    casus_store::clock::today(),
                )
                .await?;
                let mut figures = vec![crate::figures::figure(
                    format!("seed {cases} cases ({} events)", seeded.events),
                    "–".into(),
                    "–".into(),
                    "–".into(),
                    "",
                )];
                figures.extend(crate::mixed::mixed(&pool, &keyring, &signer, minutes).await?);
                Ok(figures)
            }
            None => {
                let nats = args.nats_url.clone();
                crate::figures::measure(&pool, &keyring, &signer, cases, seconds, nats).await
            }
        }
    }
    .await;
    pool.close().await;
    sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let figures = outcome?;
    println!("| figure | Casus | PostgreSQL baseline | ratio | target |");
    println!("|---|---:|---:|---:|---|");
    for f in figures {
        println!(
            "| {} | {} | {} | {} | {} |",
            f.what, f.casus, f.baseline, f.ratio, f.target
        );
    }
    Ok(())
}
