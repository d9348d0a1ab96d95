//! Every domain code is written once: the name strum derives for a value
//! (stored in the views, shown in the timeline, parsed from tokens) is its
//! serde name (in the events and the API).

use casus_domain::*;
use serde::Serialize;
use strum::VariantArray;

fn same_names<T>()
where
    T: VariantArray + Serialize + std::fmt::Debug + 'static,
    &'static T: Into<&'static str>,
{
    for value in T::VARIANTS {
        let stored: &'static str = value.into();
        assert_eq!(
            serde_json::to_value(value).unwrap(),
            serde_json::Value::String(stored.into()),
            "{value:?}"
        );
    }
}

#[test]
fn every_code_is_its_serde_name() {
    same_names::<Stage>();
    same_names::<Domain>();
    same_names::<Role>();
    same_names::<SignalKind>();
    same_names::<RiskLevel>();
    same_names::<InterventionKind>();
    same_names::<InterventionOutcome>();
    same_names::<EscalationTarget>();
    same_names::<LeadRole>();
    same_names::<ContactKind>();
    same_names::<ContactParty>();
    same_names::<Confidentiality>();
    same_names::<ConsentPurpose>();
    same_names::<ConsentGiver>();
    same_names::<CaseResult>();
}

#[test]
fn domains_and_roles_parse_from_their_codes() {
    assert_eq!("justice".parse::<Domain>().unwrap(), Domain::Justice);
    assert!("Justice".parse::<Domain>().is_err());
    assert_eq!(
        "privacy_officer".parse::<Role>().unwrap(),
        Role::PrivacyOfficer
    );
    assert_eq!(
        "root".parse::<Role>().unwrap_err().to_string(),
        "role is not a role of Casus"
    );
}
