//! Which PostgreSQL Casus uses: the server in `DATABASE_URL`, or else the
//! private cluster under the data directory.

use std::path::Path;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::cluster::{Cluster, Durability};

/// The database Casus keeps its data in, inside the private cluster.
const DATABASE: &str = "casus";

/// A server's own databases, which Casus does not fill unless told to.
const MAINTENANCE: [&str; 3] = ["postgres", "template0", "template1"];

pub struct Database {
    options: PgConnectOptions,
    /// The private cluster, when Casus runs one.
    cluster: Option<Cluster>,
}

impl Database {
    /// The database of `database_url`, or the private cluster's. A server's
    /// maintenance and template databases are refused unless `allow_maintenance`.
    pub async fn open(
        database_url: Option<&str>,
        data_dir: &Path,
        allow_maintenance: bool,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        if let Some(url) = database_url {
            let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
            anyhow::ensure!(
                postgres,
                "DATABASE_URL is not a valid PostgreSQL URL: it must start with postgres:// or postgresql://"
            );
            let options: PgConnectOptions = url
                .parse()
                .context("DATABASE_URL is not a valid PostgreSQL URL")?;
            let name = options.get_database().unwrap_or(options.get_username());
            anyhow::ensure!(
                allow_maintenance || !MAINTENANCE.contains(&name),
                "DATABASE_URL names the database `{name}`, the server's own: create one for Casus \
                 (e.g. `createdb casus`) and name it, or pass --allow-maintenance-database"
            );
            return Ok(Self {
                options,
                cluster: None,
            });
        }
        let dir = data_dir.join("postgres");
        let cluster =
            tokio::task::spawn_blocking(move || Cluster::start(&dir, Durability::Durable))
                .await?
                .context("cannot start the private PostgreSQL cluster")?;
        tracing::info!(url = %cluster.url(DATABASE), "using the private PostgreSQL cluster");
        create_database(&cluster).await?;
        Ok(Self {
            options: cluster.connect_options(DATABASE),
            cluster: Some(cluster),
        })
    }

    /// How to reach the database.
    pub fn options(&self) -> &PgConnectOptions {
        &self.options
    }

    /// Where the database is, for messages: host and port (or socket) and name.
    fn describe(&self) -> String {
        let options = &self.options;
        let place = match options.get_socket() {
            Some(socket) => socket.display().to_string(),
            None => format!("{}:{}", options.get_host(), options.get_port()),
        };
        let database = options.get_database().unwrap_or(options.get_username());
        format!("{place}, database {database}")
    }

    /// A pool on the database, with every migration applied.
    pub async fn migrated_pool(&self) -> anyhow::Result<sqlx::PgPool> {
        use anyhow::Context;
        // One connection first: a pool reports only that it timed out, not why.
        self.options
            .connect()
            .await
            .map_err(|error| {
                anyhow::anyhow!(
                    "cannot connect to PostgreSQL at {}: {}",
                    self.describe(),
                    deepest(&error)
                )
            })?
            .close()
            .await?;
        let pool = casus_store::connect(self.options.clone(), 16)
            .await
            .context("cannot connect to PostgreSQL")?;
        casus_store::migrate(&pool)
            .await
            .context("migration failed")?;
        Ok(pool)
    }

    /// Leaves the private cluster: stopped if no other `casus` uses it.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Some(cluster) = self.cluster {
            tokio::task::spawn_blocking(move || cluster.leave()).await??;
        }
        Ok(())
    }
}

async fn create_database(cluster: &Cluster) -> anyhow::Result<()> {
    let mut admin = cluster.connect_options("postgres").connect().await?;
    let exists: bool =
        sqlx::query_scalar("select exists (select from pg_database where datname = $1)")
            .bind(DATABASE)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        sqlx::query(&format!("create database {DATABASE}"))
            .execute(&mut admin)
            .await?;
    }
    admin.close().await?;
    Ok(())
}

/// The innermost cause of `error`: sqlx wraps an I/O error and repeats it.
fn deepest(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
