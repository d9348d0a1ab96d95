//! Who may do what to which case (DESIGN.md, "Who sees what"). The one
//! place this policy lives; the handlers only name their action.
//!
//! A caller stands in one relation to a case: assigned to it (`Own`), in its
//! holding team (`Team`), working for an involved partner organisation
//! (`Partner`), elsewhere in the same municipality, in the municipality a
//! proposed handover would move it to (`Receiving`), in one it was handed
//! over from (`Former`), or outside it. A role
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
    /// Propose to hand the case over to another municipality.
    ProposeHandover,
    /// Accept a proposed handover, for the receiving municipality.
    AcceptHandover,
    /// Decline a proposed handover, for the receiving municipality; withdraw
    /// it, for the sending side.
    DeclineHandover,
    /// Read the anonymous programme statistics (no case at all).
    Statistics,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Own,
    Team,
    Partner,
    Municipality,
    Receiving,
    Former,
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
            Self::Receiving => "handover proposed to this municipality",
            Self::Former => "handed over by this municipality",
            Self::Outside => "none",
        }
    }
}

/// What `authorize` grants: the role acting, the caller's relation to the
/// case, and how much of its history they may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub relation: Relation,
    /// The version up to which the history is theirs (`Former`: when the
    /// case left their municipality); `None`: all of it.
    pub through: Option<u64>,
}

/// Auditors and privacy officers read on the ground of the reason they give.
pub fn needs_reason(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::PrivacyOfficer)
}

/// The facts about a case that access depends on.
pub struct Facts<'a> {
    pub municipality: &'a str,
    pub team: &'a str,
    /// The holding team's domain and organisation: a team is known by its
    /// municipality, organisation, domain and name together.
    pub domain: &'a str,
    pub organisation: &'a str,
    pub workers: Vec<&'a str>,
    pub partners: Vec<&'a str>,
    /// The municipality a proposed handover would move the case to.
    pub handover_to: Option<&'a str>,
    /// The municipalities the case left, and its version when it did.
    pub former: Vec<(&'a str, u64)>,
}

impl<'a> From<&'a CaseFile> for Facts<'a> {
    fn from(file: &'a CaseFile) -> Self {
        let leads = [&file.case_lead, &file.process_lead];
        Self {
            municipality: file.municipality.as_str(),
            team: file.team.as_str(),
            domain: file.domain.as_str(),
            organisation: file.organisation.as_str(),
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
            handover_to: file.handover_to.as_ref().map(|m| m.as_str()),
            // Writes never rest on a former municipality.
            former: Vec::new(),
        }
    }
}

impl<'a> From<&'a CaseScope> for Facts<'a> {
    fn from(scope: &'a CaseScope) -> Self {
        Self {
            municipality: &scope.municipality,
            team: &scope.team,
            domain: &scope.domain,
            organisation: &scope.organisation,
            workers: scope.workers.iter().map(String::as_str).collect(),
            partners: scope.partners.iter().map(String::as_str).collect(),
            handover_to: scope.handover_to.as_deref(),
            former: scope
                .former
                .iter()
                .map(|(municipality, version)| (municipality.as_str(), *version as u64))
                .collect(),
        }
    }
}

/// Whether `role` may take `action` on a case in `relation`.
fn allows(role: Role, action: Action, relation: Relation) -> bool {
    use Action::*;
    use Relation::*;
    let inside = matches!(relation, Own | Team | Partner | Municipality);
    match role {
        Role::CaseWorker | Role::CaseLead => match action {
            Read | Contribute => matches!(relation, Own | Team | Partner),
            Work | Assign => matches!(relation, Own | Team),
            // The case lead's, among the workers: the one assigned to it.
            ProposeHandover | DeclineHandover => role == Role::CaseLead && relation == Own,
            AcceptHandover | Audit | Erase | Statistics => false,
        },
        Role::Supervisor => match action {
            Read => matches!(relation, Own | Team | Receiving),
            Assign | ProposeHandover => matches!(relation, Own | Team),
            AcceptHandover => relation == Receiving,
            DeclineHandover => matches!(relation, Own | Team | Receiving),
            _ => false,
        },
        Role::Auditor => match action {
            Read => inside,
            Audit => inside || relation == Former,
            _ => false,
        },
        Role::PrivacyOfficer => matches!(action, Audit | Erase) && inside,
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
        Action::ProposeHandover => &[Role::CaseLead, Role::Supervisor],
        Action::AcceptHandover => &[Role::Supervisor],
        Action::DeclineHandover => &[Role::CaseLead, Role::Supervisor],
        Action::Statistics => &[Role::Analyst],
    }
}

pub fn relation(caller: &Principal, facts: &Facts) -> Relation {
    let same_municipality = match &caller.municipality {
        Some(m) => m.as_str() == facts.municipality,
        // A national scope, which only auditors may have (see `Claims`).
        None => caller.has(Role::Auditor),
    };
    let caller_municipality = caller.municipality.as_ref().map(|m| m.as_str());
    if !same_municipality {
        if caller_municipality.is_some()
            && caller_municipality == facts.handover_to
            && caller.domain.as_str() == facts.domain
        {
            Relation::Receiving
        } else if facts
            .former
            .iter()
            .any(|(m, _)| Some(*m) == caller_municipality)
        {
            Relation::Former
        } else {
            Relation::Outside
        }
    } else if facts.workers.contains(&caller.id.as_str()) {
        Relation::Own
    } else if caller.domain.as_str() == facts.domain
        && caller.organisation.as_str() == facts.organisation
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
        let through = match relation {
            Relation::Former => facts
                .former
                .iter()
                .find(|(m, _)| {
                    caller
                        .municipality
                        .as_ref()
                        .is_some_and(|c| c.as_str() == *m)
                })
                .map(|(_, version)| *version),
            _ => None,
        };
        return Ok(Grant {
            role,
            relation,
            through,
        });
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
        organisation: Some(caller.organisation.to_string()),
        worker: Some(caller.id.to_string()),
        partner: worker.then(|| caller.organisation.to_string()),
        receiving: caller
            .has(Role::Supervisor)
            .then(|| municipality.clone())
            .flatten(),
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
