//! The public notification types, and which private events make them: the
//! one place that decides what leaves Casus. A notification carries ids,
//! codes and dates only: never a name, a date of birth, a BSN, an address
//! or any text a worker wrote. Partners read the details through the API,
//! with their own token (`dataref`).

use casus_domain::{CaseEvent, CaseFile, Domain, LegalBasis};
use casus_projections::visibility;
use chrono::NaiveDate;
use serde_json::{json, Value};

/// The public types, version 1. Their names are part of the contract
/// (docs/notifications.md): add, never rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    /// A case was opened by a referral (municipality only).
    CasusAangemeld,
    /// A partner was involved in the case.
    PartnerBetrokken,
    /// An intervention was planned.
    InterventieGepland,
    /// A review was scheduled.
    EvaluatieGepland,
    /// A case conference was held.
    CasusoverlegGehouden,
    /// The consent a partner's involvement rested on was withdrawn.
    GrondslagBeeindigd,
    /// The case was closed.
    CasusAfgesloten,
}

/// The prefix of every type, in reverse-DNS form.
pub const TYPE_PREFIX: &str = "nl.preventie-met-gezag.casus.";

impl Kind {
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The CloudEvent `type`.
    pub fn cloud_type(self) -> String {
        format!("{TYPE_PREFIX}{}", self.name())
    }
}

/// Who a notification is for: the municipality's own systems, or a partner.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Recipient {
    Municipality,
    Partner(String),
}

impl Recipient {
    /// Its token in a subject: `gemeente`, or the partner's code.
    pub fn token(&self) -> &str {
        match self {
            Recipient::Municipality => "gemeente",
            Recipient::Partner(code) => code,
        }
    }
}

/// What one event tells the outside world: its kind, the data, and to whom.
#[derive(Clone, Debug, PartialEq)]
pub struct Public {
    pub kind: Kind,
    pub data: Value,
    pub recipients: Vec<Recipient>,
}

/// The public notification of `event`, if it makes one: `before` is the
/// case as it was before the event (`None` for a referral), `after` as it
/// is after, and `on` the day it was recorded. A partner hears only while
/// its involvement's basis holds on that day (`CaseFile::sharing_partners`),
/// and only of what its domain may see (`visibility::entry`).
pub fn public(
    event: &CaseEvent,
    before: Option<&CaseFile>,
    after: &CaseFile,
    on: NaiveDate,
) -> Option<Public> {
    let sharing = |file: &CaseFile| -> Vec<(String, Domain)> {
        file.sharing_partners(on)
            .filter_map(|p| file.partners.get(p).map(|d| (p.to_string(), *d)))
            .collect()
    };
    let seen = visibility::entry(event);
    let may_see = |partners: Vec<(String, Domain)>| -> Vec<Recipient> {
        partners
            .into_iter()
            .filter(|(_, domain)| seen.by(*domain))
            .map(|(p, _)| Recipient::Partner(p))
            .collect()
    };
    let everyone = || may_see(sharing(after));
    let (kind, data, partners) = match event {
        CaseEvent::CaseReferred(referral) => (
            Kind::CasusAangemeld,
            json!({"referred_on": referral.referred_on, "referred_by": referral.referred_by}),
            Vec::new(),
        ),
        CaseEvent::PartnerInvolved(involved) => {
            let basis = match &involved.basis {
                None => "own_domain",
                Some(LegalBasis::Consent { .. }) => "consent",
                Some(LegalBasis::LegalTask { .. }) => "legal_task",
            };
            let partner = involved.partner.to_string();
            (
                Kind::PartnerBetrokken,
                json!({"partner": partner, "partner_domain": involved.partner_domain,
                       "basis": basis, "involved_on": involved.involved_on}),
                everyone()
                    .into_iter()
                    .filter(|r| r.token() == partner)
                    .collect(),
            )
        }
        CaseEvent::InterventionPlanned(plan) => {
            let provider = plan.provider.to_string();
            (
                Kind::InterventieGepland,
                json!({"intervention_id": plan.intervention_id, "kind": plan.kind,
                       "provider": provider, "domain": plan.domain, "planned_on": plan.planned_on}),
                everyone()
                    .into_iter()
                    .filter(|r| r.token() == provider)
                    .collect(),
            )
        }
        CaseEvent::ReviewScheduled(review) => (
            Kind::EvaluatieGepland,
            json!({"review_id": review.review_id, "due_on": review.due_on}),
            everyone(),
        ),
        CaseEvent::CaseConferenceHeld(conference) => (
            Kind::CasusoverlegGehouden,
            json!({"held_on": conference.held_on, "partners_present": conference.partners_present}),
            everyone(),
        ),
        CaseEvent::ConsentWithdrawn(withdrawal) => {
            // Told to the partner whose involvement rested on it, who shared
            // the case until now: the last thing it hears of the case.
            let before = before?;
            let ended: Vec<(String, Domain)> = sharing(before)
                .into_iter()
                .filter(|(p, _)| {
                    before
                        .partner_consents
                        .iter()
                        .any(|(q, c)| q.as_str() == p && *c == withdrawal.consent_id)
                })
                .collect();
            (
                Kind::GrondslagBeeindigd,
                json!({"consent_id": withdrawal.consent_id, "withdrawn_on": withdrawal.withdrawn_on,
                       "partners": ended.iter().map(|(p, _)| p).collect::<Vec<_>>()}),
                may_see(ended),
            )
        }
        CaseEvent::CaseClosed(closure) => (
            Kind::CasusAfgesloten,
            json!({"closed_on": closure.closed_on, "result": closure.result}),
            everyone(),
        ),
        _ => return None,
    };
    let mut data = data;
    data["municipality"] = json!(after.municipality);
    data["focus_area"] = json!(after.focus_area);
    let mut recipients = vec![Recipient::Municipality];
    recipients.extend(partners);
    Some(Public {
        kind,
        data,
        recipients,
    })
}

