//! The command line: `casus [command]`, configured by flags or the environment.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::database::Database;
use crate::{rebuild, serve};

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

    /// The address `casus serve` listens on.
    #[arg(
        long,
        env = "CASUS_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: std::net::SocketAddr,

    /// Without a command, Casus serves.
    #[command(subcommand)]
    pub command: Option<Commands>,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Apply the migrations, then serve HTTP and keep every view up to date until stopped (Ctrl-C).
    Serve,
    /// Apply the database migrations (the event store, reference data, views).
    Migrate,
    /// Rebuild a view (or all) from the whole log, while the live one keeps serving.
    Rebuild {
        /// The view: social_case_view, justice_case_view, case_plan, case_timeline or caseload.
        view: Option<String>,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let database = Database::open(self.database_url.as_deref(), &self.data_dir).await?;
        let outcome = async {
            let pool = database.migrated_pool().await?;
            match self.command.unwrap_or(Commands::Serve) {
                Commands::Serve => serve::run(pool, self.listen).await,
                Commands::Migrate => {
                    let applied: i64 =
                        sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
                            .fetch_one(&pool)
                            .await?;
                    println!("database is up to date ({applied} migrations applied)");
                    Ok(())
                }
                Commands::Rebuild { view } => rebuild::run(&pool, view.as_deref()).await,
            }
        }
        .await;
        let closed = database.close().await;
        outcome.and(closed)
    }
}
