//! Running a command for a caller: authorise on the case as loaded, build
//! the command, append it with the caller's metadata, answer with the case
//! id and new version, and honour `If-Match` and `Idempotency-Key`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use casus_domain::{CaseCommand, CaseError, CaseFile, CaseId, Command, CommandKind, Role};
use casus_store::idempotency::{Idempotency, StoredAnswer};
use casus_store::Once;
use casus_store::{Actor, CommandError, Metadata};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::http::extract::{IdempotencyKey, IfMatch, RequestId};
use crate::http::problem::Problem;
use crate::policy::{self, Action, Facts};
use crate::AppState;

/// The answer to a write.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct Written {
    pub case_id: Uuid,
    /// The case's version after the write; send it as `If-Match` next time,
    /// or as `min_version` to read your own write.
    pub version: u64,
    /// The ids of what the write created (a case, goals, an intervention,
    /// a consent, a review), in the order of the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<Uuid>,
}

/// Everything a write route knows about its caller and request.
pub struct Writer {
    state: AppState,
    pub caller: Principal,
    request_id: RequestId,
    address: Option<String>,
    if_match: Option<u64>,
    key: Option<String>,
    /// The route names a goal, intervention, consent or review in its path.
    items_in_path: bool,
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let caller = Principal::from_request_parts(parts, state).await?;
        let if_match =
            <IfMatch as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
                parts, state,
            )
            .await?;
        let key = <IdempotencyKey as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
            parts, state,
        )
        .await?;
        let Ok(request_id) = RequestId::from_request_parts(parts, state).await;
        Ok(Self {
            state: state.clone(),
            caller,
            request_id,
            address: parts
                .extensions
                .get::<crate::http::extract::ClientAddress>()
                .map(|a| a.0.clone()),
            if_match: if_match.map(|m| m.0),
            key: key.map(|k| k.0),
            items_in_path: false,
        })
    }
}

/// What a write does to which case.
pub enum Target {
    /// Opens a new case.
    New(CaseId),
    /// Acts on an existing case.
    Case(CaseId, Action),
}

/// What a write came to: done now, or done before under the same
/// `Idempotency-Key` (the first answer again).
pub enum Wrote {
    Done(StatusCode, Written),
    Replayed(StoredAnswer),
}

impl Wrote {
    pub fn into_response(self) -> Result<Response, ApiError> {
        match self {
            Wrote::Done(status, written) => Ok(answer(status, &written)),
            Wrote::Replayed(stored) => replay(stored),
        }
    }
}

impl Writer {
    /// A writer for a caller the web interface knows from its session; a
    /// form carries the version it showed and its own idempotency key.
    pub(crate) fn new(
        state: &AppState,
        caller: Principal,
        request_id: RequestId,
        address: Option<String>,
        if_match: Option<u64>,
        key: Option<String>,
    ) -> Self {
        Self {
            state: state.clone(),
            caller,
            request_id,
            address,
            if_match,
            key,
            items_in_path: false,
        }
    }

