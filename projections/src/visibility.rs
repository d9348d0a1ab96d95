//! Who sees what (DESIGN.md): which domain may see an entry of a case at all,
//! and which may see its content. The one place this policy lives.
//!
//! The social view leaves out police details, the content of escalations,
//! information from justice partners and `justice` notes; the justice view
//! leaves out family signals, contact summaries, information from social
//! partners and `social` notes. Both see the case's state, leads, plan goals,
//! interventions' kind and status, and review dates.

use casus_domain::{CaseEvent, Confidentiality, Domain, SignalKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub social: bool,
    pub justice: bool,
}

impl Seen {
    pub const BOTH: Seen = Seen {
        social: true,
        justice: true,
    };

    /// Where the policy cannot tell who may see something: nobody.
    pub const NEITHER: Seen = Seen {
        social: false,
        justice: false,
    };

    pub fn only(domain: Domain) -> Seen {
        Seen {
            social: domain == Domain::Social,
            justice: domain == Domain::Justice,
        }
    }

    pub fn by(&self, domain: Domain) -> bool {
        match domain {
            Domain::Social => self.social,
            Domain::Justice => self.justice,
        }
    }
}

/// Which domains see that the entry exists.
pub fn entry(event: &CaseEvent) -> Seen {
    match event {
        CaseEvent::SignalRecorded(signal) => signal_seen(signal.kind),
        CaseEvent::InformationAdded(information) => Seen::only(information.partner_domain),
        CaseEvent::NoteAdded(note) => note_seen(note.confidentiality),
        _ => Seen::BOTH,
    }
}

/// Which domains see the entry's content (summary, reason, text).
pub fn content(event: &CaseEvent) -> Seen {
    match event {
        CaseEvent::ContactLogged(_) => Seen::only(Domain::Social),
        CaseEvent::CaseEscalated(_) => Seen::only(Domain::Justice),
        // A Halt referral rests on a confession to the police.
        CaseEvent::InterventionPlanned(plan) if plan.halt.is_some() => Seen::only(Domain::Justice),
        other => entry(other),
    }
}

fn signal_seen(kind: SignalKind) -> Seen {
    match kind {
        SignalKind::PoliceContact => Seen::only(Domain::Justice),
        SignalKind::Family => Seen::only(Domain::Social),
        SignalKind::SchoolAbsence | SignalKind::Nuisance | SignalKind::Neighbourhood => Seen::BOTH,
    }
}

fn note_seen(confidentiality: Confidentiality) -> Seen {
    match confidentiality {
        Confidentiality::Social => Seen::only(Domain::Social),
        Confidentiality::Justice => Seen::only(Domain::Justice),
        Confidentiality::Shared => Seen::BOTH,
    }
}
