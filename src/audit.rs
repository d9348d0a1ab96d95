//! `casus verify` and `casus export`: the auditor's command line.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::secret;
use casus_domain::CaseId;
use casus_store::audit::chain;
use casus_store::audit::receipt::{self, Receipt};
use casus_store::privacy::Keyring;
use ed25519_dalek::SigningKey;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Also write a signed receipt of the log as it stands to this file.
    #[arg(long, value_name = "FILE")]
    pub receipt: Option<PathBuf>,
    /// Check that the log still extends, unchanged, the receipt in this file.
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
}

/// Verifies every chain; with `--receipt` signs a receipt, with `--against`
/// checks one. Fails (exit 1) when anything does not hold.
pub async fn verify(pool: &PgPool, args: VerifyArgs, key: &Path) -> anyhow::Result<()> {
    let total = chain::count(pool).await?;
    let bar = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("verify {bar:40} {pos}/{len} events ({per_sec})")
            .expect("a valid template"),
    );
    let report = chain::verify(pool, None, |n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    println!(
        "{} streams, {} events: {}",
        report.streams,
        report.events,
        if report.ok {
            "every chain holds"
        } else {
            "BROKEN"
        }
    );
    for link in &report.broken {
        println!(
            "case {} sequence {}: {:?} (expected {}, found {})",
            link.case_id, link.sequence, link.breach, link.expected, link.found
        );
    }
    let mut holds = report.ok;
    if let Some(path) = &args.against {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the receipt {}", path.display()))?;
        let receipt: Receipt = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a Casus receipt", path.display()))?;
        let key = load_key(key)?;
        match receipt::check(pool, &key.verifying_key(), &receipt).await? {
            None if report.ok => println!(
                "the log extends the receipt of {} unchanged ({} events up to position {})",
                receipt.statement.made_at,
                receipt.statement.events,
                receipt.statement.global_position
            ),
            None => println!(
                "the stored hashes match the receipt of {}, but the chains above are broken",
                receipt.statement.made_at
            ),
            Some(head) => {
                holds = false;
                println!(
                    "the log DIFFERS from the receipt of {}: head {} expected, {head} found",
                    receipt.statement.made_at, receipt.statement.head
                );
            }
        }
    }
    if let Some(path) = &args.receipt {
        anyhow::ensure!(
            report.ok,
            "no receipt is made for a log whose chains are broken"
        );
        let key = load_key(key)?;
        let receipt = receipt::make(pool, &key).await?;
        std::fs::write(path, serde_json::to_string_pretty(&receipt)?)
            .with_context(|| format!("cannot write the receipt {}", path.display()))?;
        println!(
            "receipt written to {}: {} events up to position {}, head {}",
            path.display(),
            receipt.statement.events,
            receipt.statement.global_position,
            receipt.statement.head
        );
    }
    anyhow::ensure!(holds, "the audit trail does not hold (see above)");
    Ok(())
}

/// The Ed25519 key receipts are signed with: 32 bytes as hex in `path`.
pub fn load_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the audit key {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .with_context(|| format!("the audit key {} is not 32 bytes of hex", path.display()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Makes an audit key at `path` if there is none (development mode).
pub fn create_key(path: &Path) -> anyhow::Result<()> {
    secret::create(path, "audit key", || {
        hex::encode(SigningKey::generate(&mut rand::rngs::OsRng).as_bytes())
    })
}

/// Prints the export of one case, and logs it in the access log.
pub async fn export(pool: &PgPool, keyring: &Keyring, case: &str) -> anyhow::Result<()> {
    let case: CaseId = case.parse().context("--case takes a case id (a UUID)")?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    casus_api::audit::log_cli_export(pool, case, &user).await?;
    let export =
        casus_api::audit::build_export(pool, keyring, case, format!("command line ({user})"))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(!export.events.is_empty(), "there is no case {case}");
    println!("{}", serde_json::to_string_pretty(&export)?);
    Ok(())
}
