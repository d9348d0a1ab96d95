//! `casus serve`: the HTTP API and the projectors, until Ctrl-C or SIGTERM.
//! `Server` is the same application started on a listener, for the tests.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use casus_api::{AppState, Authenticator, Settings};
use casus_projections::{views, Projector};
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use casus_store::CaseStore;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often answers kept for idempotency keys are checked for expiry.
const EXPIRY_CHECK: Duration = Duration::from_secs(60);

pub struct Options {
    pub auth: Authenticator,
    pub settings: Settings,
    /// Opens and seals personal data.
    pub keyring: Keyring,
    pub signer: Signer,
    /// Snapshot a case every this many events (0: never).
    pub snapshot_every: usize,
    /// Cases kept in memory between commands (0: none).
    pub case_cache: usize,
    /// How long answers to idempotent requests are kept.
    pub idempotency_keep: Duration,
    /// How many connections are served, and how long an idle one is kept.
    pub connections: crate::http::Limits,
    /// Where notifications to partners go besides the webhooks.
    pub notifying: Notifying,
}

/// Notifications to partners: webhooks always (they need only PostgreSQL),
/// NATS JetStream when configured.
#[derive(Clone, Debug)]
pub struct Notifying {
    pub settings: casus_notifications::Settings,
    /// NATS's URL and the stream to publish to.
    pub nats: Option<(String, String)>,
    /// Failed deliveries in a row after which a webhook stops at its dead letter.
    pub webhook_attempts: i32,
}

impl Default for Notifying {
    fn default() -> Self {
        Self {
            settings: casus_notifications::Settings::default(),
            nats: None,
            webhook_attempts: 10,
        }
    }
}

/// A running Casus: the API on a listener and one projector for every view.
pub struct Server {
    pub address: SocketAddr,
    stop: watch::Sender<bool>,
    http: JoinHandle<()>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    pub async fn start(
        pool: PgPool,
        listener: tokio::net::TcpListener,
        options: Options,
    ) -> anyhow::Result<Self> {
        let address = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let stopping = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        };
        let mut tasks = Vec::new();
        let views = views::all().into_iter().map(Arc::from).collect();
        let projector = Projector::of(pool.clone(), options.keyring.clone(), views);
        projector.register().await?;
        tasks.push(tokio::spawn(projector.run(stopping())));
        notify(&pool, &options.notifying, &stopping, &mut tasks).await?;
        tasks.push(tokio::spawn(expire_keys(
            pool.clone(),
            options.idempotency_keep,
            stopping(),
        )));
        let programme = casus_store::load_programme(&pool)
            .await
            .context("cannot load the programme's focus areas")?;
        let state = AppState {
            store: Arc::new(
                CaseStore::new(
                    pool.clone(),
                    options.keyring.clone(),
                    options.signer,
                    programme,
                    options.snapshot_every,
                )
                .with_cache(options.case_cache),
            ),
            workers: Arc::new(casus_api::Registry::new(pool.clone())),
            access_log: casus_api::AccessLog::start(pool.clone()),
            pool,
            auth: Arc::new(options.auth),
            keyring: options.keyring,
            settings: Arc::new(options.settings),
        };
        // The request head must come within the request timeout too.
        let head_timeout = state.settings.request_timeout;
        let app = casus_api::router(state);
        let http = tokio::spawn(crate::http::serve(
            listener,
            app,
            head_timeout,
            options.connections,
            stopping(),
        ));
        Ok(Self {
            address,
            stop,
            http,
            tasks,
        })
    }

    /// Stops taking requests, finishes those under way, and stops every
    /// projector at a checkpoint.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.stop.send(true)?;
        self.http.await?;
        for task in self.tasks {
            task.await?;
        }
        Ok(())
    }
}

/// Starts a publisher per notification target: NATS if configured, and
/// every webhook subscription.
async fn notify<S, F>(
    pool: &PgPool,
    notifying: &Notifying,
    stopping: &S,
    tasks: &mut Vec<JoinHandle<()>>,
) -> anyhow::Result<()>
where
    S: Fn() -> F,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    use casus_notifications::{nats::Nats, webhook, Publisher};
    match &notifying.nats {
        Some((url, stream)) => {
            let nats = Nats::connect(url, stream, notifying.settings.clone()).await?;
            let publisher = Publisher::new(pool.clone(), Arc::new(nats));
            publisher.register().await?;
            tracing::info!(%url, %stream, "notifications are published to NATS JetStream");
            tasks.push(tokio::spawn(publisher.run(stopping())));
        }
        None => {
            tracing::info!("NATS publishing is off (set CASUS_NATS_URL to publish notifications)")
        }
    }
    tasks.push(tokio::spawn(webhook::run_all(
        pool.clone(),
        notifying.settings.clone(),
        notifying.webhook_attempts,
        stopping(),
    )));
    Ok(())
}

pub async fn run(pool: PgPool, listen: SocketAddr, options: Options) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let server = Server::start(pool, listener, options).await?;
    tracing::info!(address = %server.address, "serving; stop with Ctrl-C");
    shutdown_signal().await;
    tracing::info!("stopping");
    server.stop().await
}

async fn expire_keys(
    pool: PgPool,
    keep: Duration,
    stopping: impl std::future::Future<Output = ()>,
) {
    let work = async {
        loop {
            match casus_store::idempotency::expire(&pool, keep).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(answers = n, "forgot expired idempotency keys"),
                Err(error) => tracing::warn!(%error, "cannot expire idempotency keys"),
            }
            tokio::time::sleep(EXPIRY_CHECK).await;
        }
    };
    tokio::select! {
        _ = stopping => {}
        _ = work => {}
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
