//! `casus serve`: keeps every view up to date until Ctrl-C or SIGTERM.

use std::sync::Arc;

use casus_projections::{views, Projector};
use sqlx::PgPool;
use tokio::sync::watch;

pub async fn run(pool: PgPool) -> anyhow::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let mut projectors = Vec::new();
    for view in views::all() {
        let projector = Projector::new(pool.clone(), Arc::from(view));
        projector.register().await?;
        let mut stopped = stopped.clone();
        projectors.push(tokio::spawn(projector.run(async move {
            let _ = stopped.wait_for(|s| *s).await;
        })));
    }
    tracing::info!(views = projectors.len(), "projecting; stop with Ctrl-C");
    shutdown_signal().await;
    tracing::info!("stopping");
    stop.send(true)?;
    for projector in projectors {
        projector.await?;
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
