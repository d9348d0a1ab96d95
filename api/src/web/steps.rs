//! The forms of the case page, each read into the API's own body or record
//! and written through the API's own write (`Writer::put`, or the route's
//! function where the route does more): the same policy, rules, access log
//! and idempotency as a client of the API.

use casus_domain::{
    AgreedWith, CaseCommand, CaseId, Contact, ContactKind, ContactParty, Domain, Inclusion,
    InterventionId, InterventionKind, InterventionStart, LeadAssignment, LeadRole, LegalBasis,
    OrganisationId, PartnerInvolvement, Personal, Text, Worker,
};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::http::writer::{Writer, Wrote};
use crate::routes::bodies::{GoalBody, InterventionBody, PlanBody, TriageBody, TriageChoice};
use crate::routes::people::assign;
use crate::routes::plan::{plan_intervention, IntoCommand};
use crate::web::form::{choice, code, text, Errors, Posted};

/// A form of the case page, by the name in its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Triage,
    Include,
    TakeLead,
    Plan,
    Partner,
    Intervention,
    Start(InterventionId),
    Contact,
}

impl Step {
    pub fn named(name: &str) -> Option<Self> {
        Some(match name {
            "triage" => Step::Triage,
            "opnemen" => Step::Include,
            "regie" => Step::TakeLead,
            "plan" => Step::Plan,
            "partner" => Step::Partner,
            "interventie" => Step::Intervention,
            "contact" => Step::Contact,
            _ => return None,
        })
    }

    /// The form's name on the page (its fields' ids start with it).
    pub fn name(&self) -> &'static str {
        match self {
            Step::Triage => "triage",
            Step::Include => "opnemen",
            Step::TakeLead => "regie",
            Step::Plan => "plan",
            Step::Partner => "partner",
            Step::Intervention => "interventie",
            Step::Start(_) => "starten",
            Step::Contact => "contact",
        }
    }
}

/// What a form asks the API to write.
enum Write {
    Put(Box<CaseCommand>, Vec<uuid::Uuid>),
    Assign(Worker),
    PlanIntervention(InterventionBody),
}

