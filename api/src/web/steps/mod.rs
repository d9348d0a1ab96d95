//! The forms of the case page, each read into the API's own body or record
//! and written through the API's own write (`Writer::put`, or the route's
//! function where the route does more): the same policy, rules, access log
//! and idempotency as a client of the API.

use casus_domain::{
    Aftercare, AreaScores, CaseCommand, CaseId, CaseResult, Closure, CommandKind, Conference,
    Confidentiality, ConsentGiver, ConsentPurpose, ConsentWithdrawal, Contact, ContactKind,
    ContactParty, Correction, Domain, Escalation, EscalationTarget, FocusAreaCode, GoalAchievement,
    HandoverAcceptance, HandoverDecline, HandoverProposal, Inclusion, Information,
    InterventionCancellation, InterventionCompletion, InterventionKind, InterventionOutcome,
    InterventionStart, LeadAssignment, LeadRole, LegalBasis, MunicipalityCode, Note,
    OrganisationId, PartnerInvolvement, Personal, Reassignment, Reopening, Review,
    ReviewCompletion, ReviewId, RiskAssessment, RiskLevel, Score, Signal, SignalKind, TeamId, Text,
    Transfer, Unassignment, Worker, WorkerId,
};

use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::http::writer::{Writer, Wrote};
use crate::routes::bodies::{
    ConsentBody, InterventionBody, ReviewBody, RiskBody, TriageBody, TriageChoice,
};
use crate::routes::people::assign;
use crate::routes::plan::{plan_intervention, IntoCommand};
use crate::web::form::{choice, code, text, Errors, Posted};

pub mod plan;

/// A form of the case page, by the name in its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Triage,
    Include,
    TakeLead,
    Plan,
    Achieve,
    Partner,
    Consent,
    Conference,
    Escalate,
    Signal,
    Intervention,
    Start,
    Complete,
    Cancel,
    ScheduleReview,
    HoldReview,
    Contact,
    Note,
    Aftercare,
    Close,
    Reopen,
    Information,
    Risk,
    AssignWorker,
    UnassignWorker,
    WithdrawConsent,
    Transfer,
    Correct,
    Reassign,
    ProposeHandover,
    AcceptHandover,
    DeclineHandover,
}

