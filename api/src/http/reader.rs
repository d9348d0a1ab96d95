//! Reads of cases, authorised and written to the access log: every read of
//! a case, every list that names cases, and every refusal. Auditors and
//! privacy officers read on the ground of a reason they give in
//! `X-Audit-Reason`; without one they are refused (and that is logged too).

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use casus_domain::{CaseId, Role};
use casus_projections::queries;
use casus_projections::wait::{wait_for_version, Versioned};
use casus_store::audit::access::{Access, AccessAction, Named, Outcome, Sensitivity};
use casus_store::log::case_version;
use uuid::Uuid;

use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::http::extract::{ClientAddress, RequestId};
use crate::http::problem::Problem;
use crate::policy::{authorize, needs_reason, require_role, Action, Facts, Grant, Relation};
use crate::AppState;

/// The header in which auditors give the reason for a read.
pub const AUDIT_REASON: &str = "x-audit-reason";

pub struct Reader {
    pub caller: Principal,
    pub request_id: RequestId,
    address: Option<String>,
    reason: Option<String>,
    state: AppState,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let caller = Principal::from_request_parts(parts, state).await?;
        let Ok(request_id) = RequestId::from_request_parts(parts, state).await;
        let reason = parts
            .headers
            .get(AUDIT_REASON)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| r.chars().take(500).collect());
        Ok(Self {
            caller,
            request_id,
            address: parts.extensions.get::<ClientAddress>().map(|a| a.0.clone()),
            reason,
            state: state.clone(),
        })
    }
}

/// Who accessed, for the access log.
pub struct Who<'a> {
    pub caller: &'a Principal,
    pub request_id: RequestId,
    pub address: Option<String>,
    pub reason: Option<String>,
}

impl Who<'_> {
    pub fn entry(
        &self,
        seen: Seen,
        outcome: Outcome,
        role: Option<String>,
        basis: String,
    ) -> Access {
        let caller = self.caller;
        let purpose = match (&self.reason, &role) {
            (Some(reason), _) => reason.clone(),
            (None, Some(role)) => format!("case work as {role}"),
            (None, None) => "case work".into(),
        };
        Access {
            action: seen.action,
            outcome,
            user_id: caller.id.to_string(),
            user_name: caller.name.clone(),
            role,
            organisation: caller.organisation.to_string(),
            domain: caller.domain.to_string(),
            purpose,
            network_address: self.address.clone(),
            view: seen.view,
            sensitivity: seen.sensitivity,
            basis,
            request_id: self.request_id.0,
            municipality: caller.municipality.as_ref().map(|m| m.to_string()),
        }
    }

    /// Logs a refused attempt on `case`.
    pub async fn denied(
        &self,
        state: &AppState,
        view: &'static str,
        case: Option<Uuid>,
        why: String,
    ) -> Result<(), sqlx::Error> {
        let seen = Seen {
            action: AccessAction::Denied,
            view,
            sensitivity: Sensitivity::None,
        };
        let cases: Vec<Uuid> = case.into_iter().collect();
        let named = in_caseload(&state.pool, &cases).await?;
        let entry = self.entry(seen, Outcome::Denied, None, why);
        state.access_log.record(&entry, &named, true).await
    }
}

/// `cases`, each in the municipality the caseload knows it in.
async fn in_caseload(pool: &sqlx::PgPool, cases: &[Uuid]) -> Result<Vec<Named>, sqlx::Error> {
    if cases.is_empty() {
        return Ok(Vec::new());
    }
    let municipalities = queries::municipalities(pool, cases).await?;
    Ok(cases
        .iter()
        .zip(municipalities)
        .map(|(case_id, municipality)| Named {
            case_id: *case_id,
            municipality,
        })
        .collect())
}

/// How a read is described in the access log.
#[derive(Clone, Copy)]
pub struct Seen {
    pub action: AccessAction,
    pub view: &'static str,
    pub sensitivity: Sensitivity,
}

impl Reader {
    /// A reader for a caller the web interface knows from its session.
    pub(crate) fn new(
        state: &AppState,
        caller: Principal,
        request_id: RequestId,
        address: Option<String>,
    ) -> Self {
        Self {
            caller,
            request_id,
            address,
            reason: None,
            state: state.clone(),
        }
    }

    /// The reason an auditor stated for the web session, as the API takes
    /// it from `X-Audit-Reason`.
    pub(crate) fn with_reason(mut self, reason: Option<String>) -> Self {
        self.reason = reason;
        self
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn who(&self) -> Who<'_> {
        Who {
            caller: &self.caller,
            request_id: self.request_id,
            address: self.address.clone(),
            reason: self.reason.clone(),
        }
    }

    /// Logs that `cases` were shown under `grant`.
    pub async fn shown(
        &self,
        seen: Seen,
        role: Role,
        basis: String,
        cases: &[Uuid],
    ) -> Result<(), ApiError> {
        let named = in_caseload(&self.state.pool, cases).await?;
        self.shown_named(seen, role, basis, &named).await
    }

    /// Logs that `named` cases, whose municipality the caller knows, were shown.
    async fn shown_named(
        &self,
        seen: Seen,
        role: Role,
        basis: String,
        named: &[Named],
    ) -> Result<(), ApiError> {
        let entry = self
            .who()
            .entry(seen, Outcome::Allowed, Some(role.as_str().into()), basis);
        self.state.access_log.record(&entry, named, false).await?;
        Ok(())
    }

