//! The supervisor's team dashboard: every worker of the team with their
//! load, the figures that need attention (each a link to the cases it
//! counts), charts of the open cases per stage, the inflow and outflow per
//! month and the load per worker, and handing every open case of a worker
//! to another after a confirmation that says how many cases move. One case
//! is assigned on its own page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::Form;
use casus_domain::{CaseId, TeamId, Text, Worker, WorkerId};
use casus_projections::queries::{self, CaseloadEntry, MonthFlow};
use casus_projections::wait::Versioned;
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::extract::{Body, ClientAddress, RequestId};
use crate::http::reader::wait_for_cases;
use crate::http::writer::Writer;
use crate::policy::{self, CaseloadAsked};
use crate::routes::bodies::BulkReassignmentBody;
use crate::routes::supervision::{read_caseload, reassign, BulkReassignment, Reassigned};
use crate::web::cases::{area_name, origin, words_since};
use crate::web::chart::{Cell, Chart, Row as ChartRow};
use crate::web::form::{code, Errors, Posted};
use crate::web::labels;
use crate::web::page::{maybe_day, render, Chrome, Refusal};
use crate::web::query::Query;
use crate::web::session::Session;
use crate::AppState;

/// "Without contact" counts open cases whose last contact lies more than
/// this many days back (or that had none), unless the page asks another.
const QUIET_DAYS: i64 = 28;
/// A consent "ends soon" within this many days.
const CONSENT_DAYS: u64 = 30;

/// Which of the team's open cases the page lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Selection {
    All,
    Overdue,
    Quiet,
    Unassigned,
    ConsentEnding,
    HighRisk,
}

impl Selection {
    const ALL: [Selection; 6] = [
        Selection::All,
        Selection::Overdue,
        Selection::Quiet,
        Selection::Unassigned,
        Selection::ConsentEnding,
        Selection::HighRisk,
    ];

    fn code(self) -> &'static str {
        match self {
            Selection::All => "open",
            Selection::Overdue => "evaluatie-te-laat",
            Selection::Quiet => "zonder-contact",
            Selection::Unassigned => "zonder-medewerker",
            Selection::ConsentEnding => "toestemming-loopt-af",
            Selection::HighRisk => "hoog-risico",
        }
    }

    fn label(self, quiet_days: i64) -> String {
        match self {
            Selection::All => "Open casussen".into(),
            Selection::Overdue => "Evaluatie te laat".into(),
            Selection::Quiet => format!("Langer dan {quiet_days} dagen geen contact"),
            Selection::Unassigned => "Zonder medewerker of regisseur".into(),
            Selection::ConsentEnding => format!("Toestemming loopt binnen {CONSENT_DAYS} dagen af"),
            Selection::HighRisk => "Hoog risico".into(),
        }
    }
}

/// What the dashboard needs to decide, besides the entries themselves.
struct Facts<'a> {
    quiet_days: i64,
    consent_ending: &'a [Uuid],
}

impl Facts<'_> {
    fn holds(&self, selection: Selection, entry: &CaseloadEntry) -> bool {
        match selection {
            Selection::All => true,
            Selection::Overdue => entry.review_overdue,
            Selection::Quiet => entry
                .days_since_contact
                .is_none_or(|days| i64::from(days) > self.quiet_days),
            Selection::Unassigned => entry.unassigned,
            Selection::ConsentEnding => self.consent_ending.contains(&entry.case_id),
            Selection::HighRisk => entry.risk_level.as_deref() == Some("high"),
        }
    }
}

#[derive(Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    toon: String,
    #[serde(default)]
    medewerker: String,
    #[serde(default)]
    dagen: String,
    /// After a bulk reassignment: how many cases moved and how many not.
    #[serde(default)]
    verplaatst: Option<usize>,
    #[serde(default)]
    niet: Option<usize>,
}

/// A figure of the dashboard, linking to the cases it counts.
struct Figure {
    label: String,
    count: usize,
    href: String,
}

/// A worker of the team, in words.
struct Member {
    id: String,
    name: String,
    open: i64,
    overdue: i64,
    high_risk: i64,
    quiet: usize,
}