    /// Logs a refused write in the access log, then answers with the refusal.
    pub(crate) async fn denied(&self, case: Option<CaseId>, error: ApiError) -> ApiError {
        let why = match &error {
            ApiError::Forbidden(detail) => detail.clone(),
            _ => "not in scope".to_owned(),
        };
        let who = crate::http::reader::Who {
            caller: &self.caller,
            request_id: self.request_id,
            address: self.address.clone(),
            reason: None,
        };
        match who
            .denied(&self.state, "command", case.map(|c| c.as_uuid()), why)
            .await
        {
            Ok(()) => error,
            Err(log_error) => log_error.into(),
        }
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// For a route whose path names a goal, intervention, consent or review.
    pub fn items_in_path(mut self) -> Self {
        self.items_in_path = true;
        self
    }

    pub fn request_id(&self) -> RequestId {
        self.request_id
    }

    /// The request to keep an answer for, if the caller sent a key; a
    /// success answers with `status`.
    pub fn idempotency(&self, digest: String, status: StatusCode) -> Option<Idempotency> {
        self.key.as_ref().map(|key| Idempotency {
            scope: self.caller.id.to_string(),
            key: key.clone(),
            request_hash: digest,
            status: status.as_u16(),
            answer: serde_json::Map::new(),
        })
    }

    /// Records `command` on an existing case, as the action the policy says
    /// it is; `ids` are those it creates.
    pub async fn record(
        self,
        case: CaseId,
        digest: String,
        ids: Vec<Uuid>,
        command: CaseCommand,
    ) -> Result<Response, ApiError> {
        self.put(case, digest, ids, command).await?.into_response()
    }

    /// `record`, answering what the write came to.
    pub async fn put(
        self,
        case: CaseId,
        digest: String,
        ids: Vec<Uuid>,
        command: CaseCommand,
    ) -> Result<Wrote, ApiError> {
        let action = policy::action_of(CommandKind::from(&command));
        self.write(Target::Case(case, action), digest, ids, |_| {
            Ok(command.clone())
        })
        .await
    }

    /// Runs a write: `ids` are those it creates, `build` makes the command
    /// from the case as loaded (`None` for a new case).
    pub async fn write(
        self,
        target: Target,
        digest: String,
        ids: Vec<Uuid>,
        mut build: impl FnMut(Option<&CaseFile>) -> Result<CaseCommand, ApiError>,
    ) -> Result<Wrote, ApiError> {
        let (case, status) = match target {
            Target::New(case) => (case, StatusCode::CREATED),
            Target::Case(case, action) => {
                if let Err(error) = policy::require_role(&self.caller, action) {
                    return Err(self.denied(Some(case), error).await);
                }
                (case, StatusCode::OK)
            }
        };
        let request = self.idempotency(digest, status).map(|mut request| {
            request.answer.insert("ids".into(), serde_json::json!(ids));
            request
        });
        let mut kind = "unknown";
        let caller = &self.caller;
        let items_in_path = self.items_in_path;
        // One day for the whole write: the access facts and the rules.
        let today = casus_store::clock::today();
        let outcome = self
            .state
            .store
            .execute_once(
                case,
                request.as_ref(),
                |aggregate| {
                    let (role, command) = match (&target, aggregate.file()) {
                        (Target::New(_), None) => (policy::opening(caller)?, build(None)?),
                        (Target::New(_), Some(_)) => {
                            return Err(ApiError::Command(CommandError::Conflict(
                                casus_store::Conflict::ConcurrentWrite,
                            )))
                        }
                        (Target::Case(_, _), None) => return Err(ApiError::NotFound),
                        (Target::Case(_, action), Some(file)) => {
                            let facts = Facts::of_file(file, today);
                            let role = policy::authorize(caller, *action, &facts)?.role;
                            (role, build(Some(file))?)
                        }
                    };
                    kind = command.describe();
                    let command = Command {
                        expected_version: self.if_match,
                        today,
                        action: command,
                    };
                    let metadata = Metadata::new(actor(caller, role), self.request_id.0);
                    Ok((command, metadata))
                },
                // A refusal of the case is kept for the key, as a success
                // is: the same request gets the same answer.
                |error: &ApiError| match error {
                    ApiError::Command(CommandError::Rejected(refusal)) => {
                        let problem = refused(refusal.clone(), items_in_path).into_problem();
                        Some((problem.status, problem.to_json()))
                    }
                    _ => None,
                },
            )
            .await;
        match outcome {
            Ok(Once::Done(committed)) => {
                crate::metrics::command(kind, "recorded");
                let written = Written {
                    case_id: committed.case.as_uuid(),
                    version: committed.version,
                    ids,
                };
                Ok(Wrote::Done(status, written))
            }
            Ok(Once::Replayed(stored)) => Ok(Wrote::Replayed(stored)),
            Err(error @ (ApiError::NotFound | ApiError::Forbidden(_))) => {
                crate::metrics::command(kind, "denied");
                Err(self.denied(Some(case), error).await)
            }
            Err(ApiError::Command(CommandError::Rejected(refusal))) => {
                crate::metrics::command(kind, "refused");
                Err(refused(refusal, items_in_path))
            }
            Err(error) => {
                crate::metrics::command(kind, outcome_label(&error));
                Err(error)
            }
        }
    }
}

/// The case's refusal as answered: on a route whose path names an item of
/// the case, an item the case does not hold is not found (404, in the
/// case's words), as any path that names nothing; named in a body it stays
/// the case's refusal (422 or 409), which the web interface words itself.
fn refused(refusal: CaseError, items_in_path: bool) -> ApiError {
    match refusal {
        CaseError::UnknownGoal(_)
        | CaseError::UnknownIntervention(_)
        | CaseError::UnknownConsent(_)
        | CaseError::UnknownReview(_)
            if items_in_path =>
        {
            Problem::new(StatusCode::NOT_FOUND, "Not found", refusal.to_string()).into()
        }
        other => ApiError::Command(CommandError::Rejected(other)),
    }
}

fn outcome_label(error: &ApiError) -> &'static str {
    match error {
        ApiError::Command(CommandError::Conflict(_)) => "conflict",
        ApiError::Command(CommandError::Unavailable(_)) => "unavailable",
        _ => "failed",
    }
}

pub fn actor(caller: &Principal, role: Role) -> Actor {
    Actor {
        id: caller.id.clone(),
        name: caller.name.clone(),
        role,
        organisation: caller.organisation.clone(),
        domain: caller.domain,
        municipality: caller.municipality.clone(),
    }
}

fn answer(status: StatusCode, written: &Written) -> Response {
    let mut response = (status, Json(written)).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", written.version)) {
        headers.insert(header::ETAG, etag);
    }
    if status == StatusCode::CREATED {
        if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", written.case_id)) {
            headers.insert(header::LOCATION, location);
        }
    }
    response
}

/// The first answer again, marked as a repeat.
pub fn replay(stored: StoredAnswer) -> Result<Response, ApiError> {
    let status = StatusCode::from_u16(stored.status as u16).unwrap_or(StatusCode::OK);
    if status.is_success() {
        if let Ok(written) = serde_json::from_value::<Written>(stored.answer.clone()) {
            let mut response = answer(status, &written);
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(response);
        }
    }
    let mut response = (status, Json(stored.answer)).into_response();
    let headers = response.headers_mut();
    if !status.is_success() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}
