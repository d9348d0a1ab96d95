//! The analyst's page: the programme's anonymous figures per municipality,
//! focus area and month, as a chart and as tables, and a CSV of exactly
//! what the page shows. It reads the API's own `/stats` function, so a
//! count held back there is held back here: shown as "< threshold", never
//! as a number, in the chart, the tables and the CSV alike.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use casus_projections::queries::statistics::ProgrammeStatistics;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::routes::statistics::{figures, StatisticsParams};
use crate::web::audit::download;
use crate::web::cases::area_name;
use crate::web::chart::{Cell, Chart, Row as ChartRow};
use crate::web::page::{render, Chrome, Refusal};
use crate::web::query::Query;
use crate::web::session::Session;
use crate::web::team::month_name;
use crate::AppState;

#[derive(Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    gemeente: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
}

impl Asked {
    fn query(&self, municipality: &str) -> String {
        serde_urlencoded::to_string([
            ("gemeente", municipality),
            ("van", self.van.as_str()),
            ("tot", self.tot.as_str()),
        ])
        .unwrap_or_default()
    }
}

/// A line of a table: what it is about, and its cells.
struct Line {
    month: String,
    area: String,
    cells: Vec<Cell>,
}

/// What the page (and the CSV) shows.
struct Shown {
    municipality: String,
    /// Counts under this are held back.
    threshold: i64,
    suppressed: String,
    months: Vec<Line>,
    areas: Vec<Line>,
}

impl Shown {
    fn cell(&self, cell: &Cell) -> String {
        match cell {
            Cell::Count(n) => n.to_string(),
            Cell::Suppressed => self.suppressed.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "cijfers.html")]
struct FiguresPage {
    chrome: Option<Chrome>,
    municipalities: Vec<(String, String, bool)>,
    van: String,
    tot: String,
    threshold: i64,
    chart: Chart,
    shown: Shown,
    csv: String,
}

const MEASURES: [&str; 3] = ["Aangemeld", "Opgenomen", "Afgesloten"];

/// The figures asked for, for one municipality (the analyst's own, or the
/// one chosen; the programme's first when none is).
async fn read(state: &AppState, session: &Session, asked: &Asked) -> Result<Shown, Refusal> {
    let programme = state.store.programme();
    let municipality = match (asked.gemeente.trim(), &session.caller.municipality) {
        ("", Some(own)) => own.to_string(),
        ("", None) => programme
            .municipalities()
            .first()
            .map(|(code, _)| code.to_string())
            .unwrap_or_default(),
        (chosen, _) => chosen.to_owned(),
    };
    let month = |typed: &str| Some(typed.trim().to_owned()).filter(|t| !t.is_empty());
    let params = StatisticsParams {
        from: month(&asked.van),
        to: month(&asked.tot),
        municipality: Some(municipality.clone()),
    };
    let stats: ProgrammeStatistics = figures(state, &session.caller, params).await?;
    let named_month = |month: &str| {
        NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .map_or_else(|_| month.to_owned(), month_name)
    };
    let months = stats
        .municipalities
        .iter()
        .map(|m| Line {
            month: named_month(&m.month),
            area: String::new(),
            cells: vec![
                Cell::of(m.referred),
                Cell::of(m.included),
                Cell::of(m.closed),
            ],
        })
        .collect();
    let areas = stats
        .areas
        .iter()
        .map(|a| Line {
            month: named_month(&a.month),
            area: area_name(state, &a.focus_area),
            cells: vec![
                Cell::of(a.referred),
                Cell::of(a.included),
                Cell::of(a.closed),
            ],
        })
        .collect();
    Ok(Shown {
        municipality,
        threshold: stats.threshold,
        suppressed: format!("< {}", stats.threshold),
        months,
        areas,
    })
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(asked): Query<Asked>,
) -> Result<Response, Refusal> {
    let shown = read(&state, &session, &asked).await?;
    let programme = state.store.programme();
    let municipalities = programme
        .municipalities()
        .into_iter()
        .filter(|(code, _)| {
            session
                .caller
                .municipality
                .as_ref()
                .is_none_or(|own| own == *code)
        })
        .map(|(code, name)| {
            let code = code.to_string();
            let chosen = code == shown.municipality;
            (code, name.to_owned(), chosen)
        })
        .collect();
    let name = programme
        .municipality_name(&shown.municipality)
        .unwrap_or(&shown.municipality)
        .to_owned();
    let chart = Chart {
        id: "per-maand",
        title: format!("{name}: aangemeld, opgenomen en afgesloten per maand"),
        heading: "Maand",
        series: MEASURES.to_vec(),
        rows: shown
            .months
            .iter()
            .map(|line| ChartRow {
                label: line.month.clone(),
                cells: line.cells.clone(),
                link: None,
            })
            .collect(),
        suppressed: shown.suppressed.clone(),
    };
    let threshold = shown.threshold;
    let page = FiguresPage {
        chrome: Some(Chrome::of(&session)),
        municipalities,
        van: asked.van.clone(),
        tot: asked.tot.clone(),
        threshold,
        chart,
        csv: format!("/cijfers.csv?{}", asked.query(&shown.municipality)),
        shown,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The page's figures as CSV: the same rows, the same suppression.
pub async fn csv(
    State(state): State<AppState>,
    session: Session,
    Query(asked): Query<Asked>,
) -> Result<Response, Refusal> {
    let shown = read(&state, &session, &asked).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |record: Vec<String>| out.write_record(record).map_err(|_| Refusal::Internal);
    write(
        [
            "gemeente",
            "focusgebied",
            "maand",
            "aangemeld",
            "opgenomen",
            "afgesloten",
        ]
        .map(String::from)
        .to_vec(),
    )?;
    for line in shown.months.iter().chain(&shown.areas) {
        let mut record = vec![
            shown.municipality.clone(),
            line.area.clone(),
            line.month.clone(),
        ];
        record.extend(line.cells.iter().map(|c| shown.cell(c)));
        write(record)?;
    }
    let body = out.into_inner().map_err(|_| Refusal::Internal)?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("programmacijfers-{}.csv", shown.municipality),
        body,
    ))
}
