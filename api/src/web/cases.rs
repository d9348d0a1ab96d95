//! "Mijn casussen" and the case page with its forms: the API's own reads
//! and writes, for the session's caller.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::Form;
use casus_domain::{CaseError, CaseId, FocusAreaCode, Stage};
use casus_projections::queries::{CaseDetail, CaseSummary, ConsentRow, TimelineEntry};
use casus_store::CommandError;
use chrono::NaiveDate;
use serde::Deserialize;
use strum::VariantArray;
use uuid::Uuid;

use crate::http::error::ApiError;
use crate::http::extract::{ClientAddress, RequestId};
use crate::http::reader::Reader;
use crate::http::writer::{Writer, Wrote};
use crate::policy::{self, Action};
use crate::routes::cases::{
    list_cases, read_case_for, read_timeline_page, ListParams, TIMELINE_PAGE,
};
use crate::web::form::{Errors, Posted};
use crate::web::forms::{Choices, Context, Forms, CHOICES};
use crate::web::labels;
use crate::web::page::{day, entry_day, maybe_day, render, Chrome, Refusal};
use crate::web::query::Query;
use crate::web::session::Session;
use crate::web::steps::{plan, submit as submit_step, Step};
use crate::AppState;
use casus_store::audit::access::AccessAction;

/// Where a request came from, for the access log and the events.
pub(super) fn origin(
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
pub(super) struct Row {
    pub id: Uuid,
    pub name: String,
    pub age: String,
    pub stage: String,
    pub area: String,
    pub lead: String,
    pub last_contact: String,
    pub next_review: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "casussen.html")]
pub(super) struct ListPage {
    pub chrome: Option<Chrome>,
    pub rows: Vec<Row>,
    pub stages: Vec<(&'static str, &'static str, bool)>,
    pub areas: Vec<(String, String, bool)>,
    pub mine: bool,
    pub overdue: bool,
    pub next: Option<String>,
    /// A search by name and date of birth or BSN, when one was made.
    pub search: Search,
}

/// The search form as sent, and what it found.
#[derive(Default)]
pub(super) struct Search {
    pub done: bool,
    pub posted: Posted,
    pub errors: Errors,
}

impl ListPage {
    fn value(&self, field: &str) -> &str {
        self.search.posted.get(field)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.search.errors.on(field)
    }
}

pub(super) fn words_since(today: NaiveDate, day: Option<NaiveDate>) -> String {
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
    let reader = session.reader(&state, request_id, address);
    let page = list_cases(&reader, params).await?;
    let rows = rows(&state, &page.items);
    let filters = Shown {
        stage,
        area,
        mine,
        overdue,
    };
    let page = list_page(
        &state,
        &session,
        rows,
        filters,
        page.next_cursor,
        Search::default(),
    );
    Ok(render(StatusCode::OK, &page))
}

/// The filters a list was asked with.
#[derive(Default)]
pub(super) struct Shown {
    pub stage: Option<Stage>,
    pub area: Option<String>,
    pub mine: bool,
    pub overdue: bool,
}

pub(super) fn list_page(
    state: &AppState,
    session: &Session,
    rows: Vec<Row>,
    shown: Shown,
    next: Option<String>,
    search: Search,
) -> ListPage {
    let stages = Stage::VARIANTS
        .iter()
        .map(|s| {
            let code: &'static str = s.as_str();
            (code, labels::stage(code), shown.stage == Some(*s))
        })
        .collect();
    let areas = state
        .store
        .programme()
        .areas()
        .filter(|a| Some(&a.municipality) == session.caller.municipality.as_ref())
        .map(|a| {
            let code = a.code.to_string();
            let chosen = shown.area.as_deref() == Some(code.as_str());
            (code, a.name.clone(), chosen)
        })
        .collect();
    ListPage {
        chrome: Some(Chrome::of(session)),
        rows,
        stages,
        areas,
        mine: shown.mine,
        overdue: shown.overdue,
        next,
        search,
    }
}

/// A focus area's name, or its code where the programme does not know it.
pub(super) fn area_name(state: &AppState, code: &str) -> String {
    FocusAreaCode::parse(code)
        .ok()
        .and_then(|c| {
            state
                .store
                .programme()
                .focus_area(&c)
                .map(|a| a.name.clone())
        })
        .unwrap_or_else(|| code.to_owned())
}

