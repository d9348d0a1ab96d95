//! Login at the municipality's identity provider: OpenID Connect's
//! Authorization Code flow with PKCE, state and nonce (the `openidconnect`
//! crate). A login started here is kept in PostgreSQL (`web_logins`: the
//! state's hash, the PKCE verifier and the nonce, ten minutes), so any
//! instance can finish it, and is tied to the browser that started it by a
//! short-lived cookie holding the state. The provider's userinfo names the
//! worker with the claims Casus's API tokens carry (`name`, `org`,
//! `domain`, `roles`, `municipality`, `team`); see the README. Logout ends
//! the session at Casus and then at the provider.

use std::time::Duration;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreIdTokenVerifier,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl,
    IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
    UserInfoClaims,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::auth::Claims;
use crate::web::page::{home, Refusal};
use crate::web::query::Query;
use crate::web::session;
use crate::AppState;

/// The cookie that ties a login to the browser that started it.
const STARTED: &str = "casus_inlog";
/// How long a started login may take.
const PENDING: Duration = Duration::from_secs(10 * 60);

/// The identity provider, as configured (`CASUS_OIDC_*`).
#[derive(Clone, Debug)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: `…/inloggen/oidc`.
    pub redirect_url: String,
}

/// The core client as discovery makes it: its authorization endpoint set,
/// its token and userinfo endpoints as the provider's document says.
type Client = openidconnect::Client<
    openidconnect::EmptyAdditionalClaims,
    openidconnect::core::CoreAuthDisplay,
    CoreGenderClaim,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The provider: its settings and, once fetched, its discovery document.
#[derive(Debug)]
pub struct Provider {
    settings: OidcSettings,
    metadata: OnceCell<ProviderMetadataWithLogout>,
    http: openidconnect::reqwest::Client,
}

/// The claims Casus reads from the provider's userinfo besides `sub`.
#[derive(Debug, Deserialize, serde::Serialize)]
struct CasusClaims {
    org: String,
    domain: String,
    roles: Vec<String>,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    team: Option<String>,
}

impl AdditionalClaims for CasusClaims {}

impl Provider {
    /// The provider of `settings`, or what is wrong with them.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| format!("CASUS_OIDC_ISSUER is not a URL: {e}"))?;
        RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|e| format!("CASUS_OIDC_REDIRECT_URL is not a URL: {e}"))?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would open the token exchange to SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            settings,
            metadata: OnceCell::new(),
            http,
        })
    }

    /// The provider's origin (`https://host:port`), which the pages' logout
    /// form is sent on to.
    pub fn origin(&self) -> Option<String> {
        let issuer = url::Url::parse(&self.settings.issuer).ok()?;
        Some(issuer.origin().ascii_serialization())
    }

    /// The discovery document, fetched at the first login.
    async fn metadata(&self) -> Result<&ProviderMetadataWithLogout, Refusal> {
        self.metadata
            .get_or_try_init(|| async {
                let issuer =
                    IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| Refusal::Internal)?;
                ProviderMetadataWithLogout::discover_async(issuer, &self.http)
                    .await
                    .map_err(|error| {
                        tracing::error!(%error, "the identity provider's discovery failed");
                        Refusal::Unavailable
                    })
            })
            .await
    }

    async fn client(&self) -> Result<Client, Refusal> {
        let metadata = self.metadata().await?.clone();
        let redirect =
            RedirectUrl::new(self.settings.redirect_url.clone()).map_err(|_| Refusal::Internal)?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser after logout at the provider, if it has
    /// an end-session endpoint: back to Casus's login page.
    pub async fn logout_url(&self, id_token: Option<&str>) -> Option<String> {
        let metadata = self.metadata().await.ok()?;
        let end: EndSessionUrl = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let back = url::Url::parse(&self.settings.redirect_url)
            .ok()?
            .join("/inloggen")
            .ok()?;
        let mut request = LogoutRequest::from(end)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::from_url(back));
        if let Some(token) = id_token.and_then(|t| t.parse::<CoreIdToken>().ok()) {
            request = request.set_id_token_hint(&token);
        }
        Some(request.http_get_url().to_string())
    }
}

fn hash(state: &str) -> Vec<u8> {
    Sha256::digest(state.as_bytes()).to_vec()
}

fn provider(state: &AppState) -> Result<&Provider, Refusal> {
    state.settings.web.oidc.as_deref().ok_or(Refusal::NotFound)
}

