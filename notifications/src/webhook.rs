//! Webhooks as a target: each notification POSTed on its own, in order, as
//! a structured CloudEvent (`application/cloudevents+json`), with the
//! subscription's `Authorization` header and a signature the receiver can
//! check: `Casus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 over
//! "<t>.<body>" with the subscription's secret>` (docs/notifications.md).
//! A 2xx answer is the acknowledgement. A receiver that fails is retried
//! with a growing pause; after `attempts` failures in a row the
//! subscription stops at that notification (its dead letter) until an
//! administrator redelivers.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use crate::message::{Notification, Settings};
use crate::publisher::{Delivery, Publisher, Target};
use crate::subscriptions::{self, Subscription};

pub const SIGNATURE: &str = "casus-signature";

pub struct Webhook {
    subscription: Subscription,
    client: reqwest::Client,
    settings: Settings,
    attempts: i32,
}

impl Webhook {
    pub fn new(subscription: Subscription, settings: Settings, attempts: i32) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self {
            subscription,
            client,
            settings,
            attempts,
        }
    }
}

/// The signature header's value for `body` at `at` (unix seconds).
pub fn signature(secret: &str, at: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(at.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={at},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[async_trait]
impl Target for Webhook {
    fn name(&self) -> String {
        self.subscription.target()
    }

    fn wants(&self, notification: &Notification) -> bool {
        self.subscription.wants(notification)
    }

    fn gives_up_after(&self) -> Option<i32> {
        Some(self.attempts)
    }

    async fn deliver(&self, batch: &[Notification]) -> Delivery {
        for (delivered, notification) in batch.iter().enumerate() {
            let body = notification.body(&self.settings);
            let at = chrono::Utc::now().timestamp();
            let mut request = self
                .client
                .post(&self.subscription.callback_url)
                .header("content-type", "application/cloudevents+json")
                .header(SIGNATURE, signature(&self.subscription.secret, at, &body))
                .body(body);
            if let Some(authorization) = &self.subscription.authorization {
                request = request.header("authorization", authorization);
            }
            let error = match request.send().await {
                Ok(answer) if answer.status().is_success() => continue,
                Ok(answer) => format!("the receiver answered {}", answer.status()),
                Err(error) => format!("the receiver did not answer: {error}"),
            };
            return Delivery::Failed { delivered, error };
        }
        Delivery::Done
    }
}

/// Runs a publisher for every subscription until `shutdown`, starting one
/// for a new subscription and stopping one whose subscription ended, as
/// the table says (looked at every few seconds, so every instance agrees).
pub async fn run_all(
    pool: PgPool,
    settings: Settings,
    attempts: i32,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut running: HashMap<Uuid, (watch::Sender<bool>, tokio::task::JoinHandle<()>)> =
        HashMap::new();
    loop {
        match subscriptions::all(&pool).await {
            Ok(current) => {
                let ids: Vec<Uuid> = current.iter().map(|s| s.id).collect();
                running.retain(|id, (stop, _)| {
                    let keep = ids.contains(id);
                    if !keep {
                        let _ = stop.send(true);
                    }
                    keep
                });
                for subscription in current {
                    if running.contains_key(&subscription.id) {
                        continue;
                    }
                    let id = subscription.id;
                    let target = Arc::new(Webhook::new(subscription, settings.clone(), attempts));
                    let publisher = Publisher::new(pool.clone(), target);
                    if let Err(error) = publisher.register().await {
                        tracing::warn!(%error, "cannot register a webhook subscription");
                        continue;
                    }
                    let (stop, stopped) = watch::channel(false);
                    let task = tokio::spawn(publisher.run(async move {
                        let mut stopped = stopped;
                        let _ = stopped.wait_for(|s| *s).await;
                    }));
                    running.insert(id, (stop, task));
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the webhook subscriptions"),
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
    for (_, (stop, task)) in running {
        let _ = stop.send(true);
        let _ = task.await;
    }
}
