//! Webhook subscriptions to partner notifications, for administrators
//! (docs/notifications.md): create, list, read, end, and redeliver one that
//! stopped after too many failed deliveries.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use casus_domain::{MunicipalityCode, OrganisationId};
use casus_notifications::public::Kind;
use casus_notifications::status::{self, TargetStatus};
use casus_notifications::subscriptions::{self, NewSubscription, Subscription};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::VariantArray;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path};
use crate::http::problem::Problem;
use crate::policy;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(subscribe, subscriptions))
        .routes(routes!(subscription, unsubscribe))
        .routes(routes!(redeliver))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"callback_url": "https://halt.example/casus/notificaties",
    "authorization": "Bearer 3f1c...", "partner": "halt-rotterdam", "municipality": "GM0599",
    "types": ["interventie-gepland", "casus-afgesloten"]}))]
pub struct SubscriptionBody {
    /// Where deliveries are POSTed: `https` (`http` only to localhost).
    pub callback_url: String,
    /// Sent as the `Authorization` header of each delivery.
    pub authorization: Option<String>,
    /// Only this municipality's notifications (CBS code); required without `partner`.
    pub municipality: Option<String>,
    /// The partner (organisation code) whose notifications these are;
    /// without it, the municipality's own. An administrator of a municipality subscribes, sees and ends only their own municipality's subscriptions.
    pub partner: Option<String>,
    /// Only these types (e.g. `interventie-gepland`); empty or absent: all.
    #[serde(default)]
    pub types: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: Uuid,
    pub callback_url: String,
    pub municipality: Option<String>,
    pub partner: Option<String>,
    pub types: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// Where its deliveries stand: position, failures, and whether it
    /// stopped (`dead`) after too many.
    #[schema(value_type = Object)]
    pub delivery: Option<TargetStatus>,
    /// The key deliveries are signed with (HMAC-SHA256, see
    /// `Casus-Signature`): in the answer to its creation only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

async fn view(state: &AppState, subscription: Subscription) -> Result<SubscriptionView, ApiError> {
    let delivery = status::of(&state.pool, &subscription.target()).await?;
    Ok(SubscriptionView {
        id: subscription.id,
        callback_url: subscription.callback_url,
        municipality: subscription.municipality,
        partner: subscription.partner,
        types: subscription.types,
        created_at: subscription.created_at,
        created_by: subscription.created_by,
        delivery,
        secret: None,
    })
}

/// Whether an administrator of `scope` (a municipality, or all) manages `subscription`.
fn manages(scope: &Option<String>, subscription: &Subscription) -> bool {
    scope.is_none() || *scope == subscription.municipality
}

/// The subscription `id`, if the caller manages it: another municipality's is not found.
async fn managed(state: &AppState, caller: &Principal, id: Uuid) -> Result<Subscription, ApiError> {
    let scope = policy::administering(caller)?;
    subscriptions::find(&state.pool, id)
        .await?
        .filter(|subscription| manages(&scope, subscription))
        .ok_or(ApiError::NotFound)
}

fn checked(body: SubscriptionBody, caller: &Principal) -> Result<NewSubscription, ApiError> {
    // A municipality's administrator subscribes to their own municipality's
    // notifications only (a partner's too: of their municipality's cases).
    let scope = policy::administering(caller)?;
    let invalid = |detail: String| ApiError::Unprocessable(detail);
    let url = url::Url::parse(&body.callback_url)
        .map_err(|_| invalid("callback_url: not a URL".into()))?;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if !(url.scheme() == "https" || (url.scheme() == "http" && local)) {
        return Err(invalid(
            "callback_url: must be https (http only to localhost)".into(),
        ));
    }
    let municipality = body
        .municipality
        .map(|m| MunicipalityCode::parse(m).map(|m| m.to_string()))
        .transpose()
        .map_err(|e| invalid(format!("municipality: {e}")))?;
    let partner = body
        .partner
        .map(|p| OrganisationId::parse(p).map(|p| p.to_string()))
        .transpose()
        .map_err(|e| invalid(format!("partner: {e}")))?;
    let municipality = match (scope, municipality) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::Forbidden(
                "an administrator subscribes to their own municipality's notifications".into(),
            ))
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    if partner.is_none() && municipality.is_none() {
        return Err(invalid(
            "name the partner, or the municipality whose own notifications these are".into(),
        ));
    }
    let known: Vec<&str> = Kind::VARIANTS.iter().map(|k| k.name()).collect();
    if let Some(unknown) = body.types.iter().find(|t| !known.contains(&t.as_str())) {
        return Err(invalid(format!(
            "types: {unknown:?} is not one of {}",
            known.join(", ")
        )));
    }
    if let Some(authorization) = &body.authorization {
        if authorization.len() > 4096 || authorization.chars().any(char::is_control) {
            return Err(invalid("authorization: not a header value".into()));
        }
    }
    Ok(NewSubscription {
        callback_url: url.to_string(),
        authorization: body.authorization,
        municipality,
        partner,
        types: body.types,
        created_by: caller.id.to_string(),
    })
}

