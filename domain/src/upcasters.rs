//! Older shapes of stored events, brought up to the current one on load.
//! Events are never rewritten in the store; each upcaster is a pure function
//! from the stored JSON of one version to the next.

use cqrs_es::persist::{EventUpcaster, SemanticVersionEventUpcaster, SerializedEvent};
use serde_json::{json, Value};

/// Every upcaster, oldest version first.
pub fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![
        Box::new(SemanticVersionEventUpcaster::new(
            "SignalRecorded",
            "2.0",
            Box::new(signal_recorded_v1_to_v2),
        )),
        Box::new(ReferralOrganisation),
    ]
}

/// `CaseReferred` 1.0 had no `organisation`: the case was opened in the
/// referring worker's team, so its organisation is theirs, from the event's
/// metadata (or, where the metadata names none, the referring organisation).
struct ReferralOrganisation;

impl EventUpcaster for ReferralOrganisation {
    fn can_upcast(&self, event_type: &str, event_version: &str) -> bool {
        event_type == "CaseReferred" && event_version == "1.0"
    }

    fn upcast(&self, mut event: SerializedEvent) -> SerializedEvent {
        let from_metadata = event.metadata.get("organisation").cloned();
        if let Some(referral) = event
            .payload
            .get_mut("CaseReferred")
            .and_then(Value::as_object_mut)
        {
            let organisation = from_metadata
                .or_else(|| referral.get("referred_by").cloned())
                .unwrap_or(Value::Null);
            referral.insert("organisation".into(), organisation);
        }
        event.event_version = "2.0".into();
        event
    }
}

/// `SignalRecorded` 1.0 named its fields `source` and `date` and had no
/// `source_domain` or `summary`. A police contact came from the justice
/// domain; every other kind of signal from the social domain.
fn signal_recorded_v1_to_v2(payload: Value) -> Value {
    let Some(old) = payload.get("SignalRecorded") else {
        return payload;
    };
    let kind = old.get("kind").cloned().unwrap_or(Value::Null);
    let source_domain = if kind == "police_contact" {
        "justice"
    } else {
        "social"
    };
    json!({
        "SignalRecorded": {
            "kind": kind,
            "source_org": old.get("source").cloned().unwrap_or(Value::Null),
            "source_domain": source_domain,
            "occurred_on": old.get("date").cloned().unwrap_or(Value::Null),
            "summary": null,
        }
    })
}
