//! Which forms the case page shows, and what each offers to choose. A form
//! shows when the case's stage and contents give it something to do and
//! the policy lets the caller send its command: a partner sees the forms
//! of a partner, not those of the case's own workers.

use std::sync::LazyLock;

use casus_domain::{
    CaseResult, Confidentiality, ConsentGiver, ConsentPurpose, ContactKind, ContactParty, Domain,
    EscalationTarget, InterventionKind, InterventionOutcome, Programme, RiskLevel, SignalKind,
};
use casus_projections::queries::{CaseDetail, TimelineEntry};
use strum::VariantArray;

use crate::auth::Principal;
use crate::policy::{self, Relation};
use crate::routes::bodies::TriageChoice;
use crate::web::labels;
use crate::web::page::{day, entry_day};
use crate::web::steps::plan::{GOAL, ID, ROWS, TARGET};
use crate::web::steps::{Step, LEGAL_TASK};
use crate::workers::KnownWorker;

/// What a select offers: a value and its Dutch words.
pub type Options = Vec<(String, String)>;

/// The forms the case page shows, and the items each acts on.
pub struct Forms {
    shown: Vec<Step>,
    pub goals: Options,
    pub planned: Options,
    pub running: Options,
    pub interventions: Options,
    pub reviews: Options,
    pub workers: Options,
    pub colleagues: Options,
    /// Every colleague, assigned or not (whom work can be handed on to).
    pub everyone: Options,
    pub consents: Options,
    pub bases: Options,
    pub areas: Options,
    pub teams: Options,
    pub entries: Options,
    /// Whose work can be handed on: the workers and the leads.
    pub holders: Options,
    /// The other municipalities of the programme, for a handover.
    pub municipalities: Options,
    /// The focus areas of the caller's own municipality and the teams of
    /// their organisation there (accepting a handover).
    pub own_areas: Options,
    pub own_teams: Options,
    /// The plan form's rows as the plan has them now (field, value).
    pub plan: Vec<(&'static str, String)>,
    pub revising: bool,
}

/// What the case page knows when it decides its forms.
pub struct Context<'a> {
    pub detail: &'a CaseDetail,
    pub timeline: &'a [TimelineEntry],
    pub caller: &'a Principal,
    pub relation: Relation,
    /// Whom the case may be assigned to (asked only of who may assign).
    pub colleagues: &'a [KnownWorker],
    pub programme: &'a Programme,
}

