//! The auditor's pages (and the privacy officer's, who audits too): the
//! reason for the audit session, stated once and written with every read;
//! a case's history replayed event by event beside the case as it was; the
//! access log searched, paged and downloaded as CSV; and the integrity of
//! the log, with the case's export and a check of a signed receipt. Every
//! read goes through the API's own route functions, so it is authorised
//! and logged exactly as over the API.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum_extra::extract::Form;
use casus_domain::{CaseId, Role};
use casus_store::audit::access::{AccessAction, Entry, Sensitivity};
use casus_store::audit::chain::Verification;
use casus_store::audit::history::HistoryEntry;
use casus_store::audit::receipt::{self, Receipt, ReceiptError};
use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use uuid::Uuid;

use crate::http::extract::{ClientAddress, Path as ApiPath, Query as ApiQuery, RequestId};
use crate::http::reader::{Reader, Seen};
use crate::policy;
use crate::routes::audit::{self as routes, AccessLogParams, StateParams};
use crate::web::cases::origin;
use crate::web::form::{Errors, Posted};
use crate::web::page::{render, Chrome, Refusal};
use crate::web::query::Query;
use crate::web::session::{self, Session};
use crate::AppState;

/// Whether the caller audits: auditors and privacy officers.
fn audits(session: &Session) -> bool {
    let caller = &session.caller;
    caller.has(Role::Auditor) || caller.has(Role::PrivacyOfficer)
}

/// The reader for an audit page, or the form that asks the reason first.
pub(super) fn auditing(
    state: &AppState,
    session: &Session,
    back: &str,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Result<Reader, Response>, Refusal> {
    if !audits(session) {
        return Err(Refusal::Forbidden);
    }
    if session.reason.is_none() {
        return Ok(Err(reason_page(session, back, Errors::default(), "")));
    }
    let (request_id, address) = origin(request_id, address);
    Ok(Ok(session.reader(state, request_id, address)))
}

#[derive(Template)]
#[template(path = "reden.html")]
struct ReasonPage {
    chrome: Option<Chrome>,
    back: String,
    posted: Posted,
    errors: Errors,
    current: Option<String>,
}

impl ReasonPage {
    fn value(&self, field: &str) -> &str {
        self.posted.get(field)
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors.on(field)
    }
}

fn reason_page(session: &Session, back: &str, errors: Errors, typed: &str) -> Response {
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let posted = Posted::of(&[("reden", typed)]);
    render(
        status,
        &ReasonPage {
            chrome: Some(Chrome::of(session)),
            back: back.to_owned(),
            posted,
            errors,
            current: session.reason.clone(),
        },
    )
}

/// Only a path of Casus itself is a place to go back to.
fn local(path: &str) -> &str {
    // Visible ASCII only: nothing a header or another host could be made of.
    let plain = path.bytes().all(|b| b.is_ascii_graphic());
    if plain && path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') {
        path
    } else {
        "/controle"
    }
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    terug: String,
}

/// The audit's start: the reason (to state or change), and a case to open.
pub async fn start(session: Session, Query(back): Query<Back>) -> Result<Response, Refusal> {
    if !audits(&session) {
        return Err(Refusal::Forbidden);
    }
    let back = match back.terug.as_str() {
        "" => "/controle",
        path => local(path),
    };
    Ok(reason_page(&session, back, Errors::default(), ""))
}

/// Keeps the reason for the session and goes back where the auditor was.
pub async fn state_reason(
    State(state): State<AppState>,
    session: Session,
    Form(posted): Form<Posted>,
) -> Result<Response, Refusal> {
    if !session.holds(posted.get("_csrf")) {
        return Err(Refusal::Forged);
    }
    if !audits(&session) {
        return Err(Refusal::Forbidden);
    }
    let back = local(posted.get("terug"));
    let reason = posted.get("reden").trim();
    if reason.chars().count() < 3 {
        let mut errors = Errors::default();
        errors.add(
            "reden",
            "Geef de reden van dit onderzoek, bijvoorbeeld het nummer van het verzoek of de klacht.",
        );
        return Ok(reason_page(&session, back, errors, reason));
    }
    session::state_reason(&state, &session, reason).await?;
    Ok(Redirect::to(back).into_response())
}

