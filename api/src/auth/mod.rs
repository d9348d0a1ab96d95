//! Who is calling: a JWT bearer token, checked against the identity
//! provider's keys (production) or a signing key Casus made for itself
//! (development).

mod claims;
pub mod dev;
mod error;
mod keys;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use jsonwebtoken::{Algorithm, Validation};
use lru::LruCache;
use sha2::{Digest, Sha256};

pub use claims::{Claims, Principal};
pub use error::AuthError;
pub use keys::{KeySource, KeysError};

use crate::http::problem::Problem;

/// The algorithms Casus accepts; `none` and the HMAC family never.
const ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// How many checked tokens are remembered.
const CHECKED_TOKENS: usize = 10_000;

/// Checks bearer tokens: signature, algorithm, issuer, audience, expiry and
/// not-before, then the Casus claims.
///
/// A token that passed is remembered (by its SHA-256) until its `exp`, so
/// a client's next request with it skips the signature check, which was a
/// tenth of Casus's work per command (docs/performance.md). That honours a
/// signing key the identity provider withdraws no longer than before: the
/// key source keeps a key until it fetches the set again.
pub struct Authenticator {
    keys: KeySource,
    issuer: String,
    audience: String,
    checked: Mutex<LruCache<[u8; 32], Checked>>,
}

/// Whom a checked token names, and until when it holds.
struct Checked {
    principal: Principal,
    expires: i64,
}

impl Authenticator {
    pub fn new(keys: KeySource, issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            keys,
            issuer: issuer.into(),
            audience: audience.into(),
            checked: Mutex::new(LruCache::new(
                NonZeroUsize::new(CHECKED_TOKENS).expect("not zero"),
            )),
        }
    }

    /// The caller a token names, or why it is refused (for a 401).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = chrono::Utc::now().timestamp();
        if let Some(known) = self
            .checked()
            .get(&digest)
            .filter(|checked| now < checked.expires)
        {
            return Ok(known.principal.clone());
        }
        let (principal, expires) = self.check(token).await?;
        self.checked().put(
            digest,
            Checked {
                principal: principal.clone(),
                expires,
            },
        );
        Ok(principal)
    }

    fn checked(&self) -> std::sync::MutexGuard<'_, LruCache<[u8; 32], Checked>> {
        self.checked.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks `token` in full: whom it names, and its `exp`.
    async fn check(&self, token: &str) -> Result<(Principal, i64), AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::NotAJwt)?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(AuthError::Algorithm(header.alg));
        }
        let key = self
            .keys
            .key(header.kid.as_deref(), header.alg)
            .await
            .ok_or(AuthError::UnknownKey)?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)?;
        let expires = data.claims.exp;
        Ok((data.claims.into_principal()?, expires))
    }
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Arc<Authenticator>: axum::extract::FromRef<S>,
    Arc<crate::workers::Registry>: axum::extract::FromRef<S>,
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
        let principal = authenticator
            .authenticate(token.trim())
            .await
            .map_err(|refusal| unauthorized(refusal.to_string()))?;
        // Casus learns its workers from their tokens.
        let registry: Arc<crate::workers::Registry> = axum::extract::FromRef::from_ref(state);
        registry
            .record(&principal)
            .await
            .map_err(|e| crate::http::error::ApiError::from(e).into_problem())?;
        Ok(principal)
    }
}

