//! The interface's one catalogue of Dutch words for Casus's codes: stages,
//! contact kinds and parties, roles, risk levels, what an event was. A code
//! without a word here is shown as it is, so a new code is never hidden.

use casus_domain::{
    CaseResult, Confidentiality, ConsentGiver, ConsentPurpose, ContactKind, ContactParty, Domain,
    EscalationTarget, InterventionKind, InterventionOutcome, Role, SignalKind,
};

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
    fn every_stage_has_a_dutch_word() {
        for code in Stage::VARIANTS.iter().map(Stage::as_str) {
            assert_ne!(stage(code), code, "{code}");
        }
    }
}