/// A case opened by its id, from the start page.
#[derive(Deserialize)]
pub struct Opened {
    #[serde(default)]
    casus: String,
}

pub async fn open_case(Query(opened): Query<Opened>) -> Result<Response, Refusal> {
    let case: Uuid = opened
        .casus
        .trim()
        .parse()
        .map_err(|_| Refusal::Bad("dit is geen casusnummer".into()))?;
    Ok(Redirect::to(&format!("/controle/casussen/{case}")).into_response())
}

/// One event of the history, in words.
struct Step {
    sequence: i64,
    position: i64,
    what: String,
    when: String,
    who: String,
    role: String,
    organisation: String,
    request: String,
    correlation: String,
    content: String,
}

/// A line of the case's state, marked when it differs from the version before.
struct Line {
    path: String,
    value: String,
    changed: bool,
}

#[derive(Template)]
#[template(path = "geschiedenis.html")]
struct HistoryPage {
    chrome: Option<Chrome>,
    case: Uuid,
    reason: String,
    versions: i64,
    version: i64,
    step: Option<Step>,
    state: Vec<Line>,
    removed: Vec<Line>,
    steps: Vec<Step>,
    verification: String,
    intact: bool,
}

#[derive(Deserialize)]
pub struct At {
    #[serde(default)]
    versie: String,
    #[serde(default)]
    datum: String,
}

pub async fn history(
    State(state): State<AppState>,
    session: Session,
    Path(case): Path<String>,
    Query(at): Query<At>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let case: CaseId = case.parse().map_err(|_| Refusal::NotFound)?;
    let back = format!("/controle/casussen/{case}");
    let reader = match auditing(&state, &session, &back, request_id, address)? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let events = routes::history_of(&reader, case).await?.events;
    let versions = events.len() as i64;
    if !at.datum.is_empty() {
        let day = NaiveDate::parse_from_str(&at.datum, "%Y-%m-%d")
            .map_err(|_| Refusal::Bad("dit is geen datum".into()))?;
        let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("a time"));
        let asked = StateParams {
            at: Some(end.and_utc()),
            version: None,
        };
        let then = routes::state_of(&reader, case, asked).await?;
        return Ok(Redirect::to(&format!("{back}?versie={}", then.version)).into_response());
    }
    let version = match at.versie.as_str() {
        "" => versions,
        typed => typed
            .parse::<i64>()
            .ok()
            .filter(|v| (0..=versions).contains(v))
            .ok_or_else(|| {
                Refusal::Bad(format!("de casus heeft de versies 0 tot en met {versions}"))
            })?,
    };
    let now = state_lines(&reader, case, version).await?;
    let before = if version > 0 {
        state_lines(&reader, case, version - 1).await?
    } else {
        Vec::new()
    };
    let state_now: Vec<Line> = now
        .iter()
        .map(|(path, value)| Line {
            path: path.clone(),
            value: value.clone(),
            changed: version > 0 && !before.contains(&(path.clone(), value.clone())),
        })
        .collect();
    let removed = before
        .iter()
        .filter(|(path, _)| !now.iter().any(|(p, _)| p == path))
        .map(|(path, value)| Line {
            path: path.clone(),
            value: value.clone(),
            changed: true,
        })
        .collect();
    let verification = casus_store::audit::chain::verify(
        &state.pool,
        &state.store.verifying_key(),
        Some(&case.to_string()),
        |_| {},
    )
    .await?;
    let steps: Vec<Step> = events.iter().map(step).collect();
    let current = steps
        .iter()
        .position(|s| s.sequence == version)
        .map(|i| step(&events[i]));
    let page = HistoryPage {
        chrome: Some(Chrome::of(&session)),
        case: case.as_uuid(),
        reason: session.reason.clone().unwrap_or_default(),
        versions,
        version,
        step: current,
        state: state_now,
        removed,
        steps,
        intact: verification.ok,
        verification: verdict(&verification),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The case's state at `version` as lines `path: value`.
async fn state_lines(
    reader: &Reader,
    case: CaseId,
    version: i64,
) -> Result<Vec<(String, String)>, Refusal> {
    let asked = StateParams {
        at: None,
        version: Some(version as u64),
    };
    let then = routes::state_of(reader, case, asked).await?;
    let json = serde_json::to_value(&then.state).map_err(|_| Refusal::Internal)?;
    let mut lines = Vec::new();
    flatten("", &json, &mut lines);
    Ok(lines)
}

/// Every leaf of `value` with its path, e.g. `plan.goals[0].description`.
fn flatten(path: &str, value: &serde_json::Value, into: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                flatten(&path, field, into);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), item, into);
            }
        }
        Value::Null => {}
        Value::String(text) => into.push((path.to_owned(), text.clone())),
        other => into.push((path.to_owned(), other.to_string())),
    }
}

