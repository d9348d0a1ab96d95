//! The command line: `casus [command]`, configured by flags or the environment.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use casus_api::auth::dev::{self, DevKey};
use casus_api::auth::KeySource;
use casus_api::{Authenticator, Settings, WebSettings};
use casus_store::privacy::check_master_key;
use clap::{Parser, Subcommand, ValueEnum};

use crate::database::Database;
use crate::{audit, privacy, rebuild, retention, seed, serve, token};

#[derive(Debug, Parser)]
#[command(
    name = "casus",
    version,
    about = "Case management for the youth-crime prevention line Preventie met gezag"
)]
pub struct Cli {
    /// PostgreSQL to use. Without it, Casus runs a private cluster under the data directory.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        help_heading = "Global options"
    )]
    pub database_url: Option<String>,

    /// Let DATABASE_URL name the server's maintenance or template database (`postgres`,
    /// `template0`, `template1`), which Casus otherwise refuses to fill with its tables.
    #[arg(
        long,
        env = "CASUS_ALLOW_MAINTENANCE_DATABASE",
        global = true,
        help_heading = "Global options"
    )]
    pub allow_maintenance_database: bool,

    /// Where Casus keeps its local state (the private cluster in `postgres/`, the development key).
    #[arg(
        long,
        env = "CASUS_DATA_DIR",
        default_value = "data",
        global = true,
        help_heading = "Global options"
    )]
    pub data_dir: PathBuf,

    /// `production` refuses development mode (tokens signed by Casus itself).
    #[arg(
        long,
        env = "CASUS_ENV",
        value_enum,
        default_value = "development",
        global = true,
        help_heading = "Global options"
    )]
    pub env: Environment,

    /// The file with the Ed25519 key (64 hex characters) that signs every event and snapshot Casus
    /// writes, and audit receipts; the database never holds it. In development, made on first use.
    #[arg(
        long,
        env = "CASUS_AUDIT_KEY",
        global = true,
        help_heading = "Global options"
    )]
    pub audit_key: Option<PathBuf>,

    /// The file with the master key (64 hex characters) that wraps every young person's data key.
    /// In development, made under the data directory on first use.
    #[arg(
        long,
        env = "CASUS_MASTER_KEY",
        global = true,
        help_heading = "Global options"
    )]
    pub master_key: Option<PathBuf>,

    /// Log lines as text or as JSON.
    #[arg(
        long,
        env = "CASUS_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true,
        help_heading = "Global options"
    )]
    pub log_format: LogFormat,

    /// The server's options, for `casus` without a command.
    #[command(flatten, next_help_heading = "Server options")]
    pub serve: ServeArgs,

    /// Without a command, Casus serves.
    #[command(subcommand)]
    pub command: Option<Commands>,
}

impl ServeArgs {
    /// The identity provider of the web interface's login, if configured.
    fn oidc(&self) -> anyhow::Result<Option<std::sync::Arc<casus_api::OidcProvider>>> {
        let (Some(issuer), Some(client_id), Some(client_secret), Some(redirect_url)) = (
            self.oidc_issuer.clone(),
            self.oidc_client_id.clone(),
            self.oidc_client_secret.clone(),
            self.oidc_redirect_url.clone(),
        ) else {
            return Ok(None);
        };
        let settings = casus_api::OidcSettings {
            issuer,
            client_id,
            client_secret,
            redirect_url,
        };
        let provider = casus_api::OidcProvider::new(settings).map_err(anyhow::Error::msg)?;
        Ok(Some(std::sync::Arc::new(provider)))
    }
}