    /// Logs a refusal, then answers with it.
    pub async fn refuse(&self, seen: Seen, case: Option<Uuid>, error: ApiError) -> ApiError {
        let why = match &error {
            ApiError::NotFound => "not in scope".to_owned(),
            ApiError::Forbidden(detail) | ApiError::BadRequest(detail) => detail.clone(),
            _ => return error,
        };
        match self.who().denied(&self.state, seen.view, case, why).await {
            Ok(()) => error,
            Err(log_error) => log_error.into(),
        }
    }

    /// The ground to log for a read in `role`: `otherwise`, or for auditors
    /// and privacy officers the reason they must give.
    pub fn ground(&self, role: Role, otherwise: &str) -> Result<String, ApiError> {
        if !needs_reason(role) {
            return Ok(otherwise.to_owned());
        }
        match &self.reason {
            Some(reason) => Ok(format!("audit: {reason}")),
            None => Err(ApiError::BadRequest(format!(
                "as {}, give the reason for this read in the {AUDIT_REASON} header",
                role.as_str()
            ))),
        }
    }

    /// Authorises reading one case for `action`, waits for `tables` to
    /// reach `min_version`, and logs the read (or the refusal). The access
    /// facts are waited for first; a case the caseload still does not have
    /// is 404, so the answer never tells an unknown case from one out of scope.
    pub async fn case(
        &self,
        case: CaseId,
        action: Action,
        seen: Seen,
        min_version: Option<u64>,
        tables: &[Versioned],
    ) -> Result<Grant, ApiError> {
        // One wait in all, for the access facts and the views.
        let deadline = Instant::now() + self.state.settings.read_wait;
        match self.authorize(case, action, min_version, deadline).await {
            Ok((grant, basis, municipality)) => {
                wait(&self.state, case, min_version, tables, deadline).await?;
                let named = Named {
                    case_id: case.as_uuid(),
                    municipality: Some(municipality),
                };
                self.shown_named(seen, grant.role, basis, &[named]).await?;
                Ok(grant)
            }
            Err(error) => Err(self.refuse(seen, Some(case.as_uuid()), error).await),
        }
    }

    async fn authorize(
        &self,
        case: CaseId,
        action: Action,
        min_version: Option<u64>,
        deadline: Instant,
    ) -> Result<(Grant, String, String), ApiError> {
        require_role(&self.caller, action)?;
        let pool = &self.state.pool;
        // Authorise on the case as the log has it now: the access facts
        // must reflect every committed event of this case, so a consent
        // withdrawn a moment ago already ends a partner's access.
        let logged = case_version(pool, case).await?;
        if logged == 0 {
            return Err(ApiError::NotFound);
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        if !wait_for_version(pool, Versioned::Caseload, case, logged, wait).await? {
            return Err(view_behind(logged));
        }
        let scope = queries::scope(pool, case.as_uuid(), casus_store::clock::today()).await?;
        let scope = scope.ok_or(ApiError::NotFound)?;
        let grant = authorize(&self.caller, action, &Facts::from(&scope))?;
        // Asked for a version the case does not have (yet): say so at once,
        // to a caller who may see the case, rather than wait in vain.
        if let Some(version) = min_version.filter(|v| *v > logged) {
            return Err(ApiError::Unprocessable(format!(
                "this case has no version {version}: it is at version {logged}"
            )));
        }
        // A partner reads on what its involvement rests on.
        let basis = match grant.relation {
            Relation::Partner => scope
                .basis_of(self.caller.organisation.as_str())
                .map(|basis| format!("partner on {basis}")),
            _ => None,
        };
        let basis = self.ground(
            grant.role,
            basis.as_deref().unwrap_or(grant.relation.basis()),
        )?;
        Ok((grant, basis, scope.municipality))
    }
}

/// Waits until `deadline` for `tables` to reflect `version` of `case`, or
/// answers 503.
pub(crate) async fn wait(
    state: &AppState,
    case: CaseId,
    version: Option<u64>,
    tables: &[Versioned],
    deadline: Instant,
) -> Result<(), ApiError> {
    let Some(version) = version else {
        return Ok(());
    };
    for table in tables {
        let left = deadline.saturating_duration_since(Instant::now());
        if !wait_for_version(&state.pool, *table, case, version, left).await? {
            return Err(view_behind(version));
        }
    }
    Ok(())
}

/// For a page that shows what a write just did: waits until `table`
/// reflects each `(case, version)`, all within one read wait, and goes on
/// when that is over (the page then shows the view as it stands).
pub(crate) async fn wait_for_cases(
    state: &AppState,
    table: Versioned,
    cases: &[(CaseId, u64)],
) -> Result<(), sqlx::Error> {
    let deadline = Instant::now() + state.settings.read_wait;
    for &(case, version) in cases {
        let left = deadline.saturating_duration_since(Instant::now());
        if !wait_for_version(&state.pool, table, case, version, left).await? {
            break;
        }
    }
    Ok(())
}

/// A view that did not reach `version` of a case within the read's wait.
pub(crate) fn view_behind(version: u64) -> ApiError {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "View behind",
        format!("The view has not reached version {version} of this case yet; try again shortly."),
    )
    .kind("urn:casus:problem:view-behind")
    .with_header(header::RETRY_AFTER, "1")
    .into()
}
