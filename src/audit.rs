//! `casus verify` and `casus export`: the auditor's command line.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::secret::KeyFile;
use crate::words::plural;
use casus_domain::CaseId;
use casus_store::audit::chain;
use casus_store::audit::receipt::{self, Receipt};
use casus_store::audit::signature::Signer;
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

/// Verifies every chain, every event's signature, every snapshot and the
/// access log; with `--receipt` signs a receipt, with `--against` checks
/// one. Fails (exit 1) when anything does not hold.
pub async fn verify(pool: &PgPool, args: VerifyArgs, signer: &Signer) -> anyhow::Result<()> {
    let total = chain::count(pool).await?;
    let bar = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("verify {bar:40} {pos}/{len} events ({rate})")
            .expect("a valid template")
            .with_key("rate", crate::words::rate("events")),
    );
    let key = signer.verifying_key();
    let report = chain::verify(pool, &key, None, |n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    println!(
        "{}, {}: {}",
        plural(report.streams as i64, "case", "cases"),
        plural(report.events as i64, "event", "events"),
        if report.broken.is_empty() {
            "every chain and signature holds"
        } else {
            "BROKEN"
        }
    );
    if report.unsigned_before_signing > 0 {
        println!(
            "{} events were stored before Casus signed its events: chained, not signed",
            report.unsigned_before_signing
        );
    }
    for link in &report.broken {
        println!(
            "case {} sequence {}: {:?} (expected {}, found {})",
            link.case_id, link.sequence, link.breach, link.expected, link.found
        );
    }
    for case in &report.broken_snapshots {
        println!("case {case}: its snapshot is not Casus's over these events (it is ignored)");
    }
    if let Some(log) = &report.access_log {
        match &log.broken {
            None => println!(
                "access log, {}: the chain holds",
                plural(log.accesses as i64, "access", "accesses")
            ),
            Some(link) => println!(
                "access log position {}: {:?} (expected {}, found {})",
                link.position, link.breach, link.expected, link.found
            ),
        }
    }
    let mut holds = report.ok;
    if let Some(path) = &args.against {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the receipt {}", path.display()))?;
        let receipt: Receipt = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a Casus receipt", path.display()))?;
        match receipt::check(pool, &key, &receipt).await? {
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
        let receipt = receipt::make(pool, signer).await?;
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

/// Where the audit key is: `CASUS_AUDIT_KEY`, or in development a key Casus
/// makes under the data directory when first needed. It signs every event
/// and snapshot Casus writes, and receipts.
pub fn audit_key_file(
    configured: Option<&Path>,
    data_dir: &Path,
    production: bool,
) -> anyhow::Result<KeyFile> {
    KeyFile::resolve(
        configured,
        data_dir,
        production,
        "CASUS_AUDIT_KEY",
        "Ed25519 key (64 hexadecimal characters) that signs every event Casus appends",
        "audit-signing-key",
        || hex::encode(SigningKey::generate(&mut rand::rngs::OsRng).as_bytes()),
    )
}

/// The signer of the audit key in `file`.
pub fn signer(file: &KeyFile) -> anyhow::Result<Signer> {
    let path = file.open()?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the audit key {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .with_context(|| format!("the audit key {} is not 32 bytes of hex", path.display()))?;
    Ok(Signer::new(SigningKey::from_bytes(&bytes)))
}

/// Prints the export of one case, and logs it in the access log with who
/// exported it and why.
pub async fn export(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    case: &str,
    user: &str,
    reason: &str,
) -> anyhow::Result<()> {
    let case: CaseId = case.parse().context("--case takes a case id (a UUID)")?;
    let municipality = casus_projections::queries::municipalities(pool, &[case.as_uuid()])
        .await?
        .pop()
        .flatten();
    casus_store::audit::export::log_cli_export(pool, case, municipality, user, reason).await?;
    let export = casus_store::audit::export::build_export(
        pool,
        keyring,
        &signer.verifying_key(),
        case,
        format!("command line ({user})"),
        None,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(!export.events.is_empty(), "there is no case {case}");
    println!("{}", serde_json::to_string_pretty(&export)?);
    Ok(())
}
