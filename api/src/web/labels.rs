//! The interface's one catalogue of Dutch words for Casus's codes: stages,
//! contact kinds and parties, roles, risk levels, what an event was. A code
//! without a word here is shown as it is, so a new code is never hidden.

use casus_domain::{
    CaseResult, Confidentiality, ConsentGiver, ConsentPurpose, ContactKind, ContactParty, Domain,
    EscalationTarget, InterventionKind, InterventionOutcome, Role, SignalKind,
};
use casus_store::audit::chain::Breach;

use crate::routes::bodies::TriageChoice;
use strum::VariantArray;

pub fn stage(code: &str) -> &str {
    match code {
        "referred" => "Aangemeld",
        "triaged" => "Triage gedaan",
        "included" => "Opgenomen",
        "active" => "In uitvoering",
        "aftercare" => "Nazorg",
        "closed" => "Afgesloten",
        other => other,
    }
}

pub fn contact_kind(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::HomeVisit => "Huisbezoek",
        ContactKind::School => "Op school",
        ContactKind::Phone => "Telefonisch",
        ContactKind::Office => "Op kantoor",
        ContactKind::Outreach => "Outreachend (op straat)",
        ContactKind::Online => "Online",
    }
}

pub fn contact_party(party: ContactParty) -> &'static str {
    match party {
        ContactParty::Youth => "Jongere",
        ContactParty::ParentOrGuardian => "Ouder of verzorger",
        ContactParty::School => "School",
        ContactParty::Partner => "Ketenpartner",
        ContactParty::Other => "Anders",
    }
}

pub fn role(role: Role) -> &'static str {
    match role {
        Role::CaseWorker => "Casusbehandelaar",
        Role::CaseLead => "Casusregisseur",
        Role::Supervisor => "Teamleider",
        Role::Auditor => "Auditor",
        Role::PrivacyOfficer => "Privacyfunctionaris",
        Role::Analyst => "Analist",
        Role::Admin => "Beheerder",
    }
}

pub fn domain(domain: Domain) -> &'static str {
    match domain {
        Domain::Social => "Sociaal domein",
        Domain::Justice => "Justitieel domein",
    }
}

pub fn risk_level(code: &str) -> &str {
    match code {
        "low" => "Laag",
        "medium" => "Middel",
        "high" => "Hoog",
        other => other,
    }
}

pub fn intervention_status(code: &str) -> &str {
    match code {
        "planned" => "gepland",
        "running" => "loopt",
        "completed" => "afgerond",
        "cancelled" => "geannuleerd",
        other => other,
    }
}

pub fn intervention_kind_of(kind: InterventionKind) -> &'static str {
    match kind {
        InterventionKind::Mentoring => "Mentortraject",
        InterventionKind::SchoolAttendance => "Schoolaanwezigheid",
        InterventionKind::SportsAndLeisure => "Sport en vrije tijd",
        InterventionKind::FamilyCoaching => "Gezinscoaching",
        InterventionKind::DebtHelp => "Schuldhulp",
        InterventionKind::JobCoaching => "Begeleiding naar werk",
        InterventionKind::Halt => "Halt-afdoening",
        InterventionKind::YouthCare => "Jeugdhulp",
        InterventionKind::Other => "Anders",
    }
}

/// An intervention kind's code as the views keep it.
pub fn intervention_kind(code: &str) -> &str {
    InterventionKind::VARIANTS
        .iter()
        .find(|k| <&str>::from(**k) == code)
        .map_or(code, |k| intervention_kind_of(*k))
}

pub fn intervention_outcome(outcome: InterventionOutcome) -> &'static str {
    match outcome {
        InterventionOutcome::Successful => "Geslaagd",
        InterventionOutcome::PartlySuccessful => "Deels geslaagd",
        InterventionOutcome::NotSuccessful => "Niet geslaagd",
    }
}

pub fn signal_kind(kind: SignalKind) -> &'static str {
    match kind {
        SignalKind::PoliceContact => "Politiecontact",
        SignalKind::SchoolAbsence => "Schoolverzuim",
        SignalKind::Nuisance => "Overlast",
        SignalKind::Family => "Thuissituatie",
        SignalKind::Neighbourhood => "Buurt",
    }
}

pub fn confidentiality(confidentiality: Confidentiality) -> &'static str {
    match confidentiality {
        Confidentiality::Social => "Alleen sociaal domein",
        Confidentiality::Justice => "Alleen justitieel domein",
        Confidentiality::Shared => "Beide domeinen",
    }
}

pub fn case_result(result: CaseResult) -> &'static str {
    match result {
        CaseResult::GoalsAchieved => "Doelen bereikt",
        CaseResult::GoalsPartlyAchieved => "Doelen deels bereikt",
        CaseResult::GoalsNotAchieved => "Doelen niet bereikt",
        CaseResult::HandedOver => "Overgedragen",
        CaseResult::AdviceGiven => "Advies gegeven",
        CaseResult::Moved => "Verhuisd",
        CaseResult::Refused => "Geweigerd",
        CaseResult::ReferralWithdrawn => "Aanmelding ingetrokken",
    }
}

pub fn consent_purpose(purpose: ConsentPurpose) -> &'static str {
    match purpose {
        ConsentPurpose::InformationSharing => "Informatie delen",
        ConsentPurpose::HaltIntervention => "Halt-afdoening",
        ConsentPurpose::Intervention => "Interventie",
        ConsentPurpose::CaseConference => "Casusoverleg",
    }
}

pub fn consent_giver(giver: ConsentGiver) -> &'static str {
    match giver {
        ConsentGiver::Youth => "De jongere",
        ConsentGiver::ParentOrGuardian => "Ouder of verzorger",
    }
}

