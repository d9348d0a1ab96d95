//! Logging in and out. In development, "Inloggen als" lists demo users of
//! the seeded team `rotterdam-zuid-1` (`casus seed`) and its partners, and
//! logs in as one; the page is not there in production.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use crate::auth::Claims;
use crate::web::page::{home, render, Refusal};
use crate::web::session::{self, Session};
use crate::AppState;

/// A demo user: the key the form sends, who they are, what they do.
/// The issuer a demo session's claims carry, so that it opens nothing
/// where the demo login is off.
pub const DEMO_ISSUER: &str = "casus-demo";

struct Demo {
    key: &'static str,
    name: &'static str,
    work: &'static str,
    org: &'static str,
    domain: &'static str,
    roles: &'static [&'static str],
    municipality: Option<&'static str>,
    team: Option<&'static str>,
}

const DEMO_USERS: [Demo; 7] = [
    Demo {
        key: "w-sanne",
        name: "Sanne de Vries",
        work: "Procesregisseur, gemeente Rotterdam (team Rotterdam-Zuid 1)",
        org: "gemeente-rotterdam",
        domain: "social",
        roles: &["case_worker", "case_lead"],
        municipality: Some("GM0599"),
        team: Some("rotterdam-zuid-1"),
    },
    Demo {
        key: "h-1",
        name: "Halt Rotterdam",
        work: "Halt-medewerker (justitieel domein)",
        org: "halt-rotterdam",
        domain: "justice",
        roles: &["case_worker"],
        municipality: Some("GM0599"),
        team: Some("halt-zuid"),
    },
    Demo {
        key: "w-sup",
        name: "Teamleider Zuid",
        work: "Teamleider, gemeente Rotterdam (team Rotterdam-Zuid 1)",
        org: "gemeente-rotterdam",
        domain: "social",
        roles: &["supervisor"],
        municipality: Some("GM0599"),
        team: Some("rotterdam-zuid-1"),
    },
    Demo {
        key: "w-amsterdam",
        name: "Daan Jansen",
        work: "Procesregisseur, gemeente Amsterdam (team Amsterdam Zuidoost 1)",
        org: "gemeente-amsterdam",
        domain: "social",
        roles: &["case_worker", "case_lead"],
        municipality: Some("GM0363"),
        team: Some("amsterdam-zuidoost-1"),
    },
    Demo {
        key: "au-1",
        name: "Auditor Rotterdam",
        work: "Auditor, gemeente Rotterdam",
        org: "gemeente-rotterdam",
        domain: "social",
        roles: &["auditor"],
        municipality: Some("GM0599"),
        team: None,
    },
    Demo {
        key: "po-1",
        name: "Privacyfunctionaris Rotterdam",
        work: "Privacyfunctionaris, gemeente Rotterdam",
        org: "gemeente-rotterdam",
        domain: "social",
        roles: &["privacy_officer"],
        municipality: Some("GM0599"),
        team: None,
    },
    Demo {
        key: "an-1",
        name: "Analist programma",
        work: "Analist, landelijke programmacijfers",
        org: "programma-lv",
        domain: "social",
        roles: &["analyst"],
        municipality: None,
        team: None,
    },
];

impl Demo {
    fn claims(&self) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: self.key.into(),
            name: self.name.into(),
            org: self.org.into(),
            domain: self.domain.into(),
            roles: self.roles.iter().map(|r| (*r).into()).collect(),
            municipality: self.municipality.map(Into::into),
            team: self.team.map(Into::into),
            iss: DEMO_ISSUER.into(),
            aud: "casus".into(),
            exp: now + session::LIFETIME.as_secs() as i64,
            nbf: None,
            iat: Some(now),
        }
    }
}

#[derive(Template)]
#[template(path = "inloggen.html")]
struct LoginPage {
    chrome: Option<crate::web::page::Chrome>,
    demo: bool,
    /// Login at the identity provider.
    organisation: bool,
    users: Vec<(&'static str, &'static str, &'static str)>,
}

pub async fn page(State(state): State<AppState>) -> Response {
    let demo = state.settings.web.demo_login;
    let users = if demo {
        DEMO_USERS.iter().map(|u| (u.key, u.name, u.work)).collect()
    } else {
        Vec::new()
    };
    render(
        StatusCode::OK,
        &LoginPage {
            chrome: None,
            demo,
            organisation: state.settings.web.oidc.is_some(),
            users,
        },
    )
}

#[derive(Deserialize)]
pub struct LogIn {
    user: String,
}

pub async fn log_in(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LogIn>,
) -> Result<Response, Refusal> {
    if !state.settings.web.demo_login {
        return Err(Refusal::NotFound);
    }
    let demo = DEMO_USERS
        .iter()
        .find(|u| u.key == form.user)
        .ok_or_else(|| Refusal::Bad("onbekende gebruiker".into()))?;
    let claims = demo.claims();
    let principal = claims
        .clone()
        .into_principal()
        .map_err(|_| Refusal::Internal)?;
    // Casus learns its workers from their logins, as from their tokens.
    state
        .workers
        .record(&principal)
        .await
        .map_err(|_| Refusal::Unavailable)?;
    let cookie = session::start(&state, &claims, None).await?;
    tracing::info!(user = %principal.id, "logged in to the web interface");
    Ok((jar.add(cookie), Redirect::to(home(&principal.roles))).into_response())
}

#[derive(Deserialize)]
pub struct LogOut {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub async fn log_out(
    State(state): State<AppState>,
    session: Session,
    jar: CookieJar,
    Form(form): Form<LogOut>,
) -> Result<Response, Refusal> {
    if !session.holds(&form.csrf) {
        return Err(Refusal::Forged);
    }
    let (gone, id_token) = session::end(&state, &session).await?;
    // A login at the identity provider ends there too.
    let provider = state.settings.web.oidc.as_deref();
    let to = match provider {
        Some(provider) => provider.logout_url(id_token.as_deref()).await,
        None => None,
    };
    let to = to.unwrap_or_else(|| "/inloggen".to_owned());
    Ok((jar.add(gone), Redirect::to(&to)).into_response())
}
