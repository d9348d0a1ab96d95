//! The access log's writer: the reads of the moment logged together.
//!
//! Every entry extends one hash chain, so one transaction at a time may log
//! (`migrations/0017_compact_access_log.sql`). Logged one by one, the reads
//! of a busy team queued for that lock and each waited for a commit of its
//! own. The writer logs what came in while it wrote the last group in one
//! statement (`migrations/0026_access_log_groups.sql`), and answers each
//! read once that statement has committed: nothing is shown before its
//! entry is durable, as before.

use casus_store::audit::access::{self, Access, Named};
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

/// At most this many accesses in one transaction.
const GROUP: usize = 64;

/// Where reads send their entries; cloned into every request's state.
#[derive(Clone)]
pub struct AccessLog {
    sender: mpsc::Sender<Pending>,
}

struct Pending {
    access: Access,
    cases: Vec<Named>,
    always: bool,
    logged: oneshot::Sender<Result<(), sqlx::Error>>,
}

impl AccessLog {
    /// Starts the writer on `pool`; it ends when the last clone is dropped.
    pub fn start(pool: PgPool) -> Self {
        let (sender, receiver) = mpsc::channel(4 * GROUP);
        tokio::spawn(write(pool, receiver));
        Self { sender }
    }

    /// Logs `access` with the cases it names (none, and then only if
    /// `always`), and returns once the entry is committed.
    pub async fn record(
        &self,
        access: &Access,
        cases: &[Named],
        always: bool,
    ) -> Result<(), sqlx::Error> {
        // Nothing to log: no need to wait for the writer's transaction.
        if !access::is_logged(cases, always) {
            return Ok(());
        }
        let (logged, answer) = oneshot::channel();
        let pending = Pending {
            access: access.clone(),
            cases: cases.to_vec(),
            always,
            logged,
        };
        self.sender
            .send(pending)
            .await
            .map_err(|_| sqlx::Error::WorkerCrashed)?;
        answer.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }
}

async fn write(pool: PgPool, mut receiver: mpsc::Receiver<Pending>) {
    let mut group = Vec::with_capacity(GROUP);
    while receiver.recv_many(&mut group, GROUP).await > 0 {
        if let Err(error) = log_together(&pool, &group).await {
            // Each on its own, so that one entry the database refuses (or a
            // moment's outage) answers its own read, not its neighbours'.
            tracing::warn!(%error, entries = group.len(), "access log: a group failed; logging its entries one by one");
            for pending in group.drain(..) {
                let logged =
                    access::record(&pool, &pending.access, &pending.cases, pending.always).await;
                let _ = pending.logged.send(logged);
            }
            continue;
        }
        for pending in group.drain(..) {
            // A read whose client went away has nothing to answer.
            let _ = pending.logged.send(Ok(()));
        }
    }
}

/// Logs `group` in one statement (so in one transaction), in its order.
async fn log_together(pool: &PgPool, group: &[Pending]) -> Result<(), sqlx::Error> {
    let accesses: Vec<(&Access, &[Named], bool)> = group
        .iter()
        .map(|pending| (&pending.access, pending.cases.as_slice(), pending.always))
        .collect();
    access::record_all(pool, &accesses).await
}