fn step(event: &HistoryEntry) -> Step {
    let meta = |key: &str| {
        event.metadata[key]
            .as_str()
            .map_or_else(|| "–".to_owned(), str::to_owned)
    };
    Step {
        sequence: event.sequence,
        position: event.global_position,
        what: crate::web::labels::event(&event.event_type).to_owned(),
        when: event
            .recorded_at
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .format("%d-%m-%Y %H:%M:%S")
            .to_string(),
        who: format!("{} ({})", meta("actor_name"), meta("actor_id")),
        role: event.metadata["role"]
            .as_str()
            .and_then(|r| r.parse::<Role>().ok())
            .map_or_else(|| meta("role"), |r| crate::web::labels::role(r).to_owned()),
        organisation: meta("organisation"),
        request: meta("request_id"),
        correlation: meta("correlation_id"),
        content: serde_json::to_string_pretty(&event.content).unwrap_or_default(),
    }
}

fn verdict(report: &Verification) -> String {
    if report.ok {
        let events = if report.events == 1 {
            "gebeurtenis"
        } else {
            "gebeurtenissen"
        };
        let streams = if report.streams == 1 {
            "reeks"
        } else {
            "reeksen"
        };
        format!(
            "In orde: {} {events} in {} {streams}; iedere schakel en handtekening klopt.",
            report.events, report.streams
        )
    } else {
        let links: Vec<String> = report
            .broken
            .iter()
            .map(|b| {
                format!(
                    "casus {} bij gebeurtenis {} ({})",
                    b.case_id,
                    b.sequence,
                    crate::web::labels::breach(b.breach)
                )
            })
            .collect();
        format!(
            "NIET in orde: {}{}",
            links.join("; "),
            if report.broken_snapshots.is_empty() {
                String::new()
            } else {
                format!(
                    "; snapshots niet ondertekend: {}",
                    report.broken_snapshots.join(", ")
                )
            }
        )
    }
}

/// The case's export (events, hashes, verification, access log) to keep
/// with the inquiry.
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(case): Path<String>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let case: CaseId = case.parse().map_err(|_| Refusal::NotFound)?;
    let back = format!("/controle/casussen/{case}");
    let reader = match auditing(&state, &session, &back, request_id, address)? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let export = routes::export(reader, ApiPath(case)).await?.0;
    let json = serde_json::to_vec_pretty(&export).map_err(|_| Refusal::Internal)?;
    Ok(download(
        "application/json",
        &format!("casus-{case}-export.json"),
        json,
    ))
}

