//! Around every request: an id (into the logs, the events' metadata and the
//! `x-request-id` answer header), a log line, metrics, security headers, the
//! API's version, and problem+json for any error answer the framework made
//! on its own (405, 408, 413) or a handler that panicked (500).

use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer};
use tower_http::timeout::TimeoutLayer;
use tracing::Instrument;
use uuid::Uuid;

use crate::http::extract::{ClientAddress, RequestId};
use crate::http::problem::Problem;
use crate::openapi::{API_VERSION, API_VERSION_HEADER};

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `routes` with everything that surrounds each request, innermost first:
/// the body limit, the time limit, a panic caught as a 500, the log line and
/// metrics, the answer's headers, and the request id (always Casus's own: a
/// client's `x-request-id` is replaced, as it goes into the audit trail).
pub fn around<S: Clone + Send + Sync + 'static>(routes: Router<S>, timeout: Duration) -> Router<S> {
    let mut routes = routes
        .layer(DefaultBodyLimit::max(crate::BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(observe));
    for (name, value) in SECURITY_HEADERS {
        routes = routes.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    routes
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(API_VERSION_HEADER),
            HeaderValue::from_static(API_VERSION),
        ))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestHeaderLayer::overriding(
            X_REQUEST_ID,
            |_: &Request| HeaderValue::from_str(&Uuid::now_v7().to_string()).ok(),
        ))
}

/// A handler that panicked: a problem+json 500; the panic is logged.
fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = message, "a handler panicked");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal error",
        "Casus could not answer this request; the fault is logged.",
    )
    .into_response()
}

async fn observe(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|value| value.to_str().ok()?.parse().ok())
        .unwrap_or_else(Uuid::now_v7);
    request.extensions_mut().insert(RequestId(id));
    let address = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| ClientAddress(info.0.ip().to_string()));
    if let Some(address) = address {
        request.extensions_mut().insert(address);
    }
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        response = as_problem(response);
    }
    span.in_scope(|| {
        let latency_ms = elapsed.as_secs_f64() * 1000.0;
        // A 503 (a view behind, the database out of reach) says when to try
        // again and is expected now and then; anything else of 5xx is a fault.
        if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(status = status.as_u16(), latency_ms, "answered");
        } else if status.is_server_error() {
            tracing::error!(status = status.as_u16(), latency_ms, "answered");
        } else {
            tracing::info!(status = status.as_u16(), latency_ms, "answered");
        }
    });
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.as_u16().to_string()),
    ];
    metrics::counter!("casus_http_requests_total", &labels).increment(1);
    metrics::histogram!("casus_http_request_duration_seconds", &labels[..2])
        .record(elapsed.as_secs_f64());
    response
}

/// Case data must not be cached, framed, sniffed or referred onwards.
const SECURITY_HEADERS: [(HeaderName, &str); 5] = [
    (header::CACHE_CONTROL, "no-store"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// An error answer that is not problem+json yet becomes one; the web
/// interface's pages stay pages.
fn as_problem(response: Response) -> Response {
    let answered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes() == b"application/problem+json" || v.as_bytes().starts_with(b"text/html")
        });
    if answered {
        return response;
    }
    let status = response.status();
    let (title, detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ("Method not allowed", "This path does not take this method.")
        }
        StatusCode::REQUEST_TIMEOUT => (
            "Request timeout",
            "The request took too long and was stopped.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("Body too large", "The body is over the size limit."),
        _ => (
            status.canonical_reason().unwrap_or("Error"),
            "The request could not be answered.",
        ),
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut problem = Problem::new(status, title, detail).into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}
