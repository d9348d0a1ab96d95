//! The auditor's routes: a case's stored history, its state at a moment,
//! its export, the access log, and the verification of every hash chain.
//! Each read names its reason (`X-Audit-Reason`) and is itself logged.

use axum::response::{IntoResponse, Response};
use axum::Json;
use casus_domain::{CaseId, YouthCase};
use casus_store::audit::access::{self, Entry, Filter};
use casus_store::audit::chain::{self, Verification};
use casus_store::audit::export::{build_export, within, Export, Part};
use casus_store::audit::history::{self, HistoryEntry};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::answers::ReadProblems;
use crate::http::error::ApiError;
use crate::http::extract::{Path, Query};
use crate::http::reader::{Reader, Seen};
use crate::policy::{self, require_role, Action};
use casus_store::audit::access::{AccessAction, Sensitivity};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(case_history))
        .routes(routes!(state))
        .routes(routes!(export))
        .routes(routes!(access_log))
        .routes(routes!(verify))
}

const HISTORY: Seen = Seen {
    action: AccessAction::Read,
    view: "history",
    sensitivity: Sensitivity::Audit,
};

#[derive(Serialize, ToSchema)]
pub struct History {
    pub case_id: Uuid,
    pub events: Vec<HistoryEntry>,
}

/// Every event of a case with its metadata, position, time and hashes
///
/// Auditors and privacy officers of the case's municipality (or with a national scope), giving
/// their reason in `X-Audit-Reason`; the read is logged. A municipality the case was handed
/// over from reads up to the handover.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/history",
    tag = "audit",
    params(("id" = Uuid, Path, description = "The case"), AuditHeader),
    responses((status = 200, description = "The events, in order", body = History), ReadProblems)
)]
pub async fn case_history(
    reader: Reader,
    Path(case): Path<CaseId>,
) -> Result<Json<History>, ApiError> {
    Ok(Json(history_of(&reader, case).await?))
}

/// The case's events as `reader` may read them, logged.
pub async fn history_of(reader: &Reader, case: CaseId) -> Result<History, ApiError> {
    let grant = reader.case(case, Action::Audit, HISTORY, None, &[]).await?;
    let mut events = history::history(&reader.state().pool, &reader.state().keyring, case).await?;
    events.retain(|event| within(grant.through, event.sequence as u64));
    Ok(History {
        case_id: case.as_uuid(),
        events,
    })
}

/// The header auditors give their reason in.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // describes the header for the OpenAPI document
pub struct AuditHeader {
    /// Why you read this (e.g. the inquiry's reference); required for auditors
    /// and privacy officers, and written to the access log.
    #[param(rename = "X-Audit-Reason")]
    reason: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct StateParams {
    /// The case as it was at this moment (RFC 3339).
    pub at: Option<DateTime<Utc>>,
    /// The case as it was after this many events.
    pub version: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct PointInTime {
    pub case_id: Uuid,
    /// How many events the state holds.
    pub version: u64,
    /// When its last event was recorded.
    pub recorded_at: Option<DateTime<Utc>>,
    /// The case's state, rebuilt from its events (it holds no personal data).
    #[schema(value_type = Object)]
    pub state: YouthCase,
}

/// The case as it was at a moment or a version, rebuilt from its events
///
/// Auditors and privacy officers of the case's municipality (or with a national scope), giving
/// their reason in `X-Audit-Reason`; the read is logged. Give `at` or `version`.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/state",
    tag = "audit",
    params(("id" = Uuid, Path, description = "The case"), StateParams, AuditHeader),
    responses((status = 200, description = "The state then", body = PointInTime), ReadProblems)
)]
pub async fn state(
    reader: Reader,
    Path(case): Path<CaseId>,
    Query(params): Query<StateParams>,
) -> Result<Json<PointInTime>, ApiError> {
    Ok(Json(state_of(&reader, case, params).await?))
}

/// The case as it was at `params`' moment or version, logged.
pub async fn state_of(
    reader: &Reader,
    case: CaseId,
    params: StateParams,
) -> Result<PointInTime, ApiError> {
    let seen = Seen {
        view: "state",
        ..HISTORY
    };
    let grant = reader.case(case, Action::Audit, seen, None, &[]).await?;
    let pool = &reader.state().pool;
    let version = match (params.at, params.version) {
        (Some(at), None) => {
            let version = history::version_at(pool, &case.to_string(), at).await? as u64;
            grant
                .through
                .map_or(version, |through| version.min(through))
        }
        (None, Some(version)) => version,
        _ => {
            return Err(ApiError::BadRequest(
                "give either `at` (RFC 3339) or `version`".into(),
            ))
        }
    };
    let mut events = reader.state().store.events(case).await?;
    events.retain(|event| within(grant.through, event.sequence as u64));
    if version > events.len() as u64 {
        return Err(ApiError::BadRequest(format!(
            "the case has {} events; there is no version {version}",
            events.len()
        )));
    }
    let recorded_at = history::recorded_at(pool, &case.to_string(), version as i64).await?;
    let state = history::fold(events.into_iter().map(|e| e.payload), version);
    Ok(PointInTime {
        case_id: case.as_uuid(),
        version,
        recorded_at,
        state,
    })
}

