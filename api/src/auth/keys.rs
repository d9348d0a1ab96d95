//! The keys that tokens are checked against: a JWKS document (a file, or a
//! URL fetched at start and again when a token names a key not yet known),
//! or one public key (development).

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::RwLock;

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("cannot read the JWKS file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot fetch the JWKS from {url}: {source}")]
    Fetch { url: String, source: reqwest::Error },
    #[error("the JWKS is not a valid JWK set: {0}")]
    Invalid(serde_json::Error),
    #[error("the JWKS holds no RS256 or ES256 key")]
    Empty,
}

/// How long a fetched JWKS is trusted before a token with an unknown key
/// may make Casus fetch it again.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

pub enum KeySource {
    Set(JwkSet),
    Remote {
        url: String,
        client: reqwest::Client,
        cached: RwLock<(JwkSet, Instant)>,
    },
    /// One key (the development key): every token must be signed with it.
    Single(DecodingKey, Algorithm),
}

impl KeySource {
    /// A JWKS from a file path, or from an `http(s)://` URL.
    pub async fn jwks(location: &str) -> Result<Self, KeysError> {
        if location.starts_with("http://") || location.starts_with("https://") {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|source| KeysError::Fetch {
                    url: location.to_owned(),
                    source,
                })?;
            let set = fetch(&client, location).await?;
            return Ok(Self::Remote {
                url: location.to_owned(),
                client,
                cached: RwLock::new((set, Instant::now())),
            });
        }
        let text = std::fs::read_to_string(location).map_err(|source| KeysError::File {
            path: location.to_owned(),
            source,
        })?;
        parse(&text).map(Self::Set)
    }

    /// The key for a token's `kid` and algorithm, if known.
    pub(crate) async fn key(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        match self {
            Self::Single(key, algorithm) => (*algorithm == alg).then(|| key.clone()),
            Self::Set(set) => pick(set, kid, alg),
            Self::Remote {
                url,
                client,
                cached,
            } => {
                let (found, fetched_at) = {
                    let cached = cached.read().await;
                    (pick(&cached.0, kid, alg), cached.1)
                };
                if found.is_some() || fetched_at.elapsed() < REFETCH_AFTER {
                    return found;
                }
                let mut cached = cached.write().await;
                match fetch(client, url).await {
                    Ok(set) => *cached = (set, Instant::now()),
                    Err(error) => {
                        tracing::warn!(%error, "could not refresh the JWKS");
                        cached.1 = Instant::now();
                    }
                }
                pick(&cached.0, kid, alg)
            }
        }
    }
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<JwkSet, KeysError> {
    let failed = |source| KeysError::Fetch {
        url: url.to_owned(),
        source,
    };
    let text = client
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(failed)?
        .text()
        .await
        .map_err(failed)?;
    parse(&text)
}

fn parse(text: &str) -> Result<JwkSet, KeysError> {
    let set: JwkSet = serde_json::from_str(text).map_err(KeysError::Invalid)?;
    let usable = set
        .keys
        .iter()
        .any(|k| fits(k, Algorithm::RS256) || fits(k, Algorithm::ES256));
    if usable {
        Ok(set)
    } else {
        Err(KeysError::Empty)
    }
}

/// Whether `jwk` can check a signature made with `alg`.
fn fits(jwk: &Jwk, alg: Algorithm) -> bool {
    match (&jwk.algorithm, alg) {
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == jsonwebtoken::jwk::EllipticCurve::P256
        }
        _ => false,
    }
}

/// The key named by `kid`; without a `kid`, the set's only key of that kind.
fn pick(set: &JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
    let mut candidates = set
        .keys
        .iter()
        .filter(|k| fits(k, alg))
        .filter(|k| kid.is_none() || k.common.key_id.as_deref() == kid);
    let jwk = candidates.next()?;
    if kid.is_none() && candidates.next().is_some() {
        return None;
    }
    DecodingKey::from_jwk(jwk).ok()
}
