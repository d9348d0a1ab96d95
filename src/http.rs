//! Serving HTTP with hyper directly. axum's own `serve` gives hyper no
//! timer, so hyper's header-read timeout never fires: a client that sends
//! its request head slowly (or never) would hold a connection for ever.
//! Here the head must arrive within a deadline; the body and the answer
//! fall under the router's request timeout; a connection that carries no
//! bytes for a while is closed (HTTP/1 and HTTP/2 alike); and connections
//! are bounded, per client address and in all, with a reserve kept for
//! `/health` so that a flood of idle sockets cannot silence the probe.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// How many connections Casus keeps, and for how long.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Connections served in all.
    pub total: usize,
    /// Connections served per client address.
    pub per_address: usize,
    /// Connections beyond those, answered only on `/health` (others `503`)
    /// and closed after one answer.
    pub reserve: usize,
    /// A connection that carries no bytes this long is closed. Kept above
    /// the request timeout, so that no request is cut while it is handled.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            total: 1_000,
            per_address: 100,
            reserve: 24,
            idle: Duration::from_secs(60),
        }
    }
}

/// Serves `app` on `listener` until `stopping` completes, then lets the
/// requests under way finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    head_timeout: Duration,
    limits: Limits,
    stopping: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.idle / 2))
        .keep_alive_timeout(Duration::from_secs(10));
    let idle = limits.idle.max(head_timeout + Duration::from_secs(5));
    let gate = Gate::new(&limits);
    let graceful = GracefulShutdown::new();
    let mut stopping = std::pin::pin!(stopping);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: breathe, go on.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let (admitted, app, idle) = match gate.admit(peer.ip()) {
                    Some(Admitted::Full(pass)) => (pass, app.clone(), idle),
                    Some(Admitted::Reserve(pass)) => (pass, health_only(), head_timeout),
                    None => {
                        tracing::warn!(%peer, "connection refused: too many connections");
                        continue;
                    }
                };
                // Small answers must not wait for a delayed ACK (Nagle).
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "cannot set TCP_NODELAY");
                }
                let (stream, activity) = Watched::new(stream);
                let service = app.map_request(move |request: axum::http::Request<Incoming>| {
                    let mut request = request.map(axum::body::Body::new);
                    request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                    request
                });
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
                    .into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _admitted = admitted;
                    let mut connection = std::pin::pin!(connection);
                    loop {
                        tokio::select! {
                            ended = &mut connection => {
                                if let Err(error) = ended {
                                    tracing::debug!(%error, %peer, "connection ended with an error");
                                }
                                break;
                            }
                            () = tokio::time::sleep(idle / 4) => {
                                // Dropping the connection closes its socket.
                                if activity.idle_for() >= idle {
                                    tracing::debug!(%peer, "connection closed: idle");
                                    break;
                                }
                            }
                        }
                    }
                });
            }
            () = &mut stopping => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
}

/// What a connection over the limits may still ask: whether Casus lives.
fn health_only() -> Router {
    Router::new()
        .route(
            "/health",
            axum::routing::get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [
                    (header::CONTENT_TYPE, "application/problem+json"),
                    (header::RETRY_AFTER, "5"),
                ],
                serde_json::json!({
                    "type": "about:blank",
                    "title": "Too many connections",
                    "status": 503,
                    "detail": "Casus serves as many connections as it can; try again shortly.",
                })
                .to_string(),
            )
                .into_response()
        })
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        ))
}

/// Connections open per client address.
type Counts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// Counts connections in all and per address.
struct Gate {
    full: Arc<Semaphore>,
    reserve: Arc<Semaphore>,
    per_address: usize,
    by_address: Counts,
}

enum Admitted {
    Full(Pass),
    Reserve(Pass),
}

/// A connection's place, given back when it ends.
struct Pass {
    _permit: OwnedSemaphorePermit,
    address: Option<(IpAddr, Counts)>,
}

impl Drop for Pass {
    fn drop(&mut self) {
        if let Some((address, counts)) = &self.address {
            let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = counts.get_mut(address) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(address);
                }
            }
        }
    }
}

impl Gate {
    fn new(limits: &Limits) -> Self {
        Self {
            full: Arc::new(Semaphore::new(limits.total)),
            reserve: Arc::new(Semaphore::new(limits.reserve)),
            per_address: limits.per_address,
            by_address: Arc::default(),
        }
    }

    fn admit(&self, address: IpAddr) -> Option<Admitted> {
        let mut counts = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.get(&address).copied().unwrap_or(0);
        if count < self.per_address {
            if let Ok(permit) = self.full.clone().try_acquire_owned() {
                counts.insert(address, count + 1);
                return Some(Admitted::Full(Pass {
                    _permit: permit,
                    address: Some((address, self.by_address.clone())),
                }));
            }
        }
        let permit = self.reserve.clone().try_acquire_owned().ok()?;
        Some(Admitted::Reserve(Pass {
            _permit: permit,
            address: None,
        }))
    }
}

/// A stream that notes when it last carried a byte.
struct Watched {
    stream: TcpStream,
    activity: Activity,
}

#[derive(Clone)]
struct Activity {
    began: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn touch(&self) {
        let now = self.began.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let now = self.began.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
}

impl Watched {
    fn new(stream: TcpStream) -> (Self, Activity) {
        let activity = Activity {
            began: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        };
        let watched = Self {
            stream,
            activity: activity.clone(),
        };
        (watched, activity)
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        poll
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
