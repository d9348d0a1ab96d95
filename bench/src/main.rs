//! `casus-bench`: Casus's figures beside PostgreSQL's own on the same
//! machine and database, measured in one run, as a Markdown table of
//! ratios. Runs in a scratch database it creates and drops. A binary of its
//! own, so that the server's carries none of it.

mod baseline;
mod figures;
mod http;
mod measure;
mod mixed;
mod notify;
mod peer;
mod wal;
mod web;

use std::path::PathBuf;
use std::process::ExitCode;

use casus::database::Database;
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Measure Casus beside PostgreSQL's own limits on this machine.
#[derive(Debug, Parser)]
#[command(name = "casus-bench", version)]
struct Args {
    /// A smoke run (a few hundred cases, short runs): it must run, not meet targets.
    #[arg(long)]
    quick: bool,
    /// How many cases to seed (the full run: 40,000, about 1 M events).
    #[arg(long)]
    cases: Option<usize>,
    /// Seconds per throughput measurement.
    #[arg(long)]
    seconds: Option<u64>,
    /// Instead: a mixed load of writes and reads on one busy team for this many minutes
    /// (3,000 seeded cases unless --cases says otherwise).
    #[arg(long, value_name = "MINUTES", value_parser = clap::value_parser!(u64).range(1..=600))]
    mixed: Option<u64>,
    /// NATS with JetStream to measure notifications on; without it, a `nats-server -js` of the run's own.
    #[arg(long, env = "CASUS_NATS_URL")]
    nats_url: Option<String>,
    /// The PostgreSQL server to measure on (a scratch database is made there); without it, Casus's private cluster.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Where the private cluster lives.
    #[arg(long, env = "CASUS_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // The table is the output; the server's request logs would drown it.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("casus-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    // A scratch database of its own, with keys of its own: the server's
    // maintenance database is only where it is created from.
    let database = Database::open(args.database_url.as_deref(), &args.data_dir, true).await?;
    let runs = measure::Runs {
        quick: args.quick,
        cases: args.cases,
        seconds: args.seconds,
        mixed: args.mixed,
        nats_url: args.nats_url,
    };
    let outcome = measure::run(database.options().clone(), runs).await;
    let closed = database.close().await;
    outcome.and(closed)
}