/// Reads the form of `step`; a field that does not hold is noted.
fn read(step: Step, posted: &Posted, caller: &Principal, errors: &mut Errors) -> Option<Write> {
    match step {
        Step::Triage => {
            let decided_on = errors.day(posted, "triage-datum", "de datum van het besluit");
            let decision = errors.read(
                "triage-besluit",
                choice::<TriageChoice>(posted.get("triage-besluit"), "het besluit"),
            );
            let by = errors.read(
                "triage-door",
                text(posted.get("triage-door"), "wie besloot"),
            );
            let partner = match (decision, posted.get("triage-partner")) {
                (Some(TriageChoice::HandOver), value) => errors.read(
                    "triage-partner",
                    code(
                        value,
                        "de organisatie die de casus overneemt",
                        OrganisationId::parse,
                    ),
                ),
                _ => None,
            };
            let body = TriageBody {
                decision: decision?,
                partner,
                decided_by: by?,
                decided_on: decided_on?,
            };
            if matches!(body.decision, TriageChoice::HandOver) && body.partner.is_none() {
                return None;
            }
            let (command, ids) = body.into_command().ok()?;
            Some(Write::Put(Box::new(command), ids))
        }
        Step::Include => {
            let included_on = errors.day(posted, "opnemen-datum", "de datum van opname")?;
            Some(Write::Put(
                Box::new(CaseCommand::IncludeCase(Inclusion { included_on })),
                Vec::new(),
            ))
        }
        Step::TakeLead => {
            let name = Text::parse(caller.name.clone()).ok()?;
            let team = caller.team.clone()?;
            Some(Write::Assign(Worker {
                id: caller.id.clone(),
                name,
                team,
            }))
        }
        Step::Plan => {
            let agreed_on = errors.day(posted, "plan-datum", "de datum van de afspraak");
            let target = errors.day(posted, "plan-streefdatum", "de streefdatum");
            let goal = errors.read("plan-doel", text(posted.get("plan-doel"), "het doel"));
            let body = PlanBody {
                goals: vec![GoalBody {
                    goal_id: None,
                    description: goal?,
                    target_date: target?,
                }],
                agreed_with: AgreedWith {
                    youth: posted.has("plan-met", "youth"),
                    parent_or_guardian: posted.has("plan-met", "parent_or_guardian"),
                },
                agreed_on: agreed_on?,
                reason: None,
            };
            let (command, ids) = body.into_command().ok()?;
            Some(Write::Put(Box::new(command), ids))
        }
        Step::Partner => {
            let partner = errors.read(
                "partner-organisatie",
                code(
                    posted.get("partner-organisatie"),
                    "de ketenpartner",
                    OrganisationId::parse,
                ),
            );
            let domain = errors.read(
                "partner-domein",
                choice::<Domain>(posted.get("partner-domein"), "het domein"),
            );
            let provision = match posted.get("partner-wet").trim() {
                "" => None,
                typed => errors.read("partner-wet", text(typed, "de wettelijke grondslag")),
            };
            let involved_on = errors.day(posted, "partner-datum", "de datum");
            if errors.any() {
                return None;
            }
            Some(Write::Put(
                Box::new(CaseCommand::InvolvePartner(PartnerInvolvement {
                    partner: partner?,
                    partner_domain: domain?,
                    basis: provision.map(|p| LegalBasis::LegalTask {
                        provision: Personal::new(p),
                    }),
                    involved_on: involved_on?,
                })),
                Vec::new(),
            ))
        }
        Step::Intervention => {
            let planned_on = errors.day(posted, "interventie-datum", "de geplande datum");
            let kind = errors.read(
                "interventie-soort",
                choice::<InterventionKind>(posted.get("interventie-soort"), "de soort interventie"),
            );
            let provider = errors.read(
                "interventie-aanbieder",
                code(
                    posted.get("interventie-aanbieder"),
                    "de aanbieder",
                    OrganisationId::parse,
                ),
            );
            Some(Write::PlanIntervention(InterventionBody {
                intervention_id: None,
                kind: kind?,
                provider: provider?,
                domain: Domain::Social,
                planned_on: planned_on?,
                halt_confession_on: None,
            }))
        }
        Step::Start(intervention_id) => {
            let started_on = errors.day(posted, "starten-datum", "de startdatum")?;
            Some(Write::Put(
                Box::new(CaseCommand::StartIntervention(InterventionStart {
                    intervention_id,
                    started_on,
                })),
                Vec::new(),
            ))
        }
        Step::Contact => {
            let kind = errors.read(
                "contact-soort",
                choice::<ContactKind>(posted.get("contact-soort"), "de soort contact"),
            );
            let with_whom: Vec<ContactParty> = posted
                .all("contact-met")
                .filter_map(|v| choice::<ContactParty>(v, "").ok())
                .collect();
            if with_whom.is_empty() {
                errors.add("contact-met", "Kies met wie er contact was.");
            }
            let contacted_on = errors.day(posted, "contact-datum", "de datum van het contact");
            let summary = errors.read(
                "contact-verslag",
                text(posted.get("contact-verslag"), "het verslag"),
            );
            let contact = Contact {
                kind: kind?,
                with_whom,
                contacted_on: contacted_on?,
                summary: Personal::new(summary?),
            };
            (!errors.any()).then_some(Write::Put(
                Box::new(CaseCommand::LogContact(contact)),
                Vec::new(),
            ))
        }
    }
}

/// The form's content, for the idempotency key's check that a repeat is the
/// same request.
fn digest(step: Step, posted: &Posted) -> String {
    let mut hasher = Sha256::new();
    hasher.update(step.name());
    for (key, value) in posted.fields() {
        if !matches!(key, "_csrf" | "sleutel" | "versie") {
            hasher.update([0]);
            hasher.update(key);
            hasher.update([0]);
            hasher.update(value);
        }
    }
    hex::encode(hasher.finalize())
}

/// Reads and writes the form: what the write came to, or the form's errors.
pub async fn submit(
    step: Step,
    case: CaseId,
    posted: &Posted,
    writer: Writer,
) -> Result<Result<Wrote, ApiError>, Errors> {
    let mut errors = Errors::default();
    let write = read(step, posted, &writer.caller, &mut errors);
    let Some(write) = write.filter(|_| !errors.any()) else {
        if !errors.any() {
            errors.form = Some("Dit formulier is niet volledig ingevuld.".into());
        }
        return Err(errors);
    };
    let digest = digest(step, posted);
    Ok(match write {
        Write::Put(command, ids) => writer.put(case, digest, ids, *command).await,
        Write::Assign(worker) => {
            assign(writer, case, digest, worker, |lead| {
                CaseCommand::AssignLead(LeadAssignment {
                    role: LeadRole::CaseLead,
                    lead,
                })
            })
            .await
        }
        Write::PlanIntervention(body) => plan_intervention(writer, case, digest, body).await,
    })
}
