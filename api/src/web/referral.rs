//! "Nieuwe aanmelding": a referral opens a case in the worker's own
//! municipality and team, through the API's own `open_case`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::Form;
use casus_domain::{FocusAreaCode, OrganisationId, SubjectDetails, SubjectId};
use casus_store::idempotency;
use casus_store::privacy::index::Probe;
use uuid::Uuid;

use crate::http::error::ApiError;
use crate::http::extract::{ClientAddress, RequestId};
use crate::http::writer::{Writer, Wrote};
use crate::routes::bodies::ReferralBody;
use crate::routes::cases::open_case;
use crate::routes::people_search::{check_known, KnownPerson};
use crate::web::cases::origin;
use crate::web::form::{bsn, code, Errors, Posted};
use crate::web::page::{render, Chrome, Refusal};
use crate::web::session::Session;
use crate::AppState;

#[derive(Template)]
#[template(path = "aanmelden.html")]
struct ReferralPage {
    chrome: Option<Chrome>,
    areas: Vec<(String, String)>,
    /// The young person's open cases the known-person check found: whom
    /// to contact about each (team, organisation, focus area, case lead).
    known: Vec<String>,
    posted: Posted,
    errors: Errors,
    key: String,
    today: String,
}

impl ReferralPage {
    fn value(&self, field: &str) -> &str {
        self.posted.get(field)
    }

    fn date_value<'a>(&'a self, field: &str) -> &'a str {
        match (field, self.posted.get(field)) {
            ("aanmelding-geboortedatum", typed) => typed,
            (_, "") => &self.today,
            (_, typed) => typed,
        }
    }

    /// Whether `code` was chosen in the select `field`.
    fn chosen(&self, field: &str, code: &str) -> bool {
        self.posted.get(field) == code
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.on(field)
    }
}

fn page(
    state: &AppState,
    session: &Session,
    posted: Posted,
    errors: Errors,
    known: Vec<String>,
) -> Response {
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let areas = state
        .store
        .programme()
        .areas()
        .filter(|a| Some(&a.municipality) == session.caller.municipality.as_ref())
        .map(|a| (a.code.to_string(), a.name.clone()))
        .collect();
    render(
        status,
        &ReferralPage {
            chrome: Some(Chrome::of(session)),
            areas,
            known,
            posted,
            errors,
            key: Uuid::now_v7().to_string(),
            today: casus_store::clock::today().to_string(),
        },
    )
}

pub async fn form(State(state): State<AppState>, session: Session) -> Response {
    page(
        &state,
        &session,
        Posted::default(),
        Errors::default(),
        Vec::new(),
    )
}

