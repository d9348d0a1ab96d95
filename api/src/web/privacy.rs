//! The privacy officer's pages: find a young person through the blind
//! index, see which cases hold them, and erase their personal data with a
//! reason after a confirmation that names what is destroyed and what stays;
//! and the retention report: whom `casus retention` would erase on a date.
//! Like the auditor, the privacy officer reads on a reason stated for the
//! session (`audit::auditing`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::Form;
use casus_domain::{CaseId, Role};
use casus_store::audit::access::{AccessAction, Sensitivity};
use casus_store::privacy::index;
use casus_store::privacy::retention::due;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use crate::http::extract::{ClientAddress, RequestId};
use crate::http::reader::{wait_for_cases, Reader, Seen};
use crate::http::writer::Writer;
use crate::policy;
use crate::routes::cases::view_of;
use crate::routes::cases::{list_in, ListParams};
use crate::routes::erasure::erase;
use crate::web::audit::auditing;
use crate::web::cases::{origin, rows, Row};
use crate::web::form::{text, Errors, Posted};
use crate::web::page::{day, render, Chrome, Refusal};
use crate::web::query::Query;
use crate::web::search::read as read_person;
use crate::web::session::Session;
use crate::AppState;

fn officer(session: &Session) -> Result<(), Refusal> {
    if session.caller.has(Role::PrivacyOfficer) {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

/// A young person found, with the cases that hold them.
struct Found {
    subject: Uuid,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct FindPage {
    chrome: Option<Chrome>,
    reason: String,
    searched: bool,
    found: Vec<Found>,
    posted: Posted,
    errors: Errors,
}

impl FindPage {
    fn value(&self, field: &str) -> &str {
        self.posted.get(field)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.on(field)
    }
}

pub async fn start(
    State(state): State<AppState>,
    session: Session,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    officer(&session)?;
    if let Err(ask) = auditing(&state, &session, "/privacy", request_id, address)? {
        return Ok(ask);
    }
    let page = FindPage {
        chrome: Some(Chrome::of(&session)),
        reason: session.reason.clone().unwrap_or_default(),
        searched: false,
        found: Vec::new(),
        posted: Posted::default(),
        errors: Errors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Finds the young person by name and date of birth, or BSN (a POST: no
/// name in a URL), and lists each one found with their cases.
pub async fn find(
    State(state): State<AppState>,
    session: Session,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    Form(posted): Form<Posted>,
) -> Result<Response, Refusal> {
    if !session.holds(posted.get("_csrf")) {
        return Err(Refusal::Forged);
    }
    officer(&session)?;
    let reader = match auditing(&state, &session, "/privacy", request_id, address)? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let mut errors = Errors::default();
    let probe = read_person(&posted, &mut errors);
    let mut found = Vec::new();
    let status = match probe.filter(|_| !errors.any()) {
        Some(probe) => {
            let subjects = index::find(&state.pool, &state.keyring, &probe).await?;
            for subject in subjects {
                let params = ListParams {
                    limit: Some(200),
                    ..ListParams::default()
                };
                let page = list_in(
                    &reader,
                    params,
                    Some(vec![subject]),
                    "erasure_search",
                    policy::erasing,
                )
                .await?;
                if !page.items.is_empty() {
                    found.push(Found {
                        subject,
                        rows: rows(&state, &page.items),
                    });
                }
            }
            StatusCode::OK
        }
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = FindPage {
        chrome: Some(Chrome::of(&session)),
        reason: session.reason.clone().unwrap_or_default(),
        searched: true,
        found,
        posted,
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Template)]
#[template(path = "wissen.html")]
struct ErasurePage {
    chrome: Option<Chrome>,
    subject: Uuid,
    rows: Vec<Row>,
    /// Whether every case shows the young person erased.
    erased: bool,
    posted: Posted,
    errors: Errors,
}

impl ErasurePage {
    fn value(&self, field: &str) -> &str {
        self.posted.get(field)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.on(field)
    }

    fn checked(&self, field: &str, value: &str) -> bool {
        self.posted.has(field, value)
    }
}

/// The young person's cases, and the erasure form with what it destroys and
/// what stays; once erased, the erased state.
pub async fn subject(
    State(state): State<AppState>,
    session: Session,
    Path(subject): Path<Uuid>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    officer(&session)?;
    let back = format!("/privacy/jongeren/{subject}");
    let reader = match auditing(&state, &session, &back, request_id, address)? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let page = erasure_page(
        &state,
        &session,
        &reader,
        subject,
        Posted::default(),
        Errors::default(),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

async fn erasure_page(
    state: &AppState,
    session: &Session,
    reader: &Reader,
    subject: Uuid,
    posted: Posted,
    errors: Errors,
) -> Result<ErasurePage, Refusal> {
    let params = ListParams {
        limit: Some(200),
        ..ListParams::default()
    };
    let scope = policy::erasing;
    let page = list_in(reader, params, Some(vec![subject]), "erasure_review", scope).await?;
    if page.items.is_empty() {
        return Err(Refusal::NotFound);
    }
    Ok(ErasurePage {
        chrome: Some(Chrome::of(session)),
        subject,
        erased: page.items.iter().all(|c| c.erased),
        rows: rows(state, &page.items),
        posted,
        errors,
    })
}

/// Erases the young person, after the officer gave a reason and confirmed.
pub async fn erase_subject(
    State(state): State<AppState>,
    session: Session,
    Path(subject): Path<Uuid>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    Form(posted): Form<Posted>,
) -> Result<Response, Refusal> {
    if !session.holds(posted.get("_csrf")) {
        return Err(Refusal::Forged);
    }
    officer(&session)?;
    let back = format!("/privacy/jongeren/{subject}");
    let (request_id, address) = origin(request_id, address);
    let reader = match auditing(
        &state,
        &session,
        &back,
        Some(Extension(request_id)),
        address.clone().map(|a| Extension(ClientAddress(a))),
    )? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let mut errors = Errors::default();
    let reason = errors.read("wissen-reden", text(posted.get("wissen-reden"), "de reden"));
    if !posted.has("wissen-zeker", "ja") {
        errors.add(
            "wissen-zeker",
            "Bevestig dat u weet dat wissen niet terug te draaien is.",
        );
    }
    let Some(reason) = reason.filter(|_| !errors.any()) else {
        let page = erasure_page(&state, &session, &reader, subject, posted, errors).await?;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let writer = Writer::new(
        &state,
        session.caller.clone(),
        request_id,
        address,
        None,
        None,
    );
    let erased = erase(&writer, subject, reason).await?;
    // The page shows the erased state: wait (a while) until the views do.
    let cases: Vec<_> = (erased.erased.iter())
        .map(|case| (CaseId::from_uuid(case.case_id), case.version))
        .collect();
    wait_for_cases(&state, view_of(session.caller.domain), &cases).await?;
    Ok(Redirect::to(&format!("/privacy/jongeren/{subject}")).into_response())
}

/// A young person the retention report names.
struct DueRow {
    subject: Uuid,
    cases: String,
    last_closed: String,
    kept_until: String,
    results: String,
}

#[derive(Template)]
#[template(path = "bewaartermijnen.html")]
struct RetentionPage {
    chrome: Option<Chrome>,
    on: String,
    rows: Vec<DueRow>,
}

#[derive(Deserialize)]
pub struct On {
    #[serde(default)]
    datum: String,
}

/// Whom `casus retention` would erase on a date (its dry run), for the
/// officer's municipality; the cases it names are logged.
pub async fn retention(
    State(state): State<AppState>,
    session: Session,
    Query(on): Query<On>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    officer(&session)?;
    let reader = match auditing(
        &state,
        &session,
        "/privacy/bewaartermijnen",
        request_id,
        address,
    )? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let as_of = match on.datum.trim() {
        "" => casus_store::clock::today(),
        typed => NaiveDate::parse_from_str(typed, "%Y-%m-%d")
            .map_err(|_| Refusal::Bad("dit is geen datum".into()))?,
    };
    let closed = casus_projections::queries::closed(&state.pool).await?;
    let mut subjects = due(&state.pool, &closed, as_of).await?;
    // A municipal officer sees the young people with a case in their municipality.
    if let Some(municipality) = &session.caller.municipality {
        let suffix = format!("({municipality})");
        subjects.retain(|s| s.case_ids.iter().any(|c| c.ends_with(&suffix)));
    }
    let named: Vec<Uuid> = subjects
        .iter()
        .flat_map(|s| &s.case_ids)
        .filter_map(|c| c.split(' ').next()?.parse().ok())
        .collect();
    let seen = Seen {
        action: AccessAction::Search,
        view: "retention_report",
        sensitivity: Sensitivity::Audit,
    };
    let basis = reader.ground(Role::PrivacyOfficer, "retention")?;
    reader
        .shown(seen, Role::PrivacyOfficer, basis, &named)
        .await?;
    let rows = subjects
        .iter()
        .map(|s| DueRow {
            subject: s.subject_id,
            cases: s.case_ids.join(", "),
            last_closed: day(&s.last_closed),
            kept_until: day(&s.kept_until),
            results: s.results.join(", "),
        })
        .collect();
    let page = RetentionPage {
        chrome: Some(Chrome::of(&session)),
        on: as_of.format("%Y-%m-%d").to_string(),
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}