/// The list's rows, in words.
pub(super) fn rows(state: &AppState, items: &[CaseSummary]) -> Vec<Row> {
    let today = casus_store::clock::today();
    items
        .iter()
        .map(|c| Row {
            id: c.case_id,
            name: c.subject_name.clone().unwrap_or_else(|| {
                if c.erased {
                    "(gegevens gewist)".into()
                } else {
                    "(naam niet zichtbaar)".into()
                }
            }),
            age: c
                .date_of_birth
                .and_then(|born| today.years_since(born))
                .map_or_else(|| "–".into(), |age| age.to_string()),
            stage: labels::stage(&c.stage).to_owned(),
            area: area_name(state, &c.focus_area),
            lead: c.case_lead_name.clone().unwrap_or_else(|| "–".into()),
            last_contact: words_since(today, c.last_contact_on),
            next_review: maybe_day(&c.next_review_on),
            overdue: c.review_overdue,
        })
        .collect()
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
    /// The summary for a case conference: no forms, a note of who printed it.
    printing: bool,
    printed_on: String,
    /// Whose view the page shows, in words ("sociaal domein").
    domain: &'static str,
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
    /// Where the timeline's page before this one begins, if there is one.
    earlier: Option<i64>,
    /// This is a page before the latest.
    paged_back: bool,
    /// Which forms the case's stage asks for and the caller may send.
    forms: Forms,
    /// The plan form's rows: one per goal and one for a new goal.
    plan_rows: Vec<PlanRow>,
    /// The partners involved: who, on what ground, whether they see it today.
    partners: Vec<(String, &'static str, bool)>,
    /// The consents recorded, each with its validity, in words.
    consents: Vec<String>,
    /// The municipality a proposed handover would move the case to, by name.
    handover_to: Option<String>,
    choices: &'static Choices,
    /// The form that was refused, as typed, and why.
    failed: Option<&'static str>,
    posted: Posted,
    errors: Errors,
    key: String,
    today: String,
}

impl CasePage {
    /// Whether the form of `step` is shown open: the one refused, or the
    /// case's next step, or logging a contact.
    fn open(&self, step: &str) -> bool {
        match self.failed {
            Some(failed) => failed == step,
            None => match step {
                // Agreeing the plan is the next step; revising it is not.
                "plan" => !self.forms.revising,
                _ => matches!(step, "triage" | "opnemen" | "regie" | "contact"),
            },
        }
    }

    /// What was typed in `field` of the refused form; else what the case
    /// holds now (the plan's rows), or "".
    fn value(&self, field: &str) -> &str {
        let typed = self.failed.is_some_and(|step| {
            field == "sleutel" || field.strip_prefix(step).is_some_and(|f| f.starts_with('-'))
        });
        if typed {
            return self.posted.get(field);
        }
        self.forms
            .plan
            .iter()
            .find(|(name, _)| *name == field)
            .map_or("", |(_, value)| value.as_str())
    }

    /// A date field's value: as typed or held, or today.
    fn date_value<'a>(&'a self, field: &str) -> &'a str {
        match self.value(field) {
            "" => &self.today,
            typed => typed,
        }
    }

    /// Whether `code` was chosen in the select `field`.
    fn chosen(&self, field: &str, code: &str) -> bool {
        self.posted.get(field) == code
    }

    fn checked(&self, field: &str, value: &str) -> bool {
        self.posted.has(field, value)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.on(field)
    }
}

#[derive(Default, Deserialize)]
pub struct CasePageQuery {
    /// After a write: the version to wait for, so the page shows it.
    versie: Option<u64>,
    /// The timeline's entries before this one (a sequence), the page
    /// before the latest; the latest when left out.
    voor: Option<i64>,
}

pub async fn case(
    State(state): State<AppState>,
    session: Session,
    Path(case): Path<String>,
    Query(shown): Query<CasePageQuery>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let case = case.parse::<CaseId>().map_err(|_| Refusal::NotFound)?;
    let (request_id, address) = origin(request_id, address);
    let reader = session.reader(&state, request_id, address);
    let refused = Refused::default();
    case_page(&state, &session, &reader, case, shown, refused).await
}

