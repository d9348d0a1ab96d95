//! What a caller may do beyond one case: list cases, open one, see a
//! team's caseload, move a worker's cases, act as an auditor, read the
//! programme figures. Each answers the role the caller acts in, or the
//! refusal.

use casus_domain::{MunicipalityCode, Role, TeamId};
use casus_projections::queries::{CaseloadFilter, Reach};

use super::{require_role, Action, ACTING_ORDER};
use crate::auth::Principal;
use crate::http::error::ApiError;

/// Which cases `caller` may list, and the role they list in. An auditor
/// lists as one (the whole municipality, on a reason), whatever else they
/// are: what a list shows, a read must allow, and an auditor reads every
/// case of their municipality.
pub fn listing(caller: &Principal) -> Result<(Reach, Role), ApiError> {
    require_role(caller, Action::Read)?;
    let municipality = caller.municipality.as_ref().map(|m| m.to_string());
    if caller.has(Role::Auditor) {
        let reach = Reach {
            whole_municipality: true,
            ..Reach::for_municipality(municipality)
        };
        return Ok((reach, Role::Auditor));
    }
    let role = ACTING_ORDER
        .into_iter()
        .find(|role| caller.has(*role) && super::acting_roles(Action::Read).contains(role))
        .ok_or_else(|| ApiError::Forbidden("your roles do not list cases".into()))?;
    if municipality.is_none() {
        return Err(ApiError::Forbidden(
            "listing cases needs a municipality in your token".into(),
        ));
    }
    let worker = caller.has(Role::CaseWorker) || caller.has(Role::CaseLead);
    let reach = Reach {
        team: caller.team.as_ref().map(|t| t.to_string()),
        domain: Some(caller.domain.to_string()),
        organisation: Some(caller.organisation.to_string()),
        worker: Some(caller.id.to_string()),
        partner: worker.then(|| caller.organisation.to_string()),
        receiving: caller
            .has(Role::Supervisor)
            .then(|| municipality.clone())
            .flatten(),
        ..Reach::for_municipality(municipality)
    };
    Ok((reach, role))
}

/// Which cases a privacy officer may look through for a young person to
/// erase: every case of their municipality (a national scope: all), on a
/// reason, as for the erasure itself.
pub fn erasing(caller: &Principal) -> Result<(Reach, Role), ApiError> {
    require_role(caller, Action::Erase)?;
    let municipality = caller.municipality.as_ref().map(|m| m.to_string());
    let reach = Reach {
        whole_municipality: true,
        ..Reach::for_municipality(municipality)
    };
    Ok((reach, Role::PrivacyOfficer))
}

/// The municipality whose notification subscriptions an administrator
/// manages: their own (`Some`), or, with a national scope, any (`None`).
pub fn administering(caller: &Principal) -> Result<Option<String>, ApiError> {
    require_role(caller, Action::Administer)?;
    Ok(caller.municipality.as_ref().map(|m| m.to_string()))
}

/// The role under which a caller opens a case in their own municipality and team.
pub fn opening(caller: &Principal) -> Result<Role, ApiError> {
    let role = [Role::CaseLead, Role::CaseWorker]
        .into_iter()
        .find(|r| caller.has(*r))
        .ok_or_else(|| {
            ApiError::Forbidden("opening a case needs the role case_worker or case_lead".into())
        })?;
    home(caller, "opening a case")?;
    Ok(role)
}

/// The audit role the caller acts in, once `Action::Audit` let them through.
pub fn auditing(caller: &Principal) -> Role {
    if caller.has(Role::Auditor) {
        Role::Auditor
    } else {
        Role::PrivacyOfficer
    }
}

/// What a caseload read asks for.
#[derive(Default)]
pub struct CaseloadAsked {
    pub team: Option<String>,
    pub worker: Option<String>,
    pub municipality: Option<String>,
}

/// Which caseload `caller` may see for `asked`, in which role: a
/// supervisor their own team's, an auditor a municipality's.
pub fn caseload(
    caller: &Principal,
    asked: CaseloadAsked,
) -> Result<(CaseloadFilter, Role), ApiError> {
    let own_municipality = caller.municipality.as_ref().map(|m| m.to_string());
    if caller.has(Role::Auditor) {
        let municipality = match (own_municipality, asked.municipality) {
            (Some(own), Some(asked)) if own != asked => return Err(ApiError::NotFound),
            (Some(own), _) => own,
            (None, Some(asked)) => asked,
            (None, None) => {
                return Err(ApiError::BadRequest(
                    "with a national scope, name the `municipality`".into(),
                ))
            }
        };
        let filter = CaseloadFilter {
            municipality,
            team: asked.team,
            domain: None,
            organisation: None,
            worker: asked.worker,
        };
        return Ok((filter, Role::Auditor));
    }
    if !caller.has(Role::Supervisor) {
        return Err(ApiError::Forbidden(
            "the caseload is for supervisors and auditors".into(),
        ));
    }
    let (municipality, team) = home(caller, "the caseload")?;
    let other_municipality = asked
        .municipality
        .is_some_and(|asked| asked != municipality.as_str());
    let other_team = asked.team.is_some_and(|asked| asked != team.as_str());
    if other_municipality || other_team {
        return Err(ApiError::Forbidden(
            "supervisors see the caseload of their own team".into(),
        ));
    }
    let filter = CaseloadFilter {
        municipality: municipality.to_string(),
        team: Some(team.to_string()),
        domain: Some(caller.domain.to_string()),
        organisation: Some(caller.organisation.to_string()),
        worker: asked.worker,
    };
    Ok((filter, Role::Supervisor))
}

/// Whether `caller` may move every open case of a worker of their team to
/// another, and the municipality and team whose cases move.
pub fn bulk_reassignment(caller: &Principal) -> Result<(&MunicipalityCode, &TeamId), ApiError> {
    if !caller.has(Role::Supervisor) {
        return Err(ApiError::Forbidden(
            "reassigning all cases of a worker is for supervisors".into(),
        ));
    }
    home(caller, "reassigning all cases of a worker")
}

/// The municipality whose programme figures `caller` may read, having
/// asked for `asked`; `None`: every municipality.
pub fn statistics(caller: &Principal, asked: Option<String>) -> Result<Option<String>, ApiError> {
    require_role(caller, Action::Statistics)?;
    match (&caller.municipality, asked) {
        (Some(own), Some(asked)) if own.as_str() != asked => Err(ApiError::Forbidden(format!(
            "you read the figures of {own} only"
        ))),
        (Some(own), _) => Ok(Some(own.to_string())),
        (None, asked) => Ok(asked),
    }
}

/// The caller's own municipality and team, which `what` needs.
fn home<'a>(
    caller: &'a Principal,
    what: &str,
) -> Result<(&'a MunicipalityCode, &'a TeamId), ApiError> {
    match (&caller.municipality, &caller.team) {
        (Some(municipality), Some(team)) => Ok((municipality, team)),
        _ => Err(ApiError::Forbidden(format!(
            "{what} needs a municipality and a team in your token"
        ))),
    }
}
