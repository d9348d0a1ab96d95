//! Extractors whose every rejection is problem+json: a JSON body that must
//! be `application/json`, at most the body limit, well formed, of the right
//! shape and without unknown fields; path and query parameters; the
//! `If-Match` and `Idempotency-Key` headers; the request id.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::http::problem::Problem;

/// A JSON body, and a digest of the request (method, path, body) for
/// idempotency.
pub struct Body<T> {
    pub value: T,
    pub digest: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "Send the body as JSON, with Content-Type: application/json.",
            ));
        }
        let mut hasher = Sha256::new();
        hasher.update(request.method().as_str());
        hasher.update(b" ");
        hasher.update(request.uri().path());
        hasher.update(b"\n");
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_rejection)?;
        hasher.update(&bytes);
        let value = parse(&bytes)?;
        Ok(Self {
            value,
            digest: format!("{:x}", hasher.finalize()),
        })
    }
}

fn body_rejection(rejection: BytesRejection) -> Problem {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            status,
            "Body too large",
            format!("The body is over the limit of {} bytes.", crate::BODY_LIMIT),
        )
    } else {
        Problem::new(status, "Unreadable body", rejection.body_text())
    }
}

/// Parses JSON into `T`, refusing fields `T` does not have and the store's
/// marks of personal values (a client sending a sealed value could have it
/// opened on another case, or stored where a text belongs).
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // Read twice on purpose (the body is at most 64 KiB): a `Value` keeps the
    // last of duplicate keys, which the typed read below refuses instead.
    if let Some(field) = serde_json::from_slice(bytes).ok().and_then(|value| {
        casus_domain::mark_path(
            &value,
            &[casus_domain::OPEN_MARK, casus_domain::SEALED_MARK],
        )
    }) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request",
            format!("`{field}`: {}", casus_domain::CaseError::MarkedValue),
        )
        .with("field", &field));
    }
    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut note_unknown = |path: serde_ignored::Path| unknown.push(path.to_string());
    let value = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
        &mut deserializer,
        &mut note_unknown,
    ))
    .map_err(|error| {
        let field = error.path().to_string();
        let error = error.into_inner();
        if error.is_data() {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid request",
                invalid_value(&field, &error),
            )
            .with("field", &field)
        } else {
            malformed(&error)
        }
    })
    .and_then(|value| {
        deserializer
            .end()
            .map(|()| value)
            .map_err(|e| malformed(&e))
    })?;
    if !unknown.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid request",
            format!("unknown field(s): {}", unknown.join(", ")),
        )
        .with("unknown_fields", &unknown));
    }
    Ok(value)
}

fn malformed(error: &serde_json::Error) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "Malformed JSON",
        format!("The body is not valid JSON: {error}"),
    )
}

/// What is wrong with the value of `field`, in words: serde's message
/// without its position in the text, and for a date the form it takes
/// (chrono's own messages, such as "trailing input", do not say).
fn invalid_value(field: &str, error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(text, _)| text);
    const DATE_ERRORS: [&str; 5] = [
        "input contains invalid characters",
        "trailing input",
        "premature end of input",
        "input is out of range",
        "input is not enough for unique date and time",
    ];
    let date = DATE_ERRORS.iter().any(|e| message.contains(e));
    match (field, date) {
        (".", _) | ("", _) => message.to_owned(),
        (_, true) => format!("`{field}`: {message}: a date is written YYYY-MM-DD, e.g. 2026-11-30"),
        (_, false) => format!("`{field}`: {message}"),
    }
}

/// Path parameters; a malformed one (e.g. an id that is not a UUID) is 400.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        refuse_nul(parts.uri.path(), "path")?;
        <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|rejection: PathRejection| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Invalid path parameter",
                    rejection.body_text(),
                )
            })
    }
}

/// A NUL character (`%00`) has no place in a path or query, and PostgreSQL
/// refuses it in text: 400 here rather than an error deep down.
fn refuse_nul(encoded: &str, part: &str) -> Result<(), Problem> {
    if encoded.contains("%00") {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            format!("the {part} holds a NUL character (%00)"),
        ));
    }
    Ok(())
}

/// Query parameters; unknown or malformed ones are 400.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        refuse_nul(parts.uri.query().unwrap_or_default(), "query")?;
        <axum::extract::Query<T> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|rejection: QueryRejection| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Invalid query parameter",
                    rejection.body_text(),
                )
            })
    }
}

/// `If-Match: "7"`: the case version the caller last saw.
pub struct IfMatch(pub u64);

impl<S: Send + Sync> OptionalFromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(None);
        };
        let value = value.to_str().unwrap_or_default().trim();
        if value == "*" {
            return Ok(None);
        }
        value
            .strip_prefix("W/")
            .unwrap_or(value)
            .trim_matches('"')
            .parse()
            .map(|v| Some(Self(v)))
            .map_err(|_| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Invalid If-Match",
                    "If-Match takes the case version as an entity tag, e.g. If-Match: \"7\".",
                )
            })
    }
}

/// `Idempotency-Key`: up to 255 visible ASCII characters.
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> OptionalFromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(None);
        };
        match value.to_str() {
            Ok(key) if !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic()) => {
                Ok(Some(Self(key.to_owned())))
            }
            _ => Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "Invalid Idempotency-Key",
                "Idempotency-Key takes 1 to 255 visible ASCII characters (a UUID is a good choice).",
            )),
        }
    }
}

/// The id Casus gave this request (see `observe`); it travels into the
/// events' metadata and the logs.
#[derive(Clone, Copy, Debug)]
pub struct RequestId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestId>()
            .copied()
            .unwrap_or_else(|| RequestId(Uuid::now_v7())))
    }
}

/// The client's network address, when the server knows it.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);