impl Forms {
    pub fn of(at: &Context) -> Self {
        let detail = at.detail;
        let o = &detail.overview;
        let people = &detail.people;
        let interventions = |status: &[&str]| -> Options {
            detail
                .interventions
                .iter()
                .filter(|i| status.contains(&i.status.as_str()))
                .map(|i| {
                    let kind = labels::intervention_kind(&i.kind);
                    (
                        i.intervention_id.to_string(),
                        format!("{kind} bij {}", i.provider),
                    )
                })
                .collect()
        };
        let assigned = |id: &str| people.workers.iter().any(|w| w.worker_id == id);
        let revisable = !detail.goals.is_empty()
            && detail.goals.len() < ROWS
            && detail.goals.iter().all(|g| g.description.is_some());
        let mut forms = Forms {
            shown: Vec::new(),
            goals: detail
                .goals
                .iter()
                .filter(|g| g.achieved_on.is_none())
                .map(|g| {
                    let what = g
                        .description
                        .clone()
                        .unwrap_or_else(|| "(niet zichtbaar)".into());
                    (g.goal_id.to_string(), what)
                })
                .collect(),
            planned: interventions(&["planned"]),
            running: interventions(&["running"]),
            interventions: interventions(&["planned", "running"]),
            reviews: detail
                .reviews
                .iter()
                .filter(|r| r.completed_on.is_none())
                .map(|r| {
                    (
                        r.review_id.to_string(),
                        format!("evaluatie van {}", day(&r.due_on)),
                    )
                })
                .collect(),
            workers: people
                .workers
                .iter()
                .map(|w| (w.worker_id.clone(), w.worker_name.clone()))
                .collect(),
            colleagues: at
                .colleagues
                .iter()
                .filter(|c| !assigned(&c.id))
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
            everyone: at
                .colleagues
                .iter()
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect(),
            consents: people
                .consents
                .iter()
                .filter(|c| c.withdrawn_on.is_none())
                .map(|c| {
                    let label = format!("voor {} van {}", c.partner, day(&c.given_on));
                    (c.consent_id.to_string(), label)
                })
                .collect(),
            bases: people
                .consents
                .iter()
                .filter(|c| c.holds)
                .map(|c| {
                    let label = format!("Toestemming voor {} van {}", c.partner, day(&c.given_on));
                    (c.consent_id.to_string(), label)
                })
                .chain([(LEGAL_TASK.to_owned(), "Wettelijke taak".to_owned())])
                .collect(),
            areas: at
                .programme
                .areas()
                .filter(|a| a.municipality.as_str() == o.municipality)
                .map(|a| (a.code.to_string(), a.name.clone()))
                .collect(),
            teams: {
                let mut teams: Vec<String> = at
                    .colleagues
                    .iter()
                    .filter_map(|c| c.team.clone())
                    .collect();
                teams.push(o.team.clone());
                teams.sort();
                teams.dedup();
                teams.into_iter().map(|t| (t.clone(), t)).collect()
            },
            entries: at
                .timeline
                .iter()
                .rev()
                .filter(|e| e.event_type != "EntryCorrected")
                .map(|e| {
                    let on = entry_day(e);
                    let what = labels::event(&e.event_type);
                    (e.sequence.to_string(), format!("{on}: {what}"))
                })
                .collect(),
            plan: detail
                .goals
                .iter()
                .take(ROWS)
                .enumerate()
                .flat_map(|(row, g)| {
                    [
                        (GOAL[row], g.description.clone().unwrap_or_default()),
                        (TARGET[row], g.target_date.to_string()),
                        (ID[row], g.goal_id.to_string()),
                    ]
                })
                .collect(),
            revising: !detail.goals.is_empty(),
            holders: {
                let leads = [
                    (&o.case_lead_id, &o.case_lead_name),
                    (&o.process_lead_id, &o.process_lead_name),
                ];
                let mut holders: Options = people
                    .workers
                    .iter()
                    .map(|w| (w.worker_id.clone(), w.worker_name.clone()))
                    .chain(leads.into_iter().filter_map(|(id, name)| {
                        Some((id.clone()?, name.clone().unwrap_or_default()))
                    }))
                    .collect();
                holders.sort();
                holders.dedup_by(|a, b| a.0 == b.0);
                holders
            },
            municipalities: at
                .programme
                .municipalities()
                .into_iter()
                .filter(|(code, _)| code.as_str() != o.municipality)
                .map(|(code, name)| (code.to_string(), name.to_owned()))
                .collect(),
            own_teams: {
                let mut teams: Vec<String> = at
                    .colleagues
                    .iter()
                    .filter_map(|c| c.team.clone())
                    .collect();
                teams.extend(at.caller.team.as_ref().map(|t| t.to_string()));
                teams.sort();
                teams.dedup();
                teams.into_iter().map(|t| (t.clone(), t)).collect()
            },
            own_areas: at
                .programme
                .areas()
                .filter(|a| at.caller.municipality.as_ref() == Some(&a.municipality))
                .map(|a| (a.code.to_string(), a.name.clone()))
                .collect(),
        };
        let stage = o.stage.as_str();
        let open = stage != "closed";
        let begun = open && stage != "referred";
        let working = matches!(stage, "included" | "active" | "aftercare");
        let planned = working && !detail.goals.is_empty();
        for step in Step::ALL {
            let asked = match step {
                Step::Triage => stage == "referred",
                Step::Include => {
                    stage == "triaged" && o.triage_decision.as_deref() == Some("take_on")
                }
                Step::TakeLead => working && o.case_lead_id.is_none(),
                Step::Plan => {
                    working && o.case_lead_id.is_some() && (detail.goals.is_empty() || revisable)
                }
                Step::Achieve => !forms.goals.is_empty(),
                Step::Intervention | Step::ScheduleReview => planned,
                Step::Start => !forms.planned.is_empty(),
                Step::Complete => !forms.running.is_empty(),
                Step::Cancel => !forms.interventions.is_empty(),
                Step::HoldReview => !forms.reviews.is_empty(),
                Step::Contact | Step::Note | Step::Signal | Step::Information | Step::Close => open,
                Step::Partner
                | Step::Consent
                | Step::Conference
                | Step::Escalate
                | Step::Risk
                | Step::Transfer => begun,
                Step::AssignWorker => begun && !forms.colleagues.is_empty(),
                Step::UnassignWorker => open && !forms.workers.is_empty(),
                Step::WithdrawConsent => !forms.consents.is_empty(),
                Step::Aftercare => stage == "active",
                Step::Reopen => stage == "closed",
                Step::Correct => !forms.entries.is_empty(),
                Step::Reassign => open && !forms.holders.is_empty() && !at.colleagues.is_empty(),
                Step::ProposeHandover => begun && people.handover_to.is_none(),
                Step::AcceptHandover | Step::DeclineHandover => {
                    open && people.handover_to.is_some()
                }
            };
            let action = policy::action_of(step.kind());
            if asked && policy::permits(at.caller, action, at.relation) {
                forms.shown.push(step);
            }
        }
        forms
    }

