//! The read routes of cases: the list, one case and its timeline, each as
//! the caller's domain sees it.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use casus_domain::{CaseCommand, CaseId, Domain, Personal, Referral, Role, Stage, SubjectId};
use casus_projections::queries::Reach;
use casus_projections::queries::{self, CaseDetail, CaseListFilter, CaseSummary, TimelineEntry};
use casus_projections::wait::Versioned;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Principal;
use crate::http::answers::{ReadProblems, WriteHeaders, WriteProblems};
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path, Query};
use crate::http::reader::{Reader, Seen};
use crate::http::writer::{Target, Writer, Written, Wrote};
use crate::policy::{self, Action, Grant};
use crate::routes::bodies::ReferralBody;
use casus_store::audit::access::{AccessAction, Sensitivity};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(case))
        .routes(routes!(timeline))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ReadParams {
    /// Wait (a few seconds at most) until the view reflects at least this
    /// version of the case: the version a write answered with.
    min_version: Option<u64>,
}

pub(crate) fn view_of(domain: Domain) -> Versioned {
    match domain {
        Domain::Social => Versioned::SocialCaseView,
        Domain::Justice => Versioned::JusticeCaseView,
    }
}

/// One case as the caller's domain sees it, with its plan
///
/// Case workers and leads of the case or its team, a partner involved on a basis that holds, a
/// supervisor of its team, an auditor (with a reason). The social and the justice view differ
/// in what they show. With `minVersion` the read waits (up to 5 s in all) for the view to
/// reflect that version; a version the case does not have is 422. Every read is logged.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "views",
    params(("id" = Uuid, Path, description = "The case"), ReadParams),
    responses(
        (status = 200, description = "The case; its ETag is its version", body = CaseDetail),
        ReadProblems
    )
)]
pub async fn case(
    reader: Reader,
    Path(case): Path<CaseId>,
    Query(params): Query<ReadParams>,
) -> Result<Response, ApiError> {
    let (detail, _) = read_case(&reader, case, params.min_version).await?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", detail.overview.version))
        .map_err(|_| ApiError::Problem(crate::http::problem::internal()))?;
    Ok(([(header::ETAG, etag)], Json(detail)).into_response())
}

/// The case as the reader's domain sees it, authorised and logged.
pub async fn read_case(
    reader: &Reader,
    case: CaseId,
    min_version: Option<u64>,
) -> Result<(CaseDetail, Grant), ApiError> {
    read_case_for(reader, case, min_version, AccessAction::Read).await
}

/// The case read for `action`: on screen, or printed (logged as a print).
pub async fn read_case_for(
    reader: &Reader,
    case: CaseId,
    min_version: Option<u64>,
    action: AccessAction,
) -> Result<(CaseDetail, Grant), ApiError> {
    let domain = reader.caller.domain;
    let tables = [Versioned::Caseload, view_of(domain), Versioned::CasePlan];
    let seen = Seen {
        action,
        view: view_name(domain),
        sensitivity: Sensitivity::Case,
    };
    let grant = reader
        .case(case, Action::Read, seen, min_version, &tables)
        .await?;
    let today = casus_store::clock::today();
    let detail = queries::case(&reader.state().pool, domain, case.as_uuid(), today).await?;
    Ok((detail.ok_or(ApiError::NotFound)?, grant))
}

