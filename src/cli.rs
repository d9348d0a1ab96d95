//! The command line: `casus <command>`, configured by flags or the environment.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::database::Database;

#[derive(Debug, Parser)]
#[command(
    name = "casus",
    version,
    about = "Case management for the youth-crime prevention line Preventie met gezag"
)]
pub struct Cli {
    /// PostgreSQL to use. Without it, Casus runs a private cluster under the data directory.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where Casus keeps its local state (the private cluster in `postgres/`).
    #[arg(long, env = "CASUS_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Apply the database migrations (the event store and reference data).
    Migrate,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let database = Database::open(self.database_url.as_deref(), &self.data_dir).await?;
        let outcome = match self.command {
            Commands::Migrate => migrate(&database).await,
        };
        let closed = database.close().await;
        outcome.and(closed)
    }
}

async fn migrate(database: &Database) -> anyhow::Result<()> {
    use anyhow::Context;
    let pool = casus_store::connect(database.options.clone(), 2)
        .await
        .context("cannot connect to PostgreSQL")?;
    casus_store::migrate(&pool)
        .await
        .context("migration failed")?;
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    println!("database is up to date ({applied} migrations applied)");
    Ok(())
}
