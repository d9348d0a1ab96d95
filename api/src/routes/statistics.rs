//! Anonymous programme figures for analysts.

use axum::extract::State;
use axum::Json;
use casus_projections::queries::statistics::{statistics, ProgrammeStatistics, StatisticsFilter};
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Principal;
use crate::http::answers::ReadProblems;
use crate::http::error::ApiError;
use crate::http::extract::Query;
use crate::policy;
use crate::AppState;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<crate::AppState> {
    OpenApiRouter::new().routes(routes!(stats))
}

/// The longest period one request covers.
const MAX_MONTHS: u32 = 120;

#[derive(Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct StatisticsParams {
    /// The first month, `YYYY-MM` (default: eleven months before `to`).
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// The last month, `YYYY-MM` (default: this month).
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub to: Option<String>,
    /// One municipality (CBS code, e.g. `GM0599`). An analyst of a
    /// municipality reads only their own.
    #[param(pattern = "^GM[0-9]{4}$")]
    pub municipality: Option<String>,
}

/// Programme figures per municipality, focus area and month
///
/// Cases referred, included and closed, with the median days from referral
/// to closure; per municipality also signals and interventions by kind and
/// closures by result. Counts under the threshold are `null`, and so is any
/// count a total would give away with them. Never a person, never a case id.
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    tag = "privacy",
    params(StatisticsParams),
    responses((status = 200, description = "The figures", body = ProgrammeStatistics), ReadProblems)
)]
pub async fn stats(
    State(state): State<AppState>,
    caller: Principal,
    Query(params): Query<StatisticsParams>,
) -> Result<Json<ProgrammeStatistics>, ApiError> {
    Ok(Json(figures(&state, &caller, params).await?))
}

/// The figures `params` ask for, as `caller` may read them.
pub async fn figures(
    state: &AppState,
    caller: &Principal,
    params: StatisticsParams,
) -> Result<ProgrammeStatistics, ApiError> {
    let municipality = policy::statistics(caller, params.municipality)?;
    let this_month = casus_store::clock::today().with_day(1).expect("day 1");
    let to = params
        .to
        .as_deref()
        .map(month)
        .transpose()?
        .unwrap_or(this_month);
    let from = match params.from.as_deref() {
        Some(from) => month(from)?,
        None => to - Months::new(11),
    };
    if from > to || from + Months::new(MAX_MONTHS) <= to {
        return Err(ApiError::BadRequest(format!(
            "from must not lie after to, and the period may span at most {MAX_MONTHS} months"
        )));
    }
    let filter = StatisticsFilter {
        municipality,
        from,
        to,
        threshold: state.settings.stats_threshold,
    };
    Ok(statistics(&state.pool, &filter).await?)
}

/// The first day of a `YYYY-MM` month.
fn month(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 7)
        .ok_or_else(|| ApiError::BadRequest(format!("{text:?} is not a month (YYYY-MM)")))
}