#[derive(Serialize, ToSchema)]
pub struct Timeline {
    pub case_id: Uuid,
    /// The latest entries (before `before`, when given), oldest first.
    pub entries: Vec<TimelineEntry>,
    /// Pass as `before` for the entries before these; absent when these
    /// reach back to the case's start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earlier: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct TimelineParams {
    /// Wait (a few seconds at most) until the view reflects at least this
    /// version of the case: the version a write answered with.
    min_version: Option<u64>,
    /// Only entries before this one (a sequence): the `earlier` of the page after.
    #[param(minimum = 1)]
    before: Option<i64>,
    /// How many entries at most (1 to 500; 100 if left out).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The case's history as the caller's domain may see it
///
/// Who may read the case reads its timeline; an entry's content shows only to the domains that
/// may see it, and a domain learns that the other's entries exist, never what they say. A page
/// holds the latest entries; `earlier` leads to the ones before.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/timeline",
    tag = "views",
    params(("id" = Uuid, Path, description = "The case"), TimelineParams),
    responses((status = 200, description = "The latest entries, oldest first", body = Timeline), ReadProblems)
)]
pub async fn timeline(
    reader: Reader,
    Path(case): Path<CaseId>,
    Query(params): Query<TimelineParams>,
) -> Result<Json<Timeline>, ApiError> {
    let limit = params.limit.unwrap_or(TIMELINE_PAGE);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 500".into(),
        ));
    }
    if params.before.is_some_and(|before| before < 1) {
        return Err(ApiError::BadRequest(
            "before must be a sequence of the case (1 or more)".into(),
        ));
    }
    let (entries, earlier) = read_timeline_page(
        &reader,
        case,
        AccessAction::Read,
        params.min_version,
        params.before,
        limit,
    )
    .await?;
    Ok(Json(Timeline {
        case_id: case.as_uuid(),
        earlier,
        entries,
    }))
}

/// How many timeline entries a page holds unless asked for another number.
pub const TIMELINE_PAGE: i64 = 100;

/// The case's latest `limit` timeline entries (before `before`, when
/// given) as the reader's domain sees them, oldest first, authorised and
/// logged as `action` (a read, or a print on paper); and where the page
/// before begins, if there is one.
pub async fn read_timeline_page(
    reader: &Reader,
    case: CaseId,
    action: AccessAction,
    min_version: Option<u64>,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<TimelineEntry>, Option<i64>), ApiError> {
    timeline_read(reader, case, action, min_version).await?;
    let pool = &reader.state().pool;
    let domain = reader.caller.domain;
    let (entries, earlier) =
        queries::timeline_page(pool, domain, case.as_uuid(), before, limit).await?;
    let earlier = earlier.then(|| entries.first().map(|e| e.sequence));
    Ok((entries, earlier.flatten()))
}

/// Authorises reading the case's timeline and logs it as `action`.
async fn timeline_read(
    reader: &Reader,
    case: CaseId,
    action: AccessAction,
    min_version: Option<u64>,
) -> Result<(), ApiError> {
    let tables = [Versioned::Caseload, Versioned::Timeline];
    let seen = Seen {
        action,
        view: "case_timeline",
        sensitivity: Sensitivity::Case,
    };
    reader
        .case(case, Action::Read, seen, min_version, &tables)
        .await?;
    Ok(())
}

#[derive(Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ListParams {
    /// Only cases in this stage.
    pub stage: Option<Stage>,
    /// Only cases this worker is assigned to or leads.
    pub assignee: Option<String>,
    /// Only cases of this team.
    pub team: Option<String>,
    /// Only cases in this focus area.
    pub focus_area: Option<String>,
    /// Only cases whose next review is overdue (`true`) or not (`false`).
    pub review_overdue: Option<bool>,
    /// Only cases with an open goal due on or before this date.
    pub target_before: Option<NaiveDate>,
    /// Where to continue: the `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]{21}[AQgw]$")]
    pub cursor: Option<String>,
    /// How many cases per page (1 to 200; 50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The cases in the caller's scope, filtered, a page at a time
///
/// Exactly the cases the caller may read (their own, their team's, a partner's on its basis, a
/// supervisor's incoming handovers; an auditor's whole municipality), in the caller's domain's
/// view. Each case listed is logged.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "views",
    params(ListParams),
    responses((status = 200, description = "A page of cases, oldest first", body = CasePage), ReadProblems)
)]
pub async fn list(
    reader: Reader,
    Query(params): Query<ListParams>,
) -> Result<Json<CasePage>, ApiError> {
    Ok(Json(list_cases(&reader, params).await?))
}

/// A page of the cases in the reader's scope, authorised and logged.
pub async fn list_cases(reader: &Reader, params: ListParams) -> Result<CasePage, ApiError> {
    list_matching(reader, params, None, "case_list").await
}

/// A page of the cases in the reader's scope, of `subjects` when given,
/// logged as a read of `view`.
pub(crate) async fn list_matching(
    reader: &Reader,
    params: ListParams,
    subjects: Option<Vec<Uuid>>,
    view: &'static str,
) -> Result<CasePage, ApiError> {
    list_in(reader, params, subjects, view, policy::listing).await
}