/// What `casus serve` alone takes (the other commands do not list them).
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// The address `casus serve` listens on.
    #[arg(long, env = "CASUS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,

    /// The identity provider's keys: a JWKS file or an http(s) URL. Without it, development mode.
    #[arg(long, env = "CASUS_JWKS")]
    pub jwks: Option<String>,

    /// The issuer tokens must name (required with --jwks).
    #[arg(long, env = "CASUS_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// The audience tokens must name.
    #[arg(long, env = "CASUS_JWT_AUDIENCE", default_value = "casus")]
    pub jwt_audience: String,

    /// The web interface's login: the identity provider's issuer URL (OpenID Connect).
    #[arg(long, env = "CASUS_OIDC_ISSUER", requires_all = ["oidc_client_id", "oidc_client_secret", "oidc_redirect_url"])]
    pub oidc_issuer: Option<String>,

    /// Casus's client id at the identity provider.
    #[arg(long, env = "CASUS_OIDC_CLIENT_ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,

    /// Casus's client secret at the identity provider.
    #[arg(
        long,
        env = "CASUS_OIDC_CLIENT_SECRET",
        requires = "oidc_issuer",
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<String>,

    /// Where the provider sends the browser back: Casus's address + `/inloggen/oidc`.
    #[arg(long, env = "CASUS_OIDC_REDIRECT_URL", requires = "oidc_issuer")]
    pub oidc_redirect_url: Option<String>,

    /// Snapshot a case every this many events (0: never).
    #[arg(long, env = "CASUS_SNAPSHOT_EVERY", default_value_t = 50)]
    pub snapshot_every: usize,

    /// Cases kept in memory between commands, the least recently used dropped first (0: none).
    #[arg(long, env = "CASUS_CASE_CACHE", default_value_t = 10_000)]
    pub case_cache: usize,

    /// How long answers to requests with an Idempotency-Key are kept, in hours.
    #[arg(long, env = "CASUS_IDEMPOTENCY_HOURS", default_value_t = 24)]
    pub idempotency_hours: u64,

    /// Requests that take longer (in seconds) are answered 408.
    #[arg(long, env = "CASUS_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,

    /// Connections served at once, in all; a few more answer only `/health`.
    #[arg(long, env = "CASUS_MAX_CONNECTIONS", default_value_t = 1_000)]
    pub max_connections: usize,

    /// Connections served at once from one client address.
    #[arg(long, env = "CASUS_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 100)]
    pub max_connections_per_address: usize,

    /// Seconds a connection may carry no bytes before it is closed (at least the request timeout and 5 s).
    #[arg(long, env = "CASUS_IDLE_TIMEOUT", default_value_t = 60)]
    pub idle_timeout: u64,

    /// Programme statistics suppress counts from 1 to one under this (and what would give them away).
    #[arg(long, env = "CASUS_STATS_THRESHOLD", default_value_t = 5)]
    pub stats_threshold: i64,

    /// NATS with JetStream to publish partner notifications to (e.g. nats://127.0.0.1:4222); without it, NATS publishing is off.
    #[arg(long, env = "CASUS_NATS_URL")]
    pub nats_url: Option<String>,

    /// The JetStream stream notifications are published to (made if absent).
    #[arg(long, env = "CASUS_NATS_STREAM", default_value = "CASUS")]
    pub nats_stream: String,

    /// The `source` of every notification: a URN naming this deployment (e.g. with the municipality's OIN).
    #[arg(
        long,
        env = "CASUS_NOTIFY_SOURCE",
        default_value = "urn:nld:casus:ontwikkeling"
    )]
    pub notify_source: String,

    /// Where partners reach this API, for the notifications' `dataref`.
    #[arg(long, env = "CASUS_PUBLIC_URL", default_value = "http://localhost:8080", value_parser = web_page)]
    pub public_url: String,

    /// Failed deliveries in a row after which a webhook subscription stops at its dead letter.
    #[arg(long, env = "CASUS_WEBHOOK_ATTEMPTS", default_value_t = 10, value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub webhook_attempts: i32,

    /// Who answers questions about this deployment's API: a name, in the OpenAPI document's contact.
    #[arg(long, env = "CASUS_API_CONTACT_NAME", requires_all = ["contact_email", "contact_url"])]
    pub contact_name: Option<String>,

    /// Their email address (with --contact-name).
    #[arg(long, env = "CASUS_API_CONTACT_EMAIL", requires = "contact_name", value_parser = email_address)]
    pub contact_email: Option<String>,

    /// Their web page, http(s) (with --contact-name).
    #[arg(long, env = "CASUS_API_CONTACT_URL", requires = "contact_name", value_parser = web_page)]
    pub contact_url: Option<String>,
}

