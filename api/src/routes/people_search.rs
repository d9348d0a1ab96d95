//! Finding a young person without naming them in the clear: a search of the
//! cases in the caller's scope, and the known-person check before a
//! referral. Both look the young person up in the blind index (see
//! `casus_store::privacy::index`), and both are POSTs: a name, a date of
//! birth or a BSN never travels in a URL.

use axum::Json;
use casus_domain::{Bsn, Text};
use casus_projections::queries::{self, KnownCase};
use casus_store::audit::access::{AccessAction, Sensitivity};
use casus_store::privacy::index::{self, Probe};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::http::answers::LookupProblems;
use crate::http::error::ApiError;
use crate::http::extract::Body;
use crate::http::reader::{Reader, Seen};
use crate::policy;
use crate::routes::cases::{list_matching, CasePage, ListParams};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(known_person))
}

/// Whom to look for: a name and a date of birth, or a BSN.
#[derive(Deserialize, ToSchema)]
#[serde(
    untagged,
    expecting = "a young person by `name` and `date_of_birth` together, or by `bsn` alone"
)]
#[schema(example = json!({"name": "Jayden Bakker", "date_of_birth": "2011-03-14"}))]
pub enum PersonBody {
    ByName(ByName),
    ByBsn(ByBsn),
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ByName {
    pub name: Text,
    pub date_of_birth: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ByBsn {
    pub bsn: Bsn,
}

impl PersonBody {
    pub fn probe(self) -> Probe {
        match self {
            PersonBody::ByName(ByName {
                name,
                date_of_birth,
            }) => Probe::NameAndBirth {
                name: name.as_str().to_owned(),
                born: date_of_birth,
            },
            PersonBody::ByBsn(ByBsn { bsn }) => Probe::Bsn(bsn.as_str().to_owned()),
        }
    }
}

/// Find the cases of a young person in your scope
///
/// The cases you may list whose young person has this name and date of birth, or this BSN.
/// Names compare without case, accents or punctuation. Logged as a search naming the cases found.
#[utoipa::path(
    post,
    path = "/api/v1/cases/search",
    tag = "views",
    request_body = PersonBody,
    responses((status = 200, description = "The cases found, at most 200", body = CasePage), LookupProblems)
)]
pub async fn search(reader: Reader, body: Body<PersonBody>) -> Result<Json<CasePage>, ApiError> {
    let probe = body.value.probe();
    Ok(Json(search_cases(&reader, &probe).await?))
}

/// The cases in the reader's scope of the young person `probe` finds.
pub async fn search_cases(reader: &Reader, probe: &Probe) -> Result<CasePage, ApiError> {
    let state = reader.state();
    let subjects = index::find(&state.pool, &state.keyring, probe).await?;
    let params = ListParams {
        limit: Some(200),
        ..ListParams::default()
    };
    list_matching(reader, params, Some(subjects), "case_search").await
}

/// What the known-person check found.
#[derive(Default, Serialize, ToSchema)]
pub struct KnownPerson {
    /// The young person as Casus knows them in your municipality, if one
    /// open case names them: give it as the referral's `subject_id`.
    pub subject_id: Option<Uuid>,
    /// Their open cases in your municipality: whom to contact, not what they hold.
    pub open_cases: Vec<KnownCase>,
}

/// Check whether a young person you are about to refer has an open case
///
/// For who may refer (case workers and leads): the open cases in your municipality of the young
/// person with this name and date of birth, or this BSN, with their team and case lead, never
/// their content. Logged as a search naming the cases found.
#[utoipa::path(
    post,
    path = "/api/v1/cases/known-person",
    tag = "cases",
    request_body = PersonBody,
    responses((status = 200, description = "What the check found", body = KnownPerson), LookupProblems)
)]
pub async fn known_person(
    reader: Reader,
    body: Body<PersonBody>,
) -> Result<Json<KnownPerson>, ApiError> {
    let probe = body.value.probe();
    Ok(Json(check_known(&reader, &[probe], false).await?))
}

/// The known-person check of `probes` (a young person by name and date of
/// birth, and by BSN when known) for the reader's municipality; logged, with
/// whether the worker refers anyway after seeing what it found.
pub async fn check_known(
    reader: &Reader,
    probes: &[Probe],
    referring_anyway: bool,
) -> Result<KnownPerson, ApiError> {
    let seen = Seen {
        action: AccessAction::Search,
        view: if referring_anyway {
            "known_person_check, referred anyway"
        } else {
            "known_person_check"
        },
        sensitivity: Sensitivity::Case,
    };
    let role = match policy::opening(&reader.caller) {
        Ok(role) => role,
        Err(error) => return Err(reader.refuse(seen, None, error).await),
    };
    let municipality = reader
        .caller
        .municipality
        .as_ref()
        .map(|m| m.to_string())
        .unwrap_or_default();
    let state = reader.state();
    let mut subjects = Vec::new();
    for probe in probes {
        subjects.extend(index::find(&state.pool, &state.keyring, probe).await?);
    }
    subjects.sort();
    subjects.dedup();
    let open_cases = queries::known(&state.pool, &subjects, &municipality).await?;
    let named: Vec<Uuid> = open_cases.iter().map(|c| c.case_id).collect();
    let basis = reader.ground(role, "referral: known-person check")?;
    reader.shown(seen, role, basis, &named).await?;
    let mut found: Vec<Uuid> = open_cases.iter().map(|c| c.subject_id).collect();
    found.dedup();
    Ok(KnownPerson {
        subject_id: (found.len() == 1).then(|| found[0]),
        open_cases,
    })
}
