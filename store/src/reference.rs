//! Loads the programme's reference data for the case's rules.

use casus_domain::{FocusArea, FocusAreaCode, MunicipalityCode, Programme};
use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("cannot read the focus areas: {0}")]
    Database(#[from] sqlx::Error),
    #[error("focus area {code:?} in the database is malformed: {problem}")]
    Malformed { code: String, problem: String },
}

pub async fn load_programme(pool: &PgPool) -> Result<Programme, ReferenceError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("select code, name, municipality from focus_areas order by code")
            .fetch_all(pool)
            .await?;
    let mut areas = Vec::with_capacity(rows.len());
    for (code, name, municipality) in rows {
        let malformed = |problem: casus_domain::ValueError| ReferenceError::Malformed {
            code: code.clone(),
            problem: problem.to_string(),
        };
        areas.push(FocusArea {
            code: FocusAreaCode::parse(code.clone()).map_err(malformed)?,
            municipality: MunicipalityCode::parse(municipality).map_err(malformed)?,
            name,
        });
    }
    let names: Vec<(String, String)> =
        sqlx::query_as("select code, name from municipalities order by code")
            .fetch_all(pool)
            .await?;
    let names = names
        .into_iter()
        .filter_map(|(code, name)| Some((MunicipalityCode::parse(code).ok()?, name)));
    Ok(Programme::new(areas).named(names))
}
