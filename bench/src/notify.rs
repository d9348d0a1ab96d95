//! Notifications in the bench: how fast the publisher drains a backlog to
//! NATS JetStream beside a raw `async-nats` publish loop of the same
//! messages (baseline n), and how long a notification takes from its
//! event's commit to a subscriber while commands run at half capacity.
//! The broker is a `nats-server -js` of the run's own (or `CASUS_NATS_URL`).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, context::Publish};
use casus_notifications::nats::Nats;
use casus_notifications::{Publisher, Settings};
use casus_store::audit::signature::Signer;
use casus_store::privacy::Keyring;
use futures::StreamExt;
use serde_json::json;
use sqlx::PgPool;

use crate::figures::{figure, ratio};
use crate::http::Served;
use crate::measure::{clients, percentile, Figure, Rate};

/// A NATS server for the run: the one named, or one of its own.
struct Broker {
    url: String,
    own: Option<(Child, tempfile::TempDir)>,
}

impl Broker {
    async fn start(url: Option<String>) -> anyhow::Result<Self> {
        if let Some(url) = url {
            return Ok(Self { url, own: None });
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let dir = tempfile::tempdir()?;
        let binary = ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server"]
            .into_iter()
            .find(|b| Command::new(b).arg("--version").output().is_ok())
            .ok_or_else(|| anyhow::anyhow!("no nats-server to measure notifications with (install nats-server, or set CASUS_NATS_URL)"))?;
        let child = Command::new(binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            own: Some((child, dir)),
        })
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some((child, _)) = &mut self.own {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub async fn measure(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    run: Duration,
    at_16: Rate,
    ordered: f64,
    nats_url: Option<String>,
) -> anyhow::Result<Vec<Figure>> {
    let broker = Broker::start(nats_url).await?;
    let mut figures = Vec::new();

    // The publisher draining the seeded log from its first event.
    let nats = Nats::connect(&broker.url, "CASUS_BENCH", Settings::default()).await?;
    let publisher = Publisher::new(pool.clone(), Arc::new(nats)).with_batch_size(500);
    publisher.register().await?;
    casus_notifications::status::replay_from(pool, "nats", 1).await?;
    let started = Instant::now();
    publisher.catch_up().await?;
    let seconds = started.elapsed().as_secs_f64();
    let delivered: i64 =
        sqlx::query_scalar("select delivered from notification_targets where target = 'nats'")
            .fetch_one(pool)
            .await?;
    let drained = delivered as f64 / seconds;
    let events: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(pool)
        .await?;

    // Baseline (n): the same number of messages of the same size, published
    // with message ids and every acknowledgement awaited, 500 at a time.
    let raw = raw_publish(&broker.url, delivered.max(1000) as usize).await?;
    figures.push(figure(
        format!("notifications/s to NATS JetStream, draining the seeded log ({delivered})"),
        format!("{drained:.0}"),
        format!("{raw:.0} (n) raw async-nats publish"),
        ratio(drained, raw),
        "≥ 0.5",
    ));
    // What bounds it: every event is read (and folded) to find the few that
    // make a notification.
    figures.push(figure(
        "publisher: events read/s while draining (one notification per ~N events)",
        format!(
            "{:.0} (N = {:.1})",
            events as f64 / seconds,
            events as f64 / delivered.max(1) as f64
        ),
        format!("{ordered:.0} (c) ordered read"),
        ratio(events as f64 / seconds, ordered),
        "",
    ));

    // Commit to delivery while referrals (each one notification) run at half
    // the 16-client command rate.
    let served = Served::start_notifying(pool, keyring, signer, &broker.url).await?;
    let client = async_nats::connect(&broker.url).await?;
    let mut subscription = client.subscribe("casus.*.gemeente.casus-aangemeld").await?;
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let collecting = {
        let latencies = latencies.clone();
        tokio::spawn(async move {
            while let Some(message) = subscription.next().await {
                let received = chrono::Utc::now();
                let Ok(event) = serde_json::from_slice::<serde_json::Value>(&message.payload)
                else {
                    continue;
                };
                let time = event["time"].as_str().unwrap_or_default();
                if let Ok(committed) = chrono::DateTime::parse_from_rfc3339(time) {
                    let waited = received - committed.with_timezone(&chrono::Utc);
                    let ms = waited.num_microseconds().unwrap_or(0) as f64 / 1000.0;
                    latencies.lock().unwrap_or_else(|e| e.into_inner()).push(ms);
                }
            }
        })
    };
    let pace = Duration::from_secs_f64(16.0 / (at_16.per_second / 2.0).max(1.0));
    let (base, token, http) = (
        served.base.clone(),
        served.token("case_worker"),
        served.client.clone(),
    );
    let paced = clients(16, run, move |_, _| {
        let (base, token, http) = (base.clone(), token.clone(), http.clone());
        async move {
            let began = Instant::now();
            http.post(format!("{base}/cases"))
                .bearer_auth(&token)
                .json(&json!({
                    "subject": { "name": "Bench Case", "date_of_birth": "2010-01-01" },
                    "focus_area": "rotterdam-zuid", "referred_by": "politie", "reason": "bench",
                    "goal": "bench", "referred_on": "2026-11-02" }))
                .send()
                .await?
                .error_for_status()?;
            tokio::time::sleep(pace.saturating_sub(began.elapsed())).await;
            anyhow::Ok(())
        }
    })
    .await?;
    // The last ones still on their way.
    tokio::time::sleep(Duration::from_secs(2)).await;
    served.server.stop().await?;
    collecting.abort();
    drop(client);
    let mut latencies = latencies.lock().unwrap_or_else(|e| e.into_inner()).clone();
    latencies.sort_by(f64::total_cmp);
    figures.push(figure(
        format!(
            "notification commit-to-delivery at half capacity ({:.0} referrals/s, {} received), p50 / p99 ms",
            paced.per_second,
            latencies.len()
        ),
        format!("{:.0} / {:.0}", percentile(&latencies, 0.5), percentile(&latencies, 0.99)),
        "–".into(),
        "–".into(),
        "p99 < 100 ms",
    ));
    Ok(figures)
}

/// Messages per second that a plain JetStream publish loop achieves.
async fn raw_publish(url: &str, count: usize) -> anyhow::Result<f64> {
    let client = async_nats::connect(url).await?;
    let js = jetstream::new(client);
    js.get_or_create_stream(jetstream::stream::Config {
        name: "BENCH_RAW".into(),
        subjects: vec!["raw.>".into()],
        duplicate_window: Duration::from_secs(600),
        ..Default::default()
    })
    .await?;
    let body = vec![b'x'; 640];
    let started = Instant::now();
    let mut sent = 0;
    while sent < count {
        let mut acks = Vec::new();
        for n in sent..(sent + 500).min(count) {
            let publish = Publish::build()
                .message_id(format!("raw-{n}"))
                .payload(body.clone().into());
            acks.push(
                js.send_publish(format!("raw.GM0599.gemeente.{}", n % 7), publish)
                    .await?,
            );
        }
        sent += acks.len();
        for ack in acks {
            ack.await?;
        }
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}