pub fn escalation_target(target: EscalationTarget) -> &'static str {
    match target {
        EscalationTarget::Administrators => "Bestuurders (burgemeester, wethouder)",
        EscalationTarget::Police => "Politie",
        EscalationTarget::Prosecutor => "Openbaar Ministerie",
        EscalationTarget::ChildProtectionBoard => "Raad voor de Kinderbescherming",
    }
}

pub fn triage_choice(choice: TriageChoice) -> &'static str {
    match choice {
        TriageChoice::TakeOn => "Oppakken",
        TriageChoice::HandOver => "Overdragen aan een ketenpartner",
        TriageChoice::AdviceOnly => "Alleen advies",
    }
}

/// What a partner's involvement rests on (`PartnerRow::basis`).
pub fn basis(code: &str) -> &'static str {
    match code {
        "consent" => "op toestemming",
        "legal_task" => "op een wettelijke taak",
        _ => "in het eigen domein van de casus",
    }
}

/// What is wrong with a link of a case's chain (`casus verify`).
pub fn breach(breach: Breach) -> &'static str {
    match breach {
        Breach::Changed => "gewijzigd",
        Breach::BrokenLink => "wijst niet naar de gebeurtenis ervoor",
        Breach::Missing => "er ontbreekt een gebeurtenis",
        Breach::Unsigned => "niet ondertekend door Casus",
        Breach::BadSignature => "handtekening klopt niet",
    }
}

/// A timeline entry's detail in Dutch: the view writes its labels in
/// English (`timeline_label`), the worker's own text stays as written.
pub fn detail(text: &str) -> String {
    use casus_projections::queries::timeline_label as label;
    let prefixes = [
        (label::REASON, "Reden: "),
        (label::GOAL, "Doel: "),
        (label::DECIDED_BY, "Besloten door: "),
        (label::LEGAL_TASK, "Wettelijke taak: "),
        (label::INSTRUMENT, "Instrument: "),
    ];
    let line = |line: &str| {
        for (english, dutch) in prefixes {
            if let Some(rest) = line.strip_prefix(english) {
                return format!("{dutch}{rest}");
            }
        }
        if let Some(on) = line.strip_prefix(label::CONFESSION_ON) {
            return format!("Bekennende verklaring op {}", dutch_date(on));
        }
        let goal = line.strip_prefix(label::GOAL_ITEM);
        if let Some((what, target)) = goal.and_then(|g| g.rsplit_once(label::TARGET)) {
            let target = target.trim_end_matches(')');
            return format!("– {what} (streefdatum {})", dutch_date(target));
        }
        line.to_owned()
    };
    text.lines().map(line).collect::<Vec<_>>().join("\n")
}

/// `2027-06-01` as `01-06-2027`; anything else as it is.
fn dutch_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| d.format("%d-%m-%Y").to_string())
}

/// What an event of the timeline was.
pub fn event(event_type: &str) -> &str {
    match event_type {
        "CaseReferred" => "Aanmelding",
        "SignalRecorded" => "Signaal vastgelegd",
        "TriageDecided" => "Triagebesluit",
        "InformationAdded" => "Informatie toegevoegd",
        "CaseIncluded" => "Casus opgenomen",
        "LeadAssigned" => "Regie toegewezen",
        "WorkerAssigned" => "Behandelaar toegewezen",
        "WorkerUnassigned" => "Behandelaar afgemeld",
        "RiskAssessed" => "Risico ingeschat",
        "PlanAgreed" => "Plan afgesproken",
        "PlanRevised" => "Plan herzien",
        "GoalAchieved" => "Doel bereikt",
        "InterventionPlanned" => "Interventie gepland",
        "InterventionStarted" => "Interventie gestart",
        "InterventionCompleted" => "Interventie afgerond",
        "InterventionCancelled" => "Interventie geannuleerd",
        "ContactLogged" => "Contact",
        "NoteAdded" => "Notitie",
        "ConsentRecorded" => "Toestemming vastgelegd",
        "ConsentWithdrawn" => "Toestemming ingetrokken",
        "PartnerInvolved" => "Ketenpartner betrokken",
        "CaseConferenceHeld" => "Casusoverleg",
        "ReviewScheduled" => "Evaluatie gepland",
        "ReviewCompleted" => "Evaluatie gehouden",
        "CaseEscalated" => "Opgeschaald",
        "CaseTransferred" => "Overgedragen",
        "HandoverProposed" => "Overdracht voorgesteld",
        "HandoverAccepted" => "Overdracht aanvaard",
        "HandoverDeclined" => "Overdracht afgewezen",
        "AftercareStarted" => "Nazorg gestart",
        "CaseClosed" => "Casus afgesloten",
        "CaseReopened" => "Casus heropend",
        "EntryCorrected" => "Correctie",
        "SubjectErased" => "Persoonsgegevens gewist",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use casus_domain::Stage;

    use super::*;

    #[test]
    fn a_details_labels_and_dates_are_dutch_and_the_workers_text_is_not_touched() {
        assert_eq!(
            detail("Reason: overlast\nGoal: terug naar school"),
            "Reden: overlast\nDoel: terug naar school"
        );
        assert_eq!(
            detail("Decided by triageoverleg"),
            "Besloten door: triageoverleg"
        );
        assert_eq!(
            detail("sport erbij\n- naar school (by 2027-06-01)"),
            "sport erbij\n– naar school (streefdatum 01-06-2027)"
        );
        assert_eq!(
            detail("Confession on 2026-11-01"),
            "Bekennende verklaring op 01-11-2026"
        );
        assert_eq!(detail("gewoon een verslag"), "gewoon een verslag");
    }

    #[test]
    fn every_stage_has_a_dutch_word() {
        for code in Stage::VARIANTS.iter().map(Stage::as_str) {
            assert_ne!(stage(code), code, "{code}");
        }
    }
}