    /// Whether the form named `step` shows.
    pub fn shows(&self, step: &str) -> bool {
        self.shown.iter().any(|s| s.name() == step)
    }

    /// Whether the page shows any form at all.
    pub fn any(&self) -> bool {
        !self.shown.is_empty()
    }
}

/// What a select or a row of checkboxes offers: a code and its Dutch word.
pub type Choice = Vec<(&'static str, &'static str)>;

/// The choices the case page's forms offer, the same on every page.
pub struct Choices {
    pub triage_choices: Choice,
    pub intervention_kinds: Choice,
    pub outcomes: Choice,
    pub signal_kinds: Choice,
    pub confidentialities: Choice,
    pub results: Choice,
    pub purposes: Choice,
    pub givers: Choice,
    pub escalation_targets: Choice,
    pub contact_kinds: Choice,
    pub contact_parties: Choice,
    pub domains: Choice,
    pub agreed_with: Choice,
    pub parts: Choice,
    pub risk_levels: Choice,
    pub scores: Choice,
}

pub static CHOICES: LazyLock<Choices> = LazyLock::new(|| Choices {
    triage_choices: choices::<TriageChoice>(labels::triage_choice),
    intervention_kinds: choices::<InterventionKind>(labels::intervention_kind_of),
    outcomes: choices::<InterventionOutcome>(labels::intervention_outcome),
    signal_kinds: choices::<SignalKind>(labels::signal_kind),
    confidentialities: choices::<Confidentiality>(labels::confidentiality),
    results: choices::<CaseResult>(labels::case_result),
    purposes: choices::<ConsentPurpose>(labels::consent_purpose),
    givers: choices::<ConsentGiver>(labels::consent_giver),
    escalation_targets: choices::<EscalationTarget>(labels::escalation_target),
    contact_kinds: choices::<ContactKind>(labels::contact_kind),
    contact_parties: choices::<ContactParty>(labels::contact_party),
    domains: choices::<Domain>(labels::domain),
    parts: vec![
        ("worker", "Medewerker"),
        ("case_lead", "Casusregisseur"),
        ("process_lead", "Procesregisseur"),
    ],
    agreed_with: vec![
        ("youth", "De jongere"),
        ("parent_or_guardian", "Ouder of verzorger"),
    ],
    risk_levels: choices::<RiskLevel>(|level| labels::risk_level(level.into())),
    scores: vec![
        ("0", "0 – geen zorg"),
        ("1", "1"),
        ("2", "2"),
        ("3", "3"),
        ("4", "4 – grote zorg"),
    ],
});

fn choices<T>(label: fn(T) -> &'static str) -> Choice
where
    T: VariantArray + Copy + Into<&'static str>,
{
    T::VARIANTS
        .iter()
        .map(|v| ((*v).into(), label(*v)))
        .collect()
}
