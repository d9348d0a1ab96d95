//! "Zoek een jongere": the cases in the worker's scope of a young person
//! named by name and date of birth, or BSN, through the API's own search of
//! the blind index. A POST, so no name or number lands in a URL or a log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use axum_extra::extract::Form;
use casus_store::privacy::index::Probe;

use crate::http::extract::{ClientAddress, RequestId};
use crate::routes::people_search::search_cases;
use crate::web::cases::{list_page, origin, rows, Search, Shown};
use crate::web::form::{bsn, Errors, Posted};
use crate::web::page::{render, Refusal};
use crate::web::session::Session;
use crate::AppState;

/// Whom the search form names, or what to change.
pub(super) fn read(posted: &Posted, errors: &mut Errors) -> Option<Probe> {
    match posted.get("zoek-bsn").trim() {
        "" => {
            let name = errors.text(posted, "zoek-naam", "de naam");
            let born = errors.day(posted, "zoek-geboortedatum", "de geboortedatum");
            Some(Probe::NameAndBirth {
                name: name?.as_str().to_owned(),
                born: born?,
            })
        }
        typed => errors
            .read("zoek-bsn", bsn(typed))
            .map(|bsn| Probe::Bsn(bsn.as_str().to_owned())),
    }
}

pub async fn search(
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
    let probe = read(&posted, &mut errors);
    let (found, status) = match probe.filter(|_| !errors.any()) {
        Some(probe) => {
            let (request_id, address) = origin(request_id, address);
            let reader = session.reader(&state, request_id, address);
            let page = search_cases(&reader, &probe).await?;
            (rows(&state, &page.items), StatusCode::OK)
        }
        None => (Vec::new(), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let search = Search {
        done: true,
        posted,
        errors,
    };
    let page = list_page(&state, &session, found, Shown::default(), None, search);
    Ok(render(status, &page))
}