/// An open case of the list.
struct Listed {
    id: Uuid,
    /// The start of its id, to tell cases of one area apart.
    short: String,
    area: String,
    stage: String,
    lead: String,
    last_contact: String,
    next_review: String,
    overdue: bool,
    risk: String,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    chrome: Option<Chrome>,
    team: String,
    today: String,
    quiet_days: i64,
    figures: Vec<Figure>,
    members: Vec<Member>,
    charts: Vec<Chart>,
    listed_title: String,
    listed: Vec<Listed>,
    /// Whom the team's cases may move to: known workers of the team.
    colleagues: Vec<(String, String)>,
    /// Whose cases may move: the team's workers with open cases.
    members_options: Vec<(String, String)>,
    /// After a bulk reassignment: how many cases moved, and how many not.
    moved: Option<usize>,
    not_moved: usize,
    posted: Posted,
    errors: Errors,
}

impl TeamPage {
    fn value(&self, field: &str) -> &str {
        self.posted.get(field)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.on(field)
    }

    fn chosen(&self, field: &str, code: &str) -> bool {
        self.posted.get(field) == code
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    session: Session,
    Query(asked): Query<Asked>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let page = team_page(&state, &session, &asked, origin(request_id, address)).await?;
    Ok(render(StatusCode::OK, &page))
}

async fn team_page(
    state: &AppState,
    session: &Session,
    asked: &Asked,
    (request_id, address): (RequestId, Option<String>),
) -> Result<TeamPage, Refusal> {
    let quiet_days = match asked.dagen.trim() {
        "" => QUIET_DAYS,
        typed => typed
            .parse()
            .ok()
            .filter(|days| (1..=365).contains(days))
            .ok_or_else(|| Refusal::Bad("het aantal dagen ligt tussen 1 en 365".into()))?,
    };
    let selection = match asked.toon.as_str() {
        "" => None,
        code => Some(
            *Selection::ALL
                .iter()
                .find(|s| s.code() == code)
                .ok_or_else(|| Refusal::Bad("onbekende selectie".into()))?,
        ),
    };
    let reader = session.reader(state, request_id, address);
    let (caseload, filter) = read_caseload(&reader, CaseloadAsked::default()).await?;
    let today = caseload.today;
    let pool = &state.pool;
    let until = today + chrono::Days::new(CONSENT_DAYS);
    let consent_ending = queries::consents_ending(pool, &filter, today, until).await?;
    let first = today.with_day(1).expect("day 1") - Months::new(11);
    let flow = queries::flow(pool, &filter, first, today).await?;
    let facts = Facts {
        quiet_days,
        consent_ending: &consent_ending,
    };
    let link =
        |selection: Selection| format!("/team?toon={}&dagen={quiet_days}#lijst", selection.code());
    let figures = Selection::ALL
        .iter()
        .map(|s| Figure {
            label: s.label(quiet_days),
            count: caseload.cases.iter().filter(|e| facts.holds(*s, e)).count(),
            href: link(*s),
        })
        .collect();
    let members: Vec<Member> = caseload
        .workers
        .iter()
        .map(|w| Member {
            id: w.worker_id.clone(),
            name: w.worker_name.clone(),
            open: w.open_cases,
            overdue: w.reviews_overdue,
            high_risk: w.high_risk,
            quiet: caseload
                .cases
                .iter()
                .filter(|e| e.workers.contains(&w.worker_id))
                .filter(|e| facts.holds(Selection::Quiet, e))
                .count(),
        })
        .collect();
    let worker = Some(asked.medewerker.trim()).filter(|w| !w.is_empty());
    let (listed_title, chosen): (String, Vec<&CaseloadEntry>) = match (worker, selection) {
        (Some(worker), _) => {
            let name = members
                .iter()
                .find(|m| m.id == worker)
                .map_or(worker, |m| m.name.as_str());
            (
                format!("Open casussen van {name}"),
                caseload
                    .cases
                    .iter()
                    .filter(|e| {
                        e.workers.iter().any(|w| w == worker)
                            || e.case_lead_id.as_deref() == Some(worker)
                    })
                    .collect(),
            )
        }
        (None, Some(selection)) => (
            selection.label(quiet_days),
            caseload
                .cases
                .iter()
                .filter(|e| facts.holds(selection, e))
                .collect(),
        ),
        (None, None) => (String::new(), Vec::new()),
    };
    let listed = chosen
        .into_iter()
        .map(|e| Listed {
            id: e.case_id,
            short: e.case_id.to_string()[..8].to_owned(),
            area: area_name(state, &e.focus_area),
            stage: labels::stage(&e.stage).to_owned(),
            lead: e.case_lead_name.clone().unwrap_or_else(|| "–".into()),
            last_contact: words_since(today, e.last_contact_on),
            next_review: maybe_day(&e.next_review_on),
            overdue: e.review_overdue,
            risk: e
                .risk_level
                .as_deref()
                .map_or_else(|| "–".into(), |r| labels::risk_level(r).to_owned()),
        })
        .collect();
    let charts = vec![
        stage_chart(&caseload.cases),
        flow_chart(&flow),
        load_chart(&members),
    ];
    let members_options = members
        .iter()
        .filter(|m| m.open > 0)
        .map(|m| (m.id.clone(), m.name.clone()))
        .collect();
    let colleagues = state
        .workers
        .colleagues(
            &filter.municipality,
            session.caller.organisation.as_str(),
            session.caller.domain.as_str(),
        )
        .await?
        .into_iter()
        .filter(|w| w.team.as_deref() == filter.team.as_deref())
        .map(|w| (w.id, w.name))
        .collect();
    Ok(TeamPage {
        chrome: Some(Chrome::of(session)),
        team: filter.team.clone().unwrap_or_default(),
        today: crate::web::page::day(&today),
        quiet_days,
        figures,
        members,
        charts,
        listed_title,
        listed,
        colleagues,
        members_options,
        moved: asked.verplaatst,
        not_moved: asked.niet.unwrap_or(0),
        posted: Posted::default(),
        errors: Errors::default(),
    })
}

fn stage_chart(cases: &[CaseloadEntry]) -> Chart {
    let mut stages: Vec<(&str, i64)> = Vec::new();
    for entry in cases {
        match stages.iter_mut().find(|(s, _)| *s == entry.stage) {
            Some((_, n)) => *n += 1,
            None => stages.push((&entry.stage, 1)),
        }
    }
    // In the order a case goes through them.
    stages.sort_by_key(|(stage, _)| {
        <casus_domain::Stage as strum::VariantArray>::VARIANTS
            .iter()
            .position(|s| s.as_str() == *stage)
    });
    Chart {
        id: "per-fase",
        title: "Open casussen per fase".into(),
        heading: "Fase",
        series: vec!["Open casussen"],
        rows: stages
            .into_iter()
            .map(|(stage, n)| ChartRow {
                label: labels::stage(stage).to_owned(),
                cells: vec![Cell::Count(n)],
                link: None,
            })
            .collect(),
        suppressed: String::new(),
    }
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A month as the Dutch name it: "november 2026".
pub(super) fn month_name(month: NaiveDate) -> String {
    format!("{} {}", MONTHS[month.month0() as usize], month.year())
}

fn flow_chart(flow: &[MonthFlow]) -> Chart {
    Chart {
        id: "in-en-uitstroom",
        title: "Instroom en uitstroom per maand".into(),
        heading: "Maand",
        series: vec!["Aangemeld", "Afgesloten"],
        rows: flow
            .iter()
            .map(|m| ChartRow {
                label: month_name(m.month),
                cells: vec![Cell::Count(m.referred), Cell::Count(m.closed)],
                link: None,
            })
            .collect(),
        suppressed: String::new(),
    }
}

fn load_chart(members: &[Member]) -> Chart {
    Chart {
        id: "per-medewerker",
        title: "Open casussen per medewerker".into(),
        heading: "Medewerker",
        series: vec!["Open casussen"],
        rows: members
            .iter()
            .map(|m| ChartRow {
                label: m.name.clone(),
                cells: vec![Cell::Count(m.open)],
                link: Some(format!("/team?medewerker={}#lijst", m.id)),
            })
            .collect(),
        suppressed: String::new(),
    }
}

/// A bulk reassignment as the form sent it.
struct Move {
    from: WorkerId,
    to: WorkerId,
    reason: Text,
}

fn read_move(posted: &Posted, errors: &mut Errors) -> Option<Move> {
    let from = errors.read(
        "overdragen-van",
        code(posted.get("overdragen-van"), "van wie", WorkerId::parse),
    );
    let to = errors.read(
        "overdragen-naar",
        code(posted.get("overdragen-naar"), "aan wie", WorkerId::parse),
    );
    let reason = errors.text(posted, "overdragen-reden", "de reden");
    let (from, to, reason) = (from?, to?, reason?);
    if from == to {
        errors.add(
            "overdragen-naar",
            "Kies een andere medewerker dan die van wie de casussen komen.",
        );
        return None;
    }
    Some(Move { from, to, reason })
}

#[derive(Template)]
#[template(path = "overdragen.html")]
struct ConfirmPage {
    chrome: Option<Chrome>,
    posted: Posted,
    from: String,
    to: String,
    count: usize,
    key: Uuid,
}

/// The first step of a bulk reassignment: says how many cases will move,
/// and asks to confirm.
pub async fn confirm(
    State(state): State<AppState>,
    session: Session,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    Form(posted): Form<Posted>,
) -> Result<Response, Refusal> {
    if !session.holds(posted.get("_csrf")) {
        return Err(Refusal::Forged);
    }
    let (municipality, team) = policy::bulk_reassignment(&session.caller)?;
    let mut errors = Errors::default();
    let Some(moving) = read_move(&posted, &mut errors) else {
        return refused(&state, &session, posted, errors, request_id, address).await;
    };
    let caller = &session.caller;
    let cases = queries::cases_of_worker(
        &state.pool,
        municipality.as_str(),
        team.as_str(),
        caller.domain.as_str(),
        caller.organisation.as_str(),
        moving.from.as_str(),
    )
    .await?;
    let colleagues = state
        .workers
        .colleagues(
            municipality.as_str(),
            caller.organisation.as_str(),
            caller.domain.as_str(),
        )
        .await?;
    let name = |id: &WorkerId| {
        colleagues
            .iter()
            .find(|w| w.id == id.as_str())
            .map_or_else(|| id.to_string(), |w| w.name.clone())
    };
    let page = ConfirmPage {
        chrome: Some(Chrome::of(&session)),
        from: name(&moving.from),
        to: name(&moving.to),
        count: cases.len(),
        posted,
        key: Uuid::new_v4(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The team page again, with the reassignment form's errors.
async fn refused(
    state: &AppState,
    session: &Session,
    posted: Posted,
    errors: Errors,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let asked = Asked::default();
    let mut page = team_page(state, session, &asked, origin(request_id, address)).await?;
    page.posted = posted;
    page.errors = errors;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The second step: every open case of the worker moves, one event per
/// case tied by one correlation id, through the API's own bulk route.
pub async fn reassign_all(
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
    let Some(moving) = read_move(&posted, &mut errors) else {
        return refused(&state, &session, posted, errors, request_id, address).await;
    };
    let team = session.caller.team.clone().ok_or(Refusal::Forbidden)?;
    let (request_id, address) = origin(request_id, address);
    let key = Uuid::parse_str(posted.get("sleutel"))
        .ok()
        .map(|k| k.to_string());
    let writer = Writer::new(
        &state,
        session.caller.clone(),
        request_id,
        address,
        None,
        key,
    );
    let body = Body {
        digest: posted.digest("overdragen"),
        value: BulkReassignmentBody {
            to: known_as_typed(moving.to, team),
            reason: moving.reason,
        },
    };
    let answer = match reassign(&writer, moving.from.to_string(), body).await? {
        Reassigned::Now(answer) => answer,
        Reassigned::Before(stored) => serde_json::from_value::<BulkReassignment>(stored.answer)
            .map_err(|_| Refusal::Internal)?,
    };
    // The dashboard shows the move: wait (a while) until the caseload does.
    let cases: Vec<_> = (answer.moved.iter())
        .map(|moved| (CaseId::from_uuid(moved.case_id), moved.version))
        .collect();
    wait_for_cases(&state, Versioned::Caseload, &cases).await?;
    let to = format!(
        "/team?verplaatst={}&niet={}",
        answer.moved.len(),
        answer.not_moved.len()
    );
    Ok(Redirect::to(&to).into_response())
}

/// The worker to take over; their name and team as Casus knows them replace
/// these when the cases move.
fn known_as_typed(id: WorkerId, team: TeamId) -> Worker {
    Worker {
        name: Text::parse(id.as_str().to_owned()).expect("a worker id is text"),
        team,
        id,
    }
}