/// Starts a login: to the provider, with a fresh state, nonce and PKCE challenge.
pub async fn start(State(state): State<AppState>, jar: CookieJar) -> Result<Response, Refusal> {
    let provider = provider(&state)?;
    let client = provider.client().await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("casus".into()))
        .set_pkce_challenge(challenge)
        .url();
    sqlx::query("delete from web_logins where expires_at < now()")
        .execute(&state.pool)
        .await?;
    sqlx::query(
        "insert into web_logins (state_hash, verifier, nonce, expires_at)
         values ($1, $2, $3, now() + $4::interval)",
    )
    .bind(hash(csrf.secret()))
    .bind(verifier.secret())
    .bind(nonce.secret())
    .bind(format!("{} seconds", PENDING.as_secs()))
    .execute(&state.pool)
    .await?;
    let started = Cookie::build((STARTED, csrf.secret().clone()))
        .path("/inloggen")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.web.secure_cookies)
        .build();
    Ok((jar.add(started), Redirect::to(url.as_str())).into_response())
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider sends the browser back: the code is exchanged (with the
/// PKCE verifier), the ID token checked (signature, issuer, audience,
/// nonce), the worker read from userinfo, and a session started.
pub async fn finish(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(back): Query<Callback>,
) -> Result<Response, Refusal> {
    let provider = provider(&state)?;
    if let Some(error) = back.error {
        tracing::info!(%error, "the identity provider refused a login");
        return Err(Refusal::Forbidden);
    }
    let (Some(code), Some(returned)) = (back.code, back.state) else {
        return Err(Refusal::Bad(
            "onvolledig antwoord van de inlogdienst".into(),
        ));
    };
    // The state must be the one this browser started with, and unused.
    let started = jar.get(STARTED).map(|c| c.value().to_owned());
    if started.as_deref() != Some(returned.as_str()) {
        return Err(Refusal::Forged);
    }
    let pending: Option<(String, String)> = sqlx::query_as(
        "delete from web_logins where state_hash = $1 and expires_at > now()
         returning verifier, nonce",
    )
    .bind(hash(&returned))
    .fetch_optional(&state.pool)
    .await?;
    let (verifier, nonce) = pending.ok_or(Refusal::LogIn)?;
    let client = provider.client().await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| Refusal::Internal)?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&provider.http)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "the identity provider did not exchange the code");
            Refusal::Forbidden
        })?;
    let id_token = tokens.id_token().ok_or(Refusal::Forbidden)?;
    let verifier: CoreIdTokenVerifier = client.id_token_verifier();
    let checked = id_token
        .claims(&verifier, &Nonce::new(nonce))
        .map_err(|error| {
            tracing::warn!(%error, "an ID token did not verify");
            Refusal::Forbidden
        })?;
    let subject = checked.subject().clone();
    let info: UserInfoClaims<CasusClaims, CoreGenderClaim> = client
        .user_info(tokens.access_token().clone(), Some(subject.clone()))
        .map_err(|_| Refusal::Internal)?
        .request_async(&provider.http)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "the identity provider's userinfo failed");
            Refusal::Forbidden
        })?;
    let name = info
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| subject.as_str().to_owned());
    let casus = info.additional_claims();
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: subject.as_str().to_owned(),
        name,
        org: casus.org.clone(),
        domain: casus.domain.clone(),
        roles: casus.roles.clone(),
        municipality: casus.municipality.clone(),
        team: casus.team.clone(),
        iss: provider.settings.issuer.clone(),
        aud: provider.settings.client_id.clone(),
        exp: now + session::LIFETIME.as_secs() as i64,
        nbf: None,
        iat: Some(now),
    };
    let principal = claims.clone().into_principal().map_err(|error| {
        tracing::info!(%error, user = %subject.as_str(), "a login's claims do not fit Casus");
        Refusal::Forbidden
    })?;
    state
        .workers
        .record(&principal)
        .await
        .map_err(|_| Refusal::Unavailable)?;
    let cookie = session::start(&state, &claims, Some(&id_token.to_string())).await?;
    tracing::info!(user = %principal.id, "logged in at the identity provider");
    let mut used = Cookie::from(STARTED);
    used.set_path("/inloggen");
    Ok((
        jar.remove(used).add(cookie),
        Redirect::to(home(&principal.roles)),
    )
        .into_response())
}
