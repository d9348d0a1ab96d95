//! Development mode: without an identity provider, Casus makes an ES256
//! signing key under its data directory and signs tokens with it
//! (`casus token`). Never for production: the server refuses it when
//! `CASUS_ENV=production`.

use std::path::{Path, PathBuf};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};

use super::{Claims, KeySource};

/// The issuer and audience of development tokens.
pub const ISSUER: &str = "casus-development";
pub const AUDIENCE: &str = "casus";

pub struct DevKey {
    signing: SigningKey,
    /// The same key as `jsonwebtoken` signs with, made once.
    encoding: EncodingKey,
}

#[derive(Debug, thiserror::Error)]
pub enum DevKeyError {
    #[error("cannot read or write the development key {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the development key {path} is damaged ({detail}); delete it to make a new one")]
    Damaged { path: PathBuf, detail: String },
}

impl DevKey {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("development-signing-key.pem")
    }

    /// The key under `data_dir`, made on first use.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, DevKeyError> {
        let path = Self::path(data_dir);
        let io = |source| DevKeyError::Io {
            path: path.clone(),
            source,
        };
        let damaged = |detail: String| DevKeyError::Damaged {
            path: path.clone(),
            detail,
        };
        match std::fs::read_to_string(&path) {
            Ok(pem) => {
                let signing =
                    SigningKey::from_pkcs8_pem(&pem).map_err(|e| damaged(e.to_string()))?;
                Ok(Self::new(signing))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(io)?;
                let signing = SigningKey::random(&mut rand::rngs::OsRng);
                let pem = signing
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| damaged(e.to_string()))?;
                write_private(&path, pem.as_bytes()).map_err(io)?;
                Ok(Self::new(signing))
            }
            Err(e) => Err(io(e)),
        }
    }

    fn new(signing: SigningKey) -> Self {
        let pem = signing
            .to_pkcs8_pem(LineEnding::LF)
            .expect("a P-256 key encodes as PKCS#8");
        let encoding =
            EncodingKey::from_ec_pem(pem.as_bytes()).expect("a PKCS#8 P-256 key signs ES256");
        Self { signing, encoding }
    }

    /// The keys that check tokens signed by this key.
    pub fn key_source(&self) -> KeySource {
        let public = self
            .signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("a P-256 public key encodes as PEM");
        let key = DecodingKey::from_ec_pem(public.as_bytes())
            .expect("a P-256 public key in PEM is a valid ES256 key");
        KeySource::Single(key, Algorithm::ES256)
    }

    /// A signed token with these claims.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), claims, &self.encoding)
            .expect("claims serialise to JSON")
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)
}
