//! What every page shares: the header with who is logged in, rendering
//! with the interface's security headers, Dutch dates, and the pages for
//! what went wrong.

use askama::Template;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use casus_domain::Role;
use casus_projections::queries::TimelineEntry;
use chrono::NaiveDate;

use crate::http::error::ApiError;
use crate::web::labels;
use crate::web::session::Session;

/// Pages load only Casus's own styles, run no script, send forms only to
/// Casus, and are never framed, cached or referred onwards.
const PAGE_HEADERS: [(HeaderName, &str); 2] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    ),
    (header::CACHE_CONTROL, "no-store"),
];

/// Who is logged in, as the header shows them.
pub struct Chrome {
    pub name: String,
    pub role: &'static str,
    pub organisation: String,
    pub csrf: String,
    /// The main menu: the pages of the caller's roles.
    pub menu: Vec<(&'static str, &'static str)>,
}

/// The pages each role works on, first the one it starts at.
const PAGES: [(Role, &[(&str, &str)]); 7] = [
    (
        Role::Supervisor,
        &[("/team", "Team"), ("/casussen", "Casussen")],
    ),
    (
        Role::CaseLead,
        &[
            ("/casussen", "Mijn casussen"),
            ("/aanmelden", "Nieuwe aanmelding"),
        ],
    ),
    (
        Role::CaseWorker,
        &[
            ("/casussen", "Mijn casussen"),
            ("/aanmelden", "Nieuwe aanmelding"),
        ],
    ),
    (
        Role::Auditor,
        &[
            ("/controle", "Controle"),
            ("/controle/toegang", "Toegangslog"),
            ("/controle/integriteit", "Integriteit"),
        ],
    ),
    (
        Role::PrivacyOfficer,
        &[
            ("/privacy", "Privacy"),
            ("/privacy/bewaartermijnen", "Bewaartermijnen"),
            ("/controle", "Controle"),
            ("/controle/toegang", "Toegangslog"),
        ],
    ),
    (Role::Analyst, &[("/cijfers", "Programmacijfers")]),
    (Role::Admin, &[]),
];

/// The caller's menu: the pages of each of their roles, once each.
fn menu(roles: &std::collections::BTreeSet<Role>) -> Vec<(&'static str, &'static str)> {
    let mut menu: Vec<(&'static str, &'static str)> = Vec::new();
    for (_, pages) in PAGES.iter().filter(|(role, _)| roles.contains(role)) {
        for page in *pages {
            if !menu.iter().any(|(href, _)| href == &page.0) {
                menu.push(*page);
            }
        }
    }
    menu
}

/// The page a caller starts at after login.
pub fn home(roles: &std::collections::BTreeSet<Role>) -> &'static str {
    menu(roles).first().map_or("/casussen", |(href, _)| href)
}

impl Chrome {
    pub fn of(session: &Session) -> Self {
        let caller = &session.caller;
        Self {
            name: caller.name.clone(),
            role: caller.roles.iter().next().map_or("", |r| labels::role(*r)),
            organisation: caller.organisation.to_string(),
            csrf: session.csrf.clone(),
            menu: menu(&caller.roles),
        }
    }
}

/// Renders `page` with `status`.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, axum::response::Html(html)).into_response();
            for (name, value) in PAGE_HEADERS {
                response
                    .headers_mut()
                    .insert(name, HeaderValue::from_static(value));
            }
            response
        }
        Err(error) => {
            tracing::error!(%error, "a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Er ging iets mis.").into_response()
        }
    }
}