#[cfg(test)]
mod tests {
    use casus_domain::testing::*;
    use casus_domain::{
        CaseEvent, ConsentGiver, ConsentPurpose, ConsentWithdrawal, Domain, LegalBasis,
        PartnerInvolvement, YouthCase,
    };
    use cqrs_es::Aggregate;

    use super::*;

    /// The notification of the last of `events`, recorded on `on`.
    fn last(events: &[CaseEvent], on: NaiveDate) -> Option<Public> {
        let mut case = YouthCase::default();
        let (last, earlier) = events.split_last().unwrap();
        for event in earlier {
            case.apply(event.clone());
        }
        let before = case.file().cloned();
        case.apply(last.clone());
        public(last, before.as_ref(), case.file().unwrap(), on)
    }

    fn involved_on_consent() -> Vec<CaseEvent> {
        let mut events = included_with_lead();
        events.push(CaseEvent::ConsentRecorded(consent(
            1,
            "halt-rotterdam",
            ConsentPurpose::InformationSharing,
            ConsentGiver::Youth,
        )));
        events.push(CaseEvent::PartnerInvolved(PartnerInvolvement {
            partner: org("halt-rotterdam"),
            partner_domain: Domain::Justice,
            basis: Some(LegalBasis::Consent { consent_id: id(1) }),
            involved_on: day(2026, 1, 21),
        }));
        events
    }

    #[test]
    fn a_referral_is_told_to_the_municipality_only_and_names_no_one() {
        let told = last(&referred(), day(2026, 1, 10)).unwrap();
        assert_eq!(told.kind, Kind::CasusAangemeld);
        assert_eq!(told.recipients, [Recipient::Municipality]);
        let keys: Vec<&str> = told
            .data
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["focus_area", "municipality", "referred_by", "referred_on"]
        );
    }

    #[test]
    fn a_partner_hears_while_its_consent_holds_and_of_its_end_then_nothing() {
        let mut events = involved_on_consent();
        let involved = last(&events, day(2026, 1, 21)).unwrap();
        assert!(involved
            .recipients
            .contains(&Recipient::Partner("halt-rotterdam".into())));

        events.push(CaseEvent::ReviewScheduled(review(1, day(2026, 3, 1))));
        let scheduled = last(&events, day(2026, 2, 1)).unwrap();
        assert!(scheduled
            .recipients
            .contains(&Recipient::Partner("halt-rotterdam".into())));
        // The same review, recorded after the consent's end: not told.
        let expired = last(&events, day(2027, 1, 2)).unwrap();
        assert_eq!(expired.recipients, [Recipient::Municipality]);

        events.push(CaseEvent::ConsentWithdrawn(ConsentWithdrawal {
            consent_id: id(1),
            withdrawn_on: day(2026, 2, 2),
        }));
        let ended = last(&events, day(2026, 2, 2)).unwrap();
        assert_eq!(ended.kind, Kind::GrondslagBeeindigd);
        assert!(ended
            .recipients
            .contains(&Recipient::Partner("halt-rotterdam".into())));

        events.push(CaseEvent::ReviewScheduled(review(2, day(2026, 4, 1))));
        let after = last(&events, day(2026, 2, 3)).unwrap();
        assert_eq!(after.recipients, [Recipient::Municipality]);
    }

    #[test]
    fn an_intervention_is_told_to_its_provider_only_when_involved() {
        let mut events = involved_on_consent();
        events.push(CaseEvent::PlanAgreed(plan()));
        events.push(CaseEvent::InterventionPlanned(intervention(
            1,
            casus_domain::InterventionKind::Mentoring,
        )));
        let told = last(&events, day(2026, 2, 10)).unwrap();
        assert_eq!(told.kind, Kind::InterventieGepland);
        // youth-work-zuid provides it, but is not involved.
        assert_eq!(told.recipients, [Recipient::Municipality]);
    }

    #[test]
    fn what_a_worker_writes_does_not_make_a_notification() {
        let mut events = included_with_lead();
        events.push(CaseEvent::RiskAssessed(assessment(
            casus_domain::RiskLevel::High,
        )));
        assert_eq!(last(&events, day(2026, 1, 25)), None);
    }
}
