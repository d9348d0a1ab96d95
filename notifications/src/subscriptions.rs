//! Webhook subscriptions, in the manner of the ZGW Notificaties API: an
//! administrator names a callback, the `Authorization` header to send, and
//! whose notifications (a partner's, or a municipality's own), optionally
//! of some types only. Casus makes a secret per subscription to sign its
//! deliveries with, shown once, at creation.

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::message::Notification;
use crate::public::Recipient;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Subscription {
    pub id: Uuid,
    pub callback_url: String,
    /// Sent as the `Authorization` header of each delivery, if set.
    #[serde(skip)]
    pub authorization: Option<String>,
    /// The HMAC key deliveries are signed with.
    #[serde(skip)]
    pub secret: String,
    /// Notifications of this municipality only (required for a
    /// municipality's own systems).
    pub municipality: Option<String>,
    /// The partner whose notifications these are; none: the municipality's.
    pub partner: Option<String>,
    /// Only these types (their short names); empty: every type.
    pub types: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl Subscription {
    /// Whether `notification` is for this subscriber.
    pub fn wants(&self, notification: &Notification) -> bool {
        let whose = match (&self.partner, &notification.recipient) {
            (Some(partner), Recipient::Partner(to)) => partner == to,
            (None, Recipient::Municipality) => true,
            _ => false,
        };
        whose
            && self
                .municipality
                .as_ref()
                .is_none_or(|m| *m == notification.municipality)
            && (self.types.is_empty() || self.types.iter().any(|t| t == notification.kind.name()))
    }

    /// Its publisher's checkpoint name.
    pub fn target(&self) -> String {
        target_of(self.id)
    }
}

pub fn target_of(id: Uuid) -> String {
    format!("webhook:{id}")
}

/// What an administrator asks for.
pub struct NewSubscription {
    pub callback_url: String,
    pub authorization: Option<String>,
    pub municipality: Option<String>,
    pub partner: Option<String>,
    pub types: Vec<String>,
    pub created_by: String,
}

const COLUMNS: &str =
    "id, callback_url, authorization_header as authorization, secret, municipality, partner, types, created_at, created_by";

pub async fn create(pool: &PgPool, new: NewSubscription) -> Result<Subscription, sqlx::Error> {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    sqlx::query_as(&format!(
        "insert into webhook_subscriptions
           (id, callback_url, authorization_header, secret, municipality, partner, types, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(new.callback_url)
    .bind(new.authorization)
    .bind(hex::encode(secret))
    .bind(new.municipality)
    .bind(new.partner)
    .bind(new.types)
    .bind(new.created_by)
    .fetch_one(pool)
    .await
}

pub async fn all(pool: &PgPool) -> Result<Vec<Subscription>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from webhook_subscriptions order by created_at"
    ))
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &PgPool, id: Uuid) -> Result<Option<Subscription>, sqlx::Error> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from webhook_subscriptions where id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Ends a subscription and forgets its checkpoint; `false` if there was none.
pub async fn delete(pool: &PgPool, id: Uuid) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let gone = sqlx::query("delete from webhook_subscriptions where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        > 0;
    sqlx::query("delete from notification_targets where target = $1")
        .bind(target_of(id))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone)
}
