//! NATS JetStream as a target: one stream (created if absent) with a
//! subject per municipality, recipient and type; each notification
//! published with `Nats-Msg-Id` = its CloudEvent id, and every
//! acknowledgement awaited before the checkpoint moves. A batch sent again
//! after a crash or a failure is stored once: JetStream drops what it saw
//! within its duplicate window (ten minutes here); a partner that reads
//! later de-duplicates on the id.

use std::time::Duration;

use async_nats::jetstream::{self, context::Publish};
use async_trait::async_trait;

use crate::message::{Notification, Settings};
use crate::publisher::{Delivery, Target};

/// The stream Casus publishes to, and the subjects it takes.
pub const STREAM: &str = "CASUS";
pub const SUBJECTS: &str = "casus.>";
const DUPLICATE_WINDOW: Duration = Duration::from_secs(600);

pub struct Nats {
    jetstream: jetstream::Context,
    settings: Settings,
}

#[derive(Debug, thiserror::Error)]
#[error("NATS at {url}: {reason}")]
pub struct NatsError {
    url: String,
    reason: String,
}

impl Nats {
    /// Connects to `url` (and keeps reconnecting when it goes away), and
    /// makes the stream if it is not there.
    pub async fn connect(url: &str, stream: &str, settings: Settings) -> Result<Self, NatsError> {
        let failed = |reason: String| NatsError {
            url: url.to_owned(),
            reason,
        };
        let client = async_nats::ConnectOptions::new()
            .name("casus")
            .retry_on_initial_connect()
            .connect(url)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let jetstream = jetstream::new(client);
        jetstream
            .get_or_create_stream(jetstream::stream::Config {
                name: stream.to_owned(),
                subjects: vec![SUBJECTS.to_owned()],
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            })
            .await
            .map_err(|e| failed(format!("cannot make the stream {stream}: {e}")))?;
        Ok(Self {
            jetstream,
            settings,
        })
    }
}

#[async_trait]
impl Target for Nats {
    fn name(&self) -> String {
        "nats".into()
    }

    fn wants(&self, _: &Notification) -> bool {
        true
    }

    async fn deliver(&self, batch: &[Notification]) -> Delivery {
        // Publish all, then await every acknowledgement: the round trips overlap.
        let mut acks = Vec::with_capacity(batch.len());
        for notification in batch {
            let publish = Publish::build()
                .message_id(notification.id.to_string())
                .payload(notification.body(&self.settings).into());
            match self
                .jetstream
                .send_publish(notification.subject(), publish)
                .await
            {
                Ok(ack) => acks.push(ack),
                Err(error) => return failed(error),
            }
        }
        for ack in acks {
            if let Err(error) = ack.await {
                return failed(error);
            }
        }
        Delivery::Done
    }
}

/// JetStream acknowledges in any order: a failed batch counts as undelivered
/// as a whole, and is sent again (its duplicates dropped).
fn failed(error: impl std::fmt::Display) -> Delivery {
    Delivery::Failed {
        delivered: 0,
        error: format!("NATS: {error}"),
    }
}
