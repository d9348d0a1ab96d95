//! `casus notifications`: where each notification target stands, a replay
//! from a position, and the targets stopped at a dead letter.

use casus_notifications::status;
use clap::Subcommand;
use sqlx::PgPool;

#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Every target with its position, what it delivered, how far behind it is, and its error.
    List,
    /// Send everything again from a global position on, to one target (a partner that lost its data).
    Replay {
        /// The target: `nats`, or `webhook:<subscription id>`.
        #[arg(long)]
        target: String,
        /// The global position to send from (an event's `sequence` in its notifications).
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
        from: i64,
    },
    /// The targets stopped after too many failed deliveries, and where.
    DeadLetters,
}

pub async fn run(pool: &PgPool, command: NotificationsCommand) -> anyhow::Result<()> {
    match command {
        NotificationsCommand::List => {
            let targets = status::all(pool).await?;
            if targets.is_empty() {
                println!(
                    "no notification targets yet (set CASUS_NATS_URL, or subscribe a webhook)"
                );
            }
            for t in targets {
                println!(
                    "{}: position {}, {} delivered, {} events behind{}{}",
                    t.target,
                    t.global_position,
                    t.delivered,
                    t.behind,
                    if t.dead {
                        ", STOPPED (dead letter)"
                    } else {
                        ""
                    },
                    t.error
                        .map(|e| format!(", failing ({} in a row): {e}", t.attempts))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        NotificationsCommand::Replay { target, from } => {
            anyhow::ensure!(
                status::replay_from(pool, &target, from).await?,
                "no target {target:?}, or no event at or after position {from}"
            );
            println!("{target} sends again from position {from} on (a running Casus picks it up)");
            Ok(())
        }
        NotificationsCommand::DeadLetters => {
            let dead: Vec<_> = status::all(pool)
                .await?
                .into_iter()
                .filter(|t| t.dead)
                .collect();
            if dead.is_empty() {
                println!("no dead letters: every target is delivering");
            }
            for t in dead {
                println!(
                    "{}: stopped after position {} after {} failures: {} (redeliver through the API)",
                    t.target,
                    t.global_position,
                    t.attempts,
                    t.error.unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}
