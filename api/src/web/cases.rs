//! "Mijn casussen" and the case page, with the contact form: the API's own
//! reads and writes, for the session's caller.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::Form;
use casus_domain::{
    CaseCommand, CaseError, CaseId, Contact, ContactKind, ContactParty, FocusAreaCode, Personal,
    Stage, Text,
};
use casus_projections::queries::{CaseDetail, CaseSummary, TimelineEntry};
use casus_store::CommandError;
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use strum::VariantArray;
use uuid::Uuid;

use crate::http::error::ApiError;
use crate::http::extract::{ClientAddress, RequestId};
use crate::http::reader::Reader;
use crate::http::writer::{Target, Writer, Wrote};
use crate::policy::Action;
use crate::routes::cases::{list_cases, read_case, read_timeline, ListParams};
use crate::web::labels;
use crate::web::page::{day, maybe_day, render, Chrome, Refusal};
use crate::web::session::Session;
use crate::AppState;

/// Where a request came from, for the access log and the events.
fn origin(
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> (RequestId, Option<String>) {
    (
        request_id.map_or_else(|| RequestId(Uuid::now_v7()), |r| r.0),
        address.map(|a| a.0 .0),
    )
}

/// The list's filters, as the form sends them.
#[derive(Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    fase: String,
    #[serde(default)]
    gebied: String,
    #[serde(default)]
    mij: Option<String>,
    #[serde(default)]
    achterstallig: Option<String>,
    #[serde(default)]
    verder: Option<String>,
}

/// A row of the list, in words.
struct Row {
    id: Uuid,
    name: String,
    stage: String,
    area: String,
    lead: String,
    last_contact: String,
    next_review: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "casussen.html")]
struct ListPage {
    chrome: Option<Chrome>,
    rows: Vec<Row>,
    stages: Vec<(&'static str, &'static str, bool)>,
    areas: Vec<(String, String, bool)>,
    mine: bool,
    overdue: bool,
    next: Option<String>,
}

fn words_since(today: NaiveDate, day: Option<NaiveDate>) -> String {
    match day {
        None => "nog geen contact".into(),
        Some(day) => match (today - day).num_days() {
            0 => "vandaag".into(),
            1 => "gisteren".into(),
            n => format!("{n} dagen geleden"),
        },
    }
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(filters): Query<Filters>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let (request_id, address) = origin(request_id, address);
    let stage = match filters.fase.as_str() {
        "" => None,
        code => Some(
            *Stage::VARIANTS
                .iter()
                .find(|s| s.as_str() == code)
                .ok_or_else(|| Refusal::Bad("onbekende fase".into()))?,
        ),
    };
    let area = match filters.gebied.as_str() {
        "" => None,
        code => Some(
            FocusAreaCode::parse(code)
                .map_err(|_| Refusal::Bad("onbekend focusgebied".into()))?
                .to_string(),
        ),
    };
    let mine = filters.mij.is_some();
    let overdue = filters.achterstallig.is_some();
    let caller = session.caller.clone();
    let params = ListParams {
        stage,
        assignee: mine.then(|| caller.id.to_string()),
        focus_area: area.clone(),
        review_overdue: overdue.then_some(true),
        cursor: filters.verder.filter(|c| !c.is_empty()),
        limit: Some(25),
        ..ListParams::default()
    };
    let reader = Reader::new(&state, caller.clone(), request_id, address);
    let page = list_cases(&reader, params).await?;
    let today = casus_store::clock::today();
    let programme = state.store.programme();
    let area_name = |code: &str| {
        FocusAreaCode::parse(code)
            .ok()
            .and_then(|c| programme.focus_area(&c).map(|a| a.name.clone()))
            .unwrap_or_else(|| code.to_owned())
    };
    let rows = page
        .items
        .iter()
        .map(|c: &CaseSummary| Row {
            id: c.case_id,
            name: c.subject_name.clone().unwrap_or_else(|| {
                if c.erased {
                    "(gegevens gewist)".into()
                } else {
                    "(naam niet zichtbaar)".into()
                }
            }),
            stage: labels::stage(&c.stage).to_owned(),
            area: area_name(&c.focus_area),
            lead: c.case_lead_name.clone().unwrap_or_else(|| "–".into()),
            last_contact: words_since(today, c.last_contact_on),
            next_review: maybe_day(&c.next_review_on),
            overdue: c.review_overdue,
        })
        .collect();
    let stages = Stage::VARIANTS
        .iter()
        .map(|s| {
            let code: &'static str = s.as_str();
            (code, labels::stage(code), stage == Some(*s))
        })
        .collect();
    let areas = programme
        .areas()
        .filter(|a| Some(&a.municipality) == caller.municipality.as_ref())
        .map(|a| {
            let code = a.code.to_string();
            let chosen = area.as_deref() == Some(code.as_str());
            (code, a.name.clone(), chosen)
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            chrome: Some(Chrome::of(&session)),
            rows,
            stages,
            areas,
            mine,
            overdue,
            next: page.next_cursor,
        },
    ))
}

