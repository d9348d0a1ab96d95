//! Why a token is refused: each answer is a 401 with this text.

use casus_domain::ValueError;
use jsonwebtoken::Algorithm;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the token is not a JWT")]
    NotAJwt,
    #[error("tokens signed with {0:?} are not accepted (use RS256 or ES256)")]
    Algorithm(Algorithm),
    #[error("the token is signed with a key Casus does not know")]
    UnknownKey,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is from another issuer")]
    Issuer,
    #[error("the token is meant for another audience")]
    Audience,
    #[error("the token's signature does not match")]
    Signature,
    #[error("the token has no `{0}`")]
    MissingClaim(String),
    #[error("the token is not valid: {0}")]
    Invalid(jsonwebtoken::errors::Error),
    #[error("claim `{claim}`: {error}")]
    Claim {
        claim: &'static str,
        error: ValueError,
    },
    #[error("the token gives no role")]
    NoRole,
    #[error(
        "claim `municipality` is missing: only auditors and analysts may have a national scope"
    )]
    NationalScope,
    #[error("claim `sub` must not begin or end with spaces")]
    SpacedSubject,
}

impl From<jsonwebtoken::errors::Error> for AuthError {
    fn from(error: jsonwebtoken::errors::Error) -> Self {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::ExpiredSignature => Self::Expired,
            ErrorKind::ImmatureSignature => Self::NotYetValid,
            ErrorKind::InvalidIssuer => Self::Issuer,
            ErrorKind::InvalidAudience => Self::Audience,
            ErrorKind::InvalidSignature => Self::Signature,
            ErrorKind::MissingRequiredClaim(claim) => Self::MissingClaim(claim.clone()),
            _ => Self::Invalid(error),
        }
    }
}
