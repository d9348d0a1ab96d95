//! Who may do what to which case (DESIGN.md, "Who sees what"). The one
//! place this policy lives; the handlers only name their action.
//!
//! A caller stands in one relation to a case: assigned to it (`Own`), in its
//! holding team (`Team`), working for an involved partner organisation
//! (`Partner`), elsewhere in the same municipality, or outside it. A role
//! allows an action in some relations. The answer when it does not:
//! 403 if the caller has no role for this kind of action at all, or can see
//! the case but not do this to it; 404 if the case is out of the caller's
//! sight, so its existence does not leak.

use casus_domain::{CaseFile, Role};
use casus_projections::queries::{CaseScope, Reach};

use crate::auth::Principal;
use crate::error::ApiError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read the case's view and timeline.
    Read,
    /// Record anything on the case: the work of its own workers.
    Work,
    /// Log a contact, add a note or take an intervention a step: what an
    /// involved partner does too.
    Contribute,
    /// Assign or reassign workers and leads.
    Assign,
    /// Read a case's stored history, its state at a moment, its export.
    Audit,
    /// Erase the young person's personal data.
    Erase,
    /// Read the anonymous programme statistics (no case at all).
    Statistics,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Own,
    Team,
    Partner,
    Municipality,
    Outside,
}

impl Relation {
    /// The ground of an access, for the access log.
    pub fn basis(self) -> &'static str {
        match self {
            Self::Own => "assignment",
            Self::Team => "team",
            Self::Partner => "partner",
            Self::Municipality => "municipality",
            Self::Outside => "none",
        }
    }
}

/// What `authorize` grants: the role acting, and the caller's relation to the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub relation: Relation,
}

/// Auditors and privacy officers read on the ground of the reason they give.
pub fn needs_reason(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::PrivacyOfficer)
}

/// The facts about a case that access depends on.
pub struct Facts<'a> {
    pub municipality: &'a str,
    pub team: &'a str,
    /// The holding team's domain: a team is known by its name and domain.
    pub domain: &'a str,
    pub workers: Vec<&'a str>,
    pub partners: Vec<&'a str>,
}

impl<'a> From<&'a CaseFile> for Facts<'a> {
    fn from(file: &'a CaseFile) -> Self {
        let leads = [&file.case_lead, &file.process_lead];
        Self {
            municipality: file.municipality.as_str(),
            team: file.team.as_str(),
            domain: file.domain.as_str(),
            workers: file
                .workers
                .iter()
                .chain(leads.into_iter().flatten())
                .map(|w| w.as_str())
                .collect(),
            partners: file
                .sharing_partners(casus_store::clock::today())
                .map(|p| p.as_str())
                .collect(),
        }
    }
}

impl<'a> From<&'a CaseScope> for Facts<'a> {
    fn from(scope: &'a CaseScope) -> Self {
        Self {
            municipality: &scope.municipality,
            team: &scope.team,
            domain: &scope.domain,
            workers: scope.workers.iter().map(String::as_str).collect(),
            partners: scope.partners.iter().map(String::as_str).collect(),
        }
    }
}

/// Whether `role` may take `action` on a case in `relation`.
fn allows(role: Role, action: Action, relation: Relation) -> bool {
    use Action::*;
    use Relation::*;
    match role {
        Role::CaseWorker | Role::CaseLead => match action {
            Read | Contribute => matches!(relation, Own | Team | Partner),
            Work | Assign => matches!(relation, Own | Team),
            Audit | Erase | Statistics => false,
        },
        Role::Supervisor => matches!(action, Read | Assign) && matches!(relation, Own | Team),
        Role::Auditor => matches!(action, Read | Audit) && relation != Outside,
        Role::PrivacyOfficer => matches!(action, Audit | Erase) && relation != Outside,
        Role::Analyst | Role::Admin => false,
    }
}

/// The roles that take `action` on some case.
fn acting_roles(action: Action) -> &'static [Role] {
    match action {
        Action::Read => &[
            Role::CaseWorker,
            Role::CaseLead,
            Role::Supervisor,
            Role::Auditor,
        ],
        Action::Work | Action::Contribute => &[Role::CaseWorker, Role::CaseLead],
        Action::Assign => &[Role::CaseWorker, Role::CaseLead, Role::Supervisor],
        Action::Audit => &[Role::Auditor, Role::PrivacyOfficer],
        Action::Erase => &[Role::PrivacyOfficer],
        Action::Statistics => &[Role::Analyst],
    }
}

pub fn relation(caller: &Principal, facts: &Facts) -> Relation {
    let same_municipality = match &caller.municipality {
        Some(m) => m.as_str() == facts.municipality,
        // A national scope, which only auditors may have (see `Claims`).
        None => caller.has(Role::Auditor),
    };
    if !same_municipality {
        Relation::Outside
    } else if facts.workers.contains(&caller.id.as_str()) {
        Relation::Own
    } else if caller.domain.as_str() == facts.domain
        && caller
            .team
            .as_ref()
            .is_some_and(|t| t.as_str() == facts.team)
    {
        Relation::Team
    } else if facts.partners.contains(&caller.organisation.as_str()) {
        Relation::Partner
    } else {
        Relation::Municipality
    }
}

/// Refuses a caller with no role for `action`, before any case is looked up.
pub fn require_role(caller: &Principal, action: Action) -> Result<(), ApiError> {
    if acting_roles(action).iter().any(|r| caller.has(*r)) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "your roles do not allow this; it needs one of: {}",
            role_names(acting_roles(action))
        )))
    }
}

/// The role under which `caller` takes `action` on the case, or the refusal.
pub fn authorize(caller: &Principal, action: Action, facts: &Facts) -> Result<Grant, ApiError> {
    require_role(caller, action)?;
    let relation = relation(caller, facts);
    // The most specific role acts: a lead before a worker before a supervisor.
    let acting = [
        Role::CaseLead,
        Role::CaseWorker,
        Role::Supervisor,
        Role::Auditor,
        Role::PrivacyOfficer,
    ]
    .into_iter()
    .find(|role| caller.has(*role) && allows(*role, action, relation));
    if let Some(role) = acting {
        return Ok(Grant { role, relation });
    }
    let sees = caller
        .roles
        .iter()
        .any(|role| allows(*role, Action::Read, relation));
    if sees {
        Err(ApiError::Forbidden(
            "you can see this case, but your role or relation to it does not allow this".into(),
        ))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Which cases `caller` may list; `None` if no role of theirs lists cases.
pub fn reach(caller: &Principal) -> Option<Reach> {
    let municipality = caller.municipality.as_ref().map(|m| m.to_string());
    if caller.has(Role::Auditor) {
        return Some(Reach {
            whole_municipality: true,
            ..Reach::for_municipality(municipality)
        });
    }
    let worker = caller.has(Role::CaseWorker) || caller.has(Role::CaseLead);
    if !(worker || caller.has(Role::Supervisor)) || municipality.is_none() {
        return None;
    }
    Some(Reach {
        team: caller.team.as_ref().map(|t| t.to_string()),
        domain: Some(caller.domain.to_string()),
        worker: Some(caller.id.to_string()),
        partner: worker.then(|| caller.organisation.to_string()),
        ..Reach::for_municipality(municipality)
    })
}

pub fn role_names(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
