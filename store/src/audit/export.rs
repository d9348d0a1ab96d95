//! One case as a self-contained document for an inquiry: its events with
//! their canonical texts and hashes, the chain's verification and the
//! case's access log. Made for the API's export route and the command line.

use casus_domain::CaseId;
use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::audit::access::{
    self, Access, AccessAction, Entry, Filter, Named, Outcome, Sensitivity,
};
use crate::audit::chain::{self, Verification};
use crate::audit::history::{self, HistoryEntry, HistoryError};
use crate::privacy::Keyring;

#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Export {
    pub format: &'static str,
    pub case_id: Uuid,
    pub exported_at: DateTime<Utc>,
    pub exported_by: String,
    /// How to check the events without Casus.
    pub hash_chain: &'static str,
    pub events: Vec<HistoryEntry>,
    /// The verification of this case's chain when exported.
    pub verification: Verification,
    /// Who read, searched, exported or was refused this case, oldest first.
    pub access_log: Vec<Entry>,
}

pub const HASH_CHAIN: &str = "Each event's hash is sha256(prev_hash || canonical), hex-encoded; \
prev_hash is the previous event's hash (32 zero bytes before the first); canonical is the UTF-8 \
text given with each event: lines joined by \\n of casus-event-v1, aggregate type, aggregate id, \
sequence, event type, event version, recorded_at (UTC, microseconds), payload and metadata as \
stored.";

/// The part of a case a former municipality exports.
pub struct Part {
    pub through: u64,
    pub municipality: Option<String>,
}

/// The export of `case`; its access log includes the export itself.
pub async fn build_export(
    pool: &PgPool,
    keyring: &Keyring,
    key: &VerifyingKey,
    case: CaseId,
    exported_by: String,
    part: Option<Part>,
) -> Result<Export, HistoryError> {
    let id = case.to_string();
    let through = part.as_ref().map(|part| part.through);
    let mut events = history::history(pool, keyring, case).await?;
    events.retain(|event| within(through, event.sequence as u64));
    let mut verification = chain::verify(pool, key, Some(&id), |_| {}).await?;
    if let Some(through) = through {
        // The part up to the handover says nothing of what came after.
        verification.events = verification.events.min(through);
        verification
            .broken
            .retain(|link| within(Some(through), link.sequence as u64));
        verification.broken_snapshots.clear();
        verification.ok = verification.broken.is_empty();
    }
    let mut access_log = Vec::new();
    let mut filter = Filter {
        case_id: Some(case.as_uuid()),
        municipality: part.and_then(|part| part.municipality),
        limit: 1000,
        ..Filter::default()
    };
    loop {
        let page = access::entries(pool, &filter).await?;
        let Some(last) = page.last() else { break };
        filter.after = Some(last.id);
        access_log.extend(page);
    }
    Ok(Export {
        format: "casus-case-export-v1",
        case_id: case.as_uuid(),
        exported_at: Utc::now(),
        exported_by,
        hash_chain: HASH_CHAIN,
        events,
        verification,
        access_log,
    })
}

/// Logs an export made on the command line (by someone with access to the
/// server) of `case`, in `municipality` where known.
pub async fn log_cli_export(
    pool: &PgPool,
    case: CaseId,
    municipality: Option<String>,
    user: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let entry = Access {
        action: AccessAction::Export,
        outcome: Outcome::Allowed,
        user_id: format!("cli:{user}"),
        user_name: user.to_owned(),
        role: None,
        organisation: "casus operator".into(),
        domain: "none".into(),
        purpose: reason.to_owned(),
        network_address: None,
        view: "export",
        sensitivity: Sensitivity::Audit,
        basis: format!("audit: {reason} (server access)"),
        request_id: Uuid::now_v7(),
        municipality: None,
    };
    let named = Named {
        case_id: case.as_uuid(),
        municipality,
    };
    access::record(pool, &entry, &[named], false).await
}

/// Whether the event at `sequence` lies within the part up to `through`
/// (all of it without one).
pub fn within(through: Option<u64>, sequence: u64) -> bool {
    through.is_none_or(|through| sequence <= through)
}
