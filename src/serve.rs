//! `casus serve`: the HTTP API and the projectors, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use casus_projections::{views, Projector};
use sqlx::PgPool;
use tokio::sync::watch;

pub async fn run(pool: PgPool, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let (stop, stopped) = watch::channel(false);
    let stopping = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let mut tasks = Vec::new();
    for view in views::all() {
        let projector = Projector::new(pool.clone(), Arc::from(view));
        projector.register().await?;
        tasks.push(tokio::spawn(projector.run(stopping())));
    }
    let server = axum::serve(listener, casus_api::router(pool)).with_graceful_shutdown(stopping());
    let server = tokio::spawn(async move { server.await });
    tracing::info!(address = %listen, views = tasks.len(), "serving; stop with Ctrl-C");
    shutdown_signal().await;
    tracing::info!("stopping");
    stop.send(true)?;
    server.await?.context("the HTTP server failed")?;
    for task in tasks {
        task.await?;
    }
    Ok(())
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
