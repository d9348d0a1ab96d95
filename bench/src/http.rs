//! Commands through Casus's HTTP API, served for the run, and the
//! projection lag they leave.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casus_api::auth::dev::{self, DevKey};
use casus_api::auth::Claims;
use casus_api::{Authenticator, Settings};
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use serde_json::json;
use sqlx::PgPool;

use crate::figures::{figure, ratio};
use crate::measure::{clients, percentile, Figure, Rate};
use casus::serve::{Notifying, Options, Server};

/// Commands through the HTTP API at 1, 16 and 64 clients, and the
/// projection lag at half the 16-client rate.
pub async fn http(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    run: Duration,
    append_1: Rate,
    append_16: Rate,
) -> anyhow::Result<(Vec<Figure>, Rate, Rate)> {
    let served = Served::start(pool, keyring, signer).await?;
    let (base, token, client) = (
        served.base.clone(),
        served.token("case_worker"),
        served.client.clone(),
    );
    let cases = served.open_cases(&token, 64).await?;
    let cases = Arc::new(cases);
    let contact = |pace: Option<Duration>| {
        let (client, token, base, cases) =
            (client.clone(), token.clone(), base.clone(), cases.clone());
        move |n: usize, _: usize| {
            let (client, token, base, cases) =
                (client.clone(), token.clone(), base.clone(), cases.clone());
            async move {
                let began = Instant::now();
                client
                    .post(format!("{base}/cases/{}/contacts", cases[n]))
                    .bearer_auth(&token)
                    .json(&json!({ "kind": "phone", "with_whom": ["youth"], "contacted_on": "2026-11-03",
                                   "summary": "talked about school attendance" }))
                    .send()
                    .await?
                    .error_for_status()?;
                if let Some(pace) = pace {
                    tokio::time::sleep(pace.saturating_sub(began.elapsed())).await;
                }
                anyhow::Ok(())
            }
        }
    };
    let mut figures = Vec::new();
    let mut at_16 = Rate::default();
    let mut at_1 = Rate::default();
    let mut peak_mib = 0.0;
    for (concurrency, baseline) in [(1, append_1), (16, append_16), (64, append_16)] {
        let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let watching = {
            let peak = peak.clone();
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(
                        crate::figures::rss_kib(),
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        // A profiler can be attached for this phase (docs/performance.md).
        tracing::info!(concurrency, "commands through HTTP: started");
        let rate = clients(concurrency, run, contact(None)).await?;
        tracing::info!(concurrency, "commands through HTTP: done");
        watching.abort();
        if concurrency == 16 {
            peak_mib = peak.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0;
        }
        if concurrency == 16 {
            at_16 = rate;
        }
        if concurrency == 1 {
            at_1 = rate;
        }
        figures.push(figure(
            format!("commands/s through HTTP, {concurrency} clients (p50 / p99 ms)"),
            format!(
                "{:.0} ({:.1} / {:.1})",
                rate.per_second, rate.p50_ms, rate.p99_ms
            ),
            format!(
                "{:.0} (b) at {} clients",
                baseline.per_second,
                concurrency.min(16)
            ),
            ratio(rate.per_second, baseline.per_second),
            if concurrency == 16 {
                "≥ 0.7 (stretch ≥ 1.0)"
            } else {
                ""
            },
        ));
    }
    figures.push(figure(
        "peak RSS of the process (the server and its clients) under 16-client commands, MiB",
        format!("{peak_mib:.0}"),
        "–".into(),
        "–".into(),
        "",
    ));
    // Half capacity: 16 clients, each at 1/16 of half the 16-client rate.
    let pace = Duration::from_secs_f64(16.0 / (at_16.per_second / 2.0).max(1.0));
    let sampling = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut lags = Vec::new();
            let deadline = Instant::now() + run;
            while Instant::now() < deadline {
                let lag: Option<i64> =
                    sqlx::query_scalar("select max(lag_ms) from projection_checkpoints")
                        .fetch_one(&pool)
                        .await
                        .unwrap_or(None);
                lags.extend(lag.map(|l| l as f64));
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            lags
        })
    };
    let paced = clients(16, run, contact(Some(pace))).await?;
    let mut lags = sampling.await?;
    lags.sort_by(f64::total_cmp);
    figures.push(figure(
        format!(
            "projection lag at half capacity ({:.0} commands/s), p50 / p99 ms",
            paced.per_second
        ),
        format!(
            "{:.0} / {:.0}",
            percentile(&lags, 0.5),
            percentile(&lags, 0.99)
        ),
        "–".into(),
        "–".into(),
        "p99 < 50 ms",
    ));
    served.server.stop().await?;
    Ok((figures, at_1, at_16))
}

