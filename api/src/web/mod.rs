//! The web interface: Dutch, server-rendered pages for case workers and for
//! those who oversee the work (supervisors, auditors, privacy officers,
//! analysts), served beside the API from the same binary. It is a second
//! client of the same
//! layers: the API's reads (`Reader`, with the access log) and writes
//! (`Writer`, with the policy and the idempotency protocol), never a policy
//! or SQL of its own. Every form works as a plain POST and redirect, without
//! JavaScript. The styles are the NL Design System's component CSS with the
//! white-label example theme (`api/assets/vendor`, from `ui/`), and Casus's
//! own few rules on top.

mod audit;
mod cases;
mod chart;
mod figures;
mod form;
mod forms;
mod labels;
mod login;
pub mod oidc;
mod page;
mod privacy;
mod query;
mod referral;
mod search;
mod session;
mod steps;
mod team;

use axum::extract::{Path, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;
pub use page::Refusal;

/// How the interface is set up.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// The "Inloggen als" page: development only, never in production.
    pub demo_login: bool,
    /// The session cookie only over HTTPS: everywhere but development.
    pub secure_cookies: bool,
    /// Login at the identity provider (OpenID Connect), when configured.
    pub oidc: Option<std::sync::Arc<oidc::Provider>>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            demo_login: false,
            secure_cookies: true,
            oidc: None,
        }
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    let provider = state
        .settings
        .web
        .oidc
        .as_deref()
        .and_then(oidc::Provider::origin);
    let pages = Router::new()
        .route("/", get(start))
        .route("/inloggen", get(login::page).post(login::log_in))
        .route("/inloggen/organisatie", get(oidc::start))
        .route("/inloggen/oidc", get(oidc::finish))
        .route("/uitloggen", post(login::log_out))
        .route("/casussen", get(cases::list))
        .route("/casussen/zoeken", post(search::search))
        .route("/aanmelden", get(referral::form).post(referral::submit))
        .route("/casussen/{id}", get(cases::case))
        .route("/casussen/{id}/{stap}", post(cases::submit))
        .route("/casussen/{id}/afdrukken", get(cases::print))
        .route("/team", get(team::dashboard))
        .route("/privacy", get(privacy::start).post(privacy::find))
        .route("/privacy/jongeren/{subject}", get(privacy::subject))
        .route(
            "/privacy/jongeren/{subject}/wissen",
            post(privacy::erase_subject),
        )
        .route("/privacy/bewaartermijnen", get(privacy::retention))
        .route("/cijfers", get(figures::page))
        .route("/cijfers.csv", get(figures::csv))
        .route("/controle", get(audit::start))
        .route("/controle/reden", post(audit::state_reason))
        .route("/controle/casus", get(audit::open_case))
        .route("/controle/casussen/{id}", get(audit::history))
        .route("/controle/casussen/{id}/export", get(audit::export))
        .route("/controle/toegang", get(audit::access_log))
        .route("/controle/toegang.csv", get(audit::access_log_csv))
        .route("/controle/integriteit", get(audit::integrity))
        .route("/controle/ontvangstbewijs", post(audit::check_receipt))
        .route("/team/overdragen", post(team::confirm))
        .route("/team/overdragen/bevestigen", post(team::reassign_all))
        .layer(axum::middleware::from_fn(same_site_only))
        .layer(axum::middleware::map_response(move |response| {
            let provider = provider.clone();
            async move { logout_at(provider.as_deref(), response) }
        }));
    pages.route("/assets/{file}", get(asset))
}

/// Each role starts at its own page.
async fn start(session: session::Session) -> Redirect {
    Redirect::to(page::home(&session.caller.roles))
}

/// The logout form is sent back to the identity provider to end the
/// session there too: the pages' `form-action` allows its origin.
fn logout_at(provider: Option<&str>, mut response: Response) -> Response {
    let Some(origin) = provider else {
        return response;
    };
    let policy = response.headers().get(header::CONTENT_SECURITY_POLICY);
    let widened = policy.and_then(|p| p.to_str().ok()).map(|p| {
        p.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        )
    });
    if let Some(value) = widened.and_then(|p| HeaderValue::from_str(&p).ok()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// A state-changing request another site sent is refused before anything
/// else, whatever cookie or form token it carries.
async fn same_site_only(request: Request, next: Next) -> Response {
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if changes && session::cross_site(request.headers()) {
        return Refusal::Forged.into_response();
    }
    next.run(request).await
}

/// The interface's own styles and the vendored ones, compiled in.
const ASSETS: [(&str, &str); 3] = [
    ("casus.css", include_str!("../../assets/casus.css")),
    (
        "utrecht-components.css",
        include_str!("../../assets/vendor/utrecht-components.css"),
    ),
    (
        "voorbeeld-theme.css",
        include_str!("../../assets/vendor/voorbeeld-theme.css"),
    ),
];

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _)| *name == file) {
        Some((_, body)) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, Refusal::NotFound).into_response(),
    }
}