/// Subscribe a partner's (or a municipality's) system to its notifications
///
/// Administrators only. Deliveries start with what happens from now on; the answer holds the
/// signing secret, once.
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions",
    tag = "notifications",
    request_body = SubscriptionBody,
    responses(
        (status = 201, description = "Subscribed", body = SubscriptionView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an administrator subscribes", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the given seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn subscribe(
    State(state): State<AppState>,
    caller: Principal,
    body: Body<SubscriptionBody>,
) -> Result<Response, ApiError> {
    let new = checked(body.value, &caller)?;
    let subscription = subscriptions::create(&state.pool, new).await?;
    let secret = subscription.secret.clone();
    let mut answer = view(&state, subscription).await?;
    answer.secret = Some(secret);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Every subscription, with where its deliveries stand
///
/// Administrators only. The secrets are not shown again.
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions",
    tag = "notifications",
    responses(
        (status = 200, description = "The subscriptions", body = Vec<SubscriptionView>),
        (status = 400, description = "A malformed header", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an administrator reads them", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the given seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn subscriptions(
    State(state): State<AppState>,
    caller: Principal,
) -> Result<Json<Vec<SubscriptionView>>, ApiError> {
    let scope = policy::administering(&caller)?;
    let mut views = Vec::new();
    let all = subscriptions::all(&state.pool).await?;
    for subscription in all.into_iter().filter(|s| manages(&scope, s)) {
        views.push(view(&state, subscription).await?);
    }
    Ok(Json(views))
}

/// One subscription, with where its deliveries stand
///
/// Administrators only: its filter, position, failures, and whether it stopped (`dead`).
#[utoipa::path(
    get,
    path = "/api/v1/subscriptions/{id}",
    tag = "notifications",
    params(("id" = Uuid, Path, description = "The subscription")),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionView),
        (status = 400, description = "A malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an administrator reads them", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the given seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn subscription(
    State(state): State<AppState>,
    caller: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<SubscriptionView>, ApiError> {
    let subscription = managed(&state, &caller, id).await?;
    Ok(Json(view(&state, subscription).await?))
}

/// End a subscription
///
/// Administrators only. Its deliveries stop, and its position is forgotten.
#[utoipa::path(
    delete,
    path = "/api/v1/subscriptions/{id}",
    tag = "notifications",
    params(("id" = Uuid, Path, description = "The subscription")),
    responses(
        (status = 204, description = "Ended"),
        (status = 400, description = "A malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an administrator ends them", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the given seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unsubscribe(
    State(state): State<AppState>,
    caller: Principal,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let subscription = managed(&state, &caller, id).await?;
    subscriptions::delete(&state.pool, subscription.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct RedeliveryBody {
    /// Send everything again from this global position on (a receiver that
    /// lost its data); absent: go on from where it stopped.
    #[schema(value_type = Option<u64>, minimum = 1)]
    #[serde(default, deserialize_with = "position")]
    pub from: Option<u64>,
}

/// A position as JSON may write a whole number (`12` or `12.0`).
fn position<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "casus_domain::whole_number")] u64);
    Ok(Option::<Whole>::deserialize(deserializer)?.map(|whole| whole.0))
}

/// Deliver again: from where a subscription stopped, or from a position
///
/// A subscription whose receiver failed too often stops at that notification (its dead letter);
/// this sends it on from there, in order. With `from`, everything from that global position on is
/// sent again (with the same ids).
#[utoipa::path(
    post,
    path = "/api/v1/subscriptions/{id}/redeliveries",
    tag = "notifications",
    params(("id" = Uuid, Path, description = "The subscription")),
    request_body = RedeliveryBody,
    responses(
        (status = 200, description = "Delivering again", body = SubscriptionView),
        (status = 400, description = "A malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only an administrator redelivers", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` is not a position of the log", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; retry after the given seconds", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn redeliver(
    State(state): State<AppState>,
    caller: Principal,
    Path(id): Path<Uuid>,
    body: Body<RedeliveryBody>,
) -> Result<Json<SubscriptionView>, ApiError> {
    let subscription = managed(&state, &caller, id).await?;
    let target = subscription.target();
    match body.value.from {
        None => {
            status::redeliver(&state.pool, &target).await?;
        }
        Some(from) => {
            let from = i64::try_from(from).unwrap_or(i64::MAX);
            if from < 1 || !status::replay_from(&state.pool, &target, from).await? {
                return Err(ApiError::Unprocessable(format!(
                    "from: no event at or after position {from}"
                )));
            }
        }
    }
    Ok(Json(view(&state, subscription).await?))
}