/// Casus served for a run, in this process, with a development key of its own.
pub struct Served {
    pub server: Server,
    /// Where the API begins, `http://…/api/v1`.
    pub base: String,
    pub client: reqwest::Client,
    key: DevKey,
    _dir: tempfile::TempDir,
}

impl Served {
    pub async fn start(pool: &PgPool, keyring: &Keyring, signer: &Signer) -> anyhow::Result<Self> {
        Self::start_with(pool, keyring, signer, Settings::default()).await
    }

    pub async fn start_with(
        pool: &PgPool,
        keyring: &Keyring,
        signer: &Signer,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        Self::start_full(pool, keyring, signer, settings, Notifying::default()).await
    }

    /// Served, publishing notifications to NATS at `url` (its own stream).
    pub async fn start_notifying(
        pool: &PgPool,
        keyring: &Keyring,
        signer: &Signer,
        url: &str,
    ) -> anyhow::Result<Self> {
        let notifying = Notifying {
            nats: Some((url.to_owned(), "CASUS_BENCH".to_owned())),
            ..Notifying::default()
        };
        Self::start_full(pool, keyring, signer, Settings::default(), notifying).await
    }

    async fn start_full(
        pool: &PgPool,
        keyring: &Keyring,
        signer: &Signer,
        settings: Settings,
        notifying: Notifying,
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let key = DevKey::load_or_create(dir.path())?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let server = Server::start(
            pool.clone(),
            listener,
            Options {
                auth: Authenticator::new(key.key_source(), dev::ISSUER, dev::AUDIENCE),
                settings,
                keyring: keyring.clone(),
                signer: signer.clone(),
                snapshot_every: 50,
                case_cache: 10_000,
                idempotency_keep: Duration::from_secs(3600),
                connections: casus::http::Limits::default(),
                notifying,
            },
        )
        .await?;
        let base = format!("http://{}/api/v1", server.address);
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(128)
            .build()?;
        Ok(Self {
            server,
            base,
            client,
            key,
            _dir: dir,
        })
    }

    /// A token with these claims, signed with the run's key.
    pub fn sign(&self, claims: &Claims) -> String {
        self.key.sign(claims)
    }

    /// A token of team `bench-1` of Rotterdam's own organisation, in `role`.
    pub fn token(&self, role: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.sign(&Claims {
            sub: format!("bench-{role}"),
            name: "Bench".into(),
            org: "gemeente-rotterdam".into(),
            domain: "social".into(),
            roles: vec![role.into()],
            municipality: Some("GM0599".into()),
            team: Some("bench-1".into()),
            iss: dev::ISSUER.into(),
            aud: dev::AUDIENCE.into(),
            exp: now + 24 * 3600,
            nbf: Some(now - 5),
            iat: Some(now),
        })
    }

    /// Opens `n` cases in team `bench-1`; answers their ids.
    pub async fn open_cases(&self, token: &str, n: usize) -> anyhow::Result<Vec<String>> {
        let mut cases = Vec::new();
        for _ in 0..n {
            let opened: serde_json::Value = self
                .client
                .post(format!("{}/cases", self.base))
                .bearer_auth(token)
                .json(&json!({
                    "subject": { "name": "Bench Case", "date_of_birth": "2010-01-01" },
                    "focus_area": "rotterdam-zuid", "referred_by": "politie", "reason": "bench",
                    "goal": "bench", "referred_on": "2026-11-02" }))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            cases.push(opened["case_id"].as_str().unwrap_or_default().to_owned());
        }
        Ok(cases)
    }
}