/// What the worker typed into the contact form, kept when it is refused.
#[derive(Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    sleutel: String,
    #[serde(default)]
    versie: Option<u64>,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    met: Vec<String>,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    verslag: String,
}

/// Why a form was refused: per field, and for the form as a whole.
#[derive(Default)]
struct FormErrors {
    soort: Option<String>,
    met: Option<String>,
    datum: Option<String>,
    verslag: Option<String>,
    form: Option<String>,
    /// The case changed since the page was shown.
    changed: bool,
}

impl FormErrors {
    fn any(&self) -> bool {
        self.soort.is_some()
            || self.met.is_some()
            || self.datum.is_some()
            || self.verslag.is_some()
            || self.form.is_some()
    }

    /// The summary at the top: each message with the field it links to.
    fn summary(&self) -> Vec<(&'static str, String)> {
        [
            ("soort", &self.soort),
            ("met", &self.met),
            ("datum", &self.datum),
            ("verslag", &self.verslag),
        ]
        .into_iter()
        .filter_map(|(field, message)| message.clone().map(|m| (field, m)))
        .collect()
    }
}

/// A timeline entry in words, newest first on the page.
struct Entry {
    what: String,
    on: String,
    by: String,
    detail: Option<String>,
}

#[derive(Template)]
#[template(path = "casus.html")]
struct CasePage {
    chrome: Option<Chrome>,
    case: CaseDetail,
    stage: String,
    area: String,
    born: String,
    referred_on: String,
    last_contact: String,
    risk: String,
    goals: Vec<(String, String, bool)>,
    interventions: Vec<(String, String, String)>,
    reviews: Vec<(String, bool)>,
    timeline: Vec<Entry>,
    kinds: Vec<(&'static str, &'static str)>,
    parties: Vec<(&'static str, &'static str)>,
    form: ContactForm,
    errors: FormErrors,
    key: String,
    today: String,
}

impl CasePage {
    fn checked(&self, party: &str) -> bool {
        self.form.met.iter().any(|m| m == party)
    }
}

#[derive(Default, Deserialize)]
pub struct Shown {
    /// After a write: the version to wait for, so the page shows it.
    versie: Option<u64>,
}