/// The referral the form describes, or what to change.
fn read(posted: &Posted, errors: &mut Errors) -> Option<ReferralBody> {
    let name = errors.text(posted, "aanmelding-naam", "de naam");
    let born = errors.day(posted, "aanmelding-geboortedatum", "de geboortedatum");
    let address = errors
        .optional_text(posted, "aanmelding-adres", "het adres")
        .flatten();
    let bsn = match posted.get("aanmelding-bsn").trim() {
        "" => None,
        typed => errors.read("aanmelding-bsn", bsn(typed)),
    };
    let area = errors.read(
        "aanmelding-gebied",
        code(
            posted.get("aanmelding-gebied"),
            "het focusgebied",
            FocusAreaCode::parse,
        ),
    );
    let by = errors.read(
        "aanmelding-door",
        code(
            posted.get("aanmelding-door"),
            "de aanmelder",
            OrganisationId::parse,
        ),
    );
    let reason = errors.text(posted, "aanmelding-reden", "de reden");
    let goal = errors.text(posted, "aanmelding-doel", "het doel");
    let on = errors.day(posted, "aanmelding-datum", "de datum van aanmelding");
    if errors.any() {
        return None;
    }
    Some(ReferralBody {
        subject_id: None,
        subject: SubjectDetails {
            name: name?,
            date_of_birth: born?,
            address,
            bsn,
        },
        focus_area: area?,
        referred_by: by?,
        reason: reason?,
        goal: goal?,
        referred_on: on?,
    })
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    Form(posted): Form<Posted>,
) -> Result<Response, Refusal> {
    if !session.holds(posted.get("_csrf")) {
        return Err(Refusal::Forged);
    }
    let mut errors = Errors::default();
    let Some(body) = read(&posted, &mut errors).filter(|_| !errors.any()) else {
        return Ok(page(&state, &session, posted, errors, Vec::new()));
    };
    let key = Uuid::parse_str(posted.get("sleutel"))
        .ok()
        .map(|k| k.to_string());
    let (request_id, address) = origin(request_id, address);
    // The known-person check: an open case of this young person in the
    // municipality is named (whom to contact, never its content); the worker
    // may refer all the same, and the check and that choice are logged.
    let reader = session.reader(&state, request_id, address.clone());
    let probes = Probe::all(&body.subject);
    let anyway = posted.get("aanmelding-toch") == "ja";
    // A form sent again (a double click, a reload) is answered as the first
    // time, by `open_case`: its check was made then.
    let scope = session.caller.id.as_str();
    let sent_before = match &key {
        Some(key) => idempotency::find(&state.pool, scope, key)
            .await
            .map_err(ApiError::from)?
            .is_some(),
        None => false,
    };
    let known = if sent_before {
        KnownPerson::default()
    } else {
        check_known(&reader, &probes, anyway).await?
    };
    if !known.open_cases.is_empty() && !anyway {
        let programme = state.store.programme();
        let known = known
            .open_cases
            .iter()
            .map(|k| {
                let area = FocusAreaCode::parse(k.focus_area.clone())
                    .ok()
                    .and_then(|c| programme.focus_area(&c).map(|a| a.name.clone()))
                    .unwrap_or_else(|| k.focus_area.clone());
                let lead = k.case_lead_name.as_deref().unwrap_or("nog niemand");
                let organisation = k.organisation.as_deref().unwrap_or("onbekend");
                format!(
                    "team {} ({organisation}), focusgebied {area}; casusregisseur: {lead}",
                    k.team
                )
            })
            .collect();
        return Ok(page(&state, &session, posted, Errors::default(), known));
    }
    let mut body = body;
    body.subject_id = known.subject_id.map(SubjectId::from_uuid);
    let digest = posted.digest("aanmelding");
    let writer = Writer::new(
        &state,
        session.caller.clone(),
        request_id,
        address,
        None,
        key,
    );
    let written = match open_case(writer, digest, body).await {
        Ok(Wrote::Done(_, written)) => Some((written.case_id, written.version)),
        Ok(Wrote::Replayed(stored)) => {
            serde_json::from_value::<crate::http::writer::Written>(stored.answer)
                .ok()
                .map(|w| (w.case_id, w.version))
        }
        Err(ApiError::Command(casus_store::CommandError::Rejected(refusal))) => {
            let mut errors = Errors::default();
            match refusal {
                casus_domain::CaseError::OutsideTargetGroup { age } => errors.add(
                    "aanmelding-geboortedatum",
                    format!("Preventie met gezag is voor jongeren van 8 tot en met 27; deze jongere is {age} op de datum van aanmelding."),
                ),
                casus_domain::CaseError::DateOutOfRange(rule) => errors.add(
                    if rule.field == "referred_on" { "aanmelding-datum" } else { "aanmelding-geboortedatum" },
                    format!(
                        "De datum moet tussen {} en {} liggen.",
                        crate::web::page::day(&rule.earliest),
                        crate::web::page::day(&rule.latest)
                    ),
                ),
                casus_domain::CaseError::UnknownFocusArea(_)
                | casus_domain::CaseError::FocusAreaOutsideMunicipality { .. } => {
                    errors.add("aanmelding-gebied", "Kies een focusgebied van uw gemeente.")
                }
                other => {
                    tracing::info!(refusal = %other, "a referral was refused");
                    errors.form = Some("De aanmelding is geweigerd. Controleer de invoer.".into());
                }
            }
            return Ok(page(&state, &session, posted, errors, Vec::new()));
        }
        Err(error) => return Err(error.into()),
    };
    Ok(match written {
        Some((case, version)) => Redirect::to(&format!("/casussen/{case}?versie={version}")),
        None => Redirect::to("/casussen"),
    }
    .into_response())
}
