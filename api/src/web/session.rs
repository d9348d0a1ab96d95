//! Sessions of the web interface: kept in PostgreSQL (`web_sessions`), named
//! by a random token in an `HttpOnly`, `SameSite=Lax` cookie (`Secure`
//! outside development), ended by logout, by 30 minutes without a request,
//! or 10 hours after login, whichever comes first. A login always makes a
//! new session. Every state-changing form sends the session's form token
//! back (checked in constant time), and a request another site sent is
//! refused whatever it carries.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::{Claims, Principal};
use crate::http::extract::RequestId;
use crate::http::reader::Reader;
use crate::web::login::DEMO_ISSUER;
use crate::web::page::Refusal;
use crate::AppState;

pub const COOKIE: &str = "casus_sessie";
/// Without a request for this long, a session ends.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// However active, a session ends this long after login.
pub const LIFETIME: Duration = Duration::from_secs(10 * 3600);
/// `seen_at` is written at most this often, not on every request.
const TOUCH: Duration = Duration::from_secs(60);

/// The session a request belongs to.
#[derive(Clone, Debug)]
pub struct Session {
    pub caller: Principal,
    pub csrf: String,
    /// Why an auditor or privacy officer reads, stated once for the session.
    pub reason: Option<String>,
    token_hash: Vec<u8>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Starts a session for `claims`, and answers the cookie that names it.
/// Sessions past their end are cleared on the way.
/// `id_token` is the identity provider's, kept for the logout there.
pub async fn start(
    state: &AppState,
    claims: &Claims,
    id_token: Option<&str>,
) -> Result<Cookie<'static>, sqlx::Error> {
    let token = random_token();
    sqlx::query(
        "delete from web_sessions where expires_at < now() or seen_at < now() - $1::interval",
    )
    .bind(format!("{} seconds", IDLE.as_secs()))
    .execute(&state.pool)
    .await?;
    sqlx::query(
        "insert into web_sessions (token_hash, claims, csrf, expires_at, id_token)
         values ($1, $2, $3, now() + $4::interval, $5)",
    )
    .bind(hash(&token))
    .bind(sqlx::types::Json(claims))
    .bind(random_token())
    .bind(format!("{} seconds", LIFETIME.as_secs()))
    .bind(id_token)
    .execute(&state.pool)
    .await?;
    Ok(cookie(state, token))
}

fn cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.web.secure_cookies)
        .build()
}

/// Ends the session (at Casus): the cookie that clears it, and the
/// identity provider's ID token if the session came from there.
pub async fn end(
    state: &AppState,
    session: &Session,
) -> Result<(Cookie<'static>, Option<String>), sqlx::Error> {
    let id_token: Option<Option<String>> =
        sqlx::query_scalar("delete from web_sessions where token_hash = $1 returning id_token")
            .bind(&session.token_hash)
            .fetch_optional(&state.pool)
            .await?;
    let mut gone = cookie(state, String::new());
    gone.make_removal();
    Ok((gone, id_token.flatten()))
}

/// Keeps `reason` (cut to the length the API takes) for the rest of the session.
pub async fn state_reason(
    state: &AppState,
    session: &Session,
    reason: &str,
) -> Result<(), sqlx::Error> {
    let reason: String = reason.trim().chars().take(500).collect();
    sqlx::query("update web_sessions set audit_reason = $2 where token_hash = $1")
        .bind(&session.token_hash)
        .bind(reason)
        .execute(&state.pool)
        .await?;
    Ok(())
}

impl Session {
    /// The API's reader for this session's caller, with the reason they stated.
    pub fn reader(
        &self,
        state: &AppState,
        request_id: RequestId,
        address: Option<String>,
    ) -> Reader {
        Reader::new(state, self.caller.clone(), request_id, address)
            .with_reason(self.reason.clone())
    }

    /// Whether `sent` is this session's form token.
    pub fn holds(&self, sent: &str) -> bool {
        self.csrf.as_bytes().ct_eq(sent.as_bytes()).into()
    }
}

/// Whether another site sent the request: the browser says so in
/// `Sec-Fetch-Site`, or the `Origin` names another host.
pub fn cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if let Some(site) = fetch_site {
        return !matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            origin_host.is_none() || origin_host != host
        }
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or(Refusal::LogIn)?;
        type Row = (sqlx::types::Json<Claims>, String, bool, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "select claims, csrf, seen_at < now() - $2::interval, audit_reason from web_sessions
              where token_hash = $1 and expires_at > now()
                and seen_at > now() - $3::interval",
        )
        .bind(hash(&token))
        .bind(format!("{} seconds", TOUCH.as_secs()))
        .bind(format!("{} seconds", IDLE.as_secs()))
        .fetch_optional(&state.pool)
        .await
        .map_err(Refusal::from)?;
        let (claims, csrf, stale, reason) = row.ok_or(Refusal::LogIn)?;
        if stale {
            sqlx::query("update web_sessions set seen_at = now() where token_hash = $1")
                .bind(hash(&token))
                .execute(&state.pool)
                .await
                .map_err(Refusal::from)?;
        }
        // A demo session from development opens nothing where the demo login is off.
        if claims.iss == DEMO_ISSUER && !state.settings.web.demo_login {
            return Err(Refusal::LogIn);
        }
        let caller = claims.0.into_principal().map_err(|_| Refusal::LogIn)?;
        Ok(Session {
            caller,
            csrf,
            reason,
            token_hash: hash(&token),
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_request_from_another_site_is_told_apart() {
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        let ours = [
            ("host", "casus.example:8080"),
            ("origin", "https://casus.example:8080"),
        ];
        assert!(!cross_site(&headers(&ours)));
        let theirs = [
            ("host", "casus.example:8080"),
            ("origin", "https://evil.example"),
        ];
        assert!(cross_site(&headers(&theirs)));
        assert!(cross_site(&headers(&[
            ("host", "casus.example"),
            ("origin", "null")
        ])));
        assert!(!cross_site(&headers(&[("host", "casus.example")])));
    }
}