/// The case as a summary to print for a case conference, logged as a print.
pub async fn print(
    State(state): State<AppState>,
    session: Session,
    Path(case): Path<String>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let case = case.parse::<CaseId>().map_err(|_| Refusal::NotFound)?;
    let (request_id, address) = origin(request_id, address);
    let reader = session.reader(&state, request_id, address);
    let refused = Refused {
        printing: true,
        ..Refused::default()
    };
    case_page(
        &state,
        &session,
        &reader,
        case,
        CasePageQuery::default(),
        refused,
    )
    .await
}

/// A refused form: which, what was typed, and why.
#[derive(Default)]
struct Refused {
    /// Not a refusal: the page is printed.
    printing: bool,
    step: Option<&'static str>,
    posted: Posted,
    errors: Errors,
}

async fn case_page(
    state: &AppState,
    session: &Session,
    reader: &Reader,
    case: CaseId,
    shown: CasePageQuery,
    refused: Refused,
) -> Result<Response, Refusal> {
    let action = if refused.printing {
        AccessAction::Print
    } else {
        AccessAction::Read
    };
    let min_version = shown.versie;
    // A sequence below 1 names no entry: the latest page.
    let before = shown.voor.filter(|sequence| *sequence >= 1);
    let (detail, grant) = read_case_for(reader, case, min_version, action).await?;
    let (timeline, earlier) =
        read_timeline_page(reader, case, action, min_version, before, TIMELINE_PAGE).await?;
    let caller = &session.caller;
    // Whom the case may be assigned to, or taken into when a handover is
    // accepted: the caller's colleagues (asked only of who may do either).
    let assigns = [Action::Assign, Action::AcceptHandover]
        .into_iter()
        .any(|action| policy::permits(caller, action, grant.relation));
    let colleagues = if assigns {
        let (municipality, organisation) = (caller.municipality.as_ref(), &caller.organisation);
        match municipality {
            Some(m) => {
                let domain = caller.domain.as_str();
                let workers = &state.workers;
                workers
                    .colleagues(m.as_str(), organisation.as_str(), domain)
                    .await?
            }
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let overview = &detail.overview;
    let programme = state.store.programme();
    let area = FocusAreaCode::parse(overview.focus_area.clone())
        .ok()
        .and_then(|c| programme.focus_area(&c).map(|a| a.name.clone()))
        .unwrap_or_else(|| overview.focus_area.clone());
    let status = if refused.errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CasePage {
        chrome: Some(Chrome::of(session)),
        printing: refused.printing,
        printed_on: day(&casus_store::clock::today()),
        domain: labels::domain(caller.domain),
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
        earlier,
        paged_back: before.is_some(),
        forms: Forms::of(&Context {
            detail: &detail,
            timeline: &timeline,
            caller,
            relation: grant.relation,
            colleagues: &colleagues,
            programme,
        }),
        plan_rows: (0..(detail.goals.len() + 1).min(plan::ROWS))
            .map(PlanRow::new)
            .collect(),
        partners: detail
            .people
            .partners
            .iter()
            .map(|p| (p.partner.clone(), labels::basis(&p.basis), p.sees_case))
            .collect(),
        consents: detail.people.consents.iter().map(consent).collect(),
        handover_to: detail.people.handover_to.as_deref().map(|code| {
            let name = programme.municipality_name(code);
            name.unwrap_or(code).to_owned()
        }),
        choices: &CHOICES,
        key: Uuid::now_v7().to_string(),
        today: casus_store::clock::today().to_string(),
        case: detail,
        failed: refused.step,
        posted: refused.posted,
        errors: refused.errors,
    };
    Ok(render(status, &page))
}

/// A row of the plan form: its fields and their words.
struct PlanRow {
    legend: String,
    goal: &'static str,
    target: &'static str,
    id: &'static str,
}

impl PlanRow {
    fn new(row: usize) -> Self {
        PlanRow {
            legend: format!("Doel {}", row + 1),
            goal: plan::GOAL[row],
            target: plan::TARGET[row],
            id: plan::ID[row],
        }
    }
}

/// A consent and its validity, in words.
fn consent(c: &ConsentRow) -> String {
    let until = c.valid_until.map_or_else(
        || "zonder einddatum".to_owned(),
        |d| format!("geldig tot {}", day(&d)),
    );
    let state = match (c.withdrawn_on, c.holds) {
        (Some(on), _) => format!("ingetrokken op {}", day(&on)),
        (None, true) => "geldt".to_owned(),
        (None, false) => "geldt niet (meer)".to_owned(),
    };
    format!(
        "Voor {}, gegeven op {}, {until}: {state}",
        c.partner,
        day(&c.given_on)
    )
}

fn entry(e: &TimelineEntry) -> Entry {
    Entry {
        what: labels::event(&e.event_type).to_owned(),
        on: entry_day(e),
        by: e.actor_name.clone().unwrap_or_default(),
        detail: e.detail.as_deref().map(labels::detail),
    }
}

/// The field of the case page a date rule of the domain concerns.
fn date_field(step: Step, api_field: &str) -> Option<&'static str> {
    Some(match (step, api_field) {
        (Step::Risk, "due_on") => "risico-evaluatie",
        (Step::HoldReview, "due_on") => "evaluatie-volgende",
        (Step::Aftercare, "started_on") => "nazorg-datum",
        (Step::Intervention, "halt_confession_on") => "interventie-bekentenis",
        (_, api_field) => match api_field {
            "decided_on" => "triage-datum",
            "included_on" => "opnemen-datum",
            "agreed_on" => "plan-datum",
            "planned_on" => "interventie-datum",
            "started_on" => "starten-datum",
            "completed_on" => "afronden-datum",
            "cancelled_on" => "annuleren-datum",
            "achieved_on" => "bereikt-datum",
            "occurred_on" => "signaal-datum",
            "due_on" => "evaluatie-plannen-datum",
            "closed_on" => "afsluiten-datum",
            "reopened_on" => "heropenen-datum",
            "given_on" => "toestemming-datum",
            "valid_until" => "toestemming-tot",
            "held_on" => "overleg-datum",
            "escalated_on" => "opschalen-datum",
            "contacted_on" => "contact-datum",
            "added_on" => "informatie-datum",
            "assessed_on" => "risico-datum",
            "withdrawn_on" => "toestemming-intrekken-datum",
            "transferred_on" => "overdragen-datum",
            "involved_on" => "partner-datum",
            _ => return None,
        },
    })
}

/// The case's refusal in Dutch, next to the field it concerns where there is one.
fn refusal(step: Step, error: &CaseError) -> Errors {
    let mut errors = Errors::default();
    match error {
        CaseError::DateOutOfRange(rule) => {
            let message = format!(
                "De datum moet tussen {} en {} liggen.",
                day(&rule.earliest),
                day(&rule.latest)
            );
            match date_field(step, rule.field) {
                Some(field) => errors.add(field, message),
                None => errors.form = Some(message),
            }
        }
        CaseError::VersionMismatch { .. } => {
            errors.changed = true;
            errors.form = Some(
                "De casus is intussen gewijzigd. Hieronder ziet u de nieuwe stand; uw invoer \
                 staat nog in het formulier. Controleer haar en verstuur opnieuw."
                    .into(),
            );
        }
        CaseError::Closed => errors.form = Some("De casus is afgesloten.".into()),
        CaseError::Erased => {
            errors.form = Some(
                "De persoonsgegevens van deze casus zijn gewist: er kan niets meer bij.".into(),
            )
        }
        CaseError::NotInStage { stage, .. } => {
            errors.form = Some(format!(
                "Dit kan niet in de fase {}.",
                labels::stage(stage.as_str()).to_lowercase()
            ))
        }
        CaseError::CaseLeadRequired => {
            errors.form = Some("Wijs eerst een casusregisseur toe.".into())
        }
        CaseError::TriageRequired => errors.form = Some("Neem eerst een triagebesluit.".into()),
        CaseError::PlanNeedsGoals => errors.add(plan::GOAL[0], "Vul ten minste één doel in."),
        CaseError::RevisionWithoutReason => {
            errors.add("plan-reden", "Geef de reden van de herziening.")
        }
        CaseError::HighRiskNeedsReview { by } => errors.add(
            "risico-evaluatie",
            format!(
                "Bij een hoog risico hoort een evaluatie binnen vier weken: uiterlijk {}.",
                day(by)
            ),
        ),
        CaseError::ConsentNotValid { partner, on, .. } => errors.add(
            "informatie-grondslag",
            format!(
                "Deze toestemming geldt op {} niet voor {partner}: kies een andere grondslag.",
                day(on)
            ),
        ),
        CaseError::LegalBasisRequired { partner, .. } => {
            errors.form = Some(format!(
                "{partner} werkt in het andere domein: leg eerst een toestemming vast of noem een \
             wettelijke taak."
            ))
        }
        CaseError::AlreadyAssigned(_) => {
            errors.add("medewerker-wie", "Deze medewerker werkt al aan de casus.")
        }
        CaseError::NotAssigned(_) => errors.add(
            "werk-overdragen-van",
            "Deze medewerker werkt niet (meer) aan de casus.",
        ),
        CaseError::HandoverPending(_) => {
            errors.form = Some(
                "Er is al een overdracht voorgesteld: die wordt eerst aanvaard of afgewezen."
                    .into(),
            )
        }
        CaseError::NoHandover => {
            errors.form = Some("Er is geen overdracht voorgesteld (meer).".into())
        }
        CaseError::NotAContact(_) => errors.add(
            "corrigeren-contactdatum",
            "Alleen bij een contact kunt u de datum corrigeren.",
        ),
        CaseError::HaltNeedsConfession
        | CaseError::HaltNeedsConsent
        | CaseError::HaltNeedsParentalConsent => errors.add(
            "interventie-soort",
            "Halt vraagt een bekennende verklaring en de toestemming van de jongere (onder de 16 \
             ook van een ouder): leg die eerst vast.",
        ),
        other => {
            tracing::info!(refusal = %other, "the case refused a form");
            errors.form = Some("De casus weigerde dit. Controleer de invoer.".into());
        }
    }
    errors
}

/// A form of the case page: read, written through the API's own write, and
/// answered with the case page (a redirect to it when it was recorded).
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    Path((case, step)): Path<(String, String)>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    Form(posted): Form<Posted>,
) -> Result<Response, Refusal> {
    let step = Step::named(&step).ok_or(Refusal::NotFound)?;
    post(state, session, case, step, request_id, address, posted).await
}