/// A CSV cell a spreadsheet shows as text: what someone typed (a reason, a
/// name) that starts like a formula gets a leading apostrophe.
fn inert(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A file to save, never shown inline or kept in a cache.
pub(super) fn download(kind: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The access log's filters, as the form sends them.
#[derive(Default, Deserialize)]
pub struct LogFilters {
    #[serde(default)]
    casus: String,
    #[serde(default)]
    gebruiker: String,
    #[serde(default)]
    handeling: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    verder: String,
}

const ACTIONS: [(AccessAction, &str); 5] = [
    (AccessAction::Read, "Ingezien"),
    (AccessAction::Search, "Gezocht of lijst"),
    (AccessAction::Export, "Geëxporteerd"),
    (AccessAction::Print, "Afgedrukt"),
    (AccessAction::Denied, "Geweigerd"),
];

fn action_label(code: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(a, _)| <&str>::from(*a) == code)
        .map_or("?", |(_, label)| label)
}

impl LogFilters {
    /// The API's parameters for these filters, or what does not hold.
    fn params(&self, limit: i64) -> Result<AccessLogParams, Refusal> {
        let bad = |what: &str| Refusal::Bad(what.to_owned());
        let day =
            |typed: &str, what: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, Refusal> {
                match typed.trim() {
                    "" => Ok(None),
                    typed => NaiveDate::parse_from_str(typed, "%Y-%m-%d")
                        .map(|d| Some(d.and_time(NaiveTime::MIN).and_utc()))
                        .map_err(|_| bad(what)),
                }
            };
        Ok(AccessLogParams {
            case_id: match self.casus.trim() {
                "" => None,
                typed => Some(typed.parse().map_err(|_| bad("dit is geen casusnummer"))?),
            },
            user_id: Some(self.gebruiker.trim().to_owned()).filter(|u| !u.is_empty()),
            action: match self.handeling.as_str() {
                "" => None,
                code => Some(
                    ACTIONS
                        .iter()
                        .map(|(a, _)| *a)
                        .find(|a| <&str>::from(*a) == code)
                        .ok_or_else(|| bad("onbekende handeling"))?,
                ),
            },
            from: day(&self.van, "de begindatum is geen datum")?,
            // Through the last day named.
            until: day(&self.tot, "de einddatum is geen datum")?
                .map(|d| d.checked_add_signed(chrono::Duration::days(1)))
                .map(|d| d.ok_or_else(|| bad("de einddatum ligt te ver weg")))
                .transpose()?,
            cursor: match self.verder.trim() {
                "" => None,
                typed => Some(typed.parse().map_err(|_| bad("onbekende pagina"))?),
            },
            limit: Some(limit),
        })
    }

    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("casus", self.casus.as_str()),
            ("gebruiker", self.gebruiker.as_str()),
            ("handeling", self.handeling.as_str()),
            ("van", self.van.as_str()),
            ("tot", self.tot.as_str()),
        ])
        .unwrap_or_default()
    }
}

struct LogRow {
    at: String,
    action: &'static str,
    outcome: String,
    who: String,
    role: String,
    organisation: String,
    case: String,
    view: String,
    purpose: String,
}

fn log_row(entry: &Entry) -> LogRow {
    LogRow {
        at: entry
            .at
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .format("%d-%m-%Y %H:%M:%S")
            .to_string(),
        action: action_label(&entry.action),
        outcome: if entry.outcome == "allowed" {
            "toegestaan".into()
        } else {
            "geweigerd".into()
        },
        who: format!("{} ({})", entry.user_name, entry.user_id),
        role: entry.role.clone().unwrap_or_default(),
        organisation: entry.organisation.clone(),
        case: entry.case_id.map(|c| c.to_string()).unwrap_or_default(),
        view: entry.view.clone(),
        purpose: entry.purpose.clone(),
    }
}

#[derive(Template)]
#[template(path = "toegangslog.html")]
struct LogPage {
    chrome: Option<Chrome>,
    reason: String,
    filters: LogFilters,
    actions: Vec<(&'static str, &'static str)>,
    rows: Vec<LogRow>,
    next: Option<String>,
    csv: String,
}

const PAGE: i64 = 50;
/// The most rows one CSV download holds; a longer period is downloaded in parts.
const CSV_ROWS: usize = 10_000;