pub async fn case(
    State(state): State<AppState>,
    session: Session,
    Path(case): Path<String>,
    Query(shown): Query<Shown>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let case = case.parse::<CaseId>().map_err(|_| Refusal::NotFound)?;
    let (request_id, address) = origin(request_id, address);
    let reader = Reader::new(&state, session.caller.clone(), request_id, address);
    case_page(
        &state,
        &session,
        &reader,
        case,
        shown.versie,
        ContactForm::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn case_page(
    state: &AppState,
    session: &Session,
    reader: &Reader,
    case: CaseId,
    min_version: Option<u64>,
    form: ContactForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Refusal> {
    let detail = read_case(reader, case, min_version).await?;
    let timeline = read_timeline(reader, case, min_version).await?;
    let overview = &detail.overview;
    let programme = state.store.programme();
    let area = FocusAreaCode::parse(overview.focus_area.clone())
        .ok()
        .and_then(|c| programme.focus_area(&c).map(|a| a.name.clone()))
        .unwrap_or_else(|| overview.focus_area.clone());
    let page = CasePage {
        chrome: Some(Chrome::of(session)),
        stage: labels::stage(&overview.stage).to_owned(),
        area,
        born: maybe_day(&overview.date_of_birth),
        referred_on: day(&overview.referred_on),
        last_contact: maybe_day(&overview.last_contact_on),
        risk: overview
            .risk_level
            .as_deref()
            .map_or("–".into(), |r| labels::risk_level(r).to_owned()),
        goals: detail
            .goals
            .iter()
            .map(|g| {
                (
                    g.description
                        .clone()
                        .unwrap_or_else(|| "(niet zichtbaar)".into()),
                    day(&g.target_date),
                    g.achieved_on.is_some(),
                )
            })
            .collect(),
        interventions: detail
            .interventions
            .iter()
            .map(|i| {
                (
                    labels::intervention_kind(&i.kind).to_owned(),
                    i.provider.clone(),
                    labels::intervention_status(&i.status).to_owned(),
                )
            })
            .collect(),
        reviews: detail
            .reviews
            .iter()
            .map(|r| (day(&r.due_on), r.completed_on.is_some()))
            .collect(),
        timeline: timeline.iter().rev().map(entry).collect(),
        kinds: ContactKind::VARIANTS
            .iter()
            .map(|k| (<&'static str>::from(*k), labels::contact_kind(*k)))
            .collect(),
        parties: ContactParty::VARIANTS
            .iter()
            .map(|p| (<&'static str>::from(*p), labels::contact_party(*p)))
            .collect(),
        key: Uuid::now_v7().to_string(),
        today: casus_store::clock::today().to_string(),
        case: detail,
        form,
        errors,
    };
    Ok(render(status, &page))
}

fn entry(e: &TimelineEntry) -> Entry {
    Entry {
        what: labels::event(&e.event_type).to_owned(),
        on: e
            .occurred_on
            .as_ref()
            .map_or_else(|| day(&e.recorded_at.date_naive()), day),
        by: e.actor_name.clone().unwrap_or_default(),
        detail: e.detail.clone(),
    }
}

/// The contact the form describes, or what to change.
fn contact(form: &ContactForm) -> Result<Contact, Box<FormErrors>> {
    let mut errors = FormErrors::default();
    let kind = ContactKind::VARIANTS
        .iter()
        .find(|k| <&str>::from(**k) == form.soort);
    if kind.is_none() {
        errors.soort = Some("Kies de soort contact.".into());
    }
    let with_whom: Vec<ContactParty> = ContactParty::VARIANTS
        .iter()
        .filter(|p| form.met.iter().any(|m| m == <&str>::from(**p)))
        .copied()
        .collect();
    if with_whom.is_empty() {
        errors.met = Some("Kies met wie er contact was.".into());
    }
    let on = NaiveDate::parse_from_str(&form.datum, "%Y-%m-%d").ok();
    if on.is_none() {
        errors.datum = Some("Vul de datum van het contact in, bijvoorbeeld 07-11-2026.".into());
    }
    let summary = Text::parse(form.verslag.clone()).ok();
    if summary.is_none() {
        errors.verslag = Some("Schrijf een kort verslag (niet alleen spaties).".into());
    }
    match (kind, on, summary) {
        (Some(kind), Some(on), Some(summary)) if !errors.any() => Ok(Contact {
            kind: *kind,
            with_whom,
            contacted_on: on,
            summary: Personal::new(summary),
        }),
        _ => Err(Box::new(errors)),
    }
}

/// The case's refusal in Dutch, next to the field it concerns.
fn refusal(error: &CaseError) -> FormErrors {
    let mut errors = FormErrors::default();
    match error {
        CaseError::DateOutOfRange(rule) => {
            errors.datum = Some(format!(
                "De datum moet tussen {} en {} liggen: een contact ligt niet in de toekomst.",
                day(&rule.earliest),
                day(&rule.latest)
            ));
        }
        CaseError::VersionMismatch { .. } => {
            errors.changed = true;
            errors.form = Some(
                "De casus is intussen gewijzigd. Hieronder ziet u de nieuwe stand; uw invoer \
                 staat nog in het formulier. Controleer haar en verstuur opnieuw."
                    .into(),
            );
        }
        CaseError::Closed => {
            errors.form = Some("De casus is afgesloten: er kan geen contact meer bij.".into())
        }
        CaseError::Erased => {
            errors.form = Some(
                "De persoonsgegevens van deze casus zijn gewist: er kan niets meer bij.".into(),
            )
        }
        CaseError::NotInStage { stage, .. } => {
            errors.form = Some(format!(
                "In de fase {} kan dit niet worden vastgelegd.",
                labels::stage(stage.as_str()).to_lowercase()
            ))
        }
        other => {
            tracing::info!(refusal = %other, "the case refused a form");
            errors.form = Some("De casus weigerde dit contact. Controleer de invoer.".into());
        }
    }
    errors
}

pub async fn log_contact(
    State(state): State<AppState>,
    session: Session,
    Path(case): Path<String>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    Form(form): Form<ContactForm>,
) -> Result<Response, Refusal> {
    if !session.holds(&form.csrf) {
        return Err(Refusal::Forged);
    }
    let case = case.parse::<CaseId>().map_err(|_| Refusal::NotFound)?;
    let (request_id, address) = origin(request_id, address);
    let reader = Reader::new(&state, session.caller.clone(), request_id, address.clone());
    let again = |form: ContactForm, errors: FormErrors| {
        let (state, session, reader) = (&state, &session, &reader);
        async move {
            case_page(
                state,
                session,
                reader,
                case,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let contact = match contact(&form) {
        Ok(contact) => contact,
        Err(errors) => return again(form, *errors).await,
    };
    let digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&contact).unwrap_or_default(),
    ));
    let key = Uuid::parse_str(&form.sleutel).ok().map(|k| k.to_string());
    let writer = Writer::new(
        &state,
        session.caller.clone(),
        request_id,
        address,
        form.versie,
        key,
    );
    let wrote = writer
        .write(Target::Case(case, Action::Work), digest, Vec::new(), |_| {
            Ok(CaseCommand::LogContact(contact))
        })
        .await;
    let version = match wrote {
        Ok(Wrote::Done(_, written)) => Some(written.version),
        // A double submission: the first one's answer.
        Ok(Wrote::Replayed(stored)) => stored.answer.get("version").and_then(|v| v.as_u64()),
        Err(ApiError::Command(CommandError::Rejected(error))) => {
            return again(form, refusal(&error)).await
        }
        Err(ApiError::Command(CommandError::Conflict(_))) => {
            let errors = refusal(&CaseError::VersionMismatch {
                expected: form.versie.unwrap_or_default(),
                actual: 0,
            });
            return again(form, errors).await;
        }
        Err(error) => return Err(error.into()),
    };
    let to = match version {
        Some(version) => format!("/casussen/{case}?versie={version}#tijdlijn"),
        None => format!("/casussen/{case}#tijdlijn"),
    };
    Ok(Redirect::to(&to).into_response())
}