impl Step {
    pub const ALL: [Step; 32] = [
        Step::Triage,
        Step::Include,
        Step::TakeLead,
        Step::Plan,
        Step::Achieve,
        Step::Partner,
        Step::Consent,
        Step::Conference,
        Step::Escalate,
        Step::Signal,
        Step::Intervention,
        Step::Start,
        Step::Complete,
        Step::Cancel,
        Step::ScheduleReview,
        Step::HoldReview,
        Step::Contact,
        Step::Note,
        Step::Aftercare,
        Step::Close,
        Step::Reopen,
        Step::Information,
        Step::Risk,
        Step::AssignWorker,
        Step::UnassignWorker,
        Step::WithdrawConsent,
        Step::Transfer,
        Step::Correct,
        Step::Reassign,
        Step::ProposeHandover,
        Step::AcceptHandover,
        Step::DeclineHandover,
    ];

    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.name() == name)
    }

    /// The form's name in its path (its fields' names start with it).
    pub fn name(&self) -> &'static str {
        match self {
            Step::Triage => "triage",
            Step::Include => "opnemen",
            Step::TakeLead => "regie",
            Step::Plan => "plan",
            Step::Achieve => "bereikt",
            Step::Partner => "partner",
            Step::Consent => "toestemming",
            Step::Conference => "overleg",
            Step::Escalate => "opschalen",
            Step::Signal => "signaal",
            Step::Intervention => "interventie",
            Step::Start => "starten",
            Step::Complete => "afronden",
            Step::Cancel => "annuleren",
            Step::ScheduleReview => "evaluatie-plannen",
            Step::HoldReview => "evaluatie",
            Step::Contact => "contact",
            Step::Note => "notitie",
            Step::Aftercare => "nazorg",
            Step::Close => "afsluiten",
            Step::Reopen => "heropenen",
            Step::Information => "informatie",
            Step::Risk => "risico",
            Step::AssignWorker => "medewerker",
            Step::UnassignWorker => "medewerker-afmelden",
            Step::WithdrawConsent => "toestemming-intrekken",
            Step::Transfer => "overdragen",
            Step::Correct => "corrigeren",
            Step::Reassign => "werk-overdragen",
            Step::ProposeHandover => "overdracht-voorstellen",
            Step::AcceptHandover => "overdracht-aanvaarden",
            Step::DeclineHandover => "overdracht-afwijzen",
        }
    }

    /// The command the form sends: what the policy decides on. (Assigning
    /// a colleague may name them a lead instead: the same action.)
    pub fn kind(&self) -> CommandKind {
        match self {
            Step::Triage => CommandKind::DecideTriage,
            Step::Include => CommandKind::IncludeCase,
            Step::TakeLead => CommandKind::AssignLead,
            Step::Plan => CommandKind::SetPlan,
            Step::Achieve => CommandKind::AchieveGoal,
            Step::Partner => CommandKind::InvolvePartner,
            Step::Consent => CommandKind::RecordConsent,
            Step::Conference => CommandKind::HoldConference,
            Step::Escalate => CommandKind::Escalate,
            Step::Signal => CommandKind::RecordSignal,
            Step::Intervention => CommandKind::PlanIntervention,
            Step::Start => CommandKind::StartIntervention,
            Step::Complete => CommandKind::CompleteIntervention,
            Step::Cancel => CommandKind::CancelIntervention,
            Step::ScheduleReview => CommandKind::ScheduleReview,
            Step::HoldReview => CommandKind::CompleteReview,
            Step::Contact => CommandKind::LogContact,
            Step::Note => CommandKind::AddNote,
            Step::Aftercare => CommandKind::StartAftercare,
            Step::Close => CommandKind::CloseCase,
            Step::Reopen => CommandKind::ReopenCase,
            Step::Information => CommandKind::AddInformation,
            Step::Risk => CommandKind::AssessRisk,
            Step::AssignWorker => CommandKind::AssignWorker,
            Step::UnassignWorker => CommandKind::UnassignWorker,
            Step::WithdrawConsent => CommandKind::WithdrawConsent,
            Step::Transfer => CommandKind::TransferCase,
            Step::Correct => CommandKind::CorrectEntry,
            Step::Reassign => CommandKind::ReassignWorker,
            Step::ProposeHandover => CommandKind::ProposeHandover,
            Step::AcceptHandover => CommandKind::AcceptHandover,
            Step::DeclineHandover => CommandKind::DeclineHandover,
        }
    }
}

/// The value of the information form's basis that is a legal task (its
/// other values are the ids of the case's consents).
pub const LEGAL_TASK: &str = "wettelijke-taak";