fn unauthorized(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "Not authenticated", detail)
        .with_header(header::WWW_AUTHENTICATE, "Bearer")
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header};
    use p256::ecdsa::SigningKey;
    use p256::pkcs8::{EncodePrivateKey, LineEnding};

    use super::*;

    fn claims(issuer: &str) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "w-1".into(),
            name: "Sanne".into(),
            org: "gemeente-rotterdam".into(),
            domain: "social".into(),
            roles: vec!["case_worker".into()],
            municipality: Some("GM0599".into()),
            team: Some("zuid-1".into()),
            iss: issuer.into(),
            aud: "casus".into(),
            exp: now + 600,
            nbf: None,
            iat: Some(now),
        }
    }

    /// A key pair: the private key to sign with, its public JWK with `kid`.
    fn key(kid: &str) -> (EncodingKey, serde_json::Value) {
        let signing = SigningKey::random(&mut rand::rngs::OsRng);
        let pem = signing.to_pkcs8_pem(LineEnding::LF).unwrap();
        let mut jwk: serde_json::Value =
            serde_json::from_str(&p256::PublicKey::from(signing.verifying_key()).to_jwk_string())
                .unwrap();
        jwk["kid"] = kid.into();
        jwk["alg"] = "ES256".into();
        jwk["use"] = "sig".into();
        (EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(), jwk)
    }

    fn sign(key: &EncodingKey, kid: &str, claims: &Claims) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    #[tokio::test]
    async fn a_jwks_file_checks_tokens_by_kid_issuer_and_audience() {
        let (first, first_jwk) = key("first");
        let (second, second_jwk) = key("second");
        let (stranger, _) = key("stranger");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwks.json");
        let set = serde_json::json!({ "keys": [first_jwk, second_jwk] });
        std::fs::write(&path, set.to_string()).unwrap();
        let auth = Authenticator::new(
            KeySource::jwks(path.to_str().unwrap()).await.unwrap(),
            "https://idp.example",
            "casus",
        );
        let good = claims("https://idp.example");

        let caller = auth
            .authenticate(&sign(&second, "second", &good))
            .await
            .unwrap();
        assert_eq!(caller.id.as_str(), "w-1");
        assert!(auth
            .authenticate(&sign(&first, "first", &good))
            .await
            .is_ok());
        // Signed by a key the set does not hold, or named by the wrong kid.
        let unknown = auth.authenticate(&sign(&stranger, "stranger", &good)).await;
        assert!(matches!(unknown.unwrap_err(), AuthError::UnknownKey));
        let swapped = auth.authenticate(&sign(&first, "second", &good)).await;
        assert!(matches!(swapped.unwrap_err(), AuthError::Signature));
        let elsewhere = auth
            .authenticate(&sign(&first, "first", &claims("https://other.example")))
            .await;
        assert!(matches!(elsewhere.unwrap_err(), AuthError::Issuer));
    }

    /// A token checked once is believed again without its signature being
    /// checked, but only that token: one changed in any byte is checked in
    /// full, and one expired is never remembered.
    #[tokio::test]
    async fn a_checked_token_is_remembered_and_nothing_else() {
        let (signing, jwk) = key("only");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwks.json");
        std::fs::write(&path, serde_json::json!({ "keys": [jwk] }).to_string()).unwrap();
        let auth = Authenticator::new(
            KeySource::jwks(path.to_str().unwrap()).await.unwrap(),
            "https://idp.example",
            "casus",
        );
        let token = sign(&signing, "only", &claims("https://idp.example"));
        let first = auth.authenticate(&token).await.unwrap();
        assert_eq!(auth.authenticate(&token).await.unwrap(), first);
        assert_eq!(auth.checked().len(), 1);

        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(auth.authenticate(&tampered).await.is_err());

        let mut old = claims("https://idp.example");
        old.exp = chrono::Utc::now().timestamp() - 3_600;
        let expired = auth.authenticate(&sign(&signing, "only", &old)).await;
        assert!(matches!(expired.unwrap_err(), AuthError::Expired));
        assert_eq!(auth.checked().len(), 1, "only the good token is remembered");
    }

    #[tokio::test]
    async fn a_jwks_without_usable_keys_is_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwks.json");
        std::fs::write(&path, r#"{"keys": []}"#).unwrap();
        let error = KeySource::jwks(path.to_str().unwrap()).await.err().unwrap();
        assert!(matches!(error, KeysError::Empty));
    }
}