async fn post(
    state: AppState,
    session: Session,
    case: String,
    step: Step,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    posted: Posted,
) -> Result<Response, Refusal> {
    if !session.holds(posted.get("_csrf")) {
        return Err(Refusal::Forged);
    }
    let case = case.parse::<CaseId>().map_err(|_| Refusal::NotFound)?;
    let (request_id, address) = origin(request_id, address);
    let reader = session.reader(&state, request_id, address.clone());
    let key = Uuid::parse_str(posted.get("sleutel"))
        .ok()
        .map(|k| k.to_string());
    let version = posted.get("versie").parse().ok();
    let writer = Writer::new(
        &state,
        session.caller.clone(),
        request_id,
        address,
        version,
        key,
    );
    let errors = match submit_step(step, case, &posted, writer).await {
        Ok(Ok(wrote)) => {
            let version = match wrote {
                Wrote::Done(_, written) => Some(written.version),
                // A double submission: the first one's answer.
                Wrote::Replayed(stored) => stored.answer.get("version").and_then(|v| v.as_u64()),
            };
            let to = match version {
                Some(version) => format!("/casussen/{case}?versie={version}"),
                None => format!("/casussen/{case}"),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Ok(Err(ApiError::Command(CommandError::Rejected(error)))) => refusal(step, &error),
        Ok(Err(ApiError::Command(CommandError::Conflict(_)))) => refusal(
            step,
            &CaseError::VersionMismatch {
                expected: version.unwrap_or_default(),
                actual: 0,
            },
        ),
        Ok(Err(ApiError::Unprocessable(detail))) => {
            tracing::info!(%detail, "a form was refused");
            let mut errors = Errors::default();
            errors.form = Some("De casus weigerde dit. Controleer de invoer.".into());
            errors
        }
        Ok(Err(error)) => return Err(error.into()),
        Err(errors) => errors,
    };
    let refused = Refused {
        printing: false,
        step: Some(step.name()),
        posted,
        errors,
    };
    case_page(
        &state,
        &session,
        &reader,
        case,
        CasePageQuery::default(),
        refused,
    )
    .await
}