/// A page of the cases in the `scope` the policy grants the reader.
pub(crate) async fn list_in(
    reader: &Reader,
    params: ListParams,
    subjects: Option<Vec<Uuid>>,
    view: &'static str,
    scope: fn(&Principal) -> Result<(Reach, Role), ApiError>,
) -> Result<CasePage, ApiError> {
    let seen = Seen {
        action: AccessAction::Search,
        view,
        sensitivity: Sensitivity::Case,
    };
    let (reach, role, basis) = match list_grant(reader, scope) {
        Ok(grant) => grant,
        Err(error) => return Err(reader.refuse(seen, None, error).await),
    };
    let caller = &reader.caller;
    let state = reader.state();
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 200".into(),
        ));
    }
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let filter = CaseListFilter {
        stage: params.stage.map(|s| s.as_str().to_owned()),
        assignee: params.assignee,
        team: params.team,
        focus_area: params.focus_area,
        review_overdue: params.review_overdue,
        target_before: params.target_before,
        subjects,
        after,
        limit: limit + 1,
    };
    let today = casus_store::clock::today();
    let mut items = queries::list(&state.pool, caller.domain, &reach, &filter, today).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor(c.case_id))
    } else {
        None
    };
    let named: Vec<Uuid> = items.iter().map(|c| c.case_id).collect();
    reader.shown(seen, role, basis, &named).await?;
    Ok(CasePage { items, next_cursor })
}

/// Whether the caller may list cases, how far, in which role, on what ground.
fn list_grant(
    reader: &Reader,
    scope: fn(&Principal) -> Result<(Reach, Role), ApiError>,
) -> Result<(Reach, Role, String), ApiError> {
    let (reach, role) = scope(&reader.caller)?;
    let basis = reader.ground(role, "scope: assignment, team or partner")?;
    Ok((reach, role, basis))
}

fn view_name(domain: Domain) -> &'static str {
    match domain {
        Domain::Social => "social_case_view",
        Domain::Justice => "justice_case_view",
    }
}

fn encode_cursor(case: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(case.as_bytes())
}

fn decode_cursor(cursor: &str) -> Result<Uuid, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::BadRequest("the cursor is not one Casus gave out".into()))
}

/// Open a case with a referral
///
/// Case workers and case leads open a case in their own municipality, team, domain and
/// organisation. A referral may name a young person Casus knows by `subject_id` only where a
/// case about them lies in that municipality (404 otherwise). The young person is 8 to 27 on
/// the referral date.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    params(WriteHeaders),
    request_body = ReferralBody,
    responses((status = 201, description = "Opened", body = Written), WriteProblems)
)]
pub async fn open(writer: Writer, body: Body<ReferralBody>) -> Result<Response, ApiError> {
    open_case(writer, body.digest, body.value)
        .await?
        .into_response()
}

/// Opens a case with a referral, in the caller's municipality, team, domain
/// and organisation.
pub(crate) async fn open_case(
    writer: Writer,
    digest: String,
    b: ReferralBody,
) -> Result<Wrote, ApiError> {
    let case = CaseId::new();
    let subject = b.subject_id.unwrap_or_else(SubjectId::new);
    let caller = &writer.caller;
    let (Some(municipality), Some(team)) = (caller.municipality.clone(), caller.team.clone())
    else {
        return Err(ApiError::Forbidden(
            "opening a case needs a municipality and a team in your token".into(),
        ));
    };
    let referral = Referral {
        subject,
        details: Personal::new(b.subject),
        municipality,
        focus_area: b.focus_area,
        team,
        domain: caller.domain,
        organisation: caller.organisation.clone(),
        referred_by: b.referred_by,
        reason: Personal::new(b.reason),
        goal: Personal::new(b.goal),
        referred_on: b.referred_on,
    };
    let ids = vec![case.as_uuid(), subject.as_uuid()];
    writer
        .write(Target::New(case), digest, ids, |_| {
            Ok(CaseCommand::ReferCase(referral.clone()))
        })
        .await
}