/// A day as the Dutch write it: 07-11-2026.
pub fn day(date: &NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

pub fn maybe_day(date: &Option<NaiveDate>) -> String {
    date.as_ref().map_or_else(|| "–".into(), day)
}

/// The day a timeline entry happened: its own date, or else the day in the
/// Netherlands it was recorded on.
pub fn entry_day(entry: &TimelineEntry) -> String {
    day(&entry
        .occurred_on
        .unwrap_or_else(|| casus_store::clock::day_of(entry.recorded_at)))
}

#[derive(Template)]
#[template(path = "fout.html")]
struct ErrorPage {
    chrome: Option<Chrome>,
    title: &'static str,
    message: String,
}

/// Why a page is not shown.
#[derive(Debug)]
pub enum Refusal {
    /// No session, or one that ended.
    LogIn,
    NotFound,
    /// Not in the caller's role.
    Forbidden,
    /// Sent by another site, or without the session's form token.
    Forged,
    /// The request itself is wrong (a filter, a page).
    Bad(String),
    Unavailable,
    Internal,
}

impl From<sqlx::Error> for Refusal {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "a page could not read the database");
        Refusal::Unavailable
    }
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::NotFound => Refusal::NotFound,
            ApiError::Forbidden(_) => Refusal::Forbidden,
            ApiError::BadRequest(detail) | ApiError::Unprocessable(detail) => Refusal::Bad(detail),
            ApiError::Database(error) => error.into(),
            ApiError::Command(casus_store::CommandError::KeyReused) => Refusal::Bad(
                "dit formulier is al verstuurd met andere inhoud; open de pagina opnieuw".into(),
            ),
            other => {
                let problem = other.into_problem();
                if problem.status == StatusCode::SERVICE_UNAVAILABLE.as_u16() {
                    Refusal::Unavailable
                } else {
                    tracing::error!(status = %problem.status, detail = %problem.detail, "a page failed");
                    Refusal::Internal
                }
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            Refusal::LogIn => return Redirect::to("/inloggen").into_response(),
            Refusal::NotFound => (
                StatusCode::NOT_FOUND,
                "Niet gevonden",
                "Deze pagina of casus bestaat niet, of u mag haar niet inzien.".to_owned(),
            ),
            Refusal::Forbidden => (
                StatusCode::FORBIDDEN,
                "Geen toegang",
                "Dit hoort niet bij uw rol; er is niets gewijzigd.".to_owned(),
            ),
            Refusal::Forged => (
                StatusCode::FORBIDDEN,
                "Verzoek geweigerd",
                "Dit formulier kwam niet van deze pagina of is verlopen. Er is niets gewijzigd; \
                 open de pagina opnieuw en probeer het nog eens."
                    .to_owned(),
            ),
            Refusal::Bad(detail) => (
                StatusCode::BAD_REQUEST,
                "Ongeldig verzoek",
                format!("Dit verzoek klopt niet ({detail})."),
            ),
            Refusal::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Even niet beschikbaar",
                "Casus kan dit nu niet tonen. Probeer het over een ogenblik opnieuw.".to_owned(),
            ),
            Refusal::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Er ging iets mis",
                "Casus kon dit niet afhandelen; de fout is vastgelegd.".to_owned(),
            ),
        };
        render(
            status,
            &ErrorPage {
                chrome: None,
                title,
                message,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;

    fn recorded_at(at: &str) -> TimelineEntry {
        TimelineEntry {
            sequence: 1,
            event_type: "CaseLeadAssigned".into(),
            occurred_on: None,
            recorded_at: at.parse::<DateTime<Utc>>().unwrap(),
            actor_id: None,
            actor_name: None,
            actor_role: None,
            actor_organisation: None,
            title: String::new(),
            detail: None,
        }
    }

    #[test]
    fn an_entry_recorded_after_midnight_in_the_netherlands_is_of_that_day() {
        // 00:30 in Amsterdam (winter time) is 23:30 UTC the day before.
        assert_eq!(
            entry_day(&recorded_at("2026-11-30T23:30:00Z")),
            "01-12-2026"
        );
        // 01:30 in Amsterdam (summer time) is 23:30 UTC the day before.
        assert_eq!(
            entry_day(&recorded_at("2026-06-30T23:30:00Z")),
            "01-07-2026"
        );
        assert_eq!(
            entry_day(&recorded_at("2026-11-30T12:00:00Z")),
            "30-11-2026"
        );
    }
}