/// One case as a self-contained document for an inquiry
///
/// Auditors and privacy officers of the case's municipality (or with a national scope), giving
/// their reason in `X-Audit-Reason`; the read is logged. The document holds the events with
/// their canonical texts and hashes, the chain's verification and the case's access log, this
/// export included.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/export",
    tag = "audit",
    params(("id" = Uuid, Path, description = "The case"), AuditHeader),
    responses((status = 200, description = "Events, hashes, verification and access log", body = Export), ReadProblems)
)]
pub async fn export(reader: Reader, Path(case): Path<CaseId>) -> Result<Json<Export>, ApiError> {
    let seen = Seen {
        action: AccessAction::Export,
        view: "export",
        sensitivity: Sensitivity::Audit,
    };
    let grant = reader.case(case, Action::Audit, seen, None, &[]).await?;
    let exported_by = format!("{} ({})", reader.caller.name, reader.caller.id);
    // A former municipality exports its part: the events up to the
    // handover, and the reads logged while the case was theirs.
    let part = grant.through.map(|through| Part {
        through,
        municipality: reader.caller.municipality.as_ref().map(|m| m.to_string()),
    });
    Ok(Json(
        build_export(
            &reader.state().pool,
            &reader.state().keyring,
            &reader.state().store.verifying_key(),
            case,
            exported_by,
            part,
        )
        .await?,
    ))
}

/// Whether `reader` may read audit data that names no one case, and on what ground.
fn audit_grant(reader: &Reader) -> Result<String, ApiError> {
    require_role(&reader.caller, Action::Audit)?;
    reader.ground(policy::auditing(&reader.caller), "audit")
}

#[derive(Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct AccessLogParams {
    pub case_id: Option<Uuid>,
    pub user_id: Option<String>,
    /// Only this action.
    #[param(inline)]
    pub action: Option<AccessAction>,
    /// From this moment (RFC 3339), inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Until this moment, exclusive.
    pub until: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1 to 1000; 100 if left out.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AccessLogPage {
    pub entries: Vec<Entry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

/// Who read, searched, exported or was refused what, oldest first
///
/// Auditors and privacy officers, giving a reason; their own municipality's entries (a national
/// scope: all). The search itself is logged.
#[utoipa::path(
    get,
    path = "/api/v1/audit/access-log",
    tag = "audit",
    params(AccessLogParams, AuditHeader),
    responses((status = 200, description = "A page of the access log", body = AccessLogPage), ReadProblems)
)]
pub async fn access_log(
    reader: Reader,
    Query(params): Query<AccessLogParams>,
) -> Result<Json<AccessLogPage>, ApiError> {
    let seen = Seen {
        action: AccessAction::Search,
        view: "access_log",
        sensitivity: Sensitivity::Audit,
    };
    let basis = match audit_grant(&reader) {
        Ok(basis) => basis,
        Err(error) => return Err(reader.refuse(seen, params.case_id, error).await),
    };
    let limit = params.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 1000".into(),
        ));
    }
    let filter = Filter {
        municipality: reader.caller.municipality.as_ref().map(|m| m.to_string()),
        case_id: params.case_id,
        user_id: params.user_id,
        action: params.action,
        from: params.from,
        until: params.until,
        after: params.cursor,
        limit: limit + 1,
    };
    let named: Vec<Uuid> = params.case_id.into_iter().collect();
    reader
        .shown(seen, policy::auditing(&reader.caller), basis, &named)
        .await?;
    let mut entries = access::entries(&reader.state().pool, &filter).await?;
    let next_cursor = if entries.len() as i64 > limit {
        entries.truncate(limit as usize);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(Json(AccessLogPage {
        entries,
        next_cursor,
    }))
}

/// Recompute every case's hash chain and name the first broken link of each
///
/// Auditors and privacy officers, giving a reason. Also checks every event's signature, every
/// snapshot and the access log's chain; a municipal auditor sees the broken links of their
/// municipality.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    params(AuditHeader),
    responses((status = 200, description = "ok, or the broken links (of the caller's municipality)", body = Verification), ReadProblems)
)]
pub async fn verify(reader: Reader) -> Result<Response, ApiError> {
    Ok(Json(verification(&reader).await?).into_response())
}

/// Every chain recomputed, as `reader` may see the result, logged.
pub async fn verification(reader: &Reader) -> Result<Verification, ApiError> {
    let seen = Seen {
        action: AccessAction::Read,
        view: "verify",
        sensitivity: Sensitivity::None,
    };
    let basis = match audit_grant(reader) {
        Ok(basis) => basis,
        Err(error) => return Err(reader.refuse(seen, None, error).await),
    };
    let pool = &reader.state().pool;
    let key = reader.state().store.verifying_key();
    let mut report = chain::verify(pool, &key, None, |_| {}).await?;
    if let Some(municipality) = &reader.caller.municipality {
        let ids: Vec<Uuid> = report
            .broken
            .iter()
            .map(|b| &b.case_id)
            .chain(&report.broken_snapshots)
            .filter_map(|id| id.parse().ok())
            .collect();
        let lie_in = casus_projections::queries::municipalities(pool, &ids).await?;
        let ours: Vec<Uuid> = ids
            .into_iter()
            .zip(lie_in)
            .filter(|(_, lies_in)| lies_in.as_deref() == Some(municipality.as_str()))
            .map(|(id, _)| id)
            .collect();
        report
            .broken
            .retain(|b| b.case_id.parse().is_ok_and(|id: Uuid| ours.contains(&id)));
        report
            .broken_snapshots
            .retain(|case| case.parse().is_ok_and(|id: Uuid| ours.contains(&id)));
    }
    reader
        .shown(seen, policy::auditing(&reader.caller), basis, &[])
        .await?;
    Ok(report)
}