/// What a form asks the API to write.
enum Write {
    Put(Box<CaseCommand>, Vec<uuid::Uuid>),
    TakeLead(Worker),
    /// A colleague as a worker, or as a lead of `LeadRole`.
    Assign(Worker, Option<LeadRole>),
    Reassign {
        from: WorkerId,
        to: Worker,
        reason: Option<Personal<Text>>,
    },
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
            let by = errors.text(posted, "triage-door", "wie besloot");
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
            Some(Write::TakeLead(Worker {
                id: caller.id.clone(),
                name,
                team,
            }))
        }
        Step::Plan => {
            let (command, ids) = plan::read(posted, errors)?.into_command().ok()?;
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
            let domain = errors.read(
                "interventie-domein",
                choice::<Domain>(
                    posted.get("interventie-domein"),
                    "het domein van de interventie",
                ),
            );
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
            let confession = match posted.get("interventie-bekentenis").trim() {
                "" => Some(None),
                _ => errors
                    .day(
                        posted,
                        "interventie-bekentenis",
                        "de datum van de verklaring",
                    )
                    .map(Some),
            };
            Some(Write::PlanIntervention(InterventionBody {
                intervention_id: None,
                kind: kind?,
                provider: provider?,
                domain: domain?,
                planned_on: planned_on?,
                halt_confession_on: confession?,
            }))
        }
        Step::Start => {
            let intervention_id = errors.id(posted, "starten-interventie", "de interventie");
            let started_on = errors.day(posted, "starten-datum", "de startdatum");
            put(CaseCommand::StartIntervention(InterventionStart {
                intervention_id: intervention_id?,
                started_on: started_on?,
            }))
        }
        Step::Complete => {
            let intervention_id = errors.id(posted, "afronden-interventie", "de interventie");
            let outcome = errors.read(
                "afronden-uitkomst",
                choice::<InterventionOutcome>(posted.get("afronden-uitkomst"), "de uitkomst"),
            );
            let summary = errors.optional_text(posted, "afronden-verslag", "het verslag");
            let completed_on = errors.day(posted, "afronden-datum", "de datum van afronding");
            put(CaseCommand::CompleteIntervention(InterventionCompletion {
                intervention_id: intervention_id?,
                outcome: outcome?,
                summary: summary?.map(Personal::new),
                completed_on: completed_on?,
            }))
        }
        Step::Cancel => {
            let intervention_id = errors.id(posted, "annuleren-interventie", "de interventie");
            let reason = errors.text(posted, "annuleren-reden", "de reden");
            let cancelled_on = errors.day(posted, "annuleren-datum", "de datum");
            put(CaseCommand::CancelIntervention(InterventionCancellation {
                intervention_id: intervention_id?,
                reason: Personal::new(reason?),
                cancelled_on: cancelled_on?,
            }))
        }
        Step::Achieve => {
            let goal_id = errors.id(posted, "bereikt-doel", "het doel");
            let achieved_on = errors.day(posted, "bereikt-datum", "de datum");
            put(CaseCommand::AchieveGoal(GoalAchievement {
                goal_id: goal_id?,
                achieved_on: achieved_on?,
            }))
        }
        Step::Consent => {
            let partner = errors.read(
                "toestemming-partner",
                code(
                    posted.get("toestemming-partner"),
                    "de ketenpartner",
                    OrganisationId::parse,
                ),
            );
            let purpose = errors.read(
                "toestemming-doel",
                choice::<ConsentPurpose>(
                    posted.get("toestemming-doel"),
                    "waarvoor de toestemming is",
                ),
            );
            let given_by = errors.read(
                "toestemming-door",
                choice::<ConsentGiver>(posted.get("toestemming-door"), "wie toestemming gaf"),
            );
            let given_on = errors.day(posted, "toestemming-datum", "de datum");
            let valid_until = match posted.get("toestemming-tot").trim() {
                "" => Some(None),
                _ => errors
                    .day(posted, "toestemming-tot", "de einddatum")
                    .map(Some),
            };
            let (command, ids) = ConsentBody {
                consent_id: None,
                partner: partner?,
                purpose: purpose?,
                given_by: given_by?,
                given_on: given_on?,
                valid_until: valid_until?,
            }
            .into_command()
            .ok()?;
            Some(Write::Put(Box::new(command), ids))
        }
        Step::Conference => {
            let present: Result<Vec<OrganisationId>, _> = posted
                .get("overleg-aanwezig")
                .split(',')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(|code| OrganisationId::parse(code.to_owned()))
                .collect();
            let present = errors.read(
                "overleg-aanwezig",
                present.map_err(|_| {
                    "Noem de aanwezige organisaties met hun code, gescheiden door komma's."
                        .to_owned()
                }),
            );
            let agreements = errors.text(posted, "overleg-afspraken", "de afspraken");
            let held_on = errors.day(posted, "overleg-datum", "de datum");
            put(CaseCommand::HoldConference(Conference {
                held_on: held_on?,
                partners_present: present?,
                agreements: Personal::new(agreements?),
            }))
        }
        Step::Escalate => {
            let to = errors.read(
                "opschalen-naar",
                choice::<EscalationTarget>(posted.get("opschalen-naar"), "naar wie"),
            );
            let reason = errors.text(posted, "opschalen-reden", "de reden");
            let escalated_on = errors.day(posted, "opschalen-datum", "de datum");
            put(CaseCommand::Escalate(Escalation {
                to: to?,
                reason: Personal::new(reason?),
                escalated_on: escalated_on?,
            }))
        }
        Step::Signal => {
            let kind = errors.read(
                "signaal-soort",
                choice::<SignalKind>(posted.get("signaal-soort"), "de soort signaal"),
            );
            let source = errors.read(
                "signaal-bron",
                code(posted.get("signaal-bron"), "de bron", OrganisationId::parse),
            );
            let domain = errors.read(
                "signaal-domein",
                choice::<Domain>(posted.get("signaal-domein"), "het domein van de bron"),
            );
            let summary = errors.optional_text(posted, "signaal-verslag", "de toelichting");
            let occurred_on = errors.day(posted, "signaal-datum", "de datum");
            put(CaseCommand::RecordSignal(Signal {
                kind: kind?,
                source_org: source?,
                source_domain: domain?,
                occurred_on: occurred_on?,
                summary: summary?.map(Personal::new),
            }))
        }
        Step::ScheduleReview => {
            let due_on = errors.day(posted, "evaluatie-plannen-datum", "de datum")?;
            let (command, ids) = ReviewBody {
                review_id: None,
                due_on,
            }
            .into_command()
            .ok()?;
            Some(Write::Put(Box::new(command), ids))
        }
        Step::HoldReview => {
            let review_id = errors.id(posted, "evaluatie-welke", "de evaluatie");
            let summary = errors.text(posted, "evaluatie-verslag", "het verslag");
            let completed_on = errors.day(posted, "evaluatie-datum", "de datum");
            let next = match posted.get("evaluatie-volgende").trim() {
                "" => Some(None),
                _ => errors
                    .day(posted, "evaluatie-volgende", "de volgende evaluatie")
                    .map(Some),
            };
            let next_review = next?.map(|due_on| Review {
                review_id: ReviewId::new(),
                due_on,
            });
            let ids = next_review.iter().map(|r| r.review_id.as_uuid()).collect();
            Some(Write::Put(
                Box::new(CaseCommand::CompleteReview {
                    completion: ReviewCompletion {
                        review_id: review_id?,
                        completed_on: completed_on?,
                        summary: Personal::new(summary?),
                    },
                    next_review,
                }),
                ids,
            ))
        }
        Step::Note => {
            let confidentiality = errors.read(
                "notitie-zichtbaar",
                choice::<Confidentiality>(
                    posted.get("notitie-zichtbaar"),
                    "voor wie de notitie is",
                ),
            );
            let text = errors.text(posted, "notitie-tekst", "de notitie");
            put(CaseCommand::AddNote(Note {
                confidentiality: confidentiality?,
                text: Personal::new(text?),
            }))
        }
        Step::Aftercare => {
            let started_on = errors.day(posted, "nazorg-datum", "de datum")?;
            put(CaseCommand::StartAftercare(Aftercare { started_on }))
        }
        Step::Close => {
            let result = errors.read(
                "afsluiten-resultaat",
                choice::<CaseResult>(posted.get("afsluiten-resultaat"), "het resultaat"),
            );
            let summary = errors.optional_text(posted, "afsluiten-verslag", "de samenvatting");
            let closed_on = errors.day(posted, "afsluiten-datum", "de datum");
            put(CaseCommand::CloseCase(Closure {
                result: result?,
                summary: summary?.map(Personal::new),
                closed_on: closed_on?,
            }))
        }
        Step::Reopen => {
            let reason = errors.text(posted, "heropenen-reden", "de reden");
            let reopened_on = errors.day(posted, "heropenen-datum", "de datum");
            put(CaseCommand::ReopenCase(Reopening {
                reason: Personal::new(reason?),
                reopened_on: reopened_on?,
            }))
        }
        Step::Information => {
            let partner = errors.read(
                "informatie-partner",
                code(
                    posted.get("informatie-partner"),
                    "de ketenpartner",
                    OrganisationId::parse,
                ),
            );
            let domain = errors.read(
                "informatie-domein",
                choice::<Domain>(posted.get("informatie-domein"), "het domein"),
            );
            let basis = match posted.get("informatie-grondslag").trim() {
                LEGAL_TASK => errors
                    .text(posted, "informatie-wet", "het wetsartikel")
                    .map(|provision| LegalBasis::LegalTask {
                        provision: Personal::new(provision),
                    }),
                chosen => errors.read(
                    "informatie-grondslag",
                    chosen
                        .parse()
                        .map(|consent_id| LegalBasis::Consent { consent_id })
                        .map_err(|_| "Kies de grondslag.".to_owned()),
                ),
            };
            let summary = errors.text(posted, "informatie-verslag", "de informatie");
            let added_on = errors.day(posted, "informatie-datum", "de datum");
            put(CaseCommand::AddInformation(Information {
                partner: partner?,
                partner_domain: domain?,
                basis: basis?,
                summary: Personal::new(summary?),
                added_on: added_on?,
            }))
        }
        Step::Risk => {
            let instrument = errors.text(posted, "risico-instrument", "het instrument");
            let level = errors.read(
                "risico-niveau",
                choice::<RiskLevel>(posted.get("risico-niveau"), "het risiconiveau"),
            );
            let mut score = |field: &'static str| {
                let typed = posted.get(field).trim().parse::<u8>().ok();
                let score = typed.and_then(|n| Score::parse(n).ok());
                errors.read(
                    field,
                    score.ok_or_else(|| "Kies een score van 0 tot 4.".to_owned()),
                )
            };
            let scores = (
                score("risico-school"),
                score("risico-gezin"),
                score("risico-vrienden"),
                score("risico-middelen"),
                score("risico-delicten"),
            );
            let rationale = errors.text(posted, "risico-onderbouwing", "de onderbouwing");
            let assessed_on = errors.day(posted, "risico-datum", "de datum");
            let next_review_on = match posted.get("risico-evaluatie").trim() {
                "" => Some(None),
                _ => errors
                    .day(posted, "risico-evaluatie", "de datum van de evaluatie")
                    .map(Some),
            };
            let (command, ids) = RiskBody {
                assessment: RiskAssessment {
                    instrument: Personal::new(instrument?),
                    level: level?,
                    scores: AreaScores {
                        school: scores.0?,
                        family: scores.1?,
                        peers: scores.2?,
                        substance_use: scores.3?,
                        offending: scores.4?,
                    },
                    rationale: Personal::new(rationale?),
                    assessed_on: assessed_on?,
                },
                next_review_on: next_review_on?,
            }
            .into_command()
            .ok()?;
            Some(Write::Put(Box::new(command), ids))
        }
        Step::AssignWorker => {
            let id = errors.read(
                "medewerker-wie",
                code(
                    posted.get("medewerker-wie"),
                    "de medewerker",
                    WorkerId::parse,
                ),
            );
            let role = match posted.get("medewerker-rol") {
                "worker" => Some(None),
                chosen => errors
                    .read("medewerker-rol", choice::<LeadRole>(chosen, "de rol"))
                    .map(Some),
            };
            let (id, role) = (id?, role?);
            // Name and team as Casus knows the worker replace these.
            let worker = Worker {
                name: Text::parse(id.as_str().to_owned()).ok()?,
                team: caller.team.clone()?,
                id,
            };
            Some(Write::Assign(worker, role))
        }
        Step::Reassign => {
            let from = errors.read(
                "werk-overdragen-van",
                code(
                    posted.get("werk-overdragen-van"),
                    "van wie",
                    WorkerId::parse,
                ),
            );
            let to = errors.read(
                "werk-overdragen-naar",
                code(
                    posted.get("werk-overdragen-naar"),
                    "aan wie",
                    WorkerId::parse,
                ),
            );
            let reason = errors.optional_text(posted, "werk-overdragen-reden", "de reden");
            let (from, to, reason) = (from?, to?, reason?);
            Some(Write::Reassign {
                from,
                to: Worker {
                    name: Text::parse(to.as_str().to_owned()).ok()?,
                    team: caller.team.clone()?,
                    id: to,
                },
                reason: reason.map(Personal::new),
            })
        }
        Step::ProposeHandover => {
            let municipality = errors.read(
                "overdracht-voorstellen-gemeente",
                MunicipalityCode::parse(posted.get("overdracht-voorstellen-gemeente").to_owned())
                    .map_err(|_| "Kies de gemeente.".to_owned()),
            );
            let reason = errors.text(posted, "overdracht-voorstellen-reden", "de reden");
            let proposed_on = errors.day(posted, "overdracht-voorstellen-datum", "de datum");
            put(CaseCommand::ProposeHandover(HandoverProposal {
                municipality: municipality?,
                reason: Personal::new(reason?),
                proposed_on: proposed_on?,
            }))
        }
        Step::AcceptHandover => {
            let focus_area = errors.read(
                "overdracht-aanvaarden-gebied",
                code(
                    posted.get("overdracht-aanvaarden-gebied"),
                    "het focusgebied",
                    FocusAreaCode::parse,
                ),
            );
            let team = errors.read(
                "overdracht-aanvaarden-team",
                code(
                    posted.get("overdracht-aanvaarden-team"),
                    "het team",
                    TeamId::parse,
                ),
            );
            let accepted_on = errors.day(posted, "overdracht-aanvaarden-datum", "de datum");
            put(CaseCommand::AcceptHandover(HandoverAcceptance {
                focus_area: focus_area?,
                team: team?,
                organisation: caller.organisation.clone(),
                accepted_on: accepted_on?,
            }))
        }
        Step::DeclineHandover => {
            let reason = errors.text(posted, "overdracht-afwijzen-reden", "de reden");
            let declined_on = errors.day(posted, "overdracht-afwijzen-datum", "de datum");
            put(CaseCommand::DeclineHandover(HandoverDecline {
                reason: Personal::new(reason?),
                declined_on: declined_on?,
            }))
        }
        Step::UnassignWorker => {
            let worker = errors.read(
                "medewerker-afmelden-wie",
                code(
                    posted.get("medewerker-afmelden-wie"),
                    "de medewerker",
                    WorkerId::parse,
                ),
            );
            let reason = errors.optional_text(posted, "medewerker-afmelden-reden", "de reden");
            put(CaseCommand::UnassignWorker(Unassignment {
                worker: worker?,
                reason: reason?.map(Personal::new),
            }))
        }
        Step::WithdrawConsent => {
            let consent_id = errors.id(posted, "toestemming-intrekken-welke", "de toestemming");
            let withdrawn_on = errors.day(posted, "toestemming-intrekken-datum", "de datum");
            put(CaseCommand::WithdrawConsent(ConsentWithdrawal {
                consent_id: consent_id?,
                withdrawn_on: withdrawn_on?,
            }))
        }
        Step::Transfer => {
            let municipality = errors.read(
                "overdragen-gebied",
                MunicipalityCode::parse(posted.get("overdragen-gemeente").to_owned())
                    .map_err(|_| "Kies het focusgebied.".to_owned()),
            );
            let focus_area = errors.read(
                "overdragen-gebied",
                code(
                    posted.get("overdragen-gebied"),
                    "het focusgebied",
                    FocusAreaCode::parse,
                ),
            );
            let team = errors.read(
                "overdragen-team",
                code(posted.get("overdragen-team"), "het team", TeamId::parse),
            );
            let reason = errors.text(posted, "overdragen-reden", "de reden");
            let transferred_on = errors.day(posted, "overdragen-datum", "de datum");
            put(CaseCommand::TransferCase(Transfer {
                municipality: municipality?,
                focus_area: focus_area?,
                team: team?,
                reason: Personal::new(reason?),
                transferred_on: transferred_on?,
            }))
        }
        Step::Correct => {
            let sequence = errors.id(posted, "corrigeren-welke", "wat u corrigeert");
            let correction = errors.text(posted, "corrigeren-tekst", "de correctie");
            let contacted_on = match posted.get("corrigeren-contactdatum").trim() {
                "" => Some(None),
                _ => errors
                    .day(posted, "corrigeren-contactdatum", "de juiste datum")
                    .map(Some),
            };
            put(CaseCommand::CorrectEntry(Correction {
                sequence: sequence?,
                correction: Personal::new(correction?),
                contacted_on: contacted_on?,
            }))
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
            let summary = errors.text(posted, "contact-verslag", "het verslag");
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

fn put(command: CaseCommand) -> Option<Write> {
    Some(Write::Put(Box::new(command), Vec::new()))
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
    let digest = posted.digest(step.name());
    Ok(match write {
        Write::Put(command, ids) => writer.put(case, digest, ids, *command).await,
        Write::TakeLead(worker) => {
            assign(writer, case, digest, worker, |lead| {
                CaseCommand::AssignLead(LeadAssignment {
                    role: LeadRole::CaseLead,
                    lead,
                })
            })
            .await
        }
        Write::Assign(worker, None) => {
            assign(writer, case, digest, worker, CaseCommand::AssignWorker).await
        }
        Write::Assign(worker, Some(role)) => {
            assign(writer, case, digest, worker, |lead| {
                CaseCommand::AssignLead(LeadAssignment { role, lead })
            })
            .await
        }
        Write::Reassign { from, to, reason } => {
            assign(writer, case, digest, to, |to| {
                CaseCommand::ReassignWorker(Reassignment {
                    from: from.clone(),
                    to,
                    reason: reason.clone(),
                })
            })
            .await
        }
        Write::PlanIntervention(body) => plan_intervention(writer, case, digest, body).await,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_found_by_its_name() {
        for step in Step::ALL {
            assert_eq!(Step::named(step.name()), Some(step));
        }
        let mut names: Vec<_> = Step::ALL.iter().map(Step::name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Step::ALL.len(), "each name once");
        assert_eq!(Step::named("onbekend"), None);
    }
}
