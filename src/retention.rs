//! `casus retention [--dry-run] [--as-of DATE] [--access-log-months N]`:
//! erases the young people whose cases have all been closed longer than
//! their result's retention period, removes the access log's months before
//! the period it keeps, and says what it did.

use anyhow::Context;
use casus_domain::{
    CaseError, Domain, Erasure, OrganisationId, Role, Stage, SubjectId, Text, WorkerId,
};
use casus_store::audit::retention as access_retention;
use casus_store::audit::signature::Signer;
use casus_store::privacy::retention::{due, Due};
use casus_store::privacy::Keyring;

use crate::words::plural;
use casus_store::{Actor, CaseStore, CommandError, Metadata};
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, clap::Args)]
pub struct RetentionArgs {
    /// Say who would be erased, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// The day to judge the periods on (default: today), e.g. to see what next month brings.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::words::date)]
    as_of: Option<NaiveDate>,
    /// Whole months of the access log kept before the current one; older months are removed.
    /// Five years: the term in which a young person or their parents can still hold the
    /// municipality to account for who saw the file (art. 3:310 BW).
    #[arg(
        long,
        env = "CASUS_ACCESS_LOG_MONTHS",
        value_name = "N",
        default_value_t = 60,
        value_parser = clap::value_parser!(u32).range(1..=1200)
    )]
    access_log_months: u32,
}

pub async fn run(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    args: RetentionArgs,
) -> anyhow::Result<()> {
    let as_of = args.as_of.unwrap_or_else(casus_store::clock::today);
    erase_due(pool, keyring, signer, as_of, args.dry_run).await?;
    remove_access_log_months(pool, signer, as_of, args.access_log_months, args.dry_run).await
}

/// Erases the young people past their retention period, or says whom it would.
async fn erase_due(
    pool: &PgPool,
    keyring: &Keyring,
    signer: &Signer,
    as_of: NaiveDate,
    dry_run: bool,
) -> anyhow::Result<()> {
    let closed = casus_projections::queries::closed(pool).await?;
    let subjects = due(pool, &closed, as_of).await?;
    let verb = if dry_run { "would erase" } else { "erasing" };
    let mut cases = 0;
    for subject in &subjects {
        println!(
            "{verb} young person {}: {}: last closed {} ({}), kept until {}",
            subject.subject_id,
            plural(subject.cases, "case", "cases") + ": " + &subject.case_ids.join(", "),
            subject.last_closed,
            subject.results.join(", "),
            subject.kept_until
        );
        cases += subject.cases;
    }
    if dry_run {
        println!(
            "retention on {as_of}: {} with {} due; nothing changed (dry run)",
            plural(subjects.len() as i64, "young person", "young people"),
            plural(cases, "case", "cases")
        );
        return Ok(());
    }
    let programme = casus_store::load_programme(pool).await?;
    let store = CaseStore::new(pool.clone(), keyring.clone(), signer.clone(), programme, 0);
    let mut erased = 0;
    for subject in &subjects {
        match erase(&store, subject).await {
            Ok(n) => {
                erased += n;
                tracing::info!(subject = %subject.subject_id, cases = n, "retention: erased");
            }
            // A case reopened since the view was read: the subject stays.
            Err(CommandError::Rejected(refusal)) => {
                println!("kept young person {}: {refusal}", subject.subject_id);
            }
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("erasing subject {} failed", subject.subject_id))
            }
        }
    }
    println!(
        "retention on {as_of}: {} due, {} erased",
        plural(subjects.len() as i64, "young person", "young people"),
        plural(erased as i64, "case", "cases")
    );
    Ok(())
}

/// Removes the access log's months before the period kept, oldest first,
/// or says which it would.
async fn remove_access_log_months(
    pool: &PgPool,
    signer: &Signer,
    as_of: NaiveDate,
    months: u32,
    dry_run: bool,
) -> anyhow::Result<()> {
    let keep_from = access_retention::keep_from(as_of, months, casus_store::clock::today());
    let due = access_retention::months_before(pool, keep_from).await?;
    for month in &due {
        let month_name = month.format("%Y-%m");
        if dry_run {
            println!("would remove the access log of {month_name}");
            continue;
        }
        let removed = access_retention::remove_month(pool, signer, *month)
            .await
            .with_context(|| format!("removing the access log of {month_name} failed"))?;
        println!(
            "removed the access log of {month_name}: {}, {}, through position {}",
            plural(removed.accesses, "access", "accesses"),
            plural(removed.entries, "entry", "entries"),
            removed.through_position
        );
        tracing::info!(month = %month_name, accesses = removed.accesses,
            entries = removed.entries, through = removed.through_position,
            "retention: access log month removed");
    }
    println!(
        "access log kept from {}: {} {}",
        keep_from.format("%Y-%m"),
        plural(due.len() as i64, "month", "months"),
        if dry_run {
            "due; nothing changed (dry run)"
        } else {
            "removed"
        }
    );
    Ok(())
}

/// Erases one subject, if every case about them is still closed.
async fn erase(store: &CaseStore, subject: &Due) -> Result<usize, CommandError> {
    let reason = format!(
        "retention period ended on {} ({})",
        subject.kept_until,
        subject.results.join(", ")
    );
    let erasure = Erasure {
        reason: Text::parse(&reason).map_err(|e| CommandError::Internal(e.into()))?,
        // The erasure happens today, whatever day the periods were judged on.
        erased_on: casus_store::clock::today(),
    };
    let metadata = Metadata::new(retention_actor(), Uuid::now_v7()).with_reason(reason);
    let erased = store
        .erase_subject(
            SubjectId::from_uuid(subject.subject_id),
            &erasure,
            &metadata,
            |case| match case.file() {
                Some(file) if file.stage == Stage::Closed => Ok(()),
                Some(file) => Err(CommandError::Rejected(CaseError::NotInStage {
                    action: "erase on retention",
                    stage: file.stage,
                })),
                None => Err(CommandError::Rejected(CaseError::NotReferred)),
            },
        )
        .await?;
    Ok(erased.cases.len())
}

/// Who erases on retention: Casus itself, in the privacy officer's role.
fn retention_actor() -> Actor {
    Actor {
        id: WorkerId::parse("casus-retention").expect("a valid id"),
        name: "Casus retention".into(),
        role: Role::PrivacyOfficer,
        organisation: OrganisationId::parse("casus").expect("a valid organisation"),
        domain: Domain::Social,
        municipality: None,
    }
}
