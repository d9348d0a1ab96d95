//! What the routes answer besides their success, described once for the
//! OpenAPI document: the refusals of reads and of writes, and the headers a
//! write takes.

use utoipa::{IntoParams, IntoResponses};

use crate::http::problem::Problem;

/// The answers of the read routes besides their 200.
#[derive(IntoResponses)]
#[allow(dead_code)] // describes the answers for the OpenAPI document
pub enum ReadProblems {
    #[response(
        status = 400,
        description = "A malformed parameter",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "No valid bearer token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The caller's role does not read cases",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such case in the caller's scope",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 422,
        description = "`minVersion` names a version the case does not have",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
    #[response(
        status = 503,
        description = "The database does not answer, or the view has not reached `minVersion` in time; see Retry-After",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// The answers of a look-up with a body (a search) besides its 200.
#[derive(IntoResponses)]
#[allow(dead_code)] // describes the answers for the OpenAPI document
pub enum LookupProblems {
    #[response(
        status = 400,
        description = "Malformed JSON or header",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "No valid bearer token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The caller's role does not allow this look-up",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 413,
        description = "The body is over 64 KiB",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "The body is not JSON",
        content_type = "application/problem+json"
    )]
    NotJson(Problem),
    #[response(
        status = 422,
        description = "The body names no young person the look-up takes, or an invalid value",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
    #[response(
        status = 503,
        description = "The database does not answer; see Retry-After",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// The refusals of every write route (each route documents its success).
#[derive(IntoResponses)]
#[allow(dead_code)] // describes the answers for the OpenAPI document
pub enum WriteProblems {
    #[response(
        status = 400,
        description = "Malformed JSON, header or path",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "No valid bearer token",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The caller's role does not allow this",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such case in the caller's scope",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 409,
        description = "The case's state refuses this, or a concurrent change",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
    #[response(
        status = 412,
        description = "If-Match names another version than the case's",
        content_type = "application/problem+json"
    )]
    PreconditionFailed(Problem),
    #[response(
        status = 413,
        description = "Body over 64 KiB",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "Body not JSON",
        content_type = "application/problem+json"
    )]
    UnsupportedMediaType(Problem),
    #[response(
        status = 422,
        description = "Invalid body, unknown field, a rule of the case, or an Idempotency-Key reused for another request",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
    #[response(
        status = 503,
        description = "The database does not answer; see Retry-After",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// The headers a write takes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // describes the headers for the OpenAPI document
pub struct WriteHeaders {
    /// The case version the caller last saw (as an entity tag, e.g. `"7"`):
    /// the write is refused with 412 if the case has moved on.
    #[param(rename = "If-Match", pattern = r#"^(W/)?"[0-9]{1,19}"$"#)]
    if_match: Option<String>,
    /// Makes the request safe to repeat: the same key and body get the first
    /// answer again, without a second event; the same key with another body is 422.
    #[param(rename = "Idempotency-Key", pattern = "^[!-~]{1,255}$")]
    idempotency_key: Option<String>,
}
