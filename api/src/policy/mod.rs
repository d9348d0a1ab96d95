//! Who may do what to which case (DESIGN.md, "Who sees what"). The one
//! place this policy lives; the handlers only name their action, or ask
//! `scopes` for what a caller may do beyond one case (list, open, supervise,
//! audit, read the figures).
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

mod facts;
mod scopes;

use casus_domain::{CommandKind, Role};

pub use facts::Facts;
pub use scopes::{
    administering, auditing, bulk_reassignment, caseload, erasing, listing, opening, statistics,
    CaseloadAsked,
};

use crate::auth::Principal;
use crate::http::error::ApiError;

/// When a caller holds several roles, the most specific acts: a lead before
/// a worker before a supervisor, then the oversight roles.
const ACTING_ORDER: [Role; 5] = [
    Role::CaseLead,
    Role::CaseWorker,
    Role::Supervisor,
    Role::Auditor,
    Role::PrivacyOfficer,
];

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
    /// Manage the subscriptions to partner notifications (no case at all).
    Administer,
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

/// What recording a command of `kind` on a case is, for the policy: the one
/// place that says it, for the API's routes and the web interface's forms alike.
pub fn action_of(kind: CommandKind) -> Action {
    use CommandKind::*;
    match kind {
        // What an involved partner does too.
        LogContact | AddNote | StartIntervention | CompleteIntervention | CancelIntervention => {
            Action::Contribute
        }
        AssignLead | AssignWorker | UnassignWorker | ReassignWorker => Action::Assign,
        ProposeHandover => Action::ProposeHandover,
        AcceptHandover => Action::AcceptHandover,
        DeclineHandover => Action::DeclineHandover,
        EraseSubject => Action::Erase,
        ReferCase | RecordSignal | DecideTriage | AddInformation | IncludeCase | AssessRisk
        | AgreePlan | RevisePlan | SetPlan | AchieveGoal | PlanIntervention | RecordConsent
        | WithdrawConsent | InvolvePartner | HoldConference | ScheduleReview | CompleteReview
        | Escalate | TransferCase | StartAftercare | CloseCase | ReopenCase | CorrectEntry => {
            Action::Work
        }
    }
}

/// Auditors and privacy officers read on the ground of the reason they give.
pub fn needs_reason(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::PrivacyOfficer)
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
            AcceptHandover | Audit | Erase | Statistics | Administer => false,
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
        Action::Administer => &[Role::Admin],
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
    let acting = ACTING_ORDER
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
    if permits(caller, Action::Read, relation) {
        Err(ApiError::Forbidden(
            "you can see this case, but your role or relation to it does not allow this".into(),
        ))
    } else {
        Err(ApiError::NotFound)
    }
}

/// Whether `caller`, in `relation` to a case, may take `action` on it: what
/// the web interface asks to show only the forms the caller may send.
pub fn permits(caller: &Principal, action: Action, relation: Relation) -> bool {
    caller
        .roles
        .iter()
        .any(|role| allows(*role, action, relation))
}

pub fn role_names(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
