//! Who is calling: a JWT bearer token, checked against the identity
//! provider's keys (production) or a signing key Casus made for itself
//! (development).

mod claims;
pub mod dev;
mod keys;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use jsonwebtoken::{Algorithm, Validation};

pub use claims::{Claims, Principal};
pub use keys::{KeySource, KeysError};

use crate::problem::Problem;

/// The algorithms Casus accepts; `none` and the HMAC family never.
const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// Checks bearer tokens: signature, algorithm, issuer, audience, expiry and
/// not-before, then the Casus claims.
pub struct Authenticator {
    keys: KeySource,
    issuer: String,
    audience: String,
}

impl Authenticator {
    pub fn new(keys: KeySource, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
        }
    }

    /// The caller a token names, or why it is refused (for a 401).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, String> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| "the token is not a JWT".to_owned())?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(format!(
                "tokens signed with {:?} are not accepted (use RS256 or ES256)",
                header.alg
            ));
        }
        let key = self
            .keys
            .key(header.kid.as_deref(), header.alg)
            .await
            .ok_or_else(|| "the token is signed with a key Casus does not know".to_owned())?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
                ErrorKind::ImmatureSignature => "the token is not valid yet".to_owned(),
                ErrorKind::InvalidIssuer => "the token is from another issuer".to_owned(),
                ErrorKind::InvalidAudience => "the token is meant for another audience".to_owned(),
                ErrorKind::InvalidSignature => "the token's signature does not match".to_owned(),
                ErrorKind::MissingRequiredClaim(claim) => format!("the token has no `{claim}`"),
                _ => format!("the token is not valid: {e}"),
            }
        })?;
        data.claims.into_principal()
    }
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Arc<Authenticator>: axum::extract::FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let authenticator: Arc<Authenticator> = axum::extract::FromRef::from_ref(state);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(|| unauthorized("Send a bearer token in the Authorization header."))?;
        authenticator
            .authenticate(token.trim())
            .await
            .map_err(unauthorized)
    }
}

fn unauthorized(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "Not authenticated", detail)
        .with_header(header::WWW_AUTHENTICATE, "Bearer")
}
