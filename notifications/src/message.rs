//! A notification as it leaves Casus: a CloudEvent in the NL GOV profile
//! (specversion 1.0), thin ("informatiearm"): ids, codes and dates, and a
//! `dataref` to the API resource a partner reads with its own token.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::public::{Kind, Recipient};

/// How Casus names itself in what it sends.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The CloudEvent `source`: a URN naming this deployment, e.g.
    /// `urn:nld:oin:00000001234567890000:systeem:casus`.
    pub source: String,
    /// Where the API is reached from outside, for `dataref`.
    pub api_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            source: "urn:nld:casus:ontwikkeling".into(),
            api_url: "http://localhost:8080".into(),
        }
    }
}

/// Ids of notifications are derived from what they are about, so a
/// notification sent again carries the same id.
const NAMESPACE: Uuid = Uuid::from_u128(0x6a0f_9c62_3b1e_4d8e_9f4c_2f1d_8e7a_5b31);

/// One notification for one recipient.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub id: Uuid,
    pub kind: Kind,
    pub recipient: Recipient,
    pub municipality: String,
    pub case_id: Uuid,
    /// The event's global position in the log.
    pub position: i64,
    pub recorded_at: DateTime<Utc>,
    pub data: Value,
}

impl Notification {
    pub fn new(
        kind: Kind,
        recipient: Recipient,
        case_id: Uuid,
        sequence: i64,
        position: i64,
        recorded_at: DateTime<Utc>,
        data: Value,
    ) -> Self {
        let municipality = data["municipality"].as_str().unwrap_or_default().to_owned();
        let name = format!("{case_id}/{sequence}/{}", recipient.token());
        Self {
            id: Uuid::new_v5(&NAMESPACE, name.as_bytes()),
            kind,
            recipient,
            municipality,
            case_id,
            position,
            recorded_at,
            data,
        }
    }

    /// The NATS subject: `casus.<municipality>.<partner or gemeente>.<type>`.
    pub fn subject(&self) -> String {
        format!(
            "casus.{}.{}.{}",
            self.municipality,
            self.recipient.token(),
            self.kind.name()
        )
    }

    /// The CloudEvent, structured mode.
    pub fn cloud_event(&self, settings: &Settings) -> Value {
        let mut data = self.data.clone();
        data["case_id"] = json!(self.case_id);
        if let Recipient::Partner(partner) = &self.recipient {
            data["recipient"] = json!(partner);
        }
        json!({
            "specversion": "1.0",
            "id": self.id,
            "source": settings.source,
            "type": self.kind.cloud_type(),
            "subject": self.case_id,
            "time": self.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "sequence": self.position.to_string(),
            "datacontenttype": "application/json",
            "dataref": format!("{}/api/v1/cases/{}", settings.api_url.trim_end_matches('/'), self.case_id),
            "data": data,
        })
    }

    pub fn body(&self, settings: &Settings) -> Vec<u8> {
        serde_json::to_vec(&self.cloud_event(settings)).expect("a notification serialises")
    }
}