impl ServeArgs {
    fn notifying(&self) -> serve::Notifying {
        serve::Notifying {
            settings: casus_notifications::Settings {
                source: self.notify_source.clone(),
                api_url: self.public_url.clone(),
            },
            nats: self
                .nats_url
                .clone()
                .map(|url| (url, self.nats_stream.clone())),
            webhook_attempts: self.webhook_attempts,
        }
    }

    fn contact(&self) -> Option<casus_api::Contact> {
        Some(casus_api::Contact {
            name: self.contact_name.clone()?,
            email: self.contact_email.clone()?,
            url: self.contact_url.clone()?,
        })
    }
}

/// An address with one `@` between two non-empty parts, and no spaces.
fn email_address(value: &str) -> Result<String, String> {
    match value.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !value.chars().any(char::is_whitespace) =>
        {
            Ok(value.to_owned())
        }
        _ => Err("not an email address (name@example.nl)".into()),
    }
}

/// An absolute http(s) URL.
fn web_page(value: &str) -> Result<String, String> {
    match url::Url::parse(value) {
        Ok(url) if ["http", "https"].contains(&url.scheme()) => Ok(value.to_owned()),
        _ => Err("not an http(s) URL (https://example.nl/api)".into()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Apply the migrations, then serve HTTP and keep every view up to date until stopped (Ctrl-C).
    Serve(Box<ServeArgs>),
    /// Apply the database migrations (the event store, reference data, views).
    Migrate,
    /// Rebuild a view (or all) from the whole log, while the live one keeps serving.
    Rebuild {
        /// The view: social_case_view, justice_case_view, case_plan, case_timeline, caseload or statistics.
        view: Option<String>,
    },
    /// Print a development token (signed with the key under the data directory).
    Token(token::TokenArgs),
    /// Recompute every case's hash chain; make or check a signed receipt.
    Verify(audit::VerifyArgs),
    /// Write realistic programme data: N cases over the 19 municipalities, reproducible from a seed.
    Seed {
        /// How many cases.
        #[arg(long)]
        cases: usize,
        /// The random seed; the same seed (and day) gives the same cases.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the cases stand on (default: today): open cases have recent contacts
        /// and reviews due around it.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::words::date)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Wrap every data key with a new master key (stop every Casus first; restart them with the new key).
    RotateMasterKey {
        /// The file with the new master key (64 hexadecimal characters).
        #[arg(long)]
        to: PathBuf,
    },
    /// Erase the young people whose cases have all been closed longer than their retention period.
    Retention(retention::RetentionArgs),
    /// Notifications to partners: where each target stands, a replay, the dead letters.
    #[command(subcommand)]
    Notifications(crate::notifications::NotificationsCommand),
    /// Print one case as a self-contained JSON document for an inquiry.
    Export {
        /// The case id.
        #[arg(long)]
        case: String,
        /// Why you export it (e.g. the inquiry's reference), for the access log.
        #[arg(long)]
        reason: String,
        /// Who exports it, for the access log (default: the operating-system user).
        #[arg(long = "as", value_name = "NAME")]
        operator: Option<String>,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let production = self.env == Environment::Production;
        let command = self
            .command
            .unwrap_or(Commands::Serve(Box::new(self.serve)));
        if let Commands::Token(args) = command {
            return token::run(args, &self.data_dir, production);
        }
        // Check the configuration before starting anything.
        let auth = match &command {
            Commands::Serve(args) => Some(
                authenticator(
                    args.jwks.as_deref(),
                    args.jwt_issuer.clone(),
                    args.jwt_audience.clone(),
                    &self.data_dir,
                    production,
                )
                .await?,
            ),
            _ => None,
        };
        let master_key =
            privacy::master_key_file(self.master_key.as_deref(), &self.data_dir, production)?;
        let audit_key =
            audit::audit_key_file(self.audit_key.as_deref(), &self.data_dir, production)?;
        let database = Database::open(
            self.database_url.as_deref(),
            &self.data_dir,
            self.allow_maintenance_database,
        )
        .await?;
        let outcome = async {
            let pool = database.migrated_pool().await?;
            // Made (in development) only now that they are needed.
            let keyring = privacy::keyring(&master_key)?;
            let signer = audit::signer(&audit_key)?;
            check_master_key(&pool, &keyring).await.context(
                "CASUS_MASTER_KEY is not the key the stored data keys were wrapped with",
            )?;
            match command {
                Commands::Serve(args) => {
                    let oidc = args.oidc()?;
                    privacy::index_young_people(&pool, &keyring).await?;
                    let options = serve::Options {
                        auth: auth.expect("made above"),
                        settings: Settings {
                            request_timeout: Duration::from_secs(args.request_timeout),
                            stats_threshold: args.stats_threshold,
                            contact: args.contact(),
                            // The demo login goes with development mode (no
                            // identity provider), which production refuses.
                            web: WebSettings {
                                demo_login: args.jwks.is_none() && oidc.is_none(),
                                oidc,
                                secure_cookies: production,
                            },
                            ..Settings::default()
                        },
                        keyring,
                        signer,
                        snapshot_every: args.snapshot_every,
                        case_cache: args.case_cache,
                        idempotency_keep: Duration::from_secs(args.idempotency_hours * 3600),
                        notifying: args.notifying(),
                        connections: crate::http::Limits {
                            total: args.max_connections,
                            per_address: args.max_connections_per_address,
                            idle: Duration::from_secs(args.idle_timeout),
                            ..crate::http::Limits::default()
                        },
                    };
                    serve::run(pool, args.listen, options).await
                }
                Commands::Migrate => {
                    let applied: i64 =
                        sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
                            .fetch_one(&pool)
                            .await?;
                    println!("database is up to date ({applied} migrations applied)");
                    Ok(())
                }
                Commands::Rebuild { view } => rebuild::run(&pool, &keyring, view.as_deref()).await,
                Commands::Verify(args) => audit::verify(&pool, args, &signer).await,
                Commands::RotateMasterKey { to } => privacy::rotate(&pool, &keyring, &to).await,
                Commands::Retention(args) => retention::run(&pool, &keyring, &signer, args).await,
                Commands::Export {
                    case,
                    reason,
                    operator,
                } => {
                    let operator = operator
                        .or_else(|| std::env::var("USER").ok())
                        .or_else(|| std::env::var("LOGNAME").ok())
                        .filter(|name| !name.trim().is_empty());
                    let Some(operator) = operator else {
                        anyhow::bail!("name who exports the case with --as (no USER is set)");
                    };
                    anyhow::ensure!(!reason.trim().is_empty(), "give the reason with --reason");
                    audit::export(&pool, &keyring, &signer, &case, &operator, &reason).await
                }
                Commands::Notifications(command) => crate::notifications::run(&pool, command).await,
                Commands::Seed { cases, seed, as_of } => {
                    seed::run(&pool, &keyring, &signer, cases, seed, as_of).await
                }
                Commands::Token(_) => unreachable!("handled above"),
            }
        }
        .await;
        let closed = database.close().await;
        outcome.and(closed)
    }
}

/// The identity provider's keys, or in development the key Casus makes.
async fn authenticator(
    jwks: Option<&str>,
    issuer: Option<String>,
    audience: String,
    data_dir: &std::path::Path,
    production: bool,
) -> anyhow::Result<Authenticator> {
    if let Some(jwks) = jwks {
        let issuer = issuer.context("CASUS_JWT_ISSUER is required with CASUS_JWKS")?;
        let keys = KeySource::jwks(jwks).await?;
        tracing::info!(%issuer, %audience, "tokens are checked against the identity provider's keys");
        return Ok(Authenticator::new(keys, issuer, audience));
    }
    anyhow::ensure!(
        !production,
        "CASUS_ENV=production needs an identity provider: set CASUS_JWKS and CASUS_JWT_ISSUER"
    );
    let key = DevKey::load_or_create(data_dir)?;
    tracing::warn!(
        key = %DevKey::path(data_dir).display(),
        "DEVELOPMENT MODE: Casus accepts tokens signed with its own development key \
         (make one with `casus token`). Never use this with real cases: set CASUS_JWKS \
         and CASUS_JWT_ISSUER, and CASUS_ENV=production."
    );
    Ok(Authenticator::new(
        key.key_source(),
        dev::ISSUER,
        dev::AUDIENCE,
    ))
}