pub async fn access_log(
    State(state): State<AppState>,
    session: Session,
    Query(filters): Query<LogFilters>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let back = format!("/controle/toegang?{}", filters.query());
    let reader = match auditing(&state, &session, &back, request_id, address)? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    let page = routes::access_log(reader, ApiQuery(filters.params(PAGE)?))
        .await?
        .0;
    let next = page
        .next_cursor
        .map(|cursor| format!("/controle/toegang?{}&verder={cursor}", filters.query()));
    let page = LogPage {
        chrome: Some(Chrome::of(&session)),
        reason: session.reason.clone().unwrap_or_default(),
        csv: format!("/controle/toegang.csv?{}", filters.query()),
        actions: ACTIONS
            .iter()
            .map(|(a, label)| (<&'static str>::from(*a), *label))
            .collect(),
        rows: page.entries.iter().map(log_row).collect(),
        next,
        filters,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The access log as filtered, as CSV (up to `CSV_ROWS` rows).
pub async fn access_log_csv(
    State(state): State<AppState>,
    session: Session,
    Query(filters): Query<LogFilters>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let back = format!("/controle/toegang?{}", filters.query());
    let (request_id, address) = origin(request_id, address);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "tijdstip",
        "handeling",
        "uitkomst",
        "gebruiker",
        "naam",
        "rol",
        "organisatie",
        "casus",
        "gemeente",
        "weergave",
        "doel",
        "grondslag",
        "verzoek",
    ];
    writer.write_record(header).map_err(|_| Refusal::Internal)?;
    let mut cursor: Option<i64> = None;
    let mut written = 0;
    loop {
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
        let mut params = filters.params(1000)?;
        params.cursor = cursor;
        let page = routes::access_log(reader, ApiQuery(params)).await?.0;
        for e in &page.entries {
            writer
                .write_record(
                    [
                        e.at.to_rfc3339(),
                        e.action.clone(),
                        e.outcome.clone(),
                        e.user_id.clone(),
                        e.user_name.clone(),
                        e.role.clone().unwrap_or_default(),
                        e.organisation.clone(),
                        e.case_id.map(|c| c.to_string()).unwrap_or_default(),
                        e.municipality.clone().unwrap_or_default(),
                        e.view.clone(),
                        e.purpose.clone(),
                        e.basis.clone(),
                        e.request_id.to_string(),
                    ]
                    .map(inert),
                )
                .map_err(|_| Refusal::Internal)?;
        }
        written += page.entries.len();
        cursor = page.next_cursor;
        if cursor.is_none() || written >= CSV_ROWS {
            break;
        }
    }
    let body = writer.into_inner().map_err(|_| Refusal::Internal)?;
    Ok(download("text/csv; charset=utf-8", "toegangslog.csv", body))
}

#[derive(Template)]
#[template(path = "integriteit.html")]
struct IntegrityPage {
    chrome: Option<Chrome>,
    reason: String,
    verdict: Option<(bool, String)>,
    receipt: Option<(bool, String)>,
}

#[derive(Deserialize)]
pub struct Check {
    #[serde(default)]
    controleren: String,
}

pub async fn integrity(
    State(state): State<AppState>,
    session: Session,
    Query(check): Query<Check>,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
) -> Result<Response, Refusal> {
    let reader = match auditing(
        &state,
        &session,
        "/controle/integriteit",
        request_id,
        address,
    )? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    // Recomputing every chain takes a while: only when asked.
    let verdict = if check.controleren.is_empty() {
        None
    } else {
        let report = routes::verification(&reader).await?;
        Some((report.ok, verdict(&report)))
    };
    let page = IntegrityPage {
        chrome: Some(Chrome::of(&session)),
        reason: session.reason.clone().unwrap_or_default(),
        verdict,
        receipt: None,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A receipt of an earlier `casus verify --receipt`, uploaded, checked
/// against the log as it stands.
pub async fn check_receipt(
    State(state): State<AppState>,
    session: Session,
    request_id: Option<Extension<RequestId>>,
    address: Option<Extension<ClientAddress>>,
    mut multipart: Multipart,
) -> Result<Response, Refusal> {
    let mut csrf = String::new();
    let mut file = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| Refusal::Bad("het formulier kwam niet heel aan".into()))?
    {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("bewijs") => {
                file = field
                    .bytes()
                    .await
                    .map_err(|_| Refusal::Bad("het bestand kwam niet heel aan".into()))?
                    .to_vec()
            }
            _ => {}
        }
    }
    if !session.holds(&csrf) {
        return Err(Refusal::Forged);
    }
    let reader = match auditing(
        &state,
        &session,
        "/controle/integriteit",
        request_id,
        address,
    )? {
        Ok(reader) => reader,
        Err(ask) => return Ok(ask),
    };
    // The check is an audit read like the verification: logged, with its reason.
    let role = policy::auditing(&reader.caller);
    let basis = reader.ground(role, "audit")?;
    let seen = Seen {
        action: AccessAction::Read,
        view: "receipt_check",
        sensitivity: Sensitivity::None,
    };
    reader.shown(seen, role, basis, &[]).await?;
    let outcome = match serde_json::from_slice::<Receipt>(&file) {
        Err(_) => (
            false,
            "Dit bestand is geen ontvangstbewijs van Casus (casus verify --receipt).".to_owned(),
        ),
        Ok(receipt) => {
            let made = receipt
                .statement
                .made_at
                .with_timezone(&chrono_tz::Europe::Amsterdam)
                .format("%d-%m-%Y %H:%M");
            match receipt::check(&state.pool, &state.store.verifying_key(), &receipt).await {
                Ok(None) => (
                    true,
                    format!(
                        "Het log bevat alles wat het ontvangstbewijs van {made} dekt, ongewijzigd \
                         ({} gebeurtenissen tot positie {}).",
                        receipt.statement.events, receipt.statement.global_position
                    ),
                ),
                Ok(Some(head)) => (
                    false,
                    format!(
                        "Het log WIJKT AF van het ontvangstbewijs van {made}: verwacht {}, gevonden {head}.",
                        receipt.statement.head
                    ),
                ),
                Err(ReceiptError::Database(error)) => return Err(error.into()),
                Err(error) => (false, format!("Dit ontvangstbewijs geldt niet: {}.", receipt_refusal(&error))),
            }
        }
    };
    let page = IntegrityPage {
        chrome: Some(Chrome::of(&session)),
        reason: session.reason.clone().unwrap_or_default(),
        verdict: None,
        receipt: Some(outcome),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Why a receipt does not count, in Dutch.
fn receipt_refusal(error: &ReceiptError) -> &'static str {
    match error {
        ReceiptError::ForeignKey => "het is niet ondertekend met de controlesleutel van deze Casus",
        ReceiptError::BadSignature => "de handtekening klopt niet: het bewijs is gewijzigd",
        _ => "het is onleesbaar of van een andere vorm",
    }
}

#[cfg(test)]
mod tests {
    use casus_store::audit::chain::{Breach, BrokenLink};

    use super::*;

    #[test]
    fn the_verdict_speaks_dutch_in_the_singular_and_the_plural() {
        let one = Verification {
            ok: true,
            streams: 1,
            events: 1,
            ..Verification::default()
        };
        assert_eq!(
            verdict(&one),
            "In orde: 1 gebeurtenis in 1 reeks; iedere schakel en handtekening klopt."
        );
        let many = Verification {
            streams: 2,
            events: 7,
            ..one
        };
        assert!(verdict(&many).starts_with("In orde: 7 gebeurtenissen in 2 reeksen;"));
        let broken = Verification {
            ok: false,
            broken: vec![BrokenLink {
                case_id: "c-1".into(),
                sequence: 3,
                breach: Breach::Changed,
                expected: String::new(),
                found: String::new(),
            }],
            ..Verification::default()
        };
        assert_eq!(
            verdict(&broken),
            "NIET in orde: casus c-1 bij gebeurtenis 3 (gewijzigd)"
        );
    }
}
